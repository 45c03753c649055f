"""Partnership overlays: adapt a standard set locally without copying it.

An overlay is a small YAML file that names the set it ``extends`` and lists changes by id,
in the manner of OSCAL profiles (``alter`` / ``add`` / ``remove`` / ``set-parameter``)::

    extends: kcsie@2025-26
    publisher: {name: Northshire Safeguarding Children Partnership, return_deadline: 2025-12-12}
    remove:
      - teaching.curriculum.rshe-2026            # asked in our own RSHE audit
    modify:
      - id: governance.accountability.safeguarding-governor
        set: {in_return: true}
        append: {evidence: [Certificate of the Northshire governor safeguarding course]}
    add:
      - after: early-help.early-help.eh-identification
        questions:
          - id: ns-threshold-document
            text: Do staff use the Northshire threshold document when deciding on a referral?
            type: rating

Resolving applies, in this order: the set-level settings (title, description, status,
effective, change_summary, publisher and sign_off — merged key by key —, default_scale, and
references, scales and audiences added or replaced by key), then ``remove``, then ``modify``,
then ``add`` (in file order, so a later ``add`` can be placed after an item an earlier one
added).

The resolved set is an ordinary :class:`~safeguard_standards.model.Checklist`: it keeps the
national id and version (returns from different partnerships stay comparable), is checked by
the same semantic rules as any set, and every section, standard, question, scale and reference
carries its ``origin``: ``national`` (from the extended set, unchanged), ``modified`` (changed by
the overlay) or ``local`` (added by it). ``Checklist.extends`` names the set it extends.

Every diagnostic points into the overlay file: an unknown id (SG303), a position that does not
exist (SG304) or names the wrong kind of item (SG305), a change that changes nothing (SG306),
an id already used (SG307), a removal that leaves a condition dangling (SG308) or a standard
empty (SG311), the same item changed twice (SG310), an unknown base (SG300), a base with errors
(SG302), overlays that extend each other in a circle (SG301), and an unpinned base (SG309).

:func:`apply_overlay` does no I/O (the base is given); :func:`check_overlay_path` and
:func:`check_overlay_text` also load the base (a set the registry of
:mod:`safeguard_standards.sets` knows, a file, or another overlay).
:func:`checklist_to_data` and :func:`dump_yaml` write a resolved set out as a standard set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from . import _yaml
from ._build import _Builder
from ._rules import run_rules
from ._setspec import SetLookup, SetNotFound, SetSpec, SetSpecError
from ._structure import check_structure, shipped_schema, shipped_schema_text
from .diagnostics import Code, Diagnostic, did_you_mean
from .loader import MAX_DIAGNOSTICS, LoadResult, PathLike, _listed, _read, once_per_spot
from .model import (
    Checklist,
    Condition,
    Guidance,
    Location,
    Publisher,
    Question,
    Section,
    SignOff,
    Standard,
)

__all__ = [
    "apply_overlay",
    "check_overlay_path",
    "check_overlay_text",
    "checklist_to_data",
    "dump_yaml",
    "is_overlay_path",
    "is_overlay_text",
    "overlay_schema",
    "overlay_schema_text",
]

_SCHEMA_FILE = "overlay.schema.json"
_EXTENDS = re.compile(r"^extends[ \t]*:", re.MULTILINE)

#: Most overlays one chain of ``extends`` may pass through (SG312); each is a file to read.
MAX_OVERLAY_CHAIN = 20

#: Fields ``modify: set`` may change, by kind of item.
SETTABLE: dict[str, tuple[str, ...]] = {
    "question": (
        "text",
        "type",
        "scale",
        "options",
        "unit",
        "min",
        "max",
        "required",
        "priority",
        "evidence",
        "guidance",
        "cite",
        "applies_to",
        "ask_if",
        "in_return",
        "themes",
        "change_note",
    ),
    "standard": (
        "title",
        "expectation",
        "guidance",
        "cite",
        "applies_to",
        "themes",
        "change_note",
    ),
    "section": ("title", "intro", "applies_to", "change_note"),
}
#: Fields ``modify: unset`` may clear, by kind of item.
UNSETTABLE: dict[str, tuple[str, ...]] = {
    "question": (
        "scale",
        "unit",
        "min",
        "max",
        "priority",
        "evidence",
        "guidance",
        "cite",
        "applies_to",
        "ask_if",
        "themes",
        "change_note",
    ),
    "standard": ("expectation", "guidance", "cite", "applies_to", "themes", "change_note"),
    "section": ("intro", "applies_to", "change_note"),
}
_POSITIONS = ("after", "before", "start_of", "end_of")
_CONTENTS = ("questions", "standards", "sections")
_ID_HINT = (
    "give local items ids of their own, e.g. starting with your partnership's short name "
    "('ns-threshold-document'), so they never clash with national ids, now or next year"
)


# -- the overlay schema ---------------------------------------------------------------------------


def overlay_schema_text() -> str:
    """The JSON Schema of overlays, as shipped in the package."""
    return shipped_schema_text(_SCHEMA_FILE)


def overlay_schema() -> dict[str, Any]:
    """The JSON Schema of overlays, parsed."""
    return shipped_schema(_SCHEMA_FILE)


def _check_structure(data: Any, sm: _yaml.SourceMap) -> list[Diagnostic]:
    # the same two-stage check as a standard set's; only this many are listed (SG122)
    return check_structure(data, sm, limit=MAX_DIAGNOSTICS + 1, schema_file=_SCHEMA_FILE)


# -- recognising an overlay ---------------------------------------------------------------------


def is_overlay_text(text: str) -> bool:
    """Whether YAML text is an overlay: it has a top-level ``extends:`` key."""
    # a plain substring search first: ten times faster than the multi-line regex on a big set
    if not (text.startswith("extends") or "\nextends" in text):
        return False
    return bool(_EXTENDS.search(text))


def is_overlay_path(path: PathLike) -> bool:
    """Whether the file at ``path`` is an overlay (False when it cannot be read)."""
    try:
        if not Path(path).is_file():  # a pipe or a device would block or never end
            return False
        with open(path, encoding="utf-8", errors="replace") as handle:
            return is_overlay_text(handle.read(_yaml.MAX_BYTES))
    except (OSError, ValueError):
        return False


# -- a mutable working copy of the tree ------------------------------------------------------------


@attrs.define
class _Std:
    node: Standard
    questions: list[Question]


@attrs.define
class _Sec:
    node: Section
    standards: list[_Std]


def _tree(c: Checklist) -> list[_Sec]:
    return [_Sec(s, [_Std(st, list(st.questions)) for st in s.standards]) for s in c.sections]


def _kind(full_id: str) -> str:
    return ("section", "standard", "question")[min(full_id.count("."), 2)]


class _Resolver:
    """Applies one overlay's operations to a base checklist, collecting diagnostics."""

    def __init__(
        self, base: Checklist, data: dict[str, Any], sm: _yaml.SourceMap, extends: str
    ) -> None:
        self.base = base
        self.data = data
        self.sm = sm
        self.source = sm.source
        self.extends = extends
        self.builder = _Builder(sm)
        self.tree = _tree(base)
        self.found: list[Diagnostic] = []
        #: full id → (line, col) of the remove entry, for later checks.
        self.removed: dict[str, tuple[int, int]] = {}
        self.modified: dict[str, tuple[int, int]] = {}
        self.local_ids: set[str] = set()
        #: questions whose ask_if names a question this overlay removes
        self.broken: set[str] = set()
        self.base_ids = {s.id for s in base.sections}
        self.base_ids |= {st.full_id for st in base.standards()}
        self.base_ids |= {q.full_id for q in base.questions()}
        self.default_scale = base.default_scale
        # Everything built here stays referenced while the resolver lives, so that no id() in
        # the builder's side table (id(node) → YAML mapping) can be reused by a new object.
        self.alive: list[Any] = []

    def built(self, node: Any) -> Any:
        self.alive.append(node)
        return node

    def register(self, new: Any, like: Any) -> Any:
        """Give ``new`` (an evolved copy of ``like``) the same YAML mapping in the side table."""
        raw = self.builder.raw.get(id(like))
        if raw is not None:
            self.builder.raw[id(new)] = raw
        return self.built(new)

    # diagnostics ------------------------------------------------------------------------------
    def diag(
        self, code: Code, at: tuple[int, int], message: str, hint: str = "", item: str = ""
    ) -> None:
        self.found.append(Diagnostic(code, message, self.source, at[0], at[1], item, hint))

    def at_value(self, container: Any, key: Any) -> tuple[int, int]:
        line, col, _style, _raw = self.sm.value(container, key)
        return (line, col)

    def at_key(self, mapping: Any, key: str) -> tuple[int, int]:
        return self.sm.key(mapping, key)

    # lookup -----------------------------------------------------------------------------------
    def find(self, full_id: str) -> tuple[str, _Sec | None, _Std | None, int]:
        """(kind, section, standard, question index) of ``full_id``; kind "" if absent."""
        parts = full_id.split(".")
        for sec in self.tree:
            if sec.node.id != parts[0]:
                continue
            if len(parts) == 1:
                return ("section", sec, None, -1)
            for std in sec.standards:
                if std.node.id != parts[1]:
                    continue
                if len(parts) == 2:
                    return ("standard", sec, std, -1)
                for i, q in enumerate(std.questions):
                    if len(parts) == 3 and q.id == parts[2]:
                        return ("question", sec, std, i)
        return ("", None, None, -1)

    def ids(self, kind: str) -> list[str]:
        out = []
        for sec in self.tree:
            if kind == "section":
                out.append(sec.node.id)
            for std in sec.standards:
                if kind == "standard":
                    out.append(std.node.full_id)
                if kind == "question":
                    out.extend(q.full_id for q in std.questions)
        return out

    def unknown(self, full_id: str, at: tuple[int, int], what: str, code: Code) -> None:
        kind = _kind(full_id)
        known = self.ids(kind)
        if full_id in self.removed:
            line = self.removed[full_id][0]
            message = f"{what} {full_id!r}, which this overlay removes (line {line})"
            hint = "remove it or change it, not both"
            code = Code.OVERLAY_TWICE if code is Code.OVERLAY_UNKNOWN_ID else code
        else:
            message = Code.OVERLAY_UNKNOWN_ID.message(
                what=what,
                full_id=full_id,
                kind=kind,
                extends=self.extends,
                did_you_mean=did_you_mean(full_id, known),
            )
            hint = (
                f"check the id with: safeguard show {self.extends}; ids are "
                "section.standard.question"
            )
        self.diag(code, at, message, hint, full_id)

    # set-level settings -----------------------------------------------------------------------
    def settings(self) -> Checklist:
        data = self.data
        base = self.base
        keys = (
            "title",
            "description",
            "status",
            "effective",
            "change_summary",
            "publisher",
            "sign_off",
            "references",
            "scales",
            "default_scale",
            "audiences",
            "themes",
        )
        partial = self.built(self.builder.checklist({k: data[k] for k in keys if k in data}))
        changes: dict[str, Any] = {}
        for key in ("title", "description", "status", "change_summary", "default_scale"):
            if key in data and isinstance(data[key], str):
                if data[key] == getattr(base, key):
                    self.no_change(self.at_value(data, key), f"{key!r} is already {data[key]!r}")
                changes[key] = data[key]
        if isinstance(data.get("default_scale"), str):
            self.default_scale = data["default_scale"]
        if isinstance(data.get("effective"), dict):
            eff = (partial.effective_from, partial.effective_to)
            if eff == (base.effective_from, base.effective_to):
                self.no_change(self.at_value(data, "effective"), "the effective dates are the same")
            changes["effective_from"], changes["effective_to"] = eff
        pub = data.get("publisher")
        if isinstance(pub, dict):
            merged = {
                name: (
                    pub[name]
                    if isinstance(pub.get(name), str)
                    else (getattr(base.publisher, name) if base.publisher else "")
                )
                for name in ("name", "contact", "url", "logo", "return_deadline")
            }
            if not merged["name"]:
                self.diag(
                    Code.MISSING_FIELD,
                    self.sm.container(pub),
                    f"{self.extends} names no publisher, so the overlay's publisher needs a name",
                    "add 'name: <your partnership>' under publisher",
                )
            publisher = Publisher(
                name=merged["name"],
                contact=merged["contact"],
                url=merged["url"],
                logo=merged["logo"],
                return_deadline=merged["return_deadline"],
            )
            if isinstance(pub.get("logo"), str):  # named here: taken from the overlay's folder
                publisher = attrs.evolve(publisher, logo_at=self.builder.value_loc(pub, "logo"))
            elif base.publisher is not None:  # the base's: still from the base's folder
                publisher = attrs.evolve(
                    publisher, logo_at=base.publisher.logo_at, logo_dir=base.publisher.logo_dir
                )
            if publisher == base.publisher:
                self.no_change(self.at_value(data, "publisher"), "the publisher is the same")
            changes["publisher"] = publisher
        signing = data.get("sign_off")
        if isinstance(signing, dict):
            sign_off = attrs.evolve(
                base.sign_off,
                **{
                    name: getattr(partial.sign_off, name)
                    for name in ("statement", "role_examples")
                    if isinstance(signing.get(name), str)
                },
            )
            if sign_off == base.sign_off:
                self.no_change(self.at_value(data, "sign_off"), "the sign-off is the same")
            changes["sign_off"] = sign_off
        changes["references"] = self.keyed(
            base.references, partial.references, "references", lambda r: r.key
        )
        changes["scales"] = self.keyed(base.scales, partial.scales, "scales", lambda s: s.id)
        changes["audiences"] = self.keyed(
            base.audiences, partial.audiences, "audiences", lambda a: a.id, origin=False
        )
        changes["themes"] = self.keyed(base.themes, partial.themes, "themes", lambda t: t.id)
        return attrs.evolve(base, **changes)

    def keyed(
        self,
        old: tuple[Any, ...],
        new: tuple[Any, ...],
        field: str,
        key: Any,
        origin: bool = True,
    ) -> tuple[Any, ...]:
        """``old`` with entries of ``new`` replacing those of the same key, others appended."""
        by_key = {key(x): x for x in new}
        out = []
        raw = self.data.get(field) if isinstance(self.data.get(field), dict) else {}
        for x in old:
            k = key(x)
            if k in by_key:
                replacement = by_key.pop(k)
                if replacement == x:
                    self.no_change(
                        self.at_key(raw, k),
                        f"{field[:-1]} {k!r} is the same as in {self.extends}",
                    )
                out.append(attrs.evolve(replacement, origin="modified") if origin else replacement)
            else:
                out.append(x)
        for x in new:
            if key(x) in by_key:
                out.append(attrs.evolve(x, origin="local") if origin else x)
        return tuple(out)

    def no_change(self, at: tuple[int, int], message: str, item: str = "") -> None:
        self.diag(
            Code.OVERLAY_NO_CHANGE,
            at,
            f"this changes nothing: {message}",
            "delete it (the set it extends may have made the same change), or correct it",
            item,
        )

    # remove -----------------------------------------------------------------------------------
    def remove(self) -> None:
        entries = self.data.get("remove")
        if not isinstance(entries, list):
            return
        for i, full_id in enumerate(entries):
            if not isinstance(full_id, str):
                continue
            at = self.at_value(entries, i)
            if full_id in self.removed:
                continue  # the schema reports duplicates (uniqueItems)
            kind, sec, std, index = self.find(full_id)
            if not kind:
                self.unknown(full_id, at, "remove names", Code.OVERLAY_UNKNOWN_ID)
                continue
            if kind == "section":
                self.tree.remove(sec)  # type: ignore[arg-type]
                gone = [full_id]
                gone += [st.node.full_id for st in sec.standards]  # type: ignore[union-attr]
                gone += [q.full_id for st in sec.standards for q in st.questions]  # type: ignore[union-attr]
            elif kind == "standard":
                sec.standards.remove(std)  # type: ignore[union-attr,arg-type]
                gone = [full_id, *(q.full_id for q in std.questions)]  # type: ignore[union-attr]
            else:
                del std.questions[index]  # type: ignore[union-attr]
                gone = [full_id]
            for g in gone:
                self.removed[g] = at

    # modify -----------------------------------------------------------------------------------
    def modify(self) -> None:
        entries = self.data.get("modify")
        if not isinstance(entries, list):
            return
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            full_id = entry["id"]
            at = self.at_value(entry, "id")
            if full_id in self.modified:
                self.diag(
                    Code.OVERLAY_TWICE,
                    at,
                    f"{full_id!r} is already modified on line {self.modified[full_id][0]}",
                    "put all the changes to one item in one modify entry",
                    full_id,
                )
                continue
            kind, sec, std, index = self.find(full_id)
            if not kind:
                self.unknown(full_id, at, "modify names", Code.OVERLAY_UNKNOWN_ID)
                continue
            self.modified[full_id] = at
            if not any(k in entry for k in ("set", "unset", "append")):
                self.no_change(at, "it has no set, unset or append", full_id)
                continue
            if kind == "section":
                assert sec is not None
                new = self.changed(sec.node, entry, "section")
                if new is not None:
                    sec.node = new
            elif kind == "standard":
                assert std is not None
                new = self.changed(std.node, entry, "standard")
                if new is not None:
                    std.node = new
            else:
                assert std is not None
                q = std.questions[index]
                new = self.changed(q, entry, "question")
                if new is not None:
                    std.questions[index] = new

    def changed(self, node: Any, entry: dict[str, Any], kind: str) -> Any:
        """``node`` with the entry's set, unset and append applied; None if it had errors."""
        full_id = node.full_id
        values: dict[str, Any] = {}
        ok = True
        sets: dict[str, Any] = entry["set"] if isinstance(entry.get("set"), dict) else {}
        for field in sets:
            if field not in SETTABLE[kind]:
                ok = False
                owners = [k for k, fields in SETTABLE.items() if field in fields]
                self.diag(
                    Code.OVERLAY_WRONG_KIND,
                    self.at_key(sets, field),
                    f"{field!r} cannot be set on a {kind}"
                    + (
                        f" (it is a field of {' and '.join(o + 's' for o in owners)})"
                        if owners
                        else ""
                    ),
                    f"a {kind} takes: " + ", ".join(SETTABLE[kind]),
                    full_id,
                )
        if not ok:
            return None
        if "guidance" in sets:
            g = sets["guidance"]
            if kind == "question" and not isinstance(g, dict):
                self.diag(
                    Code.WRONG_TYPE,
                    self.at_value(sets, "guidance"),
                    "a question's guidance is a mapping {why, good, support}",
                    "write guidance: {good: …} (parts not given are kept)",
                    full_id,
                )
                return None
            if kind == "standard" and not isinstance(g, str):
                self.diag(
                    Code.WRONG_TYPE,
                    self.at_value(sets, "guidance"),
                    "a standard's guidance is Markdown text",
                    "write guidance: followed by the text",
                    full_id,
                )
                return None
        built: Any
        if kind == "question":
            built = self.builder.question(sets, full_id.rsplit(".", 1)[0], self.default_scale)
        elif kind == "standard":
            built = self.builder.standard(sets, full_id.split(".")[0], self.default_scale)
        else:
            built = self.builder.section(sets, self.default_scale)
        self.built(built)
        for field in sets:
            if field == "guidance" and kind == "question":
                parts = attrs.fields_dict(Guidance)  # an unknown part is reported by the schema
                given = {p: getattr(built.guidance, p) for p in sets["guidance"] if p in parts}
                values["guidance"] = attrs.evolve(node.guidance, **given)
            elif field == "scale" and kind == "question":
                values["scale"] = built.scale
            else:
                values[field] = getattr(built, field)
        if kind == "question" and "type" in sets and "scale" not in sets:
            if values["type"] == "rating":
                values["scale"] = node.scale or self.default_scale
            else:
                values["scale"] = ""
        defaults = {f.name: f.default for f in attrs.fields(type(node))}
        unset = entry.get("unset")
        for field in unset if isinstance(unset, list) else ():  # else: the schema reports it
            if not isinstance(field, str):
                continue
            if field not in UNSETTABLE[kind]:
                self.diag(
                    Code.OVERLAY_WRONG_KIND,
                    self.at_value(entry["unset"], entry["unset"].index(field)),
                    f"{field!r} cannot be cleared on a {kind}",
                    f"a {kind} can clear: " + ", ".join(UNSETTABLE[kind]),
                    full_id,
                )
                return None
            if field in values:
                self.diag(
                    Code.OVERLAY_TWICE,
                    self.at_value(entry["unset"], entry["unset"].index(field)),
                    f"{field!r} is both set and cleared",
                    "either set it or clear it",
                    full_id,
                )
                return None
            default = defaults[field]
            values[field] = default if not isinstance(default, Guidance) else Guidance()
        append: dict[str, Any] = entry["append"] if isinstance(entry.get("append"), dict) else {}
        if "evidence" in append or "cite" in append:
            if kind == "section" or ("evidence" in append and kind != "question"):
                field = "evidence" if "evidence" in append else "cite"
                self.diag(
                    Code.OVERLAY_WRONG_KIND,
                    self.at_key(append, field),
                    f"{field!r} cannot be appended to a {kind}",
                    "questions take evidence and cite; standards take cite",
                    full_id,
                )
                return None
            extra = self.built(self.builder.question(append, "", ""))
            if "evidence" in append:
                values["evidence"] = values.get("evidence", node.evidence) + extra.evidence
            if "cite" in append:
                values["cite"] = values.get("cite", node.cite) + extra.cite
        if kind == "question" and "themes" in values:  # as listed: its standard's are added later
            values["listed_themes"] = values["themes"]
        new = attrs.evolve(node, **values)
        if new == node and new.listed_themes == node.listed_themes:
            self.no_change(
                self.at_value(entry, "id"), f"{full_id!r} already has these values", full_id
            )
            return node
        line, col = self.sm.container(entry)
        new = attrs.evolve(
            new,
            loc=Location(self.source, line, col),
            origin="local" if node.origin == "local" else "modified",
        )
        # rules locate the fields this entry sets in the overlay's `set:` mapping
        self.builder.raw[id(new)] = sets
        return self.built(new)

    # add --------------------------------------------------------------------------------------
    def add(self) -> None:
        entries = self.data.get("add")
        if not isinstance(entries, list):
            return
        for entry in entries:
            if isinstance(entry, dict):
                self.add_one(entry)

    def add_one(self, entry: dict[str, Any]) -> None:
        where = self.sm.container(entry)
        contents = [c for c in _CONTENTS if c in entry]
        positions = [p for p in _POSITIONS if p in entry]
        if not contents:
            self.diag(
                Code.MISSING_FIELD,
                where,
                "add needs what to add: questions, standards or sections",
                "add 'questions:' (or standards:, sections:) with the items written in full",
            )
            return
        if len(contents) > 1:
            self.diag(
                Code.INVALID_VALUE,
                self.at_key(entry, contents[1]),
                "one add entry adds one kind of item: " + " and ".join(contents) + " given",
                "split it into one add entry for each",
            )
            return
        if len(positions) > 1:
            self.diag(
                Code.INVALID_VALUE,
                self.at_key(entry, positions[1]),
                "an add entry has one position: " + " and ".join(positions) + " given",
                "keep one of after, before, start_of, end_of",
            )
            return
        what = contents[0]
        listed = entry[what] if isinstance(entry[what], list) else []  # the schema reports it
        items = [d for d in listed if isinstance(d, dict)]
        if not positions:
            if what != "sections":
                self.diag(
                    Code.MISSING_FIELD,
                    where,
                    f"add {what} needs a position: after, before, start_of or end_of",
                    "say where, e.g. 'after: section.standard.question'",
                )
                return
            self.place_sections(items, len(self.tree))
            return
        position = positions[0]
        target = entry[position]
        if not isinstance(target, str):
            return
        at = self.at_value(entry, position)
        kind, sec, std, index = self.find(target)
        if not kind:
            if target in self.removed:
                self.diag(
                    Code.OVERLAY_BAD_POSITION,
                    at,
                    f"{position} {target!r}: this overlay removes that item "
                    f"(line {self.removed[target][0]})",
                    "place the new items next to an item that stays",
                    target,
                )
                return
            expected = {"questions": "question", "standards": "standard", "sections": "section"}
            kind_wanted = (
                expected[what]
                if position in ("after", "before")
                else {"questions": "standard", "standards": "section"}.get(what, "section")
            )
            self.diag(
                Code.OVERLAY_BAD_POSITION,
                at,
                f"{position} {target!r}: there is no such {kind_wanted} in {self.extends} "
                "or among the items added so far" + did_you_mean(target, self.ids(kind_wanted)),
                f"check the id with: safeguard show {self.extends}",
                target,
            )
            return
        wanted = {
            ("questions", "after"): "question",
            ("questions", "before"): "question",
            ("questions", "start_of"): "standard",
            ("questions", "end_of"): "standard",
            ("standards", "after"): "standard",
            ("standards", "before"): "standard",
            ("standards", "start_of"): "section",
            ("standards", "end_of"): "section",
            ("sections", "after"): "section",
            ("sections", "before"): "section",
        }.get((what, position))
        if wanted != kind:
            if what == "sections":
                hint = (
                    "sections are added after or before a section (or at the end, with no position)"
                )
            else:
                one = what[:-1]
                parent = "standard" if what == "questions" else "section"
                hint = (
                    f"{what} are added after or before a {one}, or at the start_of or end_of "
                    f"a {parent}"
                )
            self.diag(
                Code.OVERLAY_WRONG_KIND,
                at,
                f"{position} {target!r}: that is a {kind}, but {what} are being added",
                hint,
                target,
            )
            return
        if what == "sections":
            i = self.tree.index(sec)  # type: ignore[arg-type]
            self.place_sections(items, i + (1 if position == "after" else 0))
        elif what == "standards":
            assert sec is not None
            if position in ("start_of", "end_of"):
                i = 0 if position == "start_of" else len(sec.standards)
            else:
                i = sec.standards.index(std) + (1 if position == "after" else 0)  # type: ignore[arg-type]
            self.place_standards(sec, items, i)
        else:
            assert std is not None
            if position in ("start_of", "end_of"):
                i = 0 if position == "start_of" else len(std.questions)
            else:
                i = index + (1 if position == "after" else 0)
            self.place_questions(std, items, i)

    def taken(self, full_id: str, d: dict[str, Any], kind: str) -> bool:
        """Report (SG307) and return True when ``full_id`` is already used or was used."""
        at = self.at_value(d, "id")
        if full_id in self.local_ids or self.find(full_id)[0]:
            self.diag(
                Code.OVERLAY_ID_TAKEN,
                at,
                f"the {kind} id {full_id!r} is already used"
                + ("" if full_id in self.local_ids else f" in {self.extends}"),
                _ID_HINT,
                full_id,
            )
            return True
        if full_id in self.base_ids:
            self.diag(
                Code.OVERLAY_ID_TAKEN,
                at,
                f"{full_id!r} was the id of a {kind} of {self.extends} that this overlay removes; "
                "ids are never reused for something else",
                _ID_HINT,
                full_id,
            )
            return True
        return False

    def local_question(self, d: dict[str, Any], parent: str) -> Question:
        q = self.built(self.builder.question(d, parent, self.default_scale))
        local: Question = self.register(attrs.evolve(q, origin="local"), q)
        self.local_ids.add(local.full_id)
        return local

    def local_standard(self, d: dict[str, Any], section_id: str) -> _Std:
        st = self.built(self.builder.standard(d, section_id, self.default_scale))
        questions = [self.local_question_of(q, st) for q in st.questions]
        node: Standard = self.register(attrs.evolve(st, origin="local", questions=()), st)
        self.local_ids.add(node.full_id)
        return _Std(node, questions)

    def local_question_of(self, q: Question, parent: Standard) -> Question:
        local: Question = self.register(attrs.evolve(q, origin="local"), q)
        self.local_ids.add(local.full_id)
        return local

    def place_questions(self, std: _Std, items: list[dict[str, Any]], index: int) -> None:
        new = []
        for d in items:
            full_id = f"{std.node.full_id}.{d.get('id', '')}"
            if isinstance(d.get("id"), str) and self.taken(full_id, d, "question"):
                continue
            new.append(self.local_question(d, std.node.full_id))
        std.questions[index:index] = new

    def place_standards(self, sec: _Sec, items: list[dict[str, Any]], index: int) -> None:
        new = []
        for d in items:
            full_id = f"{sec.node.id}.{d.get('id', '')}"
            if isinstance(d.get("id"), str) and self.taken(full_id, d, "standard"):
                continue
            new.append(self.local_standard(d, sec.node.id))
        sec.standards[index:index] = new

    def place_sections(self, items: list[dict[str, Any]], index: int) -> None:
        new = []
        for d in items:
            sid = d.get("id", "")
            if isinstance(sid, str) and self.taken(sid, d, "section"):
                continue
            built = self.built(self.builder.section(d, self.default_scale))
            standards = []
            for st in built.standards:
                questions = [self.local_question_of(q, st) for q in st.questions]
                std: Standard = self.register(attrs.evolve(st, origin="local", questions=()), st)
                self.local_ids.add(std.full_id)
                standards.append(_Std(std, questions))
            node: Section = self.register(attrs.evolve(built, origin="local", standards=()), built)
            self.local_ids.add(node.id)
            new.append(_Sec(node, standards))
        self.tree[index:index] = new

    # checks after everything is applied ------------------------------------------------------
    def after_checks(self) -> None:
        remaining = [q for sec in self.tree for std in sec.standards for q in std.questions]
        for q in remaining:
            if q.ask_if is None:
                continue
            for dep in _condition_questions(q.ask_if):
                if dep in self.removed:
                    self.broken.add(q.full_id)
                    self.diag(
                        Code.OVERLAY_BREAKS_CONDITION,
                        self.removed[dep],
                        f"removing {dep!r} leaves the ask_if of {q.full_id!r} pointing at nothing",
                        f"remove {q.full_id!r} too, or modify it with 'unset: [ask_if]' "
                        "(or a new ask_if)",
                        dep,
                    )
        for sec in self.tree:
            if sec.node.origin != "local" and not sec.standards:
                self.empties(sec.node.id, "section", "standard")
            for std in sec.standards:
                if std.node.origin != "local" and not std.questions:
                    self.empties(std.node.full_id, "standard", "question")

    def empties(self, full_id: str, kind: str, child: str) -> None:
        prefix = full_id + "."
        spots = [at for gone, at in self.removed.items() if gone.startswith(prefix)]
        if spots:
            self.diag(
                Code.OVERLAY_EMPTIES,
                max(spots),
                f"this leaves the {kind} {full_id!r} with no {child}s",
                f"remove the {kind} {full_id!r} itself instead",
                full_id,
            )

    # the result ---------------------------------------------------------------------------------
    def inherit(self, q: Question, inherited: tuple[str, ...]) -> Question:
        """``q`` with its standard's themes ``inherited``, then those it lists itself."""
        themes = _merged(inherited, q.listed_themes)
        if themes == q.themes:
            return q
        new: Question = self.register(attrs.evolve(q, themes=themes), q)
        return new

    def resolve(self) -> Checklist:
        with_settings = self.settings()
        self.remove()
        self.modify()
        self.add()
        self.after_checks()
        sections = []
        for sec in self.tree:
            standards = []
            for std in sec.standards:
                questions = tuple(_mark(self.inherit(q, std.node.themes)) for q in std.questions)
                node = self.register(attrs.evolve(std.node, questions=questions), std.node)
                standards.append(_mark(node))
            node = self.register(attrs.evolve(sec.node, standards=tuple(standards)), sec.node)
            sections.append(_mark(node))
        resolved = attrs.evolve(
            with_settings,
            sections=tuple(sections),
            references=tuple(_mark(r) for r in with_settings.references),
            scales=tuple(_mark(s) for s in with_settings.scales),
            themes=tuple(_mark(t) for t in with_settings.themes),
            default_scale=self.default_scale,
            source=self.source,
            extends=self.extends,
            loc=Location(self.source, 1, 1),
        )
        # set-level fields the overlay gives (default_scale…) are located in the overlay
        self.builder.raw[id(resolved)] = self.data
        self.alive.append(resolved)
        return resolved


def _merged(first: tuple[str, ...], then: Iterable[str]) -> tuple[str, ...]:
    out = list(first)
    out.extend(t for t in then if t not in out)
    return tuple(out)


def _mark(node: Any) -> Any:
    """Items that came through unchanged are national (unless an earlier overlay added them)."""
    return node if node.origin else attrs.evolve(node, origin="national")


def _condition_questions(cond: Condition) -> Iterator[str]:
    yield from cond.questions()


# -- entry points ---------------------------------------------------------------------------------


def apply_overlay(
    base: Checklist,
    text: str,
    source: str = "<overlay>",
    extends: str | None = None,
) -> LoadResult:
    """Resolve the overlay in ``text`` on top of ``base``; no I/O.

    Returns a :class:`~safeguard_standards.loader.LoadResult` for the overlay: the resolved
    checklist and every diagnostic, located in the overlay (``extends`` is not followed; the
    ``base`` is used whatever it says).
    """
    parsed = _yaml.parse(text, source)
    if parsed.fatal or parsed.data is None:
        return LoadResult(source, None, _listed(parsed.diagnostics, source), text)
    found = list(parsed.diagnostics)
    found.extend(_check_structure(parsed.data, parsed.sourcemap))
    label = extends or str(parsed.data.get("extends") or base.ref)
    checklist, more = _resolve(base, parsed.data, parsed.sourcemap, label)
    found.extend(more)
    return LoadResult(source, checklist, _listed(found, source), text)


def _resolve(
    base: Checklist,
    data: dict[str, Any],
    sm: _yaml.SourceMap,
    extends: str,
    base_diagnostics: Iterable[Diagnostic] = (),
) -> tuple[Checklist, list[Diagnostic]]:
    resolver = _Resolver(base, data, sm, extends)
    resolved = resolver.resolve()
    found = list(resolver.found)
    already = {(d.code, d.item, d.message) for d in base_diagnostics}
    already |= {(d.code, d.item, d.message) for d in run_rules(base)}
    # questions whose ask_if a removal broke are reported once, at the removal (SG308)
    broken = resolver.broken
    line, col = _extends_at(data, sm)
    for d in run_rules(resolved, sm, resolver.builder.raw):
        if (d.code, d.item, d.message) in already:
            continue  # the base's own warnings are not the overlay's business
        if d.item in broken and d.code in (Code.ASK_IF_UNKNOWN, Code.ASK_IF_ORDER):
            continue
        if d.source != sm.source:
            where = f"{d.source}:{d.line}" if d.line else d.source
            d = attrs.evolve(
                d,
                source=sm.source,
                line=line,
                column=col,
                message=f"{d.message} (in {where}, after this overlay's changes)",
            )
        found.append(d)
    return resolved, found


def _extends_at(data: dict[str, Any], sm: _yaml.SourceMap) -> tuple[int, int]:
    if "extends" in data:
        line, col, _style, _raw = sm.value(data, "extends")
        return (line, col)
    return (1, 1)


def check_overlay_text(
    text: str,
    source: str = "<overlay>",
    base_dir: PathLike | None = None,
    *,
    registry: SetLookup,
    extends_from: Sequence[PathLike] = (),
    _chain: tuple[str, ...] = (),
) -> LoadResult:
    """Check and resolve an overlay given as text; loads the set it extends.

    A relative ``extends`` path is taken from ``base_dir`` (the current folder when None); an
    ``ID@VERSION`` is looked up in ``registry`` (a :class:`~safeguard_standards.sets.Registry`:
    the usual way in is ``Registry().check_path`` or :func:`~safeguard_standards.check_set`).
    The ``extends`` file must be inside that folder's tree (SG313), as a logo must;
    ``extends_from`` names more folders whose trees it may be in (the CLI's
    ``--extends-from``). A path that cannot
    be used (a pipe, a device, a folder, a loop of links, a name too long, a folder that may
    not be searched, a NUL) is SG314, a file that is not a standard set or overlay SG315, and
    nothing of such a file's content is shown. Never raises for bad content.
    """
    parsed = _yaml.parse(text, source)
    if parsed.fatal or parsed.data is None:
        return LoadResult(source, None, _listed(parsed.diagnostics, source), text)
    data, sm = parsed.data, parsed.sourcemap
    structure = _check_structure(data, sm)
    found = [*parsed.diagnostics, *structure]
    spec = data.get("extends")
    if not isinstance(spec, str) or not spec.strip():
        return LoadResult(source, None, _listed(found, source), text)
    at = _extends_at(data, sm)

    def stop(code: Code, message: str, hint: str) -> LoadResult:
        found.append(Diagnostic(code, message, source, at[0], at[1], hint=hint))
        return LoadResult(source, None, _listed(found, source), text)

    try:
        base_spec = SetSpec.parse(spec)
    except SetSpecError as exc:
        if sm.value(data, "extends")[2] in (None, ""):  # plain: the column is exact
            at = (at[0], at[1] + exc.column - 1)
        return stop(Code.OVERLAY_BASE_UNKNOWN, f"extends {spec!r}: {exc.message}", exc.hint)
    if base_spec.is_path:
        from ._files import FileProblem, confine, probe_regular

        folder = os.path.abspath(base_dir) if base_dir is not None else os.getcwd()
        path = Path(folder) / spec
        try:
            key = str(confine(folder, spec))
        except FileProblem as exc:
            if exc.kind != "outside":
                return stop(
                    Code.EXTENDS_UNUSABLE,
                    f"extends {_shown(spec)}: {exc.reason}",
                    "give the path of a .yaml file, relative to this file",
                )
            key = ""
            for extra in extends_from:
                try:
                    key = str(confine(os.path.abspath(extra), str(path)))
                    break
                except FileProblem:
                    continue
            if not key:
                return stop(
                    Code.EXTENDS_OUTSIDE,
                    f"extends {_shown(spec)}, which is outside the folder of this overlay "
                    f"({folder})",
                    "put the set next to the overlay (or in a folder below it), give "
                    "ID@VERSION of a bundled set, or allow its folder with --extends-from DIR",
                )
        if len(_chain) > MAX_OVERLAY_CHAIN:
            return stop(
                Code.OVERLAY_CHAIN,
                f"more than {MAX_OVERLAY_CHAIN} overlays extend one another here",
                "let this overlay extend the standard set (or an overlay near it) directly",
            )
        if key in _chain:
            circle = " → ".join(Path(c).name for c in (*_chain, key))
            return stop(
                Code.OVERLAY_CYCLE,
                f"overlays extend each other in a circle: {circle}",
                "an overlay must end at a standard set: change one of the extends lines",
            )
        try:
            probe_regular(key)
        except FileProblem as exc:
            if exc.kind == "missing":
                return stop(
                    Code.OVERLAY_BASE_UNKNOWN,
                    f"extends {_shown(spec)}: no such file ({path})",
                    "give the path relative to this file, or ID@VERSION of a bundled set",
                )
            return stop(
                Code.EXTENDS_UNUSABLE,
                f"extends {_shown(spec)}: {exc.reason}",
                "give the path of a .yaml file, relative to this file",
            )
        if is_overlay_path(key):
            base_result = check_overlay_path(
                key, str(path), registry=registry, extends_from=extends_from, _chain=_chain
            )
        else:
            from .loader import check_path

            base_result = check_path(key, str(path))
        if base_result.text is not None and not _looks_like_a_set(base_result.text):
            return stop(
                Code.EXTENDS_NOT_A_SET,
                f"extends {_shown(spec)}, which is not a standard set or an overlay (it has "
                "no 'dsl:' or 'extends:' line)",
                "give the path of a standard-set .yaml file, or ID@VERSION of a bundled set",
            )
    else:
        if base_spec.version is None:
            found.append(
                Diagnostic(
                    Code.OVERLAY_UNPINNED,
                    f"extends {spec!r} names no version, so the overlay will change meaning "
                    "when a new version is published",
                    source,
                    at[0],
                    at[1],
                    hint=f"name the version: extends: {spec}@VERSION (see: safeguard list)",
                )
            )
        try:
            base_result = registry.base_for(base_spec)
        except SetNotFound as exc:
            return stop(Code.OVERLAY_BASE_UNKNOWN, f"extends {spec!r}: {exc.message}", exc.hint)
    if base_result.checklist is None or not base_result.ok:
        errors = base_result.errors
        for passed_on in (Code.OVERLAY_CYCLE, Code.OVERLAY_CHAIN):
            if any(d.code is passed_on for d in errors):
                first_of = next(d for d in errors if d.code is passed_on)
                return stop(passed_on, first_of.message, first_of.hint)
        first = str(errors[0]).splitlines()[0] if errors else base_result.source
        n = len(errors)
        return stop(
            Code.OVERLAY_BASE_INVALID,
            f"extends {spec!r}, which has {n} error{'s' if n != 1 else ''} (first: {first})",
            f"fix it first: safeguard validate {spec}",
        )
    base = base_result.checklist
    label = spec if not base_spec.is_path or not base.ref else f"{base.ref} ({spec})"
    resolved, more = _resolve(base, data, sm, label, base_result.diagnostics)
    resolved = attrs.evolve(resolved, extends=spec)
    pub = data.get("publisher")
    if (
        base_dir is not None
        and resolved.publisher is not None
        and isinstance(pub, dict)
        and isinstance(pub.get("logo"), str)
    ):
        folder = os.path.abspath(base_dir)
        resolved = attrs.evolve(
            resolved, publisher=attrs.evolve(resolved.publisher, logo_dir=folder)
        )
    found.extend(more)
    # one report per spot: YAML first, then the schema, then resolving
    later = found[len(parsed.diagnostics) + len(structure) :]
    staged = once_per_spot(parsed.diagnostics, structure, later)
    return LoadResult(source, resolved, _listed(staged, source), text, base_result.files)


def check_overlay_path(
    path: PathLike,
    label: str | None = None,
    *,
    registry: SetLookup,
    extends_from: Sequence[PathLike] = (),
    _chain: tuple[str, ...] = (),
) -> LoadResult:
    """Check and resolve the overlay file at ``path``; never raises for bad content.

    ``extends_from``: more folders the ``extends`` path may lead into (see
    :func:`check_overlay_text`)."""
    p = Path(path)
    source = label or str(path)
    text, problems = _read(p, source)
    if text is None:
        return LoadResult(source, None, tuple(problems))
    key = os.path.realpath(p)  # readable, so no loop: realpath cannot fail here
    result = check_overlay_text(
        text,
        source,
        p.parent,
        registry=registry,
        extends_from=extends_from,
        _chain=(*_chain, key),
    )
    return attrs.evolve(result, files=(str(p), *result.files))


def _shown(spec: str) -> str:
    """``spec`` quoted for a message, shortened, with control characters escaped."""
    short = spec if len(spec) <= 120 else spec[:100] + "…"
    return repr(short)


_SET_KEY = re.compile(r"^(dsl|extends)[ \t]*:", re.MULTILINE)


def _looks_like_a_set(text: str) -> bool:
    """Whether a file's text has a top-level ``dsl:`` or ``extends:`` key: a file without
    either is not ours, and nothing of it is quoted back (it may be /etc/passwd)."""
    return bool(_SET_KEY.search(text[: _yaml.MAX_BYTES]))


# -- writing a resolved set out --------------------------------------------------------------------


def _condition_data(c: Condition) -> dict[str, Any]:
    if c.op in ("all", "any"):
        return {c.op: [_condition_data(x) for x in c.conditions]}
    if c.op == "in":
        return {"question": c.question, "in": list(c.values)}
    return {"question": c.question, c.op: c.values[0] if c.values else ""}


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", (), [], {}, None)}


def _cites(cites: Iterable[Any]) -> list[dict[str, Any]]:
    return [_drop_empty({"ref": c.ref, "at": c.at, "note": c.note}) for c in cites]


def _applies(applies: Any) -> dict[str, list[str]]:
    return {dim: list(values) for dim, values in applies}


def _question_data(q: Question) -> dict[str, Any]:
    d: dict[str, Any] = {"id": q.id, "text": q.text, "type": q.type}
    if q.type == "rating":
        d["scale"] = q.scale
    d["options"] = [{"id": o.id, "label": o.label} for o in q.options]
    d["unit"] = q.unit
    d["min"] = q.min
    d["max"] = q.max
    if not q.required:
        d["required"] = False
    d["priority"] = q.priority
    d["evidence"] = list(q.evidence)
    d["guidance"] = _drop_empty(
        {"why": q.guidance.why, "good": q.guidance.good, "support": q.guidance.support}
    )
    d["cite"] = _cites(q.cite)
    d["applies_to"] = _applies(q.applies_to)
    d["ask_if"] = _condition_data(q.ask_if) if q.ask_if else None
    if q.in_return:
        d["in_return"] = True
    d["themes"] = list(q.listed_themes)  # as written: the standard's themes are its own
    d["formerly"] = q.formerly
    d["change_note"] = q.change_note
    return _drop_empty(d)


def _standard_data(st: Standard) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": st.id,
            "title": st.title,
            "expectation": st.expectation,
            "guidance": st.guidance,
            "cite": _cites(st.cite),
            "applies_to": _applies(st.applies_to),
            "themes": list(st.themes),
            "formerly": st.formerly,
            "change_note": st.change_note,
            "questions": [_question_data(q) for q in st.questions],
        }
    )


def checklist_to_data(c: Checklist) -> dict[str, Any]:
    """A checklist as plain data in the shape of the DSL (what :func:`dump_yaml` writes)."""
    from .model import DEFAULT_ACTION_PLAN_COLUMNS

    data: dict[str, Any] = {
        "dsl": c.dsl or 1,
        "id": c.id,
        "version": c.version,
        "title": c.title,
        "status": c.status,
        "effective": _drop_empty({"from": c.effective_from, "to": c.effective_to}),
        "supersedes": c.supersedes,
        "description": c.description,
        "change_summary": c.change_summary,
    }
    if c.publisher is not None:
        p = c.publisher
        data["publisher"] = _drop_empty(
            {
                "name": p.name,
                "contact": p.contact,
                "url": p.url,
                "logo": p.logo,
                "return_deadline": p.return_deadline,
            }
        )
    data["references"] = {
        r.key: _drop_empty(
            {
                "title": r.title,
                "publisher": r.publisher,
                "kind": r.kind,
                "edition": r.edition,
                "url": r.url,
            }
        )
        for r in c.references
    }
    data["scales"] = {
        s.id: [
            _drop_empty(
                {
                    "id": v.id,
                    "label": v.label,
                    "rag": v.rag,
                    "score": v.score,
                    "scored": None if v.scored else False,
                    "describe": v.describe,
                    "requires": list(v.requires),
                }
            )
            for v in s.levels
        ]
        for s in c.scales
    }
    data["default_scale"] = c.default_scale
    data["audiences"] = {
        a.id: {"label": a.label, "values": {v.id: v.label for v in a.values}} for a in c.audiences
    }
    data["themes"] = {
        t.id: _drop_empty({"title": t.title, "describe": t.describe}) for t in c.themes
    }
    plan: dict[str, Any] = {}
    if c.action_plan.per != "standard":
        plan["per"] = c.action_plan.per
    if c.action_plan.columns != DEFAULT_ACTION_PLAN_COLUMNS:
        plan["columns"] = [{"id": col.id, "label": col.label} for col in c.action_plan.columns]
    data["action_plan"] = plan
    if c.sign_off != SignOff():
        data["sign_off"] = _drop_empty(
            {
                "statement": c.sign_off.statement
                if c.sign_off.statement != SignOff().statement
                else "",
                "role_examples": c.sign_off.role_examples,
            }
        )
    data["sections"] = [
        _drop_empty(
            {
                "id": s.id,
                "title": s.title,
                "intro": s.intro,
                "applies_to": _applies(s.applies_to),
                "formerly": s.formerly,
                "change_note": s.change_note,
                "standards": [_standard_data(st) for st in s.standards],
            }
        )
        for s in c.sections
    ]
    return _drop_empty(data)


def dump_yaml(c: Checklist, header: str = "") -> str:
    """A checklist written out as a standard-set YAML file (``header`` becomes comment lines).

    Loading the text again gives an equal checklist (locations and provenance aside).
    """
    import yaml

    body = yaml.safe_dump(
        checklist_to_data(c),
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    return ("\n".join(lines) + "\n" if lines else "") + body

"""Compare two versions of a standard set: a typed, ordered list of changes.

:func:`diff` takes two :class:`~safeguard_standards.model.Checklist` values and returns a
:class:`Diff`: every :class:`Change` from the old version to the new, in a stable order. It does
no I/O and never looks at file positions, so two files with the same content have no changes
whatever their layout.

Matching. Sections, standards and questions are matched by full id, or through ``formerly``
(the full id an item had in the version it supersedes). An item under a renamed parent is
matched through its parent (``leadership.governance.q1`` continues as ``governance.board.q1``
when ``governance.board`` says ``formerly: leadership.governance``), so only the item whose own
id changed needs ``formerly``. A removed and an added question whose texts are highly similar
are reported together as *possibly renamed*, with the hint to add ``formerly``.

What is a change. Content only: the order of questions inside a standard (and of standards in
a section, of sections in the set) is not a change, so shuffling items never produces one;
``change_note``, ``change_summary``, ``formerly`` and ``version`` are notes about changes, not
changes. Every id of both versions is accounted for: it is in :attr:`Diff.matched` or in the
``id`` / ``old_id`` of an added, removed or possibly-renamed change.

Order. Changes to the set itself (metadata, scales, references, audiences) come first; then
changes to sections, standards and questions in the order of the new version; then what was
removed, in the order of the old version. Within one item, changes follow a fixed field order.

>>> from safeguard_standards import load_bundled
>>> from safeguard_standards.diff import diff
>>> d = diff(load_bundled("kcsie", "2024-25"), load_bundled("kcsie", "2025-26"))  # doctest: +SKIP
>>> [c.kind.value for c in d][:3]  # doctest: +SKIP
['changed', 'changed', 'added']
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .model import (
    AppliesTo,
    Audience,
    Checklist,
    Citation,
    Condition,
    Level,
    Question,
    Reference,
    Scale,
    Section,
    Standard,
)

if TYPE_CHECKING:
    from .loader import LoadResult

__all__ = [
    "RENAME_SIMILARITY",
    "Change",
    "Diff",
    "Kind",
    "WordOp",
    "check_previous",
    "diff",
    "format_diff",
    "previous_spec",
    "word_diff",
]

#: How similar (0-1, difflib ratio over words) the texts of a removed and an added question
#: must be for the pair to be reported as possibly renamed.
RENAME_SIMILARITY = 0.8


class Kind(str, enum.Enum):
    """What sort of change a :class:`Change` is."""

    #: A section, standard or question (or a scale, reference or audience) is new.
    ADDED = "added"
    #: It is gone.
    REMOVED = "removed"
    #: It is under another section or standard now (matched by ``formerly`` or by its parent).
    MOVED = "moved"
    #: Its own id changed (``formerly``), in the same place.
    RENAMED = "renamed"
    #: A removed and an added question with highly similar text: add ``formerly``.
    POSSIBLY_RENAMED = "possibly-renamed"
    #: The wording changed: a question's text, a title, an expectation, an intro.
    REWORDED = "reworded"
    #: A question's answer type changed (yes-no → rating …).
    TYPE = "type-changed"
    #: A rating question uses another scale.
    SCALE = "scale-changed"
    #: A choice question's options changed.
    OPTIONS = "options-changed"
    #: A question's unit, min, max, required or priority changed.
    ANSWER = "answer-changed"
    #: Who it applies to (``applies_to``) changed.
    APPLICABILITY = "applicability-changed"
    #: When it is asked (``ask_if``) changed.
    CONDITION = "condition-changed"
    #: It was added to or taken off the return form (``in_return``).
    RETURN = "return-changed"
    #: Evidence prompts were added or removed.
    EVIDENCE = "evidence-changed"
    #: Guidance (why, good, support; a standard's guidance) changed.
    GUIDANCE = "guidance-changed"
    #: Citations were added or removed.
    CITATIONS = "citations-changed"
    #: A reference was replaced by another everywhere it was cited (``kcsie-2024`` by
    #: ``kcsie-2025``); the citations that only follow the replacement are not listed.
    REPLACED = "replaced"
    #: Set-level: metadata, a scale's levels, a reference or an audience changed.
    CHANGED = "changed"


#: The kinds of item a change can be about.
ItemKind = Literal["set", "scale", "reference", "audience", "section", "standard", "question"]


@attrs.frozen
class WordOp:
    """One run of a word-level diff: ``=`` kept, ``-`` deleted, ``+`` inserted."""

    op: Literal["=", "-", "+"]
    text: str


@attrs.frozen(kw_only=True)
class Change:
    """One change from the old version to the new."""

    kind: Kind
    #: What the change is about: set, scale, reference, audience, section, standard, question.
    item: ItemKind
    #: The item's id in the new version ("" when removed). Full id for sections, standards and
    #: questions; key for scales, references and audiences; "" for the set itself.
    id: str = ""
    #: The item's id in the old version ("" when added); differs from ``id`` when moved or
    #: renamed.
    old_id: str = ""
    #: The field that changed (``text``, ``guidance.why``, ``publisher.return_deadline``), or "".
    field: str = ""
    #: Old and new value, as text (for prose, numbers, dates, ids).
    old: str = ""
    new: str = ""
    #: For list-like fields (evidence, citations, options, levels): entries gone and new.
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    #: Whether ``old`` and ``new`` are prose, shown as a word-level diff (:attr:`words`).
    prose: bool = False
    #: Printed number (``1.2.3``) in the new and the old version, where there is one.
    number: str = ""
    old_number: str = ""
    #: What the item says: a question's text or a title, to show beside the id.
    label: str = ""
    #: The item's ``change_note`` in the new version.
    note: str = ""
    #: For possibly-renamed pairs: how similar the two texts are (0-1).
    similarity: float = 0.0

    @property
    def words(self) -> tuple[WordOp, ...]:
        """For prose: the word-level diff of ``old`` → ``new`` (computed when first asked for,
        so that a diff costs nothing for the wording nobody looks at)."""
        return word_diff(self.old, self.new) if self.prose else ()

    @property
    def ref(self) -> str:
        """The id to show: the new id, or the old one for a removed item."""
        return self.id or self.old_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (fields left at their defaults are left out)."""
        out: dict[str, Any] = {"kind": self.kind.value, "item": self.item}
        for name in (
            "id",
            "old_id",
            "field",
            "old",
            "new",
            "removed",
            "added",
            "number",
            "old_number",
            "label",
            "note",
        ):
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        if self.words:
            out["words"] = [[w.op, w.text] for w in self.words]
        if self.similarity:
            out["similarity"] = round(self.similarity, 3)
        return out


@attrs.frozen(kw_only=True)
class Diff:
    """The changes from one version of a set to another. Iterating gives the changes."""

    #: ``id@version`` of each side, with the source of a tailored (overlay) set.
    old: str
    new: str
    changes: tuple[Change, ...]
    #: (old id, new id) of every section, standard and question found in both versions.
    matched: tuple[tuple[str, str], ...] = ()
    #: True when the new side is an overlay resolved on top of the old (the same id and
    #: version, the old one not tailored): national vs local.
    tailored: bool = False
    #: The new version's ``change_summary``.
    summary: str = ""

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, *kinds: Kind, item: str | None = None) -> tuple[Change, ...]:
        """The changes of these kinds (all when none is given), optionally of one item kind."""
        return tuple(
            c
            for c in self.changes
            if (not kinds or c.kind in kinds) and (item is None or c.item == item)
        )

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, in :class:`Kind` order (kinds with none left out)."""
        out: dict[str, int] = {}
        for kind in Kind:
            n = sum(1 for c in self.changes if c.kind is kind)
            if n:
                out[kind.value] = n
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: both sides, counts, every change."""
        return {
            "old": self.old,
            "new": self.new,
            "tailored": self.tailored,
            "summary": self.summary,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


# -- word-level diff ---------------------------------------------------------------------------

# A word with the spaces after it (and any spaces the text starts with), so that runs of
# changed words come out whole: "~~Is there an~~ **Does the** attendance policy".
_TOKEN = re.compile(r"^\s+|\S+\s*")


@functools.lru_cache(maxsize=4096)
def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """The word-level diff of two texts (difflib over words, each with the spaces after it).

    Joining the ``=`` and ``-`` runs gives ``old``; joining ``=`` and ``+`` gives ``new``.
    """
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    ops: list[WordOp] = []
    # the words both texts start and end with need no matching (most edits are small)
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1

    def push(op: Literal["=", "-", "+"], text: str) -> None:
        if not text:
            return
        if ops and ops[-1].op == op:
            ops[-1] = WordOp(op, ops[-1].text + text)
        else:
            ops.append(WordOp(op, text))

    push("=", "".join(a[:head]))
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("=", "".join(a_mid[i1:i2]))
        else:
            push("-", "".join(a_mid[i1:i2]))
            push("+", "".join(b_mid[j1:j2]))
    push("=", "".join(a[len(a) - tail :]))
    return tuple(ops)


def _words(text: str) -> list[str]:
    return text.lower().split()


def _similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, _words(old), _words(new), autojunk=False).ratio()


# -- text forms of values ------------------------------------------------------------------------


def _applies_text(applies: AppliesTo) -> str:
    if not applies:
        return "everyone"
    return "; ".join(f"{dim}: {', '.join(values)}" for dim, values in applies)


def _condition_text(cond: Condition | None) -> str:
    if cond is None:
        return ""
    if cond.op in ("all", "any"):
        return f"{cond.op}(" + "; ".join(_condition_text(c) for c in cond.conditions) + ")"
    sign = {"equals": "=", "not_equals": "≠", "in": "in"}[cond.op]
    values = ", ".join(cond.values)
    return f"{cond.question} {sign} {values}"


def _cite_text(cite: Citation, ref: str | None = None) -> str:
    """``ref, at (note)``; ``ref`` replaces the citation's own key when given."""
    key = cite.ref if ref is None else ref
    return key + (f", {cite.at}" if cite.at else "") + (f" ({cite.note})" if cite.note else "")


def _num_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _level_text(level: Level) -> str:
    parts = [f"{level.label} ({level.id}"]
    if level.rag:
        parts.append(f"; {level.rag}")
    if level.score is not None:
        parts.append(f"; score {_num_text(level.score)}")
    if not level.scored:
        parts.append("; not scored")
    if level.requires:
        parts.append("; requires " + ", ".join(level.requires))
    parts.append(")")
    if level.describe:
        parts.append(f": {level.describe}")
    return "".join(parts)


def _list_delta(old: Sequence[str], new: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Entries of ``old`` not in ``new`` and of ``new`` not in ``old`` (multiset, in order)."""
    remaining = list(new)
    removed = []
    for entry in old:
        if entry in remaining:
            remaining.remove(entry)
        else:
            removed.append(entry)
    left = list(old)
    added = []
    for entry in new:
        if entry in left:
            left.remove(entry)
        else:
            added.append(entry)
    return tuple(removed), tuple(added)


# -- the comparison ---------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: Checklist, new: Checklist) -> None:
        self.old = old
        self.new = new
        self.old_numbers = old.numbering()
        self.new_numbers = new.numbering()
        self.changes: list[Change] = []
        #: old reference key → the new key that replaced it everywhere it was cited.
        self.replaced: dict[str, str] = {}

    def cites(
        self,
        item: ItemKind,
        ids: tuple[str, str],
        old: Sequence[Citation],
        new: Sequence[Citation],
        **extra: Any,
    ) -> None:
        """Citations added and removed, not counting those that only follow a replaced
        reference (``kcsie-2024, Part two`` → ``kcsie-2025, Part two``)."""
        replaced = self.replaced
        before = [_cite_text(c, replaced.get(c.ref, c.ref)) for c in old]
        after = [_cite_text(c) for c in new]
        removed, added = _list_delta(before, after)
        if not removed and not added:
            return
        as_written = {b: _cite_text(c) for b, c in zip(before, old, strict=True)}
        self.add(
            Kind.CITATIONS,
            item,
            id=ids[1],
            old_id=ids[0],
            field="cite",
            old="\n".join(_cite_text(c) for c in old),
            new="\n".join(after),
            removed=tuple(as_written.get(r, r) for r in removed),
            added=added,
            **extra,
        )

    # helpers -------------------------------------------------------------------------------
    def add(self, kind: Kind, item: ItemKind, **fields: Any) -> None:
        self.changes.append(Change(kind=kind, item=item, **fields))

    def field(
        self,
        kind: Kind,
        item: ItemKind,
        ids: tuple[str, str],
        field: str,
        old: str,
        new: str,
        *,
        prose: bool = False,
        **extra: Any,
    ) -> None:
        if old == new:
            return
        self.add(
            kind,
            item,
            id=ids[1],
            old_id=ids[0],
            field=field,
            old=old,
            new=new,
            prose=prose,
            **extra,
        )

    def listed(
        self,
        kind: Kind,
        item: ItemKind,
        ids: tuple[str, str],
        field: str,
        old: Sequence[str],
        new: Sequence[str],
        **extra: Any,
    ) -> None:
        if tuple(old) == tuple(new):
            return
        removed, added = _list_delta(old, new)
        if not removed and not added:  # the same entries in another order
            return
        self.add(
            kind,
            item,
            id=ids[1],
            old_id=ids[0],
            field=field,
            old="\n".join(old),
            new="\n".join(new),
            removed=removed,
            added=added,
            **extra,
        )

    # the set -------------------------------------------------------------------------------
    def set_level(self) -> None:
        o, n = self.old, self.new
        pairs = [
            ("title", o.title, n.title),
            ("status", o.status, n.status),
            ("effective.from", o.effective_from, n.effective_from),
            ("effective.to", o.effective_to, n.effective_to),
            ("default_scale", o.default_scale, n.default_scale),
        ]
        op, np_ = o.publisher, n.publisher
        for name in ("name", "contact", "url", "logo", "return_deadline"):
            pairs.append(
                (
                    f"publisher.{name}",
                    getattr(op, name) if op else "",
                    getattr(np_, name) if np_ else "",
                )
            )
        pairs.append(("action_plan.per", o.action_plan.per, n.action_plan.per))
        for name, old, new in pairs:
            self.field(Kind.CHANGED, "set", ("", ""), name, old, new)
        self.field(
            Kind.CHANGED, "set", ("", ""), "description", o.description, n.description, prose=True
        )
        self.listed(
            Kind.CHANGED,
            "set",
            ("", ""),
            "action_plan.columns",
            [f"{c.label} ({c.id})" for c in o.action_plan.columns],
            [f"{c.label} ({c.id})" for c in n.action_plan.columns],
        )
        self.keyed("scale", o.scales, n.scales, self.scale)
        self.replaced = _replacements(o, n)
        for old_key, new_key in self.replaced.items():
            old_ref, new_ref = o.reference(old_key), n.reference(new_key)
            self.add(
                Kind.REPLACED,
                "reference",
                id=new_key,
                old_id=old_key,
                old=old_ref.title if old_ref else "",
                new=new_ref.title if new_ref else "",
                label=new_ref.title if new_ref else "",
            )
        self.keyed("reference", o.references, n.references, self.reference, skip=self.replaced)
        self.keyed("audience", o.audiences, n.audiences, self.audience)

    def keyed(
        self,
        item: ItemKind,
        old: Sequence[Any],
        new: Sequence[Any],
        compare: Any,
        skip: dict[str, str] | None = None,
    ) -> None:
        def key(x: Any) -> str:
            return str(x.key if isinstance(x, Reference) else x.id)

        gone = set(skip or ())
        came = set((skip or {}).values())
        old_by = {key(x): x for x in old}
        new_keys = {key(x) for x in new}
        for x in new:
            k = key(x)
            if k in came:
                continue
            if k not in old_by:
                self.add(Kind.ADDED, item, id=k, label=_label_of(x))
            elif x != old_by[k]:
                compare(old_by[k], x)
        for x in old:
            k = key(x)
            if k not in new_keys and k not in gone:
                self.add(Kind.REMOVED, item, old_id=k, label=_label_of(x))

    def scale(self, old: Scale, new: Scale) -> None:
        self.listed(
            Kind.CHANGED,
            "scale",
            (old.id, new.id),
            "levels",
            [_level_text(v) for v in old.levels],
            [_level_text(v) for v in new.levels],
        )

    def reference(self, old: Reference, new: Reference) -> None:
        for name in ("title", "publisher", "kind", "edition", "url"):
            self.field(
                Kind.CHANGED,
                "reference",
                (old.key, new.key),
                name,
                getattr(old, name),
                getattr(new, name),
                label=new.title,
            )

    def audience(self, old: Audience, new: Audience) -> None:
        ids = (old.id, new.id)
        self.field(Kind.CHANGED, "audience", ids, "label", old.label, new.label)
        self.listed(
            Kind.CHANGED,
            "audience",
            ids,
            "values",
            [f"{v.label} ({v.id})" for v in old.values],
            [f"{v.label} ({v.id})" for v in new.values],
            label=new.label,
        )

    # sections, standards, questions ------------------------------------------------------------
    def section(self, old: Section, new: Section, ids: tuple[str, str]) -> None:
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.id, ""),
            "note": new.change_note,
        }
        extra["old_number"] = self.old_numbers.get(old.id, "")
        extra["label"] = new.title
        self.field(
            Kind.REWORDED, "section", ids, "title", old.title, new.title, prose=True, **extra
        )
        self.field(
            Kind.REWORDED, "section", ids, "intro", old.intro, new.intro, prose=True, **extra
        )
        self.field(
            Kind.APPLICABILITY,
            "section",
            ids,
            "applies_to",
            _applies_text(old.applies_to),
            _applies_text(new.applies_to),
            **extra,
        )

    def standard(self, old: Standard, new: Standard, ids: tuple[str, str]) -> None:
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.full_id, ""),
            "old_number": self.old_numbers.get(old.full_id, ""),
            "label": new.title,
            "note": new.change_note,
        }
        self.field(
            Kind.REWORDED, "standard", ids, "title", old.title, new.title, prose=True, **extra
        )
        self.field(
            Kind.REWORDED,
            "standard",
            ids,
            "expectation",
            old.expectation,
            new.expectation,
            prose=True,
            **extra,
        )
        self.field(
            Kind.APPLICABILITY,
            "standard",
            ids,
            "applies_to",
            _applies_text(old.applies_to),
            _applies_text(new.applies_to),
            **extra,
        )
        self.field(
            Kind.GUIDANCE,
            "standard",
            ids,
            "guidance",
            old.guidance,
            new.guidance,
            prose=True,
            **extra,
        )
        self.cites("standard", ids, old.cite, new.cite, **extra)

    def question(self, old: Question, new: Question, ids: tuple[str, str]) -> None:
        # Each field is compared before anything is built: most changed questions differ in
        # one or two fields only.
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.full_id, ""),
            "old_number": self.old_numbers.get(old.full_id, ""),
            "label": new.text,
            "note": new.change_note,
        }
        item: ItemKind = "question"
        if old.text != new.text:
            self.field(Kind.REWORDED, item, ids, "text", old.text, new.text, prose=True, **extra)
        if old.type != new.type:
            self.field(Kind.TYPE, item, ids, "type", old.type, new.type, **extra)
        elif old.scale != new.scale:
            self.field(Kind.SCALE, item, ids, "scale", old.scale, new.scale, **extra)
        if old.options != new.options:
            old_options = [f"{o.label} ({o.id})" for o in old.options]
            new_options = [f"{o.label} ({o.id})" for o in new.options]
            if sorted(old_options) == sorted(new_options):
                # The same options in another order: on a form the order is what people see.
                self.field(
                    Kind.OPTIONS,
                    item,
                    ids,
                    "options",
                    "\n".join(old_options),
                    "\n".join(new_options),
                    **extra,
                )
            else:
                self.listed(Kind.OPTIONS, item, ids, "options", old_options, new_options, **extra)
        for name in ("unit", "min", "max", "required", "priority"):
            a, b = getattr(old, name), getattr(new, name)
            if a == b:
                continue
            if isinstance(a, bool):
                a, b = ("yes" if a else "no"), ("yes" if b else "no")
            elif name in ("min", "max"):
                a, b = _num_text(a), _num_text(b)
            self.field(Kind.ANSWER, item, ids, name, a, b, **extra)
        if old.applies_to != new.applies_to:
            self.field(
                Kind.APPLICABILITY,
                item,
                ids,
                "applies_to",
                _applies_text(old.applies_to),
                _applies_text(new.applies_to),
                **extra,
            )
        if old.ask_if != new.ask_if:
            self.field(
                Kind.CONDITION,
                item,
                ids,
                "ask_if",
                _condition_text(old.ask_if),
                _condition_text(new.ask_if),
                **extra,
            )
        if old.in_return != new.in_return:
            self.field(
                Kind.RETURN,
                item,
                ids,
                "in_return",
                "yes" if old.in_return else "no",
                "yes" if new.in_return else "no",
                **extra,
            )
        if old.evidence != new.evidence:
            self.listed(Kind.EVIDENCE, item, ids, "evidence", old.evidence, new.evidence, **extra)
        if old.guidance != new.guidance:
            for part in ("why", "good", "support"):
                self.field(
                    Kind.GUIDANCE,
                    item,
                    ids,
                    f"guidance.{part}",
                    getattr(old.guidance, part),
                    getattr(new.guidance, part),
                    prose=True,
                    **extra,
                )
        if old.cite != new.cite:
            self.cites(item, ids, old.cite, new.cite, **extra)


def _label_of(x: Any) -> str:
    if isinstance(x, Question):
        return x.text
    if isinstance(x, Reference):
        return x.title
    if isinstance(x, (Section, Standard)):
        return x.title
    if isinstance(x, Audience):
        return x.label
    if isinstance(x, Scale):
        return " / ".join(level.label for level in x.levels)
    return ""


def _replacements(old: Checklist, new: Checklist) -> dict[str, str]:
    """Removed reference → added reference that took its place.

    A removed reference is replaced by an added one when at least half of the items (with the
    same full id in both versions) that cited the removed one cite the added one instead.
    """
    gone = {r.key for r in old.references} - {r.key for r in new.references}
    came = {r.key for r in new.references} - {r.key for r in old.references}
    if not gone or not came:
        return {}
    old_refs: dict[str, set[str]] = {}
    for s in old.sections:
        for st in s.standards:
            old_refs[st.full_id] = {c.ref for c in st.cite}
            for q in st.questions:
                old_refs[q.full_id] = {c.ref for c in q.cite}
    swapped: dict[tuple[str, str], int] = {}
    cited: dict[str, int] = {}
    for s in new.sections:
        for st in s.standards:
            nodes: list[Standard | Question] = [st, *st.questions]
            for node in nodes:
                before = old_refs.get(node.full_id, set()) & gone
                after = {c.ref for c in node.cite} & came
                for old_key in before:
                    cited[old_key] = cited.get(old_key, 0) + 1
                    for new_key in after:
                        swapped[(old_key, new_key)] = swapped.get((old_key, new_key), 0) + 1
    out: dict[str, str] = {}
    taken: set[str] = set()
    for (old_key, new_key), n in sorted(swapped.items(), key=lambda kv: (-kv[1], kv[0])):
        if old_key in out or new_key in taken:
            continue
        if n * 2 >= cited.get(old_key, 0):
            out[old_key] = new_key
            taken.add(new_key)
    return dict(sorted(out.items()))


def _match(
    new_items: Iterable[tuple[str, str, str, str]],
    old_index: dict[str, Any],
    parent_map: dict[str, str],
) -> dict[str, str]:
    """new full id → old full id. Items are (full id, formerly, parent full id, short id).

    Explicit ``formerly`` first, then the same full id, then the same short id under the old
    counterpart of the parent.
    """
    items = list(new_items)
    claimed: set[str] = set()
    out: dict[str, str] = {}

    def claim(new_id: str, old_id: str) -> None:
        out[new_id] = old_id
        claimed.add(old_id)

    for full, formerly, _parent, _short in items:
        if formerly and formerly in old_index and formerly not in claimed:
            claim(full, formerly)
    for full, _formerly, _parent, _short in items:
        if full not in out and full in old_index and full not in claimed:
            claim(full, full)
    for full, _formerly, parent, short in items:
        if full in out or parent not in parent_map:
            continue
        implied = f"{parent_map[parent]}.{short}"
        if implied in old_index and implied not in claimed:
            claim(full, implied)
    return out


def _pair_renames(
    old_left: Sequence[Question], new_left: Sequence[Question]
) -> list[tuple[Question, Question, float]]:
    """Greedy best pairs of (removed, added) questions with similar text."""
    scored: list[tuple[float, str, str, Question, Question]] = []
    if not old_left or not new_left:
        return []
    new_words = [(q, _words(q.text)) for q in new_left]
    new_sets = [frozenset(w) for _q, w in new_words]
    # A cheap first filter on the sets of words (a little below the threshold, since sets
    # ignore repeated words), then difflib's own upper bounds, then the ratio itself.
    floor = RENAME_SIMILARITY - 0.2
    for oq in old_left:
        ow = _words(oq.text)
        os_ = frozenset(ow)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(ow)
        for (nq, nw), ns in zip(new_words, new_sets, strict=True):
            if 2 * len(os_ & ns) < floor * (len(os_) + len(ns)):
                continue
            matcher.set_seq1(nw)
            if matcher.real_quick_ratio() < RENAME_SIMILARITY:
                continue
            if matcher.quick_ratio() < RENAME_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((-ratio, oq.full_id, nq.full_id, oq, nq))
    scored.sort(key=lambda t: (t[0], t[1], t[2]))
    used_old: set[str] = set()
    used_new: set[str] = set()
    pairs = []
    for neg, oid, nid, oq, nq in scored:
        if oid in used_old or nid in used_new:
            continue
        used_old.add(oid)
        used_new.add(nid)
        pairs.append((oq, nq, -neg))
    return pairs


def _side_label(c: Checklist) -> str:
    if c.extends:
        return f"{c.ref} ({c.source})" if c.source else f"{c.ref} (tailored)"
    return c.ref


def diff(old: Checklist, new: Checklist) -> Diff:
    """Every change from ``old`` to ``new``, typed and in a stable order. No I/O.

    See the module documentation for how items are matched and ordered.
    """
    d = _Differ(old, new)
    d.set_level()
    matched: list[tuple[str, str]] = []

    # -- match sections, then standards, then questions -------------------------------------
    old_sections = {s.id: s for s in old.sections}
    sec_map = _match(((s.id, s.formerly, "", s.id) for s in new.sections), old_sections, {})
    old_standards = {st.full_id: (st, s.id) for s in old.sections for st in s.standards}
    std_map = _match(
        ((st.full_id, st.formerly, s.id, st.id) for s in new.sections for st in s.standards),
        old_standards,
        sec_map,
    )
    old_questions = {
        q.full_id: (q, st.full_id) for s in old.sections for st in s.standards for q in st.questions
    }
    q_map = _match(
        (
            (q.full_id, q.formerly, st.full_id, q.id)
            for s in new.sections
            for st in s.standards
            for q in st.questions
        ),
        old_questions,
        std_map,
    )

    # -- possibly renamed: unmatched questions with similar text -------------------------------
    matched_old_q = set(q_map.values())
    new_unmatched = [q for q in new.questions() if q.full_id not in q_map]
    old_unmatched = [q for q in old.questions() if q.full_id not in matched_old_q]
    renames = {nq.full_id: (oq, sim) for oq, nq, sim in _pair_renames(old_unmatched, new_unmatched)}
    renamed_old = {oq.full_id for oq, _sim in renames.values()}

    def moved_or_renamed(
        item: ItemKind,
        old_id: str,
        new_id: str,
        old_parent: str,
        new_parent: str,
        parents: dict[str, str],
    ) -> None:
        same_parent = item == "section" or parents.get(new_parent) == old_parent
        if old_id == new_id and same_parent:
            return
        old_short = old_id.rsplit(".", 1)[-1]
        new_short = new_id.rsplit(".", 1)[-1]
        number = d.new_numbers.get(new_id, "")
        old_number = d.old_numbers.get(old_id, "")
        if not same_parent:
            kind = Kind.MOVED
        elif old_short != new_short:
            kind = Kind.RENAMED
        else:
            return
        label, note = "", ""
        node = new.question(new_id) if item == "question" else None
        if node is not None:
            label, note = node.text, node.change_note
        d.add(
            kind,
            item,
            id=new_id,
            old_id=old_id,
            number=number,
            old_number=old_number,
            label=label or _title_of(new, item, new_id),
            note=note or _note_of(new, item, new_id),
        )

    # -- walk the new version in order ------------------------------------------------------
    for s in new.sections:
        if s.id in sec_map:
            os_ = old_sections[sec_map[s.id]]
            matched.append((os_.id, s.id))
            moved_or_renamed("section", os_.id, s.id, "", "", {})
            if (os_.title, os_.intro, os_.applies_to) != (s.title, s.intro, s.applies_to):
                d.section(os_, s, (os_.id, s.id))
        else:
            d.add(
                Kind.ADDED,
                "section",
                id=s.id,
                number=d.new_numbers.get(s.id, ""),
                label=s.title,
                note=s.change_note,
            )
        for st in s.standards:
            if st.full_id in std_map:
                ost, old_parent = old_standards[std_map[st.full_id]]
                matched.append((ost.full_id, st.full_id))
                moved_or_renamed("standard", ost.full_id, st.full_id, old_parent, s.id, sec_map)
                if _standard_fields_differ(ost, st):
                    d.standard(ost, st, (ost.full_id, st.full_id))
            else:
                d.add(
                    Kind.ADDED,
                    "standard",
                    id=st.full_id,
                    number=d.new_numbers.get(st.full_id, ""),
                    label=st.title,
                    note=st.change_note,
                )
            for q in st.questions:
                if q.full_id in q_map:
                    oq, old_parent = old_questions[q_map[q.full_id]]
                    matched.append((oq.full_id, q.full_id))
                    moved_or_renamed(
                        "question", oq.full_id, q.full_id, old_parent, st.full_id, std_map
                    )
                    if oq != q:
                        d.question(oq, q, (oq.full_id, q.full_id))
                elif q.full_id in renames:
                    oq, sim = renames[q.full_id]
                    d.add(
                        Kind.POSSIBLY_RENAMED,
                        "question",
                        id=q.full_id,
                        old_id=oq.full_id,
                        old=oq.text,
                        new=q.text,
                        prose=True,
                        number=d.new_numbers.get(q.full_id, ""),
                        old_number=d.old_numbers.get(oq.full_id, ""),
                        label=q.text,
                        note=q.change_note,
                        similarity=sim,
                    )
                else:
                    d.add(
                        Kind.ADDED,
                        "question",
                        id=q.full_id,
                        number=d.new_numbers.get(q.full_id, ""),
                        label=q.text,
                        note=q.change_note,
                    )

    # -- what is gone, in the order of the old version ----------------------------------------
    old_sec_matched = set(sec_map.values())
    old_std_matched = set(std_map.values())
    for s in old.sections:
        if s.id not in old_sec_matched:
            d.add(
                Kind.REMOVED,
                "section",
                old_id=s.id,
                old_number=d.old_numbers.get(s.id, ""),
                label=s.title,
            )
        for st in s.standards:
            if st.full_id not in old_std_matched:
                d.add(
                    Kind.REMOVED,
                    "standard",
                    old_id=st.full_id,
                    old_number=d.old_numbers.get(st.full_id, ""),
                    label=st.title,
                )
            for q in st.questions:
                if q.full_id not in matched_old_q and q.full_id not in renamed_old:
                    d.add(
                        Kind.REMOVED,
                        "question",
                        old_id=q.full_id,
                        old_number=d.old_numbers.get(q.full_id, ""),
                        label=q.text,
                    )

    return Diff(
        old=_side_label(old),
        new=_side_label(new),
        changes=tuple(d.changes),
        matched=tuple(matched),
        tailored=bool(new.extends) and not old.extends and old.ref == new.ref,
        summary=new.change_summary,
    )


def _standard_fields_differ(old: Standard, new: Standard) -> bool:
    return (
        old.title != new.title
        or old.expectation != new.expectation
        or old.guidance != new.guidance
        or old.cite != new.cite
        or old.applies_to != new.applies_to
    )


def _title_of(c: Checklist, item: ItemKind, full_id: str) -> str:
    for s in c.sections:
        if item == "section" and s.id == full_id:
            return s.title
        for st in s.standards:
            if item == "standard" and st.full_id == full_id:
                return st.title
    return ""


def _note_of(c: Checklist, item: ItemKind, full_id: str) -> str:
    for s in c.sections:
        if item == "section" and s.id == full_id:
            return s.change_note
        for st in s.standards:
            if item == "standard" and st.full_id == full_id:
                return st.change_note
    return ""


# -- text output (the `safeguard diff` command) ------------------------------------------------

_KIND_WORDS = {
    Kind.ADDED: "added",
    Kind.REMOVED: "removed",
    Kind.MOVED: "moved",
    Kind.RENAMED: "renamed",
    Kind.POSSIBLY_RENAMED: "possibly renamed",
    Kind.REWORDED: "reworded",
    Kind.TYPE: "answer type changed",
    Kind.SCALE: "rating scale changed",
    Kind.OPTIONS: "options changed",
    Kind.ANSWER: "answer changed",
    Kind.APPLICABILITY: "applicability changed",
    Kind.CONDITION: "condition changed",
    Kind.RETURN: "return form changed",
    Kind.EVIDENCE: "evidence changed",
    Kind.GUIDANCE: "guidance changed",
    Kind.CITATIONS: "citations changed",
    Kind.REPLACED: "replaced",
    Kind.CHANGED: "changed",
}


def _md_words(words: Sequence[WordOp], context: int = 8) -> str:
    """Word diff as Markdown: ``~~deleted~~ **inserted**``; long unchanged runs are cut to
    ``context`` words either side of a change."""
    out = []
    last = len(words) - 1
    for i, w in enumerate(words):
        text = " ".join(w.text.split()) + (" " if w.text[-1:].isspace() else "")
        if w.op == "=":
            tokens = text.split()
            keep_head = context if i > 0 else 0
            keep_tail = context if i < last else 0
            if len(tokens) > keep_head + keep_tail + 3:
                head = " ".join(tokens[:keep_head])
                tail = " ".join(tokens[len(tokens) - keep_tail :]) if keep_tail else ""
                text = " ".join(part for part in (head, "…", tail) if part) + (
                    " " if text.endswith(" ") else ""
                )
            out.append(text)
            continue
        core = text.strip()
        if not core:
            continue
        mark = "~~" if w.op == "-" else "**"
        out.append(f"{mark}{core}{mark}" + (" " if text.endswith(" ") else ""))
    # "~~old~~**new**" with nothing between: separate them so both read as words
    joined = ""
    for piece in out:
        if joined and not joined.endswith(" ") and piece.startswith(("~~", "**")):
            joined += " "
        joined += piece
    return joined.strip()


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _quote(values: Iterable[str]) -> str:
    return "; ".join(f"“{_one_line(v, 120)}”" for v in values)


def _subject(c: Change) -> str:
    """``question `a.b.c` (1.2.3)``, with both ids and numbers when they differ."""
    if c.item == "set":
        return "the set"
    if c.kind is Kind.REMOVED or not c.id:
        num = f" (was {c.old_number})" if c.old_number else ""
        return f"{c.item} `{c.old_id}`{num}"
    if c.old_id and c.old_id != c.id:
        nums = ""
        if c.old_number or c.number:
            nums = f" ({c.old_number or '–'} → {c.number or '–'})"
        return f"{c.item} `{c.old_id}` → `{c.id}`{nums}"
    num = f" ({c.number})" if c.number else ""
    return f"{c.item} `{c.id}`{num}"


def _detail(c: Change) -> str:
    """What changed, without saying which item: ``**reworded** `text`: …``."""
    what = f"**{_KIND_WORDS[c.kind]}**"
    if c.kind is Kind.REPLACED:
        return f"{what} by `{c.id}`: {c.old} → {c.new}"
    if c.kind in (Kind.MOVED, Kind.RENAMED):
        return what
    head = what + (f" `{c.field}`" if c.field else "")
    if c.removed or c.added:
        parts = []
        if c.removed:
            parts.append("removed " + _quote(c.removed))
        if c.added:
            parts.append("added " + _quote(c.added))
        return f"{head}: " + "; ".join(parts)
    if c.words:
        return f"{head}: {_md_words(c.words)}"
    if c.old or c.new:
        return f"{head}: {_one_line(c.old) or '(none)'} → {_one_line(c.new) or '(none)'}"
    return head


def _md_group(changes: Sequence[Change]) -> list[str]:
    first = changes[0]
    note = next((c.note for c in changes if c.note), "")
    lines: list[str] = []
    if first.kind in (Kind.ADDED, Kind.REMOVED):
        line = f"- **{_KIND_WORDS[first.kind]}** {_subject(first)}"
        if first.label:
            line += f": {_one_line(first.label)}"
        lines.append(line)
    elif first.kind is Kind.POSSIBLY_RENAMED:
        lines.append(
            f"- **possibly renamed** {_subject(first)}, {round(first.similarity * 100)} % "
            f"similar: {_md_words(first.words)}"
        )
        lines.append(
            f"  - if it is the same question, add `formerly: {first.old_id}` to `{first.id}`"
        )
    elif first.kind is Kind.REPLACED:
        lines.append(
            f"- {_subject(first).replace(' → ', ' replaced by ', 1)}: {first.old} → {first.new}"
        )
    elif len(changes) == 1:
        lines.append(f"- {_subject(first)}: {_detail(first)}")
    else:
        lines.append(f"- {_subject(first)}:")
        lines += [f"  - {_detail(c)}" for c in changes]
    if note:
        lines.append(f"  - note: {_one_line(note, 400)}")
    return lines


def _summary_line(d: Diff) -> str:
    if not d:
        return "No differences."
    parts = [f"{n} {kind}" for kind, n in d.counts().items()]
    return f"{len(d)} change{'s' if len(d) != 1 else ''}: " + ", ".join(parts) + "."


def _groups(changes: Sequence[Change]) -> list[list[Change]]:
    """Consecutive changes of one item, together."""
    out: list[list[Change]] = []
    for c in changes:
        solo = c.kind in (Kind.ADDED, Kind.REMOVED, Kind.POSSIBLY_RENAMED, Kind.REPLACED)
        if (
            out
            and not solo
            and out[-1][0].kind
            not in (
                Kind.ADDED,
                Kind.REMOVED,
                Kind.POSSIBLY_RENAMED,
                Kind.REPLACED,
            )
        ):
            prev = out[-1][0]
            if (prev.item, prev.id, prev.old_id) == (c.item, c.id, c.old_id) and c.item != "set":
                out[-1].append(c)
                continue
        out.append([c])
    return out


def _markdown(d: Diff) -> str:
    heading = (
        f"# National {d.old} vs local {d.new}" if d.tailored else f"# Changes: {d.old} → {d.new}"
    )
    lines = [heading, "", _summary_line(d)]
    sections: list[tuple[str, list[Change]]] = [
        ("The set, its scales, references and audiences", []),
        ("Sections and standards", []),
        ("Questions", []),
    ]
    for c in d.changes:
        if c.item in ("set", "scale", "reference", "audience"):
            sections[0][1].append(c)
        elif c.item in ("section", "standard"):
            sections[1][1].append(c)
        else:
            sections[2][1].append(c)
    for title, items in sections:
        if items:
            lines += ["", f"## {title}", ""]
            for group in _groups(items):
                lines += _md_group(group)
    return "\n".join(lines) + "\n"


_HTML_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  color: #1b1b1b; }}
code {{ background: #f3f2f1; padding: 0 .2em; }}
s {{ color: #942514; background: #fbe9e7; }}
strong {{ color: #00703c; }}
li {{ margin: .3em 0; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def format_diff(d: Diff, fmt: str = "md") -> str:
    """The diff as Markdown (``md``), a self-contained HTML page (``html``) or ``json``.

    In Markdown, deleted words are ``~~struck~~`` and inserted words **bold**; the HTML page
    is the same Markdown rendered with markdown-it-py (raw HTML and images off).
    """
    if fmt == "json":
        return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
    from .render._view import md_inert, md_to_html

    # Wording from the sets is shown as text by any viewer: no raw HTML, no images.
    text = md_inert(_markdown(d))
    if fmt == "md":
        return text
    if fmt == "html":
        from markupsafe import escape

        body = str(md_to_html(text))
        title = str(escape(text.splitlines()[0].lstrip("# ")))
        from .render._assets import content_security_policy

        return _HTML_PAGE.format(title=title, body=body, csp=content_security_policy())
    raise ValueError(f"unknown diff format {fmt!r}: use md, html or json")


# -- finding the previous version ------------------------------------------------------------------


def previous_spec(checklist: Checklist, since: str | None = None) -> str | None:
    """The SET (a path or ``ID@VERSION``) of the version ``checklist`` is compared with.

    ``since`` (a version, ``ID@VERSION`` or a path) wins; otherwise the version it
    ``supersedes``. A file next to the checklist's own file (``<version>.yaml``) is preferred
    to the bundled set of the same id. None when there is nothing to compare with.
    """
    from pathlib import Path

    wanted = since or checklist.supersedes
    if not wanted:
        return None
    if "@" in wanted or wanted.endswith((".yaml", ".yml")) or "/" in wanted or "\\" in wanted:
        return wanted
    source = checklist.source
    if source and not source.startswith(("bundled:", "<")):
        sibling = Path(source).parent / f"{wanted}.yaml"
        if sibling.is_file():
            return str(sibling)
    return f"{checklist.id}@{wanted}"


def check_previous(checklist: Checklist, since: str | None = None) -> LoadResult | None:
    """Check the version ``checklist`` is compared with (see :func:`previous_spec`).

    Raises :class:`~safeguard_standards.SetNotFound` when it names nothing; None when the
    checklist supersedes nothing and no ``since`` is given.
    """
    from .bundled import check_set

    spec = previous_spec(checklist, since)
    return None if spec is None else check_set(spec)

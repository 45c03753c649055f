"""Microsoft Forms and SmartSurvey exports: a mapping file from columns to fields, and reading
every row as a return through it.

Those tools export one row per response and one column per question, headed by the question's
text as typed into the tool (which need not be the set's wording), beside their own columns
(``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` …). :func:`make_map` matches
each column to a field of the form: by exact text, then by normalised text (case, spacing,
punctuation and the question's number do not matter), then by the closest text with its
score; and for each answer text found in a column of choices, the level or option it is. The
officer reviews the file (a reworded question shows both texts) and :func:`read_mapped` reads
every row through it.

The tools' columns of the respondent (Email, Name) are personal: their values are never
printed; Email is mapped to the contact detail only when no column of the form gives it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import attrs

from .. import fields
from ..diagnostics import Code, Diagnostic, closest
from ._read_export import Table
from .raw import RawReturn, RawValue, Value, Where

if TYPE_CHECKING:
    from ..model import Checklist

__all__ = ["MAP_FORMAT", "ColumnMap", "ExportMap", "make_map", "read_map", "read_mapped"]

MAP_FORMAT = "safeguard-standards/returns-map"
#: The lowest closeness (0 to 1) at which a column is matched to a question's text.
CLOSEST = 0.6

#: The survey tools' own columns, by normalised heading: not questions.
_TOOL_COLUMNS = frozenset(
    {
        "id",
        "start time",
        "completion time",
        "last modified time",
        "response id",
        "respondent id",
        "userid",
        "user id",
        "started",
        "ended",
        "status",
        "ip address",
        "collector",
        "total score",
        "quiz feedback",
        "points",
        "feedback",
    }
)
#: The respondent's own columns: personal, their values never printed.
_PERSONAL = frozenset({"email", "name", "email address", "respondent", "respondent email"})


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"^\s*\d+(?:\.\d+)*\.?\s+", "", text)  # the question's number
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def looks_like_form_export(headings: tuple[str, ...]) -> bool:
    """Whether the headings are a Microsoft Forms or SmartSurvey export's (its ID and time
    columns)."""
    have = {_norm(h) for h in headings}
    return ("id" in have and "start time" in have) or (
        "response id" in have and ("started" in have or "ended" in have)
    )


@attrs.frozen
class _Target:
    field: str
    texts: tuple[str, ...]
    choices: tuple[tuple[str, str], ...] = ()  # (id, label)
    multiple: bool = False


def _requires(checklist: Checklist, q: Any) -> list[tuple[str, ...]]:
    scale = checklist.scale(q.scale)
    return [tuple(lv.requires) for lv in (scale.levels if scale is not None else ())]


def _targets(checklist: Checklist, kind: str) -> list[_Target]:
    from ..render._view import ORGANISATION_FIELDS, sign_off_fields

    numbers = checklist.numbering()
    out = [_Target(f.name, (f.label,)) for f in ORGANISATION_FIELDS]
    for q in checklist.questions():
        if kind == "return-form" and not q.in_return:
            continue
        num = numbers.get(q.full_id, "")
        text = q.text.strip()
        if q.type == "rating":
            scale = checklist.scale(q.scale)
            choices = tuple((lv.id, lv.label) for lv in (scale.levels if scale else ()))
        elif q.type == "yes-no":
            choices = (("yes", "Yes"), ("no", "No"))
        elif q.type in ("choice", "multi-choice"):
            choices = tuple((o.id, o.label) for o in q.options)
        else:
            choices = ()
        out.append(
            _Target(
                q.full_id,
                (f"{num} {text}", text),
                choices,
                q.type == "multi-choice",
            )
        )
        out.append(
            _Target(
                fields.evidence(q.full_id).name,
                (f"Evidence for {num}", f"Evidence for {num} {text}", f"Evidence: {text}"),
            )
        )
        if q.type == "rating" and any("action" in cid_req for cid_req in _requires(checklist, q)):
            out.append(
                _Target(
                    fields.action(q.full_id).name,
                    (f"Action you will take for {num}", f"Action for {num} {text}"),
                )
            )
    out += [
        _Target(f.name, (f"Sign-off: {f.label}", f"Sign-off {f.label}"))
        for f in sign_off_fields(checklist)
    ]
    return out


def _match_answers(values: set[str], target: _Target) -> dict[str, str | None]:
    by_label = {label: cid for cid, label in target.choices}
    by_norm = {_norm(label): cid for cid, label in target.choices}
    ids = {cid for cid, _ in target.choices}
    out: dict[str, str | None] = {}
    for text in sorted(values):
        if text in by_label:
            out[text] = by_label[text]
        elif text in ids:
            out[text] = text
        elif _norm(text) in by_norm:
            out[text] = by_norm[_norm(text)]
        else:
            close = closest(_norm(text), by_norm, CLOSEST)
            out[text] = by_norm[close] if close is not None else None
    return out


def _closeness(a: str, b: str) -> float:
    """difflib's ratio of ``a`` and ``b`` (0 to 1), or 0 when its cheap upper bounds are
    already below :data:`CLOSEST` (the same matches, found in a fraction of the time)."""
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < CLOSEST or m.quick_ratio() < CLOSEST:
        return 0.0
    return m.ratio()


def _split(value: str, multiple: bool) -> list[str]:
    if not multiple:
        return [value.strip()]
    return [p.strip() for p in value.split(";") if p.strip()]


def make_map(
    table: Table,
    checklist: Checklist,
    *,
    kind: str = "form",
    audience: tuple[tuple[str, str], ...] = (),
    export: str = "",
) -> dict[str, Any]:
    """The mapping of ``table``'s columns to ``checklist``'s fields (see the module): a
    JSON/YAML-ready mapping, its ``columns`` in the export's order."""
    picked = checklist.select(dict(audience)) if audience else checklist
    targets = _targets(picked, kind)
    exact: dict[str, _Target] = {}
    normal: dict[str, _Target] = {}
    for t in targets:
        for text in t.texts:
            exact.setdefault(text, t)
            normal.setdefault(_norm(text), t)
    used: set[str] = set()
    found: dict[int, tuple[_Target, str, float]] = {}
    headings = table.headings
    # exact, then normalised, first: a close match never takes a question another column names
    for i, h in enumerate(headings):
        hit = exact.get(h)
        how = "exact"
        if hit is None:
            hit, how = normal.get(_norm(h)), "normalised"
        if hit is not None and hit.field not in used and _norm(h) not in _TOOL_COLUMNS | _PERSONAL:
            found[i] = (hit, how, 1.0)
            used.add(hit.field)
    scored = []
    normed = {t.field: [_norm(x) for x in t.texts] for t in targets}
    for i, h in enumerate(headings):
        wanted = _norm(h)
        if i in found or not h or wanted in _TOOL_COLUMNS | _PERSONAL:
            continue
        for t in targets:
            if t.field in used:
                continue
            score = max(_closeness(wanted, x) for x in normed[t.field])
            if score >= CLOSEST:
                scored.append((-score, i, t.field, t))
    for neg, i, field, t in sorted(scored, key=lambda s: (s[0], s[1], s[2])):
        if i in found or field in used:
            continue
        found[i] = (t, "closest", -neg)
        used.add(field)
    columns: list[dict[str, Any]] = []
    contact = "org.contact" in used
    for i, h in enumerate(headings):
        if not h:
            continue  # a column with no heading (and so, in these tools, no question)
        entry: dict[str, Any] = {"column": h}
        key = _norm(h)
        if i in found:
            t, how, score = found[i]
            entry["field"] = t.field
            entry["match"] = how if how != "closest" else f"closest {score:.2f}"
            if how != "exact":
                entry["question"] = t.texts[0]
            if t.choices:
                values: set[str] = set()
                for row in table.rows:
                    if i < len(row) and isinstance(row[i][0], str | int | float | bool):
                        values.update(_split(str(row[i][0]), t.multiple))
                entry["answers"] = _match_answers(values, t)
                if t.multiple:
                    entry["multiple"] = True
        elif key in _PERSONAL:
            if key.startswith("email") and not contact:
                entry["field"] = "org.contact"
                entry["match"] = "the respondent's e-mail, as the contact detail"
                contact = True
            else:
                entry["field"] = None
                entry["match"] = "personal: not read"
        elif key in _TOOL_COLUMNS:
            entry["field"] = None
            entry["match"] = "the survey tool's own column: not read"
        else:
            entry["field"] = None
            entry["match"] = "not mapped"
        columns.append(entry)
    return {
        "format": MAP_FORMAT,
        "format_version": 1,
        "export": export,
        "set": checklist.id,
        "version": checklist.version,
        "kind": kind,
        "audience": dict(audience),
        "columns": columns,
        "unmapped": [c["column"] for c in columns if c["match"] == "not mapped"],
    }


def dump_map(data: dict[str, Any]) -> str:
    """The mapping as YAML, with a short explanation for the officer at the top."""
    import yaml

    head = (
        "# How the columns of a survey tool's export are read as returns.\n"
        "# Check every column marked 'normalised' or 'closest' (its 'question' is the set's\n"
        "# wording), give each column under 'unmapped' a field (a question's full id, its\n"
        "# '<full id>.evidence', or org.name ...) or leave it null, and check each answer text.\n"
        "# Then: safeguard returns check EXPORT --map THIS-FILE\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return head + body


@attrs.frozen
class ColumnMap:
    column: str
    field: fields.FieldRef | None
    answers: tuple[tuple[str, str | None], ...] = ()
    multiple: bool = False


@attrs.frozen
class ExportMap:
    set: str
    version: str
    kind: str
    audience: tuple[tuple[str, str], ...]
    columns: tuple[ColumnMap, ...]


def _field_ref(name: str) -> fields.FieldRef | None:
    ref = fields.decode("html", name)
    if ref is not None and not ref.choice:
        return ref
    head, dot, last = name.rpartition(".")
    if dot and last in ("evidence", "action"):
        try:
            return fields.FieldRef(head, last)  # type: ignore[arg-type]
        except ValueError:
            return None
    return None


def read_map(data: bytes, source: str) -> tuple[ExportMap | None, list[Diagnostic]]:
    """The mapping file in ``data``, read strictly: every problem located at its line."""
    from .._yaml import decode, parse

    text, problems = decode(data, source)
    if text is None:
        return None, problems
    result = parse(text, source)
    problems += result.diagnostics
    if result.fatal:
        return None, problems
    doc = result.data
    sm = result.sourcemap

    def bad(container: Any, key: Any, message: str, hint: str) -> None:
        line, col, _, _ = sm.value(container, key) if container is not None else (1, 1, None, None)
        problems.append(Diagnostic(Code.MAP_INVALID, message, source, line, col, hint=hint))

    if not isinstance(doc, dict) or doc.get("format") != MAP_FORMAT:
        bad(
            doc if isinstance(doc, dict) else None,
            "format",
            f"this is not a mapping file (its format is not {MAP_FORMAT})",
            "make one with 'safeguard returns map EXPORT --set SET -o MAP.yaml'",
        )
        return None, problems
    allowed = {
        "format",
        "format_version",
        "export",
        "set",
        "version",
        "kind",
        "audience",
        "columns",
        "unmapped",
    }
    for key in doc:
        if key not in allowed:
            bad(
                doc,
                key,
                f"{key!r} is not a key of a mapping file",
                "keep only: " + ", ".join(sorted(allowed)),
            )
    for key in ("set", "version"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            bad(doc, key, f"{key!r} must be text (the set's {key})", "restore it as it was written")
    kind = doc.get("kind", "form")
    if kind not in ("form", "return-form"):
        bad(doc, "kind", f"kind {kind!r} is not form or return-form", "write form or return-form")
    audience = doc.get("audience") or {}
    if not isinstance(audience, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in audience.items()
    ):
        bad(
            doc,
            "audience",
            "audience must be dimension: value pairs",
            "write e.g. {setting: academy}",
        )
        audience = {}
    columns_in = doc.get("columns")
    if not isinstance(columns_in, list):
        bad(doc, "columns", "columns must be a list of columns", "restore it as it was written")
        columns_in = []
    columns: list[ColumnMap] = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(columns_in):
        if not isinstance(entry, dict) or not isinstance(entry.get("column"), str):
            bad(
                columns_in,
                n,
                "each column needs 'column:' (its heading in the export)",
                "restore the entry as it was written",
            )
            continue
        for key in entry:
            if key not in ("column", "field", "match", "question", "answers", "multiple"):
                bad(
                    entry,
                    key,
                    f"{key!r} is not a key of a column",
                    "use column, field, match, question, answers, multiple",
                )
        field = entry.get("field")
        ref = None
        if field is not None:
            ref = _field_ref(field) if isinstance(field, str) else None
            if ref is None:
                bad(
                    entry,
                    "field",
                    f"field {field!r} is not a field name (a question's full id such as "
                    "leadership.governance.named-governor, '<full id>.evidence', "
                    "'<full id>.action', or org.name …)",
                    "write the field the column answers, or null to leave the column out",
                )
                continue
            if ref.name in seen:
                bad(
                    entry,
                    "field",
                    f"{ref.name} is already the field of column {columns[seen[ref.name]].column!r}",
                    "map each field from one column only",
                )
                continue
            seen[ref.name] = len(columns)
        answers = entry.get("answers") or {}
        if not isinstance(answers, dict) or not all(
            isinstance(v, str) or v is None for v in answers.values()
        ):
            bad(
                entry,
                "answers",
                "answers must map each answer text to a level or option id",
                'write  "Answer text": level-id',
            )
            answers = {}
        multiple = entry.get("multiple", False)
        if not isinstance(multiple, bool):
            bad(entry, "multiple", "multiple must be true or false", "write true or false")
            multiple = False
        columns.append(
            ColumnMap(
                entry["column"],
                ref,
                tuple((str(k), v) for k, v in answers.items()),
                multiple,
            )
        )
    if any(d.is_error for d in problems):
        return None, problems
    return (
        ExportMap(
            doc["set"], doc["version"], kind, tuple(sorted(audience.items())), tuple(columns)
        ),
        problems,
    )


def read_mapped(table: Table, source: str, mapping: ExportMap) -> list[RawReturn]:
    """Every row of the export as a raw return, through ``mapping``."""
    top = table.top or Where(source)
    problems = list(table.problems)
    index = {h: i for i, h in reversed(list(enumerate(table.headings)))}
    columns: list[tuple[int, ColumnMap]] = []
    mapped = {c.column for c in mapping.columns}
    for c in mapping.columns:
        if c.column not in index:
            if c.field is not None:
                problems.append(
                    top.diagnostic(
                        Code.MAP_COLUMN_MISSING,
                        f"the mapping's column {c.column!r} ({c.field.name}) is not in the "
                        "export: that field is read as blank",
                        "the question was probably reworded again in the survey tool: write "
                        "its heading as the export has it in the mapping file",
                    )
                )
            continue
        if c.field is not None:
            columns.append((index[c.column], c))
    for h in table.headings:
        if h and h not in mapped:
            problems.append(
                attrs.evolve(top, column=h).diagnostic(
                    Code.MAP_COLUMN_MISSING,
                    f"the export's column {h!r} is not in the mapping file: it is not read",
                    "add it to the mapping file (or make the mapping again with 'safeguard "
                    "returns map')",
                )
            )
    declared = (
        ("set", mapping.set),
        ("version", mapping.version),
        ("kind", mapping.kind),
        ("audience", ";".join(f"{k}={v}" for k, v in mapping.audience)),
    )
    if not table.rows:
        problems.append(
            top.diagnostic(
                Code.IMPORT_NO_RESPONSES,
                "the export holds no responses, only its heading row",
                "export again once responses have been sent",
            )
        )
        return [
            RawReturn(source=source, format="msforms", declared=declared, problems=tuple(problems))
        ]
    out = []
    for n, row in enumerate(table.rows):
        values: list[RawValue] = []
        origin: Where | None = None
        for i, c in columns:
            if i >= len(row):
                continue
            value, where = row[i]
            if origin is None:
                origin = attrs.evolve(where, cell="", column="")
                if where.sheet:
                    digits = "".join(ch for ch in where.cell if ch.isdigit())
                    origin = attrs.evolve(origin, row=int(digits or 0))
            assert c.field is not None
            values.append(RawValue(c.field, _mapped(value, c), where))
        out.append(
            RawReturn(
                source=source,
                format="msforms",
                declared=declared,
                values=tuple(values),
                problems=tuple(problems if n == 0 else ()),
                origin=origin,
            )
        )
    return out


def _mapped(value: Value, c: ColumnMap) -> Value:
    if not c.answers or not isinstance(value, str | int | float) or isinstance(value, bool):
        return value
    lookup = dict(c.answers)
    parts = _split(str(value), c.multiple)
    got = [lookup.get(p) or p for p in parts]
    return tuple(got) if c.multiple else got[0]

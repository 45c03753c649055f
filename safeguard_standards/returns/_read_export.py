"""Readers of survey tools' responses: one export file, many returns.

* **ODK Central and KoboToolbox submission exports** (CSV or XLSX, one row per submission):
  a column is one of ours when the last segment of its heading is a safe field name
  (:func:`safeguard_standards.fields.safe_name`) or an envelope property (``sg_set`` …). ODK
  Central writes the group path before it with ``-`` (``grp_a-grp_a__b-SG_a__b__c``),
  KoboToolbox with ``/`` (``grp_a/grp_a__b/SG_a__b__c``); a safe name has neither, so the
  last segment is the name. A ``select_multiple`` answer is its option ids separated by
  spaces; KoboToolbox's extra columns of one option each (``…/SG_a__b__c/opt``, 1 or 0) and
  the tools' own columns (``KEY``, ``_uuid``, ``SubmissionDate`` …) are skipped.
* **SurveyJS results** (``survey.data``): one object, or a list of them, keyed by the same
  safe names, with the envelope as ``sg_*`` values.
* **FHIR QuestionnaireResponse** (one, a list, or a Bundle of them): answers by ``linkId``,
  the set, version, kind and audience from the ``questionnaire`` canonical
  (``urn:safeguard-standards:questionnaire:<set>:<kind>[:<dim>=<value>]|<version>``). Each
  response is checked against the Questionnaire we write for that form (a linkId it does not
  have, an answer of the wrong type or outside the item's options: SG585, SG586).

Every value is located where a person can fix it: the sheet and cell (XLSX) or the row and
column heading (CSV, the heading row is 1), or the JSON pointer; each return's ``origin`` is
its row (or its index in a list).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from .. import fields
from ..diagnostics import Code, Diagnostic
from ..envelope import PROPERTY_PREFIX, Envelope, EnvelopeError
from .raw import RawReturn, RawValue, Value, Where

if TYPE_CHECKING:
    from ..sets import Registry

__all__ = [
    "Table",
    "read_fhir",
    "read_submissions",
    "read_surveyjs",
    "read_table",
    "submission_name",
]

#: The most rows and columns of an export read (far above a partnership's few hundred
#: responses of a few hundred questions).
MAX_ROWS = 100_000
MAX_COLUMNS = 5_000


@attrs.frozen
class Table:
    """An export's first sheet (or the CSV): headings, and each row's cells with where each
    is."""

    headings: tuple[str, ...]
    rows: tuple[tuple[tuple[Value, Where], ...], ...]
    problems: tuple[Diagnostic, ...] = ()
    #: Where the heading row is (row 1), for a diagnostic about the export as a whole.
    top: Where | None = None


def _cell_value(v: Any) -> Value:
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        if v.time() == datetime.time(0, 0):
            return v.date()
        return v.isoformat()
    if isinstance(v, datetime.time):
        return v.isoformat()
    if isinstance(v, str | bool | int | float | datetime.date):
        if isinstance(v, str) and not v.strip():
            return None
        return v
    return str(v)


def _column_letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def read_table(data: bytes, source: str, fmt: str) -> Table:
    """The export's table: ``fmt`` is ``xlsx`` (the first sheet) or ``csv``."""
    if fmt == "xlsx":
        return _xlsx_table(data, source)
    return _csv_table(data, source)


def _xlsx_table(data: bytes, source: str) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return Table(
            (),
            (),
            (
                Diagnostic(
                    Code.RETURN_UNREADABLE,
                    f"the workbook cannot be opened ({type(exc).__name__})",
                    source,
                    hint="open it in Excel and save it again as an Excel Workbook (.xlsx)",
                ),
            ),
        )
    try:
        ws = wb.worksheets[0]
        rows_in = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        first = next(rows_in, None)
        if first is None:
            return Table((), (), top=Where(source, sheet=ws.title, cell="A1"))
        heads = ["" if h is None else str(h).strip() for h in first]
        while heads and not heads[-1]:  # a read-only sheet pads the row with empty cells
            heads.pop()
        headings = tuple(heads)
        rows = []
        for r, padded in enumerate(rows_in, start=2):
            values = padded[: len(headings)]
            if r > MAX_ROWS + 1:
                break
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append(
                tuple(
                    (
                        _cell_value(v),
                        Where(
                            source,
                            sheet=ws.title,
                            cell=f"{_column_letter(c)}{r}",
                            column=headings[c - 1] if c <= len(headings) else "",
                        ),
                    )
                    for c, v in enumerate(values, start=1)
                )
            )
        return Table(headings, tuple(rows), top=Where(source, sheet=ws.title, cell="A1"))
    finally:
        wb.close()


def _csv_table(data: bytes, source: str) -> Table:
    import csv

    from ._read_csv import _decode

    text, problems = _decode(data, source)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        head = next(reader, None)
        if head is None:
            return Table((), (), tuple(problems), top=Where(source, row=1))
        heads = [h.strip() for h in head[:MAX_COLUMNS]]
        while heads and not heads[-1]:
            heads.pop()
        headings = tuple(heads)
        rows = []
        for r, values in enumerate(reader, start=2):
            if r > MAX_ROWS + 1:
                break
            if not any(v.strip() for v in values):
                continue
            rows.append(
                tuple(
                    (
                        _cell_value(v),
                        Where(source, row=r, column=headings[c] if c < len(headings) else ""),
                    )
                    for c, v in enumerate(values[:MAX_COLUMNS])
                )
            )
    except csv.Error as exc:
        problems.append(
            Diagnostic(
                Code.RETURN_UNREADABLE,
                f"the CSV cannot be read: {exc}",
                source,
                hint="export the responses again from the survey tool",
            )
        )
        return Table((), (), tuple(problems))
    return Table(headings, tuple(rows), tuple(problems), top=Where(source, row=1))


# -- ODK Central and KoboToolbox -------------------------------------------------------------


def submission_name(heading: str) -> str:
    """The name a submission export's column heading ends with: the last segment after the
    group path (``grp_a-grp_a__b-SG_a__b__c`` and ``grp_a/grp_a__b/SG_a__b__c`` give
    ``SG_a__b__c``)."""
    return heading.replace("/", "-").rsplit("-", 1)[-1].strip()


def _is_ours(name: str) -> bool:
    return name.startswith((fields.XLSX_PREFIX, PROPERTY_PREFIX))


def looks_like_submissions(headings: tuple[str, ...]) -> bool:
    """Whether an export's headings are those of a form we wrote (a safe name, an envelope
    property)."""
    return any(_is_ours(submission_name(h)) for h in headings)


def _envelope(
    props: dict[str, str | None], where: Where
) -> tuple[Envelope | None, list[Diagnostic]]:
    if not props:
        return None, []
    try:
        return Envelope.from_properties(props), []
    except EnvelopeError as exc:
        return None, [
            where.diagnostic(
                Code.RETURN_ENVELOPE,
                f"the envelope (the sg_ columns) cannot be read: {exc}",
                "export the responses again; do not edit the sg_ columns",
            )
        ]


def _ref(safe: str) -> fields.FieldRef | None:
    return fields.decode("xlsform", safe)


def _unknown(where: Where, name: str) -> Diagnostic:
    return where.diagnostic(
        Code.IMPORT_UNKNOWN_NAME,
        f"{name!r} looks like a field of a form made from a set, but names none: its "
        "values are not read",
        "the question was probably renamed in the survey tool; give it back the name the "
        "form had (safeguard render … --format xlsform shows it)",
    )


def read_submissions(data: bytes, source: str, fmt: str, tool: str = "odk") -> list[RawReturn]:
    """Every submission in an ODK Central or KoboToolbox export (``fmt`` ``csv`` or
    ``xlsx``), one raw return per row."""
    table = read_table(data, source, fmt)
    top = table.top or Where(source)
    problems = list(table.problems)
    if not table.headings and problems:
        return [RawReturn(source=source, format=tool, problems=tuple(problems))]
    names = [submission_name(h) for h in table.headings]
    if not any(_is_ours(n) for n in names):
        return [
            RawReturn(
                source=source,
                format=tool,
                problems=(
                    *problems,
                    top.diagnostic(
                        Code.IMPORT_NOT_AN_EXPORT,
                        "no column heading is a field name of a form made from a set "
                        "(SG_… or sg_…)",
                        "export the submissions with the questions' XML names as headings "
                        "(KoboToolbox: 'XML values and headers'); a form made by 'safeguard "
                        "render --format xlsform' names them",
                    ),
                ),
            )
        ]
    columns: list[tuple[int, str, fields.FieldRef | None]] = []
    for i, name in enumerate(names):
        if name.startswith(PROPERTY_PREFIX):
            columns.append((i, name, None))
        elif name.startswith(fields.XLSX_PREFIX):
            ref = _ref(name)
            if ref is None:
                where = attrs.evolve(top, column=table.headings[i])
                problems.append(_unknown(where, name))
                continue
            columns.append((i, name, ref))
    if not table.rows:
        problems.append(
            top.diagnostic(
                Code.IMPORT_NO_RESPONSES,
                "the export holds no submissions, only its heading row",
                "export again once responses have been sent",
            )
        )
        return [RawReturn(source=source, format=tool, problems=tuple(problems))]
    out = []
    for n, row in enumerate(table.rows):
        props: dict[str, str | None] = {}
        values: list[RawValue] = []
        row_where = Where(source)
        for i, name, ref in columns:
            if i >= len(row):
                continue
            value, where = row[i]
            row_where = where
            if ref is None:
                props[name] = None if value is None else str(value)
                continue
            values.append(RawValue(ref, value, where))
        origin = attrs.evolve(row_where, cell="", column="", field="")
        if origin.sheet:
            origin = attrs.evolve(origin, row=_row_of(row_where))
        envelope, env_problems = _envelope(props, origin)
        out.append(
            RawReturn(
                source=source,
                format=tool,
                envelope=envelope,
                values=tuple(values),
                problems=tuple((problems if n == 0 else []) + env_problems),
                origin=origin,
            )
        )
    return out


def _row_of(where: Where) -> int:
    if where.row:
        return where.row
    digits = "".join(ch for ch in where.cell if ch.isdigit())
    return int(digits or 0)


# -- SurveyJS -----------------------------------------------------------------------------------


def _pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def looks_like_surveyjs(doc: Any) -> bool:
    """Whether parsed JSON is a SurveyJS result (or a list of them) of a form we wrote."""
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(
        isinstance(d, dict) and "answers" not in d and any(_is_ours(str(k)) for k in d)
        for d in items
    )


def _json_value(v: Any) -> Value | None:
    if v is None or isinstance(v, str | bool | int | float):
        return v
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise ValueError


def read_surveyjs(doc: Any, source: str) -> list[RawReturn]:
    """Every result in a SurveyJS result JSON (one object or a list)."""
    many = isinstance(doc, list)
    items = doc if many else [doc]
    out = []
    for n, data in enumerate(items):
        base: tuple[str | int, ...] = (n,) if many else ()
        origin = Where(source, pointer=_pointer(*base)) if many else None
        problems: list[Diagnostic] = []
        values: list[RawValue] = []
        props: dict[str, str | None] = {}
        if not isinstance(data, dict):
            problems.append(
                Where(source, pointer=_pointer(*base)).diagnostic(
                    Code.IMPORT_BAD_VALUE,
                    "this result is not an object of question names and answers",
                    "give the survey's results as SurveyJS saves them (survey.data)",
                )
            )
            out.append(RawReturn(source=source, format="surveyjs", problems=tuple(problems)))
            continue
        for key, raw in data.items():
            key = str(key)
            where = Where(source, pointer=_pointer(*base, key))
            if key.startswith(PROPERTY_PREFIX):
                props[key] = None if raw is None else str(raw)
                continue
            if not key.startswith(fields.XLSX_PREFIX):
                continue  # the tool's own values (a comment's "-Comment", a page number)
            ref = _ref(key)
            if ref is None:
                problems.append(_unknown(where, key))
                continue
            try:
                value = _json_value(raw)
            except ValueError:
                problems.append(
                    where.diagnostic(
                        Code.IMPORT_BAD_VALUE,
                        f"the value of {key!r} is "
                        + ("a list that is not all text" if isinstance(raw, list) else "an object")
                        + ", which no field of a form holds",
                        "give text, a number, or a list of option ids, as the form saves them",
                    )
                )
                continue
            values.append(RawValue(ref, value, where))
        if props:
            # SurveyJS leaves an empty value out: no sg_audience is a form for every audience
            props.setdefault(PROPERTY_PREFIX + "audience", "")
        envelope, env_problems = _envelope(props, origin or Where(source))
        out.append(
            RawReturn(
                source=source,
                format="surveyjs",
                envelope=envelope,
                values=tuple(values),
                problems=tuple(problems + env_problems),
                origin=origin,
            )
        )
    return out


# -- FHIR QuestionnaireResponse -----------------------------------------------------------------

_URL = "urn:safeguard-standards:questionnaire:"


def looks_like_fhir(doc: Any) -> bool:
    """Whether parsed JSON is a QuestionnaireResponse, a list of them or a Bundle."""
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(
        isinstance(d, dict) and d.get("resourceType") in ("QuestionnaireResponse", "Bundle")
        for d in items
    )


@attrs.frozen
class _Item:
    type: str
    repeats: bool
    options: frozenset[tuple[str, str]]


def _declared(canonical: str) -> tuple[tuple[str, str], ...] | None:
    url, _, version = canonical.partition("|")
    if not url.startswith(_URL) or not version:
        return None
    parts = url[len(_URL) :].split(":")
    if len(parts) < 2:
        return None
    set_id, kind, *audience = parts
    if any("=" not in a for a in audience):
        return None
    return (
        ("set", set_id),
        ("version", version),
        ("kind", kind),
        ("audience", ";".join(audience)),
    )


def _questionnaire_items(
    declared: tuple[tuple[str, str], ...], registry: Registry | None
) -> dict[str, _Item] | None:
    """The items of the Questionnaire we write for the declared form, by linkId (None when the
    set or version is not known: the checker says so)."""
    from ..render import RenderOptions, build_view
    from ..render._fhir import questionnaire
    from ..sets import Registry

    d = dict(declared)
    try:
        result = (registry or Registry()).get(d["set"], d["version"])
    except Exception:  # an unknown set or version: the checker reports it
        return None
    if not result.ok or result.checklist is None:
        return None
    checklist = result.checklist
    audience = tuple(
        (k, v) for k, _, v in (p.partition("=") for p in d["audience"].split(";") if p)
    )
    try:
        picked = checklist.select(dict(audience)) if audience else checklist
        options = RenderOptions(audience=audience)
        q = questionnaire(build_view(d["kind"], picked, options), options)
    except Exception:  # a kind or audience the set does not have: the checker reports it
        return None
    found: dict[str, _Item] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for it in items:
            opts = frozenset(
                (o["valueCoding"]["system"], o["valueCoding"]["code"])
                for o in it.get("answerOption", ())
            )
            found[it["linkId"]] = _Item(it["type"], bool(it.get("repeats")), opts)
            walk(it.get("item", []))

    walk(q["item"])
    return found


_VALUE_TYPES = {
    "coding": ("valueCoding",),
    "decimal": ("valueDecimal", "valueInteger"),
    "integer": ("valueInteger",),
    "date": ("valueDate",),
    "string": ("valueString",),
    "text": ("valueString",),
}


def _responses(doc: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    items = list(enumerate(doc)) if isinstance(doc, list) else [(None, doc)]
    for n, d in items:
        base: tuple[str | int, ...] = () if n is None else (n,)
        if isinstance(d, dict) and d.get("resourceType") == "Bundle":
            entries = d.get("entry")
            for e, entry in enumerate(entries if isinstance(entries, list) else []):
                res = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(res, dict) and res.get("resourceType") == "QuestionnaireResponse":
                    yield (*base, "entry", e, "resource"), res
        else:
            yield base, d


def read_fhir(doc: Any, source: str, registry: Registry | None = None) -> list[RawReturn]:
    """Every QuestionnaireResponse in ``doc`` (see the module's docstring)."""
    out = []
    found = list(_responses(doc))
    many = (
        len(found) > 1
        or isinstance(doc, list)
        or (isinstance(doc, dict) and doc.get("resourceType") == "Bundle")
    )
    for base, qr in found:
        origin = Where(source, pointer=_pointer(*base)) if many else None
        out.append(_one_response(qr, base, source, origin, registry))
    if not out:
        out.append(
            RawReturn(
                source=source,
                format="fhir",
                problems=(
                    Where(source).diagnostic(
                        Code.IMPORT_NO_RESPONSES,
                        "the Bundle holds no QuestionnaireResponse",
                        "export the responses again",
                    ),
                ),
            )
        )
    return out


def _one_response(
    qr: dict[str, Any],
    base: tuple[str | int, ...],
    source: str,
    origin: Where | None,
    registry: Registry | None,
) -> RawReturn:
    problems: list[Diagnostic] = []
    canonical = qr.get("questionnaire")
    declared = _declared(canonical) if isinstance(canonical, str) else None
    if declared is None:
        problems.append(
            Where(source, pointer=_pointer(*base, "questionnaire")).diagnostic(
                Code.FHIR_QUESTIONNAIRE_UNKNOWN,
                f"the response answers {canonical!r}, not a Questionnaire made from a set "
                f"({_URL}<set>:<kind>|<version>)",
                "give the responses to a Questionnaire made by 'safeguard render --format fhir'",
            )
        )
        return RawReturn(source=source, format="fhir", problems=tuple(problems), origin=origin)
    items = _questionnaire_items(declared, registry)
    values: list[RawValue] = []

    def walk(nodes: Any, path: tuple[str | int, ...]) -> None:
        if not isinstance(nodes, list):
            return
        for i, node in enumerate(nodes):
            here = (*path, i)
            if not isinstance(node, dict):
                continue
            link = node.get("linkId")
            at = Where(source, pointer=_pointer(*here))
            item = None if items is None else items.get(str(link))
            if items is not None and item is None:
                problems.append(
                    attrs.evolve(at, pointer=_pointer(*here, "linkId")).diagnostic(
                        Code.FHIR_UNKNOWN_LINK_ID,
                        f"linkId {link!r} is not an item of the Questionnaire "
                        f"{canonical}: its answers are not read",
                        "answer the Questionnaire as it was given out; a question renamed "
                        "in the tool must keep the linkId the form had",
                    )
                )
                continue
            walk(node.get("item"), (*here, "item"))
            answers = node.get("answer")
            if not isinstance(answers, list) or not answers:
                continue
            ref = fields.decode("fhir", str(link))
            if ref is None:
                if items is None:
                    problems.append(
                        attrs.evolve(at, pointer=_pointer(*here, "linkId")).diagnostic(
                            Code.FHIR_UNKNOWN_LINK_ID,
                            f"linkId {link!r} is not a field of a form made from a set",
                            "answer the Questionnaire as it was given out",
                        )
                    )
                continue
            got: list[Value] = []
            for a, answer in enumerate(answers):
                a_where = Where(source, pointer=_pointer(*here, "answer", a))
                if isinstance(answer, dict):
                    walk(answer.get("item"), (*here, "answer", a, "item"))
                value = _answer(answer, item, a_where, problems)
                if value is not _NONE:
                    got.append(value)
            if item is not None and len(answers) > 1 and not item.repeats:
                problems.append(
                    at.diagnostic(
                        Code.FHIR_WRONG_ANSWER,
                        f"{link} has {len(answers)} answers, but its item takes one",
                        "give one answer",
                    )
                )
                continue
            if not got:
                continue
            where = Where(source, pointer=_pointer(*here, "answer", 0))
            if item is not None and item.repeats:
                values.append(RawValue(ref, tuple(str(g) for g in got), where))
            else:
                values.append(RawValue(ref, got[0], where))

    walk(qr.get("item"), (*base, "item"))
    return RawReturn(
        source=source,
        format="fhir",
        declared=declared,
        values=tuple(values),
        problems=tuple(problems),
        origin=origin,
    )


_NONE = object()


def _answer(answer: Any, item: _Item | None, where: Where, problems: list[Diagnostic]) -> Any:
    if not isinstance(answer, dict):
        problems.append(where.diagnostic(Code.FHIR_WRONG_ANSWER, "the answer is not an object", ""))
        return _NONE
    keys = [k for k in answer if k.startswith("value")]
    if len(keys) != 1:
        problems.append(
            where.diagnostic(
                Code.FHIR_WRONG_ANSWER,
                "the answer has " + ("no value" if not keys else "several values"),
                "give one value[x] per answer",
            )
        )
        return _NONE
    key = keys[0]
    raw = answer[key]
    if item is not None:
        wanted = _VALUE_TYPES.get(item.type, ())
        if key not in wanted:
            problems.append(
                where.diagnostic(
                    Code.FHIR_WRONG_ANSWER,
                    f"the answer is a {key}, but the item is of type {item.type!r} "
                    f"(it takes {' or '.join(wanted) or 'no answer'})",
                    "answer the item with the type the Questionnaire gives it",
                )
            )
            return _NONE
    if key == "valueCoding":
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
            problems.append(where.diagnostic(Code.FHIR_WRONG_ANSWER, "the coding has no code", ""))
            return _NONE
        if item is not None and item.options:
            pair = (raw.get("system"), raw["code"])
            if pair not in item.options:
                codes = ", ".join(sorted(c for _, c in item.options))
                problems.append(
                    where.diagnostic(
                        Code.FHIR_WRONG_ANSWER,
                        f"the coding {raw.get('system')}|{raw['code']} is not one of the "
                        "item's answer options",
                        f"choose one of the item's options ({codes}), with the system the "
                        "Questionnaire gives",
                    )
                )
                return _NONE
        return raw["code"]
    if isinstance(raw, str | bool | int | float):
        return raw
    problems.append(
        where.diagnostic(Code.FHIR_WRONG_ANSWER, f"the {key} is not a simple value", "")
    )
    return _NONE


def parse_json(data: bytes) -> Any:
    """The JSON in ``data``, or raises ValueError."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=no_constant)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from None

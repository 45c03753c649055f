"""The reader of our CSV of a form (``safeguard render SET --as form --format csv``), filled in
a spreadsheet program and saved as CSV again.

One row per question: the **Id** column says which question a row answers (rows may be
sorted), the **Answer**, **Evidence** and (where the form has one) **Action** columns are its
values, each located by its row (the heading row is 1) and column heading. An answer is the
text as typed: a choice's label, a number or date as the spreadsheet wrote it; what it means
is the checker's business. Nothing is evaluated: a cell starting with ``=`` is text.

What spreadsheet programs save is read as it comes: UTF-8 with or without a byte-order mark,
or Windows-1252 (Excel's plain "CSV (Comma delimited)"; read as such, with a warning, SG525),
and ``,``, ``;`` (Excel where the decimal separator is a comma) or tab between cells, or the
delimiter a first line ``sep=;`` names.

After the questions come a row per organisation-details and sign-off field (its key, such as
``org.name``, in the Id column, its value in the Answer column) and the envelope, a row per
property (``sg_set`` …, the value in the Answer column). A CSV made before those rows existed
has no envelope: the checker then says it cannot tell which set it answers.
"""

from __future__ import annotations

import csv
import io

from .. import fields as codec
from ..diagnostics import Code, Diagnostic
from ..envelope import PROPERTY_PREFIX, Envelope, EnvelopeError
from .raw import RawReturn, RawValue, Where

__all__ = ["read_csv"]

_HEADINGS = {"Id": "id", "Answer": "answer", "Evidence": "evidence", "Action": "action"}
#: The longest cell read (a 5,000-character evidence box is far inside it).
MAX_CELL = 1_000_000


def _decode(data: bytes, source: str) -> tuple[str, list[Diagnostic]]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    warning = Diagnostic(
        Code.RETURN_CSV_ENCODING,
        "the file is not UTF-8: it was read as Windows-1252, the encoding Excel's plain "
        "'CSV (Comma delimited)' saves in, which has no room for some characters (other "
        "scripts, emoji): those were lost when it was saved",
        source,
        hint="save it from Excel as 'CSV UTF-8 (Comma delimited)' to keep every character",
    )
    return data.decode("cp1252", errors="replace"), [warning]


def _dialect(text: str) -> str:
    """The delimiter whose first row has an Id and an Answer heading (``,`` failing all)."""
    first = text.split("\n", 1)[0]
    for delimiter in (",", ";", "\t"):
        try:
            head = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        cells = {c.strip() for c in head}
        if {"Id", "Answer"} <= cells:
            return delimiter
    return ","


def read_csv(data: bytes, source: str) -> RawReturn:
    """The raw return in a filled CSV form (see the module)."""
    text, problems = _decode(data, source)
    first, _, rest = text.partition("\n")
    if len(first.rstrip("\r")) == 5 and first.lower().startswith("sep="):
        # Excel's "sep=;" line naming the delimiter (Excel hides it: the headings stay row 1)
        delimiter, text = first[4], rest
    else:
        delimiter = _dialect(text)
    old_limit = csv.field_size_limit()
    values: list[RawValue] = []
    try:
        csv.field_size_limit(MAX_CELL)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        problems.append(
            Diagnostic(
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read as CSV: {exc}",
                source,
                hint="open it in a spreadsheet program and save it again as CSV UTF-8",
            )
        )
        return RawReturn(source=source, format="csv", problems=tuple(problems))
    finally:
        csv.field_size_limit(old_limit)
    if not rows:
        problems.append(
            Diagnostic(
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read: it is empty",
                source,
                hint="give the CSV file of the form, filled in",
            )
        )
        return RawReturn(source=source, format="csv", problems=tuple(problems))
    heads: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(rows[0]):
        part = _HEADINGS.get(cell.strip())
        if part is not None and part not in heads:
            heads[part] = (i, cell.strip())
    missing = [h for h, p in _HEADINGS.items() if p not in heads and p != "action"]
    if missing:
        problems.append(
            Where(source, row=1).diagnostic(
                Code.RETURN_EDITED,
                "the heading row has no "
                + " or ".join(repr(m) for m in missing)
                + " column, so the answers cannot be told apart"
                + ("" if rows[0] and any(rows[0]) else " (the first row is empty)"),
                "put back the heading row as the blank form had it (Ref, Id, Section, …)",
            )
        )
        if "id" not in heads or "answer" not in heads:
            return RawReturn(source=source, format="csv", problems=tuple(problems))
    parts = [(p, *heads[p]) for p in ("answer", "evidence", "action") if p in heads]
    id_col = heads["id"][0]
    seen: dict[str, int] = {}
    props: dict[str, str] = {}
    answer_col, answer_heading = heads["answer"]
    for n, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(rows[0]) - len(row))
        key = cells[id_col].strip()
        here = Where(source, row=n, column="Id")
        if key.startswith(PROPERTY_PREFIX):
            props[key] = cells[answer_col].strip()
            continue
        if key in codec.DETAIL_FIELDS:
            if key in seen:
                continue
            seen[key] = n
            text = cells[answer_col]
            where = Where(source, row=n, column=answer_heading)
            values.append(RawValue(codec.detail(key), text if text.strip() else None, where))
            continue
        if not key:
            if any(cells[i].strip() for _, i, _ in parts):
                problems.append(
                    here.diagnostic(
                        Code.RETURN_UNKNOWN_ID,
                        f"row {n} has an answer but no Id, so it cannot be told which question "
                        "it answers",
                        "put back the question's Id in this row, as the blank form had it",
                    )
                )
            continue
        if codec.decode("xlsx-id", key) is None:
            problems.append(
                here.diagnostic(
                    Code.RETURN_UNKNOWN_ID,
                    f"the Id {key!r} is not a question's id: it was changed, or the row added",
                    "put back the Id the blank form had in this row (Ids must not be edited)",
                )
            )
            continue
        if key in seen:
            problems.append(
                here.diagnostic(
                    Code.RETURN_DUPLICATE_FIELD,
                    f"the Id {key!r} is also in row {seen[key]}: a row was copied; row "
                    f"{seen[key]} is read",
                    "delete the copied row (keep the one with the answer)",
                )
            )
            continue
        seen[key] = n
        for part, i, heading in parts:
            value = cells[i] if cells[i].strip() else None
            ref = codec.FieldRef(key, part)
            values.append(RawValue(ref, value, Where(source, row=n, column=heading)))
    envelope = None
    if props:
        try:
            envelope = Envelope.from_properties(props)
        except EnvelopeError as exc:
            top = min(
                n
                for n, row in enumerate(rows[1:], start=2)
                if len(row) > id_col and row[id_col].strip().startswith(PROPERTY_PREFIX)
            )
            problems.append(
                Where(source, row=top, column="Id").diagnostic(
                    Code.RETURN_ENVELOPE,
                    f"the rows about the form (sg_set …) cannot be read: {exc}",
                    "put back the rows at the end of the file as the blank form had them "
                    "(section 'About this form'), or fill in a fresh copy of the form",
                )
            )
    return RawReturn(
        source=source,
        format="csv",
        envelope=envelope,
        values=tuple(values),
        problems=tuple(problems),
    )

"""Data for analysts: every answer as one long table, and any table as CSV or Parquet.

:func:`long_table` has one row per answer given: organisation, set, version, question id,
answer, level, score (:data:`LONG_COLUMNS`). ``answer`` is the answer as text (a date in ISO
form, a multi-choice's option ids joined by ``;``); ``level`` and ``score`` are filled for
rating answers (the score empty for an unscored level such as Not applicable). A text answer
in which the personal-data guardrail finds anything is withheld. The organisation is the
roster id when a roster is given and the return matches it, else the return file's name
without extension; names are never written.

:func:`to_csv` writes a :class:`~.table.Table` or the long table as CSV: UTF-8 with a
byte-order mark, ``\\r\\n`` line ends, every text cell neutralised against formula injection,
as the blank-form CSVs are. :func:`to_parquet` needs the optional extra ``parquet``
(``pip install 'safeguard-standards[parquet]'``, pyarrow); without it, it raises a
:class:`~safeguard_standards.diagnostics.SafeguardError` (SG602) naming the extra.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

import attrs

from ..diagnostics import Code, SafeguardError
from ..model import Checklist
from ..returns.model import Return
from .roster import Roster, return_key
from .table import Table

__all__ = ["LONG_COLUMNS", "LongTable", "long_table", "to_csv", "to_parquet"]

#: The columns of the long table.
LONG_COLUMNS: tuple[str, ...] = (
    "organisation",
    "set",
    "version",
    "question",
    "answer",
    "level",
    "score",
)
_WITHHELD = "[withheld: may hold personal data]"


@attrs.frozen(kw_only=True)
class LongTable:
    """Every answer as a row of :data:`LONG_COLUMNS`; ``score`` is a number or None."""

    rows: tuple[tuple[str, str, str, str, str, str, float | None], ...]
    #: How many text answers were withheld by the guardrail.
    withheld: int = 0

    @property
    def headings(self) -> tuple[str, ...]:
        return LONG_COLUMNS

    def text_rows(self) -> list[tuple[str, ...]]:
        return [(*r[:6], "" if r[6] is None else _number(r[6])) for r in self.rows]


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return str(value)


def long_table(
    checklists: Iterable[Checklist], returns: Iterable[Return], *, roster: Roster | None = None
) -> LongTable:
    """Every answer given in ``returns`` (see the module), in the order of the returns and of
    their answers; ``checklists`` are the versions they answer (for levels' scores)."""
    from ..returns.privacy import scan

    versions = {(c.id, c.version): c for c in checklists}
    scores: dict[tuple[str, str, str, str], float | None] = {}
    rows: list[tuple[str, str, str, str, str, str, float | None]] = []
    withheld = 0
    for ret in returns:
        checklist = versions.get((ret.set, ret.version))
        org = roster.match(ret) if roster is not None else None
        who = org.id if org is not None else return_key(ret)
        for a in ret.answers:
            if not a.answered or not a.asked:
                continue
            level = a.level
            score: float | None = None
            if level and checklist is not None:
                key = (ret.set, ret.version, a.question, level)
                if key not in scores:
                    q = checklist.question(a.question)
                    scale = checklist.scale(q.scale) if q is not None else None
                    lv = scale.level(level) if scale is not None else None
                    scores[key] = lv.score if lv is not None and lv.scored else None
                score = scores[key]
            answer = _text(a.value)
            if a.type == "text" and scan(answer):
                answer = _WITHHELD
                withheld += 1
            rows.append((who, ret.set, ret.version, a.question, answer, level, score))
    return LongTable(rows=tuple(rows), withheld=withheld)


def to_csv(table: Table | LongTable) -> bytes:
    """``table`` as CSV bytes (see the module). A :class:`~.table.Table`'s notes follow its
    rows, one a line, after an empty line."""
    import csv
    import io

    from ..render._csv import neutralise

    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise(h) for h in table.headings])
    w.writerows([neutralise(c) for c in row] for row in table.text_rows())
    if isinstance(table, Table) and table.notes:
        w.writerow([])
        for note in table.notes:
            w.writerow([neutralise("Note: " + note)])
    return buf.getvalue().encode("utf-8-sig")


def to_parquet(table: Table | LongTable) -> bytes:
    """``table`` as Parquet bytes: the long table with typed columns (``score`` a double),
    a :class:`~.table.Table` with its row labels then one column per heading (a column of
    numbers as doubles, else text). Needs the ``parquet`` extra (SG602 without it)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SafeguardError(
            Code.REPORT_EXTRA_MISSING,
            "writing Parquet needs pyarrow, which is not installed",
            "install the optional extra: pip install 'safeguard-standards[parquet]', or "
            "write CSV instead",
        ) from None
    import io

    if isinstance(table, LongTable):
        columns: dict[str, Sequence[object]] = {
            name: [r[i] for r in table.rows] for i, name in enumerate(LONG_COLUMNS)
        }
        schema = pa.schema([(n, pa.string()) for n in LONG_COLUMNS[:6]] + [("score", pa.float64())])
        data = pa.table(columns, schema=schema)
    else:
        arrays: dict[str, Sequence[object]] = {
            table.row_heading or "Row": [r.label for r in table.rows]
        }
        for j, col in enumerate(table.columns):
            values = [r.cells[j].value for r in table.rows]
            numeric = all(isinstance(v, int | float) or v is None for v in values)
            name = col.heading if col.heading not in arrays else f"{col.heading} ({col.id})"
            arrays[name] = (
                [None if v is None else float(v) for v in values]
                if numeric
                else [r.cells[j].text for r in table.rows]
            )
        data = pa.table(arrays)
    out = io.BytesIO()
    # no creation time or library version that changes the bytes beyond pyarrow's own
    pq.write_table(data, out, compression="zstd", write_statistics=False)
    return out.getvalue()

"""Tables: what a document writer renders, with no formatting decisions left to it.

A :class:`Table` has an id (stable, for file names and anchors), a title, column headings, rows
and notes (``suppressed: fewer than 3 organisations``). Each :class:`Cell` carries its value
(a number, for charts and spreadsheets) and its text (for documents), and says whether it was
suppressed. Rows have a label of their own (the row heading), so a writer renders::

    title
    | row heading | column 1 | column 2 | …
    | row label   | cell     | cell     | …
    notes

Percentages are rounded half up to whole numbers by :func:`percent` (integer arithmetic, so
the text never depends on floating point).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = ["Cell", "Column", "Row", "Table", "cell", "percent", "percent_text", "suppressed"]

#: What a suppressed cell shows.
SUPPRESSED_TEXT = "*"


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage, rounded half up (0 when ``whole`` is 0)."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def percent_text(part: int, whole: int) -> str:
    """``"45%"``; ``"–"`` when ``whole`` is 0."""
    return f"{percent(part, whole)}%" if whole else "–"


@attrs.frozen
class Column:
    """A column: a stable id and the heading shown."""

    id: str
    heading: str


@attrs.frozen
class Cell:
    """One cell: its value (for charts and spreadsheets), its text (for documents), and
    whether it was suppressed (then ``value`` is None and ``text`` is ``*``)."""

    value: int | float | str | None
    text: str
    suppressed: bool = False


def cell(value: int | float | str | None, text: str | None = None) -> Cell:
    """A cell showing ``text`` (``str(value)`` when not given, "" for None)."""
    if text is None:
        text = "" if value is None else str(value)
    return Cell(value, text)


def suppressed() -> Cell:
    """A suppressed cell."""
    return Cell(None, SUPPRESSED_TEXT, True)


@attrs.frozen
class Row:
    """A row: a stable id (a question's full id, an organisation type), its label (the row
    heading shown) and its cells, one per column."""

    id: str
    label: str
    cells: tuple[Cell, ...]


@attrs.frozen(kw_only=True)
class Table:
    """A titled table (see the module's docstring).

    ``row_heading`` is the heading of the column of row labels. ``notes`` are sentences a
    writer prints under the table.
    """

    id: str
    title: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()

    @property
    def headings(self) -> tuple[str, ...]:
        """Every heading, the row heading first."""
        return (self.row_heading, *(c.heading for c in self.columns))

    def text_rows(self) -> list[tuple[str, ...]]:
        """Every row as text, its label first (what a CSV or a document shows)."""
        return [(r.label, *(c.text for c in r.cells)) for r in self.rows]

    def row(self, row_id: str) -> Row:
        """The row with this id (KeyError when there is none)."""
        for r in self.rows:
            if r.id == row_id:
                return r
        raise KeyError(row_id)

    def at(self, row_id: str, column_id: str) -> Cell:
        """The cell in row ``row_id`` and column ``column_id``."""
        index = [c.id for c in self.columns].index(column_id)
        return self.row(row_id).cells[index]


def make_table(
    id: str,
    title: str,
    row_heading: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Row],
    notes: Iterable[str] = (),
) -> Table:
    """A :class:`Table` from (id, heading) pairs and rows, keeping notes unique and in order."""
    return Table(
        id=id,
        title=title,
        row_heading=row_heading,
        columns=tuple(Column(i, h) for i, h in columns),
        rows=tuple(rows),
        notes=tuple(dict.fromkeys(n for n in notes if n)),
    )

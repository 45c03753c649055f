"""XLSX renderers (openpyxl): the audit tool and return form as a protected workbook, and
action-plan skeletons.

A form workbook has these sheets:

* **Cover**: title, version, publisher, the organisation-details and sign-off cells, how to
  fill it in, and what each rating level means.
* **Answers**: one row per question (Ref, Id, Section, Standard, Question, Answer type,
  Answer if, Evidence to look for, Answer, Evidence, Action, Notes). The Answer cell has a
  dropdown (rating levels, Yes/No, options) or a number, percentage or date check; Answer,
  Evidence and Notes are the only unlocked cells, with Action for a rating question whose
  scale has a level that ``requires: [action]`` (the action the organisation will take; the
  Action cell of any other question is locked and left white).
* **Summary**: COUNTIFS formulas counting answers per section and per rating level, so it
  updates as the form is filled in.
* **Action plan**: one row per standard (or per question), the set's action-plan columns.
* **Lists** (hidden): the dropdown lists, each a named range.

Field names: the **Id** column is the authoritative mapping from a row to a question's full
id. Each answer, evidence and action cell also gets a workbook defined name made from its
field name
by :func:`safeguard_standards.fields.encode` (``SG_`` + the name with ``.`` → ``__`` and ``-``
→ ``___``), which :func:`~safeguard_standards.fields.decode` reverses. The
organisation-details and sign-off cells on the cover are named the same way (``org.name`` →
``SG_org__name``). The envelope (:mod:`safeguard_standards.envelope`) is in the custom
document properties (``sg_set`` …).

Every sheet is protected **without a password** (Review › Unprotect Sheet lifts it): the
protection stops a question being changed by accident; it is not a security measure.

Every piece of text from the set goes through :func:`~._csv.neutralise`, so no text from a
standard set is ever stored as a formula; the only formulas are the Summary's own.

Uses openpyxl's write-only mode (for the XLSX target in docs/performance.md), so every sheet's
layout is decided before its first row is written.
"""

from __future__ import annotations

import functools
import importlib
import io
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Any

import attrs

from .. import fields as codec
from ..envelope import Envelope
from ..model import Checklist
from . import RenderOptions, writer
from ._csv import action_plan_table, neutralise, plain_text
from ._envelope import envelope_of
from ._number import number_text
from ._view import (
    ORGANISATION_FIELDS,
    YES_NO,
    AnswerSpace,
    DocumentView,
    Field,
    QuestionView,
    md_to_text,
)

__all__ = ["ANSWER_COLUMNS"]

#: Column ids and headings of the Answers sheet, in order (then a hidden "type id" column).
ANSWER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", "Ref"),
    ("id", "Id"),
    ("section", "Section"),
    ("standard", "Standard"),
    ("question", "Question"),
    ("type", "Answer type"),
    ("answer_if", "Answer if"),
    ("evidence_prompts", "Evidence to look for"),
    ("answer", "Answer"),
    ("evidence", "Evidence"),
    ("action", "Action"),
    ("notes", "Notes"),
    ("type_id", "Type id"),
)
_COL = {cid: i + 1 for i, (cid, _) in enumerate(ANSWER_COLUMNS)}
_WIDTHS = {
    "ref": 8,
    "id": 28,
    "section": 20,
    "standard": 24,
    "question": 60,
    "type": 20,
    "answer_if": 26,
    "evidence_prompts": 30,
    "answer": 24,
    "evidence": 40,
    "action": 36,
    "notes": 30,
    "type_id": 12,
}

_PREFIX = codec.XLSX_PREFIX


# -- styles -----------------------------------------------------------------------------------


@attrs.frozen
class _Styles:
    """The named styles of the workbook (a partnership can restyle them in Excel)."""

    title: str = "SG Title"
    heading: str = "SG Heading"
    header: str = "SG Header"
    label: str = "SG Label"
    text: str = "SG Text"
    answer: str = "SG Answer"
    answer_date: str = "SG Answer Date"
    header_number: str = "SG Header Number"
    number: str = "SG Number"
    total: str = "SG Total"


STYLES = _Styles()


#: The font of every named style: Arial is on every Windows and Mac, and LibreOffice shows
#: it in Liberation Sans, which has the same metrics, so row heights estimated for it hold
#: in both (a font with no name falls back to a serif font in LibreOffice).
FONT_NAME = "Arial"
#: Its size (points) for body text.
FONT_SIZE = 10


def _font(**kwargs: Any) -> Any:
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, size=kwargs.pop("size", FONT_SIZE), family=2, **kwargs)


def _add_styles(wb: Any) -> None:
    from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Protection, Side

    top_wrap = Alignment(wrap_text=True, vertical="top")
    middle = Alignment(vertical="top", horizontal="center")
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    answer_fill = PatternFill("solid", fgColor=_ANSWER_FILL)
    unlocked = Protection(locked=False)
    for style in (
        NamedStyle(STYLES.title, font=_font(bold=True, size=16)),
        NamedStyle(STYLES.heading, font=_font(bold=True, size=12)),
        NamedStyle(
            STYLES.header,
            font=_font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F4E79"),
            alignment=Alignment(wrap_text=True, vertical="center"),
        ),
        NamedStyle(STYLES.label, font=_font(bold=True), alignment=top_wrap),
        NamedStyle(STYLES.text, font=_font(), alignment=top_wrap),
        NamedStyle(
            STYLES.answer,
            font=_font(),
            alignment=top_wrap,
            fill=answer_fill,
            border=box,
            protection=unlocked,
        ),
        NamedStyle(
            STYLES.answer_date,
            font=_font(),
            alignment=top_wrap,
            fill=answer_fill,
            border=box,
            protection=unlocked,
            number_format="dd/mm/yyyy",
        ),
        NamedStyle(
            STYLES.header_number,
            font=_font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F4E79"),
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        ),
        NamedStyle(STYLES.number, font=_font(), alignment=middle, number_format="0"),
        NamedStyle(STYLES.total, font=_font(bold=True), alignment=middle, number_format="0"),
    ):
        wb.add_named_style(style)


@functools.lru_cache(maxsize=1)
def _cell_class() -> Any:
    """openpyxl's Cell with a cheap ``repr``: write-only ``append`` tries each styled cell as
    a value first and formats its repr into an error it then discards (60,000 times for a
    5,000-question form)."""
    from openpyxl.cell.cell import Cell

    class _Cell(Cell):  # type: ignore[misc]
        __slots__ = ()

        def __init__(self, worksheet: Any, value: object = None) -> None:
            super().__init__(worksheet, row=1, column=1, value=value)

        def __repr__(self) -> str:
            return "<Cell>"

    return _Cell


class _CellMaker:
    """Makes styled write-only cells quickly: the style of the first cell made with a style
    name is copied to later ones, instead of looking the name up again."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._new = _cell_class()
        self._arrays: dict[str, Any] = {}

    def __call__(self, value: str | None = None, style: str = "") -> Any:
        cell = self._new(self._ws)
        if style:
            array = self._arrays.get(style)
            if array is None:
                cell.style = style
                self._arrays[style] = array = cell._style
            cell._style = array.__copy__()
        if value is not None:
            cell.value = _clean(value)
            cell.data_type = "s"  # text from the set is never a formula
        return cell

    def formula(self, formula: str, style: str = "") -> Any:
        """A cell holding one of our own formulas (never text from the set)."""
        cell = self(None, style)
        cell.value = formula
        return cell


_ANSWER_FILL = "FFF8DC"
#: Points per line of 10-point Arial (LibreOffice's and Excel's own row height for it).
_LINE_HEIGHT = 13.0
#: Characters of text that fit on a line, per unit of column width (the width of a "0"):
#: Arial's letters average about 0.8 of its digit width; a little is kept back for wide
#: letters and the cell's margins. Bold text is wider.
_CHARS_PER_WIDTH = 1.05
_BOLD_CHARS_PER_WIDTH = 0.95


def _lines(text: str, width: float, bold: bool = False) -> int:
    """About how many lines ``text`` takes wrapped at word boundaries in a column ``width``
    characters wide (a word longer than a line is broken, as Excel and LibreOffice do)."""
    per_line = max(int(width * (_BOLD_CHARS_PER_WIDTH if bold else _CHARS_PER_WIDTH)), 1)
    total = 0
    for part in text.split("\n"):
        if len(part) <= per_line:
            total += 1
            continue
        lines, used = 1, 0
        for word in part.split(" "):
            size = len(word)
            if used and used + 1 + size <= per_line:
                used += 1 + size
                continue
            if used:
                lines, used = lines + 1, 0
            while size > per_line:
                lines, size = lines + 1, size - per_line
            used = size
        total += lines
    return total


#: A cell whose text a row must fit: (text, column width, bold).
_Fit = tuple[str | None, float, bool]


def _fit_row(ws: Any, row: int, cells: Iterable[_Fit], minimum: int = 1) -> None:
    """Set the height of ``row`` (before it is written) to fit its wrapped text.

    LibreOffice does not fit row heights when it opens an .xlsx, so without this wrapped text
    would overlap the next row on screen and in print. The height is fixed, so a long answer
    typed later may need the row made taller (allowed on the protected sheets).
    """
    height = _row_height(cells, minimum)
    if height:
        ws.row_dimensions[row].height = height


def _row_height(cells: Iterable[_Fit], minimum: int = 1) -> float | None:
    """The height (points) that fits the cells' wrapped text; None for a single line."""
    lines = max([minimum, *(_lines(t, w, bold) for t, w, bold in cells if t)])
    return _LINE_HEIGHT * lines + 4 if lines > 1 else None


def _open_columns(ws: Any, letters: Sequence[str]) -> None:
    """Unlock and wrap whole columns (before the sheet's first row is written)."""
    from openpyxl.styles import Alignment, Protection

    for letter in letters:
        dim = ws.column_dimensions[letter]
        dim.protection = Protection(locked=False)
        dim.alignment = Alignment(wrap_text=True, vertical="top")
        dim.font = _font()


def _mark_open(ws: Any, cells: str) -> None:
    """Colour and box the open cells in use (a conditional format that always holds, added
    last so that the RAG colours of answers win)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Border, PatternFill, Side

    thin = Side(style="thin", color="A6A6A6")
    ws.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=["TRUE"],
            fill=PatternFill("solid", fgColor=_ANSWER_FILL, bgColor=_ANSWER_FILL),
            border=Border(left=thin, right=thin, top=thin, bottom=thin),
        ),
    )


def _protect(ws: Any) -> None:
    """Protect a sheet without a password, still letting people filter, sort and resize."""
    p = ws.protection
    p.sheet = True
    p.autoFilter = False
    p.sort = False
    p.formatColumns = False
    p.formatRows = False


def _print_setup(ws: Any, orientation: str) -> None:
    """A4, the given orientation, every column on one page's width (as many pages down as it
    takes): without it a sheet prints on the reader's default paper, its columns apart."""
    ws.page_setup.paperSize = "9"  # A4 (PAPERSIZE_A4 of a worksheet)
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _footer(ws: Any, doc: DocumentView) -> None:
    # Excel allows 255 characters in a whole header or footer
    title = doc.title if len(doc.title) <= 120 else doc.title[:119] + "…"
    ws.oddFooter.left.text = _header_text(f"{title} — {doc.kind_label} {doc.version}")
    ws.oddFooter.right.text = "Page &P of &N"
    for part in (ws.oddFooter.left, ws.oddFooter.right):
        part.font = f"{FONT_NAME},Regular"
        part.size = 8


def _clip(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_text(text: str) -> str:
    return text.replace("&", "&&")


# -- lists (hidden sheet) ---------------------------------------------------------------------


#: The hidden sheet holding the dropdown lists.
LISTS_SHEET = "Lists"


class _Lists:
    """The hidden Lists sheet's columns, each a named range used by a dropdown."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, ...]] = []
        self._by_values: dict[tuple[str, ...], str] = {}

    def name_for(self, values: Sequence[str]) -> str:
        key = tuple(neutralise(v) for v in values)
        name = self._by_values.get(key)
        if name is None:
            self.columns.append(key)
            name = f"{_PREFIX}LIST_{len(self.columns)}"
            self._by_values[key] = name
        return name

    def cell_for(self, values: Sequence[str], index: int) -> str:
        """Absolute reference of entry ``index`` of the list of ``values`` (added if new).

        Formulas that count answers refer to this cell rather than quoting the label: the
        cell holds exactly what the dropdown puts in an answer cell, however long it is.
        """
        from openpyxl.utils import get_column_letter, quote_sheetname

        column = int(self.name_for(values).rsplit("_", 1)[1])
        return f"{quote_sheetname(LISTS_SHEET)}!${get_column_letter(column)}${index + 1}"

    def write(self, wb: Any, ws: Any) -> None:
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.workbook.defined_name import DefinedName

        ws.sheet_state = "hidden"
        _print_setup(ws, "portrait")
        height = max((len(c) for c in self.columns), default=0)
        for r in range(height):
            ws.append([c[r] if r < len(c) else None for c in self.columns])
        sheet = quote_sheetname(ws.title)
        for i, column in enumerate(self.columns, start=1):
            letter = get_column_letter(i)
            name = f"{_PREFIX}LIST_{i}"
            ref = f"{sheet}!${letter}$1:${letter}${len(column)}"
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
        _protect(ws)


# -- validations --------------------------------------------------------------------------------


def _validation_key(
    answer: AnswerSpace, lists: _Lists
) -> tuple[str, str, str, str, str, str] | None:
    """(type, operator, formula1, formula2, title, prompt) of the answer cell's check."""
    if answer.control == "radio" and answer.choices:
        labels = [c.label for c in answer.choices]
        what = {"yes-no": "Yes or No", "rating": "one level"}.get(answer.type, "one option")
        return ("list", "", lists.name_for(labels), "", "Answer", f"Choose {what} from the list")
    if answer.control == "number":
        # whole numbers where the HTML form's step is 1 (bounds whole or absent), as in _view
        kind = "whole" if answer.step == "1" else "decimal"
        lo, hi = answer.min, answer.max
        if lo is not None and hi is not None:
            key = (kind, "between", number_text(lo), number_text(hi))
        elif lo is not None:
            key = (kind, "greaterThanOrEqual", number_text(lo), "")
        elif hi is not None:
            key = (kind, "lessThanOrEqual", number_text(hi), "")
        else:
            key = (kind, "between", "-999999999", "999999999")
        return (*key, "Answer", answer.description)
    if answer.control == "date":
        return ("date", "greaterThanOrEqual", "DATE(1900,1,1)", "", "Answer", answer.description)
    return None


def _runs(rows: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Contiguous runs (first, last) of sorted row numbers."""
    start = prev = rows[0]
    for r in rows[1:]:
        if r != prev + 1:
            yield start, prev
            start = r
        prev = r
    yield start, prev


def _add_validations(
    ws: Any, column: str, by_key: dict[tuple[str, str, str, str, str, str], list[int]]
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for (kind, operator, f1, f2, title, prompt), rows in by_key.items():
        sqref = " ".join(
            f"{column}{a}" if a == b else f"{column}{a}:{column}{b}" for a, b in _runs(rows)
        )
        dv = DataValidation(
            type=kind,
            operator=operator or None,
            formula1=f1,
            formula2=f2 or None,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle="Not an allowed answer",
            error=prompt[:255],
            promptTitle=title,
            prompt=prompt[:255],
            sqref=sqref,
        )
        ws.data_validations.append(dv)


# -- sheets -------------------------------------------------------------------------------------


def _answer_type_text(q: QuestionView) -> str:
    if q.answer.multiple:
        return q.answer_type + ": " + "; ".join(c.label for c in q.answer.choices)
    return q.answer_type


def _type_id(q: QuestionView, checklist: Checklist) -> str:
    if q.question.type == "rating":
        return "rating:" + (q.question.scale or checklist.default_scale)
    return q.question.type


def _cover(wb: Any, doc: DocumentView, names: list[tuple[str, str]], with_sign_off: bool) -> None:
    from openpyxl.utils import quote_sheetname

    ws = wb.create_sheet("Cover")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    _footer(ws, doc)
    _print_setup(ws, "portrait")
    make = _CellMaker(ws)
    row = 0
    widths = (34.0, 70.0)

    def put(*cells: Any) -> None:
        nonlocal row
        row += 1
        _fit_row(
            ws,
            row,
            (
                (c.value, w, bool(c.font.b))
                for c, w in zip(cells, widths, strict=False)
                if c is not None and isinstance(c.value, str) and c.alignment.wrap_text
            ),
        )
        ws.append(list(cells))

    put(make(doc.title, STYLES.title))
    put(make(doc.kind_label, STYLES.heading))
    put()
    c = doc.checklist
    facts = [*doc.cover_facts(), ("Standard set", c.ref)]
    for label, value in facts:
        put(make(label, STYLES.label), make(value, STYLES.text))

    sheet = quote_sheetname(ws.title)
    date_rows: list[int] = []

    def block(title: str, fields: Sequence[Field], note: str = "") -> None:
        put()
        put(make(title, STYLES.heading))
        if note:
            put(None, make(note, STYLES.text))
        for f in fields:
            style = STYLES.answer_date if f.type == "date" else STYLES.answer
            put(make(f.label, STYLES.label), make(None, style))
            names.append((codec.encode("xlsx", f.ref), f"{sheet}!$B${row}"))
            if f.type == "date":
                date_rows.append(row)

    block("Organisation details", ORGANISATION_FIELDS)
    if with_sign_off:
        block("Sign-off", doc.sign_off_fields, doc.sign_off_statement)

    put()
    put(make("How to fill it in", STYLES.heading))
    how_to: tuple[str, ...] = _HOW_TO if doc.kind != "action-plan" else _HOW_TO_PLAN
    if not any(q.has_action for q in doc.questions()):
        how_to = tuple(line for line in how_to if line != _HOW_TO_ACTION)
    for line in how_to:
        put(None, make(line, STYLES.text))
    for scale in doc.scales if doc.kind != "action-plan" else ():
        put()
        put(make(f"Rating levels ({scale.id})", STYLES.heading))
        for level in scale.levels:
            put(make(level.label, STYLES.label), make(md_to_text(level.describe), STYLES.text))
    if date_rows:
        _add_validations(
            ws,
            "B",
            {("date", "greaterThanOrEqual", "DATE(1900,1,1)", "", "Date", "A date"): date_rows},
        )
    _protect(ws)


#: Said (after the evidence line) only when some question has an Action cell.
_HOW_TO_ACTION = (
    "Where your answer is at a rating level that needs an action (see the rating levels "
    "below), say in the Action column what action you will take."
)
_HOW_TO = (
    "Answer every question on the Answers sheet, in the yellow cells. Where a cell has a "
    "dropdown, choose from it; numbers, percentages and dates are checked as you type.",
    "A question with an “Answer if …” note needs an answer only when that condition holds.",
    "Say what evidence you hold in the Evidence column, and anything else in Notes.",
    _HOW_TO_ACTION,
    "The Summary sheet counts your answers as you go; the Action plan sheet is for what "
    "you will do about any gaps.",
    "The sheets are protected, without a password, so that questions are not changed by "
    "accident. Review › Unprotect Sheet lifts the protection.",
    "Keep the Id column as it is: it is how a completed return is read back.",
)
_HOW_TO_PLAN = (
    "Fill in one row per standard (or question) in the yellow cells on the Action plan sheet.",
    "The sheets are protected, without a password. Review › Unprotect Sheet lifts the protection.",
    "Keep the Id column as it is: it is how a completed plan is read back.",
)


#: Whether the Answers sheet may use the fast row writer (tests switch it off to compare).
FAST_ROWS = True


@attrs.frozen
class _Formula:
    """One of our own formulas (never text from the set), with the value it has in a blank
    form: written as the cell's cached value, so a viewer that does not recalculate (a
    phone's preview, a mail client) shows the right numbers rather than empty cells."""

    formula: str
    value: int


_Cell = tuple["str | _Formula | None", str]  # (text or formula, named style or "")


class _RowWriter:
    """Writes a write-only sheet's rows, each given as (text, style name) pairs.

    Fast path (the XLSX target in docs/performance.md): openpyxl spends about 16 µs a cell, so a
    5,000-question Answers sheet cost a second. Here each row is composed as SpreadsheetML
    text, parsed once by lxml and written into openpyxl's own write-only stream: the same
    ``<row>``/``<c t="inlineStr">`` markup openpyxl writes, with the style indexes openpyxl
    assigns. It needs lxml and openpyxl's write-only internals (``_get_writer``, ``_writer``,
    ``_rows``); without them, or with :data:`FAST_ROWS` off, rows go through the public
    ``append`` instead, with the same result (tests compare the two).
    """

    def __init__(self, ws: Any, make: _CellMaker) -> None:
        self.ws = ws
        self.make = make
        self._style_ids: dict[str, int] = {}
        self._send: Any = None
        if FAST_ROWS:
            self._send = self._open_stream()

    def _open_stream(self) -> Any:
        try:
            etree: Any = importlib.import_module("lxml.etree")
            from openpyxl.xml import LXML
        except ImportError:  # pragma: no cover - lxml is a dependency of python-docx
            return None
        ws = self.ws
        if not LXML or ws._rows is not None or not hasattr(ws, "_get_writer"):
            return None  # pragma: no cover - another openpyxl
        ws._get_writer()

        def stream() -> Generator[None, str, None]:
            xf = ws._writer.xf.send(True)
            with xf.element("sheetData"):
                try:
                    while True:
                        xf.write(etree.fromstring((yield)))
                except GeneratorExit:
                    pass
            ws._writer.xf.send(None)

        rows = stream()
        next(rows)
        ws._rows = rows  # closed by the sheet when the workbook is saved
        return rows.send

    def _style_id(self, style: str) -> int:
        sid = self._style_ids.get(style)
        if sid is None:
            sid = self._style_ids[style] = int(self.make(None, style).style_id)
        return sid

    def row(self, r: int, cells: Sequence[_Cell], height: float | None = None) -> None:
        """Write row ``r`` (rows must come in order, from 1)."""
        if self._send is None:
            if height:
                self.ws.row_dimensions[r].height = height
            self.ws.append(
                [
                    self.make.formula(t.formula, st)
                    if isinstance(t, _Formula)
                    else self.make(t, st)
                    if st
                    else _clean(t)
                    for t, st in cells
                ]
            )
            return
        out = [f'<row r="{r}"']
        if height:
            out.append(f' ht="{height:g}" customHeight="1"')
        out.append(">")
        for col, (text, style) in enumerate(cells, start=1):
            s = f' s="{self._style_id(style)}"' if style else ""
            if text is None:
                if s:
                    out.append(f'<c r="{_letter(col)}{r}"{s}/>')
                continue
            if isinstance(text, _Formula):
                out.append(
                    f'<c r="{_letter(col)}{r}"{s}><f>{_xml_text(text.formula[1:])}</f>'
                    f"<v>{text.value}</v></c>"
                )
                continue
            value = _clean_text(text)
            space = ' xml:space="preserve"' if value != value.strip() else ""  # as openpyxl
            out.append(
                f'<c r="{_letter(col)}{r}"{s} t="inlineStr"><is><t{space}>'
                f"{_xml_text(value)}</t></is></c>"
            )
        out.append("</row>")
        self._send("".join(out))


@functools.lru_cache(maxsize=64)
def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def _clean_text(text: str) -> str:
    """Text as a cell holds it: neutralised (see :func:`~._csv.neutralise`), without the
    control characters XML cannot carry (openpyxl would refuse them)."""
    return _ILLEGAL.sub("", neutralise(text))


#: The most characters an Excel cell holds (Excel refuses to open a workbook with more).
MAX_CELL_TEXT = 32_767
_CUT = " … (cut here: the rest is in the return)"


def _fit_cell(text: str) -> str:
    """``text`` cut to what one cell holds, saying so where it is cut."""
    if len(text) <= MAX_CELL_TEXT:
        return text
    return text[: MAX_CELL_TEXT - len(_CUT)] + _CUT


def _clean(text: str | None) -> str | None:
    """:func:`_clean_text`, passing None through."""
    return None if text is None else _clean_text(text)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _answers(
    wb: Any, doc: DocumentView, lists: _Lists, names: list[tuple[str, str]]
) -> tuple[str, int]:
    """The Answers sheet; returns its title and last row."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname

    ws = wb.create_sheet("Answers")
    letters = {cid: get_column_letter(i) for cid, i in _COL.items()}
    for cid, width in _WIDTHS.items():
        ws.column_dimensions[letters[cid]].width = width
    ws.column_dimensions[letters["type_id"]].hidden = True
    open_columns = [letters[c] for c in ("answer", "evidence", "action", "notes")]
    _open_columns(ws, open_columns)
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, "landscape")
    _footer(ws, doc)
    make = _CellMaker(ws)
    rows = _RowWriter(ws, make)
    rows.row(1, [(label, STYLES.header) for _, label in ANSWER_COLUMNS])

    checklist = doc.checklist
    sheet = quote_sheetname(ws.title)
    answer_col = letters["answer"]
    evidence_col = letters["evidence"]
    action_col = letters["action"]
    action_rows: list[int] = []
    checks: dict[tuple[str, str, str, str, str, str], list[int]] = {}
    # The blank Answer, Evidence and Notes cells are not written at all (15,000 cells in a
    # 5,000-question set; the XLSX target in docs/performance.md): their columns are unlocked
    # and wrapped, a cell with no record takes its column's format in Excel and LibreOffice
    # alike, and a conditional format colours the rows in use. A date answer is written,
    # empty, for its date format.
    row = 1
    for section in doc.sections:
        for standard in section.standards:
            for q in standard.questions:
                row += 1
                text = plain_text(q.text)
                answer_type = _answer_type_text(q)
                prompts = "; ".join(plain_text(e) for e in q.evidence)
                height = _row_height(
                    (
                        (q.full_id, _WIDTHS["id"], False),
                        (section.title, _WIDTHS["section"], False),
                        (standard.title, _WIDTHS["standard"], False),
                        (text, _WIDTHS["question"], False),
                        (answer_type, _WIDTHS["type"], False),
                        (q.condition, _WIDTHS["answer_if"], False),
                        (prompts, _WIDTHS["evidence_prompts"], False),
                    ),
                    minimum=2,  # room to write an answer
                )
                is_date = q.answer.control == "date"
                rows.row(
                    row,
                    [
                        (q.number, STYLES.text),
                        (codec.encode("xlsx-id", q.answer_ref), STYLES.text),
                        (section.title, STYLES.text),
                        (standard.title, STYLES.text),
                        (text, STYLES.text),
                        (answer_type, STYLES.text),
                        (q.condition or None, STYLES.text),
                        (prompts, STYLES.text),
                        (None, STYLES.answer_date if is_date else ""),
                        (None, ""),
                        (None, "" if q.has_action else STYLES.text),  # locked: no action box
                        (None, ""),
                        (_type_id(q, checklist), ""),
                    ],
                    height,
                )
                names.append((codec.encode("xlsx", q.answer_ref), f"{sheet}!${answer_col}${row}"))
                names.append(
                    (codec.encode("xlsx", q.evidence_ref), f"{sheet}!${evidence_col}${row}")
                )
                if q.has_action:
                    action_rows.append(row)
                    names.append(
                        (codec.encode("xlsx", q.action_ref), f"{sheet}!${action_col}${row}")
                    )
                key = _validation_key(q.answer, lists)
                if key is not None:
                    checks.setdefault(key, []).append(row)
    if row > 1:
        _add_validations(ws, answer_col, checks)
        ws.auto_filter.ref = f"A1:{letters['notes']}{row}"
        fills = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
        rng = f"{answer_col}2:{answer_col}{row}"
        for scale in doc.scales:
            labels = [level.label for level in scale.levels]
            for i, level in enumerate(scale.levels):
                if level.rag in fills:
                    literal = _string_literal(neutralise(level.label))
                    if len(neutralise(level.label)) > _MAX_LITERAL:
                        # Excel refuses a string literal over 255 characters in a formula:
                        # compare with the Lists cell holding the label, as the Summary does
                        literal = lists.cell_for(labels, i)
                    ws.conditional_formatting.add(
                        rng,
                        CellIsRule(
                            operator="equal",
                            formula=[literal],
                            fill=PatternFill(
                                "solid", fgColor=fills[level.rag], bgColor=fills[level.rag]
                            ),
                        ),
                    )
        # the open cells in use: Answer and Evidence, Notes, and the Action cells that are open
        ranges = [
            f"{answer_col}2:{evidence_col}{row}",
            f"{letters['notes']}2:{letters['notes']}{row}",
        ]
        if action_rows:
            ranges += (
                f"{action_col}{a}" if a == b else f"{action_col}{a}:{action_col}{b}"
                for a, b in _runs(action_rows)
            )
        _mark_open(ws, " ".join(ranges))
    _protect(ws)
    return ws.title, row


#: The longest string literal Excel accepts in a formula.
_MAX_LITERAL = 255


def _string_literal(text: str) -> str:
    """``text`` as a string literal inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def _criterion(text: str) -> str:
    """An exact-match COUNTIFS criterion for ``text`` (no operators, no wildcards)."""
    escaped = text.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return _string_literal("=" + escaped)


def _criterion_of(cell: str) -> str:
    """An exact-match COUNTIFS criterion for the text in ``cell`` (wildcards escaped)."""
    inner = cell
    for char in ("~", "*", "?"):
        inner = f'SUBSTITUTE({inner},"{char}","~{char}")'
    return '"="&' + inner


def _summary(wb: Any, doc: DocumentView, answers: str, last: int, lists: _Lists) -> None:
    from openpyxl.utils import get_column_letter, quote_sheetname

    ws = wb.create_sheet("Summary")
    # (heading, type id, the Lists cell holding the answer's text) of the level columns
    levels: list[tuple[str, str, str]] = []
    several = len(doc.scales) > 1
    for scale in doc.scales:
        labels = [level.label for level in scale.levels]
        for i, level in enumerate(scale.levels):
            head = f"{level.label} ({scale.id})" if several else level.label
            levels.append((head, f"rating:{scale.id}", lists.cell_for(labels, i)))
    if any(q.question.type == "yes-no" for q in doc.questions()):
        yes_no = [c.label for c in YES_NO]
        levels += [(label, "yes-no", lists.cell_for(yes_no, i)) for i, label in enumerate(yes_no)]
    headings = ["Section", "Questions", "Answered", "Not answered"] + [h for h, _, _ in levels]
    ws.column_dimensions["A"].width = 44
    for i in range(2, len(headings) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = "B4"
    _print_setup(ws, "landscape")
    _footer(ws, doc)
    rows = _RowWriter(ws, _CellMaker(ws))
    subtitle = "The counts update as answers are given on the Answers sheet."
    rows.row(1, [("Summary of answers", STYLES.title)])
    rows.row(2, [(subtitle, STYLES.text)], _row_height([(subtitle, 44.0, False)]))
    rows.row(
        3,
        [(h, STYLES.header if i == 0 else STYLES.header_number) for i, h in enumerate(headings)],
        _row_height([(h, 44.0 if i == 0 else 14.0, True) for i, h in enumerate(headings)]),
    )

    sheet = quote_sheetname(answers)
    ref_l, answer_l, type_l = (get_column_letter(_COL[c]) for c in ("ref", "answer", "type_id"))
    last = max(last, 2)
    ref_rng = f"{sheet}!${ref_l}$2:${ref_l}${last}"
    ans_rng = f"{sheet}!${answer_l}$2:${answer_l}${last}"
    type_rng = f"{sheet}!${type_l}$2:${type_l}${last}"
    first_row = 4
    # the cached values are the blank form's: no answers, every question not answered
    totals = [0] * (len(headings) - 1)
    for r, section in enumerate(doc.sections, start=first_row):
        where = f'{ref_rng},"{section.number}.*"'
        count = sum(len(standard.questions) for standard in section.standards)
        name = f"{section.number} {section.title}"
        cells: list[_Cell] = [
            (name, STYLES.text),
            (_Formula(f"=COUNTIFS({where})", count), STYLES.number),
            (_Formula(f'=COUNTIFS({where},{ans_rng},"<>")', 0), STYLES.number),
            (_Formula(f"=B{r}-C{r}", count), STYLES.number),
        ]
        cells.extend(
            (
                _Formula(
                    f"=COUNTIFS({where},{type_rng},{_criterion(t)},{ans_rng},{_criterion_of(cell)})",
                    0,
                ),
                STYLES.number,
            )
            for _, t, cell in levels
        )
        totals[0] += count
        totals[2] += count
        rows.row(r, cells, _row_height([(name, 44.0, False)]))
    total_row = first_row + len(doc.sections)
    total_cells: list[_Cell] = [("Total", STYLES.label)]
    for i in range(2, len(headings) + 1):
        col = get_column_letter(i)
        end = max(total_row - 1, first_row)
        total_cells.append(
            (_Formula(f"=SUM({col}{first_row}:{col}{end})", totals[i - 2]), STYLES.total)
        )
    rows.row(total_row, total_cells)
    _protect(ws)


def _action_plan(wb: Any, doc: DocumentView, options: RenderOptions, lists: _Lists) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Action plan")
    head, rows = action_plan_table(doc.checklist, options)
    widths = {"ref": 8, "id": 28, "section": 20, "standard": 30, "question": 50}
    for i, (cid, _) in enumerate(head, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(cid, 22)
    fixed = 5 if any(cid == "question" for cid, _ in head) else 4
    _open_columns(ws, [get_column_letter(i) for i in range(fixed + 1, len(head) + 1)])
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, "landscape")
    _footer(ws, doc)
    writer = _RowWriter(ws, _CellMaker(ws))
    writer.row(1, [(label, STYLES.header) for _, label in head])
    for r, values in enumerate(rows, start=2):  # plan cells: their open columns (_answers)
        # a plan made from a completed return carries its finding and action into plan cells
        shown = [_fit_cell(v) for v in values] if any(values[fixed:]) else values[:fixed]
        fitted = zip(head, shown, strict=False)
        height = _row_height(((v, widths.get(cid, 22), False) for (cid, _), v in fitted), minimum=2)
        if height is not None:
            height = min(height, 409.0)  # the tallest row Excel has
        writer.row(r, [(v, STYLES.text) for v in shown], height)
    last = len(rows) + 1
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{last}"
        if len(head) > fixed:
            first, end = get_column_letter(fixed + 1), get_column_letter(len(head))
            _mark_open(ws, f"{first}2:{end}{last}")
        for i, (cid, _) in enumerate(head, start=1):
            if cid == "rag":
                col = get_column_letter(i)
                name = lists.name_for(["Red", "Amber", "Green"])
                _add_validations(
                    ws,
                    col,
                    {
                        ("list", "", name, "", "RAG", "Red, Amber or Green"): list(
                            range(2, last + 1)
                        )
                    },
                )
    _protect(ws)


def _workbook(doc: DocumentView, options: RenderOptions) -> bytes:
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    checklist, kind = doc.checklist, doc.kind
    doc.logo  # noqa: B018 - checked in every format with a title page, as it always was
    wb = Workbook(write_only=True)
    _add_styles(wb)
    # document properties: at most 255 characters, as in Word
    wb.properties.title = _clip(doc.document_title)
    wb.properties.creator = _clip(doc.publisher.name if doc.publisher else "safeguard-standards")
    _stamp(wb, envelope_of(checklist, kind, options, doc))
    lists = _Lists()
    names: list[tuple[str, str]] = []
    _cover(wb, doc, names, with_sign_off=kind != "action-plan")
    if kind != "action-plan":
        answers, last = _answers(wb, doc, lists, names)
        _summary(wb, doc, answers, last, lists)
    _action_plan(wb, doc, options, lists)
    lists.write(wb, wb.create_sheet(LISTS_SHEET))
    for name, ref in names:
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _stamp(wb: Any, envelope: Envelope) -> None:
    """The envelope as custom document properties (File › Properties › Custom)."""
    from openpyxl.packaging.custom import StringProperty

    for name, value in envelope.to_properties().items():
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


@writer(DocumentView, "xlsx", kinds=("form", "return-form", "action-plan"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    """A form as a protected workbook with dropdowns and a live summary (the return form: its
    ``in_return`` questions); an action-plan skeleton as a cover and the Action plan sheet."""
    return _workbook(doc, options)

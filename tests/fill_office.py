"""Fill blank Word, Excel and CSV forms programmatically, as a person would.

A filling (:mod:`returns_fill`) is what a person typed, in the return JSON's shape. Each filler
writes one into a blank form with a library that is not the reader's way of reading it:

* :func:`fill_docx`: lxml over ``word/document.xml``, as Word saves a filled control: a ticked
  box gets ``w14:checked`` 1 and the ☒ glyph; a text control's placeholder run is replaced by
  the text (line breaks as ``w:br``, tabs as ``w:tab``) and ``w:showingPlcHdr`` removed; a date
  control gets ``w:fullDate`` and the date as it shows (dd/mm/yyyy);
* :func:`fill_xlsx`: openpyxl, finding each question's row by the Id column and writing what a
  person picks from a dropdown (the label), numbers as numbers and dates as date cells; the
  organisation details in the cells their defined names point at;
* :func:`fill_csv`: the csv module, by the Id column; choices as labels.

Every filler raises AssertionError for a value it has nowhere to put (never a silent drop).
"""

from __future__ import annotations

import csv
import datetime
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from safeguard_standards import Checklist
from safeguard_standards.render._view import build_document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from returns_fill import Filling

__all__ = ["choice_labels", "fill_csv", "fill_docx", "fill_xlsx", "label_of"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_w, _w14 = f"{{{W}}}", f"{{{W14}}}"


def choice_labels(checklist: Checklist, kind: str = "form") -> dict[str, dict[str, str]]:
    """Full id → {choice id: label} for every question of the form with choices."""
    out: dict[str, dict[str, str]] = {}
    for section in build_document(checklist, kind).sections:
        for standard in section.standards:
            for q in standard.questions:
                if q.answer.choices:
                    out[q.full_id] = {c.id: c.label for c in q.answer.choices}
    return out


def label_of(labels: dict[str, dict[str, str]], full_id: str, value: Any) -> Any:
    """What a person picks or types in a spreadsheet for an answer: labels for choices
    (several joined by "; "), the value itself otherwise."""
    if full_id not in labels:
        return value
    if isinstance(value, list | tuple):
        return "; ".join(labels[full_id][v] for v in value)
    return labels[full_id][value]


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


# -- Word ---------------------------------------------------------------------------------------


def _runs(text: str) -> list[Any]:
    """Runs for ``text``: one run, with w:br for each line break and w:tab for each tab."""
    run = etree.Element(f"{_w}r")
    for i, line in enumerate(text.split("\n")):
        if i:
            etree.SubElement(run, f"{_w}br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                etree.SubElement(run, f"{_w}tab")
            if piece:
                t = etree.SubElement(run, f"{_w}t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [run]


def _set_text(sdt: Any, text: str, date: datetime.date | None = None) -> None:
    pr = sdt.find(f"{_w}sdtPr")
    for el in pr.findall(f"{_w}showingPlcHdr"):
        pr.remove(el)
    content = sdt.find(f"{_w}sdtContent")
    shown = date.strftime("%d/%m/%Y") if date is not None else text
    for el in list(content):
        content.remove(el)
    for run in _runs(shown):
        content.append(run)
    if date is not None:
        pr.find(f"{_w}date").set(f"{_w}fullDate", date.isoformat() + "T00:00:00Z")


def _tick(sdt: Any) -> None:
    pr = sdt.find(f"{_w}sdtPr")
    pr.find(f"{_w14}checkbox/{_w14}checked").set(f"{_w14}val", "1")
    for t in sdt.iter(f"{_w}t"):
        t.text = "☒"


def fill_docx(blank: bytes, filling: Filling) -> bytes:
    """``blank`` (a Word form) with ``filling`` typed in."""
    src = zipfile.ZipFile(io.BytesIO(blank))
    root = etree.fromstring(src.read("word/document.xml"))
    controls: dict[str, Any] = {}
    for sdt in root.iter(f"{_w}sdt"):
        tag = sdt.find(f"{_w}sdtPr/{_w}tag")
        if tag is not None:
            controls[tag.get(f"{_w}val")] = sdt
    is_date = {t for t, s in controls.items() if s.find(f"{_w}sdtPr/{_w}date") is not None}

    def put(tag: str, value: Any) -> None:
        assert tag in controls, f"the form has no control tagged {tag!r}"
        if tag in is_date:
            day = datetime.date.fromisoformat(value)
            _set_text(controls[tag], day.isoformat(), day)
        else:
            _set_text(controls[tag], _text_of(value))

    for full_id, value in filling["answers"].items():
        if f"{full_id}={_first(value)}" in controls:
            for choice in value if isinstance(value, list | tuple) else [value]:
                _tick(controls[f"{full_id}={choice}"])
        else:
            put(full_id, value)
    for full_id, text in filling["evidence"].items():
        put(f"{full_id}.evidence", text)
    for full_id, text in filling["actions"].items():
        put(f"{full_id}.action", text)
    for key, value in filling["details"].items():
        put(key, value)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue()


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else ""
    return value


# -- Excel --------------------------------------------------------------------------------------


def _cell_value(value: Any, is_date: bool) -> Any:
    if is_date and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def fill_xlsx(
    blank: bytes, filling: Filling, labels: dict[str, dict[str, str]], *, sort: bool = False
) -> bytes:
    """``blank`` (an Excel form) with ``filling`` entered; with ``sort``, the Answers rows
    reversed afterwards (as sorting the sheet does: Ids move with their rows)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(blank))
    ws = wb["Answers"]
    head = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, head["Id"]).value: r for r in range(2, ws.max_row + 1)}
    types = {ws.cell(r, head["Id"]).value: ws.cell(r, head["Type id"]).value for r in rows.values()}

    def put(column: str, full_id: str, value: Any) -> None:
        assert column in head, f"the Answers sheet has no {column!r} column"
        assert full_id in rows, f"the Answers sheet has no row for {full_id!r}"
        cell = ws.cell(rows[full_id], head[column])
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text, never a formula

    for full_id, value in filling["answers"].items():
        put(
            "Answer",
            full_id,
            _cell_value(label_of(labels, full_id, value), types[full_id] == "date"),
        )
    for full_id, text in filling["evidence"].items():
        put("Evidence", full_id, text)
    for full_id, text in filling["actions"].items():
        put("Action", full_id, text)
    for key, value in filling["details"].items():
        name = "SG_" + key.replace("-", "___").replace(".", "__")
        assert name in wb.defined_names, f"the workbook has no cell named {name}"
        ((sheet, coord),) = list(wb.defined_names[name].destinations)
        cell = wb[sheet][coord.replace("$", "")]
        cell.value = _cell_value(value, key.endswith(".date"))
        if isinstance(cell.value, str):
            cell.data_type = "s"
    if sort:
        values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        for r, row_values in enumerate(reversed(values), start=2):
            for c, v in enumerate(row_values, start=1):
                ws.cell(r, c).value = v
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- CSV ----------------------------------------------------------------------------------------


def fill_csv(
    blank: bytes,
    filling: Filling,
    labels: dict[str, dict[str, str]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> bytes:
    """``blank`` (our CSV of a form) with ``filling`` entered, saved in ``encoding`` with
    ``delimiter`` as a spreadsheet program saves it."""
    rows = list(csv.reader(io.StringIO(blank.decode("utf-8-sig"), newline="")))
    head = {name: i for i, name in enumerate(rows[0])}
    by_id = {row[head["Id"]]: row for row in rows[1:]}

    def put(column: str, full_id: str, value: Any) -> None:
        assert column in head, f"the CSV has no {column!r} column"
        assert full_id in by_id, f"the CSV has no row for {full_id!r}"
        by_id[full_id][head[column]] = _text_of(value)

    for full_id, value in filling["answers"].items():
        put("Answer", full_id, label_of(labels, full_id, value))
    for full_id, text in filling["evidence"].items():
        put("Evidence", full_id, text)
    for full_id, text in filling["actions"].items():
        put("Action", full_id, text)
    for key, text in filling["details"].items():
        put("Answer", key, text)
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")

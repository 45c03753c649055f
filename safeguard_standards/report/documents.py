"""Report documents: a :class:`~.views.ReportView` written as HTML, PDF, DOCX or Markdown, and
the data as CSV or XLSX, in the blank forms' house style.

* **HTML** — one self-contained page (the forms' ``style.css`` and base template, the
  report's few rules in ``report.css``, the same Content-Security-Policy: nothing is fetched).
  Each chart is an inline SVG inside a ``<figure>`` with a ``<figcaption>``, named by its
  ``<title>`` and described by its ``<desc>`` (the text alternative), followed by its numbers
  in a table.
* **PDF** — WeasyPrint lays out the same HTML (:func:`~safeguard_standards.render._pdf.
  html_to_pdf`): a tagged PDF/UA document, the SVG charts drawn as vectors, text searchable.
* **DOCX** — python-docx with the forms' ``SG …`` styles, headings, running header and page
  numbers; each chart a PNG with its text alternative as the picture's description, its
  caption, then its numbers.
* **Markdown** — headings, paragraphs and pipe tables; a chart is its text alternative and its
  table.
* **XLSX** (data) — a sheet per table, each chart natively over its numbers
  (:func:`~._charts.xlsx_chart`), and every answer as one long table.

Every output is a pure function of the view: DOCX and XLSX packages go through
:func:`~safeguard_standards.render._package.reproducible` (fixed zip dates, no time of
writing); SVG ids are fixed per figure; nothing depends on the clock.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..diagnostics import Code, SafeguardError
from .table import Row, Table, cell, make_table
from .views import Bullets, Figure, Heading, Paragraph, ReportView, TableBlock

if TYPE_CHECKING:
    from ._charts import Chart
    from .data import LongTable

__all__ = [
    "DOCUMENT_FORMATS",
    "chart_table",
    "reproducible_zip",
    "write_document",
    "write_docx",
    "write_html",
    "write_markdown",
    "write_pdf",
    "write_xlsx",
]

#: The formats a report document is written in.
DOCUMENT_FORMATS = ("html", "pdf", "docx", "md")


def chart_table(figure: Figure) -> Table:
    """The table printed with a figure: its ``numbers``, else the chart's own numbers
    (:func:`._charts.table`) as a :class:`Table`."""
    from . import _charts

    if figure.numbers is not None:
        return figure.numbers
    headings, rows = _charts.table(figure.chart)
    return make_table(
        f"{figure.id}-numbers",
        figure.chart.title,
        headings[0],
        [(f"s{i}", h) for i, h in enumerate(headings[1:])],
        [Row(f"r{i}", r[0], tuple(cell(None, t) for t in r[1:])) for i, r in enumerate(rows)],
    )


def _caption(chart: Chart) -> str:
    return chart.title + (f". {chart.note}" if chart.note else "")


# -- HTML and PDF --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _report_css() -> str:
    from importlib.resources import files

    return (files("safeguard_standards.render") / "templates" / "report.css").read_text(
        encoding="utf-8"
    )


def write_html(view: ReportView, *, pdf: bool = False) -> str:
    """The view as one self-contained HTML page (``pdf``: the variant WeasyPrint lays out)."""
    from markupsafe import Markup

    from ..render._assets import content_security_policy
    from ..render._html import _env, _version, inline_variables, stylesheet
    from . import _charts

    css = stylesheet() + "\n" + _report_css()
    if pdf:
        css = inline_variables(css)
    blocks: list[dict[str, Any]] = []
    for b in view.blocks:
        if isinstance(b, Heading):
            blocks.append({"kind": "heading", "level": min(max(b.level, 2), 4), "text": b.text})
        elif isinstance(b, Paragraph):
            blocks.append({"kind": "paragraph", "text": b.text})
        elif isinstance(b, Bullets):
            blocks.append({"kind": "bullets", "entries": b.items})
        elif isinstance(b, TableBlock):
            blocks.append({"kind": "table", "table": b.table})
        elif isinstance(b, Figure):
            svg = _charts.to_svg(b.chart, inline=True, id_prefix=f"{b.id}-").decode("utf-8")
            blocks.append(
                {
                    "kind": "figure",
                    "id": b.id,
                    "svg": Markup(svg),
                    "caption": _caption(b.chart),
                    "table": chart_table(b),
                }
            )
    context = {
        "csp": content_security_policy(),
        "doc": view,
        "blocks": blocks,
        "css": Markup(css),
        "generator_version": _version(),
        "pdf": pdf,
    }
    html: str = _env().get_template("report.html.j2").render(context)
    return html


def write_pdf(view: ReportView) -> bytes:
    """The view as a tagged PDF (WeasyPrint from :func:`write_html`)."""
    from ..render._pdf import html_to_pdf

    return html_to_pdf(
        write_html(view, pdf=True),
        title=view.document_title,
        forms=False,
        info={"sg_report": view.kind},
    )


# -- Markdown ------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _md_table(t: Table) -> list[str]:
    heads = [t.row_heading or " ", *(c.heading for c in t.columns)]
    out = [f"**{_md_cell(t.title)}**", ""]
    out.append("| " + " | ".join(_md_cell(h) for h in heads) + " |")
    out.append("|" + "|".join("---" for _ in heads) + "|")
    for row in t.text_rows():
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    if not t.rows:
        out.append("| None. |" + " |" * len(t.columns))
    out.append("")
    out.extend(f"- {_md_cell(n)}" for n in t.notes)
    if t.notes:
        out.append("")
    return out


def write_markdown(view: ReportView) -> str:
    """The view as Markdown (a chart is its text alternative and its numbers)."""
    from . import _charts

    out = [f"# {_md_cell(view.title)}", "", f"*{view.kind_label}*", ""]
    out += [f"- **{_md_cell(k)}:** {_md_cell(v)}" for k, v in view.facts]
    out.append("")
    for b in view.blocks:
        if isinstance(b, Heading):
            out += ["#" * min(max(b.level, 2), 4) + " " + _md_cell(b.text), ""]
        elif isinstance(b, Paragraph):
            out += [_md_cell(b.text), ""]
        elif isinstance(b, Bullets):
            out += [f"- {_md_cell(i)}" for i in b.items] + [""]
        elif isinstance(b, TableBlock):
            out += _md_table(b.table)
        elif isinstance(b, Figure):
            out += [f"*Figure: {_md_cell(_caption(b.chart))}*", ""]
            out += [f"> {_md_cell(_charts.text_alternative(b.chart))}", ""]
            out += _md_table(chart_table(b))
    return "\n".join(out).rstrip("\n") + "\n"


# -- DOCX ----------------------------------------------------------------------------------------

_TEXT_WIDTH = 9638  # dxa: A4 with 2 cm margins


class _Shim:
    """What the forms' Word document builder reads of a view, for a report."""

    def __init__(self, view: ReportView) -> None:
        facts = dict(view.facts)
        self.document_title = view.document_title
        self.kind_label = view.kind_label
        self.title = view.title
        self.version = facts.get("Version", "")
        self.publisher = None
        self.logo = ""

        class _Ref:
            ref = facts.get("Standard set", view.title)

        self.checklist = _Ref()


class _Properties:
    def __init__(self, view: ReportView) -> None:
        self.props = {"sg_report": view.kind, "sg_title": view.title}

    def to_properties(self) -> dict[str, str]:
        return self.props


def _docx_table(doc: Any, t: Table) -> str:
    from ..render import _docx as d

    n = len(t.columns)
    first = _TEXT_WIDTH * (2 if n > 2 else 1) // (n + (2 if n > 2 else 1))
    rest = (_TEXT_WIDTH - first) // max(n, 1)
    widths = [first, *([rest] * n)]
    head = [t.row_heading or " ", *(c.heading for c in t.columns)]
    rows: list[list[str]] = [[d._para_xml(doc, "SG Label", d._run_xml(h)) for h in head]]
    for r in t.text_rows():
        rows.append(
            [d._para_xml(doc, "SG Label", d._run_xml(r[0]))]
            + [d._text_para(doc, "SG Answer", c) for c in r[1:]]
        )
    if not t.rows:
        rows.append([d._text_para(doc, "SG Answer", "None.")] + ["" for _ in t.columns])
        rows[-1] = [x or d._text_para(doc, "SG Answer", "") for x in rows[-1]]
    out = d._text_para(doc, "Caption", t.title)
    out += d._table_xml(doc, widths, rows, header=True)
    out += "".join(d._text_para(doc, "SG Hint", n) for n in t.notes)
    return out


def write_docx(view: ReportView, generated_on: str | None = None) -> bytes:
    """The view as a Word document in the forms' styles (see the module)."""
    from docx.shared import Inches

    from ..render import _docx as d
    from ..render._package import reproducible
    from . import _charts

    doc = d._Doc(_Shim(view), _Properties(view))  # type: ignore[arg-type]
    d._header_footer(doc)
    doc.add(d._text_para(doc, "Title", view.title))
    doc.add(d._text_para(doc, "Subtitle", view.kind_label))
    for label, value in view.facts:
        doc.add(
            d._para_xml(doc, "SG Meta", d._run_xml(f"{label}: ", bold=True) + d._run_xml(value))
        )
    for b in view.blocks:
        if isinstance(b, Heading):
            doc.add(d._heading(doc, min(max(b.level - 1, 1), 3), b.text))
        elif isinstance(b, Paragraph):
            doc.add(d._text_para(doc, "SG Intro", b.text))
        elif isinstance(b, Bullets):
            doc.add("".join(d._text_para(doc, "List Bullet", i) for i in b.items))
        elif isinstance(b, TableBlock):
            doc.add(_docx_table(doc, b.table))
        elif isinstance(b, Figure):
            width, _ = _charts.size(b.chart)
            doc.flush()
            run = doc.d.add_paragraph().add_run()
            run.add_picture(io.BytesIO(_charts.to_png(b.chart, dpi=150)), width=Inches(width))
            for pr in run._r.iter(
                "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
            ):
                pr.set("descr", _charts.text_alternative(b.chart))
                pr.set("title", b.chart.title)
                pr.set("name", f"Figure {b.id}")
            doc.add(d._text_para(doc, "Caption", _caption(b.chart)))
            doc.add(_docx_table(doc, chart_table(b)))
    return reproducible(doc.save(), generated_on)


# -- writing any document ------------------------------------------------------------------------


def write_document(view: ReportView, fmt: str, generated_on: str | None = None) -> bytes:
    """The view in ``fmt`` (html, pdf, docx, md) as bytes."""
    if fmt == "html":
        return write_html(view).encode("utf-8")
    if fmt == "pdf":
        return write_pdf(view)
    if fmt == "docx":
        return write_docx(view, generated_on)
    if fmt == "md":
        return write_markdown(view).encode("utf-8")
    raise SafeguardError(
        Code.REPORT_FORMAT,
        f"a {view.kind} report cannot be written as {fmt}",
        "use --format html, pdf, docx or md (or --as data for csv and xlsx)",
    )


# -- data: XLSX and CSV ----------------------------------------------------------------------------

_BAD_SHEET = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def _sheet_name(title: str, used: set[str]) -> str:
    base = title.translate(_BAD_SHEET).strip("' ")[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} ({n})"
        n += 1
    used.add(name.lower())
    return name


def _write_table(ws: Any, t: Table, row: int, styles: Any) -> int:
    """``t`` at ``row`` of ``ws`` (title, headings, rows, notes); the next free row."""
    from ..render._csv import neutralise

    def text(value: str) -> Any:
        c = ws.cell(row=row, column=1, value=neutralise(value))
        c.data_type = "s"
        return c

    ws.cell(row=row, column=1, value=neutralise(t.title)).style = styles.heading
    row += 1
    for j, h in enumerate(t.headings, start=1):
        c = ws.cell(row=row, column=j, value=neutralise(h))
        c.data_type = "s"
        c.style = styles.header
    for r in t.rows:
        row += 1
        c = ws.cell(row=row, column=1, value=neutralise(r.label))
        c.data_type = "s"
        c.style = styles.label
        for j, cl in enumerate(r.cells, start=2):
            if (
                isinstance(cl.value, (int, float))
                and not cl.suppressed
                and not cl.text.endswith("%")
            ):
                ws.cell(row=row, column=j, value=cl.value).style = styles.number
            elif isinstance(cl.value, (int, float)) and cl.text.endswith("%"):
                x = ws.cell(row=row, column=j, value=cl.value / 100)
                x.style = styles.number
                x.number_format = "0%"
            else:
                x = ws.cell(row=row, column=j, value=neutralise(cl.text))
                x.data_type = "s"
                x.style = styles.text
    for n in t.notes:
        row += 1
        c = ws.cell(row=row, column=1, value=neutralise(n))
        c.data_type = "s"
        c.style = styles.text
    del text
    return row + 2


def write_xlsx(
    view: ReportView, long: LongTable | None = None, generated_on: str | None = None
) -> bytes:
    """The view's tables and charts as a workbook (see the module); ``long`` adds every answer
    as the sheet Answers."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from ..render._csv import neutralise
    from ..render._package import reproducible
    from ..render._xlsx import STYLES, _add_styles
    from . import _charts

    wb = Workbook()
    _add_styles(wb)
    about = wb.active
    about.title = "About"
    used = {"about"}
    about.cell(row=1, column=1, value=neutralise(view.title)).style = STYLES.title
    about.cell(row=2, column=1, value=view.kind_label).style = STYLES.heading
    row = 4
    for label, value in view.facts:
        about.cell(row=row, column=1, value=neutralise(label)).style = STYLES.label
        c = about.cell(row=row, column=2, value=neutralise(value))
        c.data_type = "s"
        c.style = STYLES.text
        row += 1
    row += 1
    for b in view.blocks:
        if isinstance(b, Paragraph):
            c = about.cell(row=row, column=1, value=neutralise(b.text))
            c.data_type = "s"
            c.style = STYLES.text
            row += 1
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 60
    for b in view.blocks:
        tables: list[Table] = []
        if isinstance(b, TableBlock):
            tables.append(b.table)
        elif isinstance(b, Figure) and b.numbers is not None:
            tables.append(b.numbers)
        for t in tables:
            ws = wb.create_sheet(_sheet_name(t.title, used))
            _write_table(ws, t, 1, STYLES)
            ws.column_dimensions["A"].width = 48
            for j in range(2, len(t.columns) + 2):
                ws.column_dimensions[get_column_letter(j)].width = 16
        if isinstance(b, Figure):
            ws = wb.create_sheet(_sheet_name("Chart " + b.chart.title, used))
            c = ws.cell(row=1, column=1, value=neutralise(b.chart.title))
            c.style = STYLES.heading
            alt = _charts.text_alternative(b.chart)
            c = ws.cell(row=2, column=1, value=neutralise(alt[:2000]))
            c.data_type = "s"
            width = len(_charts.xlsx_rows(b.chart)[0])
            _charts.xlsx_chart(b.chart, ws, f"{get_column_letter(width + 2)}4", "A4")
    if long is not None:
        ws = wb.create_sheet("Answers")
        for j, h in enumerate(long.headings, start=1):
            ws.cell(row=1, column=j, value=h).style = STYLES.header
        for i, r in enumerate(long.rows, start=2):
            for j, v in enumerate(r, start=1):
                if isinstance(v, float):
                    ws.cell(row=i, column=j, value=v)
                else:
                    c = ws.cell(row=i, column=j, value=neutralise(str(v) if v is not None else ""))
                    c.data_type = "s"
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return reproducible(out.getvalue(), generated_on)


def csv_files(view: ReportView, long: LongTable | None) -> dict[str, bytes]:
    """One CSV per table of the view (named by the table's id) and ``answers.csv``."""
    from .data import to_csv

    files: dict[str, bytes] = {}
    for t in view.tables():
        name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in t.id) + ".csv"
        files[name] = to_csv(t)
    if long is not None:
        files["answers.csv"] = to_csv(long)
    return files


def reproducible_zip(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``files`` (name → bytes): names sorted, every entry dated 1 January 1980."""
    from ..render._package import ZIP_EPOCH

    items: Sequence[tuple[str, bytes]] = sorted(
        files.items() if isinstance(files, Mapping) else files
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()

"""DOCX renderers (python-docx): the audit tool, the return form, the guidance document and
action-plan skeletons as Word documents.

What a person gets:

* a title page (logo, set title, kind, version, publisher, contact, return deadline);
* a running header (title and kind) and footer (version, "Page X of Y");
* real heading styles (Heading 1 sections, Heading 2 standards, Heading 3 questions in the
  guidance), so Word's navigation pane and table of contents work;
* paragraph, character and table styles of our own, all named ``SG …`` (``SG Question``,
  ``SG Answer``, ``SG Evidence``, ``SG Standard Table`` …): a partnership restyles the
  document by modifying those styles in Word (or by saving a styled copy as its template).

Forms have one table per standard, three rows per question (the question with its hint,
"Answer if …" and evidence prompts; the answer; the evidence box), wrapped in **content
controls** whose tags are the field names of :mod:`._view` (python-docx has no API for them,
so they are written as ``w:sdt`` XML; see ``renderers-and-anchors.md`` §7.3):

* the answer of every question: a control tagged with the question's full id: plain text
  (multi-line for text answers), a date picker for dates, and for yes-no, rating and choice
  questions a rich-text group holding one **checkbox control** per choice, tagged
  ``<full id>=<choice id>`` (``leadership.governance.named-governor=yes``);
* the evidence box: ``<full id>.evidence``;
* organisation details and sign-off: ``org.name`` … ``signoff.date``.

A control still showing its placeholder carries ``w:showingPlcHdr``; a reader of completed
returns treats those as unanswered.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from itertools import count
from typing import Any
from xml.sax.saxutils import quoteattr

from ..model import Checklist
from . import RenderOptions, renderer
from ._csv import action_plan_table, plain_text
from ._view import (
    ORGANISATION_FIELDS,
    SIGN_OFF_FIELDS,
    AnswerSpace,
    Block,
    CitationView,
    DocumentView,
    Field,
    QuestionView,
    StandardView,
    build_document,
    md_blocks,
    md_to_text,
)

__all__ = ["CHOICE_SEPARATOR", "STYLE_NAMES", "choice_tag"]

#: Between a question's full id and a choice id in a checkbox control's tag.
CHOICE_SEPARATOR = "="

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: Our named styles: (name, type, base style). A partnership restyles these in Word.
STYLE_NAMES: tuple[tuple[str, str, str], ...] = (
    ("SG Meta", "paragraph", "Normal"),
    ("SG Intro", "paragraph", "Normal"),
    ("SG Expectation", "paragraph", "Normal"),
    ("SG Number", "paragraph", "Normal"),
    ("SG Question", "paragraph", "Normal"),
    ("SG Hint", "paragraph", "Normal"),
    ("SG Condition", "paragraph", "Normal"),
    ("SG Evidence", "paragraph", "Normal"),
    ("SG Label", "paragraph", "Normal"),
    ("SG Answer", "paragraph", "Normal"),
    ("SG Choice", "paragraph", "Normal"),
    ("SG Guidance Label", "paragraph", "Normal"),
    ("SG Guidance", "paragraph", "Normal"),
    ("SG Citation", "paragraph", "Normal"),
    ("SG Contents 1", "paragraph", "Normal"),
    ("SG Contents 2", "paragraph", "Normal"),
    ("SG Placeholder", "character", ""),
    ("SG Descriptor", "character", ""),
    ("SG Checkbox", "character", ""),
    ("Hyperlink", "character", ""),
    ("SG Standard Table", "table", "Table Grid"),
)


def choice_tag(full_id: str, choice_id: str) -> str:
    """The tag of the checkbox control for one choice of a question."""
    return f"{full_id}{CHOICE_SEPARATOR}{choice_id}"


# -- the document -------------------------------------------------------------------------------


class _Doc:
    """A python-docx Document being built, with our styles and a counter for control ids."""

    def __init__(self, view: DocumentView, landscape: bool = False) -> None:
        import docx

        self.view = view
        self.d: Any = docx.Document()
        self._ids = count(1)
        self._page(landscape)
        self._styles()
        self.ids: dict[str, str] = {str(st.name): str(st.style_id) for st in self.d.styles}
        props = self.d.core_properties
        props.title = view.document_title
        props.subject = view.kind_label
        props.author = view.publisher.name if view.publisher else "safeguard-standards"
        props.keywords = view.checklist.ref
        props.comments = ""

    def next_id(self) -> int:
        return next(self._ids)

    def link(self, url: str) -> str:
        """The relationship id of an external hyperlink to ``url`` (one per url)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        return str(self.d.part.relate_to(url, RT.HYPERLINK, is_external=True))

    def style_id(self, name: str) -> str:
        """The id of a style by name (looked up once: python-docx's lookup by name is slow)."""
        return self.ids[name]

    def _page(self, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm

        section = self.d.sections[0]
        width, height = Cm(21.0), Cm(29.7)  # A4
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            width, height = height, width
        section.page_width, section.page_height = width, height
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.0))

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        kinds = {
            "paragraph": WD_STYLE_TYPE.PARAGRAPH,
            "character": WD_STYLE_TYPE.CHARACTER,
            "table": WD_STYLE_TYPE.TABLE,
        }
        styles = self.d.styles
        grey = RGBColor(0x50, 0x5A, 0x5F)
        for name, kind, base in STYLE_NAMES:
            style = styles.add_style(name, kinds[kind])
            if base:
                style.base_style = styles[base]
            style.hidden = False
            style.quick_style = kind == "paragraph"
        styles["Normal"].font.name = "Arial"
        styles["Normal"].font.size = Pt(11)
        fmt: dict[str, dict[str, Any]] = {
            "SG Number": {"bold": True},
            "SG Question": {"bold": True},
            "SG Hint": {"size": 9, "color": grey},
            "SG Condition": {"italic": True, "color": grey},
            "SG Evidence": {"size": 9},
            "SG Label": {"bold": True, "size": 9},
            "SG Answer": {},
            "SG Choice": {},
            "SG Expectation": {"italic": True},
            "SG Guidance Label": {"bold": True},
            "SG Citation": {"size": 9},
            "SG Meta": {"size": 12},
            "SG Contents 2": {},
            "SG Placeholder": {"color": RGBColor(0x76, 0x76, 0x76)},
            "SG Descriptor": {"color": grey, "size": 9},
            "SG Checkbox": {"name": "MS Gothic"},
            "Hyperlink": {"color": RGBColor(0x1D, 0x70, 0xB8), "underline": True},
        }
        for name, values in fmt.items():
            font = styles[name].font
            for attr, value in values.items():
                if attr == "color":
                    font.color.rgb = value
                elif attr == "size":
                    font.size = Pt(value)
                else:
                    setattr(font, attr, value)
        for name in (
            "SG Number",
            "SG Question",
            "SG Hint",
            "SG Condition",
            "SG Evidence",
            "SG Label",
            "SG Answer",
            "SG Choice",
            "SG Citation",
        ):
            pf = styles[name].paragraph_format
            pf.space_before, pf.space_after = Pt(0), Pt(3)
        styles["SG Contents 2"].paragraph_format.left_indent = Pt(14)
        styles["SG Intro"].paragraph_format.space_after = Pt(6)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.d.save(out)
        return out.getvalue()


def _xml(text: str) -> str:
    """``text`` escaped for an XML attribute value, without the surrounding quotes."""
    return quoteattr(text)[1:-1]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(xml: str) -> Any:
    from docx.oxml import parse_xml

    return parse_xml(xml)


# -- content controls ---------------------------------------------------------------------------


def _sdt_pr(doc: _Doc, tag: str, alias: str, kind_xml: str, placeholder: bool) -> str:
    return (
        f'<w:sdtPr><w:alias w:val="{_xml(alias)}"/><w:tag w:val="{_xml(tag)}"/>'
        f'<w:id w:val="{doc.next_id()}"/>'
        + ("<w:showingPlcHdr/>" if placeholder else "")
        + kind_xml
        + "</w:sdtPr>"
    )


def _text_control_xml(doc: _Doc, tag: str, alias: str, placeholder: str, kind: str = "text") -> str:
    """A run-level plain-text (or date) content control showing ``placeholder``."""
    if kind == "date":
        kind_xml = (
            '<w:date><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/>'
            '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>'
        )
    elif kind == "multiline":
        kind_xml = '<w:text w:multiLine="1"/>'
    else:
        kind_xml = "<w:text/>"
    run = _run_xml(placeholder, style=doc.ids["SG Placeholder"])
    pr = _sdt_pr(doc, tag, alias, kind_xml, True)
    return f"<w:sdt>{pr}<w:sdtContent>{run}</w:sdtContent></w:sdt>"


def _text_control(doc: _Doc, tag: str, alias: str, placeholder: str, kind: str = "text") -> Any:
    """:func:`_text_control_xml` as an element."""
    xml = _text_control_xml(doc, tag, alias, placeholder, kind)
    return _parse(xml.replace("<w:sdt>", f'<w:sdt xmlns:w="{_W}">', 1))


def _checkbox_xml(doc: _Doc, tag: str, alias: str) -> str:
    """A run-level checkbox content control showing ☐ (☒ when ticked)."""
    kind_xml = (
        '<w14:checkbox><w14:checked w14:val="0"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
    )
    style = doc.ids["SG Checkbox"]
    return (
        f"<w:sdt>{_sdt_pr(doc, tag, alias, kind_xml, False)}"
        f'<w:sdtContent><w:r><w:rPr><w:rStyle w:val="{style}"/>'
        '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr>'
        "<w:t>☐</w:t></w:r></w:sdtContent></w:sdt>"
    )


# -- WordprocessingML written as text (tables of questions: performance goal G7) -----------------

_NS = f'xmlns:w="{_W}" xmlns:w14="{_W14}" xmlns:r="{_R}"'


def _run_xml(
    text: str, *, bold: bool = False, italic: bool = False, style: str = "", mono: bool = False
) -> str:
    props = f'<w:rStyle w:val="{style}"/>' if style else ""
    if mono:
        props += '<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas"/>'
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(_esc(t) for t in text.split("\n"))
    return f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'


def _block_runs_xml(doc: _Doc, block: Block) -> str:
    out = []
    for run in block.runs:
        if run.href and run.href.lower().startswith(_SAFE_LINK):
            r_id = doc.link(run.href)
            inner = _run_xml(run.text, style=doc.ids["Hyperlink"])
            out.append(f'<w:hyperlink r:id="{r_id}">{inner}</w:hyperlink>')
        else:
            out.append(_run_xml(run.text, bold=run.bold, italic=run.italic, mono=run.code))
    return "".join(out)


def _para_xml(doc: _Doc, style: str, inner: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{doc.ids[style]}"/></w:pPr>{inner}</w:p>'


def _tc_xml(width: int, inner: str) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{inner}</w:tc>'


def _tr_xml(cells: str, *, cant_split: bool = True, height: int = 0) -> str:
    props = "<w:cantSplit/>" if cant_split else ""
    if height:
        props += f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>'
    return f"<w:tr><w:trPr>{props}</w:trPr>{cells}</w:tr>" if props else f"<w:tr>{cells}</w:tr>"


def _tbl_xml(doc: _Doc, widths: Sequence[int], rows: str) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl {_NS}><w:tblPr><w:tblStyle w:val="{doc.ids["SG Standard Table"]}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="0" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
    )


def _append_body(doc: _Doc, xml: str) -> None:
    """Parse ``xml`` (one element) and add it at the end of the document body."""
    element = _parse(xml)
    body = doc.d.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(element)
    else:
        body.append(element)


# -- prose --------------------------------------------------------------------------------------


def _hyperlink(paragraph: Any, text: str, url: str, doc: _Doc) -> None:
    r_id = doc.link(url)
    run = _run_xml(text, style=doc.ids["Hyperlink"])
    paragraph._p.append(_parse(f'<w:hyperlink {_NS} r:id="{r_id}">{run}</w:hyperlink>'))


_SAFE_LINK = ("https://", "http://", "mailto:")


def _runs(paragraph: Any, block: Block, doc: _Doc) -> None:
    for run in block.runs:
        if run.href and run.href.lower().startswith(_SAFE_LINK):
            _hyperlink(paragraph, run.text, run.href, doc)
            continue
        r = paragraph.add_run(run.text)
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True
        if run.code:
            r.font.name = "Consolas"


def _add_markdown(container: Any, markdown: str, style: str, doc: _Doc) -> None:
    """Markdown prose as paragraphs of ``container`` (a document or a table cell)."""
    for block in md_blocks(markdown):
        if block.kind in ("bullet", "ordered"):
            base = "List Bullet" if block.kind == "bullet" else "List Number"
            p = _p(doc, container, base if block.level <= 1 else f"{base} 2")
        elif block.kind == "quote":
            p = _p(doc, container, "Quote")
        else:
            p = _p(doc, container, style)
        if block.kind == "heading":
            p.add_run(block.text).bold = True
        else:
            _runs(p, block, doc)


def _p(doc: _Doc, container: Any, style: str, text: str = "") -> Any:
    """A new paragraph in ``container`` (the document or a cell) with the named style."""
    p = container.add_paragraph()
    p._p.style = doc.ids[style]
    if text:
        p.add_run(text)
    return p


def _first_paragraph(doc: _Doc, cell: Any, style: str) -> Any:
    """The cell's first (empty) paragraph, styled: python-docx gives every new cell one."""
    p = cell.paragraphs[0]
    p._p.style = doc.ids[style]
    return p


def _table(doc: _Doc, rows: int, cols: int) -> Any:
    table = doc.d.add_table(rows=rows, cols=cols)
    table._tbl.tblStyle_val = doc.ids["SG Standard Table"]
    return table


# -- title page, header and footer -------------------------------------------------------------


def _facts(view: DocumentView) -> list[tuple[str, str]]:
    facts = [("Version", view.version)]
    if view.effective:
        facts.append(("In force", view.effective))
    pub = view.publisher
    if pub is not None:
        facts.append(("Published by", pub.name))
        if pub.contact:
            facts.append(("Contact", pub.contact))
        if pub.url:
            facts.append(("Website", pub.url))
        if pub.return_deadline:
            facts.append(("Return by", pub.return_deadline))
    facts.extend(view.audience)
    if view.generated_on:
        facts.append(("Produced on", view.generated_on))
    return facts


_PICTURE_TYPES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;")


def _logo(doc: _Doc) -> None:
    """The publisher's logo (PNG, JPEG or GIF; Word cannot take SVG or WebP from here)."""
    from docx.shared import Cm

    uri = doc.view.logo
    if not uri.startswith(_PICTURE_TYPES) or ";base64," not in uri:
        return
    data = base64.b64decode(uri.split(",", 1)[1])
    doc.d.add_paragraph().add_run().add_picture(io.BytesIO(data), width=Cm(5))


def _title_page(doc: _Doc, page_break: bool = True) -> None:
    view = doc.view
    _logo(doc)
    _p(doc, doc.d, "Title", view.title)
    _p(doc, doc.d, "Subtitle", view.kind_label)
    for label, value in _facts(view):
        p = _p(doc, doc.d, "SG Meta")
        p.add_run(f"{label}: ").bold = True
        if label == "Website" and value.lower().startswith(("https://", "http://")):
            _hyperlink(p, value, value, doc)
        else:
            p.add_run(value)
    if view.checklist.description:
        _add_markdown(doc.d, view.checklist.description, "SG Intro", doc)
    if page_break:
        doc.d.add_page_break()


def _field(paragraph: Any, instr: str, shown: str) -> None:
    paragraph._p.append(
        _parse(
            f'<w:fldSimple xmlns:w="{_W}" w:instr="{_xml(instr)}"><w:r><w:t>{_esc(shown)}</w:t>'
            "</w:r></w:fldSimple>"
        )
    )


def _header_footer(doc: _Doc) -> None:
    view = doc.view
    section = doc.d.sections[0]
    header = section.header.paragraphs[0]
    header.text = f"{view.title} — {view.kind_label}"
    footer = section.footer.paragraphs[0]
    footer.add_run(f"Version {view.version}    Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")


# -- forms --------------------------------------------------------------------------------------


def _row_height(row: Any, twips: int) -> None:
    """At least ``twips`` high (room to write on a printed form)."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_parse(f'<w:trHeight xmlns:w="{_W}" w:val="{twips}" w:hRule="atLeast"/>'))


def _answer_xml(doc: _Doc, q: QuestionView) -> str:
    """The answer cell's content: checkbox lines in a group control, or a text control."""
    answer: AnswerSpace = q.answer
    alias = f"Answer {q.number}"
    if answer.choices:
        lines = []
        for choice in answer.choices:
            inner = _checkbox_xml(doc, choice_tag(q.full_id, choice.id), choice.label)
            inner += _run_xml(f" {choice.label}")
            if choice.describe:
                inner += _run_xml(
                    f" — {md_to_text(choice.describe)}", style=doc.ids["SG Descriptor"]
                )
            lines.append(_para_xml(doc, "SG Choice", inner))
        pr = _sdt_pr(doc, q.full_id, alias, "", False)
        return f"<w:sdt>{pr}<w:sdtContent>{''.join(lines)}</w:sdtContent></w:sdt>"
    kind = {"date": "date", "text": "multiline"}.get(answer.control, "text")
    inner = _text_control_xml(doc, q.full_id, alias, answer.description, kind)
    if answer.control == "number" and answer.unit and answer.unit != "%":
        inner += _run_xml(f" {answer.unit}")
    return _para_xml(doc, "SG Answer", inner)


def _question_xml(doc: _Doc, q: QuestionView, widths: Sequence[int]) -> str:
    """Three table rows: the question, the answer, the evidence box."""
    left, right = widths
    text = "".join(
        _para_xml(doc, "SG Question", _block_runs_xml(doc, b)) for b in md_blocks(q.text)
    )
    if q.condition:
        text += _para_xml(doc, "SG Condition", _run_xml(q.condition))
    if q.answer.choices:
        text += _para_xml(doc, "SG Hint", _run_xml(q.answer.description))
    if q.evidence:
        prompts = "; ".join(plain_text(e) for e in q.evidence)
        text += _para_xml(
            doc, "SG Evidence", _run_xml("Evidence to look for: ", bold=True) + _run_xml(prompts)
        )
    number = _para_xml(doc, "SG Number", _run_xml(q.number))
    top = _tr_xml(_tc_xml(left, number) + _tc_xml(right, text))
    label = _para_xml(doc, "SG Label", _run_xml("Answer"))
    height = 1134 if q.answer.control == "text" else 0
    answer = _tr_xml(_tc_xml(left, label) + _tc_xml(right, _answer_xml(doc, q)), height=height)
    label = _para_xml(doc, "SG Label", _run_xml("Evidence"))
    box = _text_control_xml(
        doc,
        q.evidence_field,
        f"Evidence {q.number}",
        "What evidence you hold, and where",
        "multiline",
    )
    evidence = _tr_xml(
        _tc_xml(left, label) + _tc_xml(right, _para_xml(doc, "SG Answer", box)), height=850
    )
    return top + answer + evidence


def _widths(table: Any, widths: Sequence[Any]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _header_row(row: Any) -> None:
    row._tr.get_or_add_trPr().append(_parse(f'<w:tblHeader xmlns:w="{_W}"/>'))


_QUESTION_WIDTHS = (1191, 8447)  # 2.1 cm and 14.9 cm, in twentieths of a point


def _standard_table(doc: _Doc, standard: StandardView) -> None:
    rows = "".join(_question_xml(doc, q, _QUESTION_WIDTHS) for q in standard.questions)
    _append_body(doc, _tbl_xml(doc, _QUESTION_WIDTHS, rows))


def _fields_table(doc: _Doc, fields: Iterable[Field]) -> None:
    from docx.shared import Cm

    table = _table(doc, 0, 2)
    for f in fields:
        row = table.add_row()
        _first_paragraph(doc, row.cells[0], "SG Label").add_run(f.label)
        p = _first_paragraph(doc, row.cells[1], "SG Answer")
        placeholder = "A date" if f.type == "date" else " "
        p._p.append(_text_control(doc, f.name, f.label, placeholder, f.type))
        _row_height(row, 567)
    _widths(table, (Cm(6.0), Cm(11.0)))


def _form(view: DocumentView) -> bytes:
    doc = _Doc(view)
    _header_footer(doc)
    _title_page(doc, page_break=False)
    _p(doc, doc.d, "Heading 1", "Organisation details")
    _fields_table(doc, ORGANISATION_FIELDS)
    _p(doc, doc.d, "Heading 1", "How to fill it in")
    for line in _HOW_TO:
        _p(doc, doc.d, "List Bullet", line)
    doc.d.add_page_break()
    for section in view.sections:
        _p(doc, doc.d, "Heading 1", f"{section.number} {section.title}")
        if section.section.intro:
            _add_markdown(doc.d, section.section.intro, "SG Intro", doc)
        for standard in section.standards:
            _p(doc, doc.d, "Heading 2", f"{standard.number} {standard.title}")
            if standard.standard.expectation:
                _add_markdown(doc.d, standard.standard.expectation, "SG Expectation", doc)
            _standard_table(doc, standard)
    _p(doc, doc.d, "Heading 1", "Sign-off")
    _p(
        doc,
        doc.d,
        "SG Intro",
        "Signed on behalf of the organisation by the person accountable for safeguarding.",
    )
    _fields_table(doc, SIGN_OFF_FIELDS)
    return doc.save()


_HOW_TO = (
    "Answer every question: tick one box where there are boxes, otherwise type in the "
    "grey answer area (click it first).",
    "A question marked “Answer if …” needs an answer only when that condition holds.",
    "Say in each Evidence box what evidence you hold and where it is kept.",
    "Keep the document's structure as it is: the answer areas carry the field names a "
    "completed return is read back by.",
)


# -- guidance -----------------------------------------------------------------------------------


def _toc(doc: _Doc) -> None:
    """A table-of-contents field (Word fills in page numbers when it updates the field, which
    it offers to do on opening), pre-filled with the section and standard headings."""
    view = doc.view
    entries: list[tuple[int, str]] = [(1, "Rating levels")] if view.scales else []
    for s in view.sections:
        entries.append((1, f"{s.number} {s.title}"))
        entries.extend((2, f"{st.number} {st.title}") for st in s.standards)
    if view.references:
        entries.append((1, "References"))
    if not entries:
        entries = [(1, "Right-click and choose Update Field to show the contents.")]
    _p(doc, doc.d, "TOC Heading", "Contents")
    instr = ' TOC \\o "1-3" \\h \\z \\u '
    for i, (level, text) in enumerate(entries):
        p = _p(doc, doc.d, f"SG Contents {level}")
        if i == 0:
            p._p.append(
                _parse(
                    f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                )
            )
            p._p.append(
                _parse(
                    f'<w:r xmlns:w="{_W}"><w:instrText xml:space="preserve">{_esc(instr)}'
                    "</w:instrText></w:r>"
                )
            )
            p._p.append(_parse(f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="separate"/></w:r>'))
        p.add_run(text)
        if i == len(entries) - 1:
            p._p.append(_parse(f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="end"/></w:r>'))
    _update_fields_on_open(doc)


def _update_fields_on_open(doc: _Doc) -> None:
    from docx.oxml.ns import qn

    settings = doc.d.settings.element
    element = _parse(f'<w:updateFields xmlns:w="{_W}" w:val="true"/>')
    # CT_Settings is a sequence: updateFields comes before these.
    later = {
        qn(f"w:{n}")
        for n in (
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "themeFontLang",
            "clrSchemeMapping",
            "shapeDefaults",
            "decimalSymbol",
            "listSeparator",
        )
    }
    for child in settings:
        if child.tag in later:
            child.addprevious(element)
            return
    settings.append(element)


def _citations(doc: _Doc, citations: Sequence[CitationView], container: Any = None) -> None:
    target = container if container is not None else doc.d
    for c in citations:
        p = _p(doc, target, "SG Citation")
        if c.url:
            _hyperlink(p, c.text, c.url, doc)
        else:
            p.add_run(c.text)
        if c.note:
            p.add_run(f" — {c.note}")


def _guidance_part(doc: _Doc, label: str, markdown: str) -> None:
    if not markdown:
        return
    _p(doc, doc.d, "SG Guidance Label", label)
    _add_markdown(doc.d, markdown, "SG Guidance", doc)


def _guidance_question(doc: _Doc, q: QuestionView) -> None:
    _p(doc, doc.d, "Heading 3", f"{q.number} {plain_text(q.text)}")
    if q.condition:
        _p(doc, doc.d, "SG Condition", q.condition)
    hint = q.answer.description
    if q.answer.choices:
        hint += ": " + ", ".join(c.label for c in q.answer.choices)
    _p(doc, doc.d, "SG Hint", hint)
    g = q.guidance
    _guidance_part(doc, "Why we ask", g.why)
    _guidance_part(doc, "What good looks like", g.good)
    if q.evidence:
        _p(doc, doc.d, "SG Guidance Label", "Evidence")
        for e in q.evidence:
            _add_markdown(doc.d, e, "List Bullet", doc)
    _guidance_part(doc, "Help and support", g.support)
    if q.citations:
        _p(doc, doc.d, "SG Guidance Label", "References")
        _citations(doc, q.citations)


def _scales(doc: _Doc) -> None:
    from docx.shared import Cm

    if not doc.view.scales:
        return
    _p(doc, doc.d, "Heading 1", "Rating levels")
    for scale in doc.view.scales:
        if len(doc.view.scales) > 1:
            _p(doc, doc.d, "Heading 2", f"Scale: {scale.id}")
        table = _table(doc, 1, 2)
        _header_row(table.rows[0])
        for cell, text in zip(table.rows[0].cells, ("Level", "What it means"), strict=True):
            _first_paragraph(doc, cell, "SG Label").add_run(text)
        for level in scale.levels:
            row = table.add_row()
            _first_paragraph(doc, row.cells[0], "SG Answer").add_run(level.label).bold = True
            p = _first_paragraph(doc, row.cells[1], "SG Answer")
            p.add_run(md_to_text(level.describe) if level.describe else "")
            if level.requires:
                _p(
                    doc,
                    row.cells[1],
                    "SG Hint",
                    "An answer at this level needs: " + ", ".join(level.requires) + ".",
                )
        _widths(table, (Cm(5.0), Cm(12.0)))


def _guidance(view: DocumentView) -> bytes:
    doc = _Doc(view)
    _header_footer(doc)
    _title_page(doc)
    _toc(doc)
    doc.d.add_page_break()
    _scales(doc)
    for section in view.sections:
        _p(doc, doc.d, "Heading 1", f"{section.number} {section.title}")
        if section.section.intro:
            _add_markdown(doc.d, section.section.intro, "SG Intro", doc)
        for standard in section.standards:
            _p(doc, doc.d, "Heading 2", f"{standard.number} {standard.title}")
            s = standard.standard
            if s.expectation:
                _add_markdown(doc.d, s.expectation, "SG Expectation", doc)
            if s.guidance:
                _add_markdown(doc.d, s.guidance, "SG Guidance", doc)
            _citations(doc, standard.citations)
            for q in standard.questions:
                _guidance_question(doc, q)
    if view.references:
        _p(doc, doc.d, "Heading 1", "References")
        _citations(doc, view.references)
    return doc.save()


# -- action plans -------------------------------------------------------------------------------


def _action_plan(view: DocumentView, options: RenderOptions) -> bytes:
    from docx.shared import Cm

    doc = _Doc(view, landscape=True)
    _header_footer(doc)
    _title_page(doc, page_break=False)
    head, rows = action_plan_table(view.checklist, options)
    keep = [i for i, (cid, _) in enumerate(head) if cid not in ("id", "section")]
    by_section: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        by_section.setdefault(row[0].split(".")[0], []).append(row)
    fixed = sum(1 for cid, _ in head if cid in ("ref", "standard", "question"))
    plan_width = 25.7 - 1.4 - 6.0
    plan_cols = len(keep) - fixed
    widths = [Cm(1.4), Cm(6.0)] + [Cm(plan_width / max(plan_cols, 1))] * plan_cols
    if fixed == 3:
        widths = [Cm(1.4), Cm(4.0), Cm(5.0)] + [Cm((25.7 - 10.4) / max(plan_cols, 1))] * plan_cols
    for section in view.sections:
        section_rows = by_section.get(section.number, [])
        if not section_rows:
            continue
        _p(doc, doc.d, "Heading 1", f"{section.number} {section.title}")
        table = _table(doc, 1, len(keep))
        _header_row(table.rows[0])
        for cell, i in zip(table.rows[0].cells, keep, strict=True):
            _first_paragraph(doc, cell, "SG Label").add_run(head[i][1])
        for values in section_rows:
            row = table.add_row()
            _row_height(row, 850)
            for cell, i in zip(row.cells, keep, strict=True):
                p = _first_paragraph(doc, cell, "SG Answer")
                if values[i]:
                    p.add_run(values[i])
        _widths(table, widths)
    return doc.save()


# -- registration -------------------------------------------------------------------------------


@renderer("form", "docx")
def render_form(checklist: Checklist, options: RenderOptions) -> bytes:
    """The audit tool as a Word document with content controls."""
    return _form(build_document(checklist, "form", options))


@renderer("return-form", "docx")
def render_return_form(checklist: Checklist, options: RenderOptions) -> bytes:
    """The return form (``in_return`` questions) as a Word document."""
    return _form(build_document(checklist, "return-form", options))


@renderer("guidance", "docx")
def render_guidance(checklist: Checklist, options: RenderOptions) -> bytes:
    """The guidance document as Word, with a table of contents field."""
    return _guidance(build_document(checklist, "guidance", options))


@renderer("action-plan", "docx")
def render_action_plan(checklist: Checklist, options: RenderOptions) -> bytes:
    """An action-plan skeleton as a landscape Word table per section."""
    return _action_plan(build_document(checklist, "action-plan", options), options)

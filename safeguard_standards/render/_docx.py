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
"Answer if …" and evidence prompts; the answer; the evidence box; and an action box for a
rating question whose scale has a level that ``requires: [action]``), wrapped in **content
controls** whose tags are the field names of :mod:`._view` (python-docx has no API for them,
so they are written as ``w:sdt`` XML; see "DOCX content controls" in docs/rendering-office.md):

* the answer of every question: a control tagged with the question's full id: plain text
  (multi-line for text answers), a date picker for dates, and for yes-no, rating and choice
  questions a rich-text group holding one **checkbox control** per choice, tagged
  ``<full id>=<choice id>`` (``leadership.governance.named-governor=yes``);
* the evidence box: ``<full id>.evidence``; the action box: ``<full id>.action`` (plain
  text, multi-line; its placeholder names the levels that need an action);
* organisation details and sign-off: ``org.name`` … ``signoff.date``.

Every tag is made by :func:`safeguard_standards.fields.encode` (format ``docx``), which
:func:`~safeguard_standards.fields.decode` reverses. Every document carries the envelope
(:mod:`safeguard_standards.envelope`) as custom document properties (``sg_set`` …).

A control still showing its placeholder carries ``w:showingPlcHdr``; a reader of completed
returns treats those as unanswered.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from itertools import count
from typing import Any
from xml.sax.saxutils import quoteattr

from .. import fields as codec
from ..envelope import Envelope
from . import RenderOptions, writer
from ._csv import action_plan_table, plain_text
from ._envelope import envelope_of
from ._view import (
    ORGANISATION_FIELDS,
    AnswerSpace,
    Block,
    CitationView,
    DocumentView,
    Field,
    QuestionView,
    md_blocks,
    md_to_text,
)

__all__ = ["CHOICE_SEPARATOR", "STYLE_NAMES", "choice_tag"]

#: Between a question's full id and a choice id in a checkbox control's tag.
CHOICE_SEPARATOR = codec.DOCX_CHOICE_SEPARATOR

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
    return codec.encode("docx", codec.choice(full_id, choice_id))


# -- the document -------------------------------------------------------------------------------


class _Doc:
    """A python-docx Document being built, with our styles and a counter for control ids."""

    def __init__(self, view: DocumentView, envelope: Envelope, landscape: bool = False) -> None:
        import docx

        self.view = view
        self.envelope = envelope
        self.d: Any = docx.Document()
        self._ids = count(1)
        self._buf: list[str] = []
        self._break_next = False
        self._page(landscape)
        self._styles()
        self.ids: dict[str, str] = {str(st.name): str(st.style_id) for st in self.d.styles}
        props = self.d.core_properties
        # Word's document properties hold at most 255 characters (python-docx raises beyond)
        props.title = _clip(view.document_title)
        props.subject = _clip(view.kind_label)
        props.author = _clip(view.publisher.name if view.publisher else "safeguard-standards")
        props.keywords = _clip(view.checklist.ref)
        props.comments = ""
        props.last_modified_by = props.author
        # created/modified: set (or removed) for every package in render._package

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, xml: str) -> None:
        """Queue body-level WordprocessingML (paragraphs, tables) for the end of the body."""
        if self._break_next and xml:
            self._break_next = False
            start = "<w:p><w:pPr><w:pStyle "
            end = xml.find("/>", len(start)) + 2
            if xml.startswith(start) and end > 1:
                # the paragraph itself starts the page: a page-break paragraph after a full
                # page would start a page of its own and leave it blank
                xml = xml[:end] + "<w:pageBreakBefore/>" + xml[end:]
            else:
                self._buf.append(_page_break())
        self._buf.append(xml)

    def page_break(self) -> None:
        """Start a new page with the next paragraph added (``pageBreakBefore`` on it)."""
        self._break_next = True

    def flush(self) -> None:
        """Parse the queued XML once and move it to the end of the body (before sectPr)."""
        if not self._buf:
            return
        wrapper = _parse(f"<w:body {_NS}>{''.join(self._buf)}</w:body>")
        self._buf.clear()
        body = self.d.element.body
        anchor = body.sectPr
        for child in list(wrapper):
            if anchor is not None:
                anchor.addprevious(child)
            else:
                body.append(child)

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
            "SG Contents 1",
            "SG Contents 2",
        ):
            pf = styles[name].paragraph_format
            pf.space_before, pf.space_after = Pt(0), Pt(3)
        styles["SG Contents 2"].paragraph_format.left_indent = Pt(14)
        styles["SG Intro"].paragraph_format.space_after = Pt(6)

    def save(self) -> bytes:
        """The .docx. The body queued since the last flush is not parsed into python-docx's
        tree (about 13 times the XML's size in memory: 640 MB at 17,000 questions) but put
        into ``word/document.xml`` as text, after a check that it is well-formed."""
        body = "".join(self._buf)
        self._buf.clear()
        _check_well_formed(f"<w:body {_NS}>{body}</w:body>")
        self.add(_PLACEHOLDER)
        self.flush()
        self._custom_properties()
        out = io.BytesIO()
        self.d.save(out)
        return _splice(out.getvalue(), _PLACEHOLDER, body)

    def _custom_properties(self) -> None:
        """The envelope as custom document properties (File › Properties › Custom)."""
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        props = "".join(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
            f'name="{_xml(name)}"><vt:lpwstr>{_esc(value)}</vt:lpwstr></property>'
            for pid, (name, value) in enumerate(self.envelope.to_properties().items(), start=2)
        )
        blob = (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Properties xmlns="{_CUSTOM}" xmlns:vt="{_VT}">{props}</Properties>'
        ).encode()
        package = self.d.part.package
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)


_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

# A paragraph that stands where the body's text goes until the package is written.
_PLACEHOLDER = "<w:p><w:r><w:t>safeguard-standards:body</w:t></w:r></w:p>"


def _check_well_formed(text: str) -> None:
    """Raise if ``xml`` is not well-formed (namespaces included); expat with no handlers
    builds nothing, so this costs no memory."""
    from xml.parsers import expat

    expat.ParserCreate(namespace_separator=" ").Parse(text.encode("utf-8"), True)


def _splice(package: bytes, placeholder: str, body: str) -> bytes:
    """``package`` with ``placeholder`` in word/document.xml replaced by ``body``; every
    other entry (and every entry's name, date and compression) copied as it is."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                if text.count(placeholder) != 1:  # pragma: no cover - python-docx changed
                    raise AssertionError("the document body placeholder was not written once")
                data = text.replace(placeholder, body).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def _clip(text: str, limit: int = 255) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis) for a document property."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


# characters XML 1.0 cannot carry (a return's text read from JSON may hold them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_control_xml(
    doc: _Doc, tag: str, alias: str, placeholder: str, kind: str = "text", value: str = ""
) -> str:
    """A run-level plain-text (or date) content control showing ``placeholder``, or
    ``value`` (a completed return's text; a date as ``YYYY-MM-DD``, shown as Word's date
    picker shows it and kept in ``w:fullDate``)."""
    value = _NOT_XML.sub("", value)
    day = None
    if kind == "date" and value:
        with contextlib.suppress(ValueError):
            day = datetime.date.fromisoformat(value.strip())
    if kind == "date":
        full = f' w:fullDate="{day.isoformat()}T00:00:00Z"' if day is not None else ""
        kind_xml = (
            f'<w:date{full}><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/>'
            '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>'
        )
    elif kind == "multiline":
        kind_xml = '<w:text w:multiLine="1"/>'
    else:
        kind_xml = "<w:text/>"
    if value.strip():
        run = _run_xml(day.strftime("%d/%m/%Y") if day is not None else value)
    else:
        run = _run_xml(placeholder, style=doc.ids["SG Placeholder"])
    pr = _sdt_pr(doc, tag, alias, kind_xml, not value.strip())
    return f"<w:sdt>{pr}<w:sdtContent>{run}</w:sdtContent></w:sdt>"


def _checkbox_xml(doc: _Doc, tag: str, alias: str, ticked: bool = False) -> str:
    """A run-level checkbox content control showing ☐ (☒ when ticked)."""
    kind_xml = (
        f'<w14:checkbox><w14:checked w14:val="{1 if ticked else 0}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
    )
    style = doc.ids["SG Checkbox"]
    return (
        f"<w:sdt>{_sdt_pr(doc, tag, alias, kind_xml, False)}"
        f'<w:sdtContent><w:r><w:rPr><w:rStyle w:val="{style}"/>'
        '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr>'
        f"<w:t>{'☒' if ticked else '☐'}</w:t></w:r></w:sdtContent></w:sdt>"
    )


# -- WordprocessingML written as text (tables of questions: the DOCX target, docs/performance.md)

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


_SAFE_LINK = ("https://", "http://", "mailto:")


def _link_xml(doc: _Doc, text: str, url: str) -> str:
    inner = _run_xml(text, style=doc.ids["Hyperlink"])
    return f'<w:hyperlink r:id="{doc.link(url)}">{inner}</w:hyperlink>'


def _text_para(doc: _Doc, style: str, text: str) -> str:
    return _para_xml(doc, style, _run_xml(text) if text else "")


def _page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def _markdown_xml(doc: _Doc, markdown: str, style: str) -> str:
    """Markdown prose as paragraphs: lists in List Bullet / List Number, quotes in Quote."""
    out = []
    for block in md_blocks(markdown):
        if block.kind in ("bullet", "ordered"):
            base = "List Bullet" if block.kind == "bullet" else "List Number"
            name = base if block.level <= 1 else f"{base} 2"
        elif block.kind == "quote":
            name = "Quote"
        else:
            name = style
        if block.kind == "heading":
            out.append(_para_xml(doc, name, _run_xml(block.text, bold=True)))
        else:
            out.append(_para_xml(doc, name, _block_runs_xml(doc, block)))
    return "".join(out)


def _table_xml(
    doc: _Doc,
    widths: Sequence[int],
    rows: Sequence[Sequence[str]],
    header: bool = False,
    height: int = 0,
) -> str:
    """A table from each cell's paragraphs (XML); the first row repeats on every page if
    ``header``; the other rows are at least ``height`` high (room to write)."""
    out = []
    for i, cells in enumerate(rows):
        tcs = "".join(_tc_xml(w, c) for w, c in zip(widths, cells, strict=True))
        if header and i == 0:
            out.append(f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{tcs}</w:tr>")
        else:
            out.append(_tr_xml(tcs, height=height))
    return _tbl_xml(doc, widths, "".join(out))


# -- title page, header and footer -------------------------------------------------------------


_PICTURE_TYPES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;")


def _logo(doc: _Doc) -> None:
    """The publisher's logo (PNG, JPEG or GIF; python-docx cannot embed SVG or WebP)."""
    from docx.shared import Cm

    uri = doc.view.logo
    if not uri.startswith(_PICTURE_TYPES) or ";base64," not in uri:
        return
    data = base64.b64decode(uri.split(",", 1)[1])
    doc.flush()
    try:  # checked already (render._assets); python-docx reads headers its own way
        doc.d.add_paragraph().add_run().add_picture(io.BytesIO(data), width=Cm(5))
    except Exception as exc:  # any failure of python-docx's image parser
        from . import RenderError

        pub = doc.view.publisher
        where = str(pub.logo_at) if pub is not None and pub.logo_at.line else ""
        raise RenderError(
            f"the logo cannot be put in a Word document ({type(exc).__name__})",
            "save the logo again as PNG",
            "SG422",
            where=where,
        ) from None


def _title_page(doc: _Doc, page_break: bool = True) -> None:
    view = doc.view
    _logo(doc)
    doc.add(_text_para(doc, "Title", view.title))
    doc.add(_text_para(doc, "Subtitle", view.kind_label))
    for label, value in view.cover_facts():
        inner = _run_xml(f"{label}: ", bold=True)
        if label == "Website" and value.lower().startswith(("https://", "http://")):
            inner += _link_xml(doc, value, value)
        else:
            inner += _run_xml(value)
        doc.add(_para_xml(doc, "SG Meta", inner))
    if view.checklist.description:
        doc.add(_markdown_xml(doc, view.checklist.description, "SG Intro"))
    if page_break:
        doc.page_break()


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


def _answer_xml(doc: _Doc, q: QuestionView) -> str:
    """The answer cell's content: checkbox lines in a group control, or a text control."""
    answer: AnswerSpace = q.answer
    alias = f"Answer {q.number}"
    if answer.choices:
        lines = []
        for choice in answer.choices:
            tag = codec.encode("docx", q.choice_ref(choice.id))
            inner = _checkbox_xml(doc, tag, choice.label, q.checked(choice.id))
            inner += _run_xml(f" {choice.label}")
            if choice.describe:
                inner += _run_xml(
                    f" — {md_to_text(choice.describe)}", style=doc.ids["SG Descriptor"]
                )
            lines.append(_para_xml(doc, "SG Choice", inner))
        pr = _sdt_pr(doc, codec.encode("docx", q.answer_ref), alias, "", False)
        return f"<w:sdt>{pr}<w:sdtContent>{''.join(lines)}</w:sdtContent></w:sdt>"
    kind = {"date": "date", "text": "multiline"}.get(answer.control, "text")
    inner = _text_control_xml(
        doc, codec.encode("docx", q.answer_ref), alias, answer.description, kind, q.answer_text
    )
    if answer.control == "number" and answer.unit and answer.unit != "%":
        inner += _run_xml(f" {answer.unit}")
    return _para_xml(doc, "SG Answer", inner)


def _question_xml(doc: _Doc, q: QuestionView, widths: Sequence[int]) -> str:
    """Three table rows: the question, the answer, the evidence box; and a fourth, the action
    box, for a question whose answer can be at a level that requires an action."""
    left, right = widths
    text = "".join(
        _para_xml(doc, "SG Question", _block_runs_xml(doc, b)) for b in md_blocks(q.text)
    )
    if q.priority:
        text += _para_xml(doc, "SG Hint", _run_xml(q.priority, bold=True))
    if q.condition:
        text += _text_para(doc, "SG Condition", q.condition)
    if q.answer.choices:
        text += _text_para(doc, "SG Hint", q.answer.description)
    if q.evidence:
        prompts = "; ".join(plain_text(e) for e in q.evidence)
        text += _para_xml(
            doc, "SG Evidence", _run_xml("Evidence to look for: ", bold=True) + _run_xml(prompts)
        )
    number = _text_para(doc, "SG Number", q.number)
    top = _tr_xml(_tc_xml(left, number) + _tc_xml(right, text))
    label = _text_para(doc, "SG Label", "Answer")
    height = 1134 if q.answer.control == "text" else 0
    answer = _tr_xml(_tc_xml(left, label) + _tc_xml(right, _answer_xml(doc, q)), height=height)
    label = _text_para(doc, "SG Label", "Evidence")
    box = _text_control_xml(
        doc,
        codec.encode("docx", q.evidence_ref),
        f"Evidence {q.number}",
        "What evidence you hold, and where",
        "multiline",
        q.evidence_text,
    )
    evidence = _tr_xml(
        _tc_xml(left, label) + _tc_xml(right, _para_xml(doc, "SG Answer", box)), height=850
    )
    if not q.has_action:
        return top + answer + evidence
    label = _text_para(doc, "SG Label", "Action")
    box = _text_control_xml(
        doc,
        codec.encode("docx", q.action_ref),
        f"Action {q.number}",
        q.action_label,
        "multiline",
        q.action_text,
    )
    action = _tr_xml(
        _tc_xml(left, label) + _tc_xml(right, _para_xml(doc, "SG Answer", box)), height=850
    )
    return top + answer + evidence + action


#: Column widths in twentieths of a point (1 cm = 567): A4 portrait less 2 cm margins is 17 cm.
_QUESTION_WIDTHS = (1191, 8447)
_FIELD_WIDTHS = (3402, 6236)


def _fields_xml(doc: _Doc, fields: Iterable[Field]) -> str:
    rows = []
    for f in fields:
        placeholder = "A date" if f.type == "date" else " "
        control = _text_control_xml(
            doc, codec.encode("docx", f.ref), f.label, placeholder, f.type, doc.view.detail(f.name)
        )
        label = _text_para(doc, "SG Label", f.label)
        cells = _tc_xml(_FIELD_WIDTHS[0], label)
        cells += _tc_xml(_FIELD_WIDTHS[1], _para_xml(doc, "SG Answer", control))
        rows.append(_tr_xml(cells, height=567))
    return _tbl_xml(doc, _FIELD_WIDTHS, "".join(rows))


def _heading(doc: _Doc, level: int, text: str) -> str:
    return _text_para(doc, f"Heading {level}", text)


def _form(view: DocumentView, envelope: Envelope) -> bytes:
    doc = _Doc(view, envelope)
    _header_footer(doc)
    _title_page(doc, page_break=False)
    doc.add(_heading(doc, 1, "Organisation details"))
    doc.add(_fields_xml(doc, ORGANISATION_FIELDS))
    doc.add(_heading(doc, 1, "How to fill it in"))
    how_to: tuple[str, ...] = _HOW_TO
    if any(q.has_action for q in view.questions()):
        how_to = (*_HOW_TO[:3], _HOW_TO_ACTION, *_HOW_TO[3:])
    doc.add("".join(_text_para(doc, "List Bullet", line) for line in how_to))
    doc.page_break()
    for section in view.sections:
        doc.add(_heading(doc, 1, f"{section.number} {section.title}"))
        if section.section.intro:
            doc.add(_markdown_xml(doc, section.section.intro, "SG Intro"))
        for standard in section.standards:
            doc.add(_heading(doc, 2, f"{standard.number} {standard.title}"))
            if standard.standard.expectation:
                doc.add(_markdown_xml(doc, standard.standard.expectation, "SG Expectation"))
            rows = "".join(_question_xml(doc, q, _QUESTION_WIDTHS) for q in standard.questions)
            doc.add(_tbl_xml(doc, _QUESTION_WIDTHS, rows))
    doc.add(_heading(doc, 1, "Sign-off"))
    doc.add(_text_para(doc, "SG Intro", view.sign_off_statement))
    doc.add(_fields_xml(doc, view.sign_off_fields))
    return doc.save()


_HOW_TO = (
    "Answer every question: tick one box where there are boxes, otherwise type in the "
    "grey answer area (click it first).",
    "A question marked “Answer if …” needs an answer only when that condition holds.",
    "Say in each Evidence box what evidence you hold and where it is kept.",
    "Keep the document's structure as it is: the answer areas carry the field names a "
    "completed return is read back by.",
)

#: Said after the evidence line when some question has an action box.
_HOW_TO_ACTION = (
    "Where a question has an Action box, say in it what action you will take when your "
    "answer is at a level the box names."
)


# -- guidance -----------------------------------------------------------------------------------


def _toc(doc: _Doc) -> None:
    """A table-of-contents field (Word fills in page numbers when it updates the field, which
    it offers to do on opening), pre-filled with the headings so that it reads well before."""
    view = doc.view
    entries: list[tuple[int, str]] = [(1, "Rating levels")] if view.scales else []
    for s in view.sections:
        entries.append((1, f"{s.number} {s.title}"))
        entries.extend((2, f"{st.number} {st.title}") for st in s.standards)
    if view.references:
        entries.append((1, "References"))
    doc.add(_text_para(doc, "TOC Heading", "Contents"))
    instr = ' TOC \\o "1-3" \\h \\z \\u '
    begin = (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{_esc(instr)}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    if not entries:
        entries = [(1, "Right-click and choose Update Field to show the contents.")]
    for i, (level, text) in enumerate(entries):
        inner = (begin if i == 0 else "") + _run_xml(text) + (end if i == len(entries) - 1 else "")
        doc.add(_para_xml(doc, f"SG Contents {level}", inner))
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


def _citations_xml(doc: _Doc, citations: Sequence[CitationView]) -> str:
    out = []
    for c in citations:
        inner = _link_xml(doc, c.text, c.url) if c.url else _run_xml(c.text)
        if c.note:
            inner += _run_xml(f" — {c.note}")
        out.append(_para_xml(doc, "SG Citation", inner))
    return "".join(out)


def _guidance_part(doc: _Doc, label: str, markdown: str) -> str:
    if not markdown:
        return ""
    return _text_para(doc, "SG Guidance Label", label) + _markdown_xml(doc, markdown, "SG Guidance")


def _guidance_question(doc: _Doc, q: QuestionView) -> str:
    out = [_heading(doc, 3, f"{q.number} {plain_text(q.text)}")]
    if q.condition:
        out.append(_text_para(doc, "SG Condition", q.condition))
    hint = q.answer.description
    if q.answer.choices:
        hint += ": " + ", ".join(c.label for c in q.answer.choices)
    out.append(_text_para(doc, "SG Hint", hint))
    g = q.guidance
    out.append(_guidance_part(doc, "Why we ask", g.why))
    out.append(_guidance_part(doc, "What good looks like", g.good))
    if q.evidence:
        out.append(_text_para(doc, "SG Guidance Label", "Evidence"))
        out.extend(_markdown_xml(doc, e, "List Bullet") for e in q.evidence)
    out.append(_guidance_part(doc, "Help and support", g.support))
    if q.citations:
        out.append(_text_para(doc, "SG Guidance Label", "References"))
        out.append(_citations_xml(doc, q.citations))
    return "".join(out)


_SCALE_WIDTHS = (2835, 6803)


def _scales(doc: _Doc) -> None:
    if not doc.view.scales:
        return
    doc.add(_heading(doc, 1, "Rating levels"))
    for scale in doc.view.scales:
        if len(doc.view.scales) > 1:
            doc.add(_heading(doc, 2, scale.heading))
        rows = [
            [_text_para(doc, "SG Label", "Level"), _text_para(doc, "SG Label", "What it means")]
        ]
        for level in scale.levels:
            meaning = _text_para(doc, "SG Answer", md_to_text(level.describe))
            if level.requires:
                needs = "An answer at this level needs: " + ", ".join(level.requires) + "."
                meaning += _text_para(doc, "SG Hint", needs)
            label = _para_xml(doc, "SG Answer", _run_xml(level.label, bold=True))
            rows.append([label, meaning])
        doc.add(_table_xml(doc, _SCALE_WIDTHS, rows, header=True))


def _guidance(view: DocumentView, envelope: Envelope) -> bytes:
    doc = _Doc(view, envelope)
    _header_footer(doc)
    _title_page(doc)
    _toc(doc)
    doc.page_break()
    _scales(doc)
    for section in view.sections:
        doc.add(_heading(doc, 1, f"{section.number} {section.title}"))
        if section.section.intro:
            doc.add(_markdown_xml(doc, section.section.intro, "SG Intro"))
        for standard in section.standards:
            doc.add(_heading(doc, 2, f"{standard.number} {standard.title}"))
            s = standard.standard
            if s.expectation:
                doc.add(_markdown_xml(doc, s.expectation, "SG Expectation"))
            if s.guidance:
                doc.add(_markdown_xml(doc, s.guidance, "SG Guidance"))
            doc.add(_citations_xml(doc, standard.citations))
            doc.add("".join(_guidance_question(doc, q) for q in standard.questions))
    if view.references:
        doc.add(_heading(doc, 1, "References"))
        doc.add(_citations_xml(doc, view.references))
    return doc.save()


# -- action plans -------------------------------------------------------------------------------

#: A4 landscape less 2 cm margins: 25.7 cm.
_LANDSCAPE_TEXT_WIDTH = 14570


def _action_plan(view: DocumentView, options: RenderOptions, envelope: Envelope) -> bytes:
    doc = _Doc(view, envelope, landscape=True)
    _header_footer(doc)
    _title_page(doc, page_break=False)
    head, rows = action_plan_table(view.checklist, options)
    keep = [i for i, (cid, _) in enumerate(head) if cid not in ("id", "section")]
    fixed = [1, 2] if any(cid == "question" for cid, _ in head) else [1]
    first = [794] + [3969 if len(fixed) == 1 else 2835] * len(fixed)  # 1.4 cm, 7 or 5 cm
    plan = len(keep) - len(first)
    widths = first + [(_LANDSCAPE_TEXT_WIDTH - sum(first)) // max(plan, 1)] * plan
    by_section: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        by_section.setdefault(row[0].split(".")[0], []).append(row)
    for section in view.sections:
        section_rows = by_section.get(section.number, [])
        if not section_rows:
            continue
        doc.add(_heading(doc, 1, f"{section.number} {section.title}"))
        table = [[_text_para(doc, "SG Label", head[i][1]) for i in keep]]
        table.extend(
            [_text_para(doc, "SG Answer", values[i]) for i in keep] for values in section_rows
        )
        doc.add(_table_xml(doc, widths, table, header=True, height=850))
    return doc.save()


# -- registration -------------------------------------------------------------------------------


@writer(DocumentView, "docx", kinds=("form", "return-form", "guidance", "action-plan"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    """The audit tool or the return form as a Word document with content controls; the
    guidance with a table of contents field; an action-plan skeleton as a landscape Word table
    per section."""
    checklist, kind = doc.checklist, doc.kind
    doc.logo  # noqa: B018 - checked before anything else, as it always was
    if kind == "form":
        return _form(doc, envelope_of(checklist, "form", options, doc))
    envelope = envelope_of(checklist, kind, options)
    if kind == "return-form":
        return _form(doc, envelope)
    if kind == "guidance":
        return _guidance(doc, envelope)
    return _action_plan(doc, options, envelope)

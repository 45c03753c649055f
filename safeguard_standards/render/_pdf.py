"""PDF rendering: WeasyPrint lays out the same HTML as the HTML renderer, with the print styles.

Every PDF is tagged (PDF/UA-1: a structure tree, a title and a language) and has a running
header and footer (set title, version, "Page X of Y" from ``@page`` margin boxes). Forms are
fillable: each question's input becomes an AcroForm field named by the question's full id.
Nothing is fetched: the only URLs WeasyPrint may open are ``data:`` URIs (the embedded logo).

Size. WeasyPrint keeps the whole laid-out document in memory, about 30 KB per HTML element
(a 2,000-question form took 1.15 GB and 89 s; 17,000 questions were killed at 6.5 GB). A
document of more than :data:`MAX_PDF_ELEMENTS` elements or :data:`MAX_PDF_TEXT` characters of
text is refused before layout (SG430, SG431) with the place where it crosses the limit; HTML,
DOCX and XLSX have no such limit. Words of more than :data:`LONG_WORD` characters get a
zero-width break opportunity every :data:`WORD_PIECE` characters, so that they wrap (WeasyPrint
took two minutes to wrap one 99,999-character word by itself).

WeasyPrint is imported on first use (it takes most of a second); if its system libraries
(Pango) are missing, a :class:`~safeguard_standards.render.RenderError` names the Debian
packages to install.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

from ..model import Checklist, Location
from . import RenderError, RenderOptions, writer
from ._html import write_html
from ._view import DOCUMENT_KINDS, DocumentView

__all__ = [
    "LONG_WORD",
    "MAX_PDF_ELEMENTS",
    "MAX_PDF_TEXT",
    "WORD_PIECE",
    "check_pdf_size",
    "html_to_pdf",
    "render_pdf",
    "write_pdf",
]

#: The most HTML elements one PDF is laid out from (SG430): about 600 MB and 30 s of layout,
#: six times the largest bundled document (3,410 elements, the kcsie form).
MAX_PDF_ELEMENTS = 20_000
#: The most characters of text one PDF is laid out from (SG431): about 20 s and 500 MB of
#: layout, eight times the most a bundled document has (115,000, the kcsie guidance).
MAX_PDF_TEXT = 1_000_000
#: Words longer than this get a break opportunity (U+200B, which is not drawn and not in the
#: PDF's text) every WORD_PIECE characters in a PDF.
LONG_WORD = 40
WORD_PIECE = 10

# Style and script elements (kept whole), tags, and the text between them.
_PIECES = re.compile(r"(<style\b.*?</style\s*>|<script\b.*?</script\s*>|<[^>]*>)", re.S | re.I)
_UNIT = r"(?:&#?\w{1,32};|[^\s&])"
_LONG_RUN = re.compile(f"{_UNIT}{{{LONG_WORD + 1},}}")
_PIECE = re.compile(f"{_UNIT}{{{WORD_PIECE}}}")
# what marks the start of a question, standard or section in each kind of document
_ITEM_ID = re.compile(r'\bdata-qid="([^"]+)"|\bid="(?:q|st|h|row)-([^"]+)"')
_SIZE_HINT = (
    "render it as HTML, DOCX or XLSX (no such limit), or make the PDF smaller: "
    "--for an audience (e.g. --for setting=academy), --as return-form, or split the set"
)


def _break_long_words(text: str) -> str:
    return _LONG_RUN.sub(lambda m: _PIECE.sub(lambda p: p.group(0) + "\u200b", m.group(0)), text)


def _where(html: str, offset: int, checklist: Checklist | None) -> tuple[str, str]:
    """``file:line:col: `` and "; the limit is crossed at question 1.2.3" for the question
    (or standard, or section) the HTML is at; empty when that cannot be told."""
    if checklist is None:
        return "", ""
    last = None
    for m in _ITEM_ID.finditer(html, 0, offset):
        last = m.group(1) or m.group(2)
    if last is None:
        return "", ""
    loc: Location | None = None
    label = last
    q = checklist.question(last)
    if q is not None:
        loc = q.loc
        label = f"question {checklist.numbering().get(q.full_id, q.full_id)}"
    else:
        for section in checklist.sections:
            if section.id == last:
                loc, label = section.loc, f"section {section.id}"
            for st in section.standards:
                if st.full_id == last:
                    loc, label = st.loc, f"standard {st.full_id}"
    if loc is None or not loc.line:
        return "", ""
    return f"{loc}: ", f"; the limit is crossed at {label}"


def check_pdf_size(html: str, checklist: Checklist | None = None) -> str:
    """The HTML ready for WeasyPrint (long words breakable), or RenderError (SG430/SG431)
    when the document is larger than a PDF is laid out from; located at the question where
    the limit is crossed when ``checklist`` is given."""
    parts = _PIECES.split(html)
    elements = 0
    text = 0
    offset = 0
    for i, part in enumerate(parts):
        if i % 2:
            if part[1:2].isalpha():
                elements += 1
                if elements == MAX_PDF_ELEMENTS + 1:
                    where, at = _where(html, offset, checklist)
                    total = sum(1 for p in parts[1::2] if p[1:2].isalpha())
                    raise RenderError(
                        f"{where}the PDF would be laid out from {total:,} HTML elements, more "
                        f"than the {MAX_PDF_ELEMENTS:,} a PDF is made from at most (each "
                        f"needs memory while the pages are laid out){at}",
                        _SIZE_HINT,
                        "SG430",
                    )
        else:
            text += len(part)
            if text > MAX_PDF_TEXT:
                where, at = _where(html, offset, checklist)
                raise RenderError(
                    f"{where}the PDF would hold more than {MAX_PDF_TEXT:,} characters of text, "
                    f"the most a PDF is made from{at}",
                    _SIZE_HINT,
                    "SG431",
                )
            if len(part) > LONG_WORD:
                parts[i] = _break_long_words(part)
        offset += len(part)
    return "".join(parts)


_PANGO_HINT = (
    "install the Pango libraries WeasyPrint needs, e.g. on Debian or Ubuntu: "
    "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)


@functools.lru_cache(maxsize=1)
def _weasyprint() -> ModuleType:
    try:
        import weasyprint
    except OSError as exc:  # cffi cannot load libpango / libgobject
        raise RenderError(
            f"PDF output needs the Pango system libraries, which are missing ({exc})",
            _PANGO_HINT,
            "SG404",
        ) from None
    except ImportError as exc:
        raise RenderError(
            f"PDF output needs WeasyPrint, which is not installed ({exc})",
            "pip install weasyprint (it comes with safeguard-standards; reinstall it)",
            "SG404",
        ) from None
    module: ModuleType = weasyprint
    return module


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    # data: only: no http(s), no file: a document can never read the disk or the network.
    return URLFetcher(allowed_protocols={"data"}, timeout=5)


def _fix_fields(
    checkbox_values: Mapping[str, Sequence[str]], info: Mapping[str, str] | None = None
) -> Callable[[Any, Any], None]:
    """A WeasyPrint finisher that tidies the AcroForm so each field has one clear name, and
    writes ``info`` (the envelope's properties) into the document information.

    * Radio buttons: WeasyPrint puts each button (a kid of its group) in the form's field list
      and gives it the group's name too, so readers see ``x`` and ``x.x``. The kids lose their
      own name and leave the top-level list: the group, named by the question's full id, is
      the one field.
    * Checkboxes sharing a name (a multi-choice question): grouped under one parent field named
      by the full id; each box is a kid named by its option id (``<full_id>.<option>``).
    * Then the field tree: WeasyPrint puts every field at the top, named by its whole dotted
      name, but a partial name may not contain a period (PDF 32000-1, 12.7.3.2). Each field
      gets its last segment as its name, under parent fields (``/Kids``) for the segments
      before it, so its fully qualified name is still the name the HTML gave it
      (:func:`safeguard_standards.fields.pdf_partial_names`).
    """

    def finish(document: Any, pdf: Any) -> None:
        import pydyf  # type: ignore[import-untyped]

        for key, value in (info or {}).items():
            pdf.info[key] = pydyf.String(value)
        acro = pdf.catalog.get("AcroForm")
        if acro is None:
            return
        by_ref = {obj.reference: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)}
        fields = list(acro["Fields"])
        keep: list[Any] = []
        boxes: dict[str, list[Any]] = {}
        for ref in fields:
            obj = by_ref.get(ref)
            if obj is None:
                keep.append(ref)
                continue
            if "Parent" in obj and obj.get("Subtype") == "/Widget":
                obj.pop("T", None)
                obj.pop("TU", None)
                continue
            if obj.get("FT") == "/Btn" and "Kids" not in obj and "Parent" not in obj:
                name = _text(obj.get("T"))
                if name in checkbox_values:
                    boxes.setdefault(name, []).append(obj)
                    if len(boxes[name]) > 1:
                        continue
            keep.append(ref)
        for name, widgets in boxes.items():
            parent = pydyf.Dictionary(
                {"T": pydyf.String(name), "TU": widgets[0].get("TU"), "Kids": pydyf.Array()}
            )
            pdf.add_object(parent)
            by_ref[parent.reference] = parent
            values = list(checkbox_values[name])
            for i, widget in enumerate(widgets):
                widget["T"] = pydyf.String(values[i] if i < len(values) else str(i + 1))
                widget["Parent"] = parent.reference
                parent["Kids"].append(widget.reference)
            keep[keep.index(widgets[0].reference)] = parent.reference
        acro["Fields"] = pydyf.Array(_field_tree(pdf, pydyf, keep, by_ref))

    return finish


def _field_tree(pdf: Any, pydyf: Any, top: Sequence[Any], by_ref: Mapping[Any, Any]) -> list[Any]:
    """The top-level fields once each field of ``top`` (named by its whole dotted name) is
    put under parent fields, one per leading segment, in document order."""
    roots: list[Any] = []
    nodes: dict[tuple[str, ...], Any] = {}
    terminals: set[tuple[str, ...]] = set()
    for ref in top:
        obj = by_ref.get(ref)
        parts = tuple(_text(obj.get("T")).split(".")) if obj is not None else ()
        if obj is None or len(parts) < 2:
            roots.append(ref)
            continue
        if parts in nodes or any(parts[:i] in terminals for i in range(1, len(parts))):
            # a field named like another's parent: the rule that reserves those ids (SG213)
            # keeps a set from getting here
            raise AssertionError(f"the PDF field {'.'.join(parts)} clashes with another")
        terminals.add(parts)
        parent = None
        for i in range(1, len(parts)):
            node = nodes.get(parts[:i])
            if node is None:
                node = pydyf.Dictionary({"T": pydyf.String(parts[i - 1]), "Kids": pydyf.Array()})
                pdf.add_object(node)
                nodes[parts[:i]] = node
                if parent is None:
                    roots.append(node.reference)
                else:
                    node["Parent"] = parent.reference
                    parent["Kids"].append(node.reference)
            parent = node
        assert parent is not None
        obj["T"] = pydyf.String(parts[-1])
        obj["Parent"] = parent.reference
        parent["Kids"].append(ref)
    return roots


def _text(value: Any) -> str:
    if value is None:
        return ""
    raw = getattr(value, "string", value)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return str(raw)


def html_to_pdf(
    html: str,
    *,
    title: str,
    forms: bool = True,
    checkbox_values: Mapping[str, Sequence[str]] | None = None,
    checklist: Checklist | None = None,
    info: Mapping[str, str] | None = None,
) -> bytes:
    """Lay out ``html`` (a self-contained document with print styles) as a tagged PDF.

    ``title`` becomes the PDF's title (PDF/UA needs one). With ``forms`` its inputs become
    fillable AcroForm fields named by their ``name`` attribute; ``checkbox_values`` maps a
    checkbox group's name to its values in document order (see :func:`_fix_fields`). Only
    ``data:`` URLs are fetched; ``info`` is added to the document information (the
    envelope's properties). Raises RenderError (SG404) when Pango is missing, and SG430 /
    SG431 when the document is too large (see :func:`check_pdf_size`; ``checklist`` locates
    the place).
    """
    html = check_pdf_size(html, checklist)
    weasyprint = _weasyprint()
    options = {"pdf_forms": forms, "pdf_variant": "pdf/ua-1"}
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher()).render(**options)
    document.metadata.title = title
    document.metadata.lang = "en"
    pdf: bytes = document.write_pdf(finisher=_fix_fields(checkbox_values or {}, info), **options)
    return pdf


def render_pdf(checklist: Checklist, kind: str, options: RenderOptions | None = None) -> bytes:
    """The PDF of ``kind`` (form, return-form, guidance, action-plan)."""
    from ._view import build_document

    opts = options or RenderOptions()
    return write_pdf(build_document(checklist, kind, opts), opts)


def write_pdf(doc: DocumentView, options: RenderOptions | None = None) -> bytes:
    """The PDF of a document view: its HTML (the PDF variant) laid out by WeasyPrint."""
    from .. import fields
    from ._envelope import envelope_of
    from ._view import KIND_LABELS, choices, select_kind

    opts = options or RenderOptions()
    checklist, kind = doc.checklist, doc.kind
    html = write_html(doc, opts, pdf=True)
    label = doc.kind_label if doc.prefilled else KIND_LABELS[kind]  # names the organisation
    title = f"{checklist.title} — {label} {checklist.version}"
    fillable = kind in ("form", "return-form")
    # a multi-choice answer's boxes: the HTML names each by the answer, the PDF by its choice
    boxes = {
        fields.encode("pdf", fields.answer(q.full_id)): [
            fields.pdf_partial_names(fields.choice(q.full_id, c.id))[-1]
            for c in choices(q, checklist)
        ]
        for q in select_kind(checklist, kind).questions()
        if q.type == "multi-choice"
    }
    return html_to_pdf(
        html,
        title=title,
        forms=fillable,
        checkbox_values=boxes,
        checklist=checklist,
        info=envelope_of(checklist, kind, opts).to_properties(),
    )


@writer(DocumentView, "pdf", kinds=DOCUMENT_KINDS)
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    return write_pdf(doc, options)

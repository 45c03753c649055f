"""PDF rendering: WeasyPrint lays out the same HTML as the HTML renderer, with the print styles.

Every PDF is tagged (PDF/UA-1: a structure tree, a title and a language) and has a running
header and footer (set title, version, "Page X of Y" from ``@page`` margin boxes). Forms are
fillable: each question's input becomes an AcroForm field named by the question's full id.
Nothing is fetched: the only URLs WeasyPrint may open are ``data:`` URIs (the embedded logo).

WeasyPrint is imported on first use (it takes most of a second); if its system libraries
(Pango) are missing, a :class:`~safeguard_standards.render.RenderError` names the Debian
packages to install.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

from ..model import Checklist
from . import RenderError, RenderOptions, renderer
from ._html import render_html

__all__ = ["html_to_pdf"]

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


def _fix_fields(checkbox_values: Mapping[str, Sequence[str]]) -> Callable[[Any, Any], None]:
    """A WeasyPrint finisher that tidies the AcroForm so each field has one clear name.

    * Radio buttons: WeasyPrint puts each button (a kid of its group) in the form's field list
      and gives it the group's name too, so readers see ``x`` and ``x.x``. The kids lose their
      own name and leave the top-level list: the group, named by the question's full id, is
      the one field.
    * Checkboxes sharing a name (a multi-choice question): grouped under one parent field named
      by the full id; each box is a kid named by its option id (``<full_id>.<option>``).
    """

    def finish(document: Any, pdf: Any) -> None:
        import pydyf  # type: ignore[import-untyped]

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
            values = list(checkbox_values[name])
            for i, widget in enumerate(widgets):
                widget["T"] = pydyf.String(values[i] if i < len(values) else str(i + 1))
                widget["Parent"] = parent.reference
                parent["Kids"].append(widget.reference)
            keep[keep.index(widgets[0].reference)] = parent.reference
        acro["Fields"] = pydyf.Array(keep)

    return finish


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
) -> bytes:
    """Lay out ``html`` (a self-contained document with print styles) as a tagged PDF.

    ``title`` becomes the PDF's title (PDF/UA needs one). With ``forms`` its inputs become
    fillable AcroForm fields named by their ``name`` attribute; ``checkbox_values`` maps a
    checkbox group's name to its values in document order (see :func:`_fix_fields`). Only
    ``data:`` URLs are fetched. Raises RenderError (SG404) when Pango is missing.
    """
    weasyprint = _weasyprint()
    options = {"pdf_forms": forms, "pdf_variant": "pdf/ua-1"}
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher()).render(**options)
    document.metadata.title = title
    document.metadata.lang = "en"
    pdf: bytes = document.write_pdf(
        finisher=_fix_fields(checkbox_values or {}) if forms else None, **options
    )
    return pdf


def render_pdf(checklist: Checklist, kind: str, options: RenderOptions | None = None) -> bytes:
    """The PDF of ``kind`` (form, return-form, guidance, action-plan)."""
    from ._view import KIND_LABELS, choices, select_kind

    opts = options or RenderOptions()
    html = render_html(checklist, kind, opts, pdf=True)
    title = f"{checklist.title} — {KIND_LABELS[kind]} {checklist.version}"
    fillable = kind in ("form", "return-form")
    boxes = {
        q.full_id: [c.id for c in choices(q, checklist)]
        for q in select_kind(checklist, kind).questions()
        if q.type == "multi-choice"
    }
    return html_to_pdf(html, title=title, forms=fillable, checkbox_values=boxes)


def _register(kind: str) -> None:
    @renderer(kind, "pdf")
    def _render(checklist: Checklist, options: RenderOptions) -> bytes:
        return render_pdf(checklist, kind, options)


for _kind in ("form", "return-form", "guidance", "action-plan"):
    _register(_kind)

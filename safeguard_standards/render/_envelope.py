"""The envelope every document of a set carries (:mod:`safeguard_standards.envelope`).

**The content hash** is ``sha256:`` + the SHA-256 of the canonical JSON of the resolved set:
the ``form`` document of the JSON renderer (the set after its overlays and the audience
selection, every question numbered, with its wording, answer space, choices, condition and
citations as a respondent is shown them) written with sorted keys, no spaces and UTF-8. It is
the same for every kind and format of one resolved set, so a return form and the audit tool of
one set agree, and it changes when anything a respondent reads or answers changes (a question,
a choice, a number, a condition's wording). Themes are left out: they say how findings are
reported, not what a respondent reads, so tagging a published version with themes does not
part it from the returns already made on its forms.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..envelope import Envelope
from ..model import Checklist
from . import RenderOptions

if TYPE_CHECKING:
    from ._view import DocumentView

__all__ = ["content_hash", "envelope_of"]


def content_hash(
    checklist: Checklist, options: RenderOptions | None = None, doc: DocumentView | None = None
) -> str:
    """``sha256:…`` of the resolved set's canonical JSON (see the module's docstring).

    ``doc``: the ``form`` view of ``checklist`` a writer has already built, to build it once.
    """
    from ._json import document_data, resolved_data

    audience = (options or RenderOptions()).audience
    if doc is not None and doc.kind == "form" and doc.checklist is checklist:
        data = document_data(doc, dict(audience))
    else:
        data = resolved_data(checklist, "form", RenderOptions(audience=audience))
    text = json.dumps(
        _without_themes(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _without_themes(data: Any) -> Any:
    """``data`` with every ``themes`` key of the document, its standards and questions left out."""
    if isinstance(data, dict):
        return {k: _without_themes(v) for k, v in data.items() if k != "themes"}
    if isinstance(data, list):
        return [_without_themes(v) for v in data]
    return data


def envelope_of(
    checklist: Checklist,
    kind: str,
    options: RenderOptions | None = None,
    doc: DocumentView | None = None,
) -> Envelope:
    """The envelope of a document of ``kind`` made from ``checklist`` (already
    audience-filtered) with ``options``; ``doc`` as for :func:`content_hash`."""
    from .._version import __version__

    opts = options or RenderOptions()
    return Envelope(
        set=checklist.id,
        set_version=checklist.version,
        kind=kind,
        audience=opts.audience,
        content_hash=content_hash(checklist, opts, doc),
        generator=f"safeguard-standards {__version__}",
    )

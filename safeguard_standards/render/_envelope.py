"""The envelope every document of a set carries (:mod:`safeguard_standards.envelope`).

**The content hash** is ``sha256:`` + the SHA-256 of the canonical JSON of the resolved set:
the ``form`` document of the JSON renderer (the set after its overlays and the audience
selection, every question numbered, with its wording, answer space, choices, condition and
citations as a respondent is shown them) written with sorted keys, no spaces and UTF-8. It is
the same for every kind and format of one resolved set, so a return form and the audit tool of
one set agree, and it changes when anything a respondent reads or answers changes (a question,
a choice, a number, a condition's wording).
"""

from __future__ import annotations

import hashlib
import json

from ..envelope import Envelope
from ..model import Checklist
from . import RenderOptions

__all__ = ["content_hash", "envelope_of"]


def content_hash(checklist: Checklist, options: RenderOptions | None = None) -> str:
    """``sha256:…`` of the resolved set's canonical JSON (see the module's docstring)."""
    from ._json import resolved_data

    audience = (options or RenderOptions()).audience
    data = resolved_data(checklist, "form", RenderOptions(audience=audience))
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def envelope_of(checklist: Checklist, kind: str, options: RenderOptions | None = None) -> Envelope:
    """The envelope of a document of ``kind`` made from ``checklist`` (already
    audience-filtered) with ``options``."""
    from .._version import __version__

    opts = options or RenderOptions()
    return Envelope(
        set=checklist.id,
        set_version=checklist.version,
        kind=kind,
        audience=opts.audience,
        content_hash=content_hash(checklist, opts),
        generator=f"safeguard-standards {__version__}",
    )

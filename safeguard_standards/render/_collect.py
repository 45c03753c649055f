"""What the three online-collection formats (XLSForm, SurveyJS, FHIR Questionnaire) share.

Each writes the same :class:`~._view.DocumentView` the paper formats write, so numbering, the
``--for`` selection and the return form's questions are the same; this module says, once,
what such a form holds besides the questions:

* the **field names**: :func:`safeguard_standards.fields.safe_name` in XLSForm and SurveyJS
  (no ``.``, which SurveyJS reads as a path), the field name itself as a FHIR ``linkId``;
* the **action box** of a question whose scale has levels that ``requires: [action]``, shown
  only when one of those levels is chosen (:func:`action_levels`);
* the **form id** (:func:`form_id`) and the **form version** number
  (:func:`form_version`), which must grow from one edition of a set to the next;
* the **envelope** (:func:`envelope_properties`): set, version, kind, audience and content
  hash, carried as hidden values so that every response says which form it answers.
"""

from __future__ import annotations

import re

from ..diagnostics import Code
from . import RenderError, RenderOptions
from ._envelope import envelope_of
from ._view import DocumentView, QuestionView, md_to_text

__all__ = [
    "about",
    "action_levels",
    "envelope_properties",
    "form_id",
    "form_version",
    "plain",
    "scale_system",
]

#: A set version the form version is derived from: ``2025-26``, ``2025-2026``, ``2025``,
#: with an optional revision after ``.``, ``-r`` or ``-rev`` (``2025-26.1``, ``2025-26-r2``).
_VERSION = re.compile(
    r"(?P<year>\d{4})(?:[-/](?P<end>\d{2}|\d{4}))?(?:(?:\.|-r|-rev|-)(?P<rev>\d{1,4}))?"
)


def form_version(version: str) -> int:
    """The set ``version`` as a whole number that grows year on year: ``YYYY EE RRRR``, the
    first year, the last two digits of the end year (``00`` for a one-year version) and the
    revision (``0000`` for none): ``2025-26`` → 2025260000, ``2025-26.1`` → 2025260001,
    ``2023-25`` → 2023250000, ``2026`` → 2026000000.

    Ten digits, so the number is below 2**31 (tools that store it as a 32-bit integer keep
    it) and numeric and alphabetical order agree. Raises RenderError (SG445) for a version of
    another shape.
    """
    m = _VERSION.fullmatch(version)
    if m is None:
        raise RenderError(
            f"the set's version {version!r} cannot be made into a form version number",
            "online forms need a version such as 2025-26, 2025 or 2025-26.1 (a revision), so "
            "that next year's form has a higher number; change the set's version: line",
            Code.COLLECT_VERSION,
        )
    year = int(m["year"])
    end = m["end"] or ""
    end_yy = int(end[-2:]) if end else 0
    rev = int(m["rev"] or 0)
    return year * 1_000_000 + end_yy * 10_000 + rev


def form_id(doc: DocumentView, options: RenderOptions) -> str:
    """The form's id in the collection tool: the set id, the kind and the audience values
    (``kcsie-return-form-academy``). The same every year: a new edition is a new *version* of
    the same form (ODK Central and KoboToolbox keep their submissions together)."""
    parts = [doc.set_id, doc.kind, *(v for _, v in options.audience)]
    return "-".join(parts)


def envelope_properties(doc: DocumentView, options: RenderOptions) -> dict[str, str]:
    """The envelope as flat ``sg_*`` properties (see
    :meth:`safeguard_standards.envelope.Envelope.to_properties`), in a fixed order."""
    return envelope_of(doc.checklist, doc.kind, options, doc).to_properties()


def action_levels(q: QuestionView) -> tuple[str, ...]:
    """The ids of the levels of ``q``'s scale whose answer must carry an action."""
    if q.question.type != "rating":
        return ()
    return tuple(c.id for c in q.answer.choices if "action" in c.requires)


def scale_system(set_id: str, scale_id: str) -> str:
    """The FHIR coding system of a set's rating scale: ``urn:safeguard-standards:scale:
    kcsie:compliance``. Not a registered URN namespace: a stable name, not an address."""
    return f"urn:safeguard-standards:scale:{set_id}:{scale_id}"


def plain(markdown: str) -> str:
    """Markdown prose as plain text for a label or hint."""
    return md_to_text(markdown).strip()


#: The cover facts an online form shows at its start (who asks, how to reach them, by when).
_ABOUT = ("Published by", "Contact", "Website", "Return by")


def about(doc: DocumentView) -> str:
    """What the cover of a paper form says about who is asking: "Published by …. Contact: ….
    Return by …." ("" when the set names no publisher)."""
    facts = [(k, v) for k, v in doc.cover_facts() if k in _ABOUT and v]
    return " ".join(f"{k} {v}." if k == "Published by" else f"{k}: {v}." for k, v in facts)

"""Markdown rendering: forms, return forms, guidance and action plans as CommonMark text.

The set's prose is Markdown already and is copied through :func:`._view.md_inert`, so a viewer
that renders raw HTML or images still shows it as text and loads nothing.
Answer spaces are task-list boxes (``- [ ] Yes``) and blank lines to write on, so the file reads
well as text, on GitHub, or converted onwards (pandoc).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..model import Checklist
from . import RenderOptions, writer
from ._view import (
    DOCUMENT_KINDS,
    ORGANISATION_FIELDS,
    CitationView,
    DocumentView,
    Field,
    QuestionView,
    action_plan_headers,
    action_plan_rows,
    build_document,
    md_escape,
    md_inert_checklist,
    resolve_per,
)

__all__ = ["render_markdown"]

_BLANK = "_______________________________________________"
_REQUIRES = {"action": "record an action", "justification": "say why", "evidence": "give evidence"}


def _plain(text: str) -> str:
    """Plain text made safe inside Markdown (titles, labels)."""
    return md_escape(text)


def _one_line(markdown: str) -> str:
    """Markdown prose on one line (for list items and headings)."""
    return " ".join(markdown.split())


def _cell(text: str) -> str:
    return _plain(" ".join(text.split()))


def _title_block(doc: DocumentView) -> Iterator[str]:
    yield f"# {_plain(doc.title)}"
    yield ""
    facts = [f"**{_plain(doc.kind_label)}**", f"version {doc.version}"]
    if doc.effective:
        facts.append(f"in use {doc.effective}")
    yield " · ".join(facts)
    for dim, value in doc.audience:
        yield ""
        yield f"{_plain(dim)}: {_plain(value)}"
    if doc.publisher:
        p = doc.publisher
        yield ""
        line = f"Issued by {_plain(p.name)}"
        if p.contact:
            line += f" ({_plain(p.contact)})"
        if p.url:
            line += f", <{p.url}>"
        yield line
        if p.return_deadline and doc.kind in ("form", "return-form"):
            yield ""
            yield f"Return by: {_plain(doc.return_by)}"
    if doc.generated_on:
        yield ""
        yield f"Produced {_plain(doc.produced_on)}"
    if doc.checklist.description and doc.kind != "action-plan":
        yield ""
        yield doc.checklist.description.strip()


def _levels(doc: DocumentView) -> Iterator[str]:
    for scale in doc.scales:
        for c in scale.levels:
            line = f"- **{_plain(c.label)}**"
            if c.describe:
                line += f": {_one_line(c.describe)}"
            if c.requires:
                line += " (if you choose this, "
                line += " and ".join(_REQUIRES.get(r, r) for r in c.requires) + ")"
            yield line


def _citation(c: CitationView) -> str:
    text = _plain(c.text)
    out = f"[{text}]({c.url})" if c.url else text
    return out + (f": {_plain(c.note)}" if c.note else "")


def _fields(fields: Iterable[Field]) -> Iterator[str]:
    for f in fields:
        yield f"- {_plain(f.label)}: {_BLANK}"


def _question_form(q: QuestionView) -> Iterator[str]:
    yield f"#### {q.number} {_one_line(q.text)}"
    yield ""
    if q.priority:
        yield f"**{q.priority}.**"
        yield ""
    if q.condition:
        yield f"*{_plain(q.condition)}.*"
        yield ""
    a = q.answer
    if a.control in ("radio", "checkbox"):
        yield f"{_plain(a.description)}:"
        yield ""
        for c in a.choices:
            line = f"- [ ] {_plain(c.label)}"
            if c.describe:
                line += f": {_one_line(c.describe)}"
            yield line
    elif a.control == "text":
        yield f"{_plain(a.description)}: {_BLANK}"
    else:
        unit = f" {_plain(a.unit)}" if a.unit and a.unit != "%" else a.unit
        described = _plain(a.description[0].lower() + a.description[1:])
        yield f"Answer: ____________{unit} ({described})"
    yield ""
    if q.evidence:
        yield "Evidence could include:"
        yield ""
        for e in q.evidence:
            yield f"- {_one_line(e)}"
        yield ""
    yield f"Evidence: {_BLANK}"
    yield ""


def _form(doc: DocumentView) -> Iterator[str]:
    yield from _title_block(doc)
    yield ""
    yield "## About your organisation"
    yield ""
    yield from _fields(ORGANISATION_FIELDS)
    if doc.scales:
        yield ""
        yield "## How to answer"
        yield ""
        yield "Rating levels:"
        yield ""
        yield from _levels(doc)
    for s in doc.sections:
        yield ""
        yield f"## {s.number} {_plain(s.title)}"
        yield ""
        if s.section.intro:
            yield s.section.intro.strip()
            yield ""
        for st in s.standards:
            yield f"### {st.number} {_plain(st.title)}"
            yield ""
            if st.standard.expectation:
                yield st.standard.expectation.strip()
                yield ""
            for q in st.questions:
                yield from _question_form(q)
    yield "## Sign-off"
    yield ""
    yield _plain(doc.sign_off_statement)
    yield ""
    yield from _fields(doc.sign_off_fields)


def _guidance(doc: DocumentView) -> Iterator[str]:
    yield from _title_block(doc)
    yield ""
    yield "## Contents"
    yield ""
    for s in doc.sections:
        yield f"- {s.number} {_plain(s.title)}"
        for st in s.standards:
            yield f"  - {st.number} {_plain(st.title)}"
    if doc.scales:
        yield ""
        yield "## Rating levels"
        yield ""
        yield from _levels(doc)
    for s in doc.sections:
        yield ""
        yield f"## {s.number} {_plain(s.title)}"
        if s.section.intro:
            yield ""
            yield s.section.intro.strip()
        for st in s.standards:
            yield ""
            yield f"### {st.number} {_plain(st.title)}"
            for prose in (st.standard.expectation, st.standard.guidance):
                if prose:
                    yield ""
                    yield prose.strip()
            if st.citations:
                yield ""
                for c in st.citations:
                    yield f"- {_citation(c)}"
            for q in st.questions:
                yield from _question_guidance(doc, q)
    if doc.references:
        yield ""
        yield "## References"
        yield ""
        for r in doc.references:
            yield f"- {_citation(r)}" + (f". {_plain(r.publisher)}" if r.publisher else "")


def _question_guidance(doc: DocumentView, q: QuestionView) -> Iterator[str]:
    yield ""
    yield f"#### {q.number} {_one_line(q.text)}"
    yield ""
    facts = _plain(q.answer.description)
    if q.answer.choices and q.answer.type != "rating":
        facts += ": " + " / ".join(_plain(c.label) for c in q.answer.choices)
    facts += "."
    if q.question.in_return and doc.kind == "guidance":
        facts += " Also on the return form."
    if q.question.priority:
        facts += f" Priority: {q.question.priority}."
    if q.condition:
        facts += f" {_plain(q.condition)}."
    yield f"*{facts}*"
    parts = (
        ("Why we ask", q.guidance.why),
        ("What good looks like", q.guidance.good),
    )
    for heading, prose in parts:
        if prose:
            yield ""
            yield f"##### {heading}"
            yield ""
            yield prose.strip()
    if q.evidence:
        yield ""
        yield "##### Evidence"
        yield ""
        for e in q.evidence:
            yield f"- {_one_line(e)}"
    if q.guidance.support:
        yield ""
        yield "##### Help and support"
        yield ""
        yield q.guidance.support.strip()
    if q.citations:
        yield ""
        yield "##### References"
        yield ""
        for c in q.citations:
            yield f"- {_citation(c)}"


def _action_plan(doc: DocumentView, per: str) -> Iterator[str]:
    checklist = doc.checklist
    yield from _title_block(doc)
    yield ""
    if doc.prefilled:
        yield (
            f"One row per {per} where the return shows a gap: an answer at a level that needs "
            "an action, or a “No”. The finding and the action are as the return gives them."
        )
    else:
        yield f"One row per {per}: record what you found, the action, who leads it and by when."
    headers = action_plan_headers(checklist, per, doc.answers)
    section = None
    rows = action_plan_rows(checklist, per, doc.answers)
    if doc.prefilled and not rows:
        yield ""
        yield "The return shows no gaps."
    for row in rows:
        if row.section != section:
            section = row.section
            yield ""
            yield f"## {_plain(section)}"
            yield ""
            yield "| " + " | ".join(_cell(label) for _, label in headers) + " |"
            yield "|" + "|".join("---" for _ in headers) + "|"
        values = [_cell(row.value(cid)) for cid, _ in headers[2:]]
        cells = "".join(f" {v} |" if v else " |" for v in values)
        yield f"| {row.ref} | {_cell(row.title)} |{cells}"


def render_markdown(checklist: Checklist, kind: str, options: RenderOptions | None = None) -> str:
    """The Markdown document of ``kind`` (form, return-form, guidance, action-plan)."""
    opts = options or RenderOptions()
    doc = build_document(md_inert_checklist(checklist), kind, opts)
    if kind in ("form", "return-form"):
        lines = _form(doc)
    elif kind == "guidance":
        lines = _guidance(doc)
    else:
        lines = _action_plan(doc, resolve_per(checklist, opts))
    text = "\n".join(lines).rstrip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


@writer(DocumentView, "md", kinds=DOCUMENT_KINDS)
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    doc.logo  # noqa: B018 - checked in every format with a title page, as it always was
    # Markdown prints the set's prose as Markdown: it lays out the view of an inert copy
    return render_markdown(doc.checklist, doc.kind, options).encode("utf-8")

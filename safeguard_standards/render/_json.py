"""JSON rendering: the resolved set (after audience selection) as data for other tools.

``form``, ``return-form`` and ``guidance`` give the set with every question numbered, its
answer space and choices, its condition (structured and in words) and its citations resolved;
``return-form`` keeps only the ``in_return`` questions. ``action-plan`` gives the plan's
columns and rows. Every document validates against the published JSON Schema
``safeguard_standards/schema/resolved-set.schema.json`` (see :func:`resolved_schema`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..model import Checklist, Condition, Publisher
from . import RenderOptions, writer

if TYPE_CHECKING:
    from ..returns.model import Return
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
    condition_data,
    resolve_per,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "render_json", "resolved_data", "resolved_schema"]

#: The ``format`` field of every document.
FORMAT = "safeguard-standards/resolved-set"
#: Bumped when a field is removed or changes meaning (adding fields does not bump it).
FORMAT_VERSION = 1


def resolved_schema() -> dict[str, Any]:
    """The JSON Schema every JSON render validates against."""
    from importlib.resources import files

    text = (files("safeguard_standards") / "schema" / "resolved-set.schema.json").read_text(
        encoding="utf-8"
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _opt(value: str) -> str | None:
    return value or None


def _set_info(c: Checklist) -> dict[str, Any]:
    return {
        "id": c.id,
        "version": c.version,
        "title": c.title,
        "status": c.status,
        "effective_from": _opt(c.effective_from),
        "effective_to": _opt(c.effective_to),
        "supersedes": _opt(c.supersedes),
        "description": c.description,
        "change_summary": c.change_summary,
    }


def _publisher(p: Publisher | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "name": p.name,
        "contact": p.contact,
        "url": p.url,
        "return_deadline": p.return_deadline,
    }


def _field(f: Field) -> dict[str, str]:
    return {"name": f.name, "label": f.label, "type": f.type}


def _cite(c: CitationView) -> dict[str, Any]:
    return {"ref": c.key, "at": c.at, "note": c.note, "text": c.text, "url": c.url}


def _condition(cond: Condition | None) -> dict[str, Any] | None:
    return None if cond is None else condition_data(cond)


def _question(q: QuestionView) -> dict[str, Any]:
    src = q.question
    a = q.answer
    return {
        "id": src.id,
        "full_id": src.full_id,
        "number": q.number,
        "text": src.text,
        "type": src.type,
        "answer": {
            "control": a.control,
            "description": a.description,
            "choices": [
                {"id": c.id, "label": c.label, "describe": c.describe, "rag": c.rag}
                for c in a.choices
            ],
            "unit": a.unit,
            "min": a.min,
            "max": a.max,
        },
        "scale": src.scale or None,
        "required": src.required,
        "priority": src.priority,
        "evidence": list(src.evidence),
        "guidance": {
            "why": src.guidance.why,
            "good": src.guidance.good,
            "support": src.guidance.support,
        },
        "cite": [_cite(c) for c in q.citations],
        "applies_to": {dim: list(values) for dim, values in src.applies_to},
        "ask_if": _condition(src.ask_if),
        "ask_if_text": q.condition,
        "in_return": src.in_return,
        "themes": list(src.themes),
        "formerly": src.formerly,
        "change_note": src.change_note,
        "evidence_field": q.evidence_field,
        "action_field": q.action_ref.name if q.has_action else "",
    }


def document_data(doc: DocumentView, audience: dict[str, str]) -> dict[str, Any]:
    """The JSON-ready data of a document view (form, return-form or guidance)."""
    c = doc.checklist
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": doc.kind,
        "set": _set_info(c),
        "audience": audience,
        "publisher": _publisher(c.publisher),
        "references": [
            {
                "key": r.key,
                "title": r.title,
                "publisher": r.publisher,
                "kind": r.kind,
                "edition": r.edition,
                "url": r.url,
            }
            for r in c.references
        ],
        "scales": [
            {
                "id": s.id,
                "levels": [
                    {
                        "id": lv.id,
                        "label": lv.label,
                        "rag": lv.rag,
                        "score": lv.score,
                        "scored": lv.scored,
                        "describe": lv.describe,
                        "requires": list(lv.requires),
                    }
                    for lv in s.levels
                ],
            }
            for s in c.scales
        ],
        "default_scale": c.default_scale or None,
        "themes": [{"id": t.id, "title": t.title, "describe": t.describe} for t in c.themes],
        "fields": {
            "organisation": [_field(f) for f in ORGANISATION_FIELDS],
            "sign_off": [_field(f) for f in doc.sign_off_fields],
            "sign_off_statement": doc.sign_off_statement,
        },
        "sections": [
            {
                "id": s.id,
                "number": s.number,
                "title": s.title,
                "intro": s.section.intro,
                "standards": [
                    {
                        "id": st.standard.id,
                        "full_id": st.full_id,
                        "number": st.number,
                        "title": st.title,
                        "expectation": st.standard.expectation,
                        "guidance": st.standard.guidance,
                        "cite": [_cite(x) for x in st.citations],
                        "themes": list(st.standard.themes),
                        "questions": [_question(q) for q in st.questions],
                    }
                    for st in s.standards
                ],
            }
            for s in doc.sections
        ],
    }


def _action_plan(
    checklist: Checklist, per: str, audience: dict[str, str], answers: Return | None = None
) -> dict[str, Any]:
    headers = action_plan_headers(checklist, per, answers)
    columns = [{"id": i, "label": label} for i, label in headers[2:]]
    out: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": "action-plan",
        "set": _set_info(checklist),
        "audience": audience,
        "per": per,
        "columns": columns,
        "rows": [
            {
                "ref": r.ref,
                "id": r.id,
                "section": r.section,
                "standard": r.standard,
                "title": r.title,
                "values": {col["id"]: r.value(col["id"]) for col in columns},
            }
            for r in action_plan_rows(checklist, per, answers)
        ],
    }
    if answers is not None:
        out["organisation"] = answers.organisation
    return out


def resolved_data(
    checklist: Checklist, kind: str, options: RenderOptions | None = None
) -> dict[str, Any]:
    """The JSON-ready data of ``kind`` (form, return-form, guidance or action-plan)."""
    opts = options or RenderOptions()
    if kind == "action-plan":
        return _action_plan(checklist, resolve_per(checklist, opts), dict(opts.audience))
    return document_data(build_document(checklist, kind, opts), dict(opts.audience))


def view_data(doc: DocumentView, options: RenderOptions | None = None) -> dict[str, Any]:
    """The JSON-ready data of a document view (as :func:`resolved_data`)."""
    opts = options or RenderOptions()
    if doc.kind == "action-plan":
        per = resolve_per(doc.checklist, opts)
        return _action_plan(doc.checklist, per, dict(opts.audience), opts.answers)
    return document_data(doc, dict(opts.audience))


def render_json(checklist: Checklist, kind: str, options: RenderOptions | None = None) -> str:
    """``kind`` as indented JSON text (UTF-8, keys in a fixed order, a final newline)."""
    return json.dumps(resolved_data(checklist, kind, options), indent=2, ensure_ascii=False) + "\n"


@writer(DocumentView, "json", kinds=DOCUMENT_KINDS)
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    if doc.kind != "action-plan":  # (an action plan's JSON has no title page)
        doc.logo  # noqa: B018 - checked in every format with a title page, as it always was
    text = json.dumps(view_data(doc, options), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8")

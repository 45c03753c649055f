"""SurveyJS: a form (or return form) as SurveyJS form JSON (https://surveyjs.io).

* Hidden ``calculatedValues`` ``sg_set``, ``sg_set_version``, ``sg_kind``, ``sg_audience`` …
  (``includeIntoResult``) carry the envelope into every result (SurveyJS leaves an empty
  value out: no ``sg_audience`` in a result means a form for every audience).
* A page ``details_org`` of organisation details, one page per section
  (``page_<section>``) with one panel per standard (``panel_<section>__<standard>``), and a
  page ``details_signoff``.
* Each question is named by :func:`safeguard_standards.fields.safe_name` of its full id: a
  name with no ``.``, because SurveyJS reads a dot in a name used in an expression as a path
  (survey-library issues #10505 and #10532); :func:`~safeguard_standards.fields.field_name_of`
  maps it back. Rating, yes-no and choice are ``radiogroup``, multi-choice ``checkbox`` (choices
  ``{value, text}``), number and percentage a ``text`` of ``inputType: number`` with ``min``,
  ``max``, a ``numeric`` validator and what to give as its description, date a ``text`` of
  ``inputType: date``, text a ``comment``. ``isRequired`` from the set, ``visibleIf`` from
  ``ask_if``, the guidance's *why* as the description.
* After it the evidence box (a ``comment``) and, for a level that needs an action, the action
  box, visible when the question is and one of those levels is chosen.

The JSON is written with sorted keys and no date: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from .. import fields
from ..model import Condition
from . import RenderOptions, writer
from ._collect import about, action_levels, envelope_properties, plain
from ._view import ORGANISATION_FIELDS, DocumentView, QuestionView, sign_off_fields

__all__ = ["survey_json", "visible_if"]


def _ref(name: str) -> str:
    return "{" + fields.safe_name(name) + "}"


def visible_if(cond: Condition, multiple: frozenset[str], nested: bool = False) -> str:
    """``ask_if`` as a SurveyJS expression; ``multiple`` is the full ids of the multi-choice
    questions (tested with ``contains``).

    ``equals``/``in``: ``{q} = 'a'`` (or'ed); ``not_equals``: answered and none of the values,
    ``{q} notempty and {q} <> 'a'``; ``all``/``any``: ``and``/``or``, nested in brackets."""
    if cond.op in ("all", "any"):
        joiner = " and " if cond.op == "all" else " or "
        text = joiner.join(visible_if(c, multiple, nested=True) for c in cond.conditions)
        return f"({text})" if nested and len(cond.conditions) > 1 else text
    ref = _ref(cond.question)
    multi = cond.question in multiple
    if cond.op == "not_equals":
        test = "notcontains" if multi else "<>"
        text = " and ".join([f"{ref} notempty", *(f"{ref} {test} '{v}'" for v in cond.values)])
    else:
        test = "contains" if multi else "="
        text = " or ".join(f"{ref} {test} '{v}'" for v in cond.values)
        if len(cond.values) <= 1:
            return text
    return f"({text})" if nested else text


def _choices(q: QuestionView) -> list[dict[str, str]]:
    return [{"value": c.id, "text": c.label} for c in q.answer.choices]


def _question(q: QuestionView, multiple: frozenset[str]) -> list[dict[str, Any]]:
    t = q.question.type
    visible = ""
    description = []
    if q.question.ask_if is not None:
        if q.condition_live:
            visible = visible_if(q.question.ask_if, multiple)
        else:
            description.append(q.condition)
    why = plain(q.guidance.why)
    if why:
        description.append(why)
    item: dict[str, Any] = {
        "name": fields.safe_name(q.full_id),
        "title": f"{q.number} {plain(q.text)}",
    }
    if description:
        item["description"] = "\n".join(description)
    if q.question.required:
        item["isRequired"] = True
    if visible:
        item["visibleIf"] = visible
    if t in ("rating", "yes-no", "choice"):
        item.update(type="radiogroup", choices=_choices(q))
    elif t == "multi-choice":
        item.update(type="checkbox", choices=_choices(q))
    elif t in ("number", "percentage"):
        item.update(type="text", inputType="number")
        validator: dict[str, Any] = {"type": "numeric", "text": q.answer.description}
        if q.answer.min is not None:
            item["min"] = q.answer.min
            validator["minValue"] = q.answer.min
        if q.answer.max is not None:
            item["max"] = q.answer.max
            validator["maxValue"] = q.answer.max
        item["description"] = "\n".join([q.answer.description, *description])
        item["validators"] = [validator]
    elif t == "date":
        item.update(type="text", inputType="date")
    else:
        item["type"] = "comment"
    out = [item]
    evidence: dict[str, Any] = {
        "type": "comment",
        "name": fields.safe_name(q.evidence_field),
        "title": f"Evidence for {q.number}",
    }
    if q.evidence:
        evidence["description"] = "\n".join(f"• {plain(p)}" for p in q.evidence)
    if visible:
        evidence["visibleIf"] = visible
    out.append(evidence)
    levels = action_levels(q)
    if levels:
        ref = _ref(q.full_id)
        chosen = " or ".join(f"{ref} = '{v}'" for v in levels)
        out.append(
            {
                "type": "comment",
                "name": fields.safe_name(fields.action(q.full_id).name),
                "title": f"Action you will take for {q.number}",
                "description": "Needed because of the level you chose.",
                "isRequired": True,
                "visibleIf": f"({visible}) and ({chosen})" if visible else chosen,
            }
        )
    return out


def _details(name: str, title: str, items: tuple[fields.Field, ...], note: str) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    for f in items:
        element: dict[str, Any] = {"name": fields.safe_name(f.name), "title": f.label}
        if f.type == "date":
            element.update(type="text", inputType="date")
        elif f.name == "org.address":
            element["type"] = "comment"
        else:
            element["type"] = "text"
        elements.append(element)
    page: dict[str, Any] = {"name": name, "title": title, "elements": elements}
    if note:
        page["description"] = note
    return page


def survey_json(doc: DocumentView, options: RenderOptions) -> dict[str, Any]:
    """The SurveyJS form JSON of ``doc``."""
    multiple = frozenset(q.full_id for q in doc.questions() if q.answer.multiple)
    pages = [_details("details_org", "Organisation details", ORGANISATION_FIELDS, "")]
    for section in doc.sections:
        panels = []
        for standard in section.standards:
            elements = [e for q in standard.questions for e in _question(q, multiple)]
            panel: dict[str, Any] = {
                "type": "panel",
                "name": "panel_" + fields.safe_name(standard.full_id)[len(fields.XLSX_PREFIX) :],
                "title": f"{standard.number} {standard.title}",
                "elements": elements,
            }
            expectation = plain(standard.standard.expectation)
            if expectation:
                panel["description"] = expectation
            panels.append(panel)
        page: dict[str, Any] = {
            "name": "page_" + fields.safe_name(section.id)[len(fields.XLSX_PREFIX) :],
            "title": f"{section.number} {section.title}",
            "elements": panels,
        }
        intro = plain(section.section.intro)
        if intro:
            page["description"] = intro
        pages.append(page)
    pages.append(
        _details(
            "details_signoff", "Sign-off", sign_off_fields(doc.checklist), doc.sign_off_statement
        )
    )
    envelope = envelope_properties(doc, options)
    head: dict[str, Any] = {"title": doc.document_title}
    if about(doc):
        head["description"] = about(doc)
    return {
        **head,
        "showQuestionNumbers": "off",
        "calculatedValues": [
            {"name": key, "expression": f"'{value}'", "includeIntoResult": True}
            for key, value in envelope.items()
        ],
        "pages": pages,
    }


@writer(DocumentView, "surveyjs", kinds=("form", "return-form"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    text = json.dumps(survey_json(doc, options), ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode("utf-8")

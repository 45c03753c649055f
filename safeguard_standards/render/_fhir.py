"""FHIR: a form (or return form) as an HL7 FHIR R5 Questionnaire resource (JSON).

* ``url`` ``urn:safeguard-standards:questionnaire:<set>:<kind>`` (with ``:<dimension>=<value>``
  for each ``--for``), ``version`` the set's version: together the canonical
  ``url|version`` a QuestionnaireResponse names in its ``questionnaire``. ``status`` from the
  set's (published → active, draft → draft, withdrawn → retired); ``identifier`` the content
  hash of the envelope; ``effectivePeriod`` the set's.
* A group ``_org`` of organisation details (string and date items ``org.name`` …), one group
  per section (``linkId`` the section id) holding one group per standard (its full id), and a
  group ``_signoff``. Group ``linkId``\\ s starting ``_`` can never be an id of ours.
* Each question's ``linkId`` is its full id, ``prefix`` its number, ``text`` its wording.
  Rating, yes-no, choice and multi-choice are ``coding`` items with ``answerConstraint:
  optionsOnly`` and ``answerOption`` codings (rating: system :func:`._collect.scale_system`;
  yes-no ``urn:safeguard-standards:yes-no``; options ``urn:safeguard-standards:options:
  <set>:<full id>``), multi-choice ``repeats``; number and percentage ``decimal`` with the
  ``minValue``/``maxValue`` extensions; date ``date``; text ``text``. ``required`` from the set.
* ``ask_if`` becomes ``enableWhen`` + ``enableBehavior``: ``equals`` one ``=``, ``in`` one
  ``=`` per value with ``any``, ``not_equals`` ``exists`` and one ``!=`` per value with
  ``all``, and ``all``/``any`` of such tests flattened when every part has a single test (or
  shares the behaviour). A condition that does not flatten (an ``any`` of ``all``\\ s) is
  written as the SDC ``enableWhenExpression`` extension, in FHIRPath.
* After the question, the evidence box (``text``, ``linkId`` ``<full id>.evidence``) with the
  same condition, and for a level that needs an action the action box (``<full id>.action``),
  enabled when one of those levels is given. The guidance's *why* is a ``display`` item under
  the question (``<full id>:help``), shown as a flyover.

Written with sorted keys and no date: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from .. import fields
from ..model import Condition
from . import RenderOptions, writer
from ._collect import action_levels, envelope_properties, plain, scale_system
from ._view import ORGANISATION_FIELDS, DocumentView, QuestionView, sign_off_fields

__all__ = [
    "ENABLE_WHEN_EXPRESSION",
    "YES_NO_SYSTEM",
    "coding_system",
    "questionnaire",
    "questionnaire_url",
]

YES_NO_SYSTEM = "urn:safeguard-standards:yes-no"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)
_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
_STATUS = {"published": "active", "draft": "draft", "withdrawn": "retired"}


def questionnaire_url(set_id: str, kind: str, audience: tuple[tuple[str, str], ...]) -> str:
    """``urn:safeguard-standards:questionnaire:kcsie:return-form:setting=academy``."""
    tail = "".join(f":{k}={v}" for k, v in audience)
    return f"urn:safeguard-standards:questionnaire:{set_id}:{kind}{tail}"


def coding_system(doc: DocumentView, q: QuestionView) -> str:
    """The coding system of ``q``'s answers."""
    t = q.question.type
    if t == "yes-no":
        return YES_NO_SYSTEM
    if t == "rating":
        return scale_system(doc.set_id, q.question.scale or doc.checklist.default_scale)
    return f"urn:safeguard-standards:options:{doc.set_id}:{q.full_id}"


class _Conditions:
    """Turns ``ask_if`` into ``enableWhen`` or a FHIRPath expression."""

    def __init__(self, doc: DocumentView) -> None:
        self.by_id = {q.full_id: q for q in doc.questions()}
        self.doc = doc

    def _coding(self, question: str, value: str) -> dict[str, str]:
        return {"code": value, "system": coding_system(self.doc, self.by_id[question])}

    def _leaf(self, cond: Condition) -> tuple[list[dict[str, Any]], str]:
        """The tests of a simple condition and how they combine (``all`` / ``any``)."""
        if cond.op == "not_equals":
            tests = [{"answerBoolean": True, "operator": "exists", "question": cond.question}]
            tests += [
                {
                    "answerCoding": self._coding(cond.question, v),
                    "operator": "!=",
                    "question": cond.question,
                }
                for v in cond.values
            ]
            return tests, "all"
        tests = [
            {
                "answerCoding": self._coding(cond.question, v),
                "operator": "=",
                "question": cond.question,
            }
            for v in cond.values
        ]
        return tests, "any"

    def flat(self, cond: Condition) -> tuple[list[dict[str, Any]], str] | None:
        """``enableWhen`` and ``enableBehavior``, or None when the condition does not flatten."""
        if cond.op not in ("all", "any"):
            return self._leaf(cond)
        tests: list[dict[str, Any]] = []
        for part in cond.conditions:
            found = self.flat(part)
            if found is None:
                return None
            part_tests, behaviour = found
            if len(part_tests) > 1 and behaviour != cond.op:
                return None
            tests += part_tests
        return tests, cond.op

    def fhirpath(self, cond: Condition) -> str:
        """The condition in FHIRPath, over the QuestionnaireResponse being filled."""
        if cond.op in ("all", "any"):
            joiner = " and " if cond.op == "all" else " or "
            return "(" + joiner.join(self.fhirpath(c) for c in cond.conditions) + ")"
        codes = f"%resource.repeat(item).where(linkId = '{cond.question}').answer.value.code"
        values = ", ".join(f"'{v}'" for v in cond.values)
        if cond.op == "not_equals":
            return f"({codes}.exists() and ({codes} intersect ({values})).empty())"
        return f"(({codes} intersect ({values})).exists())"


def _enable(item: dict[str, Any], cond: Condition | None, conds: _Conditions) -> None:
    if cond is None:
        return
    found = conds.flat(cond)
    if found is None:
        item["extension"] = [
            *item.get("extension", []),
            {
                "url": ENABLE_WHEN_EXPRESSION,
                "valueExpression": {
                    "expression": conds.fhirpath(cond),
                    "language": "text/fhirpath",
                },
            },
        ]
        return
    tests, behaviour = found
    item["enableWhen"] = tests
    if len(tests) > 1:
        item["enableBehavior"] = behaviour


def _question(q: QuestionView, doc: DocumentView, conds: _Conditions) -> list[dict[str, Any]]:
    t = q.question.type
    text = plain(q.text)
    cond = q.question.ask_if if q.condition_live else None
    if q.question.ask_if is not None and not q.condition_live:
        text += f" ({q.condition})"
    item: dict[str, Any] = {
        "linkId": q.full_id,
        "prefix": q.number,
        "required": q.question.required,
        "text": text,
    }
    if q.answer.choices:
        system = coding_system(doc, q)
        item.update(
            type="coding",
            answerConstraint="optionsOnly",
            answerOption=[
                {"valueCoding": {"code": c.id, "display": c.label, "system": system}}
                for c in q.answer.choices
            ],
        )
        if t == "multi-choice":
            item["repeats"] = True
    elif t in ("number", "percentage"):
        item["type"] = "decimal"
        bounds = []
        if q.answer.min is not None:
            bounds.append({"url": _MIN, "valueDecimal": q.answer.min})
        if q.answer.max is not None:
            bounds.append({"url": _MAX, "valueDecimal": q.answer.max})
        if bounds:
            item["extension"] = bounds
    elif t == "date":
        item["type"] = "date"
    else:
        item["type"] = "text"
    why = plain(q.guidance.why)
    if why:
        item["item"] = [
            {
                "extension": [
                    {
                        "url": _ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "code": "flyover",
                                    "system": "http://hl7.org/fhir/questionnaire-item-control",
                                }
                            ]
                        },
                    }
                ],
                "linkId": f"{q.full_id}:help",
                "text": why,
                "type": "display",
            }
        ]
    _enable(item, cond, conds)
    evidence: dict[str, Any] = {
        "linkId": q.evidence_field,
        "text": f"Evidence for {q.number}"
        + ("".join(f"\n• {plain(p)}" for p in q.evidence) if q.evidence else ""),
        "type": "text",
    }
    _enable(evidence, cond, conds)
    out = [item, evidence]
    levels = action_levels(q)
    if levels:
        system = coding_system(doc, q)
        tests = [
            {"answerCoding": {"code": v, "system": system}, "operator": "=", "question": q.full_id}
            for v in levels
        ]
        action: dict[str, Any] = {
            "enableWhen": tests,
            "linkId": fields.action(q.full_id).name,
            "required": True,
            "text": f"Action you will take for {q.number}",
            "type": "text",
        }
        if len(tests) > 1:
            action["enableBehavior"] = "any"
        out.append(action)
    return out


def _details(
    link_id: str, title: str, items: tuple[fields.Field, ...], note: str
) -> dict[str, Any]:
    children: list[dict[str, Any]] = []
    if note:
        children.append({"linkId": f"{link_id}:statement", "text": note, "type": "display"})
    for f in items:
        kind = "date" if f.type == "date" else ("text" if f.name == "org.address" else "string")
        children.append({"linkId": f.name, "text": f.label, "type": kind})
    return {"item": children, "linkId": link_id, "text": title, "type": "group"}


def questionnaire(doc: DocumentView, options: RenderOptions) -> dict[str, Any]:
    """The Questionnaire resource of ``doc`` as JSON-ready data."""
    conds = _Conditions(doc)
    items = [_details("_org", "Organisation details", ORGANISATION_FIELDS, "")]
    for section in doc.sections:
        standards = []
        for standard in section.standards:
            children = [e for q in standard.questions for e in _question(q, doc, conds)]
            standards.append(
                {
                    "item": children,
                    "linkId": standard.full_id,
                    "prefix": standard.number,
                    "text": standard.title,
                    "type": "group",
                }
            )
        items.append(
            {
                "item": standards,
                "linkId": section.id,
                "prefix": section.number,
                "text": section.title,
                "type": "group",
            }
        )
    items.append(
        _details("_signoff", "Sign-off", sign_off_fields(doc.checklist), doc.sign_off_statement)
    )
    envelope = envelope_properties(doc, options)
    c = doc.checklist
    data: dict[str, Any] = {
        "identifier": [
            {"system": "urn:safeguard-standards:content-hash", "value": envelope["sg_content_hash"]}
        ],
        "item": items,
        "resourceType": "Questionnaire",
        "status": _STATUS.get(c.status, "draft"),
        "title": doc.document_title,
        "url": questionnaire_url(doc.set_id, doc.kind, options.audience),
        "version": doc.version,
    }
    if c.publisher is not None and c.publisher.name:
        data["publisher"] = c.publisher.name
    if c.description:
        data["description"] = c.description
    if c.effective_from:
        period = {"start": c.effective_from}
        if c.effective_to:
            period["end"] = c.effective_to
        data["effectivePeriod"] = period
    return data


@writer(DocumentView, "fhir", kinds=("form", "return-form"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    text = json.dumps(questionnaire(doc, options), ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode("utf-8")

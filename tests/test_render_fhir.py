"""FHIR R5 Questionnaires, validated by fhir.resources (R5 models) for every form of every bundled
set, with the structure checks the models leave out (unique linkIds, conditions on earlier
questions, codings from the scale) and ``enableWhen`` evaluated the way a FHIR form filler
does, against our own ``ask_if``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.model import Condition
from safeguard_standards.render import render
from safeguard_standards.render._collect import scale_system
from safeguard_standards.render._fhir import ENABLE_WHEN_EXPRESSION, YES_NO_SYSTEM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collect_cases import COMPLETE, Case, cases, expected_visible

SEEDS = (1, 2, 3)


def validate(data: bytes) -> Any:
    from fhir.resources.questionnaire import Questionnaire

    return Questionnaire.model_validate_json(data)


def items(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item, depth first, in order."""
    out = []
    for n in nodes:
        out.append(n)
        out += items(n.get("item", []))
    return out


def _code(answer: Any) -> list[str]:
    if answer is None or answer == "":
        return []
    return [str(a) for a in answer] if isinstance(answer, list) else [str(answer)]


def enabled(item: dict[str, Any], answers: dict[str, list[str]]) -> bool:
    """``enableWhen`` as FHIR R5 defines it, over the codes each question was answered with."""
    tests = item.get("enableWhen")
    if not tests:
        return True
    results = []
    for t in tests:
        given = answers.get(t["question"], [])
        if t["operator"] == "exists":
            results.append(bool(given) == t["answerBoolean"])
        elif t["operator"] == "=":
            results.append(t["answerCoding"]["code"] in given)
        elif t["operator"] == "!=":
            results.append(any(g != t["answerCoding"]["code"] for g in given))
        else:  # pragma: no cover - an operator we never write
            raise AssertionError(t["operator"])
    return all(results) if item.get("enableBehavior", "all") == "all" else any(results)


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(), ids=lambda c: c.ref)
def test_every_questionnaire_validates_and_enables_what_our_conditions_show(case: Case) -> None:
    data = render(case.checklist(), case.kind, "fhir", case.options())
    resource = validate(data)
    view = case.view()
    assert (resource.url, resource.version) == (
        "urn:safeguard-standards:questionnaire:"
        + ":".join([view.set_id, case.kind, *(f"{k}={v}" for k, v in case.audience)]),
        view.version,
    )
    doc = json.loads(data)
    every = items(doc["item"])
    link_ids = [i["linkId"] for i in every]
    assert len(link_ids) == len(set(link_ids))
    position = {lid: n for n, lid in enumerate(link_ids)}
    by_id = {q.full_id: q for q in view.questions()}
    for item in every:
        assert ENABLE_WHEN_EXPRESSION not in json.dumps(item.get("extension", []))
        for t in item.get("enableWhen", []):
            assert position[t["question"]] < position[item["linkId"]]
            assert t["question"] in by_id
        q = by_id.get(item["linkId"])
        if q is not None:
            assert item["prefix"] == q.number
            assert item["required"] == q.question.required
            codes = [o["valueCoding"]["code"] for o in item.get("answerOption", [])]
            assert codes == [c.id for c in q.answer.choices]
    fillable = [i for i in every if i["type"] not in ("group", "display")]
    # the small set with every kind of condition gets enough fillings to meet each of them
    for seed in range(1, 41) if case.set_ref == "complete" else SEEDS:
        filling = case.filling(seed)
        answers = {k: _code(v) for k, v in filling["answers"].items()}
        shown = []
        for item in fillable:
            if enabled(item, answers):
                shown.append(item["linkId"])
            elif item["linkId"] in answers:
                answers[item["linkId"]] = []  # a disabled question's answer is not kept
        assert shown == expected_visible(view, filling)


def _complete() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(sg.load_path(COMPLETE), "form", "fhir"))
    return data


def test_codings_come_from_the_scale_and_the_options() -> None:
    c = sg.load_path(COMPLETE)
    every = {i["linkId"]: i for i in items(_complete()["item"])}
    visits = every["leadership.governance.governor-visits"]
    assert (visits["type"], visits["answerConstraint"]) == ("coding", "optionsOnly")
    scale = c.question("leadership.governance.governor-visits").scale  # type: ignore[union-attr]
    assert {o["valueCoding"]["system"] for o in visits["answerOption"]} == {
        scale_system("example", scale)
    }
    gov = every["leadership.governance.named-governor"]
    assert [o["valueCoding"] for o in gov["answerOption"]] == [
        {"code": "yes", "display": "Yes", "system": YES_NO_SYSTEM},
        {"code": "no", "display": "No", "system": YES_NO_SYSTEM},
    ]
    trained = every["leadership.governance.governors-trained"]
    assert trained["type"] == "decimal"
    assert trained["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDecimal": 0}
    ]
    review = every["leadership.governance.filtering-review"]
    assert review["enableBehavior"] == "all"
    assert [(t["question"], t["operator"]) for t in review["enableWhen"]] == [
        ("leadership.governance.filtering", "="),
        ("leadership.governance.named-governor", "exists"),
        ("leadership.governance.named-governor", "!="),
    ]
    assert every["leadership.governance.governor-visits.action"]["enableWhen"][0]["answerCoding"][
        "code"
    ] == ("not-met")
    assert fields.decode("fhir", "leadership.governance.governor-visits.evidence") == (
        fields.evidence("leadership.governance.governor-visits")
    )


def test_a_condition_that_does_not_flatten_is_a_fhirpath_expression() -> None:
    c = sg.load_path(COMPLETE)
    gov, filt = "leadership.governance.named-governor", "leadership.governance.filtering"
    nested = Condition(
        op="any",
        conditions=(
            Condition(
                op="all",
                conditions=(
                    Condition(op="equals", question=gov, values=("yes",)),
                    Condition(op="equals", question=filt, values=("own",)),
                ),
            ),
            Condition(op="in", question=filt, values=("own", "none")),
        ),
    )
    target = "leadership.governance.filtering-review"
    data = render(_with_condition(c, target, nested), "form", "fhir")
    validate(data)
    item = {i["linkId"]: i for i in items(json.loads(data)["item"])}[target]
    assert "enableWhen" not in item
    (ext,) = [e for e in item["extension"] if e["url"] == ENABLE_WHEN_EXPRESSION]
    assert ext["valueExpression"]["language"] == "text/fhirpath"
    assert " or " in ext["valueExpression"]["expression"]
    assert f"linkId = '{gov}'" in ext["valueExpression"]["expression"]


def _with_condition(c: Any, full_id: str, cond: Condition) -> Any:
    sections = []
    for s in c.sections:
        standards = []
        for st in s.standards:
            qs = tuple(
                attrs.evolve(q, ask_if=cond) if q.full_id == full_id else q for q in st.questions
            )
            standards.append(attrs.evolve(st, questions=qs))
        sections.append(attrs.evolve(s, standards=tuple(standards)))
    return attrs.evolve(c, sections=tuple(sections))


def test_the_validator_is_r5_and_refuses_what_r5_does_not_have() -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire as R4BQuestionnaire
    from pydantic import ValidationError

    data = json.dumps(_complete()).encode()
    validate(data)
    with pytest.raises(ValidationError, match="answerConstraint"):  # new in R5
        R4BQuestionnaire.model_validate_json(data)
    doc = _complete()
    doc["item"][0]["item"][0]["linkIdd"] = "x"
    with pytest.raises(ValidationError):
        validate(json.dumps(doc).encode())


#: Questionnaire.item.type in R5 (the models check the type is a code, not that it is one of
#: these).
R5_ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "coding", "attachment", "reference", "quantity", "question",
}  # fmt: skip


def test_every_item_type_is_an_r5_item_type() -> None:
    for case in cases(audiences=False):
        doc = json.loads(render(case.checklist(), case.kind, "fhir", case.options()))
        assert {i["type"] for i in items(doc["item"])} <= R5_ITEM_TYPES, case.ref


def test_the_same_set_gives_the_same_bytes() -> None:
    c = sg.load_path(COMPLETE)
    data = render(c, "form", "fhir")
    assert data == render(c, "form", "fhir")
    assert (
        data
        == (
            json.dumps(json.loads(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        ).encode()
    )

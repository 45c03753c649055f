"""SurveyJS forms, run in the SurveyJS runtime itself (survey-core under Node).

Every form of every bundled set (each kind, each audience value) is loaded in survey-core
(pinned in tests/js/package.json; ``npm ci`` there installs it, .ci/run does): the runtime
reports no JSON errors, and for seeded random fillings the questions it shows are exactly those
our own ``ask_if`` (``Condition.holds``) shows, every answer passes its validators, and
``survey.data`` is the filling under the safe names plus the envelope. Skipped only when Node
is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safeguard_standards import fields
from safeguard_standards.envelope import Envelope
from safeguard_standards.render import render
from safeguard_standards.render._surveyjs import visible_if

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collect_cases import Case, cases, expected_visible, safe_data

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")
#: A result the runtime produced, for the importer's tests (regenerated with
#: SAFEGUARD_UPDATE_FIXTURES=1).
RESULT_FIXTURE = Path(__file__).resolve().parent / "cases" / "collect" / "complete-surveyjs.json"
SEEDS = (1, 2, 3)

needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def run_survey(form: dict[str, Any], fillings: list[dict[str, Any]]) -> dict[str, Any]:
    """Load ``form`` in survey-core, set each filling's values, report what it shows."""
    if not (JS / "node_modules" / "survey-core").is_dir():
        pytest.fail("survey-core is not installed: run `npm ci` in tests/js (see .ci/run)")
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(JS / "run_survey.js")],
        input=json.dumps({"form": form, "fillings": fillings}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _form(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        render(case.checklist(), case.kind, "surveyjs", case.options())
    )
    return data


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("case", cases(), ids=lambda c: c.ref)
def test_the_runtime_shows_what_our_conditions_show(case: Case) -> None:
    form = _form(case)
    view = case.view()
    # three fillings of each whole set, one of each audience's form (the forms are large and
    # the runtime takes a second or so to load each)
    # (the small set with every kind of condition gets enough to meet each of them)
    seeds = range(1, 41) if case.set_ref == "complete" else SEEDS
    fillings = [case.filling(seed) for seed in (seeds if not case.audience else SEEDS[:1])]
    got = run_survey(form, [safe_data(f) for f in fillings])
    assert got["errors"] == []
    for filling, result in zip(fillings, got["results"], strict=True):
        want = [fields.safe_name(n) for n in expected_visible(view, filling)]
        assert result["visible"] == want
        assert result["invalid"] == []
        data = result["data"]
        props = {"sg_audience": ""}  # SurveyJS leaves an empty value out of the result
        props.update({k: v for k, v in data.items() if k.startswith("sg_")})
        envelope = Envelope.from_properties(props)
        assert (envelope.set, envelope.kind, envelope.audience) == (
            view.set_id,
            case.kind,
            case.audience,
        )
        assert {k: v for k, v in data.items() if not k.startswith("sg_")} == safe_data(filling)


def _complete() -> Case:
    return next(c for c in cases(audiences=False) if c.set_ref == "complete" and c.kind == "form")


@needs_node
def test_every_kind_of_condition_shows_and_hides_in_the_runtime() -> None:
    case = _complete()
    view = case.view()
    q = {x.full_id: x for x in view.questions()}
    gov, filt = "leadership.governance.named-governor", "leadership.governance.filtering"
    visits, review = (
        "leadership.governance.governor-visits",
        "leadership.governance.filtering-review",
    )
    assert q[review].question.ask_if is not None and q[review].question.ask_if.op == "all"
    answers = [
        {},
        {gov: "yes"},
        {gov: "no", filt: "own"},
        {gov: "yes", filt: "own"},
        {filt: "own"},
    ]
    got = run_survey(_form(case), [{fields.safe_name(k): v for k, v in a.items()} for a in answers])
    shown = [
        ({fields.field_name_of(n) for n in r["visible"]} & {visits, review}) for r in got["results"]
    ]
    assert shown == [set(), {visits}, set(), {visits, review}, set()]


@needs_node
def test_the_runtime_refuses_numbers_outside_the_bounds() -> None:
    case = _complete()
    name = fields.safe_name("leadership.governance.governors-trained")
    got = run_survey(_form(case), [{name: -1}, {name: 3}])
    assert [name in r["invalid"] for r in got["results"]] == [True, False]


def test_a_dotted_name_never_reaches_an_expression() -> None:
    form = _form(_complete())
    names: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for e in elements:
            names.append(e["name"])
            walk(e.get("elements", []))

    for page in form["pages"]:
        walk(page["elements"])
    assert all("." not in n and "-" not in n for n in names)
    assert all(fields.field_name_of(n) for n in names if not n.startswith("panel_"))
    text = json.dumps(form)
    assert "{SG_leadership__governance__named___governor} = 'yes'" in text


def test_conditions_become_expressions() -> None:
    from safeguard_standards.model import Condition

    a, b = "s.t.a", "s.t.b"
    both = Condition(
        op="all",
        conditions=(
            Condition(op="in", question=a, values=("x", "y")),
            Condition(op="not_equals", question=b, values=("n",)),
        ),
    )
    assert visible_if(both, frozenset()) == (
        "({SG_s__t__a} = 'x' or {SG_s__t__a} = 'y') and "
        "({SG_s__t__b} notempty and {SG_s__t__b} <> 'n')"
    )
    assert (
        visible_if(Condition(op="equals", question=a, values=("x",)), frozenset({a}))
        == "{SG_s__t__a} contains 'x'"
    )
    assert visible_if(Condition(op="not_equals", question=a, values=("x",)), frozenset({a})) == (
        "{SG_s__t__a} notempty and {SG_s__t__a} notcontains 'x'"
    )


@needs_node
def test_a_result_of_the_runtime_is_kept_for_the_importer() -> None:
    """survey.data for the complete set's form, seed 1, as the runtime gives it."""
    case = _complete()
    got = run_survey(_form(case), [safe_data(case.filling(1))])
    data = got["results"][0]["data"]
    if os.environ.get("SAFEGUARD_UPDATE_FIXTURES"):
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        RESULT_FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        RESULT_FIXTURE.write_text(text + "\n", encoding="utf-8")
    kept = json.loads(RESULT_FIXTURE.read_text(encoding="utf-8"))
    # the generator's version changes with every release; the rest only with the set
    assert kept.pop("sg_generator").startswith("safeguard-standards ")
    data.pop("sg_generator")
    assert kept == data


def test_the_same_set_gives_the_same_bytes() -> None:
    case = _complete()
    data = render(case.checklist(), "form", "surveyjs")
    assert data == render(case.checklist(), "form", "surveyjs")
    again = json.dumps(json.loads(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert data == again.encode("utf-8")

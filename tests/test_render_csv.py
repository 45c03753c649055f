"""CSV renders: forms as a flat question list, action plans, and the CSV-injection defence."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeguard_standards as sg
from safeguard_standards.model import Checklist
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._csv import FORMULA_TRIGGERS, neutralise, plain_text
from safeguard_standards.render._view import md_to_text

CASES = Path(__file__).resolve().parent / "cases"
COMPLETE = CASES / "valid" / "complete.yaml"

BUNDLED = [
    (s.id, v)
    for s in sg.bundled_sets()
    for v in s.versions
    if sg.check_bundled(s.id, v).checklist is not None
]


def complete() -> Checklist:
    return sg.load_path(COMPLETE)


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


_TRAILING = ("Organisation details", "Sign-off", "About this form (do not change)")


def questions_only(table: list[list[str]]) -> list[list[str]]:
    """The heading row and the question rows of a form CSV (without the rows after them:
    organisation details, sign-off and the envelope)."""
    return [r for r in table if r[2] not in _TRAILING]


# -- the injection defence ------------------------------------------------------------------


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_every_formula_trigger(first: str) -> None:
    assert neutralise(first + "SUM(A1:A9)") == "'" + first + "SUM(A1:A9)"


@pytest.mark.parametrize("text", ["", "Fully met", "1 - Embedded", "'quoted", " =later", "a=b"])
def test_neutralise_leaves_other_text_alone(text: str) -> None:
    assert neutralise(text) == text


@given(st.text())
def test_neutralised_text_never_starts_with_a_trigger(text: str) -> None:
    out = neutralise(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out in (text, "'" + text)


EVIL = {
    "title: Example safeguarding self-assessment": 'title: "=HYPERLINK(\\"http://evil\\")"',
    "title: Leadership and management": "title: \"+cmd|' /C calc'!A0\"",
    "title: Governance of safeguarding": 'title: "@SUM(1+1)*cmd"',
    "text: Is there a named governor who leads on safeguarding?": 'text: "-2+3"',
    "evidence: [Visit notes]": 'evidence: ["=EVIDENCE()"]',
    "{id: own, label: Our own arrangement}": '{id: own, label: "=1+1"}',
}


def evil() -> Checklist:
    text = COMPLETE.read_text(encoding="utf-8")
    for old, new in EVIL.items():
        assert old in text
        text = text.replace(old, new, 1)
    return sg.load_text(text, "evil.yaml")


@pytest.mark.parametrize("kind", ["form", "return-form", "action-plan"])
def test_no_cell_of_a_hostile_set_starts_like_a_formula(kind: str) -> None:
    table = rows(render(evil(), kind, "csv"))
    cells = [cell for row in table for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]


def test_hostile_text_is_kept_behind_a_quote() -> None:
    table = rows(render(evil(), "form", "csv"))
    head, body = table[0], table[1:]
    first = dict(zip(head, body[0], strict=True))
    assert first["Section"] == "'+cmd|' /C calc'!A0"
    assert first["Standard"] == "'@SUM(1+1)*cmd"
    assert first["Question"] == "'-2+3"
    second = dict(zip(head, body[1], strict=True))
    assert second["Evidence to look for"] == "'=EVIDENCE()"
    # only a cell's first character matters: this one starts with a letter
    choices = dict(zip(head, body[4], strict=True))["Choices"]
    assert choices == "Provided by the trust or authority | =1+1"


# -- forms ------------------------------------------------------------------------------------


def test_form_has_one_row_per_question_with_numbers_ids_and_blank_answers() -> None:
    c = complete()
    full = rows(render(c, "form", "csv"))
    table = questions_only(full)
    head, body = table[0], table[1:]
    assert head == [
        "Ref",
        "Id",
        "Section",
        "Standard",
        "Question",
        "Answer type",
        "Choices",
        "Answer if",
        "Evidence to look for",
        "Answer",
        "Evidence",
        "Action",
        "Notes",
    ]
    numbers = c.numbering()
    assert [r[1] for r in body] == [q.full_id for q in c.questions()]
    assert [r[0] for r in body] == [numbers[q.full_id] for q in c.questions()]
    assert [r[4] for r in body] == [q.text for q in c.questions()]
    assert all(r[9:] == ["", "", "", ""] for r in body)
    trailing = full[len(table) :]
    assert [r[1] for r in trailing[:10]] == [
        "org.name",
        "org.address",
        "org.completed_by",
        "org.role",
        "org.contact",
        "org.date",
        "signoff.name",
        "signoff.role",
        "signoff.signature",
        "signoff.date",
    ]
    assert all(r[9] == "" for r in trailing[:10])
    envelope = {r[1]: r[9] for r in trailing[10:]}
    assert envelope["sg_set"] == c.id and envelope["sg_set_version"] == c.version
    assert envelope["sg_kind"] == "form" and envelope["sg_content_hash"].startswith("sha256:")


def test_form_rows_say_the_choices_and_when_to_answer() -> None:
    table = rows(render(complete(), "form", "csv"))
    by_id = {r[1]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    visits = by_id["leadership.governance.governor-visits"]
    assert visits["Choices"] == "Fully met | Partly met | Not met | Not applicable"
    assert visits["Answer if"] == "Answer if you answered Yes to 1.1.1"
    named = by_id["leadership.governance.named-governor"]
    assert named["Choices"] == "Yes | No"
    assert named["Answer if"] == ""
    assert named["Evidence to look for"] == "Governing body minutes recording the appointment"
    review = by_id["leadership.governance.filtering-review"]
    assert "“Our own arrangement” to 1.1.5" in review["Answer if"]


def test_return_form_has_only_the_return_questions() -> None:
    c = complete()
    table = questions_only(rows(render(c, "return-form", "csv")))
    assert [r[1] for r in table[1:]] == [q.full_id for q in c.questions() if q.in_return]


def test_form_csv_snapshot(snapshot) -> None:  # type: ignore[no-untyped-def]
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "render_csv"
    snapshot.assert_match(render(complete(), "form", "csv"), "form.csv")


# -- action plans -----------------------------------------------------------------------------


def test_action_plan_has_one_row_per_standard_and_the_sets_columns() -> None:
    c = complete()
    table = rows(render(c, "action-plan", "csv"))
    head = table[0]
    assert head[:4] == ["Ref", "Id", "Section", "Standard"]
    assert head[4:] == [col.label for col in c.action_plan.columns]
    assert [r[1] for r in table[1:]] == [s.full_id for s in c.standards()]
    assert all(cell == "" for r in table[1:] for cell in r[4:])


def test_action_plan_per_question() -> None:
    c = complete()
    table = rows(render(c, "action-plan", "csv", RenderOptions(per="question")))
    assert table[0][4] == "Question"
    assert [r[1] for r in table[1:]] == [q.full_id for q in c.questions()]
    assert table[1][4] == "Is there a named governor who leads on safeguarding?"


def test_action_plan_csv_snapshot(snapshot) -> None:  # type: ignore[no-untyped-def]
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "render_csv"
    snapshot.assert_match(render(complete(), "action-plan", "csv"), "action-plan.csv")


def test_guidance_is_not_a_csv() -> None:
    with pytest.raises(RenderError) as err:
        render(complete(), "guidance", "csv")
    assert err.value.code == "SG401"


# -- bundled sets -----------------------------------------------------------------------------


@pytest.mark.parametrize(("set_id", "version"), BUNDLED)
def test_bundled_sets_render_as_csv(set_id: str, version: str) -> None:
    c = sg.load_bundled(set_id, version)
    form = rows(render(c, "form", "csv"))
    assert [r[1] for r in questions_only(form)[1:]] == [q.full_id for q in c.questions()]
    assert len({len(r) for r in form}) == 1
    plan = rows(render(c, "action-plan", "csv"))
    per = c.action_plan.per
    expected = (
        [q.full_id for q in c.questions()]
        if per == "question"
        else [s.full_id for s in c.standards()]
    )
    assert [r[1] for r in plan[1:]] == expected
    cells = [cell for table in (form, plan) for row in table for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]


# -- the plain-text fast path -----------------------------------------------------------------


@given(
    st.text(alphabet=st.sampled_from(list("ab 1.)-+*=#>&_[]()!:;,'\"\n\t<`~|\\é’")), max_size=24)
)
def test_plain_text_is_always_what_md_to_text_gives(text: str) -> None:
    assert plain_text(text) == md_to_text(text)


@pytest.mark.parametrize(("set_id", "version"), BUNDLED)
def test_plain_text_matches_md_to_text_on_bundled_prose(set_id: str, version: str) -> None:
    for q in sg.load_bundled(set_id, version).questions():
        for text in (q.text, *q.evidence):
            assert plain_text(text) == md_to_text(text)

"""Last year's answers on this year's questions: a golden test over three versions in a row.

v1 → v2: a question renamed (``formerly``), one reworded, one removed, one added; the ``grade``
scale gains a level and renames ``not-met`` to ``not-yet`` (same score).
v2 → v3: the standard ``training`` is split: it is renamed ``induction`` (``formerly``), one
of its questions moves to a new standard ``supervision`` and is reworded, the other half of
that question is new; the ``grade`` scale loses ``embedded``; a yes-no question becomes a
rating.
"""

from __future__ import annotations

import pytest

import safeguard_standards as sg
from safeguard_standards.model import Checklist
from safeguard_standards.report.aggregate import aggregate, thematic
from safeguard_standards.report.yoy import CAREFUL, QuestionMapping, map_returns, year_map
from safeguard_standards.returns.model import Answer, Return

HEAD = """\
dsl: 1
id: yy
title: Year on year
default_scale: level
{versions}
scales:
  level:
    - {{id: yes-fully, label: Fully, rag: green, score: 2}}
    - {{id: partly, label: Partly, rag: amber, score: 1}}
    - {{id: not-at-all, label: Not at all, rag: red, score: 0}}
"""

V1 = (
    HEAD.format(versions='version: "1"')
    + """\
  grade:
    - {id: met, label: Met, rag: green, score: 2}
    - {id: partly, label: Partly met, rag: amber, score: 1}
    - {id: not-met, label: Not met, rag: red, score: 0}
    - {id: na, label: Not applicable, scored: false}
sections:
  - id: lead
    title: Leadership
    standards:
      - id: gov
        title: Governance
        questions:
          - {id: named-lead, text: Is there a named safeguarding lead?, type: yes-no}
          - {id: board-reports, text: Does the board receive safeguarding reports?,
             type: rating, scale: grade}
          - {id: policy-review, text: Is the policy reviewed every year?, type: rating,
             scale: grade}
      - id: training
        title: Training
        questions:
          - {id: induction, text: Do all new staff have a safeguarding induction?, type: rating}
          - {id: refresher, text: Do staff have refresher training and supervision?,
             type: rating}
          - {id: paper-log, text: Is the training log kept on paper?, type: yes-no}
"""
)

V2 = (
    HEAD.format(versions='version: "2"\nsupersedes: "1"')
    + """\
  grade:
    - {id: embedded, label: Embedded, rag: green, score: 3}
    - {id: met, label: Met, rag: green, score: 2}
    - {id: partly, label: Partly met, rag: amber, score: 1}
    - {id: not-yet, label: Not yet, rag: red, score: 0}
    - {id: na, label: Not applicable, scored: false}
sections:
  - id: lead
    title: Leadership
    standards:
      - id: gov
        title: Governance
        questions:
          - {id: named-lead, text: Is there a named safeguarding lead?, type: yes-no}
          - {id: board-assurance, formerly: lead.gov.board-reports,
             text: Does the board receive safeguarding reports?, type: rating, scale: grade}
          - {id: policy-review, text: Is the policy reviewed and approved every year?,
             type: rating, scale: grade}
          - {id: annual-report, text: Is there an annual safeguarding report?, type: yes-no}
      - id: training
        title: Training
        questions:
          - {id: induction, text: Do all new staff have a safeguarding induction?, type: rating}
          - {id: refresher, text: Do staff have refresher training and supervision?,
             type: rating}
"""
)

V3 = (
    HEAD.format(versions='version: "3"\nsupersedes: "2"')
    + """\
  grade:
    - {id: met, label: Met, rag: green, score: 2}
    - {id: partly, label: Partly met, rag: amber, score: 1}
    - {id: not-yet, label: Not yet, rag: red, score: 0}
    - {id: na, label: Not applicable, scored: false}
sections:
  - id: lead
    title: Leadership
    standards:
      - id: gov
        title: Governance
        questions:
          - {id: named-lead, text: Is there a named safeguarding lead?, type: rating}
          - {id: board-assurance, text: Does the board receive safeguarding reports?,
             type: rating, scale: grade}
          - {id: policy-review, text: Is the policy reviewed and approved every year?,
             type: rating, scale: grade}
          - {id: annual-report, text: Is there an annual safeguarding report?, type: yes-no}
      - id: induction
        formerly: lead.training
        title: Induction
        questions:
          - {id: induction, text: Do all new staff have a safeguarding induction?, type: rating}
      - id: supervision
        title: Supervision
        questions:
          - {id: supervision, formerly: lead.training.refresher,
             text: Do staff have regular safeguarding supervision?, type: rating}
          - {id: refresher-course, text: Do staff have refresher training every year?,
             type: rating}
"""
)


def _load(text: str) -> Checklist:
    return sg.load_text(text, "yy.yaml")


@pytest.fixture(scope="module")
def chain() -> list[Checklist]:
    return [_load(V1), _load(V2), _load(V3)]


GRADE_MAP = (("met", "met"), ("na", "na"), ("not-met", "not-yet"), ("partly", "partly"))
RESCALED = "the rating scale or the options changed: answers mapped by id or score"
NEW = ("new: no earlier question to compare with",)

GOLDEN = (
    QuestionMapping(
        id="lead.gov.named-lead",
        old_id="lead.gov.named-lead",
        status="not-comparable",
        path=("lead.gov.named-lead",) * 3,
        notes=("the answer type changed: cannot be compared",),
    ),
    QuestionMapping(
        id="lead.gov.board-assurance",
        old_id="lead.gov.board-reports",
        status="rescaled",
        path=("lead.gov.board-reports", "lead.gov.board-assurance", "lead.gov.board-assurance"),
        renamed=True,
        rescaled=True,
        answer_map=GRADE_MAP,
        notes=(RESCALED, "formerly lead.gov.board-reports"),
    ),
    QuestionMapping(
        id="lead.gov.policy-review",
        old_id="lead.gov.policy-review",
        status="rescaled",
        path=("lead.gov.policy-review",) * 3,
        reworded=True,
        rescaled=True,
        answer_map=GRADE_MAP,
        notes=(CAREFUL, RESCALED),
    ),
    QuestionMapping(
        id="lead.gov.annual-report",
        status="new",
        path=("", "lead.gov.annual-report", "lead.gov.annual-report"),
        notes=NEW,
    ),
    QuestionMapping(
        id="lead.induction.induction",
        old_id="lead.training.induction",
        status="renamed",
        path=("lead.training.induction", "lead.training.induction", "lead.induction.induction"),
        renamed=True,
        notes=("formerly lead.training.induction",),
    ),
    QuestionMapping(
        id="lead.supervision.supervision",
        old_id="lead.training.refresher",
        status="reworded",
        path=("lead.training.refresher", "lead.training.refresher", "lead.supervision.supervision"),
        moved=True,
        reworded=True,
        notes=(CAREFUL, "formerly lead.training.refresher"),
    ),
    QuestionMapping(
        id="lead.supervision.refresher-course",
        status="new",
        path=("", "", "lead.supervision.refresher-course"),
        notes=NEW,
    ),
)


def test_three_versions_in_a_row_golden(chain: list[Checklist]) -> None:
    mapping = year_map(chain)
    assert mapping.versions == ("yy@1", "yy@2", "yy@3")
    assert mapping.questions == GOLDEN
    assert mapping.removed == (("lead.training.paper-log", "Is the training log kept on paper?"),)


def test_one_step_loses_a_level_that_cannot_be_compared(chain: list[Checklist]) -> None:
    m = year_map(chain[1:]).get("lead.gov.board-assurance")
    assert m.status == "rescaled"
    assert m.unmapped == ("embedded",)
    assert m.notes[-1] == "old answers that cannot be compared are left out: embedded"
    assert m.carry("embedded") is None
    assert m.carry("not-yet") == "not-yet"


def _old_return(org: str, named: str, board: str, policy: str, induction: str) -> Return:
    return Return(
        source=f"{org}.json",
        read_from="json",
        set="yy",
        version="1",
        answers=(
            Answer(question="lead.gov.named-lead", type="yes-no", value=named),
            Answer(question="lead.gov.board-reports", type="rating", value=board),
            Answer(question="lead.gov.policy-review", type="rating", value=policy),
            Answer(question="lead.training.induction", type="rating", value=induction),
            Answer(question="lead.training.refresher", type="rating", value="partly"),
            Answer(question="lead.training.paper-log", type="yes-no", value="yes"),
        ),
    )


def test_last_years_returns_are_counted_on_this_years_questions(chain: list[Checklist]) -> None:
    old = [
        _old_return("A", "yes", "not-met", "met", "yes-fully"),
        _old_return("B", "yes", "met", "na", "yes-fully"),
        _old_return("C", "no", "not-met", "partly", "not-at-all"),
        _old_return("D", "yes", "met", "met", "partly"),
    ]
    mapped = map_returns(old, chain)
    assert [r.version for r in mapped] == ["3"] * 4
    assert {r.mapped_from for r in mapped} == {"1"}
    a = mapped[0]
    assert a.answer("lead.gov.board-assurance").value == "not-yet"  # type: ignore[union-attr]
    assert a.answer("lead.supervision.supervision").value == "partly"  # type: ignore[union-attr]
    assert a.answer("lead.induction.induction").value == "yes-fully"  # type: ignore[union-attr]
    assert a.answer("lead.gov.named-lead") is None  # not comparable: not carried
    assert a.answer("lead.training.paper-log") is None  # removed

    v3 = chain[-1]
    previous = aggregate(v3, mapped)
    assert previous.question("lead.gov.board-assurance").figures.meeting == 2
    assert previous.question("lead.gov.board-assurance").figures.scored == 4
    assert previous.question("lead.gov.policy-review").figures.scored == 3  # N/A left out

    current = [
        Return(
            source=f"{org}.json",
            read_from="json",
            set="yy",
            version="3",
            answers=(
                Answer(question="lead.gov.named-lead", type="rating", value="yes-fully"),
                Answer(question="lead.gov.board-assurance", type="rating", value="met"),
                Answer(question="lead.gov.policy-review", type="rating", value="met"),
                Answer(question="lead.gov.annual-report", type="yes-no", value="yes"),
                Answer(question="lead.induction.induction", type="rating", value="yes-fully"),
                Answer(question="lead.supervision.supervision", type="rating", value="partly"),
                Answer(
                    question="lead.supervision.refresher-course", type="rating", value="not-at-all"
                ),
            ),
        )
        for org in "ABCD"
    ]
    report = thematic(v3, current, previous=previous, comparison=year_map(chain))
    table = report.table("year-on-year")
    row = table.row("lead.gov.board-assurance")
    assert [c.text for c in row.cells[:3]] == ["50%", "100%", "+50"]
    assert "formerly lead.gov.board-reports" in row.cells[3].text
    policy = table.row("lead.gov.policy-review")
    assert [c.text for c in policy.cells[:3]] == ["67%", "100%", "+33"]
    assert policy.cells[3].text.startswith(CAREFUL)
    assert [c.text for c in table.row("lead.gov.named-lead").cells[:2]] == ["–", "100%"]
    assert "cannot be compared" in table.row("lead.gov.named-lead").cells[3].text
    assert table.row("lead.supervision.refresher-course").cells[3].text.startswith("new")
    assert any(
        "removed since last year, not compared: lead.training.paper-log" in n for n in table.notes
    )


def test_previous_year_feeds_the_standards_comparison(chain: list[Checklist]) -> None:
    from safeguard_standards.report.aggregate import previous_year

    old = [
        _old_return("A", "yes", "not-met", "met", "yes-fully"),
        _old_return("B", "yes", "met", "na", "yes-fully"),
        _old_return("C", "no", "not-met", "partly", "not-at-all"),
        _old_return("D", "yes", "met", "met", "partly"),
    ]
    previous, mapping = previous_year(chain, old)
    v3 = chain[-1]
    current = [
        Return(
            source=f"{org}.json",
            read_from="json",
            set="yy",
            version="3",
            answers=tuple(
                Answer(
                    question=q.full_id,
                    type=q.type,
                    value="yes"
                    if q.type == "yes-no"
                    else "met"
                    if q.scale == "grade"
                    else "yes-fully",
                )
                for q in v3.questions()
            ),
        )
        for org in "ABCD"
    ]
    report = thematic(v3, current, previous=previous, comparison=mapping)
    standards = report.table("year-on-year:standards")
    # last year, mapped: board 2 of 4 meet, policy 2 of 3 (N/A out), named lead not comparable
    assert [c.text for c in standards.row("lead.gov").cells[:3]] == ["57%", "100%", "+43"]
    assert standards.row("lead.gov").cells[3].text == (
        "questions changed since last year: compare with care"
    )
    # induction last year: A and B fully, D partly, C not at all: 2 of 4 meet
    assert [c.text for c in standards.row("lead.induction").cells[:3]] == ["50%", "100%", "+50"]

"""The diff engine: matching by id and formerly, every kind of change, properties, snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from safeguard_standards_cli import cli

from safeguard_standards import (
    Checklist,
    Citation,
    Level,
    Question,
    Section,
    Standard,
    load_bundled,
    load_text,
)
from safeguard_standards.diff import Change, Diff, Kind, diff, word_diff
from safeguard_standards.model import AudienceValue, Condition, Option
from safeguard_standards.render import RenderOptions, render, render_diff


def format_diff(old: Checklist, new: Checklist, fmt: str = "md") -> str:
    """What ``safeguard diff`` writes."""
    return render_diff(old, new, fmt).decode("utf-8")


CASES = Path(__file__).resolve().parent / "cases"
COMPLETE = (CASES / "valid" / "complete.yaml").read_text(encoding="utf-8")
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "diff"


def variant(*edits: tuple[str, str]) -> Checklist:
    """complete.yaml with text replacements applied (each must match exactly once)."""
    text = COMPLETE
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return load_text(text, "variant.yaml")


@pytest.fixture(scope="module")
def base() -> Checklist:
    return load_text(COMPLETE, "complete.yaml")


def only(d: Diff) -> Change:
    assert len(d) == 1, [c.to_dict() for c in d]
    return d.changes[0]


# -- nothing changed ------------------------------------------------------------------------------


def test_a_set_compared_with_itself_has_no_changes(base: Checklist) -> None:
    d = diff(base, base)
    assert not d
    assert len(d) == 0
    text = format_diff(base, base)
    assert "\n\nNo differences.\n\nNothing has changed.\n" in text


def test_layout_comments_and_quoting_are_not_changes(base: Checklist) -> None:
    other = variant(
        (COMPLETE.splitlines(keepends=True)[0], "# reformatted\n\n"),
        ('version: "2025-26"', "version: '2025-26'"),
        ("    intro: Leaders set the tone.", "    intro: >-\n      Leaders set the tone."),
    )
    assert not diff(base, other)


def test_the_order_of_questions_in_a_standard_is_not_a_change(base: Checklist) -> None:
    section = base.sections[0]
    standard = section.standards[0]
    shuffled = attrs.evolve(standard, questions=tuple(reversed(standard.questions)))
    other = attrs.evolve(
        base, sections=(attrs.evolve(section, standards=(shuffled,)), *base.sections[1:])
    )
    assert not diff(base, other)
    assert not diff(other, base)


# -- one change of each kind ----------------------------------------------------------------------

NEW_QUESTION = """          - id: policy-approved
"""
ADDED = """          - id: online-filtering
            text: Is online filtering tested each term?
            type: yes-no
            change_note: New this year.
          - id: policy-approved
"""


def test_an_added_question_is_reported_with_its_number_and_note(base: Checklist) -> None:
    c = only(diff(base, variant((NEW_QUESTION, ADDED))))
    assert c.kind is Kind.ADDED
    assert c.item == "question"
    assert (c.id, c.old_id) == ("leadership.governance.online-filtering", "")
    assert c.number == "1.1.4"
    assert c.label == "Is online filtering tested each term?"
    assert c.note == "New this year."


def test_a_removed_question_is_reported_with_its_old_number(base: Checklist) -> None:
    old = variant((NEW_QUESTION, ADDED))
    c = only(diff(old, base))
    assert c.kind is Kind.REMOVED
    assert (c.id, c.old_id, c.old_number) == ("", "leadership.governance.online-filtering", "1.1.4")
    assert c.label == "Is online filtering tested each term?"


def test_rewording_gives_a_word_level_diff(base: Checklist) -> None:
    new = variant(
        (
            "text: Is there a named governor who leads on safeguarding?",
            "text: Is there a nominated governor who leads on safeguarding and online safety?",
        )
    )
    c = only(diff(base, new))
    assert (c.kind, c.field, c.id) == (
        Kind.REWORDED,
        "text",
        "leadership.governance.named-governor",
    )
    assert [(w.op, w.text) for w in c.words if w.op != "="] == [
        ("-", "named "),
        ("+", "nominated "),
        ("-", "safeguarding?"),
        ("+", "safeguarding and online safety?"),
    ]
    assert "".join(w.text for w in c.words if w.op != "+") == c.old
    assert "".join(w.text for w in c.words if w.op != "-") == c.new


@pytest.mark.parametrize(
    ("edit", "kind", "field"),
    [
        (("            type: number\n", "            type: percentage\n"), Kind.TYPE, "type"),
        (
            (
                "              - {id: own, label: Our own arrangement}\n",
                "              - {id: own, label: Our own arrangement}\n"
                "              - {id: none, label: No filtering}\n",
            ),
            Kind.OPTIONS,
            "options",
        ),
        (("            unit: governors\n", "            unit: people\n"), Kind.ANSWER, "unit"),
        (
            ("applies_to: {setting: [maintained, academy]}", "applies_to: {setting: [academy]}"),
            Kind.APPLICABILITY,
            "applies_to",
        ),
        (
            ("named-governor, equals: yes}", "named-governor, equals: no}"),
            Kind.CONDITION,
            "ask_if",
        ),
        (("            in_return: true\n", ""), Kind.RETURN, "in_return"),
        (("[Visit notes]", "[Visit notes, Termly report]"), Kind.EVIDENCE, "evidence"),
        (
            ("good: Regular visits with written notes.", "good: Termly visits with written notes."),
            Kind.GUIDANCE,
            "guidance.good",
        ),
        (
            ("cite: [{ref: kcsie-2025, at: Part two}]", "cite: [{ref: kcsie-2025, at: Part one}]"),
            Kind.CITATIONS,
            "cite",
        ),
    ],
)
def test_each_kind_of_question_change(
    base: Checklist, edit: tuple[str, str], kind: Kind, field: str
) -> None:
    c = only(diff(base, variant(edit)))
    assert (c.kind, c.item, c.field) == (kind, "question", field)
    assert c.id == c.old_id and c.number


def test_evidence_and_citation_changes_list_what_went_and_what_came(base: Checklist) -> None:
    c = only(diff(base, variant(("[Visit notes]", "[Visit notes, Termly report]"))))
    assert (c.removed, c.added) == ((), ("Termly report",))
    c = only(
        diff(
            base,
            variant(
                (
                    "cite: [{ref: kcsie-2025, at: Part two}]",
                    "cite: [{ref: kcsie-2025, at: Part one}]",
                )
            ),
        )
    )
    assert (c.removed, c.added) == (
        (Citation(ref="kcsie-2025", at="Part two"),),
        (Citation(ref="kcsie-2025", at="Part one"),),
    )


def test_a_rating_question_on_another_scale(base: Checklist) -> None:
    new = variant(
        (
            "default_scale: grade\n",
            "  done:\n    - {id: done, label: Done}\n    - {id: not-done, label: Not done}\n"
            "default_scale: grade\n",
        ),
        ("            type: rating\n", "            type: rating\n            scale: done\n"),
    )
    kinds = {(c.kind, c.item, c.field) for c in diff(base, new)}
    assert kinds == {(Kind.ADDED, "scale", ""), (Kind.SCALE, "question", "scale")}


# -- matching: formerly, moves, renames -----------------------------------------------------------

TEXT_QUESTION = """          - id: filtering-review
            text: Describe the last review of your own filtering."""


def test_a_question_renamed_with_formerly_is_matched(base: Checklist) -> None:
    new = variant(
        (
            TEXT_QUESTION,
            "          - id: filtering-check\n"
            "            formerly: leadership.governance.filtering-review\n"
            "            text: Describe the last review of your own filtering.",
        )
    )
    c = only(diff(base, new))
    assert c.kind is Kind.RENAMED
    assert (c.old_id, c.id) == (
        "leadership.governance.filtering-review",
        "leadership.governance.filtering-check",
    )


MOVED_OUT = """          - id: policy-approved
            text: When was the policy last approved?
            type: date
            evidence: [Minutes]
            guidance: {why: Policies are reviewed yearly., good: Within the last 12 months.}
"""
NEW_SECTION = """
  - id: policies
    title: Policies
    standards:
      - id: review
        title: Policy review
        questions:
          - id: policy-approved
            formerly: leadership.governance.policy-approved
            text: When was the policy last approved?
            type: date
            evidence: [Minutes]
            guidance: {why: Policies are reviewed yearly., good: Within the last 12 months.}
"""


def test_a_question_moved_to_another_section_with_formerly(base: Checklist) -> None:
    new = variant(
        (MOVED_OUT, ""),
        (
            "                - {question: leadership.governance.named-governor, not_equals: no}\n",
            "                - {question: leadership.governance.named-governor, not_equals: no}\n"
            + NEW_SECTION,
        ),
    )
    d = diff(base, new)
    moved = d.of(Kind.MOVED)
    assert len(moved) == 1
    c = moved[0]
    assert (c.old_id, c.id) == (
        "leadership.governance.policy-approved",
        "policies.review.policy-approved",
    )
    assert (c.old_number, c.number) == ("1.1.4", "2.1.1")
    assert {(x.kind, x.item) for x in d} == {
        (Kind.MOVED, "question"),
        (Kind.ADDED, "section"),
        (Kind.ADDED, "standard"),
    }


def test_children_of_a_renamed_section_follow_it_without_formerly(base: Checklist) -> None:
    new = variant(
        ("  - id: leadership\n", "  - id: governance\n    formerly: leadership\n"),
        *[
            (f"question: leadership.governance.{q}", f"question: governance.governance.{q}")
            for q in ("filtering, in: [own]", "named-governor, not_equals: no")
        ],
        (
            "ask_if: {question: leadership.governance.named-governor, equals: yes}",
            "ask_if: {question: governance.governance.named-governor, equals: yes}",
        ),
    )
    d = diff(base, new)
    # the section is renamed; its standards and questions follow it; only the conditions that
    # name the new ids change
    assert {(c.kind, c.item) for c in d} == {
        (Kind.RENAMED, "section"),
        (Kind.CONDITION, "question"),
    }
    assert ("leadership.governance.named-governor", "governance.governance.named-governor") in (
        d.matched
    )


def test_a_new_id_with_nearly_the_same_text_is_possibly_renamed(base: Checklist) -> None:
    new = variant(
        (
            TEXT_QUESTION,
            "          - id: filtering-check\n"
            "            text: Describe the most recent review of your own filtering.",
        )
    )
    c = only(diff(base, new))
    assert c.kind is Kind.POSSIBLY_RENAMED
    assert (c.old_id, c.id) == (
        "leadership.governance.filtering-review",
        "leadership.governance.filtering-check",
    )
    assert 0.8 <= c.similarity < 1
    text = format_diff(base, new)
    assert "add 'formerly: leadership.governance.filtering-review' to it" in text


def test_a_new_id_with_different_text_is_added_and_removed(base: Checklist) -> None:
    new = variant(
        (
            TEXT_QUESTION,
            "          - id: filtering-check\n"
            "            text: Who checks that filtering blocks harmful content?",
        )
    )
    assert sorted(c.kind.value for c in diff(base, new)) == ["added", "removed"]


# -- the set itself -------------------------------------------------------------------------------


def test_set_level_changes(base: Checklist) -> None:
    new = variant(
        ("contact: audit@example.org}", "contact: audit@example.org, return_deadline: 2025-12-12}"),
        ("    - {id: partly, label: Partly met, rag: amber, score: 1}\n", ""),
        ("fe-college: FE college}", "fe-college: FE college, special: Special school}"),
    )
    d = diff(base, new)
    got = {(c.kind, c.item, c.id, c.field) for c in d}
    assert got == {
        (Kind.CHANGED, "set", "", "publisher.return_deadline"),
        (Kind.CHANGED, "scale", "grade", "levels"),
        (Kind.CHANGED, "audience", "setting", "values"),
    }
    scale = d.of(Kind.CHANGED, item="scale")[0]
    assert scale.removed == (Level(id="partly", label="Partly met", rag="amber", score=1),)
    audience = d.of(item="audience")[0]
    assert audience.added == (AudienceValue(id="special", label="Special school"),)


def test_a_reference_replaced_everywhere_is_one_change(base: Checklist) -> None:
    text = COMPLETE.replace("kcsie-2025", "kcsie-2026").replace("education 2025", "education 2026")
    d = diff(base, load_text(text))
    assert [(c.kind, c.item, c.old_id, c.id) for c in d] == [
        (Kind.REPLACED, "reference", "kcsie-2025", "kcsie-2026")
    ]


def test_changes_come_set_first_then_in_document_order_then_removals(base: Checklist) -> None:
    new = variant(
        ("title: Example safeguarding self-assessment", "title: Example audit"),
        ("            in_return: true\n", ""),
        (MOVED_OUT, ""),
        (
            "text: How many governors have had safeguarding training?",
            "text: How many governors have been trained?",
        ),
    )
    order = [(c.kind.value, c.ref) for c in diff(base, new)]
    assert order == [
        ("changed", ""),
        ("return-changed", "leadership.governance.named-governor"),
        ("reworded", "leadership.governance.governors-trained"),
        ("removed", "leadership.governance.policy-approved"),
    ]


# -- properties (Hypothesis) ----------------------------------------------------------------------

WORDS = [
    "does",
    "the",
    "setting",
    "have",
    "a",
    "policy",
    "for",
    "staff",
    "who",
    "report",
    "concerns",
    "about",
    "children",
]
QIDS = [f"q{i}" for i in range(12)]


@st.composite
def checklists(draw: st.DrawFn) -> Checklist:
    sections = []
    for i in range(draw(st.integers(1, 3))):
        standards = []
        for j in range(draw(st.integers(1, 3))):
            qids = draw(st.lists(st.sampled_from(QIDS), min_size=1, max_size=5, unique=True))
            questions = tuple(
                Question(
                    id=q,
                    full_id=f"s{i}.t{j}.{q}",
                    text=" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9))),
                    type=draw(st.sampled_from(["yes-no", "text", "date"])),
                    in_return=draw(st.booleans()),
                )
                for q in qids
            )
            standards.append(
                Standard(id=f"t{j}", full_id=f"s{i}.t{j}", title=f"T{j}", questions=questions)
            )
        sections.append(Section(id=f"s{i}", title=f"S{i}", standards=tuple(standards)))
    return Checklist(dsl=1, id="x", version="1", title="X", sections=tuple(sections))


def _ids(c: Checklist) -> set[str]:
    return (
        {s.id for s in c.sections}
        | {st.full_id for st in c.standards()}
        | {q.full_id for q in c.questions()}
    )


@given(checklists())
def test_property_a_set_has_no_changes_from_itself(c: Checklist) -> None:
    assert diff(c, c).changes == ()


@given(checklists(), checklists())
@settings(max_examples=150)
def test_property_every_id_of_both_versions_is_accounted_for(a: Checklist, b: Checklist) -> None:
    d = diff(a, b)
    items = ("section", "standard", "question")
    gone = {
        c.old_id for c in d if c.item in items and c.kind in (Kind.REMOVED, Kind.POSSIBLY_RENAMED)
    }
    came = {c.id for c in d if c.item in items and c.kind in (Kind.ADDED, Kind.POSSIBLY_RENAMED)}
    matched_old = {o for o, _n in d.matched}
    matched_new = {n for _o, n in d.matched}
    assert matched_old | gone == _ids(a) and not matched_old & gone
    assert matched_new | came == _ids(b) and not matched_new & came


def _shuffle_unchanged(c: Checklist, other: Checklist, rnd: object) -> Checklist:
    """``c`` with the questions of every section that is the same in ``other`` reordered."""
    import random

    assert isinstance(rnd, random.Random)
    same = {s.id for s in c.sections if other.sections and s in other.sections}
    sections = []
    for s in c.sections:
        if s.id in same:
            standards = []
            for stn in s.standards:
                questions = list(stn.questions)
                rnd.shuffle(questions)
                standards.append(attrs.evolve(stn, questions=tuple(questions)))
            s = attrs.evolve(s, standards=tuple(standards))
        sections.append(s)
    return attrs.evolve(c, sections=tuple(sections))


@given(checklists(), checklists(), st.randoms(use_true_random=False))
@settings(max_examples=150)
def test_property_changes_do_not_depend_on_question_order_in_unchanged_sections(
    a: Checklist, b: Checklist, rnd: object
) -> None:
    # make some sections identical in both, so that there is something to shuffle
    same = {s.id: s for s in a.sections[::2]}
    b = attrs.evolve(b, sections=tuple(same.get(s.id, s) for s in b.sections))
    expected = diff(a, b).changes
    assert diff(a, _shuffle_unchanged(b, a, rnd)).changes == expected
    assert diff(_shuffle_unchanged(a, b, rnd), b).changes == expected


@given(checklists(), checklists())
@settings(max_examples=60, deadline=None)
def test_property_the_changes_view_carries_every_change_and_each_new_question(
    a: Checklist, b: Checklist
) -> None:
    d = diff(a, b)
    data = json.loads(render_diff(a, b, "json", d))
    assert data["changes"] == [c.to_dict() for c in d]
    links = d.question_map()
    assert list(links) == [q.full_id for q in b.questions()]
    came_from = {n: o for o, n in d.matched}
    for link in links.values():
        if link.via == "similar-text":
            assert any(c.kind is Kind.POSSIBLY_RENAMED and c.id == link.id for c in d)
        else:
            assert link.old_id == came_from.get(link.id, "")
    # every question change is under the question's entry, in words
    document = data["document"]
    entries = [
        e
        for group in ("new_questions", "reworded", "moved", "removed", "other")
        for e in document[group]
    ]
    items = {(c.item, c.id, c.old_id) for c in d if c.item == "question"}
    assert len(entries) == len(items)


def test_word_diff_rebuilds_both_texts() -> None:
    old, new = "Is there an attendance policy?", "Does the attendance policy follow the guidance?"
    ops = word_diff(old, new)
    assert "".join(w.text for w in ops if w.op != "+") == old
    assert "".join(w.text for w in ops if w.op != "-") == new


# -- output ---------------------------------------------------------------------------------------


def test_json_output_round_trips_the_change_list(base: Checklist) -> None:
    new = variant(("            in_return: true\n", ""))
    data = json.loads(format_diff(base, new, "json"))
    assert data["old"] == data["new"] == "example@2025-26"
    assert data["counts"] == {"return-changed": 1}
    assert data["changes"] == [
        {
            "kind": "return-changed",
            "item": "question",
            "id": "leadership.governance.named-governor",
            "old_id": "leadership.governance.named-governor",
            "field": "in_return",
            "old": True,
            "new": False,
            "number": "1.1.1",
            "old_number": "1.1.1",
            "label": "Is there a named governor who leads on safeguarding?",
        }
    ]


def test_markdown_and_html_show_deleted_and_inserted_words(base: Checklist) -> None:
    new = variant(("text: How many governors", "text: How many trustees"))
    md = format_diff(base, new, "md")
    assert "**Before:** How many ~~governors~~ have had safeguarding training?" in md
    assert "**Now:** How many **trustees** have had safeguarding training?" in md
    page = format_diff(base, new, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "How many <del>governors</del> have had" in page
    assert "How many <ins>trustees</ins> have had" in page
    with pytest.raises(ValueError):
        format_diff(base, new, "xlsx")


# -- the bundled sets: expected change lists ------------------------------------------------------

BUNDLED_PAIRS = [
    ("kcsie", "2024-25", "2025-26"),
    ("section11", "2023-25", "2025-27"),
    ("vcs_checklist", "2024-25", "2025-26"),
]


@pytest.mark.parametrize(("set_id", "old", "new"), BUNDLED_PAIRS, ids=lambda x: str(x))
def test_bundled_versions_snapshot(snapshot, set_id: str, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    d = diff(load_bundled(set_id, old), load_bundled(set_id, new))
    snapshot.snapshot_dir = SNAPSHOTS
    lines = [
        f"{c.kind.value:<22} {c.item:<9} {c.old_id or '-'} -> {c.id or '-'} {c.field}".rstrip()
        for c in d
    ]
    snapshot.assert_match("\n".join(lines) + "\n", f"{set_id}-{old}-{new}.txt")


def test_kcsie_2025_changes_are_found() -> None:
    d = diff(load_bundled("kcsie", "2024-25"), load_bundled("kcsie", "2025-26"))
    added = {c.id for c in d.of(Kind.ADDED, item="question")}
    assert "online-safety.online-risks.generative-ai" in added
    for new_id in (
        "ap-staff-checks-confirmed",
        "ap-whereabouts",
        "ap-placement-review",
    ):
        assert f"alternative-provision.placements.{new_id}" in added
    assert "boarding.residential-care.out-of-hours-cover" in added
    # KCSIE 2025 dropped only a funding reference: the senior mental health lead question stays
    assert [c.old_id for c in d.of(Kind.REMOVED, item="question")] == []
    assert {(c.old_id, c.id) for c in d.of(Kind.RENAMED)} >= {
        ("leadership.staff-conduct.code-of-conduct", "leadership.staff-conduct.conduct-policy"),
        ("governance.oversight.statutory-duty", "governance.oversight.statutory-duty-evidence"),
        (
            "missing-education.attendance.absence-follow-up",
            "missing-education.attendance.first-day-follow-up",
        ),
    }
    assert [(c.old_id, c.id) for c in d.of(Kind.MOVED)] == [
        (
            "policies.core-policies.attendance-policy",
            "missing-education.attendance.attendance-policy",
        )
    ]
    assert [(c.old_id, c.id) for c in d.of(Kind.REPLACED)] == [("kcsie-2024", "kcsie-2025")]
    # every change note of the new version is attached to a change
    noted = {c.id for c in d if c.note}
    with_notes = {q.full_id for q in load_bundled("kcsie", "2025-26").questions() if q.change_note}
    assert with_notes <= noted


# -- the command ----------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_diff_markdown_and_exit_code(tmp_path: Path) -> None:
    code, out, _ = run("diff", "kcsie@2024-25", "kcsie@2025-26")
    assert code == 0
    assert out.startswith("# Changes: kcsie@2024-25 → kcsie@2025-26")
    code, _, _ = run("diff", "kcsie@2024-25", "kcsie@2025-26", "--exit-code")
    assert code == 1
    path = str(CASES / "valid" / "complete.yaml")
    code, out, _ = run("diff", path, path, "--exit-code")
    assert code == 0 and "\n\nNo differences.\n" in out


def test_cli_diff_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "changes.json"
    code, out, _ = run(
        "diff",
        "vcs_checklist@2024-25",
        "vcs_checklist@2025-26",
        "--format",
        "json",
        "-o",
        str(target),
    )
    assert code == 0, out
    assert out.startswith(f"wrote {target} (")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["new"] == "vcs_checklist@2025-26" and data["changes"]


def test_cli_diff_bad_arguments(tmp_path: Path) -> None:
    code, _, err = run("diff", "kcsie@2099-00", "kcsie")
    assert code == 2 and "kcsie has no version '2099-00'" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("dsl: 1\nid: x\n", encoding="utf-8")
    code, _, err = run("diff", str(broken), "kcsie")
    assert code == 1 and f"{broken}:1:1: SG111" in err


# -- typed values ---------------------------------------------------------------------------------


def test_changes_carry_the_model_values_not_text(base: Checklist) -> None:
    new = variant(
        ("            min: 0\n", "            min: 1.5\n"),
        ("            in_return: true\n", ""),
        ("named-governor, equals: yes}", "named-governor, equals: no}"),
        ("applies_to: {setting: [maintained, academy]}", "applies_to: {setting: [academy]}"),
        (
            "              - {id: own, label: Our own arrangement}\n",
            "              - {id: own, label: Our own arrangement}\n"
            "              - {id: none, label: No filtering}\n",
        ),
    )
    by_field = {c.field: c for c in diff(base, new)}
    assert (by_field["min"].old, by_field["min"].new) == (0, 1.5)
    assert (by_field["in_return"].old, by_field["in_return"].new) == (True, False)
    assert by_field["ask_if"].new == Condition(
        op="equals", question="leadership.governance.named-governor", values=("no",)
    )
    assert by_field["applies_to"].new == (("setting", ("academy",)),)
    options = by_field["options"]
    assert options.added == (Option(id="none", label="No filtering"),)
    # and as JSON: numbers, booleans, objects, lists
    data = {c["field"]: c for c in json.loads(format_diff(base, new, "json"))["changes"]}
    assert (data["min"]["old"], data["min"]["new"]) == (0, 1.5)
    assert (data["in_return"]["old"], data["in_return"]["new"]) == (True, False)
    assert data["ask_if"]["new"] == {
        "op": "equals",
        "question": "leadership.governance.named-governor",
        "values": ["no"],
    }
    assert data["applies_to"]["old"] == {"setting": ["maintained", "academy"]}
    assert data["applies_to"]["new"] == {"setting": ["academy"]}
    assert data["options"]["added"] == [{"id": "none", "label": "No filtering"}]
    assert data["options"]["new"][-1] == {"id": "none", "label": "No filtering"}


def test_a_citation_change_carries_the_citations(base: Checklist) -> None:
    new = variant(
        (
            "cite: [{ref: kcsie-2025, at: Part two}]",
            'cite: [{ref: kcsie-2025, at: Part two, note: "see paragraphs 3, 4 and 5"}]',
        )
    )
    c = only(diff(base, new))
    assert c.kind is Kind.CITATIONS
    assert c.removed == (Citation(ref="kcsie-2025", at="Part two"),)
    assert c.added == (Citation(ref="kcsie-2025", at="Part two", note="see paragraphs 3, 4 and 5"),)
    assert c.to_dict()["added"] == [
        {"ref": "kcsie-2025", "at": "Part two", "note": "see paragraphs 3, 4 and 5"}
    ]


# -- where each new question came from ------------------------------------------------------------


def test_question_map_says_where_each_question_came_from(base: Checklist) -> None:
    new = variant(
        # renamed with formerly, and its text changed
        (
            TEXT_QUESTION,
            "          - id: filtering-check\n"
            "            formerly: leadership.governance.filtering-review\n"
            "            text: Describe the last check of your own filtering.",
        ),
        # another answer type
        ("            type: number\n", "            type: percentage\n"),
        # another option
        (
            "              - {id: own, label: Our own arrangement}\n",
            "              - {id: own, label: Our own arrangement}\n"
            "              - {id: none, label: No filtering}\n",
        ),
        # a level of the default scale relabelled: every rating question's scale changed
        ("{id: partly, label: Partly met,", "{id: partly, label: Partially met,"),
        # a new question
        (NEW_QUESTION, ADDED),
    )
    links = diff(base, new).question_map()
    assert list(links) == [q.full_id for q in new.questions()]
    g = "leadership.governance."
    check = links[g + "filtering-check"]
    assert (check.old_id, check.via, check.moved) == (g + "filtering-review", "formerly", False)
    assert check.text_changed and not check.type_changed and check.certain
    assert check.answers_carry_over  # a text question with other wording: answers still fit
    trained = links[g + "governors-trained"]
    assert (trained.via, trained.type_changed, trained.answers_carry_over) == ("id", True, False)
    filtering = links[g + "filtering"]
    assert (filtering.options_changed, filtering.answers_carry_over) == (True, False)
    visits = links[g + "governor-visits"]
    assert (visits.scale_changed, visits.text_changed) == (True, False)
    same = links[g + "named-governor"]
    assert (same.old_id, same.via, same.answers_carry_over) == (g + "named-governor", "id", True)
    added = links[g + "online-filtering"]
    assert (added.old_id, added.via, added.certain) == ("", "new", False)


def test_question_map_follows_moves_parents_and_similar_text(base: Checklist) -> None:
    moved = variant(
        (MOVED_OUT, ""),
        (
            "                - {question: leadership.governance.named-governor, not_equals: no}\n",
            "                - {question: leadership.governance.named-governor, not_equals: no}\n"
            + NEW_SECTION,
        ),
    )
    link = diff(base, moved).question_map()["policies.review.policy-approved"]
    assert (link.old_id, link.via, link.moved) == (
        "leadership.governance.policy-approved",
        "formerly",
        True,
    )
    renamed_section = variant(
        ("  - id: leadership\n", "  - id: governance\n    formerly: leadership\n"),
        *[
            (f"question: leadership.governance.{q}", f"question: governance.governance.{q}")
            for q in ("filtering, in: [own]", "named-governor, not_equals: no")
        ],
        (
            "ask_if: {question: leadership.governance.named-governor, equals: yes}",
            "ask_if: {question: governance.governance.named-governor, equals: yes}",
        ),
    )
    link = diff(base, renamed_section).question_map()["governance.governance.named-governor"]
    assert (link.old_id, link.via, link.moved) == (
        "leadership.governance.named-governor",
        "parent",
        False,
    )
    similar = variant(
        (
            TEXT_QUESTION,
            "          - id: filtering-check\n"
            "            text: Describe the most recent review of your own filtering.",
        )
    )
    link = diff(base, similar).question_map()["leadership.governance.filtering-check"]
    assert (link.old_id, link.via, link.certain) == (
        "leadership.governance.filtering-review",
        "similar-text",
        False,
    )
    assert 0.8 <= link.similarity < 1 and not link.answers_carry_over


def test_safeguard_diff_puts_every_set_level_change_into_words(base: Checklist) -> None:
    new = variant(
        ("title: Example safeguarding self-assessment", "title: Example audit"),
        ("status: published", "status: draft"),
        ("effective: {from: 2025-09-01,", "effective: {from: 2025-09-02,"),
        ("description: An example used by the tests.", "description: Another example."),
        (
            "contact: audit@example.org}",
            "contact: audit@example.org, url: https://example.org, return_deadline: 2025-12-12}",
        ),
        (
            "    kind: statutory-guidance\n",
            "    kind: statutory-guidance\n    edition: September 2025\n",
        ),
        ("    label: Type of setting\n", "    label: Kind of setting\n"),
        ("    - {id: partly, label: Partly met, rag: amber, score: 1}\n", ""),
    )
    changes = [c for c in diff(base, new) if c.item in ("set", "scale", "reference", "audience")]
    assert len(changes) == 9
    md = format_diff(base, new)
    whole = md.split("## Changes to the whole audit\n\n")[1].split("\n\n")[0].splitlines()
    assert whole == [
        "- The audit is now called Example audit (it was Example safeguarding self-assessment).",
        "- Its status is now draft (it was published).",
        "- It now applies from 2 September 2025 (it was 1 September 2025).",
        "- The publisher's web address is now https://example.org.",
        "- Returns are due by 12 December 2025.",
        "- The description of the audit has changed.",
        "- The rating scale Fully met / Not met / Not applicable has changed: check what each "
        "level means.",
        "- The edition of the reference Keeping children safe in education 2025 is now "
        "September 2025.",
        "- The choice Type of setting is now called Kind of setting.",
    ]
    # the document for the people who fill the form in leaves out what only matters to editors
    doc = render(new, "changes", "md", RenderOptions(previous=base)).decode("utf-8")
    assert "Its status is now" not in doc and "web address" not in doc
    assert "- Returns are due by 12 December 2025." in doc

"""Themes in the DSL: declared once, named by standards and questions, carried everywhere."""

from __future__ import annotations

import json
import textwrap

import attrs
import jsonschema
import yaml

import safeguard_standards as sg
from safeguard_standards import Code
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.render._envelope import content_hash
from safeguard_standards.render._json import resolved_schema
from safeguard_standards.tailoring import apply_overlay, dump_yaml

SET = textwrap.dedent(
    """\
    dsl: 1
    id: example
    version: "2025-26"
    title: Themes
    scales:
      grade:
        - {id: met, label: Met}
        - {id: not-met, label: Not met}
    themes:
      leadership: {title: Leadership and accountability}
      supervision:
        title: Supervision and management oversight
        describe: Regular supervision.
      training: {title: Staff training and development}
    sections:
      - id: workforce
        title: Workforce
        standards:
          - id: training
            title: Training
            themes: [training]
            questions:
              - id: induction
                text: Does induction cover safeguarding?
                type: rating
                evidence: [Induction programme]
                guidance: {why: a, good: b}
              - id: supervision
                text: Is there regular supervision?
                type: rating
                themes: [supervision, training]
                evidence: [Supervision records]
                guidance: {why: a, good: b}
          - id: plain
            title: No theme
            questions:
              - id: q
                text: A question with no theme
                type: yes-no
                evidence: [x]
                guidance: {why: a, good: b}
    """
)


def _set() -> sg.Checklist:
    return sg.load_text(SET, "themes.yaml")


def test_a_question_has_its_standards_themes_then_its_own_each_once() -> None:
    c = _set()
    assert [t.id for t in c.themes] == ["leadership", "supervision", "training"]
    assert c.theme("supervision") == sg.model.Theme(
        id="supervision",
        title="Supervision and management oversight",
        describe="Regular supervision.",
    )
    induction = c.question("workforce.training.induction")
    supervision = c.question("workforce.training.supervision")
    plain = c.question("workforce.plain.q")
    assert induction is not None and induction.themes == ("training",)
    assert supervision is not None and supervision.themes == ("training", "supervision")
    assert plain is not None and plain.themes == ()


def test_an_undeclared_theme_is_located_with_a_suggestion() -> None:
    text = SET.replace("themes: [supervision, training]", "themes: [supervison, training]")
    result = sg.check_text(text, "themes.yaml")
    (d,) = result.errors
    assert (d.code, d.line, d.column) == (Code.UNDEFINED_THEME, 31, 22)
    assert "did you mean 'supervision'?" in d.message
    assert d.item == "workforce.training.supervision"
    assert "leadership, supervision, training" in d.hint


def test_a_set_with_no_vocabulary_says_so() -> None:
    text = SET.replace("themes:\n  leadership:", "other:\n  leadership:", 1)
    result = sg.check_text(text, "themes.yaml")
    codes = {d.code for d in result.errors}
    assert Code.UNDEFINED_THEME in codes
    assert any("none are declared yet" in d.hint for d in result.errors)


def test_json_carries_themes_and_validates_against_its_schema() -> None:
    data = json.loads(render(_set(), "form", "json"))
    jsonschema.validate(data, resolved_schema())
    assert data["themes"][1] == {
        "id": "supervision",
        "title": "Supervision and management oversight",
        "describe": "Regular supervision.",
    }
    standard = data["sections"][0]["standards"][0]
    assert standard["themes"] == ["training"]
    questions = standard["questions"]
    assert [q["themes"] for q in questions] == [["training"], ["training", "supervision"]]


def test_themes_are_not_part_of_the_content_hash() -> None:
    """Tagging a published version with themes keeps its returns matched to it."""
    c = _set()
    untagged = attrs.evolve(
        c,
        themes=(),
        sections=tuple(
            attrs.evolve(
                s,
                standards=tuple(
                    attrs.evolve(
                        st,
                        themes=(),
                        questions=tuple(attrs.evolve(q, themes=()) for q in st.questions),
                    )
                    for st in s.standards
                ),
            )
            for s in c.sections
        ),
    )
    assert untagged != c
    assert content_hash(untagged) == content_hash(c)
    assert content_hash(untagged, RenderOptions()) == content_hash(c, RenderOptions())


def test_resolved_yaml_round_trips_and_writes_only_a_questions_own_themes() -> None:
    c = _set()
    text = dump_yaml(c)
    data = yaml.safe_load(text)
    standard = data["sections"][0]["standards"][0]
    assert standard["themes"] == ["training"]
    assert "themes" not in standard["questions"][0]  # it has only its standard's
    assert standard["questions"][1]["themes"] == ["supervision", "training"]  # as written
    assert sg.load_text(text, "dumped.yaml") == c


OVERLAY = textwrap.dedent(
    """\
    dsl: 1
    extends: example@2025-26
    themes:
      voice-of-child: {title: The voice of the child}
    modify:
      - id: workforce.training
        set: {themes: [leadership]}
      - id: workforce.plain.q
        set: {themes: [voice-of-child]}
    add:
      - end_of: workforce.training
        questions:
          - id: ns-appraisal
            text: Does appraisal cover safeguarding?
            type: rating
            themes: [training]
            evidence: [Appraisal form]
            guidance: {why: a, good: b}
    """
)


def test_an_overlay_adds_a_theme_and_retags_a_standard_and_its_questions() -> None:
    result = apply_overlay(_set(), OVERLAY, "local.yaml")
    assert result.diagnostics == ()
    c = result.unwrap()
    assert [t.id for t in c.themes] == ["leadership", "supervision", "training", "voice-of-child"]
    assert c.themes[-1].origin == "local"
    themes = {q.full_id: q.themes for q in c.questions()}
    assert themes == {
        # the standard now has `leadership` instead of `training`; the questions follow it and
        # keep what they added themselves
        "workforce.training.induction": ("leadership",),
        "workforce.training.supervision": ("leadership", "supervision", "training"),
        "workforce.training.ns-appraisal": ("leadership", "training"),
        "workforce.plain.q": ("voice-of-child",),
    }


def test_an_overlay_with_an_undeclared_theme_is_located_in_the_overlay() -> None:
    text = OVERLAY.replace("set: {themes: [voice-of-child]}", "set: {themes: [voice-of-chld]}")
    result = apply_overlay(_set(), text, "local.yaml")
    (d,) = result.errors
    assert (d.code, d.source, d.line, d.column) == (Code.UNDEFINED_THEME, "local.yaml", 9, 20)
    assert "did you mean 'voice-of-child'?" in d.message


def test_unsetting_a_questions_themes_leaves_its_standards() -> None:
    text = OVERLAY.split("add:")[0].replace(
        "  - id: workforce.plain.q\n    set: {themes: [voice-of-child]}\n",
        "  - id: workforce.training.supervision\n    unset: [themes]\n",
    )
    assert "unset: [themes]" in text
    c = apply_overlay(_set(), text, "local.yaml").unwrap()
    q = c.question("workforce.training.supervision")
    assert q is not None and q.themes == ("leadership",)


def test_the_diff_reports_themes_added_and_taken_off() -> None:
    from safeguard_standards.diff import Kind, diff
    from safeguard_standards.render import render_changes

    old = _set()
    text = SET.replace('version: "2025-26"', 'version: "2026-27"')
    text = text.replace("themes: [training]\n", "themes: [training, leadership]\n", 1)
    text = text.replace("themes: [supervision, training]", "themes: [training]")
    new = sg.load_text(text, "next.yaml")
    changes = [(ch.kind, ch.id, ch.added, ch.removed) for ch in diff(old, new).changes]
    assert (Kind.THEMES, "workforce.training", ("leadership",), ()) in changes
    # the question listed `supervision` and `training`; `training` is still its standard's
    assert (Kind.THEMES, "workforce.training.supervision", (), ("supervision",)) in changes
    assert not [c for c in changes if c[1] == "workforce.training.induction"]
    words = render_changes(old, new, "md").decode("utf-8")
    assert "Now reported under “Leadership and accountability”." in words
    assert "No longer under “Supervision and management oversight”." in words
    assert diff(new, new).changes == ()

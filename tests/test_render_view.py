"""The shared, format-independent views every renderer uses (render/_view.py)."""

from __future__ import annotations

import base64
from pathlib import Path

import attrs
import pytest

import safeguard_standards as sg
from safeguard_standards.model import Citation, Condition, Option, Publisher
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render import _view as v

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
GOV = "leadership.governance"


@pytest.fixture(scope="module")
def checklist() -> sg.Checklist:
    return sg.load_path(COMPLETE)


def _question(c: sg.Checklist, short: str) -> sg.Question:
    q = c.question(f"{GOV}.{short}")
    assert q is not None
    return q


def _with_question(c: sg.Checklist, short: str, **changes: object) -> sg.Checklist:
    """The checklist with one question changed (e.g. its type)."""
    section = c.sections[0]
    standard = section.standards[0]
    questions = tuple(
        attrs.evolve(q, **changes) if q.id == short else q for q in standard.questions
    )
    standard = attrs.evolve(standard, questions=questions)
    section = attrs.evolve(section, standards=(standard, *section.standards[1:]))
    return attrs.evolve(c, sections=(section, *c.sections[1:]))


# -- which questions ----------------------------------------------------------------------------


def test_return_form_keeps_only_in_return_questions_with_the_forms_numbers(checklist):
    doc = v.build_document(checklist, "return-form")
    assert [(q.number, q.full_id) for q in doc.questions()] == [("1.1.1", f"{GOV}.named-governor")]
    form = v.build_document(checklist, "form")
    assert len(list(form.questions())) == 6
    assert [q.number for q in form.questions()] == [f"1.1.{i}" for i in range(1, 7)]


def test_return_form_drops_standards_and_sections_left_empty(checklist):
    none_in_return = _with_question(checklist, "named-governor", in_return=False)
    assert v.select_kind(none_in_return, "return-form").sections == ()
    assert v.select_kind(none_in_return, "form") is none_in_return


def test_condition_is_live_only_when_the_question_it_depends_on_is_shown(checklist):
    with_return = _with_question(checklist, "governor-visits", in_return=True)
    doc = v.build_document(with_return, "return-form")
    visits = next(q for q in doc.questions() if q.question.id == "governor-visits")
    assert visits.condition_live  # named-governor is on the return form too
    gone = _with_question(with_return, "named-governor", in_return=False)
    visits = next(q for q in v.build_document(gone, "return-form").questions())
    assert not visits.condition_live
    assert visits.condition == "Answer if you answered Yes to 1.1.1"


# -- conditions in words --------------------------------------------------------------------------


def test_condition_text_equals_uses_the_printed_number_and_the_answer_label(checklist):
    q = _question(checklist, "governor-visits")
    assert v.condition_text(q.ask_if, checklist) == "Answer if you answered Yes to 1.1.1"


def test_condition_text_all_in_and_not_equals(checklist):
    q = _question(checklist, "filtering-review")
    assert v.condition_text(q.ask_if, checklist) == (
        "Answer if you answered “Our own arrangement” to 1.1.5 and you gave an answer "
        "other than No to 1.1.1"
    )


def test_condition_text_any_with_nested_all_in_brackets(checklist):
    filtering = f"{GOV}.filtering"
    cond = Condition(
        op="any",
        conditions=(
            Condition(op="in", question=filtering, values=("own", "provider")),
            Condition(
                op="all",
                conditions=(
                    Condition(op="equals", question=f"{GOV}.named-governor", values=("no",)),
                    Condition(op="equals", question=f"{GOV}.governor-visits", values=("met",)),
                ),
            ),
        ),
    )
    assert v.condition_text(cond, checklist) == (
        "Answer if you answered “Our own arrangement” or “Provided by the trust or authority” "
        "to 1.1.5 or (you answered No to 1.1.1 and you answered “Fully met” to 1.1.2)"
    )


def test_condition_text_multi_choice_says_ticked(checklist):
    multi = _with_question(checklist, "filtering", type="multi-choice")
    cond = Condition(op="in", question=f"{GOV}.filtering", values=("own",))
    assert v.condition_text(cond, multi) == "Answer if you ticked “Our own arrangement” in 1.1.5"


def test_condition_text_unknown_question_falls_back_to_its_id(checklist):
    cond = Condition(op="equals", question="gone.away.q", values=("yes",))
    assert v.condition_text(cond, checklist) == "Answer if you answered “yes” to gone.away.q"
    assert v.condition_text(None, checklist) == ""


def test_condition_data_is_plain_json(checklist):
    q = _question(checklist, "filtering-review")
    assert v.condition_data(q.ask_if) == {
        "op": "all",
        "conditions": [
            {"op": "in", "question": f"{GOV}.filtering", "values": ["own"]},
            {"op": "not_equals", "question": f"{GOV}.named-governor", "values": ["no"]},
        ],
    }


# -- answer spaces ------------------------------------------------------------------------------


def test_answer_space_for_each_type(checklist):
    space = {q.id: v.answer_space(q, checklist) for q in checklist.questions()}
    assert space["named-governor"].control == "radio"
    assert [c.label for c in space["named-governor"].choices] == ["Yes", "No"]
    rating = space["governor-visits"]
    assert rating.control == "radio"
    assert rating.description == "Choose one level"
    first = rating.choices[0]
    assert (first.id, first.describe, first.rag) == (
        "met",
        "In place and working.",
        "green",
    )
    assert rating.choices[2].requires == ("action",)
    number = space["governors-trained"]
    assert (number.control, number.unit, number.min, number.max, number.step) == (
        "number",
        "governors",
        0,
        None,
        "1",
    )
    assert number.description == "A number of governors, 0 or more"
    assert space["policy-approved"].control == "date"
    assert space["filtering"].description == "Choose one"
    assert not space["filtering"].multiple
    assert space["filtering-review"].control == "text"


def test_answer_space_percentage_defaults_to_0_to_100_and_multi_choice_is_checkboxes(checklist):
    pct = _with_question(checklist, "governors-trained", type="percentage", unit="", min=None)
    q = _question(pct, "governors-trained")
    space = v.answer_space(q, pct)
    assert (space.control, space.min, space.max, space.unit) == ("number", 0, 100, "%")
    assert space.description == "A percentage, from 0% to 100%"
    multi = _with_question(
        checklist,
        "filtering",
        type="multi-choice",
        options=(Option(id="a", label="A"), Option(id="b", label="B")),
    )
    space = v.answer_space(_question(multi, "filtering"), multi)
    assert space.control == "checkbox"
    assert space.multiple
    assert space.description == "Tick all that apply"


def test_number_with_fractional_bounds_steps_freely(checklist):
    c = _with_question(checklist, "governors-trained", min=0.5, max=2.5)
    space = v.answer_space(_question(c, "governors-trained"), c)
    assert space.step == "any"
    assert space.description == "A number of governors, from 0.5 to 2.5"


def test_answer_label(checklist):
    q = _question(checklist, "governor-visits")
    assert v.answer_label(q, checklist, "partly") == "Partly met"
    assert v.answer_label(q, checklist, "unknown") == "unknown"


# -- citations ----------------------------------------------------------------------------------


def test_citation_view_resolves_the_reference(checklist):
    q = _question(checklist, "named-governor")
    cv = v.citation_view(q.cite[0], checklist)
    assert cv.text == "Keeping children safe in education 2025, Part two"
    assert cv.url.startswith("https://www.gov.uk/")
    assert cv.publisher == "Department for Education"


def test_citation_view_edition_unknown_key_and_unsafe_url(checklist):
    ref = attrs.evolve(checklist.references[0], edition="September 2025", url="javascript:x()")
    c = attrs.evolve(checklist, references=(ref,))
    cv = v.citation_view(Citation(ref="kcsie-2025", at="para 12"), c)
    assert cv.text == "Keeping children safe in education 2025 (September 2025), para 12"
    assert cv.url == ""
    unknown = v.citation_view(Citation(ref="nope"), c)
    assert unknown.text == "nope"


def test_document_lists_used_scales_and_references(checklist):
    doc = v.build_document(checklist, "guidance")
    assert [s.id for s in doc.scales] == ["grade"]
    assert [r.key for r in doc.references] == ["kcsie-2025"]
    assert doc.effective == "1 September 2025 to 31 August 2026"
    assert doc.kind_label == "Guidance"
    ret = v.build_document(checklist, "return-form")
    assert ret.scales == ()  # no rating question is on the return form


def test_document_audience_labels(checklist):
    opts = RenderOptions(audience=(("setting", "academy"),))
    doc = v.build_document(checklist.select({"setting": "academy"}), "form", opts)
    assert doc.audience == (("Type of setting", "Academy"),)


# -- field names --------------------------------------------------------------------------------


def test_field_names_never_clash_with_question_ids(checklist):
    names = [f.name for f in (*v.ORGANISATION_FIELDS, *v.SIGN_OFF_FIELDS)]
    assert len(set(names)) == len(names)
    assert all(n.count(".") == 1 for n in names)  # question full ids have two dots
    assert v.evidence_field("a.b.c") == "a.b.c.evidence"


# -- action plans -------------------------------------------------------------------------------


def test_action_plan_rows_per_standard_and_per_question(checklist):
    headers = v.action_plan_headers(checklist, "standard")
    assert headers[:3] == (("ref", "Ref"), ("standard", "Standard"), ("finding", "Finding"))
    assert headers[-1] == ("impact", "Evidence of impact")
    rows = v.action_plan_rows(checklist, "standard")
    assert [(r.ref, r.id, r.title) for r in rows] == [("1.1", GOV, "Governance of safeguarding")]
    rows = v.action_plan_rows(checklist, "question")
    assert [r.ref for r in rows] == [f"1.1.{i}" for i in range(1, 7)]
    assert rows[0].title == "Is there a named governor who leads on safeguarding?"
    assert v.action_plan_headers(checklist, "question")[1] == ("question", "Question")


def test_resolve_per(checklist):
    assert v.resolve_per(checklist) == "standard"
    assert v.resolve_per(checklist, RenderOptions(per="question")) == "question"
    plan = attrs.evolve(checklist.action_plan, per="question")
    assert v.resolve_per(attrs.evolve(checklist, action_plan=plan)) == "question"


# -- Markdown -----------------------------------------------------------------------------------


def test_md_to_html_escapes_raw_html_and_refuses_unsafe_links():
    html = v.md_to_html("Hi <script>alert(1)</script> [x](javascript:alert(1)) **b**")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>b</strong>" in html


def test_md_to_html_never_makes_images():
    html = v.md_to_html("![logo](http://example.com/x.png) ![p](file:///etc/passwd)")
    assert "<img" not in html
    assert 'href="file:' not in html


def test_md_to_html_is_cached_by_content():
    assert v.md_to_html("Same *text*") is v.md_to_html("Same *text*")
    assert v.md_inline_html("*a*") == "<em>a</em>"


def test_md_to_text():
    text = v.md_to_text(
        "Read **this** and [the guide](https://x.org/g).\n\n- one\n- two\n  1. deep\n\nEnd."
    )
    assert text == ("Read this and the guide (https://x.org/g).\n\n• one\n• two\n  1. deep\n\nEnd.")
    assert v.md_to_text("[https://x.org](https://x.org)") == "https://x.org"


def test_md_blocks_runs_and_lists():
    blocks = v.md_blocks("A **bold** and *it* `c` [l](https://x.org)\n\n1. one\n2. two")
    para = blocks[0]
    assert para.kind == "paragraph"
    assert [(r.text, r.bold, r.italic, r.code, r.href) for r in para.runs] == [
        ("A ", False, False, False, ""),
        ("bold", True, False, False, ""),
        (" and ", False, False, False, ""),
        ("it", False, True, False, ""),
        (" ", False, False, False, ""),
        ("c", False, False, True, ""),
        (" ", False, False, False, ""),
        ("l", False, False, False, "https://x.org"),
    ]
    assert [(b.kind, b.number, b.level, b.text) for b in blocks[1:]] == [
        ("ordered", 1, 1, "one"),
        ("ordered", 2, 1, "two"),
    ]


# -- logos ----------------------------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_logo_is_embedded_from_inside_base_dir(tmp_path):
    (tmp_path / "logo.png").write_bytes(PNG)
    uri = v.logo_data_uri(Publisher(name="P", logo="logo.png"), str(tmp_path))
    assert uri == "data:image/png;base64," + base64.b64encode(PNG).decode()


def test_logo_outside_base_dir_is_refused(tmp_path):
    inside = tmp_path / "set"
    inside.mkdir()
    (tmp_path / "logo.png").write_bytes(PNG)
    for logo in ("../logo.png", str(tmp_path / "logo.png"), "/etc/passwd"):
        with pytest.raises(RenderError) as err:
            v.logo_data_uri(Publisher(name="P", logo=logo), str(inside))
        assert err.value.code == "SG402"


def test_logo_without_base_dir_missing_or_not_an_image(tmp_path):
    assert v.logo_data_uri(Publisher(name="P", logo="logo.png"), None) == ""
    assert v.logo_data_uri(Publisher(name="P"), str(tmp_path)) == ""
    assert v.logo_data_uri(None, str(tmp_path)) == ""
    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert v.logo_data_uri(Publisher(name="P", logo=data), None) == data
    with pytest.raises(RenderError, match="not a PNG") as err:  # checked, even without files
        v.logo_data_uri(Publisher(name="P", logo="data:image/png;base64,AAAA"), None)
    assert err.value.code == "SG422"
    with pytest.raises(RenderError, match="cannot be read"):
        v.logo_data_uri(Publisher(name="P", logo="missing.png"), str(tmp_path))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(RenderError, match="not a PNG"):
        v.logo_data_uri(Publisher(name="P", logo="notes.txt"), str(tmp_path))


def test_a_document_with_several_scales_names_each_with_the_questions_using_it() -> None:
    c = sg.load_bundled("case_file_audit", "2025-26")
    doc = v.build_document(c, "form", RenderOptions())
    headings = [s.heading for s in doc.scales]
    assert headings[:2] == ["Scale: seen (question 2.1.1)", "Scale: voice (question 2.2.1)"]
    assert headings[-1] == "Scale: grade (question 3.1.1)"
    html = render(c, "form", "html").decode("utf-8")
    assert '<h3 class="scale-name">Scale: seen (question 2.1.1)</h3>' in html
    # one scale needs no name
    kcsie = sg.load_bundled("kcsie", "2025-26")
    assert len(v.build_document(kcsie, "form", RenderOptions()).scales) == 1
    assert "scale-name" not in render(kcsie, "form", "html").decode("utf-8")

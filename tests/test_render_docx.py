"""DOCX renders, reopened with python-docx: questions, heading and named styles, content-control
tags (the field names), checkboxes, "Answer if …", guidance with a TOC field and links."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

import safeguard_standards as sg
from safeguard_standards.model import Checklist
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._docx import STYLE_NAMES, choice_tag
from safeguard_standards.render._view import (
    ORGANISATION_FIELDS,
    SIGN_OFF_FIELDS,
    choices,
    evidence_field,
    md_to_text,
)

CASES = Path(__file__).resolve().parent / "cases"
COMPLETE = CASES / "valid" / "complete.yaml"
BUNDLED = [
    (s.id, v)
    for s in sg.bundled_sets()
    for v in s.versions
    if sg.check_bundled(s.id, v).checklist is not None
]
W14_CHECKBOX = "{http://schemas.microsoft.com/office/word/2010/wordml}checkbox"


def complete() -> Checklist:
    return sg.load_path(COMPLETE)


def document(c: Checklist, kind: str = "form", options: RenderOptions | None = None) -> Any:
    return Document(io.BytesIO(render(c, kind, "docx", options)))


def text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def paragraphs(doc: Any) -> list[tuple[str, str]]:
    """(style id, text) of every paragraph in the body, inside tables and controls too."""
    out = []
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        out.append((style.get(qn("w:val")) if style is not None else "", text_of(p)))
    return out


def style_id(doc: Any, name: str) -> str:
    return str(doc.styles[name].style_id)


def controls(doc: Any) -> dict[str, Any]:
    """Content controls by tag."""
    found: dict[str, Any] = {}
    for sdt in doc.element.body.iter(qn("w:sdt")):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        assert tag is not None
        value = tag.get(qn("w:val"))
        assert value not in found, f"tag {value} used twice"
        found[value] = sdt
    return found


def question_tags(doc: Any, c: Checklist) -> set[str]:
    ids = {q.full_id for q in c.questions()}
    return {t for t in controls(doc) if t in ids}


# -- forms ------------------------------------------------------------------------------------


def test_form_reopens_with_every_question_and_real_headings() -> None:
    c = complete()
    doc = document(c)
    paras = paragraphs(doc)
    texts = [t for _, t in paras]
    for q in c.questions():
        assert md_to_text(q.text) in texts, q.full_id
    question_style = style_id(doc, "SG Question")
    assert {t for s, t in paras if s == question_style} == {q.text for q in c.questions()}
    heading = {
        s: [t for st, t in paras if st == style_id(doc, s)] for s in ("Heading 1", "Heading 2")
    }
    assert "1 Leadership and management" in heading["Heading 1"]
    assert heading["Heading 2"] == ["1.1 Governance of safeguarding"]
    assert {"Organisation details", "Sign-off"} <= set(heading["Heading 1"])


def test_named_styles_exist_for_restyling() -> None:
    doc = document(complete())
    names = {s.name for s in doc.styles}
    assert {name for name, _, _ in STYLE_NAMES} <= names
    table_styles = {t._tbl.tblStyle_val for t in doc.tables}
    assert table_styles == {style_id(doc, "SG Standard Table")}


def test_content_control_tags_are_the_field_names() -> None:
    c = complete()
    doc = document(c)
    tags = controls(doc)
    ids = [q.full_id for q in c.questions()]
    assert question_tags(doc, c) == set(ids)
    for q in c.questions():
        assert evidence_field(q.full_id) in tags
        options = choices(q, c)
        for choice in options:
            box = tags[choice_tag(q.full_id, choice.id)]
            assert box.find(f"{qn('w:sdtPr')}/{W14_CHECKBOX}") is not None
            assert text_of(box) == "☐"
        if not options:
            assert tags[q.full_id].find(f"{qn('w:sdtPr')}/{qn('w:showingPlcHdr')}") is not None
    for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS):
        assert f.name in tags
    expected = {q.full_id for q in c.questions()} | {evidence_field(i) for i in ids}
    expected |= {f.name for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS)}
    expected |= {choice_tag(q.full_id, ch.id) for q in c.questions() for ch in choices(q, c)}
    # an action box for each question that can be answered at a level requiring an action
    acting = [q for q in c.questions() if needs_action(q, c)]
    assert [q.full_id for q in acting] == ["leadership.governance.governor-visits"]
    expected |= {f"{q.full_id}.action" for q in acting}
    assert set(tags) == expected
    box = tags["leadership.governance.governor-visits.action"]
    assert box.find(f"{qn('w:sdtPr')}/{qn('w:text')}").get(qn("w:multiLine")) == "1"
    assert box.find(f"{qn('w:sdtPr')}/{qn('w:showingPlcHdr')}") is not None
    assert text_of(box) == "Action you will take (needed if you answer “Not met”)"


def needs_action(q: sg.Question, checklist: Checklist) -> bool:
    """Whether an answer to ``q`` can be at a level that requires an action."""
    scale = checklist.scale(q.scale or checklist.default_scale) if q.type == "rating" else None
    return scale is not None and any("action" in level.requires for level in scale.levels)


def test_date_and_multiline_controls() -> None:
    doc = document(complete())
    tags = controls(doc)
    date = tags["leadership.governance.policy-approved"].find(qn("w:sdtPr"))
    assert date.find(qn("w:date")) is not None
    text = tags["leadership.governance.filtering-review"].find(qn("w:sdtPr"))
    assert text.find(qn("w:text")).get(qn("w:multiLine")) == "1"


def test_rating_choices_are_box_lines_with_label_and_descriptor() -> None:
    c = complete()
    doc = document(c)
    group = controls(doc)["leadership.governance.governor-visits"]
    lines = [text_of(p) for p in group.iter(qn("w:p"))]
    assert lines == [
        "☐ Fully met — In place and working.",
        "☐ Partly met",
        "☐ Not met",
        "☐ Not applicable",
    ]
    choice = style_id(doc, "SG Choice")
    assert all(s == choice for s, t in paragraphs(doc) if t.startswith("☐"))


def test_conditional_questions_say_answer_if() -> None:
    doc = document(complete())
    condition = style_id(doc, "SG Condition")
    assert [t for s, t in paragraphs(doc) if s == condition] == [
        "Answer if you answered Yes to 1.1.1",
        "Answer if you answered “Our own arrangement” to 1.1.5 and you gave an answer "
        "other than No to 1.1.1",
    ]


def test_one_table_per_standard_with_three_rows_per_question() -> None:
    c = complete()
    doc = document(c)
    tables = doc.tables[1:-1]  # organisation details first, sign-off last
    assert len(tables) == len(list(c.standards()))
    questions = c.sections[0].standards[0].questions
    # and a fourth, the action box, for a question that can need an action
    assert len(tables[0].rows) == 3 * len(questions) + sum(needs_action(q, c) for q in questions)
    assert tables[0].rows[0].cells[0].text == "1.1.1"
    assert [r.cells[0].text for r in tables[0].rows[1:3]] == ["Answer", "Evidence"]
    labels = [r.cells[0].text for r in tables[0].rows]
    at = labels.index("Action")
    assert labels[at - 2 : at] == ["Answer", "Evidence"]
    assert labels[at - 3] == c.numbering()["leadership.governance.governor-visits"]


def test_title_page_header_and_footer() -> None:
    c = complete()
    doc = document(c, options=RenderOptions(audience=(("setting", "academy"),)))
    paras = doc.paragraphs
    assert (paras[0].style.name, paras[0].text) == ("Title", c.title)
    assert paras[1].text == "Self-assessment audit tool"
    meta = [p.text for p in paras if p.style.name == "SG Meta"]
    assert "Version: 2025-26" in meta
    assert "Published by: Example Safeguarding Partnership" in meta
    assert "Type of setting: Academy" in meta
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == f"{c.title} — Self-assessment audit tool"
    footer = section.footer.paragraphs[0]._p
    assert "Version 2025-26" in text_of(footer)
    instrs = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
    assert instrs == ["PAGE", "NUMPAGES"]
    assert round(section.page_width.cm, 1) == 21.0


def test_return_form_has_only_the_return_questions() -> None:
    c = complete()
    doc = document(c, "return-form")
    assert question_tags(doc, c) == {q.full_id for q in c.questions() if q.in_return}


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_logo_inside_base_dir_is_on_the_title_page(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png())
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "contact: audit@example.org}", "contact: audit@example.org, logo: logo.png}"
    )
    c = sg.load_text(text, "with-logo.yaml")
    doc = document(c, options=RenderOptions(base_dir=str(tmp_path)))
    assert len(doc.inline_shapes) == 1
    without = document(c)  # no base_dir: no file is read, no logo
    assert len(without.inline_shapes) == 0


def test_logo_outside_base_dir_is_refused(tmp_path: Path) -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "contact: audit@example.org}", "contact: audit@example.org, logo: ../logo.png}"
    )
    c = sg.load_text(text, "with-logo.yaml")
    with pytest.raises(RenderError) as err:
        render(c, "form", "docx", RenderOptions(base_dir=str(tmp_path)))
    assert err.value.code == "SG402"


# -- guidance ---------------------------------------------------------------------------------


def test_guidance_has_a_toc_field_and_asks_word_to_update_it() -> None:
    doc = document(complete(), "guidance")
    instr = [t.text for t in doc.element.body.iter(qn("w:instrText"))]
    assert len(instr) == 1 and instr[0].strip().startswith('TOC \\o "1-3"')
    kinds = [f.get(qn("w:fldCharType")) for f in doc.element.body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    tags = [c.tag for c in settings]
    assert tags.index(qn("w:updateFields")) < tags.index(qn("w:compat"))


def test_guidance_per_question_why_good_evidence_and_linked_citations() -> None:
    c = complete()
    doc = document(c, "guidance")
    paras = paragraphs(doc)
    texts = [t for _, t in paras]
    h3 = [t for s, t in paras if s == style_id(doc, "Heading 3")]
    numbers = c.numbering()
    assert h3 == [f"{numbers[q.full_id]} {q.text}" for q in c.questions()]
    for q in c.questions():
        assert q.guidance.why in texts and q.guidance.good in texts, q.full_id
        for e in q.evidence:
            assert e in texts
    labels = [t for s, t in paras if s == style_id(doc, "SG Guidance Label")]
    assert labels.count("Why we ask") == len(list(c.questions()))
    links = list(doc.element.body.iter(qn("w:hyperlink")))
    ref = c.reference("kcsie-2025")
    assert ref is not None
    linked = {text_of(h): doc.part.rels[h.get(qn("r:id"))].target_ref for h in links}
    assert linked["Keeping children safe in education 2025, Part two"] == ref.url
    assert linked["Keeping children safe in education 2025"] == ref.url


# -- action plans -----------------------------------------------------------------------------


def test_action_plan_is_a_landscape_table_per_section() -> None:
    c = complete()
    doc = document(c, "action-plan")
    section = doc.sections[0]
    assert section.page_width > section.page_height
    assert len(doc.tables) == len(c.sections)
    table = doc.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["Ref", "Standard"] + [
        col.label for col in c.action_plan.columns
    ]
    assert [r.cells[0].text for r in table.rows[1:]] == ["1.1"]
    per_question = document(c, "action-plan", RenderOptions(per="question"))
    rows = per_question.tables[0].rows
    assert rows[0].cells[2].text == "Question"
    assert len(rows) - 1 == len(list(c.questions()))


# -- bundled sets -----------------------------------------------------------------------------


@pytest.mark.parametrize(("set_id", "version"), BUNDLED)
def test_bundled_sets_render_as_word(set_id: str, version: str) -> None:
    c = sg.load_bundled(set_id, version)
    form = document(c)
    assert question_tags(form, c) == {q.full_id for q in c.questions()}
    texts = {t for _, t in paragraphs(form)}
    for q in c.questions():
        assert md_to_text(q.text) in texts, q.full_id
    guidance = document(c, "guidance")
    assert any("TOC" in (t.text or "") for t in guidance.element.body.iter(qn("w:instrText")))
    h3 = [t for s, t in paragraphs(guidance) if s == style_id(guidance, "Heading 3")]
    assert len(h3) == len(list(c.questions()))
    plan = document(c, "action-plan")
    assert len(plan.tables) == len(c.sections)


def test_document_properties() -> None:
    c = complete()
    props = document(c, options=RenderOptions(generated_on="2025-09-01")).core_properties
    assert props.title == f"{c.title} — Self-assessment audit tool 2025-26"
    assert props.author == "Example Safeguarding Partnership"
    assert props.keywords == "example@2025-26"
    assert props.created.date().isoformat() == "2025-09-01"


def test_a_long_title_is_clipped_in_the_properties_not_on_the_page() -> None:
    long = "A very long title " * 20
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "title: Example safeguarding self-assessment", f"title: {long.strip()}", 1
    )
    doc = document(sg.load_text(text, "long.yaml"))
    assert len(doc.core_properties.title) == 255  # Word's limit for a property
    assert doc.paragraphs[0].text == long.strip()

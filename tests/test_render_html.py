"""HTML, Markdown and JSON renders: snapshots of the complete example, and content checks on
every bundled set (every question present, named by its full id, headings in order)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import attrs
import jsonschema
import pytest

import safeguard_standards as sg
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._html import inline_variables, render_html
from safeguard_standards.render._json import resolved_schema
from safeguard_standards.render._view import ORGANISATION_FIELDS, SIGN_OFF_FIELDS, md_to_text

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
DOC_KINDS = ("form", "return-form", "guidance", "action-plan")
BUNDLED = [f"{s.id}@{version}" for s in sg.bundled_sets() for version in s.versions]


def _refused_empty_return_form(c: sg.Checklist, kind: str) -> bool:
    """A set that marks nothing in_return has no return form: check it is refused (SG405)."""
    if kind != "return-form" or any(q.in_return for q in c.questions()):
        return False
    with pytest.raises(RenderError) as info:
        render(c, kind, "html")
    assert info.value.code == "SG405"
    return True


@pytest.fixture(scope="module")
def complete() -> sg.Checklist:
    return sg.load_path(COMPLETE)


def _normalise(html: str) -> str:
    """The HTML with the stylesheet, script and version left out (tested on their own)."""
    html = re.sub(r"<style>.*?</style>", "<style>/* stylesheet */</style>", html, flags=re.S)
    html = re.sub(r"<script>\n.*?</script>", "<script>/* form.js */</script>", html, flags=re.S)
    html = re.sub(r'"generator": "safeguard-standards [^"]+"', '"generator": "…"', html)
    return re.sub(r'content="safeguard-standards [^"]+"', 'content="safeguard-standards"', html)


class Page(HTMLParser):
    """What a test needs to know about an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.names: list[tuple[str, str, str]] = []  # (tag, type, name)
        self.label_for: list[str] = []
        self.headings: list[int] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs_}
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag in ("input", "textarea", "select") and "name" in a:
            self.names.append((tag, a.get("type", ""), a["name"]))
        if tag == "label" and "for" in a:
            self.label_for.append(a["for"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


def _words(markdown: str) -> str:
    return " ".join(md_to_text(markdown).split())


# -- snapshots ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", DOC_KINDS)
def test_html_snapshot(complete, kind, snapshot):
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "render_html"
    html = render(complete, kind, "html").decode("utf-8")
    snapshot.assert_match(_normalise(html), f"{kind}.html")


@pytest.mark.parametrize("kind", DOC_KINDS)
def test_markdown_snapshot(complete, kind, snapshot):
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "render_md"
    snapshot.assert_match(render(complete, kind, "md").decode("utf-8"), f"{kind}.md")


@pytest.mark.parametrize("kind", DOC_KINDS)
def test_json_snapshot(complete, kind, snapshot):
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "render_json"
    snapshot.assert_match(render(complete, kind, "json").decode("utf-8"), f"{kind}.json")


# -- the HTML form ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", BUNDLED)
def test_html_form_names_every_answer_and_evidence_box_by_full_id(spec):
    c = sg.load_set(spec)
    page = Page(render(c, "form", "html").decode("utf-8"))
    ids = [q.full_id for q in c.questions()]
    answers = {name for tag, _, name in page.names if name in ids}
    assert answers == set(ids)
    evidence = {name for _, _, name in page.names if name.endswith(".evidence")}
    assert evidence == {f"{i}.evidence" for i in ids}
    details = {name for _, _, name in page.names if name.startswith(("org.", "signoff."))}
    assert details == {f.name for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS)}
    for q in c.questions():
        kinds = {(tag, t) for tag, t, name in page.names if name == q.full_id}
        expected = {
            "rating": {("input", "radio")},
            "yes-no": {("input", "radio")},
            "choice": {("input", "radio")},
            "multi-choice": {("input", "checkbox")},
            "number": {("input", "number")},
            "percentage": {("input", "number")},
            "date": {("input", "date")},
            "text": {("textarea", "")},
        }[q.type]
        assert kinds == expected, q.full_id


@pytest.mark.parametrize("spec", BUNDLED)
@pytest.mark.parametrize("kind", ["form", "guidance", "action-plan", "return-form"])
def test_html_is_well_formed_for_people_and_assistive_technology(spec, kind):
    c = sg.load_set(spec)
    if _refused_empty_return_form(c, kind):
        return
    html = render(c, kind, "html").decode("utf-8")
    page = Page(html)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert len(page.ids) == len(set(page.ids)), "duplicate id"
    assert set(page.label_for) <= set(page.ids), "a label points at nothing"
    # headings start at h1 and never skip a level on the way down
    assert page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, (before, after)
    # self-contained: nothing is loaded from anywhere
    assert not re.search(r"<(link|img|iframe)\b[^>]*\b(href|src)=\"(?!data:)", html)
    assert "@import" not in html
    for href in page.links:
        assert href.startswith(("#", "https://", "http://", "mailto:")), href
    if kind in ("form", "return-form"):
        # every input has a label
        inputs = [n for tag, t, n in page.names if t not in ("radio", "checkbox", "file")]
        assert len(inputs) <= len(page.label_for)
        assert page.tags.count("fieldset") == page.tags.count("legend")


@pytest.mark.parametrize("spec", BUNDLED)
def test_html_form_shows_every_question_numbered_with_its_conditions(spec):
    c = sg.load_set(spec)
    numbers = c.numbering()
    page = Page(render(c, "form", "html").decode("utf-8")).plain
    assert c.title in page
    for q in c.questions():
        assert f"{numbers[q.full_id]} {_words(q.text)}" in page, q.full_id
        if q.ask_if is not None:
            assert "Answer if you" in page


@pytest.mark.parametrize("spec", BUNDLED)
def test_return_form_has_only_the_return_questions(spec):
    c = sg.load_set(spec)
    if _refused_empty_return_form(c, "return-form"):
        return
    page = Page(render(c, "return-form", "html").decode("utf-8"))
    names = {n for _, _, n in page.names}
    for q in c.questions():
        assert (q.full_id in names) == q.in_return, q.full_id


def test_form_carries_level_descriptors_and_conditions(complete):
    html = render(complete, "form", "html").decode("utf-8")
    assert "In place and working." in html
    assert "Answer if you answered Yes to 1.1.1." in html
    assert (
        'data-ask-if=\'{"op": "equals", "question": '
        '"leadership.governance.named-governor", "values": ["yes"]}\'' in html
    )
    assert 'id="sg-save"' in html
    assert 'id="sg-load"' in html
    assert "<script>" in html
    meta = re.search(r'<script type="application/json" id="sg-meta">(.*?)</script>', html)
    assert meta is not None
    assert json.loads(meta.group(1))["set"] == "example"


def test_pdf_variant_has_no_script_toolbar_or_form_element(complete):
    html = render_html(complete, "form", pdf=True)
    assert "<script" not in html
    assert "sg-save" not in html
    assert "<form" not in html
    assert 'title="Answer to 1.1.3"' in html
    assert "var(--sg-" not in html.split("/* partnership styles */")[0]


# -- guidance and action plan --------------------------------------------------------------------


@pytest.mark.parametrize("spec", BUNDLED)
def test_guidance_has_a_working_contents_and_every_questions_guidance(spec):
    c = sg.load_set(spec)
    html = render(c, "guidance", "html").decode("utf-8")
    page = Page(html)
    internal = [h[1:] for h in page.links if h.startswith("#")]
    assert internal, "no table of contents"
    assert set(internal) <= set(page.ids)
    text = page.plain
    for q in c.questions():
        for prose in (q.guidance.why, q.guidance.good):
            if prose:
                assert _words(prose)[:60] in text, q.full_id
    for ref in c.references:
        if ref.url and any(ci.ref == ref.key for q in c.questions() for ci in q.cite):
            assert ref.url in page.links


@pytest.mark.parametrize("spec", BUNDLED)
def test_action_plan_has_a_row_per_standard(spec):
    c = sg.load_set(spec)
    page = Page(render(c, "action-plan", "html", RenderOptions(per="standard")).decode("utf-8"))
    numbers = c.numbering()
    for st in c.standards():
        assert f"row-{st.full_id}" in page.ids
        assert numbers[st.full_id] in page.plain
    page = Page(render(c, "action-plan", "html", RenderOptions(per="question")).decode("utf-8"))
    assert {i[4:] for i in page.ids if i.startswith("row-")} == {q.full_id for q in c.questions()}
    for column in c.action_plan.columns:
        assert column.label in page.plain


# -- audience, branding, escaping, restyling ---------------------------------------------------


def test_audience_selection_renders_only_what_applies(complete):
    selected = sg.select_audience(complete, ["setting=fe-college"])
    opts = RenderOptions(audience=(("setting", "fe-college"),))
    page = Page(render(selected, "form", "html", opts).decode("utf-8"))
    names = {n for _, _, n in page.names}
    assert "leadership.governance.named-governor" not in names  # maintained and academy only
    assert "leadership.governance.governors-trained" in names
    assert "Type of setting" in page.plain
    assert "FE college" in page.plain


def test_title_block_shows_the_publisher_and_return_deadline(complete):
    pub = attrs.evolve(
        complete.publisher, url="https://example.org", return_deadline="31 March 2026"
    )
    html = render(attrs.evolve(complete, publisher=pub), "form", "html").decode("utf-8")
    page = Page(html)
    assert "<dt>Issued by</dt><dd>Example Safeguarding Partnership</dd>" in html
    assert "mailto:audit@example.org" in page.links
    assert "https://example.org" in page.links
    assert "<dt>Return by</dt><dd>31 March 2026</dd>" in html


def test_logo_is_embedded_as_a_data_uri(complete, tmp_path):
    png = bytes.fromhex(  # a 1 x 1 PNG (the logo is decoded before it is embedded)
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da636460f85f0f0002870180eb47ba92"
        "0000000049454e44ae426082"
    )
    (tmp_path / "logo.png").write_bytes(png)
    pub = attrs.evolve(complete.publisher, logo="logo.png")
    c = attrs.evolve(complete, publisher=pub)
    html = render(c, "form", "html", RenderOptions(base_dir=str(tmp_path))).decode("utf-8")
    assert '<img class="logo" src="data:image/png;base64,' in html
    assert 'alt="Example Safeguarding Partnership logo"' in html
    assert "<img" not in render(c, "form", "html").decode("utf-8")  # no base_dir: no file read


def test_text_from_the_set_is_escaped_everywhere(complete):
    evil = "<script>alert(1)</script>{{ 7*7 }}"
    section = attrs.evolve(complete.sections[0], title=evil)
    pub = attrs.evolve(complete.publisher, name=evil)
    c = attrs.evolve(complete, title=evil, sections=(section,), publisher=pub)
    for kind in DOC_KINDS:
        html = render(c, kind, "html").decode("utf-8")
        assert "<script>alert(1)" not in html, kind
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in html, kind
        assert "49" not in Page(html).plain


def test_partnership_css_is_added_after_the_built_in_styles(complete):
    css = ":root { --sg-accent: #7a1f5c; }"
    html = render(complete, "form", "html", RenderOptions(css=css)).decode("utf-8")
    assert html.index("/* partnership styles */") > html.index("--sg-accent: #1d4f91")
    assert css in html
    pdf_html = render_html(complete, "form", RenderOptions(css=css), pdf=True)
    assert "color: #7a1f5c" in pdf_html  # h1 { color: var(--sg-accent) } resolved


@pytest.mark.parametrize(
    "css",
    [
        "@import url(https://evil.example/x.css);",
        "body { background: url(http://evil.example/x.png) }",
        "body { background: url('file:///etc/passwd') }",
        "</style><script>alert(1)</script>",
    ],
)
def test_partnership_css_that_could_fetch_or_break_out_is_refused(complete, css):
    with pytest.raises(RenderError) as err:
        render(complete, "form", "html", RenderOptions(css=css))
    assert err.value.code == "SG403"


def test_css_data_uris_are_allowed_when_they_hold_a_checked_image(complete):
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAA"
        "AABJRU5ErkJggg=="
    )
    css = f"h1 {{ background: url(data:image/png;base64,{png}) }}"
    assert css in render(complete, "guidance", "html", RenderOptions(css=css)).decode("utf-8")
    with pytest.raises(RenderError) as err:  # not an image: the same check as a logo
        render(
            complete,
            "guidance",
            "html",
            RenderOptions(css="h1 { background: url(data:image/png;base64,AAAA) }"),
        )
    assert err.value.code == "SG422"


def test_inline_variables_uses_the_last_definition():
    css = ":root { --sg-a: red; --sg-b: var(--sg-a); } h1 { color: var(--sg-b); }"
    assert inline_variables(css).endswith("h1 { color: red; }")
    assert inline_variables(css, ":root { --sg-a: blue }").endswith("h1 { color: blue; }")


# -- Markdown and JSON on every bundled set --------------------------------------------------------


@pytest.mark.parametrize("spec", BUNDLED)
def test_markdown_form_and_guidance_list_every_question(spec):
    c = sg.load_set(spec)
    numbers = c.numbering()
    form = render(c, "form", "md").decode("utf-8")
    guidance = render(c, "guidance", "md").decode("utf-8")
    for q in c.questions():
        heading = f"#### {numbers[q.full_id]} {' '.join(q.text.split())}"
        assert heading in form, q.full_id
        assert heading in guidance, q.full_id


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = resolved_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("spec", [*BUNDLED, str(COMPLETE)])
@pytest.mark.parametrize("kind", DOC_KINDS)
def test_json_validates_against_its_published_schema(spec, kind, validator):
    c = sg.load_set(spec)
    if _refused_empty_return_form(c, kind):
        return
    data = json.loads(render(c, kind, "json"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    if kind != "action-plan":
        got = [
            q["full_id"] for s in data["sections"] for st in s["standards"] for q in st["questions"]
        ]
        expected = [q.full_id for q in c.questions() if kind != "return-form" or q.in_return]
        assert got == expected


def test_json_schema_rejects_what_it_should(complete, validator):
    data = json.loads(render(complete, "form", "json"))
    data["sections"][0]["standards"][0]["questions"][0]["type"] = "yesno"
    assert not validator.is_valid(data)
    data = json.loads(render(complete, "action-plan", "json"))
    data["surprise"] = 1
    assert not validator.is_valid(data)


def test_json_records_the_audience(complete):
    selected = sg.select_audience(complete, ["setting=academy"])
    data = json.loads(
        render(selected, "form", "json", RenderOptions(audience=(("setting", "academy"),)))
    )
    assert data["audience"] == {"setting": "academy"}

"""The "what changed" document, for the people who fill the form in: every format, read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import cli

from safeguard_standards import Checklist, load_bundled, load_set, load_text
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._view import md_to_text

TESTS = Path(__file__).resolve().parent
COMPLETE = (TESTS / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")
EXAMPLE = TESTS.parent / "examples" / "northshire-kcsie-2025-26.yaml"

EDITS = [
    # a new question with a change note
    (
        "          - id: policy-approved\n",
        "          - id: online-filtering\n"
        "            text: Is online filtering tested each term?\n"
        "            type: yes-no\n"
        "            in_return: true\n"
        "            change_note: New this year, after local incidents.\n"
        "            evidence: [Test log]\n"
        "            guidance: {why: Filters fail silently., good: Tested every term.}\n"
        "          - id: policy-approved\n",
    ),
    # reworded, with a note
    (
        "text: How many governors have had safeguarding training?",
        "text: How many trustees have had safeguarding training?\n"
        "            change_note: Reworded for trusts.",
    ),
    # removed
    (
        """          - id: policy-approved
            text: When was the policy last approved?
            type: date
            evidence: [Minutes]
            guidance: {why: Policies are reviewed yearly., good: Within the last 12 months.}
""",
        "",
    ),
    # other changes
    (
        "            in_return: true\n          - id: governor-visits",
        "          - id: governor-visits",
    ),
    ("[Visit notes]", "[Visit notes, Termly report]"),
    ("contact: audit@example.org}", "contact: audit@example.org, return_deadline: 2025-12-12}"),
    ('version: "2025-26"', 'version: "2026-27"'),
    ('supersedes: "2024-25"', 'supersedes: "2025-26"'),
]


def _new() -> Checklist:
    text = COMPLETE
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return load_text(text, "new.yaml")


OLD = load_text(COMPLETE, "old.yaml")
NEW = _new()
OPTIONS = RenderOptions(previous=OLD)


def test_markdown_lists_new_reworded_removed_and_other_changes(snapshot) -> None:  # type: ignore[no-untyped-def]
    text = render(NEW, "changes", "md", OPTIONS).decode("utf-8")
    assert text.startswith("# What has changed: Example safeguarding self-assessment\n")
    assert "Version 2026-27, compared with 2025-26." in text
    assert "## New questions (1)\n\n### 1.1.4 Is online filtering tested each term?" in text
    assert (
        "*In: Leadership and management › Governance of safeguarding. On the return form.*" in text
    )
    assert "> **Note:** New this year, after local incidents." in text
    assert "**Before:** How many ~~governors~~ have had safeguarding training?" in text
    assert "**Now:** How many **trustees** have had safeguarding training?" in text
    assert "### Was 1.1.4: When was the policy last approved?" in text
    assert "- New evidence prompts: Termly report." in text
    assert "- It is no longer on the return form sent to the partnership." in text
    assert "- Returns are due by 12 December 2025." in text
    snapshot.snapshot_dir = TESTS / "snapshots" / "changes"
    snapshot.assert_match(text, "complete.md")


def test_html_marks_deleted_and_inserted_words() -> None:
    page = render(NEW, "changes", "html", OPTIONS).decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>What has changed: Example safeguarding self-assessment</title>" in page
    assert "How many <del>governors</del> have had" in page
    assert "How many <ins>trustees</ins> have had" in page
    assert "<script" not in page and "http://" not in page.split("<style>")[0]


def test_docx_has_headings_and_struck_and_underlined_words() -> None:
    import docx

    document = docx.Document(io.BytesIO(render(NEW, "changes", "docx", OPTIONS)))

    def style(p: object) -> str:
        return str(getattr(getattr(p, "style", None), "name", ""))

    headings = [p.text for p in document.paragraphs if style(p).startswith(("Heading", "Title"))]
    assert headings[0] == "What has changed: Example safeguarding self-assessment"
    assert "New questions (1)" in headings
    assert "1.1.4 Is online filtering tested each term?" in headings
    runs = [r for p in document.paragraphs for r in p.runs]
    assert any(r.text.strip() == "governors" and r.font.strike for r in runs)
    assert any(r.text.strip() == "trustees" and r.underline for r in runs)
    notes = [p.text for p in document.paragraphs if style(p) == "Intense Quote"]
    assert "Note: New this year, after local incidents." in notes


def test_pdf_reads_back() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(NEW, "changes", "pdf", OPTIONS)))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    flat = " ".join(text.split())
    assert "What has changed: Example safeguarding" in flat
    assert "1.1.4 Is online filtering tested each term?" in flat
    assert "Returns are due by 12 December 2025." in flat
    assert reader.metadata is not None
    assert reader.metadata.title == "What has changed: Example safeguarding self-assessment"


def test_json_has_the_same_content() -> None:
    data = json.loads(render(NEW, "changes", "json", OPTIONS))
    # the typed changes, as `safeguard diff --format json` gives them
    assert (data["old"], data["new"]) == ("example@2025-26", "example@2026-27")
    returns = [c for c in data["changes"] if c["kind"] == "return-changed"]
    assert [(c["old"], c["new"]) for c in returns] == [(True, False)]
    # and the document's words
    document = data["document"]
    assert [e["number"] for e in document["new_questions"]] == ["1.1.4"]
    assert [e["old_number"] for e in document["removed"]] == ["1.1.4"]
    assert document["reworded"][0]["now"] == [
        ["How many ", False],
        ["trustees ", True],
        ["have had safeguarding training?", False],
    ]


def test_nothing_changed_and_no_previous_version() -> None:
    text = render(OLD, "changes", "md", RenderOptions(previous=OLD)).decode("utf-8")
    assert "No questions have changed." in text and "Nothing has changed." in text
    with pytest.raises(RenderError) as caught:
        render(OLD, "changes", "md")
    assert "needs the previous version" in caught.value.message
    assert "--since" in caught.value.hint


def test_bundled_kcsie_covers_the_real_2024_to_2025_changes() -> None:
    old, new = load_bundled("kcsie", "2024-25"), load_bundled("kcsie", "2025-26")
    text = render(new, "changes", "md", RenderOptions(previous=old)).decode("utf-8")
    flat = " ".join(text.split())
    assert "generative AI" in flat  # a new question
    # KCSIE 2025 dropped only a funding reference: the question stays, its guidance changes
    assert "### 17.3.2 Has the senior mental health lead completed" in text
    assert "### Was " not in text  # nothing is removed
    assert "### 10.1.2 (was 10.1.1) Is every unexplained absence followed up" in text  # split
    assert "### 10.1.1 (was 4.2.2) Does the attendance policy" in text  # moved and reworded
    assert (
        "Keeping children safe in education 2024 is replaced by Keeping children safe in "
        "education 2025 throughout." in flat
    )
    assert "kinship care" in flat
    # the change summary and every change note of the YAML are in the document
    assert " ".join(md_to_text(new.change_summary).split())[:200] in " ".join(
        md_to_text(text).split()
    )
    notes = [q.change_note for q in new.questions() if q.change_note]
    notes += [s.change_note for s in new.standards() if s.change_note]
    notes += [s.change_note for s in new.sections if s.change_note]
    for note in notes:
        assert " ".join(md_to_text(note).split()) in flat


# -- the command ---------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout_bytes, result.stderr


def test_cli_render_changes_against_the_superseded_version(tmp_path: Path) -> None:
    code, out, _ = run(
        "render", "vcs_checklist@2025-26", "--as", "changes", "--format", "md", "-o", "-"
    )
    assert code == 0
    text = out.decode("utf-8")
    assert "Version 2025-26, compared with 2024-25." in text
    target = tmp_path / "changes.docx"
    code, _, err = run("render", "kcsie@2025-26", "--as", "changes", "-o", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(b"PK")


def test_cli_render_local_changes_of_an_overlay() -> None:
    code, out, err = run(
        "render",
        str(EXAMPLE),
        "--as",
        "changes",
        "--since",
        "kcsie@2025-26",
        "--format",
        "md",
        "-o",
        "-",
    )
    assert code == 0, err
    text = out.decode("utf-8")
    assert text.startswith("# Local changes: Northshire safeguarding in education audit 2025-26")
    assert "## Local questions (5)" in text
    assert "## National questions left out (2)" in text
    assert "Returns are due by 12 December 2025." in text


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium is not installed")
def test_html_has_no_accessibility_violations(tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
    from playwright.sync_api import sync_playwright

    local = load_set(str(EXAMPLE))
    page_file = tmp_path / "changes.html"
    previous = load_bundled("kcsie", "2024-25")
    page_file.write_bytes(render(local, "changes", "html", RenderOptions(previous=previous)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            page.goto(page_file.as_uri())
            result = Axe().run(page)
        finally:
            browser.close()
    assert [v["id"] for v in result.response["violations"]] == []


# -- a citation's note, put into words once (it used to be parsed back out of formatted text) ----

NOTE = "see paragraphs 3, 4 and 5 (and annex A), or Part two"
CITED = load_text(
    COMPLETE.replace(
        "cite: [{ref: kcsie-2025, at: Part two}]",
        f'cite: [{{ref: kcsie-2025, at: Part two}}, {{ref: kcsie-2025, note: "{NOTE}"}}]',
    ),
    "cited.yaml",
)
CITED_SENTENCE = f"Now also refers to Keeping children safe in education 2025 ({NOTE})."


def _flat(text: str) -> str:
    return " ".join(text.split())


def _html_text(page: bytes) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip += tag in ("style", "script", "title")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "script", "title")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page.decode("utf-8"))
    return _flat("".join(parser.parts))


def _docx_text(data: bytes) -> str:
    import docx

    return _flat("\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs))


@pytest.mark.parametrize("complete", [False, True], ids=["render-as-changes", "safeguard-diff"])
def test_a_citation_note_with_commas_brackets_and_and_reads_whole_in_every_format(
    complete: bool,
) -> None:
    from safeguard_standards.render import render_diff

    def out(fmt: str) -> bytes:
        if complete:
            return render_diff(OLD, CITED, fmt)
        return render(CITED, "changes", fmt, RenderOptions(previous=OLD))

    # Markdown, as a Markdown viewer shows it
    assert CITED_SENTENCE in _flat(md_to_text(out("md").decode("utf-8")))
    assert CITED_SENTENCE in _html_text(out("html"))
    assert CITED_SENTENCE in _docx_text(out("docx"))
    data = json.loads(out("json"))
    [entry] = data["document"]["other"]
    assert entry["details"] == [CITED_SENTENCE]
    [change] = data["changes"]
    assert change["added"] == [{"ref": "kcsie-2025", "note": NOTE}]


@pytest.mark.slow
def test_a_citation_note_reads_whole_in_the_pdf() -> None:
    from pypdf import PdfReader

    pdf = render(CITED, "changes", "pdf", RenderOptions(previous=OLD))
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    assert CITED_SENTENCE in _flat(text)

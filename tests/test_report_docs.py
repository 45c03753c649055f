"""The report documents, opened as a person's software opens them: HTML parsed (and run through
axe-core in Chromium), PDF read with pypdf, DOCX with python-docx, XLSX with openpyxl; figures
recomputed from the returns' answers; no organisation named where none may be; no flagged
personal detail printed."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_folder import Folder, make_folder

from safeguard_standards.diagnostics import Code
from safeguard_standards.report import documents, pack
from safeguard_standards.report import views as v
from safeguard_standards.report.comments import read_comments
from safeguard_standards.report.roster import read_roster
from safeguard_standards.sets import Registry

SET, VERSION, LAST = "section11", "2025-27", "2023-25"


@attrs.frozen
class Pack:
    folder: Folder
    checklist: Any
    returns: list[Any]
    previous: list[Any]
    ledger: Any
    roster: Any
    thematic: v.ReportView
    briefing: v.ReportView


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    folder = make_folder(tmp_path_factory.mktemp("returns"))
    reg = Registry()
    read = pack.read_returns(pack.files_of([str(folder.returns(SET, VERSION))]), reg)
    before = pack.read_returns(pack.files_of([str(folder.returns(SET, LAST))]), reg)
    checklist = reg.get(SET, VERSION).unwrap()
    ledger, mine = pack.ledger_for(read, checklist)
    roster, _ = read_roster(folder.roster.read_text(encoding="utf-8"))
    chain = pack.chain_between(reg, SET, LAST, VERSION)
    prev = v.previous_aggregate(chain, before.used, roster=roster)
    thematic = v.thematic_view(checklist, mine, ledger, roster=roster, previous=prev)
    vcs = reg.get("vcs_checklist", "2025-26").unwrap()
    vread = pack.read_returns(pack.files_of([str(folder.returns("vcs_checklist", "2025-26"))]), reg)
    vledger, vmine = pack.ledger_for(vread, vcs)
    briefing = v.briefing_view(vcs, vmine, vledger, roster=roster)
    return Pack(folder, checklist, mine, list(before.used), ledger, roster, thematic, briefing)


def feedback(made: Pack, n: int = 0, **kw: Any) -> v.ReportView:
    peers = v.peer_groups(made.checklist, made.returns, 3)
    ret = made.returns[n]
    return v.feedback_view(made.checklist, ret, made.roster.match(ret), peers, **kw)


# -- HTML -----------------------------------------------------------------------------------------


def parsed(view: v.ReportView) -> Any:
    import lxml.html

    return lxml.html.fromstring(documents.write_html(view).encode("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("which", ["thematic", "briefing", "feedback"])
def test_every_figure_has_an_svg_image_a_caption_and_a_table_next_to_it(
    made: Pack, which: str
) -> None:
    view = feedback(made) if which == "feedback" else getattr(made, which)
    page = parsed(view)
    figures = page.findall(".//figure")
    assert len(figures) == len(view.figures()) >= 1
    for fig, block in zip(figures, view.figures(), strict=True):
        svg = fig.find("{http://www.w3.org/2000/svg}svg")
        if svg is None:
            svg = fig.find("svg")
        assert svg is not None and svg.get("role") == "img"
        title = svg.find("title")
        desc = svg.find("desc")
        assert title is not None and title.text == block.chart.title
        assert desc is not None and desc.text and block.chart.title in desc.text
        assert fig.find("figcaption").text_content().startswith(block.chart.title)
        table = fig.getnext()
        assert table.tag == "table"
        assert table.find("caption").text_content().endswith(documents.chart_table(block).title)
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids))  # two charts on a page share no id


def test_the_report_says_which_returns_it_used_and_rejected_and_why(made: Pack) -> None:
    page = parsed(made.thematic)
    text = page.text_content()
    assert f"{len(made.returns)} return(s) used, 2 rejected" in text
    assert "section11@2025-27" in text
    rejected = page.get_element_by_id("t-returns-rejected")
    rows = [r.text_content() for r in rejected.findall(".//tbody/tr")]
    assert len(rows) == 2
    assert any("SG531" in r for r in rows) and any("SG506" in r for r in rows)


def test_suppression_is_said_where_it_happens(made: Pack) -> None:
    tables = {t.id: t for t in made.thematic.tables()}
    merged = [t for t in tables.values() if t.id.startswith("by:")]
    assert merged and any(c.suppressed for t in merged for r in t.rows for c in r.cells)
    for t in merged:
        if any(c.suppressed for r in t.rows for c in r.cells):
            assert any("suppressed (*)" in n for n in t.notes)
    md = documents.write_markdown(made.thematic)
    assert "suppressed (*)" in md


# -- every figure traced to the answers -------------------------------------------------------


def _half_up(part: int, whole: int) -> int:
    return int(Fraction(100 * part, whole) + Fraction(1, 2))


def test_a_sample_of_cells_is_recomputed_from_the_returns_answers(made: Pack) -> None:
    """Counted again from the return JSON files themselves (not the Return values)."""
    checklist = made.checklist
    docs = []
    for r in made.returns:
        docs.append(json.loads(Path(r.source).read_text(encoding="utf-8")))
    tables = {t.id: t for t in made.thematic.tables()}
    filters = {x for q in checklist.questions() if q.ask_if for x in q.ask_if.questions()}
    checked = 0
    for section in checklist.sections[1:4]:
        table = tables.get(f"levels:{section.id}")
        if table is None:
            continue
        for st in section.standards:
            for q in st.questions:
                if q.type != "rating":
                    continue
                scale = checklist.scale(q.scale or checklist.default_scale)
                given = [
                    d["answers"][q.full_id]
                    for d in docs
                    if q.full_id in d["answers"] and q.full_id not in d.get("not_asked", [])
                ]
                if len(given) < 3:
                    continue
                for lv in scale.levels:
                    n = given.count(lv.id)
                    want = f"{n} ({_half_up(n, len(given))}%)"
                    assert table.at(q.full_id, lv.id).text == want, (q.full_id, lv.id)
                    checked += 1
    assert checked >= 20
    # the share meeting each standard, pooled over its measured questions
    std = tables["standards"]
    shares = 0
    for st in checklist.standards():
        meeting = scored = 0
        orgs = 0
        for q in st.questions:
            answers = [
                d["answers"][q.full_id]
                for d in docs
                if q.full_id in d["answers"] and q.full_id not in d.get("not_asked", [])
            ]
            if q.type == "rating":
                scale = checklist.scale(q.scale or checklist.default_scale)
                levels = {lv.id: lv for lv in scale.levels}
                greens = [lv.score for lv in scale.levels if lv.rag == "green" and lv.scored]
                bar = min(greens)
                for a in answers:
                    if levels[a].scored:
                        scored += 1
                        meeting += levels[a].score >= bar
            elif q.type == "yes-no" and q.full_id not in filters:
                scored += len(answers)
                meeting += answers.count("yes")
            else:
                continue
            orgs = max(orgs, len(answers))
        if not scored or orgs < 3:
            continue
        assert std.at(st.full_id, "share").text == f"{_half_up(meeting, scored)}%", st.full_id
        assert std.at(st.full_id, "meeting").text == str(meeting)
        shares += 1
    assert shares >= 8


def test_the_response_rate_counts_the_roster(made: Pack) -> None:
    expected = [o for o in made.folder.synthetic.roster if o.set == SET]
    missing = made.folder.synthetic.missing[(SET, VERSION)]
    row = made.thematic.tables()[0].row("all")
    assert row.cells[0].text == str(len(expected))
    assert row.cells[1].text == str(len(expected) - len(missing))


# -- names and personal data --------------------------------------------------------------------


def _texts(view: v.ReportView, pdf: bool) -> dict[str, str]:
    out = {
        "html": documents.write_html(view),
        "md": documents.write_markdown(view),
    }
    with zipfile.ZipFile(io.BytesIO(documents.write_docx(view))) as z:
        out["docx"] = " ".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")
        )
    with zipfile.ZipFile(io.BytesIO(documents.write_xlsx(view))) as z:
        out["xlsx"] = " ".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")
        )
    if pdf:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(documents.write_pdf(view)))
        out["pdf"] = " ".join(p.extract_text() or "" for p in reader.pages)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("which", ["thematic", "briefing"])
def test_no_organisation_is_named_unless_asked(made: Pack, which: str) -> None:
    view = getattr(made, which)
    for fmt, text in _texts(view, pdf=which == "briefing").items():
        flat = " ".join(text.split())
        for name in made.folder.names:
            assert name not in flat, (fmt, name)


def test_asked_to_name_them_the_thematic_report_lists_who_has_not_returned(made: Pack) -> None:
    missing = made.folder.synthetic.missing[(SET, VERSION)]
    named = v.thematic_view(
        made.checklist, made.returns, made.ledger, roster=made.roster, name_organisations=True
    )
    html = documents.write_html(named)
    for oid in missing:
        org = made.roster.get(oid)
        assert org is not None and org.name in html


@pytest.mark.slow
def test_a_flagged_personal_detail_is_never_printed(made: Pack) -> None:
    from safeguard_standards.returns.privacy import scan

    flagged: list[tuple[int, str]] = []
    for n, r in enumerate(made.returns):
        for a in r.answers:
            for f in scan(a.action) if a.action else ():
                flagged.append((n, a.action[f.start : f.end]))
    assert flagged, "the synthetic returns carry some personal data"
    for n, detail in flagged[:4]:
        view = feedback(made, n)
        for fmt, text in _texts(view, pdf=False).items():
            assert detail not in text, fmt
        assert v.WITHHELD in documents.write_markdown(view)


# -- feedback -------------------------------------------------------------------------------------


def test_feedback_puts_the_organisations_ratings_beside_the_partnerships(made: Pack) -> None:
    view = feedback(made)
    ret = made.returns[0]
    org = made.roster.match(ret)
    assert view.title.startswith(org.name)
    tables = {t.id: t for t in view.tables()}
    chart = view.figures()[0].chart
    assert [s.label for s in chart.series] == ["Your organisation", "Partnership"]
    section = made.checklist.sections[1]
    q = next(q for st in section.standards for q in st.questions if q.type == "rating")
    row = tables[f"feedback:{section.id}"].row(q.full_id)
    scale = made.checklist.scale(q.scale or made.checklist.default_scale)
    level = scale.level(ret.answer(q.full_id).value)
    assert row.cells[0].text == level.label
    assert "%" in row.cells[1].text or row.cells[1].text == "*"
    headings = [b.text for b in view.blocks if isinstance(b, v.Heading)]
    assert "Strengths and gaps" in headings and "The actions you named" in headings


def test_reviewer_comments_are_merged_and_a_panel_agency_gets_its_record(made: Pack) -> None:
    from safeguard_standards.report.panel import select

    ret = made.returns[0]
    oid = made.roster.match(ret).id
    q = next(q.full_id for q in made.checklist.questions() if q.type == "rating")
    comments, problems = read_comments(
        f"{oid}:\n  general: A careful return.\n  {q}: Please send the minutes.\n", "c.yaml"
    )
    assert problems == ()
    panel = select([oid, "X-1", "X-2"], "2026", 3, standards=("leadership.responsibilities",))
    view = feedback(made, comments=comments, panel=panel)
    tables = {t.id: t for t in view.tables()}
    assert [r.cells[0].text for r in tables["feedback-comments"].rows] == [
        "A careful return.",
        "Please send the minutes.",
    ]
    assert [r.id for r in tables["panel-record"].rows] == ["leadership.responsibilities"]
    other = feedback(made, 1, comments=comments, panel=select(["X-1"], "2026", 1))
    assert "panel-record" not in {t.id for t in other.tables()}


@pytest.mark.parametrize(
    ("text", "source", "where"),
    [
        ("ORG-1:\n  general: fine\n\tbad: x\n", "c.yaml", (3, 1)),
        ("- just a list\n", "c.yaml", (1, 1)),
        ("ORG-1:\n  q.a.b:\n    - nested\n", "c.yaml", (3, 5)),
    ],
)
def test_a_bad_comments_file_is_located(text: str, source: str, where: tuple[int, int]) -> None:
    _, problems = read_comments(text, source)
    assert [(d.code, d.source, d.line, d.column) for d in problems] == [
        (Code.REPORT_COMMENTS, source, *where)
    ]


def test_a_bad_comments_csv_is_located_by_row_and_column() -> None:
    _, problems = read_comments("Organisation,Question,Remark\nA,,x\n", "c.csv")
    assert [(d.code, d.at) for d in problems] == [(Code.REPORT_COMMENTS, "row 1")]
    assert "Comment" in problems[0].message
    _, problems = read_comments("Organisation,Question,Comment\n,q,x\n", "c.csv")
    assert [(d.code, d.at) for d in problems] == [(Code.REPORT_COMMENTS, "row 2, column 1")]
    comments, problems = read_comments("organisation,comment\nORG-1,Thanks\n", "c.csv")
    assert problems == () and comments.for_organisation("ORG-1") == [("", "Thanks")]


def test_a_comment_for_no_one_known_is_a_warning_with_a_suggestion() -> None:
    comments, _ = read_comments("ORG-0001:\n  general: x\nORG-001:\n  a.b.d: y\n", "c.yaml")
    found = comments.check(["ORG-0001", "ORG-0002"], ["a.b.c"])
    assert [(d.code, d.line, d.column) for d in found] == [(Code.REPORT_COMMENT_UNKNOWN, 3, 1)]
    assert "did you mean 'ORG-0001'" in found[0].message
    comments, _ = read_comments("ORG-0001:\n  a.b.d: y\n", "c.yaml")
    found = comments.check(["ORG-0001"], ["a.b.c"])
    assert [(d.code, d.line, d.column) for d in found] == [(Code.REPORT_COMMENT_UNKNOWN, 2, 3)]


# -- other software opens them ----------------------------------------------------------------


@pytest.mark.slow
def test_the_pdf_is_tagged_and_its_text_holds_the_figures(made: Pack) -> None:
    from pypdf import PdfReader

    view = feedback(made)
    reader = PdfReader(io.BytesIO(documents.write_pdf(view)))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    table = view.figures()[0].numbers
    assert table is not None
    for row in table.rows[:5]:
        assert row.cells[0].text in text
    assert view.figures()[0].chart.title in text
    assert reader.metadata.title == view.document_title


@pytest.mark.slow
def test_the_docx_opens_with_headings_tables_and_described_pictures(made: Pack) -> None:
    import docx

    view = made.thematic
    d = docx.Document(io.BytesIO(documents.write_docx(view)))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert "Levels per standard" in headings
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert len(d.tables) == len(captions) - len(view.figures())
    assert len(d.inline_shapes) == len(view.figures())
    described = [s._inline.docPr.get("descr") for s in d.inline_shapes]
    assert all(f.chart.title in text for f, text in zip(view.figures(), described, strict=True))
    assert {"SG Meta", "SG Intro", "SG Label"} <= {p.style.name for p in d.paragraphs} | {
        p.style.name for t in d.tables for c in t._cells for p in c.paragraphs
    }


def test_the_xlsx_has_a_native_chart_over_each_figures_numbers(made: Pack) -> None:
    from openpyxl import load_workbook

    long = None
    wb = load_workbook(io.BytesIO(documents.write_xlsx(made.thematic, long)))
    charted = [ws for ws in wb.worksheets if ws._charts]
    assert len(charted) == len(made.thematic.figures())
    ws = charted[0]
    assert ws["A1"].value == made.thematic.figures()[0].chart.title
    assert ws["A4"].value == "Standard"
    standards = next(
        ws for ws in wb.worksheets if ws["A1"].value == "Share of answers meeting each standard"
    )
    row = next(
        r for r in standards.iter_rows(min_row=3) if r[0].value and r[0].value.startswith("2.1")
    )
    share = made.thematic.tables()[1].at("leadership.senior-lead", "share")
    assert row[4].value == pytest.approx(share.value / 100)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx"])
def test_two_runs_are_the_same_bytes(made: Pack, fmt: str) -> None:
    def write() -> bytes:
        if fmt == "xlsx":
            return documents.write_xlsx(made.thematic)
        return documents.write_document(made.thematic, fmt)

    first = write()
    assert first == write()
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(first)) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.slow
def test_the_report_pages_pass_axe_in_chromium(made: Pack, tmp_path: Path) -> None:
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip(f"{chromium} is not installed (CI installs chromium)")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    pages = {"thematic": made.thematic, "feedback": feedback(made), "briefing": made.briefing}
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for name, view in pages.items():
                path = tmp_path / f"{name}.html"
                path.write_text(documents.write_html(view), encoding="utf-8")
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
                )
                page.goto(path.as_uri())
                violations = Axe().run(page).response["violations"]
                found[name] = [
                    f"{x['id']} ({x['impact']})"
                    for x in violations
                    if x["impact"] in ("serious", "critical")
                ]
                page.close()
        finally:
            browser.close()
    assert found == {name: [] for name in pages}


@pytest.mark.slow
def test_a_feedback_pdf_is_the_same_bytes_twice(made: Pack) -> None:
    view = feedback(made, 2)
    assert documents.write_pdf(view) == documents.write_pdf(view)

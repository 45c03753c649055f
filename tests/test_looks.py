"""Outputs as people open them: the workbook as LibreOffice and Excel lay it out (named
fonts, rows tall enough for their wrapped text, A4 fit-to-width print setup, cached formula
values), Word files converted by LibreOffice (no blank page), PDFs (no blank page, no empty
running header or footer, no heading as the last line of a page).

Text is measured with Liberation Sans, the font LibreOffice shows for Arial (same metrics);
LibreOffice runs headless with a profile of its own and a timeout.
"""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Liberation Sans: what LibreOffice shows for Arial (the same metrics).
_FONT_FILES = {
    False: "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    True: "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
}
#: Measure at 16 times the size, so that rounding to whole pixels does not matter.
_SCALE = 16


def soffice() -> str:
    """The LibreOffice program, or skip the test (Debian: libreoffice-writer, -calc)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer libreoffice-calc)")
    return exe


def to_pdf(path: Path, timeout: float = 120) -> Path:
    """``path`` converted to PDF by LibreOffice headless, with a profile of its own (so a
    LibreOffice the person has open, or another test, is not disturbed) and a timeout."""
    exe = soffice()
    out = path.parent / "pdf"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {path.name}"
    return pdf


@functools.lru_cache(maxsize=8)
def _font(bold: bool, points: float) -> Any:
    from PIL import ImageFont

    file = _FONT_FILES[bold]
    if not Path(file).exists():
        pytest.skip("Liberation Sans is not installed (Debian: fonts-liberation2)")
    return ImageFont.truetype(file, size=round(points * 96 / 72 * _SCALE))


def text_width(text: str, bold: bool = False, points: float = 10) -> float:
    """Width in pixels (96 dpi) of ``text`` in Arial/Liberation Sans."""
    return float(_font(bold, points).getlength(text)) / _SCALE


def wrapped_lines(text: str, pixels: float, bold: bool = False, points: float = 10) -> int:
    """Lines ``text`` takes when wrapped at spaces in ``pixels`` (a word wider than the line
    is broken), as a spreadsheet wraps a cell."""
    total = 0
    space = text_width(" ", bold, points)
    for part in str(text).split("\n"):
        lines, used = 1, 0.0
        for word in part.split(" "):
            width = text_width(word, bold, points)
            if used and used + space + width <= pixels:
                used += space + width
                continue
            if used:
                lines, used = lines + 1, 0.0
            while width > pixels:
                lines, width = lines + 1, width - pixels
            used = width
        total += lines
    return total


def column_pixels(width: float) -> float:
    """Pixels of a column ``width`` characters wide (Excel's rule, a 7-pixel digit), less
    the cell's margins."""
    return int((256 * width + int(128 / 7)) / 256 * 7) - 6


def pdf_page_texts(pdf: bytes | Path) -> list[str]:
    """The text of each page of a PDF (pypdf)."""
    import io

    from pypdf import PdfReader

    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


# -- XLSX ---------------------------------------------------------------------------------------

import io  # noqa: E402

import safeguard_standards as sg  # noqa: E402
from safeguard_standards.render import RenderOptions, render  # noqa: E402

BUNDLED = [s.id for s in sg.bundled_sets()]


def _kinds(set_id: str, kinds: tuple[str, ...]) -> list[str]:
    """The kinds the set can be rendered as (a return form needs return questions)."""
    c = sg.load_bundled(set_id)
    has_return = any(q.in_return for q in c.questions())
    versions = next(s for s in sg.bundled_sets() if s.id == set_id).versions
    return [
        k
        for k in kinds
        if (k != "return-form" or has_return) and (k != "changes" or len(versions) > 1)
    ]


XLSX = [(s, k) for s in BUNDLED for k in _kinds(s, ("form", "return-form", "action-plan"))]


def _workbook(set_id: str, kind: str, data_only: bool = False) -> Any:
    from openpyxl import load_workbook

    c = sg.load_bundled(set_id)
    return load_workbook(io.BytesIO(render(c, kind, "xlsx")), data_only=data_only)


@pytest.mark.parametrize(("set_id", "kind"), XLSX)
def test_every_xlsx_cell_style_names_a_font(set_id: str, kind: str) -> None:
    wb = _workbook(set_id, kind)
    unnamed = [i for i, font in enumerate(wb._fonts) if not font.name]
    assert not unnamed, "a font with no name falls back to a serif font in LibreOffice"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.has_style:
                    assert cell.font.name, f"{ws.title}!{cell.coordinate} has a font with no name"


@pytest.mark.parametrize(("set_id", "kind"), XLSX)
def test_every_sheet_prints_on_a4_fitted_to_the_page_width(set_id: str, kind: str) -> None:
    wb = _workbook(set_id, kind)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert str(setup.paperSize) == "9", f"{ws.title}: paper is not A4"
        assert ws.sheet_properties.pageSetUpPr.fitToPage, f"{ws.title}: not fitted to the page"
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
        assert setup.orientation in ("portrait", "landscape"), ws.title


@pytest.mark.parametrize(("set_id", "kind"), XLSX)
def test_no_xlsx_row_is_shorter_than_its_wrapped_text(set_id: str, kind: str) -> None:
    """Every wrapped cell's text, measured with the font's own metrics and wrapped at the
    column's width, fits the row's height (a row with no height is one default line)."""
    wb = _workbook(set_id, kind)
    too_short = []
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.value.startswith("="):
                    continue
                if not cell.alignment.wrap_text:
                    continue
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                points = float(cell.font.sz or 11)
                lines = wrapped_lines(cell.value, column_pixels(width), bool(cell.font.b), points)
                # a line of Liberation Sans is 1.15 em; the cell has about 2 points of margin
                need = lines * points * 1.15 + 2
                have = ws.row_dimensions[cell.row].height or ws.sheet_format.defaultRowHeight
                if need > have:
                    too_short.append(
                        f"{ws.title}!{cell.coordinate} needs {need:.0f} pt, has {have}"
                    )
    assert not too_short, "\n".join(too_short[:20])


@pytest.mark.parametrize("set_id", BUNDLED)
def test_the_summary_of_a_blank_form_has_cached_values(set_id: str) -> None:
    """A viewer that does not recalculate shows the Summary's numbers: every question not
    answered, no answer counted."""
    c = sg.load_bundled(set_id)
    wb = _workbook(set_id, "form", data_only=True)
    ws = wb["Summary"]
    head = [cell.value for cell in ws[3]]
    assert head[:4] == ["Section", "Questions", "Answered", "Not answered"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    *sections, total = rows
    assert len(sections) == len(c.sections)
    for section, values in zip(c.sections, sections, strict=True):
        count = sum(len(st.questions) for st in section.standards)
        assert values[1:4] == (count, 0, count), values[0]
        assert set(values[4 : len(head)]) == {0}, values[0]
    n = sum(1 for _ in c.questions())
    assert total[0] == "Total"
    assert total[1:4] == (n, 0, n)


# -- pages: PDF, and Word as LibreOffice lays it out ---------------------------------------------

_PAGE_NUMBER = re.compile(r"\bPage \d+ of \d+\b")
_DIGITS = re.compile(r"\d+")


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines at the top or foot of the text of most pages once their numbers are set aside:
    the running header and footer (a PDF's text may hold them at either end)."""
    counts: dict[str, int] = {}
    for lines in pages:
        for line in {_DIGITS.sub("#", x.strip()) for x in lines[:1] + lines[-2:]}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n > len(pages) / 2}


def check_pages(name: str, texts: list[str]) -> None:
    """No blank page, and no running header or footer without words."""
    pages = [[x for x in t.splitlines() if x.strip()] for t in texts]
    if len(pages) < 3:
        running: set[str] = set()
    else:
        running = _running_lines(pages)
        for line in running:
            words = re.findall(r"[A-Za-z]{2,}", _PAGE_NUMBER.sub("", line.replace("#", "1")))
            assert words, f"{name}: the running header or footer {line!r} has no words"
    for n, lines in enumerate(pages, start=1):
        body = [x for x in lines if _DIGITS.sub("#", x.strip()) not in running]
        assert body, f"{name}: page {n} of {len(pages)} is blank"


def check_headings_not_last(name: str, pdf: bytes, headings: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """No heading (an entry of the PDF's outline, or one of ``headings``: a section's title
    as an action plan's group row shows it) is the last line of its page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() or "" for page in reader.pages]
    pages = [[x.strip() for x in t.splitlines() if x.strip()] for t in texts]
    running = _running_lines(pages) if len(pages) >= 3 else set()

    def walk(items: list[Any], depth: int = 0) -> Iterator[tuple[Any, int]]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield item, depth

    for n, lines in enumerate(pages[:-1], start=1):
        body = [x for x in lines if _DIGITS.sub("#", x) not in running]
        assert not body or body[-1] not in headings, (
            f"{name}: {body[-1]!r} is alone at the foot of page {n}"
        )
    entries = list(walk(reader.outline))
    for (item, depth), (after, after_depth) in itertools.pairwise(entries):
        # a heading in the lower part of a page whose first sub-heading (a standard's first
        # question) is on a later page: the page ends with the heading and its opening lines
        page = reader.get_destination_page_number(item)
        height = float(reader.pages[page].mediabox.height)
        top = float(item.get("/Top") or height)
        later = reader.get_destination_page_number(after) > page
        if after_depth > depth and later and top < 0.4 * height:
            title = " ".join(str(item.title).split())
            raise AssertionError(
                f"{name}: heading {title!r} is stranded at the foot of page {page + 1}"
            )
    for item, _ in entries:
        page = reader.get_destination_page_number(item)
        body = [x for x in pages[page] if _DIGITS.sub("#", x) not in running]
        title = " ".join(str(item.title).split())
        # the heading's last line (a long heading wraps) against the page's last body line
        tail = title.split()[-1] if title else ""
        assert body, f"{name}: page {page + 1} is blank"
        last = body[-1]
        assert not (last.endswith(tail) and title.endswith(last.strip())), (
            f"{name}: heading {title!r} is the last line of page {page + 1}"
        )


def _pairs(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(s, k) for s in BUNDLED for k in _kinds(s, kinds)]


PDF_KINDS = ("form", "return-form", "guidance", "action-plan", "changes")


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "kind"), _pairs(PDF_KINDS))
def test_pdf_pages_have_content_running_text_and_no_stranded_heading(
    set_id: str, kind: str
) -> None:
    from safeguard_standards.render import RenderError

    c = sg.load_bundled(set_id)
    options = RenderOptions()
    if kind == "changes":
        versions = next(s for s in sg.bundled_sets() if s.id == set_id).versions
        options = RenderOptions(previous=sg.load_bundled(set_id, versions[-2]))
    try:
        pdf = render(c, kind, "pdf", options)
    except RenderError as e:  # a set with one version has no "what changed"
        pytest.skip(str(e))
    name = f"{set_id} {kind}.pdf"
    check_pages(name, pdf_page_texts(pdf))
    titles = {s.title for s in c.sections} | {st.title for st in c.standards()}
    check_headings_not_last(name, pdf, titles)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("set_id", "kind"), _pairs(("form", "return-form", "guidance", "action-plan"))
)
def test_docx_in_libreoffice_has_no_blank_page_and_running_text(
    set_id: str, kind: str, tmp_path: Path
) -> None:
    c = sg.load_bundled(set_id)
    path = tmp_path / f"{set_id}-{kind}.docx"
    path.write_bytes(render(c, kind, "docx"))
    check_pages(path.name, pdf_page_texts(to_pdf(path)))


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "kind"), XLSX)
def test_xlsx_in_libreoffice_prints_on_a4_without_blank_pages(
    set_id: str, kind: str, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    c = sg.load_bundled(set_id)
    path = tmp_path / f"{set_id}-{kind}.xlsx"
    path.write_bytes(render(c, kind, "xlsx"))
    pdf = to_pdf(path)
    reader = PdfReader(pdf)
    for n, page in enumerate(reader.pages, start=1):
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert (round(width), round(height)) == (595, 842), f"page {n} is not A4"
    check_pages(path.name, [p.extract_text() or "" for p in reader.pages])


# -- priority (the VCS checklist marks questions essential or recommended) ---------------------


def _priorities() -> dict[str, int]:
    c = sg.load_bundled("vcs_checklist")
    counts: dict[str, int] = {}
    for q in c.questions():
        counts[q.priority] = counts.get(q.priority, 0) + 1
    return counts


def test_the_vcs_checklist_marks_every_question() -> None:
    counts = _priorities()
    assert set(counts) == {"essential", "recommended"}, counts


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx", "csv"])
def test_every_form_format_shows_each_questions_priority(fmt: str) -> None:
    from docx import Document
    from openpyxl import load_workbook

    c = sg.load_bundled("vcs_checklist")
    data = render(c, "form", fmt)
    if fmt == "html":
        text = data.decode() if isinstance(data, bytes) else data
        shown = {
            p: len(re.findall(rf'<span class="priority priority-{p}">{p.title()}</span>', text))
            for p in ("essential", "recommended")
        }
    elif fmt == "md":
        text = data.decode() if isinstance(data, bytes) else data
        shown = {p: text.count(f"**{p.title()}.**") for p in ("essential", "recommended")}
    elif fmt == "docx":
        d = Document(io.BytesIO(data))
        shown = {
            p: sum(
                1
                for t in d.tables
                for row in t.rows
                if any(para.text == p.title() for para in row.cells[-1].paragraphs)
            )
            for p in ("essential", "recommended")
        }
    elif fmt == "xlsx":
        ws = load_workbook(io.BytesIO(data))["Answers"]
        types = [ws.cell(r, 6).value or "" for r in range(2, ws.max_row + 1)]
        shown = {
            p: sum(1 for t in types if t.endswith(f"({p})")) for p in ("essential", "recommended")
        }
    else:
        import csv

        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        rows = list(csv.DictReader(io.StringIO(text)))
        shown = {
            p: sum(1 for r in rows if r["Answer type"].endswith(f"({p})"))
            for p in ("essential", "recommended")
        }
    assert shown == _priorities()


@pytest.mark.slow
def test_the_pdf_form_shows_each_questions_priority() -> None:
    c = sg.load_bundled("vcs_checklist")
    text = "\n".join(pdf_page_texts(render(c, "form", "pdf")))
    shown = {p: text.count(p.upper()) for p in ("essential", "recommended")}
    assert shown == _priorities()


# -- text for people: citations, dates --------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("set_id", BUNDLED)
def test_citations_name_each_edition_once_without_nested_brackets(set_id: str) -> None:
    from safeguard_standards.render._view import build_document

    doc = build_document(sg.load_bundled(set_id), "guidance")
    texts = {c.text for c in doc.references}
    for section in doc.sections:
        for standard in section.standards:
            texts |= {c.text for c in standard.citations}
            for q in standard.questions:
                texts |= {c.text for c in q.citations}
    assert texts
    for text in texts:
        assert not re.search(r"\([^()]*\(", text), f"nested brackets: {text}"
        assert not re.search(r"\b(\d{4}) \(\1\b", text), f"the year twice: {text}"
    if set_id == "kcsie":
        assert any(
            t.startswith("Keeping children safe in education 2025 (in force 1 September 2025)")
            for t in texts
        )


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx"])
def test_covers_write_dates_as_people_do(fmt: str) -> None:
    from docx import Document
    from openpyxl import load_workbook

    local = sg.load_set(str(EXAMPLES / "northshire-kcsie-2025-26.yaml"))
    data = render(local, "form", fmt, RenderOptions(generated_on="2025-10-03"))
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    elif fmt == "xlsx":
        ws = load_workbook(io.BytesIO(data))["Cover"]
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    else:
        text = data.decode() if isinstance(data, bytes) else data
    assert "12 December 2025" in text and "2025-12-12" not in text
    assert "3 October 2025" in text and "2025-10-03" not in text


# -- figures in the docs ------------------------------------------------------------------------

RENDERING_MD = Path(__file__).resolve().parent.parent / "docs" / "rendering.md"


def _kcsie_figures() -> tuple[set[int], set[int]]:
    """(question counts, page counts) docs/rendering.md gives for the kcsie form."""
    text = " ".join(RENDERING_MD.read_text(encoding="utf-8").split())
    questions = {int(n) for n in re.findall(r"kcsie \((\d+) questions\)", text)}
    questions |= {int(n) for n in re.findall(r"kcsie form is \d+ pages for its (\d+) ", text)}
    pages = {int(n) for n in re.findall(r"kcsie form is (\d+) pages", text)}
    pages |= {int(n) for n in re.findall(r"PDF form, kcsie: (\d+) pages", text)}
    return questions, pages


def test_the_docs_count_kcsies_questions_right() -> None:
    questions, _ = _kcsie_figures()
    assert questions, "docs/rendering.md no longer gives kcsie's question count"
    assert questions == {sum(1 for _ in sg.load_bundled("kcsie").questions())}


@pytest.mark.slow
def test_the_docs_count_the_kcsie_pdf_forms_pages_right() -> None:
    from pypdf import PdfReader

    _, pages = _kcsie_figures()
    assert pages, "docs/rendering.md no longer gives the kcsie form's page count"
    pdf = render(sg.load_bundled("kcsie"), "form", "pdf")
    assert pages == {len(PdfReader(io.BytesIO(pdf)).pages)}


# -- the HTML form in Chromium: focus not hidden under the sticky toolbar ----------------------

CHROMIUM = "/usr/bin/chromium"

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const bar = document.querySelector('.toolbar').getBoundingClientRect();
  const box = e.getBoundingClientRect();
  return {id: e.id || e.name, top: box.top, bar: bar.bottom, inBar: !!e.closest('.toolbar')};
}"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_shift_tab_never_leaves_the_focus_under_the_toolbar(width: int, tmp_path: Path) -> None:
    """WCAG 2.2 "focus not obscured": going back through the whole form with Shift+Tab, every
    control that takes the focus is scrolled wholly clear of the sticky toolbar."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (CI installs chromium)")
    from playwright.sync_api import sync_playwright

    form = tmp_path / "form.html"
    form.write_bytes(render(sg.load_bundled("kcsie"), "form", "html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.route(lambda url: not url.startswith(("file:", "data:")), lambda r: r.abort())
            page.goto(form.as_uri())
            page.evaluate("document.getElementById('sg-status').textContent = 'Answers saved.'")
            page.locator("input, textarea").last.focus()
            seen, hidden = 0, []
            for _ in range(2000):
                page.keyboard.press("Shift+Tab")
                f = page.evaluate(_FOCUSED)
                if f is None or f["inBar"]:
                    break
                seen += 1
                if f["top"] < f["bar"]:
                    hidden.append(f"{f['id']}: top {f['top']:.0f} px, toolbar ends {f['bar']:.0f}")
        finally:
            browser.close()
    assert seen > 200, f"only {seen} controls reached"
    assert not hidden, "\n".join(hidden[:10])

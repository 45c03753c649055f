"""The report's charts, opened as readers' software opens them: the SVG parsed as XML (its
title, description, one drawn bar per number, their widths and colours), the PNG by Pillow,
the Excel chart by openpyxl and LibreOffice; the bytes the same in every run and process; the
colours apart in greyscale and in simulations of colour-blind vision."""

from __future__ import annotations

import hashlib
import itertools
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import pytest

from safeguard_standards.report import _charts as charts
from safeguard_standards.report._charts import GroupedBars, Series, StackedBars

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SVG = "{http://www.w3.org/2000/svg}"

STANDARDS = (
    "Governance of safeguarding",
    "Safer recruitment and the management of allegations against staff and volunteers",
    "Training",
    "Information sharing",
    "Listening to children",
)


def stacked(**kw: object) -> StackedBars:
    args: dict[str, object] = {
        "title": "Levels per standard: section 11, 2025-26",
        "categories": STANDARDS,
        "series": (
            Series("Fully met", (60, 40, 50, None, 20), "green"),
            Series("Partially met", (30, 40, 25, 30, 50), "amber"),
            Series("Not met", (10, 20, 25, None, 30), "red"),
        ),
        "note": "Cells with fewer than 3 organisations are suppressed.",
    }
    args.update(kw)
    return StackedBars(**args)  # type: ignore[arg-type]


def grouped(**kw: object) -> GroupedBars:
    args: dict[str, object] = {
        "title": "Share meeting the standard, last year and this year",
        "categories": STANDARDS,
        "series": (
            Series("2024-25", (55, 35, 45, None, 20)),
            Series("2025-26", (60, 40, 50, 70, 22.5)),
        ),
    }
    args.update(kw)
    return GroupedBars(**args)  # type: ignore[arg-type]


CHARTS = {"stacked": stacked, "grouped": grouped}


def drawn(svg: bytes, what: str) -> dict[tuple[int, ...], ET.Element]:
    """The groups the chart drew for ``what`` ("bar", "value", "suppressed"), by their
    (series, category) or (category,) numbers."""
    root = ET.fromstring(svg)
    found = {}
    pattern = re.compile(rf"^c[0-9a-f]{{8}}-{what}((?:-\d+)+)$")
    for g in root.iter(f"{SVG}g"):
        m = pattern.match(g.get("id", ""))
        if m:
            key = tuple(int(n) for n in m[1].strip("-").split("-"))
            assert key not in found, f"{what} {key} drawn twice"
            found[key] = g
    return found


def x_extent(bar: ET.Element) -> tuple[float, float]:
    path = bar.find(f"{SVG}path")
    assert path is not None
    xs = [float(x) for x, _ in re.findall(r"([-\d.]+) ([-\d.]+)", path.get("d", ""))]
    return min(xs), max(xs)


def style(el: ET.Element) -> dict[str, str]:
    pairs = (p.split(":", 1) for p in el.get("style", "").split(";") if ":" in p)
    return {k.strip(): v.strip() for k, v in pairs}


# -- the SVG ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHARTS)
def test_the_svg_is_an_image_with_a_title_and_its_text_alternative(kind: str) -> None:
    chart = CHARTS[kind]()
    root = ET.fromstring(charts.to_svg(chart))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root[0], root[1]  # first, as assistive technology expects
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert title.text == chart.title
    assert desc.text == charts.text_alternative(chart)
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")


def test_one_bar_is_drawn_for_each_number_and_one_hatched_segment_per_suppressed_bar() -> None:
    chart = stacked()
    svg = charts.to_svg(chart)
    expected = {
        (j, i) for j, s in enumerate(chart.series) for i, v in enumerate(s.values) if v is not None
    }
    assert set(drawn(svg, "bar")) == expected
    assert set(drawn(svg, "suppressed")) == {(3,)}  # "Information sharing"
    hatch = style(drawn(svg, "suppressed")[(3,)].find(f"{SVG}path"))["fill"]  # type: ignore[arg-type]
    assert hatch.startswith("url(#")


def test_segment_widths_are_the_shares_and_the_hidden_share_is_what_is_left() -> None:
    chart = stacked()
    svg = charts.to_svg(chart)
    bars = drawn(svg, "bar")
    scale = {
        (x_extent(bars[k])[1] - x_extent(bars[k])[0]) / chart.series[k[0]].values[k[1]]  # type: ignore[operator]
        for k in bars
    }
    assert max(scale) - min(scale) < 1e-3 * max(scale)  # one scale for every segment
    per_percent = min(scale)
    start, end = x_extent(drawn(svg, "suppressed")[(3,)])
    assert end - start == pytest.approx(70 * per_percent, rel=1e-4)  # 100 - 30 shown
    # segments follow each other in scale order, without gaps
    for i in range(len(chart.categories)):
        row = [x_extent(bars[j, i]) for j in range(len(chart.series)) if (j, i) in bars]
        for (_, a_end), (b_start, _) in itertools.pairwise(row):
            assert a_end == pytest.approx(b_start, abs=1e-3)


def test_each_series_is_filled_with_its_colour_and_labelled_legibly() -> None:
    chart = stacked()
    svg = charts.to_svg(chart)
    fills = charts.colours(chart)
    for (j, _), bar in drawn(svg, "bar").items():
        assert style(bar.find(f"{SVG}path"))["fill"] == fills[j]  # type: ignore[arg-type]
    labels = drawn(svg, "value")
    assert labels  # every segment here is wide enough for its number
    for (j, i), g in labels.items():
        text = g.find(f".//{SVG}text")
        assert text is not None
        assert text.text == f"{round(chart.series[j].values[i])}%"  # type: ignore[arg-type]
        assert contrast(style(text)["fill"], fills[j]) >= 4.5


def test_grouped_bars_draw_each_number_and_mark_a_suppressed_one() -> None:
    chart = grouped()
    svg = charts.to_svg(chart)
    assert set(drawn(svg, "bar")) == {(0, 0), (0, 1), (0, 2), (0, 4)} | {(1, i) for i in range(5)}
    (mark,) = drawn(svg, "suppressed").values()
    assert "".join(mark.itertext()).strip() == "suppressed"
    text = " ".join(t.strip() for t in ET.fromstring(svg).itertext())
    assert "22.5%" in text  # a value label on its bar
    assert "Bars marked “suppressed” are not shown" in text
    # hatching tells the series apart without colour: the second is hatched, the first is not
    fills = {j: style(bar.find(f"{SVG}path"))["fill"] for (j, _), bar in drawn(svg, "bar").items()}  # type: ignore[arg-type]
    assert fills[0] == charts.colours(chart)[0]
    assert fills[1].startswith("url(#")


def test_text_is_text_not_mathematics_and_hostile_characters_are_dropped() -> None:
    chart = stacked(
        title="Costs in $ and £ <b>bold</b> & co\x00\x07",
        categories=("=cmd|' /C calc'!A0", "B $x^2$", "C", "D", "E"),
    )
    svg = charts.to_svg(chart)
    root = ET.fromstring(svg)  # control characters would make it unreadable XML
    texts = ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]
    assert "Costs in $ and £ <b>bold</b> & co" in texts
    assert "B $x^2$" in texts  # not typeset as x squared
    assert "=cmd|' /C calc'!A0" in texts
    assert b"DejaVu Sans" in svg


def test_two_charts_inlined_in_one_page_share_no_id_and_every_reference_resolves() -> None:
    a = charts.to_svg(stacked(), inline=True)
    b = charts.to_svg(grouped(), inline=True)
    assert a.startswith(b"<svg ") and b.startswith(b"<svg ")
    ids: list[str] = []
    for svg in (a, b):
        root = ET.fromstring(svg)
        own = [el.get("id", "") for el in root.iter() if el.get("id")]
        refs = set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg.decode()))
        for ref in {r for pair in refs for r in pair if r}:
            assert ref in own, f"#{ref} points nowhere"
        ids += own
    assert len(ids) == len(set(ids))
    custom = charts.to_svg(stacked(), id_prefix="fig3-")
    assert b'id="fig3-title"' in custom and b'id="c' not in custom


def test_text_is_measured_with_the_font_matplotlib_ships_not_the_systems() -> None:
    """Layout follows the font's metrics: the copy inside matplotlib is the same on every
    machine, a system's DejaVu Sans may be another version."""
    import matplotlib as mpl
    from matplotlib import font_manager

    for weight in ("normal", "bold"):
        found = font_manager.findfont(
            font_manager.FontProperties(family="DejaVu Sans", weight=weight)
        )
        assert Path(found).is_relative_to(Path(mpl.get_data_path())), found


# -- reproducible -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHARTS)
def test_the_same_chart_is_the_same_bytes(kind: str) -> None:
    import matplotlib as mpl

    before = dict(mpl.rcParams)
    chart = CHARTS[kind]()
    svg, png = charts.to_svg(chart), charts.to_png(chart, 72)
    assert svg == charts.to_svg(CHARTS[kind]())
    assert png == charts.to_png(CHARTS[kind](), 72)
    assert dict(mpl.rcParams) == before  # settings undone, for other users of matplotlib
    assert b"<dc:date>" not in svg
    assert b"Matplotlib" not in svg
    assert b"Matplotlib" not in png


@pytest.mark.slow
def test_a_fresh_process_with_its_own_matplotlibrc_draws_the_same_bytes(tmp_path: Path) -> None:
    config = tmp_path / "mpl"
    config.mkdir()
    (config / "matplotlibrc").write_text(
        "font.size: 20\nsvg.fonttype: path\naxes.facecolor: yellow\nsvg.hashsalt: other\n"
    )
    script = textwrap.dedent(
        f"""
        import hashlib, sys
        sys.path.insert(0, {str(TESTS)!r})
        import safeguard_standards.report._charts as charts
        assert "matplotlib" not in sys.modules, "imported before a chart is drawn"
        from test_report_charts import grouped, stacked
        for chart in (stacked(), grouped()):
            print(hashlib.sha256(charts.to_svg(chart)).hexdigest())
            print(hashlib.sha256(charts.to_png(chart, 72)).hexdigest())
        assert "matplotlib.pyplot" not in sys.modules
        """
    )
    env = {"MPLCONFIGDIR": str(config), "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    here = [
        hashlib.sha256(out).hexdigest()
        for chart in (stacked(), grouped())
        for out in (charts.to_svg(chart), charts.to_png(chart, 72))
    ]
    assert run.stdout.split() == here


def test_importing_the_charts_does_not_import_matplotlib() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, safeguard_standards.report._charts; print('matplotlib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.strip() == "False", run.stderr


FIVE_LEVELS = (
    ("Fully met and embedded in practice", "green", 40),
    ("Fully met", "green", 20),
    ("Partially met", "amber", 20),
    ("Not met", "red", 15),
    ("Not applicable", "grey", 5),
)


@pytest.mark.parametrize(
    "chart",
    [
        stacked(),
        stacked(series=tuple(Series(name, (v,) * 5, rag) for name, rag, v in FIVE_LEVELS)),
        grouped(series=tuple(Series(f"Organisation type {n}", (1, 2, 3, 4, 5)) for n in range(6))),
    ],
    ids=["three levels", "five levels", "six groups"],
)
def test_nothing_is_drawn_outside_the_picture(chart: StackedBars | GroupedBars) -> None:
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with mpl.rc_context(charts._RC):
        fig = charts._figure(chart)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        parts = [ax.get_legend(), fig.get_suptitle() and fig._suptitle, *ax.get_yticklabels()]
        for part in filter(None, parts):
            extent = part.get_window_extent(renderer)
            assert fig.bbox.x0 - 0.5 <= extent.x0 and extent.x1 <= fig.bbox.x1 + 0.5, part
            assert fig.bbox.y0 - 0.5 <= extent.y0 and extent.y1 <= fig.bbox.y1 + 0.5, part


# -- the PNG ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [72, 150])
def test_the_png_opens_at_the_chart_size_times_the_dpi(dpi: int) -> None:
    from PIL import Image

    chart = stacked()
    png = charts.to_png(chart, dpi)
    with Image.open(BytesIO(png)) as image:
        image.load()
        width, height = charts.size(chart)
        assert image.format == "PNG"
        assert image.size == (round(width * dpi), round(height * dpi))
        assert "Software" not in image.info
        assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.05)  # Word sizes it so
    # the SVG is the same size, in points
    root = ET.fromstring(charts.to_svg(chart))
    assert root.get("width") == f"{width * 72:g}pt"


# -- words and table ----------------------------------------------------------------------------


def test_the_table_holds_every_number_and_says_suppressed() -> None:
    headings, rows = charts.table(stacked())
    assert headings == ("Standard", "Fully met", "Partially met", "Not met")
    assert rows[0] == ("Governance of safeguarding", "60%", "30%", "10%")
    assert rows[3] == ("Information sharing", "suppressed", "30%", "suppressed")
    _, rows = charts.table(grouped())
    assert rows[4] == ("Listening to children", "20%", "22.5%")
    counts = stacked(unit="count", series=(Series("Yes", (3, 4, 5, 6, 7), "green"),))
    assert charts.table(counts)[1][0] == ("Governance of safeguarding", "3")


def test_the_text_alternative_says_what_the_chart_shows() -> None:
    text = charts.text_alternative(stacked())
    assert text.startswith(
        "Levels per standard: section 11, 2025-26. Stacked bar chart, one bar for each of "
        "5 standards, split into Fully met, Partially met, Not met (in per cent)."
    )
    assert "Governance of safeguarding: Fully met 60%, Partially met 30%, Not met 10%." in text
    assert "Information sharing: Fully met suppressed, Partially met 30%" in text
    assert text.endswith("Cells with fewer than 3 organisations are suppressed.")
    text = charts.text_alternative(grouped())
    assert "Bar chart comparing 2024-25 and 2025-26 for each of 5 standards" in text


def test_counts_leave_suppressed_cells_out_and_say_so() -> None:
    chart = stacked(
        unit="count",
        series=(
            Series("Yes", (3, None, 5, 6, 7), "green"),
            Series("No", (4, 4, 0, 2, 1), "red"),
        ),
    )
    svg = charts.to_svg(chart)
    assert (0, 1) not in drawn(svg, "bar") and (1, 1) in drawn(svg, "bar")
    assert not drawn(svg, "suppressed")
    assert "Bars marked “suppressed” are not shown" in charts.text_alternative(chart)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"unit": "per cent"}, "unit must be"),
        ({"categories": ()}, "at least one category"),
        ({"series": ()}, "at least one series"),
        ({"series": (Series("A", (1, 2), "green"),)}, "has 2 values for 5 categories"),
        ({"series": (Series("A", (1, 2, -3, 4, 5)),)}, "has the value -3.0"),
        ({"series": (Series("A", (1, 2, float("nan"), 4, 5)),)}, "has the value nan"),
        ({"series": (Series("A", (1, 2, 101, 4, 5)),)}, "more than 100"),
        (
            {"series": (Series("A", (60, 0, 0, 0, 0)), Series("B", (41, 0, 0, 0, 0)))},
            "add up to 101.0 %",
        ),
    ],
)
def test_a_chart_that_cannot_be_drawn_is_refused(change: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        stacked(**change)


def test_an_unknown_rag_is_refused() -> None:
    with pytest.raises(ValueError, match="rag must be one of"):
        Series("A", (1,), "blue")


# -- colours ------------------------------------------------------------------------------------
# Computed here independently of the module: WCAG relative luminance, CIE L* (lightness as a
# greyscale print shows it), and the dichromacy simulations of Machado, Oliveira and Fernandes
# (2009), severity 1.0, applied in linear RGB.

DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)
PROTANOPIA = (
    (0.152286, 1.052583, -0.204868),
    (0.114503, 0.786281, 0.099216),
    (-0.003882, -0.048116, 1.051998),
)
#: Neighbouring series differ by at least this much lightness (L*, 0 to 100).
LIGHTNESS_APART = 30


def linear(colour: str) -> tuple[float, float, float]:
    def one(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return one(r), one(g), one(b)


def luminance(rgb: tuple[float, float, float]) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def lightness(rgb: tuple[float, float, float]) -> float:
    y = luminance(rgb)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def simulate(
    matrix: tuple[tuple[float, ...], ...], rgb: tuple[float, float, float]
) -> tuple[float, float, float]:
    r, g, b = (
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix
    )
    return r, g, b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(linear(a)), luminance(linear(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


VISIONS = {
    "greyscale": lambda rgb: rgb,
    "deuteranopia": lambda rgb: simulate(DEUTERANOPIA, rgb),
    "protanopia": lambda rgb: simulate(PROTANOPIA, rgb),
}


def _all_rag_orders() -> list[tuple[str, ...]]:
    return [o for n in range(2, 5) for o in itertools.product(charts.RAGS, repeat=n)]


@pytest.mark.parametrize("vision", VISIONS)
def test_neighbouring_levels_differ_in_lightness_for_any_scale(vision: str) -> None:
    see = VISIONS[vision]
    for rags in _all_rag_orders():
        chart = stacked(categories=("A",), series=tuple(Series(r or "x", (10,), r) for r in rags))
        fills = charts.colours(chart)
        for a, b in itertools.pairwise(fills):
            apart = abs(lightness(see(linear(a))) - lightness(see(linear(b))))
            assert apart >= LIGHTNESS_APART, (vision, rags, a, b, round(apart, 1))


@pytest.mark.parametrize("vision", VISIONS)
def test_neighbouring_groups_differ_in_lightness(vision: str) -> None:
    see = VISIONS[vision]
    chart = grouped(
        series=tuple(Series(str(n), (1, 2, 3, 4, 5)) for n in range(6)),
    )
    fills = charts.colours(chart)
    assert len(set(fills)) == 6
    for a, b in itertools.pairwise(fills):
        assert abs(lightness(see(linear(a))) - lightness(see(linear(b)))) >= LIGHTNESS_APART


def test_the_usual_scale_keeps_its_rag_hues() -> None:
    """Green, amber and red still read as such for the readers who see them."""
    green, amber, red = charts.colours(stacked())
    r, g, _ = linear(green)
    assert g > r
    r, g, b = linear(amber)
    assert r > g > b
    r, g, _ = linear(red)
    assert r > 3 * g


# -- Excel --------------------------------------------------------------------------------------


def workbook(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Levels 'per' standard"
    assert charts.xlsx_chart(stacked(), ws, "A1", "M1") == "M1:Q6"
    assert charts.xlsx_chart(grouped(), ws, "A30", "M20") == "M20:O25"
    path = tmp_path / "charts.xlsx"
    wb.save(path)
    return path


def test_the_excel_charts_open_with_their_data_next_to_them(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(workbook(tmp_path)).active
    first, second = ws._charts
    assert (first.type, first.grouping, first.overlap) == ("bar", "percentStacked", 100)
    assert (second.type, second.grouping) == ("bar", "clustered")
    # three levels and the hidden share; the series read their numbers from the table
    assert [s.val.numRef.f for s in first.series] == [
        f"'Levels ''per'' standard'!${c}$2:${c}$6" for c in "NOPQ"
    ]
    assert [s.val.numRef.f for s in second.series] == [
        f"'Levels ''per'' standard'!${c}$21:${c}$25" for c in "NO"
    ]
    assert [ws.cell(1, c).value for c in range(13, 18)] == [
        "Standard",
        "Fully met",
        "Partially met",
        "Not met",
        "Suppressed",
    ]
    assert [ws.cell(5, c).value for c in range(13, 18)] == [
        "Information sharing",
        "suppressed",
        0.3,
        "suppressed",
        0.7,
    ]
    assert ws["Q2"].value is None  # nothing hidden in a bar with every number
    assert ws["N2"].number_format == "0.0%"
    fills = [s.graphicalProperties.solidFill.srgbClr for s in first.series[:3]]
    assert fills == [c[1:].upper() for c in charts.colours(stacked())]
    assert first.series[3].graphicalProperties.pattFill.prst == "wdUpDiag"
    assert second.series[1].graphicalProperties.pattFill is not None  # hatched, as in the SVG


def test_a_category_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    chart = stacked(categories=('=HYPERLINK("http://x")', "B", "C", "D", "E"))
    charts.xlsx_chart(chart, wb.active, "A1", "H1")
    wb.save(tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx").active
    assert ws["H2"].value == '\'=HYPERLINK("http://x")'
    assert ws["H2"].data_type == "s"


def test_a_write_only_sheet_gets_the_same_table_and_chart(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Charts")
    ws.append([])  # the table starts at B2
    for row in charts.xlsx_rows(stacked()):
        ws.append([None, *row])
    assert charts.xlsx_chart(stacked(), ws, "H1", "B2", write_table=False) == "B2:F7"
    wb.save(tmp_path / "w.xlsx")
    ws = load_workbook(tmp_path / "w.xlsx")["Charts"]
    (chart,) = ws._charts
    assert [s.val.numRef.f for s in chart.series] == [f"'Charts'!${c}$3:${c}$7" for c in "CDEF"]
    assert [c.value for c in ws[6]][1:6] == [
        "Information sharing",
        "suppressed",
        0.3,
        "suppressed",
        0.7,
    ]


@pytest.mark.slow
def test_libreoffice_prints_the_excel_charts(tmp_path: Path) -> None:
    sys.path.insert(0, str(TESTS))
    from pypdf import PdfReader
    from test_looks import to_pdf

    pdf = to_pdf(workbook(tmp_path))
    text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    assert "Levels per standard: section 11," in text
    assert "Share meeting the standard" in text


# -- in a browser -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_page_of_inline_charts_and_their_tables_passes_axe(tmp_path: Path) -> None:
    """No axe-core violation at all on the charts (any impact), none serious or critical on
    the page around them."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip(f"{chromium} is not installed (CI installs chromium)")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    def figure(chart: StackedBars | GroupedBars) -> str:
        headings, rows = charts.table(chart)
        head = "".join(f'<th scope="col">{h}</th>' for h in headings)
        body = "".join(
            f'<tr><th scope="row">{r[0]}</th>{"".join(f"<td>{c}</td>" for c in r[1:])}</tr>'
            for r in rows
        )
        return (
            f"<figure>{charts.to_svg(chart, inline=True).decode()}"
            f"<figcaption>{chart.title}</figcaption></figure>"
            f"<table><caption>{chart.title}: the numbers</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    page_html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Charts</title>'
        "</head><body><main><h1>Charts</h1>"
        f"{figure(stacked())}{figure(grouped())}</main></body></html>"
    )
    path = tmp_path / "charts.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page.goto(path.as_uri())
            violations = Axe().run(page).response["violations"]
        finally:
            browser.close()
    on_charts = [
        (v["id"], n["target"]) for v in violations for n in v["nodes"] if "svg" in str(n["html"])
    ]
    assert on_charts == []
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

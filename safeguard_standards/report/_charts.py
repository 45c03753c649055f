"""Charts for the reports, from plain data: a small spec, drawn as SVG (inline in HTML and PDF),
PNG (Word) or a native Excel chart, with a text alternative and the numbers as a table.

* :class:`StackedBars` — levels per standard: one horizontal bar per category (a standard),
  split into one segment per series (a level, in scale order); with ``unit="%"`` each bar is
  a 100 % bar.
* :class:`GroupedBars` — a comparison: two or more bars per category (by organisation type,
  or last year against this year).

A value of ``None`` is a suppressed cell (too few organisations to show). In a percentage
stacked bar the part the suppressed cells hide is drawn as one hatched "Suppressed" segment;
elsewhere the bar is left out, a "suppressed" mark stands in its place and the chart says so.

Output is the same bytes for the same chart, in any process: matplotlib is driven through
:class:`matplotlib.figure.Figure` and its SVG and Agg canvases (no pyplot, no
``matplotlib.use``), with matplotlib's default style (a person's ``matplotlibrc`` changes
nothing) and our settings inside one :func:`matplotlib.rc_context` that is undone afterwards;
SVG ids come from a fixed hash salt and no date or software name is written. Text is the
DejaVu Sans that ships with matplotlib, written as text in the SVG (searchable, read by screen
readers, selectable in the PDF). Colours stay apart in greyscale and for colour-blind readers
(neighbouring segments alternate dark and light), and colour is never the only carrier: every
segment wide enough has its value written on it, comparisons are hatched, and the numbers are
in :func:`table`. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "RAGS",
    "Chart",
    "GroupedBars",
    "Series",
    "StackedBars",
    "colours",
    "size",
    "table",
    "text_alternative",
    "to_png",
    "to_svg",
    "xlsx_chart",
    "xlsx_rows",
]

#: The RAG ratings a series may carry ("" for none: a level that is not rated, or a
#: comparison's series).
RAGS = ("green", "amber", "red", "grey", "")

Unit = Literal["%", "count"]

#: Text the charts never carry: control characters XML cannot hold, lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def _values(values: Sequence[float | None]) -> tuple[float | None, ...]:
    return tuple(None if v is None else float(v) for v in values)


@attrs.frozen
class Series:
    """One series: a level of the scale (stacked bars) or one group of a comparison."""

    #: The name in the legend and the table heading, e.g. "Fully met" or "2025-26".
    label: str = attrs.field(converter=_clean)
    #: One value per category, in the chart's category order; ``None`` when suppressed.
    values: tuple[float | None, ...] = attrs.field(converter=_values)
    #: The level's RAG rating (see :data:`RAGS`); decides the colour family in stacked bars.
    rag: str = attrs.field(default="")

    @rag.validator
    def _check_rag(self, _: Any, value: str) -> None:
        if value not in RAGS:
            raise ValueError(f"rag must be one of {RAGS}, not {value!r}")


def _series(series: Sequence[Series]) -> tuple[Series, ...]:
    return tuple(series)


def _categories(categories: Sequence[str]) -> tuple[str, ...]:
    return tuple(_clean(c) for c in categories)


@attrs.frozen
class _Bars:
    #: What the chart shows, e.g. "Levels per standard: section 11, 2025-26".
    title: str = attrs.field(converter=_clean)
    #: One label per bar (or group of bars), top to bottom, e.g. the standards' titles.
    categories: tuple[str, ...] = attrs.field(converter=_categories)
    series: tuple[Series, ...] = attrs.field(converter=_series)
    #: "%" (0 to 100) or "count".
    unit: Unit = "%"
    #: A sentence printed under the chart and added to its text alternative.
    note: str = attrs.field(default="", converter=_clean)
    #: The heading of the categories in the table, e.g. "Standard" or "Organisation type".
    category_label: str = attrs.field(default="Standard", converter=_clean)
    #: The value axis' label; by default "Per cent of organisations" or "Organisations".
    axis_label: str = attrs.field(default="", converter=_clean)

    def __attrs_post_init__(self) -> None:
        if self.unit not in ("%", "count"):
            raise ValueError(f"unit must be '%' or 'count', not {self.unit!r}")
        if not self.categories:
            raise ValueError("a chart needs at least one category")
        if not self.series:
            raise ValueError("a chart needs at least one series")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"series {s.label!r} has {len(s.values)} values for "
                    f"{len(self.categories)} categories"
                )
            for v in s.values:
                if v is not None and not (math.isfinite(v) and v >= 0):
                    raise ValueError(f"series {s.label!r} has the value {v!r}")
                if v is not None and self.unit == "%" and v > 100 + 1e-9:
                    raise ValueError(f"series {s.label!r} has {v!r} %, more than 100")

    def value_axis_label(self) -> str:
        if self.axis_label:
            return self.axis_label
        return "Per cent of organisations" if self.unit == "%" else "Organisations"


@attrs.frozen
class StackedBars(_Bars):
    """Levels per standard: one bar per category split into the series, in scale order."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.unit == "%":
            for i, category in enumerate(self.categories):
                total = sum(v for s in self.series if (v := s.values[i]) is not None)
                if total > 100.5:  # shares rounded one by one may pass 100 by a little
                    raise ValueError(f"the shares for {category!r} add up to {total!r} %")


@attrs.frozen
class GroupedBars(_Bars):
    """A comparison: one bar per series side by side for each category."""


Chart = StackedBars | GroupedBars

# -- colours ------------------------------------------------------------------------------------

#: (dark, light) shades per RAG family. Dark shades take white text, light ones black, each at a
#: contrast of 4.5:1 or more; a dark and a light shade differ by 30 or more in lightness (CIE
#: L*), in colour and in a deuteranopia simulation (tests/test_report_charts.py).
_SHADES = {
    "green": ("#145f2b", "#a6dba0"),
    "amber": ("#8c510a", "#fdb863"),
    "red": ("#b2182b", "#f7b79b"),
    "grey": ("#525252", "#c6c6c6"),
    "": ("#2b5c8a", "#9ecae1"),
}
#: The shade each family takes unless its neighbour took it: green and red dark, amber light.
_NATURAL = {"green": 0, "amber": 1, "red": 0, "grey": 1, "": 1}
#: A comparison's series, by position: dark and light in turn, each with its own hatching.
_GROUP_COLOURS = ("#1f4e79", "#f2b24c", "#6a3d9a", "#a6cee3", "#4d4d4d", "#e0e0e0")
_GROUP_HATCHES = ("", "//", "..", "xx", "\\\\", "--")
#: The hatched segment that stands for suppressed cells.
_SUPPRESSED_FILL = "#ffffff"
_SUPPRESSED_LINE = "#6b6b6b"
_TEXT_DARK = "#1a1a1a"
_TEXT_LIGHT = "#ffffff"
_GRID = "#d9d9d9"


def _shades(chart: Chart) -> list[int]:
    """0 (dark) or 1 (light) per series of stacked bars: each family's natural shade, turned
    over where it would match the one before, so neighbours always differ."""
    chosen: list[int] = []
    for s in chart.series:
        shade = _NATURAL[s.rag]
        if chosen and chosen[-1] == shade:
            shade = 1 - shade
        chosen.append(shade)
    return chosen


def colours(chart: Chart) -> tuple[str, ...]:
    """The fill of each series, in the chart's series order (``#rrggbb``)."""
    if isinstance(chart, StackedBars):
        pairs = zip(chart.series, _shades(chart), strict=True)
        return tuple(_SHADES[s.rag][shade] for s, shade in pairs)
    return tuple(_GROUP_COLOURS[i % len(_GROUP_COLOURS)] for i in range(len(chart.series)))


def _hatches(chart: Chart) -> tuple[str, ...]:
    if isinstance(chart, StackedBars):
        return ("",) * len(chart.series)
    return tuple(_GROUP_HATCHES[i % len(_GROUP_HATCHES)] for i in range(len(chart.series)))


def _text_colour(fill: str) -> str:
    """White or near-black, whichever contrasts more with ``fill`` (WCAG contrast)."""

    def lum(colour: str) -> float:
        out = 0.0
        for weight, i in ((0.2126, 1), (0.7152, 3), (0.0722, 5)):
            c = int(colour[i : i + 2], 16) / 255
            out += weight * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        return out

    bg = lum(fill)
    on_white = (1.05) / (bg + 0.05)
    on_dark = (bg + 0.05) / (lum(_TEXT_DARK) + 0.05)
    return _TEXT_LIGHT if on_white >= on_dark else _TEXT_DARK


def _hatch_colour(fill: str, hatch: str) -> str:
    """The colour of a bar's hatching (matplotlib draws it in the edge colour): the text
    colour for its fill, so that it shows on dark and light alike; the fill without one."""
    return _text_colour(fill) if hatch else fill


# -- words and the table ------------------------------------------------------------------------


def _number(v: float) -> str:
    """Whole numbers without a point, others to one decimal place."""
    return str(round(v)) if abs(v - round(v)) < 0.05 else f"{v:.1f}"


def _value_text(chart: Chart, v: float | None) -> str:
    if v is None:
        return "suppressed"
    return f"{_number(v)}%" if chart.unit == "%" else _number(v)


def _suppressed_share(chart: Chart, i: int) -> float | None:
    """In a percentage stacked bar with suppressed cells, the share they hide (what the known
    shares leave of 100); None when nothing of bar ``i`` is suppressed."""
    if not (isinstance(chart, StackedBars) and chart.unit == "%"):
        return None
    values = [s.values[i] for s in chart.series]
    if all(v is not None for v in values):
        return None
    return max(0.0, 100.0 - sum(v for v in values if v is not None))


def _any_suppressed(chart: Chart) -> bool:
    return any(v is None for s in chart.series for v in s.values)


def _notes(chart: Chart) -> list[str]:
    notes = []
    if _any_suppressed(chart):
        if isinstance(chart, StackedBars) and chart.unit == "%":
            notes.append("Hatched: suppressed, too few organisations to show.")
        else:
            notes.append("Bars marked “suppressed” are not shown: too few organisations.")
    if chart.note:
        notes.append(chart.note)
    return notes


def table(chart: Chart) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The chart's numbers as text, to print next to it: headings (the category label, then
    one per series) and one row per category."""
    headings = (chart.category_label, *(s.label for s in chart.series))
    rows = tuple(
        (category, *(_value_text(chart, s.values[i]) for s in chart.series))
        for i, category in enumerate(chart.categories)
    )
    return headings, rows


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def text_alternative(chart: Chart) -> str:
    """What the chart shows, in words: its ``<desc>``, and the alt text of its picture."""
    labels = [s.label for s in chart.series]
    unit = "in per cent" if chart.unit == "%" else "as numbers"
    thing = chart.category_label.lower() or "category"
    if isinstance(chart, StackedBars):
        head = (
            f"{chart.title}. Stacked bar chart, one bar for each of "
            f"{_plural(len(chart.categories), thing)}, split into "
            f"{', '.join(labels)} ({unit})."
        )
    else:
        head = (
            f"{chart.title}. Bar chart comparing {', '.join(labels[:-1])} and {labels[-1]} "
            f"for each of {_plural(len(chart.categories), thing)} ({unit})."
            if len(labels) > 1
            else f"{chart.title}. Bar chart of {labels[0]} for each of "
            f"{_plural(len(chart.categories), thing)} ({unit})."
        )
    lines = [head]
    for i, category in enumerate(chart.categories):
        parts = ", ".join(f"{s.label} {_value_text(chart, s.values[i])}" for s in chart.series)
        lines.append(f"{category}: {parts}.")
    lines.extend(_notes(chart))
    return " ".join(lines)


# -- drawing ------------------------------------------------------------------------------------

_WIDTH = 6.5  # inches: the text width of an A4 page with 2 cm margins, a little less
_FONT_SIZE = 8.5
_LABEL_CHARS = 34  # a category label is wrapped at this many characters ...
_LABEL_LINES = 3  # ... to at most this many lines (the table has it whole)

#: The rcParams every chart is drawn with, over matplotlib's defaults.
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": _FONT_SIZE,
    "text.parse_math": False,  # "$" in a title is a dollar, not mathematics
    "text.usetex": False,
    "svg.fonttype": "none",  # text stays text: searchable, read aloud, selectable
    "svg.hashsalt": "safeguard-standards",  # ids the same in every run
    "hatch.linewidth": 0.8,
    "axes.edgecolor": "#595959",
    "axes.linewidth": 0.8,
    "xtick.color": "#404040",
    "ytick.color": "#262626",
    "legend.fontsize": _FONT_SIZE,
}


def _wrap(text: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width)]
        if not wrapped[-1].endswith("…"):
            wrapped[-1] = wrapped[-1].rstrip(" .") + "…"
    return "\n".join(wrapped)


def _label_lines(chart: Chart) -> list[str]:
    return [_wrap(c, _LABEL_CHARS, _LABEL_LINES) for c in chart.categories]


def _legend_entries(chart: Chart) -> int:
    extra = any(_suppressed_share(chart, i) is not None for i in range(len(chart.categories)))
    return len(chart.series) + extra


def _height(chart: Chart, labels: Sequence[str]) -> float:
    """The figure's height in inches: room for every bar, its label, the legend and notes."""
    per_bar = 0.3 if isinstance(chart, StackedBars) else 0.17 * len(chart.series) + 0.12
    rows = sum(max(per_bar, 0.16 * (label.count("\n") + 1) + 0.08) for label in labels)
    title_lines = _wrap(chart.title, 80, 3).count("\n") + 1
    names = [s.label for s in chart.series] + ["Suppressed"]
    names = [_wrap(name, 24, 2) for name in names[: _legend_entries(chart)]]
    legend_rows = math.ceil(len(names) / _legend_columns(names, labels))
    note_lines = sum(_wrap(n, 110, 4).count("\n") + 1 for n in _notes(chart))
    height = 0.35 + 0.2 * title_lines + rows + 0.45 + 0.22 * legend_rows + 0.16 * note_lines
    return round(max(2.0, height), 2)


def _size(chart: Chart) -> tuple[float, float]:
    return _WIDTH, _height(chart, _label_lines(chart))


def _figure(chart: Chart) -> Figure:
    """The chart drawn on a new figure (inside the rc context set up by the caller)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    labels = _label_lines(chart)
    fig = Figure(figsize=_size(chart), layout="constrained", facecolor="#ffffff")
    ax = fig.add_subplot()
    fills = colours(chart)
    hatches = _hatches(chart)
    n = len(chart.categories)

    if isinstance(chart, StackedBars):
        span = _draw_stacked(ax, chart, fills)
    else:
        span = _draw_grouped(ax, chart, fills, hatches)

    ax.set_yticks(range(n), labels)
    ax.set_ylim(n - 0.5, -0.5)  # the first category at the top
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, span)
    if chart.unit == "%":
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.set_xlabel(chart.value_axis_label())
    ax.grid(axis="x", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(_wrap(chart.title, 80, 3), x=0.01, ha="left", fontsize=10, fontweight="bold")

    handles: list[Any] = [
        Patch(facecolor=fill, hatch=hatch, edgecolor=_hatch_colour(fill, hatch))
        for fill, hatch in zip(fills, hatches, strict=True)
    ]
    names = [s.label for s in chart.series]
    if _legend_entries(chart) > len(chart.series):
        handles.append(Patch(facecolor=_SUPPRESSED_FILL, hatch="xxx", edgecolor=_SUPPRESSED_LINE))
        names.append("Suppressed")
    legend_names = [_wrap(name, 24, 2) for name in names]
    ncols = _legend_columns(legend_names, labels)
    order = _row_major(len(handles), ncols)
    ax.legend(
        [handles[k] for k in order],
        [legend_names[k] for k in order],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        borderaxespad=0.3,
        ncols=ncols,
        frameon=False,
        handlelength=1.6,
    )
    notes = _notes(chart)
    if notes:
        fig.supxlabel(
            "\n".join(_wrap(note, 110, 4) for note in notes),
            fontsize=_FONT_SIZE - 1,
            x=0.01,
            ha="left",
            color="#404040",
        )
    return fig


@functools.lru_cache(maxsize=4096)
def _text_width(text: str) -> float:
    """The width in points of ``text`` (its widest line) in the charts' font and size,
    measured with the font matplotlib ships."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family="DejaVu Sans", size=_FONT_SIZE)
    measure = TextToPath().get_text_width_height_descent
    return max(measure(line, prop, ismath=False)[0] for line in text.split("\n"))


def _legend_columns(names: Sequence[str], labels: Sequence[str]) -> int:
    """How many legend entries fit side by side over the bars: the figure's width less the
    widest category label, shared by entries as wide as the widest name with its key."""
    em = _FONT_SIZE
    room = _WIDTH * 72 - max(_text_width(label) for label in labels) - 2.5 * em
    entry = (1.6 + 0.8 + 2.0) * em + max(_text_width(name) for name in names)
    return max(1, min(len(names), int(room // entry)))


def _row_major(n: int, ncols: int) -> list[int]:
    """The order to hand ``n`` entries to a legend of ``ncols`` columns, which it fills column
    by column, so that they read in order along the rows."""
    return [k for j in range(ncols) for k in range(j, n, ncols)]


def _bar_label(ax: Axes, x: float, y: float, text: str, fill: str, gid: str) -> None:
    t = ax.text(x, y, text, ha="center", va="center", color=_text_colour(fill), fontsize=7.5)
    t.set_gid(gid)


def _draw_stacked(ax: Axes, chart: StackedBars, fills: Sequence[str]) -> float:
    n = len(chart.categories)
    totals = [sum(v for s in chart.series if (v := s.values[i]) is not None) for i in range(n)]
    hidden = [_suppressed_share(chart, i) for i in range(n)]
    span = 100.0 if chart.unit == "%" else max(1.0, max(totals)) * 1.04
    left = [0.0] * n
    for j, (s, fill) in enumerate(zip(chart.series, fills, strict=True)):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            (bar,) = ax.barh(i, v, left=left[i], height=0.62, color=fill, edgecolor="#ffffff")
            bar.set_linewidth(0.8)
            bar.set_gid(f"bar-{j}-{i}")
            if v >= span * 0.06:
                _bar_label(ax, left[i] + v / 2, i, _value_text(chart, v), fill, f"value-{j}-{i}")
            left[i] += v
    for i, share in enumerate(hidden):
        if share is None or share <= 0:
            continue
        (bar,) = ax.barh(
            i,
            share,
            left=left[i],
            height=0.62,
            color=_SUPPRESSED_FILL,
            edgecolor=_SUPPRESSED_LINE,
            hatch="xxx",
        )
        bar.set_linewidth(0.5)
        bar.set_gid(f"suppressed-{i}")
    return span


def _draw_grouped(
    ax: Axes, chart: GroupedBars, fills: Sequence[str], hatches: Sequence[str]
) -> float:
    k = len(chart.series)
    height = 0.8 / k
    top = max((v for s in chart.series for v in s.values if v is not None), default=0.0)
    span = 112.0 if chart.unit == "%" else max(1.0, top) * 1.15
    for j, (s, fill, hatch) in enumerate(zip(chart.series, fills, hatches, strict=True)):
        for i, v in enumerate(s.values):
            y = i + (j - (k - 1) / 2) * height
            if v is None:
                t = ax.text(
                    span * 0.005,
                    y,
                    "suppressed",
                    va="center",
                    fontsize=7,
                    style="italic",
                    color="#404040",
                )
                t.set_gid(f"suppressed-{j}-{i}")
                continue
            (bar,) = ax.barh(
                y,
                v,
                height=height * 0.92,
                color=fill,
                edgecolor=_hatch_colour(fill, hatch),
                hatch=hatch or None,
            )
            bar.set_linewidth(0.5)
            bar.set_gid(f"bar-{j}-{i}")
            t = ax.text(v + span * 0.008, y, _value_text(chart, v), va="center", fontsize=7.5)
            t.set_gid(f"value-{j}-{i}")
    return span


# -- output -------------------------------------------------------------------------------------


def _id_prefix(chart: Chart) -> str:
    """A prefix for the SVG's ids, from what the chart shows: two different charts inlined in
    one page never share an id, and the same chart always has the same ones."""
    return "c" + hashlib.sha256(repr(chart).encode("utf-8")).hexdigest()[:8] + "-"


def _render(chart: Chart, fmt: str, **kwargs: Any) -> bytes:
    import matplotlib as mpl

    with mpl.rc_context():
        mpl.rcdefaults()  # matplotlib's own style, whatever a matplotlibrc says
        params: Any = mpl.rcParams
        params.update(_RC)
        fig = _figure(chart)
        canvas: Any
        if fmt == "svg":
            from matplotlib.backends.backend_svg import FigureCanvasSVG

            canvas = FigureCanvasSVG(fig)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            canvas = FigureCanvasAgg(fig)
        out = io.BytesIO()
        canvas.print_figure(out, format=fmt, **kwargs)
    return out.getvalue()


_TAG = re.compile(rb"<[^>]*>")  # matplotlib escapes "<" and ">" in text and attributes
_ID = re.compile(rb'(\bid="|url\(#|\bhref="#)([^")]+)')
_FONT = re.compile(rb"'DejaVu Sans'")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_svg(chart: Chart, *, inline: bool = False, id_prefix: str | None = None) -> bytes:
    """The chart as an SVG document (UTF-8) with ``role="img"``, named by its ``<title>``
    and described by its ``<desc>`` (the :func:`text_alternative`).

    ``inline=True`` leaves out the XML declaration and DOCTYPE, for an HTML page. Every id in
    the drawing starts with ``id_prefix`` (by default one made from the chart's content).
    Drawn items carry ids saying what they are: ``…bar-S-C`` for series S in category C,
    ``…suppressed-C`` (or ``-S-C``) for a suppressed cell, ``…value-S-C`` for a value label.
    """
    prefix = (id_prefix if id_prefix is not None else _id_prefix(chart)).encode("ascii")
    raw = _render(
        chart,
        "svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )

    def tag(m: re.Match[bytes]) -> bytes:
        t = _ID.sub(lambda i: i[1] + prefix + i[2], m[0])
        return _FONT.sub(b"'DejaVu Sans', Verdana, sans-serif", t)

    svg = _TAG.sub(tag, raw)
    start = svg.index(b"<svg ")
    end = svg.index(b">", start)
    p = prefix.decode("ascii")
    head = (
        f' role="img" aria-labelledby="{p}title" aria-describedby="{p}desc">\n'
        f' <title id="{p}title">{_escape(chart.title)}</title>\n'
        f' <desc id="{p}desc">{_escape(text_alternative(chart))}</desc>'
    ).encode()
    svg = svg[:end] + head + svg[end + 1 :]
    return svg[start:] if inline else svg


def to_png(chart: Chart, dpi: int = 200) -> bytes:
    """The chart as a PNG at ``dpi`` (for Word), with no software name or date in it. Its alt
    text is :func:`text_alternative`; the writer that places it sets it."""
    return _render(chart, "png", dpi=dpi, metadata={"Software": None})


def size(chart: Chart) -> tuple[float, float]:
    """The chart's width and height in inches (the PNG is this times the dpi)."""
    return _size(chart)


# -- Excel --------------------------------------------------------------------------------------

#: openpyxl preset patterns standing in for the SVG's hatching.
_PATTERNS = {"//": "wdUpDiag", "..": "pct20", "xx": "openDmnd", "\\\\": "wdDnDiag", "--": "narHorz"}


def _cell_text(text: str) -> str:
    from ..render._csv import neutralise

    return neutralise(text)


def _cells(chart: Chart) -> Iterator[tuple[int, int, object]]:
    """(row, column, value) of the data table under the chart, from 0: a heading row, then
    one row per category; shares as fractions (shown as per cent), suppressed as text, and for
    a percentage stacked chart with suppressed cells one more column holding what they hide."""
    headings, _ = table(chart)
    hidden = [_suppressed_share(chart, i) for i in range(len(chart.categories))]
    extra = any(h is not None for h in hidden)
    for c, heading in enumerate(headings):
        yield 0, c, _cell_text(heading)
    if extra:
        yield 0, len(headings), "Suppressed"
    for i, category in enumerate(chart.categories):
        yield i + 1, 0, _cell_text(category)
        for j, s in enumerate(chart.series):
            v = s.values[i]
            if v is None:
                yield i + 1, j + 1, "suppressed"
            else:
                yield i + 1, j + 1, v / 100 if chart.unit == "%" else v
        if extra:
            h = hidden[i]
            if h is not None:
                yield i + 1, len(headings), h / 100


def xlsx_rows(chart: Chart) -> list[list[object]]:
    """The data table :func:`xlsx_chart` draws from, as rows (the headings first) to write
    with ``ws.append`` on a write-only worksheet: text (to be written as text, never as a
    formula), shares as fractions (format them ``0.0%`` when the unit is "%"), None for an
    empty cell."""
    cells = list(_cells(chart))
    width = max(c for _, c, _ in cells) + 1
    rows: list[list[object]] = [[None] * width for _ in range(len(chart.categories) + 1)]
    for r, c, value in cells:
        rows[r][c] = value
    return rows


def xlsx_chart(
    chart: Chart, ws: Any, anchor: str, data_ref: str, *, write_table: bool = True
) -> str:
    """Write the chart's numbers (:func:`xlsx_rows`) as a table whose top-left cell is
    ``data_ref`` on the openpyxl worksheet ``ws``, and put a native Excel bar chart over them
    at ``anchor``: horizontal, 100 % stacked for percentage stacked bars, stacked for counts,
    clustered for a comparison. Returns the table's range, e.g. ``"H2:L9"``.

    On a write-only worksheet, append :func:`xlsx_rows` where ``data_ref`` says yourself and
    pass ``write_table=False``: only the chart is added."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.drawing.fill import ColorChoice, PatternFillProperties
    from openpyxl.utils.cell import column_index_from_string as col_index
    from openpyxl.utils.cell import coordinate_from_string, get_column_letter

    letters, row0 = coordinate_from_string(data_ref)
    col0 = col_index(letters)
    rows = xlsx_rows(chart)
    last_row, last_col = row0 + len(rows) - 1, col0 + len(rows[0]) - 1
    percent = chart.unit == "%"
    if write_table:
        for r, c, value in _cells(chart):
            cell = ws.cell(row=row0 + r, column=col0 + c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text from a set is never a formula
            elif percent:
                cell.number_format = "0.0%"
        ws.column_dimensions[letters].width = max(
            12, min(50, max(len(x) for x in (chart.category_label, *chart.categories)) + 2)
        )

    bars = BarChart()
    bars.type = "bar"
    stacked = isinstance(chart, StackedBars)
    if stacked:
        bars.grouping = "percentStacked" if percent else "stacked"
        bars.overlap = 100
        bars.gapWidth = 60
    else:
        bars.grouping = "clustered"
        bars.gapWidth = 80
    bars.title = chart.title
    data = Reference(ws, min_col=col0 + 1, max_col=last_col, min_row=row0, max_row=last_row)
    bars.add_data(data, titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=col0, min_row=row0 + 1, max_row=last_row))
    fills = colours(chart)
    hatches = _hatches(chart)
    for j, ser in enumerate(bars.series):
        props = ser.graphicalProperties
        if j >= len(fills):  # the suppressed column
            props.pattFill = PatternFillProperties(
                prst="wdUpDiag",
                fgClr=ColorChoice(srgbClr=_SUPPRESSED_LINE[1:].upper()),
                bgClr=ColorChoice(srgbClr=_SUPPRESSED_FILL[1:].upper()),
            )
        elif hatches[j]:
            props.pattFill = PatternFillProperties(
                prst=_PATTERNS[hatches[j]],
                fgClr=ColorChoice(srgbClr=_text_colour(fills[j])[1:].upper()),
                bgClr=ColorChoice(srgbClr=fills[j][1:].upper()),
            )
        else:
            props.solidFill = fills[j][1:].upper()
        props.line.solidFill = "FFFFFF"
    bars.dataLabels = DataLabelList(
        showVal=True,
        showCatName=False,
        showSerName=False,
        showLegendKey=False,
        showPercent=False,
        showBubbleSize=False,
    )
    if percent:
        bars.y_axis.number_format = "0%"
        bars.y_axis.scaling.min = 0
        bars.y_axis.scaling.max = 1
    bars.y_axis.title = chart.value_axis_label()
    bars.y_axis.majorGridlines = None if stacked else bars.y_axis.majorGridlines
    bars.x_axis.scaling.orientation = "maxMin"  # the first category at the top, as in the SVG
    bars.y_axis.crosses = "max"  # ... and the value axis at the bottom
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.legend.position = "b"
    bars.width = 17
    per_category = 0.8 if stacked else 0.4 * len(bars.series)
    bars.height = max(7.0, 3.0 + len(chart.categories) * per_category)
    ws.add_chart(bars, anchor)
    return f"{data_ref}:{get_column_letter(last_col)}{last_row}"

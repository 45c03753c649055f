"""What each report says, format-free: the views the document writers print.

A :class:`ReportView` is a title, a few facts (set, version, returns used) and a sequence of
blocks: headings, paragraphs, bullet lists, :class:`~.table.Table` values and figures (a
:mod:`._charts` chart, always printed with its caption, its text alternative and its numbers
in a table). The builders below make one view per report kind from checked returns; the
writers in :mod:`.documents` print a view as HTML, PDF, DOCX or Markdown and decide nothing
about its content.

* :func:`thematic_view` — response rate, levels per standard, strongest and weakest,
  per-section tables, breakdowns, last year against this year;
* :func:`feedback_view` — one organisation's ratings beside the partnership's, its strengths
  and gaps, the actions it named, a reviewer's comments and, for a panel agency, the panel
  record;
* :func:`panel_view` — a reproducible selection and its method;
* :func:`tracking_view` — year-2 monitoring of action plans;
* :func:`briefing_view` — the voluntary sector's annual briefing with signposting.

Nothing here names an organisation in a thematic report or a briefing unless asked; free text
is printed only when the personal-data guardrail (:func:`~safeguard_standards.returns.privacy.
scan`) finds nothing in it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Diagnostic
from ..model import Checklist, Question
from ..returns.model import Return
from .roster import Organisation, Roster, return_key
from .table import Row, Table, cell, make_table, percent_text

if TYPE_CHECKING:
    from ._charts import Chart
    from .aggregate import Aggregate, Thematic
    from .comments import Comments
    from .panel import Selection
    from .yoy import YearMap

__all__ = [
    "KIND_LABELS",
    "Bullets",
    "Figure",
    "Heading",
    "Ledger",
    "Paragraph",
    "ReportView",
    "TableBlock",
    "briefing_view",
    "feedback_view",
    "panel_view",
    "thematic_view",
    "tracking_view",
]

#: The report kinds and what each document is called.
KIND_LABELS = {
    "thematic": "Thematic report",
    "feedback": "Feedback",
    "panel": "Panel selection",
    "tracking": "Action plan tracking",
    "briefing": "Annual briefing",
    "triangulation": "Triangulated review",
}

#: What a withheld free text shows.
WITHHELD = "[withheld: may hold personal data]"


# -- blocks -------------------------------------------------------------------------------------


@attrs.frozen
class Heading:
    level: int
    text: str


@attrs.frozen
class Paragraph:
    text: str


@attrs.frozen
class Bullets:
    items: tuple[str, ...]


@attrs.frozen
class TableBlock:
    table: Table


@attrs.frozen
class Figure:
    """A chart, printed with its caption (the chart's title and note), its text alternative
    and its numbers in a table next to it. ``id`` is unique within the document."""

    id: str
    chart: Chart
    #: The table printed with the chart (its numbers and more, e.g. an "All" column); by
    #: default the chart's own numbers (:func:`._charts.table`).
    numbers: Table | None = None


Block = Heading | Paragraph | Bullets | TableBlock | Figure


@attrs.frozen(kw_only=True)
class ReportView:
    """One document (see the module)."""

    kind: str
    title: str
    #: (label, value) shown under the title: set, version, returns, produced on.
    facts: tuple[tuple[str, str], ...]
    blocks: tuple[Block, ...]
    #: A file name stem for the document (an organisation's id for feedback).
    name: str = "report"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def document_title(self) -> str:
        return f"{self.title} — {self.kind_label}"

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        """Every table: the tables, and the figures' numbers where they are a table of the
        report's own."""
        out: list[Table] = []
        for b in self.blocks:
            if isinstance(b, TableBlock):
                out.append(b.table)
            elif isinstance(b, Figure) and b.numbers is not None:
                out.append(b.numbers)
        return out


# -- which returns were used ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Ledger:
    """Which returns a report used and which it rejected, with the checker's diagnostics."""

    #: (file, set@version) of every return used.
    used: tuple[tuple[str, str], ...] = ()
    #: (file, diagnostics) of every return rejected.
    rejected: tuple[tuple[str, tuple[Diagnostic, ...]], ...] = ()
    #: Diagnostics of the returns used, counted by code (code, title, count).
    problems: tuple[tuple[str, str, int], ...] = ()
    #: The set versions of the returns used (``kcsie@2025-26``).
    versions: tuple[str, ...] = ()


def _label_of(source: str, roster: Roster | None, n: int, names: bool) -> str:
    """A return's label: its file when organisations may be named, else its roster id (an id,
    not a name) or a number."""
    if names:
        return source
    stem = return_key(Return(source=source, read_from="", set="", version=""))
    if roster is not None and roster.get(stem) is not None:
        return stem
    return f"return {n}"


def _ledger_blocks(
    ledger: Ledger, roster: Roster | None, names: bool, title: str = "The returns this report uses"
) -> list[Block]:
    out: list[Block] = [Heading(2, title)]
    out.append(
        Paragraph(
            f"{len(ledger.used)} return(s) used, {len(ledger.rejected)} rejected. Set versions: "
            + (", ".join(ledger.versions) or "none")
            + "."
        )
    )
    if ledger.used:
        rows = [
            Row(f"used-{i}", _label_of(src, roster, i, names), (cell(ref),))
            for i, (src, ref) in enumerate(ledger.used, start=1)
        ]
        out.append(
            TableBlock(
                make_table(
                    "returns-used",
                    "Returns used",
                    "Return" if names else "Return (roster id)",
                    [("version", "Set and version")],
                    rows,
                    [] if names else ["organisations are shown by roster id, not by name"],
                )
            )
        )
    if ledger.problems:
        out.append(
            TableBlock(
                make_table(
                    "returns-problems",
                    "Problems found in the returns used (returns check)",
                    "Code",
                    [("what", "What"), ("count", "How many")],
                    [Row(c, c, (cell(t), cell(n))) for c, t, n in ledger.problems],
                    ["a question left blank or an invalid answer counts as not answered"],
                )
            )
        )
    if ledger.rejected:
        rows = []
        for i, (src, diags) in enumerate(ledger.rejected, start=1):
            errors = [d for d in diags if d.is_error] or list(diags)
            if names:
                why = "; ".join(
                    f"{d.code.code} {d.message}" + (f" ({d.at})" if d.at else "") for d in errors
                )
            else:  # the message may quote a name: the catalogue's wording and the place only
                why = "; ".join(
                    f"{d.code.code} {d.code.title}" + (f" ({d.at})" if d.at else "") for d in errors
                )
            rows.append(Row(f"rejected-{i}", _label_of(src, roster, i, names), (cell(why),)))
        out.append(
            TableBlock(
                make_table(
                    "returns-rejected",
                    "Returns rejected, and why",
                    "Return",
                    [("why", "Why (returns check)")],
                    rows,
                    ["run safeguard returns check on a rejected file to see every problem"],
                )
            )
        )
    return out


# -- charts ---------------------------------------------------------------------------------------


def _chart_rag(rag: str, scored: bool) -> str:
    if not scored:
        return "grey"
    return rag if rag in ("green", "amber", "red", "grey") else ""


def _main_scale(checklist: Checklist) -> Any:
    counts: Counter[str] = Counter(
        q.scale or checklist.default_scale for q in checklist.questions() if q.type == "rating"
    )
    if not counts:
        return None
    return checklist.scale(counts.most_common(1)[0][0])


def levels_chart(checklist: Checklist, agg: Aggregate, title: str = "") -> Chart | None:
    """Stacked bars: the share of answers at each level of the set's main rating scale, one
    bar per standard (None when the set has no rating questions)."""
    from ._charts import Series, StackedBars

    scale = _main_scale(checklist)
    if scale is None:
        return None
    numbers = checklist.numbering()
    categories: list[str] = []
    values: list[list[float | None]] = [[] for _ in scale.levels]
    suppressed_any = False
    for st in checklist.standards():
        counts: Counter[str] = Counter()
        orgs = 0
        for q in st.questions:
            if q.type != "rating" or (q.scale or checklist.default_scale) != scale.id:
                continue
            qf = agg.question(q.full_id)
            orgs = max(orgs, qf.figures.answered)
            for lc in qf.counts:
                counts[lc.id] += lc.count
        total = sum(counts.values())
        if not total:
            continue
        categories.append(f"{numbers.get(st.full_id, '')} {st.title}".strip())
        small = orgs < agg.threshold
        suppressed_any |= small
        for i, lv in enumerate(scale.levels):
            values[i].append(None if small else 100 * counts[lv.id] / total)
    if not categories:
        return None
    series = [
        Series(lv.label, values[i], _chart_rag(lv.rag, lv.scored))
        for i, lv in enumerate(scale.levels)
    ]
    note = "Share of the answers given to each standard's rating questions."
    if suppressed_any:
        note += f" Standards resting on fewer than {agg.threshold} organisations are suppressed."
    return StackedBars(
        title or f"Levels per standard: {checklist.title} {checklist.version}",
        categories,
        series,
        unit="%",
        note=note,
    )


def table_chart(
    table: Table, title: str, *, columns: Sequence[str] | None = None, category_label: str = ""
) -> Chart | None:
    """Grouped bars from a table of shares: one bar per column (``columns``, by id; all by
    default) for each row; a suppressed or empty cell is ``None``."""
    from ._charts import GroupedBars, Series

    ids = list(columns) if columns is not None else [c.id for c in table.columns]
    heads = {c.id: c.heading for c in table.columns}
    rows = [r for r in table.rows if any(r.cells)]
    if not rows or not ids:
        return None
    series = []
    for cid in ids:
        index = [c.id for c in table.columns].index(cid)
        vals: list[float | None] = []
        for r in rows:
            v = r.cells[index].value
            vals.append(
                float(v) if isinstance(v, (int, float)) and not r.cells[index].suppressed else None
            )
        series.append(Series(heads[cid], vals))
    if all(v is None for s in series for v in s.values):
        return None
    return GroupedBars(
        title,
        [r.label for r in rows],
        series,
        unit="%",
        category_label=category_label or table.row_heading or "Standard",
        axis_label="Per cent of answers meeting the standard",
    )


def _figure_blocks(prefix: str, chart: Chart | None, numbers: Table | None = None) -> list[Block]:
    """The figure, with ``numbers`` as its table; just the table when there is no chart."""
    if chart is None:
        return [] if numbers is None else [TableBlock(numbers)]
    return [Figure(prefix, chart, numbers)]


# -- common pieces ------------------------------------------------------------------------------


def _facts(
    checklist: Checklist,
    ledger: Ledger,
    generated_on: str | None,
    extra: Iterable[tuple[str, str]] = (),
) -> tuple[tuple[str, str], ...]:
    out = [
        ("Standard set", f"{checklist.title} ({checklist.id})"),
        ("Version", checklist.version),
        ("Returns used", str(len(ledger.used))),
        ("Returns rejected", str(len(ledger.rejected))),
        *extra,
    ]
    if checklist.publisher is not None:
        out.append(("Issued by", checklist.publisher.name))
    if generated_on:
        out.append(("Produced", generated_on))
    return tuple(out)


def _method_blocks(thematic: Thematic) -> list[Block]:
    return [Heading(2, "How the figures are worked out"), Bullets(tuple(thematic.method))]


def _safe_text(text: str) -> str:
    """``text`` when the personal-data guardrail finds nothing in it, else the withheld mark."""
    if not text.strip():
        return ""
    from ..returns.privacy import scan

    return WITHHELD if scan(text) else " ".join(text.split())


def _plain(text: str) -> str:
    return " ".join(text.replace("*", "").replace("_", " ").split())


# -- thematic ------------------------------------------------------------------------------------


def previous_aggregate(
    chain: Sequence[Checklist],
    previous: Sequence[Return],
    *,
    roster: Roster | None = None,
    threshold: int = 3,
) -> tuple[Aggregate, YearMap]:
    """Last year's returns (to ``chain[0]``) mapped onto ``chain[-1]`` and aggregated, with the
    mapping."""
    from .aggregate import aggregate
    from .yoy import map_returns, year_map

    mapping = year_map(chain)
    mapped = map_returns(previous, chain)
    return aggregate(chain[-1], mapped, roster=roster, threshold=threshold), mapping


def thematic_view(
    checklist: Checklist,
    returns: Sequence[Return],
    ledger: Ledger,
    *,
    roster: Roster | None = None,
    previous: tuple[Aggregate, YearMap] | None = None,
    dimensions: Sequence[str] | None = None,
    threshold: int = 3,
    name_organisations: bool = False,
    generated_on: str | None = None,
) -> ReportView:
    """The thematic report (see the module)."""
    from .aggregate import thematic
    from .yoy import comparison_tables

    t = thematic(
        checklist,
        returns,
        roster=roster,
        previous=previous[0] if previous else None,
        comparison=previous[1] if previous else None,
        dimensions=dimensions,
        threshold=threshold,
        name_organisations=name_organisations,
    )
    agg = t.aggregate
    titles = {st.full_id: st.title for st in checklist.standards()}
    numbers = checklist.numbering()
    blocks: list[Block] = [Heading(2, "Summary")]
    if t.response is not None:
        r = t.response
        blocks.append(
            Paragraph(
                f"{r.returned} of the {r.expected} organisations expected returned "
                f"{checklist.title} {checklist.version} ({percent_text(r.returned, r.expected)})."
            )
        )
    blocks.append(
        Paragraph(
            f"The figures rest on {agg.returns} return(s). Figures resting on fewer than "
            f"{agg.threshold} organisations are suppressed (*)."
        )
    )
    if t.strongest:
        blocks.append(Paragraph("Strongest standards:"))
        blocks.append(
            Bullets(tuple(f"{numbers.get(s, '')} {titles[s]}".strip() for s in t.strongest))
        )
    if t.weakest:
        blocks.append(Paragraph("Weakest standards:"))
        blocks.append(
            Bullets(tuple(f"{numbers.get(s, '')} {titles[s]}".strip() for s in t.weakest))
        )
    by_id = {tb.id: tb for tb in t.tables}
    if "response" in by_id:
        blocks.append(Heading(2, "Response rate"))
        blocks.append(TableBlock(by_id["response"]))
        if "not-returned" in by_id:
            blocks.append(TableBlock(by_id["not-returned"]))
    blocks.append(Heading(2, "Levels per standard"))
    blocks += _figure_blocks("levels", levels_chart(checklist, agg))
    blocks.append(TableBlock(by_id["standards"]))
    blocks.append(TableBlock(by_id["strongest"]))
    blocks.append(TableBlock(by_id["weakest"]))
    for section in checklist.sections:
        tables = [
            by_id[f"{k}:{section.id}"]
            for k in ("levels", "yes-no", "strengths")
            if f"{k}:{section.id}" in by_id
        ]
        if not tables:
            continue
        blocks.append(Heading(2, f"{numbers.get(section.id, '')} {section.title}".strip()))
        blocks += [TableBlock(tb) for tb in tables]
    for b in agg.breakdowns:
        tb = by_id[f"by:{b.dimension}"]
        blocks.append(Heading(2, f"By {b.label.lower()}"))
        groups = [c.id for c in tb.columns if c.id != "all"]
        blocks += _figure_blocks(f"by-{b.dimension}", table_chart(tb, tb.title, columns=groups), tb)
    if previous is not None:
        by_question, by_standard = comparison_tables(checklist, previous[0], agg, previous[1])
        blocks.append(Heading(2, "Last year and this year"))
        blocks += _figure_blocks(
            "year-on-year",
            table_chart(by_standard, by_standard.title, columns=["previous", "current"]),
            by_standard,
        )
        blocks.append(TableBlock(by_question))
        if previous[1].removed:
            blocks.append(Paragraph("Questions removed since last year (not compared):"))
            blocks.append(
                Bullets(tuple(f"{q} — {_plain(text)}" for q, text in previous[1].removed))
            )
    blocks += _method_blocks(t)
    blocks += _ledger_blocks(ledger, roster, name_organisations)
    return ReportView(
        kind="thematic",
        title=f"{checklist.title} {checklist.version}",
        facts=_facts(checklist, ledger, generated_on),
        blocks=tuple(blocks),
        name=f"thematic-{checklist.id}-{checklist.version}",
    )


# -- feedback -------------------------------------------------------------------------------------


def _answer_label(checklist: Checklist, q: Question, value: Any) -> str:
    if value is None or value == "" or value == ():
        return "not answered"
    if q.type == "rating":
        scale = checklist.scale(q.scale or checklist.default_scale)
        lv = scale.level(str(value)) if scale is not None else None
        return lv.label if lv is not None else str(value)
    if q.type == "yes-no":
        return "Yes" if value == "yes" else "No" if value == "no" else str(value)
    if q.type in ("choice", "multi-choice"):
        labels = {o.id: o.label for o in q.options}
        vals = value if isinstance(value, tuple) else (value,)
        return "; ".join(labels.get(v, str(v)) for v in vals)
    if q.type == "text":
        return _safe_text(str(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def peer_key(checklist: Checklist, ret: Return) -> tuple[str, str]:
    """The audience a return is compared within: its first audience dimension and value (the
    setting, the agency type), or ("", "") for a set with none."""
    audience = dict(ret.audience)
    for a in checklist.audiences:
        if a.id in audience:
            return (a.id, audience[a.id])
    return ("", "")


def peer_groups(
    checklist: Checklist, returns: Sequence[Return], threshold: int
) -> tuple[dict[tuple[str, str], Aggregate], Aggregate]:
    """The partnership's figures per audience group of at least ``threshold`` returns, and
    over every return (for an organisation whose group is smaller)."""
    from .aggregate import aggregate

    groups: dict[tuple[str, str], list[Return]] = {}
    for r in returns:
        groups.setdefault(peer_key(checklist, r), []).append(r)
    out = {
        key: aggregate(checklist, members, dimensions=(), threshold=threshold)
        for key, members in sorted(groups.items())
        if len(members) >= threshold and key != ("", "")
    }
    return out, aggregate(checklist, returns, dimensions=(), threshold=threshold)


def _distribution(qf: Any, threshold: int) -> str:
    if qf.figures.answered < threshold:
        return "*"
    return " · ".join(f"{lc.label} {lc.percent}%" for lc in qf.counts if lc.count)


def feedback_view(
    checklist: Checklist,
    ret: Return,
    organisation: Organisation | None,
    peers: tuple[dict[tuple[str, str], Aggregate], Aggregate],
    *,
    comments: Comments | None = None,
    panel: Selection | None = None,
    threshold: int = 3,
    generated_on: str | None = None,
) -> ReportView:
    """One organisation's feedback (see the module). ``peers`` is :func:`peer_groups`."""
    from .aggregate import aggregate, meeting_levels

    org_id = organisation.id if organisation is not None else return_key(ret)
    org_name = organisation.name if organisation is not None else ret.organisation or org_id
    key = peer_key(checklist, ret)
    by_group, everyone = peers
    group = by_group.get(key)
    if group is not None:
        audience = checklist.audience(key[0])
        label = audience.label_of(key[1]) if audience is not None else key[1]
        against = f"organisations of the same type ({label}, {group.returns} returns)"
    else:
        group = everyone
        against = f"every organisation that returned ({everyone.returns} returns)"
    mine = aggregate(checklist, [ret], dimensions=(), threshold=1)
    numbers = checklist.numbering()
    blocks: list[Block] = [
        Heading(2, "About this feedback"),
        Paragraph(
            f"This is {org_name}'s feedback on its {checklist.title} return for "
            f"{checklist.version}. Each of its answers is shown beside the answers of {against}. "
            f"Partnership figures resting on fewer than {threshold} organisations are "
            "suppressed (*)."
        ),
    ]
    # a chart: the share meeting each standard, this organisation and the partnership
    rows: list[Row] = []
    for st in checklist.standards():
        me = mine.standards[st.full_id]
        them = group.standards[st.full_id]
        if not me.scored:
            continue
        them_cell = (
            cell(them.share, percent_text(them.meeting, them.scored))
            if them.scored and them.organisations >= threshold
            else cell(None, "*")
        )
        if them_cell.text == "*":
            them_cell = attrs.evolve(them_cell, suppressed=True)
        rows.append(
            Row(
                st.full_id,
                f"{numbers.get(st.full_id, '')} {st.title}".strip(),
                (cell(me.share, percent_text(me.meeting, me.scored)), them_cell),
            )
        )
    share_table = make_table(
        "feedback-standards",
        "Share of answers meeting each standard: yours and the partnership's",
        "Standard",
        [("yours", "Your organisation"), ("partnership", "Partnership")],
        rows,
        [f"the partnership: {against}"],
    )
    blocks.append(Heading(2, "Your ratings beside the partnership's"))
    blocks += _figure_blocks("feedback", table_chart(share_table, share_table.title), share_table)
    # question by question
    strengths: list[str] = []
    gaps: list[str] = []
    actions: list[Row] = []
    for section in checklist.sections:
        q_rows: list[Row] = []
        for st in section.standards:
            me = mine.standards[st.full_id]
            if me.scored and me.meeting == me.scored:
                strengths.append(f"{numbers.get(st.full_id, '')} {st.title}".strip())
            for q in st.questions:
                a = ret.answer(q.full_id)
                if a is None or not a.asked:
                    continue
                qf = group.question(q.full_id)
                yours = _answer_label(checklist, q, a.value)
                dist = _distribution(qf, threshold) if qf.counts else ""
                q_rows.append(
                    Row(
                        q.full_id,
                        f"{numbers.get(q.full_id, '')} {_plain(q.text)}",
                        (cell(yours), cell(dist)),
                    )
                )
                if q.type == "rating" and a.level:
                    scale = checklist.scale(q.scale or checklist.default_scale)
                    lv = scale.level(a.level) if scale is not None else None
                    if (
                        scale is not None
                        and lv is not None
                        and lv.scored
                        and a.level not in meeting_levels(scale)
                    ):
                        gaps.append(f"{numbers.get(q.full_id, '')} {_plain(q.text)}: {yours}")
                elif q.type == "yes-no" and a.value == "no" and qf.measured:
                    gaps.append(f"{numbers.get(q.full_id, '')} {_plain(q.text)}: No")
                if a.action:
                    actions.append(
                        Row(
                            q.full_id,
                            f"{numbers.get(q.full_id, '')}",
                            (cell(yours), cell(_safe_text(a.action))),
                        )
                    )
        if q_rows:
            blocks.append(Heading(3, f"{numbers.get(section.id, '')} {section.title}".strip()))
            blocks.append(
                TableBlock(
                    make_table(
                        f"feedback:{section.id}",
                        f"{numbers.get(section.id, '')} {section.title}: your answers".strip(),
                        "Question",
                        [("yours", "Your answer"), ("partnership", "The partnership's answers")],
                        q_rows,
                    )
                )
            )
    blocks.append(Heading(2, "Strengths and gaps"))
    blocks.append(Paragraph("Strengths: standards where every one of your rated answers meets it."))
    blocks.append(Bullets(tuple(strengths) or ("none yet",)))
    blocks.append(Paragraph("Gaps: answers that do not yet meet the standard."))
    blocks.append(Bullets(tuple(gaps) or ("none",)))
    blocks.append(Heading(2, "The actions you named"))
    if actions:
        blocks.append(
            TableBlock(
                make_table(
                    "feedback-actions",
                    "Your actions",
                    "Question",
                    [("answer", "Your answer"), ("action", "Action")],
                    actions,
                    ["an action that may hold personal data is withheld"]
                    if any(r.cells[1].text == WITHHELD for r in actions)
                    else [],
                )
            )
        )
    else:
        blocks.append(Paragraph("Your return names no actions."))
    if comments is not None:
        mine_comments = comments.for_organisation(org_id)
        blocks.append(Heading(2, "Reviewer's comments"))
        if mine_comments:
            blocks.append(
                TableBlock(
                    make_table(
                        "feedback-comments",
                        "Comments from the partnership's reviewer",
                        "Question",
                        [("comment", "Comment")],
                        [
                            Row(
                                qid or "general",
                                (f"{numbers.get(qid, '')} {qid}".strip() if qid else "General"),
                                (cell(_safe_text(text)),),
                            )
                            for qid, text in mine_comments
                        ],
                    )
                )
            )
        else:
            blocks.append(Paragraph("The reviewer has no comments on this return."))
    if panel is not None and org_id in panel.selected:
        blocks.append(Heading(2, "Panel record"))
        blocks.append(
            Paragraph(
                f"Your organisation was selected for the {panel.purpose} (seed {panel.seed!r}). "
                "This record is filled in at the panel."
            )
        )
        titles = {st.full_id: st for st in checklist.standards()}
        std_ids = [s for s in panel.standards if s in titles] or [
            st.full_id for st in checklist.standards()
        ][:3]
        blocks.append(
            TableBlock(
                make_table(
                    "panel-record",
                    "Record of the panel discussion",
                    "Standard",
                    [
                        ("discussion", "What was discussed"),
                        ("agreed", "Actions agreed"),
                        ("follow-up", "Follow-up by"),
                    ],
                    [
                        Row(
                            s,
                            f"{numbers.get(s, '')} {titles[s].title}".strip(),
                            (cell(""), cell(""), cell("")),
                        )
                        for s in std_ids
                    ],
                )
            )
        )
    facts = [
        ("Organisation", org_name),
        ("Roster id", org_id),
        ("Standard set", f"{checklist.title} ({checklist.id})"),
        ("Version", checklist.version),
    ]
    for dim, value in ret.audience:
        audience = checklist.audience(dim)
        if audience is not None:
            facts.append((audience.label, audience.label_of(value)))
    if generated_on:
        facts.append(("Produced", generated_on))
    return ReportView(
        kind="feedback",
        title=f"{org_name}: {checklist.title} {checklist.version}",
        facts=tuple(facts),
        blocks=tuple(blocks),
        name=_file_stem(org_id),
    )


def _file_stem(text: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text).strip(".-")
    return safe or "organisation"


# -- panel ----------------------------------------------------------------------------------------


def panel_view(
    checklist: Checklist,
    selection: Selection,
    organisations: Mapping[str, Organisation | None],
    ledger: Ledger,
    *,
    strata: Mapping[str, str] | None = None,
    generated_on: str | None = None,
) -> ReportView:
    """The selection (see :mod:`.panel`): who, which standards, and how to re-run it."""
    numbers = checklist.numbering()
    titles = {st.full_id: st.title for st in checklist.standards()}
    rank = dict(selection.ranks)
    rows = []
    for i, oid in enumerate(selection.selected, start=1):
        org = organisations.get(oid)
        rows.append(
            Row(
                oid,
                str(i),
                (
                    cell(oid),
                    cell(org.name if org is not None else ""),
                    cell((strata or {}).get(oid, org.type if org is not None else "")),
                    cell(rank[oid][:16] + "…"),
                ),
            )
        )
    blocks: list[Block] = [
        Heading(2, "How they were selected"),
        Bullets(tuple(selection.method.splitlines())),
        Heading(2, "Organisations selected"),
        TableBlock(
            make_table(
                "panel",
                f"{selection.purpose.capitalize()}: organisations selected",
                "Order",
                [
                    ("id", "Id"),
                    ("name", "Organisation"),
                    ("group", selection.by.capitalize() if selection.by else "Type"),
                    ("rank", "Rank (SHA-256, first 16 digits)"),
                ],
                rows,
                [f"seed {selection.seed!r}; anyone with the list of ids can re-run the selection"],
            )
        ),
    ]
    if selection.allocation:
        blocks.append(
            TableBlock(
                make_table(
                    "panel-allocation",
                    "Places per group",
                    selection.by.capitalize(),
                    [("organisations", "Organisations"), ("places", "Places")],
                    [
                        Row(g or "none", g or "none given", (cell(k), cell(p)))
                        for g, k, p in selection.allocation
                    ],
                )
            )
        )
    if selection.standards:
        blocks.append(Heading(2, "Standards the panel reviews"))
        blocks.append(
            Bullets(
                tuple(
                    f"{numbers.get(s, '')} {titles.get(s, s)}".strip() for s in selection.standards
                )
            )
        )
    blocks += _ledger_blocks(ledger, None, True, "The returns the selection was made from")
    return ReportView(
        kind="panel",
        title=f"{checklist.title} {checklist.version}",
        facts=_facts(checklist, ledger, generated_on, [("Seed", str(selection.seed))]),
        blocks=tuple(blocks),
        name=f"panel-{checklist.id}-{checklist.version}",
    )


# -- tracking ------------------------------------------------------------------------------------


def tracking_view(
    checklist: Checklist,
    returns: Sequence[Return],
    previous: Sequence[Return],
    ledger: Ledger,
    *,
    chain: Sequence[Checklist] = (),
    roster: Roster | None = None,
    plans: Sequence[Any] | None = None,
    as_of: datetime.date,
    name_organisations: bool = False,
    generated_on: str | None = None,
) -> ReportView:
    """Last year's actions (from ``previous``) against this year's: the action plans sent
    back (``plans``, :class:`.tracking.Action` values from :func:`.tracking.read_action_plan`)
    when given, else the actions named in this year's ``returns``."""
    from .tracking import actions_from_returns, track
    from .yoy import year_map

    def owners(rets: Sequence[Return]) -> dict[str, str]:
        out = {}
        for r in rets:
            org = roster.match(r) if roster is not None else None
            out[r.source] = org.id if org is not None else return_key(r)
        return out

    renamed: dict[str, str] = {}
    if len(chain) > 1:
        renamed = {old: m.id for old, m in year_map(chain).by_old_id().items()}
    names = {o.id: o.name for o in roster} if roster is not None else {}
    tracking = track(
        actions_from_returns(previous, owners(previous)),
        actions_from_returns(returns, owners(returns)) if plans is None else plans,
        as_of,
        renamed=renamed,
        organisations=names,
        name_organisations=name_organisations,
    )
    counts = tracking.counts()
    total = sum(counts.values())
    blocks: list[Block] = [
        Heading(2, "Overall"),
        Paragraph(
            f"As of {as_of.isoformat()}: "
            + ", ".join(f"{n} {s} ({percent_text(n, total)})" for s, n in counts.items())
            + "."
        ),
    ]
    from ._charts import GroupedBars, Series

    if total:
        blocks.append(
            Figure(
                "tracking",
                GroupedBars(
                    f"Actions by status as of {as_of.isoformat()}",
                    list(counts),
                    [Series("Actions", [float(n) for n in counts.values()])],
                    unit="count",
                    category_label="Status",
                    axis_label="Actions",
                ),
            )
        )
    blocks += [TableBlock(t) for t in tracking.tables]
    if tracking.withheld:
        blocks.append(
            Paragraph(f"{tracking.withheld} action text(s) withheld: may hold personal data.")
        )
    blocks += _ledger_blocks(ledger, roster, name_organisations)
    return ReportView(
        kind="tracking",
        title=f"{checklist.title} {checklist.version}",
        facts=_facts(checklist, ledger, generated_on, [("As of", as_of.isoformat())]),
        blocks=tuple(blocks),
        name=f"tracking-{checklist.id}-{checklist.version}",
    )


# -- briefing ------------------------------------------------------------------------------------


def _signposts(checklist: Checklist, q: Question) -> list[str]:
    out = []
    if q.guidance.support:
        out.append(_plain(q.guidance.support))
    elif q.guidance.good:
        out.append("What good looks like: " + _plain(q.guidance.good))
    for c in q.cite:
        ref = checklist.reference(c.ref)
        if ref is None:
            continue
        text = ref.title + (f", {c.at}" if c.at else "")
        if ref.url:
            text += f" ({ref.url})"
        out.append(text)
    return out


def briefing_view(
    checklist: Checklist,
    returns: Sequence[Return],
    ledger: Ledger,
    *,
    roster: Roster | None = None,
    threshold: int = 3,
    top: int = 8,
    name_organisations: bool = False,
    generated_on: str | None = None,
) -> ReportView:
    """What most groups have in place, the commonest gaps with signposting (see the module)."""
    from .aggregate import aggregate

    agg = aggregate(checklist, returns, roster=roster, dimensions=(), threshold=threshold)
    measured = [
        q
        for q in agg.questions
        if q.measured and q.figures.scored and q.figures.answered >= threshold
    ]
    order = {q.id: i for i, q in enumerate(agg.questions)}
    best = sorted(measured, key=lambda q: (-q.figures.meeting / q.figures.scored, order[q.id]))
    worst = sorted(measured, key=lambda q: (q.figures.meeting / q.figures.scored, order[q.id]))
    in_place = [q for q in best if q.figures.share >= 50][:top]
    gaps = [q for q in worst if q.figures.share < 80][:top]
    blocks: list[Block] = [
        Heading(2, "This year in brief"),
        Paragraph(
            f"{agg.returns} group(s) returned the {checklist.title} for {checklist.version}. "
            "No group is named in this briefing; figures resting on fewer than "
            f"{threshold} groups are left out."
        ),
        Heading(2, "What most groups have in place"),
    ]
    blocks.append(
        TableBlock(
            make_table(
                "in-place",
                "What most groups have in place",
                "Question",
                [("share", "Groups meeting it"), ("answered", "Answered")],
                [
                    Row(
                        q.id,
                        f"{q.number} {_plain(q.text)}",
                        (
                            cell(
                                q.figures.share, percent_text(q.figures.meeting, q.figures.scored)
                            ),
                            cell(q.figures.answered),
                        ),
                    )
                    for q in in_place
                ],
            )
        )
    )
    blocks += _figure_blocks(
        "levels", levels_chart(checklist, agg, f"Levels per standard: {checklist.title}")
    )
    blocks.append(Heading(2, "The commonest gaps, and where to find help"))
    if not gaps:
        blocks.append(Paragraph("No question is met by fewer than 80% of groups."))
    for q in gaps:
        question = checklist.question(q.id)
        assert question is not None
        blocks.append(Heading(3, f"{q.number} {_plain(q.text)}"))
        blocks.append(
            Paragraph(
                f"{percent_text(q.figures.meeting, q.figures.scored)} of groups meet this "
                f"({q.figures.answered} answered)."
            )
        )
        signs = _signposts(checklist, question)
        if question.guidance.why:
            blocks.append(Paragraph("Why it matters: " + _plain(question.guidance.why)))
        if signs:
            blocks.append(Bullets(tuple(signs)))
    blocks += _ledger_blocks(ledger, roster, name_organisations)
    return ReportView(
        kind="briefing",
        title=f"{checklist.title} {checklist.version}",
        facts=_facts(checklist, ledger, generated_on),
        blocks=tuple(blocks),
        name=f"briefing-{checklist.id}-{checklist.version}",
    )

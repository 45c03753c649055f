"""The thematic report's figures, from the checked returns to one version of a set.

:func:`aggregate` counts the answers of every return to one set version and gives an
:class:`Aggregate`: per question, standard and section the distribution of levels and the share
meeting the standard, broken down by any audience dimension. :func:`thematic` adds the response
rate against a roster, the strongest and weakest standards, strengths and areas for improvement
per section and (with last year's returns mapped by :mod:`.yoy`) the year-on-year comparison,
and lays every figure out as a :class:`~.table.Table` a document writer renders as it is.
Everything is a pure function of its arguments: no file is read, nothing is printed.

Definitions (the report's notes repeat them):

* **Meeting the standard.** A rating answer meets the standard when its level is scored and
  its score is at least the scale's *met threshold*: the lowest score of the scale's green
  levels (``met`` and ``embedded`` on the ``grade`` scale, ``in-place`` on ``progress``,
  ``green`` on ``rag``; a scale with no green level: its highest score). A yes-no answer meets
  it when it is "yes", except for a question that other questions' ``ask_if`` depend on (a
  filter such as "Does your school place pupils in alternative provision?"), which has no
  meeting figure. Not applicable (unscored levels) and unanswered questions are left out of
  the share: *share meeting = answers meeting / scored answers*. Other answer types (number,
  date, text, choice) have distributions, or only counts, and no share.
* **Percentages** of a distribution are of the answers given (Not applicable included);
  every percentage is rounded half up to a whole number.
* **A standard's and a section's share** pools the scored answers of their questions.
* **RAG** of a share: green at or above ``bands[0]`` per cent (default 80), amber at or above
  ``bands[1]`` (default 60), red below. The distribution's own colours (the levels' RAG) are
  counted too.
* **Small numbers.** A cell of a breakdown (a group of organisations: a type, a setting)
  computed from fewer than ``threshold`` organisations (default 3) is suppressed: groups under
  the threshold are first merged into one group; if that is still under the
  threshold it is suppressed, and so is the next smallest group, so that it cannot be worked
  out from the total. A cell's number of organisations is the most answers any one of its
  questions has, which never overstates it. Every table says what it suppressed.
* **Names.** No organisation is named unless ``name_organisations=True``; free text is never
  part of these figures.
"""

from __future__ import annotations

import gc
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, Diagnostic
from ..model import Checklist, Question, Scale
from ..returns.model import Answer, Return
from .roster import Organisation, Roster, return_key
from .table import Row, Table, cell, make_table, percent, percent_text, suppressed

if TYPE_CHECKING:
    from .yoy import YearMap

__all__ = [
    "Aggregate",
    "Breakdown",
    "Figures",
    "Group",
    "LevelCount",
    "QuestionFigures",
    "ResponseRate",
    "Thematic",
    "aggregate",
    "meeting_levels",
    "previous_year",
    "response_rate",
    "thematic",
]

#: Question types with a distribution of answers.
CLOSED = frozenset({"rating", "yes-no", "choice", "multi-choice"})
#: The roster's organisation type, as a breakdown dimension.
TYPE = "type"
#: The id of the group that merges a breakdown's small groups.
MERGED = "_merged"
_NOT_ASKED = object()


# -- definitions -------------------------------------------------------------------------------


def meeting_levels(scale: Scale) -> frozenset[str]:
    """The ids of the levels of ``scale`` that meet the standard (see the module)."""
    scored = [lv for lv in scale.levels if lv.scored and lv.score is not None]
    if not scored:
        return frozenset()
    green = [lv.score for lv in scored if lv.rag == "green" and lv.score is not None]
    threshold = min(green) if green else max(lv.score for lv in scored if lv.score is not None)
    return frozenset(lv.id for lv in scored if lv.score is not None and lv.score >= threshold)


def _filters(checklist: Checklist) -> frozenset[str]:
    out: set[str] = set()
    for q in checklist.questions():
        if q.ask_if is not None:
            out.update(q.ask_if.questions())
    return frozenset(out)


def _rag(share: int, scored: int, bands: tuple[int, int]) -> str:
    if not scored:
        return ""
    return "green" if share >= bands[0] else "amber" if share >= bands[1] else "red"


# -- the figures -------------------------------------------------------------------------------


@attrs.frozen
class LevelCount:
    """How many answers chose one level (or yes/no, or an option), and the percentage of the
    answers given."""

    id: str
    label: str
    rag: str
    count: int
    percent: int


@attrs.frozen(kw_only=True)
class Figures:
    """The counts of one question, standard or section within one group of returns.

    ``organisations`` is the number of organisations the figures rest on (for a standard or
    section: the most answers any one of its questions has). ``scored`` answers count towards
    the share; ``meeting`` of them meet the standard. ``rag`` counts answers by their level's
    colour (rating questions only), in the order green, amber, red, and any other colour.
    """

    organisations: int = 0
    answered: int = 0
    scored: int = 0
    meeting: int = 0
    rag: tuple[tuple[str, int], ...] = ()

    @property
    def share(self) -> int:
        """Per cent of the scored answers meeting the standard, rounded half up."""
        return percent(self.meeting, self.scored)


@attrs.frozen(kw_only=True)
class QuestionFigures:
    """One question's figures over every return to the version (see :class:`Figures`)."""

    id: str
    number: str
    text: str
    type: str
    standard: str
    section: str
    #: Returns the question was asked in (it applied to their audience and its ``ask_if``
    #: held), and how many of them left it unanswered.
    asked: int
    unanswered: int
    #: The distribution: levels (in the scale's order), yes/no, or options; for a
    #: multi-choice question each option's count is of the answers that ticked it.
    counts: tuple[LevelCount, ...]
    #: Whether the question has a meeting figure (see the module).
    measured: bool
    figures: Figures


@attrs.frozen(kw_only=True)
class Group:
    """One group of a breakdown: a value of the dimension (or the group of merged small ones)."""

    id: str
    label: str
    organisations: int
    #: The values merged into this group (empty for a plain value).
    merged: tuple[str, ...] = ()
    suppressed: bool = False


@attrs.frozen(kw_only=True)
class Breakdown:
    """Figures per group of one dimension (``setting``, ``type``)."""

    dimension: str
    label: str
    groups: tuple[Group, ...]
    #: Per group id, per question / standard / section id: the figures (absent when
    #: suppressed).
    figures: Mapping[str, Mapping[str, Figures]] = attrs.field(eq=False, repr=False)
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Aggregate:
    """Every figure of one set version's returns (see :func:`aggregate`)."""

    set: str
    version: str
    title: str
    threshold: int
    bands: tuple[int, int]
    #: Returns counted, and the sources of those left out with why (SG604).
    returns: int
    skipped: tuple[Diagnostic, ...]
    questions: tuple[QuestionFigures, ...]
    #: Per standard / section full id: figures pooled over its questions.
    standards: Mapping[str, Figures] = attrs.field(eq=False, repr=False)
    sections: Mapping[str, Figures] = attrs.field(eq=False, repr=False)
    breakdowns: tuple[Breakdown, ...] = ()

    def question(self, full_id: str) -> QuestionFigures:
        for q in self.questions:
            if q.id == full_id:
                return q
        raise KeyError(full_id)


class _Counts:
    """Counts of (value, asked) per question over a group of returns."""

    __slots__ = ("per_question", "returns")

    def __init__(self) -> None:
        self.per_question: dict[str, Counter[Any]] = {}
        self.returns = 0

    def add(self, other: _Counts) -> None:
        self.returns += other.returns
        for qid, c in other.per_question.items():
            mine = self.per_question.get(qid)
            if mine is None:
                self.per_question[qid] = Counter(c)
            else:
                mine.update(c)


_qid = operator.attrgetter("question")
_value = operator.attrgetter("value")
_asked = operator.attrgetter("asked")


def _count(returns: Iterable[tuple[Any, Return]]) -> dict[Any, _Counts]:
    """Counts per profile key.

    A checked return holds one answer per question of its version for its audience, in the
    set's order, so returns of one version and audience are counted column by column (one
    column a question) with the standard library's counting in C. Each return's question ids
    are compared with its group's first; a group in which they differ is counted answer by
    answer."""
    groups: dict[Any, list[tuple[Answer, ...]]] = {}
    for key, ret in returns:
        answers = ret.answers
        group = (key, ret.set, ret.version, ret.audience, len(answers))
        rows = groups.get(group)
        if rows is None:
            rows = groups[group] = []
        rows.append(answers)
    out: dict[Any, _Counts] = {}
    for group, rows in groups.items():
        first = tuple(map(_qid, rows[0]))
        # every row's question ids against the first's, iterated in C
        same = all(map(first.__eq__, map(tuple, map(map, itertools.repeat(_qid), rows))))
        counts = _by_column(first, rows) if same else _by_answer(rows)
        target = out.get(group[0])
        if target is None:
            out[group[0]] = counts
        else:
            target.add(counts)
    return out


def _by_column(qids: tuple[str, ...], rows: list[tuple[Answer, ...]]) -> _Counts:
    counts = _Counts()
    counts.returns = len(rows)
    if not qids:
        return counts
    for qid, column in zip(qids, zip(*rows, strict=True), strict=True):
        if all(map(_asked, column)):
            counts.per_question[qid] = Counter(
                {(v, True): n for v, n in Counter(map(_value, column)).items()}
            )
        else:
            counts.per_question[qid] = Counter(
                zip(map(_value, column), map(_asked, column), strict=True)
            )
    return counts


def _by_answer(rows: list[tuple[Answer, ...]]) -> _Counts:
    counts = _Counts()
    counts.returns = len(rows)
    per = counts.per_question
    for answers in rows:
        for a in answers:
            tally = per.get(a.question)
            if tally is None:
                tally = per[a.question] = Counter()
            tally[(a.value, a.asked)] += 1
    return counts


def _choices(checklist: Checklist, q: Question) -> list[tuple[str, str, str]]:
    if q.type == "rating":
        scale = checklist.scale(q.scale)
        return [(lv.id, lv.label, lv.rag) for lv in scale.levels] if scale else []
    if q.type == "yes-no":
        return [("yes", "Yes", ""), ("no", "No", "")]
    return [(o.id, o.label, "") for o in q.options]


_RAG_ORDER = ("green", "amber", "red")


class _Measure:
    """What one question's answers mean: choices, meeting levels, colours."""

    __slots__ = ("choices", "colour", "measured", "meets", "question", "scored_ids")

    def __init__(self, checklist: Checklist, q: Question, filters: frozenset[str]) -> None:
        self.question = q
        self.choices = _choices(checklist, q)
        self.colour: dict[str, str] = {}
        self.meets: frozenset[str] = frozenset()
        self.scored_ids: frozenset[str] = frozenset()
        self.measured = False
        if q.type == "rating":
            scale = checklist.scale(q.scale)
            if scale is not None:
                self.meets = meeting_levels(scale)
                self.scored_ids = frozenset(lv.id for lv in scale.levels if lv.scored)
                self.colour = {lv.id: lv.rag for lv in scale.levels if lv.rag}
                self.measured = bool(self.meets)
        elif q.type == "yes-no" and q.full_id not in filters:
            self.meets = frozenset({"yes"})
            self.scored_ids = frozenset({"yes", "no"})
            self.measured = True

    def figures(self, counter: Counter[Any] | None) -> tuple[Figures, int, int, dict[str, int]]:
        """(figures, asked, unanswered, count per choice id)."""
        if not counter:
            return Figures(), 0, 0, {}
        asked = answered = scored = meeting = 0
        per: dict[str, int] = {}
        rag: Counter[str] = Counter()
        for (value, was_asked), n in counter.items():
            if not was_asked:
                continue
            asked += n
            if value is None or value == () or value == "":
                continue
            answered += n
            if isinstance(value, tuple):
                for v in value:
                    per[v] = per.get(v, 0) + n
                continue
            if not isinstance(value, str):
                continue
            per[value] = per.get(value, 0) + n
            if value in self.scored_ids:
                scored += n
                if value in self.meets:
                    meeting += n
            colour = self.colour.get(value)
            if colour:
                rag[colour] += n
        colours = tuple(
            (c, rag[c]) for c in (*_RAG_ORDER, *sorted(set(rag) - set(_RAG_ORDER))) if rag[c]
        )
        figures = Figures(
            organisations=answered,
            answered=answered,
            scored=scored if self.measured else 0,
            meeting=meeting if self.measured else 0,
            rag=colours,
        )
        return figures, asked, asked - answered, per


def _pool(parts: Iterable[Figures]) -> Figures:
    organisations = answered = scored = meeting = 0
    rag: Counter[str] = Counter()
    for f in parts:
        organisations = max(organisations, f.organisations)
        answered += f.answered
        scored += f.scored
        meeting += f.meeting
        rag.update(dict(f.rag))
    colours = tuple(
        (c, rag[c]) for c in (*_RAG_ORDER, *sorted(set(rag) - set(_RAG_ORDER))) if rag[c]
    )
    return Figures(
        organisations=organisations, answered=answered, scored=scored, meeting=meeting, rag=colours
    )


def _question_figures(measures: Sequence[_Measure], counts: _Counts) -> dict[str, Figures]:
    """Figures per question id for one group of returns."""
    return {
        m.question.full_id: m.figures(counts.per_question.get(m.question.full_id))[0]
        for m in measures
    }


def _add(parts: Iterable[Figures]) -> Figures:
    """Figures of one question over several disjoint groups of returns (all additive)."""
    answered = scored = meeting = 0
    rag: Counter[str] = Counter()
    for f in parts:
        answered += f.answered
        scored += f.scored
        meeting += f.meeting
        rag.update(dict(f.rag))
    colours = tuple(
        (c, rag[c]) for c in (*_RAG_ORDER, *sorted(set(rag) - set(_RAG_ORDER))) if rag[c]
    )
    return Figures(
        organisations=answered, answered=answered, scored=scored, meeting=meeting, rag=colours
    )


def _all_figures(checklist: Checklist, questions: Mapping[str, Figures]) -> dict[str, Figures]:
    """Figures per question, standard and section id, from the questions' figures."""
    out: dict[str, Figures] = dict(questions)
    for section in checklist.sections:
        for st in section.standards:
            out[st.full_id] = _pool(out[q.full_id] for q in st.questions if out[q.full_id].scored)
        out[section.id] = _pool(
            out[q.full_id]
            for st in section.standards
            for q in st.questions
            if out[q.full_id].scored
        )
    return out


def _groups(
    sizes: Mapping[str, int], labels: Mapping[str, str], threshold: int
) -> tuple[list[Group], list[str]]:
    """Groups of a breakdown after merging and suppression (see the module), with notes."""
    notes: list[str] = []
    big = [g for g in sizes if sizes[g] >= threshold]
    small = [g for g in sizes if sizes[g] < threshold]
    groups = [Group(id=g, label=labels.get(g, g), organisations=sizes[g]) for g in big]
    if small:
        total = sum(sizes[g] for g in small)
        if len(small) == 1:
            other = Group(
                id=small[0],
                label=labels.get(small[0], small[0]),
                organisations=total,
                suppressed=True,
            )
        else:
            other = Group(
                id=MERGED,
                label="Merged (" + ", ".join(labels.get(g, g) for g in small) + ")",
                organisations=total,
                merged=tuple(small),
                suppressed=total < threshold,
            )
            notes.append(
                f"merged: {', '.join(labels.get(g, g) for g in small)}, each fewer than "
                f"{threshold} organisations, are shown together"
            )
        groups.append(other)
        if other.suppressed:
            notes.append(f"suppressed: {other.label}, fewer than {threshold} organisations")
            rest = [g for g in groups if not g.suppressed]
            if rest:
                smallest = min(rest, key=lambda g: (g.organisations, g.id))
                groups = [attrs.evolve(g, suppressed=True) if g is smallest else g for g in groups]
                notes.append(
                    f"suppressed: {smallest.label} too, so that the suppressed group cannot be "
                    "worked out from the total"
                )
    return groups, notes


def aggregate(
    checklist: Checklist,
    returns: Iterable[Return],
    *,
    roster: Roster | None = None,
    dimensions: Sequence[str] | None = None,
    threshold: int = 3,
    bands: tuple[int, int] = (80, 60),
) -> Aggregate:
    """Every figure of the ``returns`` to ``checklist`` (see the module).

    Returns to another set or version are left out, with a warning (SG604) in
    :attr:`Aggregate.skipped`; so is a second return from the same organisation (the later
    one, by file date then file name, is kept). ``dimensions`` are the breakdowns wanted: the
    set's audience dimensions and ``type`` (the roster's organisation type); by default every
    audience dimension the returns carry, and ``type`` when a roster is given.

    The cyclic garbage collector is paused while counting and restored after: nothing made
    here has reference cycles, and over tens of thousands of returns the collections it
    would run cost a third of the counting.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        return _aggregate(checklist, returns, roster, dimensions, threshold, bands)
    finally:
        if was:
            gc.enable()


def _aggregate(
    checklist: Checklist,
    returns: Iterable[Return],
    roster: Roster | None,
    dimensions: Sequence[str] | None,
    threshold: int,
    bands: tuple[int, int],
) -> Aggregate:
    skipped: list[Diagnostic] = []
    kept: dict[str, Return] = {}
    orgs: dict[str, Organisation | None] = {}
    for ret in returns:
        if (ret.set, ret.version) != (checklist.id, checklist.version):
            skipped.append(
                Diagnostic(
                    Code.REPORT_RETURN_SKIPPED,
                    f"the return answers {ret.set}@{ret.version}, not {checklist.ref}",
                    ret.source,
                    hint=f"give only returns to {checklist.ref} (last year's with --previous)",
                )
            )
            continue
        org = roster.match(ret) if roster is not None else None
        key = org.id if org is not None else return_key(ret) or ret.source
        before = kept.get(key)
        if before is not None:
            later, earlier = sorted(
                (before, ret), key=lambda r: (r.file_date, r.source), reverse=True
            )
            skipped.append(
                Diagnostic(
                    Code.REPORT_RETURN_SKIPPED,
                    f"a second return from the same organisation; {later.source} is used",
                    earlier.source,
                    hint="remove the older return from the folder if it is not wanted",
                )
            )
            kept[key] = later
            continue
        kept[key] = ret
        orgs[key] = org

    dims = list(dimensions) if dimensions is not None else []
    if dimensions is None:
        seen = {k for r in kept.values() for k, _ in r.audience}
        dims = [a.id for a in checklist.audiences if a.id in seen]
        if roster is not None and not _type_is_audience(kept, orgs, dims):
            dims.append(TYPE)

    def profile(key: str, ret: Return) -> tuple[tuple[str, str], ...]:
        audience = dict(ret.audience)
        org = orgs[key]
        out = [(d, audience.get(d, "")) for d in dims if d != TYPE]
        if TYPE in dims:
            out.append((TYPE, org.type if org is not None else ""))
        return tuple(out)

    counts = _count((profile(k, r), r) for k, r in kept.items())
    total = _Counts()
    for c in counts.values():
        total.add(c)

    filters = _filters(checklist)
    measures = [_Measure(checklist, q, filters) for q in checklist.questions()]
    numbers = checklist.numbering()
    where = {
        q.full_id: (st.full_id, s.id)
        for s in checklist.sections
        for st in s.standards
        for q in st.questions
    }
    questions: list[QuestionFigures] = []
    for m in measures:
        q = m.question
        figures, asked, unanswered, per = m.figures(total.per_question.get(q.full_id))
        given = figures.answered
        questions.append(
            QuestionFigures(
                id=q.full_id,
                number=numbers.get(q.full_id, ""),
                text=q.text,
                type=q.type,
                standard=where[q.full_id][0],
                section=where[q.full_id][1],
                asked=asked,
                unanswered=unanswered,
                counts=tuple(
                    LevelCount(cid, label, rag, per.get(cid, 0), percent(per.get(cid, 0), given))
                    for cid, label, rag in m.choices
                ),
                measured=m.measured,
                figures=figures,
            )
        )
    everything = _all_figures(checklist, _question_figures(measures, total))
    standards = {st.full_id: everything[st.full_id] for st in checklist.standards()}
    sections = {s.id: everything[s.id] for s in checklist.sections}

    breakdowns: list[Breakdown] = []
    per_profile = {key: _question_figures(measures, c) for key, c in counts.items()}
    qids = [m.question.full_id for m in measures]
    for i, dim in enumerate(dims):
        per_value: dict[str, list[Any]] = {}
        returned: Counter[str] = Counter()
        for key, c in counts.items():
            value = key[i][1]
            per_value.setdefault(value, []).append(key)
            returned[value] += c.returns
        audience = checklist.audience(dim)
        if dim == TYPE:
            label = "Type of organisation"
            labels = {v: v.replace("-", " ").capitalize() for v in per_value}
        else:
            label = audience.label if audience is not None else dim
            labels = {v: audience.label_of(v) if audience else v for v in per_value}
        labels[""] = "Not given" if dim != TYPE else "Not on the roster"
        sizes = {v: returned[v] for v in sorted(per_value, key=lambda v: _order(audience, v))}
        groups, notes = _groups(sizes, labels, threshold)
        figures_by_group: dict[str, Mapping[str, Figures]] = {}
        for g in groups:
            if g.suppressed:
                continue
            keys = [k for v in g.merged or (g.id,) for k in per_value[v]]
            figures_by_group[g.id] = _all_figures(
                checklist, {q: _add(per_profile[k][q] for k in keys) for q in qids}
            )
        breakdowns.append(
            Breakdown(
                dimension=dim,
                label=label,
                groups=tuple(groups),
                figures=figures_by_group,
                notes=tuple(notes),
            )
        )
    return Aggregate(
        set=checklist.id,
        version=checklist.version,
        title=checklist.title,
        threshold=threshold,
        bands=bands,
        returns=len(kept),
        skipped=tuple(skipped),
        questions=tuple(questions),
        standards=standards,
        sections=sections,
        breakdowns=tuple(breakdowns),
    )


def _type_is_audience(
    kept: Mapping[str, Return], orgs: Mapping[str, Organisation | None], dims: Sequence[str]
) -> bool:
    """Whether the roster's types are the values of one of ``dims`` (a section 11 roster's
    agency types), so that a breakdown by type would repeat that one."""
    for dim in dims:
        if all(
            org is None or org.type == dict(kept[key].audience).get(dim)
            for key, org in orgs.items()
        ):
            return True
    return False


def _order(audience: Any, value: str) -> tuple[int, str]:
    if audience is not None and value in audience.value_ids():
        return (audience.value_ids().index(value), value)
    return (10_000 if value == "" else 1_000, value)


# -- response rate -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ResponseRate:
    """Returns received against the roster, overall and by type."""

    expected: int
    returned: int
    #: Per type: (type, expected, returned), in the roster's order of first appearance.
    by_type: tuple[tuple[str, int, int], ...]
    #: Organisations on the roster that did not return (id, name, type).
    missing: tuple[Organisation, ...]
    #: Returns from organisations not on the roster (their file names).
    unlisted: tuple[str, ...]

    @property
    def rate(self) -> int:
        return percent(self.returned, self.expected)


def response_rate(checklist: Checklist, returns: Iterable[Return], roster: Roster) -> ResponseRate:
    """Who returned, against the organisations of ``roster`` that answer ``checklist``'s set."""
    expected = roster.for_set(checklist.id)
    got: set[str] = set()
    unlisted: list[str] = []
    for ret in returns:
        if (ret.set, ret.version) != (checklist.id, checklist.version):
            continue
        org = expected.match(ret)
        if org is None:
            unlisted.append(ret.source)
        else:
            got.add(org.id)
    types: dict[str, list[int]] = {}
    for o in expected:
        slot = types.setdefault(o.type, [0, 0])
        slot[0] += 1
        slot[1] += o.id in got
    return ResponseRate(
        expected=len(expected),
        returned=len(got),
        by_type=tuple((t, e, r) for t, (e, r) in types.items()),
        missing=tuple(o for o in expected if o.id not in got),
        unlisted=tuple(sorted(unlisted)),
    )


# -- the thematic report -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Thematic:
    """The thematic report's data: the aggregate, the response rate and every table."""

    aggregate: Aggregate
    response: ResponseRate | None
    #: Standards ranked by share meeting: the strongest first, and the weakest first.
    strongest: tuple[str, ...]
    weakest: tuple[str, ...]
    tables: tuple[Table, ...]
    #: The definitions the figures follow, for the report's method section.
    method: tuple[str, ...]

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)


def _type_label(value: str) -> str:
    return value.replace("-", " ").capitalize() if value else "Not given"


def _method(agg: Aggregate) -> tuple[str, ...]:
    return (
        "An answer meets the standard when its level scores at least the scale's lowest green "
        "level (for example Met or Fully met and embedded); a yes-no answer when it is Yes. Not "
        "applicable and unanswered questions are left out of the share meeting.",
        "Percentages are of the answers given, rounded half up to whole numbers.",
        f"RAG of a share: green from {agg.bands[0]}%, amber from {agg.bands[1]}%, red below.",
        f"Figures resting on fewer than {agg.threshold} organisations are suppressed (*), and "
        "small groups merged.",
    )


def _ranked(agg: Aggregate, checklist: Checklist, top: int) -> tuple[list[str], list[str]]:
    order = {st.full_id: i for i, st in enumerate(checklist.standards())}
    eligible = [
        (sid, f)
        for sid, f in agg.standards.items()
        if f.scored and f.organisations >= agg.threshold
    ]
    strongest = sorted(eligible, key=lambda kv: (-kv[1].meeting / kv[1].scored, order[kv[0]]))
    weakest = sorted(eligible, key=lambda kv: (kv[1].meeting / kv[1].scored, order[kv[0]]))
    return [s for s, _ in strongest[:top]], [s for s, _ in weakest[:top]]


def thematic(
    checklist: Checklist,
    returns: Sequence[Return],
    *,
    roster: Roster | None = None,
    previous: Aggregate | None = None,
    comparison: Any = None,
    dimensions: Sequence[str] | None = None,
    threshold: int = 3,
    bands: tuple[int, int] = (80, 60),
    top: int = 5,
    strength: int = 80,
    improvement: int = 60,
    name_organisations: bool = False,
) -> Thematic:
    """The thematic report's data for ``returns`` to ``checklist`` (see the module).

    ``previous`` is the aggregate of last year's returns mapped onto this version
    (:func:`.yoy.map_returns` then :func:`aggregate`) and ``comparison`` the
    :class:`.yoy.Mapping` that mapped them: with both, a year-on-year table is added. A
    standard is a *strength* of its section when its share is at least ``strength`` per cent,
    an *area for improvement* when it is below ``improvement``.
    """
    agg = aggregate(
        checklist, returns, roster=roster, dimensions=dimensions, threshold=threshold, bands=bands
    )
    numbers = checklist.numbering()
    tables: list[Table] = []
    response = response_rate(checklist, returns, roster) if roster is not None else None
    if response is not None:
        labels = {v.id: v.label for a in checklist.audiences for v in a.values}
        rows = [
            Row(
                t,
                labels.get(t) or _type_label(t),
                (cell(e), cell(r), cell(e - r), cell(percent(r, e), percent_text(r, e))),
            )
            for t, e, r in response.by_type
        ]
        rows.append(
            Row(
                "all",
                "All organisations",
                (
                    cell(response.expected),
                    cell(response.returned),
                    cell(response.expected - response.returned),
                    cell(response.rate, percent_text(response.returned, response.expected)),
                ),
            )
        )
        notes = []
        if response.unlisted:
            notes.append(
                f"{len(response.unlisted)} return(s) came from organisations not on the roster"
            )
        tables.append(
            make_table(
                "response",
                "Returns received, by type of organisation",
                "Type of organisation",
                [
                    ("expected", "Expected"),
                    ("returned", "Returned"),
                    ("missing", "Not returned"),
                    ("rate", "Response rate"),
                ],
                rows,
                notes,
            )
        )
        if name_organisations and response.missing:
            tables.append(
                make_table(
                    "not-returned",
                    "Organisations that have not returned",
                    "Organisation",
                    [("id", "Id"), ("type", "Type")],
                    [
                        Row(o.id, o.name, (cell(o.id), cell(o.type, _type_label(o.type))))
                        for o in response.missing
                    ],
                )
            )

    # standards
    std_rows = []
    titles = {st.full_id: st.title for st in checklist.standards()}
    for st in checklist.standards():
        f = agg.standards[st.full_id]
        if not f.scored:
            continue
        std_rows.append(_standard_row(st.full_id, numbers, titles, f, agg))
    tables.append(
        make_table(
            "standards",
            "Share of answers meeting each standard",
            "Standard",
            _STANDARD_COLUMNS,
            std_rows,
            _suppression_notes(std_rows, agg.threshold),
        )
    )
    strongest, weakest = _ranked(agg, checklist, top)
    for tid, title, ids in (
        ("strongest", "Strongest standards", strongest),
        ("weakest", "Weakest standards", weakest),
    ):
        tables.append(
            make_table(
                tid,
                title,
                "Standard",
                _STANDARD_COLUMNS,
                [_standard_row(s, numbers, titles, agg.standards[s], agg) for s in ids],
                [f"standards resting on fewer than {agg.threshold} organisations are not ranked"],
            )
        )
    # per section: ratings, yes-no, strengths
    for section in checklist.sections:
        tables.extend(_section_tables(checklist, section, agg, numbers))
        if any(agg.standards[st.full_id].scored for st in section.standards):
            tables.append(_strengths(section, agg, numbers, strength, improvement))
    # breakdowns
    for b in agg.breakdowns:
        tables.append(_breakdown_table(checklist, b, agg, numbers))
    if previous is not None and comparison is not None:
        from .yoy import comparison_tables

        tables.extend(comparison_tables(checklist, previous, agg, comparison))
    return Thematic(
        aggregate=agg,
        response=response,
        strongest=tuple(strongest),
        weakest=tuple(weakest),
        tables=tuple(tables),
        method=_method(agg),
    )


_STANDARD_COLUMNS = [
    ("organisations", "Organisations"),
    ("scored", "Scored answers"),
    ("meeting", "Meeting"),
    ("share", "Share meeting"),
    ("rag", "RAG"),
]


def _standard_row(
    sid: str, numbers: Mapping[str, str], titles: Mapping[str, str], f: Figures, agg: Aggregate
) -> Row:
    label = f"{numbers.get(sid, '')} {titles.get(sid, sid)}".strip()
    if f.organisations < agg.threshold:
        return Row(
            sid,
            label,
            (
                cell(f.organisations, f"fewer than {agg.threshold}"),
                suppressed(),
                suppressed(),
                suppressed(),
                suppressed(),
            ),
        )
    rag = _rag(f.share, f.scored, agg.bands)
    return Row(
        sid,
        label,
        (
            cell(f.organisations),
            cell(f.scored),
            cell(f.meeting),
            cell(f.share, percent_text(f.meeting, f.scored)),
            cell(rag, rag.capitalize()),
        ),
    )


def _suppression_notes(rows: Iterable[Row], threshold: int) -> list[str]:
    if any(c.suppressed for r in rows for c in r.cells):
        return [f"suppressed (*): fewer than {threshold} organisations"]
    return []


def _section_tables(
    checklist: Checklist, section: Any, agg: Aggregate, numbers: Mapping[str, str]
) -> list[Table]:
    out: list[Table] = []
    qs = [agg.question(q.full_id) for st in section.standards for q in st.questions]
    rated = [q for q in qs if q.type == "rating"]
    if rated:
        levels: list[tuple[str, str]] = []
        for q in rated:
            for lc in q.counts:
                if (lc.id, lc.label) not in levels:
                    levels.append((lc.id, lc.label))
        columns = [(lid, label) for lid, label in levels]
        columns += [("answered", "Answered"), ("share", "Share meeting"), ("rag", "RAG")]
        rows = []
        for q in rated:
            label = f"{q.number} {_plain(q.text)}"
            if q.figures.answered < agg.threshold:
                rows.append(Row(q.id, label, tuple(suppressed() for _ in columns)))
                continue
            by_id = {lc.id: lc for lc in q.counts}
            cells = [
                cell(by_id[lid].count, f"{by_id[lid].count} ({by_id[lid].percent}%)")
                if lid in by_id
                else cell(None, "")
                for lid, _ in levels
            ]
            f = q.figures
            rag = _rag(f.share, f.scored, agg.bands)
            cells += [
                cell(f.answered),
                cell(f.share, percent_text(f.meeting, f.scored)) if f.scored else cell(None, "–"),
                cell(rag, rag.capitalize()),
            ]
            rows.append(Row(q.id, label, tuple(cells)))
        out.append(
            make_table(
                f"levels:{section.id}",
                f"{numbers.get(section.id, '')} {section.title}: ratings".strip(),
                "Question",
                columns,
                rows,
                [
                    "counts of answers, with the percentage of answers given",
                    *_suppression_notes(rows, agg.threshold),
                ],
            )
        )
    yes_no = [q for q in qs if q.type == "yes-no"]
    if yes_no:
        rows = []
        for q in yes_no:
            label = f"{q.number} {_plain(q.text)}"
            if q.figures.answered < agg.threshold:
                rows.append(Row(q.id, label, (suppressed(), suppressed(), suppressed())))
                continue
            by_id = {lc.id: lc for lc in q.counts}
            rows.append(
                Row(
                    q.id,
                    label,
                    (
                        cell(by_id["yes"].count, f"{by_id['yes'].count} ({by_id['yes'].percent}%)"),
                        cell(by_id["no"].count, f"{by_id['no'].count} ({by_id['no'].percent}%)"),
                        cell(q.figures.answered),
                    ),
                )
            )
        out.append(
            make_table(
                f"yes-no:{section.id}",
                f"{numbers.get(section.id, '')} {section.title}: yes or no".strip(),
                "Question",
                [("yes", "Yes"), ("no", "No"), ("answered", "Answered")],
                rows,
                _suppression_notes(rows, agg.threshold),
            )
        )
    return out


def _plain(text: str) -> str:
    return " ".join(text.replace("*", "").replace("_", " ").split())


def _strengths(
    section: Any, agg: Aggregate, numbers: Mapping[str, str], strength: int, improvement: int
) -> Table:
    good: list[str] = []
    poor: list[str] = []
    for st in section.standards:
        f = agg.standards[st.full_id]
        if not f.scored or f.organisations < agg.threshold:
            continue
        text = (
            f"{numbers.get(st.full_id, '')} {st.title}: {percent_text(f.meeting, f.scored)} meeting"
        )
        if f.share >= strength:
            good.append(text)
        elif f.share < improvement:
            poor.append(text)
    rows = [
        Row(
            str(i + 1),
            str(i + 1),
            (cell(good[i] if i < len(good) else ""), cell(poor[i] if i < len(poor) else "")),
        )
        for i in range(max(len(good), len(poor)))
    ]
    return make_table(
        f"strengths:{section.id}",
        f"{numbers.get(section.id, '')} {section.title}: strengths and areas for "
        "improvement".strip(),
        "",
        [("strengths", "Strengths"), ("improvement", "Areas for improvement")],
        rows,
        [
            f"a strength: {strength}% or more of answers meet the standard; an area for "
            f"improvement: below {improvement}%",
            *(
                []
                if rows
                else ["no standard of this section is a strength or an area for improvement"]
            ),
        ],
    )


def _breakdown_table(
    checklist: Checklist, b: Breakdown, agg: Aggregate, numbers: Mapping[str, str]
) -> Table:
    columns = [(g.id, f"{g.label} ({g.organisations})") for g in b.groups]
    columns.append(("all", f"All ({agg.returns})"))
    rows: list[Row] = []
    notes = list(b.notes)
    for st in checklist.standards():
        overall = agg.standards[st.full_id]
        if not overall.scored:
            continue
        cells = []
        small = False
        for g in b.groups:
            f = b.figures.get(g.id, {}).get(st.full_id) if not g.suppressed else None
            if f is None:
                cells.append(suppressed())
            elif not f.scored:
                cells.append(cell(None, "–"))
            elif f.organisations < agg.threshold:
                cells.append(suppressed())
                small = True
            else:
                cells.append(cell(f.share, percent_text(f.meeting, f.scored)))
        if small:
            # a second cell in the row, so that the suppressed one cannot be worked out
            shown = [i for i, c in enumerate(cells) if not c.suppressed and c.value is not None]
            if len([c for c in cells if c.suppressed]) == 1 and shown:
                i = min(shown, key=lambda i: b.groups[i].organisations)
                cells[i] = suppressed()
            notes.append(
                f"suppressed (*): cells resting on fewer than {agg.threshold} organisations"
            )
        if overall.organisations < agg.threshold:
            cells.append(suppressed())
        else:
            cells.append(cell(overall.share, percent_text(overall.meeting, overall.scored)))
        rows.append(
            Row(st.full_id, f"{numbers.get(st.full_id, '')} {st.title}".strip(), tuple(cells))
        )
    if any(g.suppressed for g in b.groups):
        notes.append(f"suppressed (*): groups of fewer than {agg.threshold} organisations")
    return make_table(
        f"by:{b.dimension}",
        f"Share meeting each standard, by {b.label.lower()}",
        "Standard",
        columns,
        rows,
        notes,
    )


def previous_year(
    chain: Sequence[Checklist], returns: Iterable[Return], **options: Any
) -> tuple[Aggregate, YearMap]:
    """Last year's returns (to ``chain[0]``) mapped onto ``chain[-1]`` and aggregated with
    the same definitions (``options`` as :func:`aggregate` takes them), and the
    mapping: what :func:`thematic` takes as ``previous`` and ``comparison``."""
    from .yoy import map_returns, year_map

    mapped = map_returns(returns, chain)
    return aggregate(chain[-1], mapped, **options), year_map(chain)

"""The triangulated report: self-assessments, case-file audits and a practitioner survey, theme
by theme, with the places where they disagree.

:func:`triangulate` takes checked returns of several sets (the organisations' self-assessments
to ``section11``, ``kcsie`` or ``vcs_checklist``; ``case_file_audit`` audits; and
``practitioner_survey`` responses), the checklists they answer and, optionally, the roster,
and gives a :class:`Triangulation`: for each theme of the shared vocabulary what organisations
rated themselves, what the audited files show and what practitioners said, overall, by
organisation and by type of organisation, as :class:`~.table.Table` values and chart specs;
the :class:`Disagreement` values; and the Warwickshire-style appendix of key strengths and
areas for improvement per theme (:class:`Finding`). Every figure is an :class:`Evidence`
value that says which returns and which questions it was counted from. Everything is a pure
function of its arguments: no file is read, nothing is printed.

Definitions (the report's method section repeats them):

* **Which answers count for a theme.** A question gives evidence on the themes it has (its
  standard's and its own). Self-assessments count rating and yes-no answers (not the yes-no
  questions that decide whether others are asked); audits and the survey count rating answers
  (grades and agreement). Not applicable, Don't know and unanswered questions are left out of
  every share.
* **Meeting.** As in the thematic report: a level at or above the scale's lowest green level
  meets (Met or Fully met and embedded; Good or Outstanding; Agree or Strongly agree); a yes-no
  answer meets when it is Yes.
* **The organisation of a return.** A self-assessment's organisation is the roster's match
  (file name, then the organisation's name). An audit's is its *auditing agency* (the
  organisation named at the top of the audit form), matched to the roster by name. A survey
  response's is the organisation the respondent named, matched by name; its type is the roster
  organisation's, or else the type the respondent chose. Without a roster, organisations are
  matched by name across the three kinds of return.
* **Rates itself as meeting a theme.** At least ``self_met`` per cent (default 80) of the
  organisation's scored self-assessment answers on the theme meet the standard.
* **A disagreement** is called out for an organisation and a theme when the organisation rates
  itself as meeting the theme and either

  - *the audits disagree*: at least ``threshold`` of the files it audited have a grade on the
    theme, and more than half of those grades are Requires improvement or Inadequate; or
  - *its staff disagree*: at least ``threshold`` of its staff answered the theme's statements,
    and fewer than half of their answers agree.

  Both can hold; the disagreement then lists both.
* **Small numbers.** A figure resting on fewer than ``threshold`` returns (organisations, files
  or respondents; default 3) is suppressed (``*``); so is a disagreement's evidence below it
  (it is then not called out). An organisation's own self-rating is its own, not a group's,
  and is shown beside its audits and its staff's answers. Types of organisation under the
  threshold are merged, as in the thematic report.
* **Names.** No organisation is named unless ``name_organisations=True``: rows are labelled by
  the roster's id (``AGY-0003``), or *Organisation 1, 2…* for one not on the roster. A name
  that comes from free text (a survey answer, a return's details) is shown only when the
  personal-data guardrail finds nothing in it. Free-text answers are never part of the figures.
* **Strengths and areas for improvement.** For each theme and kind of evidence, a question
  whose share (of at least ``threshold`` answers) is at least ``strength`` per cent (default
  80) is a strength, one below ``improvement`` (default 60) an area for improvement; the
  ``top`` strongest and weakest of each kind are listed. Disagreements on a theme are an area
  for improvement of that theme.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, Diagnostic
from ..model import Checklist, Theme
from ..returns.model import Return
from .aggregate import meeting_levels
from .roster import Roster, name_key, return_key
from .table import Cell, Row, Table, cell, make_table, percent, percent_text, suppressed

if TYPE_CHECKING:
    from ._charts import Chart

__all__ = [
    "AUDIT",
    "KIND_LABELS",
    "SELF",
    "SURVEY",
    "Disagreement",
    "Evidence",
    "Finding",
    "OrganisationInfo",
    "Triangulation",
    "TriangulationDocument",
    "kind_of",
    "to_report_view",
    "triangulate",
    "triangulation_document",
]

#: The three kinds of evidence.
SELF = "self-assessment"
AUDIT = "case-file-audit"
SURVEY = "survey"
KINDS = (SELF, AUDIT, SURVEY)
KIND_LABELS = {
    SELF: "Self-assessments",
    AUDIT: "Case-file audits",
    SURVEY: "Practitioner survey",
}
#: What meeting is called for each kind.
MEETING_LABELS = {SELF: "Share meeting", AUDIT: "Share Good or better", SURVEY: "Share agreeing"}
#: What a return is called for each kind (in counts).
UNIT = {SELF: "organisations", AUDIT: "files", SURVEY: "respondents"}

#: The bundled instruments that are not self-assessments.
_BUNDLED_KINDS = {"case_file_audit": AUDIT, "practitioner_survey": SURVEY}
#: The survey's questions for the organisation and its type (last part of the full id).
_ORG_QUESTION = "organisation"
_TYPE_QUESTION = "organisation-type"
#: Audit levels that count as Requires improvement or worse when the scale has no green
#: level (the bundled audit's grades are Outstanding, Good, Requires improvement, Inadequate).
_RAG_ORDER = ("green", "amber", "red", "grey")


def kind_of(checklist: Checklist) -> str:
    """The kind of evidence a set gives: ``case_file_audit`` audits, ``practitioner_survey`` a
    survey, any other set a self-assessment."""
    return _BUNDLED_KINDS.get(checklist.id, SELF)


# -- the data ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Evidence:
    """What one kind of return says about one theme (overall, for one organisation, or for one
    group of organisations), and exactly what it was counted from.

    ``returns`` are the sources of the returns that had an answer counted; ``questions`` the
    questions answered, as ``set@version:full.id``; ``levels`` the answers per level id (in the
    scales' order) and ``rag`` per colour (green, amber, red, grey).
    """

    kind: str
    theme: str
    organisation: str = ""
    returns: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    levels: tuple[tuple[str, int], ...] = ()
    rag: tuple[tuple[str, int], ...] = ()
    answers: int = 0
    scored: int = 0
    meeting: int = 0

    @property
    def count(self) -> int:
        """How many returns (organisations, files, respondents) the evidence rests on."""
        return len(self.returns)

    @property
    def share(self) -> int:
        """Per cent of the scored answers meeting, rounded half up."""
        return percent(self.meeting, self.scored)

    @property
    def not_meeting(self) -> int:
        return self.scored - self.meeting

    def level(self, level_id: str) -> int:
        return dict(self.levels).get(level_id, 0)


@attrs.frozen(kw_only=True)
class OrganisationInfo:
    """An organisation the returns are from: its key (the roster id, or ``name:`` and its name
    as compared), the label the report shows, its type and whether it is on the roster."""

    key: str
    label: str
    type: str = ""
    on_roster: bool = False


@attrs.frozen(kw_only=True)
class Disagreement:
    """An organisation rating itself as meeting a theme while its audited files or its staff
    say otherwise (see the module), with the evidence of each side."""

    organisation: str
    label: str
    type: str
    theme: str
    self_rating: Evidence
    #: The audits' evidence when they disagree (None when they do not, or are too few).
    audits: Evidence | None = None
    #: The staff's evidence when they disagree (None when they do not, or are too few).
    survey: Evidence | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """``audits``, ``staff`` or both."""
        return tuple(
            r for r, e in (("audits", self.audits), ("staff", self.survey)) if e is not None
        )

    def describe(self, theme_title: str = "") -> str:
        """One sentence for the report."""
        s = self.self_rating
        title = theme_title or self.theme
        title = title[:1].lower() + title[1:] if title[1:2].islower() else title
        parts = [
            f"{self.label} rated itself as meeting {title} "
            f"({s.meeting} of {s.scored} answers, {s.share}%)"
        ]
        if self.audits is not None:
            a = self.audits
            parts.append(
                f"{a.not_meeting} of {a.scored} grades in its {a.count} audited files are "
                f"Requires improvement or Inadequate"
            )
        if self.survey is not None:
            v = self.survey
            parts.append(
                f"{v.meeting} of {v.scored} answers from its {v.count} staff agree ({v.share}%)"
            )
        return parts[0] + ", but " + " and ".join(parts[1:]) + "."


@attrs.frozen(kw_only=True)
class Finding:
    """A key strength or area for improvement of a theme, with its evidence."""

    theme: str
    #: ``strength`` or ``improvement``.
    kind: str
    text: str
    evidence: tuple[Evidence, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()


@attrs.frozen(kw_only=True)
class Triangulation:
    """Everything the triangulated report shows (see :func:`triangulate`)."""

    themes: tuple[Theme, ...]
    threshold: int
    #: (kind, set, version, returns counted), in the order given.
    sources: tuple[tuple[str, str, str, int], ...]
    organisations: tuple[OrganisationInfo, ...]
    #: Per (theme, kind): the evidence over every return of that kind.
    overall: Mapping[tuple[str, str], Evidence] = attrs.field(eq=False, repr=False)
    #: Per (organisation key, theme, kind): that organisation's evidence.
    by_organisation: Mapping[tuple[str, str, str], Evidence] = attrs.field(eq=False, repr=False)
    disagreements: tuple[Disagreement, ...]
    findings: tuple[Finding, ...]
    tables: tuple[Table, ...]
    #: (id, chart) for each chart, in the report's order.
    charts: tuple[tuple[str, Chart], ...]
    skipped: tuple[Diagnostic, ...]
    method: tuple[str, ...]

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)


# -- counting ----------------------------------------------------------------------------------


@attrs.frozen
class _Q:
    """A question that gives evidence on themes, and what its answers mean."""

    ref: str
    id: str
    themes: tuple[str, ...]
    meets: frozenset[str]
    scored: frozenset[str]
    colour: Mapping[str, str]


def _filters(checklist: Checklist) -> frozenset[str]:
    out: set[str] = set()
    for q in checklist.questions():
        if q.ask_if is not None:
            out.update(q.ask_if.questions())
    return frozenset(out)


def _measured(checklist: Checklist, kind: str) -> list[_Q]:
    filters = _filters(checklist)
    out: list[_Q] = []
    for q in checklist.questions():
        if not q.themes:
            continue
        if q.type == "rating":
            scale = checklist.scale(q.scale)
            if scale is None:
                continue
            meets = meeting_levels(scale)
            if not meets:
                continue
            out.append(
                _Q(
                    checklist.ref,
                    q.full_id,
                    q.themes,
                    meets,
                    frozenset(lv.id for lv in scale.levels if lv.scored),
                    {lv.id: lv.rag or "grey" for lv in scale.levels},
                )
            )
        elif q.type == "yes-no" and kind == SELF and q.full_id not in filters:
            out.append(
                _Q(
                    checklist.ref,
                    q.full_id,
                    q.themes,
                    frozenset({"yes"}),
                    frozenset({"yes", "no"}),
                    {"yes": "green", "no": "red"},
                )
            )
    return out


def _tally(
    kind: str,
    theme: str,
    returns: Iterable[Return],
    index: Mapping[tuple[str, str], Mapping[str, Sequence[_Q]]],
    level_order: Sequence[str],
    organisation: str = "",
) -> Evidence:
    levels: Counter[str] = Counter()
    rag: Counter[str] = Counter()
    sources: list[str] = []
    questions: set[str] = set()
    answers = scored = meeting = 0
    for ret in returns:
        qs = index.get((ret.set, ret.version), {}).get(theme, ())
        used = False
        for q in qs:
            a = ret.answer(q.id)
            if a is None or not a.asked or not isinstance(a.value, str) or not a.value:
                continue
            used = True
            answers += 1
            levels[a.value] += 1
            rag[q.colour.get(a.value, "grey")] += 1
            questions.add(f"{q.ref}:{q.id}")
            if a.value in q.scored:
                scored += 1
                if a.value in q.meets:
                    meeting += 1
        if used:
            sources.append(ret.source)
    order = {lv: i for i, lv in enumerate(level_order)}
    return Evidence(
        kind=kind,
        theme=theme,
        organisation=organisation,
        returns=tuple(sorted(sources)),
        questions=tuple(sorted(questions)),
        levels=tuple(sorted(levels.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))),
        rag=tuple(
            (c, rag[c]) for c in (*_RAG_ORDER, *sorted(set(rag) - set(_RAG_ORDER))) if rag[c]
        ),
        answers=answers,
        scored=scored,
        meeting=meeting,
    )


# -- organisations -----------------------------------------------------------------------------


def _question_ending(checklist: Checklist, last: str, qtype: tuple[str, ...]) -> str:
    for q in checklist.questions():
        if q.full_id.rpartition(".")[2] == last and q.type in qtype:
            return q.full_id
    return ""


def _safe(text: str) -> bool:
    from ..returns.privacy import scan

    return not scan(text)


class _Orgs:
    """Which organisation each return is from (see the module)."""

    def __init__(self, roster: Roster | None) -> None:
        self.roster = roster
        self.by_name = (
            {name_key(o.name): o for o in reversed(roster.organisations)} if roster else {}
        )
        self.types: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.order: list[str] = []

    def _note(self, key: str, type_: str, name: str) -> str:
        if key not in self.types:
            self.order.append(key)
            self.types[key] = type_
        elif not self.types[key] and type_:
            self.types[key] = type_
        if name and key not in self.names:
            self.names[key] = name
        return key

    def of_name(self, name: str, type_: str = "") -> str:
        """The key of the organisation called ``name`` ("" when no name is given)."""
        if not name_key(name):
            return ""
        org = self.by_name.get(name_key(name))
        if org is not None:
            return self._note(org.id, org.type, "")
        return self._note("name:" + name_key(name), type_, name)

    def of_self(self, ret: Return) -> str:
        org = self.roster.match(ret) if self.roster is not None else None
        if org is not None:
            return self._note(org.id, org.type, "")
        if ret.organisation:
            return self.of_name(ret.organisation)
        return self._note("file:" + return_key(ret), "", "")

    def info(self, name_organisations: bool) -> dict[str, OrganisationInfo]:
        out: dict[str, OrganisationInfo] = {}
        unlisted = 0
        roster_ids = {o.id: o for o in self.roster.organisations} if self.roster else {}
        listed = [k for k in self.order if k in roster_ids]
        others = sorted(k for k in self.order if k not in roster_ids)
        for key in sorted(listed) + others:
            org = roster_ids.get(key)
            if org is not None:
                label = org.name if name_organisations and org.name else org.id
            else:
                unlisted += 1
                name = self.names.get(key, "")
                label = (
                    name
                    if name_organisations and name and _safe(name)
                    else f"Organisation {unlisted} (not on the roster)"
                    if self.roster is not None
                    else f"Organisation {unlisted}"
                )
            out[key] = OrganisationInfo(
                key=key, label=label, type=self.types.get(key, ""), on_roster=org is not None
            )
        return out


def _type_label(value: str) -> str:
    return value.replace("-", " ").capitalize() if value else "Not known"


# -- the triangulation -------------------------------------------------------------------------


def triangulate(
    checklists: Sequence[Checklist],
    returns: Iterable[Return],
    *,
    roster: Roster | None = None,
    threshold: int = 3,
    name_organisations: bool = False,
    self_met: int = 80,
    strength: int = 80,
    improvement: int = 60,
    top: int = 3,
    kinds: Mapping[str, str] | None = None,
) -> Triangulation:
    """The triangulated report's data (see the module).

    ``checklists`` are the versions the returns answer (a return to another version is left
    out, with a warning SG640 in :attr:`Triangulation.skipped`). ``kinds`` maps a set id to
    its kind of evidence (:data:`SELF`, :data:`AUDIT`, :data:`SURVEY`) where :func:`kind_of`
    would guess wrong, for a partnership's own instruments.
    """
    by_ref = {(c.id, c.version): c for c in checklists}
    kind_for = {c.id: (kinds or {}).get(c.id, kind_of(c)) for c in checklists}
    themes: dict[str, Theme] = {}
    for c in checklists:
        for declared in c.themes:
            themes.setdefault(declared.id, declared)
    index: dict[tuple[str, str], dict[str, list[_Q]]] = {}
    level_order: dict[str, list[str]] = {k: [] for k in KINDS}
    for ref, c in by_ref.items():
        per: dict[str, list[_Q]] = {}
        for q in _measured(c, kind_for[c.id]):
            for t in q.themes:
                per.setdefault(t, []).append(q)
        index[ref] = per
        for scale in c.scales:
            for lv in scale.levels:
                if lv.id not in level_order[kind_for[c.id]]:
                    level_order[kind_for[c.id]].append(lv.id)

    skipped: list[Diagnostic] = []
    orgs = _Orgs(roster)
    grouped: dict[str, list[tuple[str, Return]]] = {k: [] for k in KINDS}
    self_kept: dict[str, Return] = {}
    counted: Counter[tuple[str, str]] = Counter()
    for ret in returns:
        checklist = by_ref.get((ret.set, ret.version))
        if checklist is None:
            known = ", ".join(f"{s}@{v}" for s, v in by_ref)
            skipped.append(
                Diagnostic(
                    Code.TRIANGULATE_RETURN_SKIPPED,
                    f"the return answers {ret.set}@{ret.version}, which is not one of the sets "
                    f"of this report ({known})",
                    ret.source,
                    hint="give the set version it answers too, or leave the file out",
                )
            )
            continue
        kind = kind_for[checklist.id]
        if kind == SELF:
            key = orgs.of_self(ret)
            slot = f"{key}\x1f{ret.set}"
            before = self_kept.get(slot)
            if before is not None:
                later, earlier = sorted(
                    (before, ret), key=lambda r: (r.file_date, r.source), reverse=True
                )
                skipped.append(
                    Diagnostic(
                        Code.TRIANGULATE_RETURN_SKIPPED,
                        f"a second self-assessment from the same organisation; {later.source} "
                        "is used",
                        earlier.source,
                        hint="remove the older return from the folder if it is not wanted",
                    )
                )
                self_kept[slot] = later
                continue
            self_kept[slot] = ret
            continue
        if kind == AUDIT:
            key = orgs.of_name(ret.organisation)
        else:
            answer = ret.answer(_question_ending(checklist, _ORG_QUESTION, ("text",)))
            type_answer = ret.answer(
                _question_ending(checklist, _TYPE_QUESTION, ("choice", "text"))
            )
            type_ = (
                type_answer.value
                if type_answer is not None and isinstance(type_answer.value, str)
                else ""
            )
            name = answer.value if answer is not None and isinstance(answer.value, str) else ""
            key = orgs.of_name(name, type_)
            if key and type_ and not orgs.types.get(key):
                orgs.types[key] = type_
        grouped[kind].append((key, ret))
        counted[(ret.set, ret.version)] += 1
    for slot, ret in self_kept.items():
        grouped[SELF].append((slot.partition("\x1f")[0], ret))
        counted[(ret.set, ret.version)] += 1

    info = orgs.info(name_organisations)
    theme_ids = list(themes)
    overall: dict[tuple[str, str], Evidence] = {}
    by_org: dict[tuple[str, str, str], Evidence] = {}
    per_org_returns: dict[tuple[str, str], list[Return]] = {}
    for kind in KINDS:
        for key, ret in grouped[kind]:
            if key:
                per_org_returns.setdefault((key, kind), []).append(ret)
    for t in theme_ids:
        for kind in KINDS:
            overall[(t, kind)] = _tally(
                kind, t, (r for _, r in grouped[kind]), index, level_order[kind]
            )
        for (key, kind), rets in per_org_returns.items():
            by_org[(key, t, kind)] = _tally(kind, t, rets, index, level_order[kind], key)

    disagreements = _disagreements(info, theme_ids, by_org, threshold, self_met)
    findings = _findings(
        themes,
        by_ref,
        kind_for,
        grouped,
        index,
        level_order,
        disagreements,
        threshold,
        strength,
        improvement,
        top,
    )
    sources = tuple((kind_for[s], s, v, counted[(s, v)]) for s, v in by_ref)
    method = _method(threshold, self_met, strength, improvement, name_organisations)
    tables = _tables(
        themes,
        info,
        overall,
        by_org,
        disagreements,
        findings,
        threshold,
        level_order,
        by_ref,
        grouped,
        index,
    )
    charts = _charts(themes, overall, threshold, level_order, by_ref, kind_for)
    return Triangulation(
        themes=tuple(themes.values()),
        threshold=threshold,
        sources=sources,
        organisations=tuple(info.values()),
        overall=overall,
        by_organisation=by_org,
        disagreements=tuple(disagreements),
        findings=tuple(findings),
        tables=tuple(tables),
        charts=tuple(charts),
        skipped=tuple(skipped),
        method=method,
    )


def _disagreements(
    info: Mapping[str, OrganisationInfo],
    theme_ids: Sequence[str],
    by_org: Mapping[tuple[str, str, str], Evidence],
    threshold: int,
    self_met: int,
) -> list[Disagreement]:
    out: list[Disagreement] = []
    for key, org in info.items():
        for t in theme_ids:
            s = by_org.get((key, t, SELF))
            if s is None or not s.scored or s.share < self_met:
                continue
            a = by_org.get((key, t, AUDIT))
            v = by_org.get((key, t, SURVEY))
            audits = (
                a
                if a is not None and a.count >= threshold and 2 * a.not_meeting > a.scored
                else None
            )
            survey = (
                v if v is not None and v.count >= threshold and 2 * v.meeting < v.scored else None
            )
            if audits is None and survey is None:
                continue
            out.append(
                Disagreement(
                    organisation=key,
                    label=org.label,
                    type=org.type,
                    theme=t,
                    self_rating=s,
                    audits=audits,
                    survey=survey,
                )
            )
    return out


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split())


def _findings(
    themes: Mapping[str, Theme],
    by_ref: Mapping[tuple[str, str], Checklist],
    kind_for: Mapping[str, str],
    grouped: Mapping[str, Sequence[tuple[str, Return]]],
    index: Mapping[tuple[str, str], Mapping[str, Sequence[_Q]]],
    level_order: Mapping[str, Sequence[str]],
    disagreements: Sequence[Disagreement],
    threshold: int,
    strength: int,
    improvement: int,
    top: int,
) -> list[Finding]:
    out: list[Finding] = []
    numbers = {ref: c.numbering() for ref, c in by_ref.items()}
    for t in themes:
        good: list[tuple[int, int, Finding]] = []
        poor: list[tuple[int, int, Finding]] = []
        for k_i, kind in enumerate(KINDS):
            kind_good: list[tuple[int, int, Finding]] = []
            kind_poor: list[tuple[int, int, Finding]] = []
            for ref, c in by_ref.items():
                if kind_for[c.id] != kind:
                    continue
                rets = [r for _, r in grouped[kind] if (r.set, r.version) == ref]
                for q_i, q in enumerate(index[ref].get(t, ())):
                    single = {ref: {t: [q]}}
                    e = _tally(kind, t, rets, single, level_order[kind])
                    if e.count < threshold or not e.scored:
                        continue
                    question = c.question(q.id)
                    text = _plain(question.text) if question is not None else q.id
                    number = numbers[ref].get(q.id, "")
                    verb = {
                        SELF: "meet the standard",
                        AUDIT: "are Good or better",
                        SURVEY: "agree",
                    }[kind]
                    sentence = (
                        f"{KIND_LABELS[kind]} ({c.id} {number}): {text} — {e.meeting} of "
                        f"{e.scored} answers {verb} ({e.share}%)"
                    )
                    if e.share >= strength:
                        kind_good.append(
                            (
                                -e.share,
                                q_i,
                                Finding(theme=t, kind="strength", text=sentence, evidence=(e,)),
                            )
                        )
                    elif e.share < improvement:
                        kind_poor.append(
                            (
                                e.share,
                                q_i,
                                Finding(theme=t, kind="improvement", text=sentence, evidence=(e,)),
                            )
                        )
            good += [(k_i, i, f) for i, (_, _, f) in enumerate(sorted(kind_good, key=_rank)[:top])]
            poor += [(k_i, i, f) for i, (_, _, f) in enumerate(sorted(kind_poor, key=_rank)[:top])]
        out += [f for _, _, f in sorted(good, key=_rank)]
        theirs = [d for d in disagreements if d.theme == t]
        if theirs:
            audits = sum(1 for d in theirs if d.audits is not None)
            staff = sum(1 for d in theirs if d.survey is not None)
            out.append(
                Finding(
                    theme=t,
                    kind="improvement",
                    text=(
                        f"{len(theirs)} organisation(s) rated themselves as meeting this theme "
                        f"while their audited files ({audits}) or their staff ({staff}) said "
                        "otherwise (see the disagreements)"
                    ),
                    evidence=tuple(
                        e
                        for d in theirs
                        for e in (d.self_rating, d.audits, d.survey)
                        if e is not None
                    ),
                    disagreements=tuple(theirs),
                )
            )
        out += [f for _, _, f in sorted(poor, key=_rank)]
    return out


def _rank(item: tuple[int, int, Finding]) -> tuple[int, int]:
    return (item[0], item[1])


# -- tables ------------------------------------------------------------------------------------


def _share_cell(e: Evidence | None, threshold: int) -> tuple:  # type: ignore[type-arg]
    """(count cell, share cell) of some evidence, suppressed below the threshold."""
    if e is None or not e.count:
        return (cell(0), cell(None, "–"))
    if e.count < threshold:
        return (cell(e.count, f"fewer than {threshold}"), suppressed())
    if not e.scored:
        return (cell(e.count), cell(None, "–"))
    return (cell(e.count), cell(e.share, percent_text(e.meeting, e.scored)))


def _level_labels(by_ref: Mapping[tuple[str, str], Checklist]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for c in by_ref.values():
        for s in c.scales:
            for lv in s.levels:
                labels.setdefault(lv.id, lv.label)
    return labels


def _levels_used(
    kind: str, overall: Mapping[tuple[str, str], Evidence], level_order: Sequence[str]
) -> list[str]:
    used = {lv for (_, k), e in overall.items() if k == kind for lv, _ in e.levels}
    return [lv for lv in level_order if lv in used]


def _distribution_row(
    row_id: str, label: str, e: Evidence, levels: Sequence[str], threshold: int
) -> Row:
    if e.count < threshold:
        return Row(
            row_id,
            label,
            (
                cell(e.count, f"fewer than {threshold}"),
                *(suppressed() for _ in levels),
                suppressed(),
            ),
        )
    return Row(
        row_id,
        label,
        (
            cell(e.count),
            *(
                cell(e.level(lv), f"{e.level(lv)} ({percent(e.level(lv), e.answers)}%)")
                for lv in levels
            ),
            cell(e.share, percent_text(e.meeting, e.scored)) if e.scored else cell(None, "–"),
        ),
    )


def _tables(
    themes: Mapping[str, Theme],
    info: Mapping[str, OrganisationInfo],
    overall: Mapping[tuple[str, str], Evidence],
    by_org: Mapping[tuple[str, str, str], Evidence],
    disagreements: Sequence[Disagreement],
    findings: Sequence[Finding],
    threshold: int,
    level_order: Mapping[str, Sequence[str]],
    by_ref: Mapping[tuple[str, str], Checklist],
    grouped: Mapping[str, Sequence[tuple[str, Return]]],
    index: Mapping[tuple[str, str], Mapping[str, Sequence[_Q]]],
) -> list[Table]:
    from .aggregate import _groups

    tables: list[Table] = []
    supp_note = f"suppressed (*): fewer than {threshold} organisations, files or respondents"
    # overview
    rows = []
    for t, theme in themes.items():
        cells: list[Cell] = []
        for kind in KINDS:
            cells.extend(_share_cell(overall[(t, kind)], threshold))
        n = sum(1 for d in disagreements if d.theme == t)
        rows.append(Row(t, theme.title, (*cells, cell(n))))
    tables.append(
        make_table(
            "triangulation:overview",
            "Each theme: self-assessments, case-file audits and practitioners side by side",
            "Theme",
            [
                ("self-organisations", "Organisations (self-assessment)"),
                ("self-share", "Share meeting"),
                ("audit-files", "Audited files"),
                ("audit-share", "Share Good or better"),
                ("survey-respondents", "Practitioners"),
                ("survey-share", "Share agreeing"),
                ("disagreements", "Disagreements"),
            ],
            rows,
            [
                "shares are of the scored answers on the theme's questions; Not applicable and "
                "Don't know are left out",
                *([supp_note] if any(c.suppressed for r in rows for c in r.cells) else []),
            ],
        )
    )
    labels = _level_labels(by_ref)
    for t, theme in themes.items():
        # self-assessments: per set, RAG distribution
        self_rows = []
        per_set: dict[tuple[str, str], list[Return]] = {}
        for _, r in grouped[SELF]:
            per_set.setdefault((r.set, r.version), []).append(r)
        for ref, rets in per_set.items():
            e = _tally(SELF, t, rets, index, level_order[SELF])
            if not e.count:
                continue
            self_rows.append(
                _rag_row(f"{ref[0]}@{ref[1]}", by_ref[ref].title + f" ({ref[1]})", e, threshold)
            )
        all_self = overall[(t, SELF)]
        if all_self.count:
            self_rows.append(_rag_row("all", "All self-assessments", all_self, threshold))
        tables.append(
            make_table(
                f"triangulation:self:{t}",
                f"{theme.title}: what organisations rated themselves",
                "Standard set",
                [
                    ("organisations", "Organisations"),
                    ("green", "Green"),
                    ("amber", "Amber"),
                    ("red", "Red"),
                    ("grey", "Not applicable"),
                    ("share", "Share meeting"),
                ],
                self_rows,
                [
                    "answers on the theme's questions by the colour of the level chosen (a Yes "
                    "is green, a No red), with the percentage of answers given",
                    *([supp_note] if any(c.suppressed for r in self_rows for c in r.cells) else []),
                    *([] if self_rows else ["no self-assessment answers on this theme"]),
                ],
            )
        )
        # audits and survey: level distributions, overall, by type, by organisation
        for kind, title, heading in (
            (AUDIT, "what the case-file audits found", "Auditing organisation"),
            (SURVEY, "what practitioners said", "Organisation"),
        ):
            levels = _levels_used(kind, overall, level_order[kind])
            rows = []
            notes: list[str] = []
            all_e = overall[(t, kind)]
            if all_e.count:
                rows.append(_distribution_row("all", f"All {UNIT[kind]}", all_e, levels, threshold))
                # by type of organisation
                sizes: Counter[str] = Counter()
                members: dict[str, list[Return]] = {}
                for key, r in grouped[kind]:
                    type_ = info[key].type if key in info else ""
                    members.setdefault(type_, []).append(r)
                for type_, rets in members.items():
                    sizes[type_] = _tally(kind, t, rets, index, level_order[kind]).count
                sizes_sorted = {k: sizes[k] for k in sorted(sizes) if sizes[k]}
                groups, group_notes = _groups(
                    sizes_sorted, {k: _type_label(k) for k in sizes_sorted}, threshold
                )
                notes += group_notes
                for g in groups:
                    rets = [r for v in g.merged or (g.id,) for r in members[v]]
                    e = _tally(kind, t, rets, index, level_order[kind])
                    label = f"Type: {g.label}"
                    if g.suppressed:
                        rows.append(
                            Row(
                                f"type:{g.id}",
                                label,
                                (suppressed(), *(suppressed() for _ in levels), suppressed()),
                            )
                        )
                    else:
                        rows.append(_distribution_row(f"type:{g.id}", label, e, levels, threshold))
                for key, org in info.items():
                    mine = by_org.get((key, t, kind))
                    if mine is None or not mine.count:
                        continue
                    rows.append(_distribution_row(f"org:{key}", org.label, mine, levels, threshold))
            notes.insert(
                0,
                "counts of answers on the theme's questions, with the percentage of answers given",
            )
            if any(c.suppressed for r in rows for c in r.cells):
                notes.append(supp_note)
            if not rows:
                notes.append(f"no {KIND_LABELS[kind].lower()} answers on this theme")
            tables.append(
                make_table(
                    f"triangulation:{'audits' if kind == AUDIT else 'survey'}:{t}",
                    f"{theme.title}: {title}",
                    heading,
                    [
                        (UNIT[kind], UNIT[kind].capitalize()),
                        *((lv, labels.get(lv, lv)) for lv in levels),
                        ("share", MEETING_LABELS[kind]),
                    ],
                    rows,
                    notes,
                )
            )
        # side by side per organisation
        side_rows = []
        flagged = {d.organisation: d for d in disagreements if d.theme == t}
        for key, org in info.items():
            es = [by_org.get((key, t, kind)) for kind in KINDS]
            if not any(e is not None and e.count for e in es):
                continue
            own = es[0]
            cells = [
                cell(own.scored if own else 0),
                cell(own.share, percent_text(own.meeting, own.scored))
                if own is not None and own.scored
                else cell(None, "–"),
            ]
            for other in es[1:]:
                cells.extend(_share_cell(other, threshold))
            d = flagged.get(key)
            cells.append(cell(", ".join(d.reasons) if d else "", _reason_text(d)))
            side_rows.append(Row(key, org.label, (cell(_type_label(org.type)), *cells)))
        tables.append(
            make_table(
                f"triangulation:organisations:{t}",
                f"{theme.title}: each organisation's evidence side by side",
                "Organisation",
                [
                    ("type", "Type"),
                    ("self-answers", "Self-assessment answers"),
                    ("self-share", "Share meeting"),
                    ("audit-files", "Audited files"),
                    ("audit-share", "Share Good or better"),
                    ("survey-respondents", "Practitioners"),
                    ("survey-share", "Share agreeing"),
                    ("disagreement", "Disagreement"),
                ],
                side_rows,
                [
                    "an organisation's own self-assessment is shown as it rated itself (its scored "
                    "answers on the theme); audits and practitioners are counted in files and "
                    "respondents",
                    *([supp_note] if any(c.suppressed for r in side_rows for c in r.cells) else []),
                ],
            )
        )
    # disagreements
    rows = []
    for i, d in enumerate(disagreements, 1):
        s = d.self_rating
        rows.append(
            Row(
                f"{d.organisation}:{d.theme}",
                d.label,
                (
                    cell(d.theme, themes[d.theme].title),
                    cell(s.share, f"{s.meeting} of {s.scored} meeting ({s.share}%)"),
                    cell(
                        d.audits.not_meeting,
                        f"{d.audits.not_meeting} of {d.audits.scored} "
                        f"grades below Good, {d.audits.count} files",
                    )
                    if d.audits
                    else cell(None, ""),
                    cell(
                        d.survey.share,
                        f"{d.survey.meeting} of {d.survey.scored} agree "
                        f"({d.survey.share}%), {d.survey.count} practitioners",
                    )
                    if d.survey
                    else cell(None, ""),
                    cell(i, _evidence_text(d)),
                ),
            )
        )
    tables.append(
        make_table(
            "triangulation:disagreements",
            "Where the evidence disagrees",
            "Organisation",
            [
                ("theme", "Theme"),
                ("self", "Self-assessment"),
                ("audits", "Case-file audits"),
                ("survey", "Practitioners"),
                ("evidence", "Evidence"),
            ],
            rows,
            [
                "an organisation rating itself as meeting a theme while more than half the grades "
                "of its audited files are Requires improvement or Inadequate, or fewer than half "
                "of its staff's answers agree",
                f"called out only where at least {threshold} files or {threshold} practitioners "
                "give the evidence",
                *([] if rows else ["no disagreement was found"]),
            ],
        )
    )
    # appendix
    for t, theme in themes.items():
        good = [f.text for f in findings if f.theme == t and f.kind == "strength"]
        poor = [f.text for f in findings if f.theme == t and f.kind == "improvement"]
        rows = [
            Row(
                str(i + 1),
                str(i + 1),
                (cell(good[i] if i < len(good) else ""), cell(poor[i] if i < len(poor) else "")),
            )
            for i in range(max(len(good), len(poor)))
        ]
        tables.append(
            make_table(
                f"triangulation:appendix:{t}",
                f"{theme.title}: key strengths and areas for improvement",
                "",
                [("strengths", "Strengths identified"), ("improvement", "Areas for improvement")],
                rows,
                [] if rows else ["no strength or area for improvement on this theme"],
            )
        )
    return tables


def _reason_text(d: Disagreement | None) -> str:
    if d is None:
        return ""
    return " and ".join(
        {"audits": "audits disagree", "staff": "staff disagree"}[r] for r in d.reasons
    ).capitalize()


def _evidence_text(d: Disagreement) -> str:
    parts = []
    for e in (d.self_rating, d.audits, d.survey):
        if e is None:
            continue
        parts.append(
            f"{KIND_LABELS[e.kind]}: {e.count} return(s), questions "
            + ", ".join(q.partition(":")[2] for q in e.questions)
        )
    return "; ".join(parts)


def _rag_row(row_id: str, label: str, e: Evidence, threshold: int) -> Row:
    if e.count < threshold:
        return Row(
            row_id,
            label,
            (cell(e.count, f"fewer than {threshold}"), *(suppressed() for _ in range(5))),
        )
    rag = dict(e.rag)
    return Row(
        row_id,
        label,
        (
            cell(e.count),
            *(
                cell(rag.get(c, 0), f"{rag.get(c, 0)} ({percent(rag.get(c, 0), e.answers)}%)")
                for c in ("green", "amber", "red", "grey")
            ),
            cell(e.share, percent_text(e.meeting, e.scored)) if e.scored else cell(None, "–"),
        ),
    )


# -- charts ------------------------------------------------------------------------------------


def _charts(
    themes: Mapping[str, Theme],
    overall: Mapping[tuple[str, str], Evidence],
    threshold: int,
    level_order: Mapping[str, Sequence[str]],
    by_ref: Mapping[tuple[str, str], Checklist],
    kind_for: Mapping[str, str],
) -> list[tuple[str, Chart]]:
    from ._charts import GroupedBars, Series, StackedBars

    out: list[tuple[str, Chart]] = []
    titles = [t.title for t in themes.values()]
    series = []
    empty: list[str] = []
    for kind in KINDS:
        values: list[float | None] = []
        for t in themes:
            e = overall[(t, kind)]
            values.append(0.0 if not e.scored else None if e.count < threshold else float(e.share))
        if any(e.count for (_, k), e in overall.items() if k == kind):
            series.append(Series(f"{KIND_LABELS[kind]}: {MEETING_LABELS[kind].lower()}", values))
            silent = [themes[t].title for t in themes if not overall[(t, kind)].scored]
            if silent:
                empty.append(f"{KIND_LABELS[kind]} give no evidence on " + ", ".join(silent))
    if series:
        out.append(
            (
                "triangulation-overview",
                GroupedBars(
                    title="Each theme: share meeting, Good or better, and agreeing",
                    categories=titles,
                    series=series,
                    unit="%",
                    note=" ".join(
                        [
                            f"Bars resting on fewer than {threshold} returns are suppressed.",
                            *(f"{x} (shown as 0)." for x in empty),
                        ]
                    ),
                    category_label="Theme",
                    axis_label="Per cent of scored answers",
                ),
            )
        )
    labels = _level_labels(by_ref)
    rags: dict[str, str] = {}
    for c in by_ref.values():
        for s in c.scales:
            for lv in s.levels:
                rags.setdefault(
                    f"{kind_for[c.id]}:{lv.id}",
                    lv.rag if lv.rag in ("green", "amber", "red", "grey") else "",
                )
    for kind, chart_id, title in (
        (AUDIT, "triangulation-audits", "Case-file audit grades by theme"),
        (SURVEY, "triangulation-survey", "Practitioners' answers by theme"),
    ):
        levels = _levels_used(kind, overall, level_order[kind])
        shown = [t for t in themes if overall[(t, kind)].answers]
        if not levels or not shown:
            continue
        stacks = []
        for level_id in levels:
            vals: list[float | None] = []
            for t in shown:
                e = overall[(t, kind)]
                vals.append(
                    None if e.count < threshold else round(100 * e.level(level_id) / e.answers, 1)
                )
            stacks.append(
                Series(labels.get(level_id, level_id), vals, rags.get(f"{kind}:{level_id}", ""))
            )
        out.append(
            (
                chart_id,
                StackedBars(
                    title=title,
                    categories=[themes[t].title for t in shown],
                    series=stacks,
                    unit="%",
                    note=(
                        f"Per cent of answers on each theme; fewer than {threshold} returns: "
                        "suppressed."
                    ),
                    category_label="Theme",
                    axis_label="Per cent of answers",
                ),
            )
        )
    return out


def _method(
    threshold: int, self_met: int, strength: int, improvement: int, names: bool
) -> tuple[str, ...]:
    return (
        "A question gives evidence on the themes of its standard and any it lists itself. "
        "Self-assessments count rating and yes-no answers; case-file audits count grades; the "
        "survey counts agreement. Not applicable, Don't know and unanswered are left out of "
        "every share.",
        "An audit belongs to its auditing agency; a survey response to the organisation the "
        "respondent named.",
        f"An organisation rates itself as meeting a theme when at least {self_met}% of its "
        "scored self-assessment answers on the theme meet the standard.",
        "A disagreement: the organisation rates itself as meeting a theme, and more than half "
        "the grades of its audited files on the theme are Requires improvement or Inadequate, "
        f"or fewer than half of its staff's answers agree; each resting on at least {threshold} "
        "files or practitioners.",
        f"A strength: {strength}% or more; an area for improvement: below {improvement}%.",
        f"Figures resting on fewer than {threshold} organisations, files or practitioners are "
        "suppressed (*).",
        "Organisations are named."
        if names
        else "Organisations are not named: rows show the "
        "roster's id, or a number for an organisation not on the roster.",
    )


# -- the document ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TriangulationDocument:
    """The report laid out for a document writer: a title, facts, and blocks in order. Each
    block is ``("heading", level, text)``, ``("paragraph", text)``, ``("bullets", items)``,
    ``("table", Table)`` or ``("figure", id, chart)`` — the blocks of the report views."""

    title: str
    facts: tuple[tuple[str, str], ...]
    blocks: tuple[tuple[object, ...], ...]
    name: str = "triangulation"


def triangulation_document(
    tri: Triangulation, *, title: str = "Triangulated review", generated_on: str = ""
) -> TriangulationDocument:
    """:func:`triangulate`'s result in reading order: the evidence used, the overview and its
    chart, the disagreements, each theme's tables, the appendix and the method."""
    charts = dict(tri.charts)
    facts: list[tuple[str, str]] = [
        (KIND_LABELS[kind], f"{n} {UNIT[kind]} ({s}@{v})") for kind, s, v, n in tri.sources
    ]
    if generated_on:
        facts.append(("Produced on", generated_on))
    blocks: list[tuple[object, ...]] = [
        ("heading", 2, "The evidence"),
        (
            "paragraph",
            "This report sets three kinds of evidence side by side under the same themes: what "
            "organisations said about themselves, what audits of case files found, and what "
            "practitioners said in the survey.",
        ),
        ("table", tri.table("triangulation:overview")),
    ]
    if "triangulation-overview" in charts:
        blocks.append(("figure", "triangulation-overview", charts["triangulation-overview"]))
    blocks += [
        ("heading", 2, "Where the evidence disagrees"),
        ("table", tri.table("triangulation:disagreements")),
    ]
    if tri.disagreements:
        blocks.append(
            ("bullets", tuple(d.describe(tri.theme(d.theme).title) for d in tri.disagreements))
        )
    for cid in ("triangulation-audits", "triangulation-survey"):
        if cid in charts:
            blocks.append(("figure", cid, charts[cid]))
    for t in tri.themes:
        blocks.append(("heading", 2, t.title))
        if t.describe:
            blocks.append(("paragraph", _plain(t.describe)))
        for part in ("self", "audits", "survey", "organisations"):
            blocks.append(("table", tri.table(f"triangulation:{part}:{t.id}")))
    blocks.append(("heading", 2, "Appendix: key strengths and areas for improvement"))
    for t in tri.themes:
        blocks.append(("table", tri.table(f"triangulation:appendix:{t.id}")))
    blocks += [("heading", 2, "Method"), ("bullets", tri.method)]
    return TriangulationDocument(title=title, facts=tuple(facts), blocks=tuple(blocks))


def to_report_view(document: TriangulationDocument) -> Any:
    """The document as a :class:`~.views.ReportView` (``kind="triangulation"``), the value the
    report writers print as HTML, PDF, DOCX, Markdown or XLSX: each block becomes the view's
    block of the same name. Needs the report views (:mod:`.views`)."""
    import importlib

    views = importlib.import_module(f"{__package__}.views")
    blocks: list[Any] = []
    for block in document.blocks:
        what = block[0]
        if what == "heading":
            blocks.append(views.Heading(block[1], block[2]))
        elif what == "paragraph":
            blocks.append(views.Paragraph(block[1]))
        elif what == "bullets":
            blocks.append(views.Bullets(block[1]))
        elif what == "table":
            blocks.append(views.TableBlock(block[1]))
        elif what == "figure":
            blocks.append(views.Figure(block[1], block[2]))
    return views.ReportView(
        kind="triangulation",
        title=document.title,
        facts=document.facts,
        blocks=tuple(blocks),
        name=document.name,
    )

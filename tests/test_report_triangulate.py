"""The triangulated report: planted disagreements found (and no others), suppression, no names,
figures recomputed independently from the JSON files the review writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

import safeguard_standards as sg
from safeguard_standards.diagnostics import Code
from safeguard_standards.model import Checklist, Condition
from safeguard_standards.report import synthetic
from safeguard_standards.report._charts import text_alternative, to_svg
from safeguard_standards.report.lean import Reader
from safeguard_standards.report.roster import Organisation, Roster, read_roster
from safeguard_standards.report.triangulate import (
    AUDIT,
    SELF,
    SURVEY,
    Triangulation,
    triangulate,
    triangulation_document,
)
from safeguard_standards.returns.model import Answer, AnswerValue, DetailValue, Return

S11 = sg.load_bundled("section11", "2025-27")
CFA = sg.load_bundled("case_file_audit", "2025-26")
SRV = sg.load_bundled("practitioner_survey", "2025-26")
SETS = (S11, CFA, SRV)

OVERSIGHT = "practice.oversight.oversight-grade"
REGULAR = "statements.supervision.regular-supervision"
SELF_SUPERVISION = (
    "leadership.designated-practitioners.lead-supervision",
    "workforce.training.supervision",
)


def _return(
    checklist: Checklist,
    source: str,
    values: Mapping[str, AnswerValue],
    *,
    org: str = "",
    audience: tuple[tuple[str, str], ...] = (),
    evidence: Mapping[str, str] | None = None,
) -> Return:
    answers = []
    for qid, value in values.items():
        q = checklist.question(qid)
        assert q is not None, qid
        answers.append(
            Answer(question=qid, type=q.type, value=value, evidence=(evidence or {}).get(qid, ""))
        )
    return Return(
        source=source,
        read_from="html-json",
        set=checklist.id,
        version=checklist.version,
        audience=audience,
        details=(DetailValue("org.name", org),) if org else (),
        answers=tuple(answers),
    )


def _self(org_id: str, level: str) -> Return:
    return _return(S11, f"{org_id}.json", dict.fromkeys(SELF_SUPERVISION, level))


def _audits(org: str, grades: Sequence[str], start: int) -> list[Return]:
    return [
        _return(CFA, f"CFA-{start + i:03d}.json", {OVERSIGHT: g}, org=org)
        for i, g in enumerate(grades)
    ]


def _staff(org: str, answers: Sequence[str], start: int, comment: str = "") -> list[Return]:
    out = []
    for i, a in enumerate(answers):
        values: dict[str, AnswerValue] = {
            "about.organisation.organisation": org,
            "about.organisation.organisation-type": "police",
            REGULAR: a,
        }
        if comment:
            values["comments.comments.improve-one-thing"] = comment
        out.append(
            _return(SRV, f"SRV-{start + i:04d}.json", values, audience=(("respondent", "staff"),))
        )
    return out


NAMES = {
    "A": "Alderley Police",
    "B": "Bramhall NHS Trust",
    "C": "Cheadle Family Support",
    "D": "Didsbury District Council",
    "E": "Eccles Youth Justice Service",
    "F": "Failsworth Leisure Trust",
}
ROSTER = Roster(
    tuple(Organisation(id=k, name=v, type="police", set="section11") for k, v in NAMES.items())
)
#: A child's NHS number in free text (the NHS's own example number).
PERSONAL = "raised for the child with NHS number 943 476 5870"


def _scenario() -> list[Return]:
    """Six organisations, each rating its supervision; what their files and staff say:

    A rates itself Mostly met; 2 of its 3 audited files are below Good     -> audits disagree
    B rates itself Mostly met; 1 of its 4 staff agree                      -> staff disagree
    C rates itself Mostly met; 2 of 2 files and 2 of 2 staff poor          -> too few: none
    D rates itself Partially met; every file and every answer poor         -> honest: none
    E rates itself Mostly met; 2 of its 4 files below Good (half)          -> none
    F rates itself Mostly met; 2 of its 4 staff agree (half)               -> none
    """
    out = [
        _self("A", "mostly"),
        _self("B", "mostly"),
        _self("C", "embedded"),
        _self("D", "partly"),
        _self("E", "mostly"),
        _self("F", "mostly"),
    ]
    out += _audits(NAMES["A"], ["requires-improvement", "inadequate", "good"], 1)
    out += _audits(NAMES["C"], ["inadequate", "inadequate"], 10)
    out += _audits(NAMES["D"], ["inadequate", "inadequate", "inadequate"], 20)
    out += _audits(NAMES["E"], ["inadequate", "requires-improvement", "good", "outstanding"], 30)
    out += _staff(NAMES["B"], ["disagree", "neither", "strongly-disagree", "agree"], 1, PERSONAL)
    out += _staff(NAMES["C"].upper(), ["disagree", "disagree"], 10)
    out += _staff(NAMES["D"], ["disagree", "disagree", "disagree"], 20)
    out += _staff(NAMES["F"], ["agree", "disagree", "strongly-agree", "neither"], 30)
    return out


def _found(tri: Triangulation) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((d.organisation, d.theme, d.reasons) for d in tri.disagreements)


def test_each_planted_disagreement_is_found_and_no_other() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    # A's oversight grade gives evidence on supervision and on leadership, and A's
    # lead-supervision question is about both: so A disagrees on both themes
    assert _found(tri) == [
        ("A", "leadership", ("audits",)),
        ("A", "supervision", ("audits",)),
        ("B", "supervision", ("staff",)),
    ]
    assert tri.skipped == ()


def test_a_disagreement_is_traceable_to_its_returns_questions_and_counts() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    a = next(d for d in tri.disagreements if (d.organisation, d.theme) == ("A", "supervision"))
    assert a.self_rating.returns == ("A.json",)
    assert a.self_rating.questions == tuple(f"section11@2025-27:{q}" for q in SELF_SUPERVISION)
    assert (a.self_rating.scored, a.self_rating.meeting) == (2, 2)
    assert a.audits is not None and a.survey is None
    assert a.audits.returns == ("CFA-001.json", "CFA-002.json", "CFA-003.json")
    assert a.audits.questions == (f"case_file_audit@2025-26:{OVERSIGHT}",)
    assert (a.audits.scored, a.audits.not_meeting) == (3, 2)
    assert dict(a.audits.levels) == {"good": 1, "requires-improvement": 1, "inadequate": 1}
    assert "2 of 3 grades" in a.describe("Supervision")
    b = next(d for d in tri.disagreements if d.organisation == "B")
    assert b.survey is not None
    assert (b.survey.count, b.survey.scored, b.survey.meeting) == (4, 4, 1)
    row = tri.table("triangulation:disagreements").row("B:supervision")
    assert row.cells[3].text == "1 of 4 agree (25%), 4 practitioners"
    assert f"questions {REGULAR}" in row.cells[4].text
    # and the appendix says so, with the disagreements as its evidence
    finding = next(f for f in tri.findings if f.theme == "supervision" and f.disagreements)
    assert finding.kind == "improvement"
    assert {d.organisation for d in finding.disagreements} == {"A", "B"}


def test_the_rules_thresholds_are_parameters() -> None:
    # with a threshold of 2, C's two files and two staff are enough to call it out
    tri = triangulate(SETS, _scenario(), roster=ROSTER, threshold=2)
    assert ("C", "supervision", ("audits", "staff")) in _found(tri)
    # with self_met above what A scored nobody rates themselves as meeting... A scored 100%,
    # so a self_met of 100 keeps A; D's Partially met never counts
    assert all(d.organisation != "D" for d in tri.disagreements)


def test_small_numbers_are_suppressed() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    side = tri.table("triangulation:organisations:supervision")
    # C: two files and two respondents, under the threshold of 3
    assert side.at("C", "audit-files").text == "fewer than 3"
    assert side.at("C", "audit-share").suppressed
    assert side.at("C", "survey-share").suppressed
    assert side.at("A", "audit-share").text == "33%"
    # an organisation's own self-rating is shown
    assert side.at("C", "self-share").text == "100%"
    assert any("suppressed (*)" in n for n in side.notes)
    survey = tri.table("triangulation:survey:supervision")
    assert survey.row("org:C").cells[1].suppressed
    # a theme with evidence from fewer than 3 returns is suppressed in the overview and chart
    few = triangulate(SETS, _scenario()[:2] + _audits(NAMES["A"], ["good", "good"], 50))
    overview = few.table("triangulation:overview")
    assert overview.at("supervision", "self-share").suppressed
    assert overview.at("supervision", "audit-share").suppressed
    chart = dict(few.charts)["triangulation-overview"]
    i = [t.id for t in few.themes].index("supervision")
    assert all(s.values[i] is None for s in chart.series)


def _all_text(tri: Triangulation) -> str:
    doc = triangulation_document(tri)
    parts: list[str] = [doc.title, *(f"{k} {v}" for k, v in doc.facts)]
    for block in doc.blocks:
        for item in block[1:]:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, tuple):
                parts.extend(str(x) for x in item)
    for t in tri.tables:
        parts += [t.title, *t.headings, *t.notes, *(x for r in t.text_rows() for x in r)]
    for _, chart in tri.charts:
        parts.append(text_alternative(chart))
    parts += [f.text for f in tri.findings]
    parts += [d.describe() for d in tri.disagreements]
    return "\n".join(parts)


def test_no_organisation_is_named_and_no_free_text_is_shown() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    text = _all_text(tri)
    for name in NAMES.values():
        assert name not in text and name.upper() not in text
    assert "943 476 5870" not in text
    assert "A" in {r.label for r in tri.table("triangulation:organisations:supervision").rows}


def test_names_when_asked_but_never_free_text_that_looks_personal() -> None:
    rets = _scenario() + _staff("jo.bloggs@example.org", ["agree"] * 3, 90)
    tri = triangulate(SETS, rets, roster=ROSTER, name_organisations=True)
    text = _all_text(tri)
    assert NAMES["A"] in text
    labels = {r.label for r in tri.table("triangulation:organisations:supervision").rows}
    assert NAMES["A"] in labels
    assert "Organisation 1 (not on the roster)" in labels
    assert "jo.bloggs" not in text
    assert "943 476 5870" not in text


def test_returns_to_a_version_not_given_are_left_out_with_sg640() -> None:
    kcsie = sg.load_bundled("kcsie", "2025-26")
    stray = _return(kcsie, "school.json", {})
    tri = triangulate(SETS, [*_scenario(), stray], roster=ROSTER)
    assert [(d.code, d.source) for d in tri.skipped] == [
        (Code.TRIANGULATE_RETURN_SKIPPED, "school.json")
    ]
    assert _found(tri) == _found(triangulate(SETS, _scenario(), roster=ROSTER))


def test_without_a_roster_organisations_meet_by_name() -> None:
    rets = [
        attrs_evolve_org(r, NAMES[r.source.partition(".")[0]]) if r.set == "section11" else r
        for r in _scenario()
    ]
    tri = triangulate(SETS, rets)
    assert [(d.theme, d.reasons) for d in tri.disagreements] == [
        ("leadership", ("audits",)),
        ("supervision", ("audits",)),
        ("supervision", ("staff",)),
    ]
    assert all(d.label.startswith("Organisation ") for d in tri.disagreements)


def attrs_evolve_org(ret: Return, name: str) -> Return:
    import attrs

    return attrs.evolve(ret, details=(DetailValue("org.name", name),))


def test_the_document_has_every_table_once_in_reading_order() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    doc = triangulation_document(tri)
    shown = [b[1].id for b in doc.blocks if b[0] == "table"]  # type: ignore[attr-defined]
    assert sorted(shown) == sorted(t.id for t in tri.tables)
    assert shown[:2] == ["triangulation:overview", "triangulation:disagreements"]
    assert shown[-1] == f"triangulation:appendix:{tri.themes[-1].id}"
    figures = [b[1] for b in doc.blocks if b[0] == "figure"]
    assert figures == ["triangulation-overview", "triangulation-audits", "triangulation-survey"]


@pytest.mark.slow
def test_the_charts_draw() -> None:
    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    chart = dict(tri.charts)["triangulation-audits"]
    svg = to_svg(chart)
    assert svg.startswith(b"<?xml") and b"Requires improvement" in svg
    assert "Supervision and management oversight" in text_alternative(chart)


# -- the synthetic review ----------------------------------------------------------------------


def _recompute(
    docs: Iterable[dict[str, object]], checklist: Checklist, theme: str
) -> tuple[int, int, int]:
    """(returns, scored answers, meeting) of a theme, straight from the JSON files: rating
    answers (meeting: a green level), and for a self-assessment yes-no answers too (meeting:
    yes), leaving out the questions other questions' ask_if depend on and answers not asked."""
    filters = {
        c.question
        for q in checklist.questions()
        if q.ask_if is not None
        for c in _conditions(q.ask_if)
        if c.question
    }
    types = ("rating", "yes-no") if checklist.id == "section11" else ("rating",)
    questions = {
        q.full_id: q
        for q in checklist.questions()
        if theme in q.themes and q.type in types and q.full_id not in filters
    }
    returns = scored = meeting = 0
    for doc in docs:
        answers = doc["answers"]
        not_asked = doc["not_asked"]
        assert isinstance(answers, dict) and isinstance(not_asked, list)
        hits = [
            (questions[q], v) for q, v in answers.items() if q in questions and q not in not_asked
        ]
        returns += bool(hits)
        for q, v in hits:
            if q.type == "yes-no":
                scored += 1
                meeting += v == "yes"
                continue
            scale = checklist.scale(q.scale)
            assert scale is not None
            level = scale.level(v)
            assert level is not None
            if level.scored:
                scored += 1
                meeting += level.rag == "green"
    return returns, scored, meeting


def _conditions(cond: Condition) -> list[Condition]:
    return [cond, *(x for c in cond.conditions for x in _conditions(c))]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> tuple[synthetic.Review, Path]:
    r = synthetic.make_review(seed=3)
    folder = tmp_path_factory.mktemp("review")
    synthetic.write(r.synthetic, folder)
    return r, folder


def _read_back(folder: Path) -> tuple[list[Return], Roster]:
    roster, problems = read_roster((folder / "roster.csv").read_text(encoding="utf-8"))
    assert problems == ()
    reader = Reader({(c.id, c.version): c for c in SETS})
    out = []
    for path in sorted(folder.glob("*/*/*.json")):
        ret, diags = reader.read(json.loads(path.read_text(encoding="utf-8")), path.name)
        assert ret is not None and diags == ()
        out.append(ret)
    return out, roster


@pytest.mark.slow
def test_the_review_has_its_sizes_and_its_planted_disagreements(
    review: tuple[synthetic.Review, Path],
) -> None:
    r, folder = review
    assert len(list((folder / "section11" / "2025-27").glob("*.json"))) == 25
    assert len(list((folder / "case_file_audit" / "2025-26").glob("*.json"))) == 100
    assert len(list((folder / "practitioner_survey" / "2025-26").glob("*.json"))) == 600
    rets, roster = _read_back(folder)
    tri = triangulate(SETS, rets, roster=roster)
    assert len(r.planted) == 5
    assert _found(tri) == list(r.planted)
    # the near miss and the honest agency are there, and not called out
    quiet = {o for o, what in r.plants.items() if what.startswith(("near miss", "honest"))}
    assert len(quiet) == 2 and not quiet & {d.organisation for d in tri.disagreements}


@pytest.mark.slow
def test_the_figures_are_those_of_the_files(review: tuple[synthetic.Review, Path]) -> None:
    _, folder = review
    rets, roster = _read_back(folder)
    tri = triangulate(SETS, rets, roster=roster)
    overview = tri.table("triangulation:overview")

    def docs(set_id: str, version: str) -> list[dict[str, object]]:
        return [
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((folder / set_id / version).glob("*.json"))
        ]

    audits = docs("case_file_audit", "2025-26")
    survey = docs("practitioner_survey", "2025-26")
    selfs = docs("section11", "2025-27")
    for theme, kind, column, data, checklist in (
        ("voice-of-child", AUDIT, "audit", audits, CFA),
        ("supervision", SURVEY, "survey", survey, SRV),
        ("leadership", SELF, "self", selfs, S11),
        ("information-sharing", SELF, "self", selfs, S11),
    ):
        n, scored, meeting = _recompute(data, checklist, theme)
        e = tri.overall[(theme, kind)]
        assert (e.count, e.scored, e.meeting) == (n, scored, meeting)
        assert (
            overview.at(theme, f"{column}-share").text
            == f"{(200 * meeting + scored) // (2 * scored)}%"
        )
    # one agency's survey figures, counted from its staff's files by the name they wrote
    agency = roster.organisations[4]
    mine = [
        d
        for d in survey
        if str(d["answers"]["about.organisation.organisation"]).casefold()  # type: ignore[index]
        == agency.name.casefold()
    ]
    n, scored, meeting = _recompute(mine, SRV, "supervision")
    e = tri.by_organisation[(agency.id, "supervision", SURVEY)]
    assert (e.count, e.scored, e.meeting) == (n, scored, meeting)


@pytest.mark.slow
def test_the_review_is_the_same_for_the_same_seed(review: tuple[synthetic.Review, Path]) -> None:
    r, _ = review
    again = synthetic.make_review(seed=3)
    assert again.planted == r.planted
    for key, rets in r.synthetic.returns.items():
        assert [synthetic.return_json(x) for x in rets] == [
            synthetic.return_json(x) for x in again.synthetic.returns[key]
        ]


def test_the_document_is_a_report_view_for_the_writers() -> None:
    views = pytest.importorskip("safeguard_standards.report.views")
    from safeguard_standards.report.triangulate import to_report_view

    tri = triangulate(SETS, _scenario(), roster=ROSTER)
    view = to_report_view(triangulation_document(tri))
    assert isinstance(view, views.ReportView) and view.kind == "triangulation"
    assert [t.id for t in view.tables() if t.id.startswith("triangulation:")] == [
        b[1].id  # type: ignore[attr-defined]
        for b in triangulation_document(tri).blocks
        if b[0] == "table"
    ]
    assert len(view.figures()) == 3


def test_the_order_of_the_returns_changes_nothing() -> None:
    import random

    rets = _scenario()
    shuffled = list(rets)
    random.Random(4).shuffle(shuffled)
    one = triangulate(SETS, rets, roster=ROSTER)
    two = triangulate(SETS, shuffled, roster=ROSTER)
    assert one.tables == two.tables
    assert one.disagreements == two.disagreements
    assert one.findings == two.findings


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_one_command_makes_the_triangulated_report(
    review: tuple[synthetic.Review, Path], tmp_path: Path, fmt: str
) -> None:
    """``safeguard report FOLDER --as triangulation``: every planted disagreement is in the
    document, no organisation is named, and two runs give the same bytes."""
    from click.testing import CliRunner
    from safeguard_standards_cli import cli

    r, folder = review
    outs = []
    for run in (1, 2):
        out = tmp_path / f"review-{run}.{fmt}"
        args = ["report", str(folder), "--roster", str(folder / "roster.csv")]
        result = CliRunner().invoke(
            cli, [*args, "--as", "triangulation", "--format", fmt, "-o", str(out), "--quiet"]
        )
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    if fmt == "html":
        from lxml import html as lhtml

        text = lhtml.fromstring(outs[0]).text_content()
    else:
        import io

        import docx

        document = docx.Document(io.BytesIO(outs[0]))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        text = "\n".join([p.text for p in document.paragraphs] + cells)
    titles = {t.id: t.title for c in SETS for t in c.themes}
    for organisation, theme, _ in r.planted:
        line = [
            x for x in text.split("\n") if organisation in x and titles[theme].lower() in x.lower()
        ]
        assert line, (organisation, theme)
    roster, _ = read_roster((folder / "roster.csv").read_text(encoding="utf-8"))
    assert not [o.name for o in roster if o.name and o.name in text]

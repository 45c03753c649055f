"""The thematic figures: every cell traced back to the answers, small numbers, names, shapes.

The recomputations here read the returns' JSON form (``Return.to_dict()``), the answers as
they are written, and use the definitions of the report's method section, written again from
the set's YAML values: they share no code with :mod:`safeguard_standards.report.aggregate`.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

import safeguard_standards as sg
from safeguard_standards.diagnostics import Code
from safeguard_standards.model import Checklist
from safeguard_standards.report import synthetic
from safeguard_standards.report.aggregate import aggregate, meeting_levels, thematic
from safeguard_standards.report.lean import Reader, from_dict
from safeguard_standards.report.roster import Organisation, Roster, read_roster, return_key
from safeguard_standards.returns.model import Answer, DetailValue, Return


@pytest.fixture(scope="module")
def pack() -> synthetic.Synthetic:
    return synthetic.generate(seed=7, sets=("kcsie", "section11"), sizes={"kcsie": 80})


@pytest.fixture(scope="module")
def kcsie() -> Checklist:
    return sg.load_bundled("kcsie", "2025-26")


def _half_up(part: int, whole: int) -> int:
    # written differently from report.table.percent on purpose
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def _meets(checklist: Checklist, question: str, value: str) -> bool | None:
    """Independent definition: None when not scored (N/A), else whether it meets."""
    q = checklist.question(question)
    assert q is not None and q.type == "rating"
    scale = checklist.scale(q.scale)
    assert scale is not None
    greens = [lv.score for lv in scale.levels if lv.rag == "green" and lv.scored]
    level = scale.level(value)
    assert level is not None
    if not level.scored or level.score is None:
        return None
    return level.score >= min(s for s in greens if s is not None)


def test_a_sample_of_cells_recomputed_from_the_answers(
    pack: synthetic.Synthetic, kcsie: Checklist
) -> None:
    returns = pack.returns[("kcsie", "2025-26")]
    report = thematic(kcsie, returns, roster=pack.roster)
    docs = [r.to_dict() for r in returns]
    rng = random.Random(13)
    rated = [q for q in kcsie.questions() if q.type == "rating"]
    checked = 0
    for q in rng.sample(rated, 8):
        given = [d["answers"][q.full_id] for d in docs if q.full_id in d["answers"]]
        counts = Counter(given)
        if len(given) < 3:
            continue
        section = q.full_id.split(".")[0]
        row = report.table(f"levels:{section}").row(q.full_id)
        table = report.table(f"levels:{section}")
        scale = kcsie.scale(q.scale)
        assert scale is not None
        for lv in scale.levels:
            n = counts.get(lv.id, 0)
            assert table.at(q.full_id, lv.id).text == f"{n} ({_half_up(n, len(given))}%)"
        verdicts = [_meets(kcsie, q.full_id, v) for v in given]
        kept = [v for v in verdicts if v is not None]
        share = f"{_half_up(sum(kept), len(kept))}%"
        assert table.at(q.full_id, "share").text == share, row
        assert table.at(q.full_id, "answered").value == len(given)
        checked += 1
    assert checked >= 5

    # a standard, pooled over its questions (rating and yes-no that are not filters)
    filters = {f for qq in kcsie.questions() if qq.ask_if for f in qq.ask_if.questions()}
    for st in rng.sample(list(kcsie.standards()), 5):
        scored = meeting = 0
        for qq in st.questions:
            for d in docs:
                v = d["answers"].get(qq.full_id)
                if v is None or qq.full_id in d["not_asked"]:
                    continue
                if qq.type == "rating":
                    verdict = _meets(kcsie, qq.full_id, v)
                elif qq.type == "yes-no" and qq.full_id not in filters:
                    verdict = v == "yes"
                else:
                    continue
                if verdict is not None:
                    scored += 1
                    meeting += verdict
        if not scored:
            continue
        assert report.table("standards").at(st.full_id, "scored").value == scored
        assert report.table("standards").at(st.full_id, "meeting").value == meeting
        assert report.table("standards").at(st.full_id, "share").text == (
            f"{_half_up(meeting, scored)}%"
        )

    # the breakdown by setting: one group, one standard
    by = report.table("by:setting")
    academies = [d for d in docs if d["audience"]["setting"] == "academy"]
    st = next(s for s in kcsie.standards() if s.full_id == "dsl.appointment")
    scored = meeting = 0
    for d in academies:
        for qq in st.questions:
            v = d["answers"].get(qq.full_id)
            if qq.type == "rating" and v is not None:
                verdict = _meets(kcsie, qq.full_id, v)
                if verdict is not None:
                    scored += 1
                    meeting += verdict
            elif qq.type == "yes-no" and v is not None and qq.full_id not in filters:
                scored += 1
                meeting += v == "yes"
    assert by.at(st.full_id, "academy").text == f"{_half_up(meeting, scored)}%"
    setting = kcsie.audience("setting")
    assert setting is not None
    assert f"{setting.label_of('academy')} ({len(academies)})" in by.headings

    # the response rate against the roster
    expected = [o for o in pack.roster if o.set == "kcsie"]
    got = {d["source"]["file"].rsplit(".", 1)[0] for d in docs}
    row = report.table("response").row("all")
    assert [c.value for c in row.cells[:3]] == [len(expected), len(got), len(expected) - len(got)]
    missing = {o.id for o in expected} - got
    assert {o.id for o in report.response.missing} == missing  # type: ignore[union-attr]
    assert missing == set(pack.missing[("kcsie", "2025-26")])


def test_meeting_is_the_lowest_green_score_and_above() -> None:
    for set_id, version in (
        ("kcsie", "2025-26"),
        ("section11", "2025-27"),
        ("vcs_checklist", "2025-26"),
    ):
        c = sg.load_bundled(set_id, version)
        for scale in c.scales:
            got = meeting_levels(scale)
            assert got == {lv.id for lv in scale.levels if lv.rag == "green"}, scale.id


def _return(org: str, setting: str, level: str, name: str = "") -> Return:
    return Return(
        source=f"{org}.json",
        read_from="json",
        set="t",
        version="1",
        audience=(("setting", setting),),
        details=(DetailValue("org.name", name or f"Name of {org}"),),
        answers=(
            Answer(question="s.a.q1", type="rating", value=level),
            Answer(question="s.a.q2", type="rating", value="met"),
        ),
    )


SMALL = """\
dsl: 1
id: t
version: "1"
title: Test set
scales:
  grade:
    - {id: met, label: Met, rag: green, score: 2}
    - {id: partly, label: Partly met, rag: amber, score: 1}
    - {id: not-met, label: Not met, rag: red, score: 0}
    - {id: na, label: Not applicable, scored: false}
default_scale: grade
audiences:
  setting:
    label: Type of setting
    values: {maintained: Maintained school, academy: Academy, special: Special school,
             independent: Independent school}
sections:
  - id: s
    title: Section
    standards:
      - id: a
        title: Standard A
        questions:
          - {id: q1, text: First question?, type: rating}
          - {id: q2, text: Second question?, type: rating}
"""


def test_small_groups_are_merged_then_suppressed_with_a_second_cell() -> None:
    c = sg.load_text(SMALL, "t.yaml")
    returns = [_return(f"A{i}", "academy", "met") for i in range(6)]
    returns += [_return(f"M{i}", "maintained", "partly") for i in range(4)]
    returns += [_return("S1", "special", "not-met"), _return("I1", "independent", "met")]
    report = thematic(c, returns, dimensions=["setting"])
    by = report.table("by:setting")
    # special and independent (1 each) merged: 2 organisations, still under 3: suppressed,
    # and the next smallest group (maintained, 4) too
    assert by.at("s.a", "academy").text == "100%"
    assert by.at("s.a", "maintained").suppressed
    assert by.at("s.a", "_merged").suppressed
    assert by.at("s.a", "all").text == f"{_half_up(6 * 2 + 4 + 1 + 2, 24)}%"
    assert any("suppressed" in n and "fewer than 3" in n for n in by.notes)
    assert any(n.startswith("merged: Special school, Independent school") for n in by.notes)

    # three small ones merged reach the threshold: shown, nothing else suppressed
    returns.append(_return("I2", "independent", "met"))
    by = thematic(c, returns, dimensions=["setting"]).table("by:setting")
    assert not by.at("s.a", "maintained").suppressed
    # special not-met + met, two independents met + met: 5 of 6 answers meet
    assert by.at("s.a", "_merged").text == f"{_half_up(5, 6)}%"
    assert not any(n.startswith("suppressed") for n in by.notes)


def test_a_threshold_above_the_number_of_returns_suppresses_every_figure() -> None:
    c = sg.load_text(SMALL, "t.yaml")
    returns = [_return(f"A{i}", "academy", "met") for i in range(2)]
    report = thematic(c, returns, threshold=3)
    row = report.table("standards").row("s.a")
    assert all(cell.suppressed for cell in row.cells[1:])
    assert report.table("standards").notes == ("suppressed (*): fewer than 3 organisations",)
    levels = report.table("levels:s")
    assert all(cell.suppressed for r in levels.rows for cell in r.cells)
    assert report.strongest == () and report.weakest == ()


def test_no_organisation_is_named_unless_asked(pack: synthetic.Synthetic, kcsie: Checklist) -> None:
    returns = pack.returns[("kcsie", "2025-26")]
    names = {o.name for o in pack.roster}

    def texts(report: object) -> str:
        out = []
        for t in report.tables:  # type: ignore[attr-defined]
            out.append(t.title)
            out.extend(t.headings)
            out.extend(t.notes)
            out.extend(cell for row in t.text_rows() for cell in row)
        return "\n".join(out)

    shown = texts(thematic(kcsie, returns, roster=pack.roster))
    assert not [n for n in names if n in shown]
    named = texts(thematic(kcsie, returns, roster=pack.roster, name_organisations=True))
    missing = pack.missing[("kcsie", "2025-26")]
    assert missing
    assert all(pack.roster.get(m).name in named for m in missing)  # type: ignore[union-attr]


def test_other_versions_and_second_returns_are_left_out_and_said(kcsie: Checklist) -> None:
    c = sg.load_text(SMALL, "t.yaml")
    first = _return("A1", "academy", "met")
    later = Return(
        **{
            **{
                f: getattr(first, f)
                for f in ("source", "read_from", "set", "version", "audience", "details", "answers")
            },
            "file_date": "2026-07-01T10:00:00Z",
        }
    )
    other = Return(source="B.json", read_from="json", set="kcsie", version="2025-26")
    agg = aggregate(c, [first, later, other])
    assert agg.returns == 1
    assert [(d.code, d.source) for d in agg.skipped] == [
        (Code.REPORT_RETURN_SKIPPED, "A1.json"),
        (Code.REPORT_RETURN_SKIPPED, "B.json"),
    ]


def test_lean_reader_round_trip_and_shared_answers(
    pack: synthetic.Synthetic, kcsie: Checklist
) -> None:
    returns = pack.returns[("kcsie", "2025-26")][:10]
    for ret in returns:
        doc = json.loads(synthetic.return_json(ret))
        back, problems = from_dict(doc, kcsie, ret.source)
        assert problems == ()
        assert back is not None
        assert back.answers == ret.answers
        assert back.audience == ret.audience
        assert back.organisation == ret.organisation
    reader = Reader({("kcsie", "2025-26"): kcsie}, text=False)
    got, read_problems = reader.read_all(
        (json.loads(synthetic.return_json(r)), r.source) for r in returns
    )
    assert read_problems == []
    assert [[a.value for a in r.answers] for r in got] == [
        [a.value for a in r.answers] for r in returns
    ]
    assert all(a.evidence == "" for r in got for a in r.answers)
    # equal answers are one object
    by_value: dict[tuple[str, object, bool], int] = {}
    for r in got:
        for a in r.answers:
            key = (a.question, a.value, a.asked)
            assert by_value.setdefault(key, id(a)) == id(a)


@pytest.mark.parametrize(
    ("doc", "code", "at"),
    [
        ([], Code.REPORT_RETURN_SHAPE, ""),
        ({"set": "kcsie"}, Code.REPORT_RETURN_SHAPE, "/set"),
        ({"set": "kcsie", "version": "1999"}, Code.REPORT_RETURN_SKIPPED, "/version"),
        (
            {"set": "kcsie", "version": "2025-26", "answers": []},
            Code.REPORT_RETURN_SHAPE,
            "/answers",
        ),
        (
            {
                "set": "kcsie",
                "version": "2025-26",
                "answers": {"leadership.culture.culture-rating": 3},
            },
            Code.REPORT_RETURN_SHAPE,
            "/answers/leadership.culture.culture-rating",
        ),
    ],
)
def test_lean_reader_problems_are_located(
    kcsie: Checklist, doc: object, code: Code, at: str
) -> None:
    for text in (True, False):
        ret, problems = Reader({("kcsie", "2025-26"): kcsie}, text=text).read(doc, "r.json")
        assert ret is None
        assert [(p.code, p.source, p.at) for p in problems] == [(code, "r.json", at)]


def test_roster_problems_are_located() -> None:
    roster, problems = read_roster("Name,Type\nA,academy\n", "roster.csv")
    assert [(p.code, p.at) for p in problems] == [(Code.REPORT_ROSTER, "row 1")]
    roster, problems = read_roster(
        "\ufeffId,Name,Type,Set,Cycle\nX1,One,academy,kcsie,year-1\nX1,Two,academy,kcsie,\n,Three,,,\n"
    )
    assert [(p.code, p.at) for p in problems] == [
        (Code.REPORT_ROSTER, "row 3:column Id"),
        (Code.REPORT_ROSTER, "row 4:column Id"),
    ]
    assert roster.organisations == (
        Organisation(
            id="X1", name="One", type="academy", set="kcsie", extra=(("cycle", "year-1"),)
        ),
    )


def test_returns_match_the_roster_by_file_name_then_by_name() -> None:
    roster = Roster(
        (Organisation(id="X1", name="St Anne's Academy"), Organisation(id="X2", name="B"))
    )
    by_file = Return(source="in/X2.pdf", read_from="pdf", set="t", version="1")
    by_name = Return(
        source="scan-17.pdf",
        read_from="pdf",
        set="t",
        version="1",
        details=(DetailValue("org.name", "ST ANNES academy "),),
    )
    assert return_key(by_file) == "X2"
    assert roster.match(by_file).id == "X2"  # type: ignore[union-attr]
    assert roster.match(by_name).id == "X1"  # type: ignore[union-attr]
    assert roster.match(Return(source="z.pdf", read_from="", set="t", version="1")) is None


def test_synthetic_returns_are_reproducible_and_read_back_by_the_json_reader(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from safeguard_standards.returns.read import read_path

    a = synthetic.generate(seed=3, sets=("vcs_checklist",))
    b = synthetic.generate(seed=3, sets=("vcs_checklist",))
    assert a == b
    paths = synthetic.write(a, tmp_path)
    assert paths[0].name == "roster.csv"
    roster, problems = read_roster(paths[0].read_text(encoding="utf-8"))
    assert problems == () and roster == a.roster
    for path in paths[1:4]:
        raw = read_path(path)
        assert raw.problems == ()
        assert raw.format == "json"
        assert dict(raw.declared)["set"] == "vcs_checklist"
        assert raw.values
    again = tmp_path / "again"
    synthetic.write(b, again)
    assert [p.read_bytes() for p in sorted(again.rglob("*.json"))] == [
        p.read_bytes() for p in sorted(tmp_path.glob("vcs_checklist/**/*.json"))
    ]


def test_the_invalid_files_written_are_refused_with_located_problems(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from safeguard_standards.returns.read import read_path

    pack = synthetic.generate(seed=3, sets=("kcsie",), sizes={"kcsie": 4})
    paths = synthetic.write(pack, tmp_path, invalid=True)
    broken = [p for p in paths if p.name.startswith("invalid-")]
    assert len(broken) == 2 * len(synthetic.INVALID)
    reader = Reader(lambda s, v: sg.load_bundled(s, v) if (s, v) == ("kcsie", "2025-26") else None)
    found = {}
    for path in broken[: len(synthetic.INVALID)]:
        raw = read_path(path)
        if raw.problems:  # the file reader refuses it
            found[path.name] = raw.problems[0].code
            continue
        ret, problems = reader.read(json.loads(path.read_text(encoding="utf-8")), path.name)
        assert ret is None
        found[path.name] = problems[0].code
    assert found == {
        "invalid-truncated.json": Code.RETURN_UNREADABLE,
        "invalid-not-a-return.json": Code.RETURN_NOT_OURS,
        "invalid-wrong-version.json": Code.REPORT_RETURN_SKIPPED,
        "invalid-answers-list.json": Code.RETURN_EDITED,
    }

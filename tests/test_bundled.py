"""The bundled standard sets: valid, complete, and consistent between their two versions."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import safeguard_standards as sg
from safeguard_standards.model import Checklist

ROOT = Path(__file__).resolve().parent.parent
SETS = {s.id: s for s in sg.bundled_sets()}
ALL = [(s.id, v) for s in SETS.values() for v in s.versions]
# The publishers a bundled reference may link to: each document's own publisher, never a
# partnership news item, a blog, a law firm, a commentary or a copy. Documented, with the
# reason for each host, in docs/standards.md; keep the two lists the same.
PUBLISHER_HOSTS = {
    "www.gov.uk",  # DfE, HM Government, the Charity Commission and Ofsted publish here
    "www.legislation.gov.uk",  # Acts of Parliament
    "legislation.gov.uk",
    "webarchive.nationalarchives.gov.uk",  # withdrawn government guidance (2007 section 11)
    "learning.nspcc.org.uk",  # NSPCC standards and checklists
    "thecpsu.org.uk",  # NSPCC Child Protection in Sport Unit
    "www.keepingchildrensafe.org.uk",  # International Child Safeguarding Standards
    "knowhow.ncvo.org.uk",  # NCVO guidance for voluntary organisations
    "www.ncvo.org.uk",
    "thirtyoneeight.org",  # thirtyone:eight standards for faith and community groups
    "hipsprocedures.org.uk",  # the HIPS partnerships' own published procedures
    "www.hants.gov.uk",  # Hampshire's own annual education audit, the model for kcsie
}
# Minimum question counts per version (issue 3; the two instruments of issue 15).
MINIMUM = {
    "kcsie": 60,
    "section11": 60,
    "vcs_checklist": 30,
    "case_file_audit": 15,
    "practitioner_survey": 25,
}
# The self-assessments, each with two versions; the case-file audit and the survey have one.
SELF_ASSESSMENTS = ("kcsie", "section11", "vcs_checklist")


def load(set_id: str, version: str) -> Checklist:
    return sg.load_bundled(set_id, version)


def test_the_bundled_sets_and_their_versions() -> None:
    assert set(SETS) == set(MINIMUM)
    assert {k: len(s.versions) for k, s in SETS.items()} == {
        "kcsie": 2,
        "section11": 2,
        "vcs_checklist": 2,
        "case_file_audit": 1,
        "practitioner_survey": 1,
    }


def test_bundled_root_is_the_checkout_in_a_source_tree() -> None:
    root = sg.bundled_root()
    assert Path(str(root)).resolve() == (ROOT / "standards").resolve() or root.is_dir()
    assert (root / "kcsie" / "2025-26.yaml").is_file()


@pytest.mark.parametrize(("set_id", "version"), ALL)
def test_bundled_file_has_no_errors_and_no_warnings(set_id: str, version: str) -> None:
    result = sg.check_bundled(set_id, version)
    assert [str(d) for d in result.diagnostics] == []


@pytest.mark.parametrize(("set_id", "version"), ALL)
def test_question_counts_and_completeness(set_id: str, version: str) -> None:
    c = load(set_id, version)
    questions = list(c.questions())
    assert len(questions) >= MINIMUM[set_id]
    assert c.id == set_id and c.version == version
    for q in questions:
        assert q.evidence, q.full_id
        assert q.guidance.why and q.guidance.good, q.full_id
        if set_id == "vcs_checklist":
            assert q.guidance.support, q.full_id
            assert q.priority in ("essential", "recommended"), q.full_id


@pytest.mark.parametrize(("set_id", "version"), ALL)
def test_every_reference_cited_and_every_citation_defined(set_id: str, version: str) -> None:
    c = load(set_id, version)
    defined = {r.key for r in c.references}
    cited = {x.ref for q in c.questions() for x in q.cite}
    cited |= {x.ref for s in c.standards() for x in s.cite}
    assert cited == defined
    assert all(r.url.startswith("https://") for r in c.references)


@pytest.mark.parametrize(("set_id", "version"), ALL)
def test_every_reference_links_to_a_publisher(set_id: str, version: str) -> None:
    c = load(set_id, version)
    assert c.references
    for r in c.references:
        parts = urlsplit(r.url)
        assert parts.scheme == "https", f"{r.key}: {r.url}"
        assert parts.hostname in PUBLISHER_HOSTS, f"{set_id}@{version} {r.key}: {r.url}"


def test_publisher_allow_list_is_documented() -> None:
    text = (ROOT / "docs" / "standards.md").read_text(encoding="utf-8")
    section = text.split("## Where references link", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("- `")}
    assert listed == PUBLISHER_HOSTS


def test_the_mirror_and_commentary_links_are_gone() -> None:
    for path in sorted((ROOT / "standards").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for host in ("wordsworth.site", "cooklawyers", "egfl.org", "norfolk.gov.uk", "staffsscb"):
            assert host not in text, f"{path.name}: {host}"


@pytest.mark.parametrize("set_id", SELF_ASSESSMENTS)
def test_ids_are_stable_between_versions_except_where_formerly_says(set_id: str) -> None:
    old_version, new_version = SETS[set_id].versions
    old, new = load(set_id, old_version), load(set_id, new_version)
    assert new.supersedes == old_version
    assert new.change_summary
    old_ids = {q.full_id for q in old.questions()}
    new_ids = {q.full_id for q in new.questions()}
    for q in new.questions():
        if q.formerly:
            assert q.formerly in old_ids, f"{q.full_id}: formerly {q.formerly} not in {old_version}"
            assert q.formerly not in new_ids, f"{q.formerly} both kept and renamed"
            assert q.change_note, q.full_id
        elif q.full_id not in old_ids:
            # a new question says so
            assert q.change_note, f"{q.full_id} is new in {new_version} but has no change_note"
    # An old id that disappears is either renamed (claimed by formerly) or removed; it is
    # never reused for something else, which the ids themselves guarantee. Every set renames
    # and adds questions between its versions; kcsie removes none (KCSIE 2025 dropped no duty).
    renamed = {q.formerly for q in new.questions() if q.formerly}
    removed = old_ids - new_ids - renamed
    added = {q.full_id for q in new.questions() if q.full_id not in old_ids and not q.formerly}
    assert renamed and added
    assert bool(removed) == (set_id != "kcsie"), sorted(removed)


@pytest.mark.parametrize(("set_id", "version"), ALL)
def test_every_audience_value_is_used(set_id: str, version: str) -> None:
    """Declared audience values are not dead weight: each appears in some applies_to."""
    c = load(set_id, version)
    used: dict[str, set[str]] = {}
    nodes: list = [*c.sections, *c.standards(), *c.questions()]  # type: ignore[type-arg]
    for node in nodes:
        for dim, values in node.applies_to:
            used.setdefault(dim, set()).update(values)
    for audience in c.audiences:
        assert audience.id in used, f"audience {audience.id} is never used"


def test_kcsie_2025_change_notes_cover_the_real_changes() -> None:
    c = load("kcsie", "2025-26")
    notes = " ".join(
        n.change_note for n in [*c.sections, *c.standards(), *c.questions()] if n.change_note
    ).lower()
    notes += " " + c.change_summary.lower()
    for topic in (
        "misinformation",
        "disinformation",
        "conspiracy",
        "generative ai",
        "alternative provision",
        "attendance",
        "kinship",
        "virtual school",
    ):
        assert topic in notes, topic


def test_section11_cycle_years_render_different_tools() -> None:
    c = load("section11", SETS["section11"].latest or "")
    year1 = sg.select_audience(c, ["cycle=year-1"])
    year2 = sg.select_audience(c, ["cycle=year-2"])
    ids1 = {q.full_id for q in year1.questions()}
    ids2 = {q.full_id for q in year2.questions()}
    assert len(ids1) >= 50 and ids2 and ids1 != ids2
    # the commissioning follow-ups are asked only after a Yes to the gate question
    gated = [q for q in c.questions() if q.ask_if and "commission" in q.full_id]
    assert gated


@pytest.mark.parametrize("set_id", SELF_ASSESSMENTS)
def test_latest_version_has_a_short_return(set_id: str) -> None:
    c = load(set_id, SETS[set_id].latest or "")
    returned = {q.full_id for q in c.questions() if q.in_return}
    assert returned
    assert len(returned) < len(list(c.questions())) / 2 + 10  # short, not the whole tool
    if set_id == "vcs_checklist":
        # the Isle of Wight model: the essentials plus a summary of the action plan
        essentials = {q.full_id for q in c.questions() if q.priority == "essential"}
        assert returned == essentials | {"review.checking.action-plan"}
        assert {"review.checking.plan-priorities", "review.checking.support-needed"} <= returned


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
def test_latest_version_asks_for_nothing_that_identifies_anyone(set_id: str) -> None:
    c = load(set_id, SETS[set_id].latest or "")
    assert "never name" in " ".join(c.description.lower().split())


def test_vcs_checklist_asks_for_a_process_not_a_record() -> None:
    # in a small group a record with the names taken out still identifies the child
    c = load("vcs_checklist", SETS["vcs_checklist"].latest or "")
    for q in c.questions():
        for prompt in q.evidence:
            assert "names removed" not in prompt.lower(), q.full_id
            assert "anonymised" not in prompt.lower(), q.full_id


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
def test_no_question_asks_again_for_the_organisations_name(set_id: str) -> None:
    """Every form starts with the organisation's details (its name among them): a question
    asking for the name again makes the person type it twice."""
    asks_name = re.compile(r"\bname of (your|the) (organisation|group|school|setting)\b", re.I)
    checklist = sg.load_bundled(set_id)
    repeated = [q.full_id for q in checklist.questions() if asks_name.search(q.text)]
    assert repeated == []


# -- themes (issue 15) ------------------------------------------------------------------------

#: The headings of Warwickshire's thematic review of core safeguarding practice (2022).
WARWICKSHIRE_HEADINGS = {
    "Leadership and accountability",
    "Policies, procedures and protocols",
    "Recruitment and selection",
    "Staff training and development",
    "Complaints, allegations and whistleblowing",
    "Information sharing, communication and confidentiality",
    "The voice of the child",
}


def _vocabulary(c: Checklist) -> list[tuple[str, str, str]]:
    return [(t.id, t.title, t.describe) for t in c.themes]


def test_every_bundled_set_declares_the_same_themes() -> None:
    """One vocabulary, so that every instrument's findings meet under the same headings."""
    first = _vocabulary(load("section11", SETS["section11"].latest or ""))
    assert len(first) == 8
    for set_id, version in ALL:
        assert _vocabulary(load(set_id, version)) == first, f"{set_id}@{version}"
    titles = {title for _, title, _ in first}
    assert titles >= WARWICKSHIRE_HEADINGS
    assert titles - WARWICKSHIRE_HEADINGS == {"Supervision and management oversight"}


#: Themes a set's latest version has no question on: a case-file audit grades practice with one
#: family, so it cannot speak to recruitment, training or complaints; the kcsie set asks no
#: question on supervision of staff.
NOT_COVERED = {
    "case_file_audit": {"recruitment", "training", "complaints"},
    "kcsie": {"supervision"},
}
#: Standards with no theme: details of the return or case, overall judgements, free comments,
#: and the few topics no theme is about (site safety, insurance, outcomes for the child).
UNTAGGED = {
    "case_file_audit": {"case.details", "practice.outcomes", "overall.judgement"},
    "kcsie": {"premises.site", "overall.summary"},
    "practitioner_survey": {"about.organisation", "comments.comments"},
    "section11": {"about.return-details"},
    "vcs_checklist": {"review.insurance"},
}


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
def test_every_theme_is_used_and_every_standard_has_one_but_a_few(set_id: str) -> None:
    c = load(set_id, SETS[set_id].latest or "")
    used = {t for q in c.questions() for t in q.themes}
    assert used == {t.id for t in c.themes} - NOT_COVERED.get(set_id, set())
    assert {s.full_id for s in c.standards() if not s.themes} == UNTAGGED[set_id]


def test_a_question_has_its_standards_themes() -> None:
    c = load("section11", "2025-27")
    std = next(s for s in c.standards() if s.full_id == "workforce.training")
    assert std.themes == ("training",)
    for q in std.questions:
        assert q.themes[:1] == ("training",), q.full_id
    supervision = c.question("workforce.training.supervision")
    assert supervision is not None and supervision.themes == ("training", "supervision")


def _documented_mapping(set_id: str) -> dict[str, tuple[str, ...]]:
    text = (ROOT / "docs" / "themes.md").read_text(encoding="utf-8")
    part = text.split(f"### `{set_id}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, ...]] = {}
    for line in part.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = tuple(t.strip().strip("`") for t in cells[-1].split(","))
    return rows


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
def test_the_theme_mapping_in_the_docs_is_the_files(set_id: str) -> None:
    c = load(set_id, SETS[set_id].latest or "")
    expected: dict[str, tuple[str, ...]] = {}
    for std in c.standards():
        if std.themes:
            expected[std.full_id] = std.themes
        for q in std.questions:
            extra = tuple(t for t in q.themes if t not in std.themes)
            if extra:
                expected[q.full_id] = extra
    assert _documented_mapping(set_id) == expected


# -- the case-file audit and the practitioner survey (issue 15) --------------------------------

FOUR_LEVELS = ("outstanding", "good", "requires-improvement", "inadequate")


def test_case_file_audit_grades_each_practice_standard_on_four_described_levels() -> None:
    c = load("case_file_audit", "2025-26")
    practice = next(s for s in c.sections if s.id == "practice")
    assert [s.id for s in practice.standards] == [
        "seeing-child",
        "voice",
        "assessment",
        "sharing",
        "oversight",
        "outcomes",
    ]
    for std in practice.standards:
        graded = [q for q in std.questions if q.type == "rating"]
        assert len(graded) == 1, std.full_id
        scale = c.scale(graded[0].scale)
        assert scale is not None and scale.id != "grade", std.full_id  # its own descriptors
        levels = [lv for lv in scale.levels if lv.scored]
        assert tuple(lv.id for lv in levels) == FOUR_LEVELS
        assert [lv.label for lv in levels] == [
            "Outstanding",
            "Good",
            "Requires improvement",
            "Inadequate",
        ]
        assert all(lv.describe for lv in levels)
        assert [lv.score for lv in levels] == [4, 3, 2, 1]
        # the two lower grades need an action on the form
        assert all("action" in lv.requires for lv in levels[2:])


def test_case_file_audit_records_a_case_reference_and_no_one_by_name() -> None:
    c = load("case_file_audit", "2025-26")
    details = next(s for s in c.standards() if s.full_id == "case.details")
    text_fields = [q.full_id for q in details.questions if q.type == "text"]
    assert text_fields == ["case.details.case-reference"]
    description = " ".join(c.description.lower().split())
    assert "never name or identify a child" in description
    assert "only the case reference" in description
    assert "auditing agency" in description  # what goes in the organisation details
    asks_identity = re.compile(r"\b(name of the child|date of birth\?|address\?|nhs number)", re.I)
    assert not [q.full_id for q in c.questions() if asks_identity.search(q.text)]


def test_practitioner_survey_breaks_down_by_organisation() -> None:
    c = load("practitioner_survey", "2025-26")
    first = list(c.questions())[:2]
    assert [q.full_id for q in first] == [
        "about.organisation.organisation",
        "about.organisation.organisation-type",
    ]
    assert first[0].type == "text" and first[0].required
    assert first[1].type == "choice" and first[1].required
    assert {"health", "police", "voluntary"} <= {o.id for o in first[1].options}
    assert "nhs" in first[0].text.lower()  # the trust's own name, Hampshire's lesson


def test_practitioner_survey_statements_are_themed_on_a_five_point_agreement_scale() -> None:
    c = load("practitioner_survey", "2025-26")
    scale = c.scale("agreement")
    assert scale is not None
    assert [lv.score for lv in scale.levels if lv.scored] == [5, 4, 3, 2, 1]
    statements = [q for q in c.questions() if q.full_id.startswith("statements.")]
    assert len(statements) >= 20
    for q in statements:
        assert q.type == "rating" and q.scale == "agreement", q.full_id
        assert q.themes, q.full_id


def test_practitioner_survey_has_a_version_for_volunteers() -> None:
    c = load("practitioner_survey", "2025-26")
    staff = {q.full_id for q in sg.select_audience(c, ["respondent=staff"]).questions()}
    volunteers = {q.full_id for q in sg.select_audience(c, ["respondent=volunteer"]).questions()}
    assert "statements.supervision.regular-supervision" in staff - volunteers
    assert volunteers - staff == {"statements.supervision.named-support"}
    assert "about.organisation.organisation" in staff & volunteers

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
# Minimum question counts per version (issue 3).
MINIMUM = {"kcsie": 60, "section11": 60, "vcs_checklist": 30}


def load(set_id: str, version: str) -> Checklist:
    return sg.load_bundled(set_id, version)


def test_the_three_sets_are_bundled_with_two_versions_each() -> None:
    assert set(SETS) == {"kcsie", "section11", "vcs_checklist"}
    assert {k: len(s.versions) for k, s in SETS.items()} == {
        "kcsie": 2,
        "section11": 2,
        "vcs_checklist": 2,
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


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
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


@pytest.mark.parametrize("set_id", sorted(MINIMUM))
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


@pytest.mark.parametrize("set_id", ["kcsie", "section11", "vcs_checklist"])
def test_no_question_asks_again_for_the_organisations_name(set_id: str) -> None:
    """Every form starts with the organisation's details (its name among them): a question
    asking for the name again makes the person type it twice."""
    asks_name = re.compile(r"\bname of (your|the) (organisation|group|school|setting)\b", re.I)
    checklist = sg.load_bundled(set_id)
    repeated = [q.full_id for q in checklist.questions() if asks_name.search(q.text)]
    assert repeated == []

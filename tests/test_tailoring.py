"""Partnership overlays: resolution, provenance, and diagnostics located in the overlay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from safeguard_standards_cli import cli

from safeguard_standards import LoadResult, check_set, load_set, load_text
from safeguard_standards.diff import Kind, diff
from safeguard_standards.tailoring import (
    apply_overlay,
    dump_yaml,
    is_overlay_text,
    overlay_schema,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
COMPLETE = (TESTS / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")
EXAMPLE = ROOT / "examples" / "northshire-kcsie-2025-26.yaml"


def overlay(tmp_path: Path, body: str, name: str = "overlay.yaml") -> LoadResult:
    """Write complete.yaml as base.yaml and an overlay extending it; check the overlay."""
    (tmp_path / "base.yaml").write_text(COMPLETE, encoding="utf-8")
    path = tmp_path / name
    path.write_text("extends: base.yaml\n" + body, encoding="utf-8")
    return check_set(str(path))


def located(result: LoadResult) -> list[tuple[str, int, int]]:
    return [(d.code.code, d.line, d.column) for d in result.diagnostics]


# -- resolution -----------------------------------------------------------------------------------

RESOLVE = """\
publisher: {return_deadline: 2025-12-12}
remove:
  - leadership.governance.policy-approved   # asked elsewhere
modify:
  - id: leadership.governance.governors-trained
    set: {in_return: true}
    append: {evidence: [Local governor course certificates]}
  - id: leadership.governance.governor-visits
    set:
      guidance: {support: Ask the partnership for a visit template.}
add:
  - after: leadership.governance.named-governor
    questions:
      - id: ns-local-protocol
        text: Does the governor know the local escalation protocol?
        type: yes-no
        evidence: [Protocol briefing notes]
        guidance: {why: Local procedure., good: The governor can describe it.}
"""


def test_an_overlay_resolves_keeping_national_ids(tmp_path: Path) -> None:
    result = overlay(tmp_path, RESOLVE)
    assert result.diagnostics == ()
    c = result.unwrap()
    assert (c.id, c.version, c.extends) == ("example", "2025-26", "base.yaml")
    assert [q.id for q in c.questions()] == [
        "named-governor",
        "ns-local-protocol",
        "governor-visits",
        "governors-trained",
        "filtering",
        "filtering-review",
    ]
    assert c.publisher is not None
    assert (c.publisher.name, c.publisher.return_deadline) == (
        "Example Safeguarding Partnership",
        "2025-12-12",
    )
    trained = c.question("leadership.governance.governors-trained")
    assert trained is not None and trained.in_return
    assert trained.evidence == ("Training log", "Local governor course certificates")
    visits = c.question("leadership.governance.governor-visits")
    assert visits is not None
    # guidance merges part by part: why and good are kept
    assert (visits.guidance.why, visits.guidance.support) == (
        "Checking matters.",
        "Ask the partnership for a visit template.",
    )


def test_every_item_knows_whether_it_is_national_or_local(tmp_path: Path) -> None:
    c = overlay(tmp_path, RESOLVE).unwrap()
    origins = {q.id: q.origin for q in c.questions()}
    assert origins == {
        "named-governor": "national",
        "ns-local-protocol": "local",
        "governor-visits": "modified",
        "governors-trained": "modified",
        "filtering": "national",
        "filtering-review": "national",
    }
    assert {s.origin for s in c.sections} == {"national"}
    assert [r.origin for r in c.references] == ["national"]
    # provenance is not content: the resolved set equals one loaded from its own dump
    assert load_text(dump_yaml(c)) == c


def test_apply_overlay_needs_no_files() -> None:
    base = load_text(COMPLETE)
    result = apply_overlay(base, "extends: anything\n" + RESOLVE, "local.yaml")
    assert result.ok, result.diagnostics
    assert result.unwrap().question("leadership.governance.ns-local-protocol") is not None


def test_adding_standards_and_sections_at_positions(tmp_path: Path) -> None:
    body = """\
add:
  - end_of: leadership
    standards:
      - id: ns-local
        title: Local arrangements
        questions:
          - {id: ns-a, text: A?, type: yes-no, evidence: [E], guidance: {why: W, good: G}}
  - before: leadership
    sections:
      - id: ns-intro
        title: About your setting
        standards:
          - id: ns-about
            title: About you
            questions:
              - id: ns-size
                text: How many pupils?
                type: number
                evidence: [E]
                guidance: {why: W, good: G}
  - start_of: leadership.ns-local
    questions:
      - {id: ns-first, text: First?, type: text, evidence: [E], guidance: {why: W, good: G}}
"""
    c = overlay(tmp_path, body).unwrap()
    numbers = c.numbering()
    assert numbers["ns-intro.ns-about.ns-size"] == "1.1.1"
    assert numbers["leadership.ns-local.ns-first"] == "2.2.1"
    assert numbers["leadership.ns-local.ns-a"] == "2.2.2"
    assert {q.origin for q in c.questions() if q.id.startswith("ns-")} == {"local"}


def test_unset_clears_a_condition(tmp_path: Path) -> None:
    body = "modify:\n  - id: leadership.governance.governor-visits\n    unset: [ask_if]\n"
    c = overlay(tmp_path, body).unwrap()
    q = c.question("leadership.governance.governor-visits")
    assert q is not None and q.ask_if is None


def test_overlays_can_extend_overlays(tmp_path: Path) -> None:
    overlay(tmp_path, RESOLVE, "regional.yaml")
    second = tmp_path / "local.yaml"
    second.write_text(
        "extends: regional.yaml\nmodify:\n  - id: leadership.governance.ns-local-protocol\n"
        "    set: {in_return: true}\n",
        encoding="utf-8",
    )
    c = load_set(str(second))
    q = c.question("leadership.governance.ns-local-protocol")
    assert q is not None and q.in_return and q.origin == "local"


# -- diagnostics: exact code and line:column in the overlay ---------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "remove:\n  - leadership.governance.nope\n",
            [("SG303", 3, 5)],
            id="remove-unknown-id",
        ),
        pytest.param(
            "modify:\n  - id: leadership.nope\n    set: {in_return: true}\n",
            [("SG303", 3, 9)],
            id="modify-unknown-id",
        ),
        pytest.param(
            "add:\n  - after: leadership.governance.nope\n    questions:\n"
            "      - {id: ns-q, text: Q?, type: yes-no}\n",
            [("SG304", 3, 12)],
            id="position-does-not-exist",
        ),
        pytest.param(
            "remove:\n  - leadership.governance.named-governor\n"
            "add:\n  - after: leadership.governance.named-governor\n    questions:\n"
            "      - {id: ns-q, text: Q?, type: yes-no}\n",
            # the only question citing kcsie-2025 is gone, so the reference is unused (SG253)
            [("SG253", 1, 10), ("SG308", 3, 5), ("SG308", 3, 5), ("SG304", 5, 12)],
            id="position-removed",
        ),
        pytest.param(
            "add:\n  - after: leadership.governance\n    questions:\n"
            "      - {id: ns-q, text: Q?, type: yes-no}\n",
            [("SG305", 3, 12)],
            id="position-wrong-kind",
        ),
        pytest.param(
            "modify:\n  - id: leadership.governance\n    set: {text: Hello}\n",
            [("SG305", 4, 11)],
            id="field-of-another-kind",
        ),
        pytest.param(
            "modify:\n  - id: leadership.governance.named-governor\n    set: {in_return: true}\n",
            [("SG306", 3, 9)],
            id="modify-changes-nothing",
        ),
        pytest.param(
            "add:\n  - after: leadership.governance.filtering\n    questions:\n"
            "      - {id: named-governor, text: Q?, type: yes-no}\n",
            [("SG307", 5, 14)],
            id="id-taken",
        ),
        pytest.param(
            "remove:\n  - leadership.governance.policy-approved\n"
            "add:\n  - after: leadership.governance.filtering\n    questions:\n"
            "      - {id: policy-approved, text: Q?, type: yes-no}\n",
            [("SG307", 7, 14)],
            id="id-of-a-removed-item",
        ),
        pytest.param(
            "remove:\n  - leadership.governance.filtering\n",
            [("SG308", 3, 5)],
            id="removal-breaks-a-condition",
        ),
        pytest.param(
            "remove:\n  - leadership.governance.policy-approved\n"
            "modify:\n  - id: leadership.governance.policy-approved\n    set: {in_return: true}\n",
            [("SG310", 5, 9)],
            id="removed-and-modified",
        ),
        pytest.param(
            "modify:\n  - id: leadership.governance.policy-approved\n    set: {in_return: true}\n"
            "  - id: leadership.governance.policy-approved\n    set: {required: false}\n",
            [("SG310", 5, 9)],
            id="modified-twice",
        ),
        pytest.param(
            "remove:\n"
            + "".join(
                f"  - leadership.governance.{q}\n"
                for q in (
                    "named-governor",
                    "governor-visits",
                    "governors-trained",
                    "policy-approved",
                    "filtering",
                    "filtering-review",
                )
            ),
            [("SG253", 1, 10), ("SG311", 8, 5)],
            id="standard-left-empty",
        ),
        pytest.param(
            "remvoe:\n  - leadership.governance.policy-approved\n",
            [("SG110", 2, 1)],
            id="misspelt-operation",
        ),
        pytest.param(
            "add:\n  - questions:\n      - {id: ns-q, text: Q?, type: yes-no}\n",
            [("SG111", 3, 5)],
            id="add-without-position",
        ),
        pytest.param(
            "add:\n  - after: leadership.governance.filtering\n    questions:\n"
            "      - {id: ns-q, text: Q?, type: rating, scale: nope,"
            " evidence: [E], guidance: {why: W, good: G}}\n",
            [("SG203", 5, 51)],
            id="local-question-checked-by-the-rules",
        ),
        pytest.param(
            "modify:\n  - id: leadership.governance.governor-visits\n    set: {scale: nope}\n",
            [("SG203", 4, 18)],
            id="modified-field-checked-by-the-rules",
        ),
        pytest.param(
            "audiences:\n  setting:\n    label: Setting\n    values: {academy: Academy}\n",
            [("SG204", 1, 10)],
            id="national-item-broken-by-the-overlay",
        ),
        pytest.param(
            "default_scale: nope\n",
            [("SG212", 2, 16)],
            id="set-level-field-checked-by-the-rules",
        ),
        pytest.param(
            "modify:\n  - id: leadership.governance.filtering\n    unset: ask_if\n",
            [("SG306", 3, 9), ("SG112", 4, 12)],
            id="unset-not-a-list",
        ),
    ],
)
def test_diagnostics_point_into_the_overlay(
    tmp_path: Path, body: str, expected: list[tuple[str, int, int]]
) -> None:
    result = overlay(tmp_path, body)
    assert sorted(located(result)) == sorted(expected), [str(d) for d in result.diagnostics]
    assert {d.source for d in result.diagnostics} == {str(tmp_path / "overlay.yaml")}


def test_a_national_item_broken_by_the_overlay_says_where_it_is(tmp_path: Path) -> None:
    body = "audiences:\n  setting:\n    label: Setting\n    values: {academy: Academy}\n"
    (d,) = overlay(tmp_path, body).diagnostics
    assert "'maintained' is not a value of audience 'setting'" in d.message
    assert d.message.endswith(f"(in {tmp_path / 'base.yaml'}:37, after this overlay's changes)")


def test_a_removal_that_breaks_conditions_names_each_one(tmp_path: Path) -> None:
    result = overlay(tmp_path, "remove:\n  - leadership.governance.named-governor\n")
    messages = sorted(d.message for d in result.errors)
    assert messages == [
        "removing 'leadership.governance.named-governor' leaves the ask_if of "
        "'leadership.governance.filtering-review' pointing at nothing",
        "removing 'leadership.governance.named-governor' leaves the ask_if of "
        "'leadership.governance.governor-visits' pointing at nothing",
    ]


def test_unknown_ids_suggest_the_closest(tmp_path: Path) -> None:
    (d,) = overlay(tmp_path, "remove:\n  - leadership.governance.filtring\n").diagnostics
    assert "(did you mean 'leadership.governance.filtering'?)" in d.message


# -- the base: unknown, invalid, circular, unpinned -----------------------------------------------


def test_an_unknown_base_file(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("# local\nextends: ./nowhere.yaml\n", encoding="utf-8")
    result = check_set(str(path))
    assert located(result) == [("SG300", 2, 10)]
    assert result.checklist is None


def test_an_unknown_bundled_version(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("extends: kcsie@2052-53\n", encoding="utf-8")
    (d,) = check_set(str(path)).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG300", 1, 10)
    assert "kcsie has no version '2052-53'" in d.message


def test_a_base_with_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("dsl: 1\nid: x\n", encoding="utf-8")
    path = tmp_path / "o.yaml"
    path.write_text("extends: broken.yaml\n", encoding="utf-8")
    (d,) = check_set(str(path)).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG302", 1, 10)
    assert "which has 3 errors" in d.message


def test_overlays_that_extend_each_other(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("title: B\nextends: ./a.yaml\n", encoding="utf-8")
    (d,) = check_set(str(tmp_path / "a.yaml")).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG301", 1, 10)
    assert d.message == "overlays extend each other in a circle: a.yaml → b.yaml → a.yaml"
    (tmp_path / "self.yaml").write_text("extends: self.yaml\n", encoding="utf-8")
    assert located(check_set(str(tmp_path / "self.yaml"))) == [("SG301", 1, 10)]


def test_an_unpinned_bundled_base_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("extends: kcsie\n", encoding="utf-8")
    result = check_set(str(path))
    assert located(result) == [("SG309", 1, 10)]
    assert result.ok


# -- the overlay schema ---------------------------------------------------------------------------


def test_committed_overlay_schema_matches_its_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_overlay_schema.py"), "--check"], check=False
    )
    assert result.returncode == 0, "run: python tools/make_overlay_schema.py"


def test_overlay_schema_is_valid_and_accepts_the_example() -> None:
    jsonschema.Draft202012Validator.check_schema(overlay_schema())
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["publisher"]["return_deadline"] = str(data["publisher"]["return_deadline"])
    jsonschema.validate(data, overlay_schema())


def test_recognising_an_overlay() -> None:
    assert is_overlay_text("# x\nextends: kcsie@2025-26\n")
    assert not is_overlay_text(COMPLETE)
    assert not is_overlay_text("title: extends: no\n")


# -- the shipped example --------------------------------------------------------------------------


def test_the_example_overlay_is_valid_and_keeps_national_ids() -> None:
    result = check_set(str(EXAMPLE))
    assert result.diagnostics == ()
    local = result.unwrap()
    national = load_set("kcsie@2025-26")
    local_ids = {q.full_id for q in local.questions() if q.origin == "local"}
    assert local_ids and all(i.rsplit(".", 1)[1].startswith("ns-") for i in local_ids)
    kept = {q.full_id for q in national.questions()} - {
        "recruitment.homestays.arranges-homestays",
        "recruitment.homestays.homestay-checks",
    }
    assert kept <= {q.full_id for q in local.questions()}
    assert local.publisher is not None and local.publisher.return_deadline == "2025-12-12"


def test_national_vs_local_diff_of_the_example() -> None:
    d = diff(load_set("kcsie@2025-26"), load_set(str(EXAMPLE)))
    assert d.tailored
    assert {c.id for c in d.of(Kind.ADDED, item="question")} == {
        "early-help.early-help.ns-threshold-document",
        "early-help.multi-agency.ns-escalation-used",
        "early-help.multi-agency.ns-escalation-learning",
        "early-help.ns-neglect.ns-neglect-toolkit",
        "early-help.ns-neglect.ns-neglect-training",
    }
    assert [c.old_id for c in d.of(Kind.REMOVED, item="standard")] == ["recruitment.homestays"]
    assert [c.id for c in d.of(Kind.RETURN)] == ["early-help.multi-agency.partnership-engagement"]


# -- the command line -----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_validate_an_overlay_with_errors(tmp_path: Path) -> None:
    overlay(tmp_path, "remove:\n  - leadership.governance.nope\n")
    code, out, _ = run("validate", str(tmp_path / "overlay.yaml"))
    assert code == 1
    assert f"{tmp_path / 'overlay.yaml'}:3:5: SG303 remove names" in out
    assert "      - leadership.governance.nope\n        ^" in out


def test_cli_diff_shows_national_vs_local() -> None:
    code, out, _ = run("diff", "kcsie@2025-26", str(EXAMPLE))
    assert code == 0
    assert out.startswith(f"# National kcsie@2025-26 vs local kcsie@2025-26 ({EXAMPLE})")


def test_cli_resolve_writes_a_complete_set(tmp_path: Path) -> None:
    target = tmp_path / "resolved.yaml"
    code, out, err = run("resolve", str(EXAMPLE), "-o", str(target))
    assert code == 0, err
    assert out == f"wrote {target} (kcsie@2025-26, 137 questions)\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Northshire safeguarding in education audit 2025-26\n# Resolved from")
    assert load_text(text) == load_set(str(EXAMPLE))
    code, _, err = run("resolve", "kcsie@2025-26")
    assert code == 2 and "is not an overlay" in err


def test_cli_show_and_json_validate_accept_overlays(tmp_path: Path) -> None:
    code, out, _ = run("show", str(EXAMPLE))
    assert code == 0 and "Northshire safeguarding in education audit 2025-26" in out
    overlay(tmp_path, "remove:\n  - leadership.governance.nope\n")
    code, out, _ = run("validate", "--format", "json", str(tmp_path / "overlay.yaml"))
    data = json.loads(out)
    assert code == 1
    assert [(d["code"], d["line"], d["column"]) for d in data["files"][0]["diagnostics"]] == [
        ("SG303", 3, 5)
    ]

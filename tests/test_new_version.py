"""new-version: next year's file keeps every comment and the layout, and validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import cli

from safeguard_standards import bundled_root, check_text, load_text
from safeguard_standards._newversion import NewVersionError, new_version_text, next_version_name

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"
COMPLETE = (CASES / "valid" / "complete.yaml").read_text(encoding="utf-8")


def comments(text: str) -> list[str]:
    """Every comment in a YAML text: whole comment lines and comments after a value.

    A '#' counts when it starts a line or follows a space outside quotes: good enough for the
    files tested here, which have no '#' inside quoted text.
    """
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            found.append(stripped)
            continue
        m = re.search(r"\s(#.*)$", line)
        if m and line.count('"') % 2 == 0 and line.count("'") % 2 == 0:
            found.append(m.group(1).strip())
    return found


def bundled_files() -> list[Path]:
    root = Path(str(bundled_root()))
    return sorted(root.glob("*/*.yaml"))


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_round_trip_of_every_bundled_file_keeps_every_comment(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    old = load_text(source, str(path))
    nxt = next_version_name(old.version)
    assert nxt is not None
    made = new_version_text(source, nxt)

    assert comments(made.text) == comments(source)
    result = check_text(made.text, "next.yaml")
    assert result.errors == ()
    new = result.unwrap()
    assert (new.version, new.supersedes, new.status) == (nxt, old.version, "draft")
    # ids kept, in order; last year's notes gone
    assert [q.full_id for q in new.questions()] == [q.full_id for q in old.questions()]
    assert [s.full_id for s in new.standards()] == [s.full_id for s in old.standards()]
    assert not any(q.change_note or q.formerly for q in new.questions())
    assert not any(s.change_note or s.formerly for s in new.standards())
    assert not new.change_summary
    # nothing else changed: the question texts, guidance and evidence are as they were
    assert [(q.text, q.guidance, q.evidence) for q in new.questions()] == [
        (q.text, q.guidance, q.evidence) for q in old.questions()
    ]
    # no line was rewritten except those carrying the edited values
    before = set(source.splitlines())
    rewritten = [line for line in made.text.splitlines() if line not in before]
    assert rewritten and all(
        re.match(r"^\s*(version|status|supersedes|effective|from|to):", line) for line in rewritten
    ), rewritten


def test_effective_dates_move_on_by_the_years_between_versions() -> None:
    made = new_version_text(COMPLETE, "2026-27")
    assert "effective: {from: 2026-09-01, to: 2027-08-31}" in made.text
    assert (made.effective_from, made.effective_to) == ("2026-09-01", "2027-08-31")
    two = new_version_text(COMPLETE.replace('version: "2025-26"', 'version: "2025-27"'), "2027-29")
    assert "effective: {from: 2027-09-01, to: 2028-08-31}" in two.text
    given = new_version_text(COMPLETE, "2026-27", effective_from="2026-09-03")
    assert "effective: {from: 2026-09-03, to: 2027-08-31}" in given.text


TRICKY = """\
# header comment
dsl: 1
id: tricky   # the set id
version: '2025'          # single quotes kept
title: Tricky layout
effective:
  from: "2024-02-29"     # a leap day
sections:
  - id: s
    title: S
    change_note: Section note.   # kept after removal
    standards:
      - id: t
        title: T
        questions:
          - change_note: >-   # a block note
              Two lines
              of note.
            id: q1
            text: Q1?
            type: yes-no
          # a comment between questions
          - {id: q2, text: Q2?, type: yes-no, formerly: s.t.old, change_note: flow}
          - id: q3
            text: Q3?
            type: yes-no
            formerly: s.old.q3
"""


def test_tricky_layouts_keep_their_comments_and_stay_valid() -> None:
    made = new_version_text(TRICKY, "2026")
    assert comments(made.text) == comments(TRICKY)
    assert "version: '2026'          # single quotes kept" in made.text
    assert '  from: "2025-02-28"     # a leap day' in made.text
    assert 'status: draft\nsupersedes: "2025"\n' in made.text  # added after version
    assert "          - {id: q2, text: Q2?, type: yes-no}\n" in made.text
    assert "    # kept after removal\n" in made.text
    assert "          - # a block note\n            id: q1\n" in made.text
    assert sorted(key for key, _line in made.removed) == [
        "change_note",
        "change_note",
        "change_note",
        "formerly",
        "formerly",
    ]
    new = check_text(made.text, "tricky.yaml").unwrap()
    assert [q.full_id for q in new.questions()] == ["s.t.q1", "s.t.q2", "s.t.q3"]
    assert new.effective_from == "2025-02-28"


def test_windows_line_endings_and_a_byte_order_mark_are_kept() -> None:
    text = "\ufeff" + COMPLETE.replace("\n", "\r\n")
    made = new_version_text(text, "2026-27")
    assert made.text.startswith("\ufeff# A small set")
    assert "\r\nstatus: draft\r\n" in made.text
    assert "\n" not in made.text.replace("\r\n", "")


def test_bad_requests_are_refused() -> None:
    with pytest.raises(NewVersionError, match="already version 2025-26"):
        new_version_text(COMPLETE, "2025-26")
    with pytest.raises(NewVersionError, match="not a valid version"):
        new_version_text(COMPLETE, "next year")
    with pytest.raises(NewVersionError, match="not a date"):
        new_version_text(COMPLETE, "2026-27", effective_to="31/08/2027")
    with pytest.raises(NewVersionError, match="flow style"):
        new_version_text("{dsl: 1, id: x, version: '1'}", "2")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2025-26", "2026-27"),
        ("2023-25", "2025-27"),
        ("2099-00", "2100-01"),
        ("2025", "2026"),
        ("2025-2026", "2026-2027"),
        ("v1", None),
    ],
)
def test_next_version_name(version: str, expected: str | None) -> None:
    assert next_version_name(version) == expected


OVERLAY = """\
# Our local version
extends: kcsie@2025-26   # the national set
publisher:
  name: Somewhere Partnership
  return_deadline: "2025-12-12"
modify:
  - id: early-help.multi-agency.escalation
    set:
      in_return: true
      change_note: On our return this year.
"""


def test_an_overlay_moves_to_the_next_national_version() -> None:
    made = new_version_text(OVERLAY, "2026-27")
    assert "extends: kcsie@2026-27   # the national set\n" in made.text
    assert '  return_deadline: "2026-12-12"\n' in made.text
    assert "change_note" not in made.text
    assert comments(made.text) == comments(OVERLAY)
    assert (made.extends, made.supersedes) == ("kcsie@2026-27", "2025-26")
    path_overlay = OVERLAY.replace("kcsie@2025-26", "../standards/kcsie/2025-26.yaml")
    assert (
        "extends: ../standards/kcsie/2026-27.yaml" in new_version_text(path_overlay, "2026-27").text
    )


# -- the command ---------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_writes_next_to_the_source_and_never_overwrites(tmp_path: Path) -> None:
    source = tmp_path / "2025-26.yaml"
    source.write_text(COMPLETE, encoding="utf-8")
    code, out, err = run("new-version", str(source), "--version", "2026-27")
    assert code == 0, err
    target = tmp_path / "2026-27.yaml"
    assert out.splitlines()[0] == f"wrote {target}"
    assert "  status: published → draft" in out
    written = target.read_text(encoding="utf-8")
    assert check_text(written).ok
    assert source.read_text(encoding="utf-8") == COMPLETE  # the source is never touched

    target.write_text("keep me\n", encoding="utf-8")
    code, _, err = run("new-version", str(source))  # the version defaults to the next one
    assert code == 1
    assert f"{target} already exists; nothing was written" in err
    assert "hint: new-version never overwrites a file" in err
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_cli_for_a_bundled_set_writes_under_standards_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("new-version", "kcsie@2025-26")
    assert code == 0, err
    target = Path("standards") / "kcsie" / "2026-27.yaml"
    assert out.splitlines()[0] == f"wrote {target}"
    assert "safeguard diff kcsie@2025-26 standards/kcsie/2026-27.yaml" in out
    assert load_text((tmp_path / target).read_text(encoding="utf-8")).version == "2026-27"


def test_cli_to_standard_output_and_bad_arguments(tmp_path: Path) -> None:
    source = tmp_path / "set.yaml"
    source.write_text(COMPLETE, encoding="utf-8")
    code, out, _ = run("new-version", str(source), "--version", "2026-27", "-o", "-")
    assert code == 0
    assert 'version: "2026-27"' in out
    code, _, err = run("new-version", str(source), "--version", "not valid")
    assert code == 2 and "'not valid' is not a valid version" in err
    code, _, err = run("new-version", str(source), "-o", str(tmp_path / "missing" / "x.yaml"))
    assert code == 2 and "does not exist" in err
    code, _, err = run("new-version", str(source), "--version", "2025-26", "-o", "-")
    assert code == 1 and "already version 2025-26" in err


def test_cli_new_version_of_an_overlay(tmp_path: Path) -> None:
    overlay = tmp_path / "somewhere-kcsie-2025-26.yaml"
    overlay.write_text(OVERLAY, encoding="utf-8")
    code, out, err = run("new-version", str(overlay), "--version", "2026-27")
    assert code == 0, err
    target = tmp_path / "somewhere-kcsie-2026-27.yaml"
    assert out.splitlines()[0] == f"wrote {target}"
    assert "extends: kcsie@2026-27" in target.read_text(encoding="utf-8")


def test_the_annual_update_in_five_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/annual-update.md, end to end, with a national set kept as files."""
    monkeypatch.chdir(tmp_path)
    national = Path(str(bundled_root())) / "kcsie" / "2025-26.yaml"
    Path("kcsie").mkdir()
    Path("kcsie/2025-26.yaml").write_text(national.read_text(encoding="utf-8"), encoding="utf-8")
    example = (TESTS / ".." / "examples" / "northshire-kcsie-2025-26.yaml").read_text(
        encoding="utf-8"
    )
    Path("ns-2025-26.yaml").write_text(
        example.replace("extends: kcsie@2025-26", "extends: kcsie/2025-26.yaml"),
        encoding="utf-8",
    )
    # the national set moves on (what the project does each summer)
    assert run("new-version", "kcsie/2025-26.yaml")[0] == 0
    # 1. what changed nationally (nothing yet in this draft)
    code, out, _ = run("diff", "kcsie/2025-26.yaml", "kcsie/2026-27.yaml")
    assert code == 0 and "It now applies from 1 September 2026 (it was 1 September 2025)." in out
    # 2. next year's overlay
    code, out, err = run("new-version", "ns-2025-26.yaml", "--version", "2026-27")
    assert code == 0, err
    text = Path("ns-2026-27.yaml").read_text(encoding="utf-8")
    assert "extends: kcsie/2026-27.yaml" in text
    assert "return_deadline: 2026-12-12" in text
    # 3. this year's change
    Path("ns-2026-27.yaml").write_text(
        text.replace("return_deadline: 2026-12-12", "return_deadline: 2026-12-11"),
        encoding="utf-8",
    )
    # 4. check it
    code, out, _ = run("validate", "ns-2026-27.yaml")
    assert code == 0, out
    # 5. the "what changed since last year" document for schools
    code, out, err = run(
        "render",
        "ns-2026-27.yaml",
        "--as",
        "changes",
        "--since",
        "ns-2025-26.yaml",
        "--format",
        "md",
        "-o",
        "-",
    )
    assert code == 0, err
    assert "Returns are due by 11 December 2026 (it was 12 December 2025)." in out

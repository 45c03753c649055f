"""The loader API: strict YAML, locations, immutability, errors as data."""

from __future__ import annotations

import random
from pathlib import Path

import attrs
import pytest

import safeguard_standards as sg
from safeguard_standards import ChecklistError, Code, best_match, check_text, load

MINIMAL = """\
dsl: 1
id: mini
version: "1"
title: Minimal
sections:
  - id: s
    title: S
    standards:
      - id: t
        title: T
        questions:
          - id: q
            text: Is it so?
            type: yes-no
            evidence: [A record]
            guidance: {why: Because., good: It is so.}
"""


def codes(text: str) -> list[tuple[str, int, int]]:
    return [(d.code.code, d.line, d.column) for d in check_text(text, "t.yaml").diagnostics]


def test_load_text_builds_a_frozen_model_with_tuples() -> None:
    c = load(MINIMAL)
    q = c.question("s.t.q")
    assert q is not None and q.text == "Is it so?" and q.evidence == ("A record",)
    assert isinstance(c.sections, tuple)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.title = "changed"  # type: ignore[misc]


def test_locations_are_kept_but_ignored_by_equality() -> None:
    a = load(MINIMAL)
    b = load("# a comment shifts every line\n" + MINIMAL)
    qa, qb = a.question("s.t.q"), b.question("s.t.q")
    assert qa is not None and qb is not None
    assert (qa.loc.line, qa.loc.column) == (12, 13)
    assert qb.loc.line == 13
    assert a == b


def test_load_accepts_a_path_and_text(tmp_path: Path) -> None:
    f = tmp_path / "set.yaml"
    f.write_text(MINIMAL, encoding="utf-8")
    assert load(f) == load(str(f)) == load(MINIMAL)


def test_load_raises_one_error_holding_every_diagnostic() -> None:
    bad = MINIMAL.replace("type: yes-no", "type: yesno").replace("title: T", "titel: T")
    with pytest.raises(ChecklistError) as info:
        load(bad)
    found = sorted((d.code.code, d.line) for d in info.value.diagnostics)
    assert found == [("SG110", 10), ("SG111", 9), ("SG113", 14)]
    assert "SG" in str(info.value) and "2 more errors" in str(info.value)


def test_duplicate_keys_are_reported_not_silently_merged() -> None:
    assert codes(MINIMAL + "title: Second\n") == [("SG102", 17, 1)]


def test_yaml_11_surprises_say_quote_it() -> None:
    found = check_text(MINIMAL.replace('version: "1"', "version: 1.10"), "t.yaml").diagnostics
    assert [(d.code.code, d.line, d.column) for d in found] == [("SG106", 3, 10)]
    assert found[0].hint == 'quote it: "1.10"'
    text = MINIMAL.replace("text: Is it so?", "text: no")
    found = check_text(text, "t.yaml").diagnostics
    assert [d.code.code for d in found] == ["SG106"] and found[0].hint == 'quote it: "no"'


def test_unquoted_dates_stay_text() -> None:
    c = load(MINIMAL.replace("title: Minimal", "title: Minimal\neffective: {from: 2025-09-01}"))
    assert c.effective_from == "2025-09-01"


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10_000):
        lines.append(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]")
    result = check_text("\n".join(lines) + "\n", "bomb.yaml")
    assert result.checklist is None
    assert {d.code for d in result.diagnostics} == {Code.ALIAS}
    first = result.diagnostics[0]
    assert (first.line, first.column) == (1, 5)
    assert "more" in result.diagnostics[-1].message


def test_python_tags_are_refused_and_nothing_is_constructed() -> None:
    text = MINIMAL.replace("title: Minimal", "title: !!python/object/apply:os.system [echo hi]")
    found = check_text(text, "t.yaml").diagnostics
    assert [(d.code.code, d.line, d.column) for d in found] == [("SG105", 4, 8)]
    assert "!!python/object/apply:os.system" in found[0].message


def test_bom_and_crlf_load(tmp_path: Path) -> None:
    f = tmp_path / "windows.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert sg.check_path(f).diagnostics == ()


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    f = tmp_path / "latin1.yaml"
    f.write_bytes(MINIMAL.replace("Minimal", "Minimal caf\xe9").encode("latin-1"))
    (d,) = sg.check_path(f).diagnostics
    assert (d.code, d.line, d.column) == (Code.ENCODING, 4, 19)


def test_missing_file_and_folder_are_diagnostics(tmp_path: Path) -> None:
    (missing,) = sg.check_path(tmp_path / "nope.yaml").diagnostics
    (folder,) = sg.check_path(tmp_path).diagnostics
    assert missing.code is Code.UNREADABLE and "no such file" in missing.message
    assert folder.code is Code.UNREADABLE and "folder" in folder.message


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    from safeguard_standards import _yaml

    f = tmp_path / "big.yaml"
    with f.open("wb") as handle:
        handle.seek(_yaml.MAX_BYTES)
        handle.write(b"\n")
    (d,) = sg.check_path(f).diagnostics
    assert d.code is Code.LIMIT


def test_validate_returns_warnings_for_a_built_checklist() -> None:
    c = load(MINIMAL)
    bare = attrs.evolve(
        c,
        sections=(
            attrs.evolve(
                c.sections[0],
                standards=(
                    attrs.evolve(
                        c.sections[0].standards[0],
                        questions=(attrs.evolve(c.question("s.t.q"), evidence=()),),  # type: ignore[arg-type]
                    ),
                ),
            ),
        ),
    )
    assert [d.code for d in sg.validate(bare)] == [Code.NO_EVIDENCE]
    assert sg.validate(c) == ()


def test_best_match_does_not_depend_on_order() -> None:
    bad = MINIMAL.replace("type: yes-no", "type: yesno").replace("title: T", "titel: T")
    diagnostics = list(check_text(bad + "title: x\n", "t.yaml").diagnostics)
    expected = best_match(diagnostics)
    for seed in range(5):
        random.Random(seed).shuffle(diagnostics)
        assert best_match(diagnostics) == expected
    # structure errors (SG1xx) first, then the earliest in the file: the missing title on line 9
    assert expected is not None
    assert (expected.code, expected.line) == (Code.MISSING_FIELD, 9)


def test_select_keeps_only_what_applies() -> None:
    c = sg.load_path(Path(__file__).parent / "cases" / "valid" / "complete.yaml")
    fe = sg.select_audience(c, ["setting=fe-college"])
    ids = [q.full_id for q in fe.questions()]
    assert "leadership.governance.named-governor" not in ids
    assert len(ids) == sum(1 for _ in c.questions()) - 1
    with pytest.raises(sg.AudienceError, match="did you mean 'academy'"):
        sg.select_audience(c, ["setting=acadmy"])
    with pytest.raises(sg.AudienceError, match="DIMENSION=VALUE"):
        sg.select_audience(c, ["academy"])


def test_condition_holds() -> None:
    c = sg.load_path(Path(__file__).parent / "cases" / "valid" / "complete.yaml")
    q = c.question("leadership.governance.filtering-review")
    assert q is not None and q.ask_if is not None
    gov, filt = "leadership.governance.named-governor", "leadership.governance.filtering"
    assert q.ask_if.holds({gov: "yes", filt: "own"})
    assert not q.ask_if.holds({gov: "no", filt: "own"})
    assert not q.ask_if.holds({gov: "yes", filt: "provider"})
    assert not q.ask_if.holds({})

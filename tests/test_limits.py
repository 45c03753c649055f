"""The input limits: each is explicit, documented, has its own code, and sits where it says.

For every limit: a file exactly at it loads (or at least is not refused for it), one step
over it gets the limit's own located diagnostic and nothing is built. The real standard sets
sit far below every limit. docs/limits.md states the same numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from safeguard_standards import Code, _yaml, bundled_root, check_path, check_set, check_text
from safeguard_standards.tailoring import MAX_OVERLAY_CHAIN

ROOT = Path(__file__).resolve().parent.parent
LIMIT_CODES = {Code.LIMIT, Code.TOO_DEEP, Code.TOO_LONG, Code.TOO_MANY_KEYS, Code.TOO_MANY_VALUES}


def _codes(text: str) -> list[str]:
    return [d.code.code for d in check_text(text, "t.yaml").diagnostics]


def _refused(text: str, code: Code) -> tuple[int, int]:
    """Check that ``text`` is refused for exactly ``code``; return where."""
    result = check_text(text, "t.yaml")
    assert result.checklist is None
    found = [d for d in result.diagnostics if d.code in LIMIT_CODES]
    assert [d.code for d in found] == [code]
    assert found[0].hint
    return found[0].line, found[0].column


# -- depth ---------------------------------------------------------------------------------------


def _flow(depth: int) -> str:
    """A top-level mapping (depth 1) holding lists nested to ``depth`` in all."""
    inner = depth - 1
    return "x: " + "[" * inner + "]" * inner + "\n"


def test_depth_limit_flow() -> None:
    assert "SG118" not in _codes(_flow(_yaml.MAX_DEPTH))
    # list k (1-based) starts at column 3 + k and is at depth k + 1
    assert _refused(_flow(_yaml.MAX_DEPTH + 1), Code.TOO_DEEP) == (1, 4 + _yaml.MAX_DEPTH - 1)


def _block(depth: int) -> str:
    return "\n".join(" " * k + "a:" for k in range(depth)) + " x\n"


def test_depth_limit_block() -> None:
    assert "SG118" not in _codes(_block(_yaml.MAX_DEPTH))
    # mapping number MAX_DEPTH + 1 starts on that line, indented MAX_DEPTH spaces
    line, col = _refused(_block(_yaml.MAX_DEPTH + 1), Code.TOO_DEEP)
    assert (line, col) == (_yaml.MAX_DEPTH + 1, _yaml.MAX_DEPTH + 1)


def test_deep_conditions_within_the_limit_are_checked_normally() -> None:
    """ask_if may nest all/any; 25 levels of it are nothing like the limit."""
    minimal = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    cond = "{question: leadership.governance.named-governor, equals: 'yes'}"
    for _ in range(12):
        cond = f"{{all: [{cond}]}}"
    text = minimal.replace(
        'ask_if: {question: leadership.governance.named-governor, equals: "yes"}',
        f"ask_if: {cond}",
    )
    assert check_text(text, "t.yaml").diagnostics == ()


# -- string length -------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ["", '"', "'"])
def test_string_length_limit(quote: str) -> None:
    at_limit = f"title: {quote}{'x' * _yaml.MAX_STRING}{quote}\n"
    assert "SG119" not in _codes(at_limit)
    over = f"dsl: 1\ntitle: {quote}{'x' * (_yaml.MAX_STRING + 1)}{quote}\n"
    assert _refused(over, Code.TOO_LONG) == (2, 8)


def test_string_length_limit_applies_to_keys() -> None:
    over = f"dsl: 1\n? {'k' * (_yaml.MAX_STRING + 1)}\n: x\n"
    assert _refused(over, Code.TOO_LONG) == (2, 3)


# -- keys in one mapping -------------------------------------------------------------------------


def _keys(n: int) -> str:
    return "".join(f"k{i}: 1\n" for i in range(n))


def test_key_count_limit() -> None:
    assert "SG120" not in _codes(_keys(_yaml.MAX_KEYS))
    # the first key over the limit is the one reported
    assert _refused(_keys(_yaml.MAX_KEYS + 1), Code.TOO_MANY_KEYS) == (_yaml.MAX_KEYS + 1, 1)


def test_key_count_limit_is_per_mapping() -> None:
    half = _yaml.MAX_KEYS // 2 + 1
    nested = "a:\n" + "".join(f"  k{i}: 1\n" for i in range(half))
    nested += "b:\n" + "".join(f"  k{i}: 1\n" for i in range(half))
    assert "SG120" not in _codes(nested)


# -- values in the file --------------------------------------------------------------------------


def _values(n: int) -> str:
    """A mapping (1 value) with one key (2) holding a list (3) of n - 3 items."""
    return "x: [" + "a," * (n - 4) + "a]\n"


def test_value_count_limit() -> None:
    assert "SG121" not in _codes(_values(_yaml.MAX_VALUES))
    # the first value over the limit is item MAX_VALUES - 2 of the list (columns 5, 7, 9, …)
    at = _refused(_values(_yaml.MAX_VALUES + 1), Code.TOO_MANY_VALUES)
    assert at == (1, 5 + 2 * (_yaml.MAX_VALUES - 3))


# -- file size -----------------------------------------------------------------------------------


def test_file_size_limit(tmp_path: Path) -> None:
    at_limit = tmp_path / "at.yaml"
    at_limit.write_bytes(b"#" * (_yaml.MAX_BYTES - 1) + b"\n")
    assert Code.LIMIT not in {d.code for d in check_path(at_limit).diagnostics}
    over = tmp_path / "over.yaml"
    over.write_bytes(b"#" * _yaml.MAX_BYTES + b"\n")
    (d,) = check_path(over).diagnostics
    assert (d.code, d.line) == (Code.LIMIT, 0)  # the file as a whole
    assert d.hint


def test_text_size_limit_applies_to_text_given_directly() -> None:
    assert _refused("#" * (_yaml.MAX_BYTES + 1), Code.LIMIT) == (1, 1)
    # characters outside ASCII count by their UTF-8 size
    assert _refused("é" * (_yaml.MAX_BYTES // 2 + 1), Code.LIMIT) == (1, 1)


# -- problems listed ----------------------------------------------------------------------------


def _numbers_as_evidence(n: int) -> str:
    base = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8").splitlines()
    return "\n".join([*base[:30], f"            evidence: [{', '.join(['1'] * n)}]", *base[31:]])


def test_at_most_max_diagnostics_are_listed_then_sg122() -> None:
    from safeguard_standards.loader import MAX_DIAGNOSTICS

    exactly = check_text(_numbers_as_evidence(MAX_DIAGNOSTICS), "t.yaml").diagnostics
    assert [d.code for d in exactly] == [Code.IMPLICIT_TYPE] * MAX_DIAGNOSTICS
    found = check_text(_numbers_as_evidence(20_000), "t.yaml").diagnostics
    assert len(found) == MAX_DIAGNOSTICS + 1
    assert [d.code for d in found[:-1]] == [Code.IMPLICIT_TYPE] * MAX_DIAGNOSTICS
    # the first ones in the file, in order: item k of the list is at column 24 + 3 k
    assert [(d.line, d.column) for d in found[:3]] == [(31, 24), (31, 27), (31, 30)]
    last = found[-1]
    assert (last.code, last.line) == (Code.TOO_MANY_PROBLEMS, 0)
    assert last.hint


def test_an_overlay_lists_at_most_max_diagnostics_too(tmp_path: Path) -> None:
    from safeguard_standards.loader import MAX_DIAGNOSTICS

    base = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    overlay = tmp_path / "overlay.yaml"
    numbers = ", ".join(["1"] * 5000)  # ids must be text: 5,000 problems
    overlay.write_text(f"dsl: 1\nextends: base.yaml\nremove: [{numbers}]\n", encoding="utf-8")
    found = check_set(str(overlay)).diagnostics
    assert len(found) == MAX_DIAGNOSTICS + 1
    assert found[-1].code is Code.TOO_MANY_PROBLEMS


# -- overlay chains ------------------------------------------------------------------------------


def _chain(folder: Path, n: int) -> Path:
    base = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    (folder / "base.yaml").write_text(base, encoding="utf-8")
    previous = "base.yaml"
    for i in range(n):
        (folder / f"o{i}.yaml").write_text(f"dsl: 1\nextends: {previous}\n", encoding="utf-8")
        previous = f"o{i}.yaml"
    return folder / previous


def test_overlay_chain_limit(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "over").mkdir()
    assert check_set(str(_chain(tmp_path / "ok", MAX_OVERLAY_CHAIN))).diagnostics == ()
    (d,) = check_set(str(_chain(tmp_path / "over", MAX_OVERLAY_CHAIN + 1))).diagnostics
    assert (d.code, d.line, d.column) == (Code.OVERLAY_CHAIN, 2, 10)


# -- the real sets are far from every limit ------------------------------------------------------


def _measure(data: Any, depth: int = 1) -> tuple[int, int, int, int]:
    """(deepest level, longest string, most keys in a mapping, values) of parsed data."""
    if isinstance(data, dict):
        parts = [_measure(v, depth + 1) for v in data.values()]
        keys = (depth, max((len(str(k)) for k in data), default=0), len(data), 1 + len(data))
    elif isinstance(data, list):
        parts = [_measure(v, depth + 1) for v in data]
        keys = (depth, 0, 0, 1)
    else:
        return (depth - 1, len(data) if isinstance(data, str) else 0, 0, 1)
    return (
        max([keys[0], *(p[0] for p in parts)]),
        max([keys[1], *(p[1] for p in parts)]),
        max([keys[2], *(p[2] for p in parts)]),
        keys[3] + sum(p[3] for p in parts),
    )


def test_bundled_sets_are_far_below_every_limit() -> None:
    root = bundled_root()
    files = [f for d in root.iterdir() if d.is_dir() for f in d.iterdir()]
    files = [f for f in files if f.name.endswith(".yaml")]
    assert files
    for f in files:
        raw = f.read_bytes()
        parsed = _yaml.parse(raw.decode("utf-8"), f.name)
        depth, longest, keys, values = _measure(parsed.data)
        assert len(raw) * 20 < _yaml.MAX_BYTES, f.name
        assert depth * 4 < _yaml.MAX_DEPTH, (f.name, depth)
        assert longest * 20 < _yaml.MAX_STRING, (f.name, longest)
        assert keys * 20 < _yaml.MAX_KEYS, (f.name, keys)
        assert values * 20 < _yaml.MAX_VALUES, (f.name, values)


# -- the documentation states the same limits ----------------------------------------------------


def test_docs_state_each_limit_and_its_code() -> None:
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for number, code in [
        (f"{_yaml.MAX_BYTES // 1048576} MB", "SG116"),
        (str(_yaml.MAX_DEPTH), "SG118"),
        (f"{_yaml.MAX_STRING:,}", "SG119"),
        (f"{_yaml.MAX_KEYS:,}", "SG120"),
        (f"{_yaml.MAX_VALUES:,}", "SG121"),
        (str(MAX_OVERLAY_CHAIN), "SG312"),
        ("1,000", "SG122"),
    ]:
        row = re.search(rf"^\|[^\n]*\b{code}\b[^\n]*$", text, re.MULTILINE)
        assert row, f"docs/limits.md has no table row for {code}"
        assert number in row.group(0), (code, number, row.group(0))


def test_the_benchmark_sets_are_valid_and_within_the_limits() -> None:
    """benchmarks/synth.py writes valid dsl 1; its 5,000-question set passes every limit."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    for n, variant in ((50, 0), (50, 1), (5000, 0)):
        result = check_text(synth.make_set(n, variant), f"synthetic-{n}.yaml")
        assert result.diagnostics == (), [str(d) for d in result.diagnostics[:3]]
        assert result.checklist is not None
        assert sum(1 for _ in result.checklist.questions()) in range(n - n // 50, n + n // 50 + 1)

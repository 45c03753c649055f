"""Mutation testing: damaged copies of valid files never make the loader raise.

Hypothesis takes a valid file (every bundled set, every tests/cases/valid file, the example
overlay), damages it the way hand edits and bad copies do (delete, duplicate or swap lines,
change a line's indentation, insert random bytes) and checks the file as the command line
would. Loading must either succeed or return diagnostics; any exception is a bug. Each
diagnostic must also point inside the file and say how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_standards import LoadResult, bundled_root, check_set, format_diagnostic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _seeds() -> dict[str, bytes]:
    seeds: dict[str, bytes] = {}
    root = bundled_root()
    for folder in sorted(root.iterdir(), key=lambda t: t.name):
        if folder.is_dir():
            for f in sorted(folder.iterdir(), key=lambda t: t.name):
                if f.name.endswith(".yaml"):
                    seeds[f"{folder.name}/{f.name}"] = f.read_bytes()
    for f in sorted((HERE / "cases" / "valid").glob("*.yaml")):
        seeds[f"cases/{f.name}"] = f.read_bytes()
    for f in sorted((ROOT / "examples").glob("*.yaml")):
        seeds[f"examples/{f.name}"] = f.read_bytes()
    return seeds


SEEDS = _seeds()


def test_seeds_are_valid(tmp_path: Path) -> None:
    """The files mutated below are valid to start with (else the test proves little)."""
    assert len(SEEDS) >= 2
    for name, raw in SEEDS.items():
        result = _check(tmp_path, name, raw)
        assert result.ok, [str(d) for d in result.errors]


def _check(folder: Path, name: str, raw: bytes) -> LoadResult:
    """Check ``raw`` as ``safeguard validate`` checks a file (overlays included)."""
    target = folder / name.replace("/", "__")
    target.write_bytes(raw)
    return check_set(str(target))


# -- mutations -----------------------------------------------------------------------------------

Mutation = tuple[str, int, int, bytes]


@st.composite
def mutations(draw: st.DrawFn) -> list[Mutation]:
    """One to three damaging edits; positions are fractions, resolved against the file."""
    kinds = st.sampled_from(["delete", "duplicate", "swap", "indent", "bytes", "truncate"])
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(kinds)
        where = draw(st.integers(0, 10_000))
        other = draw(st.integers(-10_000, 10_000))
        junk = draw(st.binary(min_size=1, max_size=8)) if kind == "bytes" else b""
        out.append((kind, where, other, junk))
    return out


def _mutate(raw: bytes, edits: list[Mutation]) -> bytes:
    for kind, where, other, junk in edits:
        lines = raw.splitlines(keepends=True) or [b""]
        i = where * len(lines) // 10_001
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = abs(other) * len(lines) // 10_001
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            delta = other % 9 - 4  # -4 … +4 spaces
            line = lines[i]
            stripped = line.lstrip(b" ")
            indent = max(0, len(line) - len(stripped) + delta)
            lines[i] = b" " * indent + stripped
        elif kind == "bytes":
            at = where * (len(raw) + 1) // 10_001
            raw = raw[:at] + junk + raw[at:]
            continue
        elif kind == "truncate":
            raw = raw[: where * len(raw) // 10_001]
            continue
        raw = b"".join(lines)
    return raw


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(SEEDS)), edits=mutations())
def test_damaged_files_load_or_give_diagnostics(
    tmp_path: Path, name: str, edits: list[Mutation]
) -> None:
    raw = _mutate(SEEDS[name], edits)
    result = _check(tmp_path, name, raw)  # any exception fails the test
    assert isinstance(result, LoadResult)
    if result.ok:
        assert result.checklist is not None
        return
    assert result.errors
    n_lines = raw.count(b"\n") + raw.count(b"\r") + 2
    for d in result.diagnostics:
        # located inside the file (line 0: the file as a whole), with a remedy
        assert 0 <= d.line <= n_lines, (str(d), n_lines)
        assert d.column >= 0
        assert d.hint, str(d)
        format_diagnostic(d, result.text)  # printing it with the source line never fails


@pytest.mark.parametrize(
    ("edits", "damaged"),
    [
        ([("delete", 5000, 0, b"")], b"x: 1\n  b:\n"),  # the middle line of three
        ([("duplicate", 0, 0, b"")], b"x: 1\nx: 1\na\n  b:\n"),
        ([("swap", 0, 10_000, b"")], b"  b:\na\nx: 1\n"),
        ([("indent", 10_000, 0, b"")], b"x: 1\na\nb:\n"),  # 0 % 9 - 4: four fewer spaces
        ([("indent", 0, 8, b"")], b"    x: 1\na\n  b:\n"),  # four more
        ([("bytes", 0, 0, b"\x00\xff")], b"\x00\xffx: 1\na\n  b:\n"),
        ([("truncate", 5000, 0, b"")], b"x: 1\n"),  # 12 bytes cut at 5
        ([("delete", 0, 0, b""), ("delete", 0, 0, b"")], b"  b:\n"),
    ],
)
def test_mutations_do_what_they_say(edits: list[Mutation], damaged: bytes) -> None:
    """The mutation helper itself, on a three-line file."""
    assert _mutate(b"x: 1\na\n  b:\n", edits) == damaged


def test_a_known_damage_is_reported(tmp_path: Path) -> None:
    """A NUL byte inserted at the start of complete.yaml: one located SG109."""
    damaged = _mutate(SEEDS["cases/complete.yaml"], [("bytes", 0, 0, b"\x00")])
    (d,) = _check(tmp_path, "cases/complete.yaml", damaged).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG109", 1, 1)

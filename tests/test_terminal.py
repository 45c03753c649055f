"""Nothing the CLI prints can steer the terminal: control characters are shown as escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import _terminal, cli

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ROOT / "tests" / "cases" / "valid" / "complete.yaml"

CONTROLS = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]]
BIDI = [
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]


def _raw_unsafe(text: str, bidi: bool = True) -> list[str]:
    bad = set(CONTROLS) | (set(BIDI) if bidi else set())
    return [c for c in text if c in bad or 0xD800 <= ord(c) <= 0xDFFF]


@pytest.mark.parametrize("char", CONTROLS + BIDI + ["\ud800", "\udcff"])
def test_printable_escapes_every_steering_character(char: str) -> None:
    shown = _terminal.printable(f"a{char}b")
    assert shown == f"a\\u{ord(char):04x}b"


def test_printable_keeps_text_tabs_and_line_ends() -> None:
    text = "Säfe\tguarding — “audit”\r\nnext line\n😀"
    assert _terminal.printable(text) == text
    assert _terminal.printable("overwrite\rthis") == "overwrite\\u000dthis"
    assert _terminal.printable("a\u202eb", bidi=False) == "a\u202eb"


def _invoke(args: list[str], *, tty: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(_terminal, "is_terminal", lambda stream: tty)
    return CliRunner().invoke(cli, args)


def _set_with(tmp_path: Path, text: str, name: str = "set.yaml") -> Path:
    source = tmp_path / name
    source.write_text(
        COMPLETE.read_text(encoding="utf-8").replace(
            "title: Example safeguarding self-assessment", f"title: {text}"
        ),
        encoding="utf-8",
    )
    return source


def test_show_escapes_bidi_overrides_on_a_terminal_and_keeps_them_in_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _set_with(tmp_path, "Audit \u202enimda\u202c 2025")
    shown = _invoke(["show", str(source)], tty=True, monkeypatch=monkeypatch)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0] == "Audit \\u202enimda\\u202c 2025"
    piped = _invoke(["show", str(source)], tty=False, monkeypatch=monkeypatch)
    assert piped.stdout.splitlines()[0] == "Audit \u202enimda\u202c 2025"


def test_diff_on_a_terminal_cannot_hide_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _set_with(tmp_path, "Example audit", "old.yaml")
    new = _set_with(tmp_path, "Example \u2066audit\u2069 \u202ereversed\u202c", "new.yaml")
    run = _invoke(["diff", str(old), str(new)], tty=True, monkeypatch=monkeypatch)
    assert run.exit_code == 0, run.output
    assert _raw_unsafe(run.stdout) == []
    assert "\\u202ereversed\\u202c" in run.stdout


def test_file_names_and_arguments_in_messages_are_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = str(tmp_path / "x\x1b]0;owned\x07\u202e.yaml")
    run = _invoke(["show", name], tty=False, monkeypatch=monkeypatch)
    assert run.exit_code == 2  # a SET with a control character in it is a bad command line
    assert _raw_unsafe(run.stderr) == []
    assert "contains a control character at column" in run.stderr
    # click's own usage errors too
    bad = _invoke(["list", "extra\x1b[8m\x07"], tty=True, monkeypatch=monkeypatch)
    assert bad.exit_code == 2
    assert _raw_unsafe(bad.stderr) == []
    assert "unexpected extra argument (extra\\u0007)" in bad.stderr  # click strips CSI itself


def test_a_source_line_shown_under_a_diagnostic_is_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "raw.yaml"
    source.write_text("dsl: 1\nid: x\x07\x1b]2;title\x07\n", encoding="utf-8")
    run = _invoke(["validate", str(source)], tty=True, monkeypatch=monkeypatch)
    assert run.exit_code == 1
    assert f"{source}:2:6: SG109" in run.stdout
    assert "    id: x\\u0007\\u001b]2;title\\u0007" in run.stdout
    assert _raw_unsafe(run.stdout) == []


def test_data_written_to_standard_output_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "title: Example safeguarding self-assessment", "title: Example \u202eaudit\u202c"
    )
    source = tmp_path / "2025-26.yaml"
    source.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    to_file = tmp_path / "2026-27.yaml"
    written = _invoke(
        ["new-version", str(source), "--version", "2026-27", "-o", str(to_file)],
        tty=False,
        monkeypatch=monkeypatch,
    )
    assert written.exit_code == 0, written.output
    piped = _invoke(
        ["new-version", str(source), "--version", "2026-27", "-o", "-"],
        tty=False,
        monkeypatch=monkeypatch,
    )
    assert piped.exit_code == 0, piped.output
    assert piped.stdout_bytes == to_file.read_bytes()


_BUG = """
import sys
from safeguard_standards_cli import _app

@_app.cli.command("boom")
def boom() -> None:
    def writer():
        try:
            yield 1
        finally:
            raise ValueError("a library's generator failing as it is closed")
    started = writer()
    next(started)
    raise RuntimeError("a bug \x1b]0;title\x07")

sys.argv = ["safeguard", "boom"]
_app.main()
"""


def test_an_internal_error_prints_no_exception_ignored_blocks() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SAFEGUARD_DEBUG"}
    run = subprocess.run(
        [sys.executable, "-c", _BUG], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 3
    assert "safeguard: internal error: RuntimeError: a bug \\u001b]0;title\\u0007" in run.stderr
    assert "Exception ignored" not in run.stderr and "Traceback" not in run.stderr
    debug = subprocess.run(
        [sys.executable, "-c", _BUG],
        capture_output=True,
        text=True,
        env={**env, "SAFEGUARD_DEBUG": "1"},
        check=False,
    )
    assert "Traceback" in debug.stderr and "RuntimeError: a bug" in debug.stderr

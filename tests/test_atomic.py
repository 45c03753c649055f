"""Outputs are written atomically; an interrupted command never damages a previous file, and no
command touches a source YAML file unless that is its job.

* ``write_atomic`` itself: an exception or a kill in the middle of writing leaves the old file
  as it was (a killed process may leave its temporary ``.NAME.….part`` file, never a partial
  file under the target name);
* ``safeguard render`` killed (SIGKILL) at many moments of a PDF render: the previous output is
  either untouched or replaced by a complete PDF, never anything in between;
* every command that writes a file replaces it (a new inode, the old permissions kept) rather
  than writing into it, and a command that fails writes nothing;
* running every command leaves the source files (a set and an overlay) byte for byte and
  timestamp for timestamp as they were.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

from safeguard_standards import write_atomic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COMPLETE = HERE / "cases" / "valid" / "complete.yaml"
OVERLAY = ROOT / "examples" / "northshire-kcsie-2025-26.yaml"
PREVIOUS = b"%PDF-1.7 the previous output, which must survive\n"


# -- write_atomic --------------------------------------------------------------------------------


def test_write_atomic_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.stat().st_ino != inode  # a new file renamed into place, not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(PREVIOUS)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the data, before the rename

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"%PDF-1.7 new and complete" * 1000)
    assert target.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


_KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from safeguard_standards import write_atomic

def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)   # no cleanup can run: as if the power went

os.fsync = die
write_atomic({target!r}, b"%PDF-1.7 new" * 100000)
"""


def test_a_process_killed_while_writing_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(PREVIOUS)
    code = _KILLED_WRITER.format(root=str(ROOT), target=str(target))
    done = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    assert target.read_bytes() == PREVIOUS
    # the half-finished temporary file is all that is left, under its own name
    others = [p.name for p in tmp_path.iterdir() if p.name != "out.pdf"]
    assert all(n.startswith(".out.pdf.") and n.endswith(".part") for n in others), others


# -- a real render, killed -----------------------------------------------------------------------


def _render_command(output: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "safeguard_standards_cli",
        "render",
        "kcsie",
        "--as",
        "return-form",
        "--format",
        "pdf",
        "-o",
        str(output),
    ]


def _is_complete_pdf(data: bytes) -> bool:
    import io

    from pypdf import PdfReader

    if not data.rstrip().endswith(b"%%EOF"):
        return False
    return len(PdfReader(io.BytesIO(data)).pages) > 0


def test_a_render_killed_at_any_moment_never_damages_the_previous_file(tmp_path: Path) -> None:
    """SIGKILL at 7 moments spread over a PDF render (imports, layout, writing)."""
    probe = tmp_path / "probe.pdf"
    start = time.monotonic()
    subprocess.run(_render_command(probe), check=True, capture_output=True, timeout=300)
    full = time.monotonic() - start
    assert _is_complete_pdf(probe.read_bytes())

    outcomes = []
    for i, fraction in enumerate((0.1, 0.5, 0.8, 0.9, 0.95, 1.0, 1.05)):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        target = folder / "out.pdf"
        target.write_bytes(PREVIOUS)
        proc = subprocess.Popen(
            _render_command(target), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        data = target.read_bytes()
        if data == PREVIOUS:
            outcomes.append("previous")
        else:
            assert _is_complete_pdf(data), f"a partial file under the target name at {fraction}"
            outcomes.append("new")
        leftovers = [p.name for p in folder.iterdir() if p.name != "out.pdf"]
        assert all(n.startswith(".out.pdf.") and n.endswith(".part") for n in leftovers)
    # the early kills at least must have found the previous file in place
    assert outcomes[0] == "previous", outcomes


# -- every command that writes, writes atomically; a failing one writes nothing -----------------


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


WRITERS = [
    *[("render", fmt) for fmt in ("html", "pdf", "docx", "xlsx", "md", "csv", "json")],
    ("diff", "md"),
    ("diff", "html"),
    ("resolve", "yaml"),
]


@pytest.mark.parametrize(("command", "fmt"), WRITERS)
def test_commands_replace_their_output_rather_than_write_into_it(
    tmp_path: Path, command: str, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(PREVIOUS)
    out.chmod(0o640)
    inode = out.stat().st_ino
    if command == "render":
        _invoke("render", str(COMPLETE), "--as", "form", "--format", fmt, "-o", str(out))
    elif command == "diff":
        _invoke("diff", "kcsie@2024-25", "kcsie@2025-26", "--format", fmt, "-o", str(out))
    else:
        _invoke("resolve", str(OVERLAY), "-o", str(out))
    assert out.read_bytes() != PREVIOUS
    assert out.stat().st_ino != inode, "the output was written into, not replaced"
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_a_failing_render_leaves_the_previous_file(tmp_path: Path) -> None:
    source = tmp_path / "set.yaml"
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "publisher: {name: Example Safeguarding Partnership,",
        "publisher: {logo: ../../../../etc/passwd, name: Example Safeguarding Partnership,",
    )
    assert "logo:" in text
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.pdf"
    out.write_bytes(PREVIOUS)
    result = CliRunner().invoke(
        cli, ["render", str(source), "--as", "form", "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code != 0
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf", "set.yaml"]


# -- sources are never modified --------------------------------------------------------------------


def _snapshot(paths: list[Path]) -> dict[str, tuple[bytes, int, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in paths}


def test_no_command_modifies_its_source_files(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    source = folder / "2025-26.yaml"
    shutil.copy(COMPLETE, source)
    overlay = folder / "overlay.yaml"
    shutil.copy(OVERLAY, overlay)
    out = tmp_path / "out"
    out.mkdir()
    before = _snapshot([source, overlay])
    time.sleep(0.01)  # a rewrite would move the timestamps

    s, o = str(source), str(overlay)
    _invoke("validate", s, o)
    _invoke("show", s)
    _invoke("show", o)
    _invoke("list")
    _invoke("schema")
    _invoke("diff", s, o)
    _invoke("diff", s, s, "--format", "html", "-o", str(out / "d.html"))
    for fmt in ("html", "pdf", "docx", "xlsx", "md", "csv", "json"):
        for spec in (s, o):
            name = Path(spec).stem
            _invoke(
                "render", spec, "--as", "form", "--format", fmt, "-o", str(out / f"{name}.{fmt}")
            )
    _invoke("render", s, "--as", "guidance", "--format", "md", "-o", "-")
    _invoke("resolve", o, "-o", str(out / "resolved.yaml"))
    _invoke("new-version", s, "--version", "2026-27", "-o", str(out / "2026-27.yaml"))
    _invoke("new-version", o, "--version", "2026-27", "-o", str(out / "overlay-next.yaml"))

    assert _snapshot([source, overlay]) == before
    assert sorted(p.name for p in folder.iterdir()) == ["2025-26.yaml", "overlay.yaml"]

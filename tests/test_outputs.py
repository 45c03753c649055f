"""Where a command may write: every kind of output path × every command that writes a file.

The rules (``safeguard_standards/_atomic.py``, docs/rendering.md "Where output goes"):

* a new path or a regular file: written atomically (a regular file is replaced, new inode);
* a symbolic link to a regular file: the file it leads to is replaced, the link stays;
* a character device, a terminal, a named pipe with a reader: written straight through, and
  still a device, terminal or pipe afterwards; a pipe with no reader is refused at once;
* a folder, a symbolic-link loop, a dangling link: refused (SG411), a missing folder SG412;
* any file the command reads (the set, the set an overlay extends, the set ``render --as
  changes`` compares with), reached by its own name, a hard link or a symbolic link: SG410;
* every refusal is exit 2 with nothing written; a failing disk (full, over quota, I/O error)
  is SG413, exit 1, with the previous file intact;
* standard output on a full device is SG413 (exit 1), never an internal error;
* temporary files of killed writers are removed by the next write, and nothing else is.

Device nodes are made inside the test's own folder (``mknod``, as root); the system's
``/dev/null`` and ``/dev/full`` are never given as a path to code under test.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

from safeguard_standards import OutputError, check_set, write_atomic
from safeguard_standards._atomic import STALE_AFTER, remove_abandoned_parts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KCSIE = ROOT / "standards" / "kcsie"
OVERLAY = ROOT / "examples" / "northshire-kcsie-2025-26.yaml"
PREVIOUS = b"the previous output, which must survive\n"


# -- the sources every command reads --------------------------------------------------------------


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base.yaml (kcsie 2025-26), prev.yaml (2024-25), overlay.yaml extending base.yaml.

    One folder for the module (no test may change it: each one checks), so that the bytes
    each command writes can be computed once.
    """
    folder = tmp_path_factory.mktemp("src")
    shutil.copy(KCSIE / "2025-26.yaml", folder / "base.yaml")
    shutil.copy(KCSIE / "2024-25.yaml", folder / "prev.yaml")
    text = OVERLAY.read_text(encoding="utf-8")
    assert "extends: kcsie@2025-26\n" in text
    (folder / "overlay.yaml").write_text(
        text.replace("extends: kcsie@2025-26\n", "extends: base.yaml\n"), encoding="utf-8"
    )
    return folder


# command -> (arguments with OUT for the output, the files it reads)
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "render": (
        ["render", "overlay.yaml", "--as", "form", "--format", "md", "-o", "OUT"],
        ["overlay.yaml", "base.yaml"],
    ),
    "render-changes": (
        [
            *("render", "base.yaml", "--as", "changes", "--format", "md"),
            *("--since", "prev.yaml", "-o", "OUT"),
        ],
        ["base.yaml", "prev.yaml"],
    ),
    "diff": (["diff", "prev.yaml", "overlay.yaml", "-o", "OUT"], ["prev.yaml", "overlay.yaml"]),
    "resolve": (["resolve", "overlay.yaml", "-o", "OUT"], ["overlay.yaml", "base.yaml"]),
    "new-version": (
        ["new-version", "overlay.yaml", "--version", "2026-27", "-o", "OUT"],
        ["overlay.yaml", "base.yaml"],
    ),
}


def _run(folder: Path, command: str, out: str) -> tuple[int, str]:
    args = [a.replace("OUT", out) if a == "OUT" else a for a in COMMANDS[command][0]]
    args = [str(folder / a) if a.endswith(".yaml") and "/" not in a else a for a in args]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


def _check_document(command: str, data: bytes, folder: Path, tmp: Path) -> None:
    """The document is the right one, read the way its reader would."""
    text = data.decode("utf-8")
    if command == "diff":
        assert text.startswith("# Changes: kcsie@2024-25 → kcsie@2025-26"), text[:80]
    elif command in ("render", "render-changes"):
        assert text.startswith("# "), text[:80]
        assert ("Northshire" in text) == (command == "render")
    elif command == "new-version":  # next year's overlay, extending next year's set
        assert "\nextends: 2026-27.yaml\n" in text and "return_deadline: 2026-12-12" in text
    else:  # the resolved set: it must load as a complete standard set
        probe = tmp / f"probe-{command}.yaml"
        probe.write_bytes(data)
        result = check_set(str(probe))
        probe.unlink()
        assert result.ok, result.diagnostics[:3]


_EXPECTED: dict[str, bytes] = {}


def _expected(folder: Path, command: str, tmp: Path) -> bytes:
    """The bytes the command writes to a new file (the same inputs give the same bytes)."""
    if command not in _EXPECTED:
        out = tmp / f"expected-{command}.out"
        code, err = _run(folder, command, str(out))
        assert code == 0, err
        _EXPECTED[command] = out.read_bytes()
        out.unlink()
        _check_document(command, _EXPECTED[command], folder, tmp)
    return _EXPECTED[command]


# -- the kinds of output path ----------------------------------------------------------------------

# kind -> makes the path in ``place`` (returns it, with anything the kind needs afterwards)


def _make_device(place: Path) -> Path:
    path = place / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(path, "wb") as probe:  # a file system mounted nodev refuses to open it
            probe.write(b"")
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc}); needs root")
    return path


class _Fifo:
    """A named pipe with a thread reading everything written to it."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.data = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as pipe:  # blocks until the writer opens it
            self.data = pipe.read()


class _Terminal:
    """A pseudo-terminal in raw mode, its output drained by a thread."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = Path(os.ttyname(self.slave))
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    def close(self) -> bytes:
        os.close(self.slave)
        self.thread.join(timeout=30)
        os.close(self.master)
        return b"".join(self.chunks)


KINDS = [
    "new",
    "regular",
    "symlink-to-regular",
    "symlink-loop",
    "dangling-symlink",
    "device",
    "fifo-with-reader",
    "fifo-without-reader",
    "terminal",
    "folder",
    "missing-folder",
    "input-by-name",
    "input-hard-link",
    "input-symlink",
    "second-input-hard-link",
    "second-input-symlink",
]

CASES = [(command, kind) for command in COMMANDS for kind in KINDS]


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.is_file()
    }


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_every_output_kind_with_every_writing_command(
    sources: Path, tmp_path: Path, command: str, kind: str
) -> None:
    expected = _expected(sources, command, tmp_path)
    place = tmp_path / "out"
    place.mkdir()
    reads = COMMANDS[command][1]
    before_sources = _snapshot(sources)
    refused: str | None = None  # the code expected on a refusal
    after: Callable[[], None] = lambda: None  # noqa: E731

    if kind == "new":
        out = place / "doc.out"

        def after() -> None:
            assert out.read_bytes() == expected

    elif kind == "regular":
        out = place / "doc.out"
        out.write_bytes(PREVIOUS)
        out.chmod(0o640)
        inode = out.stat().st_ino
        if command == "new-version":  # it never overwrites a file
            refused = "exists"
        else:

            def after() -> None:
                assert out.read_bytes() == expected
                assert out.stat().st_ino != inode and out.stat().st_mode & 0o777 == 0o640

    elif kind == "symlink-to-regular":
        real = place / "real.out"
        real.write_bytes(PREVIOUS)
        out = place / "link.out"
        out.symlink_to("real.out")
        if command == "new-version":
            refused = "exists"
        else:

            def after() -> None:
                assert os.readlink(out) == "real.out"  # the link stays a link
                assert real.read_bytes() == expected

    elif kind == "symlink-loop":
        out = place / "a.out"
        out.symlink_to("b.out")
        (place / "b.out").symlink_to("a.out")
        refused = "SG411"
    elif kind == "dangling-symlink":
        out = place / "link.out"
        out.symlink_to("missing.out")  # followed and created, it would show in the listing
        refused = "SG411"
    elif kind == "device":
        out = _make_device(place)
        rdev = out.stat().st_rdev

        def after() -> None:
            st = out.lstat()
            assert stat.S_ISCHR(st.st_mode) and st.st_rdev == rdev  # still the device

    elif kind == "fifo-with-reader":
        fifo = _Fifo(place / "pipe")
        out = fifo.path

        def after() -> None:
            fifo.thread.join(timeout=30)
            assert fifo.data == expected
            assert stat.S_ISFIFO(out.lstat().st_mode)

    elif kind == "fifo-without-reader":
        out = place / "pipe"
        os.mkfifo(out)
        refused = "SG411"
    elif kind == "terminal":
        terminal = _Terminal()
        out = terminal.path

        def after() -> None:
            assert stat.S_ISCHR(out.stat().st_mode)  # (the terminal goes when it is closed)
            assert terminal.close() == expected

    elif kind == "folder":
        out = place / "folder"
        out.mkdir()
        if command == "new-version":  # a folder gets the file under its default name

            def after() -> None:
                assert (out / "overlay-2026-27.yaml").read_bytes() == expected

        else:
            refused = "SG411"
    elif kind == "missing-folder":
        out = place / "no-such-folder" / "doc.out"
        refused = "SG412"
    else:  # one of the inputs: by its own name, a hard link to it, a symbolic link to it
        source = sources / reads[0 if kind.startswith("input") else 1]
        if kind == "input-by-name":
            out = sources / "." / source.name
        elif kind.endswith("hard-link"):
            out = place / "hard.out"
            os.link(source, out)
        else:
            out = place / "soft.out"
            out.symlink_to(source)
        refused = "SG410"
    before = _listing(place)
    start = time.monotonic()
    code, err = _run(sources, command, str(out))
    assert time.monotonic() - start < 60, "a refusal must not wait"
    if refused == "exists":
        assert code == 1 and "already exists; nothing was written" in err, err
        assert (place / ("real.out" if kind.startswith("symlink") else "doc.out")).read_bytes() == (
            PREVIOUS
        )
    elif refused:
        assert code == 2, err
        assert err.startswith(f"{out}: {refused} "), err
        assert "\n    hint: " in err
        assert "Traceback" not in err
    else:
        assert code == 0, err
        after()
    # nothing left behind, nothing created (but the new file), no source touched
    assert _listing(place) == before | ({out.name} if kind == "new" else set())
    assert _snapshot(sources) == before_sources


def test_a_second_input_is_really_the_other_file(sources: Path) -> None:
    """The matrix's "second input" is the set an overlay extends or the one compared with."""
    assert COMMANDS["render"][1][1] == "base.yaml"  # extends:
    assert COMMANDS["render-changes"][1][1] == "prev.yaml"  # --since
    assert check_set(str(sources / "overlay.yaml")).files == (
        str(sources / "overlay.yaml"),
        str(sources / "base.yaml"),
    )


def test_every_file_of_an_overlay_chain_is_an_input(sources: Path, tmp_path: Path) -> None:
    """An overlay of an overlay: the set at the end of the chain is protected too."""
    top = tmp_path / "top.yaml"
    top.write_text(
        f"dsl: 1\nextends: {sources / 'overlay.yaml'}\ntitle: Top overlay\n", encoding="utf-8"
    )
    result = check_set(str(top), extends_from=[sources])  # outside top's folder: allowed
    assert result.ok, result.diagnostics[:3]
    assert result.files == (
        str(top),
        str(sources / "overlay.yaml"),
        str(sources / "base.yaml"),
    )
    for name in ("overlay.yaml", "base.yaml"):
        link = tmp_path / f"{name}.link"
        os.link(sources / name, link)
        before = link.read_bytes()
        res = CliRunner().invoke(
            cli, ["--extends-from", str(sources), "resolve", str(top), "-o", str(link)]
        )
        assert res.exit_code == 2 and res.stderr.startswith(f"{link}: SG410 "), res.output
        assert link.read_bytes() == before


def test_binary_output_is_refused_on_a_terminal_given_as_a_path(sources: Path) -> None:
    terminal = _Terminal()
    try:
        result = CliRunner().invoke(
            cli,
            [
                *("render", str(sources / "base.yaml"), "--as", "form", "--format", "xlsx"),
                *("-o", str(terminal.path)),
            ],
        )
    finally:
        written = terminal.close()
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{terminal.path}: SG411 this is a terminal")
    assert written == b""


def test_the_bundled_files_are_inputs_too(tmp_path: Path) -> None:
    """``render kcsie -o <the bundled kcsie file>`` in a checkout must not destroy it."""
    bundled = KCSIE / "2025-26.yaml"
    before = bundled.read_bytes()
    link = tmp_path / "link.md"
    link.symlink_to(bundled)
    for args in (
        ["render", "kcsie@2025-26", "--as", "form", "--format", "md", "-o", str(link)],
        ["diff", "kcsie@2024-25", "kcsie@2025-26", "-o", str(link)],
        ["resolve", str(OVERLAY), "-o", str(link)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(f"{link}: SG410 "), result.stderr
    assert bundled.read_bytes() == before


def test_a_css_file_and_a_logo_are_inputs(tmp_path: Path) -> None:
    css = tmp_path / "style.css"
    css.write_text(":root { --sg-accent: #004488; }\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["render", "kcsie", "--as", "form", "--format", "html", "--css", str(css), "-o", str(css)],
    )
    assert result.exit_code == 2 and result.stderr.startswith(f"{css}: SG410 "), result.output
    assert css.read_text(encoding="utf-8") == ":root { --sg-accent: #004488; }\n"

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    text = (ROOT / "tests" / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")
    marker = "publisher: {name: Example Safeguarding Partnership,"
    assert marker in text
    (tmp_path / "set.yaml").write_text(
        text.replace(marker, "publisher: {logo: logo.png, name: Example Safeguarding Partnership,"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["render", str(tmp_path / "set.yaml"), "--as", "form", "--format", "md", "-o", str(logo)],
    )
    assert result.exit_code == 2 and result.stderr.startswith(f"{logo}: SG410 "), result.output
    assert logo.read_bytes().startswith(b"\x89PNG")


# -- /dev/stdout and /dev/fd/1: this process's own standard output -------------------------------


@pytest.mark.parametrize("via", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
@pytest.mark.parametrize("stdout", ["pipe", "appended-file"])
def test_an_open_stream_is_written_through_not_replaced(
    tmp_path: Path, via: str, stdout: str
) -> None:
    """``-o /dev/stdout`` with standard output a pipe, or a file opened with ``>>``.

    Reached through a link in the test's folder: the link is what a broken writer would
    replace, never the system's own ``/dev/stdout``.
    """
    if not os.path.exists(via):
        pytest.skip(f"no {via} on this system")
    out = tmp_path / "out.md"
    out.symlink_to(via)
    command = [sys.executable, "-m", "safeguard_standards_cli", "diff"]
    command += ["vcs_checklist@2024-25", "vcs_checklist@2025-26", "-o", str(out)]
    log = tmp_path / "log"
    log.write_bytes(PREVIOUS)
    if stdout == "pipe":
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        written = done.stdout
    else:
        with open(log, "ab") as appended:
            done = subprocess.run(
                command, stdout=appended, stderr=subprocess.PIPE, timeout=120, check=False
            )
        written = log.read_bytes()
        assert written.startswith(PREVIOUS)  # appended to, not replaced
        written = written[len(PREVIOUS) :]
    assert done.returncode == 0, done.stderr
    expected = "# Changes: vcs\\_checklist@2024-25 → vcs\\_checklist@2025-26"  # Markdown-escaped
    assert written.startswith(expected.encode())
    last = written.decode("utf-8").splitlines()[-1]
    assert last.startswith(f"wrote {out} (") and last.endswith(" changes)"), last
    assert os.readlink(out) == via
    assert _listing(tmp_path) == {"out.md", "log"}


def test_new_version_to_dev_stdout_redirected_to_a_file(tmp_path: Path) -> None:
    """``new-version … -o /dev/stdout > next.yaml``: the shell made the file; it is not
    "already there" (new-version's own rule), it is standard output."""
    out = tmp_path / "stdout.yaml"
    out.symlink_to("/proc/self/fd/1")
    target = tmp_path / "next.yaml"
    with open(target, "wb") as redirected:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "safeguard_standards_cli", "new-version"),
                *("vcs_checklist", "--version", "2026-27", "-o", str(out)),
            ],
            stdout=redirected,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert 'version: "2026-27"' in text or "version: 2026-27" in text, text[:300]
    assert os.readlink(out) == "/proc/self/fd/1"


# -- a failing disk --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("err", "code", "status", "words", "hint"),
    [
        (errno.ENOSPC, "SG413", 1, "no space is left on the disk", "free some space"),
        (errno.EDQUOT, "SG413", 1, "the disk quota is used up", "free some space"),
        (errno.EIO, "SG413", 1, "the disk reported an input/output error", "may be failing"),
        (errno.EACCES, "SG412", 2, "permission denied", "check that you may write to that folder"),
        (errno.EROFS, "SG412", 2, "the disk is read-only", "a disk you can write to"),
    ],
)
def test_a_failing_disk_is_named_truly_and_leaves_the_previous_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    err: int,
    code: str,
    status: int,
    words: str,
    hint: str,
) -> None:
    out = tmp_path / "out.md"
    out.write_bytes(PREVIOUS)

    def failing(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "fsync", failing)
    result = CliRunner().invoke(cli, ["render", "kcsie", "--as", "form", "-o", str(out)])
    assert result.exit_code == status, result.output
    first, second = result.stderr.splitlines()[:2]
    assert first == f"{out}: {code} cannot write: {words}"
    assert second.startswith("    hint: ") and hint in second, second
    # "the folder" only where the folder is the problem
    assert ("folder" in second) == (err == errno.EACCES), second
    assert out.read_bytes() == PREVIOUS
    assert _listing(tmp_path) == {"out.md"}


def test_the_library_raises_output_error_which_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        write_atomic(tmp_path, "x")
    assert isinstance(caught.value, OSError)
    assert caught.value.code == "SG411"
    assert str(caught.value) == f"{tmp_path}: SG411 this is a folder, not a file"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "no file name was given"),
        ("a\0b.md", "the path contains a NUL character"),
        ("x" * 300 + ".md", "cannot write: the name is too long for the system"),
    ],
    ids=["empty", "nul", "too-long"],
)
def test_unusable_names_are_refused_with_sg411(tmp_path: Path, name: str, words: str) -> None:
    path = str(tmp_path / name) if name else ""
    with pytest.raises(OutputError) as caught:
        write_atomic(path, "x")
    assert (caught.value.code, caught.value.message) == ("SG411", words)
    assert _listing(tmp_path) == set()


# -- standard output on a full device --------------------------------------------------------------

PRINTERS = [
    ["list"],
    ["list", "--format", "json"],
    ["show", "vcs_checklist"],
    ["validate", "vcs_checklist"],
    ["schema"],
    ["--help"],
    ["--version"],
    ["diff", "vcs_checklist@2024-25", "vcs_checklist@2025-26"],
    ["diff", "vcs_checklist@2024-25", "vcs_checklist@2025-26", "--exit-code"],
    ["render", "vcs_checklist", "--as", "form", "--format", "md", "-o", "-"],
    ["render", "vcs_checklist", "--as", "form", "--format", "xlsx", "-o", "-"],
    ["resolve", str(OVERLAY)],
    ["new-version", "vcs_checklist", "-o", "-"],
    ["new-version", "vcs_checklist", "-o", "NEW"],  # writes a file, then prints "wrote"
]


@pytest.fixture(scope="module")
def full_device() -> Iterator[int]:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    fd = os.open("/dev/full", os.O_WRONLY)  # only ever a descriptor, never a path
    yield fd
    os.close(fd)


@pytest.mark.parametrize("args", PRINTERS, ids=[" ".join(a[:2]) for a in PRINTERS])
def test_standard_output_on_a_full_device_is_a_write_error(
    full_device: int, tmp_path: Path, args: list[str]
) -> None:
    args = [str(tmp_path / "next.yaml") if a == "NEW" else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "safeguard_standards_cli", *args],
        stdout=full_device,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode == (2 if "--exit-code" in args else 1), err
    assert err == (
        "<standard output>: SG413 cannot write: no space is left on the disk\n"
        "    hint: standard output could not take the text: redirect it to a file on a disk "
        "with space, or give a file with -o\n"
    )


# -- diff --exit-code and new-version's argument --------------------------------------------------


def test_diff_exit_code_is_0_same_1_different_2_trouble(sources: Path, tmp_path: Path) -> None:
    def status(*args: str) -> int:
        return CliRunner().invoke(cli, ["diff", *args, "--exit-code"]).exit_code

    base, prev = str(sources / "base.yaml"), str(sources / "prev.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("dsl: 1\ntitle: [unclosed\n", encoding="utf-8")
    assert status(base, base) == 0
    assert status(prev, base) == 1
    assert status(str(broken), base) == 2  # input with errors: exit 1 without --exit-code
    assert CliRunner().invoke(cli, ["diff", str(broken), base]).exit_code == 1
    assert status("kcsie@1999-00", base) == 2  # unknown version
    assert status(str(tmp_path / "missing.yaml"), base) == 2
    assert status(prev, base, "-o", str(tmp_path)) == 2  # output is a folder
    assert status(prev, base, "-o", base) == 2  # output is an input


@pytest.mark.parametrize("version", ["2026-27\n", "2026-27\r", " 2026-27", "2026/27", ""])
def test_new_version_checks_the_whole_version_argument(tmp_path: Path, version: str) -> None:
    result = CliRunner().invoke(
        cli, ["new-version", "vcs_checklist", "--version", version, "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2, result.output
    assert f"{version!r} is not a valid version" in result.stderr
    assert _listing(tmp_path) == set()


# -- temporary files of killed writers -------------------------------------------------------------

_KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from safeguard_standards import write_atomic

def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)   # no cleanup can run: as if the power went

os.fsync = die
write_atomic({target!r}, b"new" * 100000)
"""


def _kill_a_writer(target: Path) -> Path:
    code = _KILLED_WRITER.format(root=str(ROOT), target=str(target))
    done = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    (left,) = [p for p in target.parent.iterdir() if p.name.endswith(".part")]
    assert left.name.startswith(f".{target.name}.safeguard-")
    return left


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_the_next_write_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_bytes(PREVIOUS)
    left = _kill_a_writer(target)
    assert target.read_bytes() == PREVIOUS
    _age(left, STALE_AFTER + 1)
    result = CliRunner().invoke(cli, ["render", "kcsie", "--as", "form", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert _listing(tmp_path) == {"out.md"}
    assert target.read_bytes().startswith(b"# ")


def test_a_killed_writers_file_is_removed_by_a_write_of_another_name(tmp_path: Path) -> None:
    left = _kill_a_writer(tmp_path / "a.pdf")
    _age(left, STALE_AFTER + 1)
    write_atomic(tmp_path / "b.md", "b")
    assert _listing(tmp_path) == {"b.md"}


_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""


def test_only_abandoned_temporary_files_of_ours_are_removed(tmp_path: Path) -> None:
    def part(name: str, *, age: float = STALE_AFTER + 60) -> Path:
        path = tmp_path / name
        path.write_bytes(b"partial")
        _age(path, age)
        return path

    abandoned = part(".x.pdf.safeguard-abcd1234.part")
    fresh = part(".x.pdf.safeguard-efgh5678.part", age=0)
    held = part(".x.pdf.safeguard-held0000.part")
    others = [
        part(".x.pdf.abcd1234.part"),  # not our pattern (another program's, or an old one)
        part("x.pdf.part"),  # a browser's download
        part(".x.pdf.safeguard-abcd1234.part.keep"),
        part(".x.pdf.safeguard-ABCD1234.part"),  # upper case never comes from mkstemp
    ]
    keep = tmp_path / "keep.txt"
    keep.write_bytes(b"mine")
    link = tmp_path / ".y.pdf.safeguard-link0000.part"
    link.symlink_to(keep)
    _age(link, STALE_AFTER + 60)
    foreign = part(".z.pdf.safeguard-other000.part")
    if os.geteuid() == 0:
        os.chown(foreign, 65534, 65534)  # another user's: never ours to remove

    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(held)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        _age(held, STALE_AFTER + 60)
        removed = remove_abandoned_parts(tmp_path)
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert removed == [abandoned.name]
    assert not abandoned.exists()
    for path in (fresh, held, *others, foreign):
        assert path.exists(), path.name
    assert link.is_symlink() and keep.read_bytes() == b"mine"
    # once its writer is gone, the held one is abandoned too
    assert remove_abandoned_parts(tmp_path) == [held.name]


def test_a_live_writer_keeps_its_lock_until_the_rename(tmp_path: Path) -> None:
    """A cleaner running while a write is in progress never removes its temporary file."""
    target = tmp_path / "out.md"
    seen: list[list[str]] = []
    real_fsync = os.fsync

    def meanwhile(fd: int) -> None:
        real_fsync(fd)
        for p in tmp_path.iterdir():
            _age(p, STALE_AFTER + 60)  # old enough: only the lock protects it
        seen.append(remove_abandoned_parts(tmp_path))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fsync", meanwhile)
        write_atomic(target, "complete")
    assert seen == [[]]
    assert target.read_text(encoding="utf-8") == "complete"
    assert _listing(tmp_path) == {"out.md"}

"""The hostile-input corpus: every broken or hostile input ends in a located diagnostic.

Each entry is an ``.expected`` file in ``tests/corpus/`` listing the diagnostics a person
should see, one ``CODE line:col`` per line (``0:0`` for problems with the file as a whole),
or the single word ``valid`` for inputs that must load cleanly after all (a byte-order mark,
Windows line ends). The exit status must be 1 when any of them is an error, else 0.
The input is either the ``.yaml`` file beside it, or, in
``tests/corpus/generated/``, built by this module from the small table ``GENERATED`` below:
inputs that cannot sensibly be committed (10 MB strings, 20,000-deep nesting, 200,000 keys,
NUL bytes, invalid UTF-8, unreadable files, pipes, devices).

Every entry runs through the real command line, ``safeguard validate PATH``, in its own
process with safety bounds: at most 200 MiB of address space and 2 s of CPU time (and a
wall-clock timeout for anything that would hang). To keep this quick, the processes are forked
from a runner that has already imported the command line (tests/_corpus_runner.py), which also
measures each one's CPU time and peak memory; a sample of entries, and the unreadable file,
run in brand-new interpreters instead, exactly as a user runs them. The test checks the exit
status, that no traceback was printed, and that the printed diagnostics are exactly the
expected ``path:line:col: CODE`` lines. These bounds are safety limits, not timing
benchmarks; speed is measured in ``benchmarks/run.py``.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import ctypes.util
import json
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from safeguard_standards import Code, Severity

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
GENERATED_DIR = CORPUS / "generated"
BASE = (CORPUS / "base.yaml").read_text(encoding="utf-8")

MEMORY_LIMIT = 200 * 1024 * 1024  # bytes of address space
CPU_LIMIT = 2  # seconds
WALL_TIMEOUT = 20  # seconds: only catches hangs (a blocked read uses no CPU)
MB = 1024 * 1024


# -- Generated inputs --------------------------------------------------------------------------


def _with_line(number: int, replacement: str) -> str:
    """BASE with line ``number`` (1-based) replaced (the replacement may span lines)."""
    lines = BASE.splitlines()
    lines[number - 1] = replacement
    return "\n".join(lines) + "\n"


def _text(content: str | bytes, name: str = "input.yaml") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
        return path

    return make


def _lazy(build: Callable[[], str | bytes]) -> Callable[[Path], Path]:
    """Like _text, but the (large) content is only built when the entry runs."""

    def make(folder: Path) -> Path:
        return _text(build())(folder)

    return make


def _title_bytes(raw: bytes) -> bytes:
    return _with_line(4, "title: @@").encode("utf-8").replace(b"@@", raw)


def _too_large(folder: Path) -> Path:
    path = folder / "huge.yaml"
    with path.open("wb") as handle:  # sparse: costs no disk space
        handle.seek(21 * MB)
        handle.write(b"\n")
    return path


def _missing(folder: Path) -> Path:
    return folder / "no-such-file.yaml"


def _directory(folder: Path) -> Path:
    path = folder / "a-folder.yaml"
    path.mkdir()
    return path


def _unreadable(folder: Path) -> Path:
    path = _text(BASE)(folder)
    path.chmod(0)
    return path


def _dangling(folder: Path) -> Path:
    path = folder / "link.yaml"
    path.symlink_to(folder / "gone.yaml")
    return path


def _loop(folder: Path) -> Path:
    path = folder / "loop.yaml"
    path.symlink_to(path)
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.yaml"
    os.mkfifo(path)
    return path


def _dev_zero(folder: Path) -> Path:
    return Path("/dev/zero")


def _not_a_directory(folder: Path) -> Path:
    return _text(BASE)(folder) / "child.yaml"


def _overlay_chain(folder: Path) -> Path:
    """3,000 overlays, each extending the one before, the first extending the base set."""
    (folder / "o0.yaml").write_text("dsl: 1\nextends: base.yaml\n", encoding="utf-8")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    for i in range(1, 3000):
        (folder / f"o{i}.yaml").write_text(f"dsl: 1\nextends: o{i - 1}.yaml\n", encoding="utf-8")
    return folder / "o2999.yaml"


def _deep_block_map() -> str:
    nested = "\n".join(" " * k + "a:" for k in range(1, 100)) + "\n" + " " * 100 + "a: x"
    return _with_line(4, "title:\n" + nested)


def _many_references() -> str:
    refs = "\n".join(f"  r{i}: {{title: T}}" for i in range(200_000))
    lines = BASE.splitlines()
    return "\n".join([*lines[:10], refs, *lines[13:]]) + "\n"


GENERATED: dict[str, Callable[[Path], Path]] = {
    "nul-in-title": _text(_with_line(4, "title: Example\x00audit")),
    "nul-at-start": _text("\x00" + BASE),
    "nul-only": _text(b"\x00" * 1000),
    "control-char-bell": _text(_with_line(4, "title: Example\x07audit")),
    "control-char-ansi-escape": _text(_with_line(4, "title: Example \x1b[31maudit")),
    "utf8-invalid-latin1": _text(_with_line(4, "title: Example café").encode("latin-1")),
    "utf8-invalid-cp1252-quotes": _text(_title_bytes(b"\x93Example\x94")),
    "utf8-invalid-truncated-at-eof": _text(BASE.encode() + b"# caf\xc3"),
    "utf8-invalid-overlong": _text(_title_bytes(b"Example \xc0\xaf")),
    "utf8-invalid-surrogate": _text(_title_bytes(b"Example \xed\xa0\x80")),
    "utf16-with-bom": _text(BASE.encode("utf-16")),
    "bom-utf8": _text(b"\xef\xbb\xbf" + BASE.encode()),
    "crlf": _text(BASE.replace("\n", "\r\n")),
    "bom-and-crlf": _text(b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode()),
    "cr-only": _text(BASE.replace("\n", "\r")),
    "crlf-with-error": _text(_with_line(4, "title: Example: audit").replace("\n", "\r\n")),
    "bom-with-error": _text(b"\xef\xbb\xbf" + _with_line(4, "title: Example: audit").encode()),
    "string-10mb-plain": _lazy(lambda: _with_line(4, "title: " + "x" * (10 * MB))),
    "string-10mb-quoted": _lazy(lambda: _with_line(4, 'title: "' + "x" * (10 * MB) + '"')),
    "string-10mb-block": _lazy(
        lambda: _with_line(4, "title: |\n" + ("  " + "x" * 99 + "\n") * 100_000)
    ),
    "key-10mb": _lazy(
        lambda: _with_line(4, "title: Example audit\n? " + "k" * (10 * MB) + "\n: x")
    ),
    "comment-10mb": _lazy(lambda: "# " + "x" * (10 * MB) + "\n" + BASE),
    "deep-flow-list-20000": _text(_with_line(4, "title: " + "[" * 20_000 + "]" * 20_000)),
    "deep-flow-map-20000": _text(_with_line(4, "title: " + "{a: " * 20_000 + "x" + "}" * 20_000)),
    "deep-flow-mixed-20000": _text(
        _with_line(4, "title: " + "[{a: " * 10_000 + "x" + "}]" * 10_000)
    ),
    "deep-block-list-20000": _text(_with_line(4, "title:\n  " + "- " * 20_000 + "x")),
    "deep-block-map-100": _text(_deep_block_map()),
    "keys-200000-top-level": _lazy(lambda: BASE + "".join(f"k{i}: 1\n" for i in range(200_000))),
    "keys-200000-references": _lazy(_many_references),
    "values-1100000": _lazy(lambda: "dsl: 1\nevidence: [" + "a," * 1_100_000 + "a]\n"),
    "evidence-200000-items": _lazy(
        lambda: _with_line(
            31,
            "            evidence:\n"
            + "\n".join(f"              - Minutes {i}" for i in range(200_000)),
        )
    ),
    "blank-lines-500000": _text("\n" * 500_000 + BASE),
    "alias-bomb-1000-levels": _text(
        "a0: &a0 [x, x]\n"
        + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 1000))
    ),
    "too-large-file": _too_large,
    "missing-file": _missing,
    "directory": _directory,
    "unreadable-file": _unreadable,
    "dangling-symlink": _dangling,
    "symlink-loop": _loop,
    "named-pipe": _fifo,
    "device-dev-zero": _dev_zero,
    "not-a-directory": _not_a_directory,
    "overlay-chain-3000": _overlay_chain,
    "warnings-1100": _text(
        BASE + "".join(f"          - {{id: q{i}, text: Q{i}?, type: yes-no}}\n" for i in range(550))
    ),
    "problems-1500": _text(
        _with_line(31, "            evidence:\n" + "\n".join(["              - 1"] * 1500))
    ),
}

#: Entries whose input only fails for a process without the privilege to read everything.
UNPRIVILEGED = {"unreadable-file"}


# -- The corpus --------------------------------------------------------------------------------


@attrs.frozen
class Entry:
    name: str
    expected_file: Path
    #: Builds the input in a scratch folder and returns the path to validate.
    make: Callable[[Path], Path]

    def expected(self) -> list[tuple[str, int, int]] | None:
        """The expected (code, line, column) list; None means: loads cleanly."""
        out: list[tuple[str, int, int]] = []
        for raw in self.expected_file.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line == "valid":
                return None
            code, pos = line.split()
            row, col = pos.split(":")
            out.append((code, int(row), int(col)))
        return sorted(out)


def _file_entry(path: Path) -> Entry:
    def make(folder: Path) -> Path:
        return path

    return Entry(path.stem, path.with_suffix(".expected"), make)


ENTRIES: dict[str, Entry] = {
    **{p.stem: _file_entry(p) for p in sorted(CORPUS.glob("*.yaml"))},
    **{
        p.stem: Entry(p.stem, p, GENERATED[p.stem])
        for p in sorted(GENERATED_DIR.glob("*.expected"))
        if p.stem in GENERATED
    },
}


def test_corpus_is_complete() -> None:
    """Over 100 entries; every input has its expectation and every generated one its spec."""
    yaml_files = {p.stem for p in CORPUS.glob("*.yaml")}
    expected_files = {p.stem for p in CORPUS.glob("*.expected")}
    assert yaml_files == expected_files
    generated = {p.stem for p in GENERATED_DIR.glob("*.expected")}
    assert generated == set(GENERATED)
    assert not yaml_files & generated
    assert len(ENTRIES) >= 100


# -- Running entries through the command line -----------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def _drop_read_privilege() -> None:
    """In the child, before exec: as root, give up the right to read any file.

    Root can read a chmod 000 file; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in the
    bounding set, the program root runs next has them neither, and reads like any user.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _can_drop_read_privilege() -> bool:
    if os.geteuid() != 0:
        return True
    try:
        subprocess.run(["true"], preexec_fn=_drop_read_privilege, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@attrs.frozen
class Outcome:
    path: Path
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    #: Measured by wait4 (forked runs only; None for fresh processes, bounded by rlimits).
    cpu_seconds: float | None = None
    max_rss_bytes: int | None = None


def _fresh_process(entry: Entry, folder: Path) -> Outcome:
    """``python -m safeguard_standards_cli validate PATH`` in a new interpreter, bounded."""
    path = entry.make(folder)
    drop = entry.name in UNPRIVILEGED

    def bounds() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 1))
        if drop:
            _drop_read_privilege()

    command = [sys.executable, "-m", "safeguard_standards_cli", "validate", str(path)]
    env = {k: v for k, v in os.environ.items() if k != "SAFEGUARD_DEBUG"}
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=bounds,
        env=env,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=WALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return Outcome(path, None, out.decode(errors="replace"), "", timed_out=True)
    return Outcome(
        path, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    )


def _forked(entries: list[Entry], folders: dict[str, Path]) -> dict[str, Outcome]:
    """Run entries with tests/_corpus_runner.py: one fork per entry, wait4 measurements."""
    jobs, paths = [], {}
    for entry in entries:
        folder = folders[entry.name]
        paths[entry.name] = entry.make(folder)
        jobs.append(
            {
                "name": entry.name,
                "path": str(paths[entry.name]),
                "stdout": str(folder / "stdout.txt"),
                "stderr": str(folder / "stderr.txt"),
                "memory_limit": MEMORY_LIMIT,
                "cpu_limit": CPU_LIMIT,
                "wall_timeout": WALL_TIMEOUT,
            }
        )
    env = {k: v for k, v in os.environ.items() if k != "SAFEGUARD_DEBUG"}
    done = subprocess.run(
        [sys.executable, str(HERE / "_corpus_runner.py")],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    out = {}
    for result in json.loads(done.stdout):
        name = result["name"]
        folder = folders[name]
        out[name] = Outcome(
            paths[name],
            None if result["timed_out"] else result["returncode"],
            (folder / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
            (folder / "stderr.txt").read_text(encoding="utf-8", errors="replace"),
            timed_out=result["timed_out"],
            cpu_seconds=result["cpu_seconds"],
            max_rss_bytes=result["max_rss_bytes"],
        )
    return out


def _printed(outcome: Outcome) -> list[tuple[str, int, int]]:
    """The diagnostics in the CLI's text output: ``path:line:col: CODE`` or ``path: CODE``."""
    prefix = re.escape(str(outcome.path))
    pattern = re.compile(rf"^{prefix}(?::(\d+):(\d+))?: (SG\d{{3}}) ", re.MULTILINE)
    return sorted(
        (m.group(3), int(m.group(1) or 0), int(m.group(2) or 0))
        for m in pattern.finditer(outcome.stdout)
    )


def _selected(request: pytest.FixtureRequest, test_name: str) -> list[str]:
    names = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "originalname", "") == test_name and callspec is not None:
            names.append(callspec.params["name"])
    return names


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """Run every selected entry; the forked runs in two runners side by side."""
    names = _selected(request, "test_entry")
    folders = {name: tmp_path_factory.mktemp(name) for name in names}
    forked = [ENTRIES[n] for n in names if n not in UNPRIVILEGED]
    halves = [forked[0::2], forked[1::2]]
    results: dict[str, Outcome] = {}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        batches = [pool.submit(_forked, half, folders) for half in halves if half]
        fresh = {
            n: pool.submit(_fresh_process, ENTRIES[n], folders[n])
            for n in names
            if n in UNPRIVILEGED and _can_drop_read_privilege()
        }
        for batch in batches:
            results.update(batch.result())
        results.update({n: f.result() for n, f in fresh.items()})
    return results


def _check(entry: Entry, outcome: Outcome) -> None:
    shown = f"\n--- stdout ---\n{outcome.stdout[-3000:]}\n--- stderr ---\n{outcome.stderr[-3000:]}"
    assert not outcome.timed_out, f"no result within {WALL_TIMEOUT} s (a hang){shown}"
    assert outcome.returncode is not None
    assert outcome.returncode >= 0, f"killed by signal {-outcome.returncode}{shown}"
    if outcome.cpu_seconds is not None:
        assert outcome.cpu_seconds < CPU_LIMIT, shown
    if outcome.max_rss_bytes is not None:
        assert outcome.max_rss_bytes < MEMORY_LIMIT, shown
    assert "Traceback" not in outcome.stderr + outcome.stdout, shown
    assert "internal error" not in outcome.stderr, shown
    expected = entry.expected()
    if expected is None:
        assert outcome.returncode == 0, shown
        assert _printed(outcome) == [], shown
        return
    errors = [code for code, _, _ in expected if Code.by_code(code).severity is Severity.ERROR]
    assert outcome.returncode == (1 if errors else 0), shown
    assert _printed(outcome) == expected, shown
    # every diagnostic comes with a hint saying how to fix it
    assert outcome.stdout.count("    hint: ") >= len(expected), shown


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_entry(name: str, outcomes: dict[str, Outcome]) -> None:
    """The entry ends in exactly its expected located diagnostics (or loads), within bounds."""
    if name not in outcomes:
        pytest.skip(
            "running as root, and this process may not drop CAP_DAC_OVERRIDE, so a chmod 000 "
            "file stays readable: there is no unreadable file to test with"
        )
    _check(ENTRIES[name], outcomes[name])


#: A few entries of each kind also run in a brand-new interpreter, exactly as a user runs them.
FRESH_SAMPLE = (
    "base",
    "syntax-missing-colon",
    "alias-bomb-billion-laughs",
    "tag-python-object-apply",
    "deep-flow-list-20000",
    "string-10mb-plain",
    "keys-200000-top-level",
    "named-pipe",
    "utf8-invalid-latin1",
)


@pytest.mark.parametrize("name", FRESH_SAMPLE)
def test_entry_in_a_fresh_process(name: str, tmp_path: Path) -> None:
    """The same result from ``python -m safeguard_standards_cli`` in a new interpreter."""
    _check(ENTRIES[name], _fresh_process(ENTRIES[name], tmp_path))


@pytest.mark.parametrize("name", ["a" * 300, "a" * 300 + ".yaml", "nul\x00byte.yaml"])
def test_impossible_names_are_reported_not_crashed_on(name: str) -> None:
    """A SET argument the operating system cannot even look up: a message, exit 1 or 2."""
    from click.testing import CliRunner
    from safeguard_standards_cli._app import cli

    result = CliRunner().invoke(cli, ["validate", name])
    assert result.exit_code in (1, 2), result.output
    assert "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

"""The benchmark suite: how fast safeguard-standards is, beside the floor under each measure.

    python benchmarks/run.py            # everything (several minutes: PDFs take time)
    python benchmarks/run.py --quick    # a smoke run: one run per row, the slow rows left out
    python benchmarks/run.py --only pdf --runs 3 --json results.json

Each row is a median of several runs after a warm-up: whole-process rows run the real
``safeguard`` command as a new process (what a user waits for, interpreter start-up
included); in-process rows call the library in this process (imports already done). Beside
each row is its *floor*, measured in the same run: the least a credible implementation has to
do for the same work (a bare click skeleton, a libyaml parse of the same file, WeasyPrint on
the same content with a plain stylesheet, …; see benchmarks/floors.py), the ratio between
the two, and the target from docs/performance.md where there is one. Peak memory is the
maximum resident set size of the process (``wait4``).

Machines are shared and noisy: compare ratios and medians, never single runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import make_set  # noqa: E402

PYTHON = sys.executable
FLOORS = str(HERE / "floors.py")
MIB = 1024 * 1024


# -- measuring -------------------------------------------------------------------------------------


@attrs.frozen
class Sample:
    """The median of several runs: seconds, and for processes the peak resident memory."""

    seconds: float
    peak_bytes: int | None = None


# Peak memory comes from wait4's ru_maxrss. Linux counts in it the memory of the process that
# spawned the child (the child shares it until exec), so children are spawned by this small
# helper process rather than by the benchmark itself, which grows as it renders in-process.
_SPAWNER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    start = time.perf_counter()
    pids = [os.posix_spawnp(c[0], c, os.environ, file_actions=actions) for c in job["commands"]]
    status, peak = 0, 0
    for pid in pids:
        _, st, usage = os.wait4(pid, 0)
        status = status or os.waitstatus_to_exitcode(st)
        peak = max(peak, usage.ru_maxrss * 1024)
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "peak": peak, "status": status}), flush=True)
"""


class _Spawner:
    """A small helper process that starts commands and reports wall time and peak RSS."""

    def __init__(self) -> None:
        import subprocess

        # An installed package has compiled bytecode. Where the environment forbids writing
        # it (PYTHONDONTWRITEBYTECODE), every run would compile safeguard-standards from
        # source (about 50 ms), while the floors use the compiled standard library and
        # site-packages. So the commands measured get a bytecode cache of their own.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="safeguard-bench-pycache-")
        self.proc = subprocess.Popen(
            [PYTHON, "-S", "-c", _SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, commands: Sequence[Sequence[str]], stdout: str = os.devnull) -> dict[str, Any]:
        err_fd, err_path = tempfile.mkstemp(prefix="bench-err-")
        os.close(err_fd)
        job = {"commands": [list(c) for c in commands], "stdout": stdout, "stderr": err_path}
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        result: dict[str, Any] = json.loads(self.proc.stdout.readline())
        error = Path(err_path).read_text(errors="replace")
        os.unlink(err_path)
        if result["status"] != 0:
            shown = " & ".join(" ".join(c) for c in commands)
            raise RuntimeError(f"{shown} failed:\n{error[-2000:]}")
        return result


_spawner: _Spawner | None = None


def spawn(command: Sequence[str], stdout: str = os.devnull) -> tuple[float, int]:
    """Run a process to the end; its wall time and peak RSS. Fails loudly if it fails."""
    global _spawner
    if _spawner is None:
        _spawner = _Spawner()
    result = _spawner.run([command], stdout)
    return float(result["seconds"]), int(result["peak"])


def process(command: Sequence[str], runs: int, warm: bool = True) -> Sample:
    """Median wall time and median peak memory of ``runs`` runs of a command."""
    if warm:
        spawn(command)
    times, peaks = [], []
    for _ in range(runs):
        seconds, peak = spawn(command)
        times.append(seconds)
        peaks.append(peak)
    return Sample(statistics.median(times), int(statistics.median(peaks)))


def in_process(fn: Callable[[], object], runs: int, warm: bool = True) -> Sample:
    """Median wall time of ``runs`` calls (after one warm-up call)."""
    if warm:
        fn()
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Sample(statistics.median(times))


def pair(
    ours: Sequence[str], floor: Sequence[str], runs: int, warm: bool = True
) -> tuple[Sample, Sample]:
    """Both commands, alternating run by run, so that both see the same machine load."""
    if warm:
        spawn(ours)
        spawn(floor)
    times: tuple[list[float], list[float]] = ([], [])
    peaks: tuple[list[int], list[int]] = ([], [])
    for _ in range(runs):
        for i, command in enumerate((ours, floor)):
            seconds, peak = spawn(command)
            times[i].append(seconds)
            peaks[i].append(peak)
    samples = [
        Sample(statistics.median(t), int(statistics.median(p)))
        for t, p in zip(times, peaks, strict=True)
    ]
    return samples[0], samples[1]


def pair_in_process(
    ours: Callable[[], object], floor: Callable[[], object], runs: int
) -> tuple[Sample, Sample]:
    """Both functions, alternating call by call (after one warm-up call each)."""
    ours()
    floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for i, fn in enumerate((ours, floor)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return Sample(statistics.median(times[0])), Sample(statistics.median(times[1]))


def parallel(commands: Sequence[Sequence[str]], runs: int) -> Sample:
    """Median wall time of running all ``commands`` at once (one process each)."""
    global _spawner
    if _spawner is None:
        _spawner = _Spawner()
    times = [float(_spawner.run(commands)["seconds"]) for _ in range(runs)]
    return Sample(statistics.median(times))


# -- rows ------------------------------------------------------------------------------------------


@attrs.frozen
class Target:
    """A goal from docs/performance.md: ``limit`` ``unit`` (s, MiB: at most; pages/s: at least)."""

    limit: float
    unit: str

    def met(self, value: float) -> bool:
        return value >= self.limit if self.unit == "pages/s" else value <= self.limit

    def __str__(self) -> str:
        sign = "≥" if self.unit == "pages/s" else "≤"
        if self.unit == "s" and self.limit < 1:
            return f"{sign} {self.limit * 1000:.0f} ms"
        return f"{sign} {self.limit:g} {self.unit}"


@attrs.frozen
class Row:
    group: str
    measure: str
    how: str  # "process" or "in-process"
    ours: float  # in the row's unit
    unit: str  # "s", "MiB" or "pages/s"
    floor: float | None = None
    floor_label: str = ""
    target: Target | None = None
    peak_mib: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor or not self.ours:
            return None
        if self.unit == "pages/s":
            return self.floor / self.ours
        return self.ours / self.floor

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.target.met(self.ours) else "MISS"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.1f} {unit}"


class Bench:
    """Collects rows; prints each as it is measured, then the table."""

    def __init__(self, runs: int, quick: bool, only: str | None, work: Path) -> None:
        self.runs = runs
        self.quick = quick
        self.only = only
        self.work = work
        self.rows: list[Row] = []

    def wanted(self, group: str, measure: str, slow: bool = False) -> bool:
        if slow and self.quick:
            return False
        return self.only is None or self.only.lower() in f"{group} {measure}".lower()

    def add(self, row: Row) -> None:
        self.rows.append(row)
        ratio = f"  ×{row.ratio:.2f}" if row.ratio else ""
        print(
            f"  {row.measure} [{row.how}]: {_fmt(row.ours, row.unit)}"
            f" (floor {_fmt(row.floor, row.unit)}){ratio} {row.verdict}",
            file=sys.stderr,
            flush=True,
        )

    def runs_for(self, slow: bool) -> int:
        return 1 if self.quick else (max(1, self.runs // 2) if slow else self.runs)

    def table(self) -> str:
        head = ("measure", "how", "ours", "peak", "floor", "ratio", "target", "")
        lines = []
        group = None
        body: list[tuple[str, ...]] = []
        for r in self.rows:
            if r.group != group:
                body.append((f"**{r.group}**", "", "", "", "", "", "", ""))
                group = r.group
            floor = _fmt(r.floor, r.unit) + (f" ({r.floor_label})" if r.floor_label else "")
            body.append(
                (
                    r.measure + (f" — {r.note}" if r.note else ""),
                    r.how,
                    _fmt(r.ours, r.unit),
                    "" if r.peak_mib is None else f"{r.peak_mib:.0f} MiB",
                    floor if r.floor is not None else "—",
                    f"×{r.ratio:.2f}" if r.ratio else "",
                    str(r.target) if r.target else "",
                    r.verdict,
                )
            )
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

        lines.append(line(head))
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines.extend(line(b) for b in body)
        return "\n".join(lines)


# -- the machine -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    from importlib.metadata import version

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1048576:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import yaml

    libs = ["pyyaml", "jsonschema", "jsonschema-rs", "click", "weasyprint", "python-docx"]
    libs += ["openpyxl", "markdown-it-py", "jinja2"]
    versions = []
    for lib in libs:
        try:
            versions.append(f"{lib} {version(lib)}")
        except Exception:  # a missing library is reported, not fatal
            versions.append(f"{lib} (missing)")
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs" + (f", {memory}" if memory else ""),
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": f"CPython {platform.python_version()}",
        "libyaml": f"libyaml {yaml._yaml.get_version_string()}"  # type: ignore[attr-defined]
        if getattr(yaml, "__with_libyaml__", False)
        else "no libyaml (pure-Python PyYAML)",
        "libraries": ", ".join(versions),
        "load": "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


# -- the suite -------------------------------------------------------------------------------------


def _safeguard() -> list[str]:
    exe = shutil.which("safeguard")
    return [exe] if exe else [PYTHON, "-m", "safeguard_standards_cli"]


def startup(b: Bench) -> None:
    sg = _safeguard()
    skeleton = [PYTHON, FLOORS, "click-skeleton"]
    g = "Start-up"
    if b.wanted(g, "--help"):
        ours, floor = pair([*sg, "--help"], [*skeleton, "--help"], b.runs)
        b.add(
            Row(
                g,
                "safeguard --help",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                "click skeleton",
                Target(0.080, "s"),
                ours.peak_bytes / MIB if ours.peak_bytes else None,
            )
        )
    if b.wanted(g, "--version"):
        ours, floor = pair([*sg, "--version"], [*skeleton, "--help"], b.runs)
        b.add(
            Row(
                g,
                "safeguard --version",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                "click skeleton",
                Target(0.080, "s"),
            )
        )
    if b.wanted(g, "list"):
        ours, floor = pair([*sg, "list"], [*skeleton, "list"], b.runs)
        b.add(
            Row(g, "safeguard list", "process", ours.seconds, "s", floor.seconds, "click skeleton")
        )
    if b.wanted(g, "interpreter"):
        bare = process([PYTHON, "-c", "pass"], b.runs)
        b.add(
            Row(
                g,
                "bare interpreter (python -c pass)",
                "process",
                bare.seconds,
                "s",
                note="for reference",
            )
        )


def bundled_files() -> list[str]:
    from safeguard_standards import bundled_root

    root = Path(str(bundled_root()))
    return sorted(str(p) for p in root.glob("*/*.yaml"))


def validate_bundled(b: Bench) -> None:
    from safeguard_standards import bundled_sets, check_set

    g = "Validate the bundled sets"
    files = bundled_files()
    size = sum(Path(f).stat().st_size for f in files)
    if b.wanted(g, "validate bundled"):
        ours, floor = pair(
            [*_safeguard(), "validate"], [PYTHON, FLOORS, "parse-validate", *files], b.runs
        )
        b.add(
            Row(
                g,
                f"safeguard validate (all {len(files)} bundled files, {size / 1e6:.1f} MB)",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                "libyaml parse + jsonschema-rs",
                Target(0.250, "s"),
                ours.peak_bytes / MIB if ours.peak_bytes else None,
            )
        )
    if b.wanted(g, "check bundled in-process"):
        specs = [f"{s.id}@{v}" for s in bundled_sets() for v in s.versions]
        texts = [Path(f).read_text(encoding="utf-8") for f in files]

        def parse_all() -> None:
            import yaml

            gc.disable()
            try:
                for t in texts:
                    yaml.load(t, Loader=yaml.CSafeLoader)
            finally:
                gc.enable()

        ours, floor = pair_in_process(lambda: [check_set(s) for s in specs], parse_all, b.runs)
        b.add(
            Row(
                g,
                "check every bundled set (check_set)",
                "in-process",
                ours.seconds,
                "s",
                floor.seconds,
                "libyaml parse",
            )
        )


def synthetic(b: Bench, sizes: Sequence[int]) -> dict[int, Path]:
    """Write the synthetic sets (and a later variant of each) into the work folder."""
    out = {}
    for n in sizes:
        for variant in (0, 1):
            path = b.work / f"synthetic-{n}{'-v1' if variant else ''}.yaml"
            if not path.exists():
                path.write_text(make_set(n, variant), encoding="utf-8")
        out[n] = b.work / f"synthetic-{n}.yaml"
    return out


def validate_synthetic(b: Bench, files: dict[int, Path]) -> None:
    import yaml

    from safeguard_standards import check_text

    g = "Load + validate synthetic sets"
    for n, path in files.items():
        mb = path.stat().st_size / 1e6
        label = f"{n:,} questions ({mb:.1f} MB)"
        if b.wanted(g, f"validate {n}"):
            ours, floor = pair(
                [*_safeguard(), "validate", str(path)],
                [PYTHON, FLOORS, "parse-validate", str(path)],
                b.runs_for(n >= 5000),
            )
            b.add(
                Row(
                    g,
                    f"safeguard validate, {label}",
                    "process",
                    ours.seconds,
                    "s",
                    floor.seconds,
                    "libyaml parse + jsonschema-rs",
                    Target(1.5, "s") if n == 5000 else None,
                    ours.peak_bytes / MIB if ours.peak_bytes else None,
                )
            )
            if n == 5000:
                assert ours.peak_bytes and floor.peak_bytes
                b.add(
                    Row(
                        g,
                        f"peak memory, validate {label}",
                        "process",
                        ours.peak_bytes / MIB,
                        "MiB",
                        floor.peak_bytes / MIB,
                        "libyaml parse + jsonschema-rs",
                        Target(200, "MiB"),
                    )
                )
        if b.wanted(g, f"check_text {n}"):
            text = path.read_text(encoding="utf-8")

            def parse(text: str = text) -> None:
                gc.disable()
                try:
                    yaml.load(text, Loader=yaml.CSafeLoader)
                finally:
                    gc.enable()

            runs = b.runs_for(n >= 5000)
            ours, floor = pair_in_process(
                lambda text=text: check_text(text, "s.yaml"),  # type: ignore[misc]
                parse,
                runs,
            )
            b.add(
                Row(
                    g,
                    f"check_text, {label}",
                    "in-process",
                    ours.seconds,
                    "s",
                    floor.seconds,
                    "libyaml parse",
                    Target(0.110, "s") if n == 500 else None,
                    note=f"{mb / ours.seconds:.1f} MB/s (goal ≥ 15)",
                )
            )


def diffs(b: Bench, files: dict[int, Path]) -> None:
    g = "Diff"
    sg = _safeguard()
    if 500 in files and b.wanted(g, "diff 500"):
        old, new = files[500], files[500].with_name("synthetic-500-v1.yaml")
        ours, floor = pair(
            [*sg, "diff", str(old), str(new)],
            [PYTHON, FLOORS, "parse-validate", str(old), str(new)],
            b.runs,
        )
        b.add(
            Row(
                g,
                "safeguard diff, two 500-question files",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                "libyaml parse + jsonschema-rs of both",
                Target(0.300, "s"),
                ours.peak_bytes / MIB if ours.peak_bytes else None,
            )
        )
    if b.wanted(g, "diff kcsie"):
        kcsie = [f for f in bundled_files() if "/kcsie/" in f]
        ours, floor = pair(
            [*sg, "diff", "kcsie@2024-25", "kcsie@2025-26"],
            [PYTHON, FLOORS, "parse-validate", *kcsie],
            b.runs,
        )
        b.add(
            Row(
                g,
                "safeguard diff kcsie@2024-25 kcsie@2025-26",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                "libyaml parse + jsonschema-rs of both",
            )
        )
    if 5000 in files and b.wanted(g, "diff 5000 in-process"):
        try:
            from safeguard_standards.diff import diff
        except ImportError:
            return
        from safeguard_standards import load_path

        old_c = load_path(files[5000])
        new_c = load_path(files[5000].with_name("synthetic-5000-v1.yaml"))
        ours = in_process(lambda: diff(old_c, new_c), b.runs)
        b.add(
            Row(
                g,
                "diff of two loaded 5,000-question versions",
                "in-process",
                ours.seconds,
                "s",
                target=Target(0.100, "s"),
            )
        )


_PLAIN_CSS = (
    "<style>body{font-family:serif;font-size:11pt;margin:0} "
    "table{border-collapse:collapse;width:100%} td,th{border:1px solid #999;padding:2pt}</style>"
)


def _plain_html(html: str) -> str:
    """The same document with every stylesheet replaced by a few plain rules."""
    html = re.sub(r"<style\b.*?</style>", "", html, flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
    return html.replace("</head>", _PLAIN_CSS + "</head>", 1)


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def renders(b: Bench) -> None:
    from safeguard_standards import load_set
    from safeguard_standards.render import RenderOptions, available, render

    g = "Render kcsie (every kind × format the registry offers)"
    sg = _safeguard()
    kcsie = load_set("kcsie")
    previous = load_set(f"kcsie@{kcsie.supersedes}") if kcsie.supersedes else None
    kcsie_file = next(f for f in bundled_files() if f.endswith(f"kcsie/{kcsie.version}.yaml"))
    for kind, fmt in available():
        if not b.wanted(g, f"{kind} {fmt}", slow=fmt == "pdf" and kind != "return-form"):
            continue
        slow = fmt == "pdf"
        runs = b.runs_for(slow)
        out = b.work / f"kcsie-{kind}.{fmt}"
        cmd = [*sg, "render", "kcsie", "--as", kind, "--format", fmt, "-o", str(out)]
        floor_cmd, label, floor_out = _render_floor(b, kind, fmt, kcsie, kcsie_file)
        if floor_cmd is None:
            ours, floor = process(cmd, runs, warm=not slow), None
        else:
            ours, floor = pair(cmd, floor_cmd, runs, warm=not slow)
        opts = RenderOptions(previous=previous if kind == "changes" else None)
        ours_ip = in_process(lambda k=kind, f=fmt, o=opts: render(kcsie, k, f, o), runs)  # type: ignore[misc]
        peak = ours.peak_bytes / MIB if ours.peak_bytes else None
        measure = f"render --as {kind} --format {fmt}"
        floor_s = floor.seconds if floor else None
        if fmt == "pdf":
            pages = _pages(out)
            floor_pages = _pages(floor_out) if floor and floor_out else None
            b.add(
                Row(
                    g,
                    f"{measure} ({pages} pages)",
                    "process",
                    ours.seconds,
                    "s",
                    floor_s,
                    label,
                    peak_mib=peak,
                )
            )
            b.add(
                Row(
                    g,
                    f"{measure}: pages per second",
                    "process",
                    pages / ours.seconds,
                    "pages/s",
                    floor_pages / floor.seconds if floor and floor_pages else None,
                    label,
                    Target(9, "pages/s") if kind == "form" else None,
                    note=f"plain stylesheet: {floor_pages} pages" if floor_pages else "",
                )
            )
        else:
            b.add(Row(g, measure, "process", ours.seconds, "s", floor_s, label, peak_mib=peak))
        b.add(Row(g, measure, "in-process", ours_ip.seconds, "s"))
    if b.wanted(g, "pdf 2 workers", slow=True):
        jobs = [
            [
                *sg,
                "render",
                "kcsie",
                "--as",
                k,
                "--format",
                "pdf",
                "-o",
                str(b.work / f"2w-{k}.pdf"),
            ]
            for k in ("form", "guidance")
        ]
        both = parallel(jobs, b.runs_for(True))
        pages = sum(_pages(b.work / f"2w-{k}.pdf") for k in ("form", "guidance"))
        plain = []
        for k in ("form", "guidance"):
            html_path = b.work / f"plain-{k}.html"
            html_path.write_text(_plain_html(_html_for_pdf(kcsie, k)), encoding="utf-8")
            plain.append(
                [
                    PYTHON,
                    FLOORS,
                    "weasyprint-plain",
                    str(html_path),
                    str(b.work / f"plain-2w-{k}.pdf"),
                ]
            )
        floor = parallel(plain, b.runs_for(True))
        floor_pages = sum(_pages(b.work / f"plain-2w-{k}.pdf") for k in ("form", "guidance"))
        b.add(
            Row(
                g,
                f"PDF, 2 documents in 2 processes at once ({pages} pages)",
                "process",
                pages / both.seconds,
                "pages/s",
                floor_pages / floor.seconds,
                "WeasyPrint, plain stylesheet, 2 processes",
                Target(16, "pages/s"),
            )
        )


def _html_for_pdf(checklist: Any, kind: str) -> str:
    from safeguard_standards.render import RenderOptions
    from safeguard_standards.render._html import render_html

    return str(render_html(checklist, kind, RenderOptions(), pdf=True))


def _render_floor(
    b: Bench, kind: str, fmt: str, checklist: Any, source: str
) -> tuple[list[str] | None, str, Path | None]:
    """(floor command, its label, the PDF it writes) for one render row."""
    if fmt == "pdf" and kind != "changes":
        html_path = b.work / f"plain-{kind}.html"
        html_path.write_text(_plain_html(_html_for_pdf(checklist, kind)), encoding="utf-8")
        out = b.work / f"plain-{kind}.pdf"
        command = [PYTHON, FLOORS, "weasyprint-plain", str(html_path), str(out)]
        return command, "WeasyPrint, same HTML, plain stylesheet", out
    if fmt == "docx" and kind in ("form", "return-form"):
        command = [PYTHON, FLOORS, "docx-plain", source, str(b.work / "plain.docx")]
        return command, "python-docx, a plain table a question", None
    if fmt == "xlsx" and kind in ("form", "return-form"):
        command = [PYTHON, FLOORS, "xlsx-plain", source, str(b.work / "plain.xlsx")]
        return command, "openpyxl write_only, a row a question", None
    if fmt == "html" and kind in ("form", "guidance"):
        command = [PYTHON, FLOORS, "markdown", source]
        return command, "libyaml parse + markdown-it of every prose field", None
    if fmt == "pdf":  # the changes document: no plain equivalent to lay out
        return None, "", None
    return [PYTHON, FLOORS, "parse", source], "libyaml parse", None


def render_targets(b: Bench, files: dict[int, Path]) -> None:
    """The render goals stated for synthetic sizes (500 questions; 5,000 XLSX rows)."""
    g = "Render goals on synthetic sets"
    sg = _safeguard()
    cases = [
        (500, "form", "html", Target(0.7, "s"), "markdown"),
        (500, "guidance", "html", Target(0.7, "s"), "markdown"),
        (500, "form", "docx", Target(2.5, "s"), "docx-plain"),
        (5000, "form", "xlsx", Target(2.5, "s"), "xlsx-plain"),
    ]
    labels = {
        "markdown": "libyaml parse + markdown-it of every prose field",
        "docx-plain": "python-docx, a plain table a question",
        "xlsx-plain": "openpyxl write_only, a row a question",
    }
    for n, kind, fmt, target, floor_name in cases:
        if n not in files or not b.wanted(g, f"{kind} {fmt} {n}"):
            continue
        out = b.work / f"synthetic-{n}-{kind}.{fmt}"
        cmd = [*sg, "render", str(files[n]), "--as", kind, "--format", fmt, "-o", str(out)]
        floor_cmd = [PYTHON, FLOORS, floor_name, str(files[n])]
        if floor_name != "markdown":
            floor_cmd.append(str(b.work / f"floor-{n}.{fmt}"))
        ours, floor = pair(cmd, floor_cmd, b.runs_for(n >= 5000))
        what = f"{n:,} rows" if fmt == "xlsx" else f"{n:,} questions"
        b.add(
            Row(
                g,
                f"render --as {kind} --format {fmt}, {what}",
                "process",
                ours.seconds,
                "s",
                floor.seconds,
                labels[floor_name],
                target,
                ours.peak_bytes / MIB if ours.peak_bytes else None,
            )
        )


def _without_conditions(text: str) -> str:
    return re.sub(r"^ +ask_if: .*\n", "", text, flags=re.MULTILINE)


def hostile_rows(b: Bench) -> None:
    """Inputs that used to take quadratic time or memory (benchmarks/hostile.py), at sizes
    that show the growth: each beside the same work without the part that was quadratic."""
    import hostile

    from safeguard_standards import load_text
    from safeguard_standards.diff import diff, word_diff

    g = "Hostile sizes (once quadratic)"
    sg = _safeguard()
    # 6. rename detection: every question removed and re-added with similar text. Floor: the
    # same two versions with the ids kept, so every question is matched and only reworded.
    sizes = (1000, 2000) if b.quick else (1000, 2000, 4000)
    for n in sizes:
        if not b.wanted(g, f"diff renamed {n}"):
            continue
        old_text, new_text = hostile.renamed_sets(n)
        kept_text = re.sub(r"\{id: r(\d+),", r"{id: q\1,", new_text)
        old, new, kept = (load_text(t, f"{n}.yaml") for t in (old_text, new_text, kept_text))
        ours, floor = pair_in_process(
            lambda old=old, new=new: diff(old, new),
            lambda old=old, kept=kept: diff(old, kept),
            b.runs,
        )
        b.add(
            Row(
                g,
                f"diff, {n:,} questions all removed and re-added (possibly renamed)",
                "in-process",
                ours.seconds,
                "s",
                floor.seconds,
                "the same diff with ids kept",
                note=f"{ours.seconds / n * 1e6:.0f} µs a question",
            )
        )
        if n == 2000 and b.wanted(g, "diff renamed 2000 process"):
            paths = []
            for name, text in (("old", old_text), ("new", new_text)):
                path = b.work / f"renamed-{name}-{n}.yaml"
                path.write_text(text, encoding="utf-8")
                paths.append(str(path))
            ours_p, floor_p = pair(
                [*sg, "diff", *paths], [PYTHON, FLOORS, "parse-validate", *paths], b.runs
            )
            b.add(
                Row(
                    g,
                    f"safeguard diff, {n:,} renamed questions (was 59 s, 820 MB)",
                    "process",
                    ours_p.seconds,
                    "s",
                    floor_p.seconds,
                    "libyaml parse + jsonschema-rs of both",
                    peak_mib=ours_p.peak_bytes / MIB if ours_p.peak_bytes else None,
                )
            )
    # 7. the word diff of two 98 KB texts of repeated words. Floor: splitting them into words.
    if b.wanted(g, "word diff"):
        a, c = hostile.repeated_words(98_000)
        token = re.compile(r"^\s+|\S+\s*")

        def ours_wd() -> None:
            word_diff.cache_clear()
            word_diff(a, c)

        ours, floor = pair_in_process(ours_wd, lambda: (token.findall(a), token.findall(c)), b.runs)
        b.add(
            Row(
                g,
                "word diff of two 98 KB texts of repeated words (was about 4 min)",
                "in-process",
                ours.seconds,
                "s",
                floor.seconds,
                "splitting both into words",
            )
        )
    # 8. an ask_if listing 10,000 options. Floor: the same set without the condition.
    if b.wanted(g, "condition"):
        from safeguard_standards.render import render

        text = hostile.many_options(10_000)
        with_cond = load_text(text, "options.yaml")
        without = load_text(_without_conditions(text), "options.yaml")
        was_at_5000 = "15 s at 5,000"
        for fmt, was in (("md", "2 min 30 s"), ("html", was_at_5000), ("docx", was_at_5000)):
            ours, floor = pair_in_process(
                lambda fmt=fmt: render(with_cond, "form", fmt),
                lambda fmt=fmt: render(without, "form", fmt),
                b.runs,
            )
            b.add(
                Row(
                    g,
                    f"render --format {fmt}, ask_if listing 10,000 options (was {was})",
                    "in-process",
                    ours.seconds,
                    "s",
                    floor.seconds,
                    "the same set without the condition",
                )
            )
    # 9. one answer in the offline HTML form of 4,000 questions, in Chromium.
    if b.wanted(g, "html form answer"):
        form_answer_row(b, g)


def form_answer_row(b: Bench, g: str) -> None:
    """The time the page takes to handle one answer (a click on a Yes that shows the next
    question), style and layout included, measured inside Chromium; floor: the same click
    on the page whose script does only what the answer needs (show the next question, write
    two counts)."""
    import hostile

    from safeguard_standards import load_text
    from safeguard_standards.render import render

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return
    if not os.path.exists(chromium):
        return
    html = render(load_text(hostile.plain_form(4000), "form.yaml"), "form", "html").decode()
    page_with = b.work / "form-4000.html"
    page_with.write_text(html, encoding="utf-8")
    page_without = b.work / "form-4000-no-script.html"
    least = """<script>
    document.getElementById("sg-form").addEventListener("change", function (e) {
      var n = Number(e.target.name.split(".q")[1]) + 1;
      var q = document.querySelector('fieldset[data-qid$=".q' + n + '"]');
      if (q) { q.hidden = false; }
      document.querySelector(".count").textContent = "1 of 2 answered";
      document.getElementById("sg-overall").textContent = "1 of 2 questions answered";
    });</script>"""
    bare = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    page_without.write_text(bare.replace("</body>", least + "</body>"), "utf-8")
    clicks = """() => {
        const times = [];
        for (let i = 0; i < 40; i += 2) {
            const el = document.querySelector('input[name="s1.st1.q' + i + '"][value="yes"]');
            const start = performance.now();
            el.click();
            void document.body.offsetHeight;  // the style and layout the change needs
            times.push(performance.now() - start);
        }
        times.sort((x, y) => x - y);
        return times[times.length >> 1] / 1000;
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            seconds: list[list[float]] = [[], []]
            for _ in range(max(1, b.runs)):
                for i, path in enumerate((page_with, page_without)):
                    page = browser.new_page()
                    page.goto(path.as_uri())
                    seconds[i].append(float(page.evaluate(clicks)))
                    page.close()
        finally:
            browser.close()
    b.add(
        Row(
            g,
            "offline HTML form, one answer at 4,000 questions (was 54 s)",
            "in-process",
            statistics.median(seconds[0]),
            "s",
            statistics.median(seconds[1]),
            "the same click, a script doing only what it needs",
            note=f"Chromium: {statistics.median(seconds[0]) * 1000:.2f} ms against "
            f"{statistics.median(seconds[1]) * 1000:.2f} ms",
        )
    )


def warm_up(work: Path) -> None:
    """Run every code path once, so that no measured run pays for compiling bytecode."""
    sample = str(ROOT / "tests" / "cases" / "valid" / "complete.yaml")
    for fmt in ("html", "pdf", "docx", "xlsx", "md", "csv", "json"):
        out = str(work / f"warm.{fmt}")
        spawn([*_safeguard(), "render", sample, "--as", "form", "--format", fmt, "-o", out])
    spawn([*_safeguard(), "diff", "kcsie@2024-25", "kcsie@2025-26"])
    floors = [["click-skeleton", "--help"], ["parse-validate", sample], ["markdown", sample]]
    floors += [["docx-plain", sample, str(work / "w.docx")]]
    floors += [["xlsx-plain", sample, str(work / "w.xlsx")]]
    html = work / "warm.html"
    floors += [["weasyprint-plain", str(html), str(work / "w.pdf")]]
    for args in floors:
        spawn([PYTHON, FLOORS, *args])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and print the table (and optionally write the rows as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per row, no slow rows")
    parser.add_argument("--runs", type=int, default=5, help="runs per row (median; default 5)")
    parser.add_argument("--only", help="only rows whose group or name contains this text")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args(argv)

    about = machine()
    print("Machine:", file=sys.stderr)
    for key, value in about.items():
        print(f"  {key}: {value}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="safeguard-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        b = Bench(args.runs, args.quick, args.only, work)
        sizes = (50, 500) if args.quick else (50, 500, 5000)
        print("Warming the bytecode cache (one render in every format) …", file=sys.stderr)
        warm_up(work)
        print("Measuring (medians; the table follows):", file=sys.stderr)
        started = time.perf_counter()
        startup(b)
        validate_bundled(b)
        files = synthetic(b, sizes)
        validate_synthetic(b, files)
        diffs(b, files)
        renders(b)
        render_targets(b, files)
        hostile_rows(b)
        took = time.perf_counter() - started
    print()
    print(b.table())
    print()
    misses = [r for r in b.rows if r.verdict == "MISS"]
    print(
        f"{len(b.rows)} rows in {took:.0f} s; {sum(r.verdict == 'ok' for r in b.rows)} targets "
        f"met, {len(misses)} missed{': ' + '; '.join(r.measure for r in misses) if misses else ''}"
    )
    if args.json:
        payload = {"machine": about, "rows": [attrs.asdict(r) for r in b.rows]}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Aggregating a partnership's returns: 25,000 return JSON files into the thematic figures.

    python benchmarks/report_aggregate.py                 # 25,000 returns, 5 runs each
    python benchmarks/report_aggregate.py --returns 2000 --runs 3 --json report.json

The returns are synthetic (:mod:`safeguard_standards.report.synthetic`: kcsie 2025-26, one
organisation each, about 120 answers, evidence and actions as organisations write them),
written once as return JSON files into a cache folder under the temporary directory and
reused by later runs. Each row is a whole process, started afresh (interpreter start-up
included), the median of several runs after a warm-up, ours and the floor alternating so that
both see the same machine:

* **ours**: list the files, read and parse each (``json.loads``), read it into a
  :class:`~safeguard_standards.returns.model.Return` through the lean reader
  (:class:`safeguard_standards.report.lean.Reader`, answers shared), load the set and the
  roster, compute the thematic report's figures and tables (:func:`~safeguard_standards.
  report.aggregate.thematic`) and write every table as CSV;
* **floor**: list the same files, read and ``json.loads`` each, nothing else: the least any
  reader of JSON returns does.

The target (docs/performance.md, issue 13) is ours within 1.3 × the floor. With orjson
installed, a third row parses with it instead (``--orjson``).

Machines here are shared and noisy: compare ratios and medians, never single runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SET, VERSION = "kcsie", "2025-26"


def make_folder(n: int, seed: int = 1) -> Path:
    """The cache folder of ``n`` synthetic returns (made on first use)."""
    sys.path.insert(0, str(ROOT))
    folder = Path(tempfile.gettempdir()) / f"safeguard-bench-returns-2-{SET}-{VERSION}-{n}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    from safeguard_standards import load_bundled
    from safeguard_standards.report.roster import return_key, roster_csv
    from safeguard_standards.report.synthetic import make_returns, make_roster, return_json

    checklist = load_bundled(SET, VERSION)
    organisations = make_roster(SET, n, seed=seed)
    out = folder / "returns"
    out.mkdir(parents=True, exist_ok=True)
    (folder / "roster.csv").write_text(roster_csv(organisations), encoding="utf-8")
    start = time.perf_counter()
    for i in range(0, n, 1000):
        returns, _ = make_returns(checklist, organisations[i : i + 1000], seed=seed, missing=0)
        for ret in returns:
            (out / (return_key(ret) + ".json")).write_text(return_json(ret), encoding="utf-8")
        print(f"  made {min(i + 1000, n):,} of {n:,} returns", file=sys.stderr, flush=True)
    done.write_text(f"{time.perf_counter() - start:.1f} s\n", encoding="utf-8")
    return folder


def ours(folder: str, use_orjson: bool = False, phases: bool = False) -> None:
    """The whole job, in this process (see the module); with ``phases``, the CPU seconds of
    each step on standard error."""
    marks = [("start", time.process_time())]

    def mark(name: str) -> None:
        marks.append((name, time.process_time()))

    sys.path.insert(0, str(ROOT))
    loads = json.loads
    if use_orjson:
        import orjson  # type: ignore[import-not-found, unused-ignore]

        loads = orjson.loads
    from safeguard_standards import load_bundled
    from safeguard_standards.report.aggregate import thematic
    from safeguard_standards.report.data import to_csv
    from safeguard_standards.report.lean import Reader
    from safeguard_standards.report.roster import read_roster

    mark("imports")
    root = Path(folder)
    checklist = load_bundled(SET, VERSION)
    roster, problems = read_roster((root / "roster.csv").read_text(encoding="utf-8"))
    assert not problems, problems
    mark("load the set and the roster")
    reader = Reader({(SET, VERSION): checklist}, text=False)
    base = root / "returns"
    names = sorted(os.listdir(base))
    parse = 0.0

    def docs() -> Iterator[tuple[object, str]]:
        nonlocal parse
        for name in names:
            start = time.process_time()
            doc = loads((base / name).read_bytes())
            parse += time.process_time() - start
            yield doc, name

    returns, skipped = reader.read_all(docs())
    assert not skipped, skipped[:3]
    mark("read and parse the files")
    marks[-1] = ("read and parse the files", marks[-2][1] + parse)
    marks.append(("build the returns (lean reader)", time.process_time()))
    report = thematic(checklist, returns, roster=roster)
    mark("thematic figures and tables")
    with tempfile.TemporaryDirectory(prefix="safeguard-bench-tables-") as out:
        for table in report.tables:
            (Path(out) / (table.id.replace(":", "-") + ".csv")).write_bytes(to_csv(table))
    mark("write the tables as CSV")
    print(f"{len(returns)} returns, {len(report.tables)} tables")
    if phases:
        for (_, before), (name, after) in itertools.pairwise(marks):
            print(f"{name}: {after - before:.2f} s CPU", file=sys.stderr)


def floor(folder: str, use_orjson: bool = False) -> None:
    """List, read and parse every file; nothing else."""
    loads = json.loads
    if use_orjson:
        import orjson  # type: ignore[import-not-found, unused-ignore]

        loads = orjson.loads
    base = Path(folder) / "returns"
    n = 0
    for name in sorted(os.listdir(base)):
        loads((base / name).read_bytes())
        n += 1
    print(f"{n} files parsed")


def _time(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of ``args`` as a new process.
    CPU time is what to compare on a shared machine: other people's work stretches the wall
    clock, not it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=25_000, help="how many (default 25,000)")
    parser.add_argument("--runs", type=int, default=5, help="timing runs per row (default 5)")
    parser.add_argument("--orjson", action="store_true", help="also a row parsing with orjson")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--do", choices=("ours", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--use-orjson", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phases", action="store_true", help="CPU seconds of each step of ours")
    args = parser.parse_args(argv)
    if args.do:
        if args.do == "ours":
            ours(args.folder, args.use_orjson, args.phases)
        else:
            floor(args.folder, args.use_orjson)
        return 0
    if args.phases:
        ours(str(make_folder(args.returns)), args.orjson, phases=True)
        return 0

    folder = make_folder(args.returns)
    files = sorted((folder / "returns").iterdir())
    size = sum(f.stat().st_size for f in files)
    me = [sys.executable, str(Path(__file__).resolve()), "--folder", str(folder)]
    variants: list[tuple[str, list[str]]] = [("json (standard library)", [])]
    if args.orjson:
        variants.append(("orjson", ["--use-orjson"]))
    rows = []
    for label, extra in variants:
        ours_cmd = [*me, "--do", "ours", *extra]
        floor_cmd = [*me, "--do", "floor", *extra]
        _time(ours_cmd)  # warm-up (and the page cache)
        _time(floor_cmd)
        ours_s: list[tuple[float, float]] = []
        floor_s: list[tuple[float, float]] = []
        for _ in range(args.runs):
            ours_s.append(_time(ours_cmd))
            floor_s.append(_time(floor_cmd))
        row: dict[str, object] = {"parser": label}
        for i, kind in enumerate(("wall", "cpu")):
            o = statistics.median(t[i] for t in ours_s)
            f = statistics.median(t[i] for t in floor_s)
            row |= {f"ours_{kind}_s": o, f"floor_{kind}_s": f, f"ratio_{kind}": o / f}
        rows.append(row)
    print(
        f"\n{len(files):,} return JSON files, {size / 2**20:,.0f} MiB "
        f"({size / len(files) / 1024:.1f} KiB each), {SET}@{VERSION}\n"
    )
    print("| measure | parser | clock | ours | floor: read + parse (same run) | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        for kind in ("wall", "cpu"):
            print(
                f"| aggregate {len(files):,} returns, whole process | {row['parser']} | {kind} "
                f"| {row[f'ours_{kind}_s']:.2f} s | {row[f'floor_{kind}_s']:.2f} s "
                f"| ×{row[f'ratio_{kind}']:.2f} | ≤ ×1.3 |"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

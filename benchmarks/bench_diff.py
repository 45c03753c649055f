"""Speed of the diff (the two diff rows of "The targets" in docs/performance.md), the changes
document and new-version.

    python benchmarks/bench_diff.py

Prints medians of several runs after a warm-up:

* the in-memory diff of two 5,000-question versions (goal: ≤ 100 ms);
* ``safeguard diff a.yaml b.yaml`` as a whole process on two 500-question files (≤ 300 ms),
  beside ``safeguard validate`` of the same two files (loading them is most of the cost);
* ``safeguard diff kcsie@2025-26 examples/northshire-kcsie-2025-26.yaml`` (an overlay);
* the "what changed" Markdown for 500 questions, and new-version of a 500-question file.

Machines here are shared and noisy: compare medians, never single runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synth import make_set  # noqa: E402

from safeguard_standards import load_text  # noqa: E402
from safeguard_standards._newversion import new_version_text  # noqa: E402
from safeguard_standards.diff import diff  # noqa: E402
from safeguard_standards.render import RenderOptions, render  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def process_ms(args: list[str], runs: int = 5) -> float:
    def once() -> None:
        subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return median_ms(once, runs)


def main() -> None:
    rows = []
    old5k = load_text(make_set(5000, 0), "a.yaml")
    new5k = load_text(make_set(5000, 1), "b.yaml")
    n = len(diff(old5k, new5k))
    rows.append(
        (
            f"diff in memory, 5,000 questions ({n} changes)",
            median_ms(lambda: diff(old5k, new5k)),
            100,
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.yaml", Path(tmp) / "b.yaml"
        a.write_text(make_set(500, 0), encoding="utf-8")
        b.write_text(make_set(500, 1), encoding="utf-8")
        exe = [sys.executable, "-m", "safeguard_standards_cli"]
        rows.append(
            (
                "safeguard diff, two 500-question files (process)",
                process_ms([*exe, "diff", str(a), str(b)]),
                300,
            )
        )
        rows.append(
            (
                "  for comparison: safeguard validate, the same two files",
                process_ms([*exe, "validate", str(a), str(b)]),
                None,
            )
        )
        example = str(ROOT / "examples" / "northshire-kcsie-2025-26.yaml")
        rows.append(
            (
                "safeguard diff kcsie@2025-26 overlay (process)",
                process_ms([*exe, "diff", "kcsie@2025-26", example]),
                None,
            )
        )
        old500 = load_text(a.read_text(encoding="utf-8"))
        new500 = load_text(b.read_text(encoding="utf-8"))
        options = RenderOptions(previous=old500)
        rows.append(
            (
                "changes document, md, 500 questions",
                median_ms(lambda: render(new500, "changes", "md", options)),
                None,
            )
        )
        text = a.read_text(encoding="utf-8")
        rows.append(
            (
                "new-version text edit, 500 questions",
                median_ms(lambda: new_version_text(text, "2026-27")),
                None,
            )
        )

    width = max(len(r[0]) for r in rows)
    for name, ms, goal in rows:
        target = f"(goal ≤ {goal} ms)" if goal else ""
        print(f"{name:<{width}}  {ms:8.1f} ms  {target}")


if __name__ == "__main__":
    main()

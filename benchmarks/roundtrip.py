"""Round trips of completed returns: fill a blank form, read it back, check it, compare.

    python benchmarks/roundtrip.py                 # 1,000 fillings per set and format
    python benchmarks/roundtrip.py --quick         # 10 per set and format
    python benchmarks/roundtrip.py --n 200 --formats xlsx,docx --sets kcsie

For every bundled set (latest version) and every fillable format (the web form's saved
answers, CSV, Excel, Word, PDF) the blank form is rendered once; then each seeded filling of
``tests/returns_fill.py`` is written into it with the tests' fillers (the PDF is filled with
pypdf, a different library from the one that reads it), read back with
``returns.read.read_bytes`` and checked with ``returns.check.check``. The typed answers,
evidence, actions and details must equal those of the same filling given as the web form's
answers file: a difference is a loss (or an invention) and is counted and shown.

Printed per set and format: fillings, lossless ones, and the time of one fill and of one read
and check (medians). Nothing here is timed in the unit tests; machines here are shared and
noisy, so compare medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fill_office import choice_labels, fill_csv, fill_docx, fill_xlsx  # noqa: E402
from returns_fill import random_filling  # noqa: E402

import safeguard_standards as sg  # noqa: E402
from safeguard_standards.render import RenderOptions, render  # noqa: E402
from safeguard_standards.render._envelope import envelope_of  # noqa: E402
from safeguard_standards.returns.check import check  # noqa: E402
from safeguard_standards.returns.read import read_bytes  # noqa: E402

FORMATS = ("json", "csv", "xlsx", "docx", "pdf")
PARTS = ("answers", "evidence", "actions", "details")


def typed(data: bytes, name: str) -> dict[str, Any]:
    """The typed answers, evidence, actions and details of a return file."""
    checked = check(read_bytes(data, name))
    if checked.return_ is None:
        return {"unreadable": [str(d) for d in checked.diagnostics if d.is_error][:3]}
    out = checked.return_.to_dict()
    return {k: out[k] for k in PARTS}


def saved_answers(c: sg.Checklist, filling: dict[str, Any]) -> bytes:
    """The filling as the web form's Save answers writes it."""
    envelope = envelope_of(c, "form", RenderOptions())
    doc = {"set": c.id, "version": c.version, "kind": "form", "envelope": envelope.to_dict()}
    return json.dumps(doc | filling).encode("utf-8")


def fill(fmt: str, blank: bytes, filling: dict[str, Any], labels: Any) -> bytes:
    if fmt == "docx":
        return fill_docx(blank, filling)
    if fmt == "xlsx":
        return fill_xlsx(blank, filling, labels)
    if fmt == "csv":
        return fill_csv(blank, filling, labels)
    from fill_pdf import fill_pdf

    return fill_pdf(blank, filling)


def diff(want: dict[str, Any], got: dict[str, Any]) -> str:
    if "unreadable" in got:
        return "not read: " + "; ".join(got["unreadable"])
    for part in PARTS:
        a, b = want.get(part, {}), got.get(part, {})
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return f"{part}[{key}]: {a.get(key)!r:.60} became {b.get(key)!r:.60}"
    return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="fillings per set and format")
    ap.add_argument("--quick", action="store_true", help="10 fillings per set and format")
    ap.add_argument("--sets", default="", help="comma-separated set ids (default: all)")
    ap.add_argument("--formats", default=",".join(FORMATS))
    args = ap.parse_args()
    n = 10 if args.quick else args.n
    reg = sg.Registry()
    sets = [s for s in args.sets.split(",") if s] or list(reg.ids())
    formats = [f for f in args.formats.split(",") if f]
    print(
        f"{'set':<20} {'format':<6} {'fillings':>8} {'lossless':>8} {'fill ms':>8} "
        f"{'read+check ms':>13}"
    )
    failures: list[str] = []
    for set_id in sets:
        c = reg.load(set_id)
        labels = choice_labels(c, "form")
        fillings = [random_filling(c, seed) for seed in range(n)]
        # the address is one line in the web form; keep the fillings comparable everywhere
        for f in fillings:
            f["details"]["org.address"] = f["details"].get("org.address", "").replace("\n", " ")
        reference = [typed(saved_answers(c, f), "answers.json") for f in fillings]
        for fmt in formats:
            blank = b"" if fmt == "json" else render(c, "form", fmt, RenderOptions())
            fill_times, read_times, ok = [], [], 0
            for seed, (f, want) in enumerate(zip(fillings, reference, strict=True)):
                t0 = time.perf_counter()
                data = saved_answers(c, f) if fmt == "json" else fill(fmt, blank, f, labels)
                t1 = time.perf_counter()
                got = typed(data, f"return.{fmt}")
                t2 = time.perf_counter()
                fill_times.append(t1 - t0)
                read_times.append(t2 - t1)
                problem = diff(want, got)
                if problem:
                    failures.append(f"{set_id} {fmt} seed {seed}: {problem}")
                else:
                    ok += 1
            print(
                f"{set_id:<20} {fmt:<6} {n:>8} {ok:>8} "
                f"{statistics.median(fill_times) * 1000:>8.1f} "
                f"{statistics.median(read_times) * 1000:>13.1f}",
                flush=True,
            )
    for line in failures[:20]:
        print("lost:", line)
    if failures:
        print(f"{len(failures)} round trips lost or changed something")
        sys.exit(1)


if __name__ == "__main__":
    main()

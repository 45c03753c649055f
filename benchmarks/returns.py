"""Checking completed returns: whole processes beside the floor of reading the same files.

    python benchmarks/returns.py            # 25,000 JSON returns, 300 mixed-format returns
    python benchmarks/returns.py --quick    # 2,000 JSON, 60 mixed: a smoke run
    python benchmarks/returns.py --json returns.json

(a) JSON. Saved-answers files with an envelope (tests/returns_fill.py ``random_filling`` of
kcsie 2025-26, each with its own organisation name) are written to a temporary folder. Each
row is a new process, timed from start to exit (interpreter start-up included):

* the floor: a Python process reading every file's bytes and ``json.loads``-ing them;
* ``safeguard returns check --quiet DIR`` in one process (``--jobs 1``) and in two
  (``--jobs 2``), each with and without the personal-data scan (without: the scan is
  replaced by nothing in a small driver, to show its share).

Then, in this process, where a return's time goes (CPU milliseconds per return: loads, read,
check without the scan, the scan).

(b) Mixed formats: as many Word, Excel and (when the PDF reader is there) PDF forms as JSON
returns, filled with the tests' fillers (tests/fill_office.py, tests/fill_pdf.py). The floor
is a process in which the libraries the readers use open the same files and read their fields:
pikepdf for PDF (every field's value), openpyxl (read-only, values) for the workbook's cells,
zipfile and lxml for the Word document's content controls, ``json.loads`` for JSON.
``safeguard returns check`` runs with ``--jobs 1`` and with its default (the PDF, Word and
Excel files on every core).

Machines here are shared and noisy: each row is the median of ``--runs`` runs, and CPU time
(the children's user and system time) is shown beside wall-clock time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PYTHON = sys.executable

# The floor of (a): read every file and parse it.
FLOOR_JSON = r"""
import json, os, sys
for folder in sys.argv[1:]:
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            json.loads(f.read())
"""

# The floor of (b): the readers' libraries open each file and read its fields.
FLOOR_MIXED = r"""
import io, json, os, sys, warnings, zipfile
from lxml import etree
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
def pdf(data):
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as doc:
        stack = list(doc.Root.AcroForm.Fields)
        while stack:
            field = stack.pop()
            field.get("/T"); field.get("/V")
            stack.extend(field.get("/Kids", []))
def xlsx(data):
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                    keep_links=False)
    for name in wb.defined_names:
        wb.defined_names[name].destinations
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            pass
    wb.close()
def docx(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    for sdt in root.iter(W + "sdt"):
        tag = sdt.find(W + "sdtPr/" + W + "tag")
        "".join(sdt.itertext())
def js(data):
    json.loads(data)
READ = {".pdf": pdf, ".xlsx": xlsx, ".docx": docx, ".json": js}
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        READ[os.path.splitext(name)[1]](f.read())
"""

# Ours: the command itself, optionally with the personal-data scan replaced by nothing.
OURS = r"""
import sys
privacy = sys.argv[1] == "on"
if not privacy:
    from safeguard_standards.returns.check import _Checker
    _Checker.privacy = lambda self, ret, form: None
from safeguard_standards_cli import main
sys.argv = ["safeguard", "returns", "check", "--quiet", *sys.argv[2:]]
main()
"""


# -- making the returns ----------------------------------------------------------------------------


def _kcsie() -> Any:
    import safeguard_standards as sg

    return sg.load_bundled("kcsie", "2025-26")


def fillings(n: int, distinct: int = 500) -> list[dict[str, Any]]:
    """``n`` fillings: ``distinct`` seeded random ones, repeated, each with its own
    organisation name (two returns from one organisation would each be told of the other)."""
    from returns_fill import random_filling

    c = _kcsie()
    base = [random_filling(c, seed, long_text=False) for seed in range(min(n, distinct))]
    out = []
    for i in range(n):
        f = json.loads(json.dumps(base[i % len(base)]))
        f["details"]["org.name"] = f"Organisation {i:05d}"
        out.append(f)
    return out


def write_json(folder: Path, items: Sequence[dict[str, Any]], prefix: str = "r") -> None:
    from safeguard_standards.render import RenderOptions
    from safeguard_standards.render._envelope import envelope_of

    c = _kcsie()
    env = envelope_of(c, "form", RenderOptions()).to_dict()
    folder.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(items):
        doc = {"set": c.id, "version": c.version, "kind": "form", "envelope": env, **f}
        (folder / f"{prefix}{i:05d}.json").write_text(
            json.dumps(doc, ensure_ascii=False), encoding="utf-8"
        )


def pdf_reader_present() -> bool:
    return importlib.util.find_spec("safeguard_standards.returns._read_pdf") is not None


def write_mixed(folder: Path, n: int) -> list[str]:
    """``n`` returns, a quarter (a third without PDF) in each format; the formats made."""
    from fill_office import choice_labels, fill_docx, fill_xlsx

    from safeguard_standards.render import render

    c = _kcsie()
    formats = ["docx", "xlsx", "json"]
    have_pdf = pdf_reader_present() and (ROOT / "tests" / "fill_pdf.py").exists()
    if have_pdf:
        formats.insert(0, "pdf")
    items = fillings(n, distinct=n)
    blanks = {fmt: render(c, "form", fmt, None) for fmt in formats if fmt != "json"}
    labels = choice_labels(c, "form")
    folder.mkdir(parents=True, exist_ok=True)
    json_items = []
    for i, f in enumerate(items):
        fmt = formats[i % len(formats)]
        if fmt == "json":
            json_items.append(f)
            continue
        if fmt == "pdf":
            from fill_pdf import fill_pdf

            data = fill_pdf(blanks["pdf"], f)
        elif fmt == "docx":
            data = fill_docx(blanks["docx"], f)
        else:
            data = fill_xlsx(blanks["xlsx"], f, labels)
        (folder / f"m{i:05d}.{fmt}").write_bytes(data)
    write_json(folder, json_items, prefix="j")
    return formats


# -- measuring -------------------------------------------------------------------------------------


def run(args: Sequence[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user and system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_run(args: Sequence[str], runs: int) -> tuple[float, float]:
    samples = [run(args) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def where_time_goes(folder: Path, limit: int) -> dict[str, float]:
    """CPU milliseconds per return, in this process: json.loads of the bytes, the reader, the
    check without the scan, and the scan (the check with it, less without)."""
    from safeguard_standards.returns import check as check_module
    from safeguard_standards.returns.read import read_path
    from safeguard_standards.sets import Registry

    files = sorted(folder.iterdir())[:limit]
    registry = Registry()
    check_module.check_many([read_path(files[0])], registry)  # load and prepare kcsie

    def cpu(fn: Callable[[], object]) -> float:
        start = time.process_time()
        fn()
        return (time.process_time() - start) * 1000 / len(files)

    loads = cpu(lambda: [json.loads(p.read_bytes()) for p in files])
    raws: list[Any] = []
    read = cpu(lambda: raws.extend(read_path(p) for p in files))
    with_scan = cpu(lambda: check_module.check_many(raws, registry))
    scan = check_module._Checker.privacy
    check_module._Checker.privacy = lambda self, ret, form: None  # type: ignore[method-assign]
    try:
        without = cpu(lambda: check_module.check_many(raws, registry))
    finally:
        check_module._Checker.privacy = scan  # type: ignore[method-assign]
    return {"loads": loads, "read": read, "check": without, "scan": max(0.0, with_scan - without)}


def json_part(n: int, runs: int, tmp: Path) -> dict[str, Any]:
    folder = tmp / "json"
    start = time.perf_counter()
    write_json(folder, fillings(n))
    made = time.perf_counter() - start
    size = sum(p.stat().st_size for p in folder.iterdir())
    rows = []
    floor = median_run(["-c", FLOOR_JSON, str(folder)], runs)
    rows.append(("floor: read bytes + json.loads", floor))
    for jobs in ("1", "2"):
        for privacy in ("on", "off"):
            label = f"returns check --jobs {jobs}, personal-data scan {privacy}"
            rows.append(
                (label, median_run(["-c", OURS, privacy, "--jobs", jobs, str(folder)], runs))
            )
    return {
        "returns": n,
        "bytes": size,
        "made_s": made,
        "rows": rows,
        "floor": floor,
        "profile": where_time_goes(folder, min(n, 1000)),
    }


def mixed_part(n: int, runs: int, tmp: Path) -> dict[str, Any]:
    folder = tmp / "mixed"
    formats = write_mixed(folder, n)
    floor = median_run(["-c", FLOOR_MIXED, str(folder)], runs)
    rows = [("floor: the libraries open the files and read their fields", floor)]
    rows.append(
        ("returns check --jobs 1", median_run(["-c", OURS, "on", "--jobs", "1", str(folder)], runs))
    )
    rows.append(
        ("returns check (default: both cores)", median_run(["-c", OURS, "on", str(folder)], runs))
    )
    return {"returns": n, "formats": formats, "rows": rows, "floor": floor}


def table(title: str, part: dict[str, Any], target: float) -> None:
    print(f"\n{title}\n")
    print("| process | wall s | CPU s | × floor (wall) | target |")
    print("|---|---|---|---|---|")
    floor_wall = part["floor"][0]
    for label, (wall, cpu) in part["rows"]:
        ratio = wall / floor_wall
        is_floor = label.startswith("floor")
        mark = "" if is_floor else (f"×{target} " + ("met" if ratio <= target else "not met"))
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | ×{ratio:.1f} | {mark} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 JSON and 60 mixed returns")
    parser.add_argument("--runs", type=int, default=0, help="runs per row (default 3, quick 1)")
    parser.add_argument("--json-returns", type=int, help="how many JSON returns (25,000)")
    parser.add_argument("--mixed-returns", type=int, help="how many mixed returns (300)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    n_json = args.json_returns or (2000 if args.quick else 25000)
    n_mixed = args.mixed_returns or (60 if args.quick else 300)
    tmp = Path(tempfile.mkdtemp(prefix="sg-returns-bench-"))
    try:
        a = json_part(n_json, runs, tmp)
        print(
            f"(a) {a['returns']:,} JSON returns of kcsie 2025-26 "
            f"({a['bytes'] / a['returns'] / 1024:.0f} KiB each), {runs} run(s) per row"
        )
        table("whole process", a, 1.5)
        p = a["profile"]
        print("\nwhere a return's time goes (in-process CPU ms per return):\n")
        print("| json.loads | read (all of it) | check, without the scan | personal-data scan |")
        print("|---|---|---|---|")
        print(f"| {p['loads']:.2f} | {p['read']:.2f} | {p['check']:.2f} | {p['scan']:.2f} |")
        b = mixed_part(n_mixed, runs, tmp)
        pdf_note = "" if "pdf" in b["formats"] else " (no PDF: the PDF reader is not there yet)"
        print(f"\n(b) {b['returns']} returns, formats {', '.join(b['formats'])}{pdf_note}")
        table("whole process", b, 1.3)
        print(f"\ncores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
        if args.json:
            args.json.write_text(
                json.dumps({"json": a, "mixed": b}, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

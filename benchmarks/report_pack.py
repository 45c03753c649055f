"""The assurance pack for 300 returns: the thematic PDF and one feedback PDF per organisation,
on both cores, in report pages per second beside WeasyPrint's own floor.

    python benchmarks/report_pack.py                     # 300 returns, 1 run
    python benchmarks/report_pack.py --returns 40 --runs 3 --json pack.json

The returns are synthetic section 11 returns (:mod:`safeguard_standards.report.synthetic`),
one per agency, written once as return JSON files into a cache folder under the temporary
directory. Each row is whole processes, as the officer runs them:

* **ours**: ``safeguard report FOLDER --roster roster.csv --as thematic --format pdf`` then
  ``safeguard report FOLDER --roster roster.csv --as feedback --format pdf -o pack.zip``
  (reading and checking every return with the real readers, the figures, the charts, the
  HTML, WeasyPrint, the zip), the feedback on every core;
* **floor**: WeasyPrint alone laying out the very HTML our PDFs are made from (written out
  beforehand, not timed), in as many processes as there are cores, each a share of the
  documents: the least any WeasyPrint-based pack can cost.

Pages per second is the pages of every PDF over the wall time; the ratio is ours over the
floor (1.0 would be no overhead at all). Machines here are shared and noisy: compare ratios
and medians, never single runs. Measured (2-core shared machine, load about 6): 300 returns,
301 PDFs, 2,734 pages: ours 713 s (3.8 pages/s), the floor 657 s (4.2 pages/s), ×1.08.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SET, VERSION = "section11", "2025-27"


def make_folder(n: int, seed: int = 1) -> Path:
    """The cache folder of ``n`` synthetic returns and their roster (made on first use)."""
    sys.path.insert(0, str(ROOT))
    folder = Path(tempfile.gettempdir()) / f"safeguard-bench-pack-{SET}-{VERSION}-{n}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    from safeguard_standards import load_bundled
    from safeguard_standards.report.roster import roster_csv
    from safeguard_standards.report.synthetic import make_returns, make_roster, return_json

    checklist = load_bundled(SET, VERSION)
    organisations = make_roster(SET, n, seed=seed)
    returns, _ = make_returns(checklist, organisations, seed=seed, missing=0.0)
    out = folder / "returns"
    out.mkdir(parents=True, exist_ok=True)
    (folder / "roster.csv").write_text(roster_csv(organisations), encoding="utf-8")
    for ret in returns:
        (out / Path(ret.source).name).write_text(return_json(ret), encoding="utf-8")
    done.write_text("", encoding="utf-8")
    return folder


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _safeguard() -> list[str]:
    return [sys.executable, "-m", "safeguard_standards_cli"]


def ours(folder: Path, work: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds of the two commands, and the pages they made."""
    returns, roster = str(folder / "returns"), str(folder / "roster.csv")
    base = [*_safeguard(), "report", returns, "--roster", roster]
    thematic, pack = work / "thematic.pdf", work / "feedback.zip"
    start = time.perf_counter()
    subprocess.run(
        [*base, "--as", "thematic", "--format", "pdf", "-o", str(thematic), "-q"], check=True
    )
    subprocess.run(
        [*base, "--as", "feedback", "--format", "pdf", "-o", str(pack), "-q", "--jobs", str(jobs)],
        check=True,
    )
    seconds = time.perf_counter() - start
    pages = _pages(thematic.read_bytes())
    with zipfile.ZipFile(pack) as z:
        pages += sum(_pages(z.read(n)) for n in z.namelist())
    return seconds, pages


def write_floor_html(folder: Path, work: Path) -> list[Path]:
    """The PDF-variant HTML of every document of the pack, as our PDFs lay it out."""
    sys.path.insert(0, str(ROOT))
    from safeguard_standards.report import pack, views
    from safeguard_standards.report.documents import write_html
    from safeguard_standards.report.roster import read_roster
    from safeguard_standards.sets import Registry

    reg = Registry()
    read = pack.read_returns(pack.files_of([str(folder / "returns")]), reg)
    checklist = reg.get(SET, VERSION).unwrap()
    ledger, mine = pack.ledger_for(read, checklist)
    roster, _ = read_roster((folder / "roster.csv").read_text(encoding="utf-8"))
    docs = [views.thematic_view(checklist, mine, ledger, roster=roster)]
    peers = views.peer_groups(checklist, mine, 3)
    docs += [views.feedback_view(checklist, r, roster.match(r), peers) for r in mine]
    paths = []
    html_dir = work / "html"
    html_dir.mkdir(exist_ok=True)
    for i, view in enumerate(docs):
        path = html_dir / f"{i:04d}.html"
        path.write_text(write_html(view, pdf=True), encoding="utf-8")
        paths.append(path)
    return paths


_FLOOR = """
import sys
import weasyprint
from weasyprint.urls import URLFetcher
pages = 0
for path in sys.argv[1:]:
    doc = weasyprint.HTML(filename=path, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    rendered = doc.render(pdf_variant="pdf/ua-1")
    pages += len(rendered.pages)
    rendered.write_pdf(path + ".pdf", pdf_variant="pdf/ua-1")
print(pages)
"""


def floor(paths: list[Path], jobs: int) -> tuple[float, int]:
    """WeasyPrint alone on the same HTML, in ``jobs`` processes at once."""
    shares = [paths[i::jobs] for i in range(jobs)]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _FLOOR, *map(str, share)], stdout=subprocess.PIPE, text=True
        )
        for share in shares
        if share
    ]
    pages = sum(int(p.communicate()[0].strip() or 0) for p in procs)
    return time.perf_counter() - start, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=300)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    folder = make_folder(args.returns)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = write_floor_html(folder, work)
        rows = []
        for _ in range(args.runs):  # ours and the floor in turn, so both see the same machine
            rows.append((ours(folder, work, args.jobs), floor(paths, args.jobs)))
    ours_s = statistics.median(r[0][0] for r in rows)
    floor_s = statistics.median(r[1][0] for r in rows)
    pages, floor_pages = rows[0][0][1], rows[0][1][1]
    result = {
        "returns": args.returns,
        "documents": args.returns + 1,
        "jobs": args.jobs,
        "ours": {"seconds": round(ours_s, 2), "pages": pages, "pages_per_s": pages / ours_s},
        "floor": {
            "seconds": round(floor_s, 2),
            "pages": floor_pages,
            "pages_per_s": floor_pages / floor_s,
        },
        "ratio": round(ours_s / floor_s * floor_pages / pages, 2) if pages else None,
    }
    print(
        f"pack for {args.returns} returns ({args.returns + 1} PDFs, {pages} pages, "
        f"{args.jobs} processes): {pages / ours_s:.1f} pages/s ({ours_s:.1f} s); "
        f"WeasyPrint alone on the same HTML: {floor_pages / floor_s:.1f} pages/s "
        f"({floor_s:.1f} s, {floor_pages} pages); ours takes {result['ratio']}x the floor"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""A synthetic triangulated review, written as a partnership's folder of returns.

    python examples/triangulated_review.py FOLDER [--seed N]

writes ``FOLDER/roster.csv`` (25 agencies) and the checked returns as JSON files:

* ``FOLDER/section11/2025-27/AGY-*.json`` — each agency's section 11 self-assessment;
* ``FOLDER/case_file_audit/2025-26/CFA-*.json`` — 100 case-file audits, each naming its
  auditing agency;
* ``FOLDER/practitioner_survey/2025-26/SRV-*.json`` — 600 survey responses, each naming the
  organisation the respondent works for (a few say only "the NHS").

Five disagreements are planted (see ``PLANTS`` in ``safeguard_standards/report/synthetic.py``),
beside a near miss and an agency that rated itself honestly low. The script then reads the
files back, runs the triangulation and prints the disagreements it finds beside the planted
ones. Nothing here is personal data: the names are made from place names.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from safeguard_standards import load_bundled
    from safeguard_standards.report import synthetic
    from safeguard_standards.report.lean import Reader
    from safeguard_standards.report.roster import read_roster
    from safeguard_standards.report.triangulate import triangulate

    review = synthetic.make_review(seed=args.seed)
    written = synthetic.write(review.synthetic, args.folder)
    print(f"wrote {len(written)} files under {args.folder}")

    checklists = [load_bundled(s, v) for s, v in review.synthetic.returns]
    reader = Reader({(c.id, c.version): c for c in checklists})
    returns = []
    for path in sorted(args.folder.glob("*/*/*.json")):
        ret, problems = reader.read(json.loads(path.read_text(encoding="utf-8")), path.name)
        for p in problems:
            print(p, file=sys.stderr)
        if ret is not None:
            returns.append(ret)
    roster, _ = read_roster((args.folder / "roster.csv").read_text(encoding="utf-8"))
    tri = triangulate(checklists, returns, roster=roster)
    found = sorted((d.organisation, d.theme, d.reasons) for d in tri.disagreements)
    print(f"{len(found)} disagreement(s) found, {len(review.planted)} planted:")
    for d in tri.disagreements:
        print(f"  {d.describe(tri.theme(d.theme).title)}")
    return 0 if found == list(review.planted) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The personal-data detector: recall and false positives per kind, and its speed.

    python benchmarks/privacy.py            # the labelled set (2,160 items), 5 timing runs
    python benchmarks/privacy.py --runs 9 --json privacy.json

Prints, for each kind of personal data, the recall on the positives of the labelled set
(tests/privacy_corpus.py, the same seed as the tests) and the false-positive rate on its
look-alikes (a look-alike counts as a false positive when anything at all is flagged in it).

Then throughput in texts per second, as a median of several runs after a warm-up, on two
inputs: the labelled set's sentences, and evidence boxes of 4 to 10 sentences (about 700
characters) made from them. The floor beside each is a plain regular-expression pass over
the same texts: one pattern that matches the raw shapes of every fixed-format kind (ten
digits, NINO, UPN, postcode, phone, e-mail, numeric and written dates), without checksums,
numbering plans, context or names. It is the least any detector of these kinds must do.
The first call's cost (the lazy import of python-stdnum and phonenumbers) is shown apart.

Machines here are shared and noisy: compare ratios and medians, never single runs.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from privacy_corpus import KINDS, OWN_EMAILS, OWN_PHONES, generate, measure  # noqa: E402

from safeguard_standards.returns.privacy import scan  # noqa: E402

# The floor: the raw shapes only.
FLOOR = re.compile(
    r"\b[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}\b"
    r"|\b[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]?\b"
    r"|\b[A-Z][0-9]{11}[0-9A-Z]\b"
    r"|\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"
    r"|(?:\+44|\b0)[0-9 ()-]{9,14}[0-9]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b"
    r"|\b[0-9]{1,2}(?:st|nd|rd|th)? (?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December) [0-9]{4}\b",
    re.IGNORECASE,
)


def quality() -> list[dict[str, object]]:
    counts = measure(scan)
    rows = []
    for kind in KINDS:
        positives, hits, lookalikes, false_positives = counts[kind]
        rows.append(
            {
                "kind": kind,
                "positives": positives,
                "found": hits,
                "recall": hits / positives,
                "lookalikes": lookalikes,
                "false_positives": false_positives,
                "fp_rate": false_positives / lookalikes,
            }
        )
    return rows


def evidence_boxes(sentences: Sequence[str], n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(list(sentences), rng.randint(4, 10))) for _ in range(n)]


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_call_seconds() -> float:
    """A new process: import the module, then time the first scan that needs both libraries."""
    code = (
        "import time, safeguard_standards.returns.privacy as p\n"
        "t = time.perf_counter(); p.scan('NHS 943 476 5870, call 0161 496 0000')\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout)


def speed(runs: int) -> list[dict[str, object]]:
    sentences = [item.text for item in generate()]
    rows = []
    for label, texts in (
        ("labelled set, one sentence each", sentences),
        ("evidence boxes, 4-10 sentences", evidence_boxes(sentences, 500)),
    ):
        chars = sum(map(len, texts))

        def ours(texts: Sequence[str] = texts) -> None:
            for text in texts:
                scan(text, allowed_emails=OWN_EMAILS, allowed_phones=OWN_PHONES)

        def floor(texts: Sequence[str] = texts) -> None:
            for text in texts:
                for _ in FLOOR.finditer(text):
                    pass

        ours_s = median_seconds(ours, runs)
        floor_s = median_seconds(floor, runs)
        rows.append(
            {
                "input": f"{label} ({len(texts):,} texts, {chars / len(texts):.0f} chars avg)",
                "texts_per_s": len(texts) / ours_s,
                "floor_texts_per_s": len(texts) / floor_s,
                "ratio": ours_s / floor_s,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timing runs per row (default 5)")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args(argv)

    q = quality()
    print("| kind | recall | false positives on look-alikes |")
    print("|---|---|---|")
    for row in q:
        print(
            f"| {row['kind']} | {row['recall']:.1%} ({row['found']}/{row['positives']}) "
            f"| {row['fp_rate']:.1%} ({row['false_positives']}/{row['lookalikes']}) |"
        )
    print()
    s = speed(args.runs)
    print("| input | ours | floor (plain regex pass) | ratio |")
    print("|---|---|---|---|")
    for row in s:
        print(
            f"| {row['input']} | {row['texts_per_s']:,.0f} texts/s "
            f"| {row['floor_texts_per_s']:,.0f} texts/s | ×{row['ratio']:.1f} |"
        )
    first = first_call_seconds()
    print(
        "\nfirst call in a new process (imports python-stdnum and phonenumbers): "
        f"{first * 1000:.0f} ms"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"quality": q, "speed": s, "first_call_s": first}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

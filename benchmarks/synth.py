"""Synthetic standard sets of any size, in valid dsl 1, for benchmarks and stress tests.

Each question carries the fields a real one does (text, evidence prompts, guidance with
Markdown, citations, some audience filters and conditions), about 3 KB of YAML per question,
so that a 5,000-question set is about 15 MB, the size the targets in
``docs/performance.md`` are stated for.

``make_set(n, variant=1)`` gives a later version of the same set: some questions reworded,
some withdrawn, some added, so that a diff has real work to do.
"""

from __future__ import annotations

import random

__all__ = ["make_set"]

_VOCABULARY = """
safeguarding children staff training policy concern designated lead governor record referral
partnership evidence review annual online filtering monitoring recruitment check allegation
volunteer contractor attendance welfare early help support risk assessment family consent
information sharing supervision culture leadership report
"""
_WORDS = tuple(_VOCABULARY.split())

_HEADER = """\
# Synthetic standard set for benchmarks ({n} questions, variant {variant}).
dsl: 1
id: synthetic
version: "{version}"
title: Synthetic safeguarding self-assessment ({n} questions)
status: published
effective: {{from: "2025-09-01", to: "2026-08-31"}}
supersedes: "2024-25"
description: >-
  A generated set used to measure loading, validation, diff and rendering speed.
  It uses *every* common field so that its cost per question is realistic.
publisher: {{name: Benchmark Safeguarding Partnership, contact: audit@example.org}}
references:
  kcsie-2025:
    title: Keeping children safe in education 2025
    publisher: Department for Education
    kind: statutory-guidance
    url: https://www.gov.uk/government/publications/keeping-children-safe-in-education--2
  wt-2023:
    title: Working together to safeguard children 2023
    publisher: HM Government
    kind: statutory-guidance
    url: https://www.gov.uk/government/publications/working-together-to-safeguard-children--2
scales:
  grade:
    - {{id: met, label: Fully met, rag: green, score: 2, describe: In place and working.}}
    - {{id: partly, label: Partly met, rag: amber, score: 1}}
    - {{id: not-met, label: Not met, rag: red, score: 0, requires: [action]}}
    - {{id: na, label: Not applicable, scored: false, requires: [justification]}}
default_scale: grade
audiences:
  setting:
    label: Type of setting
    values: {{maintained: Maintained school, academy: Academy, fe-college: FE college}}
sections:
"""


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize()


def _para(rng: random.Random, sentences: int, indent: str) -> str:
    text = ". ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(sentences)) + "."
    # wrap at about 90 columns, as a person would write it
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > 90:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(indent + part for part in lines)


def _question(
    rng: random.Random,
    qid: str,
    full_prev: str | None,
    reword: random.Random | None = None,
) -> tuple[str, str]:
    kind = rng.choice(("rating", "rating", "rating", "yes-no", "yes-no", "text", "date"))
    text = _para(rng, 2, " " * 14)
    if reword is not None:  # a later version rewords it (the base stream is still consumed)
        text = _para(reword, 3, " " * 14)
    evidence = "\n".join(f"              - {_sentence(rng, rng.randint(6, 12))}" for _ in range(3))
    out = [
        f"          - id: {qid}",
        "            text: >-",
        text,
        f"            type: {kind}",
        "            evidence:",
        evidence,
        "            guidance:",
        "              why: >-",
        _para(rng, 5, " " * 16),
        "              good: >-",
        _para(rng, 7, " " * 16),
        "              support: >-",
        _para(rng, 4, " " * 16) + " See **Part two** of the guidance.",
        "            cite:",
        '              - {ref: kcsie-2025, at: "Part two"}',
        '              - {ref: wt-2023, at: "Chapter 1"}',
    ]
    if rng.random() < 0.2:
        out.append("            applies_to: {setting: [maintained, academy]}")
    if rng.random() < 0.3:
        out.append("            in_return: true")
    if full_prev and rng.random() < 0.15:
        out.append(f"            ask_if: {{question: {full_prev}, equals: yes}}")
    return "\n".join(out), kind


def make_set(n_questions: int, variant: int = 0, seed: int = 2025) -> str:
    """YAML text of a valid standard set with ``n_questions`` questions.

    Ten questions per standard, ten standards per section. ``variant`` > 0 makes a later
    version: about 5 % of questions reworded, 1 % withdrawn and 1 % added.
    """
    rng = random.Random(seed)
    change = random.Random(seed + variant)
    version = "2025-26" if variant == 0 else f"2025-26.{variant}"
    parts = [_HEADER.format(n=n_questions, variant=variant, version=version)]
    made = 0
    section = 0
    while made < n_questions:
        section += 1
        parts.append(
            f"  - id: section-{section}\n"
            f"    title: {_sentence(rng, 4)}\n"
            f"    intro: >-\n{_para(rng, 2, ' ' * 6)}\n"
            "    standards:"
        )
        for standard in range(1, 11):
            if made >= n_questions:
                break
            sid = f"standard-{standard}"
            parts.append(
                f"      - id: {sid}\n"
                f"        title: {_sentence(rng, 5)}\n"
                f"        expectation: >-\n{_para(rng, 2, ' ' * 10)}\n"
                "        questions:"
            )
            prev: str | None = None
            for q in range(1, 11):
                if made >= n_questions:
                    break
                made += 1
                roll = change.random() if variant else 1.0
                qid = f"q{q}"
                full_prev = f"section-{section}.{sid}.{prev}" if prev else None
                text, kind = _question(rng, qid, full_prev, change if roll < 0.06 else None)
                if roll < 0.01 and q < 10:
                    continue  # withdrawn in this variant (a later question may follow)
                parts.append(text)
                if kind == "yes-no":
                    prev = qid  # conditions refer to the last yes-no question
                if 0.06 <= roll < 0.07:
                    parts.append(_question(change, f"q{q}-new", None)[0])
    return "\n".join(parts) + "\n"


if __name__ == "__main__":  # pragma: no cover - a quick way to look at one
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sys.stdout.write(make_set(count, int(sys.argv[2]) if len(sys.argv) > 2 else 0))

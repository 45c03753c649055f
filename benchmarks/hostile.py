"""Generated inputs that once took quadratic time or memory (issue: unbounded work).

Each function returns YAML text of a valid standard set (or plain text) that is ordinary
in every way except its size, so a benchmark can show that the cost grows about linearly:

- :func:`renamed_sets` — two versions in which every question was removed and re-added
  under a new id with similar text (rename detection compares them);
- :func:`repeated_words` — two long texts of repeated words (the word-level diff);
- :func:`many_options` — a question with ``n`` options and one whose ``ask_if`` lists all
  of them (the condition text);
- :func:`plain_form` — a set of ``n`` short yes/no questions (the offline HTML form's script
  and the PDF size limit);
- :func:`long_guidance` and :func:`long_word` — much text, or one very long word (PDF).
"""

from __future__ import annotations

import random

__all__ = [
    "long_guidance",
    "long_word",
    "many_options",
    "plain_form",
    "renamed_sets",
    "repeated_words",
]

_HEAD = """\
dsl: 1
id: hostile
version: "{version}"
title: Generated set
status: published
effective: {{from: "2025-09-01", to: "2026-08-31"}}
publisher: {{name: Test Partnership}}
sections:
"""

# what every question needs so that the set has no warnings
_NOTES = "            evidence: [A record]\n            guidance: {why: Because., good: Yes.}\n"

_VOCABULARY = """
safeguarding children staff training policy concern designated lead governor record referral
partnership evidence review annual online filtering monitoring recruitment check allegation
volunteer contractor attendance welfare early help support risk assessment
"""
_WORDS = tuple(_VOCABULARY.split())


def _set(version: str, questions: list[tuple[str, str]], per_standard: int = 10) -> str:
    out = [_HEAD.format(version=version), "  - id: s1\n    title: Section\n    standards:\n"]
    for start in range(0, len(questions), per_standard):
        out.append(f"      - id: st{start // per_standard + 1}\n")
        out.append("        title: Standard\n        questions:\n")
        for qid, text in questions[start : start + per_standard]:
            out.append(
                f"          - {{id: {qid}, type: yes-no, text: '{text}', evidence: [A record],"
                " guidance: {why: Because., good: A record.}}\n"
            )
    return "".join(out)


def renamed_sets(n: int, seed: int = 7) -> tuple[str, str]:
    """Old and new versions of ``n`` questions; in the new one each has a new id and one word
    changed. Every text shares the same twelve words and differs from the others in three,
    so every pair of removed and added questions looks alike (the worst case for pairing)."""
    rng = random.Random(seed)
    common = "does the organisation keep a written and dated record of every"
    old, new = [], []
    for i in range(n):
        words = [rng.choice(_WORDS) for _ in range(3)]
        old.append((f"q{i}", f"{common} {' '.join(words)} {i}?".capitalize()))
        words[rng.randrange(3)] = rng.choice(_WORDS)
        new.append((f"r{i}", f"{common} {' '.join(words)} {i}?".capitalize()))
    return _set("2025-26", old), _set("2026-27", new)


def repeated_words(n_bytes: int) -> tuple[str, str]:
    """Two texts of about ``n_bytes`` each, made of a handful of repeated words, that differ
    in a word here and there."""
    rng = random.Random(3)
    vocab = ["the", "child", "staff", "policy", "and"]
    a = [rng.choice(vocab) for _ in range(n_bytes // 5)]
    b = list(a)
    for _ in range(len(b) // 50):
        b[rng.randrange(len(b))] = rng.choice(vocab)
    return " ".join(a), " ".join(b)


def many_options(n: int) -> str:
    """A set whose first question has ``n`` options and whose second is asked if any of
    them was chosen (``ask_if … in:`` listing all ``n``)."""
    options = "".join(f"              - {{id: o{i}, label: Option {i}}}\n" for i in range(n))
    values = ", ".join(f"o{i}" for i in range(n))
    return (
        _HEAD.format(version="2025-26")
        + "  - id: s1\n    title: Section\n    standards:\n"
        + "      - id: st1\n        title: Standard\n        questions:\n"
        + "          - id: pick\n            type: choice\n            text: Which?\n"
        + _NOTES
        + "            options:\n"
        + options
        + "          - id: then\n            type: text\n            text: Why?\n"
        + _NOTES
        + f"            ask_if: {{question: s1.st1.pick, in: [{values}]}}\n"
    )


def plain_form(n: int, chain: bool = False) -> str:
    """``n`` yes/no questions, a hundred to a section, every other one asked only if the one
    before it is Yes; with ``chain``, every one after the first (one condition chain)."""
    out = [_HEAD.format(version="2025-26")]
    per_section = 100
    for s in range(0, n, per_section):
        out.append(f"  - id: s{s // per_section + 1}\n    title: Section\n    standards:\n")
        out.append("      - id: st1\n        title: Standard\n        questions:\n")
        for i in range(s, min(n, s + per_section)):
            out.append(f"          - id: q{i}\n            type: yes-no\n")
            out.append(f"            text: Question {i}?\n")
            out.append("            evidence: [A record]\n")
            out.append("            guidance: {why: Because., good: A record.}\n")
            if (i % 2 or chain) and i:
                prev = f"s{(i - 1) // per_section + 1}.st1.q{i - 1}"
                out.append(f"            ask_if: {{question: {prev}, equals: yes}}\n")
    return "".join(out)


def _one_standard(questions: str) -> str:
    return (
        _HEAD.format(version="2025-26")
        + "  - id: s1\n    title: Section\n    standards:\n"
        + "      - id: st1\n        title: Standard\n        questions:\n"
        + questions
    )


def long_guidance(n: int, chars: int) -> str:
    """``n`` questions, ten to a standard, each with about ``chars`` characters of guidance."""
    rng = random.Random(5)
    out = [_HEAD.format(version="2025-26"), "  - id: s1\n    title: Section\n    standards:\n"]
    for i in range(n):
        if i % 10 == 0:
            out.append(
                f"      - id: st{i // 10 + 1}\n        title: Standard\n        questions:\n"
            )
        words: list[str] = []
        size = 0
        while size < chars:
            words.append(rng.choice(_WORDS))
            size += len(words[-1]) + 1
        why = " ".join(words)[:chars]
        out.append(
            f"          - id: q{i}\n            type: yes-no\n            text: Question {i}?\n"
            f"            evidence: [A record]\n            guidance: {{why: {why}, good: Yes.}}\n"
        )
    return "".join(out)


def long_word(chars: int, where: str = "text") -> str:
    """One question whose text (or, with ``where="title"``, the set's title) is a single
    word of ``chars`` letters."""
    word = "W" * chars
    text = word if where == "text" else "Short?"
    out = _one_standard(
        f"          - id: q1\n            type: yes-no\n            text: {text}\n" + _NOTES
    )
    return out.replace("title: Generated set", f"title: {word}") if where == "title" else out


def long_renamed_sets(n: int, words: int, seed: int = 11) -> tuple[str, str]:
    """Like :func:`renamed_sets`, but each text is ``words`` words of five repeated ones (the
    worst case for difflib's matching), one word changed in the new version."""
    rng = random.Random(seed)
    vocab = ["the", "child", "staff", "policy", "and"]
    old, new = [], []
    for i in range(n):
        text = [rng.choice(vocab) for _ in range(words)]
        old.append((f"q{i}", " ".join(text) + f" {i}"))
        text[rng.randrange(words)] = rng.choice(vocab)
        new.append((f"r{i}", " ".join(text) + f" {i}"))
    return _set("2025-26", old), _set("2026-27", new)

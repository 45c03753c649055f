"""Work that once grew quadratically with the input stays bounded (issue: unbounded time or
memory).

Each heavy case runs in a child process with a generous time limit and a cap on its memory
(RLIMIT_AS), so a quadratic regression fails rather than slowing the suite down; speed itself
is measured in ``benchmarks/run.py``. The inputs come from ``benchmarks/hostile.py``.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from safeguard_standards import diff as diff_module
from safeguard_standards import load_text
from safeguard_standards.diff import diff, word_diff

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def _hostile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile", BENCH / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = _hostile()


def bounded(code: str, *, seconds: float, mib: int = 1536) -> str:
    """Run ``code`` in a fresh interpreter (with benchmarks/ importable) under a time limit
    and an address-space cap; return what it printed. Fails the test if either is hit."""
    prelude = f"import sys; sys.path.insert(0, {str(BENCH)!r})\n"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mib * 2**20, mib * 2**20))

    try:
        done = subprocess.run(
            [sys.executable, "-c", prelude + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=seconds,
            preexec_fn=limit,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish in {seconds} s: the work is no longer bounded")
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# -- 6. rename detection -----------------------------------------------------------------------


def test_rename_candidates_give_the_same_pairs_as_comparing_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_text, new_text = hostile.renamed_sets(300)
    old, new = load_text(old_text, "old.yaml"), load_text(new_text, "new.yaml")
    every_pair = diff(old, new).to_dict()
    assert every_pair["counts"] == {"possibly-renamed": 300}
    monkeypatch.setattr(diff_module, "RENAME_ALL_PAIRS", 0)  # candidates only
    assert diff(old, new).to_dict() == every_pair


def test_rename_candidates_need_a_shared_rare_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocking misses nothing a person would call a rename: a reworded question is still
    paired, and a question that only shares common words with the others is not."""
    monkeypatch.setattr(diff_module, "RENAME_ALL_PAIRS", 0)
    old_text, new_text = hostile.renamed_sets(60)
    new_text = new_text.replace("id: r5,", "id: brand-new,")
    d = diff(load_text(old_text, "old.yaml"), load_text(new_text, "new.yaml"))
    pairs = {c.old_id: c.id for c in d.of(diff_module.Kind.POSSIBLY_RENAMED)}
    assert pairs["s1.st1.q5"] == "s1.st1.brand-new"
    assert pairs["s1.st2.q13"] == "s1.st2.r13"
    assert len(pairs) == 60


@pytest.mark.slow
def test_rename_detection_of_3000_removed_and_added_questions_is_bounded() -> None:
    # every pair compared: 2,000 questions took 59 s and 820 MB
    out = bounded(
        """
        import json
        from hostile import renamed_sets
        from safeguard_standards import load_text
        from safeguard_standards.diff import diff
        a, b = renamed_sets(3000)
        d = diff(load_text(a, "a.yaml"), load_text(b, "b.yaml"))
        print(json.dumps(d.counts()))
        """,
        seconds=60,
        mib=1024,
    )
    assert json.loads(out) == {"possibly-renamed": 3000}


# -- 7. word diff ------------------------------------------------------------------------------


def _rebuilds(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert "".join(w.text for w in ops if w.op != "+") == old
    assert "".join(w.text for w in ops if w.op != "-") == new


def test_a_long_word_diff_still_rebuilds_both_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = hostile.repeated_words(20_000)
    _rebuilds(old, new)
    sentences = ". ".join(f"Sentence {i} says the child is safe" for i in range(400))
    changed = sentences.replace("Sentence 200 says the", "Sentence 200 now says that the")
    _rebuilds(sentences, changed)
    # past the word-level limit, the changed sentences are still found word by word
    word_diff.cache_clear()
    monkeypatch.setattr(diff_module, "WORD_DIFF_WORK", 2_000)
    short = ". ".join(f"Sentence {i} says the child is safe" for i in range(20))
    edited = short.replace("Sentence 10 says the", "Sentence 10 now says that the")
    ops = word_diff(short + ". " + short, edited + ". " + edited)
    _rebuilds(short + ". " + short, edited + ". " + edited)
    assert [w.text for w in ops if w.op == "+"] == ["now ", "that ", "now ", "that "]
    word_diff.cache_clear()


def test_ordinary_text_gets_the_plain_word_diff() -> None:
    import difflib

    old = "Is there an attendance policy that staff know and follow?"
    new = "Does the school have an attendance policy that every member of staff follows?"
    a, b = old.split(), new.split()
    expected = [
        " ".join(b[j1:j2])
        for t, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        if t != "equal"
    ]
    added = [w.text.strip() for w in word_diff(old, new) if w.op == "+"]
    assert added == expected


def test_word_diff_of_two_98_kb_texts_of_repeated_words_is_bounded() -> None:
    # difflib over every word: almost four minutes
    out = bounded(
        """
        from hostile import repeated_words
        from safeguard_standards.diff import word_diff
        a, b = repeated_words(98_000)
        ops = word_diff(a, b)
        assert "".join(w.text for w in ops if w.op != "+") == a
        print(len(ops))
        """,
        seconds=20,
    )
    assert int(out) > 0


# -- 8. condition text ---------------------------------------------------------------------


def test_a_condition_listing_many_options_reads_every_label_in_order() -> None:
    from safeguard_standards.render._view import condition_text

    c = load_text(hostile.many_options(30), "options.yaml")
    q = c.question("s1.st1.then")
    assert q is not None
    labels = ", ".join(f"“Option {i}”" for i in range(29))
    assert condition_text(q.ask_if, c) == f"Answer if you answered {labels} or “Option 29” to 1.1.1"


@pytest.mark.slow
def test_a_condition_listing_10000_options_renders_in_bounded_time() -> None:
    # each value rebuilt the option list: 2 min 30 s in Markdown
    out = bounded(
        """
        from hostile import many_options
        from safeguard_standards import load_text
        from safeguard_standards.render import render
        c = load_text(many_options(10_000), "options.yaml")
        for fmt in ("md", "html", "docx", "xlsx", "csv"):
            out = render(c, "form", fmt)
            print(fmt, len(out))
        """,
        seconds=60,
    )
    assert [line.split()[0] for line in out.splitlines()] == ["md", "html", "docx", "xlsx", "csv"]

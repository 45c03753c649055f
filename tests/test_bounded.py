"""Work that once grew quadratically with the input stays bounded (issue: unbounded time or
memory).

Each heavy case runs in a child process with a generous time limit and a cap on its memory
(RLIMIT_AS), so a quadratic regression fails rather than slowing the suite down; speed itself
is measured in ``benchmarks/run.py``. The inputs come from ``benchmarks/hostile.py``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
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


# -- 10. PDF size and 23. long words -------------------------------------------------------

_ELEMENT = re.compile(r"<[A-Za-z]")


def _render_cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner
    from safeguard_standards_cli import cli

    result = CliRunner().invoke(cli, ["render", *args])
    return result.exit_code, result.stderr


def _without_style(html: str) -> str:
    return re.sub(r"<style\b.*?</style>|<script\b.*?</script>", "<s>", html, flags=re.S)


def test_a_pdf_of_too_many_elements_is_refused_where_it_crosses_the_limit(tmp_path: Path) -> None:
    from safeguard_standards import load_path
    from safeguard_standards.render._html import render_html

    path = tmp_path / "big.yaml"
    path.write_text(hostile.plain_form(1200), encoding="utf-8")
    out = tmp_path / "big.pdf"
    code, err = _render_cli(str(path), "--as", "form", "-o", str(out))
    assert code == 1
    assert not out.exists()
    m = re.search(
        rf"SG430: {re.escape(str(path))}:(\d+):(\d+): the PDF would be laid out from "
        r"([\d,]+) HTML elements, more than the 20,000 .*; the limit is crossed at question "
        r"(\S+)\n\s+hint: render it as HTML, DOCX or XLSX",
        err,
    )
    assert m, err
    checklist = load_path(path)
    numbers = {n: q for q, n in checklist.numbering().items()}
    question = checklist.question(numbers[m.group(4)])
    assert question is not None
    assert (question.loc.line, question.loc.column) == (int(m.group(1)), int(m.group(2)))
    # the 20,001st element is inside that question: its fieldset starts before, the next after
    html = _without_style(render_html(checklist, "form", None, pdf=True))
    assert int(m.group(3).replace(",", "")) == len(_ELEMENT.findall(html))
    starts = [h.start() for h in re.finditer(r'<fieldset[^>]*data-qid="', html)]
    mine = html.index(f'data-qid="{question.full_id}"')
    later = [s for s in starts if s > mine]
    assert len(_ELEMENT.findall(html[:mine])) <= 20_000 < len(_ELEMENT.findall(html[: later[0]]))


def test_a_pdf_of_too_much_text_is_refused_at_the_question_that_crosses(tmp_path: Path) -> None:
    text = hostile.long_guidance(15, 80_000)  # about 80,000 characters per question
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = _render_cli(str(path), "--as", "guidance", "--format", "pdf", "-o", "-")
    assert code == 1
    assert re.search(
        rf"SG431: {re.escape(str(path))}:\d+:13: the PDF would hold more than 1,000,000 "
        r"characters of text, the most a PDF is made from; the limit is crossed at question "
        r"1\.2\.3\n",  # the 13th question: 12 × 80,000 is below the limit, 13 × above
        err,
    ), err
    # HTML has no such limit
    code, err = _render_cli(str(path), "--as", "guidance", "--format", "html", "-o", "-")
    assert code == 0, err


def test_bundled_documents_are_far_below_the_pdf_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from safeguard_standards import bundled_sets, load_bundled
    from safeguard_standards.diagnostics import Code
    from safeguard_standards.render import _pdf
    from safeguard_standards.render._html import render_html

    assert f"({_pdf.MAX_PDF_ELEMENTS:,})" in Code.RENDER_PDF_ELEMENTS.title
    assert f"({_pdf.MAX_PDF_TEXT:,})" in Code.RENDER_PDF_TEXT.title
    monkeypatch.setattr(_pdf, "MAX_PDF_ELEMENTS", _pdf.MAX_PDF_ELEMENTS // 5)
    monkeypatch.setattr(_pdf, "MAX_PDF_TEXT", _pdf.MAX_PDF_TEXT // 5)
    for b in bundled_sets():
        for version in b.versions:
            c = load_bundled(b.id, version)
            for kind in ("form", "return-form", "guidance", "action-plan"):
                html = render_html(c, kind, None, pdf=True)
                # and no word in them is long enough to be given break opportunities
                assert _pdf.check_pdf_size(html, c) == html


def test_long_words_get_break_opportunities_and_nothing_else_changes() -> None:
    from safeguard_standards.render._pdf import check_pdf_size

    word = "W" * 95
    html = (
        f"<p>{word} short &amp; {'x&amp;' * 25}</p><style>.{'y' * 90} {{}}</style>"
        f'<a href="{word}">{"z" * 40}</a>'
    )
    out = check_pdf_size(html)
    assert out.replace("\u200b", "") == html
    p = out[: out.index("</p>")]
    assert p.split(" ")[0] == "<p>" + "\u200b".join(word[i : i + 10] for i in range(0, 95, 10))
    assert "x&amp;x&amp;x&amp;x&amp;x&amp;\u200bx&amp;" in p  # an entity counts as one
    assert "\u200b" not in out[len(p) :]  # style, attributes and 40-character words untouched


@pytest.mark.slow
@pytest.mark.parametrize("where", ["text", "title"])
def test_a_99999_character_word_wraps_inside_the_pdf_page(tmp_path: Path, where: str) -> None:
    import shutil

    from pypdf import PdfReader

    pdf = tmp_path / "word.pdf"
    chars = 99_999 if where == "text" else 99_990
    bounded(
        f"""
        from hostile import long_word
        from safeguard_standards import load_text
        from safeguard_standards.render import render
        data = render(load_text(long_word({chars}, {where!r}), "word.yaml"), "form", "pdf")
        open({str(pdf)!r}, "wb").write(data)
        """,
        seconds=90,  # WeasyPrint took two minutes to wrap the text, and the title not at all
    )
    reader = PdfReader(pdf)
    raw = [p.extract_text() for p in reader.pages]
    assert not any("\u200b" in p for p in raw)  # the break opportunities are not text
    pages = [re.sub(r"\s", "", p) for p in raw]
    if where == "text":
        # every letter is there, in lines and pages between the running header and footer
        assert sum(len(run) for run in re.findall("W{5,}", "".join(pages))) == chars
    else:
        # the running header carries the title cut to 120 characters (on two lines)
        header = re.search(r"(W+)\n(W+)… ·", reader.pages[1].extract_text())
        assert header and len(header.group(1) + header.group(2)) == 119
    assert len(reader.pages) > 20
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed to see where words are drawn")
    width = float(reader.pages[0].mediabox.width)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox))
    assert right <= width - 40  # inside the 15 mm right margin


def test_docs_state_the_work_limits() -> None:
    from safeguard_standards.render import _pdf

    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for number, code in [(_pdf.MAX_PDF_ELEMENTS, "SG430"), (_pdf.MAX_PDF_TEXT, "SG431")]:
        row = re.search(rf"^\|[^\n]*\b{code}\b[^\n]*$", text, re.MULTILINE)
        assert row, f"docs/limits.md has no table row for {code}"
        assert f"{number:,}" in row.group(0)
    assert f"{diff_module.RENAME_ALL_PAIRS:,} pairs" in text
    assert f"at most {diff_module.RENAME_RARE} added questions" in text
    assert f"the {diff_module.RENAME_CANDIDATES} candidates" in text
    assert f"{diff_module.WORD_DIFF_WORK:,} per matching" in text
    assert f"{diff_module.WORD_DIFF_BUDGET:,} per text" in text
    assert f"longer than {_pdf.LONG_WORD} characters" in text


def test_the_docx_body_is_checked_before_it_is_written() -> None:
    from xml.parsers import expat

    from safeguard_standards.render import _docx

    _docx._check_well_formed(f"<w:body {_docx._NS}><w:p><w:r><w:t>a</w:t></w:r></w:p></w:body>")
    for bad in ("<w:p><w:r></w:p>", "<w:p>\x07</w:p>", "<x:p/>"):
        with pytest.raises(expat.ExpatError):
            _docx._check_well_formed(f"<w:body {_docx._NS}>{bad}</w:body>")


def test_a_large_docx_opens_with_every_question(tmp_path: Path) -> None:
    import docx

    from safeguard_standards.render import render

    data = render(load_text(hostile.plain_form(300), "form.yaml"), "form", "docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert all(f"Question {i}?" in text for i in range(300))


@pytest.mark.slow
def test_rename_detection_of_long_texts_of_repeated_words_is_bounded() -> None:
    # difflib's matching is cubic on repeated words; 400 × 400 long texts were all compared
    out = bounded(
        """
        import json
        from hostile import long_renamed_sets
        from safeguard_standards import load_text
        from safeguard_standards.diff import diff
        from safeguard_standards.render import render_diff
        a, b = long_renamed_sets(400, 1000)
        old, new = load_text(a, "a.yaml"), load_text(b, "b.yaml")
        d = diff(old, new)
        render_diff(old, new, "md", d)
        print(json.dumps(d.counts()))
        """,
        seconds=60,
        mib=1024,
    )
    assert json.loads(out) == {"possibly-renamed": 400}

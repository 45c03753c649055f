"""PDF renders, reopened with pypdf: what a person sees (every question, running header and
footer, contents with the right page numbers) and what a PDF reader needs (fillable fields
named by full id, a structure tree)."""

from __future__ import annotations

import builtins
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import safeguard_standards as sg
from safeguard_standards import fields as codec
from safeguard_standards.render import RenderError, _pdf, render
from safeguard_standards.render._view import ORGANISATION_FIELDS, SIGN_OFF_FIELDS, md_to_text

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
DETAILS = {f.name for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS)}


def _norm(text: str) -> str:
    """Whitespace collapsed, ligatures (ﬁ, ﬀ) undone, lines broken after a hyphen rejoined."""
    text = re.sub(r"(?<=\w)-\n\s*", "-", unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


class Pdf:
    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-")
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [_norm(p.extract_text()) for p in self.reader.pages]
        self.text = " ".join(self.pages)
        self.root: Any = self.reader.trailer["/Root"]

    def top_fields(self) -> list[Any]:
        return [f.get_object() for f in self.root["/AcroForm"]["/Fields"]]

    def fields(self) -> dict[str, Any]:
        """Every answer, evidence and detail field (a text field, a radio group, a
        multi-choice answer's parent) by its fully qualified name, walking the tree from the
        top; every field with a type is checked to be one of ours (or one box of a choice)."""
        out: dict[str, Any] = {}

        def walk(field: Any, prefix: str) -> None:
            name = prefix + str(field["/T"])
            ref = codec.decode("pdf", name)
            if "/FT" in field:
                assert ref is not None, f"{name} is not a field name"
            if ref is not None and not ref.choice:
                assert name not in out, f"two fields are named {name}"
                out[name] = field
            for kid in field.get("/Kids", ()):
                kid = kid.get_object()
                if "/T" in kid:
                    walk(kid, name + ".")

        for top in self.top_fields():
            walk(top, "")
        return out

    def names(self) -> list[str]:
        return list(self.fields())

    def partial_names(self) -> list[str]:
        """The /T of every field in the tree."""
        out: list[str] = []
        todo = self.top_fields()
        while todo:
            field = todo.pop()
            if "/T" in field:
                out.append(str(field["/T"]))
            todo.extend(k.get_object() for k in field.get("/Kids", ()))
        return out


@pytest.fixture(scope="module")
def complete() -> sg.Checklist:
    return sg.load_path(COMPLETE)


@pytest.fixture(scope="module")
def kcsie() -> sg.Checklist:
    return sg.load_bundled("kcsie")


@pytest.fixture(scope="module")
def kcsie_form(kcsie) -> Pdf:
    return Pdf(render(kcsie, "form", "pdf"))


def _question_text(q: sg.Question) -> str:
    return _norm(md_to_text(q.text))


# -- the fillable form --------------------------------------------------------------------------


def test_form_fields_are_named_by_question_full_id(kcsie, kcsie_form):
    names = kcsie_form.names()
    assert len(names) == len(set(names)), "a field name is used twice"
    ids = {q.full_id for q in kcsie.questions()}
    boxes = (":evidence", ":action")
    answers = {n for n in names if n not in DETAILS and not n.endswith(boxes)}
    assert answers == ids
    assert {n for n in names if n.endswith(":evidence")} == {f"{i}:evidence" for i in ids}
    # an action box for each rating question whose scale has a level requiring an action
    acting = {
        q.full_id
        for q in kcsie.questions()
        if q.type == "rating"
        and any(
            "action" in lv.requires for lv in kcsie.scale(q.scale or kcsie.default_scale).levels
        )
    }
    assert len(acting) == 33
    assert {n for n in names if n.endswith(":action")} == {f"{i}:action" for i in acting}
    assert {n for n in names if n in DETAILS} == DETAILS
    # PDF 32000-1, 12.7.3.2: a partial name contains no period
    assert not [t for t in kcsie_form.partial_names() if "." in t]
    assert {str(f["/T"]) for f in kcsie_form.top_fields()} == {
        *(i.split(".")[0] for i in ids),
        "org",
        "signoff",
    }


def test_form_field_types_and_radio_values(kcsie, kcsie_form):
    fields = kcsie_form.fields()
    for q in kcsie.questions():
        field = fields[q.full_id]
        if q.type in ("rating", "yes-no", "choice"):
            assert field["/FT"] == "/Btn"
            assert [str(o) for o in field["/Opt"]] == list(q.answer_ids(kcsie) or ())
            for kid in field["/Kids"]:
                assert "/T" not in kid.get_object(), "a radio button has its own name"
        elif q.type == "multi-choice":
            kids = [k.get_object() for k in field["/Kids"]]
            assert [str(k["/T"]) for k in kids] == list(q.answer_ids(kcsie) or ())
            assert all(k["/FT"] == "/Btn" for k in kids)
        else:
            assert field["/FT"] == "/Tx", q.full_id
        assert fields[f"{q.full_id}:evidence"]["/FT"] == "/Tx"
    # pypdf sees each answer once, under the full id
    seen = kcsie_form.reader.get_fields() or {}
    assert not [n for n in seen if re.search(r"\.(.+)\.\1$", n)], "doubled names like x.x"


def test_form_is_tagged_and_titled(kcsie_form):
    root = kcsie_form.root
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    meta = kcsie_form.reader.metadata
    assert meta is not None
    assert meta.title == (
        "Safeguarding in education self-assessment audit — Self-assessment audit tool 2025-26"
    )


def test_form_shows_every_question_and_the_blocks_around_them(kcsie, kcsie_form):
    numbers = kcsie.numbering()
    text = kcsie_form.text
    for q in kcsie.questions():
        assert _question_text(q) in text, q.full_id
        assert numbers[q.full_id] in text
    for heading in ("About your organisation", "Sign-off", "Name of organisation"):
        assert heading in text
    assert "Answer if you answered Yes to" in text


def test_every_page_has_the_running_header_and_footer(kcsie, kcsie_form):
    n = len(kcsie_form.pages)
    assert n > 10
    for i, page in enumerate(kcsie_form.pages, start=1):
        assert f"Page {i} of {n}" in page
        assert "Self-assessment audit tool · Page" in page
        if i > 1:
            assert f"{kcsie.title} · {kcsie.version}" in page


def test_return_form_has_only_return_fields(kcsie):
    pdf = Pdf(render(kcsie, "return-form", "pdf"))
    names = set(pdf.names())
    for q in kcsie.questions():
        assert (q.full_id in names) == q.in_return, q.full_id
    assert "Return form" in pdf.pages[0]


# -- guidance, action plan ------------------------------------------------------------------------


def _contents_pages(pdf: Pdf, titles: list[str]) -> dict[str, int]:
    """The page number the contents gives each title."""
    contents = pdf.pages[0] + " " + pdf.pages[1]
    found = {}
    for title in titles:
        m = re.search(re.escape(title) + r" (\d+)", contents)
        assert m, f"{title!r} is not in the contents"
        found[title] = int(m.group(1))
    return found


@pytest.mark.parametrize("spec", [str(COMPLETE), "vcs_checklist"])
def test_guidance_contents_give_the_right_page_numbers(spec):
    c = sg.load_set(spec)
    pdf = Pdf(render(c, "guidance", "pdf"))
    numbers = c.numbering()
    titles = [f"{numbers[s.id]} {s.title}" for s in c.sections]
    for title, page in _contents_pages(pdf, titles).items():
        body = pdf.pages[page - 1]
        assert title in body, f"{title!r} is not on page {page}"
    for q in c.questions():
        assert _question_text(q) in pdf.text, q.full_id
        if q.guidance.why:
            assert _norm(md_to_text(q.guidance.why))[:50] in pdf.text
    assert "/AcroForm" not in pdf.root
    assert "/StructTreeRoot" in pdf.root
    # the PDF outline (bookmarks) lists sections and standards, not "Why we ask"
    outline = _outline_titles(pdf.reader.outline)
    assert set(titles) <= outline
    assert "Why we ask" not in outline


def _outline_titles(items: list[Any]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if isinstance(item, list):
            found |= _outline_titles(item)
        else:
            found.add(_norm(item.title))
    return found


def test_action_plan_pdf_is_landscape_with_a_row_per_standard(complete):
    pdf = Pdf(render(complete, "action-plan", "pdf"))
    box = pdf.reader.pages[0].mediabox
    assert box.width > box.height
    assert "1.1 Governance of safeguarding" in pdf.text
    assert "Evidence of impact" in pdf.text


def test_every_kind_of_the_complete_example(complete):
    for kind in ("form", "return-form", "guidance", "action-plan"):
        pdf = Pdf(render(complete, kind, "pdf"))
        assert pdf.pages, kind
        assert f"Page 1 of {len(pdf.pages)}" in pdf.pages[0]


# -- safety and errors ----------------------------------------------------------------------------


def test_nothing_outside_data_urls_is_fetched(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        f'<p>x</p><img src="file://{secret}" alt="a"><img src="http://127.0.0.1:9/x.png" alt="b">'
        "</body></html>"
    )
    data = _pdf.html_to_pdf(html, title="t", forms=False)
    assert b"/Subtype /Image" not in data
    assert b"/Subtype/Image" not in data


def test_html_to_pdf_titles_the_document():
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p>Hi</p></body></html>'
    )
    pdf = Pdf(_pdf.html_to_pdf(html, title="What changed"))
    assert pdf.reader.metadata is not None
    assert pdf.reader.metadata.title == "What changed"
    assert "Hi" in pdf.text


def test_missing_pango_names_the_debian_packages(monkeypatch, complete):
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    _pdf._weasyprint.cache_clear()
    monkeypatch.setattr(builtins, "__import__", fake_import)
    try:
        with pytest.raises(RenderError) as err:
            render(complete, "form", "pdf")
    finally:
        monkeypatch.undo()
        _pdf._weasyprint.cache_clear()
    assert err.value.code == "SG404"
    assert "libpango-1.0-0 libpangoft2-1.0-0" in err.value.hint

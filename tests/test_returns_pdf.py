"""Filled PDF forms read back: every bundled set's form rendered, filled with pypdf
(``tests/fill_pdf.py``), read with the returns reader (pikepdf) and compared field for field
with the filling; then hostile and broken PDFs, each by its exact code and place.

The blank forms are rendered once for the module (a kcsie form takes ten seconds).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

import safeguard_standards as sg
from safeguard_standards import fields as codec
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.returns import _read_pdf
from safeguard_standards.returns.raw import RawReturn
from safeguard_standards.returns.read import read_bytes, read_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill_pdf import fill_pdf, walk_fields
from returns_fill import random_filling

pytestmark = pytest.mark.slow

Audience = tuple[tuple[str, str], ...]

#: (set, kind, --for) of every blank read back: each bundled set's form, one return form and
#: one form for an audience.
BLANKS: list[tuple[str, str, Audience]] = [
    ("kcsie", "form", ()),
    ("section11", "form", ()),
    ("vcs_checklist", "form", ()),
    ("kcsie", "return-form", ()),
    ("vcs_checklist", "form", (("size", "volunteer-only"),)),
]
#: Fillings per blank (the benchmark runs more).
SEEDS = {"kcsie": 2, "section11": 3, "vcs_checklist": 4}


@functools.cache
def checklist(name: str, audience: Audience = ()) -> sg.Checklist:
    c = sg.load_bundled(name)
    return c.select(dict(audience)) if audience else c


@functools.cache
def blank(name: str, kind: str, audience: Audience = ()) -> bytes:
    return render(checklist(name, audience), kind, "pdf", RenderOptions(audience=audience))


@functools.cache
def blank_fields(name: str, kind: str, audience: Audience = ()) -> dict[str, int]:
    return pypdf_fields(blank(name, kind, audience))


def pypdf_fields(data: bytes) -> dict[str, int]:
    """Every field of ``data`` with the 1-based page of its first widget, as pypdf sees them
    (a second library's view, to check the reader's names and pages by)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    page_of: dict[int, int] = {}
    for number, page in enumerate(writer.pages, start=1):
        for annot in page.get("/Annots", ()):
            page_of.setdefault(annot.idnum, number)
    out: dict[str, int] = {}
    for name, field in walk_fields(writer):
        if "/Kids" in field and all("/T" in k.get_object() for k in field["/Kids"]):
            continue  # a field with fields below it: not a field of its own
        ids = [field.indirect_reference.idnum] + [k.idnum for k in field.get("/Kids", ())]
        out[name] = next((page_of[i] for i in ids if i in page_of), 0)
    return out


def expected_values(filling: dict[str, dict[str, Any]]) -> dict[codec.FieldRef, Any]:
    """What the reader must give for ``filling``: choice ids, text exactly, numbers as text."""
    out: dict[codec.FieldRef, Any] = {}
    for full_id, value in filling["answers"].items():
        out[codec.answer(full_id)] = tuple(value) if isinstance(value, list) else str(value)
    for full_id, text in filling["evidence"].items():
        out[codec.evidence(full_id)] = text
    for full_id, text in filling["actions"].items():
        out[codec.action(full_id)] = text
    for key, text in filling["details"].items():
        out[codec.detail(key)] = text
    return out


def form_filling(name: str, kind: str, audience: Audience, seed: int) -> dict[str, Any]:
    """A seeded filling of the questions the blank has (a return form has fewer); actions
    only when the form has action boxes."""
    filling = random_filling(sg.load_bundled(name), seed, audience=dict(audience) or None)
    names = set(blank_fields(name, kind, audience))
    for section in ("answers", "evidence"):
        filling[section] = {k: v for k, v in filling[section].items() if k in names}
    if not any(n.endswith(":action") for n in names):
        filling["actions"] = {}  # the forms carry no action boxes yet
    else:
        filling["actions"] = {k: v for k, v in filling["actions"].items() if k in names}
    return filling


def problems(raw: RawReturn) -> list[tuple[str, str]]:
    return [(d.code.code, d.at) for d in raw.problems]


# -- the blank forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "audience"), BLANKS)
def test_a_blank_form_reads_as_every_field_there_and_empty(name, kind, audience):
    data = blank(name, kind, audience)
    raw = read_bytes(data, "blank.pdf")
    assert raw.problems == ()
    assert raw.format == "pdf"
    env = raw.envelope
    assert env is not None
    assert (env.set, env.kind, env.audience) == (name, kind, audience)
    assert env.set_version == checklist(name).version
    assert all(v.value is None for v in raw.values)
    # every field pypdf sees is read, once, on the page pypdf finds its widget on
    seen = pypdf_fields(data)
    answers_of_choices = {n.rpartition(".")[0] for n in seen if codec.decode("pdf", n).choice}
    wanted = {n: p for n, p in seen.items() if not codec.decode("pdf", n).choice}
    for parent in answers_of_choices:
        wanted[parent] = min(p for n, p in seen.items() if n.startswith(parent + "."))
    got = {v.where.field: v.where.page for v in raw.values}
    assert len(got) == len(raw.values)
    assert got == wanted
    assert all(v.where.field == codec.encode("pdf", v.ref) for v in raw.values)
    # and those are the form's fields: each question of the kind, its evidence, the details
    c = checklist(name, audience)
    questions = [q for q in c.questions() if kind == "form" or q.in_return]
    refs = {v.ref for v in raw.values}
    want = {codec.detail(k) for k in codec.DETAIL_FIELDS}
    for q in questions:
        want |= {codec.answer(q.full_id), codec.evidence(q.full_id)}
    assert refs - {r for r in refs if r.part == "action"} == want
    assert {r.key for r in refs if r.part == "action"} <= {q.full_id for q in questions}


# -- the round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "audience"), BLANKS)
def test_a_filled_form_reads_back_as_it_was_filled(name, kind, audience):
    form = blank(name, kind, audience)
    pages = blank_fields(name, kind, audience)
    kinds: set[str] = set()
    for seed in range(SEEDS[name] if kind == "form" and not audience else 1):
        filling = form_filling(name, kind, audience, seed)
        data = fill_pdf(form, filling)
        digest = hashlib.sha256(data).hexdigest()
        raw = read_bytes(data, "return.pdf")
        assert hashlib.sha256(data).hexdigest() == digest, "the input was changed"
        assert raw.problems == ()
        assert raw.envelope == read_bytes(form, "blank.pdf").envelope
        got = {v.ref: v.value for v in raw.values if v.value is not None}
        want = expected_values(filling)
        assert set(got) == set(want), "a value was dropped or made up"
        for ref, value in want.items():
            assert got[ref] == value, ref
        for v in raw.values:
            assert v.where.file == "return.pdf"
            assert v.where.page == pages.get(v.where.field, v.where.page) > 0
        for ref, value in want.items():
            if isinstance(value, tuple):
                kinds.add("multi-choice")
            elif ref.part == "answer" and isinstance(value, str) and "\n" in value:
                kinds.add("multi-line answer")
            elif "\n" in value:
                kinds.add("multi-line")
            if isinstance(value, str) and not value.isascii():
                kinds.add("unicode")
            if isinstance(value, str) and len(value) >= 4000:
                kinds.add("long")
    if kind == "form" and not audience:
        assert {"multi-line", "unicode"} <= kinds


def test_a_return_read_from_a_file_leaves_the_file_as_it_was(tmp_path: Path):
    data = fill_pdf(blank("vcs_checklist", "form"), form_filling("vcs_checklist", "form", (), 9))
    path = tmp_path / "return.pdf"
    path.write_bytes(data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    raw = read_path(path)
    assert raw.problems == () and raw.values
    assert raw.file_date == "2023-11-14T22:13:20Z"
    assert path.read_bytes() == data
    assert path.stat().st_mtime == 1_700_000_000


def test_the_filler_is_not_the_reader():
    """The round trip is only a check when a second library fills the form."""
    source = Path(__file__).with_name("fill_pdf.py").read_text(encoding="utf-8")
    assert "import pypdf" in source or "from pypdf" in source
    assert "pikepdf" not in source.split('"""', 2)[2]


# -- what viewers write ---------------------------------------------------------------------------


def _rewrite(
    data: bytes, change: Callable[[PdfWriter, dict[str, DictionaryObject]], None]
) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer, dict(walk_fields(writer)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_radio(name: str) -> str:
    return next(q.full_id for q in checklist(name).questions() if q.type in ("rating", "yes-no"))


def test_a_radio_group_set_only_by_its_buttons_appearance_is_read():
    filling = form_filling("vcs_checklist", "form", (), 1)
    qid = _first_radio("vcs_checklist")
    q = checklist("vcs_checklist").question(qid)
    filling["answers"][qid] = q.answer_ids(checklist("vcs_checklist"))[1]
    data = fill_pdf(blank("vcs_checklist", "form"), filling)

    def drop_v(writer: PdfWriter, tree: dict[str, DictionaryObject]) -> None:
        del tree[qid][NameObject("/V")]

    raw = read_bytes(_rewrite(data, drop_v), "r.pdf")
    assert raw.problems == ()
    assert {v.ref: v.value for v in raw.values}[codec.answer(qid)] == filling["answers"][qid]


def test_a_radio_group_filled_by_pypdfs_own_filling_is_read():
    """pypdf's ``update_page_form_field_values`` puts the state on the group as text and a
    ``/V`` on every button."""
    c = checklist("vcs_checklist")
    qid = _first_radio("vcs_checklist")
    choice = c.question(qid).answer_ids(c)[-1]
    form = blank("vcs_checklist", "form")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(form)))
    group = dict(walk_fields(writer))[qid]
    state = "/" + str([str(o) for o in group["/Opt"]].index(choice))
    for page in writer.pages:
        if "/Annots" in page:
            writer.update_page_form_field_values(page, {qid: state}, auto_regenerate=None)
    out = io.BytesIO()
    writer.write(out)
    raw = read_bytes(out.getvalue(), "r.pdf")
    assert raw.problems == ()
    assert {v.ref: v.value for v in raw.values}[codec.answer(qid)] == choice


# -- hostile and broken files ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def good() -> bytes:
    """A filled vcs form, the file every hostile case below is made from."""
    return fill_pdf(blank("vcs_checklist", "form"), form_filling("vcs_checklist", "form", (), 0))


@functools.lru_cache(maxsize=1)
def good_pages() -> dict[str, int]:
    return pypdf_fields(good())


def edit(change: Callable[[pikepdf.Pdf], None], **save: Any) -> bytes:
    with pikepdf.open(io.BytesIO(good())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, **save)
        return out.getvalue()


def field(pdf: pikepdf.Pdf, name: str) -> pikepdf.Dictionary:
    node: Any = None
    kids: Any = pdf.Root.AcroForm.Fields
    for part in name.split("."):
        node = next(k for k in kids if str(k.get("/T", "")) == part)
        kids = node.get("/Kids", [])
    return node


def js(code: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def at(name: str) -> str:
    return f"page {good_pages()[name]}:field {name}"


def _question(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return field(pdf, _first_radio("vcs_checklist"))


def _set_open_action(action: pikepdf.Dictionary) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pdf.make_indirect(action)

    return change


def _field_aa(pdf: pikepdf.Pdf) -> None:
    field(pdf, "org.name").AA = pikepdf.Dictionary(Bl=js("app.alert(1)"))


def _names_js(pdf: pikepdf.Pdf) -> None:
    pdf.Root.Names.JavaScript = pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("x"), pdf.make_indirect(js("app.alert(1)"))])
    )


def _submit_on_field(pdf: pikepdf.Pdf) -> None:
    field(pdf, "signoff.name").A = pikepdf.Dictionary(
        S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://example.invalid/collect")
    )


def _chained_js(pdf: pikepdf.Pdf) -> None:
    first = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[0].obj]))
    first.Next = pdf.make_indirect(js("this.submitForm()"))
    pdf.pages[1].obj.AA = pikepdf.Dictionary(O=first)


def _xfa(pdf: pikepdf.Pdf) -> None:
    pdf.Root.AcroForm.XFA = pdf.make_stream(b"<xdp:xdp/>")


def _flatten(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.AcroForm
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Annots = pikepdf.Array(
                [a for a in page.obj.Annots if a.get("/Subtype") != "/Widget"]
            )


def _delete_page_2(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[1]


def _kids_loop(pdf: pikepdf.Pdf) -> None:
    section, standard, _ = _first_radio("vcs_checklist").split(".")
    field(pdf, f"{section}.{standard}").Kids.append(field(pdf, section))


def _too_many_fields(pdf: pikepdf.Pdf) -> None:
    fields = pdf.Root.AcroForm.Fields
    for i in range(_read_pdf.MAX_FIELD_NODES + 10):
        fields.append(pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String(f"x{i}"))))


def _too_deep(pdf: pikepdf.Pdf) -> None:
    top = pikepdf.Dictionary(T=pikepdf.String("deep"))
    node = top
    for i in range(_read_pdf.MAX_FIELD_DEPTH + 4):
        kid = pikepdf.Dictionary(T=pikepdf.String(f"d{i}"))
        node.Kids = pikepdf.Array([pdf.make_indirect(kid)])
        node = kid
    pdf.Root.AcroForm.Fields.append(pdf.make_indirect(top))


def _renamed(pdf: pikepdf.Pdf) -> None:
    node = field(pdf, "org.role")
    node.T = pikepdf.String("Role ")


def _signature_added(pdf: pikepdf.Pdf) -> None:
    pdf.Root.AcroForm.Fields.append(
        pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("Signature1"), FT=pikepdf.Name.Sig))
    )


def _radio_out_of_range(pdf: pikepdf.Pdf) -> None:
    _question(pdf).V = pikepdf.Name("/9")


def _envelope_damaged(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/sg_format_version"] = pikepdf.String("one")


def _stream_bomb(pdf: pikepdf.Pdf) -> None:
    size = _read_pdf.MAX_STREAM_BYTES * 2
    packer = zlib.compressobj(1)
    chunk = b"A" * (1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(size >> 20)) + packer.flush()
    bomb = pikepdf.Stream(pdf, packed)
    bomb.Filter = pikepdf.Name.FlateDecode
    field(pdf, "org.address").V = pdf.make_indirect(bomb)


def _cases() -> list[tuple[str, Callable[[], bytes], list[tuple[str, str]]]]:
    radio = _first_radio("vcs_checklist")
    return [
        ("cut short", lambda: good()[: len(good()) // 2], [("SG501", "")]),
        ("last line lost", lambda: good()[:-7], [("SG501", "")]),
        ("a PDF header and nothing else", lambda: b"%PDF-1.7\n%%EOF\n", [("SG501", "")]),
        (
            "password",
            lambda: edit(
                lambda pdf: None, encryption=pikepdf.Encryption(user="secret", owner="owner")
            ),
            [("SG510", "")],
        ),
        (
            "JavaScript on opening",
            lambda: edit(_set_open_action(js("app.alert(1)"))),
            [("SG511", "")],
        ),
        ("JavaScript when a field is left", lambda: edit(_field_aa), [("SG511", at("org.name"))]),
        ("document JavaScript", lambda: edit(_names_js), [("SG511", "")]),
        (
            "JavaScript chained after a page's action",
            lambda: edit(_chained_js),
            [("SG511", "page 2")],
        ),
        ("an XFA form", lambda: edit(_xfa), [("SG511", "")]),
        (
            "a program launched on opening",
            lambda: edit(
                _set_open_action(
                    pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
                )
            ),
            [("SG512", "")],
        ),
        (
            "a web address opened on opening",
            lambda: edit(
                _set_open_action(
                    pikepdf.Dictionary(
                        S=pikepdf.Name.URI, URI=pikepdf.String("https://example.invalid/")
                    )
                )
            ),
            [("SG512", "")],
        ),
        (
            "the form submitted from a field",
            lambda: edit(_submit_on_field),
            [("SG512", at("signoff.name"))],
        ),
        ("flattened", lambda: edit(_flatten), [("SG504", "")]),
        ("a page deleted", lambda: edit(_delete_page_2), [("SG504", "")]),
        (
            "a loop in the field tree",
            lambda: edit(_kids_loop),
            [("SG513", "field " + ".".join(radio.split(".")[:2] + radio.split(".")[:1]))],
        ),
        ("too many fields", lambda: edit(_too_many_fields), [("SG513", "")]),
        (
            "too deep",
            lambda: edit(_too_deep),
            [
                (
                    "SG513",
                    "field deep." + ".".join(f"d{i}" for i in range(_read_pdf.MAX_FIELD_DEPTH)),
                )
            ],
        ),
        ("a field renamed", lambda: edit(_renamed), [("SG514", "page 1:field org.Role ")]),
        ("a value no button has", lambda: edit(_radio_out_of_range), [("SG515", at(radio))]),
        ("the envelope damaged", lambda: edit(_envelope_damaged), [("SG505", "")]),
        ("a stream bomb in a field", lambda: edit(_stream_bomb), [("SG502", at("org.address"))]),
        ("a signature field added", lambda: edit(_signature_added), []),
    ]


CASES = _cases()


@pytest.mark.parametrize(("case", "make", "want"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_or_broken_pdf_is_a_located_problem(case, make, want):
    data = make()
    digest = hashlib.sha256(data).hexdigest()
    raw = read_bytes(data, "return.pdf")
    assert hashlib.sha256(data).hexdigest() == digest
    assert problems(raw) == want
    for d in raw.problems:
        assert d.source == "return.pdf" and d.message and d.hint


def test_a_flattened_form_says_to_send_the_form_not_a_print():
    raw = read_bytes(edit(_flatten), "return.pdf")
    (d,) = raw.problems
    assert raw.envelope is not None and raw.values == ()
    assert "Print to PDF" in d.hint and "flattened" in d.message


def test_a_page_deleted_keeps_the_values_of_the_other_pages():
    raw = read_bytes(edit(_delete_page_2), "return.pdf")
    full = read_bytes(good(), "return.pdf")
    assert len(raw.values) == len(full.values)
    lost = {v.where.field for v in raw.values if v.where.page == 0}
    assert lost and lost == {n for n, p in good_pages().items() if p == 2}
    assert all(n in raw.problems[0].message for n in sorted(lost)[:5])


def test_active_content_is_reported_and_the_answers_still_read():
    raw = read_bytes(edit(_field_aa), "return.pdf")
    full = read_bytes(good(), "return.pdf")
    assert raw.problems and raw.values == full.values


def test_a_link_to_a_web_page_is_not_active_content():
    """The forms link to their references; a link a person clicks is not an action."""

    def add_link(pdf: pikepdf.Pdf) -> None:
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array([0, 0, 10, 10]),
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://gov.uk/")),
        )
        pdf.pages[0].obj.Annots.append(pdf.make_indirect(link))

    assert read_bytes(edit(add_link), "return.pdf").problems == ()

"""Field names and the envelope, read back from the written files.

Every field each writer emits (HTML names and values, PDF fully qualified names, DOCX content
control tags, XLSX defined names and Id cells) must decode, with
:func:`safeguard_standards.fields.decode`, to exactly the fields the set asks for: every
question's answer and evidence box, the action box of a rating question whose scale has a
level that ``requires: [action]`` (and in DOCX and PDF each choice's box), and the
organisation and sign-off fields. The files are opened as a person's software would: the HTML
parsed, python-docx, openpyxl, pypdf and pikepdf.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards._version import __version__
from safeguard_standards.envelope import (
    Envelope,
    EnvelopeError,
    read_docx,
    read_html,
    read_pdf,
    read_xlsx,
)
from safeguard_standards.fields import FieldRef
from safeguard_standards.render import RenderOptions, available, render
from safeguard_standards.render._view import choices, select_kind

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
FORMS = ("form", "return-form")
DETAILS = {fields.detail(k) for k in fields.DETAIL_FIELDS}


# -- the codec --------------------------------------------------------------------------------

_ID = st.from_regex(r"[a-z0-9]{1,5}([-_][a-z0-9]{1,5}){0,2}", fullmatch=True)
_FULL_ID = st.lists(_ID, min_size=3, max_size=3).map(".".join)
_REFS = st.one_of(
    _FULL_ID.map(fields.answer),
    _FULL_ID.map(fields.evidence),
    _FULL_ID.map(fields.action),
    st.tuples(_FULL_ID, _ID.filter(lambda c: c not in ("evidence", "action"))).map(
        lambda t: fields.choice(*t)
    ),
    st.sampled_from(sorted(DETAILS, key=lambda r: r.key)),
)


def _encodable(fmt: str, ref: FieldRef) -> bool:
    if ref.choice:
        return fmt in ("pdf", "docx")
    return fmt != "xlsx-id" or ref.part == "answer"


@given(_REFS, st.sampled_from(fields.FORMATS))
def test_every_field_name_decodes_to_its_field(ref: FieldRef, fmt: Any) -> None:
    if not _encodable(fmt, ref):
        with pytest.raises(ValueError):
            fields.encode(fmt, ref)
        return
    name = fields.encode(fmt, ref)
    assert fields.decode(fmt, name) == ref
    if fmt == "pdf":
        assert all(part and "." not in part for part in fields.pdf_partial_names(ref))
        assert ".".join(fields.pdf_partial_names(ref)) == name
    if fmt == "xlsx":
        assert re.fullmatch(r"SG_[A-Za-z0-9_]+", name)


@given(st.text(alphabet="abc-_.:=SG", max_size=30), st.sampled_from(fields.FORMATS))
def test_a_name_decodes_only_if_it_is_what_its_field_encodes_to(name: str, fmt: Any) -> None:
    ref = fields.decode(fmt, name)
    if ref is not None:
        assert fields.encode(fmt, ref) == name


def test_names_that_are_not_fields() -> None:
    for fmt, name in [
        ("html", "leadership.governance"),  # a standard
        ("html", "org.nickname"),
        ("html", "a.b.c.notes"),
        ("pdf", "a.b.c.evidence"),  # the PDF evidence box is a.b.c:evidence
        ("pdf", "a.b.c:answer"),
        ("docx", "a.b.c=evidence"),
        ("docx", "a.b.c=action"),
        ("pdf", "a.b.c:notes"),
        ("docx", "a.b=yes"),
        ("xlsx", "SG_LIST_1"),
        ("xlsx", "Print_Area"),
        ("xlsx", "SG_a____b__c"),
        ("xlsx-id", "a.b.c.evidence"),
    ]:
        assert fields.decode(fmt, name) is None, (fmt, name)
    assert fields.decode("pdf", "a.b.c:evidence") == fields.evidence("a.b.c")
    assert fields.decode("pdf", "a.b.c:action") == fields.action("a.b.c")
    assert fields.decode("html", "a.b.c.action") == fields.action("a.b.c")
    assert fields.decode("xlsx", "SG_a__b__c__action") == fields.action("a.b.c")
    assert fields.decode("docx", "a.b.c=yes") == fields.choice("a.b.c", "yes")
    assert fields.decode("xlsx", "SG_a__b___x__c") == fields.answer("a.b-x.c")
    with pytest.raises(ValueError):
        fields.choice("a.b.c", "evidence")
    with pytest.raises(ValueError):
        fields.choice("a.b.c", "action")
    with pytest.raises(ValueError):
        fields.detail("org.nickname")


# -- what each writer emits -------------------------------------------------------------------


def needs_action(q: sg.Question, checklist: sg.Checklist) -> bool:
    """Whether an answer to ``q`` can be at a level that requires an action (so the form
    has an action box for it), from the set's scales."""
    scale = checklist.scale(q.scale or checklist.default_scale) if q.type == "rating" else None
    return scale is not None and any("action" in level.requires for level in scale.levels)


def expected(checklist: sg.Checklist, kind: str, fmt: str) -> set[FieldRef]:
    """The fields a blank ``kind`` in ``fmt`` must have."""
    out = set(DETAILS)
    for q in select_kind(checklist, kind).questions():
        out |= {fields.answer(q.full_id), fields.evidence(q.full_id)}
        if needs_action(q, checklist):
            out.add(fields.action(q.full_id))
        if fmt in ("docx", "html") or (fmt == "pdf" and q.type == "multi-choice"):
            out |= {fields.choice(q.full_id, c.id) for c in choices(q, checklist)}
    return out


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []  # (tag, name, value of a choice)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "textarea", "select") and a.get("name"):
            choice = a.get("value") if a.get("type") in ("radio", "checkbox") else None
            self.found.append((tag, str(a["name"]), choice))


def html_fields(data: bytes) -> set[FieldRef]:
    parser = _Controls()
    parser.feed(data.decode("utf-8"))
    out = set()
    for _, name, choice in parser.found:
        ref = fields.decode("html", name)
        assert ref is not None, f"the HTML control {name!r} is not a field"
        assert fields.encode("html", ref) == name
        out.add(fields.choice(ref.key, choice) if choice is not None else ref)
    # a choice question's answer is its group of radio buttons or checkboxes
    out |= {fields.answer(r.key) for r in out if r.choice}
    return out


def docx_fields(data: bytes) -> set[FieldRef]:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    out = set()
    for tag in document.element.body.iter(qn("w:tag")):
        name = tag.get(qn("w:val"))
        ref = fields.decode("docx", name)
        assert ref is not None, f"the content control tag {name!r} is not a field"
        assert fields.encode("docx", ref) == name
        assert ref not in out, f"two controls are tagged {name}"
        out.add(ref)
    return out


def xlsx_fields(data: bytes) -> set[FieldRef]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    out = set()
    cells: dict[FieldRef, tuple[str, str, int]] = {}
    for name in wb.defined_names:
        ref = fields.decode("xlsx", name)
        if ref is None:
            assert re.fullmatch(r"SG_LIST_\d+", name), f"the defined name {name} is not a field"
            continue
        out.add(ref)
        sheet, cell = wb.defined_names[name].attr_text.split("!")
        m = re.fullmatch(r"\$([A-Z]+)\$(\d+)", cell)
        assert m, cell
        cells[ref] = (sheet.strip("'"), m.group(1), int(m.group(2)))
    # every question's row: its Id cell decodes to the question the row's named cells are of
    ws = wb["Answers"]
    ids = {}
    for (value,) in ws.iter_rows(min_row=2, min_col=2, max_col=2, values_only=True):
        ref = fields.decode("xlsx-id", value)
        assert ref is not None, f"the Id {value!r} is not a question"
        ids[len(ids) + 2] = ref
    for ref, (sheet, column, row) in cells.items():
        if ref.part == "detail":
            assert sheet == "Cover"
            continue
        assert sheet == "Answers"
        assert column == {"answer": "I", "evidence": "J", "action": "K"}[ref.part]
        assert ids[row].key == ref.key
    assert set(ids.values()) == {r for r in out if r.part == "answer"}
    return out


def pdf_fields(data: bytes) -> set[FieldRef]:
    """The PDF's fields, read with pypdf and with pikepdf, which must agree."""
    import pikepdf
    from pypdf import PdfReader

    out = set()
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    todo = [(f.get_object(), "") for f in root["/AcroForm"]["/Fields"]]
    while todo:
        field, prefix = todo.pop()
        if "/T" not in field:
            continue  # a radio button: its group is the field
        partial = str(field["/T"])
        assert "." not in partial, f"the partial name {partial!r} has a period"
        name = prefix + partial
        kids = [k.get_object() for k in field.get("/Kids", ())]
        if "/FT" in field:
            ref = fields.decode("pdf", name)
            assert ref is not None, f"the PDF field {name!r} is not a field"
            out.add(ref)
            if ref.choice:
                out.add(fields.answer(ref.key))
        todo.extend((k, name + ".") for k in kids)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seen = set()
        for field in pdf.acroform.fields:  # terminal fields and radio buttons
            ref = fields.decode("pdf", field.fully_qualified_name)
            assert ref is not None, field.fully_qualified_name
            assert "." not in field.partial_name
            seen.add(ref)
            if ref.choice:
                seen.add(fields.answer(ref.key))
    assert seen == out, "pikepdf and pypdf see different fields"
    return out


READERS = {"html": html_fields, "docx": docx_fields, "xlsx": xlsx_fields, "pdf": pdf_fields}


def _selections(checklist: sg.Checklist) -> Iterator[tuple[tuple[str, str], ...]]:
    """No selection, then each single ``--for`` whose questions differ from every earlier."""
    seen = {frozenset(q.full_id for q in checklist.questions())}
    yield ()
    for audience in checklist.audiences:
        for value in audience.value_ids():
            ids = frozenset(q.full_id for q in checklist.select({audience.id: value}).questions())
            if ids not in seen:
                seen.add(ids)
                yield ((audience.id, value),)


def _selected(checklist: sg.Checklist, selection: tuple[tuple[str, str], ...]) -> sg.Checklist:
    return checklist.select(dict(selection)) if selection else checklist


def _check(checklist: sg.Checklist, kind: str, fmt: str, selection: Any = ()) -> None:
    c = _selected(checklist, selection)
    data = render(c, kind, fmt, RenderOptions(audience=selection))
    got = READERS[fmt](data)
    want = expected(c, kind, fmt)
    assert got == want, (sorted(map(str, got - want))[:5], sorted(map(str, want - got))[:5])


@pytest.mark.parametrize("fmt", ["html", "docx", "xlsx"])
@pytest.mark.parametrize("kind", FORMS)
def test_every_field_of_the_complete_example_decodes(kind: str, fmt: str) -> None:
    _check(sg.load_path(COMPLETE), kind, fmt, ())


def _bundled() -> list[tuple[str, str]]:
    return [(b.id, v) for b in sg.bundled_sets() for v in b.versions]


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "version"), _bundled())
def test_every_field_of_every_bundled_set_decodes(set_id: str, version: str) -> None:
    checklist = sg.load_bundled(set_id, version)
    for selection in _selections(checklist):
        for fmt in ("html", "docx", "xlsx"):
            _check(checklist, "form", fmt, selection)
    if any(q.in_return for q in checklist.questions()):  # else there is no return form
        for fmt in ("html", "docx", "xlsx"):
            _check(checklist, "return-form", fmt, ())


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "version"), _bundled())
def test_every_pdf_field_of_every_bundled_set_decodes(set_id: str, version: str) -> None:
    # a PDF takes about 20 s here: every set and version, and the --for that leaves the
    # fewest questions (the field tree of a selection is built by the same code)
    checklist = sg.load_bundled(set_id, version)
    selections = list(_selections(checklist))
    smallest = min(
        selections[1:] or [()], key=lambda s: sum(1 for _ in _selected(checklist, s).questions())
    )
    for selection in {(), smallest}:
        _check(checklist, "form", "pdf", selection)


@pytest.mark.slow
def test_every_pdf_field_of_the_complete_example_decodes() -> None:
    c = sg.load_path(COMPLETE)
    for kind in FORMS:
        _check(c, kind, "pdf")


# -- the envelope -----------------------------------------------------------------------------


def _envelope_html(data: bytes) -> Envelope:
    class Find(HTMLParser):
        inside = False
        text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            self.inside = tag == "script" and a.get("id") == "sg-envelope"
            assert not self.inside or a.get("type") == "application/json"

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.text += data

        def handle_endtag(self, tag: str) -> None:
            self.inside = False

    finder = Find()
    finder.feed(data.decode("utf-8"))
    envelope = Envelope.from_dict(json.loads(finder.text))
    assert read_html(data) == envelope
    return envelope


def _envelope_docx(data: bytes) -> Envelope:
    import docx
    from lxml import etree

    package = docx.Document(io.BytesIO(data)).part.package
    (part,) = [p for p in package.iter_parts() if p.partname == "/docProps/custom.xml"]
    ns = {"c": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"}
    tree = etree.fromstring(part.blob)
    props = {p.get("name"): p[0].text or "" for p in tree.findall("c:property", ns)}
    envelope = Envelope.from_properties(props)
    assert read_docx(data) == envelope
    return envelope


def _envelope_xlsx(data: bytes) -> Envelope:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    envelope = Envelope.from_properties({p.name: p.value for p in wb.custom_doc_props})
    assert read_xlsx(data) == envelope
    return envelope


def _envelope_pdf(data: bytes) -> Envelope:
    import pikepdf
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(data)).metadata or {}
    envelope = Envelope.from_properties({k.lstrip("/"): str(v) for k, v in info.items()})
    with pikepdf.open(io.BytesIO(data)) as pdf:
        other = {str(k).lstrip("/"): str(v) for k, v in pdf.docinfo.items()}
    assert Envelope.from_properties(other) == envelope
    assert read_pdf(data) == envelope
    return envelope


ENVELOPES = {
    "html": _envelope_html,
    "docx": _envelope_docx,
    "xlsx": _envelope_xlsx,
    "pdf": _envelope_pdf,
}


def _no_themes(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _no_themes(v) for k, v in data.items() if k != "themes"}
    if isinstance(data, list):
        return [_no_themes(v) for v in data]
    return data


def _hash_of_json(checklist: sg.Checklist, selection: Any) -> str:
    """The content hash as docs/rendering.md defines it, from the JSON the CLI writes."""
    data = json.loads(render(checklist, "form", "json", RenderOptions(audience=selection)))
    assert data["themes"]  # the set has themes, and they are left out:
    text = json.dumps(_no_themes(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _envelopes(fmts: tuple[str, ...], kinds: tuple[str, ...]) -> None:
    base = sg.load_bundled("kcsie", "2025-26")
    hashes = {}
    for selection in ((), (("setting", "fe-college"),)):
        c = _selected(base, selection)
        want_hash = _hash_of_json(c, selection)
        for fmt in fmts:
            for kind in kinds:
                if (kind, fmt) not in available():
                    continue
                data = render(c, kind, fmt, RenderOptions(audience=selection))
                e = ENVELOPES[fmt](data)
                assert (e.set, e.set_version, e.kind) == ("kcsie", "2025-26", kind), fmt
                assert e.audience == selection
                assert e.format == "safeguard-standards/envelope" and e.format_version == 1
                assert e.generator == f"safeguard-standards {__version__}"
                assert e.content_hash == want_hash, (fmt, kind)
        hashes[selection] = want_hash
    assert len(set(hashes.values())) == 2, "a --for that drops questions keeps the hash"


def test_every_office_and_html_document_carries_its_envelope() -> None:
    _envelopes(("html", "docx", "xlsx"), ("form", "return-form", "guidance", "action-plan"))


@pytest.mark.slow
def test_every_pdf_carries_its_envelope() -> None:
    _envelopes(("pdf",), ("form",))


def test_a_document_without_an_envelope_reads_as_none() -> None:
    import docx
    from openpyxl import Workbook

    out = io.BytesIO()
    docx.Document().save(out)
    assert read_docx(out.getvalue()) is None
    out = io.BytesIO()
    Workbook().save(out)
    assert read_xlsx(out.getvalue()) is None
    assert read_html(b"<!DOCTYPE html><title>x</title>") is None


@pytest.mark.slow
def test_the_envelope_is_the_same_bytes_every_time() -> None:
    # the envelope holds no date or time: the HTML is the same bytes, and so are the custom
    # properties of DOCX and XLSX (their core properties are the looks' business)
    import zipfile

    c = sg.load_path(COMPLETE)

    def written() -> list[bytes]:
        out = [render(c, "form", "html")]
        for fmt in ("docx", "xlsx"):
            with zipfile.ZipFile(io.BytesIO(render(c, "form", fmt))) as z:
                out.append(z.read("docProps/custom.xml"))
        return out

    first = written()
    time.sleep(1.1)  # a clock in the output would show
    assert written() == first
    assert not [p for p in first[1:] if re.search(rb"\d{4}-\d\d-\d\dT", p)]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(
    st.builds(
        Envelope,
        set=_ID,
        set_version=_TEXT,
        kind=st.sampled_from(["form", "return-form", "guidance", "action-plan"]),
        audience=st.lists(st.tuples(_ID, _ID), max_size=3, unique_by=lambda t: t[0]).map(tuple),
        content_hash=st.just("sha256:" + "0" * 64),
        generator=_TEXT,
    )
)
def test_envelope_round_trips_through_json_and_properties(envelope: Envelope) -> None:
    assert Envelope.from_dict(json.loads(json.dumps(envelope.to_dict()))) == envelope
    assert Envelope.from_properties(envelope.to_properties()) == envelope


def test_a_broken_envelope_says_what_is_wrong() -> None:
    good = Envelope(
        set="kcsie", set_version="2025-26", kind="form", content_hash="sha256:0", generator="g"
    ).to_dict()
    for change, words in [
        ({"format": "other"}, "format"),
        ({"format_version": "1"}, "format_version"),
        ({"audience": ["setting"]}, "audience"),
        ({"set": 3}, "not text"),
    ]:
        with pytest.raises(EnvelopeError, match=words):
            Envelope.from_dict({**good, **change})
    with pytest.raises(EnvelopeError, match="has no kind"):
        Envelope.from_dict({k: v for k, v in good.items() if k != "kind"})
    with pytest.raises(EnvelopeError, match="not JSON"):
        read_html(b'<script type="application/json" id="sg-envelope">{</script>')


# -- the documentation ------------------------------------------------------------------------


def test_the_field_table_in_rendering_md_is_what_the_codec_does() -> None:
    text = (Path(__file__).parent.parent / "docs" / "rendering.md").read_text(encoding="utf-8")
    section = text.split("## Field names: one name everywhere")[1]
    table = next(b for b in section.split("\n\n") if b.startswith("| field |"))
    rows = [[c.strip() for c in line.strip("| ").split(" | ")] for line in table.splitlines()[2:]]
    full_id = "leadership.governance.named-governor"
    parts = {
        "an answer": "answer",
        "one choice of it": "choice",
        "its evidence box": "evidence",
        "its action box": "action",
    }
    seen: set[tuple[str, str]] = set()
    # the XLSX column shows the Id cell's value, and defined names as SG_ + the field name
    column = {"name": "html", "html": "html", "pdf": "pdf", "docx": "docx", "xlsx": "xlsx-id"}
    for cells in rows:
        what = cells[0]
        part = parts.get(what, "detail")
        for fmt, cell in zip(("name", "html", "pdf", "docx", "xlsx"), cells[1:], strict=True):
            for token in re.findall(r"`([^`]+)`", cell):
                token = token.replace("<full id>", full_id)
                token = re.sub(r"<(choice|option) id>", "yes", token)
                if not re.match(r"(SG_)?(leadership|org|signoff)\.", token):
                    continue
                if token.startswith("SG_"):  # the table shows the name the defined name is of
                    token, fmt = token[3:], "xlsx-of"
                ref = fields.decode("html" if fmt == "xlsx-of" else column[fmt], token)  # type: ignore[arg-type]
                assert ref is not None, (what, fmt, token)
                assert (ref.part if not ref.choice else "choice") == part, (what, fmt, token)
                if fmt == "xlsx-of":
                    assert fields.decode("xlsx", fields.encode("xlsx", ref)) == ref
                seen.add((part, fmt))
    for key in fields.DETAIL_FIELDS:
        assert f"`{key}`" in table, key
    for box in ("evidence", "action"):
        assert {(box, f) for f in ("name", "html", "pdf", "docx", "xlsx-of")} <= seen, box
    assert {("answer", f) for f in ("pdf", "docx")} <= seen and ("choice", "docx") in seen

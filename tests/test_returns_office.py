"""Reading filled Word, Excel and CSV forms back (safeguard_standards.returns._read_office,
_read_csv): round trips for every bundled set, and every edited or hostile file by its exact
code and location."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import safeguard_standards as sg
from safeguard_standards import Checklist
from safeguard_standards.render import render
from safeguard_standards.render._view import build_document
from safeguard_standards.returns import _read_office
from safeguard_standards.returns.raw import RawReturn
from safeguard_standards.returns.read import read_bytes, read_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill_office import choice_labels, fill_csv, fill_docx, fill_xlsx, label_of
from returns_fill import Filling, random_filling

# (set, kind, audience): every bundled set's form, an audience, and the return form
CASES = [
    ("kcsie", "form", None),
    ("section11", "form", None),
    ("vcs_checklist", "form", None),
    ("kcsie", "form", {"setting": "academy"}),
    ("section11", "form", {"agency": "police"}),
    ("kcsie", "return-form", None),
    ("vcs_checklist", "return-form", {"size": "volunteer-only"}),
]
SEEDS = (1, 2)
_DATE_DETAILS = ("org.date", "signoff.date")

_checklists: dict[str, Checklist] = {}
_blanks: dict[tuple[Any, ...], bytes] = {}


def checklist_for(set_id: str, audience: dict[str, str] | None) -> Checklist:
    if set_id not in _checklists:
        _checklists[set_id] = sg.load_bundled(set_id)
    c = _checklists[set_id]
    return c.select(audience) if audience else c


def blank(set_id: str, kind: str, audience: dict[str, str] | None, fmt: str) -> bytes:
    key = (set_id, kind, tuple(sorted((audience or {}).items())), fmt)
    if key not in _blanks:
        options = {"audience": audience} if audience else None
        _blanks[key] = render(checklist_for(set_id, audience), kind, fmt, options)
    return _blanks[key]


def _question_views(c: Checklist, kind: str) -> list[Any]:
    return [q for s in build_document(c, kind).sections for st in s.standards for q in st.questions]


def form_questions(c: Checklist, kind: str) -> list[Any]:
    return [
        q.question
        for s in build_document(c, kind).sections
        for st in s.standards
        for q in st.questions
    ]


def fields_of(raw: RawReturn) -> dict[tuple[str, str], Any]:
    """(key, part) → value of every field read, asserting none is read twice."""
    out: dict[tuple[str, str], Any] = {}
    for v in raw.values:
        key = (v.ref.key, v.ref.part)
        assert key not in out, f"{key} read twice"
        out[key] = v.value
    return out


def filling_for(
    c: Checklist, kind: str, seed: int, blank_fields: set[tuple[str, str]], details: bool
) -> Filling:
    """A random filling of the form's questions (the return form has only some), its actions
    kept where the form has action boxes."""
    shown = {q.full_id for q in form_questions(c, kind)}
    f = random_filling(c, seed, details=details)
    f["answers"] = {k: v for k, v in f["answers"].items() if k in shown}
    f["evidence"] = {k: v for k, v in f["evidence"].items() if k in shown}
    has_action = any(part == "action" for _, part in blank_fields)
    f["actions"] = {k: v for k, v in f["actions"].items() if k in shown and has_action}
    return f


def expected(f: Filling, fmt: str, c: Checklist, kind: str) -> dict[tuple[str, str], Any]:
    """What the reader must give for ``f``: choice ids (Word), labels (Excel, CSV), dates as
    dates where the format has date cells or pickers, numbers as text where it has only text."""
    labels = choice_labels(c, kind)
    types = {q.full_id: q.type for q in form_questions(c, kind)}
    out: dict[tuple[str, str], Any] = {}
    for key, value in f["answers"].items():
        t = types[key]
        if key in labels:
            if fmt == "docx":
                out[(key, "answer")] = tuple(value) if isinstance(value, list) else (value,)
            else:
                out[(key, "answer")] = label_of(labels, key, value)
        elif t == "date":
            out[(key, "answer")] = value if fmt == "csv" else datetime.date.fromisoformat(value)
        elif t in ("number", "percentage"):
            out[(key, "answer")] = value if fmt == "xlsx" else str(value)
        else:
            out[(key, "answer")] = value
    for key, text in f["evidence"].items():
        out[(key, "evidence")] = text
    for key, text in f["actions"].items():
        out[(key, "action")] = text
    for key, value in f["details"].items():
        as_date = key in _DATE_DETAILS and fmt != "csv"
        out[(key, "detail")] = datetime.date.fromisoformat(value) if as_date else value
    return out


def fill(fmt: str, data: bytes, f: Filling, c: Checklist, kind: str) -> bytes:
    if fmt == "docx":
        return fill_docx(data, f)
    if fmt == "xlsx":
        return fill_xlsx(data, f, choice_labels(c, kind))
    return fill_csv(data, f, choice_labels(c, kind))


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv"])
@pytest.mark.parametrize(("set_id", "kind", "audience"), CASES)
def test_round_trip(set_id: str, kind: str, audience: dict[str, str] | None, fmt: str) -> None:
    c = checklist_for(set_id, audience)
    empty = blank(set_id, kind, audience, fmt)
    name = f"{set_id}.{fmt}"
    read_blank = read_bytes(empty, name)
    assert read_blank.problems == ()
    assert read_blank.format == fmt
    blank_fields = fields_of(read_blank)
    assert all(v is None for v in blank_fields.values())
    # the blank has a field for every question of the form (and its evidence), no other
    questions = {q.full_id for q in form_questions(c, kind)}
    assert {k for k, p in blank_fields if p == "answer"} == questions
    assert {k for k, p in blank_fields if p == "evidence"} == questions
    # every format carries the envelope (a CSV in its last rows)
    assert read_blank.envelope is not None
    assert read_blank.envelope.set == set_id
    assert read_blank.envelope.kind == kind
    assert dict(read_blank.envelope.audience) == (audience or {})
    for seed in SEEDS:
        f = filling_for(c, kind, seed, set(blank_fields), details=True)
        filled = fill(fmt, empty, f, c, kind)
        before = bytes(filled)
        raw = read_bytes(filled, name)
        assert filled == before
        assert raw.problems == ()
        got = fields_of(raw)
        assert set(got) == set(blank_fields)  # nothing dropped, nothing made up
        given = {k: v for k, v in got.items() if v is not None}
        assert given == expected(f, fmt, c, kind)


def test_round_trip_every_type_once() -> None:
    """A quick round trip (run without the slow ones): kcsie, one seed, the three formats,
    every question type it has among the answers."""
    c = checklist_for("kcsie", None)
    for fmt in ("docx", "xlsx", "csv"):
        empty = blank("kcsie", "form", None, fmt)
        blank_fields = fields_of(read_bytes(empty, f"k.{fmt}"))
        f = filling_for(c, "form", 7, set(blank_fields), details=True)
        raw = read_bytes(fill(fmt, empty, f, c, "form"), f"k.{fmt}")
        assert raw.problems == ()
        given = {k: v for k, v in fields_of(raw).items() if v is not None}
        assert given == expected(f, fmt, c, "form")
    types = {q.type for q in form_questions(c, "form") if q.full_id in f["answers"]}
    assert {"rating", "yes-no", "number", "date", "text"} <= types


def test_where_each_value_was_found() -> None:
    c = checklist_for("kcsie", None)
    f: Filling = {
        "answers": {"leadership.culture.culture-rating": "met"},
        "evidence": {"leadership.culture.culture-rating": "Minutes, 3 March"},
        "actions": {},
        "details": {"org.name": "Northshire Primary"},
    }
    labels = choice_labels(c, "form")
    docx = read_bytes(fill_docx(blank("kcsie", "form", None, "docx"), f), "r.docx")
    xlsx = read_bytes(fill_xlsx(blank("kcsie", "form", None, "xlsx"), f, labels), "r.xlsx")
    f["details"] = {}
    csv_ = read_bytes(fill_csv(blank("kcsie", "form", None, "csv"), f, labels), "r.csv")
    at = {
        fmt: {(v.ref.key, v.ref.part): str(v.where) for v in raw.values if v.value is not None}
        for fmt, raw in (("docx", docx), ("xlsx", xlsx), ("csv", csv_))
    }
    rating = ("leadership.culture.culture-rating", "answer")
    assert at["docx"][rating] == "r.docx:tag leadership.culture.culture-rating"
    assert at["docx"][("org.name", "detail")] == "r.docx:tag org.name"
    assert at["xlsx"][rating] == "r.xlsx:Answers!I2"
    assert at["xlsx"][("leadership.culture.culture-rating", "evidence")] == "r.xlsx:Answers!J2"
    assert at["xlsx"][("org.name", "detail")].startswith("r.xlsx:Cover!B")
    assert at["csv"][rating] == "r.csv:row 2:column Answer"
    assert at["csv"][("leadership.culture.culture-rating", "evidence")] == (
        "r.csv:row 2:column Evidence"
    )


def test_xlsx_rows_sorted_are_read_by_id() -> None:
    c = checklist_for("vcs_checklist", None)
    empty = blank("vcs_checklist", "form", None, "xlsx")
    blank_fields = fields_of(read_bytes(empty, "v.xlsx"))
    f = filling_for(c, "form", 3, set(blank_fields), details=True)
    sorted_ = fill_xlsx(empty, f, choice_labels(c, "form"), sort=True)
    raw = read_bytes(sorted_, "v.xlsx")
    assert raw.problems == ()
    given = {k: v for k, v in fields_of(raw).items() if v is not None}
    assert given == expected(f, "xlsx", c, "form")
    # the first question's answer is now in the last row
    first = form_questions(c, "form")[0].full_id
    where = next(v.where for v in raw.values if v.ref.key == first and v.ref.part == "answer")
    assert where.cell == f"I{len(form_questions(c, 'form')) + 1}"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_xlsx_saved_by_libreoffice(tmp_path: Path) -> None:
    """A workbook filled, then opened and saved again by LibreOffice (as a person using it
    would), reads back the same."""
    c = checklist_for("kcsie", None)
    empty = blank("kcsie", "form", None, "xlsx")
    blank_fields = fields_of(read_bytes(empty, "k.xlsx"))
    f = filling_for(c, "form", 11, set(blank_fields), details=True)
    source = tmp_path / "in" / "filled.xlsx"
    source.parent.mkdir()
    source.write_bytes(fill_xlsx(empty, f, choice_labels(c, "form")))
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / "filled.xlsx"
    assert saved.read_bytes() != source.read_bytes()
    raw = read_path(saved, "filled.xlsx")
    assert raw.problems == ()
    assert raw.envelope is not None and raw.envelope.set == "kcsie"
    given = {k: v for k, v in fields_of(raw).items() if v is not None}
    assert given == expected(f, "xlsx", c, "form")


# -- Word: what a control holds ---------------------------------------------------------------


def _docx_with(document_xml: bytes, base: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                info, document_xml if info.filename == "word/document.xml" else src.read(info)
            )
    return out.getvalue()


def _document(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_docx_placeholder_is_unanswered_even_when_its_text_is_changed() -> None:
    """A control still marked as showing its placeholder is unanswered, whatever it shows."""
    empty = blank("kcsie", "form", None, "docx")
    doc = _document(empty).replace(b"What evidence you hold, and where", b"Typed over", 1)
    raw = read_bytes(_docx_with(doc, empty), "r.docx")
    assert all(v.value is None for v in raw.values)


def test_docx_copied_control_is_reported_by_tag() -> None:
    empty = blank("kcsie", "form", None, "docx")
    doc = _document(empty)
    tag = b'<w:tag w:val="org.name"/>'
    start = doc.rfind(b"<w:sdt>", 0, doc.index(tag))
    end = doc.index(b"</w:sdt>", start) + len(b"</w:sdt>")
    copied = doc[:end] + doc[start:end] + doc[end:]
    raw = read_bytes(_docx_with(copied, empty), "r.docx")
    assert [(d.code.code, d.at) for d in raw.problems] == [("SG520", "tag org.name")]


def test_docx_copied_question_is_reported_once() -> None:
    """A yes-no question's answer group copied: one SG520 for the group, not one per box."""
    c = checklist_for("kcsie", None)
    q = next(q for q in form_questions(c, "form") if q.type == "yes-no")
    empty = blank("kcsie", "form", None, "docx")
    doc = _document(empty)
    tag = f'<w:tag w:val="{q.full_id}"/>'.encode()
    start = doc.rfind(b"<w:sdt>", 0, doc.index(tag))
    # the group's end: after its last checkbox control
    depth, i = 0, start
    while True:
        o, e = doc.find(b"<w:sdt>", i), doc.find(b"</w:sdt>", i)
        if o != -1 and o < e:
            depth, i = depth + 1, o + 7
        else:
            depth, i = depth - 1, e + 8
            if depth == 0:
                break
    copied = doc[:i] + doc[start:i] + doc[i:]
    raw = read_bytes(_docx_with(copied, empty), "r.docx")
    assert [(d.code.code, d.at) for d in raw.problems] == [("SG520", f"tag {q.full_id}")]


# -- Excel: edited out of shape -----------------------------------------------------------------


def _edit_xlsx(data: bytes, edit: Any) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _codes(raw: RawReturn) -> list[tuple[str, str]]:
    return sorted((d.code.code, d.at) for d in raw.problems)


@pytest.fixture(scope="module")
def vcs_xlsx() -> bytes:
    return blank("vcs_checklist", "form", None, "xlsx")


def test_xlsx_row_deleted(vcs_xlsx: bytes) -> None:
    wb = load_workbook(io.BytesIO(vcs_xlsx))
    gone = wb["Answers"]["B5"].value
    raw = read_bytes(_edit_xlsx(vcs_xlsx, lambda wb: wb["Answers"].delete_rows(5)), "v.xlsx")
    # openpyxl (like Excel) leaves the deleted row's names pointing where they did
    assert _codes(raw) == [("SG522", "Answers!B5")]
    assert raw.problems[0].item == gone
    assert gone not in {v.ref.key for v in raw.values}


def test_xlsx_id_changed(vcs_xlsx: bytes) -> None:
    wb = load_workbook(io.BytesIO(vcs_xlsx))
    old = wb["Answers"]["B7"].value

    def edit(wb: Any) -> None:
        wb["Answers"]["B7"] = "x.y.z"

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert _codes(raw) == [("SG521", "Answers!B7"), ("SG522", "Answers!B7")]
    assert next(d for d in raw.problems if d.code.code == "SG522").item == old


def test_xlsx_id_not_an_id(vcs_xlsx: bytes) -> None:
    def edit(wb: Any) -> None:
        wb["Answers"]["B3"] = "question 2"

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert ("SG521", "Answers!B3") in _codes(raw)


def test_xlsx_duplicate_id(vcs_xlsx: bytes) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Answers"]
        ws["B4"] = ws["B3"].value

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert ("SG520", "Answers!B4") in _codes(raw)


def test_xlsx_answers_sheet_renamed(vcs_xlsx: bytes) -> None:
    def edit(wb: Any) -> None:
        wb["Answers"].title = "Our answers"

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert _codes(raw) == [("SG523", "'Our answers'")]
    assert raw.problems[0].severity.value == "warning"
    assert {v.ref.key for v in raw.values if v.ref.part == "answer"} == {
        q.full_id for q in form_questions(checklist_for("vcs_checklist", None), "form")
    }


def test_xlsx_answers_sheet_deleted(vcs_xlsx: bytes) -> None:
    raw = read_bytes(_edit_xlsx(vcs_xlsx, lambda wb: wb.remove(wb["Answers"])), "v.xlsx")
    assert _codes(raw) == [("SG504", "")]
    assert all(v.ref.part == "detail" for v in raw.values)


def test_xlsx_id_heading_changed_reads_by_names(vcs_xlsx: bytes) -> None:
    c = checklist_for("vcs_checklist", None)
    f = filling_for(c, "form", 5, set(), details=True)
    filled = fill_xlsx(vcs_xlsx, f, choice_labels(c, "form"))

    def edit(wb: Any) -> None:
        wb["Answers"]["B1"] = "Question id"

    raw = read_bytes(_edit_xlsx(filled, edit), "v.xlsx")
    assert _codes(raw) == [("SG504", "Answers!B1")]
    given = {k: v for k, v in fields_of(raw).items() if v is not None}
    assert given == expected(f, "xlsx", c, "form")


def test_xlsx_answer_heading_changed(vcs_xlsx: bytes) -> None:
    def edit(wb: Any) -> None:
        wb["Answers"]["I1"] = "Response"

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert _codes(raw) == [("SG504", "Answers!I1")]
    assert {v.ref.part for v in raw.values} == {"answer", "evidence", "action", "detail"}


def test_xlsx_percentage_typed_with_a_percent_sign(vcs_xlsx: bytes) -> None:
    """50 % typed in a cell is 0.5 formatted as a percentage: read as the 50 it shows."""

    def edit(wb: Any) -> None:
        cell = wb["Answers"]["I2"]
        cell.value = 0.57
        cell.number_format = "0%"

    raw = read_bytes(_edit_xlsx(vcs_xlsx, edit), "v.xlsx")
    assert next(v.value for v in raw.values if v.where.cell == "I2") == 57


# -- CSV: what spreadsheet programs save -------------------------------------------------------


@pytest.fixture(scope="module")
def vcs_csv() -> tuple[bytes, Filling, dict[tuple[str, str], Any]]:
    c = checklist_for("vcs_checklist", None)
    empty = blank("vcs_checklist", "form", None, "csv")
    f = filling_for(c, "form", 9, set(), details=False)
    return empty, f, expected(f, "csv", c, "form")


def _ascii(f: Filling) -> Filling:
    """``f`` as Excel saves it in plain CSV: "?" for each character Windows-1252 lacks."""

    def clean(v: Any) -> Any:
        return v.encode("cp1252", "replace").decode("cp1252") if isinstance(v, str) else v

    return {part: {k: clean(v) for k, v in block.items()} for part, block in f.items()}


@pytest.mark.parametrize(
    ("encoding", "delimiter", "codes"),
    [
        ("utf-8-sig", ",", []),
        ("utf-8", ",", []),
        ("utf-8", ";", []),
        ("cp1252", ";", [("SG525", "")]),
        ("cp1252", ",", [("SG525", "")]),
        ("utf-8-sig", "\t", []),
    ],
)
def test_csv_encodings_and_delimiters(
    vcs_csv: tuple[bytes, Filling, Any], encoding: str, delimiter: str, codes: list[Any]
) -> None:
    empty, f, _ = vcs_csv
    c = checklist_for("vcs_checklist", None)
    if encoding == "cp1252":
        f = _ascii(f)
    data = fill_csv(empty, f, choice_labels(c, "form"), encoding=encoding, delimiter=delimiter)
    for prefix in (b"", f"sep={delimiter}\r\n".encode()):
        if prefix and encoding == "utf-8-sig":
            continue
        raw = read_bytes(prefix + data, "v.csv")
        assert _codes(raw) == codes
        given = {k: v for k, v in fields_of(raw).items() if v is not None}
        assert given == expected(f, "csv", c, "form")
        where = next(v.where for v in raw.values if v.ref.part == "answer")
        assert (where.row, where.column) == (2, "Answer")


def test_csv_formulas_are_text(vcs_csv: tuple[bytes, Filling, Any]) -> None:
    empty, _, _ = vcs_csv
    c = checklist_for("vcs_checklist", None)
    q = form_questions(c, "form")[0].full_id
    f: Filling = {
        "answers": {},
        "evidence": {q: '=HYPERLINK("http://example.invalid","x")'},
        "actions": {},
        "details": {},
    }
    raw = read_bytes(fill_csv(empty, f, {}), "v.csv")
    assert raw.problems == ()
    assert fields_of(raw)[(q, "evidence")] == '=HYPERLINK("http://example.invalid","x")'


def test_csv_edited(vcs_csv: tuple[bytes, Filling, Any]) -> None:
    empty, _, _ = vcs_csv
    text = empty.decode("utf-8-sig").split("\r\n")
    second = text[2].split(",")[1]
    text[3] = text[3].replace(text[3].split(",")[1], second, 1)  # row 4 repeats row 3's Id
    text[5] = text[5].replace(text[5].split(",")[1], "not an id", 1)
    raw = read_bytes("\r\n".join(text).encode("utf-8"), "v.csv")
    assert _codes(raw) == [("SG520", "row 4:column Id"), ("SG521", "row 6:column Id")]
    headless = "\r\n".join(text[1:]).encode("utf-8")
    raw = read_bytes(headless, "v.csv")
    assert _codes(raw) == [("SG504", "row 1")]
    assert raw.values == ()


# -- hostile packages ---------------------------------------------------------------------------


def _with_parts(
    base: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None
) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    replace = replace or {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, replace.get(info.filename, src.read(info)))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def _read_unchanged(data: bytes, name: str) -> RawReturn:
    before = bytes(data)
    raw = read_bytes(data, name)
    assert data == before
    return raw


def _rels(target: str, kind: str, external: bool = True) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        f'schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
        f'Target="{target}"{mode}/></Relationships>'
    ).encode()


def test_hostile_files(vcs_xlsx: bytes) -> None:
    docx = blank("vcs_checklist", "form", None, "docx")
    xlsx = vcs_xlsx
    types = zipfile.ZipFile(io.BytesIO(xlsx)).read("[Content_Types].xml")
    macro_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro_types != types
    cases: list[tuple[str, bytes, list[tuple[str, str]]]] = [
        (
            "m.xlsx",
            _with_parts(xlsx, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
            [("SG503", "part xl/vbaProject.bin")],
        ),
        (
            "m.xlsm",
            _with_parts(xlsx, {}, {"[Content_Types].xml": macro_types}),
            [("SG503", "part xl/workbook.xml")],
        ),
        (
            "l.xlsx",
            _with_parts(
                xlsx,
                {
                    "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
                    "xl/externalLinks/_rels/externalLink1.xml.rels": _rels(
                        "file:///C:/other.xlsx", "externalLinkPath"
                    ),
                },
            ),
            [
                ("SG503", "part xl/externalLinks/_rels/externalLink1.xml.rels"),
                ("SG503", "part xl/externalLinks/externalLink1.xml"),
            ],
        ),
        (
            "t.docx",
            _with_parts(
                docx,
                {
                    "word/_rels/settings.xml.rels": _rels(
                        "https://example.invalid/t.dotm", "attachedTemplate"
                    )
                },
            ),
            [("SG503", "part word/_rels/settings.xml.rels")],
        ),
        (
            "a.docx",
            _with_parts(
                docx,
                {
                    "word/afchunk.mht": b"MIME-Version: 1.0",
                    "word/_rels/header9.xml.rels": _rels("afchunk.mht", "aFChunk", external=False),
                },
            ),
            [("SG503", "part word/_rels/header9.xml.rels")],
        ),
        (
            "o.docx",
            _with_parts(docx, {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}),
            [("SG503", "part word/embeddings/oleObject1.bin")],
        ),
        (
            "p.docx",
            _with_parts(
                docx,
                {"word/_rels/footnotes.xml.rels": _rels("https://example.invalid/p.png", "image")},
            ),
            [("SG503", "part word/_rels/footnotes.xml.rels")],
        ),
    ]
    for name, data, codes in cases:
        raw = _read_unchanged(data, name)
        assert _codes(raw) == codes, name


def test_entities_are_refused_before_parsing(vcs_xlsx: bytes) -> None:
    docx = blank("vcs_checklist", "form", None, "docx")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b"]><w:document>&i;</w:document>"
    )
    raw = _read_unchanged(_with_parts(docx, {}, {"word/document.xml": bomb}), "b.docx")
    assert _codes(raw) == [("SG524", "part word/document.xml")]
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "http://example.invalid/x">]>'
        b"<sst>&e;</sst>"
    )
    raw = _read_unchanged(_with_parts(vcs_xlsx, {"xl/sharedStrings.xml": external}), "e.xlsx")
    assert ("SG524", "part xl/sharedStrings.xml") in _codes(raw)


def test_broken_packages(vcs_xlsx: bytes) -> None:
    docx = blank("vcs_checklist", "form", None, "docx")
    notes = io.BytesIO()
    with zipfile.ZipFile(notes, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    cases = [
        ("cut.xlsx", vcs_xlsx[: len(vcs_xlsx) // 2], "SG501"),
        ("cut.docx", docx[:3000], "SG501"),
        ("notes.xlsx", notes.getvalue(), "SG501"),
        ("notes.zip", notes.getvalue(), "SG506"),
        ("damaged.docx", _with_parts(docx, {}, {"word/document.xml": b"<w:document"}), "SG501"),
        ("damaged.xlsx", _with_parts(vcs_xlsx, {}, {"xl/workbook.xml": b"<workbook"}), "SG501"),
    ]
    for name, data, code in cases:
        raw = _read_unchanged(data, name)
        assert [d.code.code for d in raw.problems] == [code], (name, raw.problems)
        assert raw.values == ()


def test_zip_bomb_is_refused_from_the_directory(vcs_xlsx: bytes, monkeypatch: Any) -> None:
    """A part that unpacks past the limit is refused before anything is unpacked."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(vcs_xlsx))
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("xl/media/zeros.bin", b"\0" * (8 * 1024 * 1024))
    data = bomb.getvalue()
    assert len(data) < 200_000
    monkeypatch.setattr(_read_office, "MAX_UNPACKED", 4 * 1024 * 1024)
    unpacked: list[str] = []
    real_read = zipfile.ZipFile.read
    monkeypatch.setattr(
        zipfile.ZipFile,
        "read",
        lambda self, name, pwd=None: unpacked.append(str(name)) or real_read(self, name, pwd),
    )
    raw = _read_unchanged(data, "bomb.xlsx")
    assert [d.code.code for d in raw.problems] == ["SG502"]
    assert unpacked == []
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(_read_office.MAX_MEMBERS + 1):
            z.writestr(f"xl/p{i}.xml", b"")
    raw = _read_unchanged(many.getvalue(), "many.xlsx")
    assert [d.code.code for d in raw.problems] == ["SG502"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_docx_saved_by_libreoffice_says_the_answer_areas_are_gone(tmp_path: Path) -> None:
    """LibreOffice 7.4 drops the tags of content controls when it saves a .docx: the return is
    not read as empty but reported."""
    c = checklist_for("vcs_checklist", None)
    empty = blank("vcs_checklist", "form", None, "docx")
    f = filling_for(c, "form", 1, set(), details=True)
    source = tmp_path / "in" / "filled.docx"
    source.parent.mkdir()
    source.write_bytes(fill_docx(empty, f))
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    raw = read_path(out / "filled.docx", "filled.docx")
    if raw.values:  # a LibreOffice that keeps the tags: the answers must come back whole
        given = {k: v for k, v in fields_of(raw).items() if v is not None}
        assert given == expected(f, "docx", c, "form")
        return
    assert _codes(raw) == [("SG504", "part word/document.xml")]
    assert "lost their tags" in raw.problems[0].message


# -- the action box, where the form has one -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv"])
def test_action_boxes_when_the_form_has_them(fmt: str) -> None:
    c = checklist_for("kcsie", None)
    empty = blank("kcsie", "form", None, fmt)
    read_blank = read_bytes(empty, f"k.{fmt}")
    assert read_blank.problems == ()
    blank_fields = fields_of(read_blank)
    questions = {q.question.full_id for q in _question_views(c, "form") if q.has_action}
    assert len(questions) == 33  # the kcsie rating questions whose scale can need an action
    boxes = {k for k, p in blank_fields if p == "action"}
    if fmt == "docx":  # a control only where an action can be needed
        assert boxes == questions
    else:  # an Action column, open (XLSX) only on those rows
        assert boxes == {q.full_id for q in form_questions(c, "form")}
    f = filling_for(c, "form", 4, set(blank_fields), details=True)
    assert f["actions"]
    raw = read_bytes(fill(fmt, empty, f, c, "form"), f"k.{fmt}")
    assert raw.problems == ()
    given = {k: v for k, v in fields_of(raw).items() if v is not None}
    assert given == expected(f, fmt, c, "form")
    where = next(v.where for v in raw.values if v.ref.part == "action" and v.value is not None)
    assert where.at.startswith({"docx": "tag ", "xlsx": "Answers!K", "csv": "row "}[fmt])
    assert where.at.endswith({"docx": ".action", "xlsx": "", "csv": ":column Action"}[fmt])


def test_old_or_password_protected_office_files() -> None:
    raw = read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "return.xls")
    assert [d.code.code for d in raw.problems] == ["SG506"]
    assert "password" in raw.problems[0].message


def test_docx_with_its_tags_removed_is_reported() -> None:
    empty = blank("vcs_checklist", "form", None, "docx")
    doc = _document(empty)
    untagged = re.sub(rb'<w:tag w:val="[^"]*"/>', b"", doc)
    raw = read_bytes(_docx_with(untagged, empty), "r.docx")
    assert _codes(raw) == [("SG504", "part word/document.xml")]


def test_docx_checkbox_without_a_state_is_read_by_its_glyph() -> None:
    c = checklist_for("vcs_checklist", None)
    q = next(q for q in form_questions(c, "form") if q.type == "yes-no")
    f: Filling = {"answers": {q.full_id: "no"}, "evidence": {}, "actions": {}, "details": {}}
    doc = _document(fill_docx(blank("vcs_checklist", "form", None, "docx"), f))
    stateless = doc.replace(b'<w14:checked w14:val="1"/>', b"").replace(
        b'<w14:checked w14:val="0"/>', b""
    )
    assert stateless != doc
    raw = read_bytes(_docx_with(stateless, blank("vcs_checklist", "form", None, "docx")), "r.docx")
    assert fields_of(raw)[(q.full_id, "answer")] == ("no",)


def test_zip_directory_that_understates_a_part_is_refused(vcs_xlsx: bytes) -> None:
    """A part whose directory entry says 100 bytes but which unpacks to 8 MB is damaged
    (SG501), found by unpacking it in bounded steps, not by a library reading it whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(vcs_xlsx))
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("docProps/zeros.xml", b"\0" * (8 * 1024 * 1024))
    data = bytearray(out.getvalue())
    name = b"docProps/zeros.xml"
    size = (8 * 1024 * 1024).to_bytes(4, "little")
    local, central = data.find(name) - 30, data.rfind(name) - 46  # where the headers start
    for header, signature, offset in ((local, b"PK\x03\x04", 22), (central, b"PK\x01\x02", 24)):
        assert data[header : header + 4] == signature
        assert data[header + offset : header + offset + 4] == size
        data[header + offset : header + offset + 4] = (100).to_bytes(4, "little")
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("docProps/zeros.xml").file_size == 100
    raw = _read_unchanged(bytes(data), "lying.xlsx")
    assert _codes(raw) == [("SG501", "part docProps/zeros.xml")]


@pytest.mark.slow
def test_sheet_padded_to_the_last_column_and_far_down_is_read_in_bounded_time(
    vcs_xlsx: bytes,
) -> None:
    """Rows with a cell in Excel's last column (XFD) down past the rows read: no hang, the
    questions still read, the cut reported."""
    import time

    z = zipfile.ZipFile(io.BytesIO(vcs_xlsx))
    wb = load_workbook(io.BytesIO(vcs_xlsx), read_only=True)
    index = wb.sheetnames.index("Answers") + 1
    wb.close()
    part = f"xl/worksheets/sheet{index}.xml"
    sheet = z.read(part)
    start = _read_office.MAX_ROWS - 20_000
    rows = "".join(
        f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c>'
        + (f'<c r="A{r}" t="inlineStr"><is><t>y</t></is></c>' if r % 1000 == 0 else "")
        + "</row>"
        for r in range(start, _read_office.MAX_ROWS + 20_000)
    ).encode()
    padded = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    assert padded != sheet
    data = _with_parts(vcs_xlsx, {}, {part: padded})
    began = time.perf_counter()
    raw = _read_unchanged(data, "padded.xlsx")
    assert time.perf_counter() - began < 20
    assert _codes(raw) == [("SG502", "Answers")]
    questions = {q.full_id for q in form_questions(checklist_for("vcs_checklist", None), "form")}
    assert {v.ref.key for v in raw.values if v.ref.part == "answer"} == questions


ROUNDS = 60


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv"])
def test_mangled_returns_never_raise(fmt: str) -> None:
    """Seeded damage to a filled return (its XML parts edited at random and zipped again, or
    its bytes cut or flipped): always a raw return, never an exception, the input unchanged."""
    import random

    c = checklist_for("vcs_checklist", None)
    empty = blank("vcs_checklist", "form", None, fmt)
    f = filling_for(c, "form", 2, set(), details=True)
    filled = fill(fmt, empty, f, c, "form")
    rng = random.Random(f"mangle/{fmt}")
    junk = [b"<", b">", b"&", b'"', b"'", b"</w:sdt>", b"<c r='A1'>", b"\xff", b"\0", b";", b","]
    for _ in range(ROUNDS):
        if fmt == "csv" or rng.random() < 0.3:
            data = bytearray(filled)
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data = data[:at]
            else:
                data[at] ^= 1 << rng.randrange(8)
            mangled = bytes(data)
        else:
            src = zipfile.ZipFile(io.BytesIO(filled))
            parts = [i.filename for i in src.infolist() if i.filename.endswith((".xml", ".rels"))]
            part = rng.choice(parts)
            text = bytearray(src.read(part))
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(text))
                choice = rng.random()
                if choice < 0.4:
                    del text[at : at + rng.randint(1, 40)]
                elif choice < 0.8:
                    text[at:at] = rng.choice(junk)
                else:
                    text[at:at] = text[at : at + rng.randint(1, 200)]
            mangled = _with_parts(filled, {}, {part: bytes(text)})
        raw = _read_unchanged(mangled, f"m.{fmt}")
        assert isinstance(raw, RawReturn)
        for d in raw.problems:
            assert d.code.code.startswith("SG5"), d

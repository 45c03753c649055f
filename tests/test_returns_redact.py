"""A redacted copy of a return (safeguard_standards.returns.redact, ``safeguard returns
redact``): for each format, personal data planted in a filled form is gone when the copy is
read back and checked, every other answer is the same, and the rest of the file is unchanged."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

from safeguard_standards.returns import privacy
from safeguard_standards.returns.check import Checked, check
from safeguard_standards.returns.raw import Where
from safeguard_standards.returns.read import read_bytes
from safeguard_standards.returns.redact import Redacted, _sheet_parts, redact_bytes

from .test_returns_check import KCSIE, first, saved
from .test_returns_office import blank, checklist_for, fields_of, fill, filling_for

#: Personal data planted in evidence and action boxes (and what each one holds).
PLANTED = (
    "Referral made for Jayden, aged 7, NHS 943 476 5870; the family live at SW1A 1AA.",
    "Called his mother Sarah Smith on 07700 900123 after the meeting.",
    "Line one of the notes\nthen NI number QQ 12 34 56 C was seen and j.bloggs@gmail.com written",
    "Amira's brother was spoken to; plan reviewed.",
)
PLANTED_ACTION = "Follow up with his father Mark Jones (tel 07700 900456) by 1 March."


def planted_return(fmt: str, seed: int = 1) -> bytes:
    """A filled kcsie form in ``fmt`` with :data:`PLANTED` in four evidence boxes and one
    action box, and nothing else that looks like personal data."""
    c = checklist_for("kcsie", None)
    data = blank("kcsie", "form", None, fmt)
    boxes = set(fields_of(read_bytes(data, f"blank.{fmt}")))
    f = filling_for(c, "form", seed, boxes, True)
    with_evidence = [q.full_id for q in c.questions() if (q.full_id, "evidence") in boxes]
    for qid, text in zip(with_evidence[3:], PLANTED, strict=False):
        f["evidence"][qid] = text
    if any(part == "action" for _, part in boxes):
        acting = next(k for k in with_evidence[10:] if (k, "action") in boxes)
        f["actions"][acting] = PLANTED_ACTION
    return fill(fmt, data, f, c, "form")


def checked(data: bytes, name: str) -> Checked:
    return check(read_bytes(data, name))


def personal(c: Checked) -> list[Any]:
    return [d for d in c.diagnostics if d.code.code in ("SG560", "SG561")]


def expected_texts(before: Checked) -> dict[Where, str]:
    """Where → the text each scanned value must become (the same scan, redacted)."""
    return {s.where: privacy.redact(s.text, s.findings) for s in before.scanned}


def assert_same_but_redacted(before: Checked, after: Checked) -> None:
    """The answers and details are the same, but for the redacted texts."""
    assert before.return_ is not None and after.return_ is not None
    texts = expected_texts(before)
    assert texts, "nothing was planted"
    for a, b in zip(before.return_.answers, after.return_.answers, strict=True):
        assert (a.question, a.value, a.asked, a.where) == (b.question, b.value, b.asked, b.where)
        for part in ("evidence", "action"):
            where = getattr(a, part + "_where")
            want = texts.get(where, getattr(a, part)) if where is not None else ""
            assert " ".join(getattr(b, part).split()) == " ".join(want.split()), (a.question, part)
    assert before.return_.details == after.return_.details
    assert before.return_.envelope == after.return_.envelope
    others = [d for d in before.diagnostics if d not in personal(before)]
    assert [d for d in after.diagnostics if d.code.code not in ("SG560", "SG561")] == others


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


# -- every format ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "docx"])
def test_a_redacted_copy_has_no_personal_data_and_the_same_answers(fmt: str) -> None:
    if fmt == "json":
        ev = [q.full_id for q in KCSIE.questions()][3:7]
        doc = saved(evidence=dict(zip(ev, PLANTED, strict=True)))
        data = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    else:
        data = planted_return(fmt)
    original = bytes(data)
    name = f"northshire.{fmt}"
    before = checked(data, name)
    assert len(personal(before)) >= 7
    result = redact_bytes(data, name)
    assert result.ok and result.diagnostics == ()
    assert data == original  # never touched
    assert result.data is not None
    after = checked(result.data, name)
    assert personal(after) == []
    assert_same_but_redacted(before, after)
    # what was removed is said, located and masked, never shown
    assert {r.where for r in result.removed} == {s.where for s in before.scanned}
    said = "\n".join(r.line for r in result.removed)
    for secret in ("5870", "Sarah", "Smith", "900123", "1AA", "bloggs", "Jayden", "Amira"):
        assert secret not in said
    assert "[NHS number removed]" in result.data.decode("utf-8", "replace") or fmt in (
        "xlsx",
        "docx",
    )
    # reproducible
    assert redact_bytes(original, name).data == result.data


def test_json_only_the_string_literals_change() -> None:
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["evidence"][ev] = "NHS 943 476 5870 on file for Jayden, aged 7."
    text = json.dumps(doc, indent=3, ensure_ascii=False)
    result = redact_bytes(text.encode(), "a.json")
    assert result.data is not None
    literal = json.dumps(doc["evidence"][ev], ensure_ascii=False)
    new = json.dumps("NHS [NHS number removed] on file for [name removed], aged 7.")
    assert result.data.decode() == text.replace(literal, new)
    assert list(json.loads(result.data)) == list(doc)


def test_json_escaped_file_stays_escaped_and_a_key_given_twice_is_the_one_read() -> None:
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["evidence"][ev] = "PLACEHOLDER"
    text = json.dumps(doc)  # ASCII, with \u escapes
    dup = json.dumps("Caf\u00e9 visit, NHS 943 476 5870")
    text = text.replace('"PLACEHOLDER"', '"old", "' + ev + '": ' + dup)
    result = redact_bytes(text.encode(), "a.json")
    assert result.data is not None
    out = result.data.decode()
    assert out.isascii() and '"old"' in out
    assert json.loads(out)["evidence"][ev] == "Caf\u00e9 visit, NHS [NHS number removed]"


# -- CSV ------------------------------------------------------------------------------------------


def test_csv_keeps_its_encoding_delimiter_and_every_other_byte() -> None:
    from .fill_office import choice_labels, fill_csv

    c = checklist_for("kcsie", None)
    data = blank("kcsie", "form", None, "csv")
    boxes = set(fields_of(read_bytes(data, "blank.csv")))
    f = filling_for(c, "form", 3, boxes, True)
    qid = next(k for k, p in boxes if p == "evidence")
    f["evidence"][qid] = "Spoke to the café about Jayden, aged 7; NHS 943 476 5870"
    filled = fill_csv(data, f, choice_labels(c), encoding="cp1252", delimiter=";")
    filled = b"sep=;\r\n" + filled
    before = checked(filled, "r.csv")
    assert personal(before)
    result = redact_bytes(filled, "r.csv")
    assert result.data is not None
    old_lines, new_lines = filled.split(b"\r\n"), result.data.split(b"\r\n")
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1
    line = new_lines[changed[0]]
    assert b"caf\xe9 about [name removed], aged 7; NHS [NHS number removed]" in line
    assert_same_but_redacted(before, checked(result.data, "r.csv"))


# -- Excel ----------------------------------------------------------------------------------------


def test_xlsx_changes_only_the_strings_and_opens_in_openpyxl() -> None:
    from openpyxl import load_workbook

    data = planted_return("xlsx")
    result = redact_bytes(data, "r.xlsx")
    assert result.data is not None
    old, new = parts(data), parts(result.data)
    assert list(old) == list(new)
    assert {n for n in old if old[n] != new[n]} == {answers_part(data)}
    wb = load_workbook(io.BytesIO(result.data))
    texts = [str(c.value) for row in wb["Answers"].iter_rows() for c in row if c.value]
    assert any("[NHS number removed]" in t for t in texts)
    assert not any("943 476 5870" in t for t in texts)


def answers_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return _sheet_parts(z)[0]["Answers"]


def _edit_cell(data: bytes, cell: str, xml: bytes, shared: bytes = b"") -> bytes:
    """``data`` with the Answers sheet's ``cell`` element replaced by ``xml`` (and, with
    ``shared``, a shared strings part of those ``si`` elements)."""
    import re

    p = parts(data)
    sheet = answers_part(data)
    p[sheet], n = re.subn(
        rb'<c r="' + cell.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', xml, p[sheet], count=1
    )
    assert n == 1
    if shared:
        main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        p["xl/sharedStrings.xml"] = b'<sst xmlns="' + main + b'">' + shared + b"</sst>"
        rel = (
            b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        )
        rels = "xl/_rels/workbook.xml.rels"
        p[rels] = p[rels].replace(b"</Relationships>", rel + b"</Relationships>")
        over = (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(b"</Types>", over + b"</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in p.items():
            z.writestr(name, body)
    return out.getvalue()


def _evidence_cell(data: bytes) -> str:
    raw = read_bytes(data, "r.xlsx")
    return next(v.where.cell for v in raw.values if v.ref.part == "evidence" and v.value)


def test_xlsx_a_number_cell_holding_an_nhs_number_becomes_text() -> None:
    data = planted_return("xlsx")
    cell = _evidence_cell(data)
    data = _edit_cell(data, cell, f'<c r="{cell}"><v>9434765870</v></c>'.encode())
    before = checked(data, "r.xlsx")
    assert any(d.at == f"Answers!{cell}" for d in personal(before))
    result = redact_bytes(data, "r.xlsx")
    assert result.data is not None
    assert (
        f'<c r="{cell}" t="inlineStr"><is><t>[NHS number removed]</t></is></c>'.encode()
        in (parts(result.data)[answers_part(data)])
    )
    assert personal(checked(result.data, "r.xlsx")) == []


def test_xlsx_inline_rich_text_is_edited_in_its_runs() -> None:
    data = planted_return("xlsx")
    cell = _evidence_cell(data)
    xml = (
        f'<c r="{cell}" t="inlineStr"><is><r><t>NHS 943 476</t></r>'
        '<r><rPr><b/></rPr><t xml:space="preserve"> 5870 seen</t></r></is></c>'
    )
    data = _edit_cell(data, cell, xml.encode())
    result = redact_bytes(data, "r.xlsx")
    assert result.data is not None
    sheet = parts(result.data)[answers_part(data)]
    assert b"<r><t>NHS [NHS number removed]</t></r>" in sheet
    assert b'<r><rPr><b/></rPr><t xml:space="preserve"> seen</t></r>' in sheet


def test_xlsx_a_shared_string_is_edited_in_the_shared_strings_alone() -> None:
    data = planted_return("xlsx")
    cell = _evidence_cell(data)
    shared = b"<si><t>unused</t></si><si><t>Referral for Jayden, aged 7, NHS 943 476 5870</t></si>"
    data = _edit_cell(data, cell, f'<c r="{cell}" t="s"><v>1</v></c>'.encode(), shared)
    before = checked(data, "r.xlsx")
    assert [d.at for d in personal(before)].count(f"Answers!{cell}") == 2
    result = redact_bytes(data, "r.xlsx")
    assert result.data is not None
    old, new = parts(data), parts(result.data)
    # the shared strings change; the Answers sheet only for the other planted boxes
    assert new["xl/sharedStrings.xml"].endswith(
        b"<si><t>unused</t></si><si><t>Referral for [name removed], aged 7, NHS [NHS number "
        b"removed]</t></si></sst>"
    )
    assert f'<c r="{cell}" t="s"><v>1</v></c>'.encode() in new[answers_part(data)]
    assert {n for n in old if old[n] != new[n]} == {"xl/sharedStrings.xml", answers_part(data)}
    assert_same_but_redacted(before, checked(result.data, "r.xlsx"))


def test_sg566_a_formula_cell_cannot_be_changed_in_place() -> None:
    data = planted_return("xlsx")
    cell = _evidence_cell(data)
    xml = f'<c r="{cell}" t="str"><f>"NHS "&amp;"943 476 5870"</f><v>NHS 943 476 5870</v></c>'
    result = redact_bytes(_edit_cell(data, cell, xml.encode()), "r.xlsx")
    assert result.data is None
    assert [(d.code.code, d.at) for d in result.diagnostics] == [("SG566", f"Answers!{cell}")]


# -- Word -----------------------------------------------------------------------------------------


def test_docx_changes_only_the_document_text_and_opens_in_python_docx() -> None:
    import docx

    data = planted_return("docx")
    result = redact_bytes(data, "r.docx")
    assert result.data is not None
    old, new = parts(data), parts(result.data)
    assert list(old) == list(new)
    assert {n for n in old if old[n] != new[n]} == {"word/document.xml"}
    text = new["word/document.xml"].decode()
    assert "[NHS number removed]" in text and "5870" not in text and "Sarah" not in text
    assert "Line one of the notes" in text  # the line break and the text around kept
    docx.Document(io.BytesIO(result.data))


# -- failures and the command ---------------------------------------------------------------------


def test_sg565_a_return_of_an_unknown_set_cannot_be_redacted() -> None:
    doc = saved()
    doc["envelope"]["set"] = doc["set"] = "kcsei"
    result = redact_bytes(json.dumps(doc).encode(), "r.json")
    assert result.data is None
    assert [d.code.code for d in result.diagnostics] == ["SG530", "SG565"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _redact(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, ["returns", "redact", *args])


def test_cli_writes_the_copy_says_what_was_removed_and_leaves_the_return(runner, tmp_path):
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["evidence"][ev] = "NHS 943 476 5870; his mother Sarah Smith."
    src = tmp_path / "a.json"
    src.write_text(json.dumps(doc, indent=2))
    before = src.read_bytes()
    out = tmp_path / "shared" / "a.json"
    out.parent.mkdir()
    result = _redact(runner, str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before
    assert result.stdout.splitlines() == [
        f"{src}:/evidence/{ev}: NHS number 943 *** **** removed",
        f"{src}:/evidence/{ev}: named child or family member S**** S**** removed",
        "2 pieces of personal data removed (1 NHS number, 1 named child or family member); "
        f"the copy is {out}",
    ]
    assert json.loads(out.read_text())["evidence"][ev] == (
        "NHS [NHS number removed]; his mother [name removed]."
    )
    again = _redact(runner, str(out), "-o", str(tmp_path / "b.json"))
    assert again.exit_code == 0
    assert again.stdout.startswith("no personal data found")
    assert (tmp_path / "b.json").read_bytes() == out.read_bytes()


def test_cli_kinds_and_json(runner, tmp_path):
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["evidence"][ev] = "NHS 943 476 5870; his mother Sarah Smith."
    src = tmp_path / "a.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "b.json"
    result = _redact(runner, str(src), "-o", str(out), "--kinds", "nhs-number", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["summary"] == {"removed": 1, "by_kind": {"nhs-number": 1}}
    assert payload["removed"][0]["where"] == {"file": str(src), "pointer": f"/evidence/{ev}"}
    assert json.loads(out.read_text())["evidence"][ev] == (
        "NHS [NHS number removed]; his mother Sarah Smith."
    )
    bad = _redact(runner, str(src), "-o", str(out), "--kinds", "nhs-numbr")
    assert bad.exit_code == 2
    assert "'nhs-numbr' is not a kind of personal data (did you mean 'nhs-number'?)" in bad.output


def test_cli_refuses_the_return_itself_as_output_and_needs_o(runner, tmp_path):
    src = tmp_path / "a.json"
    doc = saved()
    doc["evidence"][first(KCSIE, "yes-no").full_id] = "NHS 943 476 5870"
    src.write_text(json.dumps(doc))
    before = src.read_bytes()
    same = _redact(runner, str(src), "-o", str(src))
    assert same.exit_code == 2
    assert f"{src}: SG410 " in same.output
    assert src.read_bytes() == before
    assert _redact(runner, str(src)).exit_code == 2


def test_cli_a_file_that_cannot_be_redacted_is_exit_1_and_nothing_written(runner, tmp_path):
    src = tmp_path / "a.json"
    src.write_text("{not json")
    out = tmp_path / "b.json"
    result = _redact(runner, str(src), "-o", str(out))
    assert result.exit_code == 1
    assert f"{src}:1:2: SG501 " in result.output or "SG50" in result.output
    assert "SG565" in result.output
    assert not out.exists()


def test_redacted_is_typed() -> None:
    r = Redacted("a", "json", b"")
    assert r.ok and r.by_kind() == {}


# -- PDF ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_fields_get_the_redacted_text_and_lose_their_drawn_appearance() -> None:
    pytest.importorskip("safeguard_standards.returns._read_pdf")
    pikepdf = pytest.importorskip("pikepdf")
    fill_pdf = pytest.importorskip("tests.fill_pdf").fill_pdf
    import safeguard_standards as sg
    from safeguard_standards.render import render

    from .returns_fill import random_filling

    c = sg.load_bundled("kcsie")
    f = random_filling(c, 1, long_text=False)
    qs = [q.full_id for q in c.questions()]
    f["evidence"][qs[3]], f["evidence"][qs[4]] = PLANTED[0], PLANTED[1]
    data = fill_pdf(render(c, "form", "pdf", None), f)
    before = checked(data, "r.pdf")
    assert len(personal(before)) == 5
    result = redact_bytes(data, "r.pdf")
    assert result.data is not None and result.diagnostics == ()
    after = checked(result.data, "r.pdf")
    assert personal(after) == []
    assert_same_but_redacted(before, after)
    assert redact_bytes(data, "r.pdf").data == result.data
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert pdf.Root.AcroForm.NeedAppearances is True
        plain = io.BytesIO()  # every stream unpacked, to look for the old text anywhere
        pdf.save(plain, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    for secret in ("943 476 5870", "Sarah Smith", "07700 900123", "SW1A 1AA"):
        for encoded in (secret.encode(), secret.encode("utf-16-be")):
            assert encoded not in plain.getvalue()
        assert secret.encode() in data or secret.encode("utf-16-be") in data


def test_sg568_a_text_that_is_not_an_answer_is_copied_unchecked_and_said() -> None:
    doc = saved()
    doc["evidence"]["leadership.culture.no-such-question"] = (
        "Sarah Smith's brother, NHS 943 476 5870"
    )
    doc["evidence"][first(KCSIE, "yes-no").full_id] = "NHS 943 476 5870"
    result = redact_bytes(json.dumps(doc).encode(), "r.json")
    assert result.data is not None
    assert [(d.code.code, d.at) for d in result.diagnostics] == [
        ("SG568", "/evidence/leadership.culture.no-such-question")
    ]
    out = json.loads(result.data)["evidence"]
    assert (
        out["leadership.culture.no-such-question"]
        == doc["evidence"]["leadership.culture.no-such-question"]
    )
    assert out[first(KCSIE, "yes-no").full_id] == "NHS [NHS number removed]"


def test_sg565_a_workbook_missing_a_part() -> None:
    data = planted_return("xlsx")
    p = parts(data)
    del p["xl/_rels/workbook.xml.rels"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in p.items():
            z.writestr(name, body)
    result = redact_bytes(out.getvalue(), "r.xlsx")
    assert result.data is None
    assert [d.code.code for d in result.diagnostics] == ["SG501", "SG565"]


def test_sg565_a_return_the_reader_could_not_read_whole_is_not_copied() -> None:
    doc = saved()
    doc["evidence"][first(KCSIE, "yes-no").full_id] = "NHS 943 476 5870"
    doc["evidence"]["not a field"] = "his mother Sarah Smith"  # not read (SG504)
    result = redact_bytes(json.dumps(doc).encode(), "r.json")
    assert result.data is None
    assert [(d.code.code, d.at) for d in result.diagnostics] == [
        ("SG504", "/evidence/not a field"),
        ("SG565", ""),
    ]


@pytest.mark.parametrize("seed", range(20))
def test_csv_cells_are_found_where_the_csv_module_reads_them(seed: int) -> None:
    import csv
    import random

    from safeguard_standards.returns.redact import _csv_cells

    rng = random.Random(seed)
    alphabet = ["a", "é", " ", ",", ";", '"', "\r\n", "\n", 'x"y', "🙂"]
    rows = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(4)]
        for _ in range(rng.randint(1, 8))
    ]
    delimiter = rng.choice([",", ";", "\t"])
    buf = io.StringIO(newline="")
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    terminator = rng.choice(["\r\n", "\n"])
    csv.writer(buf, delimiter=delimiter, lineterminator=terminator, quoting=quoting).writerows(rows)
    text = buf.getvalue()
    cells = _csv_cells(text, delimiter)
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    assert [[c[2] for c in r] for r in cells] == expected
    for r in cells:
        for start, end, value, quoted in r:
            raw = text[start:end]
            assert (raw[1:-1].replace('""', '"') if quoted else raw) == value


def test_cli_an_excel_return(runner, tmp_path):
    src = tmp_path / "northshire.xlsx"
    src.write_bytes(planted_return("xlsx"))
    before = src.read_bytes()
    out = tmp_path / "northshire-shared.xlsx"
    result = _redact(runner, str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{src}:Answers!J") and lines[0].endswith(" removed")
    assert lines[-1].startswith("9 pieces of personal data removed (1 NHS number, 1 postcode")
    assert personal(checked(out.read_bytes(), "northshire-shared.xlsx")) == []

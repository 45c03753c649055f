"""Rendering from a completed return: the action plan of its gaps and the completed form.

A form is filled with a seeded random filling (tests/returns_fill.py) as the web form's
answers file, or typed into a blank Word or Excel form (tests/fill_office.py); the return is
read and checked; the action plan made from it is read back (csv, openpyxl, python-docx,
pypdf) and must list every gap with the respondent's action and no other row; the completed
form is read back (pypdf's AcroForm values, the Word content controls, the HTML's controls)
and must hold every answer of the return.
"""

from __future__ import annotations

import csv
import datetime
import html.parser
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

import safeguard_standards as sg
from safeguard_standards import Checklist
from safeguard_standards.diagnostics import Code
from safeguard_standards.fields import action as action_ref
from safeguard_standards.fields import answer, choice, detail, encode, evidence
from safeguard_standards.render import RenderError, RenderOptions, render, render_return
from safeguard_standards.render._envelope import envelope_of
from safeguard_standards.render._number import number_text
from safeguard_standards.returns.check import Checked, check
from safeguard_standards.returns.model import Return
from safeguard_standards.returns.read import is_return, read_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill_office import choice_labels, fill_docx, fill_xlsx
from returns_fill import Filling, random_filling

KCSIE = sg.load_bundled("kcsie", "2025-26")
S11 = sg.load_bundled("section11", "2025-27")
VCS = sg.load_bundled("vcs_checklist", "2025-26")

#: (checklist, audience): the plan per standard (kcsie, section11) and per question (vcs).
CASES = [(KCSIE, {"setting": "academy"}), (S11, {"agency": "police"}), (VCS, None)]
IDS = ["kcsie-academy", "section11-police", "vcs"]


# -- making returns ---------------------------------------------------------------------------


def filling_for(c: Checklist, seed: int, audience: dict[str, str] | None = None) -> Filling:
    """A random filling with every question the form would ask answered (so the return has
    no errors), and none of the questions it would hide."""
    f = random_filling(c, seed, audience=audience, empty=0.0, long_text=False)
    shown = c.select(audience) if audience else c
    asked: dict[str, Any] = {}
    for q in shown.questions():
        if q.full_id in f["answers"] and (q.ask_if is None or q.ask_if.holds(asked)):
            asked[q.full_id] = f["answers"][q.full_id]
    f["answers"] = asked
    f["evidence"] = {k: v for k, v in f["evidence"].items() if k in asked}
    f["actions"] = {k: v for k, v in f["actions"].items() if k in asked}
    return f


def answers_file(c: Checklist, f: Filling, audience: dict[str, str] | None = None) -> bytes:
    """The answers file the HTML form saves for filling ``f``."""
    aud = dict(audience or {})
    shown = c.select(aud) if aud else c
    env = envelope_of(shown, "form", RenderOptions(audience=tuple(aud.items()))).to_dict()
    doc = {"set": c.id, "version": c.version, "kind": "form", "envelope": env, **f}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def checked_return(data: bytes, name: str) -> Return:
    checked: Checked = check(read_bytes(data, name))
    assert checked.errors == (), [(d.code.code, d.at, d.message) for d in checked.errors]
    assert checked.return_ is not None
    return checked.return_


# -- what the plan must say, worked out here from the filling ---------------------------------


def gateways(c: Checklist) -> set[str]:
    out: set[str] = set()
    for q in c.questions():
        if q.ask_if is not None:
            out.update(q.ask_if.questions())
    return out


def expected_gaps(c: Checklist, f: Filling) -> dict[str, str]:
    """Full id → the action given, for every answer in ``f`` that is a gap: a rating at a
    level that requires an action, a "no" to a yes-no question no other question depends on."""
    scales = {s.id: s for s in c.scales}
    gates = gateways(c)
    out = {}
    for q in c.questions():
        value = f["answers"].get(q.full_id)
        if value is None:
            continue
        if q.type == "rating":
            level = next(lv for lv in scales[q.scale].levels if lv.id == value)
            if "action" not in level.requires:
                continue
        elif not (q.type == "yes-no" and value == "no" and q.full_id not in gates):
            continue
        out[q.full_id] = f["actions"].get(q.full_id, "")
    return out


def standard_of(full_id: str) -> str:
    return full_id.rsplit(".", 1)[0]


def plan_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def finding_label(c: Checklist) -> str:
    return next((col.label for col in c.action_plan.columns if col.id == "finding"), "Finding")


def action_label(c: Checklist) -> str:
    return next((col.label for col in c.action_plan.columns if col.id == "action"), "Action")


def assert_plan_rows(c: Checklist, f: Filling, rows: list[dict[str, str]]) -> None:
    """Every gap in ``f`` is in ``rows`` with its finding and action; no other row is."""
    gaps = expected_gaps(c, f)
    assert gaps, "the filling has no gap to test with"
    numbers = c.numbering()
    per = c.action_plan.per
    want = set(gaps) if per == "question" else {standard_of(g) for g in gaps}
    assert [r["Id"] for r in rows] == [i for i in numbers if i in want]  # in the set's order
    by_id = {r["Id"]: r for r in rows}
    for qid, act in gaps.items():
        row = by_id[qid if per == "question" else standard_of(qid)]
        finding = row[finding_label(c)]
        q = c.question(qid)
        assert q is not None
        assert f"{numbers[qid]} " in finding
        given = f["answers"][qid]
        label = choice_labels(c)[qid][given]
        assert f"Answer: {label}." in finding
        if f["evidence"].get(qid):
            assert f["evidence"][qid].strip() in finding
        if act:
            assert act.strip() in row[action_label(c)]
    if per == "standard":  # a standard with several gaps lists each, in order
        several = [s for s in want if sum(standard_of(g) == s for g in gaps) > 1]
        assert several, "the filling has no standard with two gaps"
        for s in several:
            text = by_id[s][finding_label(c)]
            mine = [numbers[g] for g in gaps if standard_of(g) == s]
            places = [text.index(f"{n} ") for n in mine]
            assert places == sorted(places)


# -- the action plan --------------------------------------------------------------------------


@pytest.mark.parametrize(("c", "audience"), CASES, ids=IDS)
def test_the_action_plan_lists_every_gap_with_its_action_and_no_other(c, audience):
    for seed in (1, 2, 3):
        f = filling_for(c, seed, audience)
        ret = checked_return(answers_file(c, f, audience), "r.json")
        rows = plan_rows(render_return(ret, c, "action-plan", "csv"))
        assert_plan_rows(c, f, rows)


def test_a_set_without_finding_and_action_columns_gets_them():
    # vcs_checklist's plan has What / Who / When / Support / Done: the finding and the action
    # still have a column each, after the question
    f = filling_for(VCS, 1)
    ret = checked_return(answers_file(VCS, f), "r.json")
    head = next(csv.reader(io.StringIO(render_return(ret, VCS, "action-plan", "csv").decode())))
    assert head[4:8] == ["Question", "Finding", "Action", "What needs to happen"]
    blank = next(csv.reader(io.StringIO(render(VCS, "action-plan", "csv").decode())))
    assert "Finding" not in blank  # the blank skeleton is as it was


def test_a_return_without_gaps_makes_an_empty_plan_that_says_so():
    f = filling_for(VCS, 1)
    scales = {s.id: s for s in VCS.scales}
    for q in VCS.questions():
        if q.full_id not in f["answers"]:
            continue
        if q.type == "yes-no" and q.full_id not in gateways(VCS):
            f["answers"][q.full_id] = "yes"
        elif q.type == "rating":
            plain = next(lv.id for lv in scales[q.scale].levels if not lv.requires)
            f["answers"][q.full_id] = plain
            f["actions"].pop(q.full_id, None)
    ret = checked_return(answers_file(VCS, f), "r.json")
    assert plan_rows(render_return(ret, VCS, "action-plan", "csv")) == []
    md = render_return(ret, VCS, "action-plan", "md").decode()
    assert "The return shows no gaps." in md
    page = render_return(ret, VCS, "action-plan", "html").decode()
    assert 'class="no-gaps"' in page


def test_the_rag_column_takes_the_worst_level():
    c, audience = KCSIE, {"setting": "academy"}
    f = filling_for(c, 2, audience)
    ret = checked_return(answers_file(c, f, audience), "r.json")
    rows = {r["Id"]: r for r in plan_rows(render_return(ret, c, "action-plan", "csv"))}
    scales = {s.id: s for s in c.scales}
    for qid in expected_gaps(c, f):
        q = c.question(qid)
        assert q is not None
        if q.type == "rating":
            rag = next(lv.rag for lv in scales[q.scale].levels if lv.id == f["answers"][qid])
            assert rows[standard_of(qid)]["RAG"] in ("Red", rag.capitalize())


def test_json_and_markdown_plans_carry_the_same_rows():
    c = VCS
    f = filling_for(c, 4)
    ret = checked_return(answers_file(c, f), "r.json")
    rows = plan_rows(render_return(ret, c, "action-plan", "csv"))
    data = json.loads(render_return(ret, c, "action-plan", "json"))
    assert data["organisation"] == f["details"]["org.name"]
    assert [r["id"] for r in data["rows"]] == [r["Id"] for r in rows]
    assert [r["values"]["action"] for r in data["rows"]] == [r["Action"] for r in rows]
    md = render_return(ret, c, "action-plan", "md").decode()
    for r in rows:
        assert f"| {r['Ref']} |" in md


def test_an_xlsx_return_makes_the_plan_of_its_gaps_in_excel():
    from openpyxl import load_workbook

    c, audience = KCSIE, {"setting": "academy"}
    f = filling_for(c, 5, audience)
    shown = c.select(audience)
    blank = render(shown, "form", "xlsx", {"audience": audience})
    filled = fill_xlsx(blank, f, choice_labels(shown))
    ret = checked_return(filled, "northshire.xlsx")
    plan = render_return(ret, c, "action-plan", "xlsx")
    ws = load_workbook(io.BytesIO(plan))["Action plan"]
    values = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]
    rows = [
        {h: "" if v is None else str(v) for h, v in zip(head, row, strict=False)}
        for row in values[1:]
    ]
    assert_plan_rows(c, f, rows)
    # the same plan as from the answers file of the same filling
    from_json = checked_return(answers_file(c, f, audience), "r.json")
    assert plan_rows(render_return(from_json, c, "action-plan", "csv")) == plan_rows(
        render_return(ret, c, "action-plan", "csv")
    )


def docx_tables(data: bytes) -> list[dict[str, str]]:
    import docx

    document = docx.Document(io.BytesIO(data))
    out = []
    for table in document.tables:
        head = [cell.text for cell in table.rows[0].cells]
        for row in table.rows[1:]:
            out.append(dict(zip(head, (cell.text for cell in row.cells), strict=False)))
    return out


def test_a_docx_return_makes_the_plan_of_its_gaps_in_word():
    import docx

    c, audience = S11, {"agency": "police"}
    f = filling_for(c, 6, audience)
    shown = c.select(audience)
    filled = fill_docx(render(shown, "form", "docx", {"audience": audience}), f)
    ret = checked_return(filled, "police.docx")
    plan = render_return(ret, c, "action-plan", "docx")
    rows = docx_tables(plan)
    gaps = expected_gaps(c, f)
    numbers = c.numbering()
    assert [r["Ref"] for r in rows] == [
        numbers[s] for s in numbers if s in {standard_of(g) for g in gaps}
    ]
    by_ref = {r["Ref"]: r for r in rows}
    for qid, act in gaps.items():
        row = by_ref[numbers[standard_of(qid)]]
        assert f"{numbers[qid]} " in row[finding_label(c)]
        if act:
            assert act.strip() in row[action_label(c)]
    title = docx.Document(io.BytesIO(plan)).core_properties.title
    assert " ".join(f["details"]["org.name"].split())[:40] in title


@pytest.mark.slow
def test_the_pdf_plan_names_the_organisation_and_every_gap():
    import pypdf

    c = VCS
    f = filling_for(c, 7)
    f["details"]["org.name"] = "Northshire Youth Club"
    ret = checked_return(answers_file(c, f), "r.json")
    reader = pypdf.PdfReader(io.BytesIO(render_return(ret, c, "action-plan", "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Northshire Youth Club" in text
    numbers = c.numbering()
    gaps = expected_gaps(c, f)
    for qid in gaps:
        assert numbers[qid] in text
    others = [numbers[q.full_id] for q in c.questions() if q.full_id not in gaps]
    listed = {line.split()[0] for line in text.splitlines() if line.split()}
    assert not listed & set(others)


def test_the_html_plan_names_the_organisation_in_its_title():
    f = filling_for(VCS, 8)
    f["details"]["org.name"] = "Northshire Youth Club"
    ret = checked_return(answers_file(VCS, f), "r.json")
    page = render_return(ret, VCS, "action-plan", "html").decode()
    assert '<p class="kind run-kind">Action plan — Northshire Youth Club</p>' in page


# -- the completed form -----------------------------------------------------------------------


def shown_text(q: Any, value: Any) -> str:
    """What a text box of the completed form holds for ``value``."""
    if q.type in ("number", "percentage"):
        return number_text(value)
    return str(value)


@pytest.mark.slow
def test_the_completed_pdf_form_holds_every_answer():
    import pypdf

    c = VCS
    f = filling_for(c, 9)
    ret = checked_return(answers_file(c, f), "r.json")
    reader = pypdf.PdfReader(io.BytesIO(render_return(ret, c, "form", "pdf")))
    fields = reader.get_fields()
    assert fields is not None
    got: dict[str, Any] = {}
    for q in c.questions():
        name = encode("pdf", answer(q.full_id))
        field = fields[name]
        if q.type == "multi-choice":
            ticked = tuple(
                o.id
                for o in q.options
                if fields[f"{name}.{encode('pdf', choice(q.full_id, o.id)).split('.')[-1]}"].get(
                    "/V"
                )
                == "/on"
            )
            value: Any = list(ticked) or None
        elif q.type in ("rating", "yes-no", "choice"):
            v = field.get("/V")
            value = None if v in (None, "/Off") else field["/Opt"][int(str(v)[1:])]
        else:
            value = field.get("/V") or None
        if value is not None:
            got[q.full_id] = value
        ev = fields[encode("pdf", evidence(q.full_id))].get("/V")
        if ev:
            got[q.full_id + ":evidence"] = ev
        act = fields.get(encode("pdf", action_ref(q.full_id)))
        if act is not None and act.get("/V"):
            got[q.full_id + ":action"] = act["/V"]
    want: dict[str, Any] = {}
    for q in c.questions():
        if q.full_id in f["answers"]:
            v = f["answers"][q.full_id]
            want[q.full_id] = (
                v
                if q.type in ("rating", "yes-no", "choice", "multi-choice")
                else (shown_text(q, v))
            )
    want |= {k + ":evidence": v for k, v in f["evidence"].items()}
    want |= {k + ":action": v for k, v in f["actions"].items()}
    assert got == want
    details = {k: fields[encode("pdf", detail(k))].get("/V") for k in f["details"]}
    assert details == f["details"]


def docx_controls(data: bytes) -> tuple[dict[str, str], set[str]]:
    """Tag → text of every text control not showing its placeholder, and the ticked boxes."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    texts: dict[str, str] = {}
    ticked: set[str] = set()
    for sdt in root.iter(f"{w}sdt"):
        pr = sdt.find(f"{w}sdtPr")
        tag = pr.find(f"{w}tag").get(f"{w}val")
        box = pr.find(f"{w14}checkbox")
        if box is not None:
            if box.find(f"{w14}checked").get(f"{w14}val") == "1":
                ticked.add(tag)
            continue
        if pr.find(f"{w}showingPlcHdr") is not None or sdt.find(f"{w}sdtContent/{w}p") is not None:
            continue
        parts = []
        for el in sdt.find(f"{w}sdtContent").iter(f"{w}t", f"{w}br"):
            parts.append("\n" if el.tag == f"{w}br" else el.text or "")
        texts[tag] = "".join(parts)
    return texts, ticked


def test_the_completed_word_form_carries_every_value_and_reads_back_as_the_return():
    c, audience = KCSIE, {"setting": "academy"}
    f = filling_for(c, 10, audience)
    ret = checked_return(answers_file(c, f, audience), "r.json")
    data = render_return(ret, c, "form", "docx")
    texts, ticked = docx_controls(data)
    want_ticked = set()
    want_texts: dict[str, str] = {}
    for q in c.select(audience).questions():
        v = f["answers"].get(q.full_id)
        if v is None:
            continue
        if q.type in ("rating", "yes-no", "choice", "multi-choice"):
            want_ticked |= {f"{q.full_id}={x}" for x in (v if isinstance(v, list) else [v])}
        elif q.type == "date":
            want_texts[q.full_id] = datetime.date.fromisoformat(v).strftime("%d/%m/%Y")
        else:
            want_texts[q.full_id] = shown_text(q, v)
    want_texts |= {f"{k}.evidence": v for k, v in f["evidence"].items()}
    want_texts |= {f"{k}.action": v for k, v in f["actions"].items()}
    for k, v in f["details"].items():
        is_date = k in ("org.date", "signoff.date")
        want_texts[k] = datetime.date.fromisoformat(v).strftime("%d/%m/%Y") if is_date else v
    assert ticked == want_ticked
    assert texts == want_texts
    # and it is still a form: read back, it is the same return
    again = checked_return(data, "completed.docx")
    keys = ("answers", "evidence", "actions", "details")
    assert {k: again.to_dict()[k] for k in keys} == {k: ret.to_dict()[k] for k in keys}


class _Controls(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.checked: set[tuple[str, str]] = set()
        self.values: dict[str, str] = {}
        self.form: dict[str, str | None] = {}
        self._area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.form = a
        if tag == "input" and a.get("type") in ("radio", "checkbox"):
            if "checked" in a:
                self.checked.add((str(a["name"]), str(a["value"])))
        elif tag == "input" and a.get("name") and a.get("value") is not None:
            self.values[str(a["name"])] = str(a["value"])
        elif tag == "textarea":
            self._area = str(a["name"])
            self.values[self._area] = ""

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self.values[self._area] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._area is not None and not self.values[self._area]:
                del self.values[self._area]
            self._area = None


def test_the_completed_html_form_has_its_answers_in_its_controls():
    c, audience = S11, {"agency": "police"}
    f = filling_for(c, 11, audience)
    ret = checked_return(answers_file(c, f, audience), "r.json")
    page = render_return(ret, c, "form", "html").decode()
    parsed = _Controls()
    parsed.feed(page)
    want_checked = set()
    want_values: dict[str, str] = {}
    for q in c.select(audience).questions():
        v = f["answers"].get(q.full_id)
        if v is None:
            continue
        name = encode("html", answer(q.full_id))
        if q.type in ("rating", "yes-no", "choice", "multi-choice"):
            want_checked |= {(name, x) for x in (v if isinstance(v, list) else [v])}
        else:
            want_values[name] = shown_text(q, v)
    want_values |= {encode("html", evidence(k)): v for k, v in f["evidence"].items()}
    want_values |= {encode("html", action_ref(k)): v for k, v in f["actions"].items()}
    want_values |= {encode("html", detail(k)): v for k, v in f["details"].items()}
    assert parsed.checked == want_checked
    assert parsed.values == want_values
    # the page knows it shows a return: form.js keeps edits to it apart from the blank form's
    assert parsed.form.get("data-prefilled")
    blank = _Controls()
    blank.feed(render(c.select(audience), "form", "html", {"audience": audience}).decode())
    assert (blank.checked, blank.values, blank.form.get("data-prefilled")) == (set(), {}, None)


def test_text_starting_with_a_line_break_keeps_it_in_a_textarea():
    import attrs

    f = filling_for(VCS, 12)
    ret = checked_return(answers_file(VCS, f), "r.json")
    qid = next(iter(f["evidence"]))
    # the checker trims answers; a Return made in code may still start with a line break
    answers = tuple(
        attrs.evolve(a, evidence="\nsecond line") if a.question == qid else a for a in ret.answers
    )
    page = render_return(attrs.evolve(ret, answers=answers), VCS, "form", "html").decode()
    parsed = _Controls()
    parsed.feed(page)
    # an HTML parser drops the first line break after <textarea>: one more is written
    assert parsed.values[encode("html", evidence(qid))] in ("\n\nsecond line", "\nsecond line")
    assert ">\n\nsecond line</textarea>" in page


@pytest.mark.slow
def test_outputs_from_a_return_are_reproducible():
    f = filling_for(VCS, 13)
    ret = checked_return(answers_file(VCS, f), "r.json")
    for kind, fmt in [
        ("action-plan", "csv"),
        ("action-plan", "xlsx"),
        ("action-plan", "docx"),
        ("action-plan", "pdf"),
        ("form", "docx"),
        ("form", "html"),
        ("form", "pdf"),
    ]:
        assert render_return(ret, VCS, kind, fmt) == render_return(ret, VCS, kind, fmt), (
            kind,
            fmt,
        )


# -- refusals (library) -----------------------------------------------------------------------


def test_the_library_refuses_what_cannot_be_made_from_a_return():
    f = filling_for(KCSIE, 1, {"setting": "academy"})
    ret = checked_return(answers_file(KCSIE, f, {"setting": "academy"}), "r.json")
    cases = [
        (KCSIE, "guidance", "pdf", None, Code.RENDER_RETURN_KIND),
        (KCSIE, "form", "xlsx", None, Code.RENDER_RETURN_FORMAT),
        (KCSIE, "form", "md", None, Code.RENDER_RETURN_FORMAT),
        (sg.load_bundled("kcsie", "2024-25"), "action-plan", "csv", None, Code.RENDER_RETURN_SET),
        (KCSIE, "action-plan", "csv", {"setting": "maintained"}, Code.RENDER_RETURN_AUDIENCE),
    ]
    for c, kind, fmt, audience, code in cases:
        options = {"audience": audience} if audience else None
        with pytest.raises(RenderError) as err:
            render_return(ret, c, kind, fmt, options)
        assert err.value.entry is code, (kind, fmt)


def test_is_return_tells_a_return_from_a_set():
    f = filling_for(VCS, 1)
    assert is_return(answers_file(VCS, f), "r.json")
    yaml_text = Path(VCS.source).read_bytes() if Path(VCS.source).is_file() else b"dsl: 1\n"
    assert not is_return(yaml_text, "set.yaml")
    assert not is_return(b'{"dsl": 1, "sections": [], "answers": 1}', "set.json")


# -- the command line -------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_cli_renders_the_action_plan_of_a_json_return(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    f = filling_for(VCS, 1)
    (tmp_path / "club.json").write_bytes(answers_file(VCS, f))
    result = run("render", "club.json", "--as", "action-plan", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "wrote club-action-plan.csv" in result.output
    assert_plan_rows(VCS, f, plan_rows((tmp_path / "club-action-plan.csv").read_bytes()))


def test_cli_renders_the_completed_form_of_an_xlsx_return(tmp_path: Path) -> None:
    c, audience = KCSIE, {"setting": "academy"}
    f = filling_for(c, 2, audience)
    shown = c.select(audience)
    blank = render(shown, "form", "xlsx", {"audience": audience})
    (tmp_path / "school.xlsx").write_bytes(fill_xlsx(blank, f, choice_labels(shown)))
    out = tmp_path / "done.docx"
    args = ("render", str(tmp_path / "school.xlsx"), "--as", "form", "--format", "docx")
    result = run(*args, "-o", str(out))
    assert result.exit_code == 0, result.output
    texts, ticked = docx_controls(out.read_bytes())
    assert texts["org.name"] == f["details"]["org.name"]
    first = next(q for q in shown.questions() if q.type == "rating" and q.full_id in f["answers"])
    assert f"{first.full_id}={f['answers'][first.full_id]}" in ticked
    # --for as the return was made: fine; another audience: a usage error
    same = run(*args, "-o", str(out), "--for", "setting=academy")
    assert same.exit_code == 0, same.output
    other = run(*args, "-o", str(tmp_path / "x.docx"), "--for", "setting=maintained")
    assert other.exit_code == 2
    assert "SG573" in other.stderr
    assert "setting=academy" in other.stderr
    assert not (tmp_path / "x.docx").exists()


def test_cli_refuses_a_return_with_errors_and_says_where(tmp_path: Path) -> None:
    f = filling_for(VCS, 1)
    rating = next(q for q in VCS.questions() if q.type == "rating" and q.full_id in f["answers"])
    f["answers"][rating.full_id] = "brilliant"
    path = tmp_path / "club.json"
    path.write_bytes(answers_file(VCS, f))
    out = tmp_path / "plan.csv"
    result = run("render", str(path), "--as", "action-plan", "--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert f"{path}:/answers/{rating.full_id}: SG" in result.stderr
    assert "SG572" in result.stderr
    assert not out.exists()


def test_cli_renders_a_return_with_warnings_only(tmp_path: Path) -> None:
    f = filling_for(VCS, 1)
    del f["details"]["org.contact"]  # SG551, a warning
    path = tmp_path / "club.json"
    path.write_bytes(answers_file(VCS, f))
    out = tmp_path / "plan.md"
    result = run("render", str(path), "--as", "action-plan", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "SG551" in result.stderr
    assert out.read_text().startswith("# ")


@pytest.mark.parametrize(
    ("kind", "fmt", "code"),
    [("guidance", "html", "SG570"), ("changes", "md", "SG570"), ("form", "csv", "SG571")],
)
def test_cli_usage_errors_for_a_return(tmp_path: Path, kind: str, fmt: str, code: str) -> None:
    path = tmp_path / "club.json"
    path.write_bytes(answers_file(VCS, filling_for(VCS, 1)))
    result = run("render", str(path), "--as", kind, "--format", fmt, "-o", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert code in result.stderr


# -- the completed HTML form in a browser -----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_the_completed_html_form_works_as_a_form_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    c = VCS
    f = filling_for(c, 14)
    # a one-line box holds no line breaks (the blank form's address box cannot either)
    f["details"] = {k: " ".join(v.split("\n")) for k, v in f["details"].items()}
    ret = checked_return(answers_file(c, f), "r.json")
    blank = tmp_path / "blank.html"
    blank.write_bytes(render(c, "form", "html"))
    done = tmp_path / "completed.html"
    done.write_bytes(render_return(ret, c, "form", "html"))
    keys = ("answers", "evidence", "actions", "details")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_context().new_page()
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            # a blank form with an answer kept in this browser
            page.goto(blank.as_uri())
            first = next(q for q in c.questions() if q.type == "text")
            page.fill(f"[name='{encode('html', answer(first.full_id))}']", "typed in the blank")
            page.wait_for_timeout(1500)  # the autosave
            page.goto(done.as_uri())
            got = page.evaluate("() => window.safeguardForm.collect()")
            status = page.locator("#sg-status").inner_text()
        finally:
            browser.close()
    # the page starts from the return's answers, not from the blank form's kept ones
    again = check(read_bytes(json.dumps(got).encode(), "saved.json"))
    assert again.errors == ()
    assert again.return_ is not None
    assert {k: again.return_.to_dict()[k] for k in keys} == {k: ret.to_dict()[k] for k in keys}
    assert "typed in the blank" not in status

"""XLSX renders, reopened with openpyxl: questions, dropdowns, protection, defined names,
summary formulas (evaluated on filled-in answers), action plan, and formula injection."""

from __future__ import annotations

import fnmatch
import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.model import Checklist
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._csv import FORMULA_TRIGGERS
from safeguard_standards.render._view import ORGANISATION_FIELDS, SIGN_OFF_FIELDS, choices

CASES = Path(__file__).resolve().parent / "cases"
COMPLETE = CASES / "valid" / "complete.yaml"
BUNDLED = [
    (s.id, v)
    for s in sg.bundled_sets()
    for v in s.versions
    if sg.check_bundled(s.id, v).checklist is not None
]
HEAD = [
    "Ref",
    "Id",
    "Section",
    "Standard",
    "Question",
    "Answer type",
    "Answer if",
    "Evidence to look for",
    "Answer",
    "Evidence",
    "Action",
    "Notes",
    "Type id",
]


def complete() -> Checklist:
    return sg.load_path(COMPLETE)


def workbook(c: Checklist, kind: str = "form", options: RenderOptions | None = None) -> Workbook:
    return load_workbook(io.BytesIO(render(c, kind, "xlsx", options)))


def answer_rows(wb: Workbook) -> dict[str, int]:
    """Full id → row on the Answers sheet (the Id column is the authoritative mapping)."""
    ws = wb["Answers"]
    return {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}


def resolve(wb: Workbook, ref: str) -> list[Any]:
    """The values of a defined name or a ``'Sheet'!$A$1:$A$4`` reference."""
    if ref in wb.defined_names:
        ref = wb.defined_names[ref].attr_text
    sheet, _, cells = ref.rpartition("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def is_locked(ws: Any, coordinate: str) -> bool:
    """Whether a cell is locked as Excel and LibreOffice see it: by its own format if the file
    has a record for it, else by its column's format. Call it before anything reads the cell
    through openpyxl, which invents a default (locked) cell on access."""
    from openpyxl.utils.cell import coordinate_to_tuple

    row, col = coordinate_to_tuple(coordinate)
    cell = ws._cells.get((row, col))  # only the cells the file holds
    if cell is not None:
        return bool(cell.protection.locked)
    letter = "".join(ch for ch in coordinate if ch.isalpha())
    dim = ws.column_dimensions.get(letter)
    return dim is None or bool(dim.protection.locked)


def validation_at(ws: Any, coordinate: str) -> Any:
    found = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) <= 1, coordinate
    return found[0] if found else None


# -- answers sheet ----------------------------------------------------------------------------


def test_answers_sheet_has_every_question_in_order() -> None:
    c = complete()
    wb = workbook(c)
    assert wb.sheetnames == ["Cover", "Answers", "Summary", "Action plan", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    ws = wb["Answers"]
    assert [cell.value for cell in ws[1]] == HEAD
    numbers = c.numbering()
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in body] == [q.full_id for q in c.questions()]
    assert [r[0] for r in body] == [numbers[q.full_id] for q in c.questions()]
    assert [r[4] for r in body] == [q.text for q in c.questions()]
    assert [r[8:12] for r in body] == [(None, None, None, None)] * len(body)
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:L{ws.max_row}"
    assert ws.column_dimensions["M"].hidden
    assert ws["E2"].alignment.wrap_text


def test_conditions_and_evidence_prompts_are_shown() -> None:
    wb = workbook(complete())
    ws = wb["Answers"]
    rows = answer_rows(wb)
    r = rows["leadership.governance.governor-visits"]
    assert ws.cell(r, 7).value == "Answer if you answered Yes to 1.1.1"
    assert ws.cell(r, 8).value == "Visit notes"
    assert ws.cell(rows["leadership.governance.named-governor"], 7).value is None


def test_dropdowns_list_exactly_the_labels() -> None:
    c = complete()
    wb = workbook(c)
    ws = wb["Answers"]
    rows = answer_rows(wb)
    for q in c.questions():
        coordinate = f"I{rows[q.full_id]}"
        dv = validation_at(ws, coordinate)
        if q.type in ("yes-no", "rating", "choice"):
            assert dv is not None and dv.type == "list", q.full_id
            assert resolve(wb, dv.formula1) == [ch.label for ch in choices(q, c)], q.full_id
            assert dv.showErrorMessage and dv.allow_blank
            assert not dv.showDropDown  # True would *hide* the arrow
        elif q.type == "number":
            # whole numbers, like the HTML form's step=1 for whole or absent bounds
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif q.type == "date":
            assert dv.type == "date"
        else:
            assert dv is None, q.full_id


def test_rating_dropdown_is_the_scale_of_a_bundled_set() -> None:
    c = sg.load_bundled("kcsie", "2025-26")
    wb = workbook(c)
    scale = c.scale(c.default_scale)
    assert scale is not None
    rating = next(q for q in c.questions() if q.type == "rating")
    dv = validation_at(wb["Answers"], f"I{answer_rows(wb)[rating.full_id]}")
    assert resolve(wb, dv.formula1) == [level.label for level in scale.levels]


def test_percentage_is_checked_between_0_and_100() -> None:
    c = sg.load_bundled("section11", "2023-25")
    q = next(q for q in c.questions() if q.type == "percentage")
    wb = workbook(c)
    dv = validation_at(wb["Answers"], f"I{answer_rows(wb)[q.full_id]}")
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "100")


def test_question_cells_locked_answer_cells_open_sheets_protected() -> None:
    c = complete()
    wb = workbook(c)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
    ws = wb["Answers"]
    rows = answer_rows(wb)
    # the Action cell is open only where an answer can be at a level that requires an action
    acting = {rows[q.full_id] for q in c.questions() if needs_action(q, c)}
    assert acting
    for r in range(2, ws.max_row + 1):
        for col in "ABCDEFGHM":
            assert is_locked(ws, f"{col}{r}"), f"{col}{r}"
        for col in "IJL":
            assert not is_locked(ws, f"{col}{r}"), f"{col}{r}"
        assert is_locked(ws, f"K{r}") == (r not in acting), f"K{r}"
    assert is_locked(ws, "A1") and is_locked(ws, "I1")
    # the open cells in use are coloured (a conditional format over exactly those cells)
    last = ws.max_row
    found = []
    for cf in ws.conditional_formatting:
        parts = str(cf.sqref).split()
        others = {p for p in parts if not p.startswith("K")}
        found.append((others, _cells(p for p in parts if p.startswith("K"))))
    assert ({f"I2:J{last}", f"L2:L{last}"}, acting) in found, found


def needs_action(q: sg.Question, checklist: Checklist) -> bool:
    """Whether an answer to ``q`` can be at a level that requires an action."""
    scale = checklist.scale(q.scale or checklist.default_scale) if q.type == "rating" else None
    return scale is not None and any("action" in level.requires for level in scale.levels)


def _cells(ranges: Any) -> set[int]:
    """The rows of column ranges such as ``K3`` and ``K5:K7``."""
    out: set[int] = set()
    for part in ranges:
        first, _, end = part.partition(":")
        out |= set(range(int(first[1:]), int((end or first)[1:]) + 1))
    return out


def test_every_answer_cell_has_a_defined_name_from_its_id() -> None:
    c = complete()
    wb = workbook(c)
    rows = answer_rows(wb)
    for q in c.questions():
        name = fields.encode("xlsx", fields.answer(q.full_id))
        assert name in wb.defined_names
        assert wb.defined_names[name].attr_text == f"'Answers'!$I${rows[q.full_id]}"
        assert fields.decode("xlsx", name) == fields.answer(q.full_id)
        name = fields.encode("xlsx", fields.evidence(q.full_id))
        assert wb.defined_names[name].attr_text == f"'Answers'!$J${rows[q.full_id]}"


def test_defined_names_are_letters_digits_underscores() -> None:
    assert (
        fields.encode("xlsx", fields.answer("leadership.governance.named-governor"))
        == "SG_leadership__governance__named___governor"
    )
    assert fields.encode("xlsx", fields.detail("org.completed_by")) == "SG_org__completed_by"
    assert fields.decode("xlsx", "SG_LIST_1") is None
    assert fields.decode("xlsx", "Print_Area") is None
    with pytest.raises(ValueError):
        fields.answer("Not an id")


_ID = st.from_regex(r"[a-z0-9]{1,6}([-_][a-z0-9]{1,6}){0,3}", fullmatch=True)


@given(st.lists(_ID, min_size=3, max_size=3), st.sampled_from(["answer", "evidence"]))
def test_defined_name_mapping_is_reversible(parts: list[str], part: str) -> None:
    ref = fields.FieldRef(".".join(parts), part)  # type: ignore[arg-type]
    name = fields.encode("xlsx", ref)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)
    assert fields.decode("xlsx", name) == ref


# -- cover ------------------------------------------------------------------------------------


def test_cover_has_the_title_version_publisher_and_open_detail_cells() -> None:
    c = complete()
    wb = workbook(c, options=RenderOptions(audience=(("setting", "academy"),)))
    ws = wb["Cover"]
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}
    assert ws["A1"].value == c.title
    assert values["Version"] == "2025-26"
    assert values["Published by"] == "Example Safeguarding Partnership"
    assert values["Contact"] == "audit@example.org"
    assert values["Type of setting"] == "Academy"
    for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS):
        ref = wb.defined_names[fields.encode("xlsx", f.ref)].attr_text
        cell = ws[ref.split("!")[1].replace("$", "")]
        assert ws.cell(cell.row, 1).value == f.label
        assert not cell.protection.locked


# -- summary ----------------------------------------------------------------------------------


def _criterion(value: Any, criterion: str) -> bool:
    text = "" if value is None else str(value)
    if criterion == "<>":
        return text != ""
    if criterion.startswith("="):
        criterion = criterion[1:]
    pattern = re.sub(r"~([*?~])", r"[\1]", criterion)
    return fnmatch.fnmatchcase(text, pattern)


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments (commas inside quotes or brackets don't count)."""
    args, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return args


def _text_value(wb: Workbook, expr: str) -> str:
    """A text expression of the Summary: "literal", a cell, A&B, SUBSTITUTE(x,"a","b")."""
    parts = _split_args(expr.replace("&", ","))  # top-level & joins, like a comma here
    if len(parts) > 1 and not expr.startswith("SUBSTITUTE("):
        return "".join(_text_value(wb, part) for part in parts)
    if expr.startswith('"'):
        return expr[1:-1].replace('""', '"')
    m = re.fullmatch(r"SUBSTITUTE\((.*)\)", expr)
    if m:
        inner, old, new = _split_args(m.group(1))
        return _text_value(wb, inner).replace(_text_value(wb, old), _text_value(wb, new))
    sheet, _, cell = expr.rpartition("!")
    value = wb[sheet.strip("'")][cell.replace("$", "")].value
    return "" if value is None else str(value)


def evaluate(wb: Workbook, ws: Any, formula: str) -> int:
    """A small evaluator for the formulas the Summary uses: COUNTIFS, A-B, SUM(range)."""
    body = formula.removeprefix("=")
    m = re.fullmatch(r"COUNTIFS\((.*)\)", body)
    if m:
        args = _split_args(m.group(1))
        pairs = list(zip(args[::2], args[1::2], strict=True))
        ranges = [resolve(wb, r) for r, _ in pairs]
        crits = [_text_value(wb, c) for _, c in pairs]
        return sum(
            all(_criterion(rng[i], crit) for rng, crit in zip(ranges, crits, strict=True))
            for i in range(len(ranges[0]))
        )
    m = re.fullmatch(r"([A-Z]+\d+)-([A-Z]+\d+)", body)
    if m:
        return evaluate(wb, ws, ws[m.group(1)].value) - evaluate(wb, ws, ws[m.group(2)].value)
    m = re.fullmatch(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", body)
    assert m, formula
    return sum(evaluate(wb, ws, cell.value) for row in ws[f"{m[1]}:{m[2]}"] for cell in row)


def test_summary_formulas_count_answers_per_section_and_level() -> None:
    wb = workbook(complete())
    answers = wb["Answers"]
    rows = answer_rows(wb)
    answers[f"I{rows['leadership.governance.named-governor']}"] = "Yes"
    answers[f"I{rows['leadership.governance.governor-visits']}"] = "Partly met"
    answers[f"I{rows['leadership.governance.governors-trained']}"] = 3
    ws = wb["Summary"]
    head = [c.value for c in ws[3]]
    assert head == [
        "Section",
        "Questions",
        "Answered",
        "Not answered",
        "Fully met",
        "Partly met",
        "Not met",
        "Not applicable",
        "Yes",
        "No",
    ]
    assert ws["A4"].value == "1 Leadership and management"
    assert all(ws.cell(4, col).data_type == "f" for col in range(2, len(head) + 1))
    got = {head[col - 1]: evaluate(wb, ws, ws.cell(4, col).value) for col in range(2, 11)}
    assert got == {
        "Questions": 6,
        "Answered": 3,
        "Not answered": 3,
        "Fully met": 0,
        "Partly met": 1,
        "Not met": 0,
        "Not applicable": 0,
        "Yes": 1,
        "No": 0,
    }
    assert ws["A5"].value == "Total"
    assert evaluate(wb, ws, ws["C5"].value) == 3


def test_summary_separates_sections_and_scales() -> None:
    c = sg.load_bundled("section11", "2023-25")
    wb = workbook(c)
    ws = wb["Summary"]
    assert [ws.cell(r, 1).value for r in range(4, 4 + len(c.sections))] == [
        f"{i} {s.title}" for i, s in enumerate(c.sections, start=1)
    ]
    head = [cell.value for cell in ws[3]]
    rows = answer_rows(wb)
    first = next(q for s in c.sections[1].standards for q in s.questions if q.type == "rating")
    scale = c.scale(first.scale or c.default_scale)
    assert scale is not None
    assert len(c.scales) > 1  # so each level heading says which scale it belongs to
    wb["Answers"][f"I{rows[first.full_id]}"] = scale.levels[0].label
    col = head.index(f"{scale.levels[0].label} ({scale.id})") + 1
    counts = [evaluate(wb, ws, ws.cell(r, col).value) for r in range(4, 4 + len(c.sections))]
    assert counts == [0, 1] + [0] * (len(c.sections) - 2)


# -- action plan ------------------------------------------------------------------------------


def test_action_plan_sheet_has_a_row_per_standard_and_open_plan_cells() -> None:
    c = complete()
    wb = workbook(c)
    ws = wb["Action plan"]
    head = [cell.value for cell in ws[1]]
    assert head == ["Ref", "Id", "Section", "Standard"] + [
        col.label for col in c.action_plan.columns
    ]
    letters = [get_column_letter(i) for i in range(1, len(head) + 1)]
    last = len(list(c.standards())) + 1
    for r in range(2, last + 1):  # before anything makes openpyxl invent cells
        assert all(is_locked(ws, f"{col}{r}") for col in letters[:4])
        assert not any(is_locked(ws, f"{col}{r}") for col in letters[4:])
    assert [ws.cell(r, 2).value for r in range(2, last + 1)] == [s.full_id for s in c.standards()]
    assert ws.max_row == last
    rag = head.index("RAG") + 1
    dv = validation_at(ws, f"{ws.cell(2, rag).coordinate}")
    assert resolve(wb, dv.formula1) == ["Red", "Amber", "Green"]


def test_action_plan_per_question_and_alone() -> None:
    c = complete()
    wb = workbook(c, "action-plan", RenderOptions(per="question"))
    assert wb.sheetnames == ["Cover", "Action plan", "Lists"]
    ws = wb["Action plan"]
    assert ws["E1"].value == "Question"
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        q.full_id for q in c.questions()
    ]


def test_return_form_has_only_the_return_questions() -> None:
    c = complete()
    wb = workbook(c, "return-form")
    assert list(answer_rows(wb)) == [q.full_id for q in c.questions() if q.in_return]


def test_guidance_is_not_a_workbook() -> None:
    with pytest.raises(RenderError) as err:
        render(complete(), "guidance", "xlsx")
    assert err.value.code == "SG401"


# -- formula injection ------------------------------------------------------------------------


def evil() -> Checklist:
    text = COMPLETE.read_text(encoding="utf-8")
    for old, new in {
        "title: Leadership and management": 'title: "=HYPERLINK(\\"http://evil\\",\\"x\\")"',
        "title: Governance of safeguarding": "title: \"+cmd|' /C calc'!A0\"",
        "text: Is there a named governor who leads on safeguarding?": 'text: "=1+1"',
        "label: Partly met": 'label: "-Partly"',
        "{id: own, label: Our own arrangement}": '{id: own, label: "@SUM(A1)"}',
    }.items():
        assert old in text
        text = text.replace(old, new, 1)
    return sg.load_text(text, "evil.yaml")


def test_text_from_the_set_is_never_a_formula() -> None:
    wb = workbook(evil())
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if ws.title == "Summary" and cell.column > 1 and cell.row > 3:
                    assert cell.data_type == "f"
                    continue
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
    answers = wb["Answers"]
    assert answers["C2"].value == '\'=HYPERLINK("http://evil","x")'
    assert answers["D2"].value == "'+cmd|' /C calc'!A0"
    assert answers["E2"].value == "'=1+1"
    assert "'-Partly" in resolve(wb, "SG_LIST_2")


# -- bundled sets -----------------------------------------------------------------------------


@pytest.mark.parametrize(("set_id", "version"), BUNDLED)
def test_bundled_sets_render_as_workbooks(set_id: str, version: str) -> None:
    c = sg.load_bundled(set_id, version)
    wb = workbook(c)
    ws = wb["Answers"]
    rows = answer_rows(wb)
    assert list(rows) == [q.full_id for q in c.questions()]
    for q in c.questions():
        r = rows[q.full_id]
        assert ws.cell(r, 5).value.startswith(q.text.split("*")[0].strip()[:20])
        assert not is_locked(ws, f"I{r}")
        if q.type in ("yes-no", "rating", "choice"):
            dv = validation_at(ws, f"I{r}")
            assert resolve(wb, dv.formula1) == [ch.label for ch in choices(q, c)]
    plan = wb["Action plan"]
    per = c.action_plan.per
    expected = (
        [q.full_id for q in c.questions()]
        if per == "question"
        else [s.full_id for s in c.standards()]
    )
    assert [r[1] for r in plan.iter_rows(min_row=2, values_only=True)] == expected


# -- the fast row writer ----------------------------------------------------------------------


def _dump(wb: Workbook) -> dict[str, Any]:
    """What a person would see of every sheet: values, formats, protection, heights."""
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {
            coordinate: (
                cell.value,
                cell.data_type,
                cell.style,
                cell.protection.locked,
                cell.alignment.wrap_text,
                cell.number_format,
                cell.fill.fgColor.rgb,
            )
            for (r, c), cell in sorted(ws._cells.items())
            for coordinate in [cell.coordinate]
        }
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        columns = {
            k: (d.width, d.hidden, d.protection.locked) for k, d in ws.column_dimensions.items()
        }
        out[ws.title] = (cells, heights, columns, ws.max_row, ws.max_column)
    return out


@pytest.mark.parametrize("source", ["complete", "evil", "kcsie", "vcs_checklist"])
def test_fast_rows_write_what_openpyxl_append_writes(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguard_standards.render import _xlsx

    c = evil() if source == "evil" else complete() if source == "complete" else None
    c = c or sg.load_bundled(source)
    per_question = RenderOptions(per="question")
    fast = [_dump(workbook(c)), _dump(workbook(c, "action-plan", per_question))]
    monkeypatch.setattr(_xlsx, "FAST_ROWS", False)
    slow = [_dump(workbook(c)), _dump(workbook(c, "action-plan", per_question))]
    assert fast == slow


def test_the_fast_row_writer_is_available_with_this_openpyxl() -> None:
    from safeguard_standards.render import _xlsx

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    writer = _xlsx._RowWriter(ws, _xlsx._CellMaker(ws))
    assert writer._send is not None, "openpyxl changed: rows fall back to the slow path (G8)"
    writer.row(1, [("=1+1", ""), ("a & <b>", ""), ("  kept  ", ""), ("bell\x07", "")])
    out = io.BytesIO()
    wb.save(out)
    back = load_workbook(out)["x"]
    assert (back["A1"].value, back["A1"].data_type) == ("'=1+1", "s")
    assert back["B1"].value == "a & <b>"
    assert back["C1"].value == "  kept  "
    assert back["D1"].value == "bell"  # XML cannot carry control characters


def test_a_long_title_fits_the_footer_and_properties() -> None:
    long = "A very long title " * 20
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "title: Example safeguarding self-assessment", f"title: {long.strip()}", 1
    )
    wb = workbook(sg.load_text(text, "long.yaml"))
    assert wb["Cover"]["A1"].value == long.strip()
    assert len(wb.properties.title) == 255
    for ws in wb.worksheets:
        footer = ws.oddFooter
        parts = (footer.left.text or "", footer.center.text or "", footer.right.text or "")
        assert sum(len(p) for p in parts) < 255, ws.title

"""One number formatter: a form's words, the HTML input's limits and the XLSX check agree."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.render._number import number_text

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
QUESTION = "leadership.governance.governors-trained"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (5.0, "5"),
        (-3, "-3"),
        (1234567.5, "1234567.5"),  # "%g" wrote 1.23457e+06
        (0.1, "0.1"),
        (2.5, "2.5"),
        (10**12, "1000000000000"),
    ],
)
def test_number_text_is_whole_or_the_shortest_exact_form(value, text) -> None:
    assert number_text(value) == text
    assert float(number_text(value)) == value


def _with_max(maximum: str) -> sg.Checklist:
    text = COMPLETE.read_text(encoding="utf-8")
    return sg.load_text(
        text.replace(
            "            min: 0\n", f"            min: 0\n            max: {maximum}\n", 1
        ),
        "set.yaml",
    )


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name") == QUESTION:
            self.found = {QUESTION: named}


def test_the_form_words_the_html_limit_and_the_xlsx_check_agree() -> None:
    c = _with_max("1234567.5")
    md = render(c, "form", "md", RenderOptions()).decode("utf-8")
    assert "(a number of governors, from 0 to 1234567.5)" in md

    parser = _Inputs()
    parser.feed(render(c, "form", "html", RenderOptions()).decode("utf-8"))
    assert (parser.found[QUESTION]["min"], parser.found[QUESTION]["max"]) == ("0", "1234567.5")

    wb = load_workbook(io.BytesIO(render(c, "form", "xlsx", RenderOptions())))
    ws = wb["Answers"]
    row = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == QUESTION
    )  # the Id column
    checks = [dv for dv in ws.data_validations.dataValidation if f"I{row}" in dv.sqref]
    assert [(dv.operator, dv.formula1, dv.formula2) for dv in checks] == [
        ("between", "0", "1234567.5")
    ]

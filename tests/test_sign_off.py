"""The sign-off belongs to the set (``sign_off:``): its statement and Role examples reach every
form format, a set without one gets wording for any organisation, and an overlay can change
it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

import safeguard_standards as sg
from safeguard_standards import load_text
from safeguard_standards.model import DEFAULT_SIGN_OFF_STATEMENT
from safeguard_standards.render import render
from safeguard_standards.tailoring import apply_overlay, dump_yaml

TESTS = Path(__file__).resolve().parent
COMPLETE = (TESTS / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")
STATEMENT = "We confirm this is right and our board has seen it."
EXAMPLES = "chief constable or director of nursing"
SIGNED = COMPLETE.replace(
    "\nsections:",
    f"\nsign_off:\n  statement: {STATEMENT}\n  role_examples: {EXAMPLES}\nsections:",
    1,
)
SCHOOL = "governing body, proprietor"


def texts(checklist: sg.Checklist, fmt: str) -> str:
    """The form as a person reads it, in ``fmt``."""
    data = render(checklist, "form", fmt)
    if fmt == "docx":
        d = Document(io.BytesIO(data))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    if fmt == "xlsx":
        ws = load_workbook(io.BytesIO(data))["Cover"]
        return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    return data.decode("utf-8") if isinstance(data, bytes) else data


def test_the_set_names_its_sign_off() -> None:
    c = load_text(SIGNED)
    assert c.sign_off.statement == STATEMENT
    assert c.sign_off.role_label == f"Role (for example {EXAMPLES})"


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx", "json"])
def test_every_form_format_shows_the_sets_sign_off(fmt: str) -> None:
    out = texts(load_text(SIGNED), fmt)
    assert STATEMENT in out
    assert f"Role (for example {EXAMPLES})" in out


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx", "json"])
def test_without_sign_off_the_wording_fits_any_organisation(fmt: str) -> None:
    out = texts(load_text(COMPLETE), fmt)
    assert DEFAULT_SIGN_OFF_STATEMENT in out
    assert SCHOOL not in out
    assert "Role (for example" not in out


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "xlsx"])
def test_section_11_is_signed_off_by_an_agency_not_a_school(fmt: str) -> None:
    out = texts(sg.load_bundled("section11"), fmt)
    assert SCHOOL not in out and "chair of governors" not in out
    assert "executive lead for safeguarding" in out


def test_the_json_form_carries_the_statement_and_labels() -> None:
    data = json.loads(render(load_text(SIGNED), "form", "json"))
    assert data["fields"]["sign_off_statement"] == STATEMENT
    labels = {f["name"]: f["label"] for f in data["fields"]["sign_off"]}
    assert labels["signoff.role"] == f"Role (for example {EXAMPLES})"


def test_the_sign_off_survives_writing_the_set_out() -> None:
    c = load_text(SIGNED)
    assert load_text(dump_yaml(c)).sign_off == c.sign_off
    assert "sign_off" not in dump_yaml(load_text(COMPLETE))


def test_an_overlay_changes_the_sign_off_field_by_field() -> None:
    base = load_text(SIGNED)
    result = apply_overlay(base, "extends: x\nsign_off:\n  role_examples: chair of the board\n")
    assert result.ok, result.diagnostics
    signed = result.unwrap().sign_off
    assert signed.statement == STATEMENT  # kept from the set it extends
    assert signed.role_label == "Role (for example chair of the board)"


def test_an_overlay_repeating_the_sign_off_is_told_so() -> None:
    base = load_text(SIGNED)
    text = f"extends: x\nsign_off:\n  statement: {STATEMENT}\n"
    result = apply_overlay(base, text, "local.yaml")
    found = [(d.code.code, d.source, d.line, d.column, d.message) for d in result.diagnostics]
    assert found == [
        ("SG306", "local.yaml", 3, 3, "this changes nothing: the sign-off is the same")
    ]

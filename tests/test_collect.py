"""Online-collection forms from the command line, and the names and envelope they share."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from safeguard_standards_cli._app import cli

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.envelope import Envelope, read_xlsx
from safeguard_standards.render import RenderOptions, render

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
_ID = st.from_regex(r"[a-z0-9]{1,4}([-_][a-z0-9]{1,4}){0,2}", fullmatch=True)


@given(_ID, _ID, _ID, st.sampled_from(["", ".evidence", ".action"]))
def test_a_safe_name_maps_back_to_its_field(a: str, b: str, c: str, box: str) -> None:
    name = f"{a}.{b}.{c}{box}"
    safe = fields.safe_name(name)
    assert "." not in safe and "-" not in safe and safe.startswith("SG_")
    assert fields.field_name_of(safe) == name
    for fmt in ("xlsform", "surveyjs"):
        assert fields.decode(fmt, safe) == fields.decode("html", name)  # type: ignore[arg-type]
        ref = fields.decode("html", name)
        assert ref is not None and fields.encode(fmt, ref) == safe  # type: ignore[arg-type]
    assert fields.decode("fhir", name) == fields.decode("html", name)


def test_names_that_are_not_ours() -> None:
    for safe in ("grp_leadership", "sg_set", "SG_a__b", "SG_a____b__c", "SG_a__b__c__notes", "x"):
        assert fields.field_name_of(safe) is None, safe
    assert fields.field_name_of("SG_org__name") == "org.name"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("xlsform", "example-2025-26-return-form-academy-xlsform.xlsx"),
        ("surveyjs", "example-2025-26-return-form-academy-surveyjs.json"),
        ("fhir", "example-2025-26-return-form-academy-fhir.json"),
    ],
)
def test_the_command_writes_each_format_under_its_own_name(
    runner: CliRunner, workdir: Path, fmt: str, name: str
) -> None:
    args = ["render", str(COMPLETE), "--as", "return-form", "--format", fmt]
    result = runner.invoke(cli, [*args, "--for", "setting=academy"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {name} (")
    data = (workdir / name).read_bytes()
    if fmt == "xlsform":
        assert load_workbook(io.BytesIO(data)).sheetnames == ["survey", "choices", "settings"]
    else:
        assert json.loads(data)


def test_json_formats_go_to_standard_output_and_xlsform_not_to_a_terminal(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguard_standards_cli import _cmd_render

    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "form", "--format", "fhir", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resourceType"] == "Questionnaire"
    monkeypatch.setattr(_cmd_render, "_stdout_is_terminal", lambda: True)
    args = ["render", str(COMPLETE), "--as", "form", "--format", "xlsform", "-o", "-"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "-o FILE.xlsx" in result.stderr
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("fmt", ["xlsform", "surveyjs", "fhir"])
def test_only_forms_and_return_forms_are_made_for_collection(
    runner: CliRunner, workdir: Path, fmt: str
) -> None:
    result = runner.invoke(cli, ["render", str(COMPLETE), "--as", "guidance", "--format", fmt])
    assert result.exit_code == 2
    assert f"SG401: guidance cannot be rendered as {fmt}" in result.stderr
    assert list(workdir.iterdir()) == []


def test_a_version_that_cannot_grow_stops_the_command_with_sg445(
    runner: CliRunner, workdir: Path
) -> None:
    text = COMPLETE.read_text(encoding="utf-8")
    assert 'version: "2025-26"' in text
    (workdir / "odd.yaml").write_text(text.replace('version: "2025-26"', 'version: "draft-b"'))
    result = runner.invoke(cli, ["render", "odd.yaml", "--as", "form", "--format", "xlsform"])
    assert result.exit_code == 1
    assert "SG445" in result.stderr and "'draft-b'" in result.stderr
    assert "nothing was written" in result.stderr
    assert sorted(p.name for p in workdir.iterdir()) == ["odd.yaml"]


def _envelopes(c: sg.Checklist, options: RenderOptions) -> dict[str, Any]:
    xf = load_workbook(io.BytesIO(render(c, "form", "xlsform", options)))["survey"]
    rows = [r for r in xf.iter_rows(values_only=True) if r[0] == "calculate"]
    xlsform = {r[1]: r[9].strip("'") for r in rows}  # name, calculation
    sj = json.loads(render(c, "form", "surveyjs", options))
    surveyjs = {v["name"]: v["expression"].strip("'") for v in sj["calculatedValues"]}
    fhir = json.loads(render(c, "form", "fhir", options))
    return {
        "xlsform": Envelope.from_properties(xlsform),
        "surveyjs": Envelope.from_properties(surveyjs),
        "fhir": fhir["identifier"][0]["value"],
    }


def test_every_collection_form_carries_the_envelope_of_the_paper_forms() -> None:
    base = sg.load_path(COMPLETE)
    for selection in ((), (("setting", "academy"),)):
        c = base.select(dict(selection)) if selection else base
        options = RenderOptions(audience=selection)
        paper = read_xlsx(render(c, "form", "xlsx", options))
        assert paper is not None
        got = _envelopes(c, options)
        assert got["xlsform"] == paper
        assert got["surveyjs"] == paper
        assert got["fhir"] == paper.content_hash

"""``safeguard render``: an option that would be silently ignored is a usage error (exit 2)
with a hint, nothing written; and the changes JSON names its format and has a schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

import safeguard_standards as sg
from safeguard_standards import AudienceError, parse_audience
from safeguard_standards.render._changes import changes_schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


TWO_SETTINGS = [
    "kcsie",
    "--as",
    "form",
    "--format",
    "md",
    "--for",
    "setting=academy",
    "--for",
    "setting=special",
]


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            TWO_SETTINGS,
            "'setting' is given twice (academy, then special)",
            "render one document for each value",
        ),
        (
            ["kcsie", "--as", "form", "--format", "md", "--since", "2024-25"],
            "--since applies to --as changes, not to --as form",
            "use --as changes --since 2024-25",
        ),
        (
            ["kcsie", "--as", "changes", "--format", "md", "--since", "2025-26"],
            "--since 2025-26 is kcsie@2025-26 itself",
            "--since 2024-25",
        ),
        (
            ["kcsie", "--as", "guidance", "--format", "pdf", "--per", "question"],
            "--per applies to action plans, not to --as guidance --format pdf",
            "leave --per out",
        ),
        (
            ["kcsie", "--as", "form", "--format", "docx", "--css", "x.css"],
            "--css styles HTML and PDF output, not DOCX",
            "leave --css out",
        ),
        # a return form for a set with no return questions: tests/test_cli.py (exit 2)
    ],
)
def test_an_option_that_would_be_ignored_exits_2_with_a_hint(
    workdir: Path, args: list[str], message: str, hint: str
) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("safeguard: " + message), lines
    assert lines[1].startswith("    hint: ") and hint in lines[1], lines
    assert "Traceback" not in result.output
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["kcsie", "--as", "form", "--format", "xlsx", "--per", "question"],  # its plan sheet
        ["kcsie", "--as", "action-plan", "--format", "csv", "--per", "question"],
        ["kcsie", "--as", "changes", "--format", "md", "--since", "2024-25"],
        # the same value twice says one thing
        [*("kcsie", "--as", "form", "--format", "md"), *("--for", "setting=academy") * 2],
    ],
)
def test_options_that_apply_are_accepted(workdir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["render", *args, "-o", "out"])
    assert result.exit_code == 0, result.output
    assert (workdir / "out").stat().st_size > 0


def test_the_library_refuses_two_values_of_one_dimension() -> None:
    kcsie = sg.load_bundled("kcsie")
    with pytest.raises(AudienceError) as caught:
        parse_audience(kcsie, ["setting=academy", "setting=special"])
    assert "given twice" in caught.value.message
    assert parse_audience(kcsie, ["setting=academy", "setting=academy"]) == {"setting": "academy"}


@pytest.mark.parametrize("set_id", ["kcsie", "section11", "vcs_checklist"])
def test_the_changes_json_names_its_format_and_validates(workdir: Path, set_id: str) -> None:
    result = CliRunner().invoke(
        cli, ["render", set_id, "--as", "changes", "--format", "json", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["format"], data["format_version"]) == ("safeguard-standards/changes", 1)
    jsonschema.Draft202012Validator(changes_schema()).validate(data)
    # the schema is strict enough to notice a field it does not know
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(changes_schema()).validate({**data, "extra": 1})


@pytest.mark.parametrize(
    "args",
    [
        ["kcsie@2024-25", "kcsie@2025-26"],
        ["kcsie", str(ROOT / "examples" / "northshire-kcsie-2025-26.yaml")],
    ],
)
def test_the_diff_json_is_the_same_format(workdir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["diff", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validator = jsonschema.Draft202012Validator(changes_schema())
    validator.validate(data)
    assert data["changes"], "no change listed"
    broken = {**data, "changes": [{**data["changes"][0], "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)  # a change with a field the schema does not know

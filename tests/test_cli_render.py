"""``safeguard render``: files written, standard output, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_renders_to_a_named_file(runner, workdir):
    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "form", "--format", "html", "-o", "f.html"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote f.html (")
    html = (workdir / "f.html").read_text(encoding="utf-8")
    assert 'name="leadership.governance.named-governor"' in html


def test_default_file_name_is_set_version_kind(runner, workdir):
    result = runner.invoke(cli, ["render", str(COMPLETE), "--as", "guidance", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert (workdir / "example-2025-26-guidance.md").is_file()
    result = runner.invoke(
        cli,
        ["render", str(COMPLETE), "--as", "form", "--format", "json", "--for", "setting=academy"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((workdir / "example-2025-26-form-academy.json").read_text())
    assert data["audience"] == {"setting": "academy"}


def test_format_from_the_output_extension(runner, workdir):
    result = runner.invoke(cli, ["render", str(COMPLETE), "--as", "action-plan", "-o", "p.md"])
    assert result.exit_code == 0, result.output
    assert "| Ref | Standard |" in (workdir / "p.md").read_text()


def test_text_to_standard_output(runner, workdir):
    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "return-form", "--format", "md", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Example safeguarding self-assessment")
    assert "1.1.1" in result.stdout
    assert list(workdir.iterdir()) == []


def test_action_plan_per_question(runner, workdir):
    result = runner.invoke(
        cli,
        [
            "render",
            str(COMPLETE),
            "--as",
            "action-plan",
            "--format",
            "json",
            "--per",
            "question",
            "-o",
            "-",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["per"] == "question"
    assert [r["ref"] for r in data["rows"]] == [f"1.1.{i}" for i in range(1, 7)]


def test_bundled_pdf_form(runner, workdir):
    """The README's first command."""
    result = runner.invoke(
        cli, ["render", "kcsie", "--as", "form", "--format", "pdf", "-o", "kcsie-form.pdf"]
    )
    assert result.exit_code == 0, result.output
    assert (workdir / "kcsie-form.pdf").read_bytes().startswith(b"%PDF-")


def test_binary_to_a_pipe_is_written(runner, workdir):
    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "action-plan", "--format", "pdf", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_binary_to_a_terminal_is_refused(runner, workdir, monkeypatch):
    from safeguard_standards_cli import _cmd_render

    monkeypatch.setattr(_cmd_render, "_stdout_is_terminal", lambda: True)
    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "form", "--format", "pdf", "-o", "-"]
    )
    assert result.exit_code == 2
    assert "will not write PDF to a terminal" in result.stderr
    assert "-o FILE.pdf" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch", "--as", "form", "--format", "md"], "no bundled standard set 'nosuch'"),
        (["kcsie@1999", "--as", "form", "--format", "md"], "kcsie has no version '1999'"),
        (["kcsie", "--as", "forms", "--format", "md"], "Invalid value for '--as'"),
        (["kcsie", "--as", "form", "--format", "pptx"], "Invalid value for '--format'"),
        (["kcsie", "--as", "form"], "say which format to write with --format"),
        (["kcsie", "--as", "changes", "--format", "csv"], "changes cannot be rendered as csv"),
        (
            ["kcsie", "--as", "form", "--format", "md", "--for", "setting=acadmy"],
            "did you mean 'academy'?",
        ),
        (["kcsie", "--as", "form", "--format", "md", "--for", "colour=red"], "no audience"),
        (["kcsie", "--as", "form", "--format", "md", "--for", "setting"], "DIMENSION=VALUE"),
        (["kcsie", "--as", "form", "--format", "html", "--css", "nope.css"], "nope.css"),
    ],
)
def test_bad_arguments_exit_2_with_a_hint(runner, workdir, args, message):
    result = runner.invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(workdir.iterdir()) == []


def test_css_that_fetches_is_a_usage_error(runner, workdir):
    (workdir / "evil.css").write_text("@import url(https://evil.example/x.css);")
    result = runner.invoke(
        cli,
        ["render", str(COMPLETE), "--as", "form", "--format", "html", "--css", "evil.css"],
    )
    assert result.exit_code == 2
    assert "SG403" in result.stderr


def test_partnership_css_is_applied(runner, workdir):
    (workdir / "brand.css").write_text(":root { --sg-accent: #7a1f5c; }")
    result = runner.invoke(
        cli,
        ["render", str(COMPLETE), "--as", "form", "-o", "f.html", "--css", "brand.css"],
    )
    assert result.exit_code == 0, result.output
    assert "--sg-accent: #7a1f5c;" in (workdir / "f.html").read_text()


def test_content_errors_are_located_and_exit_1(runner, workdir):
    bad = workdir / "bad.yaml"
    text = COMPLETE.read_text().replace("type: yes-no", "type: yesno", 1)
    bad.write_text(text)
    line = text.splitlines().index("            type: yesno") + 1
    result = runner.invoke(cli, ["render", str(bad), "--as", "form", "--format", "html"])
    assert result.exit_code == 1
    assert f"bad.yaml:{line}:19: SG113" in result.stderr
    assert "nothing was written" in result.stderr
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.yaml"]


def test_logo_outside_the_sets_folder_is_a_content_error(runner, workdir):
    folder = workdir / "set"
    folder.mkdir()
    text = COMPLETE.read_text().replace(
        "contact: audit@example.org}", "contact: audit@example.org, logo: ../logo.png}"
    )
    assert "logo:" in text
    (folder / "set.yaml").write_text(text)
    (workdir / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = runner.invoke(
        cli, ["render", str(folder / "set.yaml"), "--as", "form", "--format", "html"]
    )
    assert result.exit_code == 1
    assert "SG402" in result.stderr
    assert "outside the folder of the set" in result.stderr


def test_logo_next_to_the_set_is_embedded(runner, workdir):
    folder = workdir / "set"
    folder.mkdir()
    text = COMPLETE.read_text().replace(
        "contact: audit@example.org}", "contact: audit@example.org, logo: logo.png}"
    )
    (folder / "set.yaml").write_text(text)
    (folder / "logo.png").write_bytes(  # a 1 x 1 PNG: the logo is decoded before it is embedded
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d4944415478da636460f85f0f0002870180eb47ba92"
            "0000000049454e44ae426082"
        )
    )
    result = runner.invoke(
        cli, ["render", str(folder / "set.yaml"), "--as", "form", "--format", "html", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    assert 'src="data:image/png;base64,' in result.stdout


def test_an_existing_output_is_replaced_whole(runner, workdir):
    target = workdir / "f.md"
    target.write_text("old")
    result = runner.invoke(cli, ["render", str(COMPLETE), "--as", "form", "-o", str(target)])
    assert result.exit_code == 0
    assert target.read_text().startswith("# Example")
    assert [p.name for p in workdir.iterdir()] == ["f.md"]  # no temporary file left


def test_unwritable_output_is_a_usage_error(runner, workdir):
    result = runner.invoke(
        cli, ["render", str(COMPLETE), "--as", "form", "-o", str(workdir / "no" / "f.md")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_changes_against_the_superseded_version(runner, workdir):
    result = runner.invoke(cli, ["render", "kcsie", "--as", "changes", "--format", "md", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "compared with 2024-25" in result.stdout

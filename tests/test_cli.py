"""The CLI contract: exit codes, located messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from safeguard_standards_cli import cli

CASES = Path(__file__).resolve().parent / "cases"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_the_bundled_sets() -> None:
    code, out, _ = run("list")
    assert code == 0
    for set_id in ("kcsie", "section11", "vcs_checklist", "case_file_audit", "practitioner_survey"):
        assert set_id in out
    code, out, _ = run("list", "--format", "json")
    data = {s["id"]: s for s in json.loads(out)}
    assert data["kcsie"]["latest"] == "2025-26"
    assert data["kcsie"]["versions"]["2024-25"] == "published"


def test_validate_with_no_arguments_checks_every_bundled_version() -> None:
    code, out, _ = run("validate")
    assert code == 0, out
    assert "8 checked: 8 valid, 0 invalid (0 errors, 0 warnings)" in out


def test_validate_reports_every_mistake_located_and_exits_1() -> None:
    path = CASES / "invalid" / "ten-mistakes.yaml"
    code, out, err = run("validate", str(path))
    assert code == 1
    assert "Traceback" not in out + err
    located = [line for line in out.splitlines() if line.startswith(f"{path}:")]
    assert len(located) == 13  # one per line of ten-mistakes.expected
    assert f"{path}:24:13: SG110 unknown field 'guidence'" in out
    assert "(did you mean 'guidance'?)" in out
    assert '    hint: quote it: "1.10"' in out
    # the offending line and a caret under the column
    assert "    version: 1.10\n             ^" in out


def test_validate_json_format() -> None:
    path = CASES / "invalid" / "conditions.yaml"
    code, out, _ = run("validate", "--format", "json", str(path))
    assert code == 1
    data = json.loads(out)
    assert data["valid"] is False
    first = data["files"][0]["diagnostics"][0]
    assert (first["code"], first["line"], first["column"]) == ("SG206", 27, 32)
    assert first["item"] == "s.t.early"


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    text = (
        (CASES / "valid" / "complete.yaml")
        .read_text()
        .replace("            evidence: [Visit notes]\n", "")
    )
    f = tmp_path / "warn.yaml"
    f.write_text(text)
    assert run("validate", str(f))[0] == 0
    assert run("validate", "--strict", str(f))[0] == 1


def test_unknown_set_is_a_usage_error_with_a_suggestion() -> None:
    code, _, err = run("validate", "kcsei")
    assert code == 2
    assert "no bundled standard set 'kcsei' (did you mean 'kcsie'?)" in err
    code, _, err = run("show", "kcsie@1999-00")
    assert code == 2 and "versions of kcsie: 2024-25, 2025-26" in err


def test_missing_file_is_located_and_exit_1(tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert f"{tmp_path / 'missing.yaml'}: SG115 no such file" in out
    assert "Traceback" not in out + err


def test_show_outlines_a_set() -> None:
    code, out, _ = run("show", "kcsie@2024-25")
    assert code == 0
    assert out.startswith("Safeguarding")
    assert "kcsie@2024-25" in out
    assert "\n1    " in out  # numbered sections


def test_show_on_an_invalid_file_prints_diagnostics_to_stderr() -> None:
    code, out, err = run("show", str(CASES / "invalid" / "future-dsl.yaml"))
    assert code == 1
    assert "SG114 dsl 2 is not supported" in err
    assert out == ""


def test_usage_errors_exit_2() -> None:
    assert run("validate", "--format", "xml")[0] == 2
    assert run("no-such-command")[0] == 2


def test_console_script_runs_in_a_subprocess() -> None:
    # Exercises the real entry point (main), not only the click group.
    proc = subprocess.run(
        [sys.executable, "-m", "safeguard_standards_cli", "validate", "kcsie"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 checked: 1 valid" in proc.stdout


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from safeguard_standards_cli import cli\n"
        "try:\n    cli.main(['--help'], prog_name='safeguard')\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('yaml', 'jsonschema', 'weasyprint', 'docx', 'openpyxl', 'jinja2',"
        " 'markdown_it', 'attrs', 'matplotlib') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == "[]"


def test_an_empty_document_is_refused_not_written(tmp_path: Path) -> None:
    # a set with no question marked in_return (the bundled sets all have a return form now)
    source = (CASES / "valid" / "complete.yaml").read_text(encoding="utf-8")
    assert "in_return: true" in source
    bare = tmp_path / "no-return.yaml"
    bare.write_text(source.replace("in_return: true", "in_return: false"), encoding="utf-8")
    out = tmp_path / "return.pdf"
    code, _, err = run("render", str(bare), "--as", "return-form", "-o", str(out))
    assert code == 2  # a kind the set cannot make: a usage error, like any other
    assert "SG405" in err
    assert "in_return" in err
    assert not out.exists()

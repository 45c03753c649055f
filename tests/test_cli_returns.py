"""``safeguard returns check`` and ``safeguard schema --return``: output, exit codes, folders,
JSON valid against the return schema, progress only on a terminal, no traceback on any input."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

from safeguard_standards.returns.model import return_schema

from .test_returns_check import KCSIE, KCSIE_OLD, first, saved


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def invoke(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(cli, ["returns", "check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_a_clean_return_exits_0_with_a_summary(runner, tmp_path):
    path = write(tmp_path / "a.json", saved())
    result = invoke(runner, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 return checked: 1 clean, 0 with warnings, 0 with errors\n"
    assert result.stderr == ""  # no progress: standard error is not a terminal


def test_problems_are_printed_located_with_their_hints_and_exit_1(runner, tmp_path):
    q = first(KCSIE, "number")
    doc = saved()
    doc["answers"][q.full_id] = "several"
    doc["details"].pop("org.contact")
    path = write(tmp_path / "a.json", doc)
    result = invoke(runner, str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    number = KCSIE.numbering()[q.full_id]
    assert lines[0] == (
        f"{path}:/answers/{q.full_id}: SG540 {number} ({q.full_id}): the answer is 'several', "
        "not a number"
    )
    assert lines[1].startswith("    hint: write the number in figures")
    assert lines[2] == (
        f"{path}:/details/org.contact: SG551 warning: the return does not give a contact "
        "e-mail or telephone (org.contact)"
    )
    assert lines[-1] == "1 return checked: 0 clean, 0 with warnings, 1 with errors"


def test_warnings_pass_unless_strict_and_personal_data_becomes_sg561(runner, tmp_path):
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["evidence"][ev] = "NHS number 943 476 5870 on file."
    path = write(tmp_path / "a.json", doc)
    result = invoke(runner, str(path))
    assert result.exit_code == 0
    assert f"{path}:/evidence/{ev}: SG560 warning:" in result.stdout
    assert "943 *** ****" in result.stdout and "5870" not in result.stdout
    assert result.stdout.endswith("0 clean, 1 with warnings, 0 with errors\n")
    strict = invoke(runner, "--strict", str(path))
    assert strict.exit_code == 1
    assert f"{path}:/evidence/{ev}: SG561 " in strict.stdout
    assert strict.stdout.endswith("0 clean, 0 with warnings, 1 with errors\n")


def test_a_folder_is_walked_in_order_skipping_hidden_files(runner, tmp_path):
    write(tmp_path / "b.json", saved())
    write(tmp_path / "a" / "z.json", saved())
    write(tmp_path / ".hidden.json", {"broken": True})
    write(tmp_path / ".git" / "x.json", {"broken": True})
    result = invoke(runner, "--format", "json", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["file"] for r in data["returns"]] == [
        str(tmp_path / "a" / "z.json"),
        str(tmp_path / "b.json"),
    ]
    # the same organisation twice: a warning on each, naming the other
    assert [[d["code"] for d in r["diagnostics"]] for r in data["returns"]] == [
        ["SG553"],
        ["SG553"],
    ]
    assert str(tmp_path / "b.json") in data["returns"][0]["diagnostics"][0]["message"]


def test_json_output_holds_each_typed_return_valid_against_the_schema(runner, tmp_path):
    good = write(tmp_path / "a.json", saved())
    bad_doc = saved()
    bad_doc["details"]["org.name"] = "Southshire School"
    bad_doc["answers"][first(KCSIE, "rating").full_id] = "excellent"
    bad = write(tmp_path / "b.json", bad_doc)
    junk = tmp_path / "c.json"
    junk.write_bytes(b'{"answers": {"a.b.c": "ye')
    result = invoke(runner, "--format", "json", str(good), str(bad), str(junk))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["format"] == "safeguard-standards/returns-check"
    assert data["summary"] == {"returns": 3, "clean": 1, "warnings": 0, "errors": 2}
    a, b, c = data["returns"]
    assert (a["status"], b["status"], c["status"]) == ("clean", "errors", "errors")
    for entry in (a, b):
        jsonschema.validate(entry["return"], return_schema())
    assert a["return"]["answers"] == saved()["answers"]
    assert b["return"]["provenance"]["answers"]
    assert [d["code"] for d in b["diagnostics"]] == ["SG543"]
    assert b["diagnostics"][0]["at"] == f"/answers/{first(KCSIE, 'rating').full_id}"
    assert c["return"] is None and [d["code"] for d in c["diagnostics"]] == ["SG501"]


def test_as_version_reads_last_years_return_onto_this_years(runner, tmp_path):
    path = write(tmp_path / "old.json", saved(KCSIE_OLD))
    result = invoke(runner, "--format", "json", "--as-version", "2025-26", str(path))
    r = json.loads(result.stdout)["returns"][0]
    assert r["return"]["version"] == "2025-26"
    assert r["return"]["source"]["mapped_from"] == "2024-25"
    assert {d["code"] for d in r["diagnostics"]} <= {"SG534", "SG548"}
    jsonschema.validate(r["return"], return_schema())


def test_sets_folder_and_usage_errors(runner, tmp_path):
    path = write(tmp_path / "a.json", saved())
    result = runner.invoke(cli, ["returns", "check", "--sets", str(tmp_path / "nope"), str(path)])
    assert result.exit_code == 2 and "no such folder" in result.stderr
    assert runner.invoke(cli, ["returns", "check"]).exit_code == 2
    assert runner.invoke(cli, ["returns", "check", "--format", "xml", str(path)]).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(runner, str(empty))
    assert result.exit_code == 1 and "no files to check" in result.stderr


def test_quiet_prints_only_the_problems(runner, tmp_path):
    clean = write(tmp_path / "a.json", saved())
    assert invoke(runner, "--quiet", str(clean)).stdout == ""
    doc = saved()
    doc["details"].pop("org.date")
    warned = write(tmp_path / "b.json", doc)
    out = invoke(runner, "-q", str(warned)).stdout
    assert out.startswith(f"{warned}:/details/org.date: SG551") and "checked" not in out


def test_text_from_the_file_cannot_steer_the_terminal(runner, tmp_path):
    doc = saved()
    doc["answers"][first(KCSIE, "number").full_id] = "\x1b]0;owned\x07"
    path = write(tmp_path / "a\x07\x1b[2J.json", doc)
    result = invoke(runner, str(path))
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "a\\u0007" in result.stdout


def test_no_traceback_on_any_input(runner, tmp_path):
    (tmp_path / "garbage.pdf").write_bytes(os.urandom(2048))
    (tmp_path / "zip.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(500))
    (tmp_path / "pdfish.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(500))
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "list.json").write_bytes(b"[1, 2]")
    (tmp_path / "deep.json").write_bytes(b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    (tmp_path / "nul.csv").write_bytes(b"a,b\x00\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "inner.json").write_text('{"answers": {"a.b.c": {"x": 1}}}')
    os.mkfifo(tmp_path / "fifo.json")
    result = invoke(runner, str(tmp_path), str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1
    data = invoke(runner, "--format", "json", str(tmp_path)).stdout
    for r in json.loads(data)["returns"]:
        assert r["diagnostics"], r["file"]
        assert all(d["code"].startswith("SG5") for d in r["diagnostics"])


@pytest.mark.slow
def test_progress_on_a_terminal_and_a_fifo_never_hangs(tmp_path):
    write(tmp_path / "a.json", saved())
    write(tmp_path / "b.json", saved())
    os.mkfifo(tmp_path / "c.json")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "safeguard_standards_cli", "returns", "check", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=dict(os.environ, COLUMNS="100"),
    )
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    err = b""
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    assert proc.returncode == 1
    text = err.decode()
    assert "\rchecking 1 of 3: " in text and "/a.json" in text
    assert "checking 3 of 3: " in text and "/c.json" in text
    assert text.endswith("\r")  # the line is cleared at the end
    assert out.decode().endswith("3 returns checked: 0 clean, 2 with warnings, 1 with errors\n")
    assert "checking" not in out.decode()


def test_schema_return_prints_the_published_schema(runner):
    result = runner.invoke(cli, ["schema", "--return"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == return_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(runner.invoke(cli, ["schema"]).stdout)["title"] != schema["title"]

"""A completed return given to ``validate`` is recognised and pointed to ``returns check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import cli

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render


@pytest.fixture(scope="module")
def vcs() -> sg.Checklist:
    return sg.load_bundled("vcs_checklist")


def _files(tmp: Path, vcs: sg.Checklist) -> dict[str, tuple[Path, str]]:
    made = {
        "form.docx": (render(vcs, "form", "docx", RenderOptions()), "a Word document"),
        "form.xlsx": (render(vcs, "form", "xlsx", RenderOptions()), "an Excel workbook"),
        "form.pdf": (b"%PDF-1.7\n\xda\xff\x00 a filled form", "a PDF"),
        "answers.json": (
            json.dumps({"set": vcs.id, "version": vcs.version, "answers": {}}).encode(),
            "a saved answers file (a completed return)",
        ),
        "other.zip": (b"PK\x05\x06" + b"\0" * 18, "a zip file"),
    }
    out = {}
    for name, (data, kind) in made.items():
        path = tmp / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        out[name] = (path, kind)
    return out


def test_a_return_given_to_validate_is_recognised(tmp_path: Path, vcs: sg.Checklist) -> None:
    for name, (path, kind) in _files(tmp_path, vcs).items():
        before = path.read_bytes()
        found = sg.check_path(path)
        assert [(d.code.code, d.source, d.line) for d in found.diagnostics] == [
            ("SG507", str(path), 0)
        ], name
        d = found.diagnostics[0]
        assert (
            d.message == f"this is {kind}, not a standard set (a standard set is a YAML text file)"
        )
        assert (
            d.hint == f"if it is a completed return, check it with 'safeguard returns check {path}'"
        )
        assert path.read_bytes() == before


def test_the_cli_says_so_and_exits_1(tmp_path: Path, vcs: sg.Checklist) -> None:
    path = _files(tmp_path, vcs)["answers.json"][0]
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: SG507 this is a saved answers file" in result.output
    assert "invalid " + str(path) + " (1 error, 0 warnings)" in result.output


def test_a_json_standard_set_is_still_read_as_yaml(tmp_path: Path) -> None:
    # JSON is YAML: a set written as JSON with no "answers" is checked as a set
    path = tmp_path / "set.json"
    path.write_text('{"dsl": 1, "answers": 1, "sections": []}')
    assert "SG507" not in {d.code.code for d in sg.check_path(path).diagnostics}

"""The issue's "done means" in one test: a folder of returns in every format we hand out, some
broken, some hostile, some holding personal data, checked in one command. Every problem is
located, every good return is typed, and no file in the folder is changed."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.render._envelope import envelope_of

from .fill_office import choice_labels, fill_csv, fill_docx, fill_xlsx
from .fill_pdf import fill_pdf
from .returns_fill import random_filling

pytestmark = pytest.mark.slow  # a PDF form is rendered and filled


def _filling(c: sg.Checklist, seed: int, name: str) -> dict[str, Any]:
    f = random_filling(c, seed, long_text=False, empty=0.0)
    f["details"]["org.name"] = name
    f["details"]["org.address"] = f["details"]["org.address"].replace("\n", " ")
    return f


def _saved(c: sg.Checklist, f: dict[str, Any]) -> bytes:
    env = envelope_of(c, "form", RenderOptions()).to_dict()
    return json.dumps(
        {"set": c.id, "version": c.version, "kind": "form", "envelope": env} | f
    ).encode()


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_folder_of_mixed_returns_is_checked_in_one_command(tmp_path: Path) -> None:
    c = sg.load_bundled("vcs_checklist")
    labels = choice_labels(c, "form")
    folder = tmp_path / "returns"
    folder.mkdir()
    good = {
        "alder.json": _saved(c, _filling(c, 1, "Alder Youth Club")),
        "birch.csv": fill_csv(render(c, "form", "csv"), _filling(c, 2, "Birch Scouts"), labels),
        "cedar.xlsx": fill_xlsx(render(c, "form", "xlsx"), _filling(c, 3, "Cedar FC"), labels),
        "damson.docx": fill_docx(render(c, "form", "docx"), _filling(c, 4, "Damson Choir")),
        "elm.pdf": fill_pdf(render(c, "form", "pdf"), _filling(c, 5, "Elm Drama Group")),
    }
    for name, data in good.items():
        (folder / name).write_bytes(data)
    # personal data in an evidence box of an otherwise clean return
    leaky = _filling(c, 6, "Fir Tree Toddlers")
    qid = next(iter(leaky["answers"]))
    leaky["evidence"][qid] = "Seen with his mother, NHS number 943 476 5870, at home."
    (folder / "fir.json").write_bytes(_saved(c, leaky))
    # broken and hostile files
    pdf = good["elm.pdf"]
    (folder / "half-saved.pdf").write_bytes(pdf[: len(pdf) // 2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    (folder / "bomb.xlsx").write_bytes(buf.getvalue())
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good["cedar.xlsx"])) as src, zipfile.ZipFile(macro, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    (folder / "macro.xlsx").write_bytes(macro.getvalue())
    (folder / "notes.odt").write_bytes(b"\xff\xfe not a return")
    before = _digests(folder)

    result = CliRunner().invoke(cli, ["returns", "check", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    by_file = {Path(r["file"]).name: r for r in report["returns"]}
    assert sorted(by_file) == sorted(before)

    def codes(name: str, errors: bool = True) -> set[str]:
        return {
            d["code"]
            for d in by_file[name]["diagnostics"]
            if not errors or d["severity"] == "error"
        }

    # every good return is typed, with its organisation and every answer given
    for name, org in (
        ("alder.json", "Alder Youth Club"),
        ("birch.csv", "Birch Scouts"),
        ("cedar.xlsx", "Cedar FC"),
        ("damson.docx", "Damson Choir"),
        ("elm.pdf", "Elm Drama Group"),
    ):
        typed = by_file[name]["return"]
        assert typed is not None and codes(name) == set(), (name, by_file[name]["diagnostics"])
        assert typed["details"]["org.name"] == org
        assert typed["set"] == c.id and typed["version"] == c.version
    # the same answers, whatever the format (the fillings differ by seed, so compare each
    # with its own saved-answers file)
    for seed, (name, org) in enumerate(
        (
            ("birch.csv", "Birch Scouts"),
            ("cedar.xlsx", "Cedar FC"),
            ("damson.docx", "Damson Choir"),
            ("elm.pdf", "Elm Drama Group"),
        ),
        start=2,
    ):
        reference = tmp_path / f"ref-{seed}.json"
        reference.write_bytes(_saved(c, _filling(c, seed, org)))
        ref = json.loads(
            CliRunner().invoke(cli, ["returns", "check", str(reference), "--format", "json"]).stdout
        )["returns"][0]["return"]
        for part in ("answers", "evidence", "actions", "details"):
            assert by_file[name]["return"][part] == ref[part], (name, part)
    # personal data: a located warning, masked, never the number itself
    fir = [d for d in by_file["fir.json"]["diagnostics"] if d["code"] == "SG560"]
    assert fir and all(d["at"] == f"/evidence/{qid}" for d in fir)
    assert "943 476 5870" not in result.stdout
    # broken and hostile files: located errors, no typed return
    assert codes("half-saved.pdf") == {"SG501"}
    assert codes("bomb.xlsx") & {"SG502", "SG501"}
    assert "SG503" in codes("macro.xlsx", errors=False)
    assert codes("notes.odt") == {"SG506"}
    for name in ("half-saved.pdf", "bomb.xlsx", "notes.odt"):
        assert by_file[name]["return"] is None
    # nothing in the folder was changed
    assert _digests(folder) == before

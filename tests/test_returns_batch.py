"""Checking many returns (safeguard_standards.returns.batch): the same result, in the same
order, whether the files are checked in this process, in worker processes, or both."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from safeguard_standards_cli._app import cli

from safeguard_standards.diagnostics import Code
from safeguard_standards.returns import batch
from safeguard_standards.returns.batch import MIN_HEAVY_FILES, check_paths
from safeguard_standards.returns.check import check_many
from safeguard_standards.returns.read import read_path

from .returns_fill import random_filling
from .test_returns_check import KCSIE, REGISTRY, envelope


def _folder(tmp_path: Path) -> list[str]:
    """JSON returns (two from one organisation, one naming a child), and more files named as
    Word, Excel and PDF forms than it takes to start the workers (not forms at all)."""
    paths = []
    for i in range(6):
        doc: dict[str, Any] = {
            "set": KCSIE.id,
            "version": KCSIE.version,
            "kind": "form",
            "envelope": envelope(KCSIE),
            **random_filling(KCSIE, i, long_text=False),
        }
        doc["details"]["org.name"] = "Northshire Academy" if i in (1, 4) else f"School {i}"
        if i == 2:
            doc["evidence"][next(iter(doc["answers"]))] = "her mother Sarah Jones, NHS 943 476 5870"
        path = tmp_path / f"r{i}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(path))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("other.txt", "neither a workbook nor a document")
    for i in range(MIN_HEAVY_FILES + 2):
        path = tmp_path / f"f{i}.{('docx', 'xlsx', 'pdf')[i % 3]}"
        path.write_bytes(buf.getvalue() if i % 2 else b"not a form at all")
        paths.append(str(path))
    (tmp_path / "broken.json").write_text('{"answers": ', encoding="utf-8")
    paths.insert(3, str(tmp_path / "broken.json"))
    return paths


def test_every_way_of_sharing_the_files_gives_the_same_result_in_order(tmp_path):
    paths = _folder(tmp_path)
    serial = check_many([read_path(p) for p in paths], REGISTRY)
    assert [c.source for c in serial] == paths
    codes = {d.code for c in serial for d in c.diagnostics}
    assert {Code.RETURN_DUPLICATE, Code.PERSONAL_DATA, Code.RETURN_FORMAT} <= codes
    assert {Code.RETURN_UNREADABLE} <= codes
    for jobs in (1, 2, None):
        told: list[tuple[int, str]] = []
        result = check_paths(
            paths, REGISTRY, jobs=jobs, progress=lambda n, p, told=told: told.append((n, p))
        )
        assert result == serial, jobs
        assert [n for n, _ in told] == list(range(1, len(paths) + 1))
        assert sorted(p for _, p in told) == sorted(paths)


def test_the_workers_are_used_only_for_enough_files_that_are_not_json(tmp_path, monkeypatch):
    paths = _folder(tmp_path)
    started: list[int] = []
    real = batch._pool

    def pool(*args: Any) -> Any:
        started.append(args[-1])
        return real(*args)

    monkeypatch.setattr(batch, "_pool", pool)
    check_paths([p for p in paths if p.endswith(".json")], REGISTRY)
    check_paths(paths[: MIN_HEAVY_FILES - 1 + 7], REGISTRY)  # too few other files
    assert started == []
    check_paths(paths, REGISTRY)
    assert started and started[0] >= 1
    check_paths(paths[:3], REGISTRY, jobs=2)
    assert started[-1] == 2


def test_no_processes_to_be_had_checks_everything_here(tmp_path, monkeypatch):
    paths = _folder(tmp_path)

    def refused(*args: Any) -> Any:
        raise OSError("no more processes")

    monkeypatch.setattr(batch, "_pool", refused)
    assert check_paths(paths, REGISTRY, jobs=2) == check_many(
        [read_path(p) for p in paths], REGISTRY
    )


def test_the_command_gives_the_same_output_with_any_number_of_jobs(tmp_path):
    paths = _folder(tmp_path)
    runner = CliRunner()
    outputs = set()
    for jobs in ("1", "2"):
        result = runner.invoke(
            cli, ["returns", "check", "--format", "json", "--jobs", jobs, str(tmp_path)]
        )
        assert result.exit_code == 1, result.output
        outputs.add(result.stdout)
        assert [r["file"] for r in json.loads(result.stdout)["returns"]] == sorted(paths)
    assert len(outputs) == 1
    result = runner.invoke(cli, ["returns", "check", "--jobs", "0", str(tmp_path)])
    assert result.exit_code == 2

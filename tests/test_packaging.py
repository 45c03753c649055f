"""The wheel: built the way pip builds it (sdist, then wheel), installed, and run elsewhere."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: use the hatchling already installed, so this needs no network.
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("*.whl")
    return found


def test_wheel_top_level_names_and_bundled_yaml(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"safeguard_standards", "safeguard_standards_cli"}
    for set_id, version in (
        ("kcsie", "2025-26"),
        ("section11", "2025-27"),
        ("vcs_checklist", "2025-26"),
        ("case_file_audit", "2025-26"),
        ("practitioner_survey", "2025-26"),
    ):
        assert f"safeguard_standards/standards/{set_id}/{version}.yaml" in names
    assert "safeguard_standards/schema/standard-set.schema.json" in names
    assert "safeguard_standards/py.typed" in names
    assert not any(n.startswith(("tests/", "cli/", "standards/")) for n in names)


def test_installed_wheel_runs_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # The dependencies come from the test environment; the package itself only from the wheel.
    # The test environment's pip installs into the new one; an environment made without pip
    # (uv makes them so) gets its own from the standard library's ensurepip instead.
    outer_pip = importlib.util.find_spec("pip") is not None
    venv.EnvBuilder(system_site_packages=True, with_pip=not outer_pip).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = (
        [sys.executable, "-m", "pip", "--python", str(python)]
        if outer_pip
        else [
            str(python),
            "-m",
            "pip",
        ]
    )
    subprocess.run(
        [
            *pip,
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
    )
    safeguard = env_dir / "bin" / "safeguard"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import safeguard_standards as s; print(s.__file__); print(s.bundled_root())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(env_dir) in p for p in where), where
    result = subprocess.run(
        [str(safeguard), "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 checked: 8 valid" in result.stdout

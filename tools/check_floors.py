"""Compare the installed versions of our direct dependencies with the floors in pyproject.toml.

    python tools/check_floors.py --report   # print name, floor and installed version
    python tools/check_floors.py --lowest   # fail unless every floor is what is installed

CI runs the test suite twice: once with the newest versions the package index serves and once
with the lowest ones ``pyproject.toml`` allows. ``--lowest`` proves the second environment
really holds the floors (a resolver that quietly took a newer version would make the lower
bounds untested claims). Covers ``[project].dependencies`` and the ``test`` extra.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
OWN_NAME = "safeguard-standards"


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(text) for text in project["dependencies"]]
    found += [Requirement(text) for text in project["optional-dependencies"]["test"]]
    return [req for req in found if req.name != OWN_NAME]


def floor(req: Requirement) -> Version | None:
    for spec in req.specifier:
        if spec.operator in (">=", "=="):
            return Version(spec.version)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--report", action="store_true", help="print the table only")
    mode.add_argument("--lowest", action="store_true", help="fail unless floors are installed")
    args = parser.parse_args(argv)

    wrong: list[str] = []
    print(f"{'dependency':<24} {'floor':>10} {'installed':>10}")
    for req in requirements():
        low = floor(req)
        try:
            have = Version(version(req.name))
        except PackageNotFoundError:
            wrong.append(f"{req.name} is not installed")
            continue
        print(f"{req.name:<24} {low or '-'!s:>10} {have!s:>10}")
        if low is None:
            wrong.append(f"{req.name} has no lower bound in pyproject.toml")
        elif args.lowest and Version(have.base_version) != low:
            wrong.append(f"{req.name}: installed {have}, floor {low}")
    if wrong:
        for line in wrong:
            print(f"check_floors: {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A folder of synthetic but realistic returns for the report tests: two years of section 11
and of the voluntary-sector checklist, a roster, some organisations missing, one file that is
not a return (minutes.odt) and one return to a version that does not exist (both rejected)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from safeguard_standards.report.synthetic import Synthetic, generate, write

SEED = 7
SIZES = {"section11": 14, "vcs_checklist": 10}


@attrs.frozen
class Folder:
    root: Path
    synthetic: Synthetic

    @property
    def roster(self) -> Path:
        return self.root / "roster.csv"

    def returns(self, set_id: str, version: str) -> Path:
        return self.root / set_id / version

    @property
    def names(self) -> list[str]:
        return [o.name for o in self.synthetic.roster]


def make_folder(root: Path, personal_data: float = 0.3) -> Folder:
    synthetic = generate(
        seed=SEED, sets=tuple(SIZES), sizes=SIZES, missing=0.1, personal_data=personal_data
    )
    write(synthetic, root)
    this_year = root / "section11" / "2025-27"
    (this_year / "minutes.odt").write_bytes(b"\x00\x01 minutes of the meeting, not a return")
    first = sorted(this_year.glob("*.json"))[0]
    doc = json.loads(first.read_text(encoding="utf-8"))
    doc["version"] = "2019-20"
    doc.pop("envelope", None)
    (this_year / "OLD-RETURN.json").write_text(json.dumps(doc), encoding="utf-8")
    return Folder(root, synthetic)

"""The schema, the DSL reference and the error catalogue cannot drift apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from safeguard_standards import Code, schema, schema_text

ROOT = Path(__file__).resolve().parent.parent


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_committed_schema_matches_its_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_schema.py"), "--check"], check=False
    )
    assert result.returncode == 0, "run: python tools/make_schema.py"


def test_generated_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_docs.py"), "--check"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def _walk(node: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            out.append((f"{path}.{name}", prop))
            out.extend(_walk(prop, f"{path}.{name}"))
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                out.extend(_walk(node[key], f"{path}[]"))
        for name, sub in node.get("$defs", {}).items():
            out.extend(_walk(sub, f"#{name}"))
    return out


def test_every_property_has_a_description_for_editors() -> None:
    missing = [p for p, prop in _walk(schema(), "$") if not prop.get("description")]
    assert missing == []


def test_every_property_is_in_the_dsl_reference() -> None:
    text = (ROOT / "docs" / "dsl.md").read_text(encoding="utf-8")
    names = {p.rsplit(".", 1)[-1] for p, _ in _walk(schema(), "$")}
    assert {n for n in names if f"`{n}`" not in text} == set()


@pytest.mark.parametrize("code", list(Code), ids=lambda c: c.code)
def test_every_code_is_documented(code: Code) -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert f"| {code.code} | {code.severity.value} |" in text


def test_codes_are_unique_and_well_formed() -> None:
    codes = [c.code for c in Code]
    assert len(codes) == len(set(codes))
    assert all(c.startswith("SG") and c[2:].isdigit() and len(c) == 5 for c in codes)


def test_schema_text_is_what_the_cli_prints() -> None:
    from click.testing import CliRunner
    from safeguard_standards_cli import cli

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(schema_text())

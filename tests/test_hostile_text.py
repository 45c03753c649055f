"""Characters no document can hold, in every text field of the DSL (issue: hostile input).

Raw control characters are refused by the YAML reader; the same characters written as escapes
of a double-quoted value (``"\\x07"``, ``"\\0"``, ``"\\uFFFE"``) must be refused too, located at
the escape, whatever field (or key) they are in. The fields are generated from the JSON Schema:
every string-typed property is filled in, on top of the complete example set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from safeguard_standards_cli import cli

from safeguard_standards import check_text

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

SCHEMA = ROOT / "safeguard_standards" / "schema" / "standard-set.schema.json"
COMPLETE = CASES / "valid" / "complete.yaml"

#: Escapes (as written inside double quotes) of characters SG123 refuses, and the code point.
BAD_ESCAPES = [
    ("\\0", 0x00),
    ("\\a", 0x07),
    ("\\x07", 0x07),
    ("\\b", 0x08),
    ("\\x0b", 0x0B),
    ("\\v", 0x0B),
    ("\\f", 0x0C),
    ("\\e", 0x1B),
    ("\\x1b", 0x1B),
    ("\\x1f", 0x1F),
    ("\\x7f", 0x7F),
    ("\\x80", 0x80),
    ("\\N", 0x85),
    ("\\x9b", 0x9B),
    ("\\u009f", 0x9F),
    ("\\uFDD0", 0xFDD0),
    ("\\uFFFE", 0xFFFE),
    ("\\uffff", 0xFFFF),
    ("\\U0001FFFF", 0x1FFFF),
    ("\\U0010FFFE", 0x10FFFE),
]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _string_paths(schema: dict[str, Any]) -> set[tuple[str, ...]]:
    """Every path to a string in the schema: keys, '*' for any key, '[]' for a list item."""
    found: set[tuple[str, ...]] = set()

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        node = _resolve(schema, node)
        if len(path) > 14:
            return
        for alt in node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", []):
            walk(alt, path)
        kind = node.get("type")
        if kind == "string" or (isinstance(kind, list) and "string" in kind):
            found.add(path)
        for key, sub in node.get("properties", {}).items():
            walk(sub, (*path, key))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            walk(extra, (*path, "*"))
        for sub in node.get("patternProperties", {}).values():
            walk(sub, (*path, "*"))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "[]"))

    walk(json.loads(SCHEMA.read_text(encoding="utf-8")), ())
    return found


def _place(data: Any, path: tuple[str, ...], marker: str) -> None:
    """Put ``marker`` at ``path`` in ``data``, creating what is missing on the way."""
    node = data
    for step, nxt in zip(path, (*path[1:], None), strict=True):
        fresh: Any = [] if nxt == "[]" else {}
        if step == "[]":
            if not node or nxt is None or not isinstance(node[0], type(fresh)):
                if nxt is None:
                    node.insert(0, marker)
                    return
                node.insert(0, fresh)
            node = node[0]
        else:
            key = step
            if step == "*":
                key = next(iter(node), "k") if node else "k"
            if nxt is None:
                node[key] = marker
                return
            if not isinstance(node.get(key), type(fresh)):
                node[key] = fresh
            node = node[key]


class _Markers:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"Z{self.n:04d}Q"


def _mark_everything(data: Any, new: _Markers) -> Any:
    """Every string value and every key replaced by a fresh marker."""
    if isinstance(data, dict):
        return {new(): _mark_everything(v, new) for v in data.values()}
    if isinstance(data, list):
        return [_mark_everything(v, new) for v in data]
    if isinstance(data, str):
        return new()
    return data


def _hostile_document() -> str:
    """complete.yaml with every schema string field filled in, every string and key a marker."""
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    for path in sorted(_string_paths(json.loads(SCHEMA.read_text(encoding="utf-8")))):
        _place(data, path, "filled")
    marked = _mark_everything(data, _Markers())
    return yaml.safe_dump(marked, sort_keys=False, width=10_000)


def _at(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def test_the_generated_document_covers_every_string_field_of_the_schema() -> None:
    paths = _string_paths(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(paths) > 60  # the walk found the fields (about 90 today)
    text = _hostile_document()
    assert len(re.findall(r"Z\d{4}Q", text)) > 2 * len(paths) // 2


@pytest.mark.parametrize(("escape", "point"), BAD_ESCAPES, ids=[e for e, _ in BAD_ESCAPES])
def test_an_escaped_bad_character_is_refused_in_every_field_and_key(
    escape: str, point: int
) -> None:
    text = _hostile_document()
    markers = len(re.findall(r"Z\d{4}Q", text))
    # each marker becomes "Z0001Q<escape>E": the escape starts 7 characters after the quote
    hostile = re.sub(r"Z\d{4}Q", lambda m: f'"{m.group()}{escape}E"', text)
    where = {_at(hostile, m.start() + 7) for m in re.finditer(r'"Z\d{4}Q', hostile)}
    assert len(where) == markers
    result = check_text(hostile, "hostile.yaml")
    bad = [d for d in result.diagnostics if d.code.code == "SG123"]
    assert {(d.line, d.column) for d in bad} == where
    assert all(f"U+{point:04X}" in d.message and d.is_error for d in bad)
    assert not result.ok


def test_a_lone_surrogate_escape_is_refused_where_it_is_written() -> None:
    result = check_text('dsl: 1\nid: x\ntitle: "ab\\ud800c"\n', "s.yaml")
    assert not result.ok
    first = result.errors[0]
    assert (first.code.code, first.line) == ("SG100", 3)
    assert "surrogate" in first.hint


def test_good_text_is_left_alone() -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace(
        "description: An example used by the tests.",
        'description: "tab\\there, line\\nbreak, \\u00e9, \\u2014, \\U0001F600, \\r"',
    )
    assert check_text(text, "ok.yaml").ok


FORMATS = ["html", "pdf", "docx", "xlsx", "md", "csv", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_refuses_the_set_located_without_a_traceback(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "set.yaml"
    text = COMPLETE.read_text(encoding="utf-8")
    text = text.replace(
        "title: Example safeguarding self-assessment",
        'title: "Example \\x0b self-assessment"',
    ).replace("label: Fully met", 'label: "Fully\\uFFFEmet"')
    source.write_text(text, encoding="utf-8")
    kind = "action-plan" if fmt == "csv" else "form"
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(
        cli, ["render", str(source), "--as", kind, "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert f"{source}:5:17: SG123 the control character U+000B" in result.stderr
    assert "SG123 the noncharacter U+FFFE" in result.stderr
    assert "Traceback" not in result.output and "Exception ignored" not in result.output
    assert not out.exists()

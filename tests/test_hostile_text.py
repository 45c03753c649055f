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


def _filled() -> Any:
    """complete.yaml with every string field of the schema filled in."""
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    for path in sorted(_string_paths(json.loads(SCHEMA.read_text(encoding="utf-8")))):
        _place(data, path, "filled")
    return data


def _hostile_document() -> str:
    """_filled() with every string and every key replaced by a marker."""
    marked = _mark_everything(_filled(), _Markers())
    return yaml.safe_dump(marked, sort_keys=False, width=10_000)


def _strings_at(data: Any, path: tuple[str, ...]) -> list[Any]:
    """What ``path`` reaches in ``data`` ('*' any key, '[]' any item)."""
    nodes = [data]
    for step in path:
        reached: list[Any] = []
        for node in nodes:
            if step == "[]" and isinstance(node, list):
                reached.extend(node)
            elif step == "*" and isinstance(node, dict):
                reached.extend(node.values())
            elif isinstance(node, dict) and step in node:
                reached.append(node[step])
        nodes = reached
    return [n for n in nodes if isinstance(n, str)]


def _at(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def test_the_generated_document_covers_every_string_field_of_the_schema() -> None:
    paths = _string_paths(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(paths) > 60  # the walk found the fields (about 90 today)
    data = _filled()
    assert [p for p in sorted(paths) if not _strings_at(data, p)] == []


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


# -- ids and other patterned values: nothing may follow them, not even a line break ----------

SCHEMAS = sorted((ROOT / "safeguard_standards" / "schema").glob("*.schema.json"))


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for v in node.values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


def _all_patterns() -> list[str]:
    found = set()
    for path in SCHEMAS:
        found |= set(_patterns(json.loads(path.read_text(encoding="utf-8"))))
    return sorted(found)


def test_every_schema_pattern_is_anchored_at_both_ends() -> None:
    patterns = _all_patterns()
    assert len(patterns) >= 5
    assert [p for p in patterns if not (p.startswith("^") and p.endswith("$"))] == []


SAMPLES = ["a", "a-b", "a.b.c", "kcsie", "2025-26", "2025-09-01", "1.2.3", "https://x.org/a"]


@pytest.mark.parametrize("pattern", _all_patterns())
def test_both_validators_agree_on_every_pattern(pattern: str) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    from safeguard_standards._structure import ecma_pattern

    fast = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    tails = ["", "\n", "\r\n", " ", "\nx", "\n\n"]
    cases = [s + t for s in SAMPLES for t in tails] + ["\n" + s for s in SAMPLES]
    for case in cases:
        python = ecma_pattern(pattern).search(case) is not None
        assert python == fast.is_valid(case), (pattern, case)
        if case.endswith("\n"):
            assert not python, (pattern, case)


def _patterned_paths(schema: dict[str, Any]) -> set[tuple[str, ...]]:
    """Paths to every value with a pattern; a key with one ends in '<key>'."""
    found: set[tuple[str, ...]] = set()

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        node = _resolve(schema, node)
        if len(path) > 14:
            return
        for alt in node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", []):
            walk(alt, path)
        if "pattern" in node:
            found.add(path)
        if "pattern" in _resolve(schema, node.get("propertyNames", {})):
            found.add((*path, "<key>"))
        for key, sub in node.get("properties", {}).items():
            walk(sub, (*path, key))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            walk(extra, (*path, "*"))
        for sub in node.get("patternProperties", {}).values():
            walk(sub, (*path, "*"))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "[]"))

    walk(schema, ())
    return found


def _concrete(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(schema-style path, (container, key or index, is_key)) of every string value and key.

    A mapping key appears under both spellings of its path: its name and '*' (any key).
    """
    out: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append(((*path, "<key>"), (data, key, True)))
            for step in (key, "*"):
                if isinstance(value, str):
                    out.append(((*path, step), (data, key, False)))
                else:
                    out.extend(_concrete(value, (*path, step)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, str):
                out.append(((*path, "[]"), (data, i, False)))
            else:
                out.extend(_concrete(value, (*path, "[]")))
    return out


def test_every_patterned_field_and_key_with_a_trailing_line_break_is_refused() -> None:
    from safeguard_standards import _yaml

    wanted = _patterned_paths(json.loads(SCHEMA.read_text(encoding="utf-8")))
    data = _yaml.parse(COMPLETE.read_text(encoding="utf-8"), "complete.yaml").data
    covered: set[tuple[str, ...]] = set()
    new = _Markers()
    originals: dict[str, str] = {}
    marked: set[tuple[int, Any]] = set()
    for path, (container, key, is_key) in _concrete(data):
        if path not in wanted or is_key or (id(container), key) in marked:
            continue
        covered.add(path)
        marked.add((id(container), key))
        marker = new()
        originals[marker] = container[key]
        container[key] = marker
    for path, (container, key, is_key) in _concrete(data):
        if is_key and path in wanted and key not in originals:
            covered.add(path)
            marker = new()
            originals[marker] = key
            container[marker] = container.pop(key)
    # ids, dotted ids, versions, dates, addresses, and the keys that are ids
    assert len(covered) >= 20, sorted(covered)
    text = yaml.safe_dump(data, sort_keys=False, width=10_000)
    where = {m.group(): _at(text, m.start()) for m in re.finditer(r"Z\d{4}Q", text)}
    assert len(where) == len(originals)
    hostile = re.sub(r"Z\d{4}Q", lambda m: json.dumps(originals[m.group()] + "\n"), text)
    result = check_text(hostile, "ids.yaml")
    refused = {(d.line, d.column) for d in result.diagnostics if d.code.code == "SG113"}
    missed = {m: originals[m] for m, spot in where.items() if spot not in refused}
    assert missed == {}
    assert not result.ok


# -- overlays go through the same reader and the same pattern semantics ----------------------


def test_an_overlay_with_escaped_controls_and_an_id_with_a_line_break(tmp_path: Path) -> None:
    from safeguard_standards import check_set

    base = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        'dsl: 1\nextends: base.yaml\ntitle: "Local \\e[2J audit"\n'
        'remove:\n  - "leadership.governance.visits\\n"\n',
        encoding="utf-8",
    )
    found = {(d.code.code, d.line, d.column) for d in check_set(str(overlay)).diagnostics}
    assert ("SG123", 3, 15) in found  # at the backslash of the escape
    assert ("SG113", 5, 5) in found


def test_noncharacters_typed_as_they_are_are_refused_where_they_are() -> None:
    # the YAML library refuses typed controls (SG109) but lets noncharacters through
    text = (
        COMPLETE.read_text(encoding="utf-8")
        .replace("title: Example safeguarding", "title: Ex\ufdd0ample safeguarding")
        .replace(
            "description: An example used by the tests.",
            "# \U0001fffe\ndescription: 'An \U0010ffff example'",
        )
    )
    result = check_text(text, "raw.yaml")
    found = [(d.code.code, d.line, d.column) for d in result.diagnostics]
    assert found == [("SG123", 5, 10), ("SG123", 9, 3), ("SG123", 10, 18)]
    assert "U+10FFFF" in result.diagnostics[2].message


@pytest.mark.parametrize("text", ['dsl: 1\nid: "a\ud800"\n', "dsl: 1\nid: a\udfff\n"])
def test_a_lone_surrogate_in_text_given_as_a_str_is_a_diagnostic(text: str) -> None:
    # files are decoded strictly (SG109); only a str from a program can hold one
    result = check_text(text, "api")
    (problem,) = result.diagnostics
    assert (problem.code.code, problem.line) == ("SG123", 2)
    assert problem.column == text.splitlines()[1].index("a") + 2
    assert "lone surrogate" in problem.message


def test_a_typed_nel_is_a_line_break_and_the_hint_says_so() -> None:
    result = check_text("dsl: 1\nid: a\x85b\n", "nel.yaml")
    assert result.errors[0].code.code == "SG100"
    assert "line 2 holds the character U+0085 (NEL)" in result.errors[0].hint


OVERLAY_SCHEMA = ROOT / "safeguard_standards" / "schema" / "overlay.schema.json"


@pytest.mark.parametrize(("escape", "point"), [("\\x07", 0x07), ("\\uFFFF", 0xFFFF)])
def test_an_escaped_bad_character_is_refused_in_every_overlay_field(
    tmp_path: Path, escape: str, point: int
) -> None:
    from safeguard_standards import check_set

    base = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    data: dict[str, Any] = {"dsl": 1, "extends": "base.yaml"}
    for path in sorted(_string_paths(json.loads(OVERLAY_SCHEMA.read_text(encoding="utf-8")))):
        if path != ("extends",):
            _place(data, path, "filled")
    # every string and key, the extends: path included, becomes a marker
    marked = _mark_everything(data, _Markers())
    text = yaml.safe_dump(marked, sort_keys=False, width=10_000)
    hostile = re.sub(r"Z\d{4}Q", lambda m: f'"{m.group()}{escape}E"', text)
    where = {_at(hostile, m.start() + 7) for m in re.finditer(r'"Z\d{4}Q', hostile)}
    assert len(where) > 60
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(hostile, encoding="utf-8")
    result = check_set(str(overlay))
    bad = [d for d in result.diagnostics if d.code.code == "SG123"]
    assert {(d.line, d.column) for d in bad} == where
    assert all(f"U+{point:04X}" in d.message for d in bad)

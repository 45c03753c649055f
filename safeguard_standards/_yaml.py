"""Strict YAML reading on top of PyYAML, keeping line and column numbers in a side table.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys, follows aliases (so an
alias bomb can expand exponentially), builds dates from unquoted dates and reads ``no`` as
False. Here:

* the C loader (libyaml) parses, with the garbage collector paused; the pure-Python loader is
  the fallback where PyYAML was built without libyaml;
* every mapping and sequence records where it, its keys and its values start, in a
  :class:`SourceMap` keyed by the container's ``id()``; nothing keeps the node graph alive;
* duplicate keys, anchors and aliases, merge keys and tags are reported as diagnostics, and an
  alias is never expanded (it constructs as ``None``), so an alias bomb costs nothing;
* unquoted dates stay strings; whether a scalar was quoted is recorded, so that a later stage
  can say "quote it" when YAML turned ``1.10`` into a number where text was expected.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Hashable
from typing import Any

import attrs
import yaml

from .diagnostics import Code, Diagnostic

__all__ = ["MAX_BYTES", "ParseResult", "SourceMap", "decode", "parse"]

#: Files larger than this are refused before parsing (SG116).
MAX_BYTES = 20 * 1024 * 1024

if getattr(yaml, "__with_libyaml__", False):  # pragma: no branch - depends on the build
    _Base: Any = yaml.CSafeLoader
else:  # pragma: no cover - PyPI wheels ship libyaml
    _Base = yaml.SafeLoader

# One entry per scalar value: (line, column, style, raw text). A plain (unquoted) scalar has
# style None (pure-Python parser) or "" (libyaml); containers have style "container".
ValuePos = tuple[int, int, "str | None", "str | None"]


class SourceMap:
    """Where each container, key and value of a parsed document starts (1-based)."""

    __slots__ = ("_maps", "_seqs", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        # id(dict) -> (line, col, {key: (key_line, key_col, value_pos)})
        self._maps: dict[int, tuple[int, int, dict[Hashable, tuple[int, int, ValuePos]]]] = {}
        # id(list) -> (line, col, [value_pos, ...])
        self._seqs: dict[int, tuple[int, int, list[ValuePos]]] = {}

    def container(self, obj: object) -> tuple[int, int]:
        """Where a mapping or sequence starts; (0, 0) if unknown."""
        entry = self._maps.get(id(obj)) or self._seqs.get(id(obj))
        return (entry[0], entry[1]) if entry else (0, 0)

    def key(self, mapping: object, key: Hashable) -> tuple[int, int]:
        """Where a key of a mapping is written."""
        entry = self._maps.get(id(mapping))
        if entry is None or key not in entry[2]:
            return self.container(mapping)
        k = entry[2][key]
        return (k[0], k[1])

    def value(self, container: object, key: Hashable) -> ValuePos:
        """Where the value under a key (or list index) is written, its style and raw text."""
        if isinstance(container, dict):
            entry = self._maps.get(id(container))
            if entry is not None and key in entry[2]:
                return entry[2][key][2]
        elif isinstance(container, list) and isinstance(key, int):
            seq = self._seqs.get(id(container))
            if seq is not None and 0 <= key < len(seq[2]):
                return seq[2][key]
        line, col = self.container(container)
        return (line, col, None, None)

    def locate(self, root: object, path: list[Hashable] | tuple[Hashable, ...]) -> ValuePos:
        """Position of the value reached from ``root`` by ``path`` (keys and indices)."""
        node = root
        pos: ValuePos = (*self.container(root), None, None)
        for step in path:
            if isinstance(node, dict) and step in node:
                child = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                child = node[int(step)]
            else:
                break
            pos = self.value(node, step)
            node = child
        return pos


class ParseResult:
    """What :func:`parse` returns: the data (or None), its source map and the diagnostics."""

    __slots__ = ("data", "diagnostics", "fatal", "sourcemap")

    def __init__(
        self, data: Any, sourcemap: SourceMap, diagnostics: list[Diagnostic], fatal: bool
    ) -> None:
        self.data = data
        self.sourcemap = sourcemap
        self.diagnostics = diagnostics
        #: True when the data cannot be trusted at all (syntax error, alias, not a mapping).
        self.fatal = fatal


def _pos(node: yaml.Node) -> ValuePos:
    mark = node.start_mark
    if isinstance(node, yaml.ScalarNode):
        return (mark.line + 1, mark.column + 1, node.style, node.value)
    return (mark.line + 1, mark.column + 1, "container", None)


class _StrictLoader(_Base):  # type: ignore[misc]
    """A safe loader that records positions and reports what strict YAML refuses."""

    def __init__(self, text: str, sourcemap: SourceMap) -> None:
        super().__init__(text)
        self.sm = sourcemap
        self.problems: list[Diagnostic] = []
        self.aliases = 0

    def _problem(self, code: Code, node_or_pos: Any, message: str, hint: str) -> None:
        if isinstance(node_or_pos, tuple):
            line, col = node_or_pos
        else:
            line, col = node_or_pos.start_mark.line + 1, node_or_pos.start_mark.column + 1
        self.problems.append(Diagnostic(code, message, self.sm.source, line, col, hint=hint))

    # Aliases: the same node reached twice. Never expand; construct None instead.
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            self.aliases += 1
            return None
        return super().construct_object(node, deep=deep)

    def construct_undefined(self, node: yaml.Node) -> None:
        tag = str(node.tag)
        if tag.startswith("tag:yaml.org,2002:"):
            tag = "!!" + tag[len("tag:yaml.org,2002:") :]
        self._problem(
            Code.TAG,
            node,
            f"the tag {tag!r} is not allowed",
            "remove the tag (the part starting with '!'); standard sets are plain text, "
            "lists and mappings",
        )
        return

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        kept = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    Code.MERGE_KEY,
                    key_node,
                    "merge keys ('<<') are not allowed",
                    "write the fields out in full; each item should be readable on its own",
                )
            else:
                kept.append((key_node, value_node))
        node.value = kept

    def _fill_mapping(self, data: dict[Any, Any], node: yaml.MappingNode) -> None:
        self.flatten_mapping(node)
        keys: dict[Hashable, tuple[int, int, ValuePos]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(
                    Code.WRONG_TYPE,
                    key_node,
                    "a key must be a plain name, not a list or mapping",
                    "write the key as a single word followed by ':'",
                )
                continue
            # Keys are names: take the text as written, whatever YAML would resolve it to.
            # (resolution such as yes -> True or 1 -> int is not wanted for names).
            key = key_node.value
            if key in keys:
                first_line = keys[key][0]
                self._problem(
                    Code.DUPLICATE_KEY,
                    key_node,
                    f"duplicate key {key!r} (first used on line {first_line})",
                    f"delete one of the two {key!r} entries or merge them; YAML would silently "
                    "keep only the last one",
                )
                continue
            value = self.construct_object(value_node, deep=False)
            keys[key] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
                _pos(value_node),
            )
            data[key] = value
        self.sm._maps[id(data)] = (node.start_mark.line + 1, node.start_mark.column + 1, keys)

    def construct_strict_map(self, node: yaml.MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        self._fill_mapping(data, node)

    def construct_strict_seq(self, node: yaml.SequenceNode) -> Any:
        data: list[Any] = []
        yield data
        data.extend(self.construct_object(child, deep=False) for child in node.value)
        self.sm._seqs[id(data)] = (
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            [_pos(child) for child in node.value],
        )

    def construct_plain_timestamp(self, node: yaml.ScalarNode) -> str:
        # Dates stay text; the schema checks their form.
        return str(node.value)

    def construct_refused(self, node: yaml.Node) -> None:
        return self.construct_undefined(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_strict_map)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _StrictLoader.construct_strict_seq)
_StrictLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _StrictLoader.construct_plain_timestamp
)
for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _StrictLoader.construct_refused)
_StrictLoader.add_constructor(None, _StrictLoader.construct_undefined)

_ANCHOR_HINT = (
    "write the value out in full where it is needed; anchors and aliases make a file hard to "
    "read and can hide very large expansions"
)


def _alias_diagnostics(text: str, source: str) -> list[Diagnostic]:
    """Exact locations of anchors and aliases (only run when one was detected)."""
    found: list[Diagnostic] = []
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, yaml.AliasEvent):
                kind, name = "alias", f"*{event.anchor}"
            elif getattr(event, "anchor", None):
                kind, name = "anchor", f"&{getattr(event, 'anchor', '')}"
            else:
                continue
            count += 1
            if len(found) < 10:
                m = event.start_mark
                assert m is not None
                found.append(
                    Diagnostic(
                        Code.ALIAS,
                        f"{kind} {name!r} is not allowed",
                        source,
                        m.line + 1,
                        m.column + 1,
                        hint=_ANCHOR_HINT,
                    )
                )
    except yaml.YAMLError:  # pragma: no cover - the text already parsed once
        pass
    if count > len(found):
        last = found[-1]
        more = count - len(found)
        found[-1] = attrs.evolve(last, message=f"{last.message} (and {more} more)")
    return found


_ANCHOR_RE = re.compile(r"(?:^|[\s\[{,:-])&[^\s\]},]", re.MULTILINE)

_SYNTAX_HINTS = (
    ("mapping values are not allowed", "a value contains ': ' — put the whole value in quotes"),
    ("could not find expected ':'", "a line is missing its ':' or its indentation is off"),
    ("found character '\\t'", "replace the tab with spaces"),
    ("did not find expected key", "check the indentation of this line against the one above"),
    ("did not find expected '-' indicator", "list items must line up, each starting with '- '"),
    ("found undefined alias", "remove the '*' or quote the value"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("while scanning a quoted scalar", "a quoted value is not closed: add the closing quote"),
    (
        "found unknown escape character",
        "inside double quotes a backslash starts an escape: use single quotes",
    ),
    ("unacceptable character", "the file contains a control character: delete it"),
)


def _syntax_hint(problem: str) -> str:
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem:
            return hint
    return "check the YAML syntax on this line and the one before it"


def decode(raw: bytes, source: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is allowed); a located SG109 on failure."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        return None, [
            Diagnostic(
                Code.ENCODING,
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                source,
                line,
                column,
                hint="save the file as UTF-8 (in Word or Notepad: 'Save as' → encoding UTF-8)",
            )
        ]


def _tab_diagnostics(text: str, source: str) -> list[Diagnostic]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" \t")
        indent = line[: len(line) - len(stripped)]
        if "\t" in indent:
            found.append(
                Diagnostic(
                    Code.TAB_INDENT,
                    "a tab is used for indentation",
                    source,
                    number,
                    indent.index("\t") + 1,
                    hint="YAML indentation must be spaces: replace the tab with spaces "
                    "(2 per level)",
                )
            )
    return found


def parse(text: str, source: str) -> ParseResult:
    """Parse one YAML document strictly. Never raises for bad input."""
    sm = SourceMap(source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        before = text[: text.index("\x00")]
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return ParseResult(
            None,
            sm,
            [
                Diagnostic(
                    Code.ENCODING,
                    "the file contains a NUL byte",
                    source,
                    line,
                    col,
                    hint="the file is binary or damaged: open it in a text editor and save it "
                    "again as UTF-8",
                )
            ],
            True,
        )
    loader = _StrictLoader(text, sm)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        return ParseResult(None, sm, _syntax_diagnostics(exc, text, source), True)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        return ParseResult(
            None,
            sm,
            [
                Diagnostic(
                    Code.ENCODING,
                    f"character {exc.character!r} is not allowed in YAML",
                    source,
                    line,
                    col,
                    hint="delete the control character (it often comes from copying out of Word)",
                )
            ],
            True,
        )
    except yaml.YAMLError as exc:  # pragma: no cover - defensive: PyYAML's other errors
        return ParseResult(None, sm, [Diagnostic(Code.YAML_SYNTAX, str(exc), source, 1, 1)], True)
    except RecursionError:
        return ParseResult(
            None,
            sm,
            [
                Diagnostic(
                    Code.LIMIT,
                    "the file is nested too deeply to read",
                    source,
                    1,
                    1,
                    hint="a standard set is only a few levels deep; check the indentation",
                )
            ],
            True,
        )
    finally:
        if gc_was_enabled:
            gc.enable()
        loader.dispose()

    diagnostics = list(loader.problems)
    if loader.aliases or _ANCHOR_RE.search(text):
        aliases = _alias_diagnostics(text, source)
        diagnostics.extend(aliases)
        if loader.aliases:
            return ParseResult(None, sm, diagnostics, True)
    if data is None:
        diagnostics.append(
            Diagnostic(
                Code.NOT_A_MAPPING,
                "the file is empty",
                source,
                1,
                1,
                hint="a standard set starts with 'dsl: 1', then id, version, title and sections",
            )
        )
        return ParseResult(None, sm, diagnostics, True)
    if not isinstance(data, dict):
        line, col = sm.container(data)
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        diagnostics.append(
            Diagnostic(
                Code.NOT_A_MAPPING,
                f"the file holds {kind}, not a mapping of fields",
                source,
                line or 1,
                col or 1,
                hint="a standard set starts with 'dsl: 1' at the left margin, then id, version, "
                "title and sections",
            )
        )
        return ParseResult(None, sm, diagnostics, True)
    return ParseResult(data, sm, diagnostics, False)


def _syntax_diagnostics(exc: yaml.MarkedYAMLError, text: str, source: str) -> list[Diagnostic]:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    problem = exc.problem or exc.context or "invalid YAML"
    if "expected a single document" in (exc.context or "") + problem:
        return [
            Diagnostic(
                Code.MULTIPLE_DOCUMENTS,
                "the file holds more than one YAML document ('---' separates them)",
                source,
                line,
                col,
                hint="keep one standard set per file: delete the '---' line and what follows, "
                "or move it to its own file",
            )
        ]
    tabs = _tab_diagnostics(text, source)
    if tabs:
        return tabs
    hint = _syntax_hint(problem)
    opened = _unclosed_quote(text, line)
    if opened:
        hint = f"a quote opened on line {opened} is never closed; add the closing quote"
    message = problem
    if exc.context and exc.context not in problem:
        message = f"{problem} ({exc.context}"
        if exc.context_mark is not None:
            message += f" started on line {exc.context_mark.line + 1}"
        message += ")"
    return [Diagnostic(Code.YAML_SYNTAX, message, source, line, col, hint=hint)]


def _unclosed_quote(text: str, upto: int) -> int:
    """The line (before ``upto``) of a value that opens a quote and does not close it, or 0."""
    lines = text.splitlines()[: max(0, upto - 1)]
    for number in range(len(lines), 0, -1):
        value = lines[number - 1].partition(": ")[2].strip()
        for quote in ('"', "'"):
            if value.startswith(quote) and (len(value) == 1 or not value.endswith(quote)):
                return number
    return 0

"""Strict YAML reading on top of PyYAML, keeping line and column numbers in a side table.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys, follows aliases (so an
alias bomb can expand exponentially), builds dates from unquoted dates and reads ``no`` as
False; its C composer recurses once per nesting level (a deep enough file crashes the
interpreter) and libyaml's scanner slows down quadratically with flow nesting. Here:

* libyaml (the C parser) produces events and :class:`_Reader` builds dicts and lists from them
  in one flat loop, with the garbage collector paused; no node graph is composed. The
  pure-Python parser is the fallback where PyYAML was built without libyaml;
* the limits (:data:`MAX_BYTES`, :data:`MAX_DEPTH`, :data:`MAX_STRING`, :data:`MAX_KEYS`,
  :data:`MAX_VALUES`; docs/limits.md) are checked as each event arrives, and reading stops at
  the first one crossed, with its own code;
* every mapping and sequence records where it, its keys and its values start, in a
  :class:`SourceMap` keyed by the container's ``id()``;
* duplicate keys, anchors and aliases, merge keys and tags are reported as diagnostics, and an
  alias is never expanded (it reads as ``None``), so an alias bomb costs nothing;
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

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_KEYS",
    "MAX_STRING",
    "MAX_VALUES",
    "ParseResult",
    "SourceMap",
    "decode",
    "parse",
]

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


# -- Limits ------------------------------------------------------------------------------------
# Each is far above what a real standard set needs (the bundled sets are about 130 KB, 8 levels
# deep, with at most a few dozen keys in a mapping) and each has its own diagnostic code.
# docs/limits.md explains them; tests/test_limits.py checks each one.

#: Deepest nesting of mappings and sequences (SG118). A question is 7 levels deep; ``ask_if``
#: conditions combined with all/any add two levels each.
MAX_DEPTH = 64
#: Longest single value or key, in characters (SG119): about 40 pages of prose.
MAX_STRING = 100_000
#: Most keys in one mapping (SG120).
MAX_KEYS = 10_000
#: Most values (keys, scalars, mappings, sequences, aliases) in one file (SG121): a
#: 5,000-question set (14 MB) has about 176,000; the bundled sets about 4,000 each.
MAX_VALUES = 300_000

_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = _TAG + "map", _TAG + "seq", _TAG + "str"
_MERGE = _TAG + "merge"
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_BOOL = yaml.constructor.SafeConstructor.bool_values


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Stop(Exception):
    """Raised inside the reader when a limit is exceeded: reading stops at once."""


class _Frame:
    """A mapping or sequence being read."""

    __slots__ = ("col", "data", "is_map", "key", "key_col", "key_line", "keys", "line", "muted")

    def __init__(self, data: Any, is_map: bool, line: int, col: int, muted: bool) -> None:
        self.data = data
        self.is_map = is_map
        self.line = line
        self.col = col
        self.muted = muted  # read but not kept: nothing inside is reported or mapped
        self.keys: Any = {} if is_map else []  # key -> (line, col, ValuePos) | [ValuePos]
        self.key: Any = _NEED_KEY  # mappings: the pending key, _NEED_KEY or _SKIP
        self.key_line = 0
        self.key_col = 0


_NEED_KEY = object()  # a mapping frame expects a key next
_SKIP = object()  # the next value belongs to a refused key: read it, keep nothing


class _Reader:
    """Builds plain data from libyaml's event stream, without recursion.

    PyYAML's C composer recurses once per nesting level (a 30,000-deep file overflows the C
    stack) and libyaml's scanner slows down quadratically with flow nesting, so nesting and
    size limits are enforced here, event by event, before either can bite. Nothing is
    composed into a node graph: each value goes straight into dicts, lists and the side table.
    """

    def __init__(self, text: str, sm: SourceMap) -> None:
        self.loader = _Base(text)
        self.text = text
        self.sm = sm
        self.problems: list[Diagnostic] = []
        self.anchors: list[Diagnostic] = []
        self.anchor_count = 0
        self.aliases = 0
        self.values = 0
        #: Where the document's top value starts.
        self.root_pos: ValuePos = (1, 1, None, None)

    def _problem(
        self, code: Code, mark: Any, message: str, hint: str, *, limit: bool = False
    ) -> None:
        """Record a problem at a libyaml mark (0-based) or a (line, column) pair (1-based)."""
        line, col = mark if isinstance(mark, tuple) else (mark.line + 1, mark.column + 1)
        self.problems.append(Diagnostic(code, message, self.sm.source, line, col, hint=hint))
        if limit:
            raise _Stop

    def _anchor(self, kind: str, name: str, mark: Any) -> None:
        self.anchor_count += 1
        if len(self.anchors) < 10:
            self.anchors.append(
                Diagnostic(
                    Code.ALIAS,
                    f"{kind} {name!r} is not allowed",
                    self.sm.source,
                    mark.line + 1,
                    mark.column + 1,
                    hint=_ANCHOR_HINT,
                )
            )

    def anchor_diagnostics(self) -> list[Diagnostic]:
        """Anchors and aliases, the first ten located, the count of the rest on the last."""
        found = list(self.anchors)
        more = self.anchor_count - len(found)
        if more > 0:
            last = found[-1]
            found[-1] = attrs.evolve(last, message=f"{last.message} (and {more} more)")
        return found

    def read(self) -> Any:
        """The data of the single document (None if empty). Raises yaml errors and _Stop."""
        get = self.loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        data = self._node()
        get()  # DocumentEndEvent
        event = get()
        if isinstance(event, yaml.DocumentStartEvent):
            self._problem(
                Code.MULTIPLE_DOCUMENTS,
                event.start_mark,
                "the file holds more than one YAML document ('---' separates them)",
                "keep one standard set per file: delete the '---' line and what follows, "
                "or move it to its own file",
                limit=True,
            )
        return data

    def _scalar(self, event: Any, muted: bool) -> Any:
        value: str = event.value
        tag = event.tag
        explicit = tag is not None and tag != "!"
        if len(value) > MAX_STRING:
            self._problem(
                Code.TOO_LONG,
                event.start_mark,
                f"this value is {len(value):,} characters long; the limit is {MAX_STRING:,}",
                "a standard set needs nothing this long: check the quotes around this value, "
                "or split the text",
                limit=True,
            )
        if not explicit:
            if not event.implicit[0]:  # quoted or a block scalar: always text
                return value
            for resolved, pattern in _IMPLICIT.get(value[:1], ()):
                if pattern.match(value):
                    tag = resolved
                    break
            else:
                return value
        if tag == _STR or tag == _TAG + "timestamp":  # dates stay text; the schema checks them
            return value
        try:
            if tag == _TAG + "null":
                return None
            if tag == _TAG + "bool":
                return _BOOL[value.lower()]
            if tag == _TAG + "int":
                return self.loader.construct_yaml_int(yaml.ScalarNode(tag, value))
            if tag == _TAG + "float":
                return self.loader.construct_yaml_float(yaml.ScalarNode(tag, value))
        except (KeyError, ValueError):
            if not explicit:
                # YAML's own reading failed (a number too long for Python): keep the text;
                # the structure check reports it where a number belongs.
                return value
            if not muted:
                self._problem(
                    Code.TAG,
                    event.start_mark,
                    f"{value[:40]!r} cannot be read as {_show_tag(tag)}",
                    f"remove the tag {_show_tag(tag)!r}, or write a value that fits it",
                )
            return None
        if not muted:
            self._refused_tag(tag, event.start_mark)
        return None

    def _refused_tag(self, tag: str, mark: Any) -> None:
        self._problem(
            Code.TAG,
            mark,
            f"the tag {_show_tag(tag)!r} is not allowed",
            "remove the tag (the part starting with '!'); standard sets are plain text, "
            "lists and mappings",
        )

    def _node(self) -> Any:
        """Read one node (the document's top value) and everything inside it.

        This loop runs once per YAML event (a 5,000-question set has about 200,000), so the
        common cases (a plain key, a text value, the end of a mapping) are handled inline and
        everything unusual (tags, anchors, duplicate keys, limits) in helper methods.
        """
        get = self.loader.get_event
        stack: list[_Frame] = []
        top: _Frame | None = None  # the innermost open mapping or sequence
        sm_maps = self.sm._maps
        sm_seqs = self.sm._seqs
        implicit = _IMPLICIT
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        need_key, skip = _NEED_KEY, _SKIP
        unprintable = first_unprintable
        values = self.values
        pos: ValuePos
        while True:
            event = get()
            cls = event.__class__
            if cls is scalar_event:
                values += 1
                if values > MAX_VALUES or event.anchor is not None:
                    self._unusual(event, values)
                value = event.value
                mark = event.start_mark
                style = event.style
                pos = (mark.line + 1, mark.column + 1, style, value)
                if len(value) > MAX_STRING:
                    self._scalar(event, True)  # reports the limit and stops
                tag = event.tag
                # only escapes write these: the YAML library refuses them typed as they are
                # (the noncharacters it accepts are found in the text, see _raw_unprintable)
                if (
                    style == '"'
                    and unprintable(value)
                    and not (top is not None and self._muted(top))
                ):
                    self._unprintable(event)
                if top is not None and top.key is need_key and top.is_map:
                    # a key: a name, taken as written (yes stays 'yes', 1 stays '1')
                    keys = top.keys
                    if (
                        tag is None
                        and value != "<<"
                        and value not in keys
                        and len(keys) < MAX_KEYS
                        and not top.muted
                    ):
                        top.key = value
                        top.key_line = pos[0]
                        top.key_col = pos[1]
                    else:
                        self._key(top, event, cls, value, mark)
                    continue
                if tag is not None or (event.implicit[0] and implicit.get(value[:1])):
                    value = self._scalar(event, top is not None and self._muted(top))
            elif cls is map_start or cls is seq_start:
                values += 1
                mark = event.start_mark
                if values > MAX_VALUES or event.anchor is not None:
                    self._unusual(event, values)
                if len(stack) >= MAX_DEPTH:
                    self._problem(
                        Code.TOO_DEEP,
                        mark,
                        f"the file is nested more than {MAX_DEPTH} levels deep here",
                        "a standard set is never more than about 12 levels deep: check the "
                        "brackets and the indentation",
                        limit=True,
                    )
                is_map = cls is map_start
                as_key = top is not None and top.key is need_key and top.is_map
                muted = top is not None and self._muted(top)
                tag = event.tag
                refused = tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ)
                if refused and not (muted or as_key):
                    self._refused_tag(tag, mark)
                top = _Frame(
                    {} if is_map else [],
                    is_map,
                    mark.line + 1,
                    mark.column + 1,
                    muted or as_key or refused,
                )
                stack.append(top)
                continue
            elif cls is alias_event:
                values += 1
                self._unusual(event, values)
                mark = event.start_mark
                value = None  # never expanded
                pos = (mark.line + 1, mark.column + 1, None, None)
                if top is not None and top.key is need_key and top.is_map:
                    top.key = skip
                    continue
            elif top is not None:  # the end of a mapping or sequence
                frame = stack.pop()
                top = stack[-1] if stack else None
                value = frame.data
                pos = (frame.line, frame.col, "container", None)
                if frame.muted:
                    value = None  # refused: nothing of it is kept or mapped
                elif frame.is_map:
                    sm_maps[id(value)] = (frame.line, frame.col, frame.keys)
                else:
                    sm_seqs[id(value)] = (frame.line, frame.col, frame.keys)
                if top is not None and top.key is need_key and top.is_map:
                    # a list or mapping used as a key
                    if not top.muted:
                        self._problem(
                            Code.WRONG_TYPE,
                            (frame.line, frame.col),
                            "a key must be a plain name, not a list or mapping",
                            "write the key as a single word followed by ':'",
                        )
                    top.key = skip
                    continue
            else:  # pragma: no cover - the parser yields nothing else inside a document
                raise yaml.YAMLError(f"unexpected {cls.__name__}")

            if top is None:
                self.values = values
                self.root_pos = pos
                return value
            if top.is_map:
                key = top.key
                if key is not skip:
                    top.data[key] = value
                    top.keys[key] = (top.key_line, top.key_col, pos)
                top.key = need_key
            else:
                top.data.append(value)
                top.keys.append(pos)

    def _unprintable(self, event: Any) -> None:
        """SG123 for a scalar holding a character no document can hold, at the character."""
        value: str = event.value
        char = first_unprintable(value)
        assert char is not None
        line, col = _escape_position(self.text, event, char)
        self._problem(
            Code.UNPRINTABLE,
            (line, col),
            f"{_describe(char)} is not allowed in a standard set",
            _unprintable_hint(char),
        )

    def _unusual(self, event: Any, values: int) -> None:
        """An event past the value limit, or carrying an anchor or being an alias."""
        if values > MAX_VALUES:
            self._problem(
                Code.TOO_MANY_VALUES,
                event.start_mark,
                f"the file holds more than {MAX_VALUES:,} values",
                "a standard set needs far fewer: check that this is the right file",
                limit=True,
            )
        if event.anchor is not None:
            self._anchor_event(event, event.__class__ is yaml.AliasEvent)

    @staticmethod
    def _muted(frame: _Frame) -> bool:
        """Whether a value read next inside ``frame`` is read but not kept."""
        return frame.muted or (frame.is_map and frame.key is _SKIP)

    def _anchor_event(self, event: Any, alias: bool) -> None:
        if alias:
            self.aliases += 1
            self._anchor("alias", f"*{event.anchor}", event.start_mark)
        else:
            self._anchor("anchor", f"&{event.anchor}", event.start_mark)

    def _key(self, frame: _Frame, event: Any, cls: type, key: Any, mark: Any) -> None:
        """Take the node just read as the next key of ``frame``."""
        frame.key = _SKIP  # unless it turns out to be a usable name
        if cls is not yaml.ScalarEvent:
            return  # a list or mapping as a key (reported when it ended) or an alias
        report = not frame.muted
        tag = event.tag
        if tag == _MERGE or (tag is None and event.implicit[0] and key == "<<"):
            if report:
                self._problem(
                    Code.MERGE_KEY,
                    mark,
                    "merge keys ('<<') are not allowed",
                    "write the fields out in full; each item should be readable on its own",
                )
            return
        if tag not in (None, "!", _STR):
            if report:
                self._refused_tag(tag, mark)
            return
        keys = frame.keys
        if key in keys:
            if report:
                self._problem(
                    Code.DUPLICATE_KEY,
                    mark,
                    f"duplicate key {key!r} (first used on line {keys[key][0]})",
                    f"delete one of the two {key!r} entries or merge them; YAML would silently "
                    "keep only the last one",
                )
            return
        if len(keys) >= MAX_KEYS:
            self._problem(
                Code.TOO_MANY_KEYS,
                mark,
                f"this mapping has more than {MAX_KEYS:,} keys",
                "a standard set needs far fewer: check the indentation above this line",
                limit=True,
            )
        frame.key = key
        frame.key_line = mark.line + 1
        frame.key_col = mark.column + 1


#: Characters no value may hold (SG123), whether typed or written as an escape such as
#: ``"\x07"``: C0 controls other than tab, line feed and carriage return; DEL; the C1
#: controls; lone surrogates (``"\ud800"``); and the Unicode noncharacters (U+FDD0-U+FDEF and
#: the last two code points of every plane, such as U+FFFE). XML 1.0, and so DOCX, XLSX and
#: HTML, cannot hold most of them; the rest are invisible, or move the cursor of a terminal.
#: libyaml refuses most of them typed as they are (what it lets through is _RAW_CANDIDATE),
#: but decodes every one from the escapes of a double-quoted value.
#: (A regular expression listing the 34 noncharacters beyond the BMP one by one is ten times
#: slower than ranges; candidates are found with ranges and checked by _is_unprintable.)
_CANDIDATE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe-\U0010ffff]"
)
#: What the YAML library lets through when typed as it is: the noncharacters from U+FDD0
#: (it refuses the controls, DEL, lone surrogates, U+FFFE and U+FFFF, and the C1 controls but
#: NEL, which it reads as a line break).
_RAW_CANDIDATE = re.compile("[\ufdd0-\ufdef\U0001fffe-\U0010ffff]")


def _is_unprintable(char: str) -> bool:
    """Whether a candidate found by _CANDIDATE or _RAW_CANDIDATE is one (beyond the BMP, only
    the last two code points of each plane are)."""
    point = ord(char)
    return point < 0x10000 or point & 0xFFFE == 0xFFFE


def first_unprintable(value: str) -> str | None:
    """The first character of ``value`` that SG123 refuses, or None."""
    for match in _CANDIDATE.finditer(value):
        if _is_unprintable(match.group()):
            return match.group()
    return None


def _raw_unprintable(text: str, source: str) -> list[Diagnostic]:
    """SG123 for each noncharacter typed in the text (one pass; lines counted as it goes)."""
    found: list[Diagnostic] = []
    if text.isascii():
        return found
    try:
        data = text.encode("utf-8")  # a fast test first: bytes.find is memchr
    except UnicodeEncodeError as exc:  # only text given as a str can hold a lone surrogate
        line, col = _at(text, exc.start)
        char = text[exc.start]
        return [
            Diagnostic(
                Code.UNPRINTABLE,
                f"{_describe(char)} is not allowed in a standard set",
                source,
                line,
                col,
                hint=_unprintable_hint(char),
            )
        ]
    if b"\xef\xb7" not in data and b"\xbf\xbe" not in data and b"\xbf\xbf" not in data:
        return found
    line, line_start, last = 1, 0, 0
    for match in _RAW_CANDIDATE.finditer(text):
        if not _is_unprintable(match.group()):
            continue
        index = match.start()
        breaks = text.count("\n", last, index)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", last, index) + 1
        last = index
        char = match.group()
        found.append(
            Diagnostic(
                Code.UNPRINTABLE,
                f"{_describe(char)} is not allowed in a standard set",
                source,
                line,
                index - line_start + 1,
                hint=_unprintable_hint(char),
            )
        )
    return found


_CONTROL_NAMES = {
    "\x00": "NUL",
    "\x07": "bell",
    "\x08": "backspace",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x1b": "escape",
    "\x7f": "delete",
    "\x85": "NEL",
}


def _describe(char: str) -> str:
    """``the control character U+0007 (bell)``, and so on."""
    point = ord(char)
    code = f"U+{point:04X}"
    if 0xD800 <= point <= 0xDFFF:
        return f"the lone surrogate {code} (half of a character)"
    if point >= 0xFDD0 and (0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE):
        return f"the noncharacter {code}"
    name = _CONTROL_NAMES.get(char)
    return f"the control character {code}" + (f" ({name})" if name else "")


def _unprintable_hint(char: str) -> str:
    if char == "\x85" or char == "\x96" or char == "\x92":
        return (
            "delete it; it usually comes from text saved in the Windows-1252 encoding "
            "(U+0085 was an ellipsis '…', U+0092 an apostrophe, U+0096 a dash): retype the "
            "punctuation"
        )
    return (
        "delete it (or the escape that writes it, such as \\x07 or \\u0000): documents "
        "cannot hold it, and it is invisible on the page; use a line break or a space instead"
    )


_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    "N": "\x85",
}


def _escape_position(text: str, event: Any, char: str) -> tuple[int, int]:
    """1-based line and column in ``text`` where ``char`` of a scalar is written.

    In a double-quoted value that is the escape that produces it (``\x07``); otherwise the
    character itself. Falls back to where the value starts.
    """
    start, end = event.start_mark.index, event.end_mark.index
    raw = text[start:end]
    line, col = event.start_mark.line + 1, event.start_mark.column + 1
    at = -1
    if event.style == '"':
        for escape in _ESCAPE.finditer(raw):
            body = escape.group(1)
            decoded = chr(int(body[1:], 16)) if len(body) > 1 else _SIMPLE_ESCAPES.get(body, body)
            if decoded == char:
                at = escape.start()
                break
    if at < 0:
        at = raw.find(char)
    if at < 0:
        return line, col
    newline = raw.rfind("\n", 0, at)
    if newline < 0:
        return line, col + at
    return line + raw.count("\n", 0, at), at - newline


_ANCHOR_HINT = (
    "write the value out in full where it is needed; anchors and aliases make a file hard to "
    "read and can hide very large expansions"
)


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
    (
        "found invalid Unicode character escape code",
        "a \\u escape writes half of a character (a lone surrogate, \\ud800 to \\udfff) or "
        "a code point beyond \\U0010FFFF: write the character itself",
    ),
    ("unacceptable character", "the file contains a control character: delete it"),
    (
        "did not find expected <document start>",
        "a '...' line ends the document: delete it, or everything after it",
    ),
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


def _at(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _fatal(sm: SourceMap, *diagnostics: Diagnostic) -> ParseResult:
    return ParseResult(None, sm, list(diagnostics), True)


def parse(text: str, source: str) -> ParseResult:
    """Parse one YAML document strictly. Never raises for bad input."""
    sm = SourceMap(source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_BYTES or (
        len(text) > MAX_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES
    ):
        return _fatal(
            sm,
            Diagnostic(
                Code.LIMIT,
                f"the text is larger than {MAX_BYTES // 1048576} MB",
                source,
                1,
                1,
                hint="a standard set is normally well under 1 MB: check this is the right file",
            ),
        )
    nul = text.find("\x00")
    if nul >= 0:
        line, col = _at(text, nul)
        return _fatal(
            sm,
            Diagnostic(
                Code.ENCODING,
                "the file contains a NUL byte",
                source,
                line,
                col,
                hint="the file is binary or damaged: open it in a text editor and save it "
                "again as UTF-8",
            ),
        )
    raw_unprintable = _raw_unprintable(text, source)
    if any(d.message.startswith("the lone surrogate") for d in raw_unprintable):
        return _fatal(sm, *raw_unprintable)  # text given as a str: the parser cannot take it
    reader = _Reader(text, sm)
    reader.problems.extend(raw_unprintable)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = reader.read()
    except _Stop:
        return _fatal(sm, *reader.problems, *reader.anchor_diagnostics())
    except yaml.MarkedYAMLError as exc:
        deep = _depth_problems(text, source, exc)
        return _fatal(sm, *(deep or _syntax_diagnostics(exc, text, source)))
    except yaml.reader.ReaderError as exc:
        line, col = _at(text, exc.position)
        return _fatal(
            sm,
            Diagnostic(
                Code.ENCODING,
                f"character {exc.character!r} is not allowed in YAML",
                source,
                line,
                col,
                hint="delete the control character (it often comes from copying out of Word)",
            ),
        )
    except yaml.YAMLError as exc:  # pragma: no cover - defensive: PyYAML's other errors
        return _fatal(sm, Diagnostic(Code.YAML_SYNTAX, str(exc), source, 1, 1))
    finally:
        if gc_was_enabled:
            gc.enable()
        reader.loader.dispose()

    diagnostics = reader.problems + reader.anchor_diagnostics()
    if reader.aliases:
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
        line, col = reader.root_pos[0], reader.root_pos[1]
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


def _depth_problems(text: str, source: str, exc: yaml.MarkedYAMLError) -> list[Diagnostic]:
    """SG118 for a flow collection nested deeper than MAX_DEPTH, when the library gave up first.

    libyaml scans a flow collection to its end before the first event reaches the reader (each
    ``[`` may start a key), so on a deeply nested one the library's own nesting limit, which
    differs between versions, can fire before ours. When a syntax error comes after more than
    :data:`MAX_DEPTH` open flow brackets, the text up to the bracket past the limit is read again:
    that prefix is shallow enough for any version, and the event reader then reports the limit
    exactly where it is crossed.
    """
    mark = exc.problem_mark or exc.context_mark
    end = mark.index if mark is not None else len(text)
    cut = _deep_flow_opener(text, end)
    if cut < 0:
        return []
    reader = _Reader(text[: cut + 1], SourceMap(source))
    try:
        reader.read()
    except _Stop:
        return [d for d in reader.problems if d.code is Code.TOO_DEEP]
    except yaml.YAMLError:
        return []
    finally:
        reader.loader.dispose()
    return []


def _deep_flow_opener(text: str, end: int) -> int:
    """Offset of the first ``[`` or ``{`` that opens more than MAX_DEPTH flow levels, or -1.

    A rough scan (quotes and comments skipped) that only proposes where to cut: the event reader
    decides whether the limit is really crossed there.
    """
    depth = 0
    quote = ""
    i = 0
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t\n[{,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            nl = text.find("\n", i)
            i = end if nl < 0 else nl
        i += 1
    return -1


def _syntax_diagnostics(exc: yaml.MarkedYAMLError, text: str, source: str) -> list[Diagnostic]:
    mark = exc.problem_mark or exc.context_mark
    if (exc.context or "").startswith("while scanning a simple key") and exc.context_mark:
        # libyaml notices the missing ':' on a later line; the key is where it is missing
        mark = exc.context_mark
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
    nel = text.find("\x85")
    if nel >= 0 and _at(text, nel)[0] <= line:
        hint = (
            f"line {_at(text, nel)[0]} holds the character U+0085 (NEL), which YAML reads as a "
            "line break; it usually comes from text saved as Windows-1252, where it was an "
            "ellipsis '…': retype it"
        )
    nbsp = _nbsp_indent(text, line)
    if nbsp:
        hint = (
            f"line {nbsp} is indented with non-breaking spaces (pasted from Word or a web "
            "page): retype its indentation as ordinary spaces"
        )
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


def _nbsp_indent(text: str, upto: int) -> int:
    """The last line up to ``upto`` indented with a non-breaking space, or 0."""
    if "\u00a0" not in text:
        return 0
    found = 0
    for number, line in enumerate(text.splitlines()[:upto], start=1):
        indent = line[: len(line) - len(line.lstrip(" \u00a0"))]
        if "\u00a0" in indent:
            found = number
    return found

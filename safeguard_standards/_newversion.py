"""Next year's file from this year's: ``safeguard new-version``.

The new file is this year's text with a few values edited in place, so that every comment,
blank line, quoting style and indentation the author chose stays as it was. Nothing is
re-dumped: a scan of the YAML events gives the exact span of each value to change, and only
those spans are rewritten.

For a standard set:

* ``version`` becomes the new version and ``supersedes`` the old one (added after ``version``
  when missing);
* ``status`` becomes ``draft`` (added after ``version`` when missing): a new version is a draft
  until the editor publishes it;
* ``effective`` ``from`` and ``to`` move on by the years between the two versions (one year
  from 2025-26 to 2026-27, two from 2025-27 to 2027-29; 29 February becomes 28 February), or
  take the dates given;
* every ``change_note`` and ``formerly``, and the set's ``change_summary``, are removed: they
  described the changes *into* the old version. ``formerly`` names an id of the version
  before the old one, which the new version does not supersede. A comment written on the
  same line as a removed value is kept, on a line of its own.

For a partnership overlay (a file with ``extends:``), ``extends`` moves to the new version of the
set it extends (``kcsie@2025-26`` → ``kcsie@2026-27``, or the file name of a path), the
publisher's ``return_deadline`` and any ``effective`` dates move on one year, ``status`` (if
present) becomes ``draft``, and change notes are removed.

Ids are never touched. :func:`new_version_text` does no I/O; the CLI reads and writes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import attrs
import yaml

from ._setspec import SetSpec, SetSpecError

__all__ = ["NewVersion", "NewVersionError", "new_version_text", "next_version_name"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # used with fullmatch
#: Keys removed wherever they appear under ``sections`` (and in an overlay's operations).
_NOTE_KEYS = ("change_note", "formerly")


class NewVersionError(ValueError):
    """The file cannot be scaffolded as asked (a bad version, a file not in block style)."""

    def __init__(self, message: str, hint: str = "", line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: Where in the source file the problem is (1-based), 0 when it is not in the file.
        self.line = line
        self.column = column


@attrs.frozen(kw_only=True)
class NewVersion:
    """The text of next year's file and what was changed to make it."""

    text: str
    #: The version written (for an overlay: the version of the set it now extends).
    version: str
    #: The version it supersedes (for an overlay: the one it extended).
    supersedes: str
    effective_from: str = ""
    effective_to: str = ""
    #: For an overlay: the new ``extends`` value.
    extends: str = ""
    #: What was removed, as (key, 1-based line in the source): change notes, formerly.
    removed: tuple[tuple[str, int], ...] = ()
    #: One line per edit, for the person running the command.
    edits: tuple[str, ...] = ()


@attrs.frozen
class _Entry:
    """One key of a mapping and the span of its value in the text."""

    path: tuple[Any, ...]
    key: str
    key_start: int
    key_line: int
    key_column: int
    value_start: int
    value_end: int
    #: Scalar style ("", '"', "'", "|", ">"), or "map" / "seq" for containers.
    style: str
    value: str | None
    #: The mapping holding the key is in flow style ({…}).
    flow: bool
    #: For mapping values: where the closing brace is (flow) / the mapping ends.
    end_start: int = -1


class _Frame:
    __slots__ = ("entry_key", "flow", "index", "is_map", "key_event", "path", "start")

    def __init__(self, is_map: bool, flow: bool, path: tuple[Any, ...]) -> None:
        self.is_map = is_map
        self.flow = flow
        self.path = path
        self.key_event: Any = None
        self.index = 0
        self.entry_key: _Entry | None = None
        self.start = 0


def _start(event: Any) -> int:
    return int(event.start_mark.index)


def _end(event: Any) -> int:
    return int(event.end_mark.index)


def _scan(text: str) -> list[_Entry]:
    """Every mapping key in the document with the span of its value."""
    entries: list[_Entry] = []
    stack: list[_Frame] = []
    # for containers that are values of a key: (frame, key event) to close the entry later
    pending: list[tuple[_Frame, Any, int]] = []

    def child_path(frame: _Frame) -> tuple[Any, ...]:
        if frame.is_map:
            return (*frame.path, frame.key_event.value)
        return (*frame.path, frame.index)

    event: Any
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
            continue
        if isinstance(event, (yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            if pending and pending[-1][0] is frame:
                _f, key_event, value_start = pending.pop()
                owner = stack[-1]
                entries.append(
                    _Entry(
                        path=owner.path,
                        key=str(key_event.value),
                        key_start=_start(key_event),
                        key_line=key_event.start_mark.line + 1,
                        key_column=key_event.start_mark.column + 1,
                        value_start=value_start,
                        value_end=_end(event),
                        style="map" if frame.is_map else "seq",
                        value=None,
                        flow=owner.flow,
                        end_start=_start(event),
                    )
                )
                owner.key_event = None
            elif stack and not stack[-1].is_map:
                stack[-1].index += 1
            continue
        # a node: scalar, mapping start or sequence start
        parent = stack[-1] if stack else None
        is_key = parent is not None and parent.is_map and parent.key_event is None
        if is_key:
            assert parent is not None
            parent.key_event = event
            continue
        if isinstance(event, yaml.ScalarEvent):
            if parent is not None and parent.is_map:
                key_event = parent.key_event
                entries.append(
                    _Entry(
                        path=parent.path,
                        key=str(key_event.value),
                        key_start=_start(key_event),
                        key_line=key_event.start_mark.line + 1,
                        key_column=key_event.start_mark.column + 1,
                        value_start=_start(event),
                        value_end=_end(event),
                        style=event.style or "",
                        value=event.value,
                        flow=parent.flow,
                    )
                )
                parent.key_event = None
            elif parent is not None:
                parent.index += 1
            continue
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            is_map = isinstance(event, yaml.MappingStartEvent)
            path = child_path(parent) if parent is not None else ()
            frame = _Frame(is_map, bool(event.flow_style), path)
            if parent is not None and parent.is_map:
                pending.append((frame, parent.key_event, _start(event)))
            stack.append(frame)
            continue
        if isinstance(event, yaml.AliasEvent):  # pragma: no cover - strict files have none
            raise NewVersionError("the file uses an alias ('*'); run safeguard validate first")
    return entries


# -- small text helpers ---------------------------------------------------------------------------


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Index just after the newline ending the line that contains ``index``."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _trim_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing whitespace (block scalars end after blank lines)."""
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _plain_ok(value: str) -> bool:
    """Whether ``value`` can be written unquoted and still read back as the same text."""
    if not value or value != value.strip() or value[0] in "-?:,[]{}#&*!|>'\"%@`":
        return False
    if ": " in value or " #" in value or value.endswith(":") or re.search(r"[,\[\]{}]", value):
        return False
    from ._yaml import parse

    # read back the way the loader reads it (unquoted dates stay text there)
    parsed = parse(f"k: {value}\n", "<value>")
    return not parsed.diagnostics and parsed.data == {"k": value}


def _scalar(value: str, style: str) -> str:
    """``value`` written in the same quoting style as the value it replaces."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and _plain_ok(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shift_year(iso: str, years: int = 1, entry: _Entry | None = None, text: str = "") -> str:
    """``iso`` moved on ``years`` years (29 February becomes the 28th).

    A date that would pass 9999-12-31 raises a NewVersionError located at the value.
    """
    try:
        d = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    year = d.year + years
    if year > datetime.MAXYEAR:
        line, column = _position(text, entry.value_start) if entry is not None else (0, 0)
        what = f"{'.'.join(map(str, entry.path))}.{entry.key}" if entry is not None else "date"
        raise NewVersionError(
            f"{what} {iso} cannot move on {years} year{'s' if years != 1 else ''}: dates end "
            f"in {datetime.MAXYEAR}",
            "write a real date here"
            + (
                ", or give the new dates with --from and --to"
                if entry is None or entry.key != "return_deadline"
                else ""
            ),
            line,
            column,
        )
    if d.month == 2 and d.day == 29 and not _leap(year):
        return d.replace(year=year, day=28).isoformat()
    return d.replace(year=year).isoformat()


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _years_between(old_version: str, new_version: str) -> int:
    """Years from one version to the next by their first year (1 when that cannot be told)."""
    a = re.match(r"(\d{4})", old_version)
    b = re.match(r"(\d{4})", new_version)
    if a and b and int(b.group(1)) > int(a.group(1)):
        return int(b.group(1)) - int(a.group(1))
    return 1


def _check_date(value: str, what: str) -> str:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise NewVersionError(
            f"{what} {value!r} is not a date", "write it as YYYY-MM-DD, e.g. 2026-09-01"
        ) from None
    return value


def next_version_name(version: str) -> str | None:
    """The version after ``version`` when it is a year or a span of years.

    ``2025-26`` → ``2026-27``, ``2025-2026`` → ``2026-2027``, ``2025`` → ``2026``,
    ``2025-27`` → ``2027-29`` (a two-year cycle moves on two years). None otherwise.
    """
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}|\d{4}))?", version)
    if not m:
        return None
    start = int(m.group(1))
    if m.group(2) is None:
        return str(start + 1)
    end_text = m.group(2)
    end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
    if end < start:
        end += 100
    step = max(1, end - start)
    new_start, new_end = start + step, end + step
    return f"{new_start}-{new_end if len(end_text) == 4 else f'{new_end % 100:02d}'}"


# -- the edit -------------------------------------------------------------------------------------


class _Editor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.nl = _newline(text)
        #: (start, end, replacement), applied from the end of the text backwards.
        self.edits: list[tuple[int, int, str]] = []
        self.inserts_after: dict[int, list[str]] = {}

    def replace_value(self, entry: _Entry, value: str) -> None:
        end = _trim_end(self.text, entry.value_start, entry.value_end)
        style = entry.style if entry.style in ("", "'", '"') else '"'
        self.edits.append((entry.value_start, end, _scalar(value, style)))

    def insert_line_after(self, entry: _Entry, line: str) -> None:
        """Insert ``key: value`` on a new line after ``entry`` (block) at its indentation."""
        if entry.flow:
            raise NewVersionError(
                f"cannot add a field next to {entry.key!r}: the file is written in flow style "
                "({…}) at that level",
                "write the top level of the file in block style (one 'key: value' per line)",
            )
        end = _trim_end(self.text, entry.value_start, entry.value_end)
        at = _line_end(self.text, end)
        indent = " " * (entry.key_column - 1)
        piece = indent + line + self.nl
        if at == len(self.text) and not self.text.endswith("\n"):
            piece = self.nl + indent + line
        self.inserts_after.setdefault(at, []).append(piece)

    def insert_in_flow(self, mapping: _Entry, piece: str) -> None:
        """Insert ``, key: value`` before the closing brace of a flow mapping."""
        at = mapping.end_start
        before = self.text[:at].rstrip()
        self.edits.append((len(before), at, piece + self.text[len(before) : at]))

    def remove(self, entry: _Entry) -> None:
        text = self.text
        start = entry.key_start
        end = _trim_end(text, entry.value_start, entry.value_end)
        if entry.flow:
            # drop the separator before the pair ("…, key: value"), or after it when the pair
            # comes first ("{key: value, …"); overlapping deletions are merged in result()
            i = start
            while i > 0 and text[i - 1] in " \t\r\n":
                i -= 1
            if i > 0 and text[i - 1] == ",":
                self.edits.append((i - 1, end, ""))
                return
            j = end
            while j < len(text) and text[j] in " \t":
                j += 1
            if j < len(text) and text[j] == ",":
                j += 1
                while j < len(text) and text[j] in " \t":
                    j += 1
            self.edits.append((start, j, ""))
            return
        comments = []
        if entry.style in ("|", ">"):
            header_end = text.find("\n", entry.value_start)
            header = text[entry.value_start : header_end if header_end >= 0 else len(text)]
            found = re.search(r"(?:^|\s)(#.*)$", header)
            if found:
                comments.append(found.group(1).rstrip("\r"))
        line_end = _line_end(text, end)
        rest = text[end:line_end].strip()
        if rest.startswith("#"):
            comments.append(rest)
        line_start = _line_start(text, start)
        prefix = text[line_start:start]
        if prefix.strip() == "":
            kept = "".join(prefix + c + self.nl for c in comments)
            self.edits.append((line_start, line_end, kept))
        else:
            # the first key of a list item ("- change_note: …"): keep the dash, drop the pair
            kept = " ".join(comments)
            eol = line_end - (2 if text[:line_end].endswith("\r\n") else 1)
            eol = max(eol, end)
            self.edits.append((start, eol, kept))
            # "- " followed by nothing: drop the trailing space after the dash
            if not kept and text[start - 1 : start] == " ":
                self.edits.append((start - 1, start, ""))

    def result(self) -> str:
        text = self.text
        # merge deletions that overlap (two pairs removed from one flow mapping)
        merged: list[tuple[int, int, str]] = []
        for start, end, replacement in sorted(self.edits):
            if merged and start < merged[-1][1] and replacement == merged[-1][2] == "":
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
            else:
                merged.append((start, end, replacement))
        points = sorted(
            merged + [(at, at, "".join(lines)) for at, lines in self.inserts_after.items()],
            key=lambda t: (t[0], t[1]),
            reverse=True,
        )
        for start, end, replacement in points:
            text = text[:start] + replacement + text[end:]
        return text


def _top(entries: list[_Entry]) -> dict[str, _Entry]:
    return {e.key: e for e in entries if e.path == ()}


def _notes(entries: list[_Entry], overlay: bool) -> Iterator[_Entry]:
    for e in entries:
        if not e.path:
            if e.key == "change_summary":
                yield e
            continue
        under = e.path[0] in (("add", "modify") if overlay else ("sections",))
        if under and e.key in _NOTE_KEYS:
            yield e


def new_version_text(
    text: str,
    version: str,
    *,
    effective_from: str | None = None,
    effective_to: str | None = None,
) -> NewVersion:
    """Next year's file from ``text`` (a standard set or an overlay); no I/O.

    ``version`` is the new version (for an overlay: the version of the set to extend). The
    effective dates move on one year unless given. Raises :class:`NewVersionError` for a
    version that is not a valid name, text that is not a block-style YAML mapping, or a
    version equal to the current one.
    """
    if not _VERSION.fullmatch(version):
        raise NewVersionError(
            f"{version!r} is not a valid version",
            "use letters, digits, '.', '_' and '-', e.g. 2026-27",
        )
    if effective_from is not None:
        _check_date(effective_from, "--from")
    if effective_to is not None:
        _check_date(effective_to, "--to")
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    try:
        entries = _scan(body)
    except yaml.YAMLError as exc:
        raise NewVersionError(
            f"the file is not valid YAML: {exc}", "run safeguard validate on it first"
        ) from None
    top = _top(entries)
    if not top:
        raise NewVersionError("the file is not a mapping of fields", "run safeguard validate")
    if any(e.flow for e in top.values()):
        raise NewVersionError(
            "the top level of the file is written in flow style ({…})",
            "write one 'key: value' per line at the top level",
        )
    overlay = "extends" in top
    ed = _Editor(body)
    edits: list[str] = []
    if overlay:
        old_version, extends = _overlay_edits(ed, top, version, edits)
    else:
        extends = ""
        old_version = _set_edits(ed, top, version, edits)
    years = _years_between(old_version, version)
    eff_from, eff_to = _effective_edits(
        ed, entries, top, effective_from, effective_to, edits, years=years, create=not overlay
    )
    if overlay:
        _deadline_edit(ed, entries, edits, years)
    removed = []
    for e in _notes(entries, overlay):
        ed.remove(e)
        removed.append((e.key, e.key_line))
    if removed:
        counts: dict[str, int] = {}
        for key, _line in removed:
            counts[key] = counts.get(key, 0) + 1
        edits.append(
            "removed "
            + ", ".join(f"{n} {k}" for k, n in counts.items())
            + " (they described the changes in "
            + (old_version or "the previous version")
            + ")"
        )
    out = ed.result()
    return NewVersion(
        text=("\ufeff" if bom else "") + out,
        version=version,
        supersedes=old_version,
        effective_from=eff_from,
        effective_to=eff_to,
        extends=extends,
        removed=tuple(removed),
        edits=tuple(edits),
    )


def _set_edits(ed: _Editor, top: dict[str, _Entry], version: str, edits: list[str]) -> str:
    v = top.get("version")
    if v is None or v.value is None:
        raise NewVersionError("the file has no version", "add 'version: \"2025-26\"' and retry")
    old_version = v.value
    if old_version == version:
        raise NewVersionError(
            f"the file is already version {version}",
            "give the next version, e.g. --version 2026-27",
        )
    ed.replace_value(v, version)
    edits.append(f"version: {old_version} → {version}")
    status = top.get("status")
    if status is not None:
        if status.value != "draft":
            ed.replace_value(status, "draft")
            edits.append(f"status: {status.value} → draft")
    else:
        ed.insert_line_after(v, "status: draft")
        edits.append("status: draft (added)")
    sup = top.get("supersedes")
    if sup is not None:
        ed.replace_value(sup, old_version)
        edits.append(f"supersedes: {sup.value} → {old_version}")
    else:
        ed.insert_line_after(v, f"supersedes: {_scalar(old_version, chr(34))}")
        edits.append(f"supersedes: {old_version} (added)")
    return old_version


def _overlay_edits(
    ed: _Editor, top: dict[str, _Entry], version: str, edits: list[str]
) -> tuple[str, str]:
    ext = top["extends"]
    spec = ext.value or ""
    try:
        named: SetSpec | None = SetSpec.parse(spec)
    except SetSpecError:
        named = None
    if named is not None and named.id is not None and named.version is not None:
        old_version = named.version
        new_spec = str(SetSpec.of(named.id, version))
    else:
        stem = re.search(r"([^/\\]+)\.ya?ml$", spec)
        if stem is None:
            raise NewVersionError(
                f"extends {spec!r} names no version",
                "write extends: ID@VERSION (e.g. kcsie@2025-26), then run new-version again",
            )
        old_version = stem.group(1)
        new_spec = spec[: stem.start(1)] + version + spec[stem.end(1) :]
    if old_version == version:
        raise NewVersionError(
            f"the overlay already extends version {version}",
            "give the next version of the set it extends, e.g. --version 2026-27",
        )
    ed.replace_value(ext, new_spec)
    edits.append(f"extends: {spec} → {new_spec}")
    status = top.get("status")
    if status is not None and status.value != "draft":
        ed.replace_value(status, "draft")
        edits.append(f"status: {status.value} → draft")
    return old_version, new_spec


def _effective_edits(
    ed: _Editor,
    entries: list[_Entry],
    top: dict[str, _Entry],
    new_from: str | None,
    new_to: str | None,
    edits: list[str],
    *,
    years: int,
    create: bool,
) -> tuple[str, str]:
    eff = top.get("effective")
    if eff is None or eff.style != "map":
        if eff is None and create and (new_from or new_to):
            parts = []
            if new_from:
                parts.append(f'from: "{new_from}"')
            if new_to:
                parts.append(f'to: "{new_to}"')
            anchor = top.get("status") or top.get("version")
            if anchor is not None:
                ed.insert_line_after(anchor, "effective: {" + ", ".join(parts) + "}")
                edits.append("effective: " + " to ".join(p.split('"')[1] for p in parts))
        return new_from or "", new_to or ""
    inner = {e.key: e for e in entries if e.path == ("effective",)}
    result = {"from": "", "to": ""}
    for key, given in (("from", new_from), ("to", new_to)):
        entry = inner.get(key)
        if entry is not None and entry.value is not None:
            value = given or _shift_year(entry.value, years, entry, ed.text)
            if value != entry.value:
                ed.replace_value(entry, value)
                edits.append(f"effective {key}: {entry.value} → {value}")
            result[key] = value
        elif given:
            if eff.flow or not inner:
                ed.insert_in_flow(eff, f', {key}: "{given}"')
            else:
                ed.insert_line_after(next(iter(inner.values())), f'{key}: "{given}"')
            edits.append(f"effective {key}: {given} (added)")
            result[key] = given
    return result["from"], result["to"]


def _deadline_edit(ed: _Editor, entries: list[_Entry], edits: list[str], years: int) -> None:
    for e in entries:
        if e.path == ("publisher",) and e.key == "return_deadline" and e.value:
            value = _shift_year(e.value, years, e, ed.text)
            if value != e.value:
                ed.replace_value(e, value)
                edits.append(f"publisher return_deadline: {e.value} → {value}")

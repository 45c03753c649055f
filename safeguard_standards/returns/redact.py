"""A redacted copy of a return: the same file with its personal data replaced.

:func:`redact_bytes` reads a return (:mod:`.read`), checks it (:func:`.check.check`: the same
scan of the same free texts, with the same allowance for the respondent's own contact, that
SG560 reports) and writes a copy in the same format in which each piece of personal data is
replaced by what was there (``[NHS number removed]``), never by the data itself. Everything
else is kept as it was:

* JSON: the same bytes but for the string literals changed (keys, order and layout kept);
* CSV: the same bytes but for the cells changed (same encoding, delimiter and line endings);
* Excel: only the affected cells' strings (the shared string, or the inline string) are
  changed, in the sheet's or the shared strings' XML; every other part of the package is
  unpacked as it was;
* Word: only the text inside the affected content controls' runs, in ``word/document.xml``;
  every other part as it was;
* PDF (pikepdf, as the PDF reader): each affected field's ``/V``; its appearance streams,
  which drew the old text, are dropped and the form marked ``NeedAppearances`` so a viewer
  draws the new value; the file is saved whole, so the old text is not left in it.

The copy is then read and checked again: if any of the personal data looked for is still
found (a replacement that made a new finding is removed in a second pass), or if a value could
not be changed in place, there is no copy, only diagnostics (SG565-SG568). The original bytes
are never changed; writing the copy is the caller's (the CLI writes it atomically and refuses
to write over the file it read, SG410).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, Diagnostic
from .privacy import Kind
from .raw import RawReturn, RawValue, Where

if TYPE_CHECKING:
    from ..sets import Registry
    from .check import Checked

__all__ = ["Redacted", "Removal", "redact_bytes", "redact_path"]

#: How many times a copy is scanned and redacted again before giving up (SG567).
MAX_PASSES = 3


@attrs.frozen
class Removal:
    """One piece of personal data replaced: where its value is, its kind and how it is shown
    masked (never the data itself)."""

    where: Where
    kind: Kind
    masked: str

    @property
    def line(self) -> str:
        """``file:at: NHS number 943 *** **** removed``."""
        return f"{self.where}: {self.kind.label} {self.masked} removed"

    def to_dict(self) -> dict[str, object]:
        return {"where": self.where.to_dict(), "kind": self.kind.id, "masked": self.masked}


@attrs.frozen
class Redacted:
    """The result of redacting one return: the copy's bytes (None when there is no copy),
    what was removed and the problems met (errors when there is no copy)."""

    source: str
    format: str
    data: bytes | None
    removed: tuple[Removal, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.data is not None

    def by_kind(self) -> dict[str, int]:
        """How many pieces of each kind were removed, by kind id, in the kinds' order."""
        counts = {k.id: 0 for k in Kind}
        for r in self.removed:
            counts[r.kind.id] += 1
        return {k: n for k, n in counts.items() if n}


class _CannotEdit(Exception):
    """A value that cannot be changed in place (SG566)."""

    def __init__(self, where: Where, message: str, hint: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.hint = hint


#: A span of a value's text and what replaces it: (start, end, replacement).
_Span = tuple[int, int, str]


@attrs.frozen
class _Edit:
    """A value to change: the raw value, its text as the checker read it, the spans to
    replace (offsets into ``text``) and the text it becomes."""

    raw: RawValue
    text: str
    spans: tuple[_Span, ...]

    @property
    def new(self) -> str:
        out, pos = [], 0
        for start, end, replacement in self.spans:
            out += [self.text[pos:start], replacement]
            pos = end
        return "".join([*out, self.text[pos:]])


# -- the entry points ----------------------------------------------------------------------------


def redact_path(
    path: str | os.PathLike[str],
    registry: Registry | None = None,
    *,
    kinds: Iterable[Kind] | None = None,
    as_version: str | None = None,
    source: str | None = None,
) -> Redacted:
    """:func:`redact_bytes` of the file at ``path`` (read once, never written)."""
    from .._files import FileProblem, read_regular
    from .read import MAX_RETURN_BYTES, read_path

    name = source if source is not None else os.fspath(path)
    try:
        data = read_regular(path, MAX_RETURN_BYTES)
    except FileProblem:
        raw = read_path(path, name)  # the same problem, as the reader words it
        return _fail(name, raw.format, list(raw.problems), "the file cannot be read")
    return redact_bytes(data, name, registry, kinds=kinds, as_version=as_version)


def redact_bytes(
    data: bytes,
    source: str = "<bytes>",
    registry: Registry | None = None,
    *,
    kinds: Iterable[Kind] | None = None,
    as_version: str | None = None,
) -> Redacted:
    """A copy of the return in ``data`` with its personal data replaced (see the module).

    ``kinds`` limits what is removed to those kinds (all when None); ``registry`` and
    ``as_version`` are as for :func:`.check.check`. Never raises for a bad file.
    """
    from .check import check
    from .read import read_bytes

    wanted = frozenset(Kind) if kinds is None else frozenset(kinds)
    raw = read_bytes(data, source)
    checked = check(raw, registry, as_version=as_version)
    if checked.return_ is None:
        errors = [d for d in checked.diagnostics if d.is_error]
        return _fail(source, raw.format, errors, "the return cannot be read and checked")
    unread = [d for d in raw.problems if d.is_error]
    if unread:  # what the reader could not read cannot be checked, nor left in a copy
        return _fail(source, raw.format, unread, "the file could not be read whole")
    fmt = raw.format
    unchecked = _unchecked(raw, checked)
    removed: list[Removal] = []
    current = data
    for _ in range(MAX_PASSES):
        try:
            edits = _edits(raw, checked, wanted)
        except _CannotEdit as exc:  # pragma: no cover - a reader's bug
            d = exc.where.diagnostic(Code.REDACT_CANNOT_EDIT, exc.message, exc.hint)
            return Redacted(source, fmt, None, tuple(removed), (d,))
        if not edits:
            return Redacted(source, fmt, current, tuple(removed), unchecked)
        if not removed:  # the first pass says what was removed; later ones are its fallout
            removed = [Removal(e.raw.where, f.kind, f.masked) for e, fs in edits for f in fs]
        try:
            current = _EDITORS[fmt](current, [e for e, _ in edits])
        except _CannotEdit as exc:
            d = exc.where.diagnostic(Code.REDACT_CANNOT_EDIT, exc.message, exc.hint)
            return Redacted(source, fmt, None, tuple(removed), (d,))
        except Exception as exc:  # a part the reader did not need is damaged or missing
            if os.environ.get("SAFEGUARD_DEBUG"):
                raise
            d = Diagnostic(
                Code.REDACT_CANNOT_EDIT,
                f"the file cannot be changed: a part of it is damaged or missing "
                f"({type(exc).__name__})",
                source,
                hint="open it in the program it was filled in with, save it again, and redact "
                "the new file",
            )
            return Redacted(source, fmt, None, tuple(removed), (d,))
        raw = read_bytes(current, source)
        checked = check(raw, registry, as_version=as_version)
        if checked.return_ is None:  # pragma: no cover - an editor broke the file
            errors = [d for d in checked.diagnostics if d.is_error]
            return _fail(source, fmt, errors, "the redacted copy cannot be read back")
    try:
        left = _edits(raw, checked, wanted)
    except _CannotEdit:  # pragma: no cover - a reader's bug
        left = []
    if not left:
        return Redacted(source, fmt, current, tuple(removed), unchecked)
    diags = tuple(
        e.raw.where.diagnostic(
            Code.REDACT_NOT_REMOVED,
            f"{f.kind.label} {f.masked} is still found after {MAX_PASSES} passes of removal",
            "nothing was written: take it out by hand in the program the form was filled in "
            "with, and report the file",
        )
        for e, fs in left
        for f in fs
    )
    return Redacted(source, fmt, None, tuple(removed), diags)


def _unchecked(raw: RawReturn, checked: Checked) -> tuple[Diagnostic, ...]:
    """SG568 for each text in the file that is not read as an answer, evidence, action or
    detail (an answer to a question the version does not have, or of the wrong type), so not
    checked for personal data: it is copied as it is."""
    ret = checked.return_
    if ret is None:  # pragma: no cover - checked by the caller
        return ()
    covered: set[Where] = set()
    for a in ret.answers:
        covered.update(w for w in (a.where, a.evidence_where, a.action_where) if w is not None)
    covered.update(d.where for d in ret.details if d.where is not None)
    return tuple(
        rv.where.diagnostic(
            Code.REDACT_UNCHECKED_TEXT,
            "this text is not read as an answer of the return (see the problems 'returns "
            "check' reports here), so it was not checked for personal data and is copied as "
            "it is",
            "check it by eye before the copy is shared, or correct the return and redact it again",
        )
        for rv in raw.values
        if isinstance(rv.value, str) and rv.value.strip() and rv.where not in covered
    )


def _fail(source: str, fmt: str, problems: Sequence[Diagnostic], why: str) -> Redacted:
    d = Diagnostic(
        Code.REDACT_UNCHECKED,
        f"{why}, so its personal data cannot be found: nothing was written",
        source,
        hint="fix the problems above first (give --sets DIR for a partnership's own set, or "
        "--as-version for a version that is not known), then redact it again",
    )
    return Redacted(source, fmt, None, (), (*problems, d))


def _edits(
    raw: RawReturn, checked: Checked, wanted: frozenset[Kind]
) -> list[tuple[_Edit, tuple[Any, ...]]]:
    """Each value holding personal data of the wanted kinds, as an edit, with its findings."""
    from .check import _text

    by_where: dict[Where, RawValue] = {}
    for value in raw.values:
        by_where.setdefault(value.where, value)
    out: list[tuple[_Edit, tuple[Any, ...]]] = []
    for scanned in checked.scanned:
        findings = tuple(f for f in scanned.findings if f.kind in wanted)
        if not findings:
            continue
        rv = by_where.get(scanned.where)
        text = _text(rv.value) if rv is not None else ""
        offset = len(text) - len(text.lstrip())
        if rv is None or text.strip() != scanned.text:  # pragma: no cover - a reader's bug
            raise _not_found(scanned.where)
        spans = tuple(
            (f.start + offset, f.end + offset, f.kind.replacement)
            for f in sorted(findings, key=lambda f: f.start)
        )
        out.append((_Edit(rv, text, spans), findings))
    return out


# -- JSON ------------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:[0-9]+)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")


def _json_strings(text: str) -> dict[str, tuple[int, int]]:
    """The spans of the string literals two levels down (``/evidence/a.b.c``) by pointer;
    a key given twice is the last one, as a JSON reader takes it."""
    from json import decoder

    scanstring: Any = getattr(decoder, "scanstring")  # noqa: B009 - untyped in typeshed

    from ._read_json import _pointer

    spans: dict[str, tuple[int, int]] = {}

    def ws(i: int) -> int:
        m = _WS.match(text, i)
        return i if m is None else m.end()

    def skip(i: int) -> int:
        """The end of the value at ``i`` (no recursion: nesting costs nothing)."""
        if text[i] == '"':
            return int(scanstring(text, i + 1)[1])
        if text[i] not in "[{":
            m = _SCALAR.match(text, i)
            if m is None:
                raise ValueError(i)
            return m.end()
        depth = 0
        while True:
            c = text[i]
            if c == '"':
                i = int(scanstring(text, i + 1)[1])
                continue
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1

    def members(i: int, path: tuple[str, ...]) -> int:
        """Walk the object at ``i``; record strings at depth two; its end."""
        i = ws(i + 1)
        if text[i] == "}":
            return i + 1
        while True:
            key, i = scanstring(text, i + 1)
            i = ws(ws(i) + 1)  # past the colon
            here = (*path, key)
            if text[i] == "{" and len(here) == 1:
                i = members(i, here)
            elif text[i] == '"' and len(here) == 2:
                end = skip(i)
                spans[_pointer(*here)] = (i, end)
                i = end
            else:
                i = skip(i)
            i = ws(i)
            if text[i] == "}":
                return i + 1
            i = ws(i + 1)  # past the comma

    members(ws(0), ())
    return spans


def _edit_json(data: bytes, edits: Sequence[_Edit]) -> bytes:
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    text = data[len(bom) :].decode("utf-8")
    spans = _json_strings(text)
    ascii_only = text.isascii()
    changes: list[tuple[int, int, str]] = []
    for e in edits:
        span = spans.get(e.raw.where.pointer)
        if span is None or json.loads(text[span[0] : span[1]]) != e.text:
            raise _CannotEdit(
                e.raw.where,
                "the text read from the file was not found at its place in the file",
                "save the answers again from the form, and redact the new file",
            )
        changes.append((*span, json.dumps(e.new, ensure_ascii=ascii_only)))
    return bom + _splice(text, changes).encode("utf-8")


def _splice(text: str, changes: Iterable[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, new in sorted(changes):
        out += [text[pos:start], new]
        pos = end
    return "".join([*out, text[pos:]])


# -- CSV -------------------------------------------------------------------------------------------

#: A cell of a CSV file: where its text is in the file (start, end), its value and whether
#: it was in quotes.
_Cell = tuple[int, int, str, bool]


def _csv_cells(text: str, delimiter: str) -> list[list[_Cell]]:
    """The rows of ``text`` as the csv module reads them (``strict=False``), with each cell's
    place in the text."""
    rows: list[list[_Cell]] = []
    row: list[_Cell] = []
    n, i = len(text), 0
    stops = re.compile("[" + re.escape(delimiter) + "\r\n]")

    def stop(j: int) -> int:
        m = stops.search(text, j)
        return n if m is None else m.start()

    if not text:
        return rows
    while True:
        start = i
        if i < n and text[i] == '"':
            j, parts = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise ValueError("a quoted cell is not closed")
                parts.append(text[j:k])
                if text.startswith('"', k + 1):
                    parts.append('"')
                    j = k + 2
                    continue
                j = k + 1
                break
            end = stop(j)
            parts.append(text[j:end])
            cell: _Cell = (start, end, "".join(parts), True)
        else:
            end = stop(i)
            cell = (start, end, text[i:end], False)
        row.append(cell)
        if end >= n:
            rows.append(row)
            break
        if text[end] == delimiter:
            i = end + 1
            continue
        i = end + 1
        if text[end] == "\r" and text.startswith("\n", i):
            i += 1
        rows.append(row)
        row = []
        if i >= n:
            break
    # a blank line is a row with no cells, as the csv module has it
    return [[] if r == [(r[0][0], r[0][0], "", False)] else r for r in rows]


def _edit_csv(data: bytes, edits: Sequence[_Edit]) -> bytes:
    import csv

    from ._read_csv import MAX_CELL, _dialect

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    body = data[len(bom) :]
    try:
        text, encoding = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if bom:
            raise _CannotEdit(
                Where(edits[0].raw.where.file),
                "the file is marked as UTF-8 but is not UTF-8 throughout",
                "save it from the spreadsheet program as 'CSV UTF-8', and redact the new file",
            ) from None
        text, encoding = body.decode("cp1252", errors="replace"), "cp1252"
    first = text.partition("\n")[0]
    skip = 0
    if len(first.rstrip("\r")) == 5 and first.lower().startswith("sep="):
        delimiter, skip = first[4], len(first) + 1
    else:
        delimiter = _dialect(text)
    table = text[skip:]
    old_limit = csv.field_size_limit()
    try:
        csv.field_size_limit(MAX_CELL)
        expected = list(
            csv.reader(io.StringIO(table, newline=""), delimiter=delimiter, strict=False)
        )
    finally:
        csv.field_size_limit(old_limit)
    try:
        rows = _csv_cells(table, delimiter)
    except ValueError:
        rows = []
    where0 = Where(edits[0].raw.where.file)
    if [[c[2] for c in r] for r in rows] != expected:
        raise _CannotEdit(
            where0,
            "the file's cells cannot be told apart exactly (a quote is out of place)",
            "open it in a spreadsheet program, save it again as CSV UTF-8, and redact the new file",
        )
    heads = [c[2].strip() for c in rows[0]] if rows else []
    changes: list[tuple[int, int, str]] = []
    for e in edits:
        w = e.raw.where
        col = heads.index(w.column) if w.column in heads else -1
        row = rows[w.row - 1] if 0 < w.row <= len(rows) else []
        if col < 0 or col >= len(row) or row[col][2] != e.text:
            raise _CannotEdit(
                w,
                "the text read from the file was not found at its place in the file",
                "open it in a spreadsheet program, save it again as CSV, and redact the new file",
            )
        start, end, _, quoted = row[col]
        new = e.new
        if quoted or any(c in new for c in (delimiter, '"', "\r", "\n")):
            new = '"' + new.replace('"', '""') + '"'
        try:
            new.encode(encoding)
        except UnicodeEncodeError:
            raise _CannotEdit(
                w,
                "the cell holds characters its file's encoding cannot hold",
                "save it from the spreadsheet program as 'CSV UTF-8', and redact the new file",
            ) from None
        changes.append((skip + start, skip + end, new))

    def at(i: int) -> int:  # a character's place in the bytes after the byte-order mark
        return i if encoding == "cp1252" else len(text[:i].encode("utf-8"))

    out, pos = [bom], 0
    for start, end, new in sorted(changes):
        out += [body[pos : at(start)], new.encode(encoding)]
        pos = at(end)
    out.append(body[pos:])
    return b"".join(out)


# -- Word and Excel: text in runs ------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _etree() -> Any:
    return importlib.import_module("lxml.etree")


def _parse(data: bytes) -> Any:
    etree = _etree()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.ElementTree(etree.fromstring(data, parser))


def _serialise(tree: Any) -> bytes:
    info = tree.docinfo
    data: bytes = _etree().tostring(
        tree,
        xml_declaration=True,
        encoding=info.encoding or "UTF-8",
        standalone=info.standalone,
    )
    return data


#: A piece of a value's text: the element it comes from, and whether it is text (``w:t``,
#: ``t``) the replacement can go in, or a character another element stands for (a tab, a line
#: break, a paragraph's end).
_Piece = tuple[Any, str, bool]


def _replace_in_pieces(pieces: Sequence[_Piece], spans: Sequence[_Span]) -> None:
    """Replace ``spans`` of the pieces' joined text, changing only the text elements that
    hold them (a tab or line break inside a span is removed, a paragraph's end kept)."""
    starts, pos = [], 0
    for _, text, _ in pieces:
        starts.append(pos)
        pos += len(text)
    new_text = {i: list(p[1]) for i, p in enumerate(pieces) if p[2]}
    drop: set[int] = set()
    for s, e, replacement in sorted(spans, reverse=True):
        placed = False
        for i, (el, text, is_text) in enumerate(pieces):
            lo, hi = starts[i], starts[i] + len(text)
            if hi <= s or lo >= e:
                continue
            if not is_text:
                if el.tag != f"{_W}p":
                    drop.add(i)
                continue
            a, b = max(s, lo) - lo, min(e, hi) - lo
            chars = new_text[i]
            chars[a:b] = [] if placed else [replacement]
            placed = True
    for i, chars in new_text.items():
        el = pieces[i][0]
        el.text = "".join(chars)
        if el.text != el.text.strip():
            el.set(_XML_SPACE, "preserve")
    for i in drop:
        el = pieces[i][0]
        el.getparent().remove(el)


def _docx_pieces(content: Any) -> list[_Piece]:
    """The pieces of a content control's text, as the Word reader joins them."""
    pieces: list[_Piece] = []
    first = True
    for el in content.iter():
        tag = el.tag
        if tag == f"{_W}p":
            if not first:
                pieces.append((el, "\n", False))
            first = False
        elif tag == f"{_W}t":
            pieces.append((el, el.text or "", True))
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
            if el.getparent() is None or el.getparent().tag != f"{_W}r":
                continue
            if tag == f"{_W}tab":
                pieces.append((el, "\t", False))
            elif tag == f"{_W}noBreakHyphen":
                pieces.append((el, "-", False))
            elif el.get(f"{_W}type") in (None, "textWrapping"):
                pieces.append((el, "\n", False))
    return pieces


def _rewrite_zip(data: bytes, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, parts.get(info.filename) or src.read(info))
    return out.getvalue()


def _not_found(w: Where) -> _CannotEdit:
    return _CannotEdit(
        w,
        "the text read from the file was not found at its place in the file",
        "open the file, save it again, and redact the new file",
    )


def _edit_docx(data: bytes, edits: Sequence[_Edit]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        tree = _parse(z.read("word/document.xml"))
    controls: dict[str, Any] = {}
    for sdt in tree.getroot().iter(f"{_W}sdt"):
        pr = sdt.find(f"{_W}sdtPr")
        tag = pr.find(f"{_W}tag") if pr is not None else None
        if tag is None or pr.find(".//{*}checkbox") is not None:
            continue
        controls.setdefault(str(tag.get(f"{_W}val") or ""), sdt)
    for e in edits:
        sdt = controls.get(e.raw.where.tag)
        content = sdt.find(f"{_W}sdtContent") if sdt is not None else None
        if content is None:
            raise _not_found(e.raw.where)
        pieces = _docx_pieces(content)
        if "".join(p[1] for p in pieces) != e.text:
            raise _not_found(e.raw.where)
        _replace_in_pieces(pieces, e.spans)
    return _rewrite_zip(data, {"word/document.xml": _serialise(tree)})


def _xlsx_pieces(holder: Any) -> list[_Piece]:
    """The text elements of a shared or inline string (``si``, ``is``): its own ``t`` or its
    runs' (``r/t``); phonetic runs are not its text."""
    return [
        (t, t.text or "", True)
        for t in holder.iter(f"{_S}t")
        if t.getparent() is holder or t.getparent().getparent() is holder
        if t.getparent().tag != f"{_S}rPh"
    ]


def _sheet_parts(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """Sheet name → its part's name, and the shared strings' part (None if none)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = _parse(z.read("xl/workbook.xml")).getroot()
    rels = _parse(z.read("xl/_rels/workbook.xml.rels")).getroot()

    def part(target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else "xl/" + target

    targets = {r.get("Id"): part(r.get("Target", "")) for r in rels}
    sheets = {str(s.get("name")): targets.get(s.get(rel), "") for s in book.iter(f"{_S}sheet")}
    shared = next(
        (
            part(r.get("Target", ""))
            for r in rels
            if str(r.get("Type", "")).endswith("/sharedStrings")
        ),
        None,
    )
    return sheets, shared


def _edit_xlsx(data: bytes, edits: Sequence[_Edit]) -> bytes:
    etree = _etree()
    trees: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets, shared = _sheet_parts(z)

        def tree(name: str) -> Any:
            if name not in trees:
                trees[name] = _parse(z.read(name))
            return trees[name]

        changed: set[str] = set()
        for e in edits:
            w = e.raw.where
            name = sheets.get(w.sheet, "")
            if name not in z.namelist():
                raise _not_found(w)
            cell = next(
                (c for c in tree(name).getroot().iter(f"{_S}c") if c.get("r") == w.cell), None
            )
            if cell is None:
                raise _not_found(w)
            kind = cell.get("t", "n")
            if cell.find(f"{_S}f") is not None or kind not in ("s", "inlineStr", "n"):
                raise _CannotEdit(
                    w,
                    "the cell holds a formula or a value that is not text, so it cannot be "
                    "changed in place",
                    "type the text into the cell instead of a formula, and redact the file again",
                )
            if kind == "n":  # a number (an NHS number typed as one): the cell becomes text
                v = cell.find(f"{_S}v")
                if v is None:
                    raise _not_found(w)
                cell.remove(v)
                cell.set("t", "inlineStr")
                holder = etree.SubElement(cell, f"{_S}is")
                t = etree.SubElement(holder, f"{_S}t")
                t.text = e.new
                if t.text != t.text.strip():
                    t.set(_XML_SPACE, "preserve")
                changed.add(name)
                continue
            if kind == "s":
                v = cell.find(f"{_S}v")
                items = (
                    list(tree(shared).getroot().iter(f"{_S}si"))
                    if shared is not None and shared in z.namelist()
                    else []
                )
                index = int(v.text) if v is not None and (v.text or "").isdigit() else -1
                if not 0 <= index < len(items):
                    raise _not_found(w)
                holder, part = items[index], str(shared)
            else:
                holder, part = cell.find(f"{_S}is"), name
                if holder is None:
                    raise _not_found(w)
            pieces = _xlsx_pieces(holder)
            if "".join(p[1] for p in pieces) != e.text:
                raise _not_found(w)
            _replace_in_pieces(pieces, e.spans)
            changed.add(part)
    return _rewrite_zip(data, {name: _serialise(trees[name]) for name in sorted(changed)})


def _pdf_fields(acro: Any) -> dict[str, Any]:
    """Every field of the form by its fully qualified name (each node visited once)."""
    import pikepdf

    out: dict[str, Any] = {}
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, str, int]] = [
        (f, "", 0) for f in reversed(list(acro.get("/Fields", [])))
    ]
    while stack:
        node, prefix, depth = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or depth > 64:
            continue
        og = node.objgen
        if og != (0, 0):
            if og in seen:
                continue
            seen.add(og)
        title = node.get("/T")
        name = prefix
        if isinstance(title, pikepdf.String):
            name = f"{prefix}.{title}" if prefix else str(title)
            out.setdefault(name, node)
        kids = node.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            stack.extend((k, name, depth + 1) for k in reversed(list(kids)))
    return out


def _edit_pdf(data: bytes, edits: Sequence[_Edit]) -> bytes:
    """Each field's /V set to its new text; its appearance streams dropped, and the form
    marked NeedAppearances, so a viewer draws the new text (the old drawing held the data)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        acro = pdf.Root.get("/AcroForm")
        fields = _pdf_fields(acro) if isinstance(acro, pikepdf.Dictionary) else {}
        for e in edits:
            node = fields.get(e.raw.where.field)
            value = node.get("/V") if node is not None else None
            if node is None or not isinstance(value, pikepdf.String):
                raise _not_found(e.raw.where)
            if re.sub(r"\r\n?", "\n", str(value)) != e.text:
                raise _not_found(e.raw.where)
            node.V = pikepdf.String(e.new)
            kids = node.get("/Kids")
            for widget in [node, *(kids if isinstance(kids, pikepdf.Array) else [])]:
                if isinstance(widget, pikepdf.Dictionary) and "/AP" in widget:
                    del widget["/AP"]
        if edits:
            acro.NeedAppearances = True
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


_EDITORS = {
    "json": _edit_json,
    "html-json": _edit_json,
    "csv": _edit_csv,
    "docx": _edit_docx,
    "xlsx": _edit_xlsx,
    "pdf": _edit_pdf,
}

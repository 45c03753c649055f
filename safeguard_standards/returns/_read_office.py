"""The readers of filled Word and Excel forms (DOCX and XLSX packages).

Both are zip packages, so both are first checked as zip archives, from the zip's directory
alone and before any library parses a part (:func:`_open`): readable at all (a file cut short
is SG501), at most :data:`MAX_MEMBERS` parts unpacking to at most :data:`MAX_UNPACKED` bytes
(a zip bomb is SG502; the zip module never unpacks a part past the size the directory gives,
so the bound holds), no part twice, none encrypted; then for active content (SG503, located by
the part: macros, links to other workbooks, data connections, ActiveX, embedded objects,
Word's ``altChunk``, and any relationship to a target outside the file other than a
hyperlink, such as a remote ``attachedTemplate``); then no XML part may declare a document
type (SG524: Word and Excel never write one, and an entity is how XML fetches or expands
things). Active content is reported, not run: the values are still read, as data.

**Word** (``read_docx``): ``word/document.xml`` is parsed with lxml (entities not resolved, no
network, no DTD) and every content control whose tag is a field name
(:func:`safeguard_standards.fields.decode`, format ``docx``) gives a value, located by its tag:

* a group of checkbox controls tagged ``<full id>=<choice id>``: one value for the answer, the
  tuple of the ticked choice ids in the document's order (``w14:checked``; the box's glyph
  where a checkbox has no state), None when none is ticked;
* a text or date control: its text, paragraphs and line breaks as ``\\n``, tabs as ``\\t``;
  a date control's picked date (``w:fullDate``) as a :class:`datetime.date`; None while the
  control shows its placeholder (``w:showingPlcHdr``) or is empty.

**Excel** (``read_xlsx``, openpyxl read-only, cached values of formulas): the Answers sheet's
**Id** column says which question a row answers (rows may be sorted or moved: they are read
by Id); the Answer, Evidence and (where the form has one) Action cells of that row are its
values, located ``Answers!I37``. The cells' defined names (``SG_…``) are the cross-check: a
question the names know with no row is SG522, an Id they do not know SG521, an Id twice
SG520. Without an Id heading, or without the Answers sheet's name, the sheet is found and read
by its headings or by the names, and the change is reported. The organisation details and
sign-off are read from the cells their defined names point at. A dropdown answer is the
label as it shows; a date cell is a :class:`datetime.date`, a number a number (a percentage
cell, formatted ``0%``, as the number it shows: 50 for 50 %).

The envelope is the package's custom document properties (``docProps/custom.xml``).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import io
import re
import zipfile
import zlib
from typing import Any

from .. import fields as codec
from ..diagnostics import Code, Diagnostic
from ..envelope import PROPERTY_PREFIX, Envelope, EnvelopeError
from .raw import RawReturn, RawValue, Value, Where

__all__ = [
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "office_kind",
    "read_docx",
    "read_xlsx",
]

#: The most parts a package may have (a kcsie workbook has 14, its Word form 20).
MAX_MEMBERS = 2_000
#: The most bytes a package's parts may unpack to, in all (the kcsie Word form unpacks to
#: 1.4 MB, its workbook to 0.2 MB).
MAX_UNPACKED = 128 * 1024 * 1024

#: The rows and columns of a sheet read (a 5,000-question form has 5,001 rows and 12 columns;
#: cells beyond are never looked at, so a sheet padded to Excel's last cell costs nothing).
MAX_ROWS = 50_000
MAX_COLUMNS = 64
#: What reading a damaged zip raises.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)
#: How much of a part is unpacked at a time when it is checked.
_STEP = 1 << 16

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"

_WHAT = {"docx": "Word document", "xlsx": "Excel workbook"}
_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_ODF = b"application/vnd.oasis.opendocument"


def office_kind(data: bytes, name: str = "") -> str | None:
    """``docx`` or ``xlsx`` for an Office Open XML package of that kind, else None.

    A zip that cannot be opened (cut short) or holds neither main part is still given the
    kind its name (or, failing that, its local part names) suggests, so that its reader says
    what is wrong with it; an OpenDocument file or a zip with no such hint is None.
    """
    lower = name.lower()
    by_name = (
        "docx"
        if lower.endswith((".docx", ".docm", ".dotx", ".dotm"))
        else "xlsx"
        if lower.endswith((".xlsx", ".xlsm", ".xltx", ".xltm"))
        else None
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except _ZIP_ERRORS:
        if _ODF in data[:200]:
            return None
        if by_name:
            return by_name
        word, excel = data.find(b"word/"), data.find(b"xl/")
        if word < 0 and excel < 0:
            return None
        return "docx" if excel < 0 or 0 <= word < excel else "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names:  # OpenDocument (.odt, .ods): SG506, save it as .docx or .xlsx
        return None
    return by_name


# -- the package --------------------------------------------------------------------------------


def _fail(source: str, fmt: str, code: Code, message: str, hint: str, at: str = "") -> RawReturn:
    return RawReturn(
        source=source, format=fmt, problems=(Diagnostic(code, message, source, hint=hint, at=at),)
    )


def _part(name: str) -> str:
    return f"part {name}"


def _open(data: bytes, source: str, fmt: str) -> zipfile.ZipFile | RawReturn:
    """The package as a zip, checked from its directory (see the module), or the problem."""
    what = _WHAT[fmt]
    again = f"ask for the file again, or open it in {'Word' if fmt == 'docx' else 'Excel'} and save it again as {fmt}"  # noqa: E501
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except _ZIP_ERRORS as exc:
        return _fail(
            source,
            fmt,
            Code.RETURN_UNREADABLE,
            f"{source} cannot be read: it starts like a {what} (a zip package) but is cut "
            f"short or damaged ({exc})",
            "the file was probably not sent or saved completely: " + again,
        )
    if len(infos) > MAX_MEMBERS:
        return _fail(
            source,
            fmt,
            Code.RETURN_TOO_LARGE,
            f"the file has {len(infos):,} parts, more than the limit of {MAX_MEMBERS:,}",
            f"a filled form has a few dozen parts: check that this is the right file, or {again}",
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        return _fail(
            source,
            fmt,
            Code.RETURN_TOO_LARGE,
            f"the file unpacks to {unpacked:,} bytes, more than the limit of {MAX_UNPACKED:,}",
            "a filled form unpacks to a few megabytes: check that this is the right file",
        )
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            return _fail(
                source,
                fmt,
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read: it has two parts named {info.filename!r}",
                again,
                _part(info.filename),
            )
        seen.add(info.filename)
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            return _fail(
                source,
                fmt,
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read: its part {info.filename!r} is encrypted or packed "
                "in a way Word and Excel do not use",
                again,
                _part(info.filename),
            )
    for info in infos:
        # Unpacked in bounded steps, once: the zip module stops at the size the directory
        # gives and then fails the checksum, so a directory that understates a part's size
        # is caught here; a library reading the part whole would unpack it at once.
        try:
            with z.open(info) as f:
                while f.read(_STEP):
                    pass
        except _ZIP_ERRORS as exc:
            return _fail(
                source,
                fmt,
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read: its part {info.filename!r} is damaged ({exc})",
                "the file was probably not sent or saved completely: " + again,
                _part(info.filename),
            )
    if _MAIN[fmt] not in seen:
        return _fail(
            source,
            fmt,
            Code.RETURN_UNREADABLE,
            f"{source} cannot be read: it is a zip archive but not a {what} "
            f"(it has no {_MAIN[fmt]})",
            f"give the filled form itself ({'.docx' if fmt == 'docx' else '.xlsx'}), not "
            "a zip of files",
        )
    return z


def _parser() -> Any:
    etree: Any = importlib.import_module("lxml.etree")
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Damaged(Exception):
    """A part that is not well-formed XML."""


def _xml(z: zipfile.ZipFile, name: str) -> Any:
    etree: Any = importlib.import_module("lxml.etree")
    try:
        return etree.fromstring(z.read(name), _parser())
    except (etree.XMLSyntaxError, LookupError, *_ZIP_ERRORS) as exc:
        raise _Damaged(str(exc)) from None


class _Stop(Exception):
    """Raised by a parser callback once it has found what it looks for."""


def _declares_doctype(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part has a document type declaration (read up to its root element)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    found = False

    def doctype(*_: object) -> None:
        nonlocal found
        found = True
        raise _Stop

    def start(*_: object) -> None:
        raise _Stop

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    try:
        with z.open(info) as f:
            while chunk := f.read(65536):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except (expat.ExpatError, LookupError, *_ZIP_ERRORS):
        return False  # not well-formed: the part's reader says so
    return found


_HYPERLINK = "/hyperlink"
#: Relationship types (by their last segment) that pull content in or run something.
_ACTIVE_TYPES = {
    "aFChunk": "imported content (altChunk) that Word merges into the document on opening",
    "attachedTemplate": "a template that Word loads on opening",
    "oleObject": "an embedded or linked object (OLE)",
    "package": "an embedded document",
    "control": "an ActiveX control",
    "vbaProject": "macros",
    "externalLink": "a link to another workbook",
    "externalLinkPath": "a link to another workbook",
    "connections": "a data connection",
    "frame": "a frame showing another document",
    "subDocument": "a sub-document",
}
#: Parts (by prefix) that are active content whatever links them.
_ACTIVE_PARTS = (
    ("xl/externalLinks/", "a link to another workbook"),
    ("xl/activeX/", "an ActiveX control"),
    ("word/activeX/", "an ActiveX control"),
    ("xl/embeddings/", "an embedded object (OLE)"),
    ("word/embeddings/", "an embedded object (OLE)"),
    ("xl/connections.xml", "a data connection"),
    ("xl/queryTables/", "a data query"),
)


def _check_parts(z: zipfile.ZipFile, source: str, fmt: str) -> list[Diagnostic]:
    """Active content (SG503) and document type declarations (SG524), by part."""
    out: list[Diagnostic] = []
    what = _WHAT[fmt]
    app = "Word" if fmt == "docx" else "Excel"
    hint = (
        f"open the file in {'Word' if fmt == 'docx' else 'Excel'} only if you trust its sender; "
        f"ask for the form again, saved as a plain {'.docx' if fmt == 'docx' else '.xlsx'} "
        "file with nothing pasted in but text"
    )

    def active(part: str, message: str) -> None:
        out.append(
            Diagnostic(
                Code.RETURN_ACTIVE_CONTENT,
                f"the {what} holds {message}",
                source,
                hint=hint,
                at=_part(part),
            )
        )

    for info in z.infolist():
        name = info.filename
        if name.lower().rsplit("/", 1)[-1] == "vbaproject.bin":
            active(name, "macros (a VBA project)")
            continue
        for prefix, message in _ACTIVE_PARTS:
            if name.startswith(prefix) and not name.endswith(".rels"):  # .rels: by their links
                active(name, message)
                break
        if name.endswith((".xml", ".rels", ".vml")) and _declares_doctype(z, info):
            out.append(
                Diagnostic(
                    Code.RETURN_DOCTYPE,
                    f"the part {name} declares a document type, which Word and Excel never "
                    "write: the file was made or changed by something else",
                    source,
                    hint=f"ask for the form again, filled in {app} or LibreOffice",
                    at=_part(name),
                )
            )
    if any(d.code is Code.RETURN_DOCTYPE for d in out):
        return out  # no part is parsed that declares entities
    try:
        types = _xml(z, "[Content_Types].xml")
    except (_Damaged, KeyError):
        types = None
    if types is not None:
        for el in types:
            ct = el.get("ContentType") or ""
            if "macroEnabled" in ct or "vbaProject" in ct:
                at = el.get("PartName") or el.get("Extension") or "[Content_Types].xml"
                active(
                    str(at).lstrip("/"),
                    f"macros (it was saved as a macro-enabled {fmt[:-1]}m file)",
                )
                break
    for info in z.infolist():
        if not info.filename.endswith(".rels"):
            continue
        try:
            rels = _xml(z, info.filename)
        except _Damaged:
            continue
        for rel in rels.iter(f"{_REL}Relationship"):
            kind = str(rel.get("Type") or "").rsplit("/", 1)[-1]
            external = str(rel.get("TargetMode") or "") == "External"
            target = str(rel.get("Target") or "")
            shown = target if len(target) <= 80 else target[:79] + "…"
            if kind in _ACTIVE_TYPES and (external or kind in ("aFChunk", "attachedTemplate")):
                where = f" ({shown!r}, outside the file)" if external else ""
                active(info.filename, _ACTIVE_TYPES[kind] + where)
            elif external and not str(rel.get("Type") or "").endswith(_HYPERLINK):
                active(info.filename, f"a link to {shown!r} outside the file ({kind})")
    return out


def _envelope(z: zipfile.ZipFile, source: str) -> tuple[Envelope | None, list[Diagnostic]]:
    name = "docProps/custom.xml"
    try:
        root = _xml(z, name)
    except KeyError:
        return None, []
    except _Damaged as exc:
        return None, [
            Diagnostic(
                Code.RETURN_ENVELOPE,
                f"the document properties cannot be read: {exc}",
                source,
                hint="ask for the form again: its custom properties (File › Properties › Custom) "
                "are damaged",
                at=_part(name),
            )
        ]
    props: dict[str, str] = {}
    for prop in root.iter(f"{_CUSTOM}property"):
        key = prop.get("name")
        if key is not None and len(prop):
            props[str(key)] = str(prop[0].text or "")
    if not any(k.startswith(PROPERTY_PREFIX) for k in props):
        return None, []
    try:
        return Envelope.from_properties(props), []
    except EnvelopeError as exc:
        return None, [
            Diagnostic(
                Code.RETURN_ENVELOPE,
                f"the envelope cannot be read: {exc}",
                source,
                hint="restore the sg_… properties in File › Properties › Custom as the blank form "
                "had them, or fill in a fresh copy of the form",
                at=_part(name),
            )
        ]


# -- Word -------------------------------------------------------------------------------------


def _on(el: Any, attr: str) -> bool:
    """Whether an on/off element (``<w:showingPlcHdr/>``, ``<w14:checked w14:val="1"/>``) is on."""
    if el is None:
        return False
    value = el.get(attr)
    return value is None or value.lower() in ("1", "true", "on")


def _docx_text(content: Any) -> str:
    """The text of a control's content: paragraphs and breaks as newlines, tabs as tabs."""
    parts: list[str] = []
    first = True
    for el in content.iter():
        tag = el.tag
        if tag == f"{_W}p":
            if not first:
                parts.append("\n")
            first = False
        elif tag == f"{_W}t":
            parts.append(el.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
            if el.getparent() is None or el.getparent().tag != f"{_W}r":
                continue  # a tab stop, not a tab
            if tag == f"{_W}tab":
                parts.append("\t")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif el.get(f"{_W}type") in (None, "textWrapping"):
                parts.append("\n")
    return "".join(parts)


def _ticked(pr: Any, sdt: Any) -> bool:
    box = pr.find(f"{_W14}checkbox")
    state = box.find(f"{_W14}checked")
    if state is not None:
        return _on(state, f"{_W14}val")
    checked = box.find(f"{_W14}checkedState")
    glyph = chr(int(checked.get(f"{_W14}val") or "2612", 16)) if checked is not None else "☒"
    content = sdt.find(f"{_W}sdtContent")
    return content is not None and glyph in _docx_text(content)


def read_docx(data: bytes, source: str) -> RawReturn:
    """The raw return in a filled Word form (see the module)."""
    opened = _open(data, source, "docx")
    if isinstance(opened, RawReturn):
        return opened
    with opened as z:
        problems = _check_parts(z, source, "docx")
        if any(d.code is Code.RETURN_DOCTYPE for d in problems):
            return RawReturn(source=source, format="docx", problems=tuple(problems))
        envelope, more = _envelope(z, source)
        problems += more
        try:
            root = _xml(z, "word/document.xml")
        except _Damaged as exc:
            problems.append(
                Diagnostic(
                    Code.RETURN_UNREADABLE,
                    f"{source} cannot be read: its text (word/document.xml) is damaged ({exc})",
                    source,
                    hint="open it in Word, which may repair it, and save it again as .docx",
                    at=_part("word/document.xml"),
                )
            )
            return RawReturn(
                source=source, format="docx", envelope=envelope, problems=tuple(problems)
            )
    values, more = _docx_values(root, source)
    problems += more
    if not values and (envelope is not None or root.find(f".//{_W}sdt") is not None):
        untagged = any(pr.find(f"{_W}tag") is None for pr in root.iter(f"{_W}sdtPr"))
        problems.append(
            Diagnostic(
                Code.RETURN_EDITED,
                "the document has none of the form's answer areas (content controls tagged "
                "with field names)"
                + (
                    ": its answer areas have lost their tags, as happens when a program "
                    "that does not keep them (LibreOffice 7.4, for one) saves the file"
                    if untagged
                    else ": they were deleted, or the text copied into another document"
                ),
                source,
                hint="fill in a fresh copy of the form in Microsoft Word, or send the answers "
                "in the Excel or web form",
                at=_part("word/document.xml"),
            )
        )
    return RawReturn(
        source=source,
        format="docx",
        envelope=envelope,
        values=tuple(values),
        problems=tuple(problems),
    )


def _docx_values(root: Any, source: str) -> tuple[list[RawValue], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    # in document order: (ref, value or None) per field; groups collect ticked choices
    order: list[codec.FieldRef] = []
    found: dict[codec.FieldRef, tuple[Value, str]] = {}
    ticked: dict[str, list[str]] = {}
    boxes: set[str] = set()
    skipped: set[Any] = set()  # copies of a control, not read

    def twice(tag: str) -> None:
        problems.append(
            Where(source, tag=tag).diagnostic(
                Code.RETURN_DUPLICATE_FIELD,
                f"two answer areas are tagged {tag!r}: a part of the form was copied; the first "
                "is read",
                "delete the copy (keep the one with the answer), or fill in a fresh copy of "
                "the form",
            )
        )

    sdt_tag, pr_tag, tag_tag, val = f"{_W}sdt", f"{_W}sdtPr", f"{_W}tag", f"{_W}val"
    checkbox_tag = f"{_W14}checkbox"
    # the controls holding checkboxes (answer groups), found once from the checkboxes up
    groups: set[Any] = set()
    for box in root.iter(checkbox_tag):
        sdt = box.getparent().getparent() if box.getparent() is not None else None
        if sdt is not None:
            groups.update(sdt.iterancestors(sdt_tag))
    for sdt in root.iter(sdt_tag):
        pr = sdt.find(pr_tag)
        if pr is None:
            continue
        tag_el = pr.find(tag_tag)
        tag = str(tag_el.get(val) or "") if tag_el is not None else ""
        ref = codec.decode("docx", tag) if tag else None
        if ref is None:
            continue  # a control of the person's own
        if pr.find(checkbox_tag) is not None:
            if not ref.choice or (
                skipped and any(a in skipped for a in sdt.iterancestors(f"{_W}sdt"))
            ):
                continue
            if tag in boxes:
                twice(tag)
                continue
            boxes.add(tag)
            whole = codec.FieldRef(ref.key, "answer")
            if whole not in found:
                order.append(whole)
                found[whole] = (None, tag)
            choices = ticked.setdefault(ref.key, [])
            if _ticked(pr, sdt):
                choices.append(ref.choice)
            continue
        if ref.choice:
            continue
        content = sdt.find(f"{_W}sdtContent")
        is_group = sdt in groups
        if ref in found:
            if not (is_group and codec.DOCX_CHOICE_SEPARATOR in found[ref][1]):
                twice(tag)
                skipped.add(sdt)
                continue
        else:
            order.append(ref)
        if is_group:
            found[ref] = (None, tag)  # the group's tag locates the answer
            continue
        value: Value = None
        if content is not None and not _on(pr.find(f"{_W}showingPlcHdr"), f"{_W}val"):
            text = _docx_text(content)
            value = text if text.strip() else None
            date = pr.find(f"{_W}date")
            full = date.get(f"{_W}fullDate") if date is not None else None
            if value is not None and full:
                with contextlib.suppress(ValueError):
                    value = datetime.date.fromisoformat(str(full)[:10])
        found[ref] = (value, tag)
    values: list[RawValue] = []
    for ref in order:
        value, tag = found[ref]
        if ref.key in ticked and ref.part == "answer":
            value = tuple(ticked[ref.key]) or None
        values.append(RawValue(ref, value, Where(source, tag=tag)))
    return values, problems


# -- Excel ------------------------------------------------------------------------------------

#: The Answers sheet's name and the headings read (Notes is not read: it is no field).
ANSWERS_SHEET = "Answers"
_HEADINGS = {"Id": "id", "Answer": "answer", "Evidence": "evidence", "Action": "action"}
#: Where the blank form has them (for a message when a heading is gone).
_EXPECTED = {"id": "B", "answer": "I", "evidence": "J"}


def _percent(fmt: str) -> bool:
    plain, quoted = [], False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            plain.append(ch)
    return "%" in "".join(plain)


def _cell_value(cell: Any) -> Value:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        if _percent(str(getattr(cell, "number_format", "") or "")):
            shown = round(v * 100, 9)
            return int(shown) if float(shown).is_integer() else shown
        return v
    if isinstance(v, str):
        return v if v.strip() else None
    return str(v)


class _Sheet:
    """A worksheet's non-empty cells by (row, column), read once."""

    def __init__(self, ws: Any) -> None:
        self.title = str(ws.title)
        self.cells: dict[tuple[int, int], Any] = {}
        from openpyxl.cell.read_only import EMPTY_CELL as _EMPTY

        #: Whether the sheet has rows past :data:`MAX_ROWS` (not read).
        self.cut = False
        ws.reset_dimensions()
        # a window: openpyxl pads every row it yields to the widest column asked for, and
        # stops parsing past the last row asked for
        for i, row in enumerate(ws.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS), 1):
            if i > MAX_ROWS:  # openpyxl yields every row number up to the last it parsed
                self.cut = True
                break
            for cell in row:
                if cell is not _EMPTY and cell.value is not None and hasattr(cell, "row"):
                    self.cells[(cell.row, cell.column)] = cell

    def rows(self) -> list[int]:
        return sorted({r for r, _ in self.cells})

    def value(self, row: int, column: int) -> Value:
        cell = self.cells.get((row, column))
        return None if cell is None else _cell_value(cell)

    def text(self, row: int, column: int) -> str:
        cell = self.cells.get((row, column))
        return "" if cell is None or cell.value is None else str(cell.value).strip()

    def headings(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (r, c), cell in sorted(self.cells.items()):
            if r == 1 and isinstance(cell.value, str):
                out.setdefault(_HEADINGS.get(cell.value.strip(), ""), c)
        out.pop("", None)
        return out


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _coordinate(text: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    try:
        col, row = coordinate_from_string(text.replace("$", ""))
        return int(row), int(column_index_from_string(col))
    except (ValueError, TypeError):
        return None


def _names(wb: Any) -> dict[codec.FieldRef, tuple[str, tuple[int, int]] | None]:
    """Our defined names: the field each stands for and the (sheet, cell) it points at (None
    for a name pointing nowhere, as a deleted row leaves it: ``#REF!``)."""
    out: dict[codec.FieldRef, tuple[str, tuple[int, int]] | None] = {}
    try:
        items = list(wb.defined_names.items())
    except (AttributeError, TypeError):  # pragma: no cover - another openpyxl
        return out
    for name, dn in items:
        ref = codec.decode("xlsx", str(name))
        if ref is None:
            continue
        m = _ONE_CELL.fullmatch(str(getattr(dn, "attr_text", "") or ""))
        if m is None:
            out[ref] = None  # #REF!, a range, or a formula: no cell of its own
            continue
        sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        target = _coordinate(m.group(3) + m.group(4))
        out[ref] = (sheet, target) if target is not None else None
    return out


#: A defined name's reference to one cell: ``Answers!$I$2``, ``'Our answers'!$I$2``.
_ONE_CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def read_xlsx(data: bytes, source: str) -> RawReturn:
    """The raw return in a filled Excel form (see the module)."""
    opened = _open(data, source, "xlsx")
    if isinstance(opened, RawReturn):
        return opened
    with opened as z:
        problems = _check_parts(z, source, "xlsx")
        if any(d.code is Code.RETURN_DOCTYPE for d in problems):
            return RawReturn(source=source, format="xlsx", problems=tuple(problems))
        envelope, more = _envelope(z, source)
        problems += more
    import warnings

    import openpyxl

    values: list[RawValue] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it does not keep
            wb = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            try:
                values, more = _workbook(wb, source)
            finally:
                wb.close()
        problems += more
    except Exception as exc:  # any failure of openpyxl's parts reader on a damaged part
        problems.append(
            Diagnostic(
                Code.RETURN_UNREADABLE,
                f"{source} cannot be read: a part of the workbook is damaged "
                f"({type(exc).__name__}: {str(exc)[:120]})",
                source,
                hint="open it in Excel, which may repair it, and save it again as .xlsx",
            )
        )
    return RawReturn(
        source=source,
        format="xlsx",
        envelope=envelope,
        values=tuple(values),
        problems=tuple(problems),
    )


def _find_answers(wb: Any, source: str, problems: list[Diagnostic]) -> _Sheet | None:
    if ANSWERS_SHEET in wb.sheetnames:
        return _Sheet(wb[ANSWERS_SHEET])
    for ws in wb.worksheets:
        sheet = _Sheet(ws)
        heads = sheet.headings()
        if "id" in heads and "answer" in heads:
            problems.append(
                Where(source, sheet=sheet.title).diagnostic(
                    Code.RETURN_SHEET_RENAMED,
                    f"there is no sheet named {ANSWERS_SHEET!r}: the sheet {sheet.title!r} has "
                    "its headings, so it was read as the answers",
                    f"rename the sheet back to {ANSWERS_SHEET!r}",
                )
            )
            return sheet
    problems.append(
        Diagnostic(
            Code.RETURN_EDITED,
            f"the workbook has no {ANSWERS_SHEET!r} sheet (sheets: "
            + ", ".join(repr(n) for n in wb.sheetnames)
            + "): the answers were deleted or moved elsewhere",
            source,
            hint="ask for the return again, filled in on a fresh copy of the form",
        )
    )
    return None


def _workbook(wb: Any, source: str) -> tuple[list[RawValue], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    values: list[RawValue] = []
    names = _names(wb)
    sheets: dict[str, _Sheet] = {}

    def sheet_named(title: str) -> _Sheet | None:
        if title not in sheets:
            if title not in wb.sheetnames:
                return None
            sheets[title] = _Sheet(wb[title])
        return sheets[title]

    answers = _find_answers(wb, source, problems)
    if answers is not None:
        sheets[answers.title] = answers
        values += _answers(answers, names, source, problems, sheet_named)
    for ref, target in names.items():
        if ref.part != "detail":
            continue
        sheet = sheet_named(target[0]) if target is not None else None
        if target is None or sheet is None:
            continue  # the checker reports a detail not given
        row, col = target[1]
        where = Where(source, sheet=sheet.title, cell=f"{_letter(col)}{row}")
        values.append(RawValue(ref, sheet.value(row, col), where))
    for sheet in sheets.values():
        if sheet.cut:
            problems.append(
                Where(source, sheet=sheet.title).diagnostic(
                    Code.RETURN_TOO_LARGE,
                    f"the sheet goes on past row {MAX_ROWS:,}; only the first {MAX_ROWS:,} "
                    f"rows (and {MAX_COLUMNS} columns) were read",
                    "a form has one row per question: delete what was added below the "
                    "questions, or fill in a fresh copy of the form",
                )
            )
    return values, problems


def _answers(
    sheet: _Sheet,
    names: dict[codec.FieldRef, tuple[str, tuple[int, int]] | None],
    source: str,
    problems: list[Diagnostic],
    sheet_named: Any,
) -> list[RawValue]:
    heads = sheet.headings()
    values: list[RawValue] = []
    by_names: set[str] = set()  # the parts read by the cells' names
    for part in ("id", "answer", "evidence"):
        if part in heads:
            continue
        letter = _EXPECTED[part]
        found = sheet.text(1, ord(letter) - ord("A") + 1)
        heading = next(k for k, v in _HEADINGS.items() if v == part)
        problems.append(
            Where(source, sheet=sheet.title, cell=f"{letter}1").diagnostic(
                Code.RETURN_EDITED,
                f"the heading row has no {heading!r} column "
                + (f"(this cell says {found!r})" if found else "(this cell is empty)")
                + ("; the answers were read by the cells' names" if names else ""),
                f"put the heading {heading!r} back above its column, as the blank form had it",
            )
        )
        by_names.add(part)
    if "action" not in heads and any(r.part == "action" for r in names):
        by_names.add("action")
    if "id" in by_names:
        by_names |= {"answer", "evidence", "action"}
    else:
        values += _by_id(sheet, heads, names, source, problems, by_names)
    for ref, target in names.items():
        if ref.part not in by_names or ref.part == "detail":
            continue
        other = sheet_named(target[0]) if target is not None else None
        if target is None or other is None:
            continue
        row, col = target[1]
        where = Where(source, sheet=other.title, cell=f"{_letter(col)}{row}")
        values.append(RawValue(ref, other.value(row, col), where))
    return values


def _by_id(
    sheet: _Sheet,
    heads: dict[str, int],
    names: dict[codec.FieldRef, tuple[str, tuple[int, int]] | None],
    source: str,
    problems: list[Diagnostic],
    by_names: set[str],
) -> list[RawValue]:
    id_col = heads["id"]
    id_letter = _letter(id_col)
    parts = [p for p in ("answer", "evidence", "action") if p in heads and p not in by_names]
    known = {r.key for r in names if r.part == "answer"}
    rows: dict[str, int] = {}
    values: list[RawValue] = []
    for r in sheet.rows():
        if r == 1:
            continue
        text = sheet.text(r, id_col)
        here = Where(source, sheet=sheet.title, cell=f"{id_letter}{r}")
        filled = any(sheet.value(r, heads[p]) is not None for p in parts)
        if not text:
            if filled:
                problems.append(
                    here.diagnostic(
                        Code.RETURN_UNKNOWN_ID,
                        f"row {r} has an answer but no Id, so it cannot be told which question "
                        "it answers",
                        "put back the question's Id in this cell, as the blank form had it",
                    )
                )
            continue
        ref = codec.decode("xlsx-id", text)
        if ref is None or (known and text not in known):
            problems.append(
                here.diagnostic(
                    Code.RETURN_UNKNOWN_ID,
                    f"the Id {text!r} is not one of this form's questions: it was changed, or "
                    "the row added",
                    "put back the Id the blank form had in this row (Ids must not be edited)",
                )
            )
            continue
        if text in rows:
            problems.append(
                here.diagnostic(
                    Code.RETURN_DUPLICATE_FIELD,
                    f"the Id {text!r} is also in row {rows[text]}: a row was copied; row "
                    f"{rows[text]} is read",
                    "delete the copied row (keep the one with the answer)",
                )
            )
            continue
        rows[text] = r
        for part in parts:
            col = heads[part]
            field = ref if part == "answer" else codec.FieldRef(text, part)
            where = Where(source, sheet=sheet.title, cell=f"{_letter(col)}{r}")
            values.append(RawValue(field, sheet.value(r, col), where))
    for key in sorted(known - set(rows)):
        target = names.get(codec.FieldRef(key, "answer"))
        where = (
            Where(source, sheet=target[0], cell=f"{id_letter}{target[1][0]}")
            if target is not None
            else Where(source, sheet=sheet.title)
        )
        problems.append(
            where.diagnostic(
                Code.RETURN_ROW_MISSING,
                f"the question {key!r} has no row on the {sheet.title} sheet: its row was "
                "deleted or its Id changed",
                "fill in a fresh copy of the form, or restore the row with its Id",
                item=key,
            )
        )
    return values

"""Reading completed returns: from a file or bytes to a :class:`~.raw.RawReturn`.

:func:`read_path` and :func:`read_bytes` find the file's format from its first bytes (never
from its name alone: a ``.xlsx`` renamed ``.docx`` is still read as a workbook) and hand it to
that format's reader, imported only when needed:

* ``html-json`` and ``json``: :mod:`._read_json` (the HTML form's saved answers, our JSON);
* ``pdf``: :mod:`._read_pdf`;
* ``docx`` and ``xlsx``: :mod:`._read_office`;
* ``csv``: :mod:`._read_csv`.

A reader never raises for a bad file: whatever it cannot read becomes a located diagnostic in
:attr:`~.raw.RawReturn.problems`. Nothing is fetched and nothing is written; the file is opened
read-only.

A survey tool's export holds many returns: :func:`read_all_path` and :func:`read_all_bytes`
give every one (ODK Central and KoboToolbox submissions, SurveyJS results, FHIR
QuestionnaireResponses: :mod:`._read_export`; Microsoft Forms and SmartSurvey exports through
a mapping file: :mod:`._map`), and a file of ours as the one return it is.
"""

from __future__ import annotations

import datetime
import importlib
import os
from collections.abc import Callable
from pathlib import Path

from .._files import FileProblem, read_regular
from ..diagnostics import Code, Diagnostic
from .raw import RawReturn

__all__ = [
    "MAX_RETURN_BYTES",
    "TOOLS",
    "Reader",
    "export_kind",
    "is_return",
    "read_all_bytes",
    "read_all_path",
    "read_bytes",
    "read_path",
    "sniff",
]

#: The largest return file read (SG502): ten times a filled kcsie PDF with every evidence box
#: full.
MAX_RETURN_BYTES = 64 * 1024 * 1024

#: A format's reader: the file's bytes and its name as given, to a raw return.
Reader = Callable[[bytes, str], RawReturn]

_MODULES = {
    "html-json": "._read_json",
    "json": "._read_json",
    "pdf": "._read_pdf",
    "docx": "._read_office",
    "xlsx": "._read_office",
    "csv": "._read_csv",
}


def _reader(fmt: str) -> Reader:
    module = importlib.import_module(_MODULES[fmt], __package__)
    reader: Reader = getattr(module, "read_" + fmt.replace("-", "_"))
    return reader


def sniff(data: bytes, name: str = "") -> str | None:
    """The return format of ``data`` from its first bytes (and, for plain text, the name's
    ending), or None for none we read."""
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        from ._read_office import office_kind

        kind: str | None = office_kind(data, name)
        return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "json"
    lower = name.lower()
    if lower.endswith((".csv", ".tsv", ".txt")) and b"\0" not in head:
        return "csv"
    return None


def is_return(data: bytes, name: str = "") -> bool:
    """Whether ``data`` (a whole file) is a completed return rather than a standard set: a
    PDF, Word or Excel file, a CSV, or JSON that the loader would refuse as a set (SG507: it
    has ``answers`` and no ``sections``). A YAML file is never one."""
    fmt = sniff(data, name)
    if fmt in ("pdf", "docx", "xlsx", "csv"):
        return True
    if fmt != "json":
        return False
    from ..loader import _not_yaml

    return bool(_not_yaml(data))


#: The first bytes of an OLE compound file: the old .doc and .xls formats, and any Office file
#: encrypted with a password to open.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _problem(source: str, code: Code, message: str, hint: str) -> RawReturn:
    return RawReturn(
        source=source, format="", problems=(Diagnostic(code, message, source, hint=hint),)
    )


def read_bytes(data: bytes, source: str = "<bytes>") -> RawReturn:
    """The raw return in ``data`` (``source`` names it in diagnostics)."""
    if len(data) > MAX_RETURN_BYTES:
        return _problem(
            source,
            Code.RETURN_TOO_LARGE,
            f"the file has {len(data):,} bytes, more than the limit of {MAX_RETURN_BYTES:,}",
            "a return is a few megabytes at most: check that this is the right file",
        )
    fmt = sniff(data, source)
    if fmt is None and data.startswith(_COMPOUND_FILE):
        return _problem(
            source,
            Code.RETURN_FORMAT,
            "this is a Word or Excel file in the old format (.doc, .xls) or one protected "
            "with a password to open: neither can be read",
            "open it, and save it as a Word Document (.docx) or Excel Workbook (.xlsx) "
            "with no password to open it",
        )
    if fmt is None:
        return _problem(
            source,
            Code.RETURN_FORMAT,
            "this is not a PDF, Word, Excel, JSON or CSV file"
            + (" (it is empty)" if not data else ""),
            "a return is the filled form as it was sent to you (PDF, Word, Excel), the answers "
            "file the web form saves (.json), or a CSV; open it to see what it is",
        )
    return _reader(fmt)(data, source)


def read_path(path: str | os.PathLike[str], source: str | None = None) -> RawReturn:
    """The raw return in the file at ``path`` (a regular file of at most
    :data:`MAX_RETURN_BYTES`; anything else is a diagnostic, never a hang)."""
    name = source if source is not None else os.fspath(path)
    try:
        data = read_regular(path, MAX_RETURN_BYTES)
    except FileProblem as exc:
        code = Code.RETURN_TOO_LARGE if exc.kind == "too-large" else Code.RETURN_UNREADABLE
        hint = (
            "a return is a few megabytes at most: check that this is the right file"
            if exc.kind == "too-large"
            else "check the file name, or give the file itself rather than a folder or device"
        )
        return _problem(name, code, f"{name} cannot be read: {exc.reason}", hint)
    raw = read_bytes(data, name)
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:  # pragma: no cover - removed since it was read
        return raw
    stamp = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    from attrs import evolve

    return evolve(raw, file_date=stamp)


# -- files that hold many returns: survey tools' exports -----------------------------------------

#: The survey tools whose responses are read (``returns check --from``).
TOOLS: tuple[str, ...] = ("odk", "kobo", "surveyjs", "fhir", "msforms")


def export_kind(data: bytes, name: str = "") -> str | None:
    """The survey tool an export in ``data`` comes from (one of :data:`TOOLS`; ``odk`` for an
    ODK Central or KoboToolbox export), or None for a file that is one return of ours."""
    fmt = sniff(data, name)
    if fmt == "json":
        from ._read_export import looks_like_fhir, looks_like_surveyjs, parse_json

        try:
            doc = parse_json(data)
        except ValueError:
            return None
        if looks_like_fhir(doc):
            return "fhir"
        return "surveyjs" if looks_like_surveyjs(doc) else None
    if fmt not in ("xlsx", "csv"):
        return None
    if fmt == "xlsx":
        from ..envelope import read_xlsx

        try:
            if read_xlsx(data) is not None:
                return None
        except Exception:  # a damaged workbook: its own reader says what is wrong
            return None
    from ._map import looks_like_form_export
    from ._read_export import looks_like_submissions, read_table

    try:
        headings = read_table(data, name, fmt).headings
    except Exception:  # a damaged workbook: its own reader says what is wrong
        return None
    if fmt == "csv" and {"Id", "Answer"} <= set(headings):
        return None
    if looks_like_submissions(headings):
        return "odk"
    if looks_like_form_export(headings):
        return "msforms"
    return None


def read_all_bytes(
    data: bytes,
    source: str = "<bytes>",
    *,
    tool: str | None = None,
    mapping: object | None = None,
    registry: object | None = None,
) -> list[RawReturn]:
    """Every return in ``data``: one for a file of ours (:func:`read_bytes`), one per response
    for a survey tool's export. ``tool`` (one of :data:`TOOLS`) says which tool made it
    rather than finding it out; ``mapping`` (an :class:`._map.ExportMap`) reads a Microsoft
    Forms or SmartSurvey export; ``registry`` knows the sets a FHIR response is checked
    against (the bundled ones when None)."""
    if len(data) > MAX_RETURN_BYTES:
        return [read_bytes(data, source)]
    kind = tool or (None if mapping is None else "msforms") or export_kind(data, source)
    if kind is None:
        return [read_bytes(data, source)]
    from . import _read_export as ex

    if kind in ("surveyjs", "fhir"):
        try:
            doc = ex.parse_json(data)
        except ValueError:
            if tool is None:
                return [read_bytes(data, source)]
            what = "SurveyJS results" if kind == "surveyjs" else "FHIR QuestionnaireResponses"
            return [
                _problem(
                    source,
                    Code.IMPORT_NOT_AN_EXPORT,
                    f"this is not a JSON file, so not {what} (--from {kind})",
                    "give the results as the tool saves them (JSON), or leave out --from",
                )
            ]
        if kind == "fhir":
            return ex.read_fhir(doc, source, registry)  # type: ignore[arg-type]
        return ex.read_surveyjs(doc, source)
    fmt = sniff(data, source)
    if fmt not in ("xlsx", "csv"):
        return [
            _problem(
                source,
                Code.IMPORT_NOT_AN_EXPORT,
                f"a {kind} export is an Excel workbook (.xlsx) or a CSV file; this is neither",
                "download the responses again from the survey tool as Excel or CSV",
            )
        ]
    if kind in ("odk", "kobo"):
        return ex.read_submissions(data, source, fmt, kind)
    from ._map import ExportMap, read_mapped

    if not isinstance(mapping, ExportMap):
        return [
            _problem(
                source,
                Code.IMPORT_NEEDS_MAP,
                "this is a Microsoft Forms or SmartSurvey export: its columns are headed by "
                "the questions' text, so which question each is must be said first",
                f"make a mapping file with 'safeguard returns map {source} --set SET -o "
                f"map.yaml', check it, then 'safeguard returns check {source} --map map.yaml'",
            )
        ]
    return read_mapped(ex.read_table(data, source, fmt), source, mapping)


def read_all_path(
    path: str | os.PathLike[str],
    source: str | None = None,
    *,
    tool: str | None = None,
    mapping: object | None = None,
    registry: object | None = None,
) -> list[RawReturn]:
    """Every return in the file at ``path`` (see :func:`read_all_bytes` and :func:`read_path`)."""
    name = source if source is not None else os.fspath(path)
    try:
        data = read_regular(path, MAX_RETURN_BYTES)
    except FileProblem:
        return [read_path(path, source)]
    kind = tool or (None if mapping is None else "msforms") or export_kind(data, name)
    if kind is None:
        return [read_path(path, source)]
    return read_all_bytes(data, name, tool=kind, mapping=mapping, registry=registry)

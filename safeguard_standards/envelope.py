"""The envelope: what a blank form says about itself, in every format it is written in.

Every HTML, PDF, DOCX and XLSX document of a set (form, return form, guidance, action plan)
carries an :class:`Envelope`: the envelope's format and version, the set's id and version,
the kind of document, the audience selection it was made for (``--for``), a hash of the
resolved set's content, and the generator's version. A reader of completed returns reads it
back (:func:`read_html`, :func:`read_pdf`, :func:`read_docx`, :func:`read_xlsx`) to find the
version a return answers and to tell whether that version's content is the one it knows.

Where it is stored:

* HTML: ``<script type="application/json" id="sg-envelope">`` in the head (and, in a form,
  under ``"envelope"`` in the answers file **Save answers** writes);
* PDF: the document information dictionary, one key per property (:meth:`Envelope.to_properties`);
* DOCX and XLSX: custom document properties (File › Properties › Custom), one per property.

The content hash is ``sha256:`` and the SHA-256 of the resolved set's canonical JSON (see
``safeguard_standards.render._envelope``). No date or time is stored: the same inputs give the
same bytes. This module imports neither the model nor a rendering library.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

import attrs

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "PROPERTY_PREFIX",
    "Envelope",
    "EnvelopeError",
    "read_docx",
    "read_html",
    "read_pdf",
    "read_xlsx",
]

#: The envelope's ``format``.
FORMAT = "safeguard-standards/envelope"
#: Bumped when a property is removed or changes meaning (adding one does not bump it).
FORMAT_VERSION = 1
#: The prefix of the envelope's property names in PDF, DOCX and XLSX (``sg_set``).
PROPERTY_PREFIX = "sg_"

_KEYS = (
    "format",
    "format_version",
    "set",
    "set_version",
    "kind",
    "audience",
    "content_hash",
    "generator",
)


class EnvelopeError(ValueError):
    """An envelope that is there but cannot be read (not JSON, a property missing)."""


def _audience(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple((str(k), str(v)) for k, v in value.items())
    return tuple((str(k), str(v)) for k, v in value)


@attrs.frozen(kw_only=True)
class Envelope:
    """What a blank form says about itself (see the module's docstring)."""

    set: str
    set_version: str
    kind: str
    #: The ``--for`` selection, in the order given: ``(("setting", "academy"),)``.
    audience: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_audience)
    #: ``sha256:`` + 64 hex digits.
    content_hash: str
    #: ``safeguard-standards 0.1.0``.
    generator: str
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the audience as an object (``{"setting": "academy"}``)."""
        return {
            "format": self.format,
            "format_version": self.format_version,
            "set": self.set,
            "set_version": self.set_version,
            "kind": self.kind,
            "audience": dict(self.audience),
            "content_hash": self.content_hash,
            "generator": self.generator,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Envelope:
        """The envelope of :meth:`to_dict`'s output; EnvelopeError if a key is missing or of
        the wrong type, or the format is not ours. Unknown keys are ignored."""
        if not isinstance(data, Mapping):
            raise EnvelopeError("the envelope is not an object")
        missing = [k for k in _KEYS if k not in data]
        if missing:
            raise EnvelopeError("the envelope has no " + ", ".join(missing))
        if data["format"] != FORMAT:
            raise EnvelopeError(f"the envelope's format is {data['format']!r}, not {FORMAT!r}")
        version = data["format_version"]
        strings = [k for k in _KEYS if k not in ("format_version", "audience")]
        if not isinstance(version, int) or isinstance(version, bool):
            raise EnvelopeError("the envelope's format_version is not a whole number")
        if any(not isinstance(data[k], str) for k in strings):
            raise EnvelopeError("the envelope has a property that is not text")
        audience = data["audience"]
        if not isinstance(audience, Mapping) or any(
            not isinstance(v, str) for v in audience.values()
        ):
            raise EnvelopeError("the envelope's audience is not an object of text values")
        return cls(
            format=data["format"],
            format_version=version,
            set=data["set"],
            set_version=data["set_version"],
            kind=data["kind"],
            audience=audience,
            content_hash=data["content_hash"],
            generator=data["generator"],
        )

    def to_properties(self) -> dict[str, str]:
        """Flat text properties (``sg_set`` …) for document metadata: the audience is written
        ``dimension=value`` pairs joined by ``;`` (ids never contain either)."""
        values = self.to_dict()
        values["format_version"] = str(self.format_version)
        values["audience"] = ";".join(f"{k}={v}" for k, v in self.audience)
        return {PROPERTY_PREFIX + k: str(values[k]) for k in _KEYS}

    @classmethod
    def from_properties(cls, props: Mapping[str, str | None]) -> Envelope:
        """The envelope of :meth:`to_properties`' output (other properties are ignored; an
        empty property may come back as None, as openpyxl reads it)."""
        data: dict[str, Any] = {
            k: props[PROPERTY_PREFIX + k] or "" for k in _KEYS if PROPERTY_PREFIX + k in props
        }
        if "format_version" in data:
            if not str(data["format_version"]).isdigit():
                raise EnvelopeError("the envelope's format_version is not a whole number")
            data["format_version"] = int(data["format_version"])
        if "audience" in data:
            pairs = [p.partition("=") for p in str(data["audience"]).split(";") if p]
            if any(not sep for _, sep, _ in pairs):
                raise EnvelopeError("the envelope's audience is not dimension=value pairs")
            data["audience"] = {k: v for k, _, v in pairs}
        return cls.from_dict(data)


# -- reading it back ------------------------------------------------------------------------

_HTML_ENVELOPE = re.compile(
    rb'<script type="application/json" id="sg-envelope">(.*?)</script>', re.DOTALL
)


def read_html(data: bytes) -> Envelope | None:
    """The envelope of an HTML document, or None if it has none."""
    m = _HTML_ENVELOPE.search(data)
    if m is None:
        return None
    try:
        value = json.loads(m.group(1).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"the HTML envelope is not JSON ({exc})") from None
    return Envelope.from_dict(value)


def read_pdf(data: bytes) -> Envelope | None:
    """The envelope of a PDF (its document information), or None if it has none. Needs
    pypdf."""
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(data)).metadata
    props = {str(k).lstrip("/"): str(v) for k, v in (info or {}).items()}
    return _from_props(props)


_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


def _office_properties(data: bytes) -> dict[str, str]:
    """The custom document properties of an Office Open XML package (DOCX, XLSX)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            xml = z.read("docProps/custom.xml")
        except KeyError:
            return {}
    props = {}
    for prop in ElementTree.fromstring(xml).iter(f"{_CUSTOM_NS}property"):
        name = prop.get("name")
        if name is not None and len(prop):
            props[name] = prop[0].text or ""
    return props


def _from_props(props: Mapping[str, str | None]) -> Envelope | None:
    if not any(k.startswith(PROPERTY_PREFIX) for k in props):
        return None
    return Envelope.from_properties(props)


def read_docx(data: bytes) -> Envelope | None:
    """The envelope of a Word document (its custom properties), or None if it has none."""
    return _from_props(_office_properties(data))


def read_xlsx(data: bytes) -> Envelope | None:
    """The envelope of a workbook (its custom properties), or None if it has none."""
    return _from_props(_office_properties(data))

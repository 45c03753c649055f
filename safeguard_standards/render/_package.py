"""Office packages (DOCX, XLSX) made reproducible: the same inputs give the same bytes.

python-docx and openpyxl stamp the time of writing twice: on every entry of the zip package
and as the document's created and modified dates in ``docProps/core.xml``. Both are taken out
here, in the one place every DOCX and XLSX passes through (:func:`render` and
:func:`render_diff`): zip entries get the zip format's earliest date, and the document's dates
are the ``generated_on`` day when one was asked for, or absent (both are optional in Office
Open XML, and Word, Excel and LibreOffice open such files without complaint).
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["PACKAGE_FORMATS", "reproducible"]

#: Formats whose output is a zip package.
PACKAGE_FORMATS = frozenset({"docx", "xlsx", "xlsform"})
#: The earliest date a zip entry can carry (1 January 1980).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_STAMP = re.compile(rb"<dcterms:(created|modified)\b([^>]*)>[^<]*</dcterms:\1>")


def reproducible(data: bytes, generated_on: str | None = None) -> bytes:
    """``data`` (a DOCX or XLSX package) with no time of writing left in it.

    ``generated_on`` (YYYY-MM-DD) becomes the document's created and modified date; without it
    those dates are removed. Entry order, names, attributes and compression are kept.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info)
            if info.filename == _CORE:
                body = _dates(body, generated_on)
            entry = zipfile.ZipInfo(info.filename, ZIP_EPOCH)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def _dates(core: bytes, generated_on: str | None) -> bytes:
    if not generated_on:
        return _STAMP.sub(b"", core)
    when = f"{generated_on}T00:00:00Z".encode("ascii")
    return _STAMP.sub(lambda m: b"<dcterms:%s%s>%s</dcterms:%s>" % (m[1], m[2], when, m[1]), core)

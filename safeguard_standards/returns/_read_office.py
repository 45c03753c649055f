"""The readers of filled Word and Excel forms (DOCX and XLSX packages)."""

from __future__ import annotations

import io
import zipfile

__all__ = ["office_kind"]


def office_kind(data: bytes) -> str | None:
    """``docx`` or ``xlsx`` for an Office Open XML package of that kind, else None (a zip
    that is neither, or not a readable zip at all: the reader says which)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None

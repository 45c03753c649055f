"""The one way a number from a set is written in any output: a form's words, an HTML ``min``,
an XLSX validation, a changes document.

Whole numbers are written without a decimal point (``5``, not ``5.0``); others in the shortest
form that reads back as the same number (``1234567.5``, ``0.1``), so the words a person reads
and the limits the software checks always agree.
"""

from __future__ import annotations

__all__ = ["number_text"]


def number_text(x: float) -> str:
    """``5`` for 5 or 5.0, ``1234567.5`` for 1234567.5 (never ``1.23457e+06``)."""
    value = float(x)
    return str(int(value)) if value.is_integer() else repr(value)

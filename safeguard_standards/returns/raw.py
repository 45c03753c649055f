"""A raw return: what a reader found in one completed form, before anything is checked.

Every reader (one per format we hand out) turns bytes into a :class:`RawReturn`: the envelope
the blank form carried, the values found in its fields (each a :class:`RawValue` naming its
field by :class:`~safeguard_standards.fields.FieldRef` and saying where it was found), and the
problems the reader met. A reader knows nothing of the standard set: a rating is the text or
the box it found (``"2 - Met"``, ``("met",)``), a number may still be text. The checker
(:mod:`safeguard_standards.returns.check`) reads the values against the version the return
answers and makes the typed :class:`~safeguard_standards.returns.model.Return`.

Nothing here imports the model or a file-format library.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ..diagnostics import Code, Diagnostic
from ..envelope import Envelope
from ..fields import FieldRef

__all__ = ["FORMATS", "RawReturn", "RawValue", "ReadProblem", "Value", "Where"]

#: The formats a return is read from: the HTML form's saved answers (``html-json``), the
#: filled PDF, Word and Excel forms, and our own CSV and JSON of a return.
FORMATS: tuple[str, ...] = ("html-json", "pdf", "docx", "xlsx", "csv", "json")

#: What a field held, as the reader found it: text, a number, a true/false box, a date (a
#: spreadsheet's date cell), the ids of the ticked boxes of a choice, or nothing (empty).
Value = str | int | float | bool | datetime.date | tuple[str, ...] | None


@attrs.frozen
class Where:
    """Where in its file a value was found, as precisely as the format allows.

    ``file`` is the file's name as given. Then, by format: ``page`` (1-based) and ``field``
    (the PDF field's fully qualified name); ``sheet`` and ``cell`` (``Answers``, ``I37``);
    ``pointer`` (a JSON pointer, RFC 6901); ``tag`` (a Word content control's tag); ``row``
    (1-based, the heading row is 1) and ``column`` (its heading) of a CSV file.
    """

    file: str
    page: int = 0
    field: str = ""
    sheet: str = ""
    cell: str = ""
    pointer: str = ""
    tag: str = ""
    row: int = 0
    column: str = ""

    @property
    def at(self) -> str:
        """The place within the file, as diagnostics print it after ``file:``:
        ``page 12:field a.b.c``, ``Answers!I37``, ``/answers/a.b.c``, ``tag a.b.c``,
        ``row 3:column Answer``; "" for the file as a whole."""
        parts: list[str] = []
        if self.sheet or self.cell:
            sheet = self.sheet
            if sheet and not sheet.replace("_", "").isalnum():
                sheet = "'" + sheet.replace("'", "''") + "'"
            parts.append(f"{sheet}!{self.cell}" if sheet and self.cell else sheet or self.cell)
        if self.page:
            parts.append(f"page {self.page}")
        if self.field:
            parts.append(f"field {self.field}")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.pointer:
            parts.append(self.pointer)
        return ":".join(parts)

    def __str__(self) -> str:
        at = self.at
        return f"{self.file}:{at}" if at else self.file

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, keeping only what is set (``file`` always)."""
        out: dict[str, object] = {"file": self.file}
        for name in ("page", "field", "sheet", "cell", "pointer", "tag", "row", "column"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out

    def diagnostic(self, code: Code, message: str, hint: str = "", item: str = "") -> Diagnostic:
        """A diagnostic located here."""
        return Diagnostic(code, message, self.file, item=item, hint=hint, at=self.at)


@attrs.frozen
class RawValue:
    """One field's value as found: which field, what it held, where."""

    ref: FieldRef
    value: Value
    where: Where


#: A problem a reader met, as a diagnostic (located with :meth:`Where.diagnostic`).
ReadProblem = Diagnostic


@attrs.frozen(kw_only=True)
class RawReturn:
    """What a reader found in one file (see the module's docstring).

    ``envelope`` is None when the file carries none (then ``declared`` may still hold the set
    id and version a file names outside an envelope, as an older saved-answers file does).
    ``problems`` are the reader's own diagnostics (a field it could not read, a sheet edited
    out of shape); a reader that cannot read the file at all returns no values and a problem.
    ``file_date`` is the file's modification time as an ISO 8601 UTC timestamp when the reader
    was given a path ("" for bytes), used only to say which of two returns is newer.
    ``origin`` locates a return within an export that holds many.
    """

    source: str
    format: str
    envelope: Envelope | None = None
    declared: tuple[tuple[str, str], ...] = ()
    values: tuple[RawValue, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    file_date: str = ""
    #: Where in its file this return is, for a file that holds many (a survey tool's export:
    #: its row; a list of results: its index); None for a file that is one return.
    origin: Where | None = None

    def __iter__(self) -> Iterator[RawValue]:
        return iter(self.values)

    @property
    def readable(self) -> bool:
        """Whether the reader got anything out of the file (an envelope or a value)."""
        return self.envelope is not None or bool(self.values) or bool(self.declared)

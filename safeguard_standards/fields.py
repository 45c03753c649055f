"""Field names: what every fillable field of a blank form is called, in every format.

Completed returns are read back by these names, so they are stable, and this module is the
one place that makes them (every writer asks it) and reads them back (:func:`decode`).

A field is a :class:`FieldRef`: what it belongs to (a question's full id, or the key of an
organisation-details or sign-off field such as ``org.name``), which part of it (``answer``,
``evidence``, ``action`` or ``detail``) and, for one box of a choice question, the choice id. Its
**field name** is the same in every format:

* a question's answer: its full id (``leadership.governance.named-governor``); a full id is
  always three ids joined by ``.``;
* its evidence box: ``<full id>.evidence``, and its action box (the action the organisation
  will take, for a question whose scale has a level that ``requires: [action]``):
  ``<full id>.action`` (``evidence`` and ``action`` are therefore reserved as option ids,
  SG213);
* the organisation-details and sign-off fields: :data:`ORGANISATION_FIELDS` and
  :data:`SIGN_OFF_FIELDS` (``org.name``, ``signoff.date``: two parts, so they can never clash
  with a question).

How each format writes a field name (:func:`encode`):

* ``html``: the control's ``name`` (a choice is the ``value`` of a radio button or checkbox
  named by the full id);
* ``pdf``: the field's fully qualified name, whose partial names are the name's segments
  (PDF 32000-1, 12.7.3.2: a partial name has no period): the answer ``a.b.c`` is the field
  ``c`` under ``b`` under ``a`` (:func:`pdf_partial_names`). An answer field with a widget is
  a *terminal* field, which can have no child fields, so the evidence box is its sibling
  ``a.b.c:evidence`` (partial name ``c:evidence``; ``:`` is in no id), and the action box
  ``a.b.c:action``. One box of a
  multi-choice answer is the child ``<full id>.<option id>``; a radio button has no name of
  its own (its choice is the field's value);
* ``docx``: the content control's tag; a choice's checkbox is tagged ``<full id>=<choice id>``;
* ``xlsx``: the workbook defined name of the cell, ``SG_`` + the field name with ``.``
  written ``__`` and ``-`` written ``___`` (``SG_org__name``); a choice has no cell of its own.
  The Answers sheet's **Id** column holds the full id itself (``xlsx-id``).
* ``xlsform`` and ``surveyjs``: the question's ``name``, the same safe name as ``xlsx``
  (:func:`safe_name`): a valid XML name with no ``.`` (SurveyJS reads a dot in a name as a
  path into a panel or a matrix); :func:`field_name_of` maps it back;
* ``fhir``: the item's ``linkId``, the field name itself.

Nothing here imports the model or a rendering library: a reader of returns can use it alone.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import attrs

__all__ = [
    "DETAIL_FIELDS",
    "FORMATS",
    "ORGANISATION_FIELDS",
    "PARTS",
    "SIGN_OFF_FIELDS",
    "Field",
    "FieldRef",
    "action",
    "answer",
    "choice",
    "decode",
    "detail",
    "encode",
    "evidence",
    "field_name_of",
    "pdf_partial_names",
    "safe_name",
]

#: The formats a field name is written in; ``xlsx-id`` is the Answers sheet's Id column.
FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "xlsx", "xlsx-id", "xlsform", "surveyjs", "fhir")
Format = Literal["html", "pdf", "docx", "xlsx", "xlsx-id", "xlsform", "surveyjs", "fhir"]
#: The formats whose names are :func:`safe_name`\ s (the XLSX defined names, without a cell).
_SAFE_FORMATS = ("xlsx", "xlsform", "surveyjs")

#: The parts of a question or form a field can be.
PARTS: tuple[str, ...] = ("answer", "evidence", "action", "detail")
Part = Literal["answer", "evidence", "action", "detail"]


@attrs.frozen
class Field:
    """A fillable field outside the questions (organisation details, sign-off).

    ``name`` is its field name in every format; ``type`` is ``text``, ``date`` or ``email``.
    """

    name: str
    label: str
    type: str = "text"

    @property
    def ref(self) -> FieldRef:
        """The field, for :func:`encode`."""
        return FieldRef(self.name, "detail")


#: The organisation-details block at the top of a form, in order.
ORGANISATION_FIELDS: tuple[Field, ...] = (
    Field("org.name", "Name of organisation"),
    Field("org.address", "Address"),
    Field("org.completed_by", "Completed by (name)"),
    Field("org.role", "Role"),
    Field("org.contact", "Email or telephone", "text"),
    Field("org.date", "Date completed", "date"),
)

#: The sign-off block at the end of a form, in order, as a set with no ``sign_off:`` has it
#: (``render._view.sign_off_fields`` gives a set's own Role label).
SIGN_OFF_FIELDS: tuple[Field, ...] = (
    Field("signoff.name", "Name"),
    Field("signoff.role", "Role"),
    Field("signoff.signature", "Signature"),
    Field("signoff.date", "Date", "date"),
)

#: The key of every detail field (organisation details, then sign-off).
DETAIL_FIELDS: tuple[str, ...] = tuple(f.name for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS))
_DETAILS = frozenset(DETAIL_FIELDS)

_ID = r"[a-z0-9]+(?:[-_][a-z0-9]+)*"
_FULL_ID = re.compile(rf"{_ID}\.{_ID}\.{_ID}")
_CHOICE_ID = re.compile(_ID)
#: The evidence box's last segment.
EVIDENCE = "evidence"
#: The action box's last segment.
ACTION = "action"
#: The parts of a question that are boxes of their own beside the answer, by last segment.
_BOXES = (EVIDENCE, ACTION)
#: Between a question's full id and ``evidence`` in a PDF (the evidence box is the answer
#: field's sibling: a terminal field has no child fields).
PDF_EVIDENCE_SEPARATOR = ":"
#: Between a question's full id and a choice id in a Word checkbox control's tag.
DOCX_CHOICE_SEPARATOR = "="
#: The prefix of every XLSX defined name that is a field (``SG_LIST_…`` are dropdown lists).
XLSX_PREFIX = "SG_"
_XLSX_RUN = re.compile(r"_{2,3}")


@attrs.frozen
class FieldRef:
    """What a field is: ``key`` is a question's full id (``answer``, ``evidence``) or a
    detail key such as ``org.name`` (``detail``); ``choice`` names one choice's box of an
    answer (empty for the answer as a whole)."""

    key: str
    part: Part = "answer"
    choice: str = ""

    def __attrs_post_init__(self) -> None:
        ok = (
            self.key in _DETAILS and not self.choice
            if self.part == "detail"
            else _FULL_ID.fullmatch(self.key) is not None
            and self.part in ("answer", *_BOXES)
            and (not self.choice or (self.part == "answer" and _valid_choice(self.choice)))
        )
        if not ok:
            raise ValueError(f"not a field: {self.key!r} {self.part} {self.choice!r}")

    @property
    def name(self) -> str:
        """The field name, the same in every format (without a choice)."""
        return f"{self.key}.{self.part}" if self.part in _BOXES else self.key


def _valid_choice(choice: str) -> bool:
    return _CHOICE_ID.fullmatch(choice) is not None and choice not in _BOXES


def answer(full_id: str, choice: str = "") -> FieldRef:
    """A question's answer field (``choice``: one choice's box of it)."""
    return FieldRef(full_id, "answer", choice)


def evidence(full_id: str) -> FieldRef:
    """A question's evidence box."""
    return FieldRef(full_id, "evidence")


def action(full_id: str) -> FieldRef:
    """A question's action box (the action the organisation will take)."""
    return FieldRef(full_id, "action")


def detail(key: str) -> FieldRef:
    """An organisation-details or sign-off field (``org.name``)."""
    return FieldRef(key, "detail")


def choice(full_id: str, choice_id: str) -> FieldRef:
    """One choice's box of a question's answer (a PDF multi-choice child, a Word checkbox)."""
    return FieldRef(full_id, "answer", choice_id)


def encode(fmt: Format, ref: FieldRef) -> str:
    """The name ``ref`` has in ``fmt`` (see the module's docstring).

    A choice has a name of its own only in ``pdf`` (a multi-choice child field) and ``docx``
    (a checkbox control); in ``html`` it is the ``value`` of a control named by the answer, and
    ``xlsx`` has no cell per choice: asking for those raises ValueError.
    """
    name = ref.name
    if fmt == "pdf" and ref.part in _BOXES:
        return f"{ref.key}{PDF_EVIDENCE_SEPARATOR}{ref.part}"
    if ref.choice:
        if fmt == "pdf":
            return f"{name}.{ref.choice}"
        if fmt == "docx":
            return f"{name}{DOCX_CHOICE_SEPARATOR}{ref.choice}"
        raise ValueError(f"a choice has no field name of its own in {fmt}")
    if fmt in ("html", "pdf", "docx", "fhir"):
        return name
    if fmt in _SAFE_FORMATS:
        return safe_name(name)
    if fmt == "xlsx-id":
        if ref.part != "answer":
            raise ValueError("the Id column names questions only")
        return name
    raise ValueError(f"unknown format {fmt!r}")


def pdf_partial_names(ref: FieldRef) -> tuple[str, ...]:
    """The partial names from the top of the PDF field tree down to ``ref``'s field: its
    fully qualified name split at each period (none of them contains one)."""
    return tuple(encode("pdf", ref).split("."))


def _from_name(name: str) -> FieldRef | None:
    """The field a format-independent field name (no choice) stands for."""
    if name in _DETAILS:
        return FieldRef(name, "detail")
    if _FULL_ID.fullmatch(name):
        return FieldRef(name, "answer")
    head, dot, last = name.rpartition(".")
    if dot and last in _BOXES and _FULL_ID.fullmatch(head):
        return FieldRef(head, "evidence" if last == EVIDENCE else "action")
    return None


def decode(fmt: Format, name: str) -> FieldRef | None:
    """The field ``name`` stands for in ``fmt``, or None if it is not one of ours (or not
    well-formed). The inverse of :func:`encode`: ``decode(f, encode(f, r)) == r``."""
    # The names of one version's form repeat in every return of it: each is decoded once (a
    # FieldRef is frozen, so one instance serves them all).
    return _decode_once(fmt, name) if len(name) <= 200 else _decode_once.__wrapped__(fmt, name)


@functools.lru_cache(maxsize=16384)
def _decode_once(fmt: Format, name: str) -> FieldRef | None:
    if fmt == "html":
        return _from_name(name)
    if fmt == "pdf":
        head, sep, last = name.rpartition(PDF_EVIDENCE_SEPARATOR)
        if sep:
            ok = last in _BOXES and _FULL_ID.fullmatch(head)
            return FieldRef(head, "evidence" if last == EVIDENCE else "action") if ok else None
        head, dot, last = name.rpartition(".")
        if dot and _FULL_ID.fullmatch(head) and _valid_choice(last):
            return FieldRef(head, "answer", last)
        if name in _DETAILS or _FULL_ID.fullmatch(name):
            return _from_name(name)
        return None
    if fmt == "docx":
        head, sep, last = name.partition(DOCX_CHOICE_SEPARATOR)
        if sep:
            if _FULL_ID.fullmatch(head) and _valid_choice(last):
                return FieldRef(head, "answer", last)
            return None
        return _from_name(name)
    if fmt in _SAFE_FORMATS:
        field = field_name_of(name)
        return None if field is None else _from_name(field)
    if fmt == "fhir":
        return _from_name(name)
    if fmt == "xlsx-id":
        return FieldRef(name, "answer") if _FULL_ID.fullmatch(name) else None
    return None


def safe_name(name: str) -> str:
    """A field name (``a.b.c``, ``a.b.c.evidence``, ``org.name``) as a name with no ``.`` or
    ``-``: ``SG_`` + the name with ``.`` written ``__`` and ``-`` written ``___``
    (``SG_leadership__governance__named___governor``). An id never holds two ``_`` in a row,
    so :func:`field_name_of` reads it back. It is a valid XML name (XLSForm), a SurveyJS
    question name and an XLSX defined name."""
    return XLSX_PREFIX + name.replace("-", "___").replace(".", "__")


def field_name_of(safe: str) -> str | None:
    """The field name :func:`safe_name` made ``safe`` from, or None if ``safe`` is not one of
    ours (the inverse: ``field_name_of(safe_name(n)) == n`` for every field name ``n``)."""
    if not safe.startswith(XLSX_PREFIX):
        return None
    rest = safe[len(XLSX_PREFIX) :]
    name = _XLSX_RUN.sub(lambda m: "." if len(m.group()) == 2 else "-", rest)
    ref = _from_name(name)
    return name if ref is not None and safe_name(name) == safe else None

"""The typed, checked return: what an organisation answered, against the version it answers.

A :class:`Return` is made by the checker (:func:`safeguard_standards.returns.check.check`)
from a :class:`~safeguard_standards.returns.raw.RawReturn` and the standard set it answers.
It is frozen, like the model. Every answer is typed by its question:

===============  ==========================================================
question type    :attr:`Answer.value`
===============  ==========================================================
``rating``       the level's id (``"met"``)
``yes-no``       ``"yes"`` or ``"no"``
``number``       an ``int`` (or a ``float`` when it has a fractional part)
``percentage``   the same, from 0 to 100
``date``         a :class:`datetime.date`
``text``         the text
``choice``       the option's id
``multi-choice`` a tuple of option ids, in the set's order
===============  ==========================================================

and ``None`` when the question was not answered. The JSON form (:meth:`Return.to_dict`) is
the same shape as the answers file the HTML form saves (``set``, ``version``, ``kind``,
``envelope``, ``answers``, ``evidence``, ``actions``, ``details``), with ``format``,
``source`` and ``provenance`` added; ``safeguard schema --return`` prints its JSON Schema.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from ..envelope import Envelope
from .raw import Where

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Answer",
    "AnswerValue",
    "DetailValue",
    "Return",
    "return_schema",
    "return_schema_text",
]

#: The ``format`` of a return's JSON form.
FORMAT = "safeguard-standards/return"
#: Bumped when a property is removed or changes meaning.
FORMAT_VERSION = 1

#: A typed answer (see the module's docstring).
AnswerValue = str | int | float | datetime.date | tuple[str, ...] | None


#: The JSON Schema of the return format, shipped in the package's ``schema/`` folder.
SCHEMA_FILE = "return.schema.json"


def return_schema_text() -> str:
    """The JSON Schema (draft 2020-12) of a return's JSON form and of the answers file the
    HTML form saves, as shipped (what ``safeguard schema --return`` prints)."""
    from .._structure import shipped_schema_text

    return shipped_schema_text(SCHEMA_FILE)


def return_schema() -> dict[str, Any]:
    """:func:`return_schema_text`, parsed."""
    from .._structure import shipped_schema

    return shipped_schema(SCHEMA_FILE)


def _json_value(value: AnswerValue) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


@attrs.frozen(kw_only=True)
class Answer:
    """One question's answer, typed, with its evidence and action and where each was found.

    ``asked`` is False when the question's ``ask_if`` does not hold for the return's other
    answers (the form would have hidden it).
    """

    question: str
    type: str
    value: AnswerValue = None
    evidence: str = ""
    action: str = ""
    asked: bool = True
    where: Where | None = None
    evidence_where: Where | None = None
    action_where: Where | None = None

    @property
    def answered(self) -> bool:
        return self.value is not None and self.value != () and self.value != ""

    @property
    def level(self) -> str:
        """The level id of a rating answer ("" otherwise or unanswered)."""
        return self.value if self.type == "rating" and isinstance(self.value, str) else ""


@attrs.frozen
class DetailValue:
    """An organisation-details or sign-off field's value (``org.name``) and where it was."""

    key: str
    value: str
    where: Where | None = None


@attrs.frozen(kw_only=True)
class Return:
    """A checked return (see the module's docstring).

    ``answers`` holds one :class:`Answer` per question of the version for the return's
    audience, in the set's order, answered or not. ``mapped_from`` is the version the file
    answered when it was read onto this one with ``--as-version`` ("" otherwise).
    """

    source: str
    read_from: str
    set: str
    version: str
    kind: str = "form"
    audience: tuple[tuple[str, str], ...] = ()
    envelope: Envelope | None = None
    details: tuple[DetailValue, ...] = ()
    answers: tuple[Answer, ...] = ()
    file_date: str = ""
    mapped_from: str = ""
    _by_id: Mapping[str, Answer] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(lambda self: {a.question: a for a in self.answers}, takes_self=True),
    )

    def answer(self, question: str) -> Answer | None:
        """The answer to a question by full id (None if the question is not in the version)."""
        return self._by_id.get(question)

    def detail(self, key: str) -> str:
        """A detail's value ("" if not given)."""
        for d in self.details:
            if d.key == key:
                return d.value
        return ""

    @property
    def organisation(self) -> str:
        """The organisation's name as the return gives it (``org.name``)."""
        return self.detail("org.name")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see the module's docstring); valid against ``schema --return``."""
        answers: dict[str, Any] = {}
        evidence: dict[str, str] = {}
        actions: dict[str, str] = {}
        where: dict[str, Any] = {"answers": {}, "evidence": {}, "actions": {}, "details": {}}
        for a in self.answers:
            if a.answered:
                answers[a.question] = _json_value(a.value)
                if a.where is not None:
                    where["answers"][a.question] = a.where.to_dict()
            if a.evidence:
                evidence[a.question] = a.evidence
                if a.evidence_where is not None:
                    where["evidence"][a.question] = a.evidence_where.to_dict()
            if a.action:
                actions[a.question] = a.action
                if a.action_where is not None:
                    where["actions"][a.question] = a.action_where.to_dict()
        details = {d.key: d.value for d in self.details if d.value}
        for d in self.details:
            if d.value and d.where is not None:
                where["details"][d.key] = d.where.to_dict()
        out: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "set": self.set,
            "version": self.version,
            "kind": self.kind,
            "audience": dict(self.audience),
        }
        if self.envelope is not None:
            out["envelope"] = self.envelope.to_dict()
        out |= {"answers": answers, "evidence": evidence, "actions": actions, "details": details}
        out["not_asked"] = [a.question for a in self.answers if a.answered and not a.asked]
        out["source"] = {"file": self.source, "read_from": self.read_from}
        if self.file_date:
            out["source"]["file_date"] = self.file_date
        if self.mapped_from:
            out["source"]["mapped_from"] = self.mapped_from
        out["provenance"] = {k: v for k, v in where.items() if v}
        return out

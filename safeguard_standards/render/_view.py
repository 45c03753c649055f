"""Format-independent views of a checklist, shared by every renderer.

Every renderer (HTML, PDF, Markdown, JSON, DOCX, XLSX, CSV) asks the same questions of a
checklist: which questions does this kind of document include, how are they numbered, what does
a conditional question say on paper, what answer space does each type get, what do the rating
levels mean, how is a citation written. The answers live here, once, so that every format says
the same thing. How Markdown prose becomes HTML, Word runs or plain text is :mod:`._text`; the
publisher's logo is read by :mod:`._logo`; both are re-exported here.

The main entry point is :func:`build_document`, which turns a checklist into a
:class:`DocumentView`: a tree of :class:`SectionView` > :class:`StandardView` >
:class:`QuestionView`, each carrying its printed number and everything a renderer prints. It
is registered as the view builder of the document kinds (form, return-form, guidance,
action-plan). Action plans use :func:`action_plan_headers` and :func:`action_plan_rows`.

Field names (stable: completed returns are read back by them) are made by
:mod:`safeguard_standards.fields`; :data:`ORGANISATION_FIELDS`, :data:`SIGN_OFF_FIELDS` and
:class:`Field` are re-exported from there, and :func:`evidence_field` asks it.

Nothing here imports a heavy library at module level or reads a file: a view's ``logo`` is
read (by :func:`logo_data_uri`, only inside ``base_dir``) when a writer first asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from .. import fields
from ..fields import ORGANISATION_FIELDS, SIGN_OFF_FIELDS, Field
from ..model import (
    Checklist,
    Citation,
    Condition,
    Guidance,
    Level,
    Publisher,
    Question,
    Reference,
    Scale,
    Section,
    Standard,
)
from . import require_questions, view_builder
from ._logo import logo_data_uri
from ._number import number_text
from ._text import (
    Block,
    Run,
    md_blocks,
    md_escape,
    md_inert,
    md_inert_checklist,
    md_inline_html,
    md_to_html,
    md_to_text,
)

if TYPE_CHECKING:
    from ..returns.model import Answer, AnswerValue, Return
    from . import RenderOptions

__all__ = [
    "DOCUMENT_KINDS",
    "KIND_LABELS",
    "ORGANISATION_FIELDS",
    "SIGN_OFF_FIELDS",
    "ActionRow",
    "AnswerSpace",
    "Block",
    "Choice",
    "CitationView",
    "DocumentView",
    "Field",
    "Filled",
    "Gap",
    "QuestionView",
    "Run",
    "ScaleView",
    "SectionView",
    "StandardView",
    "action_label",
    "action_levels",
    "action_plan_headers",
    "action_plan_rows",
    "answer_label",
    "answer_space",
    "build_document",
    "choices",
    "citation_view",
    "condition_text",
    "evidence_field",
    "gaps",
    "includes",
    "is_gap",
    "logo_data_uri",
    "md_blocks",
    "md_escape",
    "md_inert",
    "md_inert_checklist",
    "md_inline_html",
    "md_to_html",
    "md_to_text",
    "resolve_per",
    "select_kind",
    "sign_off_fields",
]

#: The kinds that are documents about the set's questions (``changes`` is rendered elsewhere).
DOCUMENT_KINDS: tuple[str, ...] = ("form", "return-form", "guidance", "action-plan")

#: How each kind is named on a title page.
KIND_LABELS: dict[str, str] = {
    "form": "Self-assessment audit tool",
    "return-form": "Return form",
    "guidance": "Guidance",
    "action-plan": "Action plan",
}


# -- field names ----------------------------------------------------------------------------


def sign_off_fields(checklist: Checklist) -> tuple[Field, ...]:
    """The sign-off fields of ``checklist``'s forms: the same names in every set, the Role
    label from the set's ``sign_off.role_examples``."""
    role = checklist.sign_off.role_label
    return tuple(
        attrs.evolve(f, label=role) if f.name == "signoff.role" else f for f in SIGN_OFF_FIELDS
    )


def evidence_field(full_id: str) -> str:
    """The field name of a question's evidence box: ``<full_id>.evidence``."""
    return fields.evidence(full_id).name


# -- which questions a kind includes --------------------------------------------------------


def includes(kind: str, question: Question) -> bool:
    """Whether a document of ``kind`` includes ``question``.

    ``return-form`` includes only the questions marked ``in_return``; every other kind
    (form, guidance, action-plan) includes every question.
    """
    return question.in_return if kind == "return-form" else True


def select_kind(checklist: Checklist, kind: str) -> Checklist:
    """The checklist with only the questions ``kind`` includes; empty standards and sections
    are dropped. Number with the *original* checklist (:meth:`Checklist.numbering`) so that a
    return form's 2.1.3 is the audit tool's 2.1.3."""
    if kind != "return-form":
        return checklist
    sections = []
    for section in checklist.sections:
        standards = []
        for standard in section.standards:
            questions = tuple(q for q in standard.questions if includes(kind, q))
            if questions:
                standards.append(attrs.evolve(standard, questions=questions))
        if standards:
            sections.append(attrs.evolve(section, standards=tuple(standards)))
    return attrs.evolve(checklist, sections=tuple(sections))


# -- answers --------------------------------------------------------------------------------


@attrs.frozen
class Choice:
    """One possible answer of a yes-no, rating, choice or multi-choice question.

    ``id`` is the value stored in a completed return; ``label`` what a person reads;
    ``describe`` the level's descriptor (Markdown, ratings only); ``rag`` red/amber/green/…;
    ``requires`` what an answer at this level must carry (``action``, ``justification``).
    """

    id: str
    label: str
    describe: str = ""
    rag: str = ""
    requires: tuple[str, ...] = ()


YES_NO: tuple[Choice, ...] = (Choice("yes", "Yes"), Choice("no", "No"))


def choices(question: Question, checklist: Checklist) -> tuple[Choice, ...]:
    """The possible answers of a question, in order; ``()`` for number, date and text."""
    if question.type == "yes-no":
        return YES_NO
    if question.type == "rating":
        scale = checklist.scale(question.scale or checklist.default_scale)
        if scale is None:
            return ()
        return tuple(_level_choice(level) for level in scale.levels)
    if question.type in ("choice", "multi-choice"):
        return tuple(Choice(o.id, o.label) for o in question.options)
    return ()


def _level_choice(level: Level) -> Choice:
    return Choice(level.id, level.label, level.describe, level.rag, level.requires)


def action_levels(question: Question, checklist: Checklist) -> tuple[Choice, ...]:
    """The levels of a rating question at which an answer needs an action (a level of its
    scale that ``requires: [action]``), in order; ``()`` when none can (the question then has
    no action box)."""
    if question.type != "rating":
        return ()
    return tuple(c for c in choices(question, checklist) if "action" in c.requires)


def action_label(levels: Sequence[Choice]) -> str:
    """What an action box is called, in plain words, naming the levels that need it:
    ``Action you will take (needed if you answer “Partly met” or “Not met”)``."""
    labels = [f"“{c.label}”" for c in levels]
    which = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"Action you will take (needed if you answer {which})"


def answer_label(question: Question, checklist: Checklist, value: str) -> str:
    """What a person reads for the stored answer ``value`` (``yes`` → ``Yes``); ``value``
    itself when the question has no such choice."""
    for choice in choices(question, checklist):
        if choice.id == value:
            return choice.label
    return value


Control = Literal["radio", "checkbox", "number", "date", "text"]


@attrs.frozen
class AnswerSpace:
    """The answer space of a question, by type.

    ``control`` is the kind of input every format draws: ``radio`` (one of ``choices``:
    yes-no, rating, choice), ``checkbox`` (any of ``choices``: multi-choice), ``number``
    (number and percentage; ``min``/``max``/``unit`` apply), ``date`` or ``text``.
    ``description`` says in words what to give ("Choose one level", "A number of governors,
    0 or more"), for a form's hint line or a spreadsheet's type column.
    """

    type: str
    control: Control
    description: str
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    min: float | None = None
    max: float | None = None

    @property
    def multiple(self) -> bool:
        """Whether more than one choice can be given (multi-choice)."""
        return self.control == "checkbox"

    @property
    def step(self) -> str:
        """The HTML ``step`` of a number input: ``any`` unless the bounds are whole numbers."""
        return "1" if _whole(self.min) and _whole(self.max) else "any"


def _whole(x: float | None) -> bool:
    return x is None or float(x).is_integer()


def _range_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    u = f" {unit}" if unit and unit != "%" else unit
    if lo is not None and hi is not None:
        return f"from {number_text(lo)}{u} to {number_text(hi)}{u}"
    if lo is not None:
        return f"{number_text(lo)}{u} or more"
    if hi is not None:
        return f"at most {number_text(hi)}{u}"
    return ""


def answer_space(question: Question, checklist: Checklist) -> AnswerSpace:
    """The answer space of ``question`` (see :class:`AnswerSpace`)."""
    t = question.type
    if t == "yes-no":
        return AnswerSpace(t, "radio", "Yes or no", YES_NO)
    if t == "rating":
        return AnswerSpace(t, "radio", "Choose one level", choices(question, checklist))
    if t == "choice":
        return AnswerSpace(t, "radio", "Choose one", choices(question, checklist))
    if t == "multi-choice":
        return AnswerSpace(t, "checkbox", "Tick all that apply", choices(question, checklist))
    if t == "percentage":
        lo = 0.0 if question.min is None else question.min
        hi = 100.0 if question.max is None else question.max
        return AnswerSpace(
            t, "number", f"A percentage, {_range_text(lo, hi, '%')}", unit="%", min=lo, max=hi
        )
    if t == "number":
        what = f"A number of {question.unit}" if question.unit else "A number"
        rng = _range_text(question.min, question.max)
        return AnswerSpace(
            t,
            "number",
            what + (f", {rng}" if rng else ""),
            unit=question.unit,
            min=question.min,
            max=question.max,
        )
    if t == "date":
        return AnswerSpace(t, "date", "A date (day, month, year)")
    return AnswerSpace(t, "text", "Your answer in words")


# -- conditions ------------------------------------------------------------------------------


def _quoted_values(question: Question | None, checklist: Checklist, values: Sequence[str]) -> str:
    # the labels looked up once (not once per value: an `in:` may list thousands of options)
    names = {c.id: c.label for c in choices(question, checklist)} if question else {}
    bare = question is not None and question.type == "yes-no"
    labels = []
    for v in values:
        label = names.get(v, v)
        labels.append(label if bare else f"“{label}”")
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def _clause(
    cond: Condition, checklist: Checklist, numbers: dict[str, str], nested: bool = False
) -> str:
    if cond.op in ("all", "any"):
        joiner = " and " if cond.op == "all" else " or "
        text = joiner.join(_clause(c, checklist, numbers, nested=True) for c in cond.conditions)
        return f"({text})" if nested and len(cond.conditions) > 1 else text
    target = checklist.question(cond.question)
    ref = numbers.get(cond.question, cond.question)
    values = _quoted_values(target, checklist, cond.values)
    if cond.op == "not_equals":
        return f"you gave an answer other than {values} to {ref}"
    if target is not None and target.type == "multi-choice":
        return f"you ticked {values} in {ref}"
    return f"you answered {values} to {ref}"


def condition_text(
    condition: Condition | None, checklist: Checklist, numbers: dict[str, str] | None = None
) -> str:
    """How a conditional question says when to answer it, on paper and on screen.

    ``Answer if you answered Yes to 1.2.3``; ``in`` lists the values with "or"; ``not_equals``
    reads "Answer if you gave an answer other than No to 1.2.3"; ``all`` / ``any`` join their
    parts with "and" / "or" (nested groups in brackets). Choice and rating values are quoted
    labels (“Partly met”). Questions are referred to by printed number (from ``numbers``, by
    default ``checklist.numbering()``), or by full id when the question is not numbered.
    Returns ``""`` for ``None``.
    """
    if condition is None:
        return ""
    nums = checklist.numbering() if numbers is None else numbers
    return "Answer if " + _clause(condition, checklist, nums)


def condition_data(condition: Condition) -> dict[str, object]:
    """A condition as plain JSON-ready data: ``{"op", "question", "values"}`` or
    ``{"op", "conditions"}`` (what the HTML form's script and the JSON export read)."""
    if condition.op in ("all", "any"):
        return {"op": condition.op, "conditions": [condition_data(c) for c in condition.conditions]}
    return {"op": condition.op, "question": condition.question, "values": list(condition.values)}


# -- citations -------------------------------------------------------------------------------


@attrs.frozen
class CitationView:
    """A citation ready to print: ``text`` is "Title (edition), at"; ``url`` may be ``""``."""

    key: str
    title: str
    edition: str = ""
    at: str = ""
    note: str = ""
    url: str = ""
    publisher: str = ""

    @property
    def text(self) -> str:
        """``Keeping children safe in education 2025 (September 2025), Part two``.

        An edition that repeats the year the title ends with is not printed twice
        (``… 2025`` with ``2025 (in force 1 September 2025)`` reads ``… 2025 (in force
        1 September 2025)``), and an edition with brackets of its own follows a comma rather
        than going in brackets.
        """
        out = self.title
        edition = _edition_after(self.title, self.edition)
        if edition:
            out += f", {edition}" if "(" in edition else f" ({edition})"
        if self.at:
            out += f", {self.at}"
        return out


def _edition_after(title: str, edition: str) -> str:
    """``edition`` without a leading year that ``title`` already ends with."""
    edition = edition.strip()
    last = title.split()[-1] if title.split() else ""
    if not last or not any(ch.isdigit() for ch in last) or not edition.startswith(last):
        return edition
    rest = edition[len(last) :]
    if rest and rest[0] not in " (,;:":  # "2025-26" after "2025": not the same edition
        return edition
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    return rest.strip(" ,;:")


def citation_view(citation: Citation, checklist: Checklist) -> CitationView:
    """Resolve a citation against the set's references (an unknown key prints as itself)."""
    ref: Reference | None = checklist.reference(citation.ref)
    if ref is None:
        return CitationView(citation.ref, citation.ref, at=citation.at, note=citation.note)
    return CitationView(
        ref.key,
        ref.title,
        edition=ref.edition,
        at=citation.at,
        note=citation.note,
        url=_safe_url(ref.url),
        publisher=ref.publisher,
    )


def _safe_url(url: str) -> str:
    """Only http(s) and mailto links are printed as links."""
    return url if url.lower().startswith(("https://", "http://", "mailto:")) else ""


# -- answers from a completed return ---------------------------------------------------------


@attrs.frozen
class Filled:
    """A question's answer from a completed return, as every writer shows it in a form.

    ``value`` is the typed answer (see :mod:`safeguard_standards.returns.model`), None when
    the question was not answered; ``evidence`` and ``action`` the boxes' text.
    """

    value: AnswerValue = None
    evidence: str = ""
    action: str = ""

    def checked(self, choice_id: str) -> bool:
        """Whether the choice's box is ticked (a radio's level, a multi-choice's option)."""
        if isinstance(self.value, tuple):
            return choice_id in self.value
        return isinstance(self.value, str) and self.value == choice_id

    @property
    def text(self) -> str:
        """The answer as typed into its box: a number as written (``12``, ``12.5``), a date
        as ``YYYY-MM-DD`` (what an HTML date input holds), text as given; ``""`` for none
        and for a choice question (whose boxes are ticked instead)."""
        import datetime

        v = self.value
        if v is None or isinstance(v, tuple):
            return ""
        if isinstance(v, datetime.date):
            return v.isoformat()
        if isinstance(v, bool):  # pragma: no cover - never typed so
            return ""
        if isinstance(v, int | float):
            return number_text(v)
        return v


def _filled(answer: Answer | None) -> Filled | None:
    if answer is None or not (answer.answered or answer.evidence or answer.action):
        return None
    return Filled(answer.value if answer.answered else None, answer.evidence, answer.action)


# -- the document view -----------------------------------------------------------------------


@attrs.frozen
class QuestionView:
    """A question as printed: number, text, answer space, condition, evidence, guidance."""

    question: Question
    #: ``1.2.3``.
    number: str
    #: Markdown.
    text: str
    answer: AnswerSpace
    #: "Answer if you answered Yes to 1.2.1", or "".
    condition: str
    #: Citations resolved against the set's references.
    citations: tuple[CitationView, ...]
    #: Whether every question the condition depends on is in this document (so a live form
    #: can show and hide it); False when there is no condition.
    condition_live: bool = False
    #: The levels at which an answer needs an action (:func:`action_levels`): the question
    #: has an action box when there are any.
    action_levels: tuple[Choice, ...] = ()
    #: The answer from a completed return (a form rendered from a return), else None.
    filled: Filled | None = None

    def checked(self, choice_id: str) -> bool:
        """Whether a completed return ticked this choice (False on a blank form)."""
        return self.filled is not None and self.filled.checked(choice_id)

    @property
    def answer_text(self) -> str:
        """The answer box's text from a completed return (``""`` on a blank form)."""
        return self.filled.text if self.filled is not None else ""

    @property
    def evidence_text(self) -> str:
        """The evidence box's text from a completed return (``""`` on a blank form)."""
        return self.filled.evidence if self.filled is not None else ""

    @property
    def action_text(self) -> str:
        """The action box's text from a completed return (``""`` on a blank form)."""
        return self.filled.action if self.filled is not None else ""

    @property
    def has_action(self) -> bool:
        """Whether the question has an action box (an answer to it can need an action)."""
        return bool(self.action_levels)

    @property
    def action_ref(self) -> fields.FieldRef:
        """The action box (only for a question that :attr:`has_action`)."""
        return fields.action(self.question.full_id)

    @property
    def action_label(self) -> str:
        """The action box's label, naming the levels that need an action ("" without one)."""
        return action_label(self.action_levels) if self.action_levels else ""

    @property
    def full_id(self) -> str:
        """The question's full id."""
        return self.question.full_id

    @property
    def priority(self) -> str:
        """``Essential`` or ``Recommended`` (the question's ``priority``), or ``""``."""
        p = self.question.priority
        return p[:1].upper() + p[1:] if p else ""

    @property
    def answer_type(self) -> str:
        """What kind of answer, with the priority: ``Yes or no (essential)``."""
        p = self.question.priority
        return f"{self.answer.description} ({p})" if p else self.answer.description

    @property
    def answer_ref(self) -> fields.FieldRef:
        """The answer field (encode it with :func:`safeguard_standards.fields.encode`)."""
        return fields.answer(self.question.full_id)

    @property
    def evidence_ref(self) -> fields.FieldRef:
        """The evidence box."""
        return fields.evidence(self.question.full_id)

    def choice_ref(self, choice_id: str) -> fields.FieldRef:
        """One choice's box of the answer."""
        return fields.choice(self.question.full_id, choice_id)

    @property
    def evidence_field(self) -> str:
        """The field name of the evidence box."""
        return self.evidence_ref.name

    @property
    def evidence(self) -> tuple[str, ...]:
        """Evidence prompts (Markdown)."""
        return self.question.evidence

    @property
    def guidance(self) -> Guidance:
        return self.question.guidance


@attrs.frozen
class StandardView:
    """A standard as printed, with its numbered questions."""

    standard: Standard
    number: str
    citations: tuple[CitationView, ...]
    questions: tuple[QuestionView, ...]

    @property
    def full_id(self) -> str:
        return self.standard.full_id

    @property
    def title(self) -> str:
        return self.standard.title


@attrs.frozen
class SectionView:
    """A section as printed, with its numbered standards."""

    section: Section
    number: str
    standards: tuple[StandardView, ...]

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def title(self) -> str:
        return self.section.title

    def questions(self) -> Iterator[QuestionView]:
        for standard in self.standards:
            yield from standard.questions


@attrs.frozen
class ScaleView:
    """A rating scale used in the document, with its levels as choices."""

    id: str
    levels: tuple[Choice, ...]
    #: The printed numbers of the questions that use it, in order.
    numbers: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """``Scale: seen (question 2.1.1)``: how a document with several scales names one."""
        n = self.numbers
        if not n:
            return f"Scale: {self.id}"
        if len(n) == 1:
            return f"Scale: {self.id} (question {n[0]})"
        if len(n) <= 6:
            return f"Scale: {self.id} (questions {', '.join(n)})"
        return f"Scale: {self.id} ({len(n)} questions)"


@attrs.frozen
class DocumentView:
    """Everything a renderer prints for one kind of document about one checklist.

    Build it with :func:`build_document`. ``audience`` lists the selection the checklist was
    filtered with, as (dimension label, value label) pairs, e.g. ``("Type of setting",
    "Academy")``. ``logo`` is a ``data:`` URI or ``""``, read from ``base_dir`` when a writer
    first asks for it (a CSV never does).
    """

    checklist: Checklist
    kind: str
    kind_label: str
    sections: tuple[SectionView, ...]
    audience: tuple[tuple[str, str], ...] = ()
    publisher: Publisher | None = None
    #: The folder the logo is read from (RenderOptions.base_dir); None: no files.
    base_dir: str | None = None
    scales: tuple[ScaleView, ...] = ()
    references: tuple[CitationView, ...] = ()
    generated_on: str = ""
    #: True when built with options (the logo is read only then, as before views were lazy).
    with_logo: bool = False
    #: The completed return the document shows (a filled form, an action plan of its gaps),
    #: or None for a blank document.
    answers: Return | None = None
    _cache: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False, init=False)

    @property
    def logo(self) -> str:
        """The publisher's logo as a ``data:`` URI, or ``""`` (read once, on first use)."""
        if "logo" not in self._cache:
            found = logo_data_uri(self.publisher, self.base_dir) if self.with_logo else ""
            self._cache["logo"] = found
        return self._cache["logo"]

    @property
    def title(self) -> str:
        return self.checklist.title

    @property
    def organisation(self) -> str:
        """The organisation a document made from a completed return is about ("" otherwise)."""
        return self.answers.organisation if self.answers is not None else ""

    @property
    def prefilled(self) -> bool:
        """Whether the document shows a completed return's answers."""
        return self.answers is not None

    def detail(self, name: str) -> str:
        """An organisation-details or sign-off field's value from the return ("" blank)."""
        return self.answers.detail(name) if self.answers is not None else ""

    @property
    def sign_off_statement(self) -> str:
        """What the person signing the form confirms (the set's ``sign_off.statement``)."""
        return self.checklist.sign_off.statement

    @property
    def sign_off_fields(self) -> tuple[Field, ...]:
        return sign_off_fields(self.checklist)

    @property
    def version(self) -> str:
        return self.checklist.version

    @property
    def set_id(self) -> str:
        return self.checklist.id

    @property
    def effective(self) -> str:
        """``1 September 2025 to 31 August 2026``-style period, or ``""``."""
        c = self.checklist
        if not c.effective_from:
            return ""
        return f"{_long_date(c.effective_from)} to {_long_date(c.effective_to) or 'further notice'}"

    @property
    def document_title(self) -> str:
        """``Safeguarding in education self-assessment audit — Return form 2025-26``."""
        return f"{self.title} — {self.kind_label} {self.version}"

    def questions(self) -> Iterator[QuestionView]:
        """Every question in the document, in order."""
        for section in self.sections:
            yield from section.questions()

    def cover_facts(self) -> list[tuple[str, str]]:
        """Label/value pairs for a title page: version, period, publisher, audience, date."""
        facts = [("Version", self.version)]
        if self.effective:
            facts.append(("In force", self.effective))
        pub = self.publisher
        if pub is not None:
            facts.append(("Published by", pub.name))
            if pub.contact:
                facts.append(("Contact", pub.contact))
            if pub.url:
                facts.append(("Website", pub.url))
            if pub.return_deadline:
                facts.append(("Return by", self.return_by))
        facts.extend(self.audience)
        if self.generated_on:
            facts.append(("Produced on", self.produced_on))
        return facts

    @property
    def return_by(self) -> str:
        """The publisher's return deadline as people write dates (``12 December 2025``)."""
        return _long_date(self.publisher.return_deadline) if self.publisher else ""

    @property
    def produced_on(self) -> str:
        """The date printed on the document (``generated_on``), as people write dates."""
        return _long_date(self.generated_on)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _long_date(iso: str) -> str:
    try:
        y, m, d = (int(p) for p in iso.split("-"))
        if not 1 <= m <= 12:
            return iso
        return f"{d} {_MONTHS[m - 1]} {y}"
    except (ValueError, IndexError):
        return iso


def build_document(
    checklist: Checklist, kind: str, options: RenderOptions | None = None
) -> DocumentView:
    """The view of ``checklist`` as a document of ``kind`` (form, return-form, guidance,
    action-plan).

    ``checklist`` is already filtered by audience; numbers are its numbering, which keeps the
    whole set's numbers through an audience selection (:meth:`Checklist.select`), so a return
    form keeps the audit tool's numbers and a tailored form the full form's. ``options``
    supplies the audience labels, the logo folder (``base_dir``) and the date printed
    (``generated_on``). Reading :attr:`DocumentView.logo`
    raises :class:`~safeguard_standards.render.RenderError` for a logo outside ``base_dir``.
    """
    numbers = checklist.numbering()
    chosen = select_kind(checklist, kind)
    shown = {q.full_id for q in chosen.questions()}
    ret = options.answers if options is not None else None
    sections = []
    for section in chosen.sections:
        standards = []
        for standard in section.standards:
            qviews = tuple(
                _question_view(
                    q, checklist, numbers, shown, _filled(ret.answer(q.full_id)) if ret else None
                )
                for q in standard.questions
            )
            standards.append(
                StandardView(
                    standard,
                    numbers[standard.full_id],
                    tuple(citation_view(c, checklist) for c in standard.cite),
                    qviews,
                )
            )
        sections.append(SectionView(section, numbers[section.id], tuple(standards)))
    audience: tuple[tuple[str, str], ...] = ()
    generated_on = ""
    if options is not None:
        audience = tuple(_audience_labels(checklist, options.audience))
        generated_on = options.generated_on or ""
    label = KIND_LABELS.get(kind, kind)
    if ret is not None and ret.organisation.strip():
        label = f"{label} — {' '.join(ret.organisation.split())}"
    return DocumentView(
        checklist=checklist,
        kind=kind,
        kind_label=label,
        sections=tuple(sections),
        audience=audience,
        publisher=checklist.publisher,
        base_dir=options.base_dir if options is not None else None,
        scales=_used_scales(chosen, numbers),
        references=_used_references(chosen),
        generated_on=generated_on,
        with_logo=options is not None,
        answers=ret,
    )


def _question_view(
    q: Question,
    checklist: Checklist,
    numbers: dict[str, str],
    shown: set[str],
    filled: Filled | None = None,
) -> QuestionView:
    live = q.ask_if is not None and all(dep in shown for dep in q.ask_if.questions())
    return QuestionView(
        question=q,
        number=numbers[q.full_id],
        text=q.text,
        answer=answer_space(q, checklist),
        condition=condition_text(q.ask_if, checklist, numbers),
        citations=tuple(citation_view(c, checklist) for c in q.cite),
        condition_live=live,
        action_levels=action_levels(q, checklist),
        filled=filled,
    )


def _audience_labels(
    checklist: Checklist, selection: tuple[tuple[str, str], ...]
) -> Iterator[tuple[str, str]]:
    for dim, value in selection:
        audience = checklist.audience(dim)
        if audience is None:
            yield dim, value
        else:
            yield audience.label or dim, audience.label_of(value)


def _used_scales(checklist: Checklist, numbers: dict[str, str]) -> tuple[ScaleView, ...]:
    used: dict[str, list[str]] = {}
    for q in checklist.questions():
        if q.type == "rating":
            sid = q.scale or checklist.default_scale
            used.setdefault(sid, []).append(numbers.get(q.full_id, ""))
    out = []
    for sid, used_by in used.items():
        scale: Scale | None = checklist.scale(sid)
        if scale is not None:
            levels = tuple(_level_choice(lv) for lv in scale.levels)
            out.append(ScaleView(sid, levels, tuple(n for n in used_by if n)))
    return tuple(out)


def _used_references(checklist: Checklist) -> tuple[CitationView, ...]:
    keys: list[str] = []
    for standard in checklist.standards():
        for c in standard.cite:
            if c.ref not in keys:
                keys.append(c.ref)
        for q in standard.questions:
            for c in q.cite:
                if c.ref not in keys:
                    keys.append(c.ref)
    out = []
    for ref in checklist.references:
        if ref.key in keys:
            out.append(citation_view(Citation(ref=ref.key), checklist))
    return tuple(out)


# -- action plans ----------------------------------------------------------------------------


@attrs.frozen
class ActionRow:
    """One row of an action-plan skeleton: a standard (or a question with ``per=question``).

    ``ref`` is its printed number, ``id`` its full id, ``title`` the standard's title or the
    question's text as plain text, ``section`` the section's title. ``values`` holds what a
    plan made from a completed return carries into its columns (``finding``, ``action``,
    ``rag``), by column id; empty in a blank skeleton.
    """

    ref: str
    id: str
    title: str
    section: str
    standard: str
    values: tuple[tuple[str, str], ...] = ()

    def value(self, column: str) -> str:
        """The text of column ``column`` ("" when the row leaves it blank)."""
        return dict(self.values).get(column, "")


@attrs.frozen
class Gap:
    """An answer in a completed return that calls for an action: a rating at a level that
    requires an action, or a "No" to a yes-no question that is not a gateway (see
    :func:`is_gap`)."""

    question: Question
    number: str
    answer: Answer
    #: The answer as a person reads it (the level's label, "No").
    label: str
    #: The level's RAG rating (``red``, ``amber``), or "".
    rag: str = ""

    @property
    def finding(self) -> str:
        """The finding, in plain text: the question, the answer given, the evidence given."""
        out = f"{self.number} {md_to_text(self.question.text)} Answer: {self.label}."
        if self.answer.evidence.strip():
            out += f" Evidence: {self.answer.evidence.strip()}"
        return out


#: Columns a plan made from a completed return carries into, by id, with their headings when
#: the set's plan has no such column (they are then added after the standard or question).
CARRIED_COLUMNS: tuple[tuple[str, str], ...] = (("finding", "Finding"), ("action", "Action"))
_RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
_RAG_ORDER = ("red", "amber", "green")


def is_gap(question: Question, answer: Answer, checklist: Checklist) -> bool:
    """Whether ``answer`` is a gap the action plan lists.

    * a rating answer at a level of its scale that ``requires: [action]``;
    * a "No" to a yes-no question, unless another question's ``ask_if`` depends on it: such a
      question asks whether something applies (“Does your organisation commission
      services?”), and "No" then means only that the questions it leads to are not asked.

    An answer the form would have hidden (its own ``ask_if`` does not hold) is never a gap.
    """
    return _is_gap(question, answer, checklist, _gateways(checklist))


def _is_gap(q: Question, answer: Answer, checklist: Checklist, gateways: frozenset[str]) -> bool:
    if not answer.asked or not answer.answered:
        return False
    if q.type == "rating":
        return any(c.id == answer.value for c in action_levels(q, checklist))
    if q.type == "yes-no":
        return answer.value == "no" and q.full_id not in gateways
    return False


def _gateways(checklist: Checklist) -> frozenset[str]:
    found: set[str] = set()
    for q in checklist.questions():
        if q.ask_if is not None:
            found.update(q.ask_if.questions())
    return frozenset(found)


def gaps(checklist: Checklist, ret: Return) -> tuple[Gap, ...]:
    """The gaps of a completed return (:func:`is_gap`), in the set's order."""
    numbers = checklist.numbering()
    gateways = _gateways(checklist)
    out = []
    for q in checklist.questions():
        answer = ret.answer(q.full_id)
        if answer is None or not _is_gap(q, answer, checklist, gateways):
            continue
        rag = ""
        for c in choices(q, checklist):
            if c.id == answer.value:
                rag = c.rag
        label = answer_label(q, checklist, str(answer.value))
        out.append(Gap(q, numbers[q.full_id], answer, label, rag))
    return tuple(out)


def resolve_per(checklist: Checklist, options: RenderOptions | None = None) -> str:
    """``standard`` or ``question``: the option if given, else the set's ``action_plan.per``."""
    per = options.per if options is not None and options.per else checklist.action_plan.per
    return per if per in ("standard", "question") else "standard"


def action_plan_headers(
    checklist: Checklist, per: str, answers: Return | None = None
) -> tuple[tuple[str, str], ...]:
    """Column ids and headings of an action plan: ``ref``, ``standard`` (or ``question``),
    then the set's ``action_plan.columns`` (finding, action, lead, target date, RAG, progress,
    evidence of impact by default). A plan made from a completed return (``answers``) always
    has a Finding and an Action column: one the set's plan lacks is added after the second."""
    second = ("question", "Question") if per == "question" else ("standard", "Standard")
    columns = tuple((c.id, c.label) for c in checklist.action_plan.columns)
    if answers is not None:
        have = {cid for cid, _ in columns}
        columns = (*(c for c in CARRIED_COLUMNS if c[0] not in have), *columns)
    return (("ref", "Ref"), second, *columns)


def _rag(found: Sequence[Gap]) -> str:
    rags = [g.rag for g in found if g.rag in _RAG_ORDER]
    if not rags:
        return ""
    return _RAG_LABELS[min(rags, key=_RAG_ORDER.index)]


def _values(found: Sequence[Gap], per: str) -> tuple[tuple[str, str], ...]:
    if per == "question":
        finding = found[0].finding
        action = found[0].answer.action.strip()
    else:
        finding = "\n".join(g.finding for g in found)
        action = "\n".join(
            f"{g.number}: {g.answer.action.strip()}" for g in found if g.answer.action.strip()
        )
    return (("finding", finding), ("action", action), ("rag", _rag(found)))


def action_plan_rows(
    checklist: Checklist, per: str, answers: Return | None = None
) -> tuple[ActionRow, ...]:
    """The rows of an action-plan skeleton, in order (one per standard or per question).

    With ``answers`` (a completed return), the rows of its gaps only (:func:`gaps`), their
    finding, action and RAG filled in: one row per question with a gap, or per standard with
    one (the standard's row then lists each of its gaps, in order).
    """
    numbers = checklist.numbering()
    found: dict[str, list[Gap]] = {}
    if answers is not None:
        for g in gaps(checklist, answers):
            key = g.question.full_id if per == "question" else g.question.full_id.rsplit(".", 1)[0]
            found.setdefault(key, []).append(g)
    rows = []
    for section in checklist.sections:
        for standard in section.standards:
            if per == "question":
                for q in standard.questions:
                    if answers is not None and q.full_id not in found:
                        continue
                    rows.append(
                        ActionRow(
                            numbers[q.full_id],
                            q.full_id,
                            md_to_text(q.text),
                            section.title,
                            standard.title,
                            _values(found[q.full_id], per) if answers is not None else (),
                        )
                    )
            else:
                if answers is not None and standard.full_id not in found:
                    continue
                rows.append(
                    ActionRow(
                        numbers[standard.full_id],
                        standard.full_id,
                        standard.title,
                        section.title,
                        standard.title,
                        _values(found[standard.full_id], per) if answers is not None else (),
                    )
                )
    return tuple(rows)


def _register(kind: str) -> None:
    @view_builder(kind, DocumentView)
    def _build(checklist: Checklist, options: RenderOptions) -> DocumentView:
        require_questions(checklist, kind, options)
        return build_document(checklist, kind, options)


for _kind in DOCUMENT_KINDS:
    _register(_kind)

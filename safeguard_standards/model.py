"""The immutable model of a standard set.

Every class is a frozen, slotted attrs class holding tuples, never lists; change one with
``attrs.evolve``. Each node carries the :class:`Location` it was read from; locations are
excluded from equality and ``repr``, so two sets with the same content compare equal wherever
they came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal

import attrs

__all__ = [
    "ANSWER_TYPES",
    "ActionPlan",
    "ActionPlanColumn",
    "Audience",
    "AudienceValue",
    "Checklist",
    "Citation",
    "Condition",
    "Guidance",
    "Level",
    "Location",
    "Option",
    "Publisher",
    "Question",
    "QuestionType",
    "Reference",
    "Scale",
    "Section",
    "SignOff",
    "Standard",
    "Theme",
]

QuestionType = Literal[
    "rating", "yes-no", "number", "percentage", "date", "text", "choice", "multi-choice"
]
#: Every question type, in the order the DSL documents them.
ANSWER_TYPES: tuple[str, ...] = (
    "rating",
    "yes-no",
    "number",
    "percentage",
    "date",
    "text",
    "choice",
    "multi-choice",
)

AppliesTo = tuple[tuple[str, tuple[str, ...]], ...]


@attrs.frozen
class Location:
    """Where something was read from: a source label and a 1-based line and column."""

    source: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}" if self.line else self.source


NOWHERE = Location("<built in code>")


def _loc() -> Location:
    return attrs.field(default=NOWHERE, eq=False, repr=False, kw_only=True)


#: Where a tailored item comes from (see :mod:`safeguard_standards.tailoring`): "" when the set
#: was not resolved from an overlay; "national" from the set the overlay extends, unchanged;
#: "modified" from that set, changed by the overlay; "local" added by the overlay.
ORIGINS: tuple[str, ...] = ("", "national", "modified", "local")


def _origin() -> str:
    # Provenance, like a location, is not content: excluded from equality and repr.
    return attrs.field(default="", eq=False, repr=False, kw_only=True)


@attrs.frozen(kw_only=True)
class Reference:
    """A document cited by key: an Act, statutory guidance, a standard."""

    key: str
    title: str
    publisher: str = ""
    #: legislation | statutory-guidance | guidance | standard | other
    kind: str = ""
    edition: str = ""
    url: str = ""
    origin: str = _origin()
    loc: Location = _loc()


@attrs.frozen(kw_only=True)
class Citation:
    """A citation of a :class:`Reference` by key, with where in it (``Part two``)."""

    ref: str
    at: str = ""
    note: str = ""
    loc: Location = _loc()


@attrs.frozen(kw_only=True)
class Level:
    """One level of a rating scale."""

    id: str
    label: str
    #: red | amber | green | blue | grey, or "" for none.
    rag: str = ""
    score: float | None = None
    #: False for levels such as Not applicable that do not count in scores.
    scored: bool = True
    #: Markdown descriptor: what this level means.
    describe: str = ""
    #: What an answer at this level must carry: action, justification, evidence.
    requires: tuple[str, ...] = ()
    loc: Location = _loc()


@attrs.frozen(kw_only=True)
class Scale:
    """A named rating scale, best level first."""

    id: str
    levels: tuple[Level, ...]
    origin: str = _origin()
    loc: Location = _loc()

    def level(self, level_id: str) -> Level | None:
        """The level with this id, or None."""
        for level in self.levels:
            if level.id == level_id:
                return level
        return None


@attrs.frozen(kw_only=True)
class AudienceValue:
    """One value of an audience dimension, e.g. ``academy`` labelled ``Academy``."""

    id: str
    label: str


@attrs.frozen(kw_only=True)
class Audience:
    """An audience dimension (``setting``, ``agency``) and its values."""

    id: str
    label: str
    values: tuple[AudienceValue, ...]
    loc: Location = _loc()

    def value_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.values)

    def label_of(self, value_id: str) -> str:
        for v in self.values:
            if v.id == value_id:
                return v.label
        return value_id


@attrs.frozen(kw_only=True)
class Theme:
    """A theme of the set's vocabulary (``themes:``): a heading that findings from several
    instruments (self-assessment, case-file audit, survey) are brought together under."""

    id: str
    title: str
    #: Markdown: what the theme covers.
    describe: str = ""
    origin: str = _origin()
    loc: Location = _loc()


@attrs.frozen(kw_only=True)
class Option:
    """One option of a choice question."""

    id: str
    label: str


@attrs.frozen(kw_only=True)
class Condition:
    """A structured condition on earlier answers (``ask_if``).

    ``op`` is ``equals``, ``not_equals`` or ``in`` (with ``question`` and ``values``), or
    ``all`` / ``any`` (with ``conditions``).
    """

    op: Literal["equals", "not_equals", "in", "all", "any"]
    question: str = ""
    values: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    loc: Location = _loc()

    def questions(self) -> Iterator[str]:
        """Full ids of every question this condition depends on."""
        if self.op in ("all", "any"):
            for c in self.conditions:
                yield from c.questions()
        elif self.question:
            yield self.question

    def holds(self, answers: Mapping[str, object]) -> bool:
        """Whether the condition holds for ``answers`` (full id → answer id or ids).

        An unanswered question makes ``equals`` and ``in`` false and ``not_equals`` true only
        when it was answered with something else; an unanswered question never satisfies a
        comparison.
        """
        if self.op == "all":
            return all(c.holds(answers) for c in self.conditions)
        if self.op == "any":
            return any(c.holds(answers) for c in self.conditions)
        given = answers.get(self.question)
        if given is None or given == "":
            return False
        chosen = {str(v) for v in given} if isinstance(given, (list, tuple, set)) else {str(given)}
        if self.op == "not_equals":
            return not chosen & set(self.values)
        return bool(chosen & set(self.values))


@attrs.frozen(kw_only=True)
class Guidance:
    """Guidance for one question: why it is asked, what good looks like, where to get help."""

    why: str = ""
    good: str = ""
    support: str = ""

    def __bool__(self) -> bool:
        return bool(self.why or self.good or self.support)


@attrs.frozen(kw_only=True)
class Question:
    """One question: the leaf of the model and the unit of every form."""

    #: Short id, unique within its standard.
    id: str
    #: ``section.standard.question``: the field name in every rendered form.
    full_id: str
    #: Markdown.
    text: str
    type: str
    #: Scale id for rating questions (the set's default scale when the YAML names none).
    scale: str = ""
    options: tuple[Option, ...] = ()
    unit: str = ""
    min: float | None = None
    max: float | None = None
    required: bool = True
    #: essential | recommended | "".
    priority: str = ""
    evidence: tuple[str, ...] = ()
    guidance: Guidance = Guidance()
    cite: tuple[Citation, ...] = ()
    applies_to: AppliesTo = ()
    ask_if: Condition | None = None
    in_return: bool = False
    formerly: str = ""
    change_note: str = ""
    #: Theme ids: its standard's themes, then those the question adds, each once.
    themes: tuple[str, ...] = ()
    #: The theme ids the question lists itself, as written (``themes`` less its standard's).
    listed_themes: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)
    origin: str = _origin()
    loc: Location = _loc()

    def answer_ids(self, checklist: Checklist) -> tuple[str, ...] | None:
        """The possible answers for yes-no, rating and choice questions; None otherwise."""
        if self.type == "yes-no":
            return ("yes", "no")
        if self.type == "rating":
            scale = checklist.scale(self.scale)
            return tuple(level.id for level in scale.levels) if scale else ()
        if self.type in ("choice", "multi-choice"):
            return tuple(o.id for o in self.options)
        return None


@attrs.frozen(kw_only=True)
class Standard:
    """A standard: an expectation and the questions that test it."""

    id: str
    #: ``section.standard``.
    full_id: str
    title: str
    expectation: str = ""
    guidance: str = ""
    cite: tuple[Citation, ...] = ()
    applies_to: AppliesTo = ()
    formerly: str = ""
    change_note: str = ""
    #: Theme ids of the standard; every question of it has them too.
    themes: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    origin: str = _origin()
    loc: Location = _loc()


@attrs.frozen(kw_only=True)
class Section:
    """A section: a titled group of standards."""

    id: str
    title: str
    intro: str = ""
    applies_to: AppliesTo = ()
    formerly: str = ""
    change_note: str = ""
    standards: tuple[Standard, ...] = ()
    origin: str = _origin()
    loc: Location = _loc()

    @property
    def full_id(self) -> str:
        return self.id


@attrs.frozen(kw_only=True)
class Publisher:
    """Who issues the audit tool (a partnership, a national body)."""

    name: str
    contact: str = ""
    url: str = ""
    logo: str = ""
    return_deadline: str = ""
    #: The folder of the file that names the logo, which a relative logo path is taken
    #: from ("" when the set was not read from a file); excluded from equality.
    logo_dir: str = attrs.field(default="", eq=False)
    #: Where the logo value was written (for diagnostics about the image).
    logo_at: Location = _loc()


@attrs.frozen(kw_only=True)
class ActionPlanColumn:
    id: str
    label: str


DEFAULT_ACTION_PLAN_COLUMNS: tuple[ActionPlanColumn, ...] = tuple(
    ActionPlanColumn(id=i, label=label)
    for i, label in (
        ("finding", "Finding"),
        ("action", "Action"),
        ("lead", "Lead"),
        ("target_date", "Target date"),
        ("rag", "RAG"),
        ("progress", "Progress"),
        ("impact", "Evidence of impact"),
    )
)


@attrs.frozen(kw_only=True)
class ActionPlan:
    """How action plans for the set are laid out."""

    #: ``standard`` (one row per standard) or ``question``.
    per: str = "standard"
    columns: tuple[ActionPlanColumn, ...] = DEFAULT_ACTION_PLAN_COLUMNS


#: What the person signing a form confirms when the set says nothing (any organisation).
DEFAULT_SIGN_OFF_STATEMENT = (
    "We confirm that this self-assessment is accurate and has been seen by those accountable "
    "for safeguarding in our organisation."
)


@attrs.frozen(kw_only=True)
class SignOff:
    """The sign-off at the end of a form (``sign_off:`` in the DSL)."""

    #: What the person signing confirms.
    statement: str = DEFAULT_SIGN_OFF_STATEMENT
    #: Who typically signs ("chair of governors, trustee or proprietor"), or "".
    role_examples: str = ""

    @property
    def role_label(self) -> str:
        """The label of the Role field: ``Role (for example …)`` or ``Role``."""
        return f"Role (for example {self.role_examples})" if self.role_examples else "Role"


def _applies(applies_to: AppliesTo, selection: Mapping[str, str]) -> bool:
    for dimension, values in applies_to:
        chosen = selection.get(dimension)
        if chosen is not None and chosen not in values:
            return False
    return True


@attrs.frozen(kw_only=True)
class Checklist:
    """One version of one standard set."""

    dsl: int
    id: str
    version: str
    title: str
    status: str = "published"
    effective_from: str = ""
    effective_to: str = ""
    supersedes: str = ""
    description: str = ""
    change_summary: str = ""
    publisher: Publisher | None = None
    references: tuple[Reference, ...] = ()
    scales: tuple[Scale, ...] = ()
    default_scale: str = ""
    audiences: tuple[Audience, ...] = ()
    #: The theme vocabulary (``themes:``), in the order written.
    themes: tuple[Theme, ...] = ()
    action_plan: ActionPlan = ActionPlan()
    sign_off: SignOff = SignOff()
    sections: tuple[Section, ...] = ()
    #: The label of the file it was read from (excluded from equality).
    source: str = attrs.field(default="", eq=False)
    #: For a set resolved from an overlay: the SET it extends (``kcsie@2025-26``); else "".
    extends: str = attrs.field(default="", eq=False)
    #: For a checklist made by :meth:`select`: the printed numbers of the set it was selected
    #: from, by full id, so that a question keeps its number whatever the audience (kcsie's
    #: ``governors-total`` is 2.1.3 in an academy's form too); None for a set as written.
    full_numbers: Mapping[str, str] | None = attrs.field(
        default=None, eq=False, repr=False, hash=False
    )
    _questions_by_id: dict[str, Question] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )
    loc: Location = _loc()

    @property
    def ref(self) -> str:
        """``id@version``, the way the CLI names it."""
        return f"{self.id}@{self.version}"

    def standards(self) -> Iterator[Standard]:
        for section in self.sections:
            yield from section.standards

    def questions(self) -> Iterator[Question]:
        """Every question, in order."""
        for section in self.sections:
            for standard in section.standards:
                yield from standard.questions

    def question(self, full_id: str) -> Question | None:
        """The question with this full id, or None (an index built on first use)."""
        index = self._questions_by_id
        if index is None:
            index = {}
            for q in self.questions():
                index.setdefault(q.full_id, q)
            # A cache, not state: frozen classes may still fill their own private slot.
            object.__setattr__(self, "_questions_by_id", index)
        return index.get(full_id)

    def reference(self, key: str) -> Reference | None:
        for r in self.references:
            if r.key == key:
                return r
        return None

    def scale(self, scale_id: str) -> Scale | None:
        for s in self.scales:
            if s.id == scale_id:
                return s
        return None

    def theme(self, theme_id: str) -> Theme | None:
        for t in self.themes:
            if t.id == theme_id:
                return t
        return None

    def audience(self, audience_id: str) -> Audience | None:
        for a in self.audiences:
            if a.id == audience_id:
                return a
        return None

    def numbering(self) -> dict[str, str]:
        """Printed numbers by full id: ``1`` sections, ``1.2`` standards, ``1.2.3`` questions.

        A checklist selected for an audience (:meth:`select`) keeps the numbers of the whole
        set, so a tailored form has gaps (2.1.1, 2.1.3) rather than renumbering; a checklist
        changed after selecting, so that the kept numbers no longer cover it, is numbered
        afresh.
        """
        kept = self.full_numbers
        if kept is not None:
            numbers: dict[str, str] = {}
            for section in self.sections:
                numbers[section.id] = kept.get(section.id, "")
                for standard in section.standards:
                    numbers[standard.full_id] = kept.get(standard.full_id, "")
                    for question in standard.questions:
                        numbers[question.full_id] = kept.get(question.full_id, "")
            if "" not in numbers.values():
                return numbers
        return self._sequential_numbers()

    def _sequential_numbers(self) -> dict[str, str]:
        numbers: dict[str, str] = {}
        for i, section in enumerate(self.sections, start=1):
            numbers[section.id] = str(i)
            for j, standard in enumerate(section.standards, start=1):
                numbers[standard.full_id] = f"{i}.{j}"
                for k, question in enumerate(standard.questions, start=1):
                    numbers[question.full_id] = f"{i}.{j}.{k}"
        return numbers

    def select(self, audience: Mapping[str, str]) -> Checklist:
        """Only what applies to ``audience`` (e.g. ``{"setting": "academy"}``).

        An item applies unless its ``applies_to`` names the dimension without the value.
        Standards and sections left empty are dropped. Every item keeps the number it has in
        the whole set (:meth:`numbering`). Checking that the dimension and value exist is the
        caller's job (:func:`safeguard_standards.select_audience` does it).
        """
        numbers = self.numbering()
        sections = []
        for section in self.sections:
            if not _applies(section.applies_to, audience):
                continue
            standards = []
            for standard in section.standards:
                if not _applies(standard.applies_to, audience):
                    continue
                questions = tuple(q for q in standard.questions if _applies(q.applies_to, audience))
                if questions:
                    standards.append(attrs.evolve(standard, questions=questions))
            if standards:
                sections.append(attrs.evolve(section, standards=tuple(standards)))
        return attrs.evolve(self, sections=tuple(sections), full_numbers=numbers)

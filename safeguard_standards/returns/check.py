"""Checking a return: from a :class:`~.raw.RawReturn` and a registry to a typed Return.

:func:`check` finds the set and version a return answers (its envelope; else what the file
declares outside one), looks them up in a :class:`~safeguard_standards.sets.Registry`, and
reads every value against that version's questions for the return's audience and kind:

* the set, version and audience must be known (SG530, SG531, SG538); ``as_version`` reads a
  return onto another version of its set, carrying each answer over through the typed diff
  where :attr:`~safeguard_standards.diff.QuestionLink.answers_carry_over` (SG534 for the
  rest), or by question id alone when the file's version is not known (SG533);
* the envelope's content hash must be the one the registry's version has now (SG535), and
  what the file declares beside its envelope must agree with it (SG536);
* every answer is typed by its question (the table in :mod:`.model`): SG537-SG544;
* the scale's requirements (SG545-SG547), required questions left blank (SG548) and answers
  to questions the form would have hidden (SG549), with ``ask_if`` evaluated as the HTML
  form's script evaluates it;
* the organisation details (SG550-SG552);
* every free-text answer, evidence box, action box and detail is scanned for personal data
  (:func:`.privacy.scan`): SG560 (SG561 with ``strict``).

:func:`check_many` checks several returns and adds SG553 to two returns from the same
organisation for the same set and version (never merging them).

Every diagnostic is located with :meth:`.raw.Where.diagnostic`: where the value was found,
or, for a value that is not there, where it belongs (a JSON pointer; in other formats the
field's name: ``field a.b.c``, ``tag a.b.c``). Nothing here raises for bad content.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, Diagnostic, did_you_mean
from ..fields import DETAIL_FIELDS, FieldRef, encode
from .model import Answer, AnswerValue, DetailValue, Return
from .raw import RawReturn, RawValue, Value, Where

if TYPE_CHECKING:
    from ..envelope import Envelope
    from ..model import Checklist, Condition, Question
    from ..sets import Registry
    from .privacy import Finding

__all__ = ["Checked", "Scanned", "check", "check_many", "shareable", "with_duplicates"]

#: The organisation details a return must give; ``org.name`` is an error (SG550), the others
#: warnings (SG551).
REQUIRED_DETAILS: tuple[str, ...] = ("org.name", "org.completed_by", "org.contact", "org.date")

_DETAIL_LABELS = {
    "org.name": "the name of the organisation",
    "org.completed_by": "who completed the return",
    "org.contact": "a contact e-mail or telephone",
    "org.date": "the date it was completed",
}


@attrs.frozen
class Scanned:
    """One free text of a return that holds personal data: the value found at ``where``,
    ``text`` the text scanned (the value as text, without the spaces at its ends) and the
    findings in it, their spans offsets into ``text``."""

    where: Where
    text: str
    findings: tuple[Finding, ...]


@attrs.frozen
class Checked:
    """One checked return: the typed :class:`~.model.Return` (None when it could not be
    read, or the set or version it answers is not known) and every diagnostic, the reader's
    problems first."""

    return_: Return | None
    diagnostics: tuple[Diagnostic, ...]
    #: The file, as the raw return named it.
    source: str = ""
    #: Every free text scanned for personal data that held some: where it was found, the
    #: text scanned and what was found in it (what SG560 and SG561 report, and what
    #: :mod:`.redact` removes).
    scanned: tuple[Scanned, ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    @property
    def status(self) -> str:
        """``clean``, ``warnings`` or ``errors``."""
        if self.errors:
            return "errors"
        return "warnings" if self.diagnostics else "clean"


# -- values ------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Case and spacing do not matter: ``' 2 - MET '`` is ``'2 - met'``."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _blank(value: Value) -> bool:
    if value is None or value == ():
        return True
    return isinstance(value, str) and not value.strip()


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
# thousands separators: commas, or spaces (ordinary, no-break, thin) between groups of three
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:(?:,|[ \u00a0\u2009\u202f])[0-9]{3})+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
_UK_DATE = re.compile(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})")
_UNTICKED = frozenset({"", "no", "n", "false", "off", "0", "\u2610"})


class _Bad(Exception):
    """A value that is not an answer of its question's type (raised inside the typing)."""

    def __init__(self, code: Code, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def _shown(value: Value) -> str:
    if isinstance(value, tuple):
        return "the boxes " + ", ".join(repr(v) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "...'"


def _number(value: Value, percent: bool) -> int | float:
    if isinstance(value, bool) or value is None or isinstance(value, tuple | datetime.date):
        raise _Bad(
            Code.ANSWER_WRONG_TYPE,
            f"the answer is {_shown(value)}, not a number",
            "write the number in figures, such as 12",
        )
    if isinstance(value, int | float):
        number: float = value
    else:
        text = value.strip()
        if percent and text.endswith("%"):
            text = text[:-1].rstrip()
        if _NUMBER.fullmatch(text):
            number = float(text)
        elif _GROUPED.fullmatch(text):
            number = float(re.sub(r"[, \u00a0\u2009\u202f]", "", text))
        else:
            what = "a percentage" if percent else "a number"
            raise _Bad(
                Code.ANSWER_WRONG_TYPE,
                f"the answer is {_shown(value)}, not {what}",
                "write the number in figures, such as "
                + ("45 or 45%" if percent else "12 or 1,250")
                + ", with nothing else in the box",
            )
    if number != number or number in (float("inf"), float("-inf")):
        raise _Bad(Code.ANSWER_WRONG_TYPE, "the answer is not a number", "write a number")
    return int(number) if float(number).is_integer() else float(number)


def _date(value: Value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            m = _ISO_DATE.fullmatch(text)
            if m:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            m = _UK_DATE.fullmatch(text)
            if m:
                return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            raise _Bad(
                Code.ANSWER_WRONG_TYPE,
                f"the answer {_shown(value)} is not a date of the calendar",
                "check the day and the month, and write the date as dd/mm/yyyy",
            ) from None
    raise _Bad(
        Code.ANSWER_WRONG_TYPE,
        f"the answer is {_shown(value)}, not a date",
        "write the date as dd/mm/yyyy (31/03/2026) or yyyy-mm-dd (2026-03-31)",
    )


def _text(value: Value) -> str:
    if isinstance(value, tuple):
        return "; ".join(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


# -- the checker -------------------------------------------------------------------------------


@attrs.frozen
class _Choices:
    """The answers a question with choices takes: id → label, and a lookup by either."""

    labels: Mapping[str, str]
    lookup: Mapping[str, str]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> _Choices:
        labels = dict(pairs)
        lookup: dict[str, str] = {}
        for cid, label in labels.items():
            lookup.setdefault(_norm(label), cid)
        for cid in labels:
            lookup[_norm(cid)] = cid
        return cls(labels, lookup)

    def find(self, text: str) -> str | None:
        return text if text in self.labels else self.lookup.get(_norm(text))

    def listed(self) -> str:
        return ", ".join(f"{cid!r} ({label})" for cid, label in self.labels.items())


@attrs.frozen
class _Form:
    """What one version, audience and kind of a set asks: prepared once, shared by returns."""

    checklist: Checklist
    #: The questions for the audience (all kinds).
    for_audience: frozenset[str]
    questions: tuple[Question, ...]
    on_form: frozenset[str]
    numbers: Mapping[str, str]
    choices: Mapping[str, _Choices]
    content_hash: str


def _prepare(checklist: Checklist, audience: Mapping[str, str], kind: str) -> _Form:
    from ..render import RenderOptions
    from ..render._envelope import content_hash

    selected = checklist.select(audience) if audience else checklist
    questions = tuple(q for q in selected.questions() if kind != "return-form" or q.in_return)
    choices: dict[str, _Choices] = {}
    for q in checklist.questions():
        if q.type == "rating":
            scale = checklist.scale(q.scale)
            levels = scale.levels if scale is not None else ()
            choices[q.full_id] = _Choices.of((lv.id, lv.label) for lv in levels)
        elif q.type in ("choice", "multi-choice"):
            choices[q.full_id] = _Choices.of((o.id, o.label) for o in q.options)
        elif q.type == "yes-no":
            choices[q.full_id] = _Choices.of((("yes", "Yes"), ("no", "No")))
    return _Form(
        checklist=checklist,
        for_audience=frozenset(q.full_id for q in selected.questions()),
        questions=questions,
        on_form=frozenset(q.full_id for q in questions),
        numbers=checklist.numbering(),
        choices=choices,
        content_hash=content_hash(selected, RenderOptions(audience=tuple(audience.items()))),
    )


#: What returns checked together share: each form prepared (by checklist, audience and kind)
#: and each set loaded (by id and version), so a folder of returns loads each version once.
_Cache = dict[tuple[Any, ...], Any]


class _Checker:
    def __init__(
        self,
        raw: RawReturn,
        registry: Registry,
        as_version: str | None,
        strict: bool,
        cache: _Cache,
    ) -> None:
        self.raw = raw
        self.registry = registry
        self.as_version = as_version
        self.strict = strict
        self.cache = cache
        self.diags: list[Diagnostic] = list(raw.problems)
        self.scanned: list[Scanned] = []
        self.json = raw.format in ("json", "html-json")

    # -- where ---------------------------------------------------------------------------------

    def where_of(self, ref: FieldRef) -> Where:
        """Where a field that is not in the file belongs."""
        file = self.raw.source
        if self.json:
            section = {"answer": "answers", "evidence": "evidence", "action": "actions"}.get(
                ref.part, "details"
            )
            key = ref.key.replace("~", "~0").replace("/", "~1")
            return Where(file, pointer=f"/{section}/{key}")
        if self.raw.format == "pdf":
            return Where(file, field=encode("pdf", ref))
        if self.raw.format == "docx":
            return Where(file, tag=encode("docx", ref))
        if self.raw.origin is not None:
            return attrs.evolve(self.raw.origin, field=ref.name)
        return Where(file, field=ref.name)

    def whole(self) -> Where:
        """Where the return as a whole is: its file, or its place in an export."""
        return self.raw.origin or Where(self.raw.source)

    def top(self, key: str) -> Where:
        """Where a property of the return as a whole is (``/envelope``, ``/version``)."""
        if self.raw.origin is not None:
            return self.raw.origin
        return Where(self.raw.source, pointer=f"/{key}" if self.json else "")

    def add(self, where: Where, code: Code, message: str, hint: str, item: str = "") -> None:
        self.diags.append(where.diagnostic(code, message, hint, item))

    def done(self, result: Return | None) -> Checked:
        seen: set[Diagnostic] = set()
        unique = []
        for d in self.diags:
            if d not in seen:
                seen.add(d)
                unique.append(d)
        origin = self.raw.origin
        source = str(origin) if origin else self.raw.source
        return Checked(result, tuple(unique), source, tuple(self.scanned))

    # -- the set, version and audience -----------------------------------------------------------

    def run(self) -> Checked:
        raw = self.raw
        if not raw.readable:
            if not self.diags:
                self.add(
                    self.whole(),
                    Code.RETURN_NO_SET,
                    "nothing could be read from the file",
                    "give the completed form as the organisation sent it",
                )
            return self.done(None)
        env = raw.envelope
        declared = dict(raw.declared)
        declared_audience = _audience_text(declared.get("audience", ""))
        if env is not None:
            set_id, version, kind = env.set, env.set_version, env.kind
            audience = dict(env.audience)
            for key, theirs, ours in (
                ("set", declared.get("set"), set_id),
                ("version", declared.get("version"), version),
                ("kind", declared.get("kind"), kind),
            ):
                if theirs is not None and theirs != ours:
                    self.add(
                        self.top(key),
                        Code.RETURN_DECLARED_MISMATCH,
                        f"the return says {key} {theirs!r}, but the envelope of the form it "
                        f"was made from says {ours!r}; the envelope's is used",
                        f"the file was edited: ask the organisation which {key} they answered, "
                        "or restore the value the form saved",
                    )
            if "audience" in declared and declared_audience != audience:
                self.add(
                    self.top("audience"),
                    Code.RETURN_DECLARED_MISMATCH,
                    f"the return says it is for {_audience_words(declared_audience)}, but the "
                    f"form it was made from was for {_audience_words(audience)}; the form's "
                    "is used",
                    "check which form the organisation filled in; make a form for their "
                    "audience with 'safeguard render SET --as form --for DIMENSION=VALUE'",
                )
        else:
            set_id = declared.get("set", "")
            version = declared.get("version", "")
            kind = declared.get("kind", "form")
            audience = declared_audience
        if kind not in ("form", "return-form"):
            self.add(
                self.top("kind" if env is None else "envelope"),
                Code.RETURN_NOT_A_FORM,
                f"the file was made as a {kind!r} document, not a form, so it holds no answers",
                "give the completed form (the audit tool or the return form) instead",
            )
            return self.done(None)
        if not set_id:
            self.add(
                self.top("set"),
                Code.RETURN_NO_SET,
                "the return does not say which standard set it answers (it has no envelope "
                "and no 'set')",
                "give the answers file exactly as the form saved it; if it was edited, put "
                'back "set" and "version" (for example "set": "kcsie", "version": "2025-26")',
            )
            return self.done(None)
        from ..sets import SetNotFound

        try:
            known = self.registry.versions(set_id)
        except SetNotFound:
            ids = self.registry.ids()
            self.add(
                self.top("envelope" if env is not None else "set"),
                Code.RETURN_SET_UNKNOWN,
                f"the return answers the standard set {set_id!r}, which is not known"
                + did_you_mean(set_id, ids),
                "known sets: "
                + (", ".join(ids) or "none")
                + "; if it is a partnership's own set, give its folder with --sets DIR",
            )
            return self.done(None)
        versions = ", ".join(known)
        if self.as_version is not None and self.as_version not in known:
            self.add(
                self.whole(),
                Code.RETURN_VERSION_UNKNOWN,
                f"--as-version {self.as_version!r} is not a version of {set_id}",
                f"versions of {set_id}: {versions}",
            )
            return self.done(None)
        target = self.as_version or version
        if version not in known and self.as_version is None:
            self.add(
                self.top("envelope" if env is not None else "version"),
                Code.RETURN_VERSION_UNKNOWN,
                f"the return answers {set_id} {version or '(no version)'!r}, a version that "
                f"is not known (known: {versions})",
                "give the folder of the set's versions with --sets DIR, or read the return "
                f"onto a known version with --as-version {known[-1]} (answers are then "
                "matched by question id)",
            )
            return self.done(None)
        target_cl = self.load(set_id, target)
        if target_cl is None:
            return self.done(None)
        file_cl: Checklist | None = target_cl
        if version != target:
            if version in known:
                file_cl = self.load(set_id, version)
                if file_cl is None:
                    return self.done(None)
            else:
                file_cl = None
                self.add(
                    self.top("envelope" if env is not None else "version"),
                    Code.RETURN_READ_BY_ID,
                    f"the return answers {set_id} {version or '(no version)'!r}, which is not "
                    f"known; its answers were read as answers to {target} by question id "
                    "alone",
                    "check the answers: a question whose id stayed but whose meaning changed "
                    "is not noticed; give the folder of the old version with --sets DIR to "
                    "map the answers through the changes",
                )
        wanted = audience
        audience = self.check_audience(target_cl, audience)
        form = self.form(target_cl, audience, kind)
        # a form for an audience the set does not have cannot have been made from it as it is
        if env is not None and file_cl is not None and audience == wanted:
            made_from = form if file_cl is target_cl else self.form(file_cl, audience, kind)
            if made_from.content_hash != env.content_hash:
                self.add(
                    self.top("envelope/content_hash"),
                    Code.RETURN_SET_EDITED,
                    f"{set_id} {version} was edited after this form was made: its content is "
                    "not the content the form showed",
                    "the answers are read against the set as it is now; if a question's "
                    "wording or choices changed, check those answers with the organisation",
                )
        return self.done(self.typed(form, file_cl, env, set_id, version, target, kind, audience))

    def load(self, set_id: str, version: str) -> Checklist | None:
        from ..loader import LoadResult

        key = ("load", set_id, version)
        result = self.cache.get(key)
        if not isinstance(result, LoadResult):
            result = self.cache[key] = self.registry.get(set_id, version)
        if result.checklist is None or not result.ok:
            first = result.errors[0] if result.errors else None
            self.add(
                self.whole(),
                Code.RETURN_SET_INVALID,
                f"{set_id} {version} ({result.source}) has errors, so the return cannot be "
                "checked against it"
                + (f": {first.code.code} {first.message}" if first is not None else ""),
                f"fix the set first: run 'safeguard validate {result.source}'",
            )
            return None
        return result.checklist

    def check_audience(self, checklist: Checklist, audience: dict[str, str]) -> dict[str, str]:
        from .._audience import AudienceError, parse_audience

        if not audience:
            return {}
        try:
            return parse_audience(checklist, audience)
        except AudienceError as exc:
            self.add(
                self.top("envelope" if self.raw.envelope is not None else "audience"),
                Code.RETURN_AUDIENCE_UNKNOWN,
                f"the return is for {_audience_words(audience)}, which {checklist.ref} does "
                f"not have ({exc.message}); every question of the set is checked",
                exc.hint,
            )
            return {}

    def form(self, checklist: Checklist, audience: Mapping[str, str], kind: str) -> _Form:
        key = ("form", id(checklist), tuple(sorted(audience.items())), kind)
        found = self.cache.get(key)
        if not isinstance(found, _Form) or found.checklist is not checklist:
            found = self.cache[key] = _prepare(checklist, audience, kind)
        return found

    # -- the values ----------------------------------------------------------------------------

    def typed(
        self,
        form: _Form,
        file_cl: Checklist | None,
        env: Envelope | None,
        set_id: str,
        version: str,
        target: str,
        kind: str,
        audience: dict[str, str],
    ) -> Return:
        answers: dict[str, list[RawValue]] = {}
        boxes: dict[tuple[str, str], RawValue] = {}
        details: dict[str, RawValue] = {}
        for rv in self.raw.values:
            ref = rv.ref
            if ref.part == "detail":
                details.setdefault(ref.key, rv)
            elif ref.part == "answer":
                answers.setdefault(ref.key, []).append(rv)
            else:
                boxes.setdefault((ref.key, ref.part), rv)
        target_cl = form.checklist
        if file_cl is not None and file_cl is not target_cl:
            answers, boxes = self.carry_over(file_cl, target_cl, answers, boxes)
        # answers to questions that are not on the form
        given = list(answers) + [k for k, _ in boxes if k not in answers]
        for qid in dict.fromkeys(given):
            if qid in form.on_form:
                continue
            rvs = answers.get(qid) or [
                boxes[(qid, p)] for p in ("evidence", "action") if (qid, p) in boxes
            ]
            if not any(not _blank(rv.value) for rv in rvs):
                continue
            where = rvs[0].where
            if target_cl.question(qid) is None:
                self.add(
                    where,
                    Code.ANSWER_UNKNOWN_QUESTION,
                    f"{target_cl.id} {target_cl.version} has no question {qid!r}"
                    + did_you_mean(qid, [q.full_id for q in form.questions]),
                    "the field's name was changed, or the answer belongs to another version: "
                    "restore the name the form gave it, or check the return with --as-version",
                    qid,
                )
            else:
                number = form.numbers.get(qid, "")
                why = (
                    "it is not on the return form"
                    if qid in form.for_audience
                    else f"it is not asked of {_audience_words(audience)}"
                )
                self.add(
                    where,
                    Code.ANSWER_NOT_ON_FORM,
                    f"an answer to {number} ({qid}), which the form did not include: {why}; "
                    "it is left out",
                    "the organisation may have filled in another form: check the audience "
                    "with them, and make their form with 'safeguard render SET --as form "
                    "--for DIMENSION=VALUE'",
                    qid,
                )
        typed: dict[str, AnswerValue] = {}
        where_of: dict[str, Where] = {}
        bad: set[str] = set()
        for q in form.questions:
            rvs = answers.get(q.full_id, [])
            value, where, failed = self.type_answer(q, rvs, form)
            typed[q.full_id] = value
            where_of[q.full_id] = where
            if failed:
                bad.add(q.full_id)
        asked = _asked(form, typed)
        built: list[Answer] = []
        blank: list[tuple[Question, Where]] = []
        for q in form.questions:
            qid = q.full_id
            value = typed[qid]
            where = where_of[qid]
            number = form.numbers.get(qid, "")
            ev = boxes.get((qid, "evidence"))
            ac = boxes.get((qid, "action"))
            evidence = _text(ev.value).strip() if ev is not None else ""
            action = _text(ac.value).strip() if ac is not None else ""
            answer = Answer(
                question=qid,
                type=q.type,
                value=value,
                evidence=evidence,
                action=action,
                asked=asked[qid],
                where=where if value is not None else None,
                evidence_where=ev.where if ev is not None and evidence else None,
                action_where=ac.where if ac is not None and action else None,
            )
            built.append(answer)
            if answer.answered and not asked[qid]:
                self.add(
                    where,
                    Code.ANSWER_NOT_ASKED,
                    f"{number} ({qid}) is answered, but its condition says it was not asked "
                    f"({_condition_words(q.ask_if, form)}); the answer is kept, marked not "
                    "asked",
                    "check the earlier answer the question depends on: if it is right, this "
                    "answer can be removed; if not, correct the earlier answer",
                    qid,
                )
            elif not answer.answered and asked[qid] and q.required and qid not in bad:
                blank.append((q, where))
            if answer.answered and asked[qid] and q.type == "rating":
                self.requirements(q, answer, form)
        if blank and not any(a.answered for a in built):
            self.add(
                blank[0][1],
                Code.ANSWER_REQUIRED_BLANK,
                f"no question is answered: all {len(blank)} required questions are blank",
                "the form may have been sent back before it was filled in: ask the "
                "organisation to fill it in and send it again",
            )
        else:
            for q, where in blank:
                self.add(
                    where,
                    Code.ANSWER_REQUIRED_BLANK,
                    f"{form.numbers.get(q.full_id, '')} ({q.full_id}) is required and has no "
                    "answer",
                    "ask the organisation to answer it" + _not_applicable(q, form),
                    q.full_id,
                )
        detail_values = self.details(details)
        result = Return(
            source=self.raw.source,
            read_from=self.raw.format,
            set=set_id,
            version=target,
            kind=kind,
            audience=tuple(audience.items()),
            envelope=env,
            details=detail_values,
            answers=tuple(built),
            file_date=self.raw.file_date,
            mapped_from=version if version != target else "",
        )
        self.privacy(result, form)
        return result

    def carry_over(
        self,
        old: Checklist,
        new: Checklist,
        answers: dict[str, list[RawValue]],
        boxes: dict[tuple[str, str], RawValue],
    ) -> tuple[dict[str, list[RawValue]], dict[tuple[str, str], RawValue]]:
        """The file's answers to ``old``'s questions, renamed to ``new``'s ids where they
        carry over; SG534 for each answer that does not."""
        from ..diff import diff

        links = diff(old, new).question_map()
        carried = {link.old_id: link.id for link in links.values() if link.answers_carry_over}
        why: dict[str, str] = {}
        for link in links.values():
            if link.old_id and not link.answers_carry_over:
                changed = [
                    w
                    for w, flag in (
                        ("its answer type", link.type_changed),
                        ("its scale", link.scale_changed),
                        ("its choices", link.options_changed),
                    )
                    if flag
                ]
                why[link.old_id] = (
                    f"{link.id} in {new.version} has changed " + " and ".join(changed)
                    if changed
                    else f"it may be {link.id} in {new.version}, but only by similar wording"
                )
        new_answers: dict[str, list[RawValue]] = {}
        new_boxes: dict[tuple[str, str], RawValue] = {}
        reported: set[str] = set()

        def drop(qid: str, where: Where) -> None:
            if qid in reported:
                return
            reported.add(qid)
            reason = why.get(qid, f"{new.version} has no question that continues it")
            self.add(
                where,
                Code.ANSWER_NOT_CARRIED,
                f"the answer to {qid} ({old.version}) is not carried over to {new.version}: "
                f"{reason}",
                f"ask the organisation to answer the question again on the {new.version} form",
                qid,
            )

        for qid, rvs in answers.items():
            if qid in carried:
                new_answers.setdefault(carried[qid], []).extend(rvs)
            elif old.question(qid) is None:
                new_answers.setdefault(qid, []).extend(rvs)  # reported as unknown later
            elif any(not _blank(rv.value) for rv in rvs):
                drop(qid, rvs[0].where)
        for (qid, part), rv in boxes.items():
            if qid in carried:
                new_boxes.setdefault((carried[qid], part), rv)
            elif old.question(qid) is None:
                new_boxes.setdefault((qid, part), rv)
            elif not _blank(rv.value):
                drop(qid, rv.where)
        return new_answers, new_boxes

    def type_answer(
        self, q: Question, rvs: Sequence[RawValue], form: _Form
    ) -> tuple[AnswerValue, Where, bool]:
        """The typed value of ``q``'s answer, where it is, and whether it failed to type."""
        qid = q.full_id
        whole = [rv for rv in rvs if not rv.ref.choice]
        boxes = [rv for rv in rvs if rv.ref.choice]
        value: Value = None
        where: Where | None = None
        if whole:
            first = next((rv for rv in whole if not _blank(rv.value)), whole[0])
            value, where = first.value, first.where
        if boxes and _blank(value):
            ticked = [rv for rv in boxes if _is_ticked(rv)]
            value = tuple(dict.fromkeys(rv.ref.choice for rv in ticked))
            where = (ticked or boxes)[0].where
        if where is None:
            where = self.where_of(_answer_ref(qid))
        if _blank(value):
            return None, where, False
        try:
            return self.convert(q, value, form), where, False
        except _Bad as bad:
            number = form.numbers.get(qid, "")
            self.add(where, bad.code, f"{number} ({qid}): {bad.message}", bad.hint, qid)
            return None, where, True

    def convert(self, q: Question, value: Value, form: _Form) -> AnswerValue:
        t = q.type
        choices = form.choices.get(q.full_id)
        if t in ("rating", "yes-no", "choice"):
            assert choices is not None
            if isinstance(value, bool) and t == "yes-no":
                return "yes" if value else "no"
            if isinstance(value, tuple):
                if len(value) > 1:
                    raise _Bad(
                        Code.ANSWER_SEVERAL_TICKED,
                        f"{len(value)} boxes are ticked ({', '.join(value)}), but the question "
                        "takes one answer",
                        "tick one box only; if more than one seems true, choose the one that "
                        "describes the organisation as a whole",
                    )
                value = value[0]
            found = choices.find(_text(value)) if not isinstance(value, bool) else None
            if found is not None:
                return found
            if t == "rating":
                scale = form.checklist.scale(q.scale)
                raise _Bad(
                    Code.ANSWER_UNKNOWN_LEVEL,
                    f"the answer is {_shown(value)}, which is not a level of the "
                    f"{q.scale!r} scale" + did_you_mean(_norm(_text(value)), choices.lookup),
                    "choose one of the levels: "
                    + (choices.listed() if scale is not None else "(none)"),
                )
            if t == "yes-no":
                raise _Bad(
                    Code.ANSWER_WRONG_TYPE,
                    f"the answer is {_shown(value)}, not Yes or No",
                    "answer Yes or No",
                )
            raise _Bad(
                Code.ANSWER_UNKNOWN_OPTION,
                f"the answer is {_shown(value)}, which is not one of the question's choices"
                + did_you_mean(_norm(_text(value)), choices.lookup),
                "choose one of: " + choices.listed(),
            )
        if t == "multi-choice":
            assert choices is not None
            if isinstance(value, tuple):
                items = list(value)
            elif isinstance(value, str):
                items = [p for p in (s.strip() for s in value.split(";")) if p]
                spaced = value.split()
                if (
                    len(items) == 1
                    and len(spaced) > 1
                    and choices.find(items[0]) is None
                    and all(s in choices.labels for s in spaced)
                ):
                    items = spaced  # option ids separated by spaces (an ODK select_multiple)
            else:
                raise _Bad(
                    Code.ANSWER_WRONG_TYPE,
                    f"the answer is {_shown(value)}, not a list of choices",
                    "tick the boxes that apply (in a text cell, write the choices separated "
                    "by '; ')",
                )
            chosen: list[str] = []
            unknown: list[str] = []
            for item in items:
                found = choices.find(item)
                (unknown if found is None else chosen).append(item if found is None else found)
            if unknown:
                raise _Bad(
                    Code.ANSWER_UNKNOWN_OPTION,
                    "the answer names "
                    + ", ".join(repr(u) for u in unknown)
                    + (", which is not one" if len(unknown) == 1 else ", which are not")
                    + " of the question's choices",
                    "choose from: " + choices.listed() + " (separated by '; ' in a text cell)",
                )
            picked = set(chosen)
            return tuple(cid for cid in choices.labels if cid in picked)
        if t in ("number", "percentage"):
            number = _number(value, t == "percentage")
            lo = q.min if q.min is not None else (0.0 if t == "percentage" else None)
            hi = q.max if q.max is not None else (100.0 if t == "percentage" else None)
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                unit = "%" if t == "percentage" else ""
                rng = _range(lo, hi, unit)
                raise _Bad(
                    Code.ANSWER_OUT_OF_RANGE,
                    f"the answer {_fmt(number)}{unit} is outside the range: {rng}",
                    f"give a number {rng}",
                )
            return number
        if t == "date":
            return _date(value)
        if isinstance(value, tuple) and len(value) != 1:
            raise _Bad(
                Code.ANSWER_WRONG_TYPE,
                f"the answer is {_shown(value)}, not text",
                "write the answer in words",
            )
        return _text(value).strip()

    def requirements(self, q: Question, answer: Answer, form: _Form) -> None:
        scale = form.checklist.scale(q.scale)
        level = scale.level(answer.level) if scale is not None else None
        if level is None:
            return
        qid = q.full_id
        number = form.numbers.get(qid, "")
        where = answer.where or self.where_of(FieldRef(qid))
        said = f"{number} ({qid}) is answered {level.label!r}"
        # every form has an action box beside a question whose answer can need an action
        if "action" in level.requires and not answer.action:
            self.add(
                self.where_of(FieldRef(qid, "action")) if self.json else where,
                Code.ANSWER_NO_ACTION,
                f"{said}, which requires an action, and its action box is empty",
                "write in the action box what the organisation will do, who leads it and by when",
                qid,
            )
        if "justification" in level.requires and not answer.evidence:
            self.add(
                self.where_of(FieldRef(qid, "evidence")) if self.json else where,
                Code.ANSWER_NO_JUSTIFICATION,
                f"{said}, which requires a reason, and its evidence box is empty",
                "say in the evidence box why the question does not apply to the organisation",
                qid,
            )
        if "evidence" in level.requires and not answer.evidence:
            self.add(
                self.where_of(FieldRef(qid, "evidence")) if self.json else where,
                Code.ANSWER_NO_EVIDENCE,
                f"{said}, which requires evidence, and its evidence box is empty",
                "name the evidence in the evidence box (a document, minutes, an audit) and "
                "where it is kept",
                qid,
            )

    def details(self, found: Mapping[str, RawValue]) -> tuple[DetailValue, ...]:
        values = []
        for key in DETAIL_FIELDS:
            rv = found.get(key)
            text = _text(rv.value).strip() if rv is not None else ""
            if text:
                values.append(DetailValue(key, text, rv.where if rv is not None else None))
        given = {d.key: d for d in values}
        for key in REQUIRED_DETAILS:
            if key in given:
                continue
            rv = found.get(key)
            where = rv.where if rv is not None else self.where_of(FieldRef(key, "detail"))
            code = Code.ORG_NAME_MISSING if key == "org.name" else Code.ORG_DETAIL_MISSING
            self.add(
                where,
                code,
                f"the return does not give {_DETAIL_LABELS[key]} ({key})",
                "ask the organisation to fill in 'About your organisation' at the top of the "
                "form"
                + (
                    ": without a name the return cannot be told apart from others"
                    if key == "org.name"
                    else ""
                ),
            )
        for key in ("org.date", "signoff.date"):
            d = given.get(key)
            if d is None:
                continue
            try:
                _date(d.value)
            except _Bad:
                self.add(
                    d.where or self.where_of(FieldRef(key, "detail")),
                    Code.DETAIL_NOT_A_DATE,
                    f"{key} is {d.value!r}, not a date",
                    "write the date as dd/mm/yyyy (31/03/2026); it tells which of two returns "
                    "from one organisation is the newer",
                )
        return tuple(values)

    def privacy(self, ret: Return, form: _Form) -> None:
        from . import privacy

        contact = ret.detail("org.contact")
        emails = re.findall(r"[^\s,;:<>()]+@[^\s,;:<>()]+", contact)
        phones = [p for p in re.split(r"[,;/]|\bor\b", re.sub(r"\S+@\S+", " ", contact)) if p]
        code = Code.PERSONAL_DATA_STRICT if self.strict else Code.PERSONAL_DATA
        texts: list[tuple[str, str, Where | None, str, tuple[privacy.Kind, ...] | None]] = []
        for a in ret.answers:
            number = form.numbers.get(a.question, "")
            if a.type == "text" and isinstance(a.value, str) and a.value:
                texts.append((f"the answer to {number}", a.value, a.where, a.question, None))
            if a.evidence:
                texts.append(
                    (f"the evidence for {number}", a.evidence, a.evidence_where, a.question, None)
                )
            if a.action:
                texts.append(
                    (f"the action for {number}", a.action, a.action_where, a.question, None)
                )
        if not privacy.might_hold(text for _, text, _, _, _ in texts):
            texts.clear()  # nothing in any answer, evidence or action box: one look at them all
        for d in ret.details:
            if d.key == "org.contact":
                continue  # the respondent's own contact
            kinds: tuple[privacy.Kind, ...] | None = None
            if d.key == "org.address":  # the organisation's own postcode and number
                kinds = tuple(
                    k
                    for k in privacy.Kind
                    if k not in (privacy.Kind.POSTCODE, privacy.Kind.PHONE_NUMBER)
                )
            texts.append((d.key, d.value, d.where, "", kinds))
        for what, text, where, item, kinds in texts:
            if where is None:
                where = self.where_of(FieldRef(item, "evidence")) if item else Where(ret.source)
            findings = privacy.scan(text, allowed_emails=emails, allowed_phones=phones, kinds=kinds)
            if findings:
                self.scanned.append(Scanned(where, text, findings))
            for f in findings:
                sure = {"low": " (low confidence)", "medium": " (medium confidence)"}.get(
                    f.confidence, ""
                )
                self.add(
                    where,
                    code,
                    f"{what} holds what looks like personal data: {f.message}{sure}",
                    "returns are shared between partners and must not identify a child or a "
                    "family: ask the organisation to send it again with this taken out (write "
                    "'Child A' for a name, 'a pupil in Year 5' for a date of birth), or use a "
                    "redacted copy",
                    item,
                )


@functools.lru_cache(maxsize=4096)
def _answer_ref(qid: str) -> FieldRef:
    """A question's answer field (made once: the same questions come in every return)."""
    return FieldRef(qid)


def _not_applicable(q: Question, form: _Form) -> str:
    """How a rating question is answered when it does not apply, if its scale says."""
    scale = form.checklist.scale(q.scale) if q.type == "rating" else None
    for level in scale.levels if scale is not None else ():
        if "justification" in level.requires:
            return f" (or {level.label!r}, with the reason in the evidence box)"
    return ""


def _is_ticked(rv: RawValue) -> bool:
    v = rv.value
    if isinstance(v, bool):
        return v
    if isinstance(v, tuple):
        return bool(v)
    if isinstance(v, int | float):
        return v != 0
    if isinstance(v, str):
        n = _norm(v)
        return n not in _UNTICKED  # "Yes", "X", a tick, the choice's own id
    return False


def _audience_text(text: str) -> dict[str, str]:
    out = {}
    for pair in text.split(";"):
        k, sep, v = pair.partition("=")
        if sep and k.strip():
            out[k.strip()] = v.strip()
    return out


def _audience_words(audience: Mapping[str, str]) -> str:
    if not audience:
        return "every audience"
    return ", ".join(f"{k}={v}" for k, v in audience.items())


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _range(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"from {_fmt(lo)}{unit} to {_fmt(hi)}{unit}"
    if lo is not None:
        return f"of at least {_fmt(lo)}{unit}"
    return f"of at most {_fmt(hi or 0)}{unit}"


def _condition_words(cond: Condition | None, form: _Form) -> str:
    if cond is None:
        return "no condition"
    if cond.op in ("all", "any"):
        joiner = " and " if cond.op == "all" else " or "
        return "(" + joiner.join(_condition_words(c, form) for c in cond.conditions) + ")"
    number = form.numbers.get(cond.question, cond.question)
    values = " or ".join(cond.values)
    verb = "is not" if cond.op == "not_equals" else "is"
    return f"asked if {number} {verb} {values}"


def _asked(form: _Form, typed: Mapping[str, AnswerValue]) -> dict[str, bool]:
    """Whether each question is asked, as the HTML form's script decides it: a condition is
    live only when every question it names is on the form (else the question is always
    asked); a question that is not asked gives its condition's dependants no answer."""
    asked: dict[str, bool] = {}
    conditions = {q.full_id: q.ask_if for q in form.questions}

    def effective(qid: str) -> AnswerValue:
        return typed.get(qid) if is_asked(qid) else None

    def holds(cond: Condition) -> bool:
        if cond.op == "all":
            return all(holds(c) for c in cond.conditions)
        if cond.op == "any":
            return any(holds(c) for c in cond.conditions)
        given = effective(cond.question)
        if given is None or given == "" or given == ():
            return False
        chosen = [str(v) for v in given] if isinstance(given, tuple) else [_cond_text(given)]
        hit = any(v in cond.values for v in chosen)
        return not hit if cond.op == "not_equals" else hit

    def is_asked(qid: str) -> bool:
        if qid in asked:
            return asked[qid]
        asked[qid] = True  # a guard: conditions never form a cycle in a valid set
        cond = conditions.get(qid)
        if cond is not None and all(dep in form.on_form for dep in cond.questions()):
            asked[qid] = holds(cond)
        return asked[qid]

    for q in form.questions:
        is_asked(q.full_id)
    return asked


def _cond_text(value: AnswerValue) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- entry points ------------------------------------------------------------------------------


def check(
    raw: RawReturn,
    registry: Registry | None = None,
    *,
    as_version: str | None = None,
    strict: bool = False,
    _cache: _Cache | None = None,
) -> Checked:
    """Check one raw return against the version it answers (see the module's docstring).

    ``registry`` knows the sets (the bundled ones when None); ``as_version`` reads the return
    onto that version of its set; ``strict`` makes personal data an error (SG561).
    """
    from ..sets import Registry

    checker = _Checker(
        raw, registry or Registry(), as_version, strict, {} if _cache is None else _cache
    )
    return checker.run()


def _organisation_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _newness(c: Checked) -> tuple[str, str, str]:
    assert c.return_ is not None
    r = c.return_
    out = []
    for key in ("org.date", "signoff.date"):
        try:
            out.append(_date(r.detail(key)).isoformat() if r.detail(key) else "")
        except _Bad:
            out.append("")
    return (out[0], out[1], r.file_date)


def check_many(
    raws: Iterable[RawReturn],
    registry: Registry | None = None,
    *,
    as_version: str | None = None,
    strict: bool = False,
) -> tuple[Checked, ...]:
    """:func:`check` each raw return (sharing the registry's loads and each form's preparation),
    then add SG553 to every pair of returns from the same organisation (its name, ignoring
    case, spacing and punctuation) for the same set and version."""
    from ..sets import Registry

    reg = registry or Registry()
    cache: _Cache = {}
    return with_duplicates(
        [check(r, reg, as_version=as_version, strict=strict, _cache=cache) for r in raws]
    )


def with_duplicates(checked: Iterable[Checked]) -> tuple[Checked, ...]:
    """``checked`` with SG553 added to every pair of returns from the same organisation for
    the same set and version (the last step of :func:`check_many`)."""
    checked = list(checked)
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, c in enumerate(checked):
        r = c.return_
        if r is None or not _organisation_key(r.organisation):
            continue
        groups.setdefault((r.set, r.version, _organisation_key(r.organisation)), []).append(i)
    for (set_id, version, _), members in groups.items():
        if len(members) < 2:
            continue
        for i in members:
            me = checked[i]
            assert me.return_ is not None
            extra = []
            for j in members:
                if j == i:
                    continue
                other = checked[j]
                assert other.return_ is not None
                mine, theirs = _newness(me), _newness(other)
                if mine == theirs:
                    which = "which of the two is newer cannot be told from their dates"
                else:
                    field = next(
                        n
                        for n, a, b in zip(
                            ("the date completed", "the sign-off date", "the file's date"),
                            mine,
                            theirs,
                            strict=True,
                        )
                        if a != b
                    )
                    a, b = next((a, b) for a, b in zip(mine, theirs, strict=True) if a != b)
                    newer = "this one" if a > b else "the other"
                    which = f"{newer} is newer by {field} ({a or 'none'} against {b or 'none'})"
                    if a == "" or b == "":
                        which = f"{newer} is newer by {field}"
                name = me.return_.organisation
                details = {d.key: d for d in me.return_.details}
                where = details["org.name"].where if "org.name" in details else None
                extra.append(
                    (where or Where(me.source)).diagnostic(
                        Code.RETURN_DUPLICATE,
                        f"{other.source} is another return from {name!r} for {set_id} "
                        f"{version}; {which}",
                        "the two are not merged: keep the one the organisation means (ask "
                        "them if unsure) and move the other out of the folder",
                    )
                )
            checked[i] = attrs.evolve(me, diagnostics=me.diagnostics + tuple(extra))
    return tuple(checked)


def shareable(checked: Checked) -> dict[str, Any] | None:
    """The checked return's JSON form (:meth:`~.model.Return.to_dict`) with every span of
    personal data the check found replaced by ``[<kind> removed]``: what is printed or passed
    on (``returns check --format json``), so a flagged detail is never shown again. None when
    there is no typed return."""
    if checked.return_ is None:
        return None
    out = checked.return_.to_dict()
    if not checked.scanned:
        return out
    from .privacy import redact

    found = {_place(s.where.to_dict()): s for s in checked.scanned}
    for part, places in out.get("provenance", {}).items():
        for key, where in places.items():
            s = found.get(_place(where))
            value = out.get(part, {}).get(key)
            if s is None or not isinstance(value, str):
                continue
            cleaned = redact(s.text, s.findings)
            out[part][key] = (
                value.replace(s.text, cleaned) if s.text in value else "[personal data removed]"
            )
    return out


def _place(where: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in where.items()))

"""Checked returns read back from their JSON form quickly, for reports over thousands of them.

A checked return is written as JSON by :meth:`Return.to_dict
<safeguard_standards.returns.model.Return.to_dict>`. :func:`from_dict` reads that form back
into a :class:`~safeguard_standards.returns.model.Return` against the version it answers,
without checking it again: values are typed by their question (a date from its ISO text, a
multi-choice from its list) and every question of the version for the return's audience gets an
:class:`~safeguard_standards.returns.model.Answer`, answered or not, as the checker makes them;
``asked`` is False where the question's ``ask_if`` does not hold for the return's answers.

With ``text=False`` evidence, actions and provenance are left out and equal answers are
shared (one :class:`Answer` object for every "met" to a question): the form an aggregate
needs, about ten times faster to build. A file that is not in the shape of a checked return is
a located diagnostic (SG603), never a traceback.
"""

from __future__ import annotations

import datetime
import gc
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ..diagnostics import Code, Diagnostic
from ..model import Checklist, Condition
from ..returns.model import Answer, AnswerValue, DetailValue, Return
from ..returns.raw import Where

__all__ = ["Reader", "from_dict"]


@attrs.frozen
class _Profile:
    """The questions a version asks one audience: (full id, type), the ids, and the positions
    of multi-choice questions (whose JSON lists become tuples)."""

    questions: tuple[tuple[str, str], ...]
    ids: tuple[str, ...]
    multi: tuple[int, ...]
    #: Per question: its shared answers by value (the reader's, shared by every profile).
    shared: tuple[dict[Any, Answer], ...]
    #: Each distinct ``ask_if`` of these questions, with the positions of the questions it
    #: guards.
    conditions: tuple[tuple[Condition, tuple[int, ...]], ...] = ()


def _typed(qtype: str, value: Any) -> AnswerValue | type[_Bad]:
    if value is None:
        return None
    if qtype == "date":
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return _Bad
        return _Bad
    if qtype == "multi-choice":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return _Bad
    if qtype in ("number", "percentage"):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else _Bad
    return value if isinstance(value, str) else _Bad


class _Bad:
    """A value of the wrong shape for its question."""


class Reader:
    """Reads return JSON documents against the versions they answer (see the module).

    ``checklists`` gives the version of a set: a mapping of (set id, version) to the
    :class:`~safeguard_standards.model.Checklist`, or a function returning it (None for a
    version it does not know). A reader keeps, per version and audience, the questions asked
    and (with ``text=False``) the shared answers, so reading many returns of one version costs
    little more than parsing them.
    """

    def __init__(
        self,
        checklists: Mapping[tuple[str, str], Checklist] | Callable[[str, str], Checklist | None],
        *,
        text: bool = True,
    ) -> None:
        if isinstance(checklists, Mapping):
            known = checklists
            self._get: Callable[[str, str], Checklist | None] = lambda s, v: known.get((s, v))
        else:
            self._get = checklists
        self._text = text
        self._profiles: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Profile] = {}
        self._shared: dict[str, dict[Any, Answer]] = {}
        self._not_asked: dict[str, dict[Any, Answer]] = {}
        self._audiences: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}

    def _profile(self, checklist: Checklist, audience: tuple[tuple[str, str], ...]) -> _Profile:
        key = (checklist.id, checklist.version, audience)
        found = self._profiles.get(key)
        if found is None:
            selected = checklist.select(dict(audience)) if audience else checklist
            asked_if: dict[Condition, list[int]] = {}
            for i, q in enumerate(selected.questions()):
                if q.ask_if is not None:
                    asked_if.setdefault(q.ask_if, []).append(i)
            questions = tuple((q.full_id, q.type) for q in selected.questions())
            found = _Profile(
                conditions=tuple((c, tuple(ix)) for c, ix in asked_if.items()),
                questions=questions,
                ids=tuple(q for q, _ in questions),
                multi=tuple(i for i, (_, t) in enumerate(questions) if t == "multi-choice"),
                shared=tuple(self._shared.setdefault(q, {}) for q, _ in questions),
            )
            self._profiles[key] = found
        return found

    def _shared_answers(
        self, profile: _Profile, given: dict[str, Any]
    ) -> tuple[Answer, ...] | None:
        """The answers as shared objects (one per question and value), or None when one is of
        the wrong shape."""
        values = list(map(given.get, profile.ids))
        for i in profile.multi:
            v = values[i]
            if v.__class__ is list:
                values[i] = tuple(v)
        try:
            got = list(map(dict.get, profile.shared, values))
        except TypeError:  # a list or an object: not a value of any question
            return None
        # values not met before: make their answers (only theirs). The misses are found by
        # identity, in C: "None in got" would call Answer.__eq__ for every answer.
        missing = list(map(operator.is_, got, itertools.repeat(None)))
        if True in missing:
            i = -1
            try:
                while True:
                    i = missing.index(True, i + 1)
                    full_id, qtype = profile.questions[i]
                    raw = values[i]
                    value = _typed(qtype, list(raw) if isinstance(raw, tuple) else raw)
                    if value is _Bad:
                        return None
                    answer = Answer(question=full_id, type=qtype, value=value)  # type: ignore[arg-type]
                    profile.shared[i][raw] = answer
                    got[i] = answer
            except ValueError:  # no None left
                pass
        for condition, positions in profile.conditions:
            if not condition.holds(given):
                for i in positions:
                    got[i] = self._hidden(profile, i, values[i])
        return tuple(got)  # type: ignore[arg-type]

    def _hidden(self, profile: _Profile, i: int, raw: Any) -> Answer:
        """The shared answer, not asked, of question ``i`` with value ``raw`` (already typed
        by the caller's first look at it)."""
        full_id, qtype = profile.questions[i]
        cache = self._not_asked.setdefault(full_id, {})
        answer = cache.get(raw)
        if answer is None:
            value = profile.shared[i][raw].value
            answer = cache[raw] = Answer(question=full_id, type=qtype, value=value, asked=False)
        return answer

    def _first_bad(self, profile: _Profile, given: dict[str, Any]) -> tuple[str, str]:
        for full_id, qtype in profile.questions:
            if _typed(qtype, given.get(full_id)) is _Bad:
                return f"the answer to {full_id!r} is not a {qtype} answer", "/answers/" + full_id
        return "the answers cannot be read", "/answers"  # pragma: no cover - found above

    def _answers(
        self,
        profile: _Profile,
        given: dict[str, Any],
        blocks: dict[str, dict[str, Any]],
    ) -> tuple[Answer, ...] | None:
        evidence, actions = blocks["evidence"], blocks["actions"]
        where = blocks["provenance"]
        hidden = {
            i
            for condition, positions in profile.conditions
            if not condition.holds(given)
            for i in positions
        }
        out: list[Answer] = []
        for i, (full_id, qtype) in enumerate(profile.questions):
            value = _typed(qtype, given.get(full_id))
            if value is _Bad:
                return None
            out.append(
                Answer(
                    question=full_id,
                    type=qtype,
                    value=value,  # type: ignore[arg-type]
                    evidence=str(evidence.get(full_id) or ""),
                    action=str(actions.get(full_id) or ""),
                    asked=i not in hidden,
                    where=_where(where, "answers", full_id),
                    evidence_where=_where(where, "evidence", full_id),
                    action_where=_where(where, "actions", full_id),
                )
            )
        return tuple(out)

    def read(self, doc: Any, source: str) -> tuple[Return | None, tuple[Diagnostic, ...]]:
        """The return in the JSON document ``doc`` (already parsed) from file ``source``."""
        if not isinstance(doc, dict):
            return _bad(source, "the file is not a JSON object")
        set_id, version = doc.get("set"), doc.get("version")
        if set_id.__class__ is not str or version.__class__ is not str:
            return _bad(source, "the return does not say which set and version it answers", "/set")
        checklist = self._get(set_id, version)
        if checklist is None:
            return None, (
                Diagnostic(
                    Code.REPORT_RETURN_SKIPPED,
                    f"the return answers {set_id}@{version}, which this report does not cover",
                    source,
                    at="/version",
                    hint="give the returns of one set and version (and last year's with "
                    "--previous)",
                ),
            )
        raw_audience = doc.get("audience") or {}
        if raw_audience.__class__ is not dict:
            return _bad(source, "'audience' is not an object of dimension and value", "/audience")
        try:
            audience = self._audiences.get(tuple(raw_audience.items()))
        except TypeError:  # a value that is a list or an object
            return _bad(source, "an audience value is not text", "/audience")
        if audience is None:
            audience = tuple(sorted((str(k), str(v)) for k, v in raw_audience.items()))
            self._audiences[tuple(raw_audience.items())] = audience
        given = doc.get("answers", {})
        details = doc.get("details", {})
        for name, block in (("answers", given), ("details", details)):
            if block.__class__ is not dict:
                return _bad(
                    source, f"'{name}' is not an object of field names and values", "/" + name
                )
        profile = self._profile(checklist, audience)
        answers: tuple[Answer, ...] | None
        if not self._text:
            answers = self._shared_answers(profile, given)
        else:
            blocks = {name: doc.get(name) or {} for name in ("evidence", "actions", "provenance")}
            for name, block in blocks.items():
                if block.__class__ is not dict:
                    return _bad(
                        source, f"'{name}' is not an object of field names and values", "/" + name
                    )
            answers = self._answers(profile, given, blocks)
        if answers is None:
            return _bad(source, *self._first_bad(profile, given))
        if self._text:
            kept = tuple(DetailValue(str(k), v) for k, v in details.items() if isinstance(v, str))
        else:
            org_name = details.get("org.name")
            kept = (DetailValue("org.name", org_name),) if isinstance(org_name, str) else ()
        src = doc.get("source")
        if src.__class__ is not dict:
            src = {}
        ret = Return(
            source=source,
            read_from=str(src.get("read_from") or source),
            set=set_id,
            version=version,
            kind=str(doc.get("kind") or "form"),
            audience=audience,
            details=kept,
            answers=answers,
            file_date=str(src.get("file_date") or ""),
            mapped_from=str(src.get("mapped_from") or ""),
        )
        return ret, ()

    def read_all(self, docs: Iterable[tuple[Any, str]]) -> tuple[list[Return], list[Diagnostic]]:
        """Every return of ``docs`` ((parsed document, file name) pairs, parsed one at a time
        as they are iterated), and every problem.

        The cyclic garbage collector is paused meanwhile (and restored after): returns hold no
        reference cycles, and collecting while tens of thousands of them accumulate costs about
        a third of the reading."""
        out: list[Return] = []
        problems: list[Diagnostic] = []
        was = gc.isenabled()
        gc.disable()
        try:
            for doc, source in docs:
                ret, found = self.read(doc, source)
                if ret is not None:
                    out.append(ret)
                problems.extend(found)
        finally:
            if was:
                gc.enable()
        return out, problems


_WHERE_KEYS = frozenset(
    ("file", "page", "field", "sheet", "cell", "pointer", "tag", "row", "column")
)


def _where(provenance: dict[str, Any], part: str, full_id: str) -> Where | None:
    """Where a value was found, from the return's ``provenance`` (None when not recorded or
    not in its shape)."""
    block = provenance.get(part)
    found = block.get(full_id) if isinstance(block, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("file"), str):
        return None
    try:
        return Where(**{k: v for k, v in found.items() if k in _WHERE_KEYS})
    except TypeError:  # pragma: no cover - attrs takes any value; kept for safety
        return None


def _bad(source: str, message: str, pointer: str = "") -> tuple[None, tuple[Diagnostic, ...]]:
    return None, (
        Diagnostic(
            Code.REPORT_RETURN_SHAPE,
            message,
            source,
            at=pointer,
            hint="give the return as 'safeguard returns check --format json' wrote it",
        ),
    )


def from_dict(
    doc: Any, checklist: Checklist, source: str = "<return>", *, text: bool = True
) -> tuple[Return | None, tuple[Diagnostic, ...]]:
    """One return JSON document (see the module) read against ``checklist``."""
    return Reader({(checklist.id, checklist.version): checklist}, text=text).read(doc, source)

"""Checked returns read back from their JSON form quickly, for reports over thousands of them.

A checked return is written as JSON by :meth:`Return.to_dict
<safeguard_standards.returns.model.Return.to_dict>`. :func:`from_dict` reads that form back
into a :class:`~safeguard_standards.returns.model.Return` against the version it answers,
without checking it again: values are typed by their question (a date from its ISO text, a
multi-choice from its list) and every question of the version for the return's audience gets an
:class:`~safeguard_standards.returns.model.Answer`, answered or not, as the checker makes them.

With ``text=False`` evidence, actions and provenance are left out and equal answers are
shared (one :class:`Answer` object for every "met" to a question): the form an aggregate
needs, about ten times faster to build. A file that is not in the shape of a checked return is
a located diagnostic (SG603), never a traceback.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from ..diagnostics import Code, Diagnostic
from ..model import Checklist
from ..returns.model import Answer, AnswerValue, DetailValue, Return

__all__ = ["Reader", "from_dict"]

_Questions = tuple[tuple[str, str], ...]


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
        self._questions: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Questions] = {}
        self._shared: dict[tuple[str, type, Any, bool], Answer] = {}

    def _questions_of(
        self, checklist: Checklist, audience: tuple[tuple[str, str], ...]
    ) -> _Questions:
        key = (checklist.id, checklist.version, audience)
        found = self._questions.get(key)
        if found is None:
            selected = checklist.select(dict(audience)) if audience else checklist
            found = tuple((q.full_id, q.type) for q in selected.questions())
            self._questions[key] = found
        return found

    def read(self, doc: Any, source: str) -> tuple[Return | None, tuple[Diagnostic, ...]]:
        """The return in the JSON document ``doc`` (already parsed) from file ``source``."""

        def bad(
            message: str, pointer: str = "", hint: str = ""
        ) -> tuple[None, tuple[Diagnostic, ...]]:
            return None, (
                Diagnostic(
                    Code.REPORT_RETURN_SHAPE,
                    message,
                    source,
                    at=pointer,
                    hint=hint
                    or "give the return as 'safeguard returns check --format json' wrote it",
                ),
            )

        if not isinstance(doc, dict):
            return bad("the file is not a JSON object")
        set_id, version = doc.get("set"), doc.get("version")
        if not isinstance(set_id, str) or not isinstance(version, str):
            return bad("the return does not say which set and version it answers", "/set")
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
        if not isinstance(raw_audience, dict):
            return bad("'audience' is not an object of dimension and value", "/audience")
        audience = tuple(sorted((str(k), str(v)) for k, v in raw_audience.items()))
        blocks: dict[str, dict[str, Any]] = {}
        for name in ("answers", "evidence", "actions", "details"):
            block = doc.get(name) or {}
            if not isinstance(block, dict):
                return bad(f"'{name}' is not an object of field names and values", "/" + name)
            blocks[name] = block
        not_asked_raw = doc.get("not_asked") or ()
        not_asked = set(not_asked_raw) if isinstance(not_asked_raw, list) else set()
        given = blocks["answers"]
        text = self._text
        shared = self._shared
        answers: list[Answer] = []
        for full_id, qtype in self._questions_of(checklist, audience):
            raw = given.get(full_id)
            asked = full_id not in not_asked
            if text:
                value = _typed(qtype, raw)
                if value is _Bad:
                    return bad(
                        f"the answer to {full_id!r} is not a {qtype} answer",
                        "/answers/" + full_id,
                    )
                answers.append(
                    Answer(
                        question=full_id,
                        type=qtype,
                        value=value,  # type: ignore[arg-type]
                        evidence=str(blocks["evidence"].get(full_id) or ""),
                        action=str(blocks["actions"].get(full_id) or ""),
                        asked=asked,
                    )
                )
                continue
            key = (full_id, type(raw), tuple(raw) if isinstance(raw, list) else raw, asked)
            answer = shared.get(key)
            if answer is None:
                value = _typed(qtype, raw)
                if value is _Bad:
                    return bad(
                        f"the answer to {full_id!r} is not a {qtype} answer",
                        "/answers/" + full_id,
                    )
                answer = Answer(question=full_id, type=qtype, value=value, asked=asked)  # type: ignore[arg-type]
                shared[key] = answer
            answers.append(answer)
        details = tuple(
            DetailValue(str(k), str(v)) for k, v in blocks["details"].items() if isinstance(v, str)
        )
        src: dict[str, Any] = doc["source"] if isinstance(doc.get("source"), dict) else {}
        ret = Return(
            source=source,
            read_from=str(src.get("read_from") or source) if text else source,
            set=set_id,
            version=version,
            kind=str(doc.get("kind") or "form"),
            audience=audience,
            details=details,
            answers=tuple(answers),
            file_date=str(src.get("file_date") or ""),
            mapped_from=str(src.get("mapped_from") or ""),
        )
        return ret, ()


def from_dict(
    doc: Any, checklist: Checklist, source: str = "<return>", *, text: bool = True
) -> tuple[Return | None, tuple[Diagnostic, ...]]:
    """One return JSON document (see the module) read against ``checklist``."""
    return Reader({(checklist.id, checklist.version): checklist}, text=text).read(doc, source)

"""Last year's returns against this year's questions, through the typed diff.

Returns answer different versions (2024-25 and 2025-26; section 11 runs on a two-year cycle).
:func:`year_map` follows every question of the newest version back through the versions in
between (:func:`safeguard_standards.diff.diff` and its :meth:`~safeguard_standards.diff.Diff.
question_map`, one step per pair of versions) and says, for each, how last year's answers carry
over:

==================  ==============================================================================
status              meaning
==================  ==============================================================================
``same``            the same question, by the same id, asked the same way
``renamed``         its full id changed (its own or its standard's ``formerly``); answers carry over
``moved``           it is under another standard now; answers carry over
``reworded``        its text changed: "the question changed; compare with care"
``rescaled``        its rating scale (or its options) changed: each old level is mapped to the
                    new level with the same id, else the same score; levels with neither cannot
                    be compared and are left out
``not-comparable``  its answer type changed, or no old level maps: no previous figure
``new``             no earlier question (a question matched only by similar text counts as new,
                    with a note: the set should say ``formerly`` if it is the same question)
==================  ==============================================================================

and lists the questions of the oldest version that continue as none of the newest
(:attr:`YearMap.removed`): nothing is silently dropped. A question split in two continues as
the one that says ``formerly``; the other is new.

:func:`map_returns` rewrites last year's returns onto the newest version (their
``mapped_from`` says what they answered), so that :func:`.aggregate.aggregate` counts them with
the same definitions; :func:`comparison_tables` sets the two years side by side.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from ..model import Checklist, Question
from ..returns.model import Answer, AnswerValue, Return
from .table import Row, Table, cell, make_table, percent_text, suppressed

if TYPE_CHECKING:
    from .aggregate import Aggregate

__all__ = [
    "CAREFUL",
    "QuestionMapping",
    "Status",
    "YearMap",
    "comparison_table",
    "comparison_tables",
    "map_returns",
    "year_map",
]

Status = Literal["same", "renamed", "moved", "reworded", "rescaled", "not-comparable", "new"]

#: The note on a question whose text changed.
CAREFUL = "the question changed; compare with care"


@attrs.frozen(kw_only=True)
class QuestionMapping:
    """How answers to an old question carry over to one question of the newest version."""

    #: Full id in the newest version.
    id: str
    #: Full id in the oldest version ("" for a new question).
    old_id: str = ""
    status: Status = "new"
    #: The question's full id in each version, oldest first ("" where it did not exist).
    path: tuple[str, ...] = ()
    renamed: bool = False
    moved: bool = False
    reworded: bool = False
    rescaled: bool = False
    #: Old answer id (level, option, yes/no) → new answer id, for closed questions whose
    #: answers changed; empty when answers carry over as they are.
    answer_map: tuple[tuple[str, str], ...] = ()
    #: Old answer ids that cannot be compared (no level with the same id or score).
    unmapped: tuple[str, ...] = ()
    #: What a reader is told beside the comparison.
    notes: tuple[str, ...] = ()

    @property
    def comparable(self) -> bool:
        return self.status not in ("new", "not-comparable")

    def carry(self, value: AnswerValue) -> AnswerValue:
        """An old answer as an answer to the new question (None when it cannot be compared)."""
        if not self.comparable:
            return None
        if not self.answer_map and not self.unmapped:
            return value
        table = dict(self.answer_map)
        if isinstance(value, tuple):
            return tuple(table[v] for v in value if v in table)
        if isinstance(value, str):
            return table.get(value)
        return value


@attrs.frozen(kw_only=True)
class YearMap:
    """Every question of the newest version, traced to the oldest (see the module)."""

    #: ``set@version`` of each version, oldest first.
    versions: tuple[str, ...]
    questions: tuple[QuestionMapping, ...]
    #: Questions of the oldest version that continue as none of the newest: (id, text).
    removed: tuple[tuple[str, str], ...] = ()

    @property
    def old(self) -> str:
        return self.versions[0]

    @property
    def new(self) -> str:
        return self.versions[-1]

    def get(self, question: str) -> QuestionMapping:
        for q in self.questions:
            if q.id == question:
                return q
        raise KeyError(question)

    def by_old_id(self) -> dict[str, QuestionMapping]:
        """The mapping of each old question that continues, by its old full id."""
        return {q.old_id: q for q in self.questions if q.old_id}


def _answers(checklist: Checklist, q: Question) -> list[tuple[str, float | None, bool]]:
    """(id, score, scored) of each possible answer of a closed question."""
    if q.type == "rating":
        scale = checklist.scale(q.scale)
        return [(lv.id, lv.score, lv.scored) for lv in scale.levels] if scale else []
    if q.type == "yes-no":
        return [("yes", None, True), ("no", None, True)]
    return [(o.id, None, True) for o in q.options]


def _step_map(
    old: Checklist, oq: Question, new: Checklist, nq: Question
) -> tuple[dict[str, str], list[str]]:
    """Old answer id → new answer id for one step, and the old ids that map to none."""
    old_answers = _answers(old, oq)
    new_answers = _answers(new, nq)
    new_ids = {a for a, _, _ in new_answers}
    by_score: dict[float, list[str]] = {}
    for a, score, scored in new_answers:
        if scored and score is not None:
            by_score.setdefault(score, []).append(a)
    table: dict[str, str] = {}
    unmapped: list[str] = []
    for a, score, scored in old_answers:
        if a in new_ids:
            table[a] = a
        elif scored and score is not None and len(by_score.get(score, ())) == 1:
            table[a] = by_score[score][0]
        else:
            unmapped.append(a)
    return table, unmapped


@attrs.frozen
class _Step:
    old_id: str
    via: str
    moved: bool
    renamed: bool
    reworded: bool
    rescaled: bool
    type_changed: bool
    table: Mapping[str, str]
    unmapped: tuple[str, ...]
    similar: str = ""


def year_map(chain: Sequence[Checklist]) -> YearMap:
    """How the questions of ``chain[-1]`` continue those of ``chain[0]`` (see the module).

    ``chain`` is the versions in order, oldest first, each superseding the one before (two
    for last year and this; three or more across a cycle's versions)."""
    if not chain:
        raise ValueError("year_map needs at least one version")
    from ..diff import diff

    steps: list[dict[str, _Step]] = []
    for old, new in itertools.pairwise(chain):
        links = diff(old, new).question_map()
        step: dict[str, _Step] = {}
        for nq in new.questions():
            link = links.get(nq.full_id)
            if link is None or not link.certain:
                step[nq.full_id] = _Step(
                    "",
                    "new",
                    False,
                    False,
                    False,
                    False,
                    False,
                    {},
                    (),
                    similar=link.old_id if link is not None and link.via == "similar-text" else "",
                )
                continue
            oq = old.question(link.old_id)
            assert oq is not None
            step_table: dict[str, str] = {}
            step_unmapped: tuple[str, ...] = ()
            rescaled = (link.scale_changed or link.options_changed) and not link.type_changed
            if rescaled and nq.type in ("rating", "choice", "multi-choice"):
                step_table, u = _step_map(old, oq, new, nq)
                step_unmapped = tuple(u)
            step[nq.full_id] = _Step(
                link.old_id,
                link.via,
                link.moved,
                link.old_id != nq.full_id and not link.moved,
                link.text_changed,
                rescaled,
                link.type_changed,
                step_table,
                step_unmapped,
            )
        steps.append(step)

    last = chain[-1]
    out: list[QuestionMapping] = []
    continued: set[str] = set()
    for q in last.questions():
        path = [q.full_id]
        current = q.full_id
        renamed = moved = reworded = rescaled = type_changed = False
        table: dict[str, str] | None = None  # new answer id ← old, composed
        unmapped: set[str] = set()
        similar = ""
        for step in reversed(steps):
            s = step.get(current)
            if s is None or not s.old_id:
                similar = s.similar if s is not None else ""
                current = ""
                break
            renamed |= s.renamed
            moved |= s.moved
            reworded |= s.reworded
            type_changed |= s.type_changed
            if s.rescaled:
                rescaled = True
                # compose: old → (this step) → what later steps map it to
                later = table
                composed: dict[str, str] = {}
                lost = set(s.unmapped)
                for a, b in s.table.items():
                    if later is None:
                        composed[a] = b
                    elif b in later:
                        composed[a] = later[b]
                    else:
                        lost.add(a)
                table, unmapped = composed, lost
            elif table is not None:
                pass  # this step carries answers over as they are: the map stands
            current = s.old_id
            path.append(current)
        path.reverse()
        if not current:
            notes = ["new: no earlier question to compare with"]
            if similar:
                notes.append(
                    f"possibly continues {similar} (similar wording): if it is the same question, "
                    "the set should say formerly"
                )
            out.append(
                QuestionMapping(
                    id=q.full_id,
                    path=("",) * (len(chain) - len(path)) + tuple(path),
                    notes=tuple(notes),
                )
            )
            continue
        continued.add(current)
        status: Status
        notes = []
        answer_map = tuple(sorted(table.items())) if table is not None else ()
        comparable_levels = table is None or bool(table)
        if type_changed or not comparable_levels:
            status = "not-comparable"
            notes.append(
                "the answer type changed: cannot be compared"
                if type_changed
                else "no answer of the old scale maps to the new one: cannot be compared"
            )
        elif rescaled:
            status = "rescaled"
            notes.append("the rating scale or the options changed: answers mapped by id or score")
            if unmapped:
                notes.append(
                    "old answers that cannot be compared are left out: "
                    + ", ".join(sorted(unmapped))
                )
        elif reworded:
            status = "reworded"
        elif moved:
            status = "moved"
        elif renamed:
            status = "renamed"
        else:
            status = "same"
        if reworded and status != "not-comparable":
            notes.insert(0, CAREFUL)
        if current != q.full_id:
            notes.append(f"formerly {current}")
        out.append(
            QuestionMapping(
                id=q.full_id,
                old_id=current,
                status=status,
                path=tuple(path),
                renamed=renamed,
                moved=moved,
                reworded=reworded,
                rescaled=rescaled,
                answer_map=answer_map,
                unmapped=tuple(sorted(unmapped)),
                notes=tuple(notes),
            )
        )
    removed = tuple((q.full_id, q.text) for q in chain[0].questions() if q.full_id not in continued)
    return YearMap(versions=tuple(c.ref for c in chain), questions=tuple(out), removed=removed)


def map_returns(returns: Iterable[Return], chain: Sequence[Checklist]) -> tuple[Return, ...]:
    """Returns to ``chain[0]`` rewritten as answers to ``chain[-1]``'s questions (see the
    module); returns to other versions are left out. An answer that cannot be compared is
    marked not asked, so it counts neither as given nor as left empty."""
    mapping = year_map(chain)
    first, last = chain[0], chain[-1]
    links = [(m, m.old_id) for m in mapping.questions if m.comparable]
    out: list[Return] = []
    for ret in returns:
        if (ret.set, ret.version) != (first.id, first.version):
            continue
        answers: list[Answer] = []
        for m, old_id in links:
            old = ret.answer(old_id)
            if old is None:
                continue
            new_q = last.question(m.id)
            assert new_q is not None
            value = m.carry(old.value) if old.value is not None else None
            cannot = old.value is not None and (value is None or value == ())
            answers.append(
                Answer(
                    question=m.id,
                    type=new_q.type,
                    value=None if cannot else value,
                    evidence=old.evidence,
                    action=old.action,
                    asked=old.asked and not cannot,
                )
            )
        audience = tuple((k, v) for k, v in ret.audience if last.audience(k) is not None)
        out.append(
            attrs.evolve(
                ret,
                version=last.version,
                audience=audience,
                answers=tuple(answers),
                mapped_from=ret.version,
            )
        )
    return tuple(out)


def comparison_table(
    checklist: Checklist, previous: Aggregate, current: Aggregate, mapping: YearMap
) -> Table:
    """Last year against this year, question by question (see :func:`comparison_tables`)."""
    return comparison_tables(checklist, previous, current, mapping)[0]


def comparison_tables(
    checklist: Checklist, previous: Aggregate, current: Aggregate, mapping: YearMap
) -> tuple[Table, Table]:
    """Two tables: the share meeting each question last year (mapped) and this year, with the
    change in percentage points and the mapping's notes; and the same per standard. Questions
    removed are listed under the first; a share resting on fewer organisations than the
    threshold is suppressed."""
    threshold = current.threshold
    numbers = checklist.numbering()
    columns = [
        ("previous", f"Last year ({mapping.old.split('@', 1)[1]})"),
        ("current", f"This year ({mapping.new.split('@', 1)[1]})"),
        ("change", "Change (points)"),
        ("note", "Note"),
    ]
    rows: list[Row] = []
    suppressed_any = False
    prev_q = {q.id: q for q in previous.questions}
    for qf in current.questions:
        if not qf.measured:
            continue
        m = mapping.get(qf.id)
        label = f"{qf.number} {' '.join(qf.text.split())}"
        note = "; ".join(m.notes)
        now = qf.figures
        before = prev_q[qf.id].figures if qf.id in prev_q and m.comparable else None
        now_cell = (
            suppressed()
            if now.organisations < threshold
            else cell(now.share, percent_text(now.meeting, now.scored))
            if now.scored
            else cell(None, "–")
        )
        if before is None or not before.scored:
            before_cell = cell(None, "–")
            change = cell(None, "")
        elif before.organisations < threshold:
            before_cell, change = suppressed(), suppressed()
        else:
            before_cell = cell(before.share, percent_text(before.meeting, before.scored))
            change = (
                cell(now.share - before.share, f"{now.share - before.share:+d}")
                if not now_cell.suppressed and now.scored
                else cell(None, "")
            )
        suppressed_any |= now_cell.suppressed or before_cell.suppressed
        rows.append(Row(qf.id, label, (before_cell, now_cell, change, cell(note))))
    notes = [
        f"last year's returns answer {mapping.old}; they are mapped onto {mapping.new} through "
        "the changes between the versions",
    ]
    if suppressed_any:
        notes.append(f"suppressed (*): fewer than {threshold} organisations")
    if mapping.removed:
        notes.append(
            "removed since last year, not compared: "
            + "; ".join(f"{qid} ({' '.join(text.split())})" for qid, text in mapping.removed)
        )
    by_question = make_table(
        "year-on-year",
        "Share meeting each question: last year and this year",
        "Question",
        columns,
        rows,
        notes,
    )
    std_rows: list[Row] = []
    for st in checklist.standards():
        now = current.standards[st.full_id]
        if not now.scored:
            continue
        before = previous.standards.get(st.full_id)
        careful = [
            m
            for q in st.questions
            if (m := mapping.get(q.full_id)).status != "same" and q.full_id in prev_q
        ]
        note = (
            "questions changed since last year: compare with care"
            if any(m.status in ("reworded", "rescaled", "new", "not-comparable") for m in careful)
            else ""
        )
        now_cell = (
            suppressed()
            if now.organisations < threshold
            else cell(now.share, percent_text(now.meeting, now.scored))
        )
        if before is None or not before.scored:
            before_cell, change = cell(None, "–"), cell(None, "")
        elif before.organisations < threshold:
            before_cell, change = suppressed(), suppressed()
        else:
            before_cell = cell(before.share, percent_text(before.meeting, before.scored))
            change = (
                cell(now.share - before.share, f"{now.share - before.share:+d}")
                if not now_cell.suppressed
                else cell(None, "")
            )
        std_rows.append(
            Row(
                st.full_id,
                f"{numbers.get(st.full_id, '')} {st.title}".strip(),
                (before_cell, now_cell, change, cell(note)),
            )
        )
    by_standard = make_table(
        "year-on-year:standards",
        "Share meeting each standard: last year and this year",
        "Standard",
        columns,
        std_rows,
        notes[:2],
    )
    return by_question, by_standard

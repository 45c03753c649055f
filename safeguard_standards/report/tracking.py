"""Year-2 monitoring: this year's action-plan updates against last year's actions.

Input. Last year's actions are :class:`Action` values, from last year's returns (each answer's
action box, :func:`actions_from_returns`) or from last year's action plans; this year's updates
are the action plans the organisations send back, in the layout ``safeguard render --as
action-plan --format csv`` writes (columns Ref, Id, Section, Standard, [Question], Finding,
Action, Lead, Target date, RAG, Progress, Evidence of impact), read by
:func:`read_action_plan`. A plan for several organisations may add an **Organisation** column
(the roster id); otherwise the caller says whose plan it is. Rows are keyed by (organisation,
id), the id being a question's or a standard's full id; last year's ids are carried onto this
year's through ``renamed`` (old id → new id, :meth:`.yoy.YearMap.by_old_id`).

Status of each (organisation, id), as of a given date:

==============  ==============================================================================
status          when
==============  ==============================================================================
``done``        this year's row says so: Progress (or a Status column) says done, complete,
                completed, achieved or closed (not "not complete" or "incomplete"), or RAG is
                blue (BRAG: blue = complete)
``dropped``     last year's action has no row this year, or its row says dropped, withdrawn,
                removed, cancelled or "no longer"
``overdue``     not done, and its target date is before the as-of date
``on-track``    not done, and its target date is on or after the as-of date
``no-date``     not done, and no target date given: it cannot be tracked by date
``new``         a row this year for an id with no action last year (and not done)
==============  ==============================================================================

A new row that is already done counts as done. Free text (the action) is shown only when the
personal-data guardrail finds nothing in it; otherwise it is withheld, and the table says so.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from ..diagnostics import Code, Diagnostic
from ..returns.model import Return
from .table import Row, Table, cell, make_table, percent_text

__all__ = [
    "STATUSES",
    "Action",
    "Status",
    "Tracked",
    "Tracking",
    "actions_from_returns",
    "read_action_plan",
    "track",
]

Status = Literal["done", "on-track", "overdue", "no-date", "dropped", "new"]
#: Every status, in the order tables show them.
STATUSES: tuple[Status, ...] = ("done", "on-track", "overdue", "no-date", "dropped", "new")
_LABELS = {
    "done": "Done",
    "on-track": "On track",
    "overdue": "Overdue",
    "no-date": "No target date",
    "dropped": "Dropped",
    "new": "New",
}

_DONE = re.compile(r"\b(done|complete|completed|achieved|closed)\b", re.IGNORECASE)
_NOT_DONE = re.compile(r"\b(not|in)\s*complete|\bincomplete\b|\bnot\s+(yet\s+)?done\b", re.I)
_DROPPED = re.compile(r"\b(dropped|withdrawn|removed|cancell?ed)\b|\bno longer\b", re.IGNORECASE)
_WITHHELD = "[withheld: the text may hold personal data]"


@attrs.frozen(kw_only=True)
class Action:
    """One action of an organisation's plan, keyed by (organisation, id)."""

    organisation: str
    #: A question's or a standard's full id.
    id: str
    action: str = ""
    target_date: datetime.date | None = None
    progress: str = ""
    rag: str = ""
    #: Where it was read (``plan.csv:row 4``), for messages.
    where: str = ""


def actions_from_returns(
    returns: Iterable[Return], organisation_of: Mapping[str, str] | None = None
) -> tuple[Action, ...]:
    """Every answer's action in ``returns``, as last year's actions. The organisation is
    ``organisation_of[ret.source]`` when given, else the return file's name without extension
    (the roster id, see :mod:`.roster`)."""
    from .roster import return_key

    out: list[Action] = []
    for ret in returns:
        org = (organisation_of or {}).get(ret.source) or return_key(ret)
        for a in ret.answers:
            if a.action:
                out.append(
                    Action(organisation=org, id=a.question, action=a.action, where=ret.source)
                )
    return tuple(out)


def _date(text: str) -> datetime.date | None:
    text = text.strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        return datetime.date(int(m[3]), int(m[2]), int(m[1]))  # may raise: caught by caller
    raise ValueError(text)


def read_action_plan(
    text: str, source: str = "action-plan.csv", organisation: str = ""
) -> tuple[tuple[Action, ...], tuple[Diagnostic, ...]]:
    """The rows of an action-plan CSV (see the module) that name an action, a progress or a
    RAG, and the problems met (SG601, located by row and column). Dates are ISO
    (``2026-03-31``) or day/month/year (``31/03/2026``)."""
    problems: list[Diagnostic] = []

    def problem(message: str, hint: str, row: int, column: str = "") -> None:
        at = f"row {row}" + (f":column {column}" if column else "")
        problems.append(Diagnostic(Code.REPORT_ACTION_PLAN, message, source, hint=hint, at=at))

    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        problem(
            f"the action plan is not a CSV file that can be read: {exc}", "save it again as CSV", 1
        )
        return (), tuple(problems)
    if not rows:
        return (), ()
    head = [h.strip() for h in rows[0]]
    lower = [h.casefold() for h in head]

    def col(*names: str) -> int | None:
        for n in names:
            if n in lower:
                return lower.index(n)
        return None

    i_id = col("id")
    if i_id is None:
        problem(
            "the action plan has no Id column",
            "keep the columns of the action plan as it was given out (Ref, Id, …)",
            1,
        )
        return (), tuple(problems)
    i_org = col("organisation", "organisation id", "org")
    i_action, i_date = col("action"), col("target date", "target_date")
    i_progress, i_rag, i_status = col("progress"), col("rag"), col("status")
    out: list[Action] = []
    for number, row in enumerate(rows[1:], start=2):

        def get(i: int | None, row: Sequence[str] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        action, progress = get(i_action), " ".join(p for p in (get(i_progress), get(i_status)) if p)
        rag, raw_date = get(i_rag), get(i_date)
        if not (action or progress or rag or raw_date):
            continue  # a row of the skeleton left blank
        qid = get(i_id)
        if not qid:
            problem(
                "this row has an action but no Id",
                "put back the Id of the standard or question the action is for",
                number,
                head[i_id],
            )
            continue
        org = get(i_org) or organisation
        if not org:
            problem(
                "this row does not say which organisation it is from",
                "add an Organisation column with the roster id, or give one plan per organisation",
                number,
            )
            continue
        target: datetime.date | None = None
        if raw_date:
            try:
                target = _date(raw_date)
            except ValueError:
                assert i_date is not None
                problem(
                    f"the target date {raw_date!r} is not a date",
                    "write it as 2026-03-31 or 31/03/2026",
                    number,
                    head[i_date],
                )
                continue
        out.append(
            Action(
                organisation=org,
                id=qid,
                action=action,
                target_date=target,
                progress=progress,
                rag=rag,
                where=f"{source}:row {number}",
            )
        )
    return tuple(out), tuple(problems)


@attrs.frozen(kw_only=True)
class Tracked:
    """One (organisation, id) and its status."""

    organisation: str
    id: str
    status: Status
    #: The action's text (this year's if given, else last year's), or the withheld marker.
    action: str = ""
    target_date: datetime.date | None = None
    progress: str = ""
    #: The id last year's action had, when the question was renamed since.
    formerly: str = ""


@attrs.frozen(kw_only=True)
class Tracking:
    """Every tracked action, and the tables for the report."""

    as_of: datetime.date
    items: tuple[Tracked, ...]
    withheld: int
    tables: tuple[Table, ...]

    def counts(self, organisation: str | None = None) -> dict[str, int]:
        """How many of each status (for one organisation, or overall), every status listed."""
        c = Counter(i.status for i in self.items if organisation in (None, i.organisation))
        return {s: c[s] for s in STATUSES}


def _status(row: Action | None, was: Action | None, as_of: datetime.date) -> Status:
    if row is None:
        return "dropped"
    words = f"{row.progress} {row.rag}"
    if row.rag.strip().casefold() == "blue" or (
        _DONE.search(words) and not _NOT_DONE.search(words)
    ):
        return "done"
    if _DROPPED.search(row.progress):
        return "dropped"
    if was is None:
        return "new"
    if row.target_date is None:
        return "no-date"
    return "overdue" if row.target_date < as_of else "on-track"


def _safe(text: str) -> tuple[str, bool]:
    if not text:
        return "", False
    from ..returns.privacy import scan

    return (_WITHHELD, True) if scan(text) else (text, False)


def track(
    previous: Iterable[Action],
    current: Iterable[Action],
    as_of: datetime.date,
    *,
    renamed: Mapping[str, str] | None = None,
    organisations: Mapping[str, str] | None = None,
    name_organisations: bool = False,
) -> Tracking:
    """The status of every action (see the module) as of ``as_of``.

    ``renamed`` maps last year's ids to this year's. ``organisations`` maps ids to names,
    shown only with ``name_organisations``.
    """
    moved = dict(renamed or {})
    before: dict[tuple[str, str], tuple[Action, str]] = {}
    for a in previous:
        new_id = moved.get(a.id, a.id)
        before.setdefault((a.organisation, new_id), (a, a.id if new_id != a.id else ""))
    now: dict[tuple[str, str], Action] = {}
    for a in current:
        now.setdefault((a.organisation, a.id), a)
    keys = sorted(set(before) | set(now))
    items: list[Tracked] = []
    withheld = 0
    for key in keys:
        was, formerly = before.get(key, (None, ""))
        row = now.get(key)
        status = _status(row, was, as_of)
        text, flagged = _safe(
            (row.action if row is not None and row.action else "") or (was.action if was else "")
        )
        withheld += flagged
        items.append(
            Tracked(
                organisation=key[0],
                id=key[1],
                status=status,
                action=text,
                target_date=row.target_date if row is not None else None,
                progress=row.progress if row is not None else "",
                formerly=formerly,
            )
        )
    return _tables(as_of, items, withheld, organisations or {}, name_organisations)


def _tables(
    as_of: datetime.date,
    items: list[Tracked],
    withheld: int,
    names: Mapping[str, str],
    name_organisations: bool,
) -> Tracking:
    columns = [(s, _LABELS[s]) for s in STATUSES] + [("total", "Total"), ("done-share", "Done")]
    orgs = sorted({i.organisation for i in items})
    rows = []
    for org in [*orgs, ""]:
        c = Counter(i.status for i in items if org in ("", i.organisation))
        total = sum(c.values())
        label = (
            "All organisations"
            if not org
            else f"{names.get(org, org)} ({org})"
            if name_organisations and org in names
            else org
        )
        rows.append(
            Row(
                org or "all",
                label,
                (
                    *(cell(c[s]) for s in STATUSES),
                    cell(total),
                    cell(c["done"], percent_text(c["done"], total)),
                ),
            )
        )
    summary = make_table(
        "tracking",
        f"Action plans as of {as_of.isoformat()}",
        "Organisation",
        columns,
        rows,
        [
            "done: marked complete (or blue); overdue: not done and past its target date; "
            "dropped: not carried forward or marked dropped; new: not in last year's plan",
        ],
    )
    detail_rows = [
        Row(
            f"{i.organisation}/{i.id}",
            i.organisation,
            (
                cell(i.id),
                cell(i.status, _LABELS[i.status]),
                cell(i.target_date.isoformat() if i.target_date else ""),
                cell(i.action),
                cell(i.formerly),
            ),
        )
        for i in items
    ]
    notes = []
    if withheld:
        notes.append(
            f"withheld: {withheld} action text(s) that may hold personal data; see the "
            "organisation's own plan"
        )
    detail = make_table(
        "tracking:actions",
        "Every action and its status",
        "Organisation",
        [
            ("id", "Id"),
            ("status", "Status"),
            ("target", "Target date"),
            ("action", "Action"),
            ("formerly", "Last year's id"),
        ],
        detail_rows,
        notes,
    )
    return Tracking(as_of=as_of, items=tuple(items), withheld=withheld, tables=(summary, detail))

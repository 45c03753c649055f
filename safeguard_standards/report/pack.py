"""From files of completed returns to the partnership's assurance pack: the library call behind
``safeguard report``.

:func:`read_returns` reads every file with the real readers (:func:`~safeguard_standards.
returns.read.read_path`) and checks it with :func:`~safeguard_standards.returns.check.
check_many`, exactly as ``safeguard returns check`` does. A return the checker could not type
(unreadable, not a return, a set or version that is not known) is **rejected**, with its
diagnostics; every other return is **used**, and its problems (a required answer left blank,
an invalid value: counted as not answered) are counted by code in the report.

:func:`choose_version` picks the version reported on: the set and version most returns
answer (ties: the newer version); returns to other sets or versions are left out and listed.

:func:`feedback_pack` makes one feedback document per organisation, serially or over a pool
of processes (``jobs``); the documents do not depend on each other, so the bytes are the same
either way.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, Diagnostic, SafeguardError
from ..model import Checklist
from ..returns.model import Return
from .roster import Organisation, Roster, return_key
from .views import Ledger

if TYPE_CHECKING:
    from ..returns.check import Checked
    from ..sets import Registry
    from .aggregate import Aggregate
    from .comments import Comments
    from .panel import Selection

__all__ = ["Read", "choose_version", "feedback_pack", "ledger_for", "read_returns"]


@attrs.frozen
class Read:
    """Checked returns: those used, and those rejected with their diagnostics."""

    used: tuple[Return, ...]
    rejected: tuple[tuple[str, tuple[Diagnostic, ...]], ...]
    #: Diagnostics of the returns used.
    problems: tuple[Diagnostic, ...] = ()


def files_of(targets: Iterable[str]) -> list[str]:
    """Each target; a folder's files, by path in sorted order (hidden ones skipped)."""
    out: list[str] = []
    for target in targets:
        if not os.path.isdir(target):
            out.append(target)
            continue
        found: list[tuple[tuple[str, ...], str]] = []
        for top, dirs, names in os.walk(target):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel = os.path.relpath(top, target)
            parts = () if rel == os.curdir else tuple(rel.split(os.sep))
            found.extend(
                ((*parts, n), os.path.join(top, n)) for n in names if not n.startswith(".")
            )
        out.extend(p for _, p in sorted(found))
    return out


def read_returns(
    paths: Sequence[str],
    registry: Registry | None = None,
    *,
    skip: Iterable[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> Read:
    """Read and check every file (see the module); ``skip`` are files that are not returns
    (the roster, the comments file) and are left out silently."""
    from ..returns.batch import read_or_report
    from ..returns.check import check_many

    skipped = {os.path.abspath(s) for s in skip}
    todo = [p for p in paths if os.path.abspath(p) not in skipped]

    def raws() -> Iterable[Any]:
        for n, p in enumerate(todo, start=1):
            if progress is not None:
                progress(n, len(todo), p)
            yield read_or_report(p)

    checked: tuple[Checked, ...] = check_many(raws(), registry)
    used: list[Return] = []
    rejected: list[tuple[str, tuple[Diagnostic, ...]]] = []
    problems: list[Diagnostic] = []
    for c in checked:
        if c.return_ is None:
            rejected.append((c.source, c.diagnostics))
        else:
            used.append(c.return_)
            problems.extend(c.diagnostics)
    return Read(tuple(used), tuple(rejected), tuple(problems))


def choose_version(returns: Sequence[Return], registry: Registry) -> tuple[str, str]:
    """The (set, version) most ``returns`` answer; ties go to the newer version."""
    if not returns:
        raise SafeguardError(
            Code.REPORT_NO_RETURNS,
            "no return can be used: every file was rejected",
            "run safeguard returns check on the files to see why",
        )
    counts = Counter((r.set, r.version) for r in returns)

    def newness(key: tuple[str, str]) -> int:
        versions = registry.versions(key[0])
        return versions.index(key[1]) if key[1] in versions else -1

    return max(counts, key=lambda k: (counts[k], newness(k), k))


def chain_between(registry: Registry, set_id: str, old: str, new: str) -> list[Checklist]:
    """Every version of ``set_id`` from ``old`` to ``new``, oldest first."""
    versions = list(registry.versions(set_id))
    if old not in versions or new not in versions or versions.index(old) > versions.index(new):
        return []
    return [
        registry.get(set_id, v).unwrap()
        for v in versions[versions.index(old) : versions.index(new) + 1]
    ]


def ledger_for(
    read: Read,
    checklist: Checklist,
    extra_rejected: Iterable[tuple[str, tuple[Diagnostic, ...]]] = (),
) -> tuple[Ledger, list[Return]]:
    """The returns to ``checklist`` and the ledger of what was used and rejected (returns to
    another set or version are rejected with SG604)."""
    mine: list[Return] = []
    rejected = list(read.rejected)
    for r in read.used:
        if (r.set, r.version) == (checklist.id, checklist.version):
            mine.append(r)
        else:
            rejected.append(
                (
                    r.source,
                    (
                        Diagnostic(
                            Code.REPORT_RETURN_SKIPPED,
                            f"the return answers {r.set}@{r.version}, not {checklist.ref}",
                            r.source,
                            hint="report on each set and version separately",
                        ),
                    ),
                )
            )
    rejected += list(extra_rejected)
    sources = {r.source for r in mine}
    counts: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for d in read.problems:
        if d.source in sources:
            counts[d.code.code] += 1
            titles[d.code.code] = d.code.title
    return (
        Ledger(
            used=tuple((r.source, f"{r.set}@{r.version}") for r in mine),
            rejected=tuple(rejected),
            problems=tuple((c, titles[c], counts[c]) for c in sorted(counts)),
            versions=(checklist.ref,),
        ),
        mine,
    )


# -- feedback, in parallel ------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


@attrs.frozen(kw_only=True)
class FeedbackJob:
    """Everything a feedback document needs besides its return (sent once to each worker)."""

    checklist: Checklist
    peers: tuple[dict[tuple[str, str], Aggregate], Aggregate]
    comments: Comments | None
    panel: Selection | None
    threshold: int
    generated_on: str | None
    fmt: str


def _init(job: FeedbackJob) -> None:
    _STATE["job"] = job


def _one(item: tuple[Return, Organisation | None]) -> tuple[str, bytes]:
    from .documents import write_document
    from .views import feedback_view

    job: FeedbackJob = _STATE["job"]
    ret, org = item
    view = feedback_view(
        job.checklist,
        ret,
        org,
        job.peers,
        comments=job.comments,
        panel=job.panel,
        threshold=job.threshold,
        generated_on=job.generated_on,
    )
    return f"{view.name}.{job.fmt}", write_document(view, job.fmt, job.generated_on)


def feedback_pack(
    checklist: Checklist,
    returns: Sequence[Return],
    *,
    roster: Roster | None = None,
    fmt: str = "pdf",
    comments: Comments | None = None,
    panel: Selection | None = None,
    threshold: int = 3,
    generated_on: str | None = None,
    only: str | None = None,
    jobs: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[tuple[str, bytes]]:
    """One feedback document per organisation (``only``: that organisation's), as (file name,
    bytes), in the order of the returns; ``jobs`` processes share the work (1: this one)."""
    from .views import peer_groups

    items: list[tuple[Return, Organisation | None]] = []
    for r in returns:
        org = roster.match(r) if roster is not None else None
        oid = org.id if org is not None else return_key(r)
        if only is None or oid == only:
            items.append((r, org))
    if only is not None and not items:
        known = sorted(
            (o.id if (o := roster.match(r) if roster else None) else return_key(r)) for r in returns
        )
        from ..diagnostics import did_you_mean

        raise SafeguardError(
            Code.REPORT_OPTION,
            f"--org {only!r}: no return used in this report is from that organisation"
            + did_you_mean(only, known),
            "give the organisation's roster id (or its return file's name without extension)",
        )
    job = FeedbackJob(
        checklist=checklist,
        peers=peer_groups(checklist, returns, threshold),
        comments=comments,
        panel=panel,
        threshold=threshold,
        generated_on=generated_on,
        fmt=fmt,
    )
    out: list[tuple[str, bytes]] = []
    total = len(items)
    if jobs <= 1 or total < 2:
        _init(job)
        for n, item in enumerate(items, start=1):
            out.append(_one(item))
            if progress is not None:
                progress(n, total, out[-1][0])
        return out
    import multiprocessing

    ctx = multiprocessing.get_context("spawn" if os.name != "posix" else "fork")
    with ctx.Pool(jobs, initializer=_init, initargs=(job,)) as pool:
        for n, result in enumerate(pool.imap(_one, items, chunksize=1), start=1):
            out.append(result)
            if progress is not None:
                progress(n, total, result[0])
    return out

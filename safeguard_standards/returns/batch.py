"""Checking a folder of returns: read and check many files, on every core where it pays.

:func:`check_paths` reads each file (:func:`.read.read_path`) and checks it
(:func:`.check.check`), then marks returns from the same organisation (SG553), as
:func:`.check.check_many` does. The results are in the order of the paths and the same
however the work is shared (the tests compare the ways).

Reading a filled PDF, Word or Excel form takes tens of milliseconds; a JSON return is read and
checked in about as long as its checked result takes to pickle and send back from another
process (benchmarks/returns.py measures both). So with enough PDF, Word and Excel files,
worker processes (one per core, started by fork where there is fork, sharing the sets already
loaded) read and check those, while this process checks the JSON ones; with few, or only
JSON, everything is done here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..diagnostics import Code, Diagnostic
from .raw import RawReturn

if TYPE_CHECKING:
    from ..sets import Registry
    from .check import Checked

__all__ = ["MIN_HEAVY_FILES", "check_exports", "check_paths", "read_or_report"]

#: Files to read (PDF, Word, Excel: tens of milliseconds each) below which no worker is
#: started: starting the workers costs about what reading this many does.
MIN_HEAVY_FILES = 8

#: Told each file's number (1-based, in the order they are done) and path as it is checked.
Progress = Callable[[int, str], None]


def _light(path: str) -> bool:
    """Whether checking the file costs less than sending its result back from a worker (a JSON
    return: reading and checking it takes about as long as pickling its result). Only where a
    file is checked depends on this, never what is found."""
    return path.lower().endswith(".json")


def read_or_report(path: str) -> RawReturn:
    """The raw return in the file at ``path``; a reader's own failure (a bug) becomes a
    diagnostic, so the other files are still checked (``SAFEGUARD_DEBUG=1`` raises it)."""
    from .read import read_path

    try:
        return read_path(path)
    except Exception as exc:
        if os.environ.get("SAFEGUARD_DEBUG"):
            raise
        return RawReturn(
            source=path,
            format="",
            problems=(
                Diagnostic(
                    Code.RETURN_UNREADABLE,
                    f"{path} cannot be read: an internal error ({type(exc).__name__}) in the "
                    "reader",
                    path,
                    hint="this is a bug in safeguard-standards, not in the return: run again "
                    "with SAFEGUARD_DEBUG=1 to see the details, and report them",
                ),
            ),
        )


# -- the workers -----------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start(registry: Registry, as_version: str | None, strict: bool) -> None:
    _worker.update(registry=registry, as_version=as_version, strict=strict, cache={})


def _check_one(path: str) -> Checked:
    from .check import check

    return check(
        read_or_report(path),
        _worker["registry"],
        as_version=_worker["as_version"],
        strict=_worker["strict"],
        _cache=_worker["cache"],
    )


def _cores() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores or 1


def _pool(registry: Registry, as_version: str | None, strict: bool, jobs: int) -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork shares what this process has loaded (the registry's sets) without pickling it
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return context.Pool(jobs, initializer=_start, initargs=(registry, as_version, strict))


def check_paths(
    paths: Sequence[str],
    registry: Registry | None = None,
    *,
    as_version: str | None = None,
    strict: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    duplicates: bool = True,
) -> tuple[Checked, ...]:
    """Read and check each file of ``paths``; the results in the order of ``paths``.

    ``jobs`` is the number of worker processes: None lets the files decide (workers, one per
    core, read the PDF, Word and Excel files while this process checks the JSON ones, when
    there are at least :data:`MIN_HEAVY_FILES` of them); 1 checks every file here; more sends
    every file to that many workers. ``progress`` is told each file as it is checked. The
    results are the same whichever way the files are checked. ``duplicates=False`` leaves out
    the last step (SG553), for a caller that adds other returns first (:func:`check_exports`).
    """
    from ..sets import Registry
    from .check import check, with_duplicates

    reg = registry or Registry()
    if jobs is None:
        heavy = [i for i, p in enumerate(paths) if not _light(p)]
        workers = _cores() if len(heavy) >= MIN_HEAVY_FILES else 1
    else:
        heavy = list(range(len(paths)))
        workers = max(1, min(jobs, len(paths)))
    if workers <= 1:
        heavy = []
    results: list[Checked | None] = [None] * len(paths)
    done = 0

    def tell(path: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, path)

    cache: dict[tuple[Any, ...], Any] = {}

    def here(i: int) -> None:
        tell(paths[i])
        results[i] = check(
            read_or_report(paths[i]), reg, as_version=as_version, strict=strict, _cache=cache
        )

    pool = None
    if heavy:
        try:
            pool = _pool(reg, as_version, strict, workers)
        except OSError:  # no processes to be had (a sandbox, a limit): this one does it all
            heavy = []
    sent = set(heavy)
    try:
        far: Iterator[Checked] = iter(())
        if pool is not None:
            chunk = max(1, min(8, len(heavy) // (workers * 8)))
            far = pool.imap(_check_one, [paths[i] for i in heavy], chunksize=chunk)
        for i in range(len(paths)):  # the light files here meanwhile
            if i not in sent:
                here(i)
        for i, c in zip(heavy, far, strict=True):
            tell(paths[i])
            results[i] = c
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    done_all = (c for c in results if c is not None)
    return with_duplicates(done_all) if duplicates else tuple(done_all)


def check_exports(
    paths: Sequence[str],
    registry: Registry | None = None,
    *,
    as_version: str | None = None,
    strict: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    tool: str | None = None,
    mapping: object | None = None,
) -> tuple[Checked, ...]:
    """:func:`check_paths`, where a file may be a survey tool's export of many responses
    (:func:`.read.read_all_path`; ``tool`` and ``mapping`` as there): each response is a
    return, in the file's order, and the other files are checked as :func:`check_paths` does.
    """
    from .._files import FileProblem, read_regular
    from ..sets import Registry
    from .check import check, with_duplicates
    from .read import MAX_RETURN_BYTES, export_kind, read_all_path

    reg = registry or Registry()

    def is_export(path: str) -> bool:
        if tool is not None or mapping is not None:
            return True
        try:
            return export_kind(read_regular(path, MAX_RETURN_BYTES), path) is not None
        except FileProblem:
            return False

    exports = {i for i, p in enumerate(paths) if is_export(p)}
    if not exports:
        return check_paths(
            paths, reg, as_version=as_version, strict=strict, jobs=jobs, progress=progress
        )
    plain = [p for i, p in enumerate(paths) if i not in exports]
    done_plain = iter(
        check_paths(
            plain,
            reg,
            as_version=as_version,
            strict=strict,
            jobs=jobs,
            progress=progress,
            duplicates=False,
        )
    )
    cache: dict[tuple[Any, ...], Any] = {}
    out: list[Checked] = []
    for i, path in enumerate(paths):
        if i not in exports:
            out.append(next(done_plain))
            continue
        if progress is not None:
            progress(len(out) + 1, path)
        try:
            raws = read_all_path(path, tool=tool, mapping=mapping, registry=reg)
        except Exception:
            if os.environ.get("SAFEGUARD_DEBUG"):
                raise
            raws = [read_or_report(path)]
        out += [check(r, reg, as_version=as_version, strict=strict, _cache=cache) for r in raws]
    return with_duplicates(out)

"""Writing an output file: the one place every command (and the library) goes through.

What ``write_atomic`` does with the path it is given depends on what is there:

* nothing yet, or a **regular file**: the data goes into a temporary file in the same folder
  (``.NAME.safeguard-XXXXXXXX.part``), which is then renamed over the target. An interrupted
  write leaves any previous file untouched, never a half-written one; a replaced file keeps
  its permissions.
* a **symbolic link** is followed: the file it leads to is replaced as above and the link
  stays a link. A link that leads nowhere (dangling) or round in a loop is refused.
* a **character device or named pipe** (``/dev/null``, a terminal, a FIFO), or an open
  stream of this process (``/dev/stdout``, ``/dev/fd/1``: whatever standard output is, even
  a file opened with ``>>``), is written straight through (appending), never replaced. A
  pipe nobody reads from is refused rather than waited on.
* a **folder**, a **block device** (a disk) or a **socket** is refused.
* a path that is one of ``inputs`` (the same file by device and inode, however it is
  reached: a symbolic link, a hard link, ``./``) is refused before anything is written.

A temporary file left by a writer that was killed (``kill -9``, a power cut) is removed by
the next write into the same folder, when it is certainly ours and certainly abandoned: its
name has our pattern, it is a regular file owned by this user, no process holds the lock
every writer keeps on its temporary file, and it is a few seconds old.

Every refusal and failure is an :class:`OutputError` (an ``OSError``) with a diagnostic code:
SG410 the output is an input, SG411 not something a document can be written to, SG412 the
folder is missing or may not be written to, SG413 the write itself failed (disk full, over
quota, an input/output error).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import Code, SafeguardError

try:  # POSIX; elsewhere abandoned temporary files are simply not cleaned up
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["OutputError", "check_output", "write_atomic"]

#: The temporary file's name is ``.`` + the target's name + this + 8 random characters + ``.part``.
PART_MARK = ".safeguard-"
_PART = re.compile(r"^\..+\.safeguard-[a-z0-9_]{8}\.part$")
#: A temporary file younger than this is never removed, even when nobody holds its lock
#: (the lock is taken just after the file is created).
STALE_AFTER = 3.0

#: errno values that mean the write itself failed, not that the path is wrong.
_SPACE = "free some space (or ask for more), or write somewhere else with -o"
WRITE_FAILED = {
    errno.ENOSPC: ("no space is left on the disk", _SPACE),
    errno.EDQUOT: ("the disk quota is used up", _SPACE),
    errno.EIO: (
        "the disk reported an input/output error",
        "the disk may be failing or was disconnected: write somewhere else with -o",
    ),
    errno.EFBIG: ("the file would be larger than the disk allows", "write to another disk"),
}


#: errno values that mean the path is the problem: (code, reason, hint).
PATH_PROBLEMS: dict[int, tuple[Code, str, str]] = {
    errno.EACCES: (
        Code.OUTPUT_FOLDER,
        "permission denied",
        "check that you may write to that folder, or choose another path with -o",
    ),
    errno.EROFS: (
        Code.OUTPUT_FOLDER,
        "the disk is read-only",
        "choose a path on a disk you can write to with -o",
    ),
    errno.ENOTDIR: (
        Code.OUTPUT_FOLDER,
        "a part of the path is a file, not a folder",
        "check the path, or choose another path with -o",
    ),
    errno.ENOENT: (
        Code.OUTPUT_FOLDER,
        "the folder does not exist",
        "check that the folder exists, create it first, or choose another path with -o",
    ),
    errno.ENAMETOOLONG: (
        Code.OUTPUT_NOT_A_FILE,
        "the name is too long for the system",
        "choose a shorter file name with -o",
    ),
}
PATH_PROBLEMS[errno.EPERM] = PATH_PROBLEMS[errno.EACCES]


class OutputError(SafeguardError, OSError):
    """An output that cannot or may not be written. ``entry`` says which kind (SG410–SG413)."""

    def __init__(self, code: Code, path: str, message: str, hint: str, err: int = 0) -> None:
        SafeguardError.__init__(self, code, message, hint, path)
        OSError.__init__(self, err or errno.EINVAL, message, path)  # errno, strerror, filename
        self.path = path

    @property
    def is_usage(self) -> bool:
        """True when the path is the problem (another path would do); False when writing failed."""
        return self.exit_status == 2

    def __str__(self) -> str:
        return f"{self.path}: {self.code} {self.message}"


def write_failed(exc: OSError, where: str, label: str) -> OutputError:
    """The OutputError for an OSError raised while writing ``label`` (a path or a stream)."""
    where = f" {where}" if where else ""
    failed = WRITE_FAILED.get(exc.errno or 0)
    if failed is not None:
        reason, hint = failed
        return OutputError(
            Code.OUTPUT_FAILED,
            label,
            f"cannot write{where}: {reason}",
            f"{hint}; a file that was there before is unchanged",
            exc.errno or 0,
        )
    wrong = PATH_PROBLEMS.get(exc.errno or 0)
    if wrong is not None:
        code, reason, hint = wrong
        return OutputError(code, label, f"cannot write{where}: {reason}", hint, exc.errno or 0)
    return OutputError(
        Code.OUTPUT_FAILED,
        label,
        f"cannot write{where}: {exc.strerror or exc}",
        "write somewhere else with -o; a file that was there before is unchanged",
        exc.errno or 0,
    )


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _not_a_file(label: str, message: str, hint: str) -> OutputError:
    return OutputError(Code.OUTPUT_NOT_A_FILE, label, message, hint)


def _through_proc(path: str | os.PathLike[str]) -> bool:
    """True when following the links of ``path`` passes through ``/proc`` (``/dev/stdout``).

    ``os.path.realpath`` cannot tell: it resolves ``/proc/self/fd/1`` to the file standard
    output was redirected to, which must then be appended to, not replaced.
    """
    current = os.path.abspath(path)
    try:
        for _ in range(40):
            folder = os.path.realpath(os.path.dirname(current))
            if folder == "/proc" or folder.startswith("/proc/"):
                return True
            here = os.path.join(folder, os.path.basename(current))
            if not os.path.islink(here):
                return False
            current = os.path.normpath(os.path.join(folder, os.readlink(here)))
    except (OSError, ValueError):
        return False
    return False


def _inspect(target: Path, label: str) -> tuple[Path, os.stat_result | None, bool]:
    """Where to write (symbolic links followed), what is there (None: nothing yet), and
    whether it must be written through rather than replaced."""
    try:
        link = os.lstat(target)
    except FileNotFoundError:
        link = None
    except ValueError:
        raise _not_a_file(
            label, "the path contains a NUL character", "check the path given with -o"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _not_a_file(
                label,
                "the path goes round a loop of symbolic links",
                "check the links in the path, or choose another path with -o",
            ) from None
        raise write_failed(exc, "", label) from None
    if link is not None and stat.S_ISLNK(link.st_mode):
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            raise _not_a_file(
                label,
                f"this is a symbolic link to {os.readlink(target)}, which does not exist",
                "point the link at a file, remove it, or choose another path with -o",
            ) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _not_a_file(
                    label,
                    "this is a symbolic link that goes round in a loop",
                    "remove the link or point it at a file, or choose another path with -o",
                ) from None
            raise write_failed(exc, "", label) from None
        if _through_proc(target):
            # /dev/stdout, /dev/fd/N: an open stream of this process (a pipe, a terminal, a
            # file opened with > or >>), not a name to replace
            return target, st, True
        return Path(os.path.realpath(target)), st, False
    if link is None:
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(
                Code.OUTPUT_FOLDER,
                label,
                f"cannot write here: the folder {folder} does not exist",
                "check that the folder exists, create it first, or choose another path with -o",
                errno.ENOENT,
            )
    return target, link, False


def _check_kind(st: os.stat_result, label: str) -> None:
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _not_a_file(
            label,
            "this is a folder, not a file",
            "give a file name inside it, e.g. -o FOLDER/NAME",
        )
    if stat.S_ISBLK(mode):
        raise _not_a_file(
            label,
            "this is a disk (a block device); writing to it would destroy what it holds",
            "give the name of a file with -o",
        )
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise _not_a_file(label, "this is a socket, not a file", "give the name of a file with -o")


def check_output(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> tuple[Path, os.stat_result | None, bool]:
    """Refuse an output path ``write_atomic`` would refuse, before anything is made.

    Returns where the data would go (a symbolic link followed), what is there now (None for
    a new file) and whether it is written through (a device, a pipe, a terminal, an open
    stream such as ``/dev/stdout``) instead of replaced. Raises :class:`OutputError`
    (SG410, SG411, SG412).
    """
    label = os.fspath(path)
    if not label:
        raise _not_a_file("''", "no file name was given", "give the output file's name with -o")
    target, st, through = _inspect(Path(path), label)
    if st is None:
        return target, None, False
    _check_kind(st, label)
    here = (st.st_dev, st.st_ino)
    for source in inputs:
        if _identity(source) == here:
            same = "" if os.fspath(source) == label else f" ({os.fspath(source)})"
            raise OutputError(
                Code.OUTPUT_IS_INPUT,
                label,
                f"this is one of the files the command reads{same}; writing it would "
                "destroy it, so nothing was written",
                "choose another output file with -o",
            )
    return target, st, through or not stat.S_ISREG(st.st_mode)


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    terminal: bool = True,
) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` as the module docstring describes.

    ``inputs`` are the files the data was made from: writing over any of them is refused
    (SG410). With ``terminal=False`` a terminal is refused (for PDF, Word and Excel output).
    Returns the path written (a symbolic link's target). Raises :class:`OutputError`, with
    nothing written, or with any previous file intact.
    """
    label = os.fspath(path)
    target, st, through = check_output(path, inputs)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if through:
        _write_through(target, payload, label, terminal)
        return target
    _replace(target, payload, label, st)
    return target


def _write_through(target: Path, payload: bytes, label: str, terminal: bool) -> None:
    """A device, a terminal, a named pipe or an open stream: open it (never create it, never
    truncate it: after what a ``>>`` redirect holds) and write."""
    flags = os.O_WRONLY | os.O_APPEND
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC"):  # POSIX only
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe that no program reads
            raise _not_a_file(
                label,
                "this is a named pipe and no program is reading from it",
                "start the program that reads the pipe first, or write to a file with -o",
            ) from None
        raise write_failed(exc, "", label) from None
    try:
        if not terminal and os.isatty(fd):
            raise _not_a_file(
                label,
                "this is a terminal; a PDF, Word or Excel file would only scramble it",
                "give a file name with -o",
            )
        if fcntl is not None:  # blocking from here on: the reader sets the pace
            mode = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, mode & ~os.O_NONBLOCK)
        view = memoryview(payload)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise write_failed(exc, "", label) from None
    finally:
        os.close(fd)


def _replace(target: Path, payload: bytes, label: str, old: os.stat_result | None) -> None:
    folder = target.parent if str(target.parent) else Path(".")
    remove_abandoned_parts(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{PART_MARK}", suffix=".part", dir=folder)
    except OSError as exc:
        raise write_failed(exc, "in that folder", label) from None
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks: no cleanup
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
            if old is not None:
                # keep the permissions the user gave the old file
                os.chmod(tmp, old.st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)  # while the lock is held: never seen as abandoned
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise write_failed(exc, "", label) from None
        raise


def remove_abandoned_parts(folder: str | os.PathLike[str], now: float | None = None) -> list[str]:
    """Remove the temporary files killed writers left in ``folder``; returns their names.

    Only a file that is certainly ours and certainly abandoned goes: a regular file (not a
    link) named ``.NAME.safeguard-XXXXXXXX.part``, owned by this user, at least
    ``STALE_AFTER`` seconds old, that no process holds the writer's lock on. Any doubt (an
    error, a lock that cannot be tested) keeps the file.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return []
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not _PART.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (
                not stat.S_ISREG(st.st_mode)
                or st.st_uid != os.geteuid()
                or now - st.st_mtime < STALE_AFTER
            ):
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a live writer: skip
            again = os.fstat(fd)
            if (again.st_dev, again.st_ino) == (st.st_dev, st.st_ino):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed

"""Reading a file a set names (a logo, a stylesheet, the set an overlay extends), safely.

One place decides how a path written in a file is turned into a file on disk, and how that
file is read:

* :func:`confine` resolves a relative path against the folder of the file that names it and
  refuses anything that ends outside that folder (``..``, an absolute path elsewhere, a
  symbolic link out);
* :func:`read_regular` reads a regular file only (a named pipe, a device such as
  ``/dev/zero``, a folder or a socket is refused at once, without blocking), and never more
  than its limit plus one byte, so a 2 GB sparse file or a file that grows while it is read
  costs nothing.

Both raise :class:`FileProblem`, never ``OSError``, ``RuntimeError`` or ``ValueError``: a
symbolic-link loop, a name or path too long for the system, a folder the user may not
search and a NUL character in the path each get their own plain-English reason.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["FileProblem", "confine", "probe_regular", "read_regular"]


class FileProblem(Exception):
    """Why a path cannot be used. ``kind`` is one of: ``outside``, ``missing``, ``folder``,
    ``special`` (a pipe, device or socket), ``too-large``, ``unusable`` (a loop, a name too
    long, a NUL, permission denied)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _reason(exc: BaseException) -> FileProblem:
    if isinstance(exc, ValueError):  # "embedded null byte"
        return FileProblem("unusable", "the path contains a NUL character")
    if isinstance(exc, RuntimeError):  # Path.resolve(strict=True) on a loop, older Pythons
        return FileProblem("unusable", "the path is a loop of symbolic links")
    assert isinstance(exc, OSError)
    code = exc.errno
    if code == errno.ENOENT or code == errno.ENOTDIR:
        return FileProblem("missing", "no such file")
    if code == errno.ELOOP:
        return FileProblem("unusable", "the path is a loop of symbolic links")
    if code == errno.ENAMETOOLONG:
        return FileProblem("unusable", "the name or path is too long for this system")
    if code in (errno.EACCES, errno.EPERM):
        return FileProblem(
            "unusable", "permission denied (the file, or a folder on its path, may not be read)"
        )
    if code == errno.EISDIR:
        return FileProblem("folder", "this is a folder, not a file")
    return FileProblem("unusable", f"cannot be read: {exc.strerror or exc}")


def confine(root: str | os.PathLike[str], name: str) -> Path:
    """The file ``name`` (relative to ``root``, or absolute) once every symbolic link is
    followed; raises FileProblem ``outside`` if it is not inside ``root``'s tree, or another
    kind if the path cannot be used at all."""
    try:
        if "\0" in name or "\0" in os.fspath(root):
            raise ValueError("embedded null byte")
        top = Path(root).resolve(strict=True)
        path = (top / name).resolve(strict=False)
    except (OSError, RuntimeError, ValueError) as exc:
        raise _reason(exc) from None
    if not path.is_relative_to(top):
        raise FileProblem("outside", f"it is outside the folder {top}")
    return path


def probe_regular(path: str | os.PathLike[str]) -> None:
    """Raise FileProblem unless ``path`` is (a link to) a regular file; reads nothing."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        raise _reason(exc) from None
    if stat.S_ISDIR(mode):
        raise FileProblem("folder", "this is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise FileProblem(
            "special", "this is not a regular file (a named pipe, a device or a socket)"
        )


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``, which must have at most ``limit`` bytes.

    The file is opened without blocking and checked after opening, so a pipe or a device is
    refused instead of hanging; its size is checked before anything is read, and at most
    ``limit + 1`` bytes are ever read (a file that grows meanwhile is refused too).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        raise _reason(exc) from None
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise FileProblem("folder", "this is a folder, not a file")
        if not stat.S_ISREG(mode.st_mode):
            raise FileProblem(
                "special", "this is not a regular file (a named pipe, a device or a socket)"
            )
        if mode.st_size > limit:
            raise FileProblem("too-large", _too_large(limit))
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise FileProblem("too-large", _too_large(limit))
        return b"".join(chunks)
    except OSError as exc:
        raise _reason(exc) from None
    finally:
        os.close(fd)


def _too_large(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"it is larger than {limit // (1024 * 1024)} MB"
    return f"it is larger than {limit // 1024} KB"

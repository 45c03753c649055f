"""Loading: text → strict YAML → structure check → model → semantic rules.

``check_*`` functions never raise for bad input: they return a :class:`LoadResult` holding the
model (when one could be built) and every diagnostic. ``load*`` functions return the model or
raise :class:`~safeguard_standards.diagnostics.ChecklistError` with all the diagnostics.

This module reads one file or text as written. The public ``load``, ``load_path``,
``load_text``, ``check_path``, ``check_text`` and ``validate`` (in
:mod:`safeguard_standards.sets`) go through the registry, which also resolves a partnership
overlay (``extends:``) on the set it extends.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Union

import attrs

from . import _yaml
from ._build import build
from ._rules import run_rules
from ._structure import check_structure
from .diagnostics import ChecklistError, Code, Diagnostic, sort_diagnostics
from .model import Checklist

__all__ = ["LoadResult", "check_path", "check_text"]

PathLike = Union[str, "os.PathLike[str]"]

#: Most errors listed for one file (SG122 says there were more).
MAX_DIAGNOSTICS = 1_000
#: Most warnings listed for one file (SG124 says there were more). Counted apart from the
#: errors, so that warnings never hide an error and never make a valid file invalid.
MAX_WARNINGS = 1_000


@attrs.frozen
class LoadResult:
    """The outcome of checking one file."""

    #: The label diagnostics use for the file.
    source: str
    #: The model, when the file could be read far enough to build one (even with errors).
    checklist: Checklist | None
    #: Every problem found: the errors, then the warnings, each sorted by position (each
    #: list capped, see :func:`_listed`).
    diagnostics: tuple[Diagnostic, ...]
    #: The decoded text (for showing the offending line), or None if it could not be read.
    text: str | None = attrs.field(default=None, repr=False)
    #: The files read to build it: the file itself, then what it extends (an overlay's base,
    #: a bundled set's file when it is one). A command never writes over any of them.
    files: tuple[str, ...] = attrs.field(default=(), repr=False, eq=False)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def unwrap(self) -> Checklist:
        """The checklist, or raise ChecklistError with every diagnostic."""
        if self.checklist is None or self.errors:
            raise ChecklistError(self.diagnostics)
        return self.checklist


def check_text(text: str, source: str = "<string>") -> LoadResult:
    """Check YAML text as written (``extends:`` is not followed: see
    :func:`safeguard_standards.check_text`); never raises for bad content."""
    # Reading builds hundreds of thousands of objects, none of them in reference cycles:
    # the cyclic garbage collector would walk them again and again for nothing (a third of
    # the time of a large set). It is paused for the check and restored after.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check_text(text, source)
    finally:
        if gc_was_enabled:
            gc.enable()


def _check_text(text: str, source: str) -> LoadResult:
    parsed = _yaml.parse(text, source)
    if parsed.fatal or parsed.data is None:
        return LoadResult(source, None, _listed(parsed.diagnostics, source), text)
    checked = check_structure(parsed.data, parsed.sourcemap, limit=MAX_DIAGNOSTICS + 1)
    checklist, raw = build(parsed.data, parsed.sourcemap)
    checked.extend(run_rules(checklist, parsed.sourcemap, raw))
    found = once_per_spot(parsed.diagnostics, checked)
    return LoadResult(source, checklist, _listed(found, source), text)


def once_per_spot(*stages: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Every diagnostic, except those at a line and column an earlier stage reported.

    A value YAML already refused (a tag, a duplicate key) is not reported again as a wrong
    type or a missing field: the consequence would only repeat the cause.
    """
    kept: list[Diagnostic] = []
    taken: set[tuple[int, int]] = set()
    for stage in stages:
        batch = list(stage)
        kept.extend(d for d in batch if (d.line, d.column) not in taken)
        taken |= {(d.line, d.column) for d in batch if d.line}
    return kept


def _listed(found: list[Diagnostic], source: str) -> tuple[Diagnostic, ...]:
    """Errors first, then warnings, each sorted by position and capped on its own.

    At most :data:`MAX_DIAGNOSTICS` errors are listed, then SG122 (an error) if there were
    more; at most :data:`MAX_WARNINGS` warnings, then SG124 (a warning) if there were more.
    A file with no errors and any number of warnings stays valid.
    """
    ordered = sort_diagnostics(found)
    errors = [d for d in ordered if d.is_error]
    warnings = [d for d in ordered if not d.is_error]
    if len(errors) > MAX_DIAGNOSTICS:
        errors = errors[:MAX_DIAGNOSTICS]
        errors.append(
            Diagnostic(
                Code.TOO_MANY_PROBLEMS,
                f"the file has more than {MAX_DIAGNOSTICS:,} errors; the first "
                f"{MAX_DIAGNOSTICS:,} are listed",
                source,
                hint="fix these and check again; a file with this many problems may be the "
                "wrong file, or damaged",
            )
        )
    if len(warnings) > MAX_WARNINGS:
        more = len(warnings) - MAX_WARNINGS
        warnings = warnings[:MAX_WARNINGS]
        warnings.append(
            Diagnostic(
                Code.TOO_MANY_WARNINGS,
                f"the file has {more:,} more warning{'s' if more != 1 else ''} than the "
                f"{MAX_WARNINGS:,} listed",
                source,
                hint="warnings do not stop the set being used; deal with the ones listed and "
                "check again to see the rest",
            )
        )
    return (*errors, *warnings)


def _read_limited(path: Path) -> bytes | str:
    """The bytes of a regular file, at most MAX_BYTES + 1 of them; or why it was not read.

    The file is opened without blocking and checked *after* opening, so a named pipe, a
    device such as /dev/zero or a folder is refused instead of hanging or filling memory.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return "folder"
        if not stat.S_ISREG(mode):
            return "special"
        return handle.read(_yaml.MAX_BYTES + 1)


def _read(path: Path, label: str) -> tuple[str | None, list[Diagnostic]]:
    def fail(
        message: str, hint: str, code: Code = Code.UNREADABLE
    ) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(code, message, label, hint=hint)]

    limit_hint = "a standard set is normally well under 1 MB: check this is the right file"
    try:
        if path.is_dir():
            return fail("this is a folder, not a file", "name a .yaml file inside it")
        size = path.stat().st_size
        if size > _yaml.MAX_BYTES:
            return fail(
                f"the file is {size / 1048576:.1f} MB; the limit is "
                f"{_yaml.MAX_BYTES // 1048576} MB",
                limit_hint,
                Code.LIMIT,
            )
        raw = _read_limited(path)
    except FileNotFoundError:
        return fail("no such file", "check the path and the spelling of the file name")
    except PermissionError:
        return fail("permission denied", "check that you are allowed to read the file")
    except IsADirectoryError:  # pragma: no cover - Windows reports folders this way
        return fail("this is a folder, not a file", "name a .yaml file inside it")
    except OSError as exc:
        return fail(f"cannot be read: {exc.strerror or exc}", "check the path")
    except ValueError:  # a NUL character in the path
        return fail("the path contains a NUL character", "check the path")
    if raw == "folder":
        return fail("this is a folder, not a file", "name a .yaml file inside it")
    if raw == "special":
        return fail(
            "this is not a regular file (a device, pipe or socket)",
            "name a .yaml file; to check text from a pipe, save it to a file first",
        )
    assert isinstance(raw, bytes)
    if len(raw) > _yaml.MAX_BYTES:  # it grew while being read
        return fail(
            f"the file is larger than {_yaml.MAX_BYTES // 1048576} MB", limit_hint, Code.LIMIT
        )
    kind = _not_yaml(raw)
    if kind:
        return fail(
            f"this is {kind}, not a standard set (a standard set is a YAML text file)",
            f"if it is a completed return, check it with 'safeguard returns check {label}'",
            Code.RETURN_NOT_A_SET,
        )
    return _yaml.decode(raw, label)


def _not_yaml(raw: bytes) -> str:
    """What a file that is plainly not YAML is ("a PDF", "a Word document", "a saved answers
    file"), or "" for anything that may be YAML. Reads only the bytes it was given."""
    head = raw[:1024]
    if b"%PDF-" in head:
        return "a PDF"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        from .returns._read_office import office_kind

        return {"docx": "a Word document", "xlsx": "an Excel workbook"}.get(
            office_kind(raw) or "", "a zip file"
        )
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b'"answers"' in raw:
        import json

        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            return ""
        if isinstance(value, dict) and "answers" in value and "sections" not in value:
            return "a saved answers file (a completed return)"
    return ""


def check_path(path: PathLike, label: str | None = None) -> LoadResult:
    """Check a YAML file as written (``extends:`` is not followed: see
    :func:`safeguard_standards.check_path`); never raises for bad content or a missing file."""
    source = label or str(path) or "(empty path)"
    if not os.fspath(path):  # Path("") would be the current folder
        return LoadResult(
            source,
            None,
            (
                Diagnostic(
                    Code.UNREADABLE,
                    "no file was named (the path is empty)",
                    source,
                    hint="give the path of a .yaml file, or YAML text",
                ),
            ),
        )
    p = Path(path)
    text, problems = _read(p, source)
    if text is None:
        return LoadResult(source, None, tuple(problems))
    return attrs.evolve(with_file_folder(check_text(text, source), p), files=(str(p),))


def with_file_folder(result: LoadResult, path: Path) -> LoadResult:
    """``result`` with its publisher's logo tied to the folder of ``path``, the file that
    names it: a relative logo path is taken from there, wherever the set is used from."""
    c = result.checklist
    if c is None or c.publisher is None or not c.publisher.logo:
        return result
    publisher = attrs.evolve(c.publisher, logo_dir=os.path.abspath(path.parent))
    return attrs.evolve(result, checklist=attrs.evolve(c, publisher=publisher))


def _looks_like_text(value: str) -> bool:
    return "\n" in value or value.lstrip().startswith(("dsl:", "{"))

"""CLI errors and how they are shown. Exit codes: 0 fine, 1 content errors, 2 usage, 3 bug."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from safeguard_standards import (
        Checklist,
        Diagnostic,
        LoadResult,
        OutputError,
        Registry,
        SafeguardError,
    )


class SafeguardCLIError(click.ClickException):
    """A problem the user can fix; printed without a traceback."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def format_message(self) -> str:
        return self.message + (f"\n    hint: {self.hint}" if self.hint else "")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"safeguard: {self.format_message()}", err=True)


class UsageProblem(SafeguardCLIError):
    """A bad argument (an unknown set, version or audience): exit 2."""

    exit_code = 2


class ContentProblem(SafeguardCLIError):
    """The input has errors; the diagnostics were already printed: exit 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        if self.message:
            click.echo(f"safeguard: {self.message}", err=True)


def problem(error: SafeguardError) -> SafeguardCLIError:
    """The CLI error for a library error: exit 2 when its code says another command line would
    do (``Code.exit_status``), else exit 1; shown as ``safeguard: message`` and the hint."""
    kind = UsageProblem if error.exit_status == 2 else SafeguardCLIError
    return kind(error.message, error.hint)


def echo_diagnostics(
    diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], text: str | None, err: bool = True
) -> None:
    from safeguard_standards import format_diagnostic

    for d in diagnostics:
        click.echo(format_diagnostic(d, text), err=err)


def extends_from() -> tuple[str, ...]:
    """The folders given with ``safeguard --extends-from DIR`` (none outside a command)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return tuple(obj.get("extends_from", ())) if isinstance(obj, dict) else ()


def registry() -> Registry:
    """The registry one command looks its SETs up in (one per command: its loads are shared)."""
    from safeguard_standards import Registry

    return Registry().with_extends_from(*extends_from())


def load_or_fail(spec: str, reg: Registry | None = None) -> LoadResult:
    """Check a SET argument; print its diagnostics and fail (exit 1) if it has errors.

    An unknown set or version, or SET text that is neither ``ID[@VERSION]`` nor a path, is a
    bad command line (exit 2).
    """
    from safeguard_standards import SetNotFound

    try:
        result = (reg or registry()).check(spec)
    except SetNotFound as exc:
        raise problem(exc) from None
    return _passed(result)


def previous_or_fail(
    checklist: Checklist, since: str | None, reg: Registry | None = None
) -> LoadResult | None:
    """The version a changes document compares ``checklist`` with (see load_or_fail)."""
    from safeguard_standards import SetNotFound

    try:
        result = (reg or registry()).previous(checklist, since)
    except SetNotFound as exc:
        raise problem(exc) from None
    return None if result is None else _passed(result)


def _passed(result: LoadResult) -> LoadResult:
    if not result.ok:
        echo_diagnostics(result.diagnostics, result.text)
        n = len(result.errors)
        raise ContentProblem(
            f"{result.source}: {n} error{'s' if n != 1 else ''}; nothing was written"
        )
    return result


class OutputProblem(SafeguardCLIError):
    """Writing itself failed (a full disk, an input/output error): ``path: SG413 …``, exit 1."""

    def __init__(self, error: OutputError) -> None:
        super().__init__(error.message, error.hint)
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        from safeguard_standards import Diagnostic, format_diagnostic

        e = self.error
        click.echo(format_diagnostic(Diagnostic(e.entry, e.message, e.path, hint=e.hint)), err=True)


class OutputPathProblem(OutputProblem):
    """The output path cannot be used (another -o would do): ``path: SG410–SG412 …``, exit 2."""

    exit_code = 2


def output_problem(error: OutputError) -> OutputProblem:
    return OutputPathProblem(error) if error.is_usage else OutputProblem(error)


def write_output(
    target: str | os.PathLike[str],
    data: bytes | str,
    inputs: Iterable[str | os.PathLike[str]] = (),
    *,
    terminal: bool = True,
) -> Path:
    """Every command writes its -o file through here (see safeguard_standards._atomic)."""
    from safeguard_standards import OutputError, write_atomic

    try:
        return write_atomic(target, data, inputs=inputs, terminal=terminal)
    except OutputError as exc:
        raise output_problem(exc) from None


def check_output(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> bool:
    """Refuse an output path (one of the inputs, a folder, ...) before any work is done.

    Returns True when the output is written through (a device, a pipe, ``/dev/stdout``)
    rather than a file that would be created or replaced.
    """
    from safeguard_standards._atomic import OutputError
    from safeguard_standards._atomic import check_output as check

    try:
        return check(target, inputs)[2]
    except OutputError as exc:
        raise output_problem(exc) from None


STDOUT = "<standard output>"


class GuardedStream:
    """Standard output (or its binary buffer) whose failed writes are an OutputProblem.

    ``safeguard show kcsie > /dev/full`` then ends with ``SG413 … no space is left`` and exit
    1, not an internal error. A reader that went away (``| head``) is left to click, which
    exits quietly.
    """

    #: Set once a write to standard output has failed (see :func:`silence_stdout`).
    failed = False

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._buffer: GuardedStream | None = None

    def _failed(self, exc: OSError) -> OutputProblem:
        from safeguard_standards._atomic import write_failed

        GuardedStream.failed = True
        error = write_failed(exc, "", STDOUT)
        error.hint = (
            "standard output could not take the text: redirect it to a file on a disk with "
            "space, or give a file with -o"
        )
        return output_problem(error)

    def write(self, data: Any) -> Any:
        if len(data) == 0:  # nothing to lose (click probes streams this way)
            try:
                return self._stream.write(data)
            except OSError:
                return 0
        try:
            return self._stream.write(data)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise self._failed(exc) from None

    @property
    def buffer(self) -> GuardedStream:
        if self._buffer is None:
            self._buffer = GuardedStream(self._stream.buffer)
        return self._buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """Install GuardedStream as sys.stdout (once; the command line's entry point calls it)."""
    if sys.stdout is not None and not isinstance(sys.stdout, GuardedStream):
        sys.stdout = GuardedStream(sys.stdout)


def silence_stdout() -> None:
    """After a failed write, point standard output at the null device.

    The interpreter flushes standard output once more on the way out; what is still
    buffered would fail again and print a traceback after the one clear message.
    """
    if not GuardedStream.failed:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())  # type: ignore[union-attr]
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real descriptor
        pass

"""CLI errors and how they are shown. Exit codes: 0 fine, 1 content errors, 2 usage, 3 bug."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from safeguard_standards import Diagnostic, LoadResult


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


def load_or_fail(spec: str) -> LoadResult:
    """Check a SET argument; print its diagnostics and fail (exit 1) if it has errors."""
    from safeguard_standards import SetNotFound, check_set

    try:
        result = check_set(spec, extends_from=extends_from())
    except SetNotFound as exc:
        raise UsageProblem(exc.message, exc.hint) from None
    if not result.ok:
        echo_diagnostics(result.diagnostics, result.text)
        n = len(result.errors)
        raise ContentProblem(
            f"{result.source}: {n} error{'s' if n != 1 else ''}; nothing was written"
        )
    return result

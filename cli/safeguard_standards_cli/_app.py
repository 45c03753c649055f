"""The click application. Every command is argument parsing, one library call, and printing.

Heavy libraries (the renderers, jsonschema) are imported inside the commands that need them,
so ``safeguard --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from ._errors import (
    ContentProblem,
    echo_diagnostics,
    guard_stdout,
    load_or_fail,
    problem,
    registry,
    silence_stdout,
)

if TYPE_CHECKING:
    from safeguard_standards import Registry

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _version() -> str:
    from safeguard_standards._version import __version__

    return __version__


class _Group(click.Group):
    """The command group; everything printed while it runs passes through _terminal."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from ._terminal import escaped_output

        with escaped_output():
            return super().main(*args, **kwargs)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="safeguard")
@click.option(
    "--extends-from",
    "extends_from",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="A folder an overlay's extends: path may lead into, besides the overlay's own "
    "folder (repeatable).",
)
@click.pass_context
def cli(ctx: click.Context, extends_from: tuple[str, ...]) -> None:
    """Safeguarding audit standards as code: validate, compare and render them.

    SET is a bundled set id (kcsie, section11, vcs_checklist: the latest published version),
    ID@VERSION (kcsie@2024-25), or the path of a YAML file (a standard set or an overlay).
    A SET with a / or \\ in it, or ending in .yaml or .yml, is a path; anything else is an id,
    even if a file of that name is here (write ./NAME for the file).

    Exit status: 0 success, 1 the input has errors or an output could not be written (a full
    disk), 2 a bad command line (including an output path that cannot be used).
    """
    ctx.ensure_object(dict)["extends_from"] = extends_from


@cli.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_cmd(fmt: str) -> None:
    """List the bundled standard sets and their versions."""
    sets = registry().sets()
    if fmt == "json":
        out = [{"id": s.id, "versions": dict(s.statuses), "latest": s.latest} for s in sets]
        click.echo(json.dumps(out, indent=2))
        return
    width = max((len(s.id) for s in sets), default=2)
    for s in sets:
        versions = ", ".join(
            f"{v}{'' if st == 'published' else f' ({st})'}{' *' if v == s.latest else ''}"
            for v, st in s.statuses
        )
        click.echo(f"{s.id:<{width}}  {versions}")
    click.echo("(* = used when no version is given)")


@cli.command()
@click.argument("set_spec", metavar="SET")
def show(set_spec: str) -> None:
    """Outline of SET: sections, standards and question counts."""
    result = load_or_fail(set_spec)
    c = result.unwrap()
    numbers = c.numbering()
    total = sum(1 for _ in c.questions())
    click.echo(f"{c.title}")
    click.echo(f"{c.id}@{c.version}  status: {c.status}  questions: {total}")
    if c.effective_from:
        click.echo(f"effective: {c.effective_from} to {c.effective_to or '(open)'}")
    if c.supersedes:
        click.echo(f"supersedes: {c.supersedes}")
    if c.publisher:
        click.echo(f"publisher: {c.publisher.name}")
    for a in c.audiences:
        click.echo(f"audience {a.id}: " + ", ".join(v.id for v in a.values))
    for s in c.scales:
        click.echo(f"scale {s.id}: " + " / ".join(level.label for level in s.levels))
    click.echo()
    for section in c.sections:
        n = sum(len(st.questions) for st in section.standards)
        click.echo(f"{numbers[section.id]:<4} {section.title}  [{section.id}] ({n} questions)")
        for st in section.standards:
            click.echo(
                f"  {numbers[st.full_id]:<6} {st.title}  [{st.full_id}] ({len(st.questions)})"
            )


def _count(n: int, noun: str) -> str:
    """``1 error``, ``2 errors``, ``0 errors``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _all_known(reg: Registry) -> list[str]:
    return [f"{s.id}@{v}" for s in reg.sets() for v in s.versions]


@cli.command()
@click.argument("targets", nargs=-1, metavar="[PATH|SET]...")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
def validate(targets: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check standard sets and report every problem with its file, line and column.

    With no arguments, checks every version of every bundled set.
    """
    from safeguard_standards import SetNotFound

    reg = registry()
    results = []
    for spec in targets or tuple(_all_known(reg)):
        try:
            results.append(reg.check(spec))
        except SetNotFound as exc:
            raise problem(exc) from None
    n_err = sum(len(r.errors) for r in results)
    n_warn = sum(len(r.warnings) for r in results)
    failed = [r for r in results if r.errors or (strict and r.warnings)]
    if fmt == "json":
        payload: dict[str, Any] = {
            "valid": not failed,
            "files": [
                {
                    "source": r.source,
                    "valid": r not in failed,
                    "errors": len(r.errors),
                    "warnings": len(r.warnings),
                    "diagnostics": [d.to_dict() for d in r.diagnostics],
                }
                for r in results
            ],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for r in results:
            echo_diagnostics(r.diagnostics, r.text, err=False)
        for r in results:
            mark = "invalid" if r in failed else "ok"
            detail = f"{_count(len(r.errors), 'error')}, {_count(len(r.warnings), 'warning')}"
            click.echo(f"{mark:<8}{r.source} ({detail})")
        summary = (
            f"{len(results)} checked: {len(results) - len(failed)} valid, {len(failed)} invalid"
        )
        click.echo(f"{summary} ({_count(n_err, 'error')}, {_count(n_warn, 'warning')})")
    if failed:
        raise ContentProblem("")


@cli.command()
@click.option(
    "--return",
    "of_return",
    is_flag=True,
    help="Print the JSON Schema of a completed return instead (the HTML form's saved "
    "answers, and 'returns check --format json').",
)
def schema(of_return: bool) -> None:
    """Print the JSON Schema of the DSL (for editor autocompletion and checks)."""
    if of_return:
        from safeguard_standards.returns.model import return_schema_text

        click.echo(return_schema_text(), nl=False)
        return
    from safeguard_standards import schema_text

    click.echo(schema_text(), nl=False)


def _quiet_unraisable(unraisable: Any) -> None:
    """Errors Python cannot raise (a half-written file's generator closed after a failure)."""


def main() -> None:
    """Entry point of the ``safeguard`` console script."""
    guard_stdout()  # a full disk or a broken standard output is a write error, not a bug
    from ._terminal import escaped_output

    with escaped_output():  # the internal-error message below too
        _main()


def _main() -> None:
    if not os.environ.get("SAFEGUARD_DEBUG"):
        # After a failure, libraries' half-run generators are closed when the process ends and
        # would print "Exception ignored in … Traceback"; the message below says what happened.
        sys.unraisablehook = _quiet_unraisable
    try:
        cli.main(prog_name="safeguard")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("safeguard: interrupted; nothing was written", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, show the traceback only when asked
        if os.environ.get("SAFEGUARD_DEBUG"):
            raise
        click.echo(
            f"safeguard: internal error: {type(exc).__name__}: {exc}\n"
            "    This is a bug in safeguard-standards, not in your file. Run again with "
            "SAFEGUARD_DEBUG=1 to see the details, and report them.",
            err=True,
        )
        sys.exit(3)
    finally:
        silence_stdout()


from ._cmd_diff import diff_cmd  # noqa: E402

cli.add_command(diff_cmd)

from ._cmd_new_version import new_version_cmd  # noqa: E402

cli.add_command(new_version_cmd)

from ._cmd_render import render_cmd  # noqa: E402

cli.add_command(render_cmd)

from ._cmd_resolve import resolve_cmd  # noqa: E402

cli.add_command(resolve_cmd)

from ._cmd_returns import returns_cmd  # noqa: E402

cli.add_command(returns_cmd)

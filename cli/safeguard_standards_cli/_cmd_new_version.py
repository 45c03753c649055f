"""``safeguard new-version SET --version NEXT``: scaffold next year's file from this one."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import click

from ._errors import (
    ContentProblem,
    UsageProblem,
    check_output,
    echo_diagnostics,
    load_or_fail,
    write_output,
)


def _fail(message: str, hint: str = "") -> ContentProblem:
    """Print a problem with its hint; the ContentProblem returned exits 1 quietly."""
    click.echo(f"safeguard: {message}" + (f"\n    hint: {hint}" if hint else ""), err=True)
    return ContentProblem("")


_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # the whole argument (fullmatch)


def _default_output(source: str, set_id: str, old: str, new: str, overlay: bool) -> Path:
    """Next to the source file; for a bundled set, ``standards/<id>/<NEXT>.yaml`` here."""
    if source.startswith("bundled:"):
        return Path("standards") / set_id / f"{new}.yaml"
    path = Path(source)
    if overlay:
        stem = path.stem.replace(old, new) if old and old in path.stem else f"{path.stem}-{new}"
        return path.with_name(f"{stem}{path.suffix or '.yaml'}")
    return path.with_name(f"{new}.yaml")


@click.command("new-version")
@click.argument("set_spec", metavar="SET")
@click.option(
    "--version",
    "next_version",
    metavar="NEXT",
    help="The new version, e.g. 2026-27. Default: the one after SET's (2025-26 → 2026-27).",
)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Where to write it ('-' for standard output). Default: <NEXT>.yaml next to SET; "
    "for a bundled set, standards/<id>/<NEXT>.yaml under the current folder.",
)
@click.option("--from", "effective_from", metavar="DATE", help="First day (default: a year on).")
@click.option("--to", "effective_to", metavar="DATE", help="Last day (default: a year on).")
def new_version_cmd(
    set_spec: str,
    next_version: str | None,
    output: str | None,
    effective_from: str | None,
    effective_to: str | None,
) -> None:
    """Write next year's file from SET, keeping its ids, comments and layout.

    The new file has the new version, `supersedes` the old one, `status: draft`, effective
    dates a year on (or --from/--to), and no change notes (`change_note`, `change_summary`,
    `formerly` described last year's changes). Nothing else is touched. For a partnership
    overlay, `extends` moves to the new version and the return deadline a year on.

    Never overwrites a file.

    \b
    Examples:
      safeguard new-version standards/kcsie/2025-26.yaml --version 2026-27
      safeguard new-version kcsie@2025-26 -o my-kcsie/2026-27.yaml
      safeguard new-version examples/northshire-kcsie-2025-26.yaml --version 2026-27
    """
    from safeguard_standards import check_text
    from safeguard_standards._newversion import (
        NewVersionError,
        new_version_text,
        next_version_name,
    )

    result = load_or_fail(set_spec)
    checklist = result.unwrap()
    overlay = bool(checklist.extends)
    old = checklist.version
    if next_version is None:
        next_version = next_version_name(old)
        if next_version is None:
            raise UsageProblem(
                f"cannot tell what comes after version {old!r}",
                "give it with --version, e.g. --version 2026-27",
            )
    if not _VERSION.fullmatch(next_version):
        raise UsageProblem(
            f"{next_version!r} is not a valid version",
            "use letters, digits, '.', '_' and '-', e.g. 2026-27",
        )
    if result.text is None:  # pragma: no cover - a loaded set always has its text
        raise ContentProblem(f"{result.source}: the text of the file is not available")
    try:
        made = new_version_text(
            result.text, next_version, effective_from=effective_from, effective_to=effective_to
        )
    except NewVersionError as exc:
        if exc.line:
            from safeguard_standards import Code, Diagnostic

            where = Diagnostic(
                Code.DATE_BEYOND_9999,
                exc.message,
                result.source,
                exc.line,
                exc.column,
                hint=exc.hint,
            )
            echo_diagnostics([where], result.text)
            raise ContentProblem(f"{result.source}: 1 error; nothing was written") from None
        raise _fail(f"{result.source}: {exc.message}", exc.hint) from None

    if output == "-":
        target = None
    elif output:
        target = Path(output)
        if target.is_dir():
            target = (
                target
                / _default_output(result.source, checklist.id, old, next_version, overlay).name
            )
    else:
        target = _default_output(result.source, checklist.id, old, next_version, overlay)
    label = str(target) if target is not None else "<new version>"

    if not overlay:
        check = check_text(made.text, label)
        if not check.ok:  # pragma: no cover - a valid file stays valid
            echo_diagnostics(check.errors, made.text)
            raise ContentProblem("the new file would not be valid; nothing was written")

    if target is None:
        click.echo(made.text, nl=False)
        return
    through = False  # a device, a pipe, /dev/stdout: written through, never "a file"
    if output or target.parent.is_dir():  # (the default folder is made below)
        through = check_output(target, result.files)  # an input: SG410, not "exists"
    if not through and target.is_file():
        raise _fail(
            f"{target} already exists; nothing was written",
            "new-version never overwrites a file: choose another path with -o, or move the "
            "existing file away first",
        )
    if not target.parent.exists():  # the default place (-o names an existing folder)
        with contextlib.suppress(OSError):  # if it cannot be made, write_output says why
            target.parent.mkdir(parents=True)
    write_output(target, made.text, result.files)
    click.echo(f"wrote {target}")
    for edit in made.edits:
        click.echo(f"  {edit}")
    click.echo("next: edit it, then run")
    click.echo(f"  safeguard validate {target}")
    if overlay:
        click.echo(f"  safeguard diff {made.extends} {target}")
    else:
        click.echo(f"  safeguard diff {set_spec} {target}")

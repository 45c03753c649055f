"""``safeguard diff OLD NEW``: what changed between two versions (or national vs local)."""

from __future__ import annotations

import click

from ._errors import UsageProblem, load_or_fail


@click.command("diff")
@click.argument("old_spec", metavar="OLD")
@click.argument("new_spec", metavar="NEW")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    default="md",
    show_default=True,
    help="Markdown (deleted words ~~struck~~, new words **bold**), an HTML page, or JSON "
    "(the typed changes and the same words).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE",
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when there are differences, 0 when there are none (as git diff --exit-code).",
)
def diff_cmd(old_spec: str, new_spec: str, fmt: str, output: str, exit_code: bool) -> None:
    """Show every change from OLD to NEW, matched by id (and `formerly` for renames).

    OLD and NEW are SETs: kcsie@2024-25, a path to a YAML file, or a partnership overlay
    (`safeguard diff kcsie@2025-26 northshire.yaml` shows national vs local).

    \b
    Examples:
      safeguard diff kcsie@2024-25 kcsie@2025-26
      safeguard diff kcsie@2025-26 standards/kcsie/2026-27.yaml --format html -o c.html
    """
    from safeguard_standards import write_atomic
    from safeguard_standards.diff import diff
    from safeguard_standards.render import render_diff

    old = load_or_fail(old_spec).unwrap()
    new = load_or_fail(new_spec).unwrap()
    result = diff(old, new)
    text = render_diff(old, new, fmt, result).decode("utf-8")
    if output == "-":
        click.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise UsageProblem(
                f"cannot write {output}: {exc.strerror or exc}",
                "check that the folder exists and that you may write to it",
            ) from None
        n = len(result)
        click.echo(f"wrote {output} ({n} change{'s' if n != 1 else ''})")
    if exit_code and result:
        raise SystemExit(1)

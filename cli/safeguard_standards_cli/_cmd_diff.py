"""``safeguard diff OLD NEW``: what changed between two versions (or national vs local)."""

from __future__ import annotations

import click

from ._errors import SafeguardCLIError, load_or_fail, registry, write_output


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
    help="Exit 0 when there are no differences, 1 when there are, 2 when something went wrong "
    "(a broken or unknown set, an output that cannot be written), as diff(1) does.",
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
    try:
        different = _diff(old_spec, new_spec, fmt, output)
    except SafeguardCLIError as exc:
        if not exit_code or exc.exit_code == 2:
            raise
        exc.show()  # 1 means "different": any trouble is 2, as diff(1) has it
        raise SystemExit(2) from None
    if exit_code and different:
        raise SystemExit(1)


def _diff(old_spec: str, new_spec: str, fmt: str, output: str) -> bool:
    from safeguard_standards.diff import diff
    from safeguard_standards.render import render_diff

    reg = registry()  # a set both sides extend is read once
    old_result = load_or_fail(old_spec, reg)
    new_result = load_or_fail(new_spec, reg)
    old, new = old_result.unwrap(), new_result.unwrap()
    result = diff(old, new)
    text = render_diff(old, new, fmt, result).decode("utf-8")
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_output(output, text, [*old_result.files, *new_result.files])
        n = len(result)
        click.echo(f"wrote {output} ({n} change{'s' if n != 1 else ''})")
    return bool(result)

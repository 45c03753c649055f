"""``safeguard returns``: completed returns (``returns check FILE_OR_FOLDER...``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from ._errors import ContentProblem, UsageProblem, registry

if TYPE_CHECKING:
    from safeguard_standards.returns.check import Checked

#: The ``format`` of ``returns check --format json``.
CHECK_FORMAT = "safeguard-standards/returns-check"


@click.group("returns")
def returns_cmd() -> None:
    """Completed returns: check the forms organisations sent back."""


def _files(targets: tuple[str, ...]) -> Iterator[str]:
    """Each target; a folder's files, by path in sorted order (hidden files and folders, and
    links to folders, are skipped)."""
    for target in targets:
        if not os.path.isdir(target):
            yield target
            continue
        found: list[tuple[tuple[str, ...], str]] = []
        for top, dirs, names in os.walk(target):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            rel = os.path.relpath(top, target)
            parts = () if rel == os.curdir else tuple(rel.split(os.sep))
            found.extend(
                ((*parts, name), os.path.join(top, name))
                for name in names
                if not name.startswith(".")
            )
        yield from (path for _, path in sorted(found))


class _Progress:
    """``checking 3 of 300: file`` on one line of a terminal's standard error; nothing when
    standard error is not a terminal or when quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        from ._terminal import is_terminal

        # the line is redrawn with a carriage return, which the escaping stream would show
        # as text: write to the stream it wraps, escaping the file name here
        self.stream = getattr(sys.stderr, "_stream", sys.stderr)
        self.on = not quiet and total > 0 and is_terminal(self.stream)
        self.total = total
        self.width = 0

    def show(self, n: int, name: str) -> None:
        if not self.on:
            return
        from ._terminal import printable

        head = f"checking {n} of {self.total}: "
        shown = printable(name)
        if len(head) + len(shown) > 78:  # keep the end: the file's own name
            shown = "..." + shown[len(head) + len(shown) - 75 :]
        line = head + shown
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.on and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _summary(checked: tuple[Checked, ...]) -> dict[str, int]:
    return {
        "returns": len(checked),
        "clean": sum(1 for c in checked if c.status == "clean"),
        "warnings": sum(1 for c in checked if c.status == "warnings"),
        "errors": sum(1 for c in checked if c.status == "errors"),
    }


@returns_cmd.command("check")
@click.argument("targets", nargs=-1, required=True, metavar="FILE_OR_FOLDER...")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings as errors (exit 1), and personal data as an error (SG561).",
)
@click.option(
    "--as-version",
    "as_version",
    metavar="VERSION",
    help="Read every return onto this version of its set, carrying answers over through the "
    "changes between the versions.",
)
@click.option(
    "--sets",
    "set_folders",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="A folder of the partnership's own sets (ID/VERSION.yaml files), known besides the "
    "bundled ones (repeatable).",
)
@click.option(
    "--from",
    "tool",
    type=click.Choice(["odk", "kobo", "surveyjs", "fhir", "msforms"]),
    help="The survey tool the files are responses from (found from the files when not given): "
    "ODK Central, KoboToolbox, SurveyJS results, FHIR QuestionnaireResponses, or a Microsoft "
    "Forms or SmartSurvey export (with --map).",
)
@click.option(
    "--map",
    "map_file",
    metavar="MAP.yaml",
    type=click.Path(dir_okay=False),
    help="The mapping file of a Microsoft Forms or SmartSurvey export ('returns map' writes "
    "it): every row of the export is read as a return through it.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only the problems: no progress, no summary."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Check with N processes (default: one per core when there are many PDF, Word or "
    "Excel files; 1 checks in this process only).",
)
def check_cmd(
    targets: tuple[str, ...],
    fmt: str,
    strict: bool,
    as_version: str | None,
    set_folders: tuple[str, ...],
    tool: str | None,
    map_file: str | None,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Check completed returns: every problem in every file, located in the file.

    Each FILE is a completed form as an organisation sent it back (PDF, Word, Excel), the
    answers file the web form saves (.json), a CSV, or a survey tool's export of many
    responses (ODK Central, KoboToolbox, SurveyJS results, FHIR QuestionnaireResponses;
    Microsoft Forms and SmartSurvey with --map), each response a return of its own; a FOLDER
    is checked file by file. Each
    return is read against the version of the set it answers; personal data in free text is
    flagged. The files are only read, never changed.

    Exit status: 0 every return is clean (warnings allowed unless --strict), 1 a return has
    problems, 2 a bad command line.

    \b
    Examples:
      safeguard returns check returns/
      safeguard returns check --format json northshire-primary.pdf > checked.json
      safeguard returns check --as-version 2025-26 last-year/
      safeguard returns check kcsie-return-form.csv          # ODK Central submissions
      safeguard returns check responses.xlsx --map map.yaml  # Microsoft Forms
    """
    from safeguard_standards import SetNotFound
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.returns.batch import check_exports
    from safeguard_standards.returns.check import shareable

    reg = registry()
    try:
        for folder in set_folders:
            reg = reg.with_folder(folder)
    except SetNotFound as exc:
        raise UsageProblem(exc.message, exc.hint) from None
    mapping = _load_map(map_file) if map_file else None
    if mapping is not None and tool not in (None, "msforms"):
        raise UsageProblem(
            f"--map reads a Microsoft Forms or SmartSurvey export, not one --from {tool}",
            "leave out --map, or --from",
        )
    files = list(_files(targets))
    if not files:
        raise ContentProblem(
            "no files to check in " + ", ".join(targets) + " (hidden files are skipped)"
        )
    progress = _Progress(len(files), quiet or fmt == "json")

    try:
        checked = check_exports(
            files,
            reg,
            as_version=as_version,
            strict=strict,
            jobs=jobs,
            progress=progress.show,
            tool=tool,
            mapping=mapping,
        )
    finally:
        progress.clear()
    summary = _summary(checked)
    failed = summary["errors"] > 0 or (strict and summary["warnings"] > 0)
    if fmt == "json":
        payload: dict[str, Any] = {
            "format": CHECK_FORMAT,
            "format_version": 1,
            "returns": [
                {
                    "file": c.source,
                    "status": c.status,
                    "return": shareable(c),
                    "diagnostics": [d.to_dict() for d in c.diagnostics],
                }
                for c in checked
            ],
            "summary": summary,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for c in checked:
            for d in c.diagnostics:
                click.echo(format_diagnostic(d))
        if not quiet:
            n = summary["returns"]
            click.echo(
                f"{n} return{'' if n == 1 else 's'} checked: {summary['clean']} clean, "
                f"{summary['warnings']} with warnings, {summary['errors']} with errors"
            )
    if failed:
        raise ContentProblem("")


#: The ``format`` of ``returns redact --format json``.
REDACT_FORMAT = "safeguard-standards/returns-redact"


def _kinds(text: str | None) -> Any:
    """The kinds ``--kinds`` names (comma-separated ids), or None for every kind."""
    from safeguard_standards.diagnostics import did_you_mean
    from safeguard_standards.returns.privacy import Kind

    if text is None:
        return None
    ids = [k.id for k in Kind]
    out = []
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        if word not in ids:
            raise UsageProblem(
                f"--kinds: {word!r} is not a kind of personal data" + did_you_mean(word, ids),
                "kinds: " + ", ".join(ids),
            )
        out.append(Kind.by_id(word))
    if not out:
        raise UsageProblem("--kinds names no kind", "kinds: " + ", ".join(ids))
    return out


def _plural(label: str, count: int) -> str:
    if count == 1:
        return label
    if label.startswith("named child"):
        return "named children or family members"
    return label + "s"


@returns_cmd.command("redact")
@click.argument("file", metavar="FILE")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="OUT",
    help="The redacted copy to write (never the return itself).",
)
@click.option(
    "--kinds",
    metavar="KIND,...",
    help="Remove only these kinds of personal data: nhs-number, ni-number, pupil-number, "
    "postcode, phone-number, email-address, date-of-birth, named-person (all when not given).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--as-version",
    "as_version",
    metavar="VERSION",
    help="Read the return onto this version of its set (as for 'returns check').",
)
@click.option(
    "--sets",
    "set_folders",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="A folder of the partnership's own sets, known besides the bundled ones (repeatable).",
)
def redact_cmd(
    file: str,
    output: str,
    kinds: str | None,
    fmt: str,
    as_version: str | None,
    set_folders: tuple[str, ...],
) -> None:
    """Write a copy of a return with its personal data removed.

    FILE is a completed return (PDF, Word, Excel, the web form's .json, or a CSV). Every
    free-text answer, evidence box, action box and detail is checked for personal data as
    'returns check' does (SG560), and the copy OUT, in the same format, has each piece
    replaced by what it was ("[NHS number removed]"); everything else is kept as it was.
    The return itself is never changed.

    Exit status: 0 the copy was written (with or without anything removed), 1 the return
    cannot be read or redacted (nothing is written), 2 a bad command line.

    \b
    Examples:
      safeguard returns redact northshire-primary.xlsx -o shared/northshire-primary.xlsx
      safeguard returns redact answers.json -o answers-redacted.json --kinds nhs-number
    """
    from safeguard_standards import SetNotFound
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.returns.redact import redact_path

    from ._errors import check_output, write_output

    wanted = _kinds(kinds)
    reg = registry()
    try:
        for folder in set_folders:
            reg = reg.with_folder(folder)
    except SetNotFound as exc:
        raise UsageProblem(exc.message, exc.hint) from None
    check_output(output, [file])
    result = redact_path(file, reg, kinds=wanted, as_version=as_version)
    if result.data is not None:
        write_output(
            output, result.data, [file], terminal=result.format in ("json", "html-json", "csv")
        )
    by_kind = result.by_kind()
    n = len(result.removed)
    if fmt == "json":
        payload: dict[str, Any] = {
            "format": REDACT_FORMAT,
            "format_version": 1,
            "file": file,
            "output": output if result.ok else None,
            "removed": [r.to_dict() for r in result.removed] if result.ok else [],
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "summary": {"removed": n if result.ok else 0, "by_kind": by_kind if result.ok else {}},
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        from safeguard_standards.returns.privacy import Kind

        for d in result.diagnostics:
            click.echo(format_diagnostic(d), err=True)
        if result.ok:
            for r in result.removed:
                click.echo(r.line)
            if n:
                counts = ", ".join(
                    f"{count} {_plural(Kind.by_id(k).label, count)}" for k, count in by_kind.items()
                )
                click.echo(
                    f"{n} piece{'' if n == 1 else 's'} of personal data removed "
                    f"({counts}); the copy is {output}"
                )
            else:
                click.echo(f"no personal data found; the copy is {output}, the same as {file}")
    if not result.ok:
        raise ContentProblem("" if fmt == "json" else f"{file}: nothing was written")


def _load_map(path: str) -> object:
    """The mapping file at ``path``; its problems printed and a failure (exit 1) if it has
    errors."""
    from safeguard_standards._files import FileProblem, read_regular
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.returns._map import read_map

    try:
        data = read_regular(path, 16 * 1024 * 1024)
    except FileProblem as exc:
        raise UsageProblem(
            f"{path} cannot be read: {exc.reason}", "give the mapping file 'returns map' wrote"
        ) from None
    mapping, problems = read_map(data, path)
    for d in problems:
        click.echo(format_diagnostic(d), err=True)
    if mapping is None:
        raise ContentProblem(f"{path}: the mapping file has errors; nothing was checked")
    return mapping


@returns_cmd.command("map")
@click.argument("export", metavar="EXPORT")
@click.option(
    "--set",
    "set_spec",
    required=True,
    metavar="SET[@VERSION]",
    help="The set the survey was made from (kcsie, kcsie@2025-26).",
)
@click.option(
    "--for",
    "audience",
    multiple=True,
    metavar="DIM=VALUE",
    help="The audience the survey was for, e.g. --for setting=academy (repeatable).",
)
@click.option(
    "--as",
    "kind",
    type=click.Choice(["form", "return-form"]),
    default="form",
    show_default=True,
    help="Whether the survey asked the whole form or the return form's questions.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="MAP.yaml",
    help="The mapping file to write.",
)
def map_cmd(export: str, set_spec: str, audience: tuple[str, ...], kind: str, output: str) -> None:
    """Write the mapping of a Microsoft Forms or SmartSurvey export's columns to the set's
    questions, for 'returns check EXPORT --map MAP.yaml'.

    Each column, headed by a question's text as the survey tool has it, is matched to a
    question by exact text, then by the text with case, spacing, punctuation and numbers
    ignored, then by the closest text (with its score); each answer text to a level or
    option. A reworded question shows both texts. Review the file: every column it could not
    map is listed under 'unmapped'. The respondents' names and e-mail addresses are never
    written to it.

    \b
    Examples:
      safeguard returns map responses.xlsx --set kcsie -o map.yaml
      safeguard returns check responses.xlsx --map map.yaml
    """
    from safeguard_standards import AudienceError, parse_audience
    from safeguard_standards._files import FileProblem, read_regular
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.returns._map import dump_map, looks_like_form_export, make_map
    from safeguard_standards.returns._read_export import read_table
    from safeguard_standards.returns.read import MAX_RETURN_BYTES, sniff

    from ._errors import check_output, load_or_fail, problem, write_output

    check_output(output, [export])
    checklist = load_or_fail(set_spec).unwrap()
    try:
        selection = parse_audience(checklist, audience)
    except AudienceError as exc:
        raise problem(exc) from None
    try:
        data = read_regular(export, MAX_RETURN_BYTES)
    except FileProblem as exc:
        raise UsageProblem(f"{export} cannot be read: {exc.reason}") from None
    fmt = sniff(data, export)
    if fmt not in ("xlsx", "csv"):
        raise ContentProblem(
            f"{export} is not an Excel workbook (.xlsx) or a CSV file: download the "
            "responses from the survey tool as Excel or CSV"
        )
    table = read_table(data, export, fmt)
    for d in table.problems:
        click.echo(format_diagnostic(d), err=True)
    if not table.headings:
        raise ContentProblem(f"{export}: no heading row to map")
    if not looks_like_form_export(table.headings):
        click.echo(
            f"{export}: the headings are not those of a Microsoft Forms or SmartSurvey "
            "export (no ID and Start time columns); mapping them anyway",
            err=True,
        )
    mapping = make_map(
        table,
        checklist,
        kind=kind,
        audience=tuple(selection.items()),
        export=os.path.basename(export),
    )
    write_output(output, dump_map(mapping), [export])
    columns = mapping["columns"]
    found = sum(1 for c in columns if c["field"])
    unsure = [c for c in columns if str(c["match"]).startswith(("closest", "normalised"))]
    click.echo(
        f"{output}: {found} of {len(columns)} columns mapped, {len(unsure)} to check "
        f"(reworded), {len(mapping['unmapped'])} not mapped",
        err=True,
    )
    for c in mapping["unmapped"]:
        click.echo(f"  not mapped: {c}", err=True)

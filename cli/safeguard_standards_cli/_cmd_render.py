"""``safeguard render SET --as KIND --format FMT``: blank audit tools, return forms, guidance,
action plans and "what changed" documents in HTML, PDF, Word, Excel, Markdown, CSV and JSON;
forms and return forms for online collection as XLSForm, SurveyJS and FHIR."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._errors import (
    ContentProblem,
    UsageProblem,
    check_output,
    load_or_fail,
    previous_or_fail,
    problem,
    registry,
    write_output,
)

if TYPE_CHECKING:
    from safeguard_standards import Checklist, LoadResult

# Kept in step with safeguard_standards.render.KINDS / FORMATS (not imported here, so that
# `safeguard --help` does not load the library).
KINDS = ("form", "return-form", "guidance", "action-plan", "changes")
FORMATS = ("html", "pdf", "docx", "xlsx", "md", "csv", "json", "xlsform", "surveyjs", "fhir")
BINARY = ("pdf", "docx", "xlsx", "xlsform")
#: The file name ending of the online-collection formats (``…-form-xlsform.xlsx``).
_COLLECT_SUFFIX = {"xlsform": "xlsform.xlsx", "surveyjs": "surveyjs.json", "fhir": "fhir.json"}
_EXTENSIONS = {".htm": "html", ".markdown": "md"}


def _format_from_name(output: str | None) -> str | None:
    if not output or output == "-":
        return None
    suffix = Path(output).suffix.lower()
    fmt = _EXTENSIONS.get(suffix, suffix.lstrip("."))
    return fmt if fmt in FORMATS else None


def default_output(checklist: Checklist, kind: str, fmt: str, audience: dict[str, str]) -> str:
    """``kcsie-2025-26-form.pdf``; ``…-form-academy.pdf`` for ``--for setting=academy``;
    ``kcsie-2025-26-form-xlsform.xlsx``, ``…-form-surveyjs.json``, ``…-form-fhir.json``."""
    parts = [checklist.id, checklist.version, kind, *audience.values()]
    name = "-".join(p for p in parts if p)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
    if fmt in _COLLECT_SUFFIX:
        return f"{safe}-{_COLLECT_SUFFIX[fmt]}"
    return f"{safe}.{fmt}"


def _base_dir(result: LoadResult) -> str | None:
    """The folder a logo path in the set is resolved against: the YAML file's folder."""
    if not result.files:  # a bundled set inside a zipped installation
        return None
    return str(Path(result.files[0]).resolve().parent)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _read_css(css_path: str | None) -> str:
    """The --css file's text: a regular file of at most MAX_CSS_BYTES, in UTF-8 (a pipe or a
    device is refused at once, and no more than the limit is ever read)."""
    if not css_path:
        return ""
    from safeguard_standards._files import FileProblem, read_regular
    from safeguard_standards.render._html import MAX_CSS_BYTES

    try:
        data = read_regular(css_path, MAX_CSS_BYTES)
    except FileProblem as exc:
        code = "SG425" if exc.kind == "too-large" else "SG420"
        raise UsageProblem(
            f"{css_path}: {code} cannot read the stylesheet: {exc.reason}",
            f"give the path of a CSS file (at most {MAX_CSS_BYTES // 1024} KB)",
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageProblem(
            f"{css_path}:{line}: SG425 the stylesheet is not UTF-8 text",
            "save the CSS file as UTF-8",
        ) from None


@click.command("render")
@click.argument("set_spec", metavar="SET")
@click.option(
    "--as",
    "kind",
    type=click.Choice(KINDS),
    required=True,
    help="What to make: the audit tool (form), the return form, the guidance, an action-plan "
    "skeleton, or what changed since the previous version.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the -o file name's extension). For online collection "
    "of a form or return form: xlsform (ODK, KoboToolbox), surveyjs, fhir (an R5 Questionnaire).",
)
@click.option(
    "--for",
    "audience",
    multiple=True,
    metavar="DIM=VALUE",
    help="Only what applies to this audience, e.g. --for setting=academy (repeatable).",
)
@click.option(
    "--per",
    type=click.Choice(["standard", "question"]),
    help="Action plans: one row per standard or per question (default: the set's choice).",
)
@click.option(
    "--since",
    metavar="VERSION",
    help="For --as changes: the version to compare with (default: the one it supersedes).",
)
@click.option(
    "--css",
    "css_path",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Extra CSS for HTML and PDF output (a partnership's colours, fonts, logo size).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Where to write (default: e.g. kcsie-2025-26-form.pdf here); - for standard output.",
)
def render_cmd(
    set_spec: str,
    kind: str,
    fmt: str | None,
    audience: tuple[str, ...],
    per: str | None,
    since: str | None,
    css_path: str | None,
    output: str | None,
) -> None:
    """Render SET as a blank audit tool, return form, guidance or action plan.

    SET may also be a completed return (a filled PDF, Word or Excel form, the web form's
    answers file, a CSV): --as action-plan then lists its gaps with the organisation's
    findings and actions, and --as form shows the completed form (PDF, HTML or Word).

    \b
    Examples:
      safeguard render kcsie --as form --format pdf -o kcsie-form.pdf
      safeguard render kcsie --as form --format html --for setting=academy
      safeguard render section11 --as guidance --format md -o -
      safeguard render vcs_checklist --as action-plan --format csv --per question
      safeguard render kcsie@2025-26 --as changes --format html
      safeguard render kcsie --as return-form --format xlsform --for setting=academy
      safeguard render northshire.pdf --as action-plan --format docx
    """
    from safeguard_standards import AudienceError, parse_audience
    from safeguard_standards.render import RenderError, RenderOptions, render, render_changes

    fmt = fmt or _format_from_name(output)
    if fmt is None:
        raise UsageProblem(
            "say which format to write with --format",
            "formats: " + ", ".join(FORMATS) + " (or name the output file, e.g. -o form.pdf)",
        )
    _check_options_apply(kind, fmt, per=per, since=since, css=css_path)
    to_stdout = output == "-"
    if to_stdout and fmt in BINARY and _stdout_is_terminal():
        ext = "xlsx" if fmt == "xlsform" else fmt
        raise UsageProblem(
            f"will not write {fmt.upper()} to a terminal",
            f"give a file name with -o FILE.{ext}, or redirect: > file.{ext}",
        )

    if _is_return_file(set_spec):
        _render_return(set_spec, kind, fmt, audience, per, css_path, output)
        return

    reg = registry()
    result = load_or_fail(set_spec, reg)
    checklist = result.unwrap()
    try:
        selection = parse_audience(checklist, audience)
    except AudienceError as exc:
        raise problem(exc) from None
    selected = checklist.select(selection) if selection else checklist
    if not any(True for _ in selected.questions()):
        raise UsageProblem(
            f"nothing in {checklist.ref} applies to " + ", ".join(audience),
            "choose another audience value",
        )
    compared = previous_or_fail(checklist, since, reg) if kind == "changes" else None
    previous = compared.unwrap() if compared is not None else None
    same_file = previous is not None and previous.source == checklist.source
    if since and previous is not None and previous.ref == checklist.ref and same_file:
        raise UsageProblem(
            f"--since {since} is {checklist.ref} itself, so nothing could have changed",
            f"compare with an earlier version: --since {checklist.supersedes}"
            if checklist.supersedes and checklist.supersedes != checklist.version
            else "name an earlier version with --since",
        )
    if previous is not None and selection:
        previous = previous.select({k: v for k, v in selection.items() if previous.audience(k)})
    base_dir = _base_dir(result)
    target = output or default_output(checklist, kind, fmt, selection)
    inputs = [*result.files, *(compared.files if compared is not None else ())]
    if css_path:
        inputs.append(css_path)
    publisher = checklist.publisher
    logo = publisher.logo if publisher else None
    logo_root = (publisher.logo_dir if publisher else "") or base_dir  # as the renderer reads it
    if logo and logo_root and not logo.strip().startswith("data:"):
        inputs.append(os.path.join(logo_root, logo.strip()))
    if not to_stdout:  # refuse a bad output before the work, not after
        check_output(target, inputs)
    options = RenderOptions(
        audience=tuple(selection.items()),
        per=per,
        base_dir=base_dir,
        css=_read_css(css_path),
        css_source=css_path or "",
    )
    try:
        if previous is not None:
            data = render_changes(previous, selected, fmt, options)
        else:
            data = render(selected, kind, fmt, options)
    except RenderError as exc:
        # the catalogue says whether another command line would do (exit 2); a problem in the
        # --css file is the command line's too
        in_css = bool(css_path) and exc.where.startswith(f"{css_path}:")
        shown = UsageProblem if exc.exit_status == 2 or in_css else ContentProblem
        err = shown(f"{exc.code}: {exc.message}", exc.hint)
        if exc.where and shown is UsageProblem:  # in the --css file: file:line:col: CODE
            raise UsageProblem(f"{exc.where}: {exc.code} {exc.message}", exc.hint) from None
        if exc.where:  # located in the set (a logo): file:line:col: CODE message, then the hint
            hint = f"\n    hint: {exc.hint}" if exc.hint else ""
            click.echo(f"{exc.where}: {exc.code} {exc.message}{hint}", err=True)
            raise ContentProblem("nothing was written") from None
        if shown is ContentProblem:
            click.echo(f"safeguard: {err.format_message()}", err=True)
            raise ContentProblem("nothing was written") from None
        raise err from None

    if to_stdout:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    write_output(target, data, inputs, terminal=fmt not in BINARY)
    click.echo(f"wrote {target} ({_size(len(data))})")


def _is_return_file(spec: str) -> bool:
    """Whether SET names a completed return (a PDF, Word, Excel, CSV or answers file), which
    is rendered from its answers, rather than a standard set."""
    from safeguard_standards._files import FileProblem, read_regular
    from safeguard_standards.returns.read import MAX_RETURN_BYTES, is_return

    if not os.path.isfile(spec):
        return False
    try:
        data = read_regular(spec, MAX_RETURN_BYTES)
    except FileProblem:
        return False  # the loader says what is wrong with it
    return is_return(data, spec)


def _render_return(
    path: str,
    kind: str,
    fmt: str,
    audience: tuple[str, ...],
    per: str | None,
    css_path: str | None,
    output: str | None,
) -> None:
    """``safeguard render RETURN --as action-plan|form``: read and check the return, print
    its diagnostics, and render it (nothing is written when it has errors)."""
    from safeguard_standards import AudienceError, Code, SetNotFound, parse_audience
    from safeguard_standards.render import (
        RETURN_FORM_FORMATS,
        RETURN_KINDS,
        RenderError,
        RenderOptions,
        render_return,
    )
    from safeguard_standards.returns.check import check
    from safeguard_standards.returns.read import read_path

    from ._errors import echo_diagnostics

    if kind not in RETURN_KINDS:
        code = Code.RENDER_RETURN_KIND
        raise UsageProblem(f"{code.code} {code.message(kind=kind)}", code.hint(kind=kind))
    if kind != "action-plan" and fmt not in RETURN_FORM_FORMATS:
        code = Code.RENDER_RETURN_FORMAT
        raise UsageProblem(f"{code.code} {code.message(fmt=fmt)}", code.hint(fmt=fmt))
    reg = registry()
    checked = check(read_path(path), reg)
    echo_diagnostics(checked.diagnostics, None)
    ret = checked.return_
    if checked.errors or ret is None:
        code = Code.RENDER_RETURN_INVALID
        n = len(checked.errors)
        raise ContentProblem(
            f"{code.code} {code.message(source=path, count=n, s='' if n == 1 else 's')}"
            f"\n    hint: {code.hint(source=path)}"
        )
    try:
        result = reg.get(ret.set, ret.version)
    except SetNotFound as exc:  # pragma: no cover - the check found it a moment ago
        raise problem(exc) from None
    checklist = result.unwrap()
    if audience:
        try:
            given = parse_audience(checklist, audience)
        except AudienceError as exc:
            raise problem(exc) from None
        if given != dict(ret.audience):
            code = Code.RENDER_RETURN_AUDIENCE
            made = ", ".join(f"{d}={v}" for d, v in ret.audience) or "every audience"
            asked = ", ".join(f"{d}={v}" for d, v in given.items())
            raise UsageProblem(f"{code.code} {code.message(made=made, given=asked)}", code.hint())
    to_stdout = output == "-"
    stem = Path(path).stem
    target = output or f"{stem}-{'action-plan' if kind == 'action-plan' else 'completed'}.{fmt}"
    inputs = [path, *result.files, *([css_path] if css_path else [])]
    if not to_stdout:
        check_output(target, inputs)
    options = RenderOptions(
        per=per,
        base_dir=_base_dir(result),
        css=_read_css(css_path),
        css_source=css_path or "",
    )
    try:
        data = render_return(ret, checklist, kind, fmt, options)
    except RenderError as exc:
        shown = UsageProblem if exc.exit_status == 2 else ContentProblem
        where = f"{exc.where}: " if exc.where else ""
        raise shown(f"{where}{exc.code}: {exc.message}", exc.hint) from None
    if to_stdout:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    write_output(target, data, inputs, terminal=fmt not in BINARY)
    click.echo(f"wrote {target} ({_size(len(data))})")


def _check_options_apply(
    kind: str, fmt: str, *, per: str | None, since: str | None, css: str | None
) -> None:
    """An option that would be silently ignored is a usage error (exit 2) with a hint."""
    sheet = kind in ("form", "return-form") and fmt == "xlsx"  # its Action plan sheet
    if per and kind != "action-plan" and not sheet:
        raise UsageProblem(
            f"--per applies to action plans, not to --as {kind} --format {fmt}",
            "use --as action-plan (or an XLSX form, whose Action plan sheet it lays out), "
            "or leave --per out",
        )
    if since and kind != "changes":
        raise UsageProblem(
            f"--since applies to --as changes, not to --as {kind}",
            f"use --as changes --since {since}, or leave --since out",
        )
    if css and fmt not in ("html", "pdf"):
        raise UsageProblem(
            f"--css styles HTML and PDF output, not {fmt.upper()}",
            "use --format html or pdf, or leave --css out (Word and Excel files are "
            "restyled through their named styles, see docs/rendering-office.md)",
        )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"

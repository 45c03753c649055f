"""``safeguard report``: from completed returns to the partnership's assurance pack."""

from __future__ import annotations

import datetime
import os
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ._errors import ContentProblem, UsageProblem, check_output, problem, registry, write_output

if TYPE_CHECKING:
    from safeguard_standards.report.roster import Roster

KINDS = ("thematic", "feedback", "panel", "tracking", "briefing", "triangulation", "data")
DOCUMENT_FORMATS = ("html", "pdf", "docx", "md")
DATA_FORMATS = ("csv", "xlsx", "parquet")
TEXT = ("html", "md", "csv")


class _Progress:
    """``what n of N, about T left`` on one line of a terminal's standard error; nothing when
    standard error is not a terminal or with --quiet."""

    def __init__(self, quiet: bool) -> None:
        from ._terminal import is_terminal

        self.stream = getattr(sys.stderr, "_stream", sys.stderr)
        self.on = not quiet and is_terminal(self.stream)
        self.width = 0
        self.what = ""
        self.start = 0.0

    def __call__(self, n: int, total: int, name: str) -> None:
        if not self.on:
            return
        from ._terminal import printable

        now = time.monotonic()
        if n <= 1:
            self.start = now
        left = ""
        if n > 1 and total > n:
            seconds = (now - self.start) / (n - 1) * (total - n)
            left = f", about {_duration(seconds)} left"
        line = f"{self.what} {n} of {total}{left}: {printable(os.path.basename(name))}"[:79]
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def stage(self, what: str) -> _Progress:
        self.clear()
        self.what = what
        return self

    def clear(self) -> None:
        if self.on and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"


def _date(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageProblem(
            f"{option} {text!r} is not a date", "write it as YYYY-MM-DD, e.g. 2026-03-31"
        ) from None


def _roster(path: str | None) -> Roster | None:
    if path is None:
        return None
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.report.roster import read_roster

    text = _read_text(path, "--roster")
    roster, problems = read_roster(text, path)
    for d in problems:
        click.echo(format_diagnostic(d), err=True)
    if any(d.is_error for d in problems):
        raise ContentProblem(f"{path}: the roster has errors; nothing was written")
    return roster


def _read_text(path: str, option: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read(16 * 1024 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageProblem(
            f"{option} {path}: cannot be read ({reason})", "give a UTF-8 text file"
        ) from None


@click.command("report")
@click.argument("targets", nargs=-1, required=True, metavar="RETURNS...")
@click.option(
    "--roster",
    "roster_path",
    metavar="FILE",
    help="The organisations expected to return (CSV: Id, Name, Type, Set).",
)
@click.option(
    "--previous",
    "previous",
    multiple=True,
    metavar="RETURNS",
    help="Last year's returns (a file or folder; repeatable), for the year-on-year comparison "
    "and tracking.",
)
@click.option(
    "--plans",
    "plans",
    multiple=True,
    metavar="CSV",
    help="Tracking: this year's action plans sent back (the CSV render --as action-plan "
    "writes, filled in; named ORG-ID.csv, or with an Organisation column; repeatable).",
)
@click.option("--as", "kind", type=click.Choice(KINDS), required=True, help="The report to make.")
@click.option("--format", "fmt", type=click.Choice(DOCUMENT_FORMATS + DATA_FORMATS), required=True)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="OUT",
    help="The file (a folder, or a .zip, for feedback); - for standard output.",
)
@click.option("--seed", help="Panel: the published seed of the selection.")
@click.option("--size", type=click.IntRange(min=1), help="Panel: how many organisations to select.")
@click.option(
    "--by",
    "by",
    metavar="DIMENSION",
    help="Panel: stratify by an audience dimension or a roster column.",
)
@click.option(
    "--standards",
    "standards",
    metavar="IDS",
    help="Panel: the standards to review, comma-separated full ids.",
)
@click.option("--org", "org", metavar="ID", help="Feedback: only this organisation's document.")
@click.option(
    "--comments",
    "comments_path",
    metavar="FILE",
    help="Feedback: the reviewer's comments (YAML or CSV, keyed by organisation and question).",
)
@click.option(
    "--name-organisations",
    is_flag=True,
    help="Name organisations in thematic reports and briefings (they are not named otherwise).",
)
@click.option(
    "--threshold",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Suppress figures resting on fewer organisations than this.",
)
@click.option(
    "--generated-on",
    "generated_on",
    metavar="DATE",
    help="The date printed on the report (YYYY-MM-DD); none by default, so that runs are "
    "identical.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Feedback: processes to use (default: every core).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary.")
def report_cmd(
    targets: tuple[str, ...],
    roster_path: str | None,
    previous: tuple[str, ...],
    plans: tuple[str, ...],
    kind: str,
    fmt: str,
    output: str,
    seed: str | None,
    size: int | None,
    by: str | None,
    standards: str | None,
    org: str | None,
    comments_path: str | None,
    name_organisations: bool,
    threshold: int,
    generated_on: str | None,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Make a report from completed returns: the thematic report, feedback for each
    organisation, a panel selection, action-plan tracking, the annual briefing, or the data.

    RETURNS are completed returns (files or folders), read and checked as `safeguard returns
    check` does: a return the checker cannot read is rejected, and the report lists it with
    the reason. The report covers the set and version most returns answer.

    Exit status: 0 written, 1 the returns or a file given cannot be used, 2 a bad command line.

    \b
    Examples:
      safeguard report returns/ --roster roster.csv --as thematic --format pdf -o thematic.pdf
      safeguard report returns/ --previous last-year/ --as thematic --format html -o report.html
      safeguard report returns/ --as feedback --format pdf --comments comments.yaml -o feedback.zip
      safeguard report returns/ --as panel --seed 2026 --size 5 --by agency --format md -o -
      safeguard report returns/ --previous last-year/ --as tracking --format docx -o tracking.docx
      safeguard report returns/ --as data --format xlsx -o data.xlsx
    """
    from safeguard_standards.diagnostics import SafeguardError

    generated_on = _date(generated_on, "--generated-on")
    _check_options(
        kind,
        fmt,
        output,
        seed=seed,
        size=size,
        by=by,
        org=org,
        comments=comments_path,
        previous=previous,
        standards=standards,
    )
    to_stdout = output == "-"
    many = kind == "feedback" and org is None
    folder = many or (kind == "feedback" and not output.endswith((f".{fmt}", ".zip")))
    if kind == "data" and fmt == "csv" and not to_stdout:
        folder = True
    if plans and kind != "tracking":
        raise UsageProblem(f"--plans applies to --as tracking, not --as {kind}", "leave it out")
    inputs = [*targets, *previous, *plans, *(p for p in (roster_path, comments_path) if p)]
    if (not to_stdout and not folder) or (not to_stdout and output.endswith(".zip")):
        check_output(output, inputs)
    try:
        _run(
            targets=targets,
            roster_path=roster_path,
            previous=previous,
            plans=plans,
            kind=kind,
            fmt=fmt,
            output=output,
            folder=folder,
            seed=seed,
            size=size,
            by=by,
            standards=standards,
            org=org,
            comments_path=comments_path,
            name_organisations=name_organisations,
            threshold=threshold,
            generated_on=generated_on,
            jobs=jobs,
            quiet=quiet,
            inputs=inputs,
        )
    except SafeguardError as exc:
        raise problem(exc) from None


def _check_options(
    kind: str,
    fmt: str,
    output: str,
    *,
    seed: str | None,
    size: int | None,
    by: str | None,
    org: str | None,
    comments: str | None,
    previous: tuple[str, ...],
    standards: str | None,
) -> None:
    if kind == "data" and fmt not in DATA_FORMATS:
        raise UsageProblem(
            f"--as data is written as csv, xlsx or parquet, not {fmt}",
            "use --format xlsx (tables with charts), csv, or parquet",
        )
    if kind != "data" and fmt not in DOCUMENT_FORMATS:
        raise UsageProblem(
            f"--as {kind} is a document: html, pdf, docx or md, not {fmt}",
            "use --as data for the tables as csv, xlsx or parquet",
        )
    if kind == "panel" and (seed is None or size is None):
        raise UsageProblem(
            "--as panel needs --seed and --size",
            "publish the seed first, e.g. --seed 2026-panel --size 5",
        )
    if kind not in ("panel", "feedback"):
        for name, value in (
            ("--seed", seed),
            ("--size", size),
            ("--by", by),
            ("--standards", standards),
        ):
            if value is not None:
                raise UsageProblem(
                    f"{name} applies to --as panel (and feedback's panel record), not --as {kind}",
                    f"leave {name} out",
                )
    if kind == "feedback" and (seed is None) != (size is None):
        raise UsageProblem(
            "a panel record in feedback needs both --seed and --size", "give both, or neither"
        )
    if org is not None and kind != "feedback":
        raise UsageProblem(f"--org applies to --as feedback, not --as {kind}", "leave --org out")
    if comments is not None and kind != "feedback":
        raise UsageProblem(
            f"--comments applies to --as feedback, not --as {kind}", "leave --comments out"
        )
    if kind == "tracking" and not previous:
        raise UsageProblem(
            "--as tracking needs last year's returns", "give them with --previous FOLDER"
        )
    if output == "-":
        if fmt not in TEXT:
            raise UsageProblem(
                f"-o - writes a text format (html, md, csv), not {fmt}",
                f"give a file name with -o FILE.{fmt}",
            )
        if kind == "feedback" and org is None:
            raise UsageProblem(
                "feedback is one document per organisation: it goes to a folder or a .zip",
                "give -o FOLDER or -o feedback.zip, or --org ID for one document",
            )


def _run(
    *,
    targets: tuple[str, ...],
    roster_path: str | None,
    previous: tuple[str, ...],
    plans: tuple[str, ...],
    kind: str,
    fmt: str,
    output: str,
    folder: bool,
    seed: str | None,
    size: int | None,
    by: str | None,
    standards: str | None,
    org: str | None,
    comments_path: str | None,
    name_organisations: bool,
    threshold: int,
    generated_on: str | None,
    jobs: int | None,
    quiet: bool,
    inputs: list[str],
) -> None:
    from safeguard_standards.diagnostics import Code, SafeguardError, format_diagnostic
    from safeguard_standards.report import pack
    from safeguard_standards.report import views as v
    from safeguard_standards.report.documents import write_document

    reg = registry()
    roster = _roster(roster_path)
    progress = _Progress(quiet)
    skip = [p for p in (roster_path, comments_path) if p]
    files = pack.files_of(targets)
    if not files:
        raise SafeguardError(
            Code.REPORT_NO_RETURNS,
            "no files in " + ", ".join(targets) + " (hidden files are skipped)",
            "give the folder the returns were saved in",
        )
    read = pack.read_returns(files, reg, skip=skip, progress=progress.stage("reading returns"))
    before = None
    if previous:
        before = pack.read_returns(
            pack.files_of(previous),
            reg,
            skip=skip,
            progress=progress.stage("reading last year's returns"),
        )
    progress.clear()
    if kind == "triangulation":
        _triangulation(
            read,
            reg,
            roster,
            fmt,
            output,
            inputs,
            threshold,
            name_organisations,
            generated_on,
            quiet,
        )
        return
    set_id, version = pack.choose_version(read.used, reg)
    checklist = reg.get(set_id, version).unwrap()
    ledger, mine = pack.ledger_for(read, checklist)
    if not mine:  # pragma: no cover - choose_version picks a version with returns
        raise SafeguardError(Code.REPORT_NO_RETURNS, "no return to report on", "")
    prev_returns: list[Any] = []
    chain: list[Any] = []
    if before is not None:
        prev_set = [r for r in before.used if r.set == set_id and r.version != version]
        if prev_set:
            old = pack.choose_version(prev_set, reg)[1]
            chain = pack.chain_between(reg, set_id, old, version)
            prev_returns = [r for r in prev_set if r.version == old]
            import attrs

            ledger = attrs.evolve(
                ledger,
                versions=(f"{set_id}@{old} ({len(prev_returns)} last year)", *ledger.versions),
            )
        if not chain:
            raise UsageProblem(
                f"--previous: no returns to an earlier version of {set_id} than {version}",
                "give last year's returns to the same set",
            )
    selection = None
    strata: dict[str, str] = {}
    if seed is not None and size is not None:
        selection, strata = _select(checklist, mine, roster, seed, size, by, standards)

    def done(target: str, n: int) -> None:
        if not quiet:
            click.echo(f"wrote {target} ({n:,} bytes)", err=output == "-")

    if kind == "feedback":
        comments = None
        if comments_path:
            comments = _comments(comments_path, checklist, mine, roster)
        progress.stage("writing feedback")
        docs = pack.feedback_pack(
            checklist,
            mine,
            roster=roster,
            fmt=fmt,
            comments=comments,
            panel=selection,
            threshold=threshold,
            generated_on=generated_on,
            only=org,
            jobs=jobs or os.cpu_count() or 1,
            progress=progress,
        )
        progress.clear()
        _write_many(output, docs, folder, inputs, done)
        return
    if kind in ("thematic", "data"):
        prev = (
            v.previous_aggregate(chain, prev_returns, roster=roster, threshold=threshold)
            if chain
            else None
        )
        view = v.thematic_view(
            checklist,
            mine,
            ledger,
            roster=roster,
            previous=prev,
            threshold=threshold,
            name_organisations=name_organisations,
            generated_on=generated_on,
        )
    elif kind == "briefing":
        view = v.briefing_view(
            checklist,
            mine,
            ledger,
            roster=roster,
            threshold=threshold,
            name_organisations=name_organisations,
            generated_on=generated_on,
        )
    elif kind == "panel":
        assert selection is not None
        orgs = {o.id: o for o in roster} if roster is not None else {}
        view = v.panel_view(
            checklist, selection, orgs, ledger, strata=strata, generated_on=generated_on
        )
    else:  # tracking
        as_of = datetime.date.fromisoformat(generated_on) if generated_on else _latest(mine)
        view = v.tracking_view(
            checklist,
            mine,
            prev_returns,
            ledger,
            chain=chain,
            roster=roster,
            plans=_plans(plans) if plans else None,
            as_of=as_of,
            name_organisations=name_organisations,
            generated_on=generated_on,
        )
    if kind == "data":
        from safeguard_standards.report.data import long_table, to_csv, to_parquet
        from safeguard_standards.report.documents import csv_files, write_xlsx

        long = long_table([checklist], mine, roster=roster)
        if fmt == "xlsx":
            data = write_xlsx(view, long, generated_on)
        elif fmt == "parquet":
            data = to_parquet(long)
        elif output == "-":
            data = to_csv(long)
        else:
            _write_many(output, sorted(csv_files(view, long).items()), True, inputs, done)
            return
    else:
        data = write_document(view, fmt, generated_on)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_output(output, data, inputs, terminal=fmt in TEXT)
    done(output, len(data))
    for d in read.rejected:
        if not quiet:
            click.echo(
                f"rejected {d[0]}: " + "; ".join(x.code.code for x in d[1] if x.is_error), err=True
            )
    del format_diagnostic


def _triangulation(
    read: Any,
    reg: Any,
    roster: Any,
    fmt: str,
    output: str,
    inputs: list[str],
    threshold: int,
    name_organisations: bool,
    generated_on: str | None,
    quiet: bool,
) -> None:
    """The triangulated review over returns of several sets (self-assessments, case-file
    audits, practitioner surveys), each read against its own version."""
    from safeguard_standards.report.documents import write_document
    from safeguard_standards.report.triangulate import (
        to_report_view,
        triangulate,
        triangulation_document,
    )

    versions = sorted({(r.set, r.version) for r in read.used})
    checklists = [reg.get(s, v).unwrap() for s, v in versions]
    tri = triangulate(
        checklists,
        read.used,
        roster=roster,
        threshold=threshold,
        name_organisations=name_organisations,
    )
    view = to_report_view(triangulation_document(tri, generated_on=generated_on or ""))
    data = write_document(view, fmt, generated_on)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_output(output, data, inputs, terminal=fmt in TEXT)
    if not quiet:
        click.echo(f"wrote {output} ({len(data):,} bytes)")
    for d in read.rejected:
        if not quiet:
            click.echo(
                f"rejected {d[0]}: " + "; ".join(x.code.code for x in d[1] if x.is_error), err=True
            )


def _plans(paths: tuple[str, ...]) -> list[Any]:
    """Every action of the action-plan CSVs (an organisation's own plan is named by its id:
    ORG-0042.csv); a row that cannot be read is a located error."""
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.report.tracking import read_action_plan

    out: list[Any] = []
    bad = False
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        actions, problems = read_action_plan(_read_text(path, "--plans"), path, stem)
        for d in problems:
            click.echo(format_diagnostic(d), err=True)
        bad |= any(d.is_error for d in problems)
        out.extend(actions)
    if bad:
        raise ContentProblem("the action plans have errors; nothing was written")
    return out


def _latest(returns: Any) -> datetime.date:
    """The latest completion date the returns give (the date tracking counts from)."""
    best = ""
    for r in returns:
        for key in ("org.date", "signoff.date"):
            text = r.detail(key)
            try:
                best = max(best, datetime.date.fromisoformat(text[:10]).isoformat())
            except ValueError:
                continue
    return datetime.date.fromisoformat(best) if best else datetime.date.today()


def _select(
    checklist: Any,
    returns: Any,
    roster: Any,
    seed: str,
    size: int,
    by: str | None,
    standards: str | None,
) -> tuple[Any, dict[str, str]]:
    from safeguard_standards.report.panel import select
    from safeguard_standards.report.roster import return_key

    ids: list[str] = []
    strata: dict[str, str] = {}
    for r in returns:
        org = roster.match(r) if roster is not None else None
        oid = org.id if org is not None else return_key(r)
        ids.append(oid)
        if by:
            audience = dict(r.audience)
            if by in audience:
                strata[oid] = audience[by]
            elif org is not None:
                strata[oid] = org.attribute(by.lower())
    if by and not strata:
        dims = [a.id for a in checklist.audiences] + ["type"]
        raise UsageProblem(
            f"--by {by}: no organisation has a value for it",
            "stratify by one of: " + ", ".join(dims),
        )
    wanted = tuple(s.strip() for s in (standards or "").split(",") if s.strip())
    known = {st.full_id for st in checklist.standards()}
    for s in wanted:
        if s not in known:
            from safeguard_standards.diagnostics import did_you_mean

            raise UsageProblem(
                f"--standards: {s!r} is not a standard of {checklist.ref}"
                + did_you_mean(s, sorted(known)),
                "give full standard ids, comma-separated (safeguard show " + checklist.ref + ")",
            )
    sel = select(ids, seed, size, by or None, strata if by else None, standards=wanted)
    return sel, strata


def _comments(path: str, checklist: Any, returns: Any, roster: Any) -> Any:
    from safeguard_standards.diagnostics import format_diagnostic
    from safeguard_standards.report.comments import read_comments
    from safeguard_standards.report.roster import return_key

    comments, problems = read_comments(_read_text(path, "--comments"), path)
    for d in problems:
        click.echo(format_diagnostic(d), err=True)
    if problems:
        raise ContentProblem(f"{path}: the comments file has errors; nothing was written")
    ids = []
    for r in returns:
        org = roster.match(r) if roster is not None else None
        ids.append(org.id if org is not None else return_key(r))
    for d in comments.check(ids, (q.full_id for q in checklist.questions())):
        click.echo(format_diagnostic(d), err=True)
    return comments


def _write_many(output: str, docs: Any, folder: bool, inputs: list[str], done: Any) -> None:
    from safeguard_standards.report.documents import reproducible_zip

    if output == "-":
        sys.stdout.buffer.write(docs[0][1])
        sys.stdout.buffer.flush()
        return
    if output.endswith(".zip"):
        data = reproducible_zip(docs)
        write_output(output, data, inputs, terminal=False)
        done(output, len(data))
        return
    if not folder:
        write_output(output, docs[0][1], inputs, terminal=False)
        done(output, len(docs[0][1]))
        return
    try:
        os.makedirs(output, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(f"-o {output}: the folder cannot be made ({exc.strerror})") from None
    total = 0
    for name, data in docs:
        write_output(os.path.join(output, name), data, inputs, terminal=False)
        total += len(data)
    done(f"{len(docs)} files in {output}", total)

"""Floors: the least a credible implementation has to do for each benchmark row.

Each floor runs as its own process, like the command it is compared with, and uses only the
libraries underneath safeguard-standards, with none of its code:

    python benchmarks/floors.py click-skeleton --help      # a click group with 8 commands
    python benchmarks/floors.py parse FILE...              # libyaml (C) load, GC paused
    python benchmarks/floors.py parse-validate FILE...     # + the compiled JSON Schema check
    python benchmarks/floors.py markdown FILE              # + every prose field through markdown-it
    python benchmarks/floors.py weasyprint-plain HTML OUT  # WeasyPrint on HTML, plain stylesheet
    python benchmarks/floors.py docx-plain FILE OUT        # python-docx: one plain table a question
    python benchmarks/floors.py xlsx-plain FILE OUT        # openpyxl write_only: a row a question

``benchmarks/run.py`` runs them beside the real commands, so each ratio is measured on the
same machine in the same minute.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "safeguard_standards" / "schema" / "standard-set.schema.json"


def _load(path: str) -> Any:
    import yaml

    class Loader(yaml.CSafeLoader):  # type: ignore[misc]
        """libyaml, with dates kept as text (JSON Schema has no date type)."""

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)
    text = Path(path).read_text(encoding="utf-8")
    gc.disable()
    try:
        return yaml.load(text, Loader=Loader)
    finally:
        gc.enable()


def _questions(data: Any) -> Iterator[dict[str, Any]]:
    for section in data.get("sections") or ():
        for standard in section.get("standards") or ():
            yield from standard.get("questions") or ()


def click_skeleton(argv: list[str]) -> None:
    """A click group with as many commands as safeguard, doing nothing."""
    import click

    @click.group()
    def cli() -> None:
        """A skeleton."""

    for name in ("list", "show", "validate", "diff", "render", "new-version", "resolve", "schema"):

        @cli.command(name)
        @click.argument("args", nargs=-1)
        def _command(args: tuple[str, ...]) -> None:
            """A command."""

    cli.main(argv, prog_name="skeleton")


def parse(files: list[str]) -> None:
    for f in files:
        _load(f)


def parse_validate(files: list[str]) -> None:
    import json

    import jsonschema_rs

    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text(encoding="utf-8")))
    for f in files:
        if not validator.is_valid(_load(f)):
            raise SystemExit(f"{f} is not valid")


def markdown(path: str) -> None:
    """Load, then every prose field through markdown-it-py (what an HTML render cannot skip)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("js-default", {"html": False})
    data = _load(path)
    out = []
    for q in _questions(data):
        out.append(md.render(q.get("text", "")))
        for part in (q.get("guidance") or {}).values():
            out.append(md.render(part))
        out.extend(md.render(e) for e in q.get("evidence") or ())
    sys.stdout.write(str(sum(map(len, out))) + "\n")


def weasyprint_plain(html_path: str, out: str) -> None:
    import weasyprint
    from weasyprint.urls import URLFetcher

    html = weasyprint.HTML(filename=html_path, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    html.write_pdf(out)


def docx_plain(path: str, out: str) -> None:
    from docx import Document

    document = Document()
    for q in _questions(_load(path)):
        table = document.add_table(rows=3, cols=2)
        table.cell(0, 0).text = q.get("id", "")
        table.cell(0, 1).text = q.get("text", "")
        table.cell(1, 0).text = "Evidence"
        table.cell(1, 1).text = "\n".join(q.get("evidence") or ())
        table.cell(2, 0).text = "Answer"
    document.save(out)


def xlsx_plain(path: str, out: str) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Return")
    rows = 1
    ws.append(["Ref", "Question", "Answer", "Evidence"])
    for q in _questions(_load(path)):
        ws.append([q.get("id", ""), q.get("text", ""), None, None])
        rows += 1
    dv = DataValidation(type="list", formula1='"Met,Partly met,Not met,N/A"', allow_blank=True)
    dv.add(f"C2:C{rows}")
    ws.data_validations.append(dv)
    wb.save(out)


def main() -> None:
    """Run the floor named by the first argument."""
    name, args = sys.argv[1], sys.argv[2:]
    if name == "click-skeleton":
        click_skeleton(args)
    elif name == "parse":
        parse(args)
    elif name == "parse-validate":
        parse_validate(args)
    elif name == "markdown":
        markdown(args[0])
    elif name == "weasyprint-plain":
        weasyprint_plain(args[0], args[1])
    elif name == "docx-plain":
        docx_plain(args[0], args[1])
    elif name == "xlsx-plain":
        xlsx_plain(args[0], args[1])
    else:
        raise SystemExit(f"unknown floor {name!r}")


if __name__ == "__main__":
    main()

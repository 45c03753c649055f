"""``safeguard report``: one command per kind, from a folder of returns to the pack."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_folder import Folder, make_folder
from safeguard_standards_cli import cli

SET, VERSION, LAST = "section11", "2025-27", "2023-25"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    return make_folder(tmp_path_factory.mktemp("returns"))


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["report", *args], catch_exceptions=False)


def this_year(folder: Folder) -> str:
    return str(folder.returns(SET, VERSION))


def test_the_thematic_report_goes_to_standard_output_and_lists_the_rejected(
    folder: Folder,
) -> None:
    result = run(
        this_year(folder), "--roster", str(folder.roster), "--as", "thematic",
        "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Section 11")
    assert "## Returns rejected" not in out  # a table, not a heading
    assert "**Returns rejected, and why**" in out
    assert "SG531" in out and "SG506" in out
    assert "\r" not in result.stderr  # no progress when not on a terminal
    for name in folder.names:
        assert name not in out


@pytest.mark.slow
def test_last_years_returns_give_the_year_on_year_comparison(
    folder: Folder, tmp_path: Path
) -> None:
    out = tmp_path / "thematic.html"
    result = run(
        this_year(folder), "--previous", str(folder.returns(SET, LAST)), "--as", "thematic",
        "--format", "html", "-o", str(out), "--generated-on", "2026-04-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Last year (2023-25)" in html and "This year (2025-27)" in html
    assert 'id="f-year-on-year"' in html
    assert "2026-04-01" in html
    assert "section11@2023-25" in html


@pytest.mark.slow
def test_feedback_zip_is_reproducible_and_the_same_serially_and_on_both_cores(
    folder: Folder, tmp_path: Path
) -> None:
    args = [this_year(folder), "--roster", str(folder.roster), "--as", "feedback", "--format",
            "html", "--seed", "2026", "--size", "3"]  # fmt: skip
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    assert run(*args, "-o", str(one), "--jobs", "1").exit_code == 0
    assert run(*args, "-o", str(two), "--jobs", "2").exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as z:
        names = z.namelist()
        assert names == sorted(names) and len(names) == 13
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        panel = [n for n in names if "Panel record" in z.read(n).decode("utf-8")]
    assert len(panel) == 3


def test_feedback_for_one_organisation_with_the_reviewers_comments(
    folder: Folder, tmp_path: Path
) -> None:
    comments = tmp_path / "comments.csv"
    comments.write_text(
        "Organisation,Question,Comment\nAGY-0001,,Thank you for a careful return.\n",
        encoding="utf-8",
    )
    result = run(
        this_year(folder), "--roster", str(folder.roster), "--as", "feedback", "--org",
        "AGY-0001", "--comments", str(comments), "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Thank you for a careful return." in result.stdout
    org = next(o for o in folder.synthetic.roster if o.id == "AGY-0001")
    assert result.stdout.startswith(f"# {org.name}")


def test_a_bad_comments_file_is_a_located_error_and_nothing_is_written(
    folder: Folder, tmp_path: Path
) -> None:
    comments = tmp_path / "comments.yaml"
    comments.write_text("AGY-0001:\n  - a list\n", encoding="utf-8")
    out = tmp_path / "fb"
    result = run(
        this_year(folder), "--as", "feedback", "--comments", str(comments), "--format", "md",
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"{comments}:2:3: SG620" in result.stderr
    assert not out.exists()


def test_an_unknown_organisation_is_a_usage_error_with_a_suggestion(folder: Folder) -> None:
    result = run(
        this_year(folder), "--roster", str(folder.roster), "--as", "feedback", "--org",
        "AGY-0001x", "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "did you mean 'AGY-0001'" in result.stderr


def test_the_panel_is_the_same_each_time_and_prints_its_seed_and_method(folder: Folder) -> None:
    args = [this_year(folder), "--roster", str(folder.roster), "--as", "panel", "--seed",
            "2026-panel", "--size", "4", "--by", "agency", "--standards",
            "leadership.senior-lead", "--format", "md", "-o", "-"]  # fmt: skip
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert first.stdout == run(*args).stdout
    assert "'2026-panel'" in first.stdout and "SHA-256" in first.stdout
    assert "Stratified by agency" in first.stdout
    # the same selection worked out from the published method: the ids and their agency types
    import json

    from safeguard_standards.report.panel import select

    strata = {}
    for path in folder.returns(SET, VERSION).glob("AGY-*.json"):
        strata[path.stem] = json.loads(path.read_text(encoding="utf-8"))["audience"]["agency"]
    want = select(sorted(strata), "2026-panel", 4, "agency", strata)
    rows = [line.split(" | ") for line in first.stdout.splitlines() if line.startswith("| ")]
    shown = [r[1] for r in rows if r[0][2:].isdigit() and r[1].startswith("AGY-")]
    assert shown == list(want.selected)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--as", "panel", "--format", "md"], "--as panel needs --seed and --size"),
        (["--as", "thematic", "--format", "xlsx"], "--as thematic is a document"),
        (["--as", "data", "--format", "pdf"], "--as data is written as csv"),
        (["--as", "thematic", "--format", "md", "--seed", "1"], "--seed applies to --as panel"),
        (["--as", "tracking", "--format", "md"], "needs last year's returns"),
        (["--as", "feedback", "--format", "md"], "one document per organisation"),
        (["--as", "thematic", "--format", "md", "--generated-on", "1/4/26"], "is not a date"),
    ],
)
def test_a_bad_command_line_exits_2_and_says_why(
    folder: Folder, args: list[str], words: str
) -> None:
    result = run(this_year(folder), *args, "-o", "-")
    assert result.exit_code == 2
    assert words in result.stderr


def test_pdf_is_not_written_to_standard_output(folder: Folder) -> None:
    result = run(this_year(folder), "--as", "thematic", "--format", "pdf", "-o", "-")
    assert result.exit_code == 2 and "text format" in result.stderr


def test_a_folder_with_nothing_usable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "minutes.odt").write_bytes(b"\x00 not a return")
    result = run(str(tmp_path), "--as", "thematic", "--format", "md", "-o", "-")
    assert result.exit_code == 1
    assert "every file was rejected" in result.stderr


@pytest.mark.slow
def test_tracking_follows_last_years_actions(folder: Folder) -> None:
    result = run(
        this_year(folder), "--previous", str(folder.returns(SET, LAST)), "--roster",
        str(folder.roster), "--as", "tracking", "--format", "md", "-o", "-",
        "--generated-on", "2026-06-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "As of 2026-06-30" in result.stdout
    assert "Action plans as of 2026-06-30" in result.stdout


@pytest.mark.slow
def test_the_data_as_csv_xlsx_and_the_long_table(folder: Folder, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    base = [this_year(folder), "--roster", str(folder.roster), "--as", "data"]
    long = run(*base, "--format", "csv", "-o", "-")
    assert long.exit_code == 0
    lines = long.stdout.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("organisation,set,version,question")
    assert all(",section11,2025-27," in line for line in lines[1:])
    out = tmp_path / "data.xlsx"
    assert run(*base, "--format", "xlsx", "-o", str(out)).exit_code == 0
    wb = load_workbook(out)
    assert "Answers" in wb.sheetnames
    assert any(ws._charts for ws in wb.worksheets)
    first = out.read_bytes()
    assert run(*base, "--format", "xlsx", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == first
    folder_out = tmp_path / "tables"
    assert run(*base, "--format", "csv", "-o", str(folder_out)).exit_code == 0
    assert (folder_out / "answers.csv").exists() and (folder_out / "standards.csv").exists()


@pytest.mark.slow
def test_the_long_table_as_parquet_holds_what_the_csv_holds(folder: Folder, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "answers.parquet"
    base = [this_year(folder), "--roster", str(folder.roster), "--as", "data"]
    result = run(*base, "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    csv_lines = run(*base, "--format", "csv", "-o", "-").stdout.splitlines()
    assert table.num_rows == len(csv_lines) - 1
    assert table.column_names == csv_lines[0].lstrip("\ufeff").split(",")
    assert str(table.schema.field("score").type) == "double"


def test_progress_on_a_terminal_says_what_how_many_and_time_left(
    folder: Folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguard_standards_cli import _cmd_report, _terminal

    stream = io.StringIO()
    monkeypatch.setattr(_terminal, "is_terminal", lambda s: True)
    progress = _cmd_report._Progress(quiet=False)
    progress.stream = stream
    progress.stage("writing feedback")
    for n in range(1, 4):
        progress(n, 3, f"/x/AGY-000{n}.pdf")
    assert "writing feedback 1 of 3: AGY-0001.pdf" in stream.getvalue()
    assert "writing feedback 2 of 3, about" in stream.getvalue()
    quiet = _cmd_report._Progress(quiet=True)
    quiet.stream = stream = io.StringIO()
    quiet(1, 3, "a")
    assert stream.getvalue() == ""


@pytest.mark.slow
def test_tracking_reads_this_years_action_plans(folder: Folder, tmp_path: Path) -> None:
    import json

    last = folder.returns(SET, LAST)
    org = next(
        p.stem
        for p in sorted(last.glob("AGY-*.json"))
        if len(json.loads(p.read_text(encoding="utf-8"))["actions"]) >= 2
    )
    done, late = list(json.loads((last / f"{org}.json").read_text(encoding="utf-8"))["actions"])[:2]
    plan = tmp_path / f"{org}.csv"
    plan.write_text(
        "Id,Action,Target date,Progress\n"
        f"{done},Train the board,31/01/2026,Complete\n"
        f"{late},Audit the files,2026-01-31,started\n",
        encoding="utf-8",
    )
    result = run(
        this_year(folder), "--previous", str(last), "--plans", str(plan), "--as", "tracking",
        "--format", "md", "-o", "-", "--generated-on", "2026-06-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {
        tuple(c.strip() for c in line.strip("|").split("|")[:3])
        for line in result.stdout.splitlines()
        if line.startswith(f"| {org} |")
    }
    assert (org, done, "Done") in rows and (org, late, "Overdue") in rows
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Action,Target date\nx.y,Do it,31/02/2026\n", encoding="utf-8")
    result = run(
        this_year(folder), "--previous", str(last), "--plans", str(bad), "--as", "tracking",
        "--format", "md", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "SG601" in result.stderr and "row 2" in result.stderr


def test_a_bad_roster_is_a_located_error(folder: Folder, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Type\nA school,academy\n", encoding="utf-8")
    result = run(this_year(folder), "--roster", str(roster), "--as", "thematic", "--format",
                 "md", "-o", "-")  # fmt: skip
    assert result.exit_code == 1
    assert f"{roster}" in result.stderr and "SG600" in result.stderr
    assert result.stdout == ""

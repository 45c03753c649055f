"""Loader and command-line behaviour under hostile or unusual input (issue: hostile input)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import cli

from safeguard_standards import Code, check_text, load_text
from safeguard_standards.loader import MAX_DIAGNOSTICS, MAX_WARNINGS

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")


def _bare_questions(n: int, *, error_at_end: bool = False) -> str:
    """A valid set whose ``n`` questions have neither evidence nor guidance: 2 n warnings."""
    head = BASE[: BASE.index("sections:")]
    lines = [head.rstrip("\n"), "sections:", "  - id: s", "    title: S", "    standards:"]
    lines += ["      - id: t", "        title: T", "        questions:"]
    for i in range(n):
        lines.append(f"          - {{id: q{i}, text: Question {i}?, type: yes-no}}")
    if error_at_end:
        lines.append("          - {id: last, text: Last?, type: yes-no, evidence: [1]}")
    return "\n".join(lines) + "\n"


# -- warnings are capped apart from errors ---------------------------------------------------


def test_many_warnings_leave_a_set_valid_and_renderable(tmp_path: Path) -> None:
    n = MAX_WARNINGS // 2 + 1  # two warnings each: just over the cap
    text = _bare_questions(n)
    result = check_text(text, "many.yaml")
    assert result.ok
    assert result.errors == ()
    codes = [d.code for d in result.diagnostics]
    assert len(codes) == MAX_WARNINGS + 1
    assert codes[-1] is Code.TOO_MANY_WARNINGS
    # 501 questions x 2 warnings, and the reference nothing cites: 1,003
    assert result.diagnostics[-1].message == "the file has 3 more warnings than the 1,000 listed"
    assert result.diagnostics[-1].line == 0
    assert sum(1 for _ in load_text(text).questions()) == n
    source = tmp_path / "many.yaml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "many.md"
    run = CliRunner().invoke(
        cli, ["render", str(source), "--as", "form", "--format", "md", "-o", str(out)]
    )
    assert run.exit_code == 0, run.output
    assert "Question 500?" in out.read_text(encoding="utf-8")


def test_an_error_after_many_warnings_is_listed_first() -> None:
    n = MAX_WARNINGS  # 2,000 warnings before the error
    text = _bare_questions(n, error_at_end=True)
    result = check_text(text, "late.yaml")
    assert not result.ok
    # the number 1 in the last question's evidence, on the last line
    last = text.splitlines()[-1]
    first = result.diagnostics[0]
    assert (first.code, first.line, first.column) == (
        Code.IMPLICIT_TYPE,
        text.count("\n"),
        last.index("[1]") + 2,
    )
    assert [d.code for d in result.errors] == [Code.IMPLICIT_TYPE]
    assert result.diagnostics[-1].code is Code.TOO_MANY_WARNINGS


def test_errors_are_capped_apart_from_warnings() -> None:
    # 1,500 questions with a number where evidence text belongs: 1,500 errors, and warnings
    head = BASE[: BASE.index("sections:")]
    lines = [head.rstrip("\n"), "sections:", "  - id: s", "    title: S", "    standards:"]
    lines += ["      - id: t", "        title: T", "        questions:"]
    lines += [
        f"          - {{id: q{i}, text: Q{i}?, type: yes-no, evidence: [{i}]}}" for i in range(1500)
    ]
    result = check_text("\n".join(lines) + "\n", "errs.yaml")
    errors = [d.code for d in result.errors]
    assert len(errors) == MAX_DIAGNOSTICS + 1 and errors[-1] is Code.TOO_MANY_PROBLEMS
    warnings = [d.code for d in result.warnings]
    assert warnings[-1] is Code.TOO_MANY_WARNINGS and len(warnings) == MAX_WARNINGS + 1
    # errors first, then warnings
    assert [d.is_error for d in result.diagnostics] == [True] * len(errors) + [False] * len(
        warnings
    )


def test_docs_state_both_caps_with_their_codes() -> None:
    import re

    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for number, code in ((MAX_DIAGNOSTICS, "SG122"), (MAX_WARNINGS, "SG124")):
        row = re.search(rf"^\|[^\n]*\b{code}\b[^\n]*$", text, re.MULTILINE)
        assert row and f"{number:,}" in row.group(0), code


# -- a bare bundled id is the bundled set ------------------------------------------------------


@pytest.mark.parametrize("spec", ["kcsie", "kcsie@2024-25", "section11"])
def test_a_folder_or_file_named_like_a_bundled_set_does_not_hide_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / spec).mkdir()
    result = CliRunner().invoke(cli, ["show", spec])
    assert result.exit_code == 0, result.output
    set_id, _, version = spec.partition("@")
    assert result.stdout.splitlines()[1].startswith(f"{set_id}@{version or ''}")
    (tmp_path / spec).rmdir()
    (tmp_path / spec).write_text("not a set\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["show", spec]).exit_code == 0


def test_an_argument_that_looks_like_a_path_is_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kcsie").mkdir()
    result = CliRunner().invoke(cli, ["show", "./kcsie"])
    assert result.exit_code == 1
    assert "./kcsie: SG115 this is a folder, not a file" in result.stderr
    # a bare name is an id even when a file of that name exists; the hint says how to name it
    (tmp_path / "northshire").write_text(BASE, encoding="utf-8")
    refused = CliRunner().invoke(cli, ["show", "northshire"])
    assert refused.exit_code == 2
    assert "write ./northshire for a file here" in refused.stderr
    shown = CliRunner().invoke(cli, ["show", "./northshire"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("Example audit\nexample@2025-26")


def test_loading_an_empty_path_says_so() -> None:
    from safeguard_standards import ChecklistError, check_path, load

    with pytest.raises(ChecklistError) as caught:
        load("")
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.message) == (
        Code.UNREADABLE,
        "no file was named (the path is empty)",
    )
    assert check_path("").diagnostics == (problem,)
    run = CliRunner().invoke(cli, ["validate", ""])  # an empty SET is a bad command line
    assert run.exit_code == 2 and "no set is named (the SET is empty)" in run.stderr


# -- new-version near the end of the calendar ------------------------------------------------


def _new_version(tmp_path: Path, source: Path, *args: str) -> tuple[int, str]:
    out = tmp_path / "next.yaml"
    run = CliRunner().invoke(cli, ["new-version", str(source), *args, "-o", str(out)])
    assert not out.exists()
    assert "Traceback" not in run.output and "internal error" not in run.output
    return run.exit_code, run.stderr


@pytest.mark.parametrize(
    ("old", "new", "key", "column"),
    [
        ('{from: "2025-04-01"', '{from: "9999-04-01"', "effective.from", 19),
        ('to: "2026-03-31"}', 'to: "9999-12-31"}', "effective.to", 37),
    ],
)
def test_new_version_on_dates_in_9999_is_a_located_error(
    tmp_path: Path, old: str, new: str, key: str, column: int
) -> None:
    text = (ROOT / "standards" / "vcs_checklist" / "2025-26.yaml").read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("effective:"))
    source = tmp_path / "set.yaml"
    source.write_text(text.replace(old, new), encoding="utf-8")
    code, stderr = _new_version(tmp_path, source, "--version", "2026-27")
    assert code == 1
    assert f"{source}:{line}:{column}: SG214 {key} 9999-" in stderr
    assert "cannot move on 1 year" in stderr


def test_new_version_of_an_overlay_with_a_deadline_in_9999(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "northshire-kcsie-2025-26.yaml").read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "return_deadline:" in ln)
    source = tmp_path / "overlay.yaml"
    source.write_text(text.replace("2025-12-12", "9999-12-12"), encoding="utf-8")
    code, stderr = _new_version(tmp_path, source, "--version", "2026-27")
    assert code == 1
    assert f"{source}:{line}:20: SG214 publisher.return_deadline 9999-12-12" in stderr


def test_a_version_with_a_trailing_line_break_is_a_bad_argument(tmp_path: Path) -> None:
    source = ROOT / "standards" / "vcs_checklist" / "2025-26.yaml"
    code, stderr = _new_version(tmp_path, source, "--version", "2026-27\n")
    assert code == 2
    assert "'2026-27\\n' is not a valid version" in stderr
    from safeguard_standards._newversion import NewVersionError, new_version_text

    with pytest.raises(NewVersionError):
        new_version_text(source.read_text(encoding="utf-8"), "2026-27\n")


# -- render options and the XLSX conditional formats -------------------------------------------


def _complete() -> object:
    from safeguard_standards import load_path

    return load_path(ROOT / "tests" / "cases" / "valid" / "complete.yaml")


_BAD_OPTIONS = [
    ({"per": "rows"}, "unknown action-plan layout per='rows'"),
    ({"perr": "question"}, "unknown render option 'perr'"),
    ({"audience": {"setting": "acadmy"}}, "'acadmy' is not a value of 'setting'"),
    ({"audience": (("sector", "school"),)}, "has no audience 'sector'"),
    ({"audience": ("setting",)}, "is not a (dimension, value) pair"),
]


@pytest.mark.parametrize(("options", "message"), _BAD_OPTIONS)
def test_render_refuses_unknown_options_and_values(options: dict, message: str) -> None:
    from safeguard_standards.render import RenderError, RenderOptions, render

    given: list[object] = [options]
    if "perr" not in options:  # the same as RenderOptions
        audience = options.get("audience", ())
        fields = {**options, "audience": tuple(getattr(audience, "items", lambda: audience)())}
        given.append(RenderOptions(**fields))
    for each in given:
        with pytest.raises(RenderError) as caught:
            render(_complete(), "action-plan", "json", each)  # type: ignore[arg-type]
        assert caught.value.code == "SG215"
        assert message in caught.value.message
        assert caught.value.hint


def test_render_takes_a_dict_of_options() -> None:
    import json

    from safeguard_standards.render import render

    data = json.loads(render(_complete(), "action-plan", "json", {"per": "question"}))
    assert data["per"] == "question"
    with pytest.raises(TypeError, match="RenderOptions or a dict"):
        render(_complete(), "form", "json", ["per"])  # type: ignore[arg-type]


def test_per_is_only_for_action_plans() -> None:
    from safeguard_standards.render import RenderError, render

    with pytest.raises(RenderError, match="only applies to action plans") as caught:
        render(_complete(), "form", "md", {"per": "question"})
    assert caught.value.code == "SG215"
    source = str(ROOT / "tests" / "cases" / "valid" / "complete.yaml")
    run = CliRunner().invoke(
        cli, ["render", source, "--as", "form", "--format", "md", "--per", "question", "-o", "-"]
    )
    assert run.exit_code == 2
    assert "--per applies to action plans, not to --as form --format md" in run.stderr


def test_one_audience_dimension_chosen_twice_is_refused() -> None:
    from safeguard_standards import AudienceError, select_audience

    c = _complete()
    with pytest.raises(AudienceError, match="'setting' is given twice"):
        select_audience(c, ["setting=academy", "setting=maintained"])
    # one spec, or a mapping, is read as such (not letter by letter, not key by key)
    assert select_audience(c, "setting=academy") == select_audience(c, ["setting=academy"])
    assert select_audience(c, {"setting": "academy"}) == select_audience(c, ["setting=academy"])
    source = str(ROOT / "tests" / "cases" / "valid" / "complete.yaml")
    run = CliRunner().invoke(
        cli,
        [
            *("render", source, "--as", "form", "--format", "md", "-o", "-"),
            *("--for", "setting=academy", "--for", "setting=maintained"),
        ],
    )
    assert run.exit_code == 2 and "'setting' is given twice" in run.stderr


def test_a_long_level_label_stays_within_excels_formula_limit(tmp_path: Path) -> None:
    import io
    import re

    from openpyxl import load_workbook

    from safeguard_standards import load_text
    from safeguard_standards.render import render

    long_label = "Fully met, " + "with evidence seen at every visit " * 9
    assert len(long_label) > 300
    text = (ROOT / "tests" / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")
    c = load_text(text.replace("label: Fully met,", f"label: {long_label.strip()!r},"))
    wb = load_workbook(io.BytesIO(render(c, "form", "xlsx")))
    rules = [
        (str(cf.sqref), rule)
        for cf in wb["Answers"].conditional_formatting
        for rule in cf.rules
        if rule.type == "cellIs"
    ]
    assert len(rules) >= 3  # green, amber and red levels
    for _, rule in rules:
        for formula in rule.formula:
            for literal in re.findall(r'"(?:[^"]|"")*"', formula):
                assert len(literal) - 2 <= 255, formula
    lists = wb["Lists"]
    referenced = [f for _, r in rules for f in r.formula if "!" in f]
    assert len(referenced) == 1
    sheet, cell = referenced[0].replace("$", "").split("!")
    assert sheet.strip("'") == "Lists"
    assert lists[cell].value == long_label.strip()

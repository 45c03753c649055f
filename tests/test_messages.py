"""Messages from the catalogue: one did-you-mean, one error base class, exit status by code."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli._app import cli

import safeguard_standards as sg
from safeguard_standards import Code, SafeguardError
from safeguard_standards.diagnostics import did_you_mean
from safeguard_standards.render import RenderError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "safeguard_standards", ROOT / "cli" / "safeguard_standards_cli"]


def test_did_you_mean_names_the_closest_choice() -> None:
    assert did_you_mean("acadmy", ["maintained", "academy", "independent"]) == (
        " (did you mean 'academy'?)"
    )
    assert did_you_mean("zzz", ["academy", "maintained"]) == ""
    assert did_you_mean("academy", []) == ""


def test_no_module_writes_did_you_mean_by_hand() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for root in SOURCES
        for path in root.rglob("*.py")
        if path.name != "diagnostics.py" and "get_close_matches" in path.read_text("utf-8")
    ]
    assert offenders == []


def test_every_code_written_in_the_source_is_in_the_catalogue() -> None:
    known = {c.code for c in Code}
    written = {
        (str(path.relative_to(ROOT)), code)
        for root in SOURCES
        for path in root.rglob("*.py")
        for code in re.findall(r"\bSG\d{3}\b", path.read_text("utf-8"))
    }
    assert sorted(w for w in written if w[1] not in known) == []


def test_a_render_error_refuses_a_code_outside_the_catalogue() -> None:
    with pytest.raises(KeyError):
        RenderError("anything", "", "SG400")
    err = RenderError("no such kind", "kinds: form", "SG401", where="a.yaml:3:5")
    assert (err.entry, err.code, err.message, err.hint, err.where) == (
        Code.RENDER_UNSUPPORTED,
        "SG401",
        "no such kind",
        "kinds: form",
        "a.yaml:3:5",
    )


@pytest.mark.parametrize(
    ("error", "entry", "bases"),
    [
        (lambda: RenderError("m", "h", Code.RENDER_LOGO), Code.RENDER_LOGO, ()),
        (lambda: sg.AudienceError("m", "h"), Code.RENDER_OPTION, (ValueError,)),
        (lambda: sg.SetNotFound("m", "h"), Code.SET_UNKNOWN, (LookupError,)),
        (lambda: sg.SetSpecError("m", "h", column=3), Code.SET_UNKNOWN, (LookupError,)),
        (
            lambda: sg.OutputError(Code.OUTPUT_FAILED, "out.pdf", "m", "h", errno.ENOSPC),
            Code.OUTPUT_FAILED,
            (OSError,),
        ),
    ],
)
def test_the_error_classes_share_one_base_carrying_a_code(error, entry, bases) -> None:
    err = error()
    assert isinstance(err, SafeguardError)
    assert all(isinstance(err, b) for b in bases)  # what callers caught before still works
    assert (err.entry, err.code, err.message, err.hint) == (entry, entry.code, "m", "h")


def test_an_output_error_is_still_the_os_error_it_was() -> None:
    err = sg.OutputError(Code.OUTPUT_FAILED, "out.pdf", "cannot write", "free space", errno.ENOSPC)
    assert (err.errno, err.filename, err.where) == (errno.ENOSPC, "out.pdf", "out.pdf")
    assert str(err) == "out.pdf: SG413 cannot write"
    assert not err.is_usage


def test_exit_status_comes_from_the_catalogue() -> None:
    usage = {c.code for c in Code if c.exit_status == 2}
    assert usage == {
        "SG215",
        "SG401",
        "SG403",
        "SG405",
        "SG406",
        "SG407",
        "SG410",
        "SG411",
        "SG412",
        "SG424",
        "SG425",
        "SG570",  # a kind not made from a completed return
        "SG571",  # the completed form in a format it is not shown in
        "SG573",  # --for other than the return's audience
    }
    assert {c.exit_status for c in Code} == {1, 2}
    assert Code.RENDER_LOGO.exit_status == 1  # a problem in the set, not the command line


def test_a_changes_document_without_a_previous_version_is_a_command_line_problem() -> None:
    # it used to say SG400, a code the catalogue does not have, and exit 1
    result = CliRunner().invoke(
        cli, ["render", "kcsie@2024-25", "--as", "changes", "--format", "md"]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "safeguard: SG406: a 'changes' document needs the previous version to compare with\n"
        "    hint: give --since VERSION, or name the version this one replaces in 'supersedes:'\n"
    )


# -- hints for a value that does not match its schema pattern, chosen by the schema property ---

COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
_QUESTION = "write the full id: section.standard.question, in lowercase with hyphens"
_ANY_ID = (
    "write the full id: section, section.standard or section.standard.question, "
    "in lowercase with hyphens"
)


@pytest.mark.parametrize(
    ("old", "new", "where", "message", "hint"),
    [
        (
            "from: 2025-09-01",
            'from: "2025-9-1"',
            (7, 19),
            "'2025-9-1' is not a valid 'from'",
            "write the date as YYYY-MM-DD, e.g. 2025-09-01",
        ),
        (
            "url: https://www.gov.uk",
            "url: www.gov.uk",
            (16, 10),
            "'www.gov.uk/government/publications/keeping-children-safe-in-education--2' "
            "is not a valid 'url'",
            "write the full address starting with https://",
        ),
        (
            "question: leadership.governance.named-governor",
            "question: Leadership.governance",
            (50, 32),
            "'Leadership.governance' is not a valid 'question'",
            _QUESTION,
        ),
        (
            'version: "2025-26"',
            'version: "2025/26"',
            (4, 10),
            "'2025/26' is not a valid 'version'",
            "write the version with letters, digits, '.', '-' or '_', starting with a letter "
            "or digit, e.g. '2025-26'",
        ),
        (
            "id: named-governor",
            "id: Named_Governor",
            (37, 17),
            "'Named_Governor' is not a valid 'id'",
            "use lowercase letters, digits and single hyphens, e.g. 'named-governor'",
        ),
        (
            "  kcsie-2025:",
            "  KCSIE 2025:",
            (12, 3),
            "'KCSIE 2025' is not a valid name for an entry of 'references'",
            "use lowercase letters, digits and single hyphens, e.g. 'kcsie-2025'",
        ),
    ],
)
def test_a_value_that_breaks_its_pattern_gets_the_hint_of_its_field(
    old, new, where, message, hint
) -> None:
    text = COMPLETE.read_text(encoding="utf-8").replace(old, new, 1)
    found = [d for d in sg.check_text(text, "set.yaml").diagnostics if d.code is Code.INVALID_VALUE]
    assert [((d.line, d.column), d.message, d.hint) for d in found][:1] == [(where, message, hint)]


def test_an_overlay_id_that_breaks_its_pattern_says_which_ids_it_takes() -> None:
    overlay = (
        "dsl: 1\nextends: kcsie@2025-26\ntitle: T\n"
        "remove:\n  - Leadership\n"
        "modify:\n  - id: Leadership.x\n    set: {in_return: true}\n"
    )
    found = [
        ((d.line, d.column), d.message, d.hint)
        for d in sg.check_text(overlay, "o.yaml").diagnostics
        if d.code is Code.INVALID_VALUE
    ]
    assert found == [
        ((5, 5), "'Leadership' is not a valid 'remove'", _ANY_ID),
        ((7, 9), "'Leadership.x' is not a valid 'id'", _ANY_ID),
    ]


# -- message templates in the catalogue --------------------------------------------------------


def test_a_template_fills_in_its_fields() -> None:
    assert Code.EMPTY_VALUE.message(field="evidence") == "'evidence' is empty"
    assert Code.EMPTY_VALUE.hint(field="evidence") == "write something for 'evidence'"
    assert (
        Code.UNKNOWN_FIELD.message(
            key="guidence", in_item="", did_you_mean=did_you_mean("guidence", ["guidance"])
        )
        == "unknown field 'guidence' (did you mean 'guidance'?)"
    )
    assert Code.OVERLAY_UNKNOWN_ID.hint() == ""  # a message template and no hint template
    with pytest.raises(ValueError, match="SG250 has no message template"):
        Code.NO_EVIDENCE.message()


def test_the_messages_users_see_come_from_the_templates() -> None:
    text = COMPLETE.read_text(encoding="utf-8")
    text = text.replace("guidance: {why: Oversight", "guidence: {why: Oversight", 1)
    text = text.replace("cite: [{ref: kcsie-2025, at:", "cite: [{ref: kcsie-2052, at:", 1)
    found = {d.code: d for d in sg.check_text(text, "set.yaml").errors}
    unknown = found[Code.UNKNOWN_FIELD]
    assert ((unknown.line, unknown.column), unknown.message) == (
        (41, 13),
        "unknown field 'guidence' in 'leadership.governance.named-governor' "
        "(did you mean 'guidance'?)",
    )
    assert unknown.hint.startswith("allowed here: id, text, type, ")
    assert unknown.hint.endswith(". Fix the spelling or remove the field.")
    cite = found[Code.UNDEFINED_REFERENCE]
    assert ((cite.line, cite.column), cite.message, cite.hint) == (
        (42, 26),
        "citation of 'kcsie-2052', which is not defined under 'references' "
        "(did you mean 'kcsie-2025'?)",
        "fix the key, or define the reference once under 'references' with its title and URL",
    )


@pytest.mark.parametrize("code", [c for c in Code if c.detail], ids=lambda c: c.code)
def test_the_error_reference_shows_each_message_template(code: Code) -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert code.detail is not None
    row = f"| {code.code} | {code.severity.value} | {code.exit_status} | {code.title} | "
    assert f"{row}`{code.detail.message}` |" in text

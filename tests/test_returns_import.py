"""Responses from survey tools, read back as returns.

For every bundled set (its latest version, and complete.yaml, which has every kind of
question and condition), seeded random fillings go out through each tool's own answer shape
and come back through the reader and ``check`` with the same typed answers and details as the
same filling saved by our HTML form (its answers JSON):

* ODK Central CSV submissions (headings the group path joined by ``-``, as Central exports)
  and KoboToolbox XLSX submissions (joined by ``/``, with Kobo's one-column-per-option
  extras), built from the XLSForm's survey sheet;
* SurveyJS results from the SurveyJS runtime itself (survey-core under Node, as
  tests/test_render_surveyjs.py runs it);
* FHIR QuestionnaireResponses answering our Questionnaire (validated with fhir.resources);
* a Microsoft Forms-style XLSX export headed by the question texts, some reworded, read
  through the mapping file ``returns map`` writes.

Then the diagnostics: each located at the export's row and column (or pointer).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.envelope import Envelope
from safeguard_standards.render._collect import envelope_properties
from safeguard_standards.render._fhir import coding_system, questionnaire
from safeguard_standards.render._surveyjs import survey_json
from safeguard_standards.render._xlsform import survey_rows
from safeguard_standards.returns._map import dump_map, make_map, read_map, read_mapped
from safeguard_standards.returns._read_export import read_table
from safeguard_standards.returns.check import Checked, check
from safeguard_standards.returns.read import export_kind, read_all_bytes, read_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collect_cases import Case, safe_data
from returns_fill import Filling

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")
SEEDS = (1, 2)


def _cases() -> list[Case]:
    out = [Case("complete", "2025-26", "form")]
    for s in sg.bundled_sets():
        out.append(Case(s.id, s.versions[-1], "form"))
    return out


CASES = _cases()


def _envelope(case: Case) -> dict[str, str]:
    return envelope_properties(case.view(), case.options())


def _reference(case: Case, filling: Filling) -> Checked:
    """The filling as our HTML form saves it, checked."""
    env = Envelope.from_properties(_envelope(case))
    doc = {
        "set": case.set_ref if case.set_ref != "complete" else env.set,
        "version": case.version,
        "kind": case.kind,
        "envelope": env.to_dict(),
        **filling,
    }
    raw = read_bytes(json.dumps(doc).encode("utf-8"), "answers.json")
    return check(raw, _registry(case))


def _registry(case: Case) -> sg.Registry:
    from collect_cases import COMPLETE

    reg = sg.Registry()
    return reg.with_set(COMPLETE) if case.set_ref == "complete" else reg


def _typed(c: Checked) -> Any:
    assert c.return_ is not None, [str(d) for d in c.diagnostics]
    r = c.return_
    return (
        r.set,
        r.version,
        r.kind,
        [(a.question, a.value, a.evidence, a.action) for a in r.answers],
        sorted((d.key, d.value) for d in r.details if d.value),
    )


def _codes(c: Checked) -> list[str]:
    return sorted(
        d.code.value[0] if hasattr(d.code, "value") else str(d.code) for d in c.diagnostics
    )


def _same(got: Checked, ref: Checked, *, envelope: bool = True) -> None:
    assert _typed(got) == _typed(ref)
    drop = set() if envelope else {"SG535"}
    assert [c for c in _codes(got) if c not in drop] == [c for c in _codes(ref) if c not in drop]


# -- ODK Central and KoboToolbox ---------------------------------------------------------------


def _submission_columns(case: Case, sep: str) -> list[tuple[str, str, str]]:
    """(heading, safe name, XLSForm type) of every column a submission export has, in the
    survey sheet's order: groups joined by ``sep`` before the name, as the tools export."""
    groups: list[str] = []
    out = []
    for row in survey_rows(case.view(), case.options()):
        t = row["type"]
        if t == "begin_group":
            groups.append(row["name"])
        elif t == "end_group":
            groups.pop()
        elif t != "note":
            out.append((sep.join([*groups, row["name"]]), row["name"], t))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def _submission(case: Case, filling: Filling, sep: str) -> dict[str, str]:
    data = safe_data(filling)
    env = _envelope(case)
    row = {}
    for heading, name, t in _submission_columns(case, sep):
        if t == "calculate":
            row[heading] = env[name]
        else:
            row[heading] = _cell(data[name]) if name in data else ""
    return row


def _central_csv(case: Case, fillings: list[Filling]) -> bytes:
    columns = ["SubmissionDate"] + [h for h, _, _ in _submission_columns(case, "-")]
    columns += ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "ReviewState"]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(columns)
    for n, f in enumerate(fillings):
        row = _submission(case, f, "-")
        row |= {
            "SubmissionDate": "2025-11-20T10:00:00.000Z",
            "meta-instanceID": f"uuid:{n}",
            "KEY": f"uuid:{n}",
            "SubmitterID": "5",
            "SubmitterName": "collector",
            "ReviewState": "",
        }
        w.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def _kobo_xlsx(case: Case, fillings: list[Filling]) -> bytes:
    from openpyxl import Workbook

    cols = _submission_columns(case, "/")
    multi = {name: case.view() for _, name, t in cols if t.startswith("select_multiple")}
    options = {
        fields.safe_name(q.full_id): [c.id for c in q.answer.choices]
        for q in case.view().questions()
        if fields.safe_name(q.full_id) in multi
    }
    headings = ["start", "end"]
    for h, name, _ in cols:
        headings.append(h)
        headings += [f"{h}/{o}" for o in options.get(name, ())]
    headings += ["_id", "_uuid", "_submission_time", "_validation_status", "_index"]
    wb = Workbook()
    ws = wb.active
    ws.title = "Safeguarding return"
    ws.append(headings)
    for n, f in enumerate(fillings):
        row = _submission(case, f, "/")
        picked = {
            name: set(f["answers"].get(fields.field_name_of(name) or "", []) or [])
            for name in options
        }
        for h, name, _ in cols:
            for o in options.get(name, ()):
                row[f"{h}/{o}"] = "1" if o in picked[name] else "0"
        row |= {"_id": str(100 + n), "_uuid": f"u{n}", "_index": str(n + 1)}
        values: list[Any] = []
        for h in headings:
            v = row.get(h, "")
            # Kobo's workbook has numbers as numbers
            with contextlib.suppress(TypeError, ValueError):
                v = float(v) if "." in v else int(v)
            values.append(v if v != "" else None)
        ws.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.ref)
def test_odk_central_and_kobo_submissions_read_back_as_the_html_form_does(case: Case) -> None:
    fillings = [case.filling(s) for s in SEEDS]
    refs = [_reference(case, f) for f in fillings]
    data = _central_csv(case, fillings)
    assert export_kind(data, "submissions.csv") == "odk"
    raws = read_all_bytes(data, "submissions.csv")
    assert [r.origin.row for r in raws if r.origin] == [2, 3]
    for raw, ref in zip(raws, refs, strict=True):
        _same(check(raw, _registry(case)), ref)
    data = _kobo_xlsx(case, fillings)
    assert export_kind(data, "submissions.xlsx") == "odk"
    raws = read_all_bytes(data, "submissions.xlsx")
    assert len(raws) == 2
    for raw, ref in zip(raws, refs, strict=True):
        _same(check(raw, _registry(case)), ref)


# -- SurveyJS ----------------------------------------------------------------------------------


def _run_survey(form: dict[str, Any], fillings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """survey.data of each filling, from survey-core under Node."""
    import subprocess

    if NODE is None:
        pytest.skip("Node.js is not installed")
    if not (JS / "node_modules" / "survey-core").is_dir():
        pytest.fail("survey-core is not installed: run `npm ci` in tests/js (see .ci/run)")
    done = subprocess.run(
        [NODE, str(JS / "run_survey.js")],
        input=json.dumps({"form": form, "fillings": fillings}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [r["data"] for r in json.loads(done.stdout)["results"]]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.ref)
def test_surveyjs_results_from_the_runtime_read_back_as_the_html_form_does(case: Case) -> None:
    fillings = [case.filling(s) for s in SEEDS]
    refs = [_reference(case, f) for f in fillings]
    form = survey_json(case.view(), case.options())
    results = _run_survey(form, [safe_data(f) for f in fillings])
    data = json.dumps(results, ensure_ascii=False).encode("utf-8")
    assert export_kind(data, "results.json") == "surveyjs"
    raws = read_all_bytes(data, "results.json")
    assert [r.origin.pointer for r in raws if r.origin] == ["/0", "/1"]
    for raw, ref in zip(raws, refs, strict=True):
        _same(check(raw, _registry(case)), ref)
    # one result on its own is one return
    one = read_all_bytes(json.dumps(results[0]).encode("utf-8"), "result.json")
    assert len(one) == 1 and one[0].origin is None
    _same(check(one[0], _registry(case)), refs[0])


# -- FHIR ---------------------------------------------------------------------------------------


def _response(case: Case, filling: Filling) -> dict[str, Any]:
    view = case.view()
    q = questionnaire(view, case.options())
    by_id = {qv.full_id: qv for qv in view.questions()}
    values: dict[str, Any] = dict(filling["details"])
    for part, suffix in (("answers", ""), ("evidence", ".evidence"), ("actions", ".action")):
        for k, v in filling[part].items():
            values[k + suffix] = v

    def answers(item: dict[str, Any]) -> list[dict[str, Any]]:
        link = item["linkId"]
        if link not in values:
            return []
        v = values[link]
        t = item["type"]
        if t == "coding":
            system = coding_system(view, by_id[link])
            codes = v if isinstance(v, list) else [v]
            return [{"valueCoding": {"code": c, "system": system}} for c in codes]
        if t == "decimal":
            return [{"valueDecimal": v}]
        if t == "date":
            return [{"valueDate": v}]
        return [{"valueString": v}]

    def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if item["type"] == "display":
                continue
            node: dict[str, Any] = {"linkId": item["linkId"]}
            if item["type"] == "group":
                node["item"] = walk(item.get("item", []))
                if not node["item"]:
                    continue
            else:
                node["answer"] = answers(item)
                if not node["answer"]:
                    continue
            out.append(node)
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"{q['url']}|{q['version']}",
        "item": walk(q["item"]),
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.ref)
def test_fhir_responses_read_back_as_the_html_form_does(case: Case) -> None:
    from fhir.resources.questionnaireresponse import QuestionnaireResponse

    fillings = [case.filling(s) for s in SEEDS]
    refs = [_reference(case, f) for f in fillings]
    responses = [_response(case, f) for f in fillings]
    for r in responses:
        QuestionnaireResponse.model_validate(r)  # a valid R5 resource
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in responses],
    }
    data = json.dumps(bundle).encode("utf-8")
    assert export_kind(data, "responses.json") == "fhir"
    raws = read_all_bytes(data, "responses.json", registry=_registry(case))
    pointers = [r.origin.pointer for r in raws if r.origin]
    assert pointers == ["/entry/0/resource", "/entry/1/resource"]
    for raw, ref in zip(raws, refs, strict=True):
        assert not raw.problems, [str(p) for p in raw.problems]
        # a response carries the form's canonical, not its content hash (no SG535 to compare)
        _same(check(raw, _registry(case)), ref, envelope=False)


# -- Microsoft Forms ---------------------------------------------------------------------------


def _reworded(text: str) -> str:
    return "Please tell us: " + text.rstrip("?").lower() + "?"


def _ms_export(case: Case, fillings: list[Filling]) -> tuple[bytes, dict[str, str]]:
    """A Microsoft Forms export of the fillings: one column per question headed by its text
    (every third reworded), answers as their labels; and column → field name."""
    from openpyxl import Workbook

    from safeguard_standards.render._collect import plain
    from safeguard_standards.render._view import ORGANISATION_FIELDS, sign_off_fields

    view = case.view()
    columns: list[tuple[str, str, Any]] = []  # heading, field name, question view or None
    for f in ORGANISATION_FIELDS:
        columns.append((f.label, f.name, None))
    for n, q in enumerate(view.questions()):
        text = plain(q.text)
        heading = _reworded(text) if n % 3 == 2 else (f"{q.number} {text}" if n % 2 else text)
        columns.append((heading, q.full_id, q))
        columns.append((f"Evidence for {q.number}", fields.evidence(q.full_id).name, None))
        from safeguard_standards.render._collect import action_levels

        if action_levels(q):
            columns.append(
                (f"Action you will take for {q.number}", fields.action(q.full_id).name, None)
            )
    for f in sign_off_fields(view.checklist):
        columns.append((f"Sign-off: {f.label}", f.name, None))
    head = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(head + [h for h, _, _ in columns])
    for n, filling in enumerate(fillings):
        values: dict[str, Any] = dict(filling["details"])
        for part, suffix in (("answers", ""), ("evidence", ".evidence"), ("actions", ".action")):
            for k, v in filling[part].items():
                values[k + suffix] = v
        row: list[Any] = [
            n + 1,
            "11/20/25 10:00:00",
            "11/20/25 10:30:00",
            f"person{n}@example.org",
            f"Respondent {n}",
            None,
        ]
        for _, name, q in columns:
            v = values.get(name)
            if v is not None and q is not None and q.answer.choices:
                labels = {c.id: c.label for c in q.answer.choices}
                v = ";".join(labels[x] for x in v) + ";" if isinstance(v, list) else labels[v]
            row.append(v)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), {h: name for h, name, _ in columns}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.ref)
def test_a_microsoft_forms_export_reads_back_through_its_map(case: Case) -> None:
    fillings = [case.filling(s) for s in SEEDS]
    refs = [_reference(case, f) for f in fillings]
    data, truth = _ms_export(case, fillings)
    assert export_kind(data, "responses.xlsx") == "msforms"
    table = read_table(data, "responses.xlsx", "xlsx")
    mapping = make_map(table, case.checklist(), export="responses.xlsx")
    # one entry per heading, nothing left unmapped (a read-only sheet's padding is no column)
    assert [c["column"] for c in mapping["columns"]] == list(table.headings)
    assert mapping["unmapped"] == []
    got = {c["column"]: c["field"] for c in mapping["columns"] if c["field"]}
    # every question column found, the reworded ones by closeness, showing both texts
    assert {k: v for k, v in got.items() if k in truth} == truth
    reworded = [c for c in mapping["columns"] if c["column"].startswith("Please tell us")]
    assert reworded and all(c["match"].startswith("closest") and c["question"] for c in reworded)
    # the respondent's Name is never read; their Email is not the contact (the form asks it)
    by_column = {c["column"]: c for c in mapping["columns"]}
    assert by_column["Name"]["field"] is None and by_column["Email"]["field"] is None
    text = dump_map(mapping)
    assert "person0@example.org" not in text and "Respondent 0" not in text
    exported, problems = read_map(text.encode("utf-8"), "map.yaml")
    assert exported is not None and not problems
    raws = read_mapped(table, "responses.xlsx", exported)
    assert [r.origin.row for r in raws if r.origin] == [2, 3]
    for raw, ref in zip(raws, refs, strict=True):
        _same(check(raw, _registry(case)), ref, envelope=False)


# -- diagnostics, located at the export's cell ---------------------------------------------------

COMPLETE_CASE = Case("complete", "2025-26", "form")


def _first(case: Case, qtype: str) -> Any:
    return next(q for q in case.view().questions() if q.question.type == qtype)


def test_a_bad_answer_in_a_central_csv_is_located_at_its_row_and_column() -> None:
    case = COMPLETE_CASE
    rating = _first(case, "rating")
    fillings = [case.filling(1), case.filling(2)]
    fillings[1]["answers"][rating.full_id] = "not-a-level"
    data = _central_csv(case, fillings)
    raws = read_all_bytes(data, "subs.csv")
    heading = next(
        h
        for h, name, _ in _submission_columns(case, "-")
        if name == fields.safe_name(rating.full_id)
    )
    assert "-" in heading  # the group path is in the heading
    got = check(raws[1], _registry(case))
    bad = [d for d in got.diagnostics if d.code.value[0] == "SG543"]
    assert [f"{d.source}:{d.at}" for d in bad] == [f"subs.csv:row 3:column {heading}"]
    assert got.source == "subs.csv:row 3"
    first = check(raws[0], _registry(case))
    assert not [d for d in first.diagnostics if d.code.value[0] == "SG543"]


def test_a_renamed_column_is_reported_and_a_labelled_export_refused() -> None:
    case = COMPLETE_CASE
    text = _central_csv(case, [case.filling(1)]).decode("utf-8")
    first_line, rest = text.split("\n", 1)
    name = fields.safe_name(_first(case, "rating").full_id)
    renamed = first_line.replace(name + ",", name[:-3] + "__x,", 1)
    raws = read_all_bytes((renamed + "\n" + rest).encode("utf-8"), "subs.csv")
    codes = [(p.code.value[0], p.at) for p in raws[0].problems]
    assert (
        "SG582",
        f"row 1:column {next(h for h in renamed.split(',') if h.endswith('__x'))}",
    ) in codes
    # KoboToolbox's "labels" export: no heading is one of our names
    labels = "Name of organisation,Does the policy say who is responsible?\nSt Mary's,Met\n"
    raws = read_all_bytes(labels.encode("utf-8"), "labels.csv", tool="kobo")
    assert [(p.code.value[0], p.at) for p in raws[0].problems] == [("SG580", "row 1")]


def test_surveyjs_values_of_no_field_shape_are_located_by_pointer() -> None:
    name = fields.safe_name(_first(COMPLETE_CASE, "text").full_id)
    doc = [{"sg_set": "complete"}, {"sg_set": "complete", name: {"a": 1}, "SG_nope": "x"}]
    raws = read_all_bytes(json.dumps(doc).encode("utf-8"), "r.json", tool="surveyjs")
    got = [(p.code.value[0], p.at) for p in raws[1].problems]
    assert ("SG583", f"/1/{name}") in got and ("SG582", "/1/SG_nope") in got


def test_a_response_is_checked_against_our_questionnaire() -> None:
    case = COMPLETE_CASE
    qr = _response(case, case.filling(1))
    rating = _first(case, "rating")
    number = _first(case, "number")

    def find(items: list[dict[str, Any]], link: str, path: str) -> str:
        for i, it in enumerate(items):
            here = f"{path}/item/{i}"
            if it["linkId"] == link:
                return here
            got = find(it.get("item", []), link, here)
            if got:
                return got
        return ""

    def node(pointer: str) -> dict[str, Any]:
        cur: Any = qr
        for part in pointer.strip("/").split("/"):
            cur = cur[int(part)] if part.isdigit() else cur[part]
        return cur  # type: ignore[no-any-return]

    at_rating = find(qr["item"], rating.full_id, "")
    at_number = find(qr["item"], number.full_id, "")
    assert at_rating and at_number
    node(at_rating)["answer"] = [{"valueString": "met"}]
    node(at_number)["answer"] = [{"valueDecimal": 1}, {"valueDecimal": 2}]
    # fhir.resources accepts an unknown linkId: the check is ours
    group = node(at_rating.rsplit("/item/", 1)[0])
    group["item"].append({"linkId": "s.t.gone", "answer": [{"valueString": "x"}]})
    from fhir.resources.questionnaireresponse import QuestionnaireResponse

    QuestionnaireResponse.model_validate(qr)
    raws = read_all_bytes(json.dumps(qr).encode("utf-8"), "qr.json", registry=_registry(case))
    got = sorted((p.code.value[0], p.at) for p in raws[0].problems)
    gone = f"{at_rating.rsplit('/item/', 1)[0]}/item/{len(group['item']) - 1}/linkId"
    assert got == sorted(
        [
            ("SG586", f"{at_rating}/answer/0"),
            ("SG586", at_number),
            ("SG585", gone),
        ]
    )
    qr["questionnaire"] = "http://example.org/Questionnaire/other"
    raws = read_all_bytes(json.dumps(qr).encode("utf-8"), "qr.json")
    assert [(p.code.value[0], p.at) for p in raws[0].problems] == [("SG584", "/questionnaire")]


def test_a_forms_export_needs_its_map_and_a_bad_map_is_located(tmp_path: Path) -> None:
    case = COMPLETE_CASE
    data, _ = _ms_export(case, [case.filling(1)])
    raws = read_all_bytes(data, "responses.xlsx")
    assert [p.code.value[0] for p in raws[0].problems] == ["SG587"]
    table = read_table(data, "responses.xlsx", "xlsx")
    text = dump_map(make_map(table, case.checklist()))
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("  field: org.name"))
    lines[n] = "  field: org.nam"
    mapping, problems = read_map("\n".join(lines).encode("utf-8"), "map.yaml")
    assert mapping is None
    assert [(p.code.value[0], p.line) for p in problems] == [("SG588", n + 1)]
    # a column reworded again after the map was made: the field is read as blank, said so
    lines[n] = "  field: org.name"
    renamed = "\n".join(lines).replace("column: Name of organisation", "column: Organisation")
    mapping, problems = read_map(renamed.encode("utf-8"), "map.yaml")
    assert mapping is not None and not problems
    raws = read_mapped(table, "responses.xlsx", mapping)
    got = [(p.code.value[0], p.at) for p in raws[0].problems]
    assert ("SG589", "Sheet1!A1") in got
    assert ("SG589", "Sheet1!A1:column Name of organisation") in got


@pytest.mark.slow
def test_the_command_line_maps_and_checks_an_export(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from safeguard_standards_cli._app import cli

    data, _ = _ms_export(
        Case("kcsie", "2025-26", "form"), [Case("kcsie", "2025-26", "form").filling(1)]
    )
    export = tmp_path / "responses.xlsx"
    export.write_bytes(data)
    out = tmp_path / "map.yaml"
    runner = CliRunner()
    done = runner.invoke(
        cli, ["returns", "map", str(export), "--set", "kcsie@2025-26", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "columns mapped" in done.output and ", 0 not mapped" in done.output
    text = out.read_text(encoding="utf-8")
    assert "person0@example.org" not in text and "Respondent 0" not in text
    done = runner.invoke(
        cli, ["returns", "check", str(export), "--map", str(out), "--format", "json"]
    )
    payload = json.loads(done.stdout)
    assert [r["file"] for r in payload["returns"]] == [f"{export}:Sheet1:row 2"]
    assert "person0@example.org" not in done.output and "Respondent 0" not in done.output
    # without the map: told to make one
    done = runner.invoke(cli, ["returns", "check", str(export)])
    assert done.exit_code == 1 and "SG587" in done.output
    # ODK Central submissions, found from their headings
    case = Case("kcsie", "2025-26", "form")
    subs = tmp_path / "subs.csv"
    subs.write_bytes(_central_csv(case, [case.filling(1), case.filling(2)]))
    done = runner.invoke(cli, ["returns", "check", str(subs), "--format", "json"])
    assert done.exit_code in (0, 1), done.output
    payload = json.loads(done.stdout)
    assert [r["file"] for r in payload["returns"]] == [f"{subs}:row 2", f"{subs}:row 3"]
    assert all(r["return"]["set"] == "kcsie" for r in payload["returns"])


def test_the_kept_surveyjs_result_reads_back_as_the_html_form_does() -> None:
    """The result survey-core gave for complete.yaml's form (kept by
    tests/test_render_surveyjs.py) is read by the importer as the HTML form's answers are."""
    kept = Path(__file__).resolve().parent / "cases" / "collect" / "complete-surveyjs.json"
    raws = read_all_bytes(kept.read_bytes(), "complete-surveyjs.json")
    assert len(raws) == 1 and raws[0].format == "surveyjs" and not raws[0].problems
    case = COMPLETE_CASE
    got = check(raws[0], _registry(case))
    assert _typed(got) == _typed(_reference(case, case.filling(1)))


def test_our_own_files_are_not_taken_for_exports(tmp_path: Path) -> None:
    from safeguard_standards.render import render

    case = Case("kcsie", "2025-26", "form")
    checklist = case.checklist()
    for fmt, name in (("csv", "form.csv"), ("xlsx", "form.xlsx")):
        data = render(checklist, "form", fmt)
        assert export_kind(data, name) is None, fmt
    env = Envelope.from_properties(_envelope(case))
    saved = {"set": "kcsie", "version": "2025-26", "envelope": env.to_dict(), "answers": {}}
    assert export_kind(json.dumps(saved).encode("utf-8"), "a.json") is None


@pytest.mark.slow
def test_a_folder_with_an_export_and_a_saved_return_is_checked_together(tmp_path: Path) -> None:
    from safeguard_standards.returns.batch import check_exports

    case = Case("kcsie", "2025-26", "form")
    fillings = [case.filling(1), case.filling(2)]
    (tmp_path / "a-subs.csv").write_bytes(_central_csv(case, fillings))
    env = Envelope.from_properties(_envelope(case))
    saved = {"set": "kcsie", "version": "2025-26", "envelope": env.to_dict(), **fillings[0]}
    (tmp_path / "b.json").write_text(json.dumps(saved), encoding="utf-8")
    paths = [str(tmp_path / "a-subs.csv"), str(tmp_path / "b.json")]
    checked = check_exports(paths, jobs=1)
    assert [c.source for c in checked] == [f"{paths[0]}:row 2", f"{paths[0]}:row 3", paths[1]]
    # the same organisation in the export's row 2 and in the saved answers: SG553 on both
    dup = [c.source for c in checked if any(d.code.value[0] == "SG553" for d in c.diagnostics)]
    assert dup == [f"{paths[0]}:row 2", paths[1]]
    assert _typed(checked[0]) == _typed(checked[2])


@pytest.mark.parametrize(
    ("data", "tool", "code"),
    [
        (b'{"resourceType": "Bundle", "entry": 5}', None, "SG581"),
        (b'{"resourceType": "Bundle", "entry": [{"resource": 1}, 2]}', None, "SG581"),
        (b'{"resourceType": "QuestionnaireResponse", "item": 7}', None, "SG584"),
        (b'[{"sg_set": "kcsie", "SG_org__name": NaN}]', None, "SG501"),
        (b"Id,Answer\n", "surveyjs", "SG580"),
        (b"a,b\n1,2\n", "odk", "SG580"),
    ],
)
def test_hostile_exports_are_diagnostics(data: bytes, tool: str | None, code: str) -> None:
    raws = read_all_bytes(data, "x.csv" if b"," in data[:12] else "x.json", tool=tool)
    codes = [p.code.value[0] for r in raws for p in r.problems]
    assert code in codes, codes


@pytest.mark.slow
def test_a_smartsurvey_csv_export_reads_back_through_its_map() -> None:
    """SmartSurvey's CSV: its own columns (Response ID, Started, Ended, IP Address) and the
    questions' texts as headings, answers as labels."""
    case = COMPLETE_CASE
    fillings = [case.filling(s) for s in SEEDS]
    refs = [_reference(case, f) for f in fillings]
    data, _ = _ms_export(case, fillings)
    table = read_table(data, "x.xlsx", "xlsx")
    own = {"ID": "Response ID", "Start time": "Started", "Completion time": "Ended"}
    headings = [own.get(h, h) for h in table.headings]
    headings[headings.index("Last modified time")] = "IP Address"
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headings)
    for row in table.rows:
        w.writerow(["" if v is None else v for v, _ in row])
    data = out.getvalue().encode("utf-8")
    assert export_kind(data, "smartsurvey.csv") == "msforms"
    table = read_table(data, "smartsurvey.csv", "csv")
    text = dump_map(make_map(table, case.checklist()))
    mapping, problems = read_map(text.encode("utf-8"), "map.yaml")
    assert mapping is not None and not problems
    raws = read_all_bytes(data, "smartsurvey.csv", mapping=mapping)
    assert [r.origin.row for r in raws if r.origin] == [2, 3]
    for raw, ref in zip(raws, refs, strict=True):
        _same(check(raw, _registry(case)), ref, envelope=False)

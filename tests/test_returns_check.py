"""Checking returns (safeguard_standards.returns.check): every SG53x-SG56x code with its exact
location, answers typed from every shape a reader gives, ask_if as the HTML form decides it,
and the return schema the HTML form's saved answers conform to."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import safeguard_standards as sg
from safeguard_standards.diagnostics import Code
from safeguard_standards.diff import diff
from safeguard_standards.fields import FieldRef
from safeguard_standards.model import Checklist, Question
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.render._envelope import envelope_of
from safeguard_standards.returns.check import Checked, check, check_many
from safeguard_standards.returns.model import return_schema
from safeguard_standards.returns.raw import RawReturn, RawValue, Where
from safeguard_standards.returns.read import read_bytes

KCSIE = sg.load_bundled("kcsie", "2025-26")
KCSIE_OLD = sg.load_bundled("kcsie", "2024-25")
S11 = sg.load_bundled("section11", "2025-27")
REGISTRY = sg.Registry()

DETAILS = {
    "org.name": "Northshire Academy",
    "org.completed_by": "Sam Okoro",
    "org.contact": "dsl@northshire.sch.uk",
    "org.date": "2025-11-01",
}


def plain_level(c: Checklist, q: Question) -> str:
    """A level of the question's scale that requires nothing."""
    scale = c.scale(q.scale)
    assert scale is not None
    return next(lv.id for lv in scale.levels if not lv.requires)


def valid(c: Checklist, q: Question) -> Any:
    """A valid answer to ``q``, as the HTML form saves it."""
    return {
        "rating": lambda: plain_level(c, q),
        "yes-no": lambda: "yes",
        "number": lambda: max(3, int(q.min or 0)),
        "percentage": lambda: 50,
        "date": lambda: "2025-10-01",
        "text": lambda: "Reviewed termly by the governors.",
        "choice": lambda: q.options[0].id,
        "multi-choice": lambda: [o.id for o in q.options[:2]],
    }[q.type]()


def answers_for(c: Checklist) -> dict[str, Any]:
    """A valid answer to every question that is asked, in order (Condition.holds decides)."""
    out: dict[str, Any] = {}
    for q in c.questions():
        if q.ask_if is None or q.ask_if.holds(out):
            out[q.full_id] = valid(c, q)
    return out


def envelope(c: Checklist, audience: Mapping[str, str] | None = None, kind: str = "form") -> Any:
    aud = dict(audience or {})
    shown = c.select(aud) if aud else c
    return envelope_of(shown, kind, RenderOptions(audience=tuple(aud.items()))).to_dict()


def saved(
    c: Checklist = KCSIE,
    audience: Mapping[str, str] | None = None,
    *,
    kind: str = "form",
    **changes: Any,
) -> dict[str, Any]:
    """The answers file the HTML form saves for a complete, clean return."""
    shown = c.select(dict(audience)) if audience else c
    doc: dict[str, Any] = {
        "set": c.id,
        "version": c.version,
        "kind": kind,
        "envelope": envelope(c, audience, kind),
        "answers": answers_for(shown),
        "evidence": {},
        "details": dict(DETAILS),
    }
    doc.update(changes)
    return doc


def run(doc: Mapping[str, Any], name: str = "r.json", **kw: Any) -> Checked:
    return check(read_bytes(json.dumps(doc).encode(), name), REGISTRY, **kw)


def found(checked: Checked) -> list[tuple[str, str]]:
    return [(d.code.code, d.at) for d in checked.diagnostics]


def only(checked: Checked, code: Code) -> list[Any]:
    return [d for d in checked.diagnostics if d.code is code]


def first(c: Checklist, type_: str, pred: Any = None) -> Question:
    return next(q for q in c.questions() if q.type == type_ and (pred is None or pred(q)))


# -- a clean return -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("c", "audience"),
    [(KCSIE, None), (KCSIE, {"setting": "academy"}), (S11, {"agency": "police"})],
    ids=["kcsie", "kcsie-academy", "section11-police"],
)
def test_a_complete_return_is_clean_and_typed(c, audience):
    doc = saved(c, audience)
    checked = run(doc)
    assert found(checked) == []
    r = checked.return_
    assert r is not None and checked.status == "clean"
    assert (r.set, r.version, r.kind, r.read_from) == (c.id, c.version, "form", "html-json")
    assert r.audience == tuple((audience or {}).items())
    shown = c.select(audience) if audience else c
    assert [a.question for a in r.answers] == [q.full_id for q in shown.questions()]
    for a in r.answers:
        want = doc["answers"].get(a.question)
        if isinstance(want, list):
            want = tuple(want)
        if a.type == "date" and want is not None:
            want = datetime.date.fromisoformat(want)
        assert a.value == want, a.question
        if want is not None:
            assert a.where == Where("r.json", pointer=f"/answers/{a.question}")
    assert r.organisation == "Northshire Academy"
    jsonschema.validate(r.to_dict(), return_schema())


# -- the set, the version, the envelope -----------------------------------------------------------


def test_sg530_unknown_set_with_and_without_an_envelope():
    doc = saved()
    doc["envelope"]["set"] = doc["set"] = "kcsei"
    checked = run(doc)
    assert found(checked) == [("SG530", "/envelope")]
    assert "did you mean 'kcsie'" in checked.diagnostics[0].message
    assert "kcsie" in checked.diagnostics[0].hint and checked.return_ is None
    del doc["envelope"]
    assert found(run(doc)) == [("SG530", "/set")]


def test_sg531_unknown_version_lists_the_known_ones():
    doc = saved()
    del doc["envelope"]
    doc["version"] = "2023-24"
    checked = run(doc)
    assert found(checked) == [("SG531", "/version")]
    assert "known: 2024-25, 2025-26" in checked.diagnostics[0].message
    assert "--as-version 2025-26" in checked.diagnostics[0].hint
    assert checked.return_ is None
    bad = run(saved(), as_version="2099-00")
    assert found(bad) == [("SG531", "")]
    assert "2024-25, 2025-26" in bad.diagnostics[0].hint


def test_sg532_no_set_named():
    doc = saved()
    del doc["envelope"], doc["set"], doc["version"]
    checked = run(doc)
    assert found(checked) == [("SG532", "/set")]
    assert checked.return_ is None


def test_sg533_an_unknown_version_read_onto_as_version_by_id():
    doc = saved()
    del doc["envelope"]
    doc["version"] = "2023-24"
    checked = run(doc, as_version="2025-26")
    assert found(checked) == [("SG533", "/version")]
    r = checked.return_
    assert r is not None and r.version == "2025-26" and r.mapped_from == "2023-24"
    assert r.answers == run(saved()).return_.answers  # type: ignore[union-attr]


def test_as_version_carries_answers_through_the_diff_and_sg534_reports_the_rest():
    links = diff(KCSIE_OLD, KCSIE).question_map()
    renamed = next(
        link for link in links.values() if link.via == "formerly" and link.answers_carry_over
    )
    changed = next(link for link in links.values() if link.old_id and not link.answers_carry_over)
    doc = saved(KCSIE_OLD)
    assert renamed.old_id in doc["answers"] and changed.old_id in doc["answers"]
    doc["evidence"] = {renamed.old_id: "Policy on the website"}
    checked = run(doc, as_version="2025-26")
    r = checked.return_
    assert r is not None and (r.version, r.mapped_from) == ("2025-26", "2024-25")
    moved = r.answer(renamed.id)
    assert moved is not None
    assert moved.value == doc["answers"][renamed.old_id]
    assert moved.where == Where("r.json", pointer=f"/answers/{renamed.old_id}")
    assert moved.evidence == "Policy on the website"
    not_carried = only(checked, Code.ANSWER_NOT_CARRIED)
    assert [(d.at, d.item) for d in not_carried if d.item == changed.old_id] == [
        (f"/answers/{changed.old_id}", changed.old_id)
    ]
    assert r.answer(changed.id).value is None  # type: ignore[union-attr]
    # the new questions are blank: reported as required, the form made from 2024-25 is not
    # "edited" (its hash is the 2024-25 one)
    assert not only(checked, Code.RETURN_SET_EDITED)
    assert {d.code.code for d in checked.diagnostics} <= {"SG534", "SG548"}


def test_sg535_the_set_was_edited_since_the_form_was_made():
    doc = saved()
    doc["envelope"]["content_hash"] = "sha256:" + "0" * 64
    checked = run(doc)
    assert found(checked) == [("SG535", "/envelope/content_hash")]
    assert checked.return_ is not None and not checked.errors


def test_sg536_what_the_file_declares_differs_from_its_envelope():
    doc = saved(KCSIE, {"setting": "academy"})
    doc["version"] = "2024-25"
    doc["audience"] = {"setting": "maintained"}
    checked = run(doc)
    assert found(checked) == [("SG536", "/version"), ("SG536", "/audience")]
    assert checked.return_ is not None and checked.return_.version == "2025-26"
    assert checked.return_.audience == (("setting", "academy"),)


def test_sg537_an_answer_to_a_question_of_another_audience():
    q = next(q for q in KCSIE.questions() if q.applies_to == (("setting", ("independent",)),))
    doc = saved(KCSIE, {"setting": "academy"})
    doc["answers"][q.full_id] = valid(KCSIE, q)
    checked = run(doc)
    assert found(checked) == [("SG537", f"/answers/{q.full_id}")]
    assert "setting=academy" in checked.diagnostics[0].message
    assert checked.return_ is not None and checked.return_.answer(q.full_id) is None


def test_sg537_an_answer_to_a_question_not_on_the_return_form():
    q = next(q for q in KCSIE.questions() if not q.in_return)
    doc = saved(kind="return-form")
    doc["answers"] = {k: v for k, v in doc["answers"].items() if KCSIE.question(k).in_return}  # type: ignore[union-attr]
    doc["answers"][q.full_id] = valid(KCSIE, q)
    checked = run(doc)
    assert found(checked) == [("SG537", f"/answers/{q.full_id}")]
    assert "not on the return form" in checked.diagnostics[0].message


def test_sg538_an_audience_the_set_does_not_declare():
    doc = saved()
    doc["envelope"]["audience"] = {"setting": "acadmy"}
    checked = run(doc)
    assert found(checked) == [("SG538", "/envelope")]
    assert "did you mean 'academy'" in only(checked, Code.RETURN_AUDIENCE_UNKNOWN)[0].message


def test_sg554_a_document_that_is_not_a_form():
    doc = saved()
    doc["envelope"]["kind"] = doc["kind"] = "guidance"
    assert found(run(doc)) == [("SG554", "/envelope")]


def test_sg555_the_set_the_return_answers_has_errors(tmp_path):
    folder = tmp_path / "sets" / "kcsie"
    folder.mkdir(parents=True)
    text = (Path(sg.__file__).parent.parent / "standards" / "kcsie" / "2025-26.yaml").read_text()
    (folder / "2025-26.yaml").write_text(text.replace("title:", "titel:", 1))
    reg = sg.Registry().with_folder(tmp_path / "sets")
    checked = check(read_bytes(json.dumps(saved()).encode(), "r.json"), reg)
    assert found(checked) == [("SG555", "")]
    assert "safeguard validate" in checked.diagnostics[0].hint


# -- answers --------------------------------------------------------------------------------------


def test_sg539_an_answer_to_a_question_the_version_does_not_have():
    real = first(KCSIE, "yes-no").full_id
    typo = real[:-1]
    doc = saved()
    doc["answers"][typo] = "yes"
    checked = run(doc)
    assert found(checked) == [("SG539", f"/answers/{typo}")]
    assert f"did you mean {real!r}" in checked.diagnostics[0].message


@pytest.mark.parametrize(
    ("type_", "value", "code"),
    [
        ("number", "several", "SG540"),
        ("number", True, "SG540"),
        ("date", "last week", "SG540"),
        ("date", "31/02/2026", "SG540"),
        ("yes-no", "maybe", "SG540"),
        ("number", -1, "SG541"),
        ("choice", "cloud", "SG542"),
        ("multi-choice", "Neglect; Nonsense", "SG542"),
        ("rating", "excellent", "SG543"),
        ("rating", ["met", "partly"], "SG544"),
        ("choice", ["electronic", "paper"], "SG544"),
    ],
)
def test_answers_of_the_wrong_shape(type_, value, code):
    q = first(KCSIE, type_, lambda q: q.ask_if is None and (type_ != "number" or q.min == 0))
    doc = saved()
    doc["answers"][q.full_id] = value
    checked = run(doc)
    assert found(checked) == [(code, f"/answers/{q.full_id}")]
    d = checked.diagnostics[0]
    assert d.item == q.full_id and KCSIE.numbering()[q.full_id] in d.message and d.hint
    assert checked.return_.answer(q.full_id).value is None  # type: ignore[union-attr]


def test_sg541_a_percentage_over_100():
    q = first(S11, "percentage", lambda q: q.ask_if is None)
    doc = saved(S11)
    doc["answers"][q.full_id] = "140%"
    checked = run(doc)
    assert found(checked) == [("SG541", f"/answers/{q.full_id}")]
    assert "from 0% to 100%" in checked.diagnostics[0].message


def test_answers_are_read_from_every_shape_a_reader_gives():
    """Label or id in any case and spacing, ticked boxes, True/False, numbers written with
    thousands separators, 45%, dates in two layouts or as dates, a '; ' list."""
    c = S11
    rating = first(c, "rating", lambda q: q.ask_if is None)
    level = plain_level(c, rating)
    label = c.scale(rating.scale).level(level).label  # type: ignore[union-attr]
    yes_no = first(c, "yes-no", lambda q: q.ask_if is None)
    number = first(c, "number", lambda q: q.ask_if is None)
    percent = first(c, "percentage", lambda q: q.ask_if is None)
    date = first(c, "date", lambda q: q.ask_if is None)
    choice = first(c, "choice", lambda q: q.ask_if is None)
    multi = first(c, "multi-choice", lambda q: q.ask_if is None)
    cases: list[tuple[Question, Any, Any]] = [
        (rating, f"  {label.upper()} ", level),
        (rating, (level,), level),
        (yes_no, "No", "no"),
        (yes_no, True, "yes"),
        (number, "1,250", 1250),
        (number, "12", 12),
        (number, 7.0, 7),
        (percent, "45%", 45),
        (percent, "62.5", 62.5),
        (date, "31/03/2026", datetime.date(2026, 3, 31)),
        (date, datetime.date(2026, 3, 31), datetime.date(2026, 3, 31)),
        (date, "2026-03-31", datetime.date(2026, 3, 31)),
        (choice, choice.options[1].label.lower(), choice.options[1].id),
        (
            multi,
            f"{multi.options[2].label}; {multi.options[0].id}",
            (
                multi.options[0].id,
                multi.options[2].id,
            ),
        ),
        (multi, (multi.options[1].id,), (multi.options[1].id,)),
    ]
    for q, given, want in cases:
        doc = saved(c)
        doc["answers"].pop(q.full_id)
        raw = read_bytes(json.dumps(doc).encode(), "r.json")
        where = Where("r.xlsx", sheet="Answers", cell="E7")
        raw = RawReturn(
            source=raw.source,
            format=raw.format,
            envelope=raw.envelope,
            declared=raw.declared,
            values=(*raw.values, RawValue(FieldRef(q.full_id), given, where)),
        )
        checked = check(raw, REGISTRY)
        assert found(checked) == [], (q.type, given)
        a = checked.return_.answer(q.full_id)  # type: ignore[union-attr]
        assert a is not None and a.value == want and a.where == where, (q.type, given)


def test_choice_boxes_ticked_one_by_one():
    """A PDF's or a Word form's boxes, one field per choice: the ticked ones are the answer."""
    multi = first(S11, "multi-choice")
    rating = first(S11, "rating", lambda q: q.ask_if is None)
    doc = saved(S11)
    doc["answers"].pop(multi.full_id)
    doc["answers"].pop(rating.full_id)
    raw = read_bytes(json.dumps(doc).encode(), "r.pdf")
    boxes = [
        RawValue(FieldRef(multi.full_id, choice=o.id), i in (0, 2), Where("r.pdf", 3, o.id))
        for i, o in enumerate(multi.options)
    ]
    levels = S11.scale(rating.scale).levels  # type: ignore[union-attr]
    ticks = [
        RawValue(FieldRef(rating.full_id, choice=lv.id), "Off" if i else "Yes", Where("r.pdf", 4))
        for i, lv in enumerate(levels)
    ]
    raw = RawReturn(
        source="r.pdf", format="pdf", envelope=raw.envelope, values=(*raw.values, *boxes, *ticks)
    )
    checked = check(raw, REGISTRY)
    assert checked.return_.answer(multi.full_id).value == (  # type: ignore[union-attr]
        multi.options[0].id,
        multi.options[2].id,
    )
    assert checked.return_.answer(rating.full_id).value == levels[0].id  # type: ignore[union-attr]


# -- the scale's requirements, required and conditional questions ---------------------------------


def _level(c: Checklist, requirement: str) -> tuple[Question, str]:
    for q in c.questions():
        if q.type == "rating" and q.ask_if is None:
            for lv in c.scale(q.scale).levels:  # type: ignore[union-attr]
                if lv.requires == (requirement,):
                    return q, lv.id
    raise AssertionError(requirement)


def test_sg545_a_level_that_requires_an_action_has_none():
    q, level = _level(KCSIE, "action")
    other = next(o for o in KCSIE.questions() if o.type == "rating" and o is not q)
    doc = saved()
    doc["answers"][q.full_id] = level
    doc["actions"] = {other.full_id: "not needed here"}  # the form has action boxes
    checked = run(doc)
    assert found(checked) == [("SG545", f"/actions/{q.full_id}")]
    doc["actions"][q.full_id] = "Train the new governors by March (chair of governors)"
    assert found(run(doc)) == []


def test_sg545_in_a_saved_answers_file_without_the_action():
    """The web form saves only the boxes that were filled in: an empty action box is simply
    absent from the file, and still an action is missing."""
    q, level = _level(KCSIE, "action")
    doc = saved()
    doc["answers"][q.full_id] = level
    assert found(run(doc)) == [("SG545", f"/actions/{q.full_id}")]
    doc["actions"] = {q.full_id: "Train the new governors by March (lead: DSL)."}
    assert found(run(doc)) == []


def test_sg546_not_applicable_without_a_reason():
    q, level = _level(KCSIE, "justification")
    doc = saved()
    doc["answers"][q.full_id] = level
    assert found(run(doc)) == [("SG546", f"/evidence/{q.full_id}")]
    doc["evidence"][q.full_id] = "We have no boarders."
    assert found(run(doc)) == []


def test_sg547_a_level_that_requires_evidence_without_any():
    q, level = _level(S11, "evidence")
    doc = saved(S11)
    doc["answers"][q.full_id] = level
    assert found(run(doc)) == [("SG547", f"/evidence/{q.full_id}")]


def test_sg548_a_required_question_left_blank():
    q = first(KCSIE, "number")
    doc = saved()
    del doc["answers"][q.full_id]
    checked = run(doc)
    assert found(checked) == [("SG548", f"/answers/{q.full_id}")]
    doc["answers"] = {}
    checked = run(doc)
    assert [d.code.code for d in checked.diagnostics] == ["SG548"]
    assert "no question is answered" in checked.diagnostics[0].message


def test_sg549_an_answer_to_a_question_that_was_not_asked():
    q = next(q for q in KCSIE.questions() if q.ask_if is not None)
    gate = q.ask_if.question  # type: ignore[union-attr]
    doc = saved()
    doc["answers"][gate] = "no"
    dependants = [
        d.full_id
        for d in KCSIE.questions()
        if d.ask_if is not None and gate in d.ask_if.questions()
    ]
    checked = run(doc)
    assert found(checked) == [("SG549", f"/answers/{d}") for d in dependants]
    r = checked.return_
    assert r is not None
    assert r.answer(q.full_id).asked is False and r.answer(q.full_id).answered  # type: ignore[union-attr]
    assert r.to_dict()["not_asked"] == dependants
    # not asked and not answered: nothing to say (no SG548)
    for d in dependants:
        del doc["answers"][d]
    assert found(run(doc)) == []


CONDITIONS = """\
dsl: 1
id: conds
version: "1"
title: Conditions
audiences:
  setting:
    label: Setting
    values: {a: A, b: B}
scales:
  grade:
    - {id: good, label: Good}
    - {id: poor, label: Poor}
default_scale: grade
sections:
  - id: s
    title: S
    standards:
      - id: t
        title: T
        questions:
          - {id: gate, text: Gate?, type: yes-no, evidence: [x], guidance: {why: w, good: g}}
          - id: only-b
            text: Only b?
            type: yes-no
            applies_to: {setting: [b]}
            evidence: [x]
            guidance: {why: w, good: g}
          - id: after-gate
            text: After gate?
            type: choice
            options: [{id: one, label: One}, {id: two, label: Two}]
            ask_if: {question: s.t.gate, equals: yes}
            evidence: [x]
            guidance: {why: w, good: g}
          - id: cascade
            text: Cascade?
            type: choice
            options: [{id: x, label: X}, {id: nothing, label: Nothing}]
            ask_if: {question: s.t.after-gate, not_equals: one}
            evidence: [x]
            guidance: {why: w, good: g}
          - id: both
            text: Both?
            type: rating
            ask_if:
              any:
                - {question: s.t.gate, equals: no}
                - all:
                    - {question: s.t.after-gate, in: [two]}
                    - {question: s.t.cascade, not_equals: nothing}
            evidence: [x]
            guidance: {why: w, good: g}
          - id: needs-b
            text: Needs b?
            type: yes-no
            ask_if: {question: s.t.only-b, equals: yes}
            evidence: [x]
            guidance: {why: w, good: g}
"""


def _conditions(tmp_path: Path) -> tuple[sg.Registry, Checklist]:
    path = tmp_path / "conds.yaml"
    path.write_text(CONDITIONS)
    reg = sg.Registry().with_set(path)
    return reg, reg.get("conds", "1").unwrap()


#: answers → the questions asked, as the form's script (form.js) decides: a condition on a
#: question that is not asked sees no answer; all/any nest; a condition naming a question that
#: is not on the form (only-b for setting=a) is not live, so its question is always asked.
ASKED = [
    (
        {"s.t.gate": "yes", "s.t.after-gate": "two", "s.t.cascade": "x"},
        "a",
        {"after-gate", "cascade", "both", "needs-b"},
    ),
    ({"s.t.gate": "yes", "s.t.after-gate": "one"}, "a", {"after-gate", "needs-b"}),
    ({"s.t.gate": "no", "s.t.after-gate": "two", "s.t.cascade": "x"}, "a", {"both", "needs-b"}),
    ({}, "a", {"needs-b"}),
    ({"s.t.only-b": "no"}, "b", set()),
    ({"s.t.only-b": "yes", "s.t.gate": "yes"}, "b", {"after-gate", "needs-b"}),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "setting", "asked"), ASKED)
def test_ask_if_is_evaluated_as_the_form_does(tmp_path, answers, setting, asked):
    reg, c = _conditions(tmp_path)
    doc = saved(c, {"setting": setting}, answers=answers)
    checked = check(read_bytes(json.dumps(doc).encode(), "r.json"), reg)
    r = checked.return_
    assert r is not None
    conditional = {"after-gate", "cascade", "both", "needs-b"}
    got = {a.question.rsplit(".", 1)[1] for a in r.answers if a.asked} & conditional
    assert got == asked


# -- organisation details -------------------------------------------------------------------------


def test_sg550_sg551_sg552_organisation_details():
    doc = saved()
    doc["details"] = {"org.date": "last week", "org.completed_by": "  "}
    checked = run(doc)
    assert found(checked) == [
        ("SG550", "/details/org.name"),
        ("SG551", "/details/org.completed_by"),
        ("SG551", "/details/org.contact"),
        ("SG552", "/details/org.date"),
    ]
    assert [d.is_error for d in checked.diagnostics] == [True, False, False, False]


# -- two returns from one organisation ------------------------------------------------------------


def test_sg553_two_returns_from_the_same_organisation_are_both_named():
    a = saved()
    b = saved()
    b["details"] = dict(DETAILS, **{"org.name": "northshire   ACADEMY.", "org.date": "02/12/2025"})
    other = saved(KCSIE_OLD)  # the same organisation, another version: not a duplicate
    raws = [read_bytes(json.dumps(d).encode(), n) for d, n in ((a, "a.json"), (b, "b.json"))]
    raws.append(read_bytes(json.dumps(other).encode(), "c.json"))
    ca, cb, cc = check_many(raws, REGISTRY)
    assert found(ca) == [("SG553", "/details/org.name")]
    assert found(cb) == [("SG553", "/details/org.name")]
    assert found(cc) == []
    assert (
        "b.json" in ca.diagnostics[0].message and "the other is newer" in ca.diagnostics[0].message
    )
    assert (
        "a.json" in cb.diagnostics[0].message and "this one is newer" in cb.diagnostics[0].message
    )
    assert "2025-12-02 against 2025-11-01" in cb.diagnostics[0].message
    # never merged: each keeps its own answers
    assert ca.return_ is not None and cb.return_ is not None
    assert ca.return_.source == "a.json" and cb.return_.source == "b.json"


# -- personal data --------------------------------------------------------------------------------


def test_sg560_personal_data_is_a_located_warning_masked_and_sg561_with_strict():
    q = first(KCSIE, "text")
    ev = first(KCSIE, "yes-no").full_id
    doc = saved()
    doc["answers"][q.full_id] = "Reviewed; see dsl@northshire.sch.uk or 01632 960 001 for more."
    doc["evidence"][ev] = "Referral for Jayden, aged 7 (NHS 943 476 5870)."
    doc["details"]["org.contact"] = "dsl@northshire.sch.uk, 01632 960001"
    checked = run(doc)
    assert found(checked) == [("SG560", f"/evidence/{ev}"), ("SG560", f"/evidence/{ev}")]
    text = " ".join(d.message for d in checked.diagnostics)
    assert "NHS number 943 *** ****" in text and "J*****" in text
    assert "5870" not in text and "Jayden" not in text
    assert not checked.errors
    strict = run(doc, strict=True)
    assert found(strict) == [("SG561", f"/evidence/{ev}"), ("SG561", f"/evidence/{ev}")]
    assert all(d.is_error for d in strict.diagnostics)


def test_personal_data_in_a_detail_and_the_organisation_address_is_its_own():
    doc = saved()
    doc["details"]["org.address"] = "1 High Street, Northtown NT1 1AA, 01632 960002"
    doc["details"]["signoff.name"] = "Her mother Sarah Smith"
    assert found(run(doc)) == [("SG560", "/details/signoff.name")]


# -- the schema and the HTML form's saved answers -------------------------------------------------


def _gathered(html: str, answers: Mapping[str, Any], evidence: Mapping[str, str]) -> dict[str, Any]:
    """The answers file as form.js's gather() builds it from the page (sg-meta, sg-envelope,
    the controls' names): asked questions only, numbers as numbers, details by name."""
    meta = json.loads(re.search(r'id="sg-meta">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    env = json.loads(re.search(r'id="sg-envelope">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    names = set(re.findall(r'name="([^"]+)"', html))
    out = {"set": meta["set"], "version": meta["version"], "kind": meta["kind"], "envelope": env}
    out["answers"] = {k: v for k, v in answers.items() if k in names}
    out["evidence"] = {k: v for k, v in evidence.items() if f"{k}.evidence" in names}
    out["details"] = {k: v for k, v in DETAILS.items() if k in meta["details"]}
    return out


@pytest.mark.parametrize("kind", ["form", "return-form"])
def test_the_html_forms_saved_answers_conform_to_the_schema_and_check_clean(kind):
    audience = {"setting": "academy"}
    shown = KCSIE.select(audience)
    html = render(shown, kind, "html", RenderOptions(audience=tuple(audience.items()))).decode()
    answers = answers_for(shown)
    doc = _gathered(html, answers, {next(iter(answers)): "Minutes of 3 March"})
    jsonschema.validate(doc, return_schema())
    checked = run(doc)
    assert found(checked) == []
    assert checked.return_ is not None and checked.return_.kind == kind
    jsonschema.validate(checked.return_.to_dict(), return_schema())


def test_the_schema_refuses_what_is_not_a_return():
    schema = return_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = saved()
    jsonschema.validate(good, schema)
    for bad in (
        {"answers": {}},
        dict(good, answers={"not an id": "yes"}),
        dict(good, details={"org.nickname": "x"}),
        dict(good, answers={"a.b.c": {"x": 1}}),
        dict(good, extra=1),
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_check_never_raises_on_odd_values():
    doc = saved()
    for i, (qid, _) in enumerate(list(doc["answers"].items())):
        doc["answers"][qid] = ["x", "y"] if i % 3 == 0 else (1e308 * 10 if i % 3 == 1 else "")
    checked = run(json.loads(json.dumps(doc).replace("Infinity", "1e308")))
    assert checked.return_ is not None and checked.errors


def test_a_checked_return_read_back_from_its_json_is_the_same_return():
    doc = saved(S11)
    q, level = _level(S11, "justification")
    doc["answers"][q.full_id] = level
    doc["evidence"][q.full_id] = "We commission no services."
    first_pass = run(doc)
    assert found(first_pass) == []
    data = first_pass.return_.to_dict()  # type: ignore[union-attr]
    jsonschema.validate(data, return_schema())
    again = check(read_bytes(json.dumps(data).encode(), "r.json"), REGISTRY)
    assert found(again) == []
    assert again.return_ is not None and again.return_.read_from == "json"
    assert again.return_.answers == first_pass.return_.answers  # type: ignore[union-attr]
    assert again.return_.details == first_pass.return_.details  # type: ignore[union-attr]


def test_a_problem_in_a_workbook_or_a_pdf_is_located_by_cell_or_field():
    q = first(KCSIE, "number")
    doc = saved()
    doc["answers"].pop(q.full_id)
    base = read_bytes(json.dumps(doc).encode(), "r.json")
    for where, at in (
        (Where("r.xlsx", sheet="Answers", cell="E12"), "Answers!E12"),
        (Where("r.pdf", page=3, field=q.full_id), f"page 3:field {q.full_id}"),
        (Where("r.docx", tag=q.full_id), f"tag {q.full_id}"),
    ):
        raw = RawReturn(
            source=where.file,
            format=where.file.rsplit(".", 1)[1],
            envelope=base.envelope,
            values=(*base.values, RawValue(FieldRef(q.full_id), "lots", where)),
        )
        checked = check(raw, REGISTRY)
        assert found(checked) == [("SG540", at)]
        assert str(checked.diagnostics[0]).startswith(f"{where.file}:{at}: SG540 ")


def test_every_checking_and_personal_data_code_is_tested_here():
    text = Path(__file__).read_text(encoding="utf-8")
    codes = [c.code for c in Code if "SG530" <= c.code <= "SG564"]
    assert codes and [c for c in codes if f'"{c}"' not in text] == []


_IDS = [q.full_id for q in S11.questions()]


@pytest.mark.slow
def test_check_never_raises_whatever_a_reader_gives():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalar = st.one_of(
        st.none(),
        st.text(max_size=30),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(),
        st.lists(st.text(max_size=8), max_size=4).map(tuple),
        st.sampled_from(["45%", "1,250", "31/02/2026", "2026-03-31", "na", "Yes", "; ;"]),
    )
    field = st.tuples(
        st.sampled_from(_IDS),
        st.sampled_from(["answer", "evidence", "action"]),
        st.sampled_from(["", "yes", "met", "electronic"]),
    )
    env = read_bytes(json.dumps(saved(S11)).encode(), "r.json").envelope
    validator = jsonschema.Draft202012Validator(return_schema())
    cache: dict[Any, Any] = {}

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(field, scalar), max_size=25), st.booleans())
    def run_one(items: list[Any], strict: bool) -> None:
        values = []
        for (qid, part, choice), value in items:
            ref = FieldRef(qid, part, choice if part == "answer" else "")  # type: ignore[arg-type]
            values.append(RawValue(ref, value, Where("r.xlsx", sheet="Answers", cell="E2")))
        raw = RawReturn(source="r.xlsx", format="xlsx", envelope=env, values=tuple(values))
        checked = check(raw, REGISTRY, strict=strict, _cache=cache)
        assert checked.return_ is not None
        validator.validate(checked.return_.to_dict())

    run_one()

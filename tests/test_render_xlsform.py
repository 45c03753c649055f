"""XLSForm workbooks, converted by pyxform itself (the converter ODK Central and KoboToolbox use).

Every form of every bundled set (each kind, each audience value) converts with no error and no
warning; the XForm it becomes has the conditions, requirements, bounds, id and version we
meant; every field name maps back to our field; the form version grows year on year.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import attrs
import pytest
from openpyxl import load_workbook

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.model import Condition
from safeguard_standards.render import RenderError, render
from safeguard_standards.render._collect import action_levels, form_version
from safeguard_standards.render._xlsform import relevant

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collect_cases import COMPLETE, Case, cases

XF = "{http://www.w3.org/2002/xforms}"


def convert(data: bytes, caplog: pytest.LogCaptureFixture) -> str:
    """The XForm pyxform makes of ``data``; fails on any warning it gives (in its warnings
    list or its log)."""
    from pyxform.xls2xform import convert as pyxform_convert

    warnings: list[str] = []
    with caplog.at_level(logging.WARNING):
        result = pyxform_convert(xlsform=io.BytesIO(data), warnings=warnings, file_type=".xlsx")
    assert warnings == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pyxform")] == []
    xform: str = result.xform
    return xform


def sheet(data: bytes, name: str) -> list[dict[str, str]]:
    ws = load_workbook(io.BytesIO(data))[name]
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    return [{h: v for h, v in zip(head, r, strict=False) if v is not None} for r in rows[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(), ids=lambda c: c.ref)
def test_pyxform_converts_every_form_without_a_warning(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    data = render(case.checklist(), case.kind, "xlsform", case.options())
    xform = convert(data, caplog)
    root = ElementTree.fromstring(xform)
    # the main instance (the others, with an id, hold choice lists)
    (instance,) = [i for i in root.iter(f"{XF}instance") if i.get("id") is None]
    form = instance[0]
    assert form.get("version") == str(form_version(case.version))
    assert form.get("id") == "-".join(
        [case.checklist().id, case.kind, *(v for _, v in case.audience)]
    )
    # every field of the form, once, by its safe name
    view = case.view()
    want = [f.name for f in fields.ORGANISATION_FIELDS]
    for q in view.questions():
        want += [q.full_id, q.evidence_field]
        if action_levels(q):
            want.append(fields.action(q.full_id).name)
    want += [f.name for f in fields.SIGN_OFF_FIELDS]
    tags = [e.tag.rpartition("}")[2] for e in form.iter()]
    names = [t for t in tags if t.startswith(fields.XLSX_PREFIX)]
    assert [fields.field_name_of(n) for n in names] == want


def test_the_xform_carries_conditions_requirements_and_bounds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = render(sg.load_path(COMPLETE), "form", "xlsform")
    root = ElementTree.fromstring(convert(data, caplog))
    binds = {b.get("nodeset", "").rsplit("/", 1)[-1]: b for b in root.iter(f"{XF}bind")}

    def bind(name: str) -> dict[str, str]:
        return dict(binds[fields.safe_name(name)].attrib)

    visits = bind("leadership.governance.governor-visits")
    assert re.fullmatch(
        r" ?/data/\S+/SG_leadership__governance__named___governor +=\s*'yes'",
        visits["relevant"],
    )
    assert visits["required"] == "true()"
    assert visits["type"] == "string"  # select_one
    evidence = bind("leadership.governance.governor-visits.evidence")
    assert evidence["relevant"] == visits["relevant"]
    assert "required" not in evidence
    action = bind("leadership.governance.governor-visits.action")
    assert re.fullmatch(
        r"\( ?/data/\S+/SG_leadership__governance__named___governor +=\s*'yes'\) and "
        r"\( ?/data/\S+/SG_leadership__governance__governor___visits +=\s*'not-met'\)",
        action["relevant"],
    )
    trained = bind("leadership.governance.governors-trained")
    assert (trained["type"], trained["constraint"]) == ("decimal", ". >= 0")
    review = bind("leadership.governance.filtering-review")["relevant"]
    assert " = 'own' and (" in review and "!= ''" in review and "not(" in review
    assert binds["sg_set"].get("calculate") == "'example'"


def test_relevant_expressions() -> None:
    a, b = "s.t.a", "s.t.b"
    cond = Condition(
        op="any",
        conditions=(
            Condition(op="in", question=a, values=("x", "y")),
            Condition(op="not_equals", question=b, values=("n",)),
        ),
    )
    assert relevant(cond, frozenset({b})) == (
        "(${SG_s__t__a} = 'x' or ${SG_s__t__a} = 'y') or "
        "(${SG_s__t__b} != '' and not(selected(${SG_s__t__b}, 'n')))"
    )
    assert (
        relevant(Condition(op="equals", question=a, values=("x",)), frozenset({a}))
        == "selected(${SG_s__t__a}, 'x')"
    )


def test_choices_are_the_scale_levels_and_options() -> None:
    c = sg.load_path(COMPLETE)
    data = render(c, "form", "xlsform")
    survey = {r["name"]: r for r in sheet(data, "survey")}
    choices = sheet(data, "choices")
    visits = survey[fields.safe_name("leadership.governance.governor-visits")]
    list_name = visits["type"].removeprefix("select_one ")
    scale = c.scale(c.question("leadership.governance.governor-visits").scale)  # type: ignore[union-attr]
    assert scale is not None
    assert [(r["name"], r["label"]) for r in choices if r["list_name"] == list_name] == [
        (lv.id, lv.label) for lv in scale.levels
    ]
    gov = survey[fields.safe_name("leadership.governance.named-governor")]
    assert gov["type"] == "select_one yes_no"
    assert [r["name"] for r in choices if r["list_name"] == "yes_no"] == ["yes", "no"]
    settings = sheet(data, "settings")[0]
    assert (settings["form_id"], settings["version"]) == ("example-form", "2025260000")


@pytest.mark.parametrize(
    ("version", "number"),
    [
        ("2025-26", 2025260000),
        ("2026-27", 2026270000),
        ("2023-25", 2023250000),
        ("2025-2026", 2025260000),
        ("2025", 2025000000),
        ("2025-26.1", 2025260001),
        ("2025-26-r12", 2025260012),
    ],
)
def test_form_version_numbers(version: str, number: int) -> None:
    assert form_version(version) == number
    assert number < 2**31


def test_form_versions_grow_with_every_bundled_edition() -> None:
    for s in sg.bundled_sets():
        numbers = [form_version(v) for v in s.versions]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), s.id


def test_a_version_with_no_year_is_refused_with_sg445() -> None:
    c = sg.load_path(COMPLETE)
    odd = attrs.evolve(c, version="draft-b")
    for fmt in ("xlsform",):
        with pytest.raises(RenderError) as err:
            render(odd, "form", fmt)
        assert err.value.code == "SG445"
        assert "draft-b" in err.value.message and "2025-26" in err.value.hint


def test_a_label_that_looks_like_a_reference_stays_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = COMPLETE.read_text(encoding="utf-8")
    old = "Is there a named governor"
    assert old in text
    path = tmp_path / "odd.yaml"
    text = text.replace(old, "Is ${x} 'quoted' & <b>a</b> named governor")
    text = text.replace("label: Our own arrangement", "label: 'Our own ${y} arrangement'")
    text = text.replace("title: Example safeguarding", "title: Example ${z} safeguarding")
    path.write_text(text, "utf-8")
    xform = convert(render(sg.load_path(path), "form", "xlsform"), caplog)
    assert "Is $ {x} 'quoted' &amp; &lt;b&gt;a&lt;/b&gt; named governor" in xform
    assert "Our own $ {y} arrangement" in xform
    assert "Example $ {z} safeguarding" in xform


def test_the_same_set_gives_the_same_bytes() -> None:
    import zipfile

    c = sg.load_path(COMPLETE)
    data = render(c, "form", "xlsform")
    assert data == render(c, "form", "xlsform")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms:created" not in z.read("docProps/core.xml")


needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")


def _validate(data: bytes) -> None:
    """Convert with ODK Validate, the JavaRosa check pyxform ships (it runs the form engine of
    ODK Collect on the XForm: expressions, references, types)."""
    from pyxform.xls2xform import convert as pyxform_convert

    warnings: list[str] = []
    pyxform_convert(xlsform=io.BytesIO(data), warnings=warnings, file_type=".xlsx", validate=True)
    assert warnings == []


@pytest.mark.slow
@needs_java
@pytest.mark.parametrize(
    "case", [c for c in cases(audiences=False) if c.kind == "form"], ids=lambda c: c.ref
)
def test_odk_validate_accepts_every_whole_form(case: Case) -> None:
    _validate(render(case.checklist(), case.kind, "xlsform", case.options()))


@pytest.mark.slow
@needs_java
def test_odk_validate_refuses_a_broken_expression() -> None:
    """The check above can fail: a relevant that is not XPath is refused."""
    from pyxform.validators.odk_validate import ODKValidateError

    data = render(sg.load_path(COMPLETE), "form", "xlsform")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["survey"]
    column = [c.value for c in ws[1]].index("relevant") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value)
    ws.cell(row, column).value = "${SG_leadership__governance__named___governor} = = 'yes'"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ODKValidateError, match="Invalid"):
        _validate(out.getvalue())

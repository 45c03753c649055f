"""Numbers do not change with ``--for``: every section, standard and question of a tailored
form has the number it has in the whole set's form (gaps where items were left out), read
back from the HTML and the XLSX a person gets."""

from __future__ import annotations

import io
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render

Selection = tuple[tuple[str, str], ...]


class _Numbers(HTMLParser):
    """Printed number by full id: each question's ``<fieldset data-qid>`` legend, each
    section's and standard's heading (``<h2 id="h-…">``, ``<h3 id="h-…">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._owner = ""  # the item whose number comes next
        self._in_num = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "fieldset" and a.get("data-qid"):
            self._owner = str(a["data-qid"])
        elif tag in ("h2", "h3") and str(a.get("id") or "").startswith("h-"):
            self._owner = str(a["id"])[2:]
        elif tag == "span" and a.get("class") == "num" and self._owner:
            self._in_num = True

    def handle_data(self, data: str) -> None:
        if self._in_num:
            assert self._owner not in self.found, f"{self._owner} is numbered twice"
            self.found[self._owner] = data.strip()
            self._in_num = False
            self._owner = ""


def html_numbers(data: bytes) -> dict[str, str]:
    parser = _Numbers()
    parser.feed(data.decode("utf-8"))
    return parser.found


def xlsx_numbers(data: bytes) -> dict[str, str]:
    """Ref by Id on the Answers sheet."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True)["Answers"]
    return {
        str(full_id): str(ref)
        for ref, full_id in ws.iter_rows(min_row=2, max_col=2, values_only=True)
    }


def _selections(checklist: sg.Checklist) -> Iterator[Selection]:
    """Every single ``--for`` value the set declares."""
    for audience in checklist.audiences:
        for value in audience.value_ids():
            yield ((audience.id, value),)


def _bundled() -> list[tuple[str, str]]:
    """Every version of every bundled set that declares an audience (``--for`` applies)."""
    out = [
        (b.id, v)
        for b in sg.bundled_sets()
        for v in b.versions
        if sg.load_bundled(b.id, v).audiences
    ]
    assert {s for s, _ in out} >= {"kcsie", "section11", "vcs_checklist"}
    return out


def _form(checklist: sg.Checklist, selection: Selection, kind: str, fmt: str) -> bytes:
    chosen = sg.select_audience(checklist, dict(selection)) if selection else checklist
    return render(chosen, kind, fmt, RenderOptions(audience=selection))


def _check(checklist: sg.Checklist, selection: Selection, kind: str) -> int:
    """Assert the tailored form numbers every item as the full form does; return how many
    questions were left out (the gaps)."""
    full_html = html_numbers(_form(checklist, (), kind, "html"))
    html = html_numbers(_form(checklist, selection, kind, "html"))
    assert html, selection
    assert html.items() <= full_html.items(), (
        selection,
        sorted((k, v, full_html.get(k)) for k, v in html.items() if full_html.get(k) != v)[:5],
    )
    full_xlsx = xlsx_numbers(_form(checklist, (), kind, "xlsx"))
    xlsx = xlsx_numbers(_form(checklist, selection, kind, "xlsx"))
    assert xlsx.items() <= full_xlsx.items(), selection
    # the same numbers in both formats, and the questions are exactly the selection's
    chosen = sg.select_audience(checklist, dict(selection))
    assert {k: v for k, v in html.items() if k in xlsx} == xlsx
    if kind == "form":
        assert set(xlsx) == {q.full_id for q in chosen.questions()}
    return len(full_xlsx) - len(xlsx)


def test_governors_total_is_2_1_3_in_the_academy_form_too() -> None:
    kcsie = sg.load_bundled("kcsie", "2025-26")
    academy = (("setting", "academy"),)
    qid = "governance.accountability.governors-total"
    for selection in ((), academy):
        assert html_numbers(_form(kcsie, selection, "form", "html"))[qid] == "2.1.3"
        assert xlsx_numbers(_form(kcsie, selection, "form", "xlsx"))[qid] == "2.1.3"
    # the academy form has a gap where 2.1.2 (for other settings) was left out
    numbers = set(html_numbers(_form(kcsie, academy, "form", "html")).values())
    assert {"2.1.1", "2.1.3"} <= numbers and "2.1.2" not in numbers


def test_a_selection_changed_afterwards_is_numbered_afresh() -> None:
    import attrs

    kcsie = sg.load_bundled("kcsie", "2025-26")
    academy = kcsie.select({"setting": "academy"})
    assert academy.numbering()["governance.accountability.governors-total"] == "2.1.3"
    # a question the kept numbers do not know: the whole checklist is numbered in order
    section = academy.sections[0]
    standard = section.standards[0]
    extra = attrs.evolve(standard.questions[0], id="extra", full_id=f"{standard.full_id}.extra")
    changed = attrs.evolve(
        academy,
        sections=(
            attrs.evolve(
                section,
                standards=(
                    attrs.evolve(standard, questions=(*standard.questions, extra)),
                    *section.standards[1:],
                ),
            ),
            *academy.sections[1:],
        ),
    )
    numbers = changed.numbering()
    assert numbers[extra.full_id] == f"1.1.{len(standard.questions) + 1}"
    assert numbers["governance.accountability.governors-total"] == "2.1.2"


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "version"), _bundled())
def test_numbers_do_not_change_with_for(set_id: str, version: str) -> None:
    checklist = sg.load_bundled(set_id, version)
    selections = list(_selections(checklist))
    assert selections, f"{set_id}@{version} declares no audience"
    gaps = 0
    for selection in selections:
        gaps += _check(checklist, selection, "form")
        if any(q.in_return for q in checklist.select(dict(selection)).questions()):
            _check(checklist, selection, "return-form")
    assert gaps, "no --for leaves anything out: the test shows nothing"

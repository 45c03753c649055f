"""The offline HTML form in a real browser (Playwright driving Debian's chromium).

Fills answers, checks conditional questions appear and disappear, saves the answers (a
download), reloads the page, loads them back, and runs axe-core: zero serious or critical
accessibility problems. Every request other than file: and data: is aborted and recorded, so
the test also proves the page needs no network.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import safeguard_standards as sg
from safeguard_standards.envelope import Envelope, read_html
from safeguard_standards.render import render

CHROMIUM = "/usr/bin/chromium"
COMPLETE = Path(__file__).parent / "cases" / "valid" / "complete.yaml"
GOV = "leadership.governance"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (CI installs chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


class Offline:
    """A page whose every non-file, non-data request is aborted and recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser) -> Iterator[Offline]:
    o = Offline(browser)
    yield o
    assert o.blocked == [], "the page tried to reach the network"
    assert o.errors == [], "the page's script failed"
    o.close()


def _write(tmp_path: Path, spec: str, kind: str = "form") -> str:
    c = sg.load_set(spec)
    path = tmp_path / f"{kind}.html"
    path.write_bytes(render(c, kind, "html"))
    return path.as_uri()


def _visible(page: Any, full_id: str) -> bool:
    return bool(page.locator(f'fieldset[data-qid="{full_id}"]').is_visible())


def _radio(page: Any, full_id: str, value: str) -> Any:
    return page.locator(f'input[name="{full_id}"][value="{value}"]')


def _field(page: Any, name: str) -> Any:
    return page.locator(f'[name="{name}"]')


def _status(page: Any, pattern: str) -> str:
    """Wait until the status line reads `pattern` (a whole-text regular expression), polled from
    outside the page (the page's Content-Security-Policy forbids evaluated code); return it."""
    from playwright.sync_api import expect

    expect(page.locator("#sg-status")).to_have_text(re.compile(f"^{pattern}$"), timeout=5000)
    return str(page.locator("#sg-status").inner_text())


def _kept(page: Any, pattern: str) -> str:
    """Wait until the toolbar's saved state reads `pattern`; return it."""
    from playwright.sync_api import expect

    expect(page.locator("#sg-kept")).to_have_text(re.compile(f"^{pattern}$"), timeout=5000)
    return str(page.locator("#sg-kept").inner_text())


def test_fill_save_reload_and_load_answers(offline, tmp_path):
    page = offline.page
    page.goto(_write(tmp_path, str(COMPLETE)))
    # conditional questions are hidden until their condition holds
    assert not _visible(page, f"{GOV}.governor-visits")
    assert not _visible(page, f"{GOV}.filtering-review")
    assert page.locator('[data-progress="leadership"] .count').inner_text() == "0 of 4 answered"

    page.get_by_label("Yes", exact=True).check()
    assert _visible(page, f"{GOV}.governor-visits")
    page.get_by_label("Our own arrangement").check()
    assert _visible(page, f"{GOV}.filtering-review")
    _radio(page, f"{GOV}.governor-visits", "partly").check()
    _field(page, f"{GOV}.governors-trained").fill("7")
    _field(page, f"{GOV}.policy-approved").fill("2025-06-30")
    _field(page, f"{GOV}.filtering-review").fill("Reviewed by the DSL in May.")
    _field(page, f"{GOV}.named-governor.evidence").fill("Minutes of 3 March")
    _field(page, "org.name").fill("Northshire Primary")
    assert page.locator('[data-progress="leadership"] .count').inner_text() == "6 of 6 answered"
    assert page.locator("#sg-overall").inner_text() == "6 of 6 questions answered"

    with page.expect_download() as info:
        page.locator("#sg-save").click()
    download = info.value
    assert download.suggested_filename == "example-2025-26-answers.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["set"] == "example"
    assert data["version"] == "2025-26"
    assert data["answers"] == {
        f"{GOV}.named-governor": "yes",
        f"{GOV}.governor-visits": "partly",
        f"{GOV}.governors-trained": 7,
        f"{GOV}.policy-approved": "2025-06-30",
        f"{GOV}.filtering": "own",
        f"{GOV}.filtering-review": "Reviewed by the DSL in May.",
    }
    assert data["evidence"] == {f"{GOV}.named-governor": "Minutes of 3 March"}
    assert data["details"] == {"org.name": "Northshire Primary"}
    # the answers carry the form's envelope, as the page holds it
    assert Envelope.from_dict(data["envelope"]) == read_html((tmp_path / "form.html").read_bytes())
    assert data["envelope"]["set"] == "example" and data["envelope"]["kind"] == "form"

    # the answers are kept in this browser: reloading brings them back; Clear empties the form
    _kept(page, r"Saved in this browser at \d\d:\d\d")
    page.reload()
    assert _radio(page, f"{GOV}.named-governor", "yes").is_checked()
    assert _field(page, f"{GOV}.governors-trained").input_value() == "7"
    assert _field(page, "org.name").input_value() == "Northshire Primary"
    assert _field(page, f"{GOV}.named-governor.evidence").input_value() == "Minutes of 3 March"
    assert _visible(page, f"{GOV}.filtering-review")
    _status(page, r"Restored 6 answers saved in this browser at \d\d:\d\d\.")
    _kept(page, r"Saved in this browser at \d\d:\d\d")
    page.once("dialog", lambda d: d.dismiss())  # Clear asks first: No keeps everything
    page.locator("#sg-clear").click()
    assert _radio(page, f"{GOV}.named-governor", "yes").is_checked()
    page.once("dialog", lambda d: d.accept())
    page.locator("#sg-clear").click()
    _status(page, "Cleared: the form is empty and nothing is kept in this browser.")
    assert page.locator("#sg-kept").inner_text() == ""
    assert page.locator("#sg-overall").inner_text() == "0 of 4 questions answered"
    assert not _radio(page, f"{GOV}.named-governor", "yes").is_checked()
    assert _field(page, f"{GOV}.governors-trained").input_value() == ""
    page.reload()
    assert not _radio(page, f"{GOV}.named-governor", "yes").is_checked()
    page.set_input_files("#sg-load", str(saved))
    _status(page, r"Loaded .*")
    assert page.locator("#sg-status").inner_text() == "Loaded 6 answers."
    assert _radio(page, f"{GOV}.named-governor", "yes").is_checked()
    assert _radio(page, f"{GOV}.governor-visits", "partly").is_checked()
    assert _radio(page, f"{GOV}.filtering", "own").is_checked()
    assert _field(page, f"{GOV}.governors-trained").input_value() == "7"
    assert _field(page, f"{GOV}.policy-approved").input_value() == "2025-06-30"
    assert _field(page, f"{GOV}.filtering-review").input_value() == "Reviewed by the DSL in May."
    assert _field(page, f"{GOV}.named-governor.evidence").input_value() == "Minutes of 3 March"
    assert _field(page, "org.name").input_value() == "Northshire Primary"
    assert _visible(page, f"{GOV}.filtering-review")

    # answering No hides both dependent questions, and their answers are not saved
    _radio(page, f"{GOV}.named-governor", "no").check()
    assert not _visible(page, f"{GOV}.governor-visits")
    assert not _visible(page, f"{GOV}.filtering-review")
    answers = page.evaluate("window.safeguardForm.collect().answers")
    assert f"{GOV}.governor-visits" not in answers
    assert f"{GOV}.filtering-review" not in answers
    assert answers[f"{GOV}.named-governor"] == "no"


def test_answers_for_another_set_are_not_loaded(offline, tmp_path):
    page = offline.page
    page.goto(_write(tmp_path, str(COMPLETE)))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"set": "kcsie", "version": "2025-26", "answers": {}}))
    page.set_input_files("#sg-load", str(other))
    assert _status(page, "That file .*") == (
        "That file holds answers for kcsie, not example; nothing was loaded."
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    page.set_input_files("#sg-load", str(broken))
    _status(page, "That file could not be read as JSON: .+")


def test_multi_choice_answers_round_trip(offline, tmp_path):
    c = sg.load_bundled("kcsie")
    multi = next(q for q in c.questions() if q.type == "multi-choice")
    picked = [o.id for o in multi.options[:2]]
    page = offline.page
    page.goto(_write(tmp_path, "kcsie"))
    for value in picked:
        _radio(page, multi.full_id, value).check()
    data = page.evaluate("window.safeguardForm.collect()")
    assert data["answers"][multi.full_id] == picked
    page.reload()
    page.evaluate("(d) => window.safeguardForm.fill(d)", data)
    for o in multi.options:
        assert _radio(page, multi.full_id, o.id).is_checked() == (o.id in picked)


def test_print_hides_the_toolbar_and_shows_every_question(offline, tmp_path):
    page = offline.page
    page.goto(_write(tmp_path, str(COMPLETE)))
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert _visible(page, f"{GOV}.governor-visits")  # conditional questions print too


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        (str(COMPLETE), "form"),
        ("kcsie", "form"),
        ("section11", "return-form"),
        ("vcs_checklist", "guidance"),
        ("kcsie", "action-plan"),
    ],
)
def test_no_serious_accessibility_problems(offline, tmp_path, spec, kind):
    from axe_playwright_python.sync_playwright import Axe

    page = offline.page
    page.goto(_write(tmp_path, spec, kind))
    assert _serious(Axe().run(page)) == []
    if kind == "form":  # again with the conditional questions shown
        page.evaluate(
            "document.querySelectorAll('fieldset.question').forEach(f => f.hidden = false)"
        )
        assert _serious(Axe().run(page)) == []


def _generated(tmp_path: Path, text: str) -> str:
    path = tmp_path / "form.html"
    path.write_bytes(render(sg.load_text(text, "generated.yaml"), "form", "html"))
    return path.as_uri()


def _hostile() -> Any:
    import importlib.util

    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile.py"
    spec = importlib.util.spec_from_file_location("hostile", bench)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_long_condition_chain_shows_hides_and_counts_all_the_way_down(offline, tmp_path):
    """q1 is asked if q0 is Yes, q2 if q1 is Yes, … 15 deep: a change at the top reaches the
    bottom, hidden answers count for nothing, and showing them again brings them back."""
    page = offline.page
    page.goto(_generated(tmp_path, _hostile().plain_form(15, chain=True)))
    visible = lambda: [i for i in range(15) if _visible(page, f"s1.st1.q{i}")]  # noqa: E731
    assert visible() == [0]
    assert page.locator("#sg-overall").inner_text() == "0 of 1 question answered"
    for i in range(14):
        _radio(page, f"s1.st1.q{i}", "yes").check()
    assert visible() == list(range(15))
    assert page.locator('[data-progress="s1"] .count').inner_text() == "14 of 15 answered"
    _radio(page, "s1.st1.q0", "no").check()
    assert visible() == [0]
    assert page.locator("#sg-overall").inner_text() == "1 of 1 question answered"
    assert page.evaluate("Object.keys(window.safeguardForm.collect().answers)") == ["s1.st1.q0"]
    _radio(page, "s1.st1.q0", "yes").check()
    assert visible() == list(range(15))
    assert page.locator("#sg-overall").inner_text() == "14 of 15 questions answered"
    _radio(page, "s1.st1.q7", "no").check()  # from the middle: only what is below it goes
    assert visible() == list(range(8))
    assert page.locator("#sg-overall").inner_text() == "8 of 8 questions answered"


@pytest.mark.slow
def test_answering_in_a_4000_question_form_stays_quick(offline, tmp_path):
    # each answer scanned every control: 54 s an answer at 4,000 questions (speed itself is
    # measured in benchmarks/run.py; this only catches a return to that)
    page = offline.page
    page.set_default_timeout(30_000)
    page.goto(_generated(tmp_path, _hostile().plain_form(4000)))
    for i in range(0, 40, 2):
        _radio(page, f"s1.st1.q{i}", "yes").check()
    assert page.locator('[data-progress="s1"] .count').inner_text() == "20 of 70 answered"
    assert page.locator("#sg-overall").inner_text() == "20 of 2020 questions answered"
    assert _visible(page, "s1.st1.q39")
    assert not _visible(page, "s1.st1.q41")


def _load(page: Any, tmp_path: Path, data: dict[str, Any], name: str = "answers.json") -> None:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    page.set_input_files("#sg-load", str(path))


@pytest.mark.slow
def test_a_load_says_what_was_applied_and_what_was_skipped_and_why(offline, tmp_path):
    page = offline.page
    page.goto(_write(tmp_path, str(COMPLETE)))
    answers = {
        f"{GOV}.named-governor": "no",
        f"{GOV}.governors-trained": 7,
        f"{GOV}.no-such-question": "yes",
        f"{GOV}.filtering": "maybe",
        f"{GOV}.governor-visits": "partly",  # asked only if named-governor is yes
    }
    _load(page, tmp_path, {"set": "example", "version": "2025-26", "answers": answers})
    assert _status(page, "Loaded .*") == (
        "Loaded 2 of 5 answers. Skipped 1 answer for a question not on this form"
        f" ({GOV}.no-such-question); 1 answer not among the question's choices"
        f" ({GOV}.filtering); 1 answer to a question not asked, as its condition does not hold"
        f" ({GOV}.governor-visits)."
    )
    assert _radio(page, f"{GOV}.named-governor", "no").is_checked()
    assert _field(page, f"{GOV}.governors-trained").input_value() == "7"
    assert not any(_radio(page, f"{GOV}.filtering", v).is_checked() for v in ("provider", "own"))
    assert not _visible(page, f"{GOV}.governor-visits")
    assert page.locator("#sg-overall").inner_text() == "2 of 4 questions answered"
    assert page.evaluate("Object.keys(window.safeguardForm.collect().answers).length") == 2

    # one answer is "1 answer", and a clean load names no skipped answers
    _load(
        page,
        tmp_path,
        {"set": "example", "version": "2025-26", "answers": {f"{GOV}.named-governor": "yes"}},
        "one.json",
    )
    assert _status(page, "Loaded 1 answer.*") == "Loaded 1 answer."
    assert not _radio(page, f"{GOV}.named-governor", "no").is_checked()
    assert _field(page, f"{GOV}.governors-trained").input_value() == ""


@pytest.mark.slow
def test_answers_from_another_version_are_refused_unless_asked_for(offline, tmp_path):
    page = offline.page
    page.goto(_write(tmp_path, str(COMPLETE)))
    data = {
        "set": "example",
        "version": "2024-25",
        "envelope": {"set": "example", "set_version": "2024-25", "kind": "form"},
        "answers": {f"{GOV}.named-governor": "yes", f"{GOV}.retired-question": "yes"},
    }
    prompts: list[str] = []

    def dismiss(d: Any) -> None:
        prompts.append(d.message)
        d.dismiss()

    page.once("dialog", dismiss)
    _load(page, tmp_path, data)
    assert _status(page, "That file .*") == (
        "That file holds answers for version 2024-25 of example; this form is version 2025-26,"
        " so nothing was loaded. Open the form of version 2024-25 to load it."
    )
    assert prompts == [
        "That file holds answers for version 2024-25 of example; this form is version 2025-26."
        " Load the answers whose questions are on this form anyway?"
    ]
    assert not _radio(page, f"{GOV}.named-governor", "yes").is_checked()

    # asked for: the answers whose questions are on this form go in, with the warning
    page.once("dialog", lambda d: d.accept())
    _load(page, tmp_path, data, "again.json")
    assert _status(page, "Loaded .*") == (
        "Loaded 1 of 2 answers. Skipped 1 answer for a question not on this form"
        f" ({GOV}.retired-question). They were saved from version 2024-25; this form is"
        " 2025-26: check them."
    )
    assert _radio(page, f"{GOV}.named-governor", "yes").is_checked()


@pytest.mark.slow
def test_two_forms_never_share_a_browser_slot(offline, tmp_path):
    page = offline.page
    form = _write(tmp_path, str(COMPLETE))
    (tmp_path / "ret").mkdir()
    ret = _write(tmp_path / "ret", str(COMPLETE), "return-form")
    page.goto(form)
    _field(page, "org.name").fill("Northshire Primary")
    _kept(page, r"Saved in this browser at \d\d:\d\d")
    page.goto(ret)  # the same file: origin, another kind of form
    assert _field(page, "org.name").input_value() == ""
    assert page.locator("#sg-status").inner_text() == ""
    page.goto(form)
    assert _field(page, "org.name").input_value() == "Northshire Primary"


@pytest.mark.slow
@pytest.mark.parametrize("error", ["SecurityError", "QuotaExceededError"])
def test_a_browser_without_storage_says_so_and_the_form_still_works(offline, tmp_path, error):
    page = offline.page
    if error == "SecurityError":  # a locked-down browser: reaching localStorage throws
        script = (
            "Object.defineProperty(window, 'localStorage', {get() {"
            " throw new DOMException('denied', 'SecurityError'); }});"
        )
    else:  # private mode with no quota: every write throws
        script = (
            "Storage.prototype.setItem = function () {"
            " throw new DOMException('full', 'QuotaExceededError'); };"
        )
    offline.context.add_init_script(script)
    page.goto(_write(tmp_path, str(COMPLETE)))
    message = (
        "This browser does not let the page keep your answers: use Save answers to keep them"
        " in a file."
    )
    assert page.locator("#sg-status").inner_text() == message
    assert page.locator("#sg-kept").inner_text() == "Not saved in this browser"
    page.get_by_label("Yes", exact=True).check()
    assert _visible(page, f"{GOV}.governor-visits")
    assert page.locator('[data-progress="leadership"] .count').inner_text() == "1 of 5 answered"
    page.wait_for_timeout(600)  # past the autosave's delay: nothing breaks, the message stays
    assert page.locator("#sg-status").inner_text() == message
    with page.expect_download() as info:
        page.locator("#sg-save").click()
    assert info.value.suggested_filename == "example-2025-26-answers.json"
    assert page.locator("#sg-status").inner_text() == (
        "Saved 1 answer to example-2025-26-answers.json."
    )


# -- filling every bundled set through the page ---------------------------------------------------


def _one_audience(checklist: sg.Checklist) -> tuple[tuple[str, str], ...]:
    """The first single ``--for`` that leaves something out (else the first one, else none):
    the envelope must record it."""
    full = sum(1 for _ in checklist.questions())
    first: tuple[tuple[str, str], ...] = ()
    for audience in checklist.audiences:
        for value in audience.value_ids():
            selection = ((audience.id, value),)
            first = first or selection
            if sum(1 for _ in checklist.select(dict(selection)).questions()) < full:
                return selection
    return first


def _type(page: Any, q: Any, value: Any) -> None:
    """Give ``value`` as a person would: click the radio button or each checkbox, or type."""
    if q.type in ("rating", "yes-no", "choice"):
        _radio(page, q.full_id, value).check()
    elif q.type == "multi-choice":
        for option in value:
            _radio(page, q.full_id, option).check()
    elif q.type in ("number", "percentage"):
        _field(page, q.full_id).fill(str(value))
    else:  # date (ISO, as a date input takes it), text
        _field(page, q.full_id).fill(value)


def _bundled_versions() -> list[tuple[str, str]]:
    return [(b.id, v) for b in sg.bundled_sets() for v in b.versions]


@pytest.mark.slow
@pytest.mark.parametrize(("set_id", "version"), _bundled_versions())
def test_a_random_filling_typed_into_the_page_is_saved_as_typed(offline, tmp_path, set_id, version):
    """Every bundled set's form, tailored with a ``--for``, filled through the page from a
    seeded random filling (the questions shown at the time: a question whose condition does
    not hold is hidden and left alone), then saved with the Save button: the saved JSON holds
    exactly what was typed, and the envelope records the audience."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from returns_fill import random_filling

    from safeguard_standards.fields import ORGANISATION_FIELDS, SIGN_OFF_FIELDS
    from safeguard_standards.render import RenderOptions

    checklist = sg.load_bundled(set_id, version)
    selection = _one_audience(checklist)
    chosen = checklist.select(dict(selection)) if selection else checklist
    path = tmp_path / "form.html"
    path.write_bytes(render(chosen, "form", "html", RenderOptions(audience=selection)))
    filling = random_filling(checklist, 12, audience=dict(selection) or None)
    can_need_action = any(
        "action" in lv.requires
        for q in chosen.questions()
        if q.type == "rating"
        for lv in chosen.scale(q.scale).levels
    )
    # a filling gives actions wherever a form has action boxes (an agreement scale needs none)
    assert bool(filling["actions"]) == can_need_action, "the test would show nothing"
    page = offline.page
    page.goto(path.as_uri())

    typed: dict[str, dict[str, Any]] = {"answers": {}, "evidence": {}, "actions": {}}
    effective: dict[str, Any] = {}  # what a condition sees (Python's Condition.holds)
    hidden = 0
    for q in chosen.questions():
        asked = q.ask_if is None or q.ask_if.holds(effective)
        assert _visible(page, q.full_id) == asked, q.full_id
        if not asked:
            hidden += 1
            continue
        if q.full_id in filling["answers"]:
            value = filling["answers"][q.full_id]
            _type(page, q, value)
            typed["answers"][q.full_id] = value
            effective[q.full_id] = value
        for part in ("evidence", "actions"):
            if q.full_id in filling[part]:
                box = f"{q.full_id}.{'action' if part == 'actions' else 'evidence'}"
                _field(page, box).fill(filling[part][q.full_id])
                typed[part][q.full_id] = filling[part][q.full_id]
    # the details are one-line inputs, which hold no line breaks (the browser drops them)
    details = {k: v.replace("\n", " ") for k, v in filling["details"].items()}
    for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS):
        _field(page, f.name).fill(details[f.name])
    assert bool(typed["actions"]) == can_need_action, "no action was typed: the test shows nothing"

    with page.expect_download() as info:
        page.locator("#sg-save").click()
    saved = tmp_path / "saved.json"
    info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["answers"] == typed["answers"]
    assert data["evidence"] == typed["evidence"]
    assert data["actions"] == typed["actions"]
    assert data["details"] == details
    assert (data["set"], data["version"], data["kind"]) == (set_id, version, "form")
    assert Envelope.from_dict(data["envelope"]) == read_html(path.read_bytes())
    assert data["envelope"]["audience"] == dict(selection)
    assert page.locator("#sg-status").inner_text() == (
        f"Saved {len(typed['answers'])} answer{'' if len(typed['answers']) == 1 else 's'} "
        f"to {set_id}-{version}-answers.json."
    )

    # the action boxes come back as the evidence boxes do: kept in this browser, and loaded
    def boxes() -> dict[str, dict[str, str]]:
        return {
            part: {
                qid: _field(
                    page, f"{qid}.{'action' if part == 'actions' else 'evidence'}"
                ).input_value()
                for qid in typed[part]
            }
            for part in ("evidence", "actions")
        }

    want = {part: typed[part] for part in ("evidence", "actions")}
    _kept(page, r"Saved in this browser at \d\d:\d\d")
    page.reload()
    _status(page, r"Restored .*")
    assert boxes() == want
    page.once("dialog", lambda d: d.accept())
    page.locator("#sg-clear").click()
    assert all(not v for part in boxes().values() for v in part.values())
    page.set_input_files("#sg-load", str(saved))
    _status(page, r"Loaded .*")
    assert page.locator("#sg-status").inner_text() == f"Loaded {len(typed['answers'])} answers."
    assert boxes() == want
    assert json.loads(json.dumps(page.evaluate("window.safeguardForm.collect()"))) == data

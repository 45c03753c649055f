"""The HTML form in Chromium and the returns checker agree: the answers file Save answers
writes conforms to the return schema and checks clean, and the questions the page asks are the
questions the checker says were asked (ask_if evaluated the same way)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.returns.check import check
from safeguard_standards.returns.model import return_schema
from safeguard_standards.returns.read import read_bytes, read_path

from .test_returns_check import ASKED, CONDITIONS, DETAILS, answers_for, valid

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (CI installs chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    p.route("**/*", route)
    yield p
    context.close()
    assert blocked == []


def _form(tmp_path: Path, c: sg.Checklist, audience: dict[str, str]) -> str:
    shown = c.select(audience)
    path = tmp_path / "form.html"
    path.write_bytes(render(shown, "form", "html", RenderOptions(audience=tuple(audience.items()))))
    return path.as_uri()


def test_save_answers_writes_a_return_that_conforms_and_checks_clean(page, tmp_path):
    c = sg.load_bundled("kcsie", "2025-26")
    audience = {"setting": "academy"}
    answers = answers_for(c.select(audience))
    page.goto(_form(tmp_path, c, audience))
    first = next(iter(answers))
    page.evaluate(
        "(d) => window.safeguardForm.fill(d)",
        {
            "set": c.id,
            "version": c.version,
            "answers": answers,
            "evidence": {first: "Minutes of 3 March"},
            "details": DETAILS,
        },
    )
    with page.expect_download() as info:
        page.locator("#sg-save").click()
    saved = tmp_path / "answers.json"
    info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    jsonschema.validate(data, return_schema())
    checked = check(read_path(saved), sg.Registry())
    assert [str(d) for d in checked.diagnostics] == []
    r = checked.return_
    assert r is not None and r.audience == (("setting", "academy"),)
    assert {a.question: a.value for a in r.answers if a.answered} == {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in answers.items()
        if c.question(k).type != "date"  # type: ignore[union-attr]
    } | {a.question: a.value for a in r.answers if a.type == "date"}
    assert r.answer(first).evidence == "Minutes of 3 March"  # type: ignore[union-attr]
    jsonschema.validate(r.to_dict(), return_schema())


@pytest.mark.parametrize(("answers", "setting", "asked"), ASKED)
def test_the_page_and_the_checker_ask_the_same_questions(page, tmp_path, answers, setting, asked):
    path = tmp_path / "conds.yaml"
    path.write_text(CONDITIONS)
    reg = sg.Registry().with_set(path)
    c = reg.get("conds", "1").unwrap()
    shown = c.select({"setting": setting})
    # every conditional question answered (the page keeps only those it asks), then the case
    every = {q.full_id: valid(shown, q) for q in shown.questions() if q.ask_if is not None}
    every.update(answers)
    page.goto(_form(tmp_path, c, {"setting": setting}))
    filled = {"set": c.id, "version": c.version, "answers": every, "details": DETAILS}
    page.evaluate("(d) => window.safeguardForm.fill(d)", filled)
    data = page.evaluate("window.safeguardForm.collect()")
    jsonschema.validate(data, return_schema())
    in_page = set(data["answers"])
    # the checker, given every answer (asked or not), says which were asked
    doc = dict(data, answers=every)
    r = check(read_bytes(json.dumps(doc).encode(), "r.json"), reg).return_
    assert r is not None
    assert {a.question for a in r.answers if a.asked and a.answered} == in_page
    conditional = {"after-gate", "cascade", "both", "needs-b"}
    assert {q.rsplit(".", 1)[1] for q in in_page} & conditional == asked

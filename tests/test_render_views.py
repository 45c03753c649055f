"""Kinds build views, formats write views: a new kind or a new format is one registration.

The toy kind and the toy format below are registered here only, for the length of one test:
no format module knows about them, which is the point.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import pytest

from safeguard_standards import Checklist, load_bundled, load_text
from safeguard_standards import render as r
from safeguard_standards.render import (
    RenderError,
    RenderOptions,
    available,
    build_view,
    render,
    render_changes,
    view_builder,
    write,
    writer,
)
from safeguard_standards.render._changes_view import ChangesView
from safeguard_standards.render._view import DocumentView

TESTS = Path(__file__).resolve().parent
COMPLETE = load_text((TESTS / "cases" / "valid" / "complete.yaml").read_text("utf-8"), "c.yaml")


@pytest.fixture
def registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made in a test are forgotten after it (the built-in ones are made first:
    a module registers when first imported, and is imported once)."""
    available()
    for name in ("_BUILDERS", "_WRITERS", "_RENDERERS"):
        monkeypatch.setattr(r, name, dict(getattr(r, name)))


# -- a new kind: its own view, its own writer, no format module touched ------------------------


@attrs.frozen
class Census:
    """A toy view: how many questions of each answer type a set asks."""

    kind: str
    title: str
    counts: tuple[tuple[str, int], ...]


def _census(checklist: Checklist, options: RenderOptions) -> Census:
    counts: dict[str, int] = {}
    for q in checklist.questions():
        counts[q.type] = counts.get(q.type, 0) + 1
    return Census("census", checklist.title, tuple(sorted(counts.items())))


def _census_md(view: Census, options: RenderOptions) -> bytes:
    lines = [f"# {view.title}", ""] + [f"- {t}: {n}" for t, n in view.counts]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_new_kind_is_a_view_builder_and_a_writer(registries: None) -> None:
    view_builder("census", Census)(_census)
    writer(Census, "md")(_census_md)

    out = render(COMPLETE, "census", "md").decode("utf-8")
    total = sum(1 for _ in COMPLETE.questions())
    lines = out.splitlines()
    assert lines[0] == f"# {COMPLETE.title}"
    assert sum(int(line.rsplit(": ", 1)[1]) for line in lines[2:]) == total
    assert f"- yes-no: {sum(q.type == 'yes-no' for q in COMPLETE.questions())}" in lines
    assert ("census", "md") in available()
    assert [f for k, f in available() if k == "census"] == ["md"]
    # the built-in kinds and formats are unchanged by it
    assert ("census", "html") not in available()
    with pytest.raises(RenderError) as err:
        render(COMPLETE, "census", "html")
    assert err.value.code == "SG401"
    assert err.value.message == "census cannot be rendered as html"
    assert err.value.hint == "census is available as: md"


# -- a new format: a writer of DocumentView, given the numbers and words already made --------


def _numbered(view: DocumentView, options: RenderOptions) -> bytes:
    """A toy format: one line per question, "number<TAB>id<TAB>condition"."""
    lines = [f"{q.number}\t{q.full_id}\t{q.condition}" for q in view.questions()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv_rows(kind: str) -> list[tuple[str, str, str]]:
    rows = list(csv.reader(io.StringIO(render(COMPLETE, kind, "csv").decode("utf-8-sig"))))
    head = rows[0]
    ref, qid, cond = head.index("Ref"), head.index("Id"), head.index("Answer if")
    # the question rows (the rows after them, details and the envelope, have no Ref)
    return [(row[ref], row[qid], row[cond]) for row in rows[1:] if row[ref]]


def test_a_new_format_is_a_document_view_writer(registries: None) -> None:
    writer(DocumentView, "toy", kinds=("form", "return-form"))(_numbered)

    for kind in ("form", "return-form"):
        got = [
            tuple(line.split("\t"))
            for line in render(COMPLETE, kind, "toy").decode("utf-8").splitlines()
        ]
        # the same numbers and the same condition wording as the built-in CSV prints
        assert got == _csv_rows(kind), kind
        if kind == "form":
            assert any(condition for _, _, condition in got), "no conditional question here"
    form = [line.split("\t")[0] for line in render(COMPLETE, "form", "toy").decode().splitlines()]
    ret = [
        line.split("\t")[0] for line in render(COMPLETE, "return-form", "toy").decode().splitlines()
    ]
    # a return form keeps the audit tool's numbers (it is not renumbered from 1.1.1)
    assert set(ret) < set(form)
    assert ("form", "toy") in available() and ("guidance", "toy") not in available()
    with pytest.raises(RenderError) as err:
        render(COMPLETE, "guidance", "toy")
    assert (err.value.code, err.value.message) == ("SG401", "guidance cannot be rendered as toy")


def test_an_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(RenderError) as err:
        render(COMPLETE, "form", "toy")
    assert (err.value.code, err.value.message) == ("SG401", "unknown format 'toy'")
    assert err.value.hint == "formats: " + ", ".join(r.FORMATS)


# -- render is build_view then write --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "md", "json", "csv", "docx", "xlsx"])
def test_render_is_the_kind_view_written_in_the_format(fmt: str) -> None:
    options = RenderOptions(generated_on="2025-09-01")
    kinds = [k for k, f in available() if f == fmt and k != "changes"]
    assert kinds
    for kind in kinds:
        view = build_view(kind, COMPLETE, options)
        assert isinstance(view, DocumentView) and view.kind == kind
        assert write(view, fmt, options) == render(COMPLETE, kind, fmt, options), kind


def test_build_view_refuses_an_unknown_kind() -> None:
    with pytest.raises(RenderError) as err:
        build_view("census", COMPLETE)
    assert (err.value.code, err.value.message) == ("SG401", "unknown kind 'census'")


def test_a_view_builder_refuses_an_empty_return_form() -> None:
    none_in_return = load_text(
        (TESTS / "cases" / "valid" / "complete.yaml")
        .read_text("utf-8")
        .replace("in_return: true", "in_return: false"),
        "none.yaml",
    )
    with pytest.raises(RenderError) as err:
        build_view("return-form", none_in_return)
    assert err.value.code == "SG405"


# -- changes from two checklists, without RenderOptions.previous ----------------------------------

OLD = load_bundled("kcsie", "2024-25")
NEW = load_bundled("kcsie", "2025-26")


@pytest.mark.parametrize("fmt", ["md", "html", "json", "docx"])
def test_render_changes_takes_the_two_checklists(fmt: str) -> None:
    got = render_changes(OLD, NEW, fmt)
    assert got == render(NEW, "changes", fmt, RenderOptions(previous=OLD))
    view = build_view("changes", (OLD, NEW))
    assert isinstance(view, ChangesView)
    assert (view.version, view.previous) == ("2025-26", "2024-25")
    assert write(view, fmt) == got


def test_render_changes_json_compares_the_versions_given() -> None:
    data = json.loads(render_changes(OLD, NEW, "json"))
    back = json.loads(render_changes(NEW, OLD, "json"))
    assert data != back
    text = json.dumps(data)
    assert "2024-25" in text and "2025-26" in text


def test_render_changes_refuses_a_format_changes_are_not_written_in() -> None:
    with pytest.raises(RenderError) as err:
        render_changes(OLD, NEW, "csv")
    assert (err.value.code, err.value.message) == ("SG401", "changes cannot be rendered as csv")
    assert err.value.hint == "changes is available as: html, pdf, docx, md, json"


def test_render_changes_checks_its_options() -> None:
    with pytest.raises(RenderError) as err:
        render_changes(OLD, NEW, "md", {"colour": "red"})
    assert (err.value.code, err.value.message) == ("SG215", "unknown render option 'colour'")


# -- the logo is read by the writers, once ------------------------------------------------------


def test_building_a_view_reads_no_logo_and_a_csv_never_does(tmp_path: Path) -> None:
    assert COMPLETE.publisher is not None
    pub = attrs.evolve(COMPLETE.publisher, logo="missing.png")
    c = attrs.evolve(COMPLETE, publisher=pub)
    options = RenderOptions(base_dir=str(tmp_path))
    view = build_view("form", c, options)  # building the view reads no file
    assert write(view, "csv", options) == render(COMPLETE, "form", "csv", options)
    for fmt in ("html", "md", "docx", "xlsx", "json"):  # each has a title page
        with pytest.raises(RenderError) as err:
            write(view, fmt, options)
        assert err.value.code == "SG402", fmt
        assert err.value.message == "the logo 'missing.png' cannot be read: no such file", fmt


# -- the old registration still works ------------------------------------------------------------


def test_a_renderer_registered_the_old_way_still_renders(registries: None) -> None:
    calls: list[str] = []

    @r.renderer("guidance", "csv")
    def _guidance_csv(checklist: Checklist, options: RenderOptions) -> bytes:
        calls.append(checklist.id)
        return b"id\r\n" + checklist.id.encode() + b"\r\n"

    assert render(COMPLETE, "guidance", "csv") == b"id\r\n" + COMPLETE.id.encode() + b"\r\n"
    assert calls == [COMPLETE.id]
    assert ("guidance", "csv") in available()

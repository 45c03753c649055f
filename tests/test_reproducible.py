"""Same inputs, same bytes: no time of writing in any output unless a date is asked for."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

import safeguard_standards as sg
from safeguard_standards.render import RenderOptions, render, render_diff
from safeguard_standards.render._package import ZIP_EPOCH

PACKAGES = [
    (kind, fmt)
    for fmt in ("docx", "xlsx")
    for kind in ("form", "return-form", "guidance", "action-plan", "changes")
    if not (fmt == "xlsx" and kind in ("guidance", "changes"))
]


def _options(kind: str, **extra: str) -> RenderOptions:
    previous = sg.load_bundled("kcsie", "2024-25") if kind == "changes" else None
    return RenderOptions(previous=previous, **extra)


@pytest.mark.parametrize(("kind", "fmt"), PACKAGES)
def test_office_packages_carry_no_time_of_writing(kind: str, fmt: str) -> None:
    kcsie = sg.load_bundled("kcsie")
    data = render(kcsie, kind, fmt, _options(kind))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {ZIP_EPOCH}
        core = z.read("docProps/core.xml")
    assert b"dcterms:created" not in core and b"dcterms:modified" not in core
    assert render(kcsie, kind, fmt, _options(kind)) == data
    # and the package still opens as a person's software would
    if fmt == "docx":
        assert Document(io.BytesIO(data)).core_properties.created is None
    else:
        assert load_workbook(io.BytesIO(data)).sheetnames


def test_a_date_asked_for_is_the_documents_date() -> None:
    kcsie = sg.load_bundled("kcsie")
    for fmt in ("docx", "xlsx"):
        data = render(kcsie, "form", fmt, RenderOptions(generated_on="2025-09-01"))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
        assert core.count("2025-09-01T00:00:00Z") == 2, fmt
    doc = Document(
        io.BytesIO(render(kcsie, "form", "docx", RenderOptions(generated_on="2025-09-01")))
    )
    assert doc.core_properties.created.date().isoformat() == "2025-09-01"


def test_the_diff_document_as_word_is_reproducible() -> None:
    old, new = sg.load_bundled("kcsie", "2024-25"), sg.load_bundled("kcsie", "2025-26")
    data = render_diff(old, new, "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {ZIP_EPOCH}
        assert b"dcterms:created" not in z.read("docProps/core.xml")

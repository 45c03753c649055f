"""Which library reads a filled PDF form right, and how fast (decision "The PDF reader of
returns" in docs/decisions.md).

    python benchmarks/bench_pdf_read.py [--fillings 5] [--runs 5]

Renders the kcsie form once, fills it with seeded random fillings (``tests/fill_pdf.py``, as a
viewer writes a filled form) and reads every field back three ways:

* **pypdf**: ``PdfReader.get_fields()``, a radio group's ``/V`` mapped through its ``/Opt``;
* **pikepdf.form**: ``pikepdf.form.Form`` (typed fields: ``RadioButtonGroup``,
  ``CheckboxField``, ``TextField``), the same mapping;
* **our reader**: ``safeguard_standards.returns.read.read_bytes`` (pikepdf, the field tree
  walked by hand with its bounds and checks, page numbers, envelope).

Each is compared with the filling, by kind of field (radio groups, checkboxes, multi-line
text, text outside ASCII), and timed (median of ``--runs`` reads of one filled form). A
second pass fills the radio groups the way pypdf's own ``update_page_form_field_values``
does (a ``/V`` on every button as well as on the group), a third leaves only the buttons'
appearance (``/AS``) set, with no ``/V`` on the group, as some viewers save a choice.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

Values = dict[str, Any]


def _kind(name: str, expected: Values, radios: set[str]) -> str:
    value = expected[name]
    if isinstance(value, tuple):
        return "checkbox"
    if name in radios:
        return "radio"
    if "\n" in value:
        return "multi-line"
    if not value.isascii():
        return "unicode"
    return "text"


def read_pypdf(data: bytes) -> Values:
    from pypdf import PdfReader

    out: Values = {}
    boxes: dict[str, list[str]] = {}
    for name, field in (PdfReader(io.BytesIO(data)).get_fields() or {}).items():
        value = field.get("/V")
        if field.get("/FT") != "/Btn":
            if value not in (None, ""):
                out[name] = str(value)
            continue
        parent, _, choice = name.rpartition(".")
        if "/Opt" not in field and choice and "/Kids" not in field:
            boxes.setdefault(parent, [])
            if value not in (None, "/Off"):
                boxes[parent].append(choice)
            continue
        if value in (None, "/Off"):
            continue
        options = [str(o) for o in field.get("/Opt", ())]
        state = str(value).lstrip("/")
        out[name] = options[int(state)] if state.isdigit() and options else state
    out.update({k: tuple(v) for k, v in boxes.items() if v})
    return out


def read_pikepdf_form(data: bytes) -> Values:
    import pikepdf
    from pikepdf.form import CheckboxField, Form, RadioButtonGroup, TextField

    out: Values = {}
    boxes: dict[str, list[str]] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for name, field in Form(pdf).items():
            if isinstance(field, TextField):
                if field.value:
                    out[name] = field.value
            elif isinstance(field, RadioButtonGroup):
                value = field.value
                if value is None or value == pikepdf.Name.Off:
                    continue
                options = [str(o) for o in field.obj.get("/Opt", ())]
                state = str(value).lstrip("/")
                out[name] = options[int(state)] if state.isdigit() and options else state
            elif isinstance(field, CheckboxField):
                parent, _, choice = name.rpartition(".")
                boxes.setdefault(parent, [])
                if field.checked:
                    boxes[parent].append(choice)
    out.update({k: tuple(v) for k, v in boxes.items() if v})
    return out


def read_ours(data: bytes) -> Values:
    from safeguard_standards import fields as codec
    from safeguard_standards.returns.read import read_bytes

    raw = read_bytes(data, "bench.pdf")
    assert not raw.problems, raw.problems
    out: Values = {}
    for v in raw.values:
        if v.value is not None:
            out[codec.encode("pdf", v.ref)] = v.value
    return out


READERS: dict[str, Callable[[bytes], Values]] = {
    "pypdf": read_pypdf,
    "pikepdf.form": read_pikepdf_form,
    "ours (pikepdf)": read_ours,
}


def pypdf_radio_fill(filled: bytes, expected: Values, radios: set[str]) -> bytes:
    """``filled`` with its radio groups set again the way pypdf's own filling sets them."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(filled)))
    wanted = {}
    for name in radios & set(expected):
        # pypdf's filling takes the state name; our form's states are /0, /1 … by /Opt
        wanted[name] = expected[name]
    tree = {}
    for name, field in (writer.get_fields() or {}).items():
        tree[name] = field
    values = {}
    for name, choice in wanted.items():
        options = [str(o) for o in tree[name].get("/Opt", ())]
        values[name] = "/" + str(options.index(choice))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def appearance_only(filled: bytes, radios: set[str]) -> bytes:
    """``filled`` with the ``/V`` of every radio group removed, leaving the buttons' ``/AS``:
    what a viewer that sets only the appearance writes (pdf.js reads such groups)."""
    from fill_pdf import walk_fields
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(filled)))
    for name, field in walk_fields(writer):
        if name in radios and "/V" in field:
            del field[NameObject("/V")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fillings", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import pikepdf
    import pypdf
    from fill_pdf import field_values, fill_pdf
    from returns_fill import random_filling

    import safeguard_standards as sg
    from safeguard_standards.render import render

    print(
        f"pypdf {pypdf.__version__}, pikepdf {pikepdf.__version__} (qpdf "
        f"{pikepdf.__libqpdf_version__})"
    )
    checklist = sg.load_bundled("kcsie")
    t = time.perf_counter()
    blank = render(checklist, "form", "pdf")
    print(f"rendered the kcsie form in {time.perf_counter() - t:.1f} s ({len(blank):,} bytes)")
    radios = {q.full_id for q in checklist.questions() if q.type in ("rating", "yes-no", "choice")}
    has_action = b"action)" in blank or b":action" in blank
    for variant in ("viewer", "pypdf radio fill", "appearance only"):
        wrong: dict[str, dict[str, int]] = {name: {} for name in READERS}
        total: dict[str, int] = {}
        sample = b""
        for seed in range(args.fillings):
            filling = random_filling(checklist, seed)
            if not has_action:
                filling["actions"] = {}
            expected = field_values(filling)
            filled = fill_pdf(blank, filling)
            if variant == "pypdf radio fill":
                filled = pypdf_radio_fill(filled, expected, radios)
            elif variant == "appearance only":
                filled = appearance_only(filled, radios)
            sample = sample or filled
            for name in expected:
                kind = _kind(name, expected, radios)
                total[kind] = total.get(kind, 0) + 1
            for reader, read in READERS.items():
                got = read(filled)
                for name, value in expected.items():
                    if got.get(name) != value:
                        kind = _kind(name, expected, radios)
                        wrong[reader][kind] = wrong[reader].get(kind, 0) + 1
                extra = set(got) - set(expected)
                if extra:
                    wrong[reader]["extra"] = wrong[reader].get("extra", 0) + len(extra)
        print(f"\n{variant}: {args.fillings} fillings, fields by kind {total}")
        for reader, read in READERS.items():
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                read(sample)
                times.append(time.perf_counter() - t)
            print(
                f"  {reader:<16} wrong: {wrong[reader] or 'none'}; "
                f"read {statistics.median(times) * 1000:.0f} ms (median of {args.runs}, "
                f"{len(sample):,} bytes)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

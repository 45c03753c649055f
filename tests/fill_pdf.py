"""Fill a blank PDF form from a filling (``tests/returns_fill.py``), as a PDF viewer would.

The PDF reader of returns uses pikepdf; the form is filled here with **pypdf**, a second
library, so that a mistake one library makes in reading or writing a field cannot hide
itself in the round trip. What is written is what a viewer writes when a person fills the
form (PDF 32000-1, 12.7.4):

* a text field: ``/V`` the text (pypdf writes it as PDFDocEncoding or UTF-16BE). No new
  appearance is drawn: the form asks the viewer to draw them (``/NeedAppearances``), and
  pypdf's own drawing (``update_page_form_field_values``) takes five seconds for a kcsie form,
  warns of every character outside its font and draws nothing a reader reads back;
* a radio group (rating, yes-no, choice): ``/V`` on the group, the *name* of the chosen
  button's on state, and ``/AS`` on each button (the chosen one on, the others ``/Off``). The
  form's buttons are named ``/0``, ``/1``… with their choice ids in the group's ``/Opt``
  (as WeasyPrint writes them), so the choice ``met`` is the state whose ``/Opt`` entry is
  ``met``;
* one box of a multi-choice answer (the child ``<full id>.<choice id>``): ``/V`` and ``/AS``
  its on state.

Numbers and dates go in as text, as a person types them. A field the filling names that the
form does not have raises KeyError: a filling is never silently cut short.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from safeguard_standards import fields as codec

__all__ = ["field_values", "fill_pdf", "walk_fields"]


def field_values(filling: Mapping[str, Mapping[str, Any]]) -> dict[str, str | tuple[str, ...]]:
    """The PDF field name and the value to put in it, for every value of ``filling``: text for
    a text field or a radio group, a tuple of choice ids for a multi-choice answer."""
    out: dict[str, str | tuple[str, ...]] = {}
    for full_id, value in filling.get("answers", {}).items():
        name = codec.encode("pdf", codec.answer(full_id))
        out[name] = tuple(value) if isinstance(value, list | tuple) else str(value)
    for section, part in (("evidence", codec.evidence), ("actions", codec.action)):
        for full_id, text in filling.get(section, {}).items():
            out[codec.encode("pdf", part(full_id))] = str(text)
    for key, text in filling.get("details", {}).items():
        out[codec.encode("pdf", codec.detail(key))] = str(text)
    return out


def _walk(field: DictionaryObject, prefix: str) -> Iterator[tuple[str, DictionaryObject]]:
    """Every field under ``field`` with its fully qualified name (widgets without a name are
    not fields of their own)."""
    name = prefix + str(field["/T"])
    yield name, field
    for kid in field.get("/Kids", ()):
        kid = kid.get_object()
        if "/T" in kid:
            yield from _walk(kid, name + ".")


def walk_fields(writer: PdfWriter) -> Iterator[tuple[str, DictionaryObject]]:
    """Every field of ``writer``'s form with its fully qualified name, from the top down."""
    for top in writer._root_object["/AcroForm"].get_object()["/Fields"]:
        yield from _walk(top.get_object(), "")


def _on_state(widget: DictionaryObject) -> NameObject:
    states = [str(k) for k in widget["/AP"]["/N"] if str(k) != "/Off"]
    assert len(states) == 1, f"a button with on states {states}"
    return NameObject(states[0])


def _set_radio(group: DictionaryObject, choice: str, name: str) -> None:
    kids = [k.get_object() for k in group["/Kids"]]
    options = [str(o) for o in group.get("/Opt", ())]
    if options:
        if choice not in options:
            raise KeyError(f"{name} has no choice {choice!r} (it has {options})")
        chosen = options.index(choice)
    else:
        states = [str(_on_state(k))[1:] for k in kids]
        if choice not in states:
            raise KeyError(f"{name} has no choice {choice!r} (it has {states})")
        chosen = states.index(choice)
    on = _on_state(kids[chosen])
    group[NameObject("/V")] = on
    for i, kid in enumerate(kids):
        kid[NameObject("/AS")] = on if i == chosen else NameObject("/Off")


def _set_box(box: DictionaryObject, ticked: bool) -> None:
    state = _on_state(box) if ticked else NameObject("/Off")
    box[NameObject("/V")] = state
    box[NameObject("/AS")] = state


def fill_pdf(blank: bytes, filling: Mapping[str, Mapping[str, Any]]) -> bytes:
    """``blank`` (a fillable form we rendered) with the values of ``filling`` in its fields."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    tree = dict(walk_fields(writer))
    for name, value in field_values(filling).items():
        if name not in tree:
            raise KeyError(f"the form has no field {name}")
        field = tree[name]
        if isinstance(value, tuple):
            boxes = {str(k.get_object()["/T"]): k.get_object() for k in field["/Kids"]}
            unknown = set(value) - set(boxes)
            if unknown:
                raise KeyError(f"{name} has no boxes {sorted(unknown)}")
            for choice_id, box in boxes.items():
                _set_box(box, choice_id in value)
        elif field.get("/FT") == "/Btn":
            _set_radio(field, value, name)
        else:
            field[NameObject("/V")] = TextStringObject(value)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

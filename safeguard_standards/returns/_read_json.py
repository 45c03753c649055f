"""The reader of JSON returns: the answers file the HTML form saves, and our own return JSON.

Both have the same shape (``safeguard schema --return``): ``set``, ``version``, ``kind``,
``envelope``, and objects ``answers``, ``evidence``, ``actions`` and ``details`` keyed by
field name. Every value is located by its JSON pointer (``/answers/a.b.c``). Only the shape is
checked here; what the values mean is the checker's business.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..diagnostics import Code, Diagnostic
from ..envelope import Envelope, EnvelopeError
from ..fields import FieldRef, decode
from .raw import RawReturn, RawValue, Value, Where

__all__ = ["read_html_json", "read_json"]

_SECTIONS = (("answers", "answer"), ("evidence", "evidence"), ("actions", "action"))


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


#: Names up to this long are remembered (a field name is under a hundred characters).
_CACHED = 200


@functools.lru_cache(maxsize=16384)
def _entry(section: str, part: str, name: str) -> tuple[str, FieldRef | None]:
    """The JSON pointer of ``section``'s entry ``name`` and the field it names (None if it
    names none of ``part``): the same names repeat in every return of a version, so each is
    worked out once."""
    ref = decode("html", name)
    if part == "detail":
        ok = ref is not None and ref.part == "detail"
    else:
        ok = ref is not None and ref.part == "answer" and not ref.choice
        if ok and part != "answer":
            ref = FieldRef(name, part)  # type: ignore[arg-type]
    return _pointer(section, name), ref if ok else None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_SCALARS = frozenset({str, bool, int, float, type(None)})


def _value(v: Any) -> Value | type[_Bad]:
    if type(v) in _SCALARS or isinstance(v, str | bool | int | float):  # json.loads' own first
        scalar: Value = v
        return scalar
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    return _Bad


def _shape(v: Any) -> str:
    return "a list of values that are not all text" if isinstance(v, list) else "an object"


class _Bad:
    """A value of a shape no field holds (an object, a list of numbers)."""


def read_json(data: bytes, source: str) -> RawReturn:
    """The raw return in a JSON return or saved-answers file."""
    problems: list[Diagnostic] = []

    def fail(
        code: Code, message: str, hint: str, pointer: str = "", line: int = 0, column: int = 0
    ) -> RawReturn:
        problems.append(
            Diagnostic(code, message, source, line=line, column=column, hint=hint, at=pointer)
        )
        return RawReturn(source=source, format="json", problems=tuple(problems))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(
            Code.RETURN_UNREADABLE,
            f"byte {exc.start} is not valid UTF-8: the file is not a saved answers file",
            "save the answers again from the form with Save answers",
        )
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return fail(
            Code.RETURN_UNREADABLE,
            f"the file is not valid JSON: {exc.msg}",
            "the file may have been cut short or edited by hand: save the answers again from "
            "the form with Save answers",
            line=exc.lineno,
            column=exc.colno,
        )
    except (ValueError, RecursionError) as exc:
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return fail(
            Code.RETURN_UNREADABLE,
            f"the file cannot be read as JSON: {reason}",
            "save the answers again from the form with Save answers",
        )
    if not isinstance(doc, dict):
        return fail(
            Code.RETURN_NOT_OURS,
            "the file is JSON but not a return: it is not an object with 'answers'",
            "give the answers file the web form saves (Save answers), or a return written by "
            "'safeguard returns check --format json'",
        )
    if "answers" not in doc:
        if "sections" in doc or "dsl" in doc:
            return fail(
                Code.RETURN_NOT_OURS,
                "this is a standard set, not a completed return",
                "check a standard set with 'safeguard validate'",
            )
        return fail(
            Code.RETURN_NOT_OURS,
            "the file is JSON but not a return: it has no 'answers'",
            "give the answers file the web form saves (Save answers)",
        )
    envelope: Envelope | None = None
    if "envelope" in doc and doc["envelope"] is not None:
        try:
            envelope = Envelope.from_dict(doc["envelope"])
        except EnvelopeError as exc:
            problems.append(
                Diagnostic(
                    Code.RETURN_ENVELOPE,
                    f"the envelope cannot be read: {exc}",
                    source,
                    hint="save the answers again from the form, or restore the 'envelope' "
                    "object as the form wrote it",
                    at="/envelope",
                )
            )
    declared = tuple(
        (key, doc[key]) for key in ("set", "version", "kind") if isinstance(doc.get(key), str)
    )
    if isinstance(doc.get("audience"), dict):
        audience = ";".join(f"{k}={v}" for k, v in doc["audience"].items() if isinstance(v, str))
        declared += (("audience", audience),)
    values: list[RawValue] = []
    for section, part in (*_SECTIONS, ("details", "detail")):
        block = doc.get(section)
        if block is None:
            continue
        if not isinstance(block, dict):
            problems.append(
                Diagnostic(
                    Code.RETURN_EDITED,
                    f"'{section}' is not an object of field names and values",
                    source,
                    hint=f"restore '{section}' as the form saved it: {{\"field\": value, …}}",
                    at=_pointer(section),
                )
            )
            continue
        for name, raw in block.items():
            pointer, ref = (_entry if len(name) <= _CACHED else _entry.__wrapped__)(
                section, part, name
            )
            where = Where(source, pointer=pointer)
            if ref is None:
                problems.append(
                    where.diagnostic(
                        Code.RETURN_EDITED,
                        f"{name!r} is not a field name of a form "
                        + (
                            "(an organisation-details or sign-off field)"
                            if part == "detail"
                            else "(a question's full id)"
                        ),
                        "restore the name the form saved, or remove the entry",
                    )
                )
                continue
            value = _value(raw)
            if value is _Bad:
                problems.append(
                    where.diagnostic(
                        Code.RETURN_EDITED,
                        f"the value of {name!r} is {_shape(raw)}, which no field of a form holds",
                        "give text, a number, or a list of option ids",
                    )
                )
                continue
            values.append(RawValue(ref, value, where))  # type: ignore[arg-type]
    return RawReturn(
        source=source,
        format="html-json" if "format" not in doc else "json",
        envelope=envelope,
        declared=declared,
        values=tuple(values),
        problems=tuple(problems),
    )


#: The HTML form's saved answers are read by the same reader.
read_html_json = read_json

"""Audience selection: ``--for setting=academy`` checked against the set's declared audiences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .diagnostics import Code, SafeguardError, did_you_mean
from .model import Checklist

__all__ = ["AudienceError", "parse_audience", "select_audience"]


class AudienceError(SafeguardError, ValueError):
    """A ``--for`` selection that names an undeclared dimension or value (SG215)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(Code.RENDER_OPTION, message, hint)


def parse_audience(
    checklist: Checklist, specs: Iterable[str] | Mapping[str, str] | str
) -> dict[str, str]:
    """Turn ``["setting=academy"]`` into ``{"setting": "academy"}``, checked against the set.

    ``specs`` may also be one ``"setting=academy"`` or a mapping ``{"setting": "academy"}``.
    A dimension chosen twice (``setting=academy`` and ``setting=maintained``) is refused.
    """
    if isinstance(specs, str):
        specs = [specs]
    elif isinstance(specs, Mapping):
        specs = [f"{k}={v}" for k, v in specs.items()]
    selection: dict[str, str] = {}
    for spec in specs:
        if not isinstance(spec, str):
            raise AudienceError(
                f"{spec!r} is not of the form DIMENSION=VALUE", "e.g. setting=academy"
            )
        dimension, sep, value = spec.partition("=")
        dimension, value = dimension.strip(), value.strip()
        declared = {a.id: a for a in checklist.audiences}
        if not sep or not dimension or not value:
            raise AudienceError(
                f"{spec!r} is not of the form DIMENSION=VALUE",
                "e.g. --for setting=academy; this set declares: "
                + (", ".join(declared) or "no audiences"),
            )
        if dimension not in declared:
            raise AudienceError(
                f"{checklist.ref} has no audience {dimension!r}"
                + did_you_mean(dimension, declared),
                "audiences of this set: " + (", ".join(declared) or "none"),
            )
        values = declared[dimension].value_ids()
        if value not in values:
            raise AudienceError(
                f"{value!r} is not a value of {dimension!r}" + did_you_mean(value, values),
                f"values of {dimension}: " + ", ".join(values),
            )
        earlier = selection.get(dimension)
        if earlier is not None and earlier != value:
            # a document is for one organisation; mixing two values' items would print a form
            # that is right for neither, under a title naming only one
            raise AudienceError(
                f"{dimension!r} is given twice ({earlier}, then {value}): a document is for "
                "one value of each audience",
                f"give one --for {dimension}=VALUE, and render one document for each value "
                "you need",
            )
        selection[dimension] = value
    return selection


def select_audience(
    checklist: Checklist, specs: Iterable[str] | Mapping[str, str] | str
) -> Checklist:
    """Only the items that apply to the selected audience (checked first)."""
    selection = parse_audience(checklist, specs)
    return checklist.select(selection) if selection else checklist

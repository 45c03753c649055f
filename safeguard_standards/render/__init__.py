"""Rendering: one checklist, many outputs.

``render(checklist, kind, fmt, options)`` returns bytes (text formats are UTF-8). Renderers
are registered per (kind, format) with :func:`renderer`; each renderer module imports its heavy
library (WeasyPrint, python-docx, openpyxl) inside its functions, never at import time.

Kinds: form, return-form, guidance, action-plan, changes.
Formats: html, pdf, docx, xlsx, md, csv, json.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..diagnostics import Code, SafeguardError
from ..model import Checklist
from ._package import PACKAGE_FORMATS, reproducible

if TYPE_CHECKING:
    from ..diff import Diff

__all__ = [
    "FORMATS",
    "KINDS",
    "PER_CHOICES",
    "RenderError",
    "RenderOptions",
    "Renderer",
    "available",
    "render",
    "render_diff",
    "renderer",
]

KINDS: tuple[str, ...] = ("form", "return-form", "guidance", "action-plan", "changes")
FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "xlsx", "md", "csv", "json")


class RenderError(SafeguardError):
    """A render that cannot be done as asked (an unsupported combination, a bad logo path).

    ``code`` is an SG4xx code from the catalogue (a :class:`Code` or its ``SGnnn`` text, which
    must be in the catalogue); ``hint`` says what to do instead; ``where`` is ``file:line:col``
    of the value concerned (a logo), or "" for the whole request.
    """

    def __init__(self, message: str, hint: str, code: Code | str, where: str = "") -> None:
        super().__init__(
            code if isinstance(code, Code) else Code.by_code(code), message, hint, where
        )


@attrs.frozen(kw_only=True)
class RenderOptions:
    """Options shared by every renderer."""

    #: Audience selection already applied to the checklist, for titles: {"setting": "academy"}.
    audience: tuple[tuple[str, str], ...] = ()
    #: For action plans: one row per ``standard`` or per ``question`` (None: the set's choice).
    per: str | None = None
    #: For the changes kind: the older checklist to compare with.
    previous: Checklist | None = None
    #: Folder that relative paths in the set (a logo) are resolved against; None: no files.
    base_dir: str | None = None
    #: Date printed on the output (YYYY-MM-DD); None: leave it out (keeps output reproducible).
    generated_on: str | None = None
    #: Extra CSS appended after the built-in styles of HTML and PDF output (a partnership's
    #: restyle: fonts, colours, logo size). No @import and no url() other than data: URIs.
    css: str = ""
    #: The file the extra CSS was read from, for locating a problem in it ("" for none).
    css_source: str = ""


#: A renderer takes the (already audience-filtered) checklist and options, returns bytes.
Renderer = Callable[[Checklist, RenderOptions], bytes]

_REGISTRY: dict[tuple[str, str], Renderer] = {}

# Modules that register renderers when imported. Each is imported only when a render in one of
# its formats is asked for, so that e.g. an XLSX render never imports WeasyPrint.
_MODULES: dict[str, tuple[str, ...]] = {
    "html": ("html", "changes"),
    "pdf": ("pdf", "changes"),
    "md": ("markdown", "changes"),
    "json": ("json", "changes"),
    "csv": ("csv",),
    "docx": ("docx", "changes"),
    "xlsx": ("xlsx",),
}


def renderer(kind: str, fmt: str) -> Callable[[Renderer], Renderer]:
    """Register a function as the renderer of ``kind`` in ``fmt``."""
    if kind not in KINDS or fmt not in FORMATS:  # pragma: no cover - a programming error
        raise ValueError(f"unknown kind/format {kind!r}/{fmt!r}")

    def register(fn: Renderer) -> Renderer:
        _REGISTRY[(kind, fmt)] = fn
        return fn

    return register


def _load_format(fmt: str) -> None:
    for name in _MODULES.get(fmt, ()):
        try:
            importlib.import_module(f"{__name__}._{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}._{name}":
                raise


def available() -> list[tuple[str, str]]:
    """Every (kind, format) pair that can be rendered."""
    for fmt in FORMATS:
        _load_format(fmt)
    return sorted(_REGISTRY, key=lambda kf: (KINDS.index(kf[0]), FORMATS.index(kf[1])))


#: The action-plan layouts ``RenderOptions.per`` may name.
PER_CHOICES: tuple[str, ...] = ("standard", "question")


def _checked_options(
    checklist: Checklist,
    kind: str,
    fmt: str,
    options: RenderOptions | Mapping[str, Any] | None,
) -> RenderOptions:
    """The options as a RenderOptions, each checked (SG215 for an unknown one or value).

    A plain mapping (``{"per": "question"}``) is accepted in place of RenderOptions.
    """
    if options is None:
        return RenderOptions()
    if isinstance(options, Mapping):
        names = [f.name for f in attrs.fields(RenderOptions)]
        unknown = sorted(str(k) for k in options if k not in names)
        if unknown:
            raise RenderError(
                f"unknown render option {unknown[0]!r}", "options: " + ", ".join(names), "SG215"
            )
        given = dict(options)
        if isinstance(given.get("audience"), Mapping):
            given["audience"] = tuple(given["audience"].items())
        options = RenderOptions(**given)
    if not isinstance(options, RenderOptions):
        raise TypeError(f"options must be a RenderOptions or a dict, not {type(options).__name__}")
    if options.per is not None:
        if options.per not in PER_CHOICES:
            raise RenderError(
                f"unknown action-plan layout per={options.per!r}",
                "per is one of: " + ", ".join(PER_CHOICES),
                "SG215",
            )
        # an XLSX form carries an Action plan sheet, which per lays out too
        if kind != "action-plan" and not (fmt == "xlsx" and kind in ("form", "return-form")):
            raise RenderError(
                f"per={options.per!r} only applies to action plans, not to {kind} as {fmt}",
                "leave it out, or render --as action-plan (or an XLSX form)",
                "SG215",
            )
    for pair in options.audience:
        try:
            dimension, value = pair
        except (TypeError, ValueError):
            raise RenderError(
                f"audience entry {pair!r} is not a (dimension, value) pair",
                'write audience=(("setting", "academy"),) or {"setting": "academy"}',
                "SG215",
            ) from None
        declared = checklist.audience(dimension)
        if declared is None:
            raise RenderError(
                f"{checklist.ref} has no audience {dimension!r}",
                "audiences of this set: "
                + (", ".join(a.id for a in checklist.audiences) or "none"),
                "SG215",
            )
        if value not in declared.value_ids():
            raise RenderError(
                f"{value!r} is not a value of {dimension!r}",
                f"values of {dimension}: " + ", ".join(declared.value_ids()),
                "SG215",
            )
    return options


def render(
    checklist: Checklist,
    kind: str,
    fmt: str,
    options: RenderOptions | Mapping[str, Any] | None = None,
) -> bytes:
    """Render ``checklist`` as ``kind`` in ``fmt``; raises RenderError for a bad combination.

    ``options`` is a :class:`RenderOptions` or a dict of its fields; an unknown option, an
    unknown ``per`` or an audience the set does not declare raises RenderError (SG215).
    """
    if kind not in KINDS:
        raise RenderError(f"unknown kind {kind!r}", "kinds: " + ", ".join(KINDS), "SG401")
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r}", "formats: " + ", ".join(FORMATS), "SG401")
    _load_format(fmt)
    fn = _REGISTRY.get((kind, fmt))
    if fn is None:
        formats = [f for k, f in available() if k == kind]
        raise RenderError(
            f"{kind} cannot be rendered as {fmt}",
            f"{kind} is available as: " + (", ".join(formats) or "(nothing yet)"),
            "SG401",
        )
    checked = _checked_options(checklist, kind, fmt, options)
    if kind in ("form", "return-form", "guidance", "action-plan"):
        _require_questions(checklist, kind, checked)
    data = fn(checklist, checked)
    if fmt in PACKAGE_FORMATS:
        data = reproducible(data, checked.generated_on)
    return data


def render_diff(
    old: Checklist, new: Checklist, fmt: str = "md", result: Diff | None = None
) -> bytes:
    """What ``safeguard diff OLD NEW`` writes: the changes document for the people who edit
    the YAML (every change, with ids and ``formerly`` hints) as ``md``, ``html``, ``pdf``,
    ``docx`` or ``json``. ``result`` is ``diff(old, new)`` when the caller has it already.

    The same view as the ``changes`` kind (:mod:`._changes_view`), rendered by the same code.
    Raises ValueError for another format.
    """
    from ._changes import render_changes
    from ._changes_view import build_changes

    data = render_changes(build_changes(new, old, result=result, complete=True), fmt)
    return reproducible(data) if fmt in PACKAGE_FORMATS else data


def _require_questions(checklist: Checklist, kind: str, options: RenderOptions) -> None:
    """Refuse to write a blank document that people would take for a real one."""
    if kind == "return-form":
        if not any(q.in_return for q in checklist.questions()):
            raise RenderError(
                f"{checklist.ref} marks no question 'in_return: true', so its return form "
                "would be empty",
                "render the full form (--as form), or mark the questions the partnership "
                "collects with 'in_return: true' (in a partnership overlay, see "
                "docs/tailoring.md)",
                "SG405",
            )
    elif next(checklist.questions(), None) is None:
        chosen = ", ".join(f"{d}={v}" for d, v in options.audience)
        raise RenderError(
            f"no question of {checklist.ref} applies" + (f" to {chosen}" if chosen else ""),
            "check the --for selection",
            "SG405",
        )

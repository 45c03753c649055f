"""Rendering: each kind builds a view, each format writes views.

``render(checklist, kind, fmt, options)`` returns bytes (text formats are UTF-8): it checks the
options, builds the kind's view with :func:`build_view` and writes it with :func:`write`.

* A **view builder** is registered per kind with :func:`view_builder`, with the type of view it
  builds: the document kinds build a :class:`~._view.DocumentView` from one checklist, the
  changes kind a :class:`~._changes_view.ChangesView` from two (:func:`render_changes`).
* A **writer** is registered per (view type, format) with :func:`writer`; it is given the view
  and the options and returns bytes. It prints what the view says (numbers, wording, answer
  spaces) and derives none of it.

Each writer module imports its heavy library (WeasyPrint, python-docx, openpyxl) inside its
functions, never at import time; a format's modules are imported only when it is asked for.
See docs/rendering.md, "How rendering is organised".

Kinds: form, return-form, guidance, action-plan, changes.
Formats: html, pdf, docx, xlsx, md, csv, json, and for online collection of forms and return
forms xlsform (ODK, KoboToolbox), surveyjs and fhir (an R5 Questionnaire); see docs/collecting.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ..diagnostics import Code, SafeguardError
from ..model import Checklist
from ._package import PACKAGE_FORMATS, reproducible

if TYPE_CHECKING:
    from ..diff import Diff
    from ..returns.model import Return

__all__ = [
    "FORMATS",
    "KINDS",
    "PER_CHOICES",
    "RETURN_FORM_FORMATS",
    "RETURN_KINDS",
    "RenderError",
    "RenderOptions",
    "Renderer",
    "Writer",
    "available",
    "build_view",
    "render",
    "render_changes",
    "render_diff",
    "render_return",
    "renderer",
    "view_builder",
    "write",
    "writer",
]

KINDS: tuple[str, ...] = ("form", "return-form", "guidance", "action-plan", "changes")
FORMATS: tuple[str, ...] = (
    "html",
    "pdf",
    "docx",
    "xlsx",
    "md",
    "csv",
    "json",
    "xlsform",
    "surveyjs",
    "fhir",
)


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
    #: For the changes kind through :func:`render`: the older checklist to compare with. Kept
    #: for compatibility; :func:`render_changes` takes the two checklists instead.
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
    #: A completed, checked return to show: a form with its answers filled in, or an action
    #: plan of its gaps (see :func:`render_return`); None for a blank document.
    answers: Return | None = None


#: A view builder takes what its kind is made from (a checklist; for "changes" the pair of
#: checklists) and the checked options, and returns the kind's view.
ViewBuilder = Callable[[Any, RenderOptions], Any]
#: A writer takes a view and the checked options, and returns the bytes of one format.
Writer = Callable[[Any, RenderOptions], bytes]
#: The old per-(kind, format) renderer of a checklist (see :func:`renderer`).
Renderer = Callable[[Checklist, RenderOptions], bytes]

_B = TypeVar("_B", bound=ViewBuilder)
_W = TypeVar("_W", bound=Writer)


@attrs.frozen
class _Builder:
    build: ViewBuilder
    view_type: type


@attrs.frozen
class _Writer:
    write: Writer
    #: The kinds of the view this writer writes (a view's ``kind``), or None for all.
    kinds: frozenset[str] | None


_BUILDERS: dict[str, _Builder] = {}
_WRITERS: dict[tuple[type, str], _Writer] = {}
_RENDERERS: dict[tuple[str, str], Renderer] = {}

# Modules that register view builders when imported, per built-in kind.
_KIND_MODULES: dict[str, str] = {
    "form": "view",
    "return-form": "view",
    "guidance": "view",
    "action-plan": "view",
    "changes": "changes_view",
}

# Modules that register writers when imported. Each is imported only when a render in one of
# its formats is asked for, so that e.g. an XLSX render never imports WeasyPrint.
_MODULES: dict[str, tuple[str, ...]] = {
    "html": ("html", "changes"),
    "pdf": ("pdf", "changes"),
    "md": ("markdown", "changes"),
    "json": ("json", "changes"),
    "csv": ("csv",),
    "docx": ("docx", "changes"),
    "xlsx": ("xlsx",),
    "xlsform": ("xlsform",),
    "surveyjs": ("surveyjs",),
    "fhir": ("fhir",),
}


def view_builder(kind: str, view_type: type) -> Callable[[_B], _B]:
    """Register a function as the builder of ``kind``'s view, an instance of ``view_type``.

    A new kind registers its builder (and writers for its view type); no format module
    changes. A kind that builds a :class:`~._view.DocumentView` is written by every format
    that writes document views.
    """

    def register(fn: _B) -> _B:
        _BUILDERS[kind] = _Builder(fn, view_type)
        return fn

    return register


def writer(view_type: type, fmt: str, *, kinds: Iterable[str] | None = None) -> Callable[[_W], _W]:
    """Register a function as the writer of views of ``view_type`` in ``fmt``.

    ``kinds`` limits it to views whose ``kind`` is one of them (CSV writes no guidance).
    """

    def register(fn: _W) -> _W:
        _WRITERS[(view_type, fmt)] = _Writer(fn, None if kinds is None else frozenset(kinds))
        return fn

    return register


def renderer(kind: str, fmt: str) -> Callable[[Renderer], Renderer]:
    """Register a function of (checklist, options) as the renderer of ``kind`` in ``fmt``.

    Kept for compatibility: it takes precedence over the kind's view and the format's writer.
    New code registers a :func:`view_builder` or a :func:`writer` instead.
    """
    if kind not in KINDS or fmt not in FORMATS:  # pragma: no cover - a programming error
        raise ValueError(f"unknown kind/format {kind!r}/{fmt!r}")

    def register(fn: Renderer) -> Renderer:
        _RENDERERS[(kind, fmt)] = fn
        return fn

    return register


def _import(name: str) -> None:
    try:
        importlib.import_module(f"{__name__}._{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}._{name}":
            raise


def _load_format(fmt: str) -> None:
    for name in _MODULES.get(fmt, ()):
        _import(name)


def _load_kind(kind: str) -> _Builder | None:
    if kind not in _BUILDERS and kind in _KIND_MODULES:
        _import(_KIND_MODULES[kind])
    return _BUILDERS.get(kind)


def _kinds() -> list[str]:
    return [*KINDS, *(k for k in _BUILDERS if k not in KINDS)]


def _formats() -> list[str]:
    extra = {f for _, f in _WRITERS} | {f for _, f in _RENDERERS}
    return [*FORMATS, *sorted(extra - set(FORMATS))]


def _writer_for(kind: str, fmt: str) -> _Writer | None:
    builder = _load_kind(kind)
    if builder is None:
        return None
    _load_format(fmt)
    for view_type in builder.view_type.__mro__:
        found = _WRITERS.get((view_type, fmt))
        if found is not None:
            return found if found.kinds is None or kind in found.kinds else None
    return None


def available() -> list[tuple[str, str]]:
    """Every (kind, format) pair that can be rendered."""
    for fmt in FORMATS:
        _load_format(fmt)
    return [
        (kind, fmt)
        for kind in _kinds()
        for fmt in _formats()
        if (kind, fmt) in _RENDERERS or _writer_for(kind, fmt) is not None
    ]


def build_view(
    kind: str, inputs: Any, options: RenderOptions | Mapping[str, Any] | None = None
) -> Any:
    """The view of ``kind`` made from ``inputs``: a checklist (already audience-filtered) for
    the document kinds, an ``(old, new)`` pair of checklists for ``changes``.

    Raises RenderError (SG401) for an unknown kind.
    """
    builder = _load_kind(kind)
    if builder is None:
        raise RenderError(f"unknown kind {kind!r}", "kinds: " + ", ".join(_kinds()), "SG401")
    opts = options if isinstance(options, RenderOptions) else RenderOptions(**(options or {}))
    return builder.build(inputs, opts)


def write(view: Any, fmt: str, options: RenderOptions | Mapping[str, Any] | None = None) -> bytes:
    """``view`` (built by :func:`build_view`) written as ``fmt``: bytes, UTF-8 for text.

    Raises RenderError (SG401) when no writer writes this view in ``fmt``.
    """
    opts = options if isinstance(options, RenderOptions) else RenderOptions(**(options or {}))
    kind = getattr(view, "kind", "")
    _load_format(fmt)
    found = None
    for view_type in type(view).__mro__:
        found = _WRITERS.get((view_type, fmt))
        if found is not None:
            break
    if found is None or (found.kinds is not None and kind not in found.kinds):
        formats = [f for k, f in available() if k == kind]
        raise RenderError(
            f"{kind or type(view).__name__} cannot be rendered as {fmt}",
            f"{kind} is available as: " + (", ".join(formats) or "(nothing yet)"),
            "SG401",
        )
    data = found.write(view, opts)
    if fmt in PACKAGE_FORMATS:
        data = reproducible(data, opts.generated_on)
    return data


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
    if options.answers is not None:
        _check_answers(checklist, kind, fmt, options.answers)
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


#: The kinds made from a completed return, and the formats its completed form is shown in.
RETURN_KINDS: tuple[str, ...] = ("form", "return-form", "action-plan")
RETURN_FORM_FORMATS: tuple[str, ...] = ("pdf", "html", "docx")


def _check_answers(checklist: Checklist, kind: str, fmt: str, ret: Return) -> None:
    """Refuse a render from a completed return that cannot be made (SG570, SG571, SG574)."""
    if kind not in RETURN_KINDS:
        code = Code.RENDER_RETURN_KIND
        raise RenderError(code.message(kind=kind), code.hint(kind=kind), code)
    if kind != "action-plan" and fmt not in RETURN_FORM_FORMATS:
        code = Code.RENDER_RETURN_FORMAT
        raise RenderError(code.message(fmt=fmt), code.hint(fmt=fmt), code)
    if (ret.set, ret.version) != (checklist.id, checklist.version):
        code = Code.RENDER_RETURN_SET
        answers, given = f"{ret.set} {ret.version}", f"{checklist.id} {checklist.version}"
        raise RenderError(
            code.message(answers=answers, given=given), code.hint(answers=answers), code
        )


def render_return(
    ret: Return,
    checklist: Checklist,
    kind: str,
    fmt: str,
    options: RenderOptions | Mapping[str, Any] | None = None,
) -> bytes:
    """A completed, checked return rendered as ``kind`` in ``fmt``.

    ``checklist`` is the version the return answers (whole: the return's audience is applied
    here). ``kind`` is ``action-plan`` (its gaps, with the finding and the respondent's action
    carried in, in any format) or ``form`` (the form the return was made from, every answer
    filled in: ``pdf``, ``html`` or ``docx``). ``options`` as for :func:`render`; an
    ``audience`` other than the return's raises RenderError (SG573), another kind SG570,
    another format for the form SG571, a checklist of another set or version SG574.
    """
    opts = _checked_options(checklist, kind, fmt, options)
    if opts.audience and dict(opts.audience) != dict(ret.audience):
        code = Code.RENDER_RETURN_AUDIENCE
        made = ", ".join(f"{d}={v}" for d, v in ret.audience) or "every audience"
        given = ", ".join(f"{d}={v}" for d, v in opts.audience)
        raise RenderError(code.message(made=made, given=given), code.hint(), code)
    if kind == "form" and ret.kind == "return-form":
        kind = "return-form"  # the form the return was made from
    _check_answers(checklist, kind, fmt, ret)
    audience = dict(ret.audience)
    selected = checklist.select(audience) if audience else checklist
    return render(
        selected, kind, fmt, attrs.evolve(opts, audience=tuple(ret.audience), answers=ret)
    )


def _check_kind_and_format(kind: str, fmt: str) -> None:
    """Refuse (SG401) an unknown kind, an unknown format, or a kind not written in ``fmt``."""
    if kind not in _kinds():
        raise RenderError(f"unknown kind {kind!r}", "kinds: " + ", ".join(_kinds()), "SG401")
    if fmt not in _formats():
        raise RenderError(f"unknown format {fmt!r}", "formats: " + ", ".join(_formats()), "SG401")
    _load_format(fmt)
    if (kind, fmt) not in _RENDERERS and _writer_for(kind, fmt) is None:
        formats = [f for k, f in available() if k == kind]
        raise RenderError(
            f"{kind} cannot be rendered as {fmt}",
            f"{kind} is available as: " + (", ".join(formats) or "(nothing yet)"),
            "SG401",
        )


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
    _check_kind_and_format(kind, fmt)
    legacy = _RENDERERS.get((kind, fmt))
    checked = _checked_options(checklist, kind, fmt, options)
    if legacy is not None:
        data = legacy(checklist, checked)
        return reproducible(data, checked.generated_on) if fmt in PACKAGE_FORMATS else data
    if kind == "changes":
        if checked.previous is None:
            missing = Code.RENDER_NO_PREVIOUS
            raise RenderError(missing.message(), missing.hint(), missing)
        return write(build_view(kind, (checked.previous, checklist), checked), fmt, checked)
    return write(build_view(kind, checklist, checked), fmt, checked)


def render_changes(
    old: Checklist,
    new: Checklist,
    fmt: str,
    options: RenderOptions | Mapping[str, Any] | None = None,
) -> bytes:
    """The changes document from ``old`` to ``new`` (what ``render(new, "changes", fmt)``
    writes with ``previous=old``): ``md``, ``html``, ``pdf``, ``docx`` or ``json``.

    ``options`` as for :func:`render` (its ``previous`` is not used).
    """
    _check_kind_and_format("changes", fmt)
    checked = _checked_options(new, "changes", fmt, options)
    return write(build_view("changes", (old, new), checked), fmt, checked)


def render_diff(
    old: Checklist, new: Checklist, fmt: str = "md", result: Diff | None = None
) -> bytes:
    """What ``safeguard diff OLD NEW`` writes: the changes document for the people who edit
    the YAML (every change, with ids and ``formerly`` hints) as ``md``, ``html``, ``pdf``,
    ``docx`` or ``json``. ``result`` is ``diff(old, new)`` when the caller has it already.

    The same view as the ``changes`` kind (:mod:`._changes_view`), rendered by the same code.
    Raises ValueError for another format.
    """
    from ._changes import write_changes
    from ._changes_view import build_changes

    data = write_changes(build_changes(new, old, result=result, complete=True), fmt)
    return reproducible(data) if fmt in PACKAGE_FORMATS else data


def require_questions(checklist: Checklist, kind: str, options: RenderOptions) -> None:
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

"""HTML rendering: one self-contained file per document (CSS and script inline, no network).

Kinds: ``form`` and ``return-form`` (an offline, fillable audit form: answers save to a JSON
file and load back), ``guidance`` (with a table of contents) and ``action-plan`` (a table).
The PDF renderer lays out the same HTML with the print styles.

Templates are Jinja2 (``templates/*.html.j2``, autoescaped, StrictUndefined); prose is
Markdown through :func:`~safeguard_standards.render._view.md_to_html`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import fields
from ..model import Checklist
from . import RenderError, RenderOptions, renderer
from ._envelope import envelope_of
from ._view import (
    ORGANISATION_FIELDS,
    SIGN_OFF_FIELDS,
    DocumentView,
    action_plan_headers,
    action_plan_rows,
    build_document,
    condition_data,
    md_inline_html,
    md_to_html,
    resolve_per,
)

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["check_css", "inline_variables", "render_html", "stylesheet"]

_REQUIRES = {
    "action": "record an action in your action plan",
    "justification": "say why in the evidence box",
    "evidence": "give the evidence",
}


def requires_phrase(requires: Iterable[str]) -> str:
    """What an answer at a level must carry, in words: "record an action … and say why"."""
    return " and ".join(_REQUIRES.get(r, f"give {r}") for r in requires)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _safe_url(url: str) -> str:
    return url if url.lower().startswith(("https://", "http://", "mailto:")) else ""


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("safeguard_standards.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_to_html
    env.filters["md_inline"] = md_inline_html
    env.filters["num"] = _num
    env.globals["requires_phrase"] = requires_phrase
    env.globals["condition_data"] = condition_data
    env.globals["safe_url"] = _safe_url
    return env


@functools.lru_cache(maxsize=4)
def _resource(name: str) -> str:
    from importlib.resources import files

    return (files("safeguard_standards.render") / "templates" / name).read_text(encoding="utf-8")


def stylesheet() -> str:
    """The built-in stylesheet (screen and print) every HTML and PDF document uses."""
    return _resource("style.css")


_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!data:)", re.IGNORECASE)


def check_css(css: str) -> str:
    """Check a partnership's extra CSS and return it; raises RenderError (SG403) if it could
    fetch anything (``@import``, ``url()`` other than ``data:``) or end the style element."""
    lowered = css.lower()
    if "</style" in lowered or "<!--" in lowered:
        raise RenderError(
            "the extra CSS contains '</style' or '<!--'",
            "give plain CSS rules only",
            "SG403",
        )
    if "@import" in lowered or _CSS_URL.search(css):
        raise RenderError(
            "the extra CSS refers to another file or address (@import or url())",
            "documents are self-contained: use data: URIs for images and installed fonts",
            "SG403",
        )
    return css


_VAR_DEF = re.compile(r"(--sg-[\w-]+)\s*:\s*([^;}]+)")
_VAR_USE = re.compile(r"var\(\s*(--sg-[\w-]+)\s*\)")


def inline_variables(css: str, extra: str = "") -> str:
    """``css`` with each ``var(--sg-…)`` replaced by its value, as set in ``css`` and then in
    ``extra`` (a partnership's overrides win). WeasyPrint resolves custom properties on every
    element while it draws, which costs about a tenth of a long PDF's time; browsers get the
    variables as they are."""
    values: dict[str, str] = {}
    for source in (css, extra):
        for name, value in _VAR_DEF.findall(source):
            values[name] = value.strip()

    def resolve(m: re.Match[str]) -> str:
        return values.get(m.group(1), m.group(0))

    for _ in range(3):  # values may refer to other variables
        css = _VAR_USE.sub(resolve, css)
    return css


def _css(options: RenderOptions, pdf: bool = False) -> str:
    extra = check_css(options.css) if options.css else ""
    base = inline_variables(stylesheet(), extra) if pdf else stylesheet()
    return base + ("\n/* partnership styles */\n" + extra if extra else "")


def _version() -> str:
    from .._version import __version__

    return __version__


def render_html(
    checklist: Checklist, kind: str, options: RenderOptions | None = None, *, pdf: bool = False
) -> str:
    """The HTML document of ``kind`` (form, return-form, guidance, action-plan) as text.

    With ``pdf``, the variant the PDF renderer lays out: no script, no save/load toolbar, no
    ``<form>`` element (each field is named for PDF readers by its ``title``), and the
    stylesheet's custom properties resolved.
    """
    from markupsafe import Markup

    opts = options or RenderOptions()
    doc = build_document(checklist, kind, opts)
    context: dict[str, Any] = {
        "doc": doc,
        "css": Markup(_css(opts, pdf)),
        "generator_version": _version(),
        "pdf": pdf,
        "envelope": envelope_of(checklist, kind, opts, doc).to_dict(),
        # the PDF renderer names its fields from the HTML's names: each in its own format
        "field_name": functools.partial(fields.encode, "pdf" if pdf else "html"),
    }
    if kind in ("form", "return-form"):
        template = "form.html.j2"
        context.update(_form_context(doc))
    elif kind == "guidance":
        template = "guidance.html.j2"
    elif kind == "action-plan":
        template = "action-plan.html.j2"
        per = resolve_per(checklist, opts)
        context.update(_plan_context(checklist, per))
    else:  # pragma: no cover - the registry only sends the kinds registered below
        raise RenderError(f"{kind} cannot be rendered as html", code="SG401")
    return _env().get_template(template).render(context)


def _form_context(doc: DocumentView) -> dict[str, Any]:
    from markupsafe import Markup

    meta = {
        "set": doc.set_id,
        "version": doc.version,
        "kind": doc.kind,
        "details": [fields.encode("html", f.ref) for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS)],
    }
    return {
        "org_fields": ORGANISATION_FIELDS,
        "signoff_fields": SIGN_OFF_FIELDS,
        "meta": meta,
        "js": Markup(_resource("form.js")),
        "total": sum(1 for _ in doc.questions()),
    }


def _plan_context(checklist: Checklist, per: str) -> dict[str, Any]:
    groups: list[tuple[str, list[Any]]] = []
    for row in action_plan_rows(checklist, per):
        if not groups or groups[-1][0] != row.section:
            groups.append((row.section, []))
        groups[-1][1].append(row)
    return {"headers": action_plan_headers(checklist, per), "groups": groups, "per": per}


def _register(kind: str) -> None:
    @renderer(kind, "html")
    def _render(checklist: Checklist, options: RenderOptions) -> bytes:
        return render_html(checklist, kind, options).encode("utf-8")


for _kind in ("form", "return-form", "guidance", "action-plan"):
    _register(_kind)

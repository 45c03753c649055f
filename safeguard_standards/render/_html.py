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
from . import RenderError, RenderOptions, writer
from ._envelope import envelope_of
from ._number import number_text
from ._view import (
    DOCUMENT_KINDS,
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

__all__ = [
    "MAX_CSS_BYTES",
    "check_css",
    "inline_variables",
    "render_html",
    "stylesheet",
    "write_html",
]

_REQUIRES = {
    "action": "record an action in your action plan",
    "justification": "say why in the evidence box",
    "evidence": "give the evidence",
}


#: On a fillable form, which has a box for the action.
_REQUIRES_ON_FORM = {**_REQUIRES, "action": "say in the action box what action you will take"}


def requires_phrase(requires: Iterable[str], form: bool = False) -> str:
    """What an answer at a level must carry, in words: "record an action … and say why"
    (``form``: on a fillable form, where the action goes in the question's action box)."""
    words = _REQUIRES_ON_FORM if form else _REQUIRES
    return " and ".join(words.get(r, f"give {r}") for r in requires)


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
    env.filters["num"] = number_text
    env.filters["ta"] = textarea_text
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


#: Largest restyling stylesheet, in bytes (SG425).
MAX_CSS_BYTES = 256 * 1024

#: At-rules a restyle may use (and the page-margin boxes inside @page).
_CSS_AT_RULES = frozenset({"media", "page", "supports", "charset"})
_CSS_PAGE_BOXES = frozenset(
    f"{edge}-{where}"
    for edge, wheres in (
        ("top", ("left-corner", "left", "center", "right", "right-corner")),
        ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
        ("left", ("top", "middle", "bottom")),
        ("right", ("top", "middle", "bottom")),
    )
    for where in wheres
)

#: Properties a restyle may set (by exact name or by family prefix); custom ``--x`` too.
_CSS_PROPERTIES = frozenset(
    [
        "color",
        "clip",
        "clip-path",
        "opacity",
        "visibility",
        "display",
        "float",
        "clear",
        "position",
        "top",
        "right",
        "bottom",
        "left",
        "z-index",
        "width",
        "height",
        "min-width",
        "min-height",
        "max-width",
        "max-height",
        "box-sizing",
        "aspect-ratio",
        "line-height",
        "letter-spacing",
        "word-spacing",
        "white-space",
        "vertical-align",
        "hyphens",
        "tab-size",
        "word-break",
        "overflow-wrap",
        "direction",
        "unicode-bidi",
        "quotes",
        "content",
        "counter-reset",
        "counter-increment",
        "counter-set",
        "orphans",
        "widows",
        "size",
        "page",
        "table-layout",
        "border-collapse",
        "border-spacing",
        "caption-side",
        "empty-cells",
        "gap",
        "row-gap",
        "column-gap",
        "order",
        "object-fit",
        "object-position",
        "print-color-adjust",
        "-webkit-print-color-adjust",
        "color-scheme",
        "accent-color",
        "caret-color",
        "cursor",
        "pointer-events",
        "user-select",
        "resize",
        "filter",
        "mix-blend-mode",
        "transform",
        "transform-origin",
        "transition",
        "animation-name",
        "animation-duration",
    ]
)
_CSS_PROPERTY_FAMILIES = (
    "background",
    "border",
    "font",
    "margin",
    "padding",
    "text-",
    "outline",
    "list-style",
    "page-break-",
    "break-",
    "overflow",
    "flex",
    "grid",
    "align-",
    "justify-",
    "place-",
    "column",
    "box-shadow",
    "inset",
    "bookmark-",
    "string-set",
    "transition-",
)

#: Functions a value may use: colours, maths, gradients, transforms, counters, variables.
_CSS_FUNCTIONS = frozenset(
    [
        "rgb",
        "rgba",
        "rect",
        "inset",
        "content",
        "hsl",
        "hsla",
        "hwb",
        "lab",
        "lch",
        "oklab",
        "oklch",
        "color",
        "color-mix",
        "light-dark",
        "calc",
        "min",
        "max",
        "clamp",
        "var",
        "env",
        "attr",
        "counter",
        "counters",
        "string",
        "leader",
        "target-counter",
        "linear-gradient",
        "radial-gradient",
        "conic-gradient",
        "repeating-linear-gradient",
        "repeating-radial-gradient",
        "repeating-conic-gradient",
        "translate",
        "translatex",
        "translatey",
        "rotate",
        "scale",
        "scalex",
        "scaley",
        "skew",
        "skewx",
        "skewy",
        "matrix",
        "cubic-bezier",
        "steps",
        "minmax",
        "repeat",
        "fit-content",
        "not",
        "is",
        "where",
        "has",
        "nth-child",
        "nth-last-child",
        "nth-of-type",
        "nth-last-of-type",
        "lang",
        "dir",
    ]
)
#: Functions that load something: refused as fetching (SG403), never merely "not allowed".
_CSS_FETCHING = frozenset(
    {
        "url",
        "src",
        "image",
        "image-set",
        "-webkit-image-set",
        "cross-fade",
        "-webkit-cross-fade",
        "element",
        "-moz-element",
        "paint",
    }
)


def check_css(css: str, source: str = "") -> str:
    """Check a partnership's extra CSS and return it.

    The CSS is tokenised as a browser does (tinycss2, the CSS Syntax parser WeasyPrint uses),
    so escapes (``\\75 rl(``, ``u\\rl(``) are seen as what they spell. Only what is on the
    allowed lists passes: the at-rules ``@media``, ``@page`` (and its margin boxes),
    ``@supports``; the properties above; and values made of words, numbers, colours, strings
    and the functions above, plus ``url(data:image/…)`` whose image passes the logo checks.
    Raises RenderError located at ``source:line:column``: SG403 for anything that could
    fetch (``@import``, ``url()`` of an address, ``image-set()``…) or end the style element,
    SG424 for anything else not allowed, SG425 for more than MAX_CSS_BYTES.
    """
    import tinycss2

    def fail(code: str, message: str, hint: str, line: int = 0, column: int = 0) -> RenderError:
        where = f"{source}:{line}:{column}" if source and line else source
        at = "" if source or not line else f" (line {line}, column {column})"
        return RenderError(message + at, hint, code, where=where)

    if len(css.encode("utf-8", "surrogatepass")) > MAX_CSS_BYTES:
        raise fail(
            "SG425",
            f"the extra CSS is larger than {MAX_CSS_BYTES // 1024} KB",
            "a restyle needs a few rules: check this is the right file",
        )
    lowered = css.lower()
    for bad in ("</style", "<!--", "-->", "<script"):
        if bad in lowered:
            line = css[: lowered.index(bad)].count("\n") + 1
            raise fail(
                "SG403",
                f"the extra CSS contains {bad!r}",
                "give plain CSS rules only",
                line,
                lowered.index(bad) - css.rfind("\n", 0, lowered.index(bad)),
            )
    fetch_hint = "documents are self-contained: use data: URIs for images and installed fonts"

    def at(node: Any) -> tuple[int, int]:
        return (getattr(node, "source_line", 0), getattr(node, "source_column", 0))

    def values(tokens: Iterable[Any]) -> None:
        for tok in tokens:
            kind = tok.type
            if kind == "url":
                data_url(tok.value, tok)
            elif kind == "function":
                name = tok.lower_name
                if name in _CSS_FETCHING:
                    if name == "url" and _only_string(tok.arguments):
                        data_url(_only_string(tok.arguments) or "", tok)
                        continue
                    raise fail(
                        "SG403",
                        f"the extra CSS uses {name}(), which could load a file or address",
                        fetch_hint,
                        *at(tok),
                    )
                if name not in _CSS_FUNCTIONS:
                    raise fail(
                        "SG424",
                        f"the extra CSS uses the function {name}(), which is not allowed",
                        "restyles may use colours, sizes, fonts, gradients and calc(); see "
                        "docs/rendering.md",
                        *at(tok),
                    )
                values(tok.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                values(tok.content)
            elif kind == "at-keyword":
                raise fail("SG424", f"the extra CSS has @{tok.value} inside a value", "", *at(tok))
            elif kind == "error":
                raise fail("SG424", f"the extra CSS cannot be read: {tok.message}", "", *at(tok))

    def data_url(url: str, tok: Any) -> None:
        from ._assets import TYPES, ImageProblem, checked_image, decode_data_uri

        if not url.strip().lower().startswith("data:"):
            raise fail(
                "SG403",
                "the extra CSS refers to another file or address (url())",
                fetch_hint,
                *at(tok),
            )
        try:
            mime, data = decode_data_uri(url)
            if mime not in TYPES:
                raise ImageProblem("SG422", f"a data: URI of type {mime!r}", "use an image")
            checked_image(data, mime, "an image in the extra CSS")
        except ImageProblem as exc:
            raise fail(exc.code, exc.message, exc.hint, *at(tok)) from None

    def declarations(content: list[Any], page: bool = False) -> None:
        for item in tinycss2.parse_blocks_contents(
            content, skip_comments=True, skip_whitespace=True
        ):
            if item.type == "at-rule":
                if page and item.lower_at_keyword in _CSS_PAGE_BOXES and item.content is not None:
                    declarations(item.content)
                    continue
                rule(item)
            elif item.type == "qualified-rule":  # nested rules
                values(item.prelude)
                declarations(item.content)
            elif item.type == "declaration":
                name = item.lower_name
                if not (
                    name.startswith("--")
                    or name in _CSS_PROPERTIES
                    or name.startswith(_CSS_PROPERTY_FAMILIES)
                ):
                    raise fail(
                        "SG424",
                        f"the extra CSS sets the property {name!r}, which is not allowed",
                        "restyles may set colours, fonts, sizes, spacing, borders and "
                        "backgrounds; see docs/rendering.md",
                        *at(item),
                    )
                values(item.value)
            elif item.type == "error":
                raise fail("SG424", f"the extra CSS cannot be read: {item.message}", "", *at(item))

    def rule(node: Any) -> None:
        if node.type == "error":
            raise fail("SG424", f"the extra CSS cannot be read: {node.message}", "", *at(node))
        if node.type == "at-rule":
            name = node.lower_at_keyword
            if name == "import":
                raise fail(
                    "SG403",
                    "the extra CSS imports another file or address (@import)",
                    fetch_hint,
                    *at(node),
                )
            if name not in _CSS_AT_RULES:
                raise fail(
                    "SG424",
                    f"the extra CSS uses @{name}, which is not allowed",
                    "restyles may use @media, @page and @supports; fonts must be installed",
                    *at(node),
                )
            values(node.prelude)
            if node.content is not None:
                if name == "page":
                    declarations(node.content, page=True)
                else:
                    for inner in tinycss2.parse_rule_list(
                        node.content, skip_comments=True, skip_whitespace=True
                    ):
                        rule(inner)
            return
        values(node.prelude)
        declarations(node.content)

    for node in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        rule(node)
    return css


def _only_string(arguments: list[Any]) -> str | None:
    """The text of ``url("…")`` written with a quoted string (else None)."""
    parts = [t for t in arguments if t.type not in ("whitespace", "comment")]
    if len(parts) == 1 and parts[0].type == "string":
        return str(parts[0].value)
    return None


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
    extra = check_css(options.css, options.css_source) if options.css else ""
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
    opts = options or RenderOptions()
    return write_html(build_document(checklist, kind, opts), opts, pdf=pdf)


def write_html(
    doc: DocumentView, options: RenderOptions | None = None, *, pdf: bool = False
) -> str:
    """The HTML of a document view, as text (``pdf`` as for :func:`render_html`)."""
    from markupsafe import Markup

    opts = options or RenderOptions()
    checklist, kind = doc.checklist, doc.kind
    doc.logo  # noqa: B018 - a bad logo is reported before the CSS, as it always was
    from ._assets import content_security_policy

    context: dict[str, Any] = {
        "csp": content_security_policy(),
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
        context.update(_plan_context(checklist, per, doc))
    else:  # pragma: no cover - the registry only sends the kinds registered below
        raise RenderError(f"{kind} cannot be rendered as html", "", "SG401")
    return _env().get_template(template).render(context)


def textarea_text(text: str) -> str:
    """A textarea's content as written between its tags: an HTML parser drops one newline
    right after ``<textarea>``, so text that starts with one gets another before it."""
    return "\n" + text if text.startswith(("\n", "\r")) else text


def prefilled_key(doc: DocumentView) -> str:
    """A short digest of the answers a form made from a completed return shows ("" for a
    blank form): the page keeps edits to it in this browser under a slot of its own, so that
    a blank form's saved answers never overwrite the return's, nor the other way round."""
    if doc.answers is None:
        return ""
    import hashlib
    import json

    data = doc.answers.to_dict()
    shown = {k: data.get(k) for k in ("answers", "evidence", "actions", "details")}
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _form_context(doc: DocumentView) -> dict[str, Any]:
    from markupsafe import Markup

    meta = {
        "set": doc.set_id,
        "version": doc.version,
        "kind": doc.kind,
        "details": [fields.encode("html", f.ref) for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS)],
    }
    from ._assets import content_security_policy

    return {
        "org_fields": ORGANISATION_FIELDS,
        "signoff_fields": doc.sign_off_fields,
        "meta": meta,
        "js": Markup(_resource("form.js")),
        # the text between <script> and </script> in form.html.j2, exactly
        "csp": content_security_policy("\n" + _resource("form.js") + "\n"),
        "total": sum(1 for _ in doc.questions()),
        "prefilled_key": prefilled_key(doc),
    }


def _plan_context(checklist: Checklist, per: str, doc: DocumentView) -> dict[str, Any]:
    groups: list[tuple[str, list[Any]]] = []
    for row in action_plan_rows(checklist, per, doc.answers):
        if not groups or groups[-1][0] != row.section:
            groups.append((row.section, []))
        groups[-1][1].append(row)
    headers = action_plan_headers(checklist, per, doc.answers)
    return {"headers": headers, "groups": groups, "per": per, "prefilled": doc.prefilled}


@writer(DocumentView, "html", kinds=DOCUMENT_KINDS)
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    return write_html(doc, options).encode("utf-8")

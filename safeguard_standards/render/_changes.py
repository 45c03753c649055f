"""The changes view in every format: Markdown, HTML, PDF, Word and JSON.

Both ``safeguard render SET --as changes`` and ``safeguard diff`` write a
:class:`~safeguard_standards.render._changes_view.ChangesView` (built from the typed diff and
the two checklists) with :func:`write_changes`, registered as the ChangesView writer of each
format; nothing here puts a change into words.

Formats: ``md``, ``html`` (self-contained), ``pdf`` (the HTML laid out by WeasyPrint), ``docx``
(python-docx: headings, paragraphs and runs) and ``json`` (the typed changes and the document's
words).
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from . import RenderOptions, writer
from ._changes_view import ChangesView, Entry, Run
from ._view import md_escape, md_inert

if TYPE_CHECKING:
    from jinja2 import Template

__all__ = ["CHANGES_FORMATS", "write_changes"]

#: The formats :func:`write_changes` writes.
CHANGES_FORMATS: tuple[str, ...] = ("md", "html", "pdf", "docx", "json")


# -- Markdown -------------------------------------------------------------------------------------


# The view holds plain text (prose already turned to text), so everything is escaped as plain
# text; only the summary is Markdown, made inert. A viewer shows it all and runs nothing.


def _md_runs(runs: Sequence[Run], mark: str) -> str:
    out = []
    for raw, marked in runs:
        text = md_escape(raw)
        if not marked:
            out.append(text)
            continue
        core = text.strip()
        if not core:
            out.append(text)
            continue
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        out.append(f"{lead}{mark}{core}{mark}{trail}")
    return "".join(out).strip()


def _md_entry(e: Entry) -> list[str]:
    lines = [f"### {md_escape(e.heading)}", ""]
    if e.meta:
        lines += [f"*{md_escape(e.meta)}*", ""]
    if e.before or e.now:
        lines += [f"**Before:** {_md_runs(e.before, '~~')}", ""]
        lines += [f"**Now:** {_md_runs(e.now, '**')}", ""]
    for d in e.details:
        lines.append(f"- {md_escape(d)}")
    if e.details:
        lines.append("")
    if e.note:
        lines += [f"> **Note:** {md_escape(' '.join(e.note.split()))}", ""]
    return lines


def render_markdown(view: ChangesView) -> str:
    """The document as Markdown."""
    lines = [f"# {md_escape(view.title)}", "", md_escape(view.facts), "", md_escape(view.intro)]
    lines += ["", "## Summary", "", md_inert(view.summary), ""]
    if view.tally:
        lines += [md_escape(view.tally), ""]
    if view.empty:
        lines += ["Nothing has changed.", ""]
    if view.whole:
        lines += ["## Changes to the whole audit", ""]
        lines += [f"- {md_escape(w)}" for w in view.whole]
        lines.append("")
    for _anchor, heading, entries in view.sections():
        lines += [f"## {md_escape(heading)}", ""]
        for e in entries:
            lines += _md_entry(e)
    return "\n".join(lines).rstrip() + "\n"


# -- HTML -----------------------------------------------------------------------------------------

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ v.title }}</title>
<style>
{{ css }}
del { color: #942514; background: #fbe9e7; text-decoration: line-through; }
ins { color: #005a30; background: #e6f4ea; text-decoration: underline; font-weight: bold; }
.entry { margin: 0.9rem 0 1.2rem; break-inside: avoid; }
.entry h3 { margin-bottom: 0.2em; }
.wording { margin: 0.3em 0; }
.wording .label { font-weight: bold; }
.note { border-left: 4px solid var(--sg-accent, #1d70b8); padding: 0.2em 0.8em; margin: 0.4em 0;
  background: #f3f2f1; }
.where { color: #505a5f; font-style: italic; margin: 0.1em 0 0.3em; }
</style>
</head>
<body class="kind-changes">
<header class="title-block">
{% if v.logo %}<img class="logo" src="{{ v.logo }}" alt="{{ v.publisher }}">{% endif %}
<h1 data-run-title="{{ v.set_title }}" data-run-version="{{ v.version }}"
 data-run-kind="{{ 'Local changes' if v.tailored else 'What has changed' }}">{{ v.title }}</h1>
<p class="meta">{{ v.facts }}</p>
<p>{{ v.intro }}</p>
</header>
<main>
<section aria-labelledby="summary">
<h2 id="summary">Summary</h2>
{% if v.summary_is_markdown %}{{ v.summary | md }}{% else %}<p>{{ v.summary }}</p>{% endif %}
{%- if v.tally %}
<p>{{ v.tally }}</p>{% endif %}
{% if v.empty %}<p>Nothing has changed.</p>{% endif %}
</section>
{% if v.whole %}
<section aria-labelledby="whole">
<h2 id="whole">Changes to the whole audit</h2>
<ul>{% for w in v.whole %}<li>{{ w }}</li>{% endfor %}</ul>
</section>
{% endif %}
{% for anchor, heading, entries in v.sections() %}
<section aria-labelledby="{{ anchor }}">
<h2 id="{{ anchor }}">{{ heading }}</h2>
{% for e in entries %}
<div class="entry">
<h3>{{ e.heading }}</h3>
{% if e.meta %}<p class="where">{{ e.meta }}</p>
{% endif %}
{% if e.before or e.now %}
<p class="wording"><span class="label">Before:</span> {{ runs(e.before, "del") }}</p>
<p class="wording"><span class="label">Now:</span> {{ runs(e.now, "ins") }}</p>
{% endif %}
{% if e.details %}<ul>{% for d in e.details %}<li>{{ d }}</li>{% endfor %}</ul>{% endif %}
{% if e.note %}<p class="note"><strong>Note:</strong> {{ e.note }}</p>{% endif %}
</div>
{% endfor %}
</section>
{% endfor %}
</main>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def _template() -> Template:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup, escape

    from ._view import md_to_html

    def runs(items: Sequence[Run], tag: str) -> Markup:
        out = []
        for text, marked in items:
            core = text.strip()
            if not marked or not core:
                out.append(str(escape(text)))
                continue
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            out.append(f"{escape(lead)}<{tag}>{escape(core)}</{tag}>{escape(trail)}")
        return Markup("".join(out))

    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = md_to_html
    env.globals["runs"] = runs
    return env.from_string(_TEMPLATE)


def render_html(view: ChangesView, extra_css: str = "") -> str:
    """The document as one self-contained HTML page; ``extra_css`` is a partnership's checked
    restyling (:func:`~._html.check_css`)."""
    from markupsafe import Markup

    from ._assets import content_security_policy
    from ._html import stylesheet

    # the partnership's --css too (checked by the format's caller), as every HTML and PDF has it
    css = stylesheet() + ("\n/* partnership styles */\n" + extra_css if extra_css else "")
    return _template().render(v=view, css=Markup(css), csp=content_security_policy())


# -- DOCX -----------------------------------------------------------------------------------------


def render_docx(view: ChangesView) -> bytes:
    """The document as Word (.docx): headings, paragraphs, runs (deleted words struck
    through, inserted words bold and underlined)."""
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    # a Word document property holds 255 characters at most (python-docx raises beyond)
    title = view.title if len(view.title) <= 255 else view.title[:254] + "…"
    document.core_properties.title = title
    document.add_heading(view.title, level=0)
    document.add_paragraph(view.facts)
    document.add_paragraph(view.intro)
    document.add_heading("Summary", level=1)
    if view.summary_is_markdown:
        from ._view import md_blocks

        for block in md_blocks(view.summary):
            style = "List Bullet" if block.kind in ("bullet", "ordered") else None
            p = document.add_paragraph(style=style)
            for r in block.runs:
                run = p.add_run(r.text)
                run.bold = r.bold or None
                run.italic = r.italic or None
    else:
        document.add_paragraph(view.summary)
    if view.tally:
        document.add_paragraph(view.tally)
    if view.empty:
        document.add_paragraph("Nothing has changed.")
    if view.whole:
        document.add_heading("Changes to the whole audit", level=1)
        for w in view.whole:
            document.add_paragraph(w, style="List Bullet")
    for _anchor, heading, entries in view.sections():
        document.add_heading(heading, level=1)
        for e in entries:
            document.add_heading(e.heading, level=2)
            if e.meta:
                p = document.add_paragraph()
                p.add_run(e.meta).italic = True
            if e.before or e.now:
                for label, runs, deleted in (("Before: ", e.before, True), ("Now: ", e.now, False)):
                    p = document.add_paragraph()
                    p.add_run(label).bold = True
                    for text, marked in runs:
                        run = p.add_run(text)
                        if marked and deleted:
                            run.font.strike = True
                            run.font.color.rgb = RGBColor(0x94, 0x25, 0x14)
                        elif marked:
                            run.bold = True
                            run.underline = True
                            run.font.color.rgb = RGBColor(0x00, 0x5A, 0x30)
            for d in e.details:
                document.add_paragraph(d, style="List Bullet")
            if e.note:
                p = document.add_paragraph(style="Intense Quote")
                p.add_run("Note: ").bold = True
                p.add_run(e.note)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- JSON -----------------------------------------------------------------------------------------


#: The ``format`` of the changes JSON; ``schema/changes.schema.json`` describes it.
FORMAT = "safeguard-standards/changes"
#: Bumped when a field is removed or changes meaning (adding fields does not bump it).
FORMAT_VERSION = 1


def render_json(view: ChangesView) -> str:
    """The typed changes (:meth:`~safeguard_standards.diff.Diff.to_dict`: ``old``, ``new``,
    ``tailored``, ``summary``, ``counts``, ``changes``) and, under ``document``, the document's
    words (marked runs as ``[text, marked]`` pairs); valid against
    ``schema/changes.schema.json`` (:func:`changes_schema`)."""
    document = attrs.asdict(view, filter=lambda a, _v: a.name != "diff")
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **view.diff.to_dict(),
        "document": document,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- every format ---------------------------------------------------------------------------------


def write_changes(view: ChangesView, fmt: str, extra_css: str = "") -> bytes:
    """The changes view as ``md``, ``html``, ``pdf``, ``docx`` or ``json`` (UTF-8 for text).

    Raises ValueError for another format.
    """
    if fmt == "md":
        return render_markdown(view).encode("utf-8")
    if fmt == "html":
        return render_html(view, extra_css).encode("utf-8")
    if fmt == "pdf":
        from ._pdf import html_to_pdf

        return html_to_pdf(render_html(view, extra_css), title=view.title, forms=False)
    if fmt == "docx":
        return render_docx(view)
    if fmt == "json":
        return render_json(view).encode("utf-8")
    raise ValueError(f"unknown changes format {fmt!r}: use " + ", ".join(CHANGES_FORMATS))


def changes_schema() -> dict[str, Any]:
    """The JSON Schema of the changes JSON."""
    from importlib.resources import files

    text = (files("safeguard_standards") / "schema" / "changes.schema.json").read_text(
        encoding="utf-8"
    )
    data: dict[str, Any] = json.loads(text)
    return data


# -- registration ---------------------------------------------------------------------------------


def _write(view: ChangesView, options: RenderOptions, fmt: str) -> bytes:
    extra = ""
    if options.css and fmt in ("html", "pdf"):
        from ._html import check_css

        extra = check_css(options.css, options.css_source)
    return write_changes(view, fmt, extra)


def _register(fmt: str) -> None:
    @writer(ChangesView, fmt)
    def _writer(view: ChangesView, options: RenderOptions) -> bytes:
        return _write(view, options, fmt)


for _fmt in CHANGES_FORMATS:
    _register(_fmt)

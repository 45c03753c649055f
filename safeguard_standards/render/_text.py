"""Markdown prose in every format: to HTML, to plain text, to runs for Word, and kept inert.

The set's prose is Markdown; :func:`md_to_html` (HTML and PDF), :func:`md_blocks` (Word),
:func:`md_to_text` (CSV, XLSX, plain text) read it with one parser, markdown-it-py, created on
first use. :func:`md_escape`, :func:`md_inert` and :func:`md_inert_checklist` keep Markdown
output (the ``md`` format, the changes document) showing text and running nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from ..model import Checklist

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markupsafe import Markup

__all__ = [
    "Block",
    "Run",
    "md_blocks",
    "md_escape",
    "md_inert",
    "md_inert_checklist",
    "md_inline_html",
    "md_to_html",
    "md_to_text",
]


# -- Markdown --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # js-default: raw HTML off; links to javascript:, vbscript:, file: and data: (except
    # images) are not rendered as links. Images are off too: a document never fetches
    # anything, so ![alt](url) is shown as a link to the url instead.
    return MarkdownIt("js-default").disable("image")


@functools.lru_cache(maxsize=8192)
def md_to_html(text: str) -> Markup:
    """Markdown prose as safe HTML (block level: ``<p>``, lists), cached by content.

    Uses markdown-it-py's ``js-default`` preset: raw HTML in the source is escaped, and
    unsafe link targets (``javascript:`` and the like) are not turned into links. The result
    is :class:`markupsafe.Markup`, so Jinja does not escape it again.
    """
    from markupsafe import Markup

    return Markup(_md().render(text))


@functools.lru_cache(maxsize=8192)
def md_inline_html(text: str) -> Markup:
    """Markdown as safe *inline* HTML (no ``<p>``), for legends, labels and table cells.

    Line breaks inside the text become spaces; cached by content.
    """
    from markupsafe import Markup

    return Markup(_md().renderInline(text.strip()))


@attrs.frozen
class Run:
    """A run of text with one formatting: what a Word run or a spreadsheet cell gets.

    ``href`` is set for a link's text (safe targets only).
    """

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""


@attrs.frozen
class Block:
    """A block of Markdown prose: ``paragraph``, ``bullet`` or ``ordered`` (a list item; ``level``
    is the nesting depth from 1, ``number`` the ordinal of an ordered item), ``heading``
    (``level`` 1-6), ``quote`` or ``code``."""

    kind: str
    runs: tuple[Run, ...]
    level: int = 0
    number: int = 0

    @property
    def text(self) -> str:
        """The block's text without formatting."""
        return "".join(r.text for r in self.runs)


def _inline_runs(token: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    hrefs: list[str] = []
    for child in token.children or ():
        t = child.type
        if t == "strong_open":
            bold += 1
        elif t == "strong_close":
            bold -= 1
        elif t == "em_open":
            italic += 1
        elif t == "em_close":
            italic -= 1
        elif t == "link_open":
            hrefs.append(str(child.attrGet("href") or ""))
        elif t == "link_close":
            if hrefs:
                hrefs.pop()
        elif t in ("text", "html_inline"):
            runs.append(Run(child.content, bold > 0, italic > 0, href=hrefs[-1] if hrefs else ""))
        elif t == "code_inline":
            runs.append(Run(child.content, bold > 0, italic > 0, True, hrefs[-1] if hrefs else ""))
        elif t == "softbreak":
            runs.append(Run(" ", bold > 0, italic > 0))
        elif t == "hardbreak":
            runs.append(Run("\n", bold > 0, italic > 0))
        elif t == "image":
            runs.append(Run(child.content or str(child.attrGet("alt") or "")))
    # merge neighbours with the same formatting
    merged: list[Run] = []
    for run in runs:
        if merged and attrs.evolve(merged[-1], text="") == attrs.evolve(run, text=""):
            merged[-1] = attrs.evolve(merged[-1], text=merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


@functools.lru_cache(maxsize=8192)
def md_blocks(text: str) -> tuple[Block, ...]:
    """Markdown prose as a flat sequence of :class:`Block` s of :class:`Run` s, cached by
    content: what a DOCX renderer turns into styled paragraphs and runs (List Bullet, bold,
    hyperlinks) without parsing Markdown itself."""
    blocks: list[Block] = []
    lists: list[list[int]] = []  # stack of [ordered?, counter]
    kind = "paragraph"
    level = 0
    for tok in _md().parse(text):
        t = tok.type
        if t == "bullet_list_open":
            lists.append([0, 0])
        elif t == "ordered_list_open":
            start = tok.attrGet("start")
            lists.append([1, int(start) - 1 if start is not None else 0])
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "list_item_open":
            if lists:
                lists[-1][1] += 1
        elif t == "heading_open":
            kind, level = "heading", int(tok.tag[1:])
        elif t == "blockquote_open":
            kind = "quote"
        elif t == "blockquote_close":
            kind = "paragraph"
        elif t in ("fence", "code_block"):
            blocks.append(Block("code", (Run(tok.content.rstrip("\n"), code=True),)))
        elif t == "inline":
            runs = tuple(_inline_runs(tok))
            if lists:
                ordered, counter = lists[-1]
                blocks.append(Block("ordered" if ordered else "bullet", runs, len(lists), counter))
            elif kind == "heading":
                blocks.append(Block("heading", runs, level))
                kind = "paragraph"
            else:
                blocks.append(Block(kind, runs))
    return tuple(blocks)


@functools.lru_cache(maxsize=8192)
def md_to_text(text: str) -> str:
    """Markdown prose as plain text (for spreadsheet cells, CSV and plain DOCX runs).

    Emphasis marks are dropped; a link becomes "text (url)" when the url differs from the
    text; list items become "• item" or "1. item" lines (indented two spaces per nesting
    level); paragraphs are separated by a blank line. Cached by content.
    """
    lines: list[str] = []
    previous = ""
    for block in md_blocks(text):
        body = _runs_text(block.runs)
        if block.kind in ("bullet", "ordered"):
            mark = "•" if block.kind == "bullet" else f"{block.number}."
            line = "  " * (block.level - 1) + f"{mark} {body}"
            if lines and previous not in ("bullet", "ordered"):
                lines.append("")
            lines.append(line)
        else:
            if lines:
                lines.append("")
            lines.append(body)
        previous = block.kind
    return "\n".join(lines)


def _runs_text(runs: Sequence[Run]) -> str:
    out = []
    for i, run in enumerate(runs):
        out.append(run.text)
        ends_link = run.href and (i + 1 == len(runs) or runs[i + 1].href != run.href)
        if ends_link and not run.href.startswith("#"):
            link_text = "".join(r.text for r in runs if r.href == run.href)
            target = run.href.removeprefix("mailto:")
            if target != link_text:
                out.append(f" ({target})")
    return "".join(out)


# -- Markdown output that stays inert -----------------------------------------------------------

#: Model fields holding Markdown prose (the schema's Markdown fields, and evidence prompts,
#: which renderers also treat as Markdown). Titles and labels are plain text, which each
#: renderer escapes in its own way.
_PROSE = frozenset(
    {
        "text",
        "why",
        "good",
        "support",
        "description",
        "change_summary",
        "intro",
        "expectation",
        "guidance",
        "describe",
        "change_note",
        "evidence",
    }
)
_CODE = re.compile(r"(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$|`+[^`]*`+)", re.MULTILINE | re.DOTALL)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Plain text (a title, a label) made literal inside Markdown: specials backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_inert(text: str) -> str:
    """Markdown that any viewer shows as text: no raw HTML, no images that load on opening.

    Outside code spans and fenced blocks, ``<`` is backslash-escaped (so ``<script>`` and
    ``<img onerror=…>`` show as written) and ``![alt](url)`` becomes ``!`` and a plain link.
    Links are left to the viewer, whose link validation refuses ``javascript:`` and the like.
    """
    if "<" not in text and "![" not in text:
        return text
    parts = _CODE.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside code
        parts[i] = parts[i].replace("<", "\\<").replace("![", "\\![")
    return "".join(parts)


def md_inert_checklist(checklist: Checklist) -> Checklist:
    """A copy of ``checklist`` whose Markdown prose went through :func:`md_inert`."""
    return cast(Checklist, _inert(checklist, prose=False))


def _inert(value: Any, prose: bool) -> Any:
    if isinstance(value, str):
        return md_inert(value) if prose else value
    if isinstance(value, tuple):
        return tuple(_inert(v, prose) for v in value)
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            if not field.init or field.name == "loc":
                continue
            old = getattr(value, field.name)
            new = _inert(old, field.name in _PROSE)
            if new is not old and new != old:
                changes[field.name.lstrip("_")] = new
        return attrs.evolve(value, **changes) if changes else value
    return value

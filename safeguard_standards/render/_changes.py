"""The "what changed" document: what is different in this version, for the people who fill it in.

``render(new, "changes", fmt, RenderOptions(previous=old))`` compares ``old`` with ``new``
(:func:`safeguard_standards.diff.diff`) and writes a document for a school's designated
safeguarding lead or an agency's safeguarding lead: the new questions, the ones removed, the
reworded ones with their old and new wording (changed words marked), the ones that moved, the
other changes that matter when filling the form in (who a question is for, when it is asked,
whether it is on the return, the evidence and guidance), the changes to the rating scales,
references and return deadline, and every change note and the change summary from the YAML.

Formats: ``md``, ``html`` (self-contained), ``pdf`` (the HTML laid out by WeasyPrint), ``docx``
(python-docx: headings, paragraphs and runs) and ``json`` (the same content as data).
Identifiers (``leadership.governance.named-governor``) are left out of the prose; questions are
named by their printed number, as on the form.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..diff import Change, Diff, Kind, WordOp, diff, word_diff
from ..model import AppliesTo, Checklist, Question
from . import RenderError, RenderOptions, renderer
from ._view import condition_text, logo_data_uri, md_escape, md_inert, md_to_text

if TYPE_CHECKING:
    from jinja2 import Template

__all__ = ["ChangesView", "Entry", "build_changes"]

#: A run of text, marked (``True``: deleted in a "before", inserted in a "now") or not.
Run = tuple[str, bool]

_TYPE_WORDS = {
    "rating": "a rating",
    "yes-no": "Yes or No",
    "number": "a number",
    "percentage": "a percentage",
    "date": "a date",
    "text": "a written answer",
    "choice": "one option from a list",
    "multi-choice": "any number of options from a list",
}

_GUIDANCE_PARTS = {
    "guidance.why": "why this is asked",
    "guidance.good": "what good looks like",
    "guidance.support": "where to get help",
    "guidance": "the guidance",
}


@attrs.frozen(kw_only=True)
class Entry:
    """One item of the document: a question (or standard, section) and what changed about it."""

    #: Printed number in this version ("" when removed) and in the previous one.
    number: str = ""
    old_number: str = ""
    #: What kind of item: question, standard, section.
    item: str = "question"
    #: The item's wording (a question's text, a title) as plain text.
    text: str = ""
    #: Where it is: "Section › Standard" (in the previous version for removed items).
    where: str = ""
    #: Where it was, for moved items.
    was_where: str = ""
    #: For reworded items: the old wording with deleted words marked, the new with inserted
    #: words marked.
    before: tuple[Run, ...] = ()
    now: tuple[Run, ...] = ()
    #: Other changes, as sentences: "Now on the return form."
    details: tuple[str, ...] = ()
    #: The change note from the YAML (Markdown), as plain text.
    note: str = ""
    #: On the short return form.
    in_return: bool = False

    @property
    def heading(self) -> str:
        """``7.2.2 Has the setting…`` (``Was 17.3.2: …`` for a removed item)."""
        if not self.number:
            return f"Was {self.old_number}: {self.text}" if self.old_number else self.text
        if self.old_number and self.old_number != self.number:
            return f"{self.number} (was {self.old_number}) {self.text}"
        return f"{self.number} {self.text}"


@attrs.frozen(kw_only=True)
class ChangesView:
    """Everything the "what changed" document says, in order, for every format."""

    title: str
    set_title: str
    version: str
    previous: str
    #: "1 September 2025 to 31 August 2026", or "".
    effective: str
    publisher: str
    #: One sentence under the title.
    intro: str
    #: The new version's change summary (Markdown), or a sentence counting the changes.
    summary: str
    summary_is_markdown: bool
    new_questions: tuple[Entry, ...] = ()
    reworded: tuple[Entry, ...] = ()
    moved: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    other: tuple[Entry, ...] = ()
    structure: tuple[Entry, ...] = ()
    #: Set-wide changes, as sentences: scales, references, return deadline.
    whole: tuple[str, ...] = ()
    #: Change notes from the YAML on items with no change listed above.
    notes: tuple[Entry, ...] = ()
    #: True when nothing changed.
    empty: bool = False
    #: True for a partnership's local version compared with the national set it extends.
    tailored: bool = False

    @property
    def facts(self) -> str:
        """The line under the title: versions, dates, publisher."""
        if self.tailored:
            parts = [f"Local version of the national {self.version} audit."]
        else:
            parts = [f"Version {self.version}, compared with {self.previous}."]
        if self.effective:
            parts.append(f"For {self.effective}.")
        if self.publisher:
            parts.append(f"Issued by {self.publisher}.")
        return " ".join(parts)

    def sections(self) -> list[tuple[str, str, tuple[Entry, ...]]]:
        """(anchor, heading, entries) for each non-empty group, in document order."""
        local = self.tailored
        groups = [
            ("new", "Local questions" if local else "New questions", self.new_questions),
            ("reworded", "Reworded questions", self.reworded),
            ("moved", "Questions that have moved", self.moved),
            (
                "removed",
                "National questions left out" if local else "Questions that have been removed",
                self.removed,
            ),
            (
                "other",
                "National questions changed locally" if local else "Other changes to questions",
                self.other,
            ),
            ("structure", "Changes to sections and standards", self.structure),
            ("notes", "Other notes on this version", self.notes),
        ]
        return [(a, f"{h} ({len(e)})", e) for a, h, e in groups if e]


# -- building the view ----------------------------------------------------------------------------


def _long_date(iso: str) -> str:
    import datetime

    try:
        d = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _sides(words: Sequence[WordOp]) -> tuple[tuple[Run, ...], tuple[Run, ...]]:
    before: list[Run] = []
    now: list[Run] = []
    for w in words:
        if w.op in ("=", "-"):
            before.append((w.text, w.op == "-"))
        if w.op in ("=", "+"):
            now.append((w.text, w.op == "+"))
    return tuple(before), tuple(now)


def _plain(text: str) -> str:
    return md_to_text(text).strip() if text else ""


class _Builder:
    def __init__(self, old: Checklist, new: Checklist, result: Diff) -> None:
        self.old = old
        self.new = new
        self.diff = result
        self.where_new = _places(new)
        self.where_old = _places(old)
        self.shown_notes: set[str] = set()

    def q_new(self, full_id: str) -> Question | None:
        return self.new.question(full_id)

    def q_old(self, full_id: str) -> Question | None:
        return self.old.question(full_id)

    def audience_text(self, c: Checklist, applies: AppliesTo) -> str:
        if not applies:
            return "everyone"
        parts = []
        for dim, values in applies:
            audience = c.audience(dim)
            labels = [audience.label_of(v) if audience else v for v in values]
            parts.append(", ".join(labels))
        return "; ".join(parts)

    def ref_title(self, cite_text: str, c: Checklist) -> str:
        key, _, rest = cite_text.partition(", ")
        key = key.split(" (")[0]
        ref = c.reference(key)
        title = ref.title if ref else key
        return f"{title}, {rest}" if rest else title

    def detail(self, ch: Change) -> str:
        k = ch.kind
        if k is Kind.TYPE:
            return (
                f"The answer is now {_TYPE_WORDS.get(ch.new, ch.new)} "
                f"(it was {_TYPE_WORDS.get(ch.old, ch.old)})."
            )
        if k is Kind.SCALE:
            scale = self.new.scale(ch.new)
            levels = " / ".join(v.label for v in scale.levels) if scale else ch.new
            return f"It is now rated on a different scale: {levels}."
        if k is Kind.OPTIONS:
            parts = []
            if ch.added:
                parts.append("new options: " + "; ".join(_option_label(a) for a in ch.added))
            if ch.removed:
                parts.append("options removed: " + "; ".join(_option_label(r) for r in ch.removed))
            if not parts:
                parts.append("the options are in a different order")
            return "Answer options changed: " + "; ".join(parts) + "."
        if k is Kind.ANSWER:
            if ch.field == "required":
                return (
                    "An answer is now required."
                    if ch.new == "yes"
                    else "An answer is now optional."
                )
            if ch.field == "priority":
                return f"It is now marked {ch.new or 'without a priority'}."
            what = {
                "unit": "unit",
                "min": "smallest allowed answer",
                "max": "largest allowed answer",
            }
            return (
                f"The {what.get(ch.field, ch.field)} is now {ch.new or 'not set'} "
                f"(it was {ch.old or 'not set'})."
            )
        if k is Kind.APPLICABILITY:
            new_node = _node(self.new, ch.item, ch.id)
            old_node = _node(self.old, ch.item, ch.old_id)
            now = self.audience_text(self.new, new_node.applies_to if new_node else ())
            was = self.audience_text(self.old, old_node.applies_to if old_node else ())
            return f"Who it applies to has changed: now {now} (it was {was})."
        if k is Kind.CONDITION:
            nq, oq = self.q_new(ch.id), self.q_old(ch.old_id)
            now = condition_text(nq.ask_if, self.new) if nq and nq.ask_if else ""
            was = condition_text(oq.ask_if, self.old) if oq and oq.ask_if else ""
            if not now:
                return f"It is now asked of everyone (it was: {was.lower()})."
            return f"When it is asked has changed: {now}" + (
                f" (it was: {was.lower()})." if was else " (it was asked of everyone)."
            )
        if k is Kind.RETURN:
            if ch.new == "yes":
                return "It is now on the return form sent to the partnership."
            return "It is no longer on the return form sent to the partnership."
        if k is Kind.EVIDENCE:
            parts = []
            if ch.added:
                parts.append(
                    "New evidence prompts: " + "; ".join(_plain(a) for a in ch.added) + "."
                )
            if ch.removed:
                parts.append(
                    "Evidence prompts removed: " + "; ".join(_plain(r) for r in ch.removed) + "."
                )
            return " ".join(parts)
        if k is Kind.GUIDANCE:
            part = _GUIDANCE_PARTS.get(ch.field, ch.field)
            if not ch.new:
                return f"The guidance on {part} has been removed."
            return f"The guidance on {part} now says: {_plain(ch.new)}"
        if k is Kind.CITATIONS:
            parts = []
            if ch.added:
                parts.append(
                    "now also refers to " + "; ".join(self.ref_title(a, self.new) for a in ch.added)
                )
            if ch.removed:
                parts.append(
                    "no longer refers to "
                    + "; ".join(self.ref_title(r, self.old) for r in ch.removed)
                )
            text = " and ".join(parts)
            return text[:1].upper() + text[1:] + "."
        if k is Kind.REWORDED:
            what = {"title": "title", "expectation": "expectation", "intro": "introduction"}
            return (
                f"The {what.get(ch.field, ch.field)} now reads: {_plain(ch.new)} "
                f"(it was: {_plain(ch.old)})"
            )
        if k is Kind.RENAMED:
            return "Its reference in returns has changed; it is the same item."
        return ""

    def entry_for(self, ch: Change, details: Sequence[str] = ()) -> Entry:
        removed = ch.kind is Kind.REMOVED
        q = self.q_old(ch.old_id) if removed else self.q_new(ch.id)
        note = _plain(ch.note)
        if ch.note:
            self.shown_notes.add(ch.id)
        return Entry(
            number="" if removed else ch.number,
            old_number=ch.old_number,
            item=ch.item,
            text=_plain(ch.label),
            where=(self.where_old if removed else self.where_new).get(
                ch.old_id if removed else ch.id, ""
            ),
            was_where=self.where_old.get(ch.old_id, "") if ch.kind is Kind.MOVED else "",
            details=tuple(d for d in details if d),
            note=note,
            in_return=bool(q and q.in_return),
        )

    def build(self, options: RenderOptions) -> ChangesView:
        d = self.diff
        new, old = self.new, self.old
        by_item: dict[tuple[str, str, str], list[Change]] = {}
        order: list[tuple[str, str, str]] = []
        key: tuple[str, str, str]
        whole: list[str] = []
        for ch in d.changes:
            if ch.item in ("set", "scale", "reference", "audience"):
                sentence = self.whole_sentence(ch)
                if sentence:
                    whole.append(sentence)
                continue
            key = (ch.item, ch.id, ch.old_id)
            if key not in by_item:
                by_item[key] = []
                order.append(key)
            by_item[key].append(ch)

        new_questions: list[Entry] = []
        reworded: list[Entry] = []
        moved: list[Entry] = []
        removed: list[Entry] = []
        other: list[Entry] = []
        structure: list[Entry] = []
        for key in order:
            changes = by_item[key]
            first = changes[0]
            kinds = {c.kind for c in changes}
            if first.item != "question":
                structure.append(self.structure_entry(changes))
                continue
            if Kind.ADDED in kinds:
                new_questions.append(self.entry_for(first))
                continue
            if Kind.REMOVED in kinds:
                removed.append(self.entry_for(first))
                continue
            text_change = next(
                (c for c in changes if c.kind in (Kind.REWORDED, Kind.POSSIBLY_RENAMED)), None
            )
            rest = [
                self.detail(c)
                for c in changes
                if c.kind not in (Kind.REWORDED, Kind.POSSIBLY_RENAMED, Kind.MOVED)
            ]
            if Kind.MOVED in kinds:
                entry = self.entry_for(next(c for c in changes if c.kind is Kind.MOVED), rest)
                if text_change is not None:
                    entry = self.with_wording(entry, text_change)
                moved.append(entry)
                continue
            if text_change is not None:
                reworded.append(self.with_wording(self.entry_for(text_change, rest), text_change))
                continue
            other.append(self.entry_for(first, rest))

        notes = self.other_notes()
        summary = new.change_summary
        counts_sentence = _count_sentence(
            len(new_questions), len(reworded), len(moved), len(removed), len(other)
        )
        if d.tailored:
            intro = (
                f"This is the national {old.title} ({old.version}) as adapted locally"
                + (f" by {new.publisher.name}" if new.publisher else "")
                + ". It lists every local change."
            )
            title = f"Local changes: {new.title}"
        else:
            intro = (
                f"This lists what has changed in version {new.version} since version "
                f"{old.version}, so that you can see what to look at again when you fill it in."
            )
            title = f"What has changed: {new.title}"
        effective = ""
        if new.effective_from:
            effective = _long_date(new.effective_from)
            if new.effective_to:
                effective += f" to {_long_date(new.effective_to)}"
        return ChangesView(
            title=title,
            set_title=new.title,
            version=new.version,
            previous=old.version,
            effective=effective,
            publisher=new.publisher.name if new.publisher else "",
            intro=intro,
            summary=summary or counts_sentence,
            summary_is_markdown=bool(summary),
            new_questions=tuple(new_questions),
            reworded=tuple(reworded),
            moved=tuple(moved),
            removed=tuple(removed),
            other=tuple(other),
            structure=tuple(structure),
            whole=tuple(whole),
            notes=notes,
            empty=not d.changes,
            tailored=d.tailored,
        )

    def with_wording(self, entry: Entry, ch: Change) -> Entry:
        words = word_diff(_plain(ch.old), _plain(ch.new))
        before, now = _sides(words)
        details = entry.details
        if ch.kind is Kind.POSSIBLY_RENAMED:
            details = (
                *details,
                "This replaces a question with very similar wording in the previous version.",
            )
        return attrs.evolve(entry, before=before, now=now, details=details)

    def structure_entry(self, changes: Sequence[Change]) -> Entry:
        first = changes[0]
        item = first.item
        label = "Section" if item == "section" else "Standard"
        kinds = {c.kind for c in changes}
        entry = self.entry_for(first)
        if Kind.ADDED in kinds:
            return attrs.evolve(entry, details=(f"New {item}.",))
        if Kind.REMOVED in kinds:
            return attrs.evolve(entry, details=(f"{label} removed.",))
        details = []
        for c in changes:
            if c.kind is Kind.MOVED:
                details.append(
                    f"Moved from {self.where_old.get(c.old_id, '') or c.old_number} "
                    f"({c.old_number} in the previous version)."
                )
            else:
                details.append(self.detail(c))
        return attrs.evolve(entry, details=tuple(x for x in details if x))

    def whole_sentence(self, ch: Change) -> str:
        k, item = ch.kind, ch.item
        if item == "reference":
            if k is Kind.REPLACED:
                return f"{ch.old} is replaced by {ch.new} throughout."
            if k is Kind.ADDED:
                return f"New reference: {ch.label}."
            if k is Kind.REMOVED:
                return f"No longer referred to: {ch.label}."
            ref = self.new.reference(ch.id)
            title = ref.title if ref else ch.id
            return f"The {ch.field} of the reference {title} is now {ch.new or 'not given'}."
        if item == "scale":
            if k is Kind.ADDED:
                return f"A new rating scale: {ch.label}."
            if k is Kind.REMOVED:
                return f"A rating scale is no longer used: {ch.label}."
            scale = self.new.scale(ch.id)
            levels = " / ".join(v.label for v in scale.levels) if scale else ch.id
            return f"The rating scale {levels} has changed: check what each level means."
        if item == "audience":
            if k is Kind.ADDED:
                return f"Questions can now be selected by: {ch.label}."
            if k is Kind.REMOVED:
                return f"Questions are no longer selected by: {ch.label}."
            parts = []
            if ch.added:
                parts.append("new: " + "; ".join(_option_label(a) for a in ch.added))
            if ch.removed:
                parts.append("removed: " + "; ".join(_option_label(r) for r in ch.removed))
            return f"The choices for {ch.label or ch.id} have changed ({', '.join(parts)})."
        # the set's metadata
        field = ch.field
        if field == "publisher.return_deadline":
            if not ch.new:
                return "There is no longer a return deadline."
            return f"Returns are due by {_long_date(ch.new)}" + (
                f" (it was {_long_date(ch.old)})." if ch.old else "."
            )
        if field == "title":
            return f"The audit is now called {ch.new} (it was {ch.old})."
        if field == "publisher.name":
            return f"It is now issued by {ch.new}."
        if field == "publisher.contact":
            return f"Questions about the audit now go to {ch.new}."
        if field == "default_scale":
            return "Rating questions now use a different scale by default."
        if field.startswith("action_plan"):
            return "The layout of the action plan has changed."
        return ""

    def other_notes(self) -> tuple[Entry, ...]:
        numbers = self.new.numbering()
        out = []
        for s in self.new.sections:
            nodes: list[Any] = [s]
            for st in s.standards:
                nodes.append(st)
                nodes.extend(st.questions)
            for node in nodes:
                if node.change_note and node.full_id not in self.shown_notes:
                    text = node.text if isinstance(node, Question) else node.title
                    out.append(
                        Entry(
                            number=numbers.get(node.full_id, ""),
                            item=_item_of(node),
                            text=_plain(text),
                            where=self.where_new.get(node.full_id, ""),
                            note=_plain(node.change_note),
                        )
                    )
        return tuple(out)


def _item_of(node: Any) -> str:
    if isinstance(node, Question):
        return "question"
    return "standard" if hasattr(node, "questions") else "section"


def _option_label(text: str) -> str:
    """``Label (id)`` → ``Label``."""
    return text.rsplit(" (", 1)[0] if text.endswith(")") else text


def _node(c: Checklist, item: str, full_id: str) -> Any:
    for s in c.sections:
        if item == "section" and s.id == full_id:
            return s
        for st in s.standards:
            if item == "standard" and st.full_id == full_id:
                return st
            if item == "question":
                for q in st.questions:
                    if q.full_id == full_id:
                        return q
    return None


def _places(c: Checklist) -> dict[str, str]:
    """Full id → "Section › Standard" (for questions), "Section" (for standards)."""
    out: dict[str, str] = {}
    for s in c.sections:
        for st in s.standards:
            out[st.full_id] = s.title
            for q in st.questions:
                out[q.full_id] = f"{s.title} › {st.title}"
    return out


def _count_sentence(added: int, reworded: int, moved: int, removed: int, other: int) -> str:
    parts = []
    for n, what in (
        (added, "new"),
        (reworded, "reworded"),
        (moved, "moved"),
        (removed, "removed"),
        (other, "otherwise changed"),
    ):
        if n:
            parts.append(f"{n} {what}")
    if not parts:
        return "No questions have changed."
    return "Questions: " + ", ".join(parts) + "."


def build_changes(
    new: Checklist, previous: Checklist, options: RenderOptions | None = None
) -> ChangesView:
    """The "what changed" document from ``previous`` to ``new``, ready for any format."""
    result = diff(previous, new)
    return _Builder(previous, new, result).build(options or RenderOptions())


def _view(checklist: Checklist, options: RenderOptions) -> ChangesView:
    if options.previous is None:
        raise RenderError(
            "a 'changes' document needs the previous version to compare with",
            "give --since VERSION, or name the version this one replaces in 'supersedes:'",
        )
    return build_changes(checklist, options.previous, options)


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
    meta = []
    if e.was_where:
        meta.append(f"Now in: {md_escape(e.where)}. It was in: {md_escape(e.was_where)}.")
    elif e.where:
        meta.append(f"In: {md_escape(e.where)}.")
    if e.in_return:
        meta.append("On the return form.")
    if meta:
        lines += ["*" + " ".join(meta) + "*", ""]
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
{% if logo %}<img class="logo" src="{{ logo }}" alt="{{ v.publisher }}">{% endif %}
<h1 data-run-title="{{ v.set_title }}" data-run-version="{{ v.version }}"
 data-run-kind="{{ 'Local changes' if v.tailored else 'What has changed' }}">{{ v.title }}</h1>
<p class="meta">{{ v.facts }}</p>
<p>{{ v.intro }}</p>
</header>
<main>
<section aria-labelledby="summary">
<h2 id="summary">Summary</h2>
{% if v.summary_is_markdown %}{{ v.summary | md }}{% else %}<p>{{ v.summary }}</p>{% endif %}
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
{% if e.was_where %}<p class="where">Now in: {{ e.where }}. It was in: {{ e.was_where }}.
{%- if e.in_return %} On the return form.{% endif %}</p>
{% elif e.where %}<p class="where">In: {{ e.where }}.
{%- if e.in_return %} On the return form.{% endif %}</p>
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


def render_html(view: ChangesView, checklist: Checklist, options: RenderOptions) -> str:
    """The document as one self-contained HTML page."""
    from markupsafe import Markup

    from ._html import _css

    logo = logo_data_uri(checklist.publisher, options.base_dir) if checklist.publisher else ""
    # the partnership's --css too, as every HTML and PDF document has it
    return _template().render(v=view, css=Markup(_css(options)), logo=logo)


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
            meta = ""
            if e.was_where:
                meta = f"Now in: {e.where}. It was in: {e.was_where}."
            elif e.where:
                meta = f"In: {e.where}."
            if e.in_return:
                meta += " On the return form."
            if meta:
                p = document.add_paragraph()
                p.add_run(meta.strip()).italic = True
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
    """The document's content as JSON (marked runs as ``[text, marked]`` pairs), valid
    against ``schema/changes.schema.json`` (:func:`changes_schema`)."""
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, **attrs.asdict(view)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def changes_schema() -> dict[str, Any]:
    """The JSON Schema of the changes JSON."""
    from importlib.resources import files

    text = (files("safeguard_standards") / "schema" / "changes.schema.json").read_text(
        encoding="utf-8"
    )
    data: dict[str, Any] = json.loads(text)
    return data


# -- registration ---------------------------------------------------------------------------------


@renderer("changes", "md")
def _changes_md(checklist: Checklist, options: RenderOptions) -> bytes:
    return render_markdown(_view(checklist, options)).encode("utf-8")


@renderer("changes", "html")
def _changes_html(checklist: Checklist, options: RenderOptions) -> bytes:
    return render_html(_view(checklist, options), checklist, options).encode("utf-8")


@renderer("changes", "pdf")
def _changes_pdf(checklist: Checklist, options: RenderOptions) -> bytes:
    from ._pdf import html_to_pdf

    view = _view(checklist, options)
    return html_to_pdf(render_html(view, checklist, options), title=view.title, forms=False)


@renderer("changes", "docx")
def _changes_docx(checklist: Checklist, options: RenderOptions) -> bytes:
    return render_docx(_view(checklist, options))


@renderer("changes", "json")
def _changes_json(checklist: Checklist, options: RenderOptions) -> bytes:
    return render_json(_view(checklist, options)).encode("utf-8")

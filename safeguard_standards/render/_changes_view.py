"""The changes view: what changed from one version of a set to the next, in words, for every format.

:func:`build_changes` turns a :class:`~safeguard_standards.diff.Diff` and the two checklists it
compares into a :class:`ChangesView`: the new questions, the ones removed, the reworded ones
with their old and new wording (changed words marked), the ones that moved, the other changes
that matter when filling the form in (who a question is for, when it is asked, whether it is on
the return, the evidence and guidance), the changes to the rating scales, references and return
deadline, and every change note and the change summary from the YAML.

This is the one place where a change is put into words. The diff holds typed values (a
:class:`~safeguard_standards.model.Citation`, a :class:`~safeguard_standards.model.Condition`, a
number); nothing here reads formatted text back. Both ``safeguard render SET --as changes`` (for
the people who fill the form in) and ``safeguard diff`` (for the people who edit the YAML:
``complete=True`` adds the ids, every set-level change and the ``formerly`` hints) render this
view, in every format (:mod:`safeguard_standards.render._changes`).

Identifiers (``leadership.governance.named-governor``) are left out of the prose; questions are
named by their printed number, as on the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..diff import Change, Diff, Kind, Value, WordOp, diff, word_diff
from ..model import (
    ActionPlanColumn,
    AppliesTo,
    AudienceValue,
    Checklist,
    Citation,
    Condition,
    Option,
    Question,
)
from . import RenderOptions, view_builder
from ._number import number_text
from ._view import (
    _long_date,
    citation_view,
    condition_text,
    logo_data_uri,
    md_to_text,
)

__all__ = ["ChangesView", "Entry", "Run", "build_changes"]

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

#: Set-level fields that matter to the people who edit the YAML but not to those who fill the
#: form in (the dates and the publisher are in the document's own heading): listed only in the
#: complete view.
_AUTHORS_ONLY = frozenset(
    {"status", "effective.from", "effective.to", "description", "publisher.url", "publisher.logo"}
)


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
    #: In the complete view only: the item's id, "old → new" when it changed ("" otherwise).
    ids: str = ""

    @property
    def heading(self) -> str:
        """``7.2.2 Has the setting…`` (``Was 17.3.2: …`` for a removed item)."""
        if not self.number:
            return f"Was {self.old_number}: {self.text}" if self.old_number else self.text
        if self.old_number and self.old_number != self.number:
            return f"{self.number} (was {self.old_number}) {self.text}"
        return f"{self.number} {self.text}"

    @property
    def meta(self) -> str:
        """The line under the heading: where it is (and was), on the return form, its id."""
        parts = []
        if self.was_where:
            parts.append(f"Now in: {self.where}. It was in: {self.was_where}.")
        elif self.where:
            parts.append(f"In: {self.where}.")
        if self.in_return:
            parts.append("On the return form.")
        if self.ids:
            parts.append(f"Id: {self.ids}.")
        return " ".join(parts)


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
    #: In the complete view: how many changes of each kind ("12 changes: 3 added, …").
    tally: str = ""
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
    #: The publisher's logo as a ``data:`` URI, or "".
    logo: str = ""
    #: The typed changes the document is written from (the JSON output carries them).
    diff: Diff = attrs.field(repr=False)

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


# -- words for typed values ---------------------------------------------------------------------


def _sides(words: Sequence[WordOp]) -> tuple[tuple[Run, ...], tuple[Run, ...]]:
    before: list[Run] = []
    now: list[Run] = []
    for w in words:
        if w.op in ("=", "-"):
            before.append((w.text, w.op == "-"))
        if w.op in ("=", "+"):
            now.append((w.text, w.op == "+"))
    return tuple(before), tuple(now)


def _plain(text: Value) -> str:
    return md_to_text(text).strip() if isinstance(text, str) and text else ""


def _str(value: Value) -> str:
    """A text value as it is ("" for None)."""
    return value if isinstance(value, str) else ""


def _number(value: Value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _str(value)
    return number_text(value)


def _cite_words(cite: Citation, checklist: Checklist) -> str:
    """``Keeping children safe in education 2025, Part two (see …)``: the reference's title
    (its key when the set has no such reference), where in it, and the note."""
    text = citation_view(cite, checklist).title
    if cite.at:
        text += f", {cite.at}"
    return text + (f" ({' '.join(cite.note.split())})" if cite.note else "")


def _labels(entries: Sequence[Any]) -> str:
    """Options, audience values, action-plan columns: their labels, joined."""
    out = []
    for e in entries:
        if isinstance(e, (Option, AudienceValue, ActionPlanColumn)):
            out.append(e.label)
        elif isinstance(e, str):
            out.append(_plain(e))
    return "; ".join(out)


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


def _tally(d: Diff) -> str:
    if not d:
        return "No differences."
    parts = [f"{n} {kind}" for kind, n in d.counts().items()]
    return f"{len(d)} change{'s' if len(d) != 1 else ''}: " + ", ".join(parts) + "."


def _places(c: Checklist) -> dict[str, str]:
    """Full id → "Section › Standard" (for questions), "Section" (for standards)."""
    out: dict[str, str] = {}
    for s in c.sections:
        for st in s.standards:
            out[st.full_id] = s.title
            for q in st.questions:
                out[q.full_id] = f"{s.title} › {st.title}"
    return out


def _item_of(node: Any) -> str:
    if isinstance(node, Question):
        return "question"
    return "standard" if hasattr(node, "questions") else "section"


# -- building the view ----------------------------------------------------------------------------


class _Builder:
    def __init__(self, old: Checklist, new: Checklist, result: Diff, complete: bool) -> None:
        self.old = old
        self.new = new
        self.diff = result
        self.complete = complete
        self.where_new = _places(new)
        self.where_old = _places(old)
        self.shown_notes: set[str] = set()

    def audience_text(self, c: Checklist, applies: AppliesTo) -> str:
        if not applies:
            return "everyone"
        parts = []
        for dim, values in applies:
            audience = c.audience(dim)
            labels = [audience.label_of(v) if audience else v for v in values]
            parts.append(", ".join(labels))
        return "; ".join(parts)

    def themes(self, ids: Sequence[Any], c: Checklist) -> str:
        """Theme ids as their titles in ``c`` (the id itself if ``c`` does not declare it)."""
        titles = []
        for i in ids:
            theme = c.theme(str(i))
            titles.append(f"“{theme.title}”" if theme is not None else f"“{i}”")
        return ", ".join(titles)

    def citations(self, cites: Sequence[Any], c: Checklist) -> str:
        return "; ".join(_cite_words(x, c) for x in cites if isinstance(x, Citation))

    def detail(self, ch: Change) -> str:
        k = ch.kind
        if k is Kind.TYPE:
            new, old = _str(ch.new), _str(ch.old)
            return (
                f"The answer is now {_TYPE_WORDS.get(new, new)} "
                f"(it was {_TYPE_WORDS.get(old, old)})."
            )
        if k is Kind.SCALE:
            scale = self.new.scale(_str(ch.new) or self.new.default_scale)
            levels = " / ".join(v.label for v in scale.levels) if scale else _str(ch.new)
            return f"It is now rated on a different scale: {levels}."
        if k is Kind.OPTIONS:
            parts = []
            if ch.added:
                parts.append("new options: " + _labels(ch.added))
            if ch.removed:
                parts.append("options removed: " + _labels(ch.removed))
            if not parts:
                parts.append("the options are in a different order")
            return "Answer options changed: " + "; ".join(parts) + "."
        if k is Kind.ANSWER:
            if ch.field == "required":
                return "An answer is now required." if ch.new else "An answer is now optional."
            if ch.field == "priority":
                return f"It is now marked {_str(ch.new) or 'without a priority'}."
            what = {
                "unit": "unit",
                "min": "smallest allowed answer",
                "max": "largest allowed answer",
            }
            return (
                f"The {what.get(ch.field, ch.field)} is now {_number(ch.new) or 'not set'} "
                f"(it was {_number(ch.old) or 'not set'})."
            )
        if k is Kind.APPLICABILITY:
            now = self.audience_text(self.new, ch.new if isinstance(ch.new, tuple) else ())
            was = self.audience_text(self.old, ch.old if isinstance(ch.old, tuple) else ())
            return f"Who it applies to has changed: now {now} (it was {was})."
        if k is Kind.CONDITION:
            new_if = ch.new if isinstance(ch.new, Condition) else None
            old_if = ch.old if isinstance(ch.old, Condition) else None
            now = condition_text(new_if, self.new)
            was = condition_text(old_if, self.old)
            if not now:
                return f"It is now asked of everyone (it was: {was.lower()})."
            return f"When it is asked has changed: {now}" + (
                f" (it was: {was.lower()})." if was else " (it was asked of everyone)."
            )
        if k is Kind.RETURN:
            if ch.new:
                return "It is now on the return form sent to the partnership."
            return "It is no longer on the return form sent to the partnership."
        if k is Kind.EVIDENCE:
            parts = []
            if ch.added:
                parts.append("New evidence prompts: " + _labels(ch.added) + ".")
            if ch.removed:
                parts.append("Evidence prompts removed: " + _labels(ch.removed) + ".")
            return " ".join(parts)
        if k is Kind.GUIDANCE:
            part = _GUIDANCE_PARTS.get(ch.field, ch.field)
            if not ch.new:
                return f"The guidance on {part} has been removed."
            return f"The guidance on {part} now says: {_plain(ch.new)}"
        if k is Kind.THEMES:
            parts = []
            if ch.added:
                parts.append("now reported under " + self.themes(ch.added, self.new))
            if ch.removed:
                parts.append("no longer under " + self.themes(ch.removed, self.old))
            text = " and ".join(parts) or "its themes are in a different order"
            return text[:1].upper() + text[1:] + "."
        if k is Kind.CITATIONS:
            parts = []
            if ch.added:
                parts.append("now also refers to " + self.citations(ch.added, self.new))
            if ch.removed:
                parts.append("no longer refers to " + self.citations(ch.removed, self.old))
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

    def ids_of(self, ch: Change) -> str:
        if not self.complete:
            return ""
        if ch.id and ch.old_id and ch.id != ch.old_id:
            return f"{ch.old_id} → {ch.id}"
        return ch.ref

    def entry_for(self, ch: Change, details: Sequence[str] = ()) -> Entry:
        removed = ch.kind is Kind.REMOVED
        q = self.old.question(ch.old_id) if removed else self.new.question(ch.id)
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
            ids=self.ids_of(ch),
        )

    def build(self, options: RenderOptions | None) -> ChangesView:
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
        if self.complete:
            title = f"Changes: {d.old} → {d.new}"
            if d.tailored:
                title = f"National {d.old} vs local {d.new}"
        else:
            title = (
                f"Local changes: {new.title}" if d.tailored else f"What has changed: {new.title}"
            )
        if d.tailored:
            intro = (
                f"This is the national {old.title} ({old.version}) as adapted locally"
                + (f" by {new.publisher.name}" if new.publisher else "")
                + ". It lists every local change."
            )
        else:
            intro = (
                f"This lists what has changed in version {new.version} since version "
                f"{old.version}, so that you can see what to look at again when you fill it in."
            )
        effective = ""
        if new.effective_from:
            effective = _long_date(new.effective_from)
            if new.effective_to:
                effective += f" to {_long_date(new.effective_to)}"
        logo = logo_data_uri(new.publisher, options.base_dir if options else None)
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
            tally=_tally(d) if self.complete else "",
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
            logo=logo,
            diff=d,
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
            if self.complete:
                details = (
                    *details,
                    f"If it is the same question, add 'formerly: {ch.old_id}' to it in the "
                    "YAML file.",
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
                return f"{_str(ch.old)} is replaced by {_str(ch.new)} throughout."
            if k is Kind.ADDED:
                return f"New reference: {ch.label}."
            if k is Kind.REMOVED:
                return f"No longer referred to: {ch.label}."
            ref = self.new.reference(ch.id)
            title = ref.title if ref else ch.id
            return f"The {ch.field} of the reference {title} is now {_str(ch.new) or 'not given'}."
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
            if ch.field == "label":
                return f"The choice {_str(ch.old)} is now called {_str(ch.new)}."
            parts = []
            if ch.added:
                parts.append("new: " + _labels(ch.added))
            if ch.removed:
                parts.append("removed: " + _labels(ch.removed))
            if not parts:
                parts.append("in a different order")
            return f"The choices for {ch.label or ch.id} have changed ({', '.join(parts)})."
        # the set's metadata
        field = ch.field
        if field in _AUTHORS_ONLY and not self.complete:
            return ""
        old, new = _str(ch.old), _str(ch.new)
        if field == "publisher.return_deadline":
            if not new:
                return "There is no longer a return deadline."
            return f"Returns are due by {_long_date(new)}" + (
                f" (it was {_long_date(old)})." if old else "."
            )
        if field == "title":
            return f"The audit is now called {new} (it was {old})."
        if field == "publisher.name":
            return f"It is now issued by {new}."
        if field == "publisher.contact":
            return f"Questions about the audit now go to {new}."
        if field == "default_scale":
            return "Rating questions now use a different scale by default."
        if field == "action_plan.per":
            return f"The action plan now has one row per {new} (it was one per {old})."
        if field == "action_plan.columns":
            parts = []
            if ch.added:
                parts.append("new columns: " + _labels(ch.added))
            if ch.removed:
                parts.append("columns removed: " + _labels(ch.removed))
            return "The layout of the action plan has changed" + (
                f" ({'; '.join(parts)})." if parts else "."
            )
        if field == "status":
            return f"Its status is now {new} (it was {old})."
        if field in ("effective.from", "effective.to"):
            since = "from" if field == "effective.from" else "until"
            return (
                f"It now applies {since} {_long_date(new) or 'no date'} "
                f"(it was {_long_date(old) or 'no date'})."
            )
        if field == "description":
            return "The description of the audit has changed."
        if field == "publisher.url":
            return f"The publisher's web address is now {new or 'not given'}."
        if field == "publisher.logo":
            return "The publisher's logo has changed."
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
                            ids=node.full_id if self.complete else "",
                        )
                    )
        return tuple(out)


def build_changes(
    new: Checklist,
    previous: Checklist,
    options: RenderOptions | None = None,
    *,
    result: Diff | None = None,
    complete: bool = False,
) -> ChangesView:
    """The changes from ``previous`` to ``new``, in words, ready for any format.

    ``result`` is ``diff(previous, new)`` when the caller has it already. ``complete`` is the
    view ``safeguard diff`` prints for the people who edit the YAML: a count of every kind of
    change, each item's id, every set-level change and the ``formerly`` hint for a possibly
    renamed question. ``options`` gives the folder a logo is read from (``base_dir``).
    """
    if result is None:
        result = diff(previous, new)
    return _Builder(previous, new, result, complete).build(options)


@view_builder("changes", ChangesView)
def _changes_view(inputs: tuple[Checklist, Checklist], options: RenderOptions) -> ChangesView:
    """The view of the ``changes`` kind: ``inputs`` is the (old, new) pair of checklists."""
    old, new = inputs
    return build_changes(new, old, options)

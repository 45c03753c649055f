"""Compare two versions of a standard set: a typed, ordered list of changes.

:func:`diff` takes two :class:`~safeguard_standards.model.Checklist` values and returns a
:class:`Diff`: every :class:`Change` from the old version to the new, in a stable order. It does
no I/O and never looks at file positions, so two files with the same content have no changes
whatever their layout.

Matching. Sections, standards and questions are matched by full id, or through ``formerly``
(the full id an item had in the version it supersedes). An item under a renamed parent is
matched through its parent (``leadership.governance.q1`` continues as ``governance.board.q1``
when ``governance.board`` says ``formerly: leadership.governance``), so only the item whose own
id changed needs ``formerly``. A removed and an added question whose texts are highly similar
are reported together as *possibly renamed*, with the hint to add ``formerly``.

What is a change. Content only: the order of questions inside a standard (and of standards in
a section, of sections in the set) is not a change, so shuffling items never produces one;
``change_note``, ``change_summary``, ``formerly`` and ``version`` are notes about changes, not
changes. Every id of both versions is accounted for: it is in :attr:`Diff.matched` or in the
``id`` / ``old_id`` of an added, removed or possibly-renamed change.

Order. Changes to the set itself (metadata, scales, references, audiences) come first; then
changes to sections, standards and questions in the order of the new version; then what was
removed, in the order of the old version. Within one item, changes follow a fixed field order.

>>> from safeguard_standards import load_bundled
>>> from safeguard_standards.diff import diff
>>> d = diff(load_bundled("kcsie", "2024-25"), load_bundled("kcsie", "2025-26"))  # doctest: +SKIP
>>> [c.kind.value for c in d][:3]  # doctest: +SKIP
['changed', 'changed', 'added']
"""

from __future__ import annotations

import difflib
import enum
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from .model import (
    ActionPlanColumn,
    Audience,
    AudienceValue,
    Checklist,
    Citation,
    Condition,
    Level,
    Option,
    Question,
    Reference,
    Scale,
    Section,
    Standard,
)

if TYPE_CHECKING:
    from .loader import LoadResult

__all__ = [
    "RENAME_SIMILARITY",
    "Change",
    "Diff",
    "Kind",
    "ListEntry",
    "QuestionLink",
    "Value",
    "Via",
    "WordOp",
    "check_previous",
    "diff",
    "previous_spec",
    "to_json",
    "word_diff",
]

#: How similar (0-1, difflib ratio over words) the texts of a removed and an added question
#: must be for the pair to be reported as possibly renamed.
RENAME_SIMILARITY = 0.8


class Kind(str, enum.Enum):
    """What sort of change a :class:`Change` is."""

    #: A section, standard or question (or a scale, reference or audience) is new.
    ADDED = "added"
    #: It is gone.
    REMOVED = "removed"
    #: It is under another section or standard now (matched by ``formerly`` or by its parent).
    MOVED = "moved"
    #: Its own id changed (``formerly``), in the same place.
    RENAMED = "renamed"
    #: A removed and an added question with highly similar text: add ``formerly``.
    POSSIBLY_RENAMED = "possibly-renamed"
    #: The wording changed: a question's text, a title, an expectation, an intro.
    REWORDED = "reworded"
    #: A question's answer type changed (yes-no → rating …).
    TYPE = "type-changed"
    #: A rating question uses another scale.
    SCALE = "scale-changed"
    #: A choice question's options changed.
    OPTIONS = "options-changed"
    #: A question's unit, min, max, required or priority changed.
    ANSWER = "answer-changed"
    #: Who it applies to (``applies_to``) changed.
    APPLICABILITY = "applicability-changed"
    #: When it is asked (``ask_if``) changed.
    CONDITION = "condition-changed"
    #: It was added to or taken off the return form (``in_return``).
    RETURN = "return-changed"
    #: Evidence prompts were added or removed.
    EVIDENCE = "evidence-changed"
    #: Guidance (why, good, support; a standard's guidance) changed.
    GUIDANCE = "guidance-changed"
    #: Citations were added or removed.
    CITATIONS = "citations-changed"
    #: Themes were added to or taken off a standard or question (for a question, those it
    #: lists itself; its standard's are reported on the standard).
    THEMES = "themes-changed"
    #: A reference was replaced by another everywhere it was cited (``kcsie-2024`` by
    #: ``kcsie-2025``); the citations that only follow the replacement are not listed.
    REPLACED = "replaced"
    #: Set-level: metadata, a scale's levels, a reference or an audience changed.
    CHANGED = "changed"


#: The kinds of item a change can be about.
ItemKind = Literal["set", "scale", "reference", "audience", "section", "standard", "question"]


@attrs.frozen
class WordOp:
    """One run of a word-level diff: ``=`` kept, ``-`` deleted, ``+`` inserted."""

    op: Literal["=", "-", "+"]
    text: str


#: A value a change is about, as the model holds it: a text (prose, an id, a date), a number,
#: yes/no, a :class:`~safeguard_standards.model.Condition`, who it applies to
#: (:data:`~safeguard_standards.model.AppliesTo`), or a tuple of entries (citations, levels,
#: options, evidence prompts…). None: not set.
Value = str | float | bool | Condition | tuple[Any, ...] | None

#: One entry of a list-like field: an evidence prompt (text), a
#: :class:`~safeguard_standards.model.Citation`, :class:`~safeguard_standards.model.Level`,
#: :class:`~safeguard_standards.model.Option`, :class:`~safeguard_standards.model.AudienceValue`
#: or :class:`~safeguard_standards.model.ActionPlanColumn`.
ListEntry = str | Citation | Level | Option | AudienceValue | ActionPlanColumn


@attrs.frozen(kw_only=True)
class Change:
    """One change from the old version to the new.

    Values are typed, as the model holds them (a question's ``min`` is a number, its
    ``in_return`` a bool, its ``ask_if`` a :class:`~safeguard_standards.model.Condition`, its
    citations :class:`~safeguard_standards.model.Citation` values); putting them into words is
    the changes view's job (:mod:`safeguard_standards.render._changes_view`).
    """

    kind: Kind
    #: What the change is about: set, scale, reference, audience, section, standard, question.
    item: ItemKind
    #: The item's id in the new version ("" when removed). Full id for sections, standards and
    #: questions; key for scales, references and audiences; "" for the set itself.
    id: str = ""
    #: The item's id in the old version ("" when added); differs from ``id`` when moved or
    #: renamed.
    old_id: str = ""
    #: The field that changed (``text``, ``guidance.why``, ``publisher.return_deadline``), or "".
    field: str = ""
    #: Old and new value of ``field`` (see :data:`Value`); for a replaced reference the two
    #: titles, for a possibly-renamed question the two texts.
    old: Value = None
    new: Value = None
    #: For list-like fields (evidence, citations, options, levels, values, columns): the
    #: entries gone (as the old version wrote them) and the new ones.
    removed: tuple[ListEntry, ...] = ()
    added: tuple[ListEntry, ...] = ()
    #: Whether ``old`` and ``new`` are prose, shown as a word-level diff (:attr:`words`).
    prose: bool = False
    #: Printed number (``1.2.3``) in the new and the old version, where there is one.
    number: str = ""
    old_number: str = ""
    #: What the item says: a question's text or a title, to show beside the id.
    label: str = ""
    #: The item's ``change_note`` in the new version.
    note: str = ""
    #: For possibly-renamed pairs: how similar the two texts are (0-1).
    similarity: float = 0.0

    @property
    def words(self) -> tuple[WordOp, ...]:
        """For prose: the word-level diff of ``old`` → ``new`` (computed when first asked for,
        so that a diff costs nothing for the wording nobody looks at)."""
        if not self.prose:
            return ()
        return word_diff(_text(self.old), _text(self.new))

    @property
    def ref(self) -> str:
        """The id to show: the new id, or the old one for a removed item."""
        return self.id or self.old_id

    @property
    def has_values(self) -> bool:
        """Whether ``old`` and ``new`` mean something (a field change, a replaced reference,
        a possibly-renamed pair); they are None for an added, removed, moved or renamed item."""
        return bool(self.field) or self.kind in (Kind.REPLACED, Kind.POSSIBLY_RENAMED)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict. ``old`` and ``new`` are there for every field change, typed as
        JSON (text, number, true/false, null, a list, an object); other fields left at their
        defaults are left out."""
        out: dict[str, Any] = {"kind": self.kind.value, "item": self.item}
        for name in ("id", "old_id", "field"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.has_values:
            out["old"] = to_json(self.old, self.field)
            out["new"] = to_json(self.new, self.field)
        for name in ("removed", "added"):
            if getattr(self, name):
                out[name] = [to_json(v) for v in getattr(self, name)]
        for name in ("number", "old_number", "label", "note"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.words:
            out["words"] = [[w.op, w.text] for w in self.words]
        if self.similarity:
            out["similarity"] = round(self.similarity, 3)
        return out


def _text(value: Value) -> str:
    return value if isinstance(value, str) else ""


def to_json(value: Any, field: str = "") -> Any:
    """A model value as JSON-ready data: text, numbers, booleans and None as they are; a
    tuple as a list; ``applies_to`` as ``{dimension: [values]}``; a model object (citation,
    level, option, condition…) as an object of its fields, leaving out those at their
    defaults and where it was read from."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if field == "applies_to" and isinstance(value, tuple):
        return {dim: list(values) for dim, values in value}
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(value)):
            if not f.eq:  # where it was read from, provenance: not content
                continue
            v = getattr(value, f.name)
            if f.default is attrs.NOTHING or v != f.default:
                out[f.name] = to_json(v)
        return out
    raise TypeError(f"no JSON form for {type(value).__name__}")  # pragma: no cover


@attrs.frozen(kw_only=True)
class Diff:
    """The changes from one version of a set to another. Iterating gives the changes."""

    #: ``id@version`` of each side, with the source of a tailored (overlay) set.
    old: str
    new: str
    changes: tuple[Change, ...]
    #: (old id, new id) of every section, standard and question found in both versions.
    matched: tuple[tuple[str, str], ...] = ()
    #: True when the new side is an overlay resolved on top of the old (the same id and
    #: version, the old one not tailored): national vs local.
    tailored: bool = False
    #: The new version's ``change_summary``.
    summary: str = ""
    #: Where each question of the new version came from, in the order of the new version
    #: (see :meth:`question_map`).
    question_links: tuple[QuestionLink, ...] = ()

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, *kinds: Kind, item: str | None = None) -> tuple[Change, ...]:
        """The changes of these kinds (all when none is given), optionally of one item kind."""
        return tuple(
            c
            for c in self.changes
            if (not kinds or c.kind in kinds) and (item is None or c.item == item)
        )

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, in :class:`Kind` order (kinds with none left out)."""
        out: dict[str, int] = {}
        for kind in Kind:
            n = sum(1 for c in self.changes if c.kind is kind)
            if n:
                out[kind.value] = n
        return out

    def question_map(self) -> dict[str, QuestionLink]:
        """For each question id of the new version (in its order): the old question it
        continues, how it was matched, and whether what it asks changed.

        This is what carrying last year's answers over to this year's questions reads: an
        answer carries over as it is when :attr:`QuestionLink.answers_carry_over`.
        """
        return {link.id: link for link in self.question_links}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: both sides, counts, every change."""
        return {
            "old": self.old,
            "new": self.new,
            "tailored": self.tailored,
            "summary": self.summary,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


#: How a question of the new version was matched to one of the old: ``id`` the same full id;
#: ``formerly`` its own ``formerly``; ``parent`` it followed its section or standard (renamed
#: or moved with ``formerly``) under the same short id; ``similar-text`` an unmatched old
#: question with highly similar text (possibly renamed: a guess, see
#: :attr:`QuestionLink.certain`); ``new`` no old question.
Via = Literal["id", "formerly", "parent", "similar-text", "new"]


@attrs.frozen(kw_only=True)
class QuestionLink:
    """Where one question of the new version came from, and what changed in what it asks."""

    #: Full id in the new version.
    id: str
    #: Full id of the old question it continues ("" for a new question).
    old_id: str = ""
    via: Via = "new"
    #: Under another standard than its old counterpart's (``formerly`` across standards).
    moved: bool = False
    #: Its text, its answer type, its rating scale (the scale it uses, its own or the set's
    #: default, or that scale's levels), its options changed.
    text_changed: bool = False
    type_changed: bool = False
    scale_changed: bool = False
    options_changed: bool = False
    #: For ``similar-text``: how similar the two texts are (0-1).
    similarity: float = 0.0

    @property
    def certain(self) -> bool:
        """Whether the set says it is the same question (by id or ``formerly``), rather than
        the diff guessing from similar text."""
        return self.via in ("id", "formerly", "parent")

    @property
    def answers_carry_over(self) -> bool:
        """Whether an answer to the old question is a valid answer to this one as it is: the
        same question for certain, with the same answer type, scale and options."""
        return self.certain and not (
            self.type_changed or self.scale_changed or self.options_changed
        )


# -- word-level diff ---------------------------------------------------------------------------

# A word with the spaces after it (and any spaces the text starts with), so that runs of
# changed words come out whole: "~~Is there an~~ **Does the** attendance policy".
_TOKEN = re.compile(r"^\s+|\S+\s*")
# A word that ends a sentence or a line: where the coarse pass of a long diff cuts the text.
_SENTENCE_END = re.compile(r"[.!?;:]\s*$|\n")

#: The most (old words × new words) one word-level matching may compare. difflib's matching
#: is quadratic at best and cubic on texts of repeated words (a thousand repeated words took a
#: second, twenty thousand minutes), so a longer changed stretch is first matched sentence by
#: sentence and only the changed sentences are matched word by word.
WORD_DIFF_WORK = 62_500
#: The most such comparisons one word-level diff makes in all; past it, what is left of a
#: changed stretch is shown as removed and added whole.
WORD_DIFF_BUDGET = 250_000

_Opcodes = list[tuple[str, int, int, int, int]]


def _sentences(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    start = 0
    for i, token in enumerate(tokens):
        if _SENTENCE_END.search(token):
            out.append(tuple(tokens[start : i + 1]))
            start = i + 1
    if start < len(tokens):
        out.append(tuple(tokens[start:]))
    return out


class _Budget:
    def __init__(self, work: int) -> None:
        self.left = work

    def take(self, a: int, b: int) -> bool:
        if a * b > WORD_DIFF_WORK or a * b > self.left:
            return False
        self.left -= a * b
        return True


def _opcodes(a: Sequence[Any], b: Sequence[Any], budget: _Budget) -> _Opcodes | None:
    """difflib's opcodes for ``a`` → ``b`` if the budget allows, else None."""
    if not budget.take(len(a), len(b)):
        return None
    return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())


def _token_opcodes(a: Sequence[str], b: Sequence[str], budget: _Budget) -> _Opcodes:
    """Opcodes over words: word by word when small enough, else sentence by sentence first
    and then word by word inside each changed run of sentences, while the budget lasts."""
    ops = _opcodes(a, b, budget)
    if ops is not None:
        return ops
    if not a or not b:
        return [("replace", 0, len(a), 0, len(b))]
    sa, sb = _sentences(a), _sentences(b)
    coarse = _opcodes(sa, sb, budget) if (len(sa), len(sb)) != (1, 1) else None
    if coarse is None:
        return [("replace", 0, len(a), 0, len(b))]
    # word offsets of each sentence
    oa = [0]
    for s in sa:
        oa.append(oa[-1] + len(s))
    ob = [0]
    for s in sb:
        ob.append(ob[-1] + len(s))
    out: _Opcodes = []
    for tag, i1, i2, j1, j2 in coarse:
        w1, w2, v1, v2 = oa[i1], oa[i2], ob[j1], ob[j2]
        if tag == "equal":
            out.append(("equal", w1, w2, v1, v2))
            continue
        inner = _opcodes(a[w1:w2], b[v1:v2], budget) if w1 < w2 and v1 < v2 else None
        if inner is None:
            out.append((tag, w1, w2, v1, v2))
        else:
            out.extend((t, w1 + x1, w1 + x2, v1 + y1, v1 + y2) for t, x1, x2, y1, y2 in inner)
    return out


@functools.lru_cache(maxsize=4096)
def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """The word-level diff of two texts (difflib over words, each with the spaces after it).

    Joining the ``=`` and ``-`` runs gives ``old``; joining ``=`` and ``+`` gives ``new``.
    The work is bounded (see :data:`WORD_DIFF_WORK`): a long changed stretch is matched
    sentence by sentence before word by word.
    """
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    ops: list[WordOp] = []
    # the words both texts start and end with need no matching (most edits are small)
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1

    def push(op: Literal["=", "-", "+"], text: str) -> None:
        if not text:
            return
        if ops and ops[-1].op == op:
            ops[-1] = WordOp(op, ops[-1].text + text)
        else:
            ops.append(WordOp(op, text))

    push("=", "".join(a[:head]))
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    for tag, i1, i2, j1, j2 in _token_opcodes(a_mid, b_mid, _Budget(WORD_DIFF_BUDGET)):
        if tag == "equal":
            push("=", "".join(a_mid[i1:i2]))
        else:
            push("-", "".join(a_mid[i1:i2]))
            push("+", "".join(b_mid[j1:j2]))
    push("=", "".join(a[len(a) - tail :]))
    return tuple(ops)


def _words(text: str) -> list[str]:
    return text.lower().split()


def _similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, _words(old), _words(new), autojunk=False).ratio()


# -- list-like fields ----------------------------------------------------------------------------

_T = TypeVar("_T")


def _list_delta(old: Sequence[_T], new: Sequence[_T]) -> tuple[tuple[_T, ...], tuple[_T, ...]]:
    """Entries of ``old`` not in ``new`` and of ``new`` not in ``old`` (multiset, in order)."""
    remaining = list(new)
    removed = []
    for entry in old:
        if entry in remaining:
            remaining.remove(entry)
        else:
            removed.append(entry)
    left = list(old)
    added = []
    for entry in new:
        if entry in left:
            left.remove(entry)
        else:
            added.append(entry)
    return tuple(removed), tuple(added)


# -- the comparison ---------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: Checklist, new: Checklist) -> None:
        self.old = old
        self.new = new
        self.old_numbers = old.numbering()
        self.new_numbers = new.numbering()
        self.changes: list[Change] = []
        #: old reference key → the new key that replaced it everywhere it was cited.
        self.replaced: dict[str, str] = {}

    def cites(
        self,
        item: ItemKind,
        ids: tuple[str, str],
        old: Sequence[Citation],
        new: Sequence[Citation],
        **extra: Any,
    ) -> None:
        """Citations added and removed, not counting those that only follow a replaced
        reference (``kcsie-2024, Part two`` → ``kcsie-2025, Part two``)."""
        replaced = self.replaced
        # an old citation as it would read after the replacement of its reference
        before = [attrs.evolve(c, ref=replaced[c.ref]) if c.ref in replaced else c for c in old]
        removed, added = _list_delta(before, list(new))
        if not removed and not added:
            return
        as_written = dict(zip(before, old, strict=True))
        self.add(
            Kind.CITATIONS,
            item,
            id=ids[1],
            old_id=ids[0],
            field="cite",
            old=tuple(old),
            new=tuple(new),
            removed=tuple(as_written.get(r, r) for r in removed),
            added=added,
            **extra,
        )

    # helpers -------------------------------------------------------------------------------
    def add(self, kind: Kind, item: ItemKind, **fields: Any) -> None:
        self.changes.append(Change(kind=kind, item=item, **fields))

    def field(
        self,
        kind: Kind,
        item: ItemKind,
        ids: tuple[str, str],
        field: str,
        old: Value,
        new: Value,
        *,
        prose: bool = False,
        **extra: Any,
    ) -> None:
        if old == new:
            return
        self.add(
            kind,
            item,
            id=ids[1],
            old_id=ids[0],
            field=field,
            old=old,
            new=new,
            prose=prose,
            **extra,
        )

    def listed(
        self,
        kind: Kind,
        item: ItemKind,
        ids: tuple[str, str],
        field: str,
        old: Sequence[ListEntry],
        new: Sequence[ListEntry],
        **extra: Any,
    ) -> None:
        if tuple(old) == tuple(new):
            return
        removed, added = _list_delta(old, new)
        if not removed and not added:  # the same entries in another order
            return
        self.add(
            kind,
            item,
            id=ids[1],
            old_id=ids[0],
            field=field,
            old=tuple(old),
            new=tuple(new),
            removed=removed,
            added=added,
            **extra,
        )

    # the set -------------------------------------------------------------------------------
    def set_level(self) -> None:
        o, n = self.old, self.new
        pairs: list[tuple[str, Value, Value]] = [
            ("title", o.title, n.title),
            ("status", o.status, n.status),
            ("effective.from", o.effective_from, n.effective_from),
            ("effective.to", o.effective_to, n.effective_to),
            ("default_scale", o.default_scale, n.default_scale),
        ]
        op, np_ = o.publisher, n.publisher
        for name in ("name", "contact", "url", "logo", "return_deadline"):
            pairs.append(
                (
                    f"publisher.{name}",
                    getattr(op, name) if op else "",
                    getattr(np_, name) if np_ else "",
                )
            )
        pairs.append(("action_plan.per", o.action_plan.per, n.action_plan.per))
        for name, old, new in pairs:
            self.field(Kind.CHANGED, "set", ("", ""), name, old, new)
        self.field(
            Kind.CHANGED, "set", ("", ""), "description", o.description, n.description, prose=True
        )
        self.listed(
            Kind.CHANGED,
            "set",
            ("", ""),
            "action_plan.columns",
            o.action_plan.columns,
            n.action_plan.columns,
        )
        self.keyed("scale", o.scales, n.scales, self.scale)
        self.replaced = _replacements(o, n)
        for old_key, new_key in self.replaced.items():
            old_ref, new_ref = o.reference(old_key), n.reference(new_key)
            self.add(
                Kind.REPLACED,
                "reference",
                id=new_key,
                old_id=old_key,
                old=old_ref.title if old_ref else "",
                new=new_ref.title if new_ref else "",
                label=new_ref.title if new_ref else "",
            )
        self.keyed("reference", o.references, n.references, self.reference, skip=self.replaced)
        self.keyed("audience", o.audiences, n.audiences, self.audience)

    def keyed(
        self,
        item: ItemKind,
        old: Sequence[Any],
        new: Sequence[Any],
        compare: Any,
        skip: dict[str, str] | None = None,
    ) -> None:
        def key(x: Any) -> str:
            return str(x.key if isinstance(x, Reference) else x.id)

        gone = set(skip or ())
        came = set((skip or {}).values())
        old_by = {key(x): x for x in old}
        new_keys = {key(x) for x in new}
        for x in new:
            k = key(x)
            if k in came:
                continue
            if k not in old_by:
                self.add(Kind.ADDED, item, id=k, label=_label_of(x))
            elif x != old_by[k]:
                compare(old_by[k], x)
        for x in old:
            k = key(x)
            if k not in new_keys and k not in gone:
                self.add(Kind.REMOVED, item, old_id=k, label=_label_of(x))

    def scale(self, old: Scale, new: Scale) -> None:
        self.listed(
            Kind.CHANGED,
            "scale",
            (old.id, new.id),
            "levels",
            old.levels,
            new.levels,
        )

    def reference(self, old: Reference, new: Reference) -> None:
        for name in ("title", "publisher", "kind", "edition", "url"):
            self.field(
                Kind.CHANGED,
                "reference",
                (old.key, new.key),
                name,
                getattr(old, name),
                getattr(new, name),
                label=new.title,
            )

    def audience(self, old: Audience, new: Audience) -> None:
        ids = (old.id, new.id)
        self.field(Kind.CHANGED, "audience", ids, "label", old.label, new.label)
        self.listed(
            Kind.CHANGED,
            "audience",
            ids,
            "values",
            old.values,
            new.values,
            label=new.label,
        )

    # sections, standards, questions ------------------------------------------------------------
    def section(self, old: Section, new: Section, ids: tuple[str, str]) -> None:
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.id, ""),
            "note": new.change_note,
        }
        extra["old_number"] = self.old_numbers.get(old.id, "")
        extra["label"] = new.title
        self.field(
            Kind.REWORDED, "section", ids, "title", old.title, new.title, prose=True, **extra
        )
        self.field(
            Kind.REWORDED, "section", ids, "intro", old.intro, new.intro, prose=True, **extra
        )
        self.field(
            Kind.APPLICABILITY,
            "section",
            ids,
            "applies_to",
            old.applies_to,
            new.applies_to,
            **extra,
        )

    def standard(self, old: Standard, new: Standard, ids: tuple[str, str]) -> None:
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.full_id, ""),
            "old_number": self.old_numbers.get(old.full_id, ""),
            "label": new.title,
            "note": new.change_note,
        }
        self.field(
            Kind.REWORDED, "standard", ids, "title", old.title, new.title, prose=True, **extra
        )
        self.field(
            Kind.REWORDED,
            "standard",
            ids,
            "expectation",
            old.expectation,
            new.expectation,
            prose=True,
            **extra,
        )
        self.field(
            Kind.APPLICABILITY,
            "standard",
            ids,
            "applies_to",
            old.applies_to,
            new.applies_to,
            **extra,
        )
        self.field(
            Kind.GUIDANCE,
            "standard",
            ids,
            "guidance",
            old.guidance,
            new.guidance,
            prose=True,
            **extra,
        )
        self.cites("standard", ids, old.cite, new.cite, **extra)
        self.listed(Kind.THEMES, "standard", ids, "themes", old.themes, new.themes, **extra)

    def question(self, old: Question, new: Question, ids: tuple[str, str]) -> None:
        # Each field is compared before anything is built: most changed questions differ in
        # one or two fields only.
        extra: dict[str, Any] = {
            "number": self.new_numbers.get(new.full_id, ""),
            "old_number": self.old_numbers.get(old.full_id, ""),
            "label": new.text,
            "note": new.change_note,
        }
        item: ItemKind = "question"
        if old.text != new.text:
            self.field(Kind.REWORDED, item, ids, "text", old.text, new.text, prose=True, **extra)
        if old.type != new.type:
            self.field(Kind.TYPE, item, ids, "type", old.type, new.type, **extra)
        elif old.scale != new.scale:
            self.field(Kind.SCALE, item, ids, "scale", old.scale, new.scale, **extra)
        if old.options != new.options:
            removed, added = _list_delta(old.options, new.options)
            if not removed and not added:
                # The same options in another order: on a form the order is what people see.
                self.field(Kind.OPTIONS, item, ids, "options", old.options, new.options, **extra)
            else:
                self.listed(Kind.OPTIONS, item, ids, "options", old.options, new.options, **extra)
        for name in ("unit", "min", "max", "required", "priority"):
            a, b = getattr(old, name), getattr(new, name)
            if a != b:
                self.field(Kind.ANSWER, item, ids, name, a, b, **extra)
        if old.applies_to != new.applies_to:
            self.field(
                Kind.APPLICABILITY,
                item,
                ids,
                "applies_to",
                old.applies_to,
                new.applies_to,
                **extra,
            )
        if old.ask_if != new.ask_if:
            self.field(
                Kind.CONDITION,
                item,
                ids,
                "ask_if",
                old.ask_if,
                new.ask_if,
                **extra,
            )
        if old.in_return != new.in_return:
            self.field(
                Kind.RETURN,
                item,
                ids,
                "in_return",
                old.in_return,
                new.in_return,
                **extra,
            )
        if old.evidence != new.evidence:
            self.listed(Kind.EVIDENCE, item, ids, "evidence", old.evidence, new.evidence, **extra)
        if old.listed_themes != new.listed_themes:
            self.listed(
                Kind.THEMES, item, ids, "themes", old.listed_themes, new.listed_themes, **extra
            )
        if old.guidance != new.guidance:
            for part in ("why", "good", "support"):
                self.field(
                    Kind.GUIDANCE,
                    item,
                    ids,
                    f"guidance.{part}",
                    getattr(old.guidance, part),
                    getattr(new.guidance, part),
                    prose=True,
                    **extra,
                )
        if old.cite != new.cite:
            self.cites(item, ids, old.cite, new.cite, **extra)


def _label_of(x: Any) -> str:
    if isinstance(x, Question):
        return x.text
    if isinstance(x, Reference):
        return x.title
    if isinstance(x, (Section, Standard)):
        return x.title
    if isinstance(x, Audience):
        return x.label
    if isinstance(x, Scale):
        return " / ".join(level.label for level in x.levels)
    return ""


def _replacements(old: Checklist, new: Checklist) -> dict[str, str]:
    """Removed reference → added reference that took its place.

    A removed reference is replaced by an added one when at least half of the items (with the
    same full id in both versions) that cited the removed one cite the added one instead.
    """
    gone = {r.key for r in old.references} - {r.key for r in new.references}
    came = {r.key for r in new.references} - {r.key for r in old.references}
    if not gone or not came:
        return {}
    old_refs: dict[str, set[str]] = {}
    for s in old.sections:
        for st in s.standards:
            old_refs[st.full_id] = {c.ref for c in st.cite}
            for q in st.questions:
                old_refs[q.full_id] = {c.ref for c in q.cite}
    swapped: dict[tuple[str, str], int] = {}
    cited: dict[str, int] = {}
    for s in new.sections:
        for st in s.standards:
            nodes: list[Standard | Question] = [st, *st.questions]
            for node in nodes:
                before = old_refs.get(node.full_id, set()) & gone
                after = {c.ref for c in node.cite} & came
                for old_key in before:
                    cited[old_key] = cited.get(old_key, 0) + 1
                    for new_key in after:
                        swapped[(old_key, new_key)] = swapped.get((old_key, new_key), 0) + 1
    out: dict[str, str] = {}
    taken: set[str] = set()
    for (old_key, new_key), n in sorted(swapped.items(), key=lambda kv: (-kv[1], kv[0])):
        if old_key in out or new_key in taken:
            continue
        if n * 2 >= cited.get(old_key, 0):
            out[old_key] = new_key
            taken.add(new_key)
    return dict(sorted(out.items()))


def _match(
    new_items: Iterable[tuple[str, str, str, str]],
    old_index: dict[str, Any],
    parent_map: dict[str, str],
) -> dict[str, str]:
    """new full id → old full id. Items are (full id, formerly, parent full id, short id).

    Explicit ``formerly`` first, then the same full id, then the same short id under the old
    counterpart of the parent.
    """
    items = list(new_items)
    claimed: set[str] = set()
    out: dict[str, str] = {}

    def claim(new_id: str, old_id: str) -> None:
        out[new_id] = old_id
        claimed.add(old_id)

    for full, formerly, _parent, _short in items:
        if formerly and formerly in old_index and formerly not in claimed:
            claim(full, formerly)
    for full, _formerly, _parent, _short in items:
        if full not in out and full in old_index and full not in claimed:
            claim(full, full)
    for full, _formerly, parent, short in items:
        if full in out or parent not in parent_map:
            continue
        implied = f"{parent_map[parent]}.{short}"
        if implied in old_index and implied not in claimed:
            claim(full, implied)
    return out


#: Up to this many (removed × added) pairs of questions, every pair is compared for a
#: possible rename. Above it only candidate pairs are: those that share a word or a two-word
#: phrase few added questions have (see :func:`_rename_candidates`).
RENAME_ALL_PAIRS = 250_000
#: A word or phrase found in more than this many added questions picks no candidates.
RENAME_RARE = 50
#: At most this many of a removed question's rare words and phrases (the rarest) are looked up.
RENAME_KEYS = 64
#: At most this many candidates per removed question are compared, those sharing most.
RENAME_CANDIDATES = 20
#: ... and only while the pairs times the words of a question (on average) stay below this.
RENAME_ALL_WORK = 10_000_000
#: Past this many (old words × new words), the similarity of two texts is difflib's
#: ``quick_ratio`` (the words they share, in any order) rather than the full matching, which
#: is cubic on texts of repeated words. The longest bundled question has 42 words.
_RATIO_WORK = 40_000


def _shingles(words: Sequence[str]) -> set[str]:
    keys = set(words)
    keys.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return keys


def _rename_candidates(
    old_words: Sequence[Sequence[str]], new_words: Sequence[Sequence[str]]
) -> list[list[int]]:
    """For each removed question, the indices of the added questions worth comparing.

    Blocking: an added question is a candidate when it shares with the removed one a word or
    two-word phrase that at most :data:`RENAME_RARE` added questions contain (of a long
    text, its :data:`RENAME_KEYS` rarest); the :data:`RENAME_CANDIDATES` that share most
    such keys are kept (ties in document order). The work is linear in the number of
    questions and bounded for each.
    """
    index: dict[str, list[int]] = {}
    for j, words in enumerate(new_words):
        for key in _shingles(words):
            index.setdefault(key, []).append(j)
    out: list[list[int]] = []
    for words in old_words:
        counts: dict[int, int] = {}
        postings = [(len(p), key, p) for key in _shingles(words) if (p := index.get(key))]
        postings = [t for t in postings if t[0] <= RENAME_RARE]
        if len(postings) > RENAME_KEYS:  # a long text: its rarest keys are enough
            postings = sorted(postings, key=lambda t: (t[0], t[1]))[:RENAME_KEYS]
        for _n, _key, posting in postings:
            for j in posting:
                counts[j] = counts.get(j, 0) + 1
        best = sorted(counts.items(), key=lambda jc: (-jc[1], jc[0]))[:RENAME_CANDIDATES]
        out.append([j for j, _count in best])
    return out


def _pair_renames(
    old_left: Sequence[Question], new_left: Sequence[Question]
) -> list[tuple[Question, Question, float]]:
    """Greedy best pairs of (removed, added) questions with similar text.

    Every pair is compared when there are at most :data:`RENAME_ALL_PAIRS` (and the texts are
    short enough: :data:`RENAME_ALL_WORK`); beyond that only candidate pairs
    (:func:`_rename_candidates`), so that time and memory stay linear.
    """
    scored: list[tuple[float, str, str, Question, Question]] = []
    if not old_left or not new_left:
        return []
    new_words = [_words(q.text) for q in new_left]
    new_sets = [frozenset(w) for w in new_words]
    old_words = [_words(q.text) for q in old_left]
    n_pairs = len(old_left) * len(new_left)
    words = sum(map(len, old_words)) + sum(map(len, new_words))
    mean = words / (len(old_left) + len(new_left))
    if n_pairs <= RENAME_ALL_PAIRS and n_pairs * mean <= RENAME_ALL_WORK:
        everyone = list(range(len(new_left)))
        candidates = [everyone] * len(old_left)
    else:
        candidates = _rename_candidates(old_words, new_words)
    # A cheap first filter on the sets of words (a little below the threshold, since sets
    # ignore repeated words), then difflib's own upper bounds, then the ratio itself.
    floor = RENAME_SIMILARITY - 0.2
    for oq, ow, cands in zip(old_left, old_words, candidates, strict=True):
        os_ = frozenset(ow)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(ow)
        for j in cands:
            nq, nw, ns = new_left[j], new_words[j], new_sets[j]
            if 2 * len(os_ & ns) < floor * (len(os_) + len(ns)):
                continue
            matcher.set_seq1(nw)
            if matcher.real_quick_ratio() < RENAME_SIMILARITY:
                continue
            if matcher.quick_ratio() < RENAME_SIMILARITY:
                continue
            ratio = matcher.ratio() if len(ow) * len(nw) <= _RATIO_WORK else matcher.quick_ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((-ratio, oq.full_id, nq.full_id, oq, nq))
    scored.sort(key=lambda t: (t[0], t[1], t[2]))
    used_old: set[str] = set()
    used_new: set[str] = set()
    pairs = []
    for neg, oid, nid, oq, nq in scored:
        if oid in used_old or nid in used_new:
            continue
        used_old.add(oid)
        used_new.add(nid)
        pairs.append((oq, nq, -neg))
    return pairs


def _side_label(c: Checklist) -> str:
    if c.extends:
        return f"{c.ref} ({c.source})" if c.source else f"{c.ref} (tailored)"
    return c.ref


def diff(old: Checklist, new: Checklist) -> Diff:
    """Every change from ``old`` to ``new``, typed and in a stable order. No I/O.

    See the module documentation for how items are matched and ordered.
    """
    d = _Differ(old, new)
    d.set_level()
    matched: list[tuple[str, str]] = []
    links: list[QuestionLink] = []

    # -- match sections, then standards, then questions -------------------------------------
    old_sections = {s.id: s for s in old.sections}
    sec_map = _match(((s.id, s.formerly, "", s.id) for s in new.sections), old_sections, {})
    old_standards = {st.full_id: (st, s.id) for s in old.sections for st in s.standards}
    std_map = _match(
        ((st.full_id, st.formerly, s.id, st.id) for s in new.sections for st in s.standards),
        old_standards,
        sec_map,
    )
    old_questions = {
        q.full_id: (q, st.full_id) for s in old.sections for st in s.standards for q in st.questions
    }
    q_map = _match(
        (
            (q.full_id, q.formerly, st.full_id, q.id)
            for s in new.sections
            for st in s.standards
            for q in st.questions
        ),
        old_questions,
        std_map,
    )

    # -- possibly renamed: unmatched questions with similar text -------------------------------
    matched_old_q = set(q_map.values())
    new_unmatched = [q for q in new.questions() if q.full_id not in q_map]
    old_unmatched = [q for q in old.questions() if q.full_id not in matched_old_q]
    renames = {nq.full_id: (oq, sim) for oq, nq, sim in _pair_renames(old_unmatched, new_unmatched)}
    renamed_old = {oq.full_id for oq, _sim in renames.values()}

    def moved_or_renamed(
        item: ItemKind,
        old_id: str,
        new_id: str,
        old_parent: str,
        new_parent: str,
        parents: dict[str, str],
    ) -> None:
        same_parent = item == "section" or parents.get(new_parent) == old_parent
        if old_id == new_id and same_parent:
            return
        old_short = old_id.rsplit(".", 1)[-1]
        new_short = new_id.rsplit(".", 1)[-1]
        number = d.new_numbers.get(new_id, "")
        old_number = d.old_numbers.get(old_id, "")
        if not same_parent:
            kind = Kind.MOVED
        elif old_short != new_short:
            kind = Kind.RENAMED
        else:
            return
        label, note = "", ""
        node = new.question(new_id) if item == "question" else None
        if node is not None:
            label, note = node.text, node.change_note
        d.add(
            kind,
            item,
            id=new_id,
            old_id=old_id,
            number=number,
            old_number=old_number,
            label=label or _title_of(new, item, new_id),
            note=note or _note_of(new, item, new_id),
        )

    # -- walk the new version in order ------------------------------------------------------
    for s in new.sections:
        if s.id in sec_map:
            os_ = old_sections[sec_map[s.id]]
            matched.append((os_.id, s.id))
            moved_or_renamed("section", os_.id, s.id, "", "", {})
            if (os_.title, os_.intro, os_.applies_to) != (s.title, s.intro, s.applies_to):
                d.section(os_, s, (os_.id, s.id))
        else:
            d.add(
                Kind.ADDED,
                "section",
                id=s.id,
                number=d.new_numbers.get(s.id, ""),
                label=s.title,
                note=s.change_note,
            )
        for st in s.standards:
            if st.full_id in std_map:
                ost, old_parent = old_standards[std_map[st.full_id]]
                matched.append((ost.full_id, st.full_id))
                moved_or_renamed("standard", ost.full_id, st.full_id, old_parent, s.id, sec_map)
                if _standard_fields_differ(ost, st):
                    d.standard(ost, st, (ost.full_id, st.full_id))
            else:
                d.add(
                    Kind.ADDED,
                    "standard",
                    id=st.full_id,
                    number=d.new_numbers.get(st.full_id, ""),
                    label=st.title,
                    note=st.change_note,
                )
            for q in st.questions:
                if q.full_id in q_map:
                    oq, old_parent = old_questions[q_map[q.full_id]]
                    matched.append((oq.full_id, q.full_id))
                    moved_or_renamed(
                        "question", oq.full_id, q.full_id, old_parent, st.full_id, std_map
                    )
                    if oq != q:
                        d.question(oq, q, (oq.full_id, q.full_id))
                    if oq.full_id == q.full_id:
                        via: Via = "id"
                    elif q.formerly == oq.full_id:
                        via = "formerly"
                    else:
                        via = "parent"
                    moved = std_map.get(st.full_id) != old_parent
                    links.append(_link(old, new, oq, q, via, moved=moved))
                elif q.full_id in renames:
                    oq, sim = renames[q.full_id]
                    links.append(_link(old, new, oq, q, "similar-text", similarity=sim))
                    d.add(
                        Kind.POSSIBLY_RENAMED,
                        "question",
                        id=q.full_id,
                        old_id=oq.full_id,
                        old=oq.text,
                        new=q.text,
                        prose=True,
                        number=d.new_numbers.get(q.full_id, ""),
                        old_number=d.old_numbers.get(oq.full_id, ""),
                        label=q.text,
                        note=q.change_note,
                        similarity=sim,
                    )
                else:
                    links.append(QuestionLink(id=q.full_id))
                    d.add(
                        Kind.ADDED,
                        "question",
                        id=q.full_id,
                        number=d.new_numbers.get(q.full_id, ""),
                        label=q.text,
                        note=q.change_note,
                    )

    # -- what is gone, in the order of the old version ----------------------------------------
    old_sec_matched = set(sec_map.values())
    old_std_matched = set(std_map.values())
    for s in old.sections:
        if s.id not in old_sec_matched:
            d.add(
                Kind.REMOVED,
                "section",
                old_id=s.id,
                old_number=d.old_numbers.get(s.id, ""),
                label=s.title,
            )
        for st in s.standards:
            if st.full_id not in old_std_matched:
                d.add(
                    Kind.REMOVED,
                    "standard",
                    old_id=st.full_id,
                    old_number=d.old_numbers.get(st.full_id, ""),
                    label=st.title,
                )
            for q in st.questions:
                if q.full_id not in matched_old_q and q.full_id not in renamed_old:
                    d.add(
                        Kind.REMOVED,
                        "question",
                        old_id=q.full_id,
                        old_number=d.old_numbers.get(q.full_id, ""),
                        label=q.text,
                    )

    return Diff(
        old=_side_label(old),
        new=_side_label(new),
        changes=tuple(d.changes),
        matched=tuple(matched),
        tailored=bool(new.extends) and not old.extends and old.ref == new.ref,
        summary=new.change_summary,
        question_links=tuple(links),
    )


def _link(
    old: Checklist,
    new: Checklist,
    oq: Question,
    q: Question,
    via: Via,
    *,
    moved: bool = False,
    similarity: float = 0.0,
) -> QuestionLink:
    return QuestionLink(
        id=q.full_id,
        old_id=oq.full_id,
        via=via,
        moved=moved,
        text_changed=oq.text != q.text,
        type_changed=oq.type != q.type,
        scale_changed=_levels(old, oq) != _levels(new, q),
        options_changed=oq.options != q.options,
        similarity=similarity,
    )


def _levels(c: Checklist, q: Question) -> tuple[Level, ...] | None:
    """The levels a rating question is answered with (None for other types)."""
    if q.type != "rating":
        return None
    scale = c.scale(q.scale or c.default_scale)
    return scale.levels if scale else ()


def _standard_fields_differ(old: Standard, new: Standard) -> bool:
    return (
        old.title != new.title
        or old.expectation != new.expectation
        or old.guidance != new.guidance
        or old.cite != new.cite
        or old.applies_to != new.applies_to
        or old.themes != new.themes
    )


def _title_of(c: Checklist, item: ItemKind, full_id: str) -> str:
    for s in c.sections:
        if item == "section" and s.id == full_id:
            return s.title
        for st in s.standards:
            if item == "standard" and st.full_id == full_id:
                return st.title
    return ""


def _note_of(c: Checklist, item: ItemKind, full_id: str) -> str:
    for s in c.sections:
        if item == "section" and s.id == full_id:
            return s.change_note
        for st in s.standards:
            if item == "standard" and st.full_id == full_id:
                return st.change_note
    return ""


# -- finding the previous version ------------------------------------------------------------------


def previous_spec(checklist: Checklist, since: str | None = None) -> str | None:
    """The SET (a path or ``ID@VERSION``) of the version ``checklist`` is compared with.

    See :meth:`safeguard_standards.sets.Registry.previous_spec`, which decides it.
    """
    from .sets import Registry

    spec = Registry().previous_spec(checklist, since)
    return None if spec is None else str(spec)


def check_previous(checklist: Checklist, since: str | None = None) -> LoadResult | None:
    """Check the version ``checklist`` is compared with (see :func:`previous_spec`).

    Raises :class:`~safeguard_standards.SetNotFound` when it names nothing; None when the
    checklist supersedes nothing and no ``since`` is given.
    """
    from .sets import Registry

    return Registry().previous(checklist, since)

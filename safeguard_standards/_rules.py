"""Semantic rules: what the JSON Schema cannot say (ids, references, scales, conditions).

Each rule is a function registered with :func:`rule` that takes a :class:`Context` and yields
diagnostics. Rules read only the model; ``Context.at`` finds the exact line and column of a
field when the model came from a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ._yaml import SourceMap
from .diagnostics import Code, Diagnostic, did_you_mean
from .fields import DETAIL_FIELDS
from .model import (
    AppliesTo,
    Checklist,
    Citation,
    Condition,
    Location,
    Question,
    Section,
    Standard,
)

__all__ = ["RULES", "Context", "run_rules"]

Rule = Callable[["Context"], Iterator[Diagnostic]]
#: Rule name → function, in registration order.
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a semantic rule under ``name``."""

    def register(fn: Rule) -> Rule:
        if name in RULES:  # pragma: no cover - a programming error
            raise ValueError(f"rule {name!r} is registered twice")
        RULES[name] = fn
        return fn

    return register


class Context:
    """What a rule sees: the checklist, and where its fields were written."""

    def __init__(self, checklist: Checklist, sm: SourceMap | None, raw: dict[int, Any]) -> None:
        self.checklist = checklist
        self.sm = sm
        self._raw = raw

    def at(self, node: Any, field: str | None = None) -> Location:
        """Location of ``field`` of a model node (of the node itself if unknown)."""
        loc: Location = getattr(node, "loc", None) or Location(
            self.sm.source if self.sm is not None else "", 0, 0
        )  # an Option has no loc of its own: its fields are found through the raw mapping
        if field is None or self.sm is None:
            return loc
        raw = self._raw.get(id(node))
        if raw is None or field not in raw:
            return loc
        line, col, _style, _raw = self.sm.value(raw, field)
        return Location(loc.source, line, col)

    def raw(self, node: Any, field: str) -> Any:
        """The value the YAML gave for ``field`` (None if absent)."""
        raw = self._raw.get(id(node))
        return raw.get(field) if raw is not None else None

    def has(self, node: Any, field: str) -> bool:
        """Whether the YAML gave ``field`` for this node (whatever its value)."""
        raw = self._raw.get(id(node))
        return raw is not None and field in raw

    def at_item(self, node: Any, field: str, index: int) -> Location:
        """Location of item ``index`` of the list under ``field``."""
        raw = self._raw.get(id(node))
        if self.sm is None or raw is None or not isinstance(raw.get(field), list):
            return self.at(node, field)
        line, col, _style, _raw = self.sm.value(raw[field], index)
        return Location(node.loc.source, line, col)

    def diag(
        self, code: Code, where: Location, message: str, hint: str = "", item: str = ""
    ) -> Diagnostic:
        return Diagnostic(code, message, where.source, where.line, where.column, item, hint)


def _duplicates(
    ctx: Context, nodes: Iterable[Any], what: str, item_of: Callable[[Any], str]
) -> Iterator[Diagnostic]:
    seen: dict[str, Any] = {}
    for node in nodes:
        if not node.id:
            continue
        if node.id in seen:
            first = ctx.at(seen[node.id], "id")
            yield ctx.diag(
                Code.DUPLICATE_ID,
                ctx.at(node, "id"),
                f"{what} id {node.id!r} is used twice (first on line {first.line})",
                "give each one its own id; ids are how years and returns are matched, so never "
                "reuse one for a different item",
                item_of(node),
            )
        else:
            seen[node.id] = node


def _const(value: str) -> Callable[[Any], str]:
    return lambda _node: value


@rule("unique-ids")
def _unique_ids(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    yield from _duplicates(ctx, c.sections, "section", lambda n: n.id)
    for section in c.sections:
        yield from _duplicates(ctx, section.standards, "standard", lambda n: n.full_id)
        for standard in section.standards:
            yield from _duplicates(ctx, standard.questions, "question", lambda n: n.full_id)
            for q in standard.questions:
                yield from _duplicates(ctx, q.options, "option", _const(q.full_id))
    for scale in c.scales:
        yield from _duplicates(ctx, scale.levels, f"level of scale {scale.id!r}", _const(""))


#: Option ids that would collide with other field names in a rendered form
#: (``<full id>.evidence`` is the evidence box and ``<full id>.action`` the action box; a PDF
#: names an option ``<full id>.<option>``).
RESERVED_OPTION_IDS = ("evidence", "action")


@rule("reserved-ids")
def _reserved_ids(ctx: Context) -> Iterator[Diagnostic]:
    for q in ctx.checklist.questions():
        for option in q.options:
            if option.id in RESERVED_OPTION_IDS:
                yield ctx.diag(
                    Code.RESERVED_ID,
                    ctx.at(option, "id"),
                    f"option id {option.id!r} is reserved: '{q.full_id}.{option.id}' is the "
                    f"name of the question's {option.id} box in every rendered form",
                    f"choose another id for the option, e.g. 'has-{option.id}'",
                    q.full_id,
                )
    # a PDF field tree has one node per segment: a standard named like an organisation or
    # sign-off field (org.name) would make that field the parent of the standard's questions
    for standard in ctx.checklist.standards():
        if standard.full_id in DETAIL_FIELDS:
            section = standard.full_id.partition(".")[0]
            yield ctx.diag(
                Code.RESERVED_ID,
                ctx.at(standard, "id"),
                f"standard id {standard.id!r} is reserved in section {section!r}: "
                f"'{standard.full_id}' is the name of a form field of the organisation details "
                "or sign-off",
                "choose another id for the standard or the section",
                standard.full_id,
            )


@rule("formerly")
def _formerly(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    items: list[Any] = [*c.sections, *c.standards(), *c.questions()]
    seen: dict[str, Any] = {}
    for node in items:
        if not node.formerly:
            continue
        if node.formerly == node.full_id:
            yield ctx.diag(
                Code.BAD_FORMERLY,
                ctx.at(node, "formerly"),
                f"formerly {node.formerly!r} is the item's own id",
                "delete 'formerly' (it is only for items whose id changed since last version)",
                node.full_id,
            )
        elif node.formerly in seen:
            yield ctx.diag(
                Code.BAD_FORMERLY,
                ctx.at(node, "formerly"),
                f"formerly {node.formerly!r} is also claimed by {seen[node.formerly].full_id!r}",
                "an old id can continue as one item only; remove one of the two",
                node.full_id,
            )
        else:
            seen[node.formerly] = node


def _check_cites(ctx: Context, cites: Iterable[Citation], item: str) -> Iterator[Diagnostic]:
    keys = [r.key for r in ctx.checklist.references]
    for cite in cites:
        if cite.ref and cite.ref not in keys:
            yield ctx.diag(
                Code.UNDEFINED_REFERENCE,
                ctx.at(cite, "ref"),
                Code.UNDEFINED_REFERENCE.message(
                    ref=cite.ref, did_you_mean=did_you_mean(cite.ref, keys)
                ),
                Code.UNDEFINED_REFERENCE.hint(),
                item,
            )


@rule("references")
def _references(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    for standard in c.standards():
        yield from _check_cites(ctx, standard.cite, standard.full_id)
    for q in c.questions():
        yield from _check_cites(ctx, q.cite, q.full_id)
    cited = {cite.ref for s in c.standards() for cite in s.cite}
    cited |= {cite.ref for q in c.questions() for cite in q.cite}
    for ref in c.references:
        if not ref.url:
            yield ctx.diag(
                Code.REFERENCE_NO_URL,
                ref.loc,
                f"reference {ref.key!r} has no url",
                "add 'url: https://…' so readers can find the document",
            )
        if ref.key not in cited:
            yield ctx.diag(
                Code.REFERENCE_UNUSED,
                ref.loc,
                f"reference {ref.key!r} is defined but never cited",
                "cite it from the questions it supports, or delete it",
            )


@rule("scales")
def _scales(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    names = [s.id for s in c.scales]
    if c.default_scale and c.default_scale not in names:
        yield ctx.diag(
            Code.NO_DEFAULT_SCALE,
            ctx.at(c, "default_scale"),
            f"default_scale {c.default_scale!r} is not defined under 'scales'"
            + did_you_mean(c.default_scale, names),
            "name one of the scales: " + (", ".join(names) or "(none defined yet)"),
        )
    for q in c.questions():
        if q.type != "rating":
            continue
        if not q.scale:
            yield ctx.diag(
                Code.UNDEFINED_SCALE,
                ctx.at(q, "type"),
                "rating question names no scale and the set has no default_scale",
                "add 'scale: <id>' to the question, or 'default_scale: <id>' at the top",
                q.full_id,
            )
        elif q.scale not in names and q.scale != c.default_scale:  # else SG212 said it once
            yield ctx.diag(
                Code.UNDEFINED_SCALE,
                ctx.at(q, "scale"),
                f"scale {q.scale!r} is not defined under 'scales'" + did_you_mean(q.scale, names),
                "use one of: " + (", ".join(names) or "(no scales are defined)"),
                q.full_id,
            )


def _check_applies(ctx: Context, node: Any, applies: AppliesTo) -> Iterator[Diagnostic]:
    audiences = {a.id: a for a in ctx.checklist.audiences}
    for dimension, values in applies:
        where = ctx.at(node, "applies_to")
        if dimension not in audiences:
            yield ctx.diag(
                Code.UNDEFINED_AUDIENCE,
                where,
                f"applies_to names the audience {dimension!r}, which is not declared"
                + did_you_mean(dimension, audiences),
                "declare it under 'audiences' or use one of: " + (", ".join(audiences) or "(none)"),
                node.full_id,
            )
            continue
        known = audiences[dimension].value_ids()
        for value in values:
            if value not in known:
                yield ctx.diag(
                    Code.UNDEFINED_AUDIENCE,
                    where,
                    f"{value!r} is not a value of audience {dimension!r}"
                    + did_you_mean(value, known),
                    f"use one of: {', '.join(known)}",
                    node.full_id,
                )


@rule("applies-to")
def _applies_to(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    nodes: list[Section | Standard | Question] = [*c.sections, *c.standards(), *c.questions()]
    for node in nodes:
        yield from _check_applies(ctx, node, node.applies_to)


@rule("themes")
def _themes(ctx: Context) -> Iterator[Diagnostic]:
    declared = [t.id for t in ctx.checklist.themes]
    known = ", ".join(declared) or "none are declared yet"
    c = ctx.checklist
    nodes: list[Standard | Question] = [*c.standards(), *c.questions()]
    for node in nodes:
        # what the node itself lists (a question's inherited themes are its standard's)
        listed = ctx.raw(node, "themes")
        if not isinstance(listed, list):
            continue
        for index, theme in enumerate(listed):
            if isinstance(theme, str) and theme not in declared:
                yield ctx.diag(
                    Code.UNDEFINED_THEME,
                    ctx.at_item(node, "themes", index),
                    Code.UNDEFINED_THEME.message(
                        theme=theme, did_you_mean=did_you_mean(theme, declared)
                    ),
                    Code.UNDEFINED_THEME.hint(known=known),
                    node.full_id,
                )


@rule("question-fields")
def _question_fields(ctx: Context) -> Iterator[Diagnostic]:
    for q in ctx.checklist.questions():
        choice = q.type in ("choice", "multi-choice")
        if choice and not q.options:
            yield ctx.diag(
                Code.TYPE_MISMATCH,
                ctx.at(q, "type"),
                f"a {q.type} question needs 'options'",
                "add 'options:' with at least two entries, each {id: …, label: …}",
                q.full_id,
            )
        if q.options and not choice:
            yield ctx.diag(
                Code.TYPE_MISMATCH,
                ctx.at(q, "options"),
                f"'options' only apply to choice questions, not {q.type}",
                "remove 'options', or change the type to choice or multi-choice",
                q.full_id,
            )
        if q.type not in ("rating", "") and ctx.has(q, "scale"):
            yield ctx.diag(
                Code.TYPE_MISMATCH,
                ctx.at(q, "scale"),
                f"'scale' only applies to rating questions, not {q.type}",
                "remove 'scale', or change the type to rating",
                q.full_id,
            )
        numeric = q.type in ("number", "percentage")
        for field in ("unit", "min", "max"):
            if not numeric and ctx.has(q, field):
                yield ctx.diag(
                    Code.TYPE_MISMATCH,
                    ctx.at(q, field),
                    f"{field!r} only applies to number and percentage questions, not {q.type}",
                    f"remove {field!r}, or change the type to number",
                    q.full_id,
                )
        if q.min is not None and q.max is not None and q.min > q.max:
            yield ctx.diag(
                Code.TYPE_MISMATCH,
                ctx.at(q, "max"),
                f"max ({q.max:g}) is smaller than min ({q.min:g})",
                "swap the two values",
                q.full_id,
            )


def _conditions(cond: Condition) -> Iterator[Condition]:
    if cond.op in ("all", "any"):
        for c in cond.conditions:
            yield from _conditions(c)
    else:
        yield cond


@rule("ask-if")
def _ask_if(ctx: Context) -> Iterator[Diagnostic]:
    c = ctx.checklist
    order = {q.full_id: i for i, q in enumerate(c.questions())}
    by_id = {q.full_id: q for q in c.questions()}
    for q in c.questions():
        if q.ask_if is None:
            continue
        for cond in _conditions(q.ask_if):
            where = ctx.at(cond, "question")
            if not cond.question or not cond.values:
                yield ctx.diag(
                    Code.ASK_IF_SHAPE,
                    cond.loc,
                    "ask_if needs 'question' and one of 'equals', 'not_equals' or 'in' "
                    "(or 'all' / 'any' with a list of conditions)",
                    "e.g. ask_if: {question: section.standard.question, equals: yes}",
                    q.full_id,
                )
                continue
            target = by_id.get(cond.question)
            if target is None:
                yield ctx.diag(
                    Code.ASK_IF_UNKNOWN,
                    where,
                    f"ask_if names {cond.question!r}, which is not a question of this set"
                    + did_you_mean(cond.question, by_id),
                    "use the full id of an earlier question: section.standard.question",
                    q.full_id,
                )
                continue
            if order[target.full_id] >= order[q.full_id]:
                yield ctx.diag(
                    Code.ASK_IF_ORDER,
                    where,
                    f"ask_if depends on {cond.question!r}, which is "
                    + ("this question itself" if target is q else "asked later"),
                    "a question can only depend on an answer given before it; move one of them",
                    q.full_id,
                )
                continue
            answers = target.answer_ids(c)
            if answers is None:
                yield ctx.diag(
                    Code.ASK_IF_ANSWER,
                    where,
                    f"{cond.question!r} is "
                    + (f"a {target.type} question" if target.type else "a question with no type")
                    + "; conditions can only test "
                    "yes-no, rating and choice answers",
                    "make the earlier question yes-no or choice, or drop the condition",
                    q.full_id,
                )
                continue
            for index, value in enumerate(cond.values):
                if value not in answers:
                    if cond.op == "in":
                        spot = ctx.at_item(cond, "in", index)
                    else:
                        spot = ctx.at(cond, cond.op)
                    yield ctx.diag(
                        Code.ASK_IF_ANSWER,
                        spot,
                        f"{cond.question!r} cannot be answered {value!r}"
                        + did_you_mean(value, answers),
                        f"its answers are: {', '.join(answers) or '(none defined)'}",
                        q.full_id,
                    )


@rule("completeness")
def _completeness(ctx: Context) -> Iterator[Diagnostic]:
    for q in ctx.checklist.questions():
        # A field that is present but wrong has its own error; don't also say it is missing.
        if not q.evidence and not ctx.has(q, "evidence"):
            yield ctx.diag(
                Code.NO_EVIDENCE,
                q.loc,
                f"question {q.full_id!r} has no evidence prompts",
                "add 'evidence:' with what an organisation could show to support its answer",
                q.full_id,
            )
        missing = [part for part in ("why", "good") if not getattr(q.guidance, part)]
        malformed = ctx.has(q, "guidance") and not isinstance(ctx.raw(q, "guidance"), dict)
        if missing and not malformed:
            yield ctx.diag(
                Code.NO_GUIDANCE,
                ctx.at(q, "guidance"),
                f"question {q.full_id!r} has no guidance " + " or ".join(repr(m) for m in missing),
                "add 'guidance: {why: …, good: …}': why it is asked and what a strong answer "
                "looks like",
                q.full_id,
            )


def run_rules(
    checklist: Checklist, sm: SourceMap | None = None, raw: dict[int, Any] | None = None
) -> list[Diagnostic]:
    """Run every registered rule over ``checklist``."""
    ctx = Context(checklist, sm, raw or {})
    found: list[Diagnostic] = []
    for fn in RULES.values():
        found.extend(fn(ctx))
    return found

"""Build the immutable model from parsed data.

The builder is tolerant: it runs even when the structure check found errors, so that the
semantic rules can still report everything else in the same pass. Values of the wrong type
are skipped (the structure check has already reported them); nothing here raises for bad data.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from ._yaml import SourceMap
from .model import (
    DEFAULT_ACTION_PLAN_COLUMNS,
    ActionPlan,
    ActionPlanColumn,
    AppliesTo,
    Audience,
    AudienceValue,
    Checklist,
    Citation,
    Condition,
    Guidance,
    Level,
    Location,
    Option,
    Publisher,
    Question,
    Reference,
    Scale,
    Section,
    SignOff,
    Standard,
    Theme,
)

__all__ = ["build"]

_N = TypeVar("_N")


def _s(d: Any, key: str, default: str = "") -> str:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else default


def _list(d: Any, key: str) -> list[Any]:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, list) else []


def _dict(d: Any, key: str) -> dict[str, Any]:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, dict) else {}


def _num(d: Any, key: str) -> float | None:
    v = d.get(key) if isinstance(d, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def _bool(d: Any, key: str, default: bool) -> bool:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, bool) else default


def _ids(d: Any, key: str, first: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The ids listed under ``key`` after those in ``first``, each once, in order."""
    out = list(first)
    for v in _list(d, key):
        if isinstance(v, str) and v not in out:
            out.append(v)
    return tuple(out)


def _answer(value: Any) -> str | None:
    """Answers in conditions: booleans (YAML's yes/no/true/false) become yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # reported as SG106; kept so the meaning is checked too
        return str(value)
    return None


class _Builder:
    def __init__(self, sm: SourceMap) -> None:
        self.sm = sm
        #: id(model node) -> the mapping it was built from, for field-level locations.
        self.raw: dict[int, Any] = {}

    def keep(self, node: _N, d: Any) -> _N:
        self.raw[id(node)] = d
        return node

    def loc(self, obj: Any) -> Location:
        line, col = self.sm.container(obj)
        return Location(self.sm.source, line, col)

    def value_loc(self, mapping: Any, key: str) -> Location:
        if not isinstance(mapping, dict) or key not in mapping:
            return self.loc(mapping)
        line, col, _style, _raw = self.sm.value(mapping, key)
        return Location(self.sm.source, line, col)

    def key_loc(self, mapping: Any, key: str) -> Location:
        line, col = self.sm.key(mapping, key)
        return Location(self.sm.source, line, col)

    def applies(self, d: Any) -> AppliesTo:
        out = []
        for dimension, values in _dict(d, "applies_to").items():
            if isinstance(values, list):
                out.append((str(dimension), tuple(v for v in values if isinstance(v, str))))
        return tuple(out)

    def cites(self, d: Any) -> tuple[Citation, ...]:
        return tuple(
            self.keep(
                Citation(ref=_s(c, "ref"), at=_s(c, "at"), note=_s(c, "note"), loc=self.loc(c)), c
            )
            for c in _list(d, "cite")
            if isinstance(c, dict)
        )

    def condition(self, d: Any) -> Condition | None:
        if not isinstance(d, dict):
            return None
        loc = self.loc(d)
        op: Literal["all", "any", "equals", "not_equals"]
        for op in ("all", "any"):
            if op in d:
                parts = [self.condition(c) for c in _list(d, op)]
                return self.keep(
                    Condition(op=op, conditions=tuple(c for c in parts if c), loc=loc), d
                )
        question = _s(d, "question")
        for op in ("equals", "not_equals"):
            if op in d:
                value = _answer(d[op])
                return self.keep(
                    Condition(op=op, question=question, values=(value,) if value else (), loc=loc),
                    d,
                )
        if "in" in d:
            values = (_answer(v) for v in _list(d, "in"))
            return self.keep(
                Condition(
                    op="in", question=question, values=tuple(v for v in values if v), loc=loc
                ),
                d,
            )
        # Malformed: the rules report it (SG208); keep something to point at.
        return self.keep(Condition(op="equals", question=question, values=(), loc=loc), d)

    def question(
        self,
        d: dict[str, Any],
        parent: str,
        default_scale: str,
        inherited: tuple[str, ...] = (),
    ) -> Question:
        """The question ``d`` of the standard ``parent``, which has the themes ``inherited``."""
        qid = _s(d, "id")
        qtype = _s(d, "type")
        guidance = _dict(d, "guidance")
        return self.keep(
            Question(
                id=qid,
                full_id=f"{parent}.{qid}",
                text=_s(d, "text"),
                type=qtype,
                scale=_s(d, "scale", default_scale if qtype == "rating" else ""),
                options=tuple(
                    self.keep(Option(id=_s(o, "id"), label=_s(o, "label")), o)
                    for o in _list(d, "options")
                    if isinstance(o, dict)
                ),
                unit=_s(d, "unit"),
                min=_num(d, "min"),
                max=_num(d, "max"),
                required=_bool(d, "required", True),
                priority=_s(d, "priority"),
                evidence=tuple(e for e in _list(d, "evidence") if isinstance(e, str)),
                guidance=Guidance(
                    why=_s(guidance, "why"),
                    good=_s(guidance, "good"),
                    support=_s(guidance, "support"),
                ),
                cite=self.cites(d),
                applies_to=self.applies(d),
                ask_if=self.condition(d.get("ask_if")),
                in_return=_bool(d, "in_return", False),
                formerly=_s(d, "formerly"),
                change_note=_s(d, "change_note"),
                themes=_ids(d, "themes", inherited),
                listed_themes=_ids(d, "themes"),
                loc=self.loc(d),
            ),
            d,
        )

    def standard(self, d: dict[str, Any], section_id: str, default_scale: str) -> Standard:
        sid = _s(d, "id")
        full = f"{section_id}.{sid}"
        themes = _ids(d, "themes")
        return self.keep(
            Standard(
                id=sid,
                full_id=full,
                title=_s(d, "title"),
                expectation=_s(d, "expectation"),
                guidance=_s(d, "guidance"),
                cite=self.cites(d),
                applies_to=self.applies(d),
                formerly=_s(d, "formerly"),
                change_note=_s(d, "change_note"),
                themes=themes,
                questions=tuple(
                    self.question(q, full, default_scale, themes)
                    for q in _list(d, "questions")
                    if isinstance(q, dict)
                ),
                loc=self.loc(d),
            ),
            d,
        )

    def section(self, d: dict[str, Any], default_scale: str) -> Section:
        sid = _s(d, "id")
        return self.keep(
            Section(
                id=sid,
                title=_s(d, "title"),
                intro=_s(d, "intro"),
                applies_to=self.applies(d),
                formerly=_s(d, "formerly"),
                change_note=_s(d, "change_note"),
                standards=tuple(
                    self.standard(s, sid, default_scale)
                    for s in _list(d, "standards")
                    if isinstance(s, dict)
                ),
                loc=self.loc(d),
            ),
            d,
        )

    def checklist(self, data: dict[str, Any]) -> Checklist:
        scales_raw = _dict(data, "scales")
        default_scale = _s(data, "default_scale")
        if not default_scale and len(scales_raw) == 1:
            default_scale = next(iter(scales_raw))
        scales = tuple(
            Scale(
                id=str(sid),
                levels=tuple(
                    self.keep(
                        Level(
                            id=_s(lv, "id"),
                            label=_s(lv, "label"),
                            rag=_s(lv, "rag"),
                            score=_num(lv, "score"),
                            scored=_bool(lv, "scored", True),
                            describe=_s(lv, "describe"),
                            requires=tuple(r for r in _list(lv, "requires") if isinstance(r, str)),
                            loc=self.loc(lv),
                        ),
                        lv,
                    )
                    for lv in levels
                    if isinstance(lv, dict)
                ),
                loc=self.key_loc(scales_raw, sid),
            )
            for sid, levels in scales_raw.items()
            if isinstance(levels, list)
        )
        refs_raw = _dict(data, "references")
        references = tuple(
            Reference(
                key=str(key),
                title=_s(r, "title"),
                publisher=_s(r, "publisher"),
                kind=_s(r, "kind"),
                edition=_s(r, "edition"),
                url=_s(r, "url"),
                loc=self.key_loc(refs_raw, key),
            )
            for key, r in refs_raw.items()
            if isinstance(r, dict)
        )
        aud_raw = _dict(data, "audiences")
        audiences = tuple(
            Audience(
                id=str(aid),
                label=_s(a, "label", str(aid)),
                values=tuple(
                    AudienceValue(id=str(vid), label=label if isinstance(label, str) else str(vid))
                    for vid, label in _dict(a, "values").items()
                ),
                loc=self.key_loc(aud_raw, aid),
            )
            for aid, a in aud_raw.items()
            if isinstance(a, dict)
        )
        themes_raw = _dict(data, "themes")
        themes = tuple(
            self.keep(
                Theme(
                    id=str(tid),
                    title=_s(t, "title"),
                    describe=_s(t, "describe"),
                    loc=self.key_loc(themes_raw, tid),
                ),
                t,
            )
            for tid, t in themes_raw.items()
            if isinstance(t, dict)
        )
        pub = _dict(data, "publisher")
        publisher = (
            Publisher(
                name=_s(pub, "name"),
                contact=_s(pub, "contact"),
                url=_s(pub, "url"),
                logo=_s(pub, "logo"),
                return_deadline=_s(pub, "return_deadline"),
                logo_at=self.value_loc(pub, "logo"),
            )
            if pub
            else None
        )
        plan = _dict(data, "action_plan")
        columns = tuple(
            ActionPlanColumn(id=_s(c, "id"), label=_s(c, "label"))
            for c in _list(plan, "columns")
            if isinstance(c, dict)
        )
        effective = _dict(data, "effective")
        signing = _dict(data, "sign_off")
        sign_off = SignOff(
            statement=_s(signing, "statement") or SignOff().statement,
            role_examples=_s(signing, "role_examples"),
        )
        dsl = data.get("dsl")
        return self.keep(
            Checklist(
                dsl=dsl if isinstance(dsl, int) and not isinstance(dsl, bool) else 0,
                id=_s(data, "id"),
                version=_s(data, "version"),
                title=_s(data, "title"),
                status=_s(data, "status", "published"),
                effective_from=_s(effective, "from"),
                effective_to=_s(effective, "to"),
                supersedes=_s(data, "supersedes"),
                description=_s(data, "description"),
                change_summary=_s(data, "change_summary"),
                publisher=publisher,
                references=references,
                scales=scales,
                default_scale=default_scale,
                audiences=audiences,
                themes=themes,
                action_plan=ActionPlan(
                    per=_s(plan, "per", "standard"), columns=columns or DEFAULT_ACTION_PLAN_COLUMNS
                ),
                sign_off=sign_off,
                sections=tuple(
                    self.section(s, default_scale)
                    for s in _list(data, "sections")
                    if isinstance(s, dict)
                ),
                source=self.sm.source,
                loc=Location(self.sm.source, 1, 1),
            ),
            data,
        )


def build(data: dict[str, Any], sm: SourceMap) -> tuple[Checklist, dict[int, Any]]:
    """The model of ``data`` (tolerant of structural errors, which are reported elsewhere).

    Also returns the side table id(model node) → source mapping, for field-level locations.
    """
    builder = _Builder(sm)
    return builder.checklist(data), builder.raw

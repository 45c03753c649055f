"""The forms the online-collection formats are tested on, and fillings in their names.

:func:`cases` is every bundled set version (and ``tests/cases/valid/complete.yaml``, which has
every kind of condition), as a form and as a return form, for the whole set and for each
value of each audience it declares: the forms an officer can make with ``safeguard render SET
--as form|return-form --for DIM=VALUE``. :func:`safe_data` puts a filling
(``returns_fill.random_filling``) under the XLSForm/SurveyJS field names, as a SurveyJS result
or an XLSForm submission holds it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import attrs

import safeguard_standards as sg
from safeguard_standards import fields
from safeguard_standards.model import Checklist
from safeguard_standards.render import RenderOptions, build_view
from safeguard_standards.render._view import DocumentView

sys.path.insert(0, str(Path(__file__).resolve().parent))
from returns_fill import Filling, random_filling

COMPLETE = Path(__file__).resolve().parent / "cases" / "valid" / "complete.yaml"


@attrs.frozen
class Case:
    """One form: ``ref`` names it in test ids (``kcsie@2025-26/return-form/setting=academy``)."""

    set_ref: str
    version: str
    kind: str
    audience: tuple[tuple[str, str], ...] = ()

    @property
    def ref(self) -> str:
        tail = "".join(f"/{k}={v}" for k, v in self.audience)
        return f"{self.set_ref}@{self.version}/{self.kind}{tail}"

    def checklist(self) -> Checklist:
        """The set, with the audience selected."""
        c = _load(self.set_ref, self.version)
        return c.select(dict(self.audience)) if self.audience else c

    def options(self) -> RenderOptions:
        return RenderOptions(audience=self.audience)

    def view(self) -> DocumentView:
        view: DocumentView = build_view(self.kind, self.checklist(), self.options())
        return view

    def filling(self, seed: int) -> Filling:
        """A seeded random filling of this form (only the questions it has)."""
        full = _load(self.set_ref, self.version)
        filling = random_filling(full, seed, audience=dict(self.audience) or None)
        shown = {q.full_id for q in self.view().questions()}
        return {
            part: {k: v for k, v in values.items() if part == "details" or k in shown}
            for part, values in filling.items()
        }


@functools.cache
def _load(set_ref: str, version: str) -> Checklist:
    if set_ref == "complete":
        return sg.load_path(COMPLETE)
    return sg.load_bundled(set_ref, version)


def _has_return(c: Checklist) -> bool:
    return any(q.in_return for q in c.questions())


def cases(*, audiences: bool = True) -> list[Case]:
    """Every form of every bundled set version and of complete.yaml (see the module)."""
    sets = [("complete", "2025-26")]
    sets += [(s.id, v) for s in sg.bundled_sets() for v in s.versions]
    out = []
    for set_ref, version in sets:
        c = _load(set_ref, version)
        kinds = ["form", *(["return-form"] if _has_return(c) else [])]
        selections: list[tuple[tuple[str, str], ...]] = [()]
        if audiences:
            selections += [((a.id, v),) for a in c.audiences for v in a.value_ids()]
        for kind in kinds:
            for sel in selections:
                picked = c.select(dict(sel)) if sel else c
                if kind == "return-form" and not _has_return(picked):
                    continue
                if not any(True for _ in picked.questions()):
                    continue
                out.append(Case(set_ref, version, kind, sel))
    return out


def safe_data(filling: Filling) -> dict[str, Any]:
    """The filling keyed by safe names (answers, evidence, actions and details together)."""
    out: dict[str, Any] = {}
    for full_id, value in filling["answers"].items():
        out[fields.safe_name(full_id)] = value
    for full_id, value in filling["evidence"].items():
        out[fields.safe_name(fields.evidence(full_id).name)] = value
    for full_id, value in filling["actions"].items():
        out[fields.safe_name(fields.action(full_id).name)] = value
    for name, value in filling["details"].items():
        out[fields.safe_name(name)] = value
    return out


def expected_visible(view: DocumentView, filling: Filling) -> list[str]:
    """The field names a form shows for ``filling``, by our own ``ask_if``
    (:meth:`Condition.holds`): a question and its evidence box when its condition holds (or it
    has none, or the condition's questions are not all in the form), and its action box when
    it is shown and answered with a level that needs an action; every detail field."""
    from safeguard_standards.render._collect import action_levels

    answers = filling["answers"]
    shown = [f.name for f in fields.ORGANISATION_FIELDS]
    for q in view.questions():
        cond = q.question.ask_if
        if cond is None or not q.condition_live or cond.holds(answers):
            shown += [q.full_id, q.evidence_field]
            if answers.get(q.full_id) in action_levels(q):
                shown.append(fields.action(q.full_id).name)
    shown += [f.name for f in fields.SIGN_OFF_FIELDS]
    return shown

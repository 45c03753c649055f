"""Seeded random fillings of a form, for the round-trip tests and benchmarks of returns.

A *filling* is what a person typed into a blank form, in the shape of the return JSON
(``safeguard schema --return``): ``answers``, ``evidence``, ``actions`` and ``details``, each
keyed by field name, answers typed as the return JSON has them (a level id, ``"yes"``/``"no"``,
a number, an ISO date, text, an option id, a list of option ids). Every format's filler in the
tests writes a filling into a blank form; reading the form back must give the filling again.

:func:`random_filling` covers every answer type, N/A with a justification, levels that need an
action (with one), multi-choice, unicode, long evidence (up to 5,000 characters with
``long_text``) and questions left empty. The same seed gives the same filling.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from safeguard_standards import Checklist
from safeguard_standards.fields import ORGANISATION_FIELDS, SIGN_OFF_FIELDS

__all__ = ["Filling", "questions_of", "random_filling"]

Filling = dict[str, dict[str, Any]]

# Words with accents, other scripts and punctuation a form must keep as typed; nothing that
# looks like personal data (no numbers of ten digits, postcodes, e-mail addresses or names in
# the patterns the guardrail looks for).
_WORDS = (
    "policy",
    "reviewed",
    "annually",
    "governors",
    "training",
    "records",
    "safer",
    "recruitment",
    "café",
    "naïve",
    "coördinated",
    "Ünited",
    "Łódź",
    "Ελληνικά",
    "русский",
    "中文",
    "日本語",
    "العربية",
    "עברית",
    "हिन्दी",
    "emoji 🙂",
    "quotes \"double\" and 'single'",
    "a & b < c > d",
    "50%",
    "£20",
    "semi;colon",
    "comma, here",
    "back\\slash",
    "tab\there",
)


def questions_of(checklist: Checklist, audience: dict[str, str] | None = None) -> list[Any]:
    """The questions a form for ``audience`` has, in order."""
    c = checklist.select(audience) if audience else checklist
    return list(c.questions())


def _text(rng: random.Random, long_text: bool, lines: bool = True) -> str:
    if long_text and rng.random() < 0.05:
        out = ""
        while len(out) < 5000:
            out += rng.choice(_WORDS) + " "
        return out[:5000].rstrip()
    n = rng.randint(1, 12)
    words = [rng.choice(_WORDS) for _ in range(n)]
    if lines and n > 4 and rng.random() < 0.3:
        words.insert(n // 2, "\n")
    return " ".join(words).replace(" \n ", "\n")


def _number(rng: random.Random, q: Any, percentage: bool) -> int | float:
    lo = 0 if q.min is None else q.min
    hi = (100 if percentage else 5000) if q.max is None else q.max
    if rng.random() < 0.2 and not percentage:
        return round(rng.uniform(lo, hi), 1) if hi - lo > 1 else lo
    value = rng.randint(int(lo), int(hi))
    return value


def random_filling(
    checklist: Checklist,
    seed: int,
    *,
    audience: dict[str, str] | None = None,
    long_text: bool = True,
    empty: float = 0.1,
    details: bool = True,
) -> Filling:
    """A seeded random filling of ``checklist``'s form for ``audience`` (see the module)."""
    rng = random.Random(f"{checklist.id}/{checklist.version}/{seed}")
    scales = {s.id: s for s in checklist.scales}
    out: Filling = {"answers": {}, "evidence": {}, "actions": {}, "details": {}}
    for q in questions_of(checklist, audience):
        if rng.random() < empty:
            continue
        value: Any
        needs: tuple[str, ...] = ()
        if q.type == "rating":
            level = rng.choice(scales[q.scale].levels)
            value, needs = level.id, level.requires
        elif q.type == "yes-no":
            value = rng.choice(("yes", "no"))
        elif q.type in ("number", "percentage"):
            value = _number(rng, q, q.type == "percentage")
        elif q.type == "date":
            value = (
                datetime.date(2024, 1, 1) + datetime.timedelta(rng.randint(0, 900))
            ).isoformat()
        elif q.type == "text":
            value = _text(rng, long_text)
        elif q.type == "choice":
            value = rng.choice(q.options).id
        elif q.type == "multi-choice":
            picked = [o.id for o in q.options if rng.random() < 0.5]
            value = picked or [q.options[0].id]
        else:  # pragma: no cover - a new question type
            raise AssertionError(q.type)
        out["answers"][q.full_id] = value
        if "justification" in needs or "evidence" in needs or rng.random() < 0.6:
            out["evidence"][q.full_id] = _text(rng, long_text)
        if "action" in needs:
            out["actions"][q.full_id] = _text(rng, long_text)
    if details:
        for f in (*ORGANISATION_FIELDS, *SIGN_OFF_FIELDS):
            if f.type == "date":
                out["details"][f.name] = "2025-11-" + f"{rng.randint(1, 28):02d}"
            elif f.name == "org.contact":
                out["details"][f.name] = "safeguarding@example.org"
            else:
                out["details"][f.name] = _text(rng, False, lines=f.name == "org.address")
    return out

"""Seeded, realistic returns for the bundled sets: for examples, tests and benchmarks.

:func:`generate` makes a roster of organisations for each set (schools and colleges for
``kcsie``, agencies for ``section11``, voluntary and community groups for ``vcs_checklist``),
each with an id, a name, a type (its audience value) and the set it answers, and their returns
to two versions of each set (last year's and this year's), with some organisations missing
each year. Answers are drawn from a simple model so that the figures look like a partnership's:
every organisation has a quality, every question a difficulty (the same every year, so some
standards are weaker across the partnership), organisations improve a little from one year to
the next, and a few answers are Not applicable or left empty. Levels that need an action carry
one. Returns come back in mixed formats (filled PDF, Excel, Word, the web form's saved
answers) and record where in their file each value was found, as the readers do. The same
seed gives the same roster and returns, answer for answer.

:func:`write` writes them as return JSON files (:meth:`Return.to_dict
<safeguard_standards.returns.model.Return.to_dict>`), ``<folder>/<set>/<version>/<id>.json``
(``<id>`` the roster id), and the roster as ``<folder>/roster.csv``.

Nothing here is personal data: names are made from place names and kinds of organisation;
with ``personal_data`` a share of actions carries a (fake, checksum-valid) NHS number, to
exercise the guardrail.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from ..model import Checklist, Question
from ..returns.model import Answer, AnswerValue, DetailValue, Return
from ..returns.raw import Where
from .roster import Organisation, Roster, return_key, roster_csv

__all__ = [
    "INVALID",
    "PROFILES",
    "Synthetic",
    "generate",
    "make_returns",
    "make_roster",
    "return_json",
    "write",
]

_PLACES = (
    "Ashford", "Beacon", "Brookfield", "Castleton", "Cedar", "Dalewood", "Eastbrook",
    "Elmhurst", "Fairfield", "Greenacre", "Hawthorn", "Highfield", "Kingsmead", "Lakeside",
    "Meadowbank", "Millbrook", "Northgate", "Oakwood", "Parkside", "Queensway", "Riverside",
    "Rowan", "St Anne's", "St Mark's", "Southfield", "Thornbury", "Valley", "Westfield",
    "Willowdene", "Yewtree",
)  # fmt: skip

#: Per bundled set: the audience dimension an organisation's type is, the types with their
#: weights and how each is named, and how many organisations a roster has by default.
PROFILES: Mapping[str, tuple[str, tuple[tuple[str, float, str], ...], int]] = {
    "kcsie": (
        "setting",
        (
            ("academy", 0.45, "{place} Academy"),
            ("maintained", 0.30, "{place} Primary School"),
            ("independent", 0.08, "{place} House School"),
            ("special", 0.06, "{place} Special School"),
            ("pru-ap", 0.03, "{place} Learning Centre"),
            ("fe-college", 0.04, "{place} College"),
            ("early-years", 0.04, "{place} Nursery"),
        ),
        60,
    ),
    "section11": (
        "agency",
        (
            ("local-authority", 0.08, "{place} Council Children's Services"),
            ("district-council", 0.20, "{place} District Council"),
            ("health-commissioner", 0.05, "{place} Integrated Care Board"),
            ("health-provider", 0.22, "{place} NHS Trust"),
            ("police", 0.05, "{place} Police"),
            ("probation", 0.05, "{place} Probation Delivery Unit"),
            ("youth-justice", 0.05, "{place} Youth Justice Service"),
            ("education", 0.10, "{place} Education Trust"),
            ("voluntary", 0.15, "{place} Family Support"),
            ("other", 0.05, "{place} Leisure Trust"),
        ),
        40,
    ),
    "vcs_checklist": (
        "size",
        (
            ("volunteer-only", 0.5, "{place} Scouts"),
            ("small-staffed", 0.35, "{place} Youth Club"),
            ("large", 0.15, "{place} Community Trust"),
        ),
        30,
    ),
}

_EVIDENCE = (
    "Policy reviewed by the board in the autumn term",
    "Training records held centrally and checked each term",
    "Minutes of the safeguarding committee",
    "Single central record audited by the lead",
    "Induction checklist signed by each new member of staff",
    "Annual report to trustees",
    "Supervision notes sampled by the designated lead",
    "Learning from reviews shared in team briefings",
)
_ACTIONS = (
    "Review the policy with the safeguarding lead",
    "Add the topic to next term's training",
    "Audit a sample of records and report to the board",
    "Agree a timetable for refresher training",
    "Write a procedure and share it with all staff",
)
#: A fake NHS number that passes the modulus-11 check (the NHS's own example).
_FAKE_NHS = "943 476 5870"


@attrs.frozen(kw_only=True)
class Synthetic:
    """A roster and the returns of its organisations, per (set id, version)."""

    roster: Roster
    returns: Mapping[tuple[str, str], tuple[Return, ...]]
    #: Per (set id, version): ids of the organisations on the roster that did not return.
    missing: Mapping[tuple[str, str], tuple[str, ...]]


def _unit(*parts: object) -> float:
    """A number in [0, 1) from the SHA-256 of ``parts``: the same on every Python."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _normal(*parts: object) -> float:
    """A standard normal number from ``parts`` (Box–Muller on two hashed uniforms)."""
    u1 = max(_unit("a", *parts), 1e-12)
    u2 = _unit("b", *parts)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def make_roster(set_id: str, size: int | None = None, *, seed: int = 1) -> tuple[Organisation, ...]:
    """A roster of ``size`` organisations for a bundled set (its default size when None)."""
    _, types, default = PROFILES[set_id]
    n = default if size is None else size
    rng = random.Random(f"roster/{set_id}/{seed}")
    prefix = {"kcsie": "SCH", "section11": "AGY", "vcs_checklist": "VCS"}[set_id]
    out: list[Organisation] = []
    used: set[str] = set()
    weights = [w for _, w, _ in types]
    for i in range(1, n + 1):
        type_id, _, pattern = rng.choices(types, weights)[0]
        name = pattern.format(place=rng.choice(_PLACES))
        k = 2
        base = name
        while name in used:
            name = f"{base} {k}"
            k += 1
        used.add(name)
        out.append(Organisation(id=f"{prefix}-{i:04d}", name=name, type=type_id, set=set_id))
    return tuple(out)


def _audience(
    checklist: Checklist, org: Organisation, dimension: str
) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for aud in checklist.audiences:
        if aud.id == dimension:
            out[aud.id] = org.type
        elif aud.id == "cycle":
            out[aud.id] = "year-1" if _unit("cycle", org.id) < 0.8 else "year-2"
        elif aud.id == "residential":
            out[aud.id] = "boarding" if _unit("boarding", org.id) < 0.06 else "day"
        else:
            values = aud.value_ids()
            out[aud.id] = values[int(_unit(aud.id, org.id) * len(values))]
    return tuple(sorted(out.items()))


def _level_of(checklist: Checklist, q: Question, z: float) -> tuple[str, tuple[str, ...]]:
    scale = checklist.scale(q.scale)
    assert scale is not None
    scored = [lv for lv in scale.levels if lv.scored]
    green = [lv for lv in scored if lv.rag == "green"] or scored[:1]
    other = [lv for lv in scored if lv not in green]
    if z > -0.3:  # meeting the standard: the best green level above a further cut
        cuts = [1.0 + 1.2 * i for i in range(len(green) - 1)][::-1]
        for lv, cut in zip(green, cuts, strict=False):
            if z > cut:
                return lv.id, lv.requires
        return green[-1].id, green[-1].requires
    for i, lv in enumerate(other):
        if z > -1.3 - 1.0 * i or i == len(other) - 1:
            return lv.id, lv.requires
    return green[-1].id, green[-1].requires  # pragma: no cover - a scale of green levels only


class _Draw:
    """The random numbers of one organisation's return: ``random.Random`` seeded with text
    (stable across Python versions, as is ``random()``, the only method used)."""

    __slots__ = ("rng",)

    def __init__(self, *parts: object) -> None:
        self.rng = random.Random("/".join(map(str, parts)))

    def unit(self) -> float:
        return self.rng.random()

    def normal(self) -> float:
        u1 = max(self.rng.random(), 1e-12)
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * self.rng.random())


_DIFFICULTY: dict[tuple[int, str, str], float] = {}


def _difficulty(seed: int, set_id: str, question: str) -> float:
    key = (seed, set_id, question)
    found = _DIFFICULTY.get(key)
    if found is None:
        found = 0.8 * _normal("difficulty", seed, set_id, question)
        _DIFFICULTY[key] = found
    return found


def _answer(
    checklist: Checklist, q: Question, quality: float, draw: _Draw, seed: int
) -> tuple[AnswerValue, tuple[str, ...]]:
    z = quality - _difficulty(seed, checklist.id, q.full_id) + 0.7 * draw.normal()
    u = draw.unit()
    if q.type == "rating":
        scale = checklist.scale(q.scale)
        na = [lv for lv in scale.levels if not lv.scored] if scale else []
        if na and u < 0.03:
            return na[0].id, na[0].requires
        return _level_of(checklist, q, z)
    if q.type == "yes-no":
        return ("yes" if z > -1.2 else "no"), ()
    if q.type in ("number", "percentage"):
        hi = q.max if q.max is not None else (100 if q.type == "percentage" else 60)
        lo = q.min if q.min is not None else 0
        return int(lo + u * (hi - lo)), ()
    if q.type == "date":
        return datetime.date(2024, 9, 1) + datetime.timedelta(days=int(u * 600)), ()
    if q.type == "text":
        return _EVIDENCE[int(u * len(_EVIDENCE))], ()
    if q.type == "choice":
        return q.options[int(u * len(q.options))].id, ()
    if q.type == "multi-choice":
        picked = tuple(o.id for o in q.options if draw.unit() < 0.5)
        return picked or (q.options[0].id,), ()
    raise AssertionError(q.type)  # pragma: no cover - a new question type


#: The formats returns come back in (the web form's saved answers, filled PDF, Word, Excel),
#: with their shares: each return records where in its file every value was found.
_FORMATS = (("pdf", 0.40), ("xlsx", 0.25), ("docx", 0.20), ("html-json", 0.15))
_EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "docx": "docx", "html-json": "json"}
_COLUMNS = {"answer": "I", "evidence": "J", "action": "K"}


def _format(u: float) -> str:
    for fmt, share in _FORMATS:
        if u < share:
            return fmt
        u -= share
    return _FORMATS[-1][0]


def _where(fmt: str, name: str, full_id: str, number: int, part: str) -> Where:
    """Where a value sits in a filled form of this format, as the readers record it."""
    field = full_id if part == "answer" else f"{full_id}:{part}"
    if fmt == "pdf":
        return Where(name, page=2 + number // 5, field=field)
    if fmt == "xlsx":
        return Where(name, sheet="Answers", cell=f"{_COLUMNS[part]}{number + 2}")
    if fmt == "docx":
        return Where(name, tag=field)
    section = {"answer": "answers", "evidence": "evidence", "action": "actions"}[part]
    return Where(name, pointer=f"/{section}/{full_id}")


def make_returns(
    checklist: Checklist,
    organisations: Sequence[Organisation],
    *,
    year: int = 1,
    seed: int = 1,
    missing: float = 0.08,
    empty: float = 0.02,
    personal_data: float = 0.0,
) -> tuple[tuple[Return, ...], tuple[str, ...]]:
    """Returns to ``checklist`` from ``organisations`` (year 0 last year, 1 this year), and
    the ids of those that did not return (about ``missing`` of them)."""
    dimension = PROFILES[checklist.id][0] if checklist.id in PROFILES else ""
    out: list[Return] = []
    absent: list[str] = []
    selected: dict[tuple[tuple[str, str], ...], list[Question]] = {}
    for org in organisations:
        if _unit("missing", seed, org.id, checklist.version) < missing:
            absent.append(org.id)
            continue
        audience = _audience(checklist, org, dimension)
        questions = selected.get(audience)
        if questions is None:
            questions = list(checklist.select(dict(audience)).questions())
            selected[audience] = questions
        given: dict[str, object] = {}
        answers: list[Answer] = []
        draw = _Draw(seed, org.id, checklist.version)
        quality = _normal("quality", seed, org.id) + 0.3 * year
        fmt = _format(draw.unit())
        name = f"{org.id}.{_EXTENSIONS[fmt]}"
        for number, q in enumerate(questions):
            asked = q.ask_if is None or q.ask_if.holds(given)
            if not asked or draw.unit() < empty:
                answers.append(Answer(question=q.full_id, type=q.type, asked=asked))
                continue
            value, needs = _answer(checklist, q, quality, draw, seed)
            given[q.full_id] = value
            u = draw.unit()
            evidence = ""
            if "justification" in needs or "evidence" in needs or u < 0.4:
                evidence = _EVIDENCE[int(u * 1000) % len(_EVIDENCE)]
            action = ""
            if "action" in needs or (q.type == "rating" and u > 0.9):
                action = _ACTIONS[int(u * 1000) % len(_ACTIONS)]
                if personal_data and draw.unit() < personal_data:
                    action += f" (raised for the child with NHS number {_FAKE_NHS})"
            answers.append(
                Answer(
                    question=q.full_id,
                    type=q.type,
                    value=value,
                    evidence=evidence,
                    action=action,
                    where=_where(fmt, name, q.full_id, number, "answer"),
                    evidence_where=_where(fmt, name, q.full_id, number, "evidence")
                    if evidence
                    else None,
                    action_where=_where(fmt, name, q.full_id, number, "action") if action else None,
                )
            )
        day = 1 + int(draw.unit() * 27)
        details = (
            DetailValue("org.name", org.name),
            DetailValue("org.role", "Designated safeguarding lead"),
            DetailValue("org.contact", f"safeguarding@{org.id.lower()}.example.org"),
            DetailValue("org.date", f"{2024 + year}-06-{day:02d}"),
        )
        out.append(
            Return(
                source=name,
                read_from=fmt,
                set=checklist.id,
                version=checklist.version,
                audience=audience,
                details=details,
                answers=tuple(answers),
            )
        )
    return tuple(out), tuple(absent)


def generate(
    *,
    seed: int = 1,
    sets: Iterable[str] = ("kcsie", "section11", "vcs_checklist"),
    sizes: Mapping[str, int] | None = None,
    missing: float = 0.08,
    personal_data: float = 0.0,
) -> Synthetic:
    """A roster for each set and returns to its last two bundled versions (see the module)."""
    from ..sets import Registry, load_bundled

    registry = Registry()
    organisations: list[Organisation] = []
    returns: dict[tuple[str, str], tuple[Return, ...]] = {}
    absent: dict[tuple[str, str], tuple[str, ...]] = {}
    for set_id in sets:
        roster = make_roster(set_id, (sizes or {}).get(set_id), seed=seed)
        organisations.extend(roster)
        for year, version in enumerate(registry.versions(set_id)[-2:]):
            checklist = load_bundled(set_id, version)
            got, gone = make_returns(
                checklist,
                roster,
                year=year,
                seed=seed,
                missing=missing,
                personal_data=personal_data,
            )
            returns[(set_id, version)] = got
            absent[(set_id, version)] = gone
    return Synthetic(roster=Roster(tuple(organisations)), returns=returns, missing=absent)


def return_json(ret: Return) -> str:
    """A return's JSON file text, as the checker writes it (keys in a stable order)."""
    return json.dumps(ret.to_dict(), ensure_ascii=False, indent=1) + "\n"


#: The broken files :func:`write` adds with ``invalid``: (name, what is wrong, text). Each is
#: what a partnership officer meets in a real folder of returns.
INVALID: tuple[tuple[str, str, str], ...] = (
    ("invalid-truncated.json", "cut short", '{"format": "safeguard-standards/return", "set": '),
    ("invalid-not-a-return.json", "JSON but not a return", '{"title": "Minutes"}\n'),
    (
        "invalid-wrong-version.json",
        "answers a version not bundled",
        '{"format": "safeguard-standards/return", "format_version": 1, "set": "kcsie", '
        '"version": "1999-00", "answers": {}}\n',
    ),
    (
        "invalid-answers-list.json",
        "answers not an object",
        '{"format": "safeguard-standards/return", "format_version": 1, "set": "kcsie", '
        '"version": "2025-26", "answers": []}\n',
    ),
)


def write(
    synthetic: Synthetic, folder: str | os.PathLike[str], *, invalid: bool = False
) -> list[Path]:
    """Write the roster and every return under ``folder`` (see the module); the paths
    written, roster first. With ``invalid``, the files of :data:`INVALID` are added to each
    set version's folder, as a real folder of returns has some."""
    from .._atomic import write_atomic

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written = [write_atomic(root / "roster.csv", roster_csv(synthetic.roster))]
    for (set_id, version), rets in synthetic.returns.items():
        sub = root / set_id / version
        sub.mkdir(parents=True, exist_ok=True)
        for ret in rets:
            path = sub / (return_key(ret) + ".json")
            path.write_text(return_json(ret), encoding="utf-8")
            written.append(path)
        if invalid:
            for name, _, text in INVALID:
                path = sub / name
                path.write_text(text, encoding="utf-8")
                written.append(path)
    return written

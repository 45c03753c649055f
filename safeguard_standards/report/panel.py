"""A reproducible selection of organisations: for a panel, or for verification visits.

The selection is a pure function of a published seed and the organisations' ids, so anyone
with the list of ids can re-run it and get the same organisations:

1. each organisation's **rank** is the SHA-256 hash of the seed, a line feed (``\\n``) and its
   id, encoded as UTF-8, written as 64 lower-case hexadecimal digits
   (``sha256(f"{seed}\\n{id}".encode()).hexdigest()``);
2. **without strata**, the ``size`` organisations with the lowest ranks are selected;
3. **stratified** by a dimension (agency type, setting), each group gets a share of ``size``
   proportional to its number of organisations (*proportional allocation*, rounded by the
   largest-remainder method): every group first gets the whole part of ``size × group /
   total``; the places left go one each to the groups with the largest fractional parts (ties:
   the larger group, then the group name in alphabetical order). Within each group, the
   organisations with the lowest ranks are selected.

Ids are compared as given (after stripping spaces); repeated ids count once. Python's
``random.sample`` is not used: its output may change between Python versions, a hash's never.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import attrs

from .table import Table

__all__ = ["Selection", "allocate", "rank", "select"]


def rank(seed: str, org_id: str) -> str:
    """An organisation's rank for ``seed``: the hexadecimal SHA-256 of seed, ``\\n``, id."""
    return hashlib.sha256(f"{seed}\n{org_id}".encode()).hexdigest()


def allocate(sizes: Mapping[str, int], size: int) -> dict[str, int]:
    """Proportional allocation of ``size`` places to groups of ``sizes`` (largest remainder;
    see the module). The result's values sum to ``min(size, total)``."""
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    size = min(size, total)
    # exact arithmetic: quota = size * n / total, whole part and remainder (numerator)
    whole = {g: size * n // total for g, n in sizes.items()}
    remainder = {g: size * n % total for g, n in sizes.items()}
    left = size - sum(whole.values())
    order = sorted(sizes, key=lambda g: (-remainder[g], -sizes[g], g))
    for g in order[:left]:
        whole[g] += 1
    return whole


@attrs.frozen(kw_only=True)
class Selection:
    """The organisations selected, with everything needed to re-run the selection."""

    seed: str
    size: int
    purpose: str
    #: The ids selected, in rank order (within each group, groups in alphabetical order, when
    #: stratified).
    selected: tuple[str, ...]
    #: (id, rank) of every organisation considered, lowest rank first.
    ranks: tuple[tuple[str, str], ...]
    #: The dimension stratified by ("" for none), and per group: (group, organisations,
    #: places).
    by: str = ""
    allocation: tuple[tuple[str, int, int], ...] = ()
    #: The standards the panel reviews, as given.
    standards: tuple[str, ...] = ()
    #: (id, group) of every organisation considered, when stratified.
    strata: tuple[tuple[str, str], ...] = ()

    def table(self, names: Mapping[str, str] | None = None) -> Table:
        """The selection as a table (one row per organisation selected, in order), with the
        method as its notes. ``names`` (id → name) labels the rows; ids otherwise."""
        from .table import Row, cell, make_table

        group = dict(self.strata)
        rows = [
            Row(
                org,
                (names or {}).get(org, org),
                (cell(i + 1), cell(org), cell(group.get(org, "")), cell(self.rank_of(org))),
            )
            for i, org in enumerate(self.selected)
        ]
        return make_table(
            "panel" if self.purpose == "panel" else "selection",
            f"{self.purpose.capitalize()}: organisations selected",
            "Organisation",
            [
                ("order", "Order"),
                ("id", "Id"),
                ("group", self.by.capitalize() or "Group"),
                ("rank", "Rank (SHA-256)"),
            ],
            rows,
            self.method.splitlines(),
        )

    def rank_of(self, org_id: str) -> str:
        """The rank of one organisation considered ("" if it was not)."""
        return dict(self.ranks).get(org_id, "")

    @property
    def method(self) -> str:
        """The method, in words, with the seed: what a report prints beside the selection."""
        n = len(self.ranks)
        lines = [
            f"{self.purpose.capitalize()}: {len(self.selected)} of {n} organisations selected "
            f"with the published seed {self.seed!r}.",
            "Each organisation's rank is the SHA-256 hash of the seed, a line feed and its id "
            "(UTF-8), in hexadecimal; the lowest ranks are selected.",
        ]
        if self.by:
            lines.append(
                f"Stratified by {self.by}: each group's places are proportional to its number of "
                "organisations (largest remainder: whole parts first, then one place each to the "
                "largest fractional parts; ties to the larger group, then alphabetical order); "
                "within a group the lowest ranks are selected."
            )
            lines.append(
                "Places: "
                + "; ".join(f"{g or 'none given'} {p} of {k}" for g, k, p in self.allocation)
                + "."
            )
        if self.standards:
            lines.append("Standards to review: " + ", ".join(self.standards) + ".")
        lines.append(
            'To re-run it: python -c "import hashlib,sys; ids=sys.stdin.read().split(); '
            f"print(sorted(ids, key=lambda i: hashlib.sha256(('{self.seed}'+chr(10)+i).encode())"
            f'.hexdigest())[:{self.size}])" < ids.txt'
            + (" (for each group in turn, with its number of places)" if self.by else "")
        )
        return "\n".join(lines)


def select(
    org_ids: Iterable[str],
    seed: str | int,
    size: int,
    by: str | None = None,
    strata: Mapping[str, str] | None = None,
    *,
    purpose: str = "panel",
    standards: Sequence[str] = (),
) -> Selection:
    """Select ``size`` of ``org_ids`` with ``seed`` (see the module).

    With ``by`` (the dimension's name, for the text) and ``strata`` (organisation id → its
    group), the selection is stratified; an id missing from ``strata`` is in the group "".
    ``purpose`` names the selection in its method text ("panel", "verification visits").
    """
    if size < 0:
        raise ValueError("size must be 0 or more")
    seed_text = str(seed)
    ids = list(dict.fromkeys(i.strip() for i in org_ids if i.strip()))
    ranked = sorted(((i, rank(seed_text, i)) for i in ids), key=lambda p: (p[1], p[0]))
    if by is None and strata is None:
        chosen = tuple(i for i, _ in ranked[:size])
        return Selection(
            seed=seed_text,
            size=size,
            purpose=purpose,
            selected=chosen,
            ranks=tuple(ranked),
            standards=tuple(standards),
        )
    groups: dict[str, list[str]] = {}
    for i, _ in ranked:
        groups.setdefault((strata or {}).get(i, ""), []).append(i)
    sizes = {g: len(members) for g, members in sorted(groups.items())}
    places = allocate(sizes, size)
    chosen_list: list[str] = []
    for g in sorted(groups):
        chosen_list.extend(groups[g][: places[g]])
    return Selection(
        seed=seed_text,
        size=size,
        purpose=purpose,
        selected=tuple(chosen_list),
        ranks=tuple(ranked),
        by=by or "group",
        allocation=tuple((g, sizes[g], places[g]) for g in sorted(groups)),
        standards=tuple(standards),
        strata=tuple((i, (strata or {}).get(i, "")) for i, _ in ranked),
    )

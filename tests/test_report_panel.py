"""The panel and verification-visit selection: fixed expectations, computed apart with hashlib."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys

import pytest

from safeguard_standards.report.panel import allocate, rank, select

IDS = [f"AGY-{i:04d}" for i in range(1, 41)]
SEED = "HSCP-2026"


def _ours_apart(seed: str, ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}\n{i}".encode()).hexdigest())


def test_the_selection_is_fixed_by_the_seed_and_the_ids() -> None:
    chosen = select(IDS, SEED, 5)
    # written down once from hashlib; a change here changes every partnership's panel
    assert chosen.selected == ("AGY-0027", "AGY-0013", "AGY-0026", "AGY-0032", "AGY-0011")
    assert list(chosen.selected) == _ours_apart(SEED, IDS)[:5]
    assert chosen.ranks[0] == ("AGY-0027", hashlib.sha256(b"HSCP-2026\nAGY-0027").hexdigest())
    assert rank(SEED, "AGY-0027") == chosen.ranks[0][1]


def test_order_repeats_and_spaces_do_not_change_it() -> None:
    shuffled = IDS[:]
    random.Random(1).shuffle(shuffled)
    again = select([*shuffled, " AGY-0003 ", "AGY-0003", ""], SEED, 5)
    assert again.selected == select(IDS, SEED, 5).selected
    assert len(again.ranks) == 40


def test_another_seed_another_selection() -> None:
    assert select(IDS, "HSCP-2027", 5).selected == tuple(_ours_apart("HSCP-2027", IDS)[:5])
    assert select(IDS, 2026, 5).selected == tuple(_ours_apart("2026", IDS)[:5])
    assert select(IDS, SEED, 50).selected == tuple(_ours_apart(SEED, IDS))
    assert select(IDS, SEED, 0).selected == ()
    with pytest.raises(ValueError, match="size"):
        select(IDS, SEED, -1)


def test_proportional_allocation_by_largest_remainder() -> None:
    # quotas 0.25, 1.25, 1.0, 2.5: whole parts 0, 1, 1, 2; the place left to the largest
    # remainder (voluntary, 0.5)
    sizes = {"police": 2, "health": 10, "council": 8, "voluntary": 20}
    assert allocate(sizes, 5) == {"police": 0, "health": 1, "council": 1, "voluntary": 3}
    # equal remainders: the larger group, then the name
    assert allocate({"a": 1, "b": 1, "c": 1}, 2) == {"a": 1, "b": 1, "c": 0}
    assert allocate({"a": 1, "b": 2}, 1) == {"a": 0, "b": 1}
    assert allocate({"a": 3, "b": 1}, 10) == {"a": 3, "b": 1}
    assert allocate({}, 3) == {}


def test_stratified_selection_takes_the_lowest_ranks_in_each_group() -> None:
    kinds = ["police"] * 2 + ["health"] * 10 + ["council"] * 8 + ["voluntary"] * 20
    strata = dict(zip(IDS, kinds, strict=True))
    chosen = select(IDS, SEED, 5, by="agency type", strata=strata, purpose="verification visits")
    expected: list[str] = []
    for group, places in (("council", 1), ("health", 1), ("police", 0), ("voluntary", 3)):
        members = [i for i in IDS if strata[i] == group]
        expected.extend(_ours_apart(SEED, members)[:places])
    assert list(chosen.selected) == expected
    assert chosen.allocation == (
        ("council", 8, 1),
        ("health", 10, 1),
        ("police", 2, 0),
        ("voluntary", 20, 3),
    )
    assert "Stratified by agency type" in chosen.method
    assert "council 1 of 8; health 1 of 10; police 0 of 2; voluntary 3 of 20" in chosen.method
    assert chosen.method.startswith("Verification visits: 5 of 40 organisations")


def test_the_method_text_names_the_seed_and_its_recipe_reruns_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    chosen = select(IDS, SEED, 5, standards=["leadership.accountability", "workforce.training"])
    method = chosen.method
    assert repr(SEED) in method
    assert "SHA-256" in method
    assert "Standards to review: leadership.accountability, workforce.training." in method
    recipe = method.splitlines()[-1].removeprefix("To re-run it: ")
    command = recipe.removesuffix(" < ids.txt").removeprefix("python -c ")
    code = command[1:-1].replace('\\"', '"')
    out = subprocess.run(
        [sys.executable, "-c", code],
        input="\n".join(IDS),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == repr(list(chosen.selected))


def test_the_selection_as_a_table_for_documents() -> None:
    kinds = ["police"] * 2 + ["health"] * 10 + ["council"] * 8 + ["voluntary"] * 20
    strata = dict(zip(IDS, kinds, strict=True))
    chosen = select(IDS, SEED, 5, by="agency type", strata=strata)
    table = chosen.table({chosen.selected[0]: "Northgate Council"})
    assert [r.id for r in table.rows] == list(chosen.selected)
    assert table.rows[0].label == "Northgate Council"
    assert table.rows[1].label == chosen.selected[1]
    first = table.rows[0].cells
    assert [c.text for c in first[:3]] == ["1", chosen.selected[0], strata[chosen.selected[0]]]
    assert first[3].text == rank(SEED, chosen.selected[0])
    assert table.notes == tuple(chosen.method.splitlines())

"""Kits in the domain, no database: the rules a kit's components keep, what components
make, how planned kits become component units, and how a line's units are counted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.catalogue.kits import (
    Component,
    ComponentRequest,
    KitTake,
    Known,
    check_components,
    contents,
    described,
    fit_kits,
    kit_units,
    line_units,
    split,
)
from oms.domain.errors import FieldErrors, InvalidInput

KNOWN = {"KETTLE": Known(1, False), "MUG": Known(2, False), "SET": Known(9, True)}
STARTER = (Component(1, "KETTLE", 1), Component(2, "MUG", 2))


def check(*wanted: tuple[str, int]) -> tuple[Component, ...]:
    errors = FieldErrors()
    found = check_components("BOX", [ComponentRequest(s, q) for s, q in wanted], KNOWN, errors)
    errors.raise_if_any()
    return found


def test_components_are_known_plain_products_by_product_id() -> None:
    assert check(("MUG", 2), ("KETTLE", 1)) == STARTER


@pytest.mark.parametrize(
    ("wanted", "field", "words"),
    [
        ((("NOPE", 1),), "components[0].sku", "no product"),
        ((("MUG", 0),), "components[0].quantity", "between 1"),
        ((("MUG", 10_001),), "components[0].quantity", "between 1"),
        ((("MUG", 1), ("MUG", 1)), "components[1].sku", "named twice"),
        ((("BOX", 1),), "components[0].sku", "its own component"),
        ((("SET", 1),), "components[0].sku", "is a kit"),
    ],
)
def test_bad_components_are_named(
    wanted: tuple[tuple[str, int], ...], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(*wanted)
    assert [e.field for e in refused.value.errors] == [field]
    assert words in refused.value.errors[0].message


def test_too_many_components() -> None:
    with pytest.raises(InvalidInput):
        check(*[("MUG", 1)] * 51)


def test_kits_are_what_the_scarcest_component_makes() -> None:
    assert kit_units(STARTER, {1: 3, 2: 5}) == 2
    assert kit_units(STARTER, {1: 3}) == 0
    assert kit_units(STARTER, {1: -2, 2: 9}) == 0
    assert kit_units((), {1: 3}) == 0


@given(st.dictionaries(st.sampled_from([1, 2]), st.integers(-5, 50)))
def test_kit_units_never_promise_more_than_any_component_holds(free: dict[int, int]) -> None:
    n = kit_units(STARTER, free)
    assert n >= 0
    for c in STARTER:
        assert n * c.quantity <= max(free.get(c.product_id, 0), 0)
        assert (n + 1) * c.quantity > free.get(c.product_id, 0) or any(
            (n + 1) * o.quantity > free.get(o.product_id, 0) for o in STARTER
        )


ROWS = {(7, 1): (101, 3), (7, 2): (102, 5), (8, 1): (201, 9), (8, 2): (202, 9)}


def test_fit_turns_kits_into_component_units_with_per_unit() -> None:
    parts, short = fit_kits([KitTake(50, 7, 2)], {5: STARTER}, {50: 5}, ROWS, {})
    assert short == {}
    assert {(p.stock_id, p.quantity, p.per_unit, p.lead) for p in parts} == {
        (101, 2, 1, True),
        (102, 4, 2, False),
    }


def test_fit_counts_what_the_order_s_plain_lines_took_first() -> None:
    # A plain line took 3 mugs at location 7: one kit fits, the other is short.
    parts, short = fit_kits([KitTake(50, 7, 2)], {5: STARTER}, {50: 5}, ROWS, {102: 3})
    assert short == {50: 1}
    assert sum(p.quantity for p in parts if p.stock_id == 102) == 2


def test_fit_shares_a_component_between_two_kit_lines() -> None:
    takes = [KitTake(50, 7, 2), KitTake(51, 7, 2)]
    parts, short = fit_kits(takes, {5: STARTER}, {50: 5, 51: 5}, ROWS, {})
    assert short == {51: 2}  # 5 mugs: two kits for the first line, none left for the second
    assert sum(p.quantity for p in parts if p.stock_id == 102) == 4


@given(
    st.lists(
        st.tuples(st.integers(50, 53), st.sampled_from([7, 8]), st.integers(1, 6)), max_size=6
    ),
    st.integers(0, 6),
)
def test_fit_never_takes_more_than_a_row_has(takes: list[tuple[int, int, int]], used: int) -> None:
    kit_takes = [KitTake(k, loc, n) for k, loc, n in takes]
    lines = {k: 5 for k, _, _ in takes}
    parts, short = fit_kits(kit_takes, {5: STARTER}, lines, ROWS, {102: min(used, 5)})
    per_row: dict[int, int] = {}
    for p in parts:
        per_row[p.stock_id] = per_row.get(p.stock_id, 0) + p.quantity
    for stock_id, free in ROWS.values():
        assert per_row.get(stock_id, 0) + (min(used, 5) if stock_id == 102 else 0) <= free
    placed = sum(p.quantity for p in parts if p.lead)
    assert placed + sum(short.values()) == sum(n for _, _, n in takes)


def test_a_line_s_units_are_the_whole_kits_its_rows_hold() -> None:
    assert line_units({101: (2, 1), 102: (4, 2)}) == 2
    assert line_units({101: (3, 1)}) == 3
    assert line_units({}) == 0


def test_split_and_words() -> None:
    assert split({5: STARTER}, 5, 3) == [(1, 3), (2, 6)]
    assert split({5: STARTER}, 1, 3) == [(1, 3)]
    assert contents(STARTER, 2) == "KETTLE x2, MUG x4"
    assert described("Starter set", STARTER, 2) == "Starter set (KIT x2: KETTLE x2, MUG x4)"
    assert described("Mug", (), 2) == "Mug"

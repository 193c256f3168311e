"""Kits in checkout holds, without a database: whole kits kept at one location each on
their components' rows, and an order converting the hold taking whole kits back."""

from __future__ import annotations

from oms.domain.inventory.holds import (
    HeldUnits,
    HoldOption,
    held_quantity,
    plan_hold,
    take_from_hold,
)

KIT, KETTLE, MUG = 100, 1, 2
PARTS = [(KETTLE, 1), (MUG, 2)]  # one kettle and two mugs
# Rows: 11/12 kettle/mug at location 1, 21/22 at location 2.
WHERE = {11: 1, 12: 1, 21: 2, 22: 2}


def options(kettles_1: int, mugs_1: int, kettles_2: int, mugs_2: int) -> list[HoldOption]:
    return [
        HoldOption(11, KETTLE, kettles_1, 0, 1),
        HoldOption(12, MUG, mugs_1, 0, 1),
        HoldOption(21, KETTLE, kettles_2, 0, 2),
        HoldOption(22, MUG, mugs_2, 0, 2),
    ]


def test_a_kit_is_kept_in_whole_kits_where_most_are_made_first() -> None:
    # Location 1 makes 1 kit (a kettle short of more), location 2 makes 2 (mugs short).
    units = plan_hold([(KIT, 3)], options(1, 10, 5, 4), {KIT: PARTS})
    assert units == [
        HeldUnits(KETTLE, 21, 2, KIT),
        HeldUnits(MUG, 22, 4, KIT),
        HeldUnits(KETTLE, 11, 1, KIT),
        HeldUnits(MUG, 12, 2, KIT),
    ]
    assert held_quantity(units, KIT, PARTS, WHERE) == 3


def test_a_kit_never_takes_what_a_plain_line_of_its_component_took_nor_the_reverse() -> None:
    # Nine mugs at one place: the plain line takes 7, the kit line the 1 kit left (2 mugs).
    units = plan_hold([(MUG, 7), (KIT, 2)], options(3, 9, 0, 0), {KIT: PARTS})
    assert held_quantity(units, MUG, None, WHERE) == 7
    assert held_quantity(units, KIT, PARTS, WHERE) == 1
    assert sum(u.quantity for u in units if u.stock_id == 12) == 9
    # The other way round the kit goes first: 2 kits, 4 mugs, and 5 mugs for the line.
    units = plan_hold([(KIT, 2), (MUG, 7)], options(3, 9, 0, 0), {KIT: PARTS})
    assert (held_quantity(units, KIT, PARTS, WHERE), held_quantity(units, MUG, None, WHERE)) == (
        2,
        5,
    )


def test_a_kit_with_a_component_missing_everywhere_keeps_nothing() -> None:
    assert plan_hold([(KIT, 1)], options(0, 10, 0, 8), {KIT: PARTS}) == []


def test_an_order_takes_whole_kits_location_by_location_and_leaves_the_rest() -> None:
    units = plan_hold([(KIT, 3)], options(1, 10, 5, 4), {KIT: PARTS})
    [took] = take_from_hold(units, [(KIT, 2, PARTS)], WHERE)
    assert took.units == 2
    assert took.rows == {11: 1, 12: 2, 21: 1, 22: 2}  # location 1 first (lowest id), then 2
    assert took.per == {11: 1, 12: 2, 21: 1, 22: 2}
    assert took.total == 6  # of the 9 stock units kept: 3 are freed


def test_a_component_row_that_gave_way_makes_fewer_kits() -> None:
    units = [HeldUnits(KETTLE, 21, 2, KIT), HeldUnits(MUG, 22, 3, KIT)]  # a mug gave way
    assert held_quantity(units, KIT, PARTS, WHERE) == 1
    [took] = take_from_hold(units, [(KIT, 2, PARTS)], WHERE)
    assert (took.units, took.rows) == (1, {21: 1, 22: 2})


def test_plain_lines_take_only_units_kept_for_plain_lines() -> None:
    units = [HeldUnits(MUG, 12, 4, KIT), HeldUnits(MUG, 12, 3), HeldUnits(KETTLE, 11, 2, KIT)]
    mugs, kit = take_from_hold(units, [(MUG, 5, None), (KIT, 1, PARTS)], WHERE)
    assert (mugs.units, mugs.rows, mugs.per) == (3, {12: 3}, {})
    assert (kit.units, kit.rows) == (1, {11: 1, 12: 2})

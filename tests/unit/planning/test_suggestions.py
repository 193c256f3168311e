"""Suggested purchase orders: reorder point, packs, supplier minimum (by hand)."""

from __future__ import annotations

from oms.domain.planning.replenishment import reorder_levels
from oms.domain.planning.suggestions import Need, suggest

LEVELS = reorder_levels(lead_time_demand=20, cover_demand=30, safety_stock=10)  # 30 / 40


def test_only_products_at_or_below_their_reorder_point_are_ordered_in_whole_packs() -> None:
    needs = [
        Need("TEE", "PAR", "ACME", 25, LEVELS, pack=6, unit_cost_minor=250),  # 15 -> 18
        Need("MUG", "PAR", "ACME", 31, LEVELS, pack=1),  # above 30: not yet
        Need("CAP", "PAR", "BOLT", 30, LEVELS, pack=4, unit_cost_minor=100),  # 10 -> 12
    ]
    acme, bolt = suggest(needs, {})
    assert (acme.supplier, [(ln.sku, ln.units) for ln in acme.lines]) == ("ACME", [("TEE", 18)])
    assert acme.cost_minor == 18 * 250
    assert (bolt.supplier, bolt.units, bolt.cost_minor) == ("BOLT", 12, 1200)


def test_an_order_below_the_supplier_minimum_is_topped_up_on_the_least_covered_line() -> None:
    needs = [
        Need("TEE", "PAR", "ACME", 25, LEVELS, pack=6),  # 18: (25 + 18) / 40 = 1.075
        Need("MUG", "PAR", "ACME", 0, LEVELS, pack=10),  # 40: (0 + 40) / 40 = 1.0
    ]
    # 58 < 70: MUG +10 (68; its cover 1.25), then TEE +6 (74).
    (acme,) = suggest(needs, {"ACME": 70})
    assert {ln.sku: ln.units for ln in acme.lines} == {"MUG": 50, "TEE": 24}
    assert acme.units == 74


def test_nothing_to_order_suggests_nothing() -> None:
    assert suggest([Need("TEE", "PAR", "ACME", 50, LEVELS)], {"ACME": 100}) == []

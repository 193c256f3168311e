"""Fulfilment rules at service level, on the in-memory unit of work and on SQL: where
placing reserves, short picks, rejected shipments, cancelling while picking."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, InvalidInput
from oms.domain.fulfilment.model import Picked
from oms.domain.inventory.model import LedgerKind
from oms.services import inventory, orders, picking, warehouse
from oms.services.ports import UnitOfWork
from tests.builders import draft
from tests.service.shop import (
    BERLIN,
    count,
    event_types,
    levels,
    line_split,
    open_shop,
    pick_all,
    place_confirmed,
    shipments_of,
    where,
)


@pytest.fixture
def shop(each_uow: UnitOfWork) -> UnitOfWork:
    return open_shop(each_uow)


def ledger(uow: UnitOfWork, location: str, sku: str) -> list[tuple[str, int, int]]:
    rows = inventory.stock_ledger(uow, SYSTEM, location, sku)
    return [(e.entry.kind.value, e.entry.on_hand_delta, e.entry.reserved_delta) for e in rows]


def test_placing_reserves_where_the_order_will_ship_from_and_confirming_moves_nothing(
    shop: UnitOfWork,
) -> None:
    count(shop, "PAR", "TEE", 3)  # PAR has the higher priority, but BER is cheaper to Berlin
    count(shop, "BER", "TEE", 3)
    placed = orders.place_order(shop, SYSTEM, draft(("TEE", 2), address=BERLIN)).order
    assert levels(shop, "PAR", "TEE") == (3, 0) and levels(shop, "BER", "TEE") == (3, 2)
    before = {loc: ledger(shop, loc, "TEE") for loc in ("PAR", "BER")}
    orders.confirm_order(shop, SYSTEM, placed.id)
    assert where(shop, placed.id) == {"BER": ("open", {"TEE": 2})}
    assert {loc: ledger(shop, loc, "TEE") for loc in ("PAR", "BER")} == before
    assert [kind for kind, _, _ in before["BER"]] == ["count", "reservation"]


def test_confirming_moves_the_reservation_when_stock_changed_since_placing(
    shop: UnitOfWork,
) -> None:
    count(shop, "PAR", "TEE", 3)
    placed = orders.place_order(shop, SYSTEM, draft(("TEE", 2), address=BERLIN)).order
    count(shop, "BER", "TEE", 3)  # Berlin, cheaper to Berlin, receives some
    orders.confirm_order(shop, SYSTEM, placed.id)
    assert where(shop, placed.id) == {"BER": ("open", {"TEE": 2})}
    assert levels(shop, "PAR", "TEE") == (3, 0) and levels(shop, "BER", "TEE") == (3, 2)
    assert ledger(shop, "PAR", "TEE")[-1] == ("release", 0, -2)


def test_a_short_pick_counts_the_bin_and_sources_the_rest_elsewhere(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 4)
    count(shop, "LYO", "TEE", 4)
    order = place_confirmed(shop, ("TEE", 3))
    assert list(where(shop, order.id)) == ["PAR"]
    pick_all(shop, "PAR", short={"TEE": 2})
    # PAR had 4 and 2 were missing: 2 on hand, 1 reserved by the unit that was picked.
    assert levels(shop, "PAR", "TEE") == (2, 1)
    counted = [
        e
        for e in inventory.stock_ledger(shop, SYSTEM, "PAR", "TEE")
        if e.entry.kind is LedgerKind.COUNT
    ]
    assert counted[-1].entry.on_hand_delta == -2
    assert counted[-1].entry.order_line_id == order.lines[0].id
    assert where(shop, order.id) == {
        "PAR": ("picked", {"TEE": 1}),
        "LYO": ("open", {"TEE": 2}),
    }
    assert levels(shop, "LYO", "TEE") == (4, 2)
    assert line_split(shop, order.id) == [("TEE", 3, 0)]
    assert "shipment.short_picked" in event_types(shop, order.id)
    assert inventory.verify_stock(shop, SYSTEM) == []


def test_a_short_pick_with_no_other_location_takes_the_books_word_for_the_same_one(
    shop: UnitOfWork,
) -> None:
    count(shop, "PAR", "TEE", 5)
    order = place_confirmed(shop, ("TEE", 2))
    pick_all(shop, "PAR", short={"TEE": 1})
    # Counted 5 - 1 = 4; the missing unit is reserved again from the 3 the books still show.
    assert levels(shop, "PAR", "TEE") == (4, 2)
    assert line_split(shop, order.id) == [("TEE", 2, 0)]
    ships = shipments_of(shop, order.id)
    assert [(s.location, s.status.value, s.contents()) for s in ships] == [
        ("PAR", "picked", {"TEE": 1}),
        ("PAR", "open", {"TEE": 1}),
    ]
    assert inventory.verify_stock(shop, SYSTEM) == []


def test_a_short_pick_with_no_stock_left_backorders_and_never_cancels(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    pick_all(shop, "PAR", short={"TEE": 2})
    assert where(shop, order.id) == {"PAR": ("cancelled", {})}
    line = orders.get_order(shop, SYSTEM, order.id).lines[0]
    assert (line.allocated_quantity, line.backordered_quantity, line.cancelled_quantity) == (
        0,
        2,
        0,
    )
    assert levels(shop, "PAR", "TEE") == (0, 0)
    count(shop, "LYO", "TEE", 5)  # stock elsewhere fills the backorder, with a shipment there
    assert {loc: status for loc, (status, _) in where(shop, order.id).items()} == {
        "PAR": "cancelled",
        "LYO": "open",
    }
    assert line_split(shop, order.id) == [("TEE", 2, 0)]


def test_a_rejected_shipment_is_sourced_from_the_other_locations(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 2)
    count(shop, "LYO", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    (ship,) = shipments_of(shop, order.id)
    rejected = warehouse.reject_shipment(shop, SYSTEM, ship.id, "water damage")
    assert rejected.status.value == "cancelled"
    assert {loc: status for loc, (status, _) in where(shop, order.id).items()} == {
        "PAR": "cancelled",
        "LYO": "open",
    }
    assert levels(shop, "PAR", "TEE") == (2, 0) and levels(shop, "LYO", "TEE") == (2, 2)
    events = orders.order_events(shop, SYSTEM, order.id)
    assert [e.data.get("reason") for e in events if e.type == "shipment.rejected"] == [
        "water damage"
    ]


def test_a_shipment_being_picked_cannot_be_rejected(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    picking.create_pick_list(shop, SYSTEM, "PAR")
    (ship,) = shipments_of(shop, order.id)
    with pytest.raises(Conflict, match="only before picking starts"):
        warehouse.reject_shipment(shop, SYSTEM, ship.id, "late")
    assert levels(shop, "PAR", "TEE") == (2, 2)


def test_a_rejected_shipment_with_nowhere_else_to_go_waits_for_stock(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    (ship,) = shipments_of(shop, order.id)
    warehouse.reject_shipment(shop, SYSTEM, ship.id, "closed for stocktaking")
    assert line_split(shop, order.id) == [("TEE", 0, 2)]
    assert levels(shop, "PAR", "TEE") == (2, 0)


def test_cancelling_after_picking_started_releases_and_cancels_the_shipment(
    shop: UnitOfWork,
) -> None:
    count(shop, "PAR", "TEE", 3)
    order = place_confirmed(shop, ("TEE", 2))
    pick = picking.create_pick_list(shop, SYSTEM, "PAR")
    orders.cancel_order(shop, SYSTEM, order.id, "customer asked")
    assert where(shop, order.id) == {"PAR": ("cancelled", {})}
    assert levels(shop, "PAR", "TEE") == (3, 0)
    # The picker reports nothing for the cancelled shipment; the list still completes.
    done = picking.complete_pick_list(shop, SYSTEM, pick.id, [])
    assert done.status.value == "completed"
    assert levels(shop, "PAR", "TEE") == (3, 0)


def test_a_pick_report_that_leaves_a_line_out_changes_nothing(shop: UnitOfWork) -> None:
    count(shop, "PAR", "TEE", 3)
    count(shop, "PAR", "MUG", 3)
    order = place_confirmed(shop, ("TEE", 1), ("MUG", 1))
    pick = picking.create_pick_list(shop, SYSTEM, "PAR")
    (sid,) = pick.shipment_ids
    with pytest.raises(InvalidInput):
        picking.complete_pick_list(shop, SYSTEM, pick.id, [Picked(sid, "TEE", 5)])
    assert where(shop, order.id) == {"PAR": ("picking", {"TEE": 1, "MUG": 1})}
    assert levels(shop, "PAR", "TEE") == (3, 1)


def test_a_wave_of_chosen_shipments_takes_those_only_and_refuses_one_not_waiting(
    shop: UnitOfWork,
) -> None:
    count(shop, "PAR", "TEE", 9)
    first, second, third = (place_confirmed(shop, ("TEE", 1)) for _ in range(3))
    (chosen,) = shipments_of(shop, second.id)
    pick = picking.create_pick_list(shop, SYSTEM, "PAR", 5, shipment_ids=[chosen.id])
    assert pick.shipment_ids == [chosen.id]
    assert where(shop, first.id) == where(shop, third.id) == {"PAR": ("open", {"TEE": 1})}
    with pytest.raises(Conflict, match=f"shipment {chosen.id} is not waiting to be picked"):
        picking.create_pick_list(shop, SYSTEM, "PAR", shipment_ids=[chosen.id])

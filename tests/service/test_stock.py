"""Counts, adjustments, backorder filling and the stock ledger, on every database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import InvalidInput, NotFound, StockBelowReserved
from oms.domain.inventory.model import LedgerKind
from oms.services import catalogue, inventory, orders
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork
from tests.builders import draft, new_location, stocked


def adjust(uow: UnitOfWork, sku: str, delta: int, location: str = "PAR") -> None:
    inventory.adjust_stock(uow, SYSTEM, StockChange(location, sku, "receipt", delta=delta))


def count(uow: UnitOfWork, sku: str, on_hand: int, location: str = "PAR") -> None:
    inventory.count_stock(uow, SYSTEM, StockChange(location, sku, "cycle count", on_hand=on_hand))


def row(uow: UnitOfWork, sku: str, location: str = "PAR") -> tuple[int, int]:
    (r,) = inventory.list_stock(uow, SYSTEM, sku=sku, location=location)
    return r.on_hand, r.reserved


def lines(uow: UnitOfWork, order_id: int) -> list[tuple[int, int]]:
    o = orders.get_order(uow, SYSTEM, order_id)
    return [(line.allocated_quantity, line.backordered_quantity) for line in o.lines]


def test_an_adjustment_below_reserved_is_refused_and_changes_nothing(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 4)))
    with pytest.raises(StockBelowReserved):
        adjust(uow, "TEE", -2)
    assert row(uow, "TEE") == (5, 4)
    adjust(uow, "TEE", -1)
    assert row(uow, "TEE") == (4, 4)


def test_adjustments_need_a_reason_and_a_non_zero_delta(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    with pytest.raises(InvalidInput):
        inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", "TEE", "", delta=1))
    with pytest.raises(InvalidInput):
        inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", "TEE", "x", delta=0))
    with pytest.raises(InvalidInput):
        count(uow, "TEE", -1)


def test_unknown_location_or_sku_is_not_found(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    with pytest.raises(NotFound):
        adjust(uow, "TEE", 1, location="NOWHERE")
    with pytest.raises(NotFound):
        adjust(uow, "NOPE", 1)


def test_arriving_stock_fills_backorders_by_priority_then_age(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 0)
    old = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    newer = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    urgent = orders.place_order(uow, SYSTEM, draft(("TEE", 2), priority=10)).order.id
    adjust(uow, "TEE", 3)
    assert lines(uow, urgent) == [(2, 0)]
    assert lines(uow, old) == [(1, 1)]
    assert lines(uow, newer) == [(0, 2)]
    count(uow, "TEE", 10)
    assert [lines(uow, i) for i in (old, newer, urgent)] == [[(2, 0)]] * 3
    assert row(uow, "TEE") == (10, 6)
    events = [e.type for e in orders.order_events(uow, SYSTEM, old)]
    assert events.count("order.backorder_filled") == 2


def test_cancelled_orders_are_not_filled(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 0)
    gone = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    orders.cancel_order(uow, SYSTEM, gone, "customer")
    adjust(uow, "TEE", 2)
    assert lines(uow, gone) == [(0, 0)]
    assert lines(uow, waiting) == [(2, 0)]


def test_stock_at_a_location_that_does_not_ship_is_not_reserved(uow: UnitOfWork) -> None:
    catalogue.create_location(uow, SYSTEM, new_location("SHOP", ships=False))
    stocked(uow, "TEE", 0)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order.id
    adjust(uow, "TEE", 5, location="SHOP")
    assert lines(uow, order_id) == [(0, 1)]
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    assert row(uow, "TEE", "SHOP") == (5, 0)


def test_a_count_below_reserved_takes_back_the_newest_reservations(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 6)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order.id
    second = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order.id
    count(uow, "TEE", 4)
    assert row(uow, "TEE") == (4, 4)
    assert lines(uow, first) == [(3, 0)]
    assert lines(uow, second) == [(1, 2)]
    timeline = orders.order_events(uow, SYSTEM, second)
    assert timeline[-1].type == "order.allocation_reduced"


def test_a_count_below_reserved_is_served_from_another_location(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 3, location="PAR")
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order.id
    stocked(uow, "TEE", 5, location="BER")
    count(uow, "TEE", 1, location="PAR")
    assert lines(uow, order_id) == [(3, 0)]
    assert row(uow, "TEE", "PAR") == (1, 1)
    assert row(uow, "TEE", "BER") == (5, 2)


def test_the_ledger_explains_every_row(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 7))).order.id
    adjust(uow, "TEE", 4)
    count(uow, "TEE", 8)
    orders.cancel_order(uow, SYSTEM, order_id, "changed mind")
    ledger = inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")
    kinds = [e.entry.kind for e in ledger]
    assert kinds == [
        LedgerKind.COUNT,
        LedgerKind.RESERVATION,
        LedgerKind.ADJUSTMENT,
        LedgerKind.RESERVATION,
        LedgerKind.COUNT,
        LedgerKind.RELEASE,
        LedgerKind.RELEASE,
    ]  # one per reservation
    assert sum(e.entry.on_hand_delta for e in ledger) == row(uow, "TEE")[0] == 8
    assert sum(e.entry.reserved_delta for e in ledger) == row(uow, "TEE")[1] == 0
    assert ledger[1].entry.order_id == order_id
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_verify_finds_a_tampered_row_and_repair_writes_the_correction(
    uow: UnitOfWork, container: Container
) -> None:
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
    with container.engine.begin() as conn:
        conn.execute(sa.text("UPDATE stock SET on_hand = 9, reserved = 3"))
    (found,) = inventory.verify_stock(uow, SYSTEM)
    assert (found.on_hand, found.ledger_on_hand, found.reserved, found.open_reservations) == (
        9,
        5,
        3,
        2,
    )
    inventory.verify_stock(uow, SYSTEM, repair=True)
    assert row(uow, "TEE") == (5, 2)
    assert inventory.verify_stock(uow, SYSTEM) == []
    last = inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")[-1].entry
    assert last.kind is LedgerKind.CORRECTION and "on_hand=9" in (last.reason or "")


def test_verify_repairs_a_ledger_that_lost_a_reservation(
    uow: UnitOfWork, container: Container
) -> None:
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
    with container.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM stock_ledger WHERE kind = 'reservation'"))
    (found,) = inventory.verify_stock(uow, SYSTEM)
    assert (found.ledger_reserved, found.open_reservations) == (0, 2)
    inventory.verify_stock(uow, SYSTEM, repair=True)
    assert inventory.verify_stock(uow, SYSTEM) == []
    assert row(uow, "TEE") == (5, 2)


def test_the_database_itself_refuses_reserved_above_on_hand(
    container: Container, uow: UnitOfWork
) -> None:
    stocked(uow, "TEE", 5)
    with pytest.raises(sa.exc.IntegrityError), container.engine.begin() as conn:
        conn.execute(sa.text("UPDATE stock SET reserved = 6"))

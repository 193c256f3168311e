"""Order edits through the use case, on memory, SQLite and PostgreSQL: quantities up and
down, lines added and removed, a new address that moves the order, priority; refused once
picking started; a failed edit changes nothing; money of a paid order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.orders.model import Address
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import PaymentStatus
from oms.services import catalogue, inventory, order_edits, orders, payments, picking
from oms.services.order_edits import NewLine, OrderEdit
from oms.services.payments import RecordPayment
from oms.services.ports import UnitOfWork
from tests.builders import draft, new_location, stocked

CS = Actor("carla", Role.CUSTOMER_SERVICE)
SALES = Actor("sam", Role.SALES)
NO_LIMIT = Decimal(10_000)
BERLIN = Address("Ann Smith", "Unter den Linden 1", "Berlin", "10117", "DE")


def verified(uow: UnitOfWork) -> None:
    """Every stock row is what its ledger and open reservations say."""
    assert inventory.verify_stock(uow, SYSTEM) == []


def reserved(uow: UnitOfWork, sku: str, location: str = "PAR") -> int:
    (row,) = inventory.list_stock(uow, SYSTEM, sku=sku, location=location)
    return row.reserved


def ledger_size(uow: UnitOfWork) -> int:
    rows = inventory.list_stock(uow, SYSTEM)
    return sum(len(inventory.stock_ledger(uow, SYSTEM, r.location, r.sku, limit=200)) for r in rows)


def edit(uow: UnitOfWork, order_id: int, e: OrderEdit, actor: Actor = CS):  # type: ignore[no-untyped-def]
    return order_edits.edit_order(uow, actor, order_id, e, NO_LIMIT)


def kinds(uow: UnitOfWork, order_id: int) -> list[str]:
    return [e.type for e in orders.order_events(uow, SYSTEM, order_id)]


def test_raising_a_quantity_reserves_more_and_records_old_and_new(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    line = placed.lines[0]
    order = edit(uow, placed.id, OrderEdit(quantities={line.id: 4}))
    got = order.lines[0]
    assert (got.quantity, got.allocated_quantity, got.backordered_quantity) == (4, 4, 0)
    assert reserved(uow, "TEE") == 4
    assert order.totals.subtotal.amount == Decimal("40.00")
    [event] = [
        e
        for e in orders.order_events(uow, SYSTEM, placed.id)
        if e.type == "order.line_quantity_changed"
    ]
    assert event.actor == "carla"
    assert event.data["quantity"] == {"from": 2, "to": 4}
    assert event.data["total"] == {"from": "20.00", "to": "40.00"}
    # Beyond the stock: the rest waits, as at placing.
    order = edit(uow, placed.id, OrderEdit(quantities={line.id: 7}))
    assert (order.lines[0].allocated_quantity, order.lines[0].backordered_quantity) == (5, 2)


def test_lowering_a_quantity_releases_stock_to_a_waiting_order(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 3)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order
    second = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    assert second.lines[0].backordered_quantity == 2
    order = edit(uow, first.id, OrderEdit(quantities={first.lines[0].id: 1}))
    assert (order.lines[0].quantity, order.lines[0].allocated_quantity) == (1, 1)
    waiting = orders.get_order(uow, SYSTEM, second.id).lines[0]
    assert (waiting.allocated_quantity, waiting.backordered_quantity) == (2, 0)
    assert reserved(uow, "TEE") == 3
    assert order.totals.total.amount == Decimal("10.00")


def test_adding_and_removing_lines(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    stocked(uow, "MUG", 5, price="6.50")
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    order = edit(uow, placed.id, OrderEdit(add=[NewLine("MUG", 3)]))
    mug = order.lines[1]
    assert (mug.sku, mug.quantity, mug.allocated_quantity, mug.unit_price) == (
        "MUG",
        3,
        3,
        Decimal("6.50"),
    )
    assert reserved(uow, "MUG") == 3
    assert orders.get_order(uow, SYSTEM, placed.id).lines[1].id == mug.id  # stored
    with pytest.raises(Conflict, match="change that line's quantity"):
        edit(uow, placed.id, OrderEdit(add=[NewLine("MUG", 1)]))
    with pytest.raises(InvalidInput):
        edit(uow, placed.id, OrderEdit(add=[NewLine("NOPE", 1)]))

    order = edit(uow, placed.id, OrderEdit(remove=[placed.lines[0].id]))
    tee = order.lines[0]
    assert (tee.quantity, tee.allocated_quantity, tee.backordered_quantity) == (0, 0, 0)
    assert reserved(uow, "TEE") == 0
    assert order.totals.subtotal.amount == Decimal("19.50")
    with pytest.raises(Conflict, match="cancel the order instead"):
        edit(uow, placed.id, OrderEdit(remove=[mug.id]))
    assert "order.line_added" in kinds(uow, placed.id)
    assert "order.line_removed" in kinds(uow, placed.id)


def test_a_new_address_sources_the_order_again(each_uow: UnitOfWork) -> None:
    uow = each_uow
    catalogue.create_location(uow, SYSTEM, new_location("BER", country="DE", postal_code="10115"))
    stocked(uow, "TEE", 5, "PAR")
    stocked(uow, "TEE", 5, "BER")
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    orders.confirm_order(uow, SYSTEM, placed.id)
    assert reserved(uow, "TEE", "PAR") == 2
    order = edit(uow, placed.id, OrderEdit(address=BERLIN))
    assert order.shipping_address == BERLIN
    assert (reserved(uow, "TEE", "PAR"), reserved(uow, "TEE", "BER")) == (0, 2)
    detail = orders.order_detail(uow, SYSTEM, placed.id)
    live = [s for s in detail.shipments if s.status.value == "open"]
    assert [(s.location, s.contents()) for s in live] == [("BER", {"TEE": 2})]
    assert "order.address_changed" in kinds(uow, placed.id)
    with pytest.raises(InvalidInput):
        edit(uow, placed.id, OrderEdit(address=Address("A", "1 st", "X", "1", "ZZ")))


def test_priority_changes_without_moving_stock(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    before = ledger_size(uow)
    order = edit(uow, placed.id, OrderEdit(priority=50))
    assert order.priority == 50
    assert orders.get_order(uow, SYSTEM, placed.id).priority == 50
    assert ledger_size(uow) == before
    with pytest.raises(InvalidInput):
        edit(uow, placed.id, OrderEdit(priority=500))


def test_an_edit_is_refused_once_picking_started_and_changes_nothing(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    orders.confirm_order(uow, SYSTEM, placed.id)
    picking.create_pick_list(uow, SYSTEM, "PAR")
    before = (ledger_size(uow), kinds(uow, placed.id))
    with pytest.raises(Conflict, match="picking has started"):
        edit(uow, placed.id, OrderEdit(quantities={placed.lines[0].id: 3}))
    with pytest.raises(Conflict):
        edit(uow, placed.id, OrderEdit(priority=3))
    assert (ledger_size(uow), kinds(uow, placed.id)) == before
    cancelled = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.cancel_order(uow, SYSTEM, cancelled.id, "gone")
    with pytest.raises(Conflict, match="cancelled"):
        edit(uow, cancelled.id, OrderEdit(priority=3))


def test_a_failed_edit_changes_nothing(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    before = (ledger_size(uow), kinds(uow, placed.id), orders.get_order(uow, SYSTEM, placed.id))
    # The quantity is fine, the address is not: neither applies.
    bad = OrderEdit(quantities={placed.lines[0].id: 4}, address=Address("", "", "", "", "FR"))
    with pytest.raises(InvalidInput):
        edit(uow, placed.id, bad)
    with pytest.raises(NotFound):
        edit(uow, placed.id, OrderEdit(quantities={placed.lines[0].id: 4, 999_999: 1}))
    with pytest.raises(PermissionDenied):
        edit(uow, placed.id, OrderEdit(priority=1), SALES)
    after = (ledger_size(uow), kinds(uow, placed.id), orders.get_order(uow, SYSTEM, placed.id))
    assert after == before


def test_a_paid_order_is_refunded_what_an_edit_takes_off_and_owes_what_it_adds(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order
    line_id = placed.lines[0].id
    payments.record_payment(uow, SALES, placed.id, RecordPayment(Decimal("30.00")))
    order = edit(uow, placed.id, OrderEdit(quantities={line_id: 4}))
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID
    assert order.due() - order.paid_total == Decimal("10.00")
    payments.record_payment(uow, SALES, placed.id, RecordPayment(Decimal("10.00")))

    order = edit(uow, placed.id, OrderEdit(quantities={line_id: 2}))
    [refund] = payments.refunds_of_order(uow, CS, placed.id)
    assert refund.amount == Decimal("20.00")
    assert [(x.quantity, x.amount) for x in refund.lines] == [(0, Decimal("20.00"))]
    assert order.refunded_total == Decimal("20.00")
    # Raising it again after a refund cannot be settled by the payment rules: refused.
    with pytest.raises(Conflict, match="refunded"):
        edit(uow, placed.id, OrderEdit(quantities={line_id: 3}))
    # Cancelling the rest refunds what is left, never more than was paid.
    cancelled = orders.cancel_order(uow, CS, placed.id, "no longer wanted", NO_LIMIT)
    assert cancelled.refunded_total == Decimal("40.00")
    assert cancelled.status is OrderStatus.CANCELLED


def test_a_confirmed_order_s_open_shipment_follows_the_edit(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    stocked(uow, "MUG", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    orders.confirm_order(uow, SYSTEM, placed.id)
    edit(uow, placed.id, OrderEdit(quantities={placed.lines[0].id: 3}, add=[NewLine("MUG", 1)]))
    detail = orders.order_detail(uow, SYSTEM, placed.id)
    live = [s for s in detail.shipments if s.status.value == "open"]
    assert [s.contents() for s in live] == [{"TEE": 3, "MUG": 1}]
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    assert sorted((x.sku, x.quantity) for x in pick_list.lines) == [("MUG", 1), ("TEE", 3)]

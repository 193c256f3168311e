"""Returns through the use cases, on memory, SQLite and PostgreSQL: the policy, approval with
a return tracking number and label, receiving, inspection and the stock it moves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from oms.domain.fulfilment.model import Picked
from oms.domain.fulfilment.tracking import parse_tracking_number
from oms.domain.inventory.model import LedgerKind
from oms.domain.returns.model import Inspected
from oms.domain.returns.policy import RequestedLine, ReturnPolicy
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services import documents, inventory, orders, picking, returns, tracking, warehouse
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL, ReturnFilter
from oms.services.returns import ReceiveReturn, StartReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock

DRIVER = Actor("driver", Role.CARRIER, "oms-post")
CS = Actor("carla", Role.CUSTOMER_SERVICE)
SALES = Actor("sam", Role.SALES)
WAREHOUSE = Actor("walt", Role.WAREHOUSE)


def delivered(uow: UnitOfWork, clock: FakeClock, *lines: tuple[str, int]) -> int:
    """An order placed, picked, packed, shipped from PAR and delivered, through the use cases."""
    for sku, quantity in lines:
        stocked(uow, sku, quantity, weight_grams=300)
    order_id = orders.place_order(uow, SYSTEM, draft(*lines)).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, s, q) for s, q in lines])
    warehouse.pack_shipment(uow, SYSTEM, sid, list(lines))
    shipped = warehouse.ship_shipment(uow, SYSTEM, sid)
    clock.advance(days=2)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": clock.now}
    tracking.record_carrier_event(uow, DRIVER, "oms-post", event)
    return order_id


def ask(*lines: tuple[str, int], override: str | None = None) -> StartReturn:
    return StartReturn(
        [RequestedLine(sku, q, ReturnReason.DAMAGED) for sku, q in lines],
        Resolution.REFUND,
        override,
    )


def timeline(uow: UnitOfWork, order_id: int) -> list[str]:
    return [e.type for e in orders.order_events(uow, SYSTEM, order_id)]


def on_hand(uow: UnitOfWork, sku: str, location: str = "PAR") -> int:
    (row,) = inventory.list_stock(uow, SYSTEM, sku=sku, location=location)
    return row.on_hand


def test_a_return_goes_from_request_to_inspection_and_restocks_what_is_resellable(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 3))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    assert (r.number, r.status) == ("RMA-000001", ReturnStatus.REQUESTED)

    approved = returns.approve_return(uow, CS, r.id)
    assert approved.tracking_number is not None
    number = parse_tracking_number(approved.tracking_number)
    assert number.country == "FR"  # the parcel leaves from the customer's country
    assert documents.return_label_pdf(uow, CS, r.id).startswith(b"%PDF")

    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)]))
    line = orders.get_order(uow, SYSTEM, order_id).lines[0]
    assert (line.delivered_quantity, line.returned_quantity) == (3, 2)
    before = on_hand(uow, "TEE")

    done = returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 1, 1)])
    assert done.status is ReturnStatus.INSPECTED
    assert on_hand(uow, "TEE") == before + 1
    ledger = inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")
    moves = {x.entry.kind: x.entry for x in ledger}
    assert moves[LedgerKind.RETURN].on_hand_delta == 2
    assert moves[LedgerKind.WRITE_OFF].on_hand_delta == -1
    assert "RMA-000001" in (moves[LedgerKind.RETURN].reason or "")
    assert "damaged" in (moves[LedgerKind.WRITE_OFF].reason or "")
    assert timeline(uow, order_id)[-4:] == [
        "return.requested",
        "return.approved",
        "return.received",
        "return.inspected",
    ]
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_resellable_unit_fills_a_waiting_order_in_the_same_call(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 1))
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    assert waiting.lines[0].backordered_quantity == 1
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 1)))
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 1, 0)])
    line = orders.get_order(uow, SYSTEM, waiting.id).lines[0]
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 0)
    assert "order.backorder_filled" in timeline(uow, waiting.id)


def test_never_more_than_delivered_and_not_already_in_another_return(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 3))
    with pytest.raises(Conflict, match="more units"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 4)))
    first = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    with pytest.raises(Conflict, match="1 delivered and not already in another return"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    returns.reject_return(uow, CS, first.id, "photos show no damage")
    # A rejected return gives its units back.
    again = returns.start_return(uow, SALES, order_id, ask(("TEE", 3)))
    assert again.status is ReturnStatus.REQUESTED
    assert "return.rejected" in timeline(uow, order_id)


def test_a_product_not_on_the_order_or_not_yet_delivered_cannot_come_back(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 1))
    stocked(uow, "MUG", 0)
    undelivered = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    with pytest.raises(Conflict):
        returns.start_return(uow, CS, order_id, ask(("MUG", 1)))
    with pytest.raises(Conflict):
        returns.start_return(uow, CS, undelivered, ask(("MUG", 1)))
    with pytest.raises(NotFound):
        returns.start_return(uow, CS, 999_999, ask(("MUG", 1)))


def test_outside_the_window_customer_service_may_override_with_a_reason(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 2))
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(window_days=14)))
    clock.advance(days=16)
    with pytest.raises(Conflict, match="return window of 14 days"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 1)))
    with pytest.raises(PermissionDenied, match="may not override"):
        returns.start_return(uow, SALES, order_id, ask(("TEE", 1), override="loyal"))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 1), override="loyal customer"))
    assert r.override_reason == "loyal customer"
    events = orders.order_events(uow, SYSTEM, order_id)
    [override] = [e for e in events if e.type == "return.policy_overridden"]
    assert override.data["reason"] == "loyal customer"
    assert override.actor == "carla"


def test_a_channel_policy_may_exclude_products(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 1))
    uow.run(lambda: uow.returns.set_policy("web", ReturnPolicy(30, frozenset({"TEE"}))))
    with pytest.raises(Conflict, match="excludes"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 1)))


def test_each_step_needs_its_role(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 1))
    with pytest.raises(PermissionDenied):
        returns.start_return(uow, WAREHOUSE, order_id, ask(("TEE", 1)))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 1)))
    with pytest.raises(PermissionDenied):
        returns.approve_return(uow, WAREHOUSE, r.id)
    returns.approve_return(uow, CS, r.id)
    with pytest.raises(PermissionDenied):
        returns.receive_return(uow, CS, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    with pytest.raises(PermissionDenied):
        returns.inspect_return(uow, SALES, r.id, [Inspected("TEE", 1, 0)])


def test_receiving_twice_or_inspecting_with_wrong_sums_is_refused(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 2))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    with pytest.raises(TransitionNotAllowed):
        returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)]))
    returns.approve_return(uow, CS, r.id)
    with pytest.raises(InvalidInput, match="location"):
        returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("NOPE", [("TEE", 2)]))
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    with pytest.raises(TransitionNotAllowed):
        returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    assert orders.get_order(uow, SYSTEM, order_id).lines[0].returned_quantity == 1
    before = on_hand(uow, "TEE")
    with pytest.raises(InvalidInput, match="resellable \\+ damaged must be 1"):
        returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 1, 1)])
    assert on_hand(uow, "TEE") == before
    returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 0, 1)])
    with pytest.raises(TransitionNotAllowed):
        returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 0, 1)])
    assert on_hand(uow, "TEE") == before  # one came back, one written off
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_returns_are_listed_newest_first_by_status_and_order(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    first = delivered(uow, clock, ("TEE", 2))
    second = delivered(uow, clock, ("MUG", 1))
    a = returns.start_return(uow, CS, first, ask(("TEE", 1)))
    b = returns.start_return(uow, CS, second, ask(("MUG", 1)))
    returns.approve_return(uow, CS, b.id)

    def ids(**kw: object) -> list[int]:
        return [r.id for r in returns.list_returns(uow, SYSTEM, ReturnFilter(**kw))]  # type: ignore[arg-type]

    assert ids() == [b.id, a.id]
    assert ids(status="approved") == [b.id]
    assert ids(order_id=first) == [a.id]
    assert returns.get_return(uow, SALES, a.id).order_id == first
    with pytest.raises(NotFound):
        returns.get_return(uow, SALES, 999)


def test_the_window_counts_from_delivery_in_the_customers_days(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 2))  # delivered 2026-03-04 09:00 UTC, Paris
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(window_days=1)))
    clock.now = clock.now.replace(hour=22, minute=59) + timedelta(days=1)  # 23:59 in Paris
    returns.start_return(uow, CS, order_id, ask(("TEE", 1)))
    clock.advance(minutes=1)  # midnight in Paris: the window has closed
    with pytest.raises(Conflict, match="window"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 1)))

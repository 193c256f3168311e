"""Money through the use cases, on memory, SQLite and PostgreSQL: payments, refunds of
returns and of cancelled units (computed by oms, split over payments, failing and retried at
the provider), exchanges, closing a return."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest

from oms.adapters.payments.manual import ProviderBook
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.model import DraftLine, OrderDraft
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import PaymentStatus, RefundStatus
from oms.domain.returns.model import Inspected
from oms.domain.returns.policy import RequestedLine, ReturnPolicy
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services import (
    orders,
    payments,
    picking,
    return_resolutions,
    returns,
    tracking,
    warehouse,
)
from oms.services.orders import CancelLine
from oms.services.payments import RecordPayment
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL
from oms.services.returns import ReceiveReturn, StartReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.fakes import Flaky

DRIVER = Actor("driver", Role.CARRIER, "oms-post")
CS = Actor("carla", Role.CUSTOMER_SERVICE)
SALES = Actor("sam", Role.SALES)
WAREHOUSE = Actor("walt", Role.WAREHOUSE)
ADMIN = Actor("ada", Role.ADMIN)
NO_LIMIT = Decimal(10_000)
E = Decimal


def d(text: str) -> Decimal:
    return Decimal(text)


def priced(*lines: tuple[str, int, str, str, str], **kw: object) -> OrderDraft:
    """A draft with (sku, quantity, unit price, discount, tax) per line."""
    base = draft(*[(sku, q) for sku, q, *_ in lines])
    return OrderDraft(
        channel=base.channel,
        customer=base.customer,
        shipping_address=base.shipping_address,
        lines=[DraftLine(s, q, d(p), d(disc), d(tax)) for s, q, p, disc, tax in lines],
        **kw,  # type: ignore[arg-type]
    )


def deliver(uow: UnitOfWork, clock: FakeClock, order: OrderDraft) -> int:
    """Stock each SKU at PAR, place, confirm, pick, pack, ship and deliver the order."""
    for line in order.lines:
        stocked(uow, line.sku, 10, weight_grams=300)
    order_id = orders.place_order(uow, SYSTEM, order).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    units = [(line.sku, line.quantity) for line in order.lines]
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, s, q) for s, q in units])
    warehouse.pack_shipment(uow, SYSTEM, sid, units)
    shipped = warehouse.ship_shipment(uow, SYSTEM, sid)
    clock.advance(days=2)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": clock.now}
    tracking.record_carrier_event(uow, DRIVER, "oms-post", event)
    return order_id


def pay(uow: UnitOfWork, order_id: int, amount: str, reference: str | None = None) -> None:
    payments.record_payment(uow, SALES, order_id, RecordPayment(d(amount), "manual", reference))


def inspected(
    uow: UnitOfWork,
    order_id: int,
    lines: list[tuple[str, int, ReturnReason]],
    damaged: int = 0,
    resolution: Resolution = Resolution.REFUND,
) -> int:
    """A return of these lines, approved, received at PAR and inspected."""
    asked = StartReturn([RequestedLine(s, q, why) for s, q, why in lines], resolution)
    r = returns.start_return(uow, CS, order_id, asked)
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(
        uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [(s, q) for s, q, _ in lines])
    )
    split = [
        Inspected(s, q - (damaged if i == 0 else 0), damaged if i == 0 else 0)
        for i, (s, q, _) in enumerate(lines)
    ]
    returns.inspect_return(uow, WAREHOUSE, r.id, split)
    return r.id


def order_of(uow: UnitOfWork, order_id: int):  # type: ignore[no-untyped-def]
    return orders.get_order(uow, SYSTEM, order_id)


# -- payments ---------------------------------------------------------------------------------


def test_payments_move_the_payment_status_and_a_repeat_records_nothing(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 2), shipping=d("4.95"))).order.id
    order = order_of(uow, order_id)
    assert order.payment_status is PaymentStatus.UNPAID and order.due() == d("24.95")

    first = payments.record_payment(
        uow, SALES, order_id, RecordPayment(d("20.00"), reference="BT-1")
    )
    assert first.created and first.payment.provider == "manual"
    assert order_of(uow, order_id).payment_status is PaymentStatus.PARTIALLY_PAID
    again = payments.record_payment(
        uow, SALES, order_id, RecordPayment(d("20.00"), reference="BT-1")
    )
    assert not again.created and again.payment.id == first.payment.id
    pay(uow, order_id, "4.95", "BT-2")
    order = order_of(uow, order_id)
    assert (order.payment_status, order.paid_total) == (PaymentStatus.PAID, d("24.95"))
    assert [p.reference for p in payments.payments_of_order(uow, SALES, order_id)] == [
        "BT-1",
        "BT-2",
    ]
    events = [e.type for e in orders.order_events(uow, SYSTEM, order_id)]
    assert events.count("payment.recorded") == 2


def test_a_payment_is_refused_past_what_is_due_for_a_cancelled_order_and_in_bad_shape(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order.id
    with pytest.raises(Conflict, match="still due"):
        pay(uow, order_id, "10.01")
    with pytest.raises(InvalidInput) as bad:
        payments.record_payment(uow, SALES, order_id, RecordPayment(d("-1"), "bitcoin"))
    assert {e.field for e in bad.value.errors} == {"amount", "provider"}
    with pytest.raises(InvalidInput):
        pay(uow, order_id, "1.001")
    with pytest.raises(PermissionDenied):
        payments.record_payment(uow, WAREHOUSE, order_id, RecordPayment(d(1)))
    with pytest.raises(NotFound):
        pay(uow, 999, "1")
    orders.cancel_order(uow, SYSTEM, order_id, "customer asked")
    with pytest.raises(Conflict, match="cancelled"):
        pay(uow, order_id, "1")


# -- refunds of returns -----------------------------------------------------------------------


def test_a_refund_pays_back_the_price_paid_with_discount_and_tax(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    # 3 tees at 20.00 with 3.00 off and 11.40 tax (tax excluded): 68.40 for the line, plus a
    # mug; shipping 5.00. Two tees come back for the customer's choice: the customer pays
    # the return parcel (its carrier price), deducted.
    order = priced(
        ("TEE", 3, "20.00", "3.00", "11.40"), ("MUG", 1, "8.00", "0", "1.60"), shipping=d(5)
    )
    order_id = deliver(uow, clock, order)
    assert order_of(uow, order_id).totals.total.amount == d("83.00")
    pay(uow, order_id, "83.00")
    return_id = inspected(uow, order_id, [("TEE", 2, ReturnReason.CHANGED_MIND)])
    parcel = returns.get_return(uow, CS, return_id).label
    assert parcel is not None and parcel.cost is not None and parcel.cost.amount > 0

    refund = return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    assert refund.status is RefundStatus.SUCCEEDED
    assert [(x.sku, x.quantity, x.amount) for x in refund.lines] == [("TEE", 2, d("45.60"))]
    assert refund.shipping == 0 and refund.deducted == parcel.cost.amount
    assert refund.amount == d("45.60") - parcel.cost.amount
    order = order_of(uow, order_id)
    assert order.refunded_total == refund.amount
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    done = returns.get_return(uow, CS, return_id)
    assert done.status is ReturnStatus.REFUNDED and done.refund_total == refund.amount
    events = [e.type for e in orders.order_events(uow, SYSTEM, order_id)]
    assert events[-2:] == ["return.refunded", "refund.issued"]
    with pytest.raises(TransitionNotAllowed):
        return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)


def test_the_sellers_fault_gives_shipping_back_when_nothing_else_remains(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0"), shipping=d("4.95")))
    pay(uow, order_id, "24.95")
    first = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    one = return_resolutions.refund_return(uow, CS, first, NO_LIMIT)
    assert (one.amount, one.shipping, one.deducted) == (d("10.00"), 0, 0)  # one tee still out
    last = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)], damaged=1)
    two = return_resolutions.refund_return(uow, CS, last, NO_LIMIT)
    assert (two.amount, two.shipping) == (d("14.95"), d("4.95"))
    order = order_of(uow, order_id)
    assert order.refunded_total == order.paid_total == d("24.95")
    assert order.payment_status is PaymentStatus.REFUNDED


def test_refunds_never_add_up_to_more_than_was_paid(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0")))
    pay(uow, order_id, "5.00")  # a deposit only
    return_id = inspected(uow, order_id, [("TEE", 2, ReturnReason.WRONG_ITEM)])
    refund = return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    assert (refund.amount, refund.capped) == (d("5.00"), d("15.00"))


def test_an_unpaid_order_has_nothing_to_refund_and_the_return_is_closed(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    with pytest.raises(Conflict, match="close the return"):
        return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    closed = return_resolutions.close_return(uow, CS, return_id, "cash on delivery never paid")
    assert closed.status is ReturnStatus.CLOSED
    with pytest.raises(TransitionNotAllowed):
        return_resolutions.close_return(uow, CS, return_id, "again")


def test_above_the_limit_only_an_admin_refunds(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 1, "800.00", "0", "0")))
    pay(uow, order_id, "800.00")
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    with pytest.raises(PermissionDenied, match="refund limit of 500"):
        return_resolutions.refund_return(uow, CS, return_id, d(500))
    with pytest.raises(PermissionDenied):
        return_resolutions.refund_return(uow, WAREHOUSE, return_id, d(500))
    assert payments.refunds_of_order(uow, CS, order_id) == []  # nothing half-made
    refund = return_resolutions.refund_return(uow, ADMIN, return_id, d(500))
    assert refund.amount == d("800.00")


@pytest.mark.parametrize("raises", [False, True])
def test_a_refund_failing_at_the_provider_stays_visible_and_is_retried_with_the_same_key(
    each_uow: UnitOfWork, clock: FakeClock, raises: bool
) -> None:
    uow = each_uow
    card = Flaky(raises=raises)
    cast(ProviderBook, uow.providers).add(card)
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0")))
    payments.record_payment(uow, SALES, order_id, RecordPayment(d("20.00"), "card", "ch_1"))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])

    failed = return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    assert failed.status is RefundStatus.FAILED and failed.error
    assert ("timed out" if raises else "issuer unavailable") in failed.error
    assert order_of(uow, order_id).refunded_total == 0
    assert returns.get_return(uow, CS, return_id).status is ReturnStatus.INSPECTED
    with pytest.raises(Conflict, match="retry"):
        return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)

    done = payments.retry_refund(uow, CS, failed.id)
    assert done.status is RefundStatus.SUCCEEDED and done.attempts == 2
    assert card.keys[0] == card.keys[1]  # the provider can drop a repeat
    assert order_of(uow, order_id).refunded_total == d("10.00")
    assert returns.get_return(uow, CS, return_id).status is ReturnStatus.REFUNDED
    with pytest.raises(Conflict, match="succeeded"):
        payments.retry_refund(uow, CS, failed.id)
    types = [e.type for e in orders.order_events(uow, SYSTEM, order_id)]
    assert types.count("refund.failed") == 1 and types.count("refund.issued") == 1


def test_a_refund_is_split_over_payments_newest_first(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 3, "10.00", "0", "0")))
    pay(uow, order_id, "20.00", "first")
    pay(uow, order_id, "10.00", "second")
    return_id = inspected(uow, order_id, [("TEE", 2, ReturnReason.DAMAGED)])
    refund = return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    ids = {p.reference: p.id for p in payments.payments_of_order(uow, CS, order_id)}
    assert [(p.payment_id, p.amount) for p in refund.parts] == [
        (ids["second"], d("10.00")),
        (ids["first"], d("10.00")),
    ]


# -- cancelling lines, and whole orders, of paid orders ------------------------------------------


def test_cancelling_a_line_releases_its_stock_and_refunds_a_paid_order(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 2)
    stocked(uow, "MUG", 5)
    placed = orders.place_order(
        uow,
        SYSTEM,
        priced(("TEE", 3, "10.00", "0", "0"), ("MUG", 1, "8.00", "0", "0"), shipping=d(4)),
    ).order
    tee = placed.lines[0]
    assert (tee.allocated_quantity, tee.backordered_quantity) == (2, 1)
    pay(uow, placed.id, "42.00")

    order = orders.cancel_line(
        uow, CS, placed.id, CancelLine(tee.id, 2, "customer asked"), NO_LIMIT
    )
    line = order.lines[0]
    assert (line.cancelled_quantity, line.backordered_quantity, line.allocated_quantity) == (
        2,
        0,
        1,
    )
    assert order.status is OrderStatus.PENDING  # the rest goes on
    from oms.services import inventory

    (row,) = inventory.list_stock(uow, SYSTEM, sku="TEE", location="PAR")
    assert row.reserved == 1  # one reserved unit released (the backordered one went first)
    [refund] = payments.refunds_of_order(uow, CS, placed.id)
    assert (refund.amount, refund.shipping, refund.return_id) == (d("20.00"), 0, None)
    assert order.refunded_total == d("20.00")
    with pytest.raises(InvalidInput):
        orders.cancel_line(uow, CS, placed.id, CancelLine(tee.id, 2, "too many"), NO_LIMIT)
    with pytest.raises(NotFound):
        orders.cancel_line(uow, CS, placed.id, CancelLine(999, 1, "no such line"), NO_LIMIT)
    with pytest.raises(PermissionDenied):
        orders.cancel_line(uow, SALES, placed.id, CancelLine(tee.id, 1, "sales may not"), NO_LIMIT)

    # Cancelling the rest: everything paid comes back, shipping too (nothing ever shipped).
    cancelled = orders.cancel_order(uow, CS, placed.id, "customer changed their mind", NO_LIMIT)
    assert cancelled.refunded_total == d("42.00")
    assert cancelled.payment_status is PaymentStatus.REFUNDED
    assert sum(r.amount for r in payments.refunds_of_order(uow, CS, placed.id)) == d("42.00")


def test_cancelling_an_unpaid_line_makes_no_refund_and_lowers_what_is_due(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    order = orders.cancel_line(uow, CS, placed.id, CancelLine(placed.lines[0].id, 1, "fewer"))
    assert payments.refunds_of_order(uow, CS, placed.id) == []
    assert order.due() == d("10.00")
    pay(uow, placed.id, "10.00")
    assert order_of(uow, placed.id).payment_status is PaymentStatus.PAID


# -- exchanges --------------------------------------------------------------------------------


def test_an_exchange_places_a_free_order_linked_both_ways(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0")))
    return_id = inspected(
        uow, order_id, [("TEE", 1, ReturnReason.WRONG_ITEM)], resolution=Resolution.EXCHANGE
    )
    new = return_resolutions.exchange_return(uow, CS, return_id)
    assert new.exchange_of == order_id and new.totals.total.amount == 0
    assert [(x.sku, x.quantity, x.unit_price, x.allocated_quantity) for x in new.lines] == [
        ("TEE", 1, 0, 1)
    ]
    assert new.payment_status is PaymentStatus.PAID  # nothing to pay for like-for-like
    assert order_of(uow, order_id).exchanges == [new.id]
    r = returns.get_return(uow, CS, return_id)
    assert (r.status, r.exchange_order_id) == (ReturnStatus.EXCHANGED, new.id)
    assert "order.exchange_placed" in [e.type for e in orders.order_events(uow, SYSTEM, new.id)]
    with pytest.raises(TransitionNotAllowed):
        return_resolutions.exchange_return(uow, CS, return_id)


def test_an_exchange_out_of_stock_is_backordered(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)], damaged=1)
    from oms.services import inventory
    from oms.services.inventory import StockChange

    inventory.count_stock(uow, SYSTEM, StockChange("PAR", "TEE", "sold out", on_hand=0))
    new = return_resolutions.exchange_return(uow, CS, return_id)
    assert (new.lines[0].allocated_quantity, new.lines[0].backordered_quantity) == (0, 1)


def test_window_policy_still_applies_to_money(each_uow: UnitOfWork, clock: FakeClock) -> None:
    """The policy's payer rule: a policy that makes the seller pay every reason deducts
    nothing."""
    uow = each_uow
    uow.run(
        lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(customer_pays=frozenset()))
    )
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    pay(uow, order_id, "10.00")
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.CHANGED_MIND)])
    refund = return_resolutions.refund_return(uow, CS, return_id, NO_LIMIT)
    assert (refund.amount, refund.deducted) == (d("10.00"), 0)

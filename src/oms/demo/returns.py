"""The demo's returns: some delivered orders come back, one return left at each step
(requested, approved, rejected, received, inspected with a unit written off), and how
inspected ones end (refunded in part, refunded in full with the shipping, exchanged,
closed), through the use cases, after the six weeks of orders."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import Order
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import PaymentStatus, RefundStatus
from oms.domain.returns.model import Inspected
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.services import orders, return_resolutions, returns, tracking
from oms.services.orders import NO_LIMIT
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter
from oms.services.returns import ReceiveReturn, StartReturn

# How far each demo return gets, in the order they are made.
STEPS = (
    "inspected",
    "inspected_damaged",
    "received",
    "approved",
    "rejected",
    "requested",
    "refunded",
    "refunded_in_full",
    "exchanged",
    "closed",
)
R = ReturnReason
REASONS = (
    R.CHANGED_MIND,
    R.DAMAGED,
    R.WRONG_ITEM,
    R.NOT_AS_DESCRIBED,
    R.NO_LONGER_NEEDED,
    R.LATE,
    R.CHANGED_MIND,  # the customer pays the parcel back: deducted from the refund
    R.WRONG_ITEM,  # the seller's fault, everything back: the shipping is refunded too
    R.OTHER,
    R.NO_LONGER_NEEDED,
)
# What the order of a step needs: paid for a refund; for a refund of the whole order, every
# unit delivered and a shipping charge to give back.
NEEDS: dict[str, Callable[[Order], bool]] = {
    "refunded": lambda o: o.payment_status is PaymentStatus.PAID,
    "refunded_in_full": lambda o: (
        o.payment_status is PaymentStatus.PAID
        and o.totals.shipping.amount > 0
        and all(x.delivered_quantity + x.cancelled_quantity == x.quantity for x in o.lines)
    ),
}
# Customers in these countries send parcels back on lanes the built-in carrier prices.
HOME = frozenset({"FR", "DE"})


def _anything(order: Order) -> bool:
    return True


def load_returns(uow: UnitOfWork, rng: random.Random, done: Counter[str]) -> None:
    """One return per step, from the most recently delivered orders (inside the window):
    each step takes the first order left that it fits."""
    delivered = orders.list_orders(
        uow, SYSTEM, OrderFilter(status=OrderStatus.DELIVERED.value, limit=200)
    )
    left = [o for o in delivered if o.shipping_address.country in HOME]
    for step in STEPS:
        fits = NEEDS.get(step, _anything)
        for order in [o for o in left if fits(o)]:
            left.remove(order)
            try:
                _one(uow, rng, order, step)
            except Conflict:  # outside its window: the next order takes this step
                continue
            done[f"return:{step}"] += 1
            break


def _one(uow: UnitOfWork, rng: random.Random, order: Order, step: str) -> None:
    line = rng.choice([x for x in order.lines if x.delivered_quantity])
    reason = REASONS[STEPS.index(step)]
    units = [(line.sku, 1)]
    if step == "refunded_in_full":
        units = [(x.sku, x.delivered_quantity) for x in order.lines if x.delivered_quantity]
    resolution = rng.choice(list(Resolution))
    if step in _ENDS:
        resolution = Resolution.EXCHANGE if step == "exchanged" else Resolution.REFUND
    ask = StartReturn([RequestedLine(sku, n, reason) for sku, n in units], resolution)
    r = returns.start_return(uow, SYSTEM, order.id, ask)
    if step == "requested":
        return
    if step == "rejected":
        returns.reject_return(uow, SYSTEM, r.id, "the photos show the item was used")
        return
    returns.approve_return(uow, SYSTEM, r.id)
    if step == "approved":
        return
    returns.receive_return(uow, SYSTEM, r.id, ReceiveReturn(_shipped_from(uow, order), units))
    if step == "received":
        return
    damaged = 1 if step == "inspected_damaged" else 0
    returns.inspect_return(
        uow, SYSTEM, r.id, [Inspected(sku, n - damaged, damaged) for sku, n in units]
    )
    if step in _ENDS:
        _ENDS[step](uow, r.id)


def _refund(uow: UnitOfWork, return_id: int) -> None:
    refund = return_resolutions.refund_return(uow, SYSTEM, return_id, NO_LIMIT)
    if refund.status is not RefundStatus.SUCCEEDED:  # the manual provider always does it
        raise RuntimeError(f"the demo's refund {refund.id} {refund.status}: {refund.error}")


_ENDS: dict[str, Callable[[UnitOfWork, int], object]] = {
    "refunded": _refund,
    "refunded_in_full": _refund,
    "exchanged": lambda uow, return_id: return_resolutions.exchange_return(uow, SYSTEM, return_id),
    "closed": lambda uow, return_id: return_resolutions.close_return(
        uow, SYSTEM, return_id, "the customer kept a store voucher instead"
    ),
}


def _shipped_from(uow: UnitOfWork, order: Order) -> str:
    found = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
    delivered = [s for s in found if s.status is ShipmentStatus.DELIVERED]
    return delivered[0].location

"""The demo's returns: some delivered orders come back, one return left at each step
(requested, approved, rejected, received, inspected with a unit written off), through the
use cases, after the six weeks of orders."""

from __future__ import annotations

import random
from collections import Counter

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import Order
from oms.domain.orders.status import OrderStatus
from oms.domain.returns.model import Inspected
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.services import orders, returns, tracking
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter
from oms.services.returns import ReceiveReturn, StartReturn

# How far each demo return gets, in the order they are made.
STEPS = ("inspected", "inspected_damaged", "received", "approved", "rejected", "requested")
R = ReturnReason
REASONS = (R.CHANGED_MIND, R.DAMAGED, R.WRONG_ITEM, R.NOT_AS_DESCRIBED, R.NO_LONGER_NEEDED, R.LATE)
# Customers in these countries send parcels back on lanes the built-in carrier prices.
HOME = frozenset({"FR", "DE"})


def load_returns(uow: UnitOfWork, rng: random.Random, done: Counter[str]) -> None:
    """One return per step, from the most recently delivered orders (inside the window)."""
    delivered = orders.list_orders(
        uow, SYSTEM, OrderFilter(status=OrderStatus.DELIVERED.value, limit=len(STEPS) * 5)
    )
    steps = iter(STEPS)
    for order in [o for o in delivered if o.shipping_address.country in HOME]:
        step = next(steps, None)
        if step is None:
            break
        try:
            _one(uow, rng, order, step)
        except Conflict:  # outside its window: the next order takes this step
            steps = iter((step, *steps))
            continue
        done[f"return:{step}"] += 1


def _one(uow: UnitOfWork, rng: random.Random, order: Order, step: str) -> None:
    line = rng.choice([x for x in order.lines if x.delivered_quantity])
    reason = REASONS[STEPS.index(step)]
    ask = StartReturn([RequestedLine(line.sku, 1, reason)], rng.choice(list(Resolution)))
    r = returns.start_return(uow, SYSTEM, order.id, ask)
    if step == "requested":
        return
    if step == "rejected":
        returns.reject_return(uow, SYSTEM, r.id, "the photos show the item was used")
        return
    returns.approve_return(uow, SYSTEM, r.id)
    if step == "approved":
        return
    returns.receive_return(
        uow, SYSTEM, r.id, ReceiveReturn(_shipped_from(uow, order), [(line.sku, 1)])
    )
    if step == "received":
        return
    damaged = 1 if step == "inspected_damaged" else 0
    returns.inspect_return(uow, SYSTEM, r.id, [Inspected(line.sku, 1 - damaged, damaged)])


def _shipped_from(uow: UnitOfWork, order: Order) -> str:
    found = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
    delivered = [s for s in found if s.status is ShipmentStatus.DELIVERED]
    return delivered[0].location

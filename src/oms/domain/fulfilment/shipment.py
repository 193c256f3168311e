"""The shipment state machine as one table, and the order status its shipments add up to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from oms.domain.orders.status import OrderStatus
from oms.domain.state_machine import StateMachine


class ShipmentStatus(StrEnum):
    OPEN = "open"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"
    LOST = "lost"  # the carrier (or the shop) says it will never arrive; awaits a remedy
    REPLACED = "replaced"  # lost, and its units sent again in a new shipment
    RETURNED = "returned"  # back at its location after failed delivery attempts


S = ShipmentStatus

# Every arrow a shipment may follow. Up to `packed` the warehouse moves it; a pick list that
# is given up puts its shipments back to `open`. After `shipped` only carrier events move it,
# forward only, skipping steps when the carrier reports none; an exception (a failed attempt,
# a damaged label, a driver who found nobody home) is followed by whatever comes next.
# Once it has left the building a shipment cannot be cancelled; it may be lost (the carrier
# says so, or customer service declares it), and a lost one is replaced by a new shipment;
# after too many failed attempts it comes back to its location (returned).
_ON_ITS_WAY = frozenset({S.LOST, S.RETURNED})
TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.OPEN: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PICKED, S.OPEN, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION})
    | _ON_ITS_WAY,
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}) | _ON_ITS_WAY,
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.EXCEPTION}) | _ON_ITS_WAY,
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}) | _ON_ITS_WAY,
    S.LOST: frozenset({S.REPLACED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REPLACED: frozenset(),
    S.RETURNED: frozenset(),
}

# The statuses a carrier event may report (POST /carriers/{carrier}/events).
CARRIER_STATUSES: frozenset[ShipmentStatus] = frozenset(
    {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION, S.LOST}
)
# Statuses of a shipment that has left its location: its units count as shipped. A lost
# parcel's units still do until it is replaced (then they wait to be sent again); a
# returned one's came back to stock.
LEFT_LOCATION: frozenset[ShipmentStatus] = frozenset({S.SHIPPED} | CARRIER_STATUSES)
# Statuses in which a shipment is still the warehouse's work.
IN_WAREHOUSE: frozenset[ShipmentStatus] = frozenset({S.OPEN, S.PICKING, S.PICKED, S.PACKED})
# Shipments still moving (in the warehouse or on their way): what the day's work counts.
NOT_DONE: frozenset[ShipmentStatus] = frozenset(ShipmentStatus) - {
    S.DELIVERED,
    S.CANCELLED,
    S.REPLACED,
    S.RETURNED,
}


SHIPMENT_STATES = StateMachine("shipment", S.OPEN, TRANSITIONS)
can_transition = SHIPMENT_STATES.can
check_transition = SHIPMENT_STATES.check


def status_after_carrier_event(current: ShipmentStatus, reported: ShipmentStatus) -> ShipmentStatus:
    """Where a carrier event leaves a shipment. Events are recorded whatever they say, but
    only move the shipment forward: a late, repeated or out-of-order event changes nothing.
    """
    if reported not in CARRIER_STATUSES:
        raise ValueError(
            f"a carrier reports one of {', '.join(sorted(CARRIER_STATUSES))}, not {reported}"
        )
    return reported if can_transition(current, reported) else current


@dataclass(frozen=True, slots=True)
class ShipmentQuantities:
    """A shipment as the order sees it: its status and the units of each order line in it."""

    status: ShipmentStatus
    lines: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LineProgress:
    """Units of one order line that have left a location, and of those, been delivered."""

    shipped: int = 0
    delivered: int = 0


def line_progress(shipments: Iterable[ShipmentQuantities]) -> dict[int, LineProgress]:
    """Shipped and delivered units per order line; cancelled and unshipped shipments add none."""
    progress: dict[int, LineProgress] = {}
    for shipment in shipments:
        if shipment.status not in LEFT_LOCATION:
            continue
        delivered = shipment.status is S.DELIVERED
        for line_id, quantity in shipment.lines.items():
            before = progress.get(line_id, LineProgress())
            progress[line_id] = LineProgress(
                before.shipped + quantity, before.delivered + (quantity if delivered else 0)
            )
    return progress


def order_status_from_shipments(
    to_fulfil: Mapping[int, int], shipments: Iterable[ShipmentQuantities]
) -> OrderStatus:
    """The status an order in fulfilment follows from its shipments.

    `to_fulfil` is, per order line id, the units that are to reach the customer (ordered
    less cancelled). Every unit delivered: delivered. Every unit shipped: shipped. Some:
    partially shipped. None: processing. A shipment in exception still counts as shipped;
    a cancelled one counts for nothing (its units were re-sourced to another shipment).
    """
    wanted = {line: qty for line, qty in to_fulfil.items() if qty > 0}
    if not wanted:
        raise ValueError("an order with nothing left to fulfil is cancelled, not rolled up")
    progress = line_progress(shipments)
    reached = [(progress.get(line, LineProgress()), qty) for line, qty in wanted.items()]
    if all(p.delivered >= qty for p, qty in reached):
        return OrderStatus.DELIVERED
    if all(p.shipped >= qty for p, qty in reached):
        return OrderStatus.SHIPPED
    if any(p.shipped > 0 for p, _ in reached):
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.PROCESSING

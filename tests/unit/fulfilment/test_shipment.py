"""The shipment state machine, carrier events, and the order status its shipments add up to."""

from itertools import product

import pytest

from oms.domain.errors import TransitionNotAllowed
from oms.domain.fulfilment.shipment import (
    CARRIER_STATUSES,
    TRANSITIONS,
    LineProgress,
    ShipmentQuantities,
    ShipmentStatus,
    can_transition,
    check_transition,
    line_progress,
    order_status_from_shipments,
    status_after_carrier_event,
)
from oms.domain.orders.status import OrderStatus

S = ShipmentStatus
O = OrderStatus  # noqa: E741

# The arrows, written out here independently of the table in the code.
ALLOWED = {
    (S.OPEN, S.PICKING),
    (S.OPEN, S.CANCELLED),
    (S.PICKING, S.PICKED),
    (S.PICKING, S.OPEN),
    (S.PICKING, S.CANCELLED),
    (S.PICKED, S.PACKED),
    (S.PICKED, S.CANCELLED),
    (S.PACKED, S.SHIPPED),
    (S.PACKED, S.CANCELLED),
    (S.SHIPPED, S.IN_TRANSIT),
    (S.SHIPPED, S.OUT_FOR_DELIVERY),
    (S.SHIPPED, S.DELIVERED),
    (S.SHIPPED, S.EXCEPTION),
    (S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
    (S.IN_TRANSIT, S.DELIVERED),
    (S.IN_TRANSIT, S.EXCEPTION),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    (S.OUT_FOR_DELIVERY, S.EXCEPTION),
    (S.EXCEPTION, S.IN_TRANSIT),
    (S.EXCEPTION, S.OUT_FOR_DELIVERY),
    (S.EXCEPTION, S.DELIVERED),
    # lost (the carrier says so, or customer service) or back at the location undelivered,
    # from anywhere on the way; a lost one is replaced by a new shipment
    *(
        (on_way, end)
        for on_way in (S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.EXCEPTION)
        for end in (S.LOST, S.RETURNED)
    ),
    (S.LOST, S.REPLACED),
}


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(ShipmentStatus)
    assert [s.value for s in ShipmentStatus] == [
        "open",
        "picking",
        "picked",
        "packed",
        "shipped",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "cancelled",
        "lost",
        "replaced",
        "returned",
    ]


@pytest.mark.parametrize(("current", "target"), list(product(ShipmentStatus, ShipmentStatus)))
def test_every_pair_of_statuses_is_allowed_or_refused(
    current: ShipmentStatus, target: ShipmentStatus
) -> None:
    if (current, target) in ALLOWED:
        assert can_transition(current, target)
        check_transition(current, target, "move")
    else:
        assert not can_transition(current, target)
        with pytest.raises(TransitionNotAllowed):
            check_transition(current, target, "move")


@pytest.mark.parametrize("terminal", [S.DELIVERED, S.CANCELLED, S.REPLACED, S.RETURNED])
def test_delivered_cancelled_replaced_and_returned_lead_nowhere(terminal: ShipmentStatus) -> None:
    assert TRANSITIONS[terminal] == frozenset()


@pytest.mark.parametrize("status", list(ShipmentStatus))
def test_cancelling_is_possible_only_before_shipping(status: ShipmentStatus) -> None:
    before_shipping = status in {S.OPEN, S.PICKING, S.PICKED, S.PACKED}
    assert can_transition(status, S.CANCELLED) == before_shipping


def test_the_refusal_says_what_was_tried_and_what_is_possible() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(S.SHIPPED, S.CANCELLED, "cancel")
    assert str(refused.value) == (
        "cannot cancel a shipment that is shipped "
        "(it could move to: delivered, exception, in_transit, lost, out_for_delivery, returned)"
    )
    with pytest.raises(TransitionNotAllowed, match="no further transitions"):
        check_transition(S.DELIVERED, S.IN_TRANSIT, "report in transit")


@pytest.mark.parametrize(
    ("current", "reported", "after"),
    [
        (S.SHIPPED, S.IN_TRANSIT, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.DELIVERED, S.DELIVERED),  # a skipped step
        (S.SHIPPED, S.DELIVERED, S.DELIVERED),
        (S.IN_TRANSIT, S.IN_TRANSIT, S.IN_TRANSIT),  # a repeated event
        (S.DELIVERED, S.IN_TRANSIT, S.DELIVERED),  # a late event
        (S.OUT_FOR_DELIVERY, S.IN_TRANSIT, S.OUT_FOR_DELIVERY),  # out of order
        (S.OUT_FOR_DELIVERY, S.EXCEPTION, S.EXCEPTION),
        (S.EXCEPTION, S.OUT_FOR_DELIVERY, S.OUT_FOR_DELIVERY),
        (S.EXCEPTION, S.EXCEPTION, S.EXCEPTION),
        (S.DELIVERED, S.EXCEPTION, S.DELIVERED),
        (S.CANCELLED, S.DELIVERED, S.CANCELLED),
        (S.PACKED, S.IN_TRANSIT, S.PACKED),  # only shipping puts it in the carrier's hands
        (S.IN_TRANSIT, S.LOST, S.LOST),
        (S.LOST, S.DELIVERED, S.LOST),  # found after all: customer service decides, not the event
        (S.REPLACED, S.DELIVERED, S.REPLACED),
    ],
)
def test_carrier_events_only_move_a_shipment_forward(
    current: ShipmentStatus, reported: ShipmentStatus, after: ShipmentStatus
) -> None:
    assert status_after_carrier_event(current, reported) is after


@pytest.mark.parametrize("reported", sorted(set(ShipmentStatus) - CARRIER_STATUSES))
def test_a_carrier_cannot_report_warehouse_statuses(reported: ShipmentStatus) -> None:
    with pytest.raises(ValueError, match="a carrier reports one of"):
        status_after_carrier_event(S.SHIPPED, reported)


def shipment(status: ShipmentStatus, **lines: int) -> ShipmentQuantities:
    """Lines by name l1, l2, ... for order lines 1, 2, ..."""
    return ShipmentQuantities(status, {int(name[1:]): qty for name, qty in lines.items()})


@pytest.mark.parametrize(
    ("case", "shipments", "expected"),
    [
        ("nothing shipped yet", [shipment(S.OPEN, l1=2, l2=1)], O.PROCESSING),
        ("packed is not shipped", [shipment(S.PACKED, l1=2, l2=1)], O.PROCESSING),
        ("no shipments at all", [], O.PROCESSING),
        ("one shipment shipped", [shipment(S.SHIPPED, l1=2, l2=1)], O.SHIPPED),
        ("in transit", [shipment(S.IN_TRANSIT, l1=2, l2=1)], O.SHIPPED),
        ("an exception is still shipped", [shipment(S.EXCEPTION, l1=2, l2=1)], O.SHIPPED),
        ("delivered", [shipment(S.DELIVERED, l1=2, l2=1)], O.DELIVERED),
        (
            "one of two shipments shipped",
            [shipment(S.SHIPPED, l1=2), shipment(S.PICKING, l2=1)],
            O.PARTIALLY_SHIPPED,
        ),
        (
            "part of a line shipped",
            [shipment(S.SHIPPED, l1=1, l2=1), shipment(S.OPEN, l1=1)],
            O.PARTIALLY_SHIPPED,
        ),
        (
            "one delivered, the other still at the warehouse",
            [shipment(S.DELIVERED, l1=2), shipment(S.PACKED, l2=1)],
            O.PARTIALLY_SHIPPED,
        ),
        (
            "one delivered, the other on its way",
            [shipment(S.DELIVERED, l1=2), shipment(S.OUT_FOR_DELIVERY, l2=1)],
            O.SHIPPED,
        ),
        (
            "both delivered",
            [shipment(S.DELIVERED, l1=2), shipment(S.DELIVERED, l2=1)],
            O.DELIVERED,
        ),
        (
            "a cancelled shipment counts for nothing",
            [shipment(S.CANCELLED, l1=2, l2=1), shipment(S.OPEN, l1=2, l2=1)],
            O.PROCESSING,
        ),
        (
            "its units re-sourced and delivered",
            [shipment(S.CANCELLED, l2=1), shipment(S.DELIVERED, l1=2, l2=1)],
            O.DELIVERED,
        ),
    ],
)
def test_the_order_status_follows_its_shipments(
    case: str, shipments: list[ShipmentQuantities], expected: OrderStatus
) -> None:
    assert order_status_from_shipments({1: 2, 2: 1}, shipments) is expected, case


def test_cancelled_units_are_not_waited_for() -> None:
    # Line 2 was cancelled in full and line 1 by one unit: what is left is delivered.
    to_fulfil = {1: 1, 2: 0}
    assert order_status_from_shipments(to_fulfil, [shipment(S.DELIVERED, l1=1)]) is O.DELIVERED


def test_an_order_with_nothing_to_fulfil_is_not_rolled_up() -> None:
    with pytest.raises(ValueError, match="nothing left to fulfil"):
        order_status_from_shipments({1: 0}, [])


def test_line_progress_counts_shipped_and_delivered_units_per_line() -> None:
    progress = line_progress(
        [
            shipment(S.DELIVERED, l1=2, l2=1),
            shipment(S.IN_TRANSIT, l1=3),
            shipment(S.PACKED, l1=5, l3=1),
            shipment(S.CANCELLED, l2=4),
        ]
    )
    assert progress == {1: LineProgress(shipped=5, delivered=2), 2: LineProgress(1, 1)}


@pytest.mark.parametrize("status", list(ShipmentStatus))
def test_every_rolled_up_status_is_one_the_order_table_knows(status: ShipmentStatus) -> None:
    rolled_up = order_status_from_shipments({1: 1}, [shipment(status, l1=1)])
    assert rolled_up in {O.PROCESSING, O.PARTIALLY_SHIPPED, O.SHIPPED, O.DELIVERED}

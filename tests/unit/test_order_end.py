"""The end of the journey in the domain: units that will not arrive in their parcel wait
again (unship), the customer's confirmation, problems, and when an order completes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import Conflict, InvalidInput, TransitionNotAllowed
from oms.domain.orders.completion import Openness, blockers, completes_at, is_due
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.lines import LineOutOfBalance
from oms.domain.orders.problems import MAX_RESOLUTION, Problem, ProblemReason, check_note
from oms.domain.orders.status import OrderStatus
from tests.unit.test_order_verbs import placed, quantities

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
E = OrderEventType


def test_unship_puts_shipped_undelivered_units_back_to_wait() -> None:
    order = placed(tee=(5, 5), mug=(2, 2))
    order.ship({11: 5, 12: 2}, {})
    order.deliver({12: 2}, {})
    order.unship({11: 5}, E.SHIPMENT_REPLACED, {"shipment_id": 3})
    # allocated, backordered, shipped, cancelled, delivered, returned
    assert quantities(order) == [(0, 5, 0, 0, 0, 0), (0, 0, 2, 0, 2, 0)]
    assert order.events[-1].type is E.SHIPMENT_REPLACED
    assert order.events[-1].data == {"shipment_id": 3}


def test_delivered_units_never_come_off_and_a_failed_unship_changes_nothing() -> None:
    order = placed(tee=(5, 5), mug=(2, 2))
    order.ship({11: 5, 12: 2}, {})
    order.deliver({12: 2}, {})
    before = quantities(order)
    with pytest.raises(LineOutOfBalance, match="shipped and not delivered"):
        order.unship({11: 1, 12: 1}, E.SHIPMENT_RETURNED, {})
    assert quantities(order) == before


def test_unship_is_only_for_a_lost_or_returned_parcel() -> None:
    order = placed(tee=(5, 5), mug=(2, 2))
    order.ship({11: 5}, {})
    with pytest.raises(ValueError, match="lost or returned"):
        order.unship({11: 1}, E.SHIPMENT_DELIVERED, {})


@given(st.integers(0, 5), st.integers(0, 5))
def test_unship_keeps_every_line_in_balance(shipped: int, back: int) -> None:
    order = placed(tee=(5, 5), mug=(2, 2))
    order.ship({11: shipped}, {})
    if back > shipped:
        with pytest.raises(LineOutOfBalance):
            order.unship({11: back}, E.SHIPMENT_RETURNED, {})
        return
    order.unship({11: back}, E.SHIPMENT_RETURNED, {})
    tee = order.lines[0]
    assert tee.allocated_quantity + tee.backordered_quantity + tee.shipped_quantity == 5
    assert tee.backordered_quantity == back


def test_the_customer_confirms_only_once_something_was_delivered() -> None:
    order = placed(tee=(5, 5), mug=(2, 2))
    order.ship({11: 5, 12: 2}, {})
    with pytest.raises(Conflict, match="nothing delivered"):
        order.confirm_receipt()
    order.deliver({12: 2}, {})
    order.confirm_receipt()
    assert (order.events[-1].type, order.events[-1].data) == (E.RECEIPT_CONFIRMED, {"units": 2})


def test_complete_says_what_settled_it_and_only_follows_delivered() -> None:
    order = placed()
    with pytest.raises(TransitionNotAllowed):
        order.complete("customer")
    order.status = OrderStatus.DELIVERED
    order.complete("customer")
    assert order.events[-1].data == {"by": "customer"}


@pytest.mark.parametrize(
    ("state", "why"),
    [
        (Openness(OrderStatus.DELIVERED), []),
        (Openness(OrderStatus.SHIPPED), ["it is shipped, not delivered"]),
        (Openness(OrderStatus.DELIVERED, open_problems=2), ["2 reported problem(s) not resolved"]),
        (
            Openness(OrderStatus.PARTIALLY_SHIPPED, open_returns=1, open_problems=1),
            [
                "it is partially_shipped, not delivered",
                "1 reported problem(s) not resolved",
                "1 return(s) under way",
            ],
        ),
        (Openness(OrderStatus.COMPLETED), ["it is completed, not delivered"]),
    ],
)
def test_what_keeps_an_order_open(state: Openness, why: list[str]) -> None:
    assert blockers(state) == why


def test_the_window_counts_whole_24_hour_days_from_the_last_delivery() -> None:
    delivered = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # the night clocks change in Europe
    assert completes_at(delivered, 14) == datetime(2026, 4, 11, 23, 30, tzinfo=UTC)
    assert not is_due(delivered, 14, delivered + timedelta(days=14, seconds=-1))
    assert is_due(delivered, 14, delivered + timedelta(days=14))
    assert is_due(delivered, 0, delivered)
    with pytest.raises(ValueError):
        completes_at(delivered, -1)


def test_a_problem_resolves_once_with_words() -> None:
    problem = Problem(1, 7, ProblemReason.DAMAGED, None, "customer", NOW)
    assert problem.is_open
    with pytest.raises(InvalidInput):
        problem.resolve("cs", NOW, "  ")
    with pytest.raises(InvalidInput):
        problem.resolve("cs", NOW, "x" * (MAX_RESOLUTION + 1))
    problem.resolve("cs", NOW, " refunded ")
    assert (problem.is_open, problem.resolution, problem.resolved_by) == (False, "refunded", "cs")
    with pytest.raises(Conflict):
        problem.resolve("cs", NOW, "again")


def test_a_customers_note_is_trimmed_blank_is_none_and_long_is_refused() -> None:
    assert check_note("  torn  ") == "torn"
    assert check_note("   ") is None
    assert check_note(None) is None
    with pytest.raises(InvalidInput):
        check_note("x" * 2001)

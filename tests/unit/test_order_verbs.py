"""The order owns its lines: placing, and every verb that moves a line's units."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.catalogue.model import Product
from oms.domain.errors import Conflict, InvalidInput, TransitionNotAllowed
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import (
    Address,
    Customer,
    DraftLine,
    InitialAllocation,
    LineOutOfBalance,
    Order,
    OrderDraft,
    OrderIdentity,
    OrderLine,
)
from oms.domain.orders.status import OrderStatus

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TEE = Product(1, "TEE", "Tee", Decimal("10.00"), "EUR", 200, None)
MUG = Product(2, "MUG", "Mug", Decimal("6.50"), "EUR", 400, None)


def placed(tee: tuple[int, int] = (5, 3), mug: tuple[int, int] = (2, 2)) -> Order:
    """An order of (quantity, allocated at once) tees and mugs; line ids 11 and 12."""
    draft = OrderDraft(
        "web",
        Customer("ann@example.com", "Ann"),
        Address("Ann", "1 rue", "Paris", "75002", "FR"),
        [DraftLine("TEE", tee[0]), DraftLine("MUG", mug[0])],
        shipping=Decimal("4.90"),
    )
    priced = ("EUR", [(TEE, tee[0], TEE.price), (MUG, mug[0], MUG.price)])
    return Order.place(
        OrderIdentity(7, "SO-000007", (11, 12)),
        draft,
        priced,
        InitialAllocation((tee[1], mug[1]), (3, 3)),
        NOW,
        "token",
    )


def quantities(order: Order) -> list[tuple[int, ...]]:
    return [
        (
            ln.allocated_quantity,
            ln.backordered_quantity,
            ln.shipped_quantity,
            ln.cancelled_quantity,
            ln.delivered_quantity,
            ln.returned_quantity,
        )
        for ln in order.lines
    ]


def test_placing_builds_a_pending_order_with_its_ids_and_records_it() -> None:
    order = placed()
    assert (order.id, order.number, order.status) == (7, "SO-000007", OrderStatus.PENDING)
    assert [ln.id for ln in order.lines] == [11, 12]
    assert quantities(order) == [(3, 2, 0, 0, 0, 0), (2, 0, 0, 0, 0, 0)]
    assert str(order.totals.total.amount) == "67.90"
    [event] = order.events
    assert event.type is OrderEventType.PLACED
    assert event.data == {"allocated": 5, "backordered": 2, "locations": [3]}


def test_placing_more_than_a_line_asks_is_refused() -> None:
    with pytest.raises(LineOutOfBalance):
        placed(tee=(5, 6))


def test_a_backorder_fill_allocates_and_records_its_lines() -> None:
    order = placed()
    order.fill_backorders({11: 2}, [{"line_id": 11, "stock_id": 4, "quantity": 2}])
    assert quantities(order)[0] == (5, 0, 0, 0, 0, 0)
    assert order.events[-1].type is OrderEventType.BACKORDER_FILLED


def test_filling_more_than_is_backordered_changes_nothing() -> None:
    order = placed()
    with pytest.raises(LineOutOfBalance):
        order.fill_backorders({12: 1, 11: 3}, [])
    assert quantities(order) == [(3, 2, 0, 0, 0, 0), (2, 0, 0, 0, 0, 0)]
    assert len(order.events) == 1


def test_take_back_and_sourcing_move_units_between_allocated_and_backordered() -> None:
    order = placed()
    order.take_back({11: 1}, "count", [])
    assert quantities(order)[0] == (2, 3, 0, 0, 0, 0)
    order.source({11: 3, 12: -2}, {"rule": "one location ships the whole order"})
    assert quantities(order) == [(5, 0, 0, 0, 0, 0), (0, 2, 0, 0, 0, 0)]
    assert [e.type for e in order.events[-2:]] == [
        OrderEventType.ALLOCATION_REDUCED,
        OrderEventType.SOURCED,
    ]


def test_shipping_delivering_and_returning_count_units_in_turn() -> None:
    order = placed()
    order.ship({11: 3, 12: 2}, {"shipment_id": 1})
    order.deliver({11: 3}, {"shipment_id": 1})
    order.receive_return({11: 1}, {"return_id": 9})
    assert quantities(order) == [(0, 2, 3, 0, 3, 1), (0, 0, 2, 0, 0, 0)]
    with pytest.raises(LineOutOfBalance):
        order.deliver({12: 3}, {})  # only 2 shipped
    with pytest.raises(LineOutOfBalance):
        order.receive_return({12: 1}, {})  # none delivered
    assert quantities(order)[1] == (0, 0, 2, 0, 0, 0)


def test_shipping_more_than_is_allocated_is_refused() -> None:
    order = placed()
    with pytest.raises(LineOutOfBalance):
        order.ship({11: 4}, {})


def test_a_rejected_shipment_and_a_short_pick_send_units_back_to_the_backorder() -> None:
    order = placed()
    order.reject_shipment({12: 2}, {"reason": "flooded"})
    order.short_pick({11: 1}, {"missing": {"TEE": 1}})
    assert quantities(order) == [(2, 3, 0, 0, 0, 0), (0, 2, 0, 0, 0, 0)]
    assert [e.type for e in order.events[-2:]] == [
        OrderEventType.SHIPMENT_REJECTED,
        OrderEventType.SHIPMENT_SHORT_PICKED,
    ]


def test_cancelling_a_line_takes_backordered_units_first_and_says_what_to_release() -> None:
    order = placed()
    assert order.cancel_line(11, 3, "customer asked") == 1
    assert quantities(order)[0] == (2, 0, 0, 3, 0, 0)
    assert order.events[-1].data == {
        "line_id": 11,
        "sku": "TEE",
        "quantity": 3,
        "reason": "customer asked",
    }


def test_cancelling_more_of_a_line_than_is_open_is_invalid_input() -> None:
    order = placed()
    order.ship({12: 2}, {})
    with pytest.raises(InvalidInput) as refused:
        order.cancel_line(12, 1, "customer asked")
    assert refused.value.errors[0].field == "quantity"


def test_lines_of_a_shipped_order_cannot_be_cancelled() -> None:
    order = placed(tee=(1, 1), mug=(1, 1))
    order.status = OrderStatus.SHIPPED
    with pytest.raises(Conflict):
        order.cancel_line(11, 1, "too late")


def test_cancel_cancels_every_open_unit_and_returns_what_was_allocated() -> None:
    order = placed()
    assert order.cancel("changed mind") == {11: 3, 12: 2}
    assert quantities(order) == [(0, 0, 0, 5, 0, 0), (0, 0, 0, 2, 0, 0)]


def test_complete_only_follows_delivered() -> None:
    order = placed()
    with pytest.raises(TransitionNotAllowed):
        order.complete("window")
    order.status = OrderStatus.DELIVERED
    order.complete("customer")
    assert order.status is OrderStatus.COMPLETED


def test_a_verb_on_a_line_the_order_does_not_have_is_a_bug() -> None:
    with pytest.raises(LineOutOfBalance):
        placed().fill_backorders({99: 1}, [])


VERBS = st.sampled_from(
    ["fill", "take_back", "source", "reject", "short", "ship", "deliver", "return", "cancel_line"]
)


@given(st.lists(st.tuples(VERBS, st.sampled_from([11, 12]), st.integers(-3, 6)), max_size=30))
def test_no_sequence_of_verbs_unbalances_a_line(
    steps: list[tuple[str, int, int]],
) -> None:
    """Whatever services ask, a line stays balanced: a verb either applies whole or is
    refused and changes nothing."""
    order = placed(tee=(6, 2), mug=(4, 4))
    for verb, line_id, quantity in steps:
        before = quantities(order)
        units = {line_id: quantity}
        try:
            _apply(order, verb, line_id, quantity, units)
        except (LineOutOfBalance, InvalidInput):
            assert quantities(order) == before
        assert all(isinstance(ln, OrderLine) and ln.is_balanced() for ln in order.lines)


def _apply(order: Order, verb: str, line_id: int, quantity: int, units: dict[int, int]) -> None:
    if verb == "fill":
        order.fill_backorders(units, [])
    elif verb == "take_back":
        order.take_back(units, "count", [])
    elif verb == "source":
        order.source(units, {})
    elif verb == "reject":
        order.reject_shipment(units, {})
    elif verb == "short":
        order.short_pick(units, {})
    elif verb == "ship":
        order.ship(units, {})
    elif verb == "deliver":
        order.deliver(units, {})
    elif verb == "return":
        order.receive_return(units, {})
    else:
        order.cancel_line(line_id, quantity, "edit")


def test_a_note_is_recorded_in_any_status_and_moves_nothing() -> None:
    order = placed()
    order.cancel("customer asked")
    before = quantities(order)
    event = order.note("  Customer called back: refund by transfer  ")
    assert event.type is OrderEventType.NOTE and event.type.value == "note"
    assert event.data == {"text": "Customer called back: refund by transfer"}
    assert order.events[-1] is event
    assert order.status is OrderStatus.CANCELLED and quantities(order) == before


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_note_is_refused_and_records_nothing(text: str) -> None:
    order = placed()
    events = list(order.events)
    with pytest.raises(InvalidInput) as refused:
        order.note(text)
    assert [e.field for e in refused.value.errors] == ["text"]
    assert order.events == events

"""Every state machine is a table checked by one generic check; every state is reachable."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from oms.domain.errors import TransitionNotAllowed
from oms.domain.fulfilment.model import PICK_LIST_STATES, PickList, PickListStatus
from oms.domain.fulfilment.shipment import SHIPMENT_STATES, ShipmentStatus
from oms.domain.orders.status import (
    ORDER_STATES,
    OrderStatus,
    in_fulfilment,
    lines_may_be_cancelled,
    waits_for_stock,
    warehouse_may_work,
)
from oms.domain.payments.model import REFUND_STATES
from oms.domain.returns.status import RETURN_STATES
from oms.domain.state_machine import StateMachine

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
MACHINES = [ORDER_STATES, SHIPMENT_STATES, PICK_LIST_STATES, RETURN_STATES, REFUND_STATES]


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.noun)
def test_every_state_can_be_reached_from_the_first(machine: StateMachine[StrEnum]) -> None:
    assert machine.reachable() == set(type(machine.initial))


def test_a_table_without_a_row_for_some_state_is_refused() -> None:
    class Light(StrEnum):
        RED = "red"
        GREEN = "green"

    with pytest.raises(ValueError, match="green"):
        StateMachine("light", Light.RED, {Light.RED: frozenset({Light.GREEN})})


def test_the_check_names_the_thing_the_state_and_where_it_could_go() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        PICK_LIST_STATES.check(PickListStatus.COMPLETED, PickListStatus.CANCELLED, "give up")
    assert str(refused.value) == (
        "cannot give up a pick list that is completed (no further transitions)"
    )
    with pytest.raises(TransitionNotAllowed, match="cannot confirm an order that is shipped"):
        ORDER_STATES.check(OrderStatus.SHIPPED, OrderStatus.CONFIRMED, "confirm")


def test_a_held_order_is_released_not_confirmed() -> None:
    """ON_HOLD -> CONFIRMED is an arrow for `release` only: confirming an order held while
    it was being picked would forget that it was."""
    assert ORDER_STATES.can(OrderStatus.ON_HOLD, OrderStatus.CONFIRMED, "release")
    with pytest.raises(TransitionNotAllowed) as refused:
        ORDER_STATES.check(OrderStatus.ON_HOLD, OrderStatus.CONFIRMED, "confirm")
    assert str(refused.value) == (
        "cannot confirm an order that is on_hold (confirm applies only to an order that is pending)"
    )


def test_a_pick_list_is_completed_or_given_up_once() -> None:
    pick_list = PickList(1, 2, "PAR", PickListStatus.OPEN, "amy", NOW)
    pick_list.complete("bob", NOW)
    assert (pick_list.status, pick_list.completed_by) == (PickListStatus.COMPLETED, "bob")
    with pytest.raises(TransitionNotAllowed):
        pick_list.give_up("bob", NOW)
    with pytest.raises(TransitionNotAllowed):
        pick_list.complete("bob", NOW)


def test_carrier_statuses_only_follow_shipping() -> None:
    for status in (ShipmentStatus.OPEN, ShipmentStatus.PACKED):
        assert not SHIPMENT_STATES.can(status, ShipmentStatus.DELIVERED)
    assert SHIPMENT_STATES.can(ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)


S = OrderStatus


@pytest.mark.parametrize("status", list(OrderStatus))
def test_status_questions_agree_with_each_other(status: OrderStatus) -> None:
    # The warehouse works only on orders in fulfilment that still wait for something.
    if warehouse_may_work(status):
        assert in_fulfilment(status, None) and waits_for_stock(status)
    # Once shipped or cancelled, nothing waits for stock and no line may be cancelled.
    if status in {S.SHIPPED, S.DELIVERED, S.COMPLETED, S.CANCELLED}:
        assert not waits_for_stock(status) and not lines_may_be_cancelled(status)
    assert warehouse_may_work(status) == (
        status in {S.CONFIRMED, S.PROCESSING, S.PARTIALLY_SHIPPED}
    )


def test_a_held_order_is_in_fulfilment_if_it_was_when_held() -> None:
    assert in_fulfilment(S.ON_HOLD, S.PROCESSING)
    assert not in_fulfilment(S.ON_HOLD, S.PENDING)
    assert not warehouse_may_work(S.ON_HOLD)

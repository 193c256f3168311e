"""The order state machine: every arrow in the table is allowed, every other one refused."""

from itertools import product

import pytest

from oms.domain.errors import TransitionNotAllowed
from oms.domain.orders.status import TRANSITIONS, OrderStatus, can_transition, check_transition

S = OrderStatus


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)


@pytest.mark.parametrize(("current", "target"), list(product(OrderStatus, OrderStatus)))
def test_check_transition_agrees_with_the_table(current: S, target: S) -> None:
    if target in TRANSITIONS[current]:
        check_transition(current, target, "move")
    else:
        with pytest.raises(TransitionNotAllowed):
            check_transition(current, target, "move")


@pytest.mark.parametrize("terminal", [S.CANCELLED, S.COMPLETED])
def test_terminal_statuses_lead_nowhere(terminal: S) -> None:
    assert not any(can_transition(terminal, target) for target in OrderStatus)


@pytest.mark.parametrize("shipped", [S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED])
def test_an_order_that_shipped_cannot_be_cancelled(shipped: S) -> None:
    assert not can_transition(shipped, S.CANCELLED)


def test_the_refusal_says_what_was_tried_and_what_is_possible() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(S.CANCELLED, S.CONFIRMED, "confirm")
    assert "cannot confirm an order that is cancelled" in str(refused.value)

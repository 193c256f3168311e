"""The customer's return request through its use case, found by the tracking token, on
memory, SQLite and PostgreSQL: what may go back, the window in the customer's days, never
more than delivered, never an override, and the customer as the timeline's actor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, InvalidInput, NotFound
from oms.domain.returns.policy import RequestedLine, ReturnPolicy
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services import customer_returns, orders, returns
from oms.services.customer_returns import RequestReturn
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_returns import CS, delivered


def token_of(uow: UnitOfWork, order_id: int) -> str:
    return orders.get_order(uow, SYSTEM, order_id).tracking_token


def asked(*lines: tuple[str, int], note: str | None = None) -> RequestReturn:
    return RequestReturn(
        [RequestedLine(sku, q, ReturnReason.CHANGED_MIND) for sku, q in lines],
        Resolution.REFUND,
        note,
    )


def test_the_customer_sees_what_may_go_back_and_until_when(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 3), ("MUG", 1))  # delivered 4 March, Paris
    view = customer_returns.returnable(uow, token_of(uow, order_id))
    by_sku = {item.sku: item for item in view.items}
    assert by_sku["TEE"].units == 3 and by_sku["MUG"].units == 1
    assert by_sku["TEE"].last_day == date(2026, 4, 3)  # the default 30 days
    assert by_sku["TEE"].open and len(view.open_items) == 2
    assert ReturnReason.DAMAGED in view.reasons and view.returns == []


def test_a_request_lands_as_requested_with_the_customer_as_actor(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 3))
    token = token_of(uow, order_id)
    r = customer_returns.request_return(uow, token, asked(("TEE", 2), note="  Too small  "))
    assert r.status is ReturnStatus.REQUESTED
    assert r.created_by == "customer (Ann Smith)"
    assert [(ln.sku, ln.quantity, ln.note) for ln in r.lines] == [("TEE", 2, "Too small")]
    assert returns.get_return(uow, CS, r.id).status is ReturnStatus.REQUESTED
    [event] = [e for e in orders.order_events(uow, SYSTEM, order_id) if e.type.startswith("return")]
    assert (event.type, event.actor) == ("return.requested", "customer (Ann Smith)")
    view = customer_returns.returnable(uow, token)
    assert view.items[0].units == 1
    assert [(x.number, x.status, x.lines) for x in view.returns] == [
        (r.number, ReturnStatus.REQUESTED, [("Thing", 2)])  # the product's name
    ]


def test_never_more_than_delivered_nor_more_than_remains(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 3))
    token = token_of(uow, order_id)
    with pytest.raises(Conflict, match="at most 3") as refused:
        customer_returns.request_return(uow, token, asked(("TEE", 4)))
    assert refused.value.errors[0].field == "lines[0].quantity"
    customer_returns.request_return(uow, token, asked(("TEE", 2)))
    with pytest.raises(Conflict, match="at most 1"):
        customer_returns.request_return(uow, token, asked(("TEE", 2)))
    with pytest.raises(Conflict, match="nothing delivered"):
        customer_returns.request_return(uow, token, asked(("CAP", 1)))
    with pytest.raises(InvalidInput):
        customer_returns.request_return(uow, token, asked())


def test_nothing_may_go_back_before_delivery(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    stocked(uow, "TEE", 2)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order.id
    token = token_of(uow, order_id)
    assert customer_returns.returnable(uow, token).items == []
    with pytest.raises(Conflict, match="nothing delivered"):
        customer_returns.request_return(uow, token, asked(("TEE", 1)))


def test_outside_the_window_the_customer_is_refused_in_plain_words(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 2))  # delivered 2026-03-04 09:00 UTC, Paris
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(window_days=1)))
    token = token_of(uow, order_id)
    clock.now = clock.now.replace(hour=22, minute=59) + timedelta(days=1)  # 23:59 in Paris
    assert customer_returns.returnable(uow, token).items[0].open
    clock.advance(minutes=1)  # midnight in Paris: the window has closed
    view = customer_returns.returnable(uow, token)
    assert not view.items[0].open and view.open_items == []
    with pytest.raises(Conflict) as refused:
        customer_returns.request_return(uow, token, asked(("TEE", 1)))
    said = str(refused.value)
    assert "too late" in said and "closed on 5 March 2026" in said
    assert "override" not in said and "customer service" not in said
    assert returns.returns_of_order(uow, CS, order_id) == []


def test_an_unknown_token_finds_nothing(each_uow: UnitOfWork) -> None:
    for token in ("x" * 30, "short", ""):
        with pytest.raises(NotFound):
            customer_returns.returnable(each_uow, token)
        with pytest.raises(NotFound):
            customer_returns.request_return(each_uow, token, asked(("TEE", 1)))

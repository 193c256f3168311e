"""Returns under concurrency, on SQLite and PostgreSQL: a parcel received twice at once is
counted once, and racing requests never ask back more than was delivered."""

from __future__ import annotations

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, TransitionNotAllowed
from oms.domain.returns.model import Inspected
from oms.services import inventory, orders, returns
from oms.services.returns import ReceiveReturn
from tests.conftest import FakeClock
from tests.service.test_concurrency import race
from tests.service.test_returns import CS, WAREHOUSE, ask, delivered, on_hand

THREADS = 4


def test_a_parcel_received_twice_at_once_is_counted_once(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    order_id = delivered(uow, clock, ("TEE", 3))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    returns.approve_return(uow, CS, r.id)

    def receive(_: int) -> str:
        try:
            returns.receive_return(
                container.uow(), WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)])
            )
        except TransitionNotAllowed:
            return "refused"
        return "received"

    assert sorted(race(THREADS, receive)) == ["received"] + ["refused"] * (THREADS - 1)
    assert orders.get_order(uow, SYSTEM, order_id).lines[0].returned_quantity == 2
    received = [
        e for e in orders.order_events(uow, SYSTEM, order_id) if e.type == "return.received"
    ]
    assert len(received) == 1


def test_a_return_inspected_twice_at_once_restocks_once(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    order_id = delivered(uow, clock, ("TEE", 3))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)]))
    before = on_hand(uow, "TEE")

    def inspect(_: int) -> str:
        try:
            returns.inspect_return(container.uow(), WAREHOUSE, r.id, [Inspected("TEE", 2, 0)])
        except TransitionNotAllowed:
            return "refused"
        return "inspected"

    assert sorted(race(THREADS, inspect)) == ["inspected"] + ["refused"] * (THREADS - 1)
    assert on_hand(uow, "TEE") == before + 2
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_racing_requests_never_ask_back_more_than_was_delivered(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    order_id = delivered(uow, clock, ("TEE", 3))

    def start(_: int) -> str:
        try:
            returns.start_return(container.uow(), CS, order_id, ask(("TEE", 2)))
        except Conflict:
            return "refused"
        return "started"

    assert sorted(race(THREADS, start)) == ["refused"] * (THREADS - 1) + ["started"]
    assert len(returns.returns_of_order(uow, SYSTEM, order_id)) == 1

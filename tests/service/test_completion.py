"""The end of the journey: the customer confirms receipt or reports a problem, and orders
with nothing open complete when confirmed or when the channel's window has passed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.problems import ProblemReason
from oms.domain.orders.status import OrderStatus
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.services import (
    completion,
    order_problems,
    orders,
    picking,
    return_policies,
    returns,
    tracking,
    warehouse,
)
from oms.services.ports import UnitOfWork
from oms.services.return_policies import SetPolicy
from oms.services.returns import StartReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock

CARRIER = Actor("post-bot", Role.CARRIER, "oms-post")
CS = Actor("cs", Role.CUSTOMER_SERVICE)


def shipped(uow: UnitOfWork, sku: str, quantity: int = 2) -> tuple[int, str]:
    """An order placed, picked, packed and shipped; its id and tracking number."""
    stocked(uow, sku, 5)
    order_id = orders.place_order(uow, SYSTEM, draft((sku, quantity))).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, sku, quantity)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [(sku, quantity)])
    return order_id, warehouse.ship_shipment(uow, SYSTEM, sid).tracking_number or ""


def deliver(uow: UnitOfWork, clock: FakeClock, number: str) -> None:
    event = {"tracking_number": number, "status": "delivered", "at": clock.now}
    tracking.record_carrier_event(uow, CARRIER, "oms-post", event)


def delivered_order(uow: UnitOfWork, clock: FakeClock, sku: str = "TEE") -> int:
    order_id, number = shipped(uow, sku)
    clock.advance(days=2)
    deliver(uow, clock, number)
    return order_id


def token_of(uow: UnitOfWork, order_id: int) -> str:
    return orders.get_order(uow, SYSTEM, order_id).tracking_token


def status(uow: UnitOfWork, order_id: int) -> OrderStatus:
    return orders.get_order(uow, SYSTEM, order_id).status


def timeline(uow: UnitOfWork, order_id: int) -> list[str]:
    return [e.type for e in orders.order_events(uow, SYSTEM, order_id)]


# -- the completion window ---------------------------------------------------------------------


def test_a_delivered_order_completes_when_its_channels_window_has_passed_once(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    old = delivered_order(uow, clock, "TEE")
    clock.advance(days=10)
    recent = delivered_order(uow, clock, "MUG")  # delivered 12 days after the old one
    clock.advance(days=2, minutes=-1)  # old: 14 days less a minute since its delivery
    assert completion.complete_due(uow, SYSTEM) == []
    clock.advance(minutes=1)  # exactly 14 days (the default window): due
    [number] = completion.complete_due(uow, SYSTEM)
    assert number == orders.get_order(uow, SYSTEM, old).number
    assert (status(uow, old), status(uow, recent)) == (OrderStatus.COMPLETED, OrderStatus.DELIVERED)
    assert completion.complete_due(uow, SYSTEM) == []  # a second sweep does nothing
    assert timeline(uow, old)[-2:] == ["order.delivered", "order.completed"]
    [completed] = [e for e in orders.order_events(uow, SYSTEM, old) if e.type == "order.completed"]
    assert (completed.actor, completed.data) == ("system", {"by": "window"})


def test_the_window_is_the_channels_own(uow: UnitOfWork, clock: FakeClock) -> None:
    admin = Actor("root", Role.ADMIN)
    return_policies.set_policy(uow, admin, "web", SetPolicy(30, completion_days=3))
    order_id = delivered_order(uow, clock)  # channel "web" (tests.builders.draft)
    assert orders.get_order(uow, SYSTEM, order_id).channel == "web"
    clock.advance(days=3)
    assert len(completion.complete_due(uow, SYSTEM)) == 1
    return_policies.set_policy(uow, admin, "web", SetPolicy(30, completion_days=0))
    other = delivered_order(uow, clock, "MUG")
    assert len(completion.complete_due(uow, SYSTEM)) == 1  # 0 days: at once
    assert status(uow, other) is OrderStatus.COMPLETED


def test_an_open_problem_or_return_keeps_a_due_order_open_until_resolved(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    problem = completion.report_problem(uow, token_of(uow, order_id), "damaged", "box crushed")
    made = returns.start_return(
        uow,
        CS,
        order_id,
        StartReturn([RequestedLine("TEE", 1, ReturnReason.DAMAGED)], Resolution.REFUND),
    )
    clock.advance(days=30)
    assert completion.complete_due(uow, SYSTEM) == []
    order_problems.resolve_problem(uow, CS, order_id, problem.id, "refund promised")
    assert completion.complete_due(uow, SYSTEM) == []  # the return is still under way
    returns.reject_return(uow, CS, made.id, "photos show no damage")
    assert len(completion.complete_due(uow, SYSTEM)) == 1
    assert status(uow, order_id) is OrderStatus.COMPLETED


def test_a_partly_delivered_order_never_completes(uow: UnitOfWork, clock: FakeClock) -> None:
    order_id, _ = shipped(uow, "TEE")
    clock.advance(days=60)
    assert completion.complete_due(uow, SYSTEM) == []
    assert status(uow, order_id) is OrderStatus.SHIPPED


def test_sweeping_needs_the_right_to_confirm_orders(uow: UnitOfWork) -> None:
    with pytest.raises(PermissionDenied):
        completion.complete_due(uow, Actor("w", Role.WAREHOUSE))


# -- the customer confirms ---------------------------------------------------------------------


def test_the_customer_confirming_receipt_completes_the_order_at_once(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    receipt = completion.confirm_receipt(uow, token_of(uow, order_id))
    assert (receipt.recorded, receipt.completed, receipt.still_open) == (True, True, [])
    assert status(uow, order_id) is OrderStatus.COMPLETED
    assert timeline(uow, order_id)[-2:] == ["order.receipt_confirmed", "order.completed"]
    events = orders.order_events(uow, SYSTEM, order_id)
    assert events[-1].data == {"by": "customer"}
    assert events[-1].actor.startswith("customer (")
    again = completion.confirm_receipt(uow, token_of(uow, order_id))  # a second click
    assert (again.recorded, again.completed) == (False, True)
    assert timeline(uow, order_id).count("order.receipt_confirmed") == 1


def test_a_confirmation_with_a_problem_open_is_recorded_but_does_not_complete(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    token = token_of(uow, order_id)
    completion.report_problem(uow, token, "missing_item", None)
    receipt = completion.confirm_receipt(uow, token)
    assert (receipt.recorded, receipt.completed) == (True, False)
    assert receipt.still_open == ["1 reported problem(s) not resolved"]
    assert status(uow, order_id) is OrderStatus.DELIVERED


def test_nothing_delivered_yet_cannot_be_confirmed(uow: UnitOfWork, clock: FakeClock) -> None:
    order_id, _ = shipped(uow, "TEE")
    with pytest.raises(Conflict, match="nothing delivered"):
        completion.confirm_receipt(uow, token_of(uow, order_id))
    assert "order.receipt_confirmed" not in timeline(uow, order_id)


def test_an_unknown_tracking_token_is_not_found(uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        completion.confirm_receipt(uow, "x" * 32)
    with pytest.raises(NotFound):
        completion.report_problem(uow, "x" * 32, "damaged", None)


# -- problems ----------------------------------------------------------------------------------


def test_a_reported_problem_is_in_the_timeline_and_the_same_reason_again_is_the_same(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    token = token_of(uow, order_id)
    first = completion.report_problem(uow, token, "wrong_item", "  blue, not red ")
    again = completion.report_problem(uow, token, "wrong_item", "still wrong")
    other = completion.report_problem(uow, token, "damaged", None)
    assert again.id == first.id != other.id
    assert (first.reason, first.note, first.reported_by) == (
        ProblemReason.WRONG_ITEM,
        "blue, not red",
        "customer",
    )
    stored = order_problems.problems_of(uow, SYSTEM, order_id)
    assert [p.reason for p in stored] == [ProblemReason.WRONG_ITEM, ProblemReason.DAMAGED]
    assert timeline(uow, order_id).count("order.problem_reported") == 2


@pytest.mark.parametrize("reason", ["lost", "undeliverable", "", "DAMAGED", "late"])
def test_a_customer_reports_only_the_customer_reasons(
    uow: UnitOfWork, clock: FakeClock, reason: str
) -> None:
    order_id = delivered_order(uow, clock)
    with pytest.raises(InvalidInput) as refused:
        completion.report_problem(uow, token_of(uow, order_id), reason, None)
    assert refused.value.errors[0].field == "reason"


def test_problems_cannot_be_reported_before_delivery_nor_after_completion(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id, _ = shipped(uow, "TEE")
    with pytest.raises(Conflict):
        completion.report_problem(uow, token_of(uow, order_id), "never_arrived", None)
    done = delivered_order(uow, clock, "MUG")
    completion.confirm_receipt(uow, token_of(uow, done))
    with pytest.raises(Conflict, match="completed"):
        completion.report_problem(uow, token_of(uow, done), "damaged", None)


def test_customer_service_records_and_resolves_a_problem_once(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    problem = completion.record_problem(uow, CS, order_id, "never_arrived", "called us")
    assert problem.reported_by == "cs"
    with pytest.raises(InvalidInput):
        order_problems.resolve_problem(uow, CS, order_id, problem.id, "   ")
    done = order_problems.resolve_problem(uow, CS, order_id, problem.id, "carrier claim opened")
    assert (done.resolved_by, done.resolution, done.is_open) == (
        "cs",
        "carrier claim opened",
        False,
    )
    with pytest.raises(Conflict, match="resolved already"):
        order_problems.resolve_problem(uow, CS, order_id, problem.id, "again")
    with pytest.raises(NotFound):
        order_problems.resolve_problem(uow, CS, order_id + 1, problem.id, "wrong order")
    with pytest.raises(PermissionDenied):
        order_problems.resolve_problem(uow, Actor("w", Role.WAREHOUSE), order_id, problem.id, "x")
    assert timeline(uow, order_id)[-1] == "order.problem_resolved"


def test_a_return_after_completion_is_still_taken_within_the_policy(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    order_id = delivered_order(uow, clock)
    completion.confirm_receipt(uow, token_of(uow, order_id))
    clock.advance(days=5)
    made = returns.start_return(
        uow,
        CS,
        order_id,
        StartReturn([RequestedLine("TEE", 1, ReturnReason.CHANGED_MIND)], Resolution.REFUND),
    )
    assert made.status.value == "requested"
    assert status(uow, order_id) is OrderStatus.COMPLETED


def test_two_sweeps_at_once_complete_each_order_once(
    container: Container, uow: UnitOfWork, clock: FakeClock
) -> None:
    ids = [delivered_order(uow, clock, sku) for sku in ("TEE", "MUG", "CAP")]
    clock.advance(days=15)
    start = threading.Barrier(2)

    def sweep(_: int) -> list[str]:
        own = container.uow()
        start.wait()
        return completion.complete_due(own, SYSTEM)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(sweep, range(2)))
    assert sorted(n for r in results for n in r) == sorted(
        orders.get_order(uow, SYSTEM, i).number for i in ids
    )
    for i in ids:
        assert timeline(uow, i).count("order.completed") == 1


def test_the_sweep_reads_only_the_orders_delivered_before_the_shortest_window(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    """The store keeps each order's last delivery time (orders.delivered_at, written with
    its order.delivered event) and cuts there: a later delivery moves it on."""
    first = clock.now
    old = delivered_order(uow, clock, "TEE")
    old_at = clock.now
    clock.advance(days=5)
    recent = delivered_order(uow, clock, "MUG")

    def by(moment: object) -> list[int]:
        found = uow.run(lambda: uow.orders.delivered(None, 100, moment), write=False)  # type: ignore[arg-type]
        return [d.id for d in found]

    assert by(first) == []
    assert by(old_at) == [old]
    assert by(clock.now) == [old, recent]
    [d] = [d for d in uow.run(lambda: uow.orders.delivered(None, 100), write=False) if d.id == old]
    assert d.delivered_at == old_at
    # A channel with a shorter window than the default makes the cut-off later, for all.
    return_policies.set_policy(
        uow, Actor("root", Role.ADMIN), "pos", SetPolicy(30, completion_days=1)
    )
    clock.advance(days=9)  # old: 14 days since delivery (web, the default window)
    assert completion.complete_due(uow, SYSTEM) == [orders.get_order(uow, SYSTEM, old).number]

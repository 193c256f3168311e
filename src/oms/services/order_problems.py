"""Problems with an order, open until customer service resolves them.

Customers report them from the tracking page (services/customer_receipt.py); the journey
opens them by itself when a parcel is lost or comes back undelivered. Opening one records
`order.problem_reported` in the order's timeline and puts the order in customer service's
queue (`why: problem`); resolving one records `order.problem_resolved`. An order with an
open problem never completes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.problems import Problem, ProblemReason, check_note
from oms.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Report:
    """What is wrong, who says so (customer, system, a user), and with which shipment."""

    reason: ProblemReason
    reported_by: str
    note: str | None = None
    shipment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """Who resolved problems, when, and what they did (it goes in the timeline)."""

    actor: str
    now: datetime
    resolution: str


def open_problem(uow: UnitOfWork, order: Order, report: Report, now: datetime) -> Problem:
    """Inside a transaction that holds the order (locked): store a problem and record it
    in the timeline. The caller saves the order."""
    problem = Problem(
        id=0,
        order_id=order.id,
        reason=report.reason,
        note=check_note(report.note),
        reported_by=report.reported_by,
        reported_at=now,
        shipment_id=report.shipment_id,
    )
    uow.problems.add(problem)
    order.record(OrderEvent(OrderEventType.PROBLEM_REPORTED, data=_detail(problem)))
    return problem


def resolve_open(
    uow: UnitOfWork,
    order: Order,
    done: Done,
    *,
    shipment_id: int | None = None,
    reasons: frozenset[ProblemReason] | None = None,
) -> list[Problem]:
    """Inside a transaction that holds the order: resolve its open problems (of one
    shipment, of some reasons) with the same words, e.g. when a lost parcel is replaced.
    The caller saves the order. Returns those resolved."""
    resolved = []
    for problem in uow.problems.open_of_orders([order.id])[order.id]:
        if shipment_id is not None and problem.shipment_id != shipment_id:
            continue
        if reasons is not None and problem.reason not in reasons:
            continue
        _resolve(uow, order, problem, done)
        resolved.append(problem)
    return resolved


def resolve_problem(
    uow: UnitOfWork, actor: Actor, order_id: int, problem_id: int, resolution: str
) -> Problem:
    """Customer service dealt with a problem (refunded, reshipped, explained...)."""
    actor.require(Permission.PROBLEM_RESOLVE)

    def work() -> Problem:
        problem = uow.problems.get(problem_id, lock=True)
        if problem is None or problem.order_id != order_id:
            raise NotFound(f"order {order_id} has no problem {problem_id}")
        order = uow.orders.get(order_id, lock=True)
        assert order is not None
        now = uow.now()
        _resolve(uow, order, problem, Done(actor.name, now, resolution))
        uow.orders.save(order, actor.name, now)
        return problem

    return uow.run(work)


def problems_of(uow: UnitOfWork, actor: Actor, order_id: int) -> list[Problem]:
    actor.require(Permission.ORDER_READ)

    def work() -> list[Problem]:
        if uow.orders.get(order_id) is None:
            raise NotFound(f"no order with id {order_id}")
        return uow.problems.of_order(order_id)

    return uow.run(work, write=False)


def _resolve(uow: UnitOfWork, order: Order, problem: Problem, done: Done) -> None:
    problem.resolve(done.actor, done.now, done.resolution)
    uow.problems.save(problem)
    order.record(OrderEvent(OrderEventType.PROBLEM_RESOLVED, data=_detail(problem)))


def _detail(problem: Problem) -> dict[str, object]:
    detail: dict[str, object] = {
        "problem_id": problem.id,
        "reason": problem.reason.value,
        "reported_by": problem.reported_by,
    }
    if problem.note:
        detail["note"] = problem.note
    if problem.shipment_id is not None:
        detail["shipment_id"] = problem.shipment_id
    if problem.resolution is not None:
        detail["resolution"] = problem.resolution
    return detail

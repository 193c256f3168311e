"""The end of the journey: the customer confirms receipt or reports a problem from the
tracking page, and orders with nothing open complete (when the customer confirms, or when
the channel's completion window has passed since the last delivery).

Completing needs no worker for correctness: `complete_due` is a query and one short
transaction per order, run by `oms orders complete-due` (cron) and by `oms worker` once a
minute; until it runs, an order that is due simply stays delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, FieldErrors, NotFound
from oms.domain.orders.completion import CompletedBy, Openness, blockers, is_due
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.problems import CUSTOMER_REASONS, Problem, ProblemReason
from oms.domain.orders.status import OrderStatus
from oms.domain.returns.policy import DEFAULT_POLICY
from oms.domain.returns.status import ReturnStatus
from oms.services.customer_returns import customer_name
from oms.services.order_problems import Report, open_problem
from oms.services.ports import UnitOfWork

BATCH = 200
# Returns still under way: the goods or the money have not been settled yet.
_OPEN_RETURNS = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED}
)
# What a customer may still report on: something was delivered and the order is not done.
_REPORTABLE = frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


@dataclass(frozen=True, slots=True)
class Receipt:
    """The customer's confirmation: recorded now (False: it was already), and whether the
    order completed with it, or what keeps it open."""

    recorded: bool
    completed: bool
    still_open: list[str]


def openness(uow: UnitOfWork, order: Order) -> Openness:
    """Inside a transaction: what still keeps the order open."""
    problems = uow.problems.open_of_orders([order.id])[order.id]
    returns = [r for r in uow.returns.of_order(order.id) if r.status in _OPEN_RETURNS]
    return Openness(order.status, len(problems), len(returns))


def confirm_receipt(uow: UnitOfWork, token: str) -> Receipt:
    """The customer says the parcels arrived (tracking page). Completes the order at once
    when everything was delivered and nothing is open; a repeat records nothing more."""

    def work() -> Receipt:
        order = _by_token(uow, token)
        if order.status is OrderStatus.COMPLETED:
            return Receipt(recorded=False, completed=True, still_open=[])
        already = any(
            e.type == OrderEventType.RECEIPT_CONFIRMED.value for e in uow.orders.events(order.id)
        )
        if not already:
            order.confirm_receipt()
        why = blockers(openness(uow, order))
        if not why:
            order.complete(CompletedBy.CUSTOMER.value)
        if order.events:
            uow.orders.save(order, customer_name(order), uow.now())
        return Receipt(recorded=not already, completed=not why, still_open=why)

    return uow.run(work)


def report_problem(uow: UnitOfWork, token: str, reason: str, note: str | None) -> Problem:
    """The customer reports a problem with what was delivered (tracking page). The same
    reason reported again while the first is open is that one (nothing new is stored)."""
    chosen = _customer_reason(reason)

    def work() -> Problem:
        order = _by_token(uow, token)
        if order.status not in _REPORTABLE or not any(ln.delivered_quantity for ln in order.lines):
            raise Conflict(
                f"order {order.number} is {order.status.value}: problems are reported once "
                "something was delivered and until the order is completed (then: a return)"
            )
        for problem in uow.problems.open_of_orders([order.id])[order.id]:
            if problem.reason is chosen and problem.reported_by == "customer":
                return problem
        made = open_problem(uow, order, Report(chosen, "customer", note), uow.now())
        uow.orders.save(order, customer_name(order), uow.now())
        return made

    return uow.run(work)


def record_problem(
    uow: UnitOfWork, actor: Actor, order_id: int, reason: str, note: str | None
) -> Problem:
    """Customer service records a problem the customer reported by phone or e-mail."""
    actor.require(Permission.PROBLEM_RESOLVE)
    chosen = _customer_reason(reason)

    def work() -> Problem:
        order = uow.orders.get(order_id, lock=True)
        if order is None:
            raise NotFound(f"no order with id {order_id}")
        if order.status is OrderStatus.CANCELLED:
            raise Conflict(f"order {order.number} is cancelled")
        made = open_problem(uow, order, Report(chosen, actor.name, note), uow.now())
        uow.orders.save(order, actor.name, uow.now())
        return made

    return uow.run(work)


def complete_due(uow: UnitOfWork, actor: Actor, limit: int | None = None) -> list[str]:
    """Complete every delivered order whose channel's completion window has passed and
    that has nothing open; one transaction each, checked again under its lock. Returns
    the numbers of the orders completed (at most `limit`)."""
    actor.require(Permission.ORDER_CONFIRM)
    now = uow.now()
    windows: dict[str, int] = {}
    due: list[int] = []
    after: int | None = None
    # Only orders delivered before the shortest window's start can be due: the store cuts
    # there (an index), however many orders were delivered lately.
    policies = uow.run(uow.returns.list_policies, write=False)
    shortest = min(p.completion_days for p in [DEFAULT_POLICY, *policies.values()])
    by = now - timedelta(days=shortest)
    while limit is None or len(due) < limit:
        page = uow.run(partial(uow.orders.delivered, after, BATCH, by), write=False)
        for found in page:
            if found.channel not in windows:
                policy = uow.run(partial(uow.returns.policy, found.channel), write=False)
                windows[found.channel] = (policy or DEFAULT_POLICY).completion_days
            if is_due(found.delivered_at, windows[found.channel], now):
                due.append(found.id)
        if len(page) < BATCH:
            break
        after = page[-1].id

    def complete(order_id: int) -> str | None:
        order = uow.orders.get(order_id, lock=True)
        if order is None or blockers(openness(uow, order)):
            return None
        order.complete(CompletedBy.WINDOW.value)
        uow.orders.save(order, actor.name, uow.now())
        return order.number

    done = [uow.run(partial(complete, order_id)) for order_id in due[:limit]]
    return [number for number in done if number is not None]


def _by_token(uow: UnitOfWork, token: str) -> Order:
    order_id = uow.orders.id_by_tracking_token(token)
    order = uow.orders.get(order_id, lock=True) if order_id is not None else None
    if order is None:
        raise NotFound("no order has this tracking page")
    return order


def _customer_reason(reason: str) -> ProblemReason:
    allowed = {r.value: r for r in CUSTOMER_REASONS}
    if reason not in allowed:
        raise FieldErrors.single("reason", f"one of {', '.join(allowed)}")
    return allowed[reason]


# -- what the customer's page shows ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerProblem:
    """A problem as its customer sees it: no staff's words (the resolution text stays in)."""

    reason: ProblemReason
    reported_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CustomerEnd:
    """The end of the journey on the tracking page."""

    completed: bool
    confirmed_at: datetime | None
    may_confirm: bool
    may_report: bool
    problems: list[CustomerProblem]


def customer_end(uow: UnitOfWork, token: str) -> CustomerEnd:
    """Whether the customer may confirm receipt or report a problem now, and what they did
    (the tracking page reads it with the rest of the order: `tracking.tracking`)."""

    def work() -> CustomerEnd:
        order_id = uow.orders.id_by_tracking_token(token)
        order = uow.orders.get(order_id) if order_id is not None else None
        if order is None:
            raise NotFound("no order has this tracking page")
        return end_of(uow, order)

    return uow.run(work, write=False)


def end_of(uow: UnitOfWork, order: Order) -> CustomerEnd:
    """Inside a transaction: the order's end of the journey as its customer sees it."""
    confirmed = [
        e.at for e in uow.orders.events(order.id) if e.type == OrderEventType.RECEIPT_CONFIRMED
    ]
    some_delivered = any(line.delivered_quantity for line in order.lines)
    may_report = some_delivered and order.status in _REPORTABLE
    return CustomerEnd(
        completed=order.status is OrderStatus.COMPLETED,
        confirmed_at=confirmed[0] if confirmed else None,
        may_confirm=may_report and not confirmed,
        may_report=may_report,
        problems=[
            CustomerProblem(p.reason, p.reported_at, p.resolved_at)
            for p in uow.problems.of_order(order.id)
            if p.reason in CUSTOMER_REASONS
        ],
    )

"""The problems part of an order's page: what the customer (or the journey) reported, who
resolved it and how, a "Resolve" form for each open one and a "Record a problem" form for
what a customer says by phone; and when the order completes (or what keeps it open).

The forms show only to roles that may use them; a forged post is refused by the service
(403). A refusal shows the page again with the problem next to the form and what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, InvalidInput, PermissionDenied
from oms.domain.orders.completion import completes_at
from oms.domain.orders.draft import MAX_NOTE
from oms.domain.orders.events import OrderEventType, StoredEvent
from oms.domain.orders.model import Order
from oms.domain.orders.problems import CUSTOMER_REASONS, LABELS
from oms.domain.orders.status import OrderStatus
from oms.services import completion, order_problems, return_policies
from oms.services.ports import UnitOfWork
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LongText = Annotated[str, Form(max_length=4 * MAX_NOTE)]


@dataclass(frozen=True, slots=True)
class ProblemAttempt:
    """A problem form that was refused: `record` or `resolve-<id>`, why, what was typed."""

    form: str
    problem: Problem
    typed: dict[str, str] = field(default_factory=dict)


def section(
    uow: UnitOfWork,
    actor: Actor,
    order: Order,
    events: Sequence[StoredEvent],
    attempt: ProblemAttempt | None,
) -> dict[str, Any]:
    """What the order page needs to show its problems and when it completes (`events`:
    the timeline the page read already)."""
    found = order_problems.problems_of(uow, actor, order.id)
    return {
        "problems": found,
        "problem_labels": LABELS,
        "customer_reasons": [(r.value, LABELS[r]) for r in CUSTOMER_REASONS],
        "may_resolve": actor.may(Permission.PROBLEM_RESOLVE),
        "problem_attempt": attempt,
        "completes_at": _completes_at(uow, actor, order, events, any(p.is_open for p in found)),
    }


def _completes_at(
    uow: UnitOfWork, actor: Actor, order: Order, events: Sequence[StoredEvent], open_ones: bool
) -> datetime | None:
    """When a delivered order completes by itself if nothing is opened before then."""
    if order.status is not OrderStatus.DELIVERED or open_ones:
        return None
    delivered = [e.at for e in events if e.type == OrderEventType.DELIVERED.value]
    if not delivered:
        return None
    policy = return_policies.get_policy(uow, actor, order.channel).policy
    return completes_at(max(delivered), policy.completion_days)


def _show(page: PageDep, order_id: int, attempt: ProblemAttempt) -> Response:
    from oms.web import order_page  # it imports this module for its section

    return order_page._show(page, order_id, problem=attempt)


@router.post("/orders/{order_id}/problems")
def record(
    page: PageDep,
    order_id: int,
    csrf_token: FormText = "",
    reason: FormText = "",
    note: LongText = "",
) -> Response:
    page.check_csrf(csrf_token)
    try:
        completion.record_problem(page.uow, page.actor, order_id, reason, forms.optional(note))
    except (InvalidInput, Conflict) as error:
        typed = {"reason": reason, "note": note}
        return _show(page, order_id, ProblemAttempt("record", problem_of(error), typed))
    return page.redirect(f"/orders/{order_id}", "Problem recorded: the order is in the queue.")


@router.post("/orders/{order_id}/problems/{problem_id}/resolve")
def resolve(
    page: PageDep,
    order_id: int,
    problem_id: int,
    csrf_token: FormText = "",
    resolution: LongText = "",
) -> Response:
    page.check_csrf(csrf_token)
    try:
        order_problems.resolve_problem(page.uow, page.actor, order_id, problem_id, resolution)
    except PermissionDenied:
        raise  # a forged post: the error page
    except (InvalidInput, Conflict) as error:
        attempt = ProblemAttempt(
            f"resolve-{problem_id}", problem_of(error), {"resolution": resolution}
        )
        return _show(page, order_id, attempt)
    return page.redirect(f"/orders/{order_id}", "Problem resolved.")

"""One order: lines and quantities, shipments, sourcing, totals, money, the timeline, and
the actions this user's role may take now (confirm, hold, release, cancel, add a note).

An action not offered is still refused by the service if forged (403). A refused action
shows the page again with the problem next to the field and the typed reason kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.orders.model import MAX_NOTE, Order
from oms.domain.orders.status import OrderStatus, can_transition
from oms.services import delivery_stops, kits, orders, views
from oms.web import order_edit, order_lost, order_money, order_problems, order_returns
from oms.web.order_timeline import timeline
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
# Longer than a note may be, so an overlong note meets the domain's rule and comes back
# inline with every typed word, instead of the form layer's bare refusal.
NoteText = Annotated[str, Form(max_length=4 * MAX_NOTE)]


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    label: str
    permission: Permission
    target: OrderStatus
    needs_reason: bool
    done: str  # the flash message after it worked
    run: Callable[..., Order]
    danger: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("confirm", "Confirm", Permission.ORDER_CONFIRM, OrderStatus.CONFIRMED, False,
               "Order {} confirmed.", orders.confirm_order),
        Action("hold", "Put on hold", Permission.ORDER_HOLD, OrderStatus.ON_HOLD, True,
               "Order {} is on hold.", orders.hold_order),
        Action("release", "Release", Permission.ORDER_HOLD, OrderStatus.PENDING, True,
               "Order {} released.", orders.release_order),
        Action("cancel", "Cancel order", Permission.ORDER_CANCEL, OrderStatus.CANCELLED, True,
               "Order {} cancelled.", orders.cancel_order, danger=True),
    )
}  # fmt: skip


def offered(actor: Actor, order: Order) -> list[Action]:
    """The actions to show: the role may take them and the order's status allows them."""
    found = []
    for action in ACTIONS.values():
        if not actor.may(action.permission):
            continue
        target = action.target
        if action.name == "release":  # back to where it was held from
            target = order.held_from or OrderStatus.PENDING
        if can_transition(order.status, target, action.name):
            found.append(action)
    return found


@dataclass(frozen=True, slots=True)
class Attempt:
    """An action that was refused: which, what was typed, and why."""

    action: str
    reason: str
    problem: Problem


def _show(  # noqa: PLR0913 - one optional refused attempt per form of the page
    page: Page,
    order_id: int,
    attempt: Attempt | None = None,
    start: order_returns.StartAttempt | None = None,
    money: order_money.MoneyAttempt | None = None,
    problem: order_problems.ProblemAttempt | None = None,
    edit: order_edit.EditAttempt | None = None,
) -> Response:
    detail = orders.order_detail(page.uow, page.actor, order_id)
    events = orders.order_events(page.uow, page.actor, order_id)
    zone = views.time_zone(page.uow, page.views, [s.location_id for s in detail.shipments])
    tried = attempt or start or money or problem or edit
    failed = tried.problem if tried else None
    return page.render(
        "orders/detail.html",
        failed.status if failed else 200,
        d=detail,
        o=detail.order,
        zone=zone,
        timeline=timeline(events),
        actions=offered(page.actor, detail.order),
        kit_lines=kits.kit_lines(page.uow, page.actor, detail.order),
        may_note=page.actor.may(Permission.ORDER_NOTE),
        attempt=attempt,
        **order_lost.section(page.actor, detail.shipments, page.uow.now().date()),
        proofs=delivery_stops.proofs(page.uow, page.actor, [s.id for s in detail.shipments]),
        **order_returns.section(page.uow, page.actor, detail.order, start),
        **order_money.section(page.uow, page.actor, detail.order, money),
        **order_problems.section(page.uow, page.actor, detail.order, events, problem),
        **order_edit.section(page.actor, detail.order, detail.shipments, edit),
    )


@router.get("/orders/{order_id}")
def order_page(page: PageDep, order_id: int) -> Response:
    return _show(page, order_id)


@router.post("/orders/{order_id}/notes")
def add_note(
    page: PageDep, order_id: int, csrf_token: FormText = "", text: NoteText = ""
) -> Response:
    page.check_csrf(csrf_token)
    try:
        orders.add_note(page.uow, page.actor, order_id, text)
    except InvalidInput as error:
        return _show(page, order_id, Attempt("note", text, problem_of(error)))
    return page.redirect(f"/orders/{order_id}", "Note added.")


def _run(page: Page, action: Action, order_id: int, reason: str) -> Order:
    uow, actor = page.uow, page.actor
    if action.name == "cancel":  # a paid order is refunded: up to the refund limit
        return orders.cancel_order(uow, actor, order_id, reason, page.settings.refund_limit)
    if action.needs_reason:
        return action.run(uow, actor, order_id, reason)
    return action.run(uow, actor, order_id)


@router.post("/orders/{order_id}/{name}")
def order_action(
    page: PageDep, order_id: int, name: str, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"no action {name!r} on orders")
    try:
        order = _run(page, action, order_id, reason)
    except PermissionDenied as error:
        if not page.actor.may(action.permission):
            raise  # a forged post: the error page
        return _show(page, order_id, Attempt(name, reason, problem_of(error)))  # refund limit
    except (InvalidInput, Conflict) as error:
        return _show(page, order_id, Attempt(name, reason, problem_of(error)))
    return page.redirect(f"/orders/{order_id}", action.done.format(order.number))

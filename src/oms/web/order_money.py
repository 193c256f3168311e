"""The money part of an order's page: its payment status and amounts, payments and refunds
(a failed or pending refund may be retried), the "Record payment" form, a "Cancel units"
form per line with units not shipped, and the links between an order and its exchanges.

Each form is shown only to the roles that may use it; a forged post is still refused by
the service (403)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.orders.model import Order, OrderLine
from oms.domain.orders.status import OrderStatus, lines_may_be_cancelled
from oms.domain.payments.model import RefundStatus
from oms.services import orders, payments
from oms.services.ports import UnitOfWork
from oms.web.problems import Problem

RETRYABLE = frozenset({RefundStatus.FAILED, RefundStatus.PENDING})


@dataclass(frozen=True, slots=True)
class MoneyAttempt:
    """A money form that was refused: which (`payment`, `cancel-<line id>`,
    `retry-<refund id>`), why, and every value typed, by field name."""

    form: str
    problem: Problem
    typed: dict[str, str] = field(default_factory=dict)


def open_units(line: OrderLine) -> int:
    """Units of the line not shipped and not cancelled: what may still be cancelled."""
    return line.allocated_quantity + line.backordered_quantity


def cancellable(actor: Actor, order: Order) -> list[OrderLine]:
    """The lines whose units this actor may cancel now (the order's status allows it)."""
    if not actor.may(Permission.ORDER_CANCEL) or not lines_may_be_cancelled(order.status):
        return []
    return [line for line in order.lines if open_units(line)]


def section(
    uow: UnitOfWork, actor: Actor, order: Order, attempt: MoneyAttempt | None
) -> dict[str, Any]:
    """What the order page needs to show its money and the money forms."""
    owed = order.due() - order.paid_total
    may_record = actor.may(Permission.PAYMENT_RECORD) and order.status is not OrderStatus.CANCELLED
    linked = [order.exchange_of] if order.exchange_of else []
    numbers = {i: orders.get_order(uow, actor, i).number for i in [*linked, *order.exchanges]}
    providers = uow.providers.names() if may_record and owed > 0 else []
    lines = cancellable(actor, order)
    forms = {f"cancel-{line.id}" for line in lines} | ({"payment"} if providers else set())
    return {
        "payments": payments.payments_of_order(uow, actor, order.id),
        "refunds": payments.refunds_of_order(uow, actor, order.id),
        "owed": owed,
        "providers": providers,
        "may_retry": actor.may(Permission.REFUND_ISSUE),
        "retryable": RETRYABLE,
        "cancellable": lines,
        "open_units": open_units,
        "order_numbers": numbers,
        "money_attempt": attempt,
        # A refused form no longer shown (the order moved meanwhile): its problem is
        # shown on its own, with what was typed.
        "money_unshown": attempt
        if attempt and attempt.form not in forms and not attempt.form.startswith("retry-")
        else None,
    }

"""The returns part of an order's page: its returns, and the "Start a return" form for
units delivered and not yet in a return (shown to roles that may start one)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.orders.model import Order
from oms.domain.returns.model import Return
from oms.domain.returns.reasons import CUSTOMERS_CHOICE, SELLERS_FAULT, Resolution, ReturnReason
from oms.domain.returns.status import COUNTS_AGAINST_DELIVERED
from oms.services import returns
from oms.services.ports import UnitOfWork
from oms.web.problems import Problem

# The reasons as a person reads them, the seller's fault first.
REASONS: list[tuple[str, list[ReturnReason]]] = [
    ("The seller's fault", [r for r in ReturnReason if r in SELLERS_FAULT]),
    ("The customer's choice", [r for r in ReturnReason if r in CUSTOMERS_CHOICE]),
]


@dataclass(frozen=True, slots=True)
class StartAttempt:
    """A start form that was refused: the problem and every value typed, by field name."""

    problem: Problem
    typed: dict[str, Any] = field(default_factory=dict)


def returnable(order: Order, found: list[Return]) -> dict[str, int]:
    """Per SKU: units delivered and not in a return that still counts (not rejected)."""
    left: dict[str, int] = defaultdict(int)
    for line in order.lines:
        left[line.sku] += line.delivered_quantity
    for r in found:
        if r.status in COUNTS_AGAINST_DELIVERED:
            for ln in r.lines:
                left[ln.sku] -= ln.quantity
    return {sku: n for sku, n in left.items() if n > 0}


def section(
    uow: UnitOfWork, actor: Actor, order: Order, attempt: StartAttempt | None
) -> dict[str, Any]:
    """What the order page needs to show its returns and the start form."""
    found = returns.returns_of_order(uow, actor, order.id)
    may_start = actor.may(Permission.RETURN_CREATE)
    return {
        "returns": found,
        "returnable": returnable(order, found) if may_start else {},
        "may_override": actor.may(Permission.RETURN_MANAGE),
        "reasons": REASONS,
        "resolutions": list(Resolution),
        "start_attempt": attempt,
    }

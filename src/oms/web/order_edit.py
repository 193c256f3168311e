"""The "Edit order" part of an order's page: change a line's quantity, remove a line, add a
line by SKU, change the shipping address or the priority, for a pending or confirmed order
whose picking has not started. Once it has (or the order moved on), the section says why
editing is no longer offered. Only roles with `order.edit` see it; a forged post is still
refused by the service (403)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.edits import StartedShipment, check_editable
from oms.domain.orders.model import Order
from oms.web.problems import Problem

_NOT_STARTED = frozenset({ShipmentStatus.OPEN, ShipmentStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class EditAttempt:
    """An edit form that was refused: which (`quantity-<line id>`, `remove-<line id>`,
    `add`, `address`, `priority`), why, and what was typed, by field name."""

    form: str
    problem: Problem
    typed: dict[str, str] = field(default_factory=dict)


def section(actor: Actor, order: Order, shipments: list[Shipment], attempt: EditAttempt | None
) -> dict[str, Any]:  # fmt: skip
    """Whether the edit forms are shown, or why not (the service's own refusal, in words)."""
    if not actor.may(Permission.ORDER_EDIT):
        return {"may_edit": False, "edit_refused": None, "edit_attempt": None}
    started = [
        StartedShipment(s.id, s.location, s.status.value)
        for s in shipments
        if s.status not in _NOT_STARTED
    ]
    try:
        check_editable(order, started)
    except Conflict as refused:
        return {"may_edit": False, "edit_refused": refused.detail, "edit_attempt": attempt}
    return {"may_edit": True, "edit_refused": None, "edit_attempt": attempt}

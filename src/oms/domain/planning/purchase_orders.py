"""Suppliers and purchase orders: draft -> sent -> partially received -> received ->
closed, or cancelled before anything arrived. One transition table (domain/state_machine),
checked by the order's verbs; receiving never takes more than was ordered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from oms.domain.errors import FieldErrors
from oms.domain.money import is_currency
from oms.domain.state_machine import StateMachine


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_S = PurchaseOrderStatus
PURCHASE_ORDER_MACHINE = StateMachine(
    "purchase order",
    _S.DRAFT,
    {
        _S.DRAFT: frozenset({_S.SENT, _S.CANCELLED}),
        _S.SENT: frozenset({_S.PARTIALLY_RECEIVED, _S.RECEIVED, _S.CANCELLED}),
        # The rest will not come: closing settles it with what arrived.
        _S.PARTIALLY_RECEIVED: frozenset({_S.PARTIALLY_RECEIVED, _S.RECEIVED, _S.CLOSED}),
        _S.RECEIVED: frozenset({_S.CLOSED}),
        _S.CLOSED: frozenset(),
        _S.CANCELLED: frozenset(),
    },
)
OPEN = frozenset({_S.SENT, _S.PARTIALLY_RECEIVED})  # stock on its way


@dataclass(frozen=True, slots=True)
class Supplier:
    """Who sells to the shop: in one currency, after a lead time (days from sending to
    arrival), a minimum order in units and, per product, a pack size and a cost price."""

    id: int
    code: str
    name: str
    currency: str
    lead_time_days: int
    minimum_units: int = 0

    def check(self) -> None:
        errors = FieldErrors()
        if not self.code.strip():
            errors.add("code", "required")
        if not self.name.strip():
            errors.add("name", "required")
        if not is_currency(self.currency):
            errors.add("currency", "an ISO 4217 currency code, such as EUR")
        if self.lead_time_days < 0 or self.lead_time_days > 365:
            errors.add("lead_time_days", "0 to 365 days")
        if self.minimum_units < 0:
            errors.add("minimum_units", "not negative")
        errors.raise_if_any()


@dataclass(slots=True)
class PurchaseLine:
    id: int
    product_id: int
    sku: str
    quantity: int
    unit_cost_minor: int
    received_quantity: int = 0

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received_quantity


@dataclass(slots=True)
class PurchaseOrder:
    id: int
    supplier_id: int
    location_id: int
    currency: str
    status: PurchaseOrderStatus
    expected_on: date | None
    lines: list[PurchaseLine] = field(default_factory=list)

    def _move(self, target: PurchaseOrderStatus, action: str) -> None:
        PURCHASE_ORDER_MACHINE.check(self.status, target, action)
        self.status = target

    def send(self, expected_on: date) -> None:
        self._move(_S.SENT, "send")
        self.expected_on = expected_on

    def cancel(self) -> None:
        self._move(_S.CANCELLED, "cancel")

    def close(self) -> None:
        self._move(_S.CLOSED, "close")

    def receive(self, units: Mapping[int, int]) -> dict[int, int]:
        """Units per line id arrived; returns them per product. Refused whole if a line is
        not this order's, a quantity is not positive or more than is outstanding."""
        by_id = {line.id: line for line in self.lines}
        errors = FieldErrors()
        for line_id, qty in units.items():
            line = by_id.get(line_id)
            if line is None:
                errors.add(f"lines.{line_id}", "not a line of this purchase order")
            elif qty <= 0 or qty > line.outstanding:
                errors.add(f"lines.{line_id}", f"1 to {line.outstanding} units")
        if not units:
            errors.add("lines", "at least one line")
        errors.raise_if_any()
        done = all(
            line.received_quantity + units.get(line.id, 0) == line.quantity for line in self.lines
        )
        self._move(_S.RECEIVED if done else _S.PARTIALLY_RECEIVED, "receive")
        per_product: dict[int, int] = {}
        for line_id, qty in units.items():
            line = by_id[line_id]
            line.received_quantity += qty
            per_product[line.product_id] = per_product.get(line.product_id, 0) + qty
        return per_product

    @property
    def on_order(self) -> dict[int, int]:
        """Units still expected per product (none unless sent and not closed)."""
        if self.status not in OPEN:
            return {}
        out: dict[int, int] = {}
        for line in self.lines:
            if line.outstanding:
                out[line.product_id] = out.get(line.product_id, 0) + line.outstanding
        return out

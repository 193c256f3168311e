"""The return aggregate: the only code that changes a return's status or its line counts.

Each verb checks the status table first, then its own rule, and records one past-tense
event for the order's timeline (the service hands the events to the order and saves).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from oms.domain.errors import FieldErrors
from oms.domain.money import Money
from oms.domain.orders.draft import check_reason
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.returns.policy import Overridden, RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus, check_transition


def return_number(n: int) -> str:
    """The number people read and type: RMA- and at least six digits."""
    return f"RMA-{n:06d}"


@dataclass(slots=True)
class ReturnLine:
    sku: str
    product_id: int
    quantity: int
    reason: ReturnReason
    note: str | None = None
    received_quantity: int = 0
    resellable_quantity: int = 0
    damaged_quantity: int = 0

    def is_balanced(self) -> bool:
        """received <= asked; once inspected, resellable + damaged = received."""
        parts = (self.received_quantity, self.resellable_quantity, self.damaged_quantity)
        inspected = self.resellable_quantity + self.damaged_quantity
        return (
            min(parts) >= 0
            and self.received_quantity <= self.quantity
            and inspected in (0, self.received_quantity)
        )


@dataclass(frozen=True, slots=True)
class ReturnLabel:
    """The parcel the customer sends back: who carries it, its number, when it is due."""

    carrier: str
    service: str
    tracking_number: str
    weight_grams: int
    ship_date: date
    promised_delivery_date: date
    location_id: int  # where the label sends it
    cost: Money | None = None  # the carrier's price for the parcel (deducted when the
    # customer pays return shipping); None on labels issued before costs were kept


@dataclass(frozen=True, slots=True)
class Received:
    """Units that arrived, per SKU, at a location (its id and code)."""

    location_id: int
    location: str
    units: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Inspected:
    sku: str
    resellable: int
    damaged: int


@dataclass(slots=True)
class Return:
    """A return of some delivered units of one order (RMA)."""

    id: int
    number: str
    order_id: int
    status: ReturnStatus
    resolution: Resolution
    created_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLine] = field(default_factory=list)
    override_reason: str | None = None
    rejection_reason: str | None = None
    label: ReturnLabel | None = None
    received_location_id: int | None = None
    received_location: str | None = None
    approved_at: datetime | None = None
    received_at: datetime | None = None
    inspected_at: datetime | None = None
    exchange_order_id: int | None = None
    refund_total: Decimal = Decimal(0)  # refunds of this return that succeeded
    version: int = 1
    events: list[OrderEvent] = field(default_factory=list)

    @property
    def tracking_number(self) -> str | None:
        return self.label.tracking_number if self.label else None

    @classmethod
    def request(
        cls,
        ids: tuple[int, str, int],
        lines: Sequence[tuple[RequestedLine, int]],
        resolution: Resolution,
        overridden: Overridden | None,
        made: tuple[str, datetime],
    ) -> Return:
        """A new return: `ids` its id, number and order id; `lines` each request line with
        its product id; `made` who asked and when. Records `return.requested` (and the
        override, when the window was closed)."""
        (return_id, number, order_id), (actor, now) = ids, made
        r = cls(
            id=return_id,
            number=number,
            order_id=order_id,
            status=ReturnStatus.REQUESTED,
            resolution=resolution,
            created_by=actor,
            created_at=now,
            updated_at=now,
            lines=[
                ReturnLine(x.sku, product_id, x.quantity, x.reason, x.note)
                for x, product_id in lines
            ],
            override_reason=overridden.reason if overridden else None,
        )
        if overridden:
            r._record(
                OrderEventType.RETURN_POLICY_OVERRIDDEN,
                reason=overridden.reason,
                rule=overridden.rule,
                skus=list(overridden.skus),
            )
        r._record(
            OrderEventType.RETURN_REQUESTED,
            resolution=resolution.value,
            lines=[
                {"sku": ln.sku, "quantity": ln.quantity, "reason": ln.reason.value}
                for ln in r.lines
            ],
        )
        return r

    def approve(self, label: ReturnLabel, now: datetime) -> None:
        self._move(ReturnStatus.APPROVED, "approve", now)
        self.label = label
        self.approved_at = now
        self._record(
            OrderEventType.RETURN_APPROVED,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
        )

    def reject(self, reason: str, now: datetime) -> None:
        check_reason(reason)
        self._move(ReturnStatus.REJECTED, "reject", now)
        self.rejection_reason = reason.strip()
        self._record(OrderEventType.RETURN_REJECTED, reason=self.rejection_reason)

    def receive(self, received: Received, now: datetime) -> None:
        """The parcel arrived: how many units of each SKU are in it (never more than asked).
        The order's own verb, `Order.receive_return`, records `return.received`."""
        errors = FieldErrors()
        by_sku = {ln.sku: ln for ln in self.lines}
        for i, (sku, quantity) in enumerate(received.units.items()):
            line = by_sku.get(sku)
            if line is None:
                errors.add(f"lines[{i}].sku", f"{sku} is not in return {self.number}")
            elif not 0 <= quantity <= line.quantity:
                errors.add(f"lines[{i}].quantity", f"0 to {line.quantity} (units asked back)")
        if not sum(received.units.values()):
            errors.add("lines", "at least one unit received")
        errors.raise_if_any()
        self._move(ReturnStatus.RECEIVED, "receive", now)
        for line in self.lines:
            line.received_quantity = received.units.get(line.sku, 0)
        self.received_location_id = received.location_id
        self.received_location = received.location
        self.received_at = now

    def inspect(self, found: Sequence[Inspected], now: datetime) -> None:
        """Each received unit is resellable or damaged: the two add up to what came back."""
        errors = FieldErrors()
        by_sku = {ln.sku: ln for ln in self.lines}
        given: dict[str, Inspected] = {}
        for i, x in enumerate(found):
            line = by_sku.get(x.sku)
            if line is None:
                errors.add(f"lines[{i}].sku", f"{x.sku} is not in return {self.number}")
            elif x.sku in given:
                errors.add(f"lines[{i}].sku", f"{x.sku} is already on another line")
            elif x.resellable < 0 or x.damaged < 0:
                errors.add(f"lines[{i}]", "resellable and damaged are 0 or more")
            elif x.resellable + x.damaged != line.received_quantity:
                errors.add(
                    f"lines[{i}]",
                    f"resellable + damaged must be {line.received_quantity}, the units of "
                    f"{x.sku} received",
                )
            given[x.sku] = x
        for line in self.lines:
            if line.received_quantity and line.sku not in given:
                errors.add("lines", f"{line.sku}: {line.received_quantity} received, not inspected")
        errors.raise_if_any()
        self._move(ReturnStatus.INSPECTED, "inspect", now)
        self.inspected_at = now
        for line in self.lines:
            split = given.get(line.sku)
            line.resellable_quantity = split.resellable if split else 0
            line.damaged_quantity = split.damaged if split else 0
        self._record(
            OrderEventType.RETURN_INSPECTED,
            location=self.received_location,
            lines=[
                {
                    "sku": ln.sku,
                    "resellable": ln.resellable_quantity,
                    "damaged": ln.damaged_quantity,
                }
                for ln in self.lines
                if ln.received_quantity
            ],
        )

    def inspected_units(self) -> dict[str, int]:
        """Per SKU, the units that came back and were inspected: what a refund or an
        exchange is for."""
        return {ln.sku: ln.received_quantity for ln in self.lines if ln.received_quantity}

    def refunded(self, refund_id: int, amount: Decimal, now: datetime) -> None:
        """The provider confirmed the refund of this return."""
        self._move(ReturnStatus.REFUNDED, "refund", now)
        self.refund_total += amount
        self._record(OrderEventType.RETURN_REFUNDED, refund_id=refund_id, amount=str(amount))

    def check_refundable(self) -> None:
        """A refund may start only for an inspected return (asked before money moves)."""
        check_transition(self.status, ReturnStatus.REFUNDED, "refund")

    def exchanged(self, order_id: int, number: str, now: datetime) -> None:
        """A new order sends replacements for the inspected units."""
        self._move(ReturnStatus.EXCHANGED, "exchange", now)
        self.exchange_order_id = order_id
        self._record(OrderEventType.RETURN_EXCHANGE_ORDERED, order_id=order_id, order=number)

    def check_exchangeable(self) -> None:
        check_transition(self.status, ReturnStatus.EXCHANGED, "exchange")

    def close(self, reason: str, now: datetime) -> None:
        """Nothing more will happen: kept as it is (no refund: nothing was paid, or it was
        settled another way)."""
        check_reason(reason)
        self._move(ReturnStatus.CLOSED, "close", now)
        self._record(OrderEventType.RETURN_CLOSED, reason=reason.strip())

    def is_balanced(self) -> bool:
        return all(line.is_balanced() for line in self.lines)

    def _move(self, target: ReturnStatus, action: str, now: datetime) -> None:
        check_transition(self.status, target, action)
        self.status = target
        self.updated_at = now

    def _record(self, kind: OrderEventType, **data: object) -> None:
        self.events.append(
            OrderEvent(kind, data={"return_id": self.id, "number": self.number, **data})
        )

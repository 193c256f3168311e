"""The order aggregate: the only code that changes an order's status or a line's quantities.

Every unit of a line is in exactly one of allocated (reserved at a location), backordered
(waiting for stock), shipped or cancelled; of the shipped units, some are delivered, and of
those some came back. Each verb moves units between these, checks the balance of every
line it touched, and records one past-tense event; services call verbs and save.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from oms.domain.catalogue.model import Product
from oms.domain.errors import Conflict, FieldErrors
from oms.domain.orders.draft import (
    MAX_NOTE,
    PRIORITY_RANGE,
    Address,
    Customer,
    DraftLine,
    OrderDraft,
    Totals,
    check_note,
    check_reason,
    compute_totals,
)
from oms.domain.orders.edits import EditVerbs
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.lines import (
    InitialAllocation,
    LineOutOfBalance,
    OrderIdentity,
    OrderLine,
    Units,
    order_number,
)
from oms.domain.orders.phone import normalise_phone
from oms.domain.orders.status import OrderStatus, check_transition, lines_may_be_cancelled
from oms.domain.payments.amounts import from_minor, spread, to_minor, units_cost
from oms.domain.payments.model import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    payment_status,
)

__all__ = [
    "MAX_NOTE",
    "PRIORITY_RANGE",
    "Address",
    "Customer",
    "DraftLine",
    "InitialAllocation",
    "LineOutOfBalance",
    "Order",
    "OrderDraft",
    "OrderIdentity",
    "OrderLine",
    "Totals",
    "check_note",
    "check_reason",
    "compute_totals",
    "order_number",
]


def _stored_customer(customer: Customer) -> Customer:
    """The customer as stored: the phone normalised (checked already by check_shape)."""
    if customer.phone is None:
        return customer
    return replace(customer, phone=normalise_phone(customer.phone) or customer.phone)


_FOLLOW_EVENTS = {
    OrderStatus.PROCESSING: OrderEventType.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED: OrderEventType.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED: OrderEventType.SHIPPED,
    OrderStatus.DELIVERED: OrderEventType.DELIVERED,
}
_QUANTITY_FIELDS = (
    "allocated_quantity",
    "backordered_quantity",
    "shipped_quantity",
    "delivered_quantity",
    "cancelled_quantity",
    "returned_quantity",
)
# Where units move for each verb that moves them: (from, to) line quantity fields.
_ALLOCATE = ("backordered_quantity", "allocated_quantity")
_BACKORDER = ("allocated_quantity", "backordered_quantity")
_SHIP = ("allocated_quantity", "shipped_quantity")
_UNSHIP = ("shipped_quantity", "backordered_quantity")
_CANCEL_BACKORDERED = ("backordered_quantity", "cancelled_quantity")
_CANCEL_ALLOCATED = ("allocated_quantity", "cancelled_quantity")


@dataclass(slots=True)
class Order(EditVerbs):
    """The aggregate: only its verbs change its status and its lines, each recording an event.
    The edit verbs (a line's quantity, new and removed lines, address, priority) are in
    domain/orders/edits.py."""

    id: int
    number: str
    channel: str
    external_id: str | None
    status: OrderStatus
    customer: Customer
    shipping_address: Address
    currency: str
    priority: int
    totals: Totals
    created_at: datetime
    updated_at: datetime
    version: int = 1
    held_from: OrderStatus | None = None
    tracking_token: str = ""
    lines: list[OrderLine] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    prices_include_tax: bool = False
    paid_total: Decimal = Decimal(0)  # payments captured
    refunded_total: Decimal = Decimal(0)  # refunds the provider confirmed
    exchange_of: int | None = None  # the order whose goods this one replaces
    exchanges: list[int] = field(default_factory=list)  # orders that replace goods of this one

    @classmethod
    def place(
        cls,
        identity: OrderIdentity,
        draft: OrderDraft,
        priced: tuple[str, Sequence[tuple[Product, int, Decimal]]],
        allocated: InitialAllocation,
        now: datetime,
        tracking_token: str,
    ) -> Order:
        """A new, pending order. `priced` is the draft's currency and (product, quantity,
        unit price) per line; `allocated` the units reserved for each line at once, the
        rest of each line backordered. Records `order.placed`."""
        currency, lines = priced
        if not len(identity.line_ids) == len(allocated.units) == len(lines) == len(draft.lines):
            raise ValueError("one line id and one allocated quantity per priced line")
        # The order's discount, shared by the lines in proportion to what each costs after
        # its own discount (draft.priced_lines refused one larger than that).
        if draft.discount:
            after_own = [
                to_minor(price * quantity - d.discount, currency)
                for (_, quantity, price), d in zip(lines, draft.lines, strict=True)
            ]
            shares = spread(to_minor(draft.discount, currency), after_own)
            discounts = [
                d.discount + from_minor(share, currency)
                for d, share in zip(draft.lines, shares, strict=True)
            ]
        else:
            discounts = [d.discount for d in draft.lines]
        taxes = [d.tax for d in draft.lines]
        order = cls(
            id=identity.id,
            number=identity.number,
            channel=draft.channel,
            external_id=draft.external_id,
            status=OrderStatus.PENDING,
            customer=_stored_customer(draft.customer),
            shipping_address=draft.shipping_address,
            currency=currency,
            priority=draft.priority,
            totals=compute_totals(
                currency,
                [
                    (q, p, discount, tax)
                    for (_, q, p), discount, tax in zip(lines, discounts, taxes, strict=True)
                ],
                draft.shipping,
                draft.prices_include_tax,
            ),
            created_at=now,
            updated_at=now,
            tracking_token=tracking_token,
            prices_include_tax=draft.prices_include_tax,
            exchange_of=draft.exchange_of,
            lines=[
                OrderLine(
                    id=line_id,
                    sku=product.sku,
                    product_id=product.id,
                    quantity=quantity,
                    unit_price=price,
                    allocated_quantity=units,
                    backordered_quantity=quantity - units,
                    discount=discount,
                    tax=tax,
                )
                for line_id, (product, quantity, price), units, discount, tax in zip(
                    identity.line_ids, lines, allocated.units, discounts, taxes, strict=True
                )
            ],
        )
        for line in order.lines:
            line.check_balance()
        order.events.append(
            OrderEvent(
                OrderEventType.PLACED,
                None,
                OrderStatus.PENDING,
                {
                    "allocated": sum(line.allocated_quantity for line in order.lines),
                    "backordered": sum(line.backordered_quantity for line in order.lines),
                    "locations": sorted(set(allocated.location_ids)),
                },
            )
        )
        return order

    # -- status ----------------------------------------------------------------------------

    def _move(self, target: OrderStatus, action: str, event: OrderEventType, **data: str) -> None:
        check_transition(self.status, target, action)
        self.events.append(OrderEvent(event, self.status, target, dict(data)))
        self.status = target

    def start_processing(self) -> None:
        """The warehouse started on the order (a pick list took one of its shipments)."""
        if self.status is OrderStatus.CONFIRMED:
            self._move(OrderStatus.PROCESSING, "start processing", OrderEventType.PROCESSING)

    def follow_shipments(self, target: OrderStatus) -> None:
        """Take the status the order's shipments add up to (processing to delivered)."""
        if target is self.status:
            return
        self._move(target, f"mark as {target.value}", _FOLLOW_EVENTS[target])

    def confirm(self) -> None:
        self._move(OrderStatus.CONFIRMED, "confirm", OrderEventType.CONFIRMED)

    def hold(self, reason: str) -> None:
        held_from = self.status
        self._move(OrderStatus.ON_HOLD, "hold", OrderEventType.HELD, reason=reason)
        self.held_from = held_from

    def release(self, reason: str) -> None:
        """Leave hold, back to the status the order was held from."""
        target = self.held_from or OrderStatus.PENDING
        self._move(target, "release", OrderEventType.RELEASED, reason=reason)
        self.held_from = None

    def cancel(self, reason: str) -> dict[int, int]:
        """Cancel every open unit; returns the allocated units per line, to release."""
        self._move(OrderStatus.CANCELLED, "cancel", OrderEventType.CANCELLED, reason=reason)
        released = {ln.id: ln.allocated_quantity for ln in self.lines if ln.allocated_quantity}
        with self._all_or_nothing():
            self._shift({ln.id: ln.backordered_quantity for ln in self.lines}, _CANCEL_BACKORDERED)
            self._shift(released, _CANCEL_ALLOCATED)
        self.held_from = None
        return released

    def complete(self, by: str) -> None:
        """Delivered, and nothing more is expected of it: `by` says what settled it (the
        customer's confirmation, or the completion window; domain/orders/completion.py)."""
        self._move(OrderStatus.COMPLETED, "complete", OrderEventType.COMPLETED, by=by)

    def confirm_receipt(self) -> None:
        """The customer says what was delivered arrived; only once something was."""
        if not any(line.delivered_quantity for line in self.lines):
            raise Conflict(f"order {self.number} has nothing delivered yet to confirm")
        delivered = sum(line.delivered_quantity for line in self.lines)
        self.events.append(OrderEvent(OrderEventType.RECEIPT_CONFIRMED, data={"units": delivered}))

    # -- line quantities ---------------------------------------------------------------------

    def fill_backorders(self, units: Units, detail: Sequence[Mapping[str, Any]]) -> None:
        """Stock arrived for backordered units: they are allocated now."""
        self._shift(units, _ALLOCATE)
        self.events.append(OrderEvent(OrderEventType.BACKORDER_FILLED, data={"lines": detail}))

    def take_back(self, units: Units, reason: str, detail: Sequence[Mapping[str, Any]]) -> None:
        """A count came in below what was reserved: allocated units wait for stock again."""
        self._shift(units, _BACKORDER)
        self.events.append(
            OrderEvent(
                OrderEventType.ALLOCATION_REDUCED, data={"reason": reason, "lines": list(detail)}
            )
        )

    def source(self, net: Units, explanation: Mapping[str, Any]) -> None:
        """A sourcing decision: per line, units allocated (> 0) or given back to the
        backorder (< 0); the explanation says where from and why."""
        with self._all_or_nothing():
            self._shift({k: q for k, q in net.items() if q > 0}, _ALLOCATE)
            self._shift({k: -q for k, q in net.items() if q < 0}, _BACKORDER)
        self.events.append(OrderEvent(OrderEventType.SOURCED, data=dict(explanation)))

    def reject_shipment(self, units: Units, detail: Mapping[str, Any]) -> None:
        """A location refused a shipment: its units wait to be sourced elsewhere."""
        self._shift(units, _BACKORDER)
        self.events.append(OrderEvent(OrderEventType.SHIPMENT_REJECTED, data=dict(detail)))

    def short_pick(self, units: Units, detail: Mapping[str, Any]) -> None:
        """The bin held fewer than the books said: the missing units wait to be sourced."""
        self._shift(units, _BACKORDER)
        self.events.append(OrderEvent(OrderEventType.SHIPMENT_SHORT_PICKED, data=dict(detail)))

    def ship(self, units: Units, detail: Mapping[str, Any]) -> None:
        """A shipment left its location with these allocated units."""
        self._shift(units, _SHIP)
        self.events.append(OrderEvent(OrderEventType.SHIPMENT_SHIPPED, data=dict(detail)))

    def unship(self, units: Units, why: OrderEventType, detail: Mapping[str, Any]) -> None:
        """Shipped units that will not reach the customer in their parcel (it was lost, or
        came back undelivered) wait to be sent again, like any backordered unit. `why` is
        the event that says which (shipment.replaced or shipment.returned)."""
        if why not in (OrderEventType.SHIPMENT_REPLACED, OrderEventType.SHIPMENT_RETURNED):
            raise ValueError(f"units wait again only when a parcel is lost or returned, not {why}")
        lines = {line.id: line for line in self.lines}
        for line_id, quantity in units.items():
            line = lines.get(line_id)
            if line is not None and line.shipped_quantity - line.delivered_quantity < quantity:
                raise LineOutOfBalance(
                    f"line {line.id} ({line.sku}): {quantity} units cannot come off the "
                    f"{line.shipped_quantity - line.delivered_quantity} shipped and not delivered"
                )
        self._shift(units, _UNSHIP)
        self.events.append(OrderEvent(why, data=dict(detail)))

    def deliver(self, units: Units, detail: Mapping[str, Any]) -> None:
        """The carrier delivered these shipped units."""
        self._add(units, "delivered_quantity")
        self.events.append(OrderEvent(OrderEventType.SHIPMENT_DELIVERED, data=dict(detail)))

    def receive_return(self, units: Units, detail: Mapping[str, Any]) -> None:
        """Delivered units came back to a location."""
        self._add(units, "returned_quantity")
        self.events.append(OrderEvent(OrderEventType.RETURN_RECEIVED, data=dict(detail)))

    def cancel_line(self, line_id: int, quantity: int, reason: str) -> int:
        """Cancel units of one line that have not shipped, backordered ones first.
        Returns how many of them were allocated (the caller releases their stock)."""
        check_reason(reason)
        if not lines_may_be_cancelled(self.status):
            raise Conflict(f"cannot cancel lines of an order that is {self.status.value}")
        line = self._line(line_id)
        open_units = line.allocated_quantity + line.backordered_quantity
        if not 1 <= quantity <= open_units:
            raise FieldErrors.single(
                "quantity", f"between 1 and {open_units} (the units of {line.sku} not shipped)"
            )
        waiting = min(quantity, line.backordered_quantity)
        with self._all_or_nothing():
            self._shift({line_id: waiting}, _CANCEL_BACKORDERED)
            self._shift({line_id: quantity - waiting}, _CANCEL_ALLOCATED)
        self.events.append(
            OrderEvent(
                OrderEventType.LINE_CANCELLED,
                data={"line_id": line_id, "sku": line.sku, "quantity": quantity, "reason": reason},
            )
        )
        return quantity - waiting

    # -- money -------------------------------------------------------------------------------

    def due(self) -> Decimal:
        """What the order costs now: its total, less the units cancelled (and its shipping
        once every unit is cancelled before any shipped)."""
        if not any(line.cancelled_quantity for line in self.lines):
            return self.totals.total.amount
        cur = self.currency
        cancelled = sum(
            units_cost(line.charged(cur, self.prices_include_tax), line.quantity, 0, n)
            for line in self.lines
            if (n := line.cancelled_quantity)
        )
        if self.lines and all(ln.cancelled_quantity == ln.quantity for ln in self.lines):
            cancelled += to_minor(self.totals.shipping.amount, cur)
        return from_minor(to_minor(self.totals.total.amount, cur) - cancelled, cur)

    @property
    def payment_status(self) -> PaymentStatus:
        return payment_status(self.due(), self.paid_total, self.refunded_total)

    def record_payment(self, payment: Payment) -> None:
        """Money received: never for a cancelled order, never more than is still due."""
        if payment.currency != self.currency:
            raise FieldErrors.single(
                "currency", f"order {self.number} is in {self.currency}, not {payment.currency}"
            )
        if self.status is OrderStatus.CANCELLED:
            raise Conflict(f"order {self.number} is cancelled: it takes no payment")
        owed = self.due() - self.paid_total
        if payment.amount > owed:
            raise Conflict(
                f"order {self.number} has {max(owed, Decimal(0))} {self.currency} still due;"
                f" {payment.amount} is more than that"
            )
        self.paid_total += payment.amount
        self.events.append(
            OrderEvent(
                OrderEventType.PAYMENT_RECORDED,
                data={
                    "payment_id": payment.id,
                    "provider": payment.provider,
                    "reference": payment.reference,
                    "amount": str(payment.amount),
                },
            )
        )

    def refund_answered(self, refund: Refund) -> None:
        """The provider answered a refund: a success counts in `refunded_total`."""
        detail = {
            "refund_id": refund.id,
            "amount": str(refund.amount),
            "return_id": refund.return_id,
            "reason": refund.reason,
        }
        if refund.status is RefundStatus.SUCCEEDED:
            self.refunded_total += refund.amount
            self.events.append(OrderEvent(OrderEventType.REFUND_ISSUED, data=detail))
        elif refund.status is RefundStatus.FAILED:
            self.events.append(
                OrderEvent(OrderEventType.REFUND_FAILED, data={**detail, "error": refund.error})
            )
        else:
            raise ValueError("a pending refund has no answer yet")

    def exchanged_by(self, order_id: int) -> None:
        """A new order sends replacements for goods of this one (the return records the
        event in this order's timeline)."""
        if order_id not in self.exchanges:
            self.exchanges.append(order_id)

    def placed_as_exchange(self, original: str, return_number: str) -> None:
        """This order replaces the goods of return `return_number` of order `original`."""
        self.events.append(
            OrderEvent(
                OrderEventType.EXCHANGE_PLACED,
                data={"exchange_of": original, "return": return_number},
            )
        )

    def note(self, text: str) -> OrderEvent:
        """A person's note, in any status: staff read it in the timeline, customers never."""
        check_note(text)
        event = OrderEvent(OrderEventType.NOTE, data={"text": text.strip()})
        self.events.append(event)
        return event

    def record(self, event: OrderEvent) -> None:
        """An event that moves no quantity (a shipment picked, packed, in transit...)."""
        self.events.append(event)

    def _line(self, line_id: int) -> OrderLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise LineOutOfBalance(f"order {self.number} has no line {line_id}")

    def _shift(self, units: Units, move: tuple[str, str]) -> None:
        """Move units of each line from one quantity to another; all or nothing."""
        source, target = move
        lines = [(self._line(k), q) for k, q in sorted(units.items()) if q]
        for line, quantity in lines:
            if quantity < 0 or getattr(line, source) < quantity:
                raise LineOutOfBalance(
                    f"line {line.id} ({line.sku}): cannot move {quantity} units out of "
                    f"{source} ({getattr(line, source)})"
                )
        for line, quantity in lines:
            setattr(line, source, getattr(line, source) - quantity)
            setattr(line, target, getattr(line, target) + quantity)
            line.check_balance()

    def _add(self, units: Units, name: str) -> None:
        """Raise a quantity that counts other units (delivered of shipped, returned of
        delivered); all or nothing."""
        with self._all_or_nothing():
            for line, quantity in [(self._line(k), q) for k, q in sorted(units.items()) if q]:
                if quantity < 0:
                    raise LineOutOfBalance(f"line {line.id}: {quantity} {name}")
                setattr(line, name, getattr(line, name) + quantity)
                line.check_balance()

    @contextmanager
    def _all_or_nothing(self) -> Iterator[None]:
        """Put every line back as it was if a step inside breaks a balance."""
        before = [(line, replace(line)) for line in self.lines]
        try:
            yield
        except LineOutOfBalance:
            for line, was in before:  # in place: callers may hold the line objects
                for name in _QUANTITY_FIELDS:
                    setattr(line, name, getattr(was, name))
            raise

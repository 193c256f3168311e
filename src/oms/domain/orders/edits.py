"""Order edits before picking: a line's quantity, new lines, removed lines, the shipping
address and the priority. The verbs of the order aggregate that make them (mixed into
`Order`), the rule of when an order may still be edited, and what an edit does to money.

A line's `quantity` is what the customer ordered: raising it adds backordered units (the
caller sources them), lowering it takes open units off, backordered first, then allocated
(the caller releases their stock). A removed line keeps its row with no open units (its
quantity falls to what shipped or was cancelled, 0 for an untouched line): the stock
ledger and the timeline still name it. The line's discount and tax are for all its units,
so they follow its quantity (in proportion, rounded down to the minor unit); the totals are
recomputed from the lines, the shipping the channel charged stays what it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from oms.domain.catalogue.model import Product
from oms.domain.errors import Conflict, FieldErrors
from oms.domain.money import fits_currency
from oms.domain.orders.draft import (
    MAX_QUANTITY,
    PRIORITY_RANGE,
    Address,
    Totals,
    check_address,
    compute_totals,
)
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.lines import LineOutOfBalance, OrderLine
from oms.domain.orders.status import OrderStatus, may_be_edited
from oms.domain.payments.amounts import from_minor, to_minor

if TYPE_CHECKING:
    from oms.domain.orders.model import Order


@dataclass(frozen=True, slots=True)
class StartedShipment:
    """A shipment of the order that the warehouse has started on (no longer open)."""

    id: int
    location: str
    status: str


def check_editable(order: Order, started: Sequence[StartedShipment]) -> None:
    """Refuse (409, naming why) an edit once the warehouse started on the order: a pick
    list took one of its shipments (or it is packed, shipped...), or the order is not
    pending or confirmed (held before picking counts) any more. A partly picked order is
    refused whole: re-sourcing may move units between its shipments, the one being picked
    included, and its parcels' address is being worked on."""
    if started:
        s = started[0]
        raise Conflict(
            f"order {order.number} cannot be edited: picking has started (shipment {s.id}"
            f" at {s.location} is {s.status})"
        )
    if not may_be_edited(order.status, order.held_from):
        raise Conflict(
            f"order {order.number} cannot be edited: it is {order.status.value}; only a"
            " pending or confirmed order (or one held before picking) may be"
        )


def _scaled(amount: Decimal, currency: str, before: int, after: int) -> Decimal:
    """A line's amount for all its units (discount, tax), at a new quantity: in proportion,
    rounded down to the minor unit."""
    if before <= 0 or after <= 0:
        return from_minor(0, currency)
    return from_minor(to_minor(amount, currency) * after // before, currency)


class EditVerbs:
    """The order's edit verbs (mixed into `Order`, which holds the fields they change)."""

    if TYPE_CHECKING:  # the fields and helpers of Order these verbs use
        number: str
        status: OrderStatus
        currency: str
        priority: int
        totals: Totals
        shipping_address: Address
        prices_include_tax: bool
        lines: list[OrderLine]
        events: list[OrderEvent]

        def _line(self, line_id: int) -> OrderLine: ...
        def _all_or_nothing(self) -> AbstractContextManager[None]: ...

    else:
        __slots__ = ()  # Order keeps its slots (mypy reads the fields above instead)

    def change_line_quantity(self, line_id: int, quantity: int) -> int:
        """Set what the customer orders of a line (not below what shipped or was cancelled,
        never 0: remove the line instead). Returns the allocated units it gave up (the
        caller releases their stock); new units wait as backordered (the caller sources)."""
        line = self._line(line_id)
        least = max(1, line.shipped_quantity + line.cancelled_quantity)
        if not least <= quantity <= MAX_QUANTITY:
            raise FieldErrors.single(
                "quantity",
                f"between {least} and {MAX_QUANTITY} ({line.sku}: {line.shipped_quantity}"
                f" shipped, {line.cancelled_quantity} cancelled); remove the line instead",
            )
        if quantity == line.quantity:
            return 0
        before = line.quantity
        given_up = self._set_quantity(line, quantity)
        self._edited(
            OrderEventType.LINE_QUANTITY_CHANGED,
            {"line_id": line.id, "sku": line.sku, "quantity": {"from": before, "to": quantity}},
        )
        return given_up

    def add_line(
        self, line_id: int, product: Product, quantity: int, price: tuple[Decimal, Decimal]
    ) -> None:
        """A new line of `quantity` units at `price` (unit price, tax for all its units),
        every unit backordered until the caller sources it. One line per product: a SKU the
        order has (with units open) is changed by its quantity instead."""
        unit_price, tax = price
        if any(ln.id == line_id for ln in self.lines):
            raise LineOutOfBalance(f"order {self.number} has a line {line_id} already")
        errors = FieldErrors()
        if not 1 <= quantity <= MAX_QUANTITY:
            errors.add("quantity", f"must be between 1 and {MAX_QUANTITY}")
        for name, amount in (("unit_price", unit_price), ("tax", tax)):
            if amount < 0:
                errors.add(name, "must not be negative")
            elif not fits_currency(amount, self.currency):
                errors.add(name, f"more decimals than {self.currency} allows")
        errors.raise_if_any()
        same = [ln for ln in self.lines if ln.product_id == product.id and _open(ln)]
        if same:
            raise Conflict(
                f"order {self.number} has {product.sku} already (line {same[0].id}): change"
                " that line's quantity instead"
            )
        line = OrderLine(
            id=line_id,
            sku=product.sku,
            product_id=product.id,
            quantity=quantity,
            unit_price=unit_price,
            backordered_quantity=quantity,
            tax=tax,
        )
        line.check_balance()
        self.lines.append(line)
        self._edited(
            OrderEventType.LINE_ADDED,
            {
                "line_id": line_id,
                "sku": product.sku,
                "quantity": {"from": 0, "to": quantity},
                "unit_price": str(unit_price),
            },
        )

    def remove_line(self, line_id: int) -> int:
        """Take every open unit of a line off the order; the line stays with what shipped
        or was cancelled (nothing, for an untouched line). Returns the allocated units it
        gave up. An order keeps at least one line with open units: cancel it instead. A line
        with no open units (removed already) is left as it is: nothing is recorded."""
        line = self._line(line_id)
        if not _open(line):
            return 0
        if not any(_open(ln) for ln in self.lines if ln.id != line.id):
            raise Conflict(
                f"{line.sku} is the last line of order {self.number} with units to send:"
                " cancel the order instead"
            )
        before = line.quantity
        given_up = self._set_quantity(line, line.shipped_quantity + line.cancelled_quantity)
        self._edited(
            OrderEventType.LINE_REMOVED,
            {"line_id": line.id, "sku": line.sku, "quantity": {"from": before, "to": 0}},
        )
        return given_up

    def change_address(self, address: Address) -> bool:
        """Ship to another address, checked as when the order was placed. Returns whether
        it changed (the caller sources the order again: the best location may change)."""
        errors = FieldErrors()
        check_address(address, errors)
        errors.raise_if_any()
        if address == self.shipping_address:
            return False
        before = self.shipping_address
        self.shipping_address = address
        self.events.append(
            OrderEvent(
                OrderEventType.ADDRESS_CHANGED,
                data={"from": _address(before), "to": _address(address)},
            )
        )
        return True

    def change_priority(self, priority: int) -> bool:
        """Serve the order sooner or later when stock is short (-100 to 100)."""
        if priority not in PRIORITY_RANGE:
            raise FieldErrors.single("priority", "must be between -100 and 100")
        if priority == self.priority:
            return False
        before, self.priority = self.priority, priority
        self.events.append(
            OrderEvent(OrderEventType.PRIORITY_CHANGED, data={"from": before, "to": priority})
        )
        return True

    def _set_quantity(self, line: OrderLine, quantity: int) -> int:
        """New quantity; fewer units come off the backorder first, then the allocation;
        more wait as backordered. Discount and tax follow. Returns allocated units given up."""
        cur = self.currency
        fewer = line.quantity - quantity
        waiting = min(max(fewer, 0), line.backordered_quantity)
        given_up = max(fewer, 0) - waiting
        with self._all_or_nothing():
            line.discount = _scaled(line.discount, cur, line.quantity, quantity)
            line.tax = _scaled(line.tax, cur, line.quantity, quantity)
            line.backordered_quantity += -waiting if fewer > 0 else -fewer
            line.allocated_quantity -= given_up
            line.quantity = quantity
            line.check_balance()
        return given_up

    def _edited(self, kind: OrderEventType, data: dict[str, Any]) -> None:
        """Recompute the totals from the lines and record the edit with the total's move."""
        before = self.totals.total.amount
        self.totals = compute_totals(
            self.currency,
            [(ln.quantity, ln.unit_price, ln.discount, ln.tax) for ln in self.lines],
            self.totals.shipping.amount,
            self.prices_include_tax,
        )
        total = {"from": str(before), "to": str(self.totals.total.amount)}
        self.events.append(OrderEvent(kind, data={**data, "total": total}))


def _open(line: OrderLine) -> int:
    return line.allocated_quantity + line.backordered_quantity


def _address(a: Address) -> dict[str, str | None]:
    return {
        "name": a.name,
        "line1": a.line1,
        "line2": a.line2,
        "city": a.city,
        "postal_code": a.postal_code,
        "country": a.country,
    }


def lines_after(lines: Sequence[OrderLine]) -> Iterator[tuple[int, int]]:
    """(line id, open units) of each line: the demand an edit sources anew."""
    for line in lines:
        yield line.id, _open(line)

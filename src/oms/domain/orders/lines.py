"""An order's lines and what a new order is given before it is built: the balance every
line keeps (checked by the order's verbs, domain/orders/model.py), what a line charged,
the ids and number the store hands out, and what placing reserved at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from oms.domain.payments.amounts import to_minor

Units = Mapping[int, int]  # order line id -> units


class LineOutOfBalance(Exception):
    """A verb would break a line's balance: a bug in the caller, never a user's mistake."""


@dataclass(slots=True)
class OrderLine:
    id: int
    sku: str
    product_id: int
    quantity: int
    unit_price: Decimal
    allocated_quantity: int = 0
    backordered_quantity: int = 0
    shipped_quantity: int = 0
    delivered_quantity: int = 0
    cancelled_quantity: int = 0
    returned_quantity: int = 0
    discount: Decimal = Decimal(0)  # the line's own discount and its share of the order's
    tax: Decimal = Decimal(0)

    def charged(self, currency: str, prices_include_tax: bool) -> int:
        """What the customer pays for the whole line, in minor units: quantity x unit price
        less its discount, plus its tax unless the prices include it."""
        gross = self.unit_price * self.quantity - self.discount
        if not prices_include_tax:
            gross += self.tax
        return to_minor(gross, currency)

    def is_balanced(self) -> bool:
        """allocated + backordered + shipped + cancelled = quantity, none negative;
        delivered <= shipped; returned <= delivered."""
        parts = (
            self.allocated_quantity,
            self.backordered_quantity,
            self.shipped_quantity,
            self.cancelled_quantity,
            self.delivered_quantity,
            self.returned_quantity,
        )
        return (
            min(parts) >= 0
            and sum(parts[:4]) == self.quantity
            and self.delivered_quantity <= self.shipped_quantity
            and self.returned_quantity <= self.delivered_quantity
        )

    def check_balance(self) -> None:
        if not self.is_balanced():
            raise LineOutOfBalance(
                f"line {self.id} ({self.sku}) of {self.quantity}: allocated "
                f"{self.allocated_quantity}, backordered {self.backordered_quantity}, shipped "
                f"{self.shipped_quantity}, cancelled {self.cancelled_quantity}, delivered "
                f"{self.delivered_quantity}, returned {self.returned_quantity}"
            )


@dataclass(frozen=True, slots=True)
class InitialAllocation:
    """What placing reserved at once: units per line (in the draft's order), and where."""

    units: tuple[int, ...]
    location_ids: tuple[int, ...]


def order_number(n: int) -> str:
    """The number people read and type: SO- and at least six digits (search.py reads it)."""
    return f"SO-{n:06d}"


@dataclass(frozen=True, slots=True)
class OrderIdentity:
    """The ids and number the store hands out for a new order, before it is built."""

    id: int
    number: str
    line_ids: tuple[int, ...]

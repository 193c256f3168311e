"""An order as a channel submits it, and the checks it passes before oms takes it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from oms.domain.catalogue.model import Product
from oms.domain.countries import is_country
from oms.domain.errors import FieldErrors
from oms.domain.money import Money, fits_currency, is_currency
from oms.domain.orders.phone import normalise_phone

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
# A guard on one request (the API, the back office): a shop's order that needs more is rare,
# and one request should not hold a transaction for thousands of lines.
MAX_LINES = 500
# A file import (`oms import orders`, the upload) reads wholesale orders as they come: the
# UCI Online Retail file has invoices of up to 705 lines. The bound keeps one order's
# transaction and memory bounded, not a shop's trade.
MAX_IMPORT_LINES = 5_000
MAX_QUANTITY = 1_000_000
PRIORITY_RANGE = range(-100, 101)


@dataclass(frozen=True, slots=True)
class Customer:
    email: str
    name: str
    phone: str | None = None  # normalised once placed (phone.py)
    language: str | None = None  # BCP 47 ("fr", "en-GB"): the language oms writes to them in


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A line as the channel sends it: `discount` is the line's own discount in money (for
    all its units), `tax` the tax on the line as the channel computed it."""

    sku: str
    quantity: int
    unit_price: Decimal | None = None
    discount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order as a channel submits it, before it is checked against the catalogue."""

    channel: str
    customer: Customer
    shipping_address: Address
    lines: Sequence[DraftLine]
    currency: str | None = None
    external_id: str | None = None
    priority: int = 0
    shipping: Decimal = Decimal(0)
    # An order-level discount (a voucher), spread over the lines when the order is placed.
    discount: Decimal = Decimal(0)
    # Whether the channel's prices (and shipping) already include tax: then `tax` says how
    # much of them is tax; otherwise tax is added to the total.
    prices_include_tax: bool = False
    # An exchange: the order this one replaces goods of (set by oms, never by a channel).
    exchange_of: int | None = None
    # A checkout hold whose units the order takes first (services/holds.py).
    hold_id: int | None = None
    # The most lines the order may have: MAX_LINES for a request, MAX_IMPORT_LINES for an
    # order read from a file (set by oms, never by a channel's request).
    max_lines: int = MAX_LINES

    def check_shape(self, errors: FieldErrors) -> None:
        """Rules that need no catalogue: every broken rule is collected, none short-circuits."""
        if not self.channel.strip():
            errors.add("channel", "must not be empty")
        if self.hold_id is not None and self.hold_id < 1:
            errors.add("hold_id", "a hold id is a positive number")
        if self.external_id is not None and not self.external_id.strip():
            errors.add("external_id", "must not be blank when given")
        if not EMAIL_PATTERN.match(self.customer.email):
            errors.add("customer.email", "must be an email address")
        if not self.customer.name.strip():
            errors.add("customer.name", "must not be empty")
        if self.customer.phone is not None and normalise_phone(self.customer.phone) is None:
            errors.add(
                "customer.phone",
                "must be a phone number: 6 to 15 digits, an optional leading +,"
                " spaces, dots, dashes and parentheses",
            )
        if self.customer.language is not None and not LANGUAGE_PATTERN.match(
            self.customer.language
        ):
            errors.add("customer.language", "must be a language tag such as fr or en-GB")
        check_address(self.shipping_address, errors)
        if self.currency is not None and not is_currency(self.currency):
            errors.add("currency", f"unknown ISO 4217 currency {self.currency!r}")
        if self.priority not in PRIORITY_RANGE:
            errors.add("priority", "must be between -100 and 100")
        if self.shipping < 0:
            errors.add("shipping", "must not be negative")
        if self.discount < 0:
            errors.add("discount", "must not be negative")
        self._check_lines(errors)

    def _check_lines(self, errors: FieldErrors) -> None:
        if not self.lines:
            errors.add("lines", "an order needs at least one line")
        if len(self.lines) > self.max_lines:
            errors.add("lines", f"at most {self.max_lines} lines")
        seen: dict[str, int] = {}
        for i, line in enumerate(self.lines):
            if not 1 <= line.quantity <= MAX_QUANTITY:
                errors.add(f"lines[{i}].quantity", f"must be between 1 and {MAX_QUANTITY}")
            if line.unit_price is not None and line.unit_price < 0:
                errors.add(f"lines[{i}].unit_price", "must not be negative")
            if line.discount < 0:
                errors.add(f"lines[{i}].discount", "must not be negative")
            if line.tax < 0:
                errors.add(f"lines[{i}].tax", "must not be negative")
            if line.sku in seen:
                errors.add(
                    f"lines[{i}].sku",
                    f"SKU {line.sku!r} repeats line {seen[line.sku]}; send one line per SKU",
                )
            seen.setdefault(line.sku, i)

    def priced_lines(
        self, products: Mapping[str, Product], errors: FieldErrors
    ) -> tuple[str, list[tuple[Product, int, Decimal]]]:
        """Resolve SKUs and prices; returns the order currency and (product, qty, price)."""
        known = [products[line.sku] for line in self.lines if line.sku in products]
        currency = self.currency or (known[0].currency if known else "EUR")
        priced: list[tuple[Product, int, Decimal]] = []
        for i, line in enumerate(self.lines):
            product = products.get(line.sku)
            if product is None:
                errors.add(f"lines[{i}].sku", f"unknown SKU {line.sku!r}")
                continue
            if product.archived:
                errors.add(
                    f"lines[{i}].sku", f"product {line.sku!r} is archived and cannot be ordered"
                )
                continue
            price = line.unit_price
            if price is None:
                if product.currency != currency:
                    errors.add(
                        f"lines[{i}].unit_price",
                        f"{line.sku} is priced in {product.currency}; give a {currency} price",
                    )
                    continue
                price = product.price
            _check_line_money(i, line, price, currency, errors)
            priced.append((product, line.quantity, price))
        if is_currency(currency):
            for name, amount in (("shipping", self.shipping), ("discount", self.discount)):
                if not fits_currency(amount, currency):
                    errors.add(name, f"more decimals than {currency} allows")
        if len(priced) == len(self.lines):
            left = sum(
                (p * q - ln.discount for (_, q, p), ln in zip(priced, self.lines, strict=True)),
                Decimal(0),
            )
            if self.discount > max(left, Decimal(0)):
                errors.add("discount", f"at most {left}, what the lines cost after discounts")
        return currency, priced


def _check_line_money(
    i: int, line: DraftLine, price: Decimal, currency: str, errors: FieldErrors
) -> None:
    """The line's amounts fit the currency; its discount is not more than its price."""
    if is_currency(currency):
        for name, amount in (("unit_price", price), ("discount", line.discount), ("tax", line.tax)):
            if not fits_currency(amount, currency):
                errors.add(f"lines[{i}].{name}", f"more decimals than {currency} allows")
    if line.discount > price * line.quantity:
        errors.add(
            f"lines[{i}].discount",
            f"at most {price * line.quantity}, the line's price before discount",
        )


def check_address(address: Address, errors: FieldErrors) -> None:
    """The checks an address passes when an order is placed (and when an edit changes it)."""
    for name in ("name", "line1", "city", "postal_code"):
        if not getattr(address, name).strip():
            errors.add(f"shipping_address.{name}", "must not be empty")
    if not is_country(address.country):
        errors.add("shipping_address.country", f"unknown ISO 3166-1 country {address.country!r}")


MAX_REASON = 500


def check_reason(reason: str) -> None:
    """A reason a person gives (hold, cancel, reject, give up): not empty, not a novel."""
    errors = FieldErrors()
    if not reason.strip():
        errors.add("reason", "must not be empty")
    if len(reason) > MAX_REASON:
        errors.add("reason", f"at most {MAX_REASON} characters")
    errors.raise_if_any()


MAX_NOTE = 2000


def check_note(text: str) -> None:
    """A note on an order: not empty, at most MAX_NOTE characters."""
    errors = FieldErrors()
    if not text.strip():
        errors.add("text", "must not be empty")
    if len(text) > MAX_NOTE:
        errors.add("text", f"at most {MAX_NOTE} characters")
    errors.raise_if_any()


@dataclass(frozen=True, slots=True)
class Totals:
    """subtotal: quantity x unit price summed; discount: every line's discount (order
    discounts included); tax: as the channel sent it; total: what the customer pays,
    subtotal - discount + shipping, plus tax unless the prices include it."""

    subtotal: Money
    shipping: Money
    tax: Money
    total: Money
    discount: Money


def compute_totals(
    currency: str,
    lines: Sequence[tuple[int, Decimal, Decimal, Decimal]],
    shipping: Decimal,
    prices_include_tax: bool = False,
) -> Totals:
    """From (quantity, unit price, discount, tax) per line. oms does not compute tax: the
    channel sends it per line, and it is added to the total only when prices exclude it."""
    # Summed as Decimals and made Money once each: this runs for every order placed.
    subtotal = discount = tax = Decimal(0)
    for quantity, unit_price, line_discount, line_tax in lines:
        subtotal += unit_price * quantity
        discount += line_discount
        tax += line_tax
    total = subtotal - discount + shipping + (0 if prices_include_tax else tax)
    return Totals(
        Money(subtotal, currency),
        Money(shipping, currency),
        Money(tax, currency),
        Money(total, currency),
        Money(discount, currency),
    )

"""The order JSON of shop platforms (their orders/create webhooks) as oms order drafts.
Errors name the platform's own fields (`line_items[1].sku`), so a person can find them in
the payload. Tax and discounts are what the platform computed; the channel's record says
whether its prices include tax."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from oms.domain.channels.model import Channel
from oms.domain.countries import country_code
from oms.domain.errors import FieldErrors
from oms.domain.orders.draft import Address, Customer, DraftLine, OrderDraft

ZERO = Decimal(0)


class _Reader:
    def __init__(self) -> None:
        self.errors = FieldErrors()

    def money(self, value: Any, name: str) -> Decimal:
        if value is None or value == "":
            return ZERO
        if isinstance(value, float):  # WooCommerce's `price` is a number: read its text
            value = repr(value)
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.errors.add(name, f"{value!r} is not an amount")
            return ZERO
        return amount

    def text(self, data: Mapping[str, Any], key: str, name: str, required: bool = True) -> str:
        value = data.get(key)
        text = str(value).strip() if value is not None else ""
        if required and not text:
            self.errors.add(name, "missing")
        return text

    def obj(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.errors.add(key, "an object")
            return {}
        return value

    def items(self, data: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.errors.add(key, "a list of objects")
            return []
        return value

    def quantity(self, item: Mapping[str, Any], name: str) -> int:
        q = item.get("quantity")
        if not isinstance(q, int) or isinstance(q, bool):
            self.errors.add(name, "a whole number")
            return 0
        return q

    def country(self, text: str, name: str) -> str:
        code = country_code(text) if text else None
        if code is None:
            self.errors.add(name, f"{text!r} is not a country")
            return text
        return code


def _full_name(data: Mapping[str, Any]) -> str:
    parts = [str(data.get(k) or "").strip() for k in ("first_name", "last_name")]
    return " ".join(p for p in parts if p)


def shopify_order(payload: dict[str, Any], channel: Channel) -> OrderDraft:
    """Shopify's order (webhook topic orders/create): its id the external id; `email` (or
    the customer's); the shipping address; one line per line item by SKU at its `price`,
    its discount the line's `total_discount` plus its `discount_allocations`, its tax the
    sum of its `tax_lines`; shipping the sum of `shipping_lines` prices; what is left of
    `total_discounts` after the lines' own is the order's discount."""
    r = _Reader()
    ref = r.text(payload, "id", "id")
    customer = r.obj(payload, "customer")
    ship = r.obj(payload, "shipping_address")
    email = r.text(payload, "email", "email", False) or r.text(customer, "email", "customer.email")
    name = _full_name(customer) or str(ship.get("name") or "").strip() or email
    address = Address(
        r.text(ship, "name", "shipping_address.name", False) or _full_name(ship) or name,
        r.text(ship, "address1", "shipping_address.address1"),
        r.text(ship, "city", "shipping_address.city"),
        r.text(ship, "zip", "shipping_address.zip"),
        r.country(
            str(ship.get("country_code") or ship.get("country") or ""),
            "shipping_address.country_code",
        ),
        r.text(ship, "address2", "", False) or None,
    )
    lines: list[DraftLine] = []
    own_discounts = ZERO
    for i, item in enumerate(r.items(payload, "line_items")):
        at = f"line_items[{i}]"
        discount = r.money(item.get("total_discount"), f"{at}.total_discount")
        for j, d in enumerate(r.items(item, "discount_allocations")):
            discount += r.money(d.get("amount"), f"{at}.discount_allocations[{j}].amount")
        tax = sum(
            (r.money(t.get("price"), f"{at}.tax_lines[{j}].price")
             for j, t in enumerate(r.items(item, "tax_lines"))),
            ZERO,
        )  # fmt: skip
        own_discounts += discount
        lines.append(
            DraftLine(
                r.text(item, "sku", f"{at}.sku"),
                r.quantity(item, f"{at}.quantity"),
                r.money(item.get("price"), f"{at}.price"),
                discount,
                tax,
            )
        )
    shipping = sum(
        (r.money(s.get("price"), f"shipping_lines[{j}].price")
         for j, s in enumerate(r.items(payload, "shipping_lines"))),
        ZERO,
    )  # fmt: skip
    total_discounts = r.money(payload.get("total_discounts"), "total_discounts")
    r.errors.raise_if_any()
    return OrderDraft(
        channel=channel.name,
        customer=Customer(email, name, None, str(payload.get("customer_locale") or "") or None),
        shipping_address=address,
        lines=lines,
        currency=str(payload.get("currency") or "") or channel.currency,
        external_id=ref,
        shipping=shipping,
        discount=max(total_discounts - own_discounts, ZERO),
        prices_include_tax=channel.tax_inclusive,
    )


def woocommerce_order(payload: dict[str, Any], channel: Channel) -> OrderDraft:
    """WooCommerce's order (REST API v3 order, as its order.created webhook sends it): its
    id the external id; the billing e-mail and name; the shipping address; one line per
    line item by SKU, its unit price `subtotal / quantity` (before coupons), its discount
    `subtotal - total`, its tax `total_tax`; shipping the order's `shipping_total`."""
    r = _Reader()
    ref = r.text(payload, "id", "id")
    billing = r.obj(payload, "billing")
    ship = r.obj(payload, "shipping") or billing
    email = r.text(billing, "email", "billing.email")
    name = _full_name(billing) or email
    address = Address(
        _full_name(ship) or name,
        r.text(ship, "address_1", "shipping.address_1"),
        r.text(ship, "city", "shipping.city"),
        r.text(ship, "postcode", "shipping.postcode"),
        r.country(str(ship.get("country") or ""), "shipping.country"),
        r.text(ship, "address_2", "", False) or None,
    )
    lines: list[DraftLine] = []
    for i, item in enumerate(r.items(payload, "line_items")):
        at = f"line_items[{i}]"
        quantity = r.quantity(item, f"{at}.quantity")
        subtotal = r.money(item.get("subtotal"), f"{at}.subtotal")
        total = r.money(item.get("total"), f"{at}.total")
        price = subtotal / quantity if quantity > 0 else ZERO
        if price != price.quantize(Decimal("0.0001")):
            r.errors.add(f"{at}.subtotal", f"{subtotal} does not divide into {quantity} units")
        lines.append(
            DraftLine(
                r.text(item, "sku", f"{at}.sku"),
                quantity,
                price.normalize() if price else price,
                max(subtotal - total, ZERO),
                r.money(item.get("total_tax"), f"{at}.total_tax"),
            )
        )
    r.errors.raise_if_any()
    return OrderDraft(
        channel=channel.name,
        customer=Customer(email, name, str(billing.get("phone") or "") or None),
        shipping_address=address,
        lines=lines,
        currency=str(payload.get("currency") or "") or channel.currency,
        external_id=ref,
        shipping=r.money(payload.get("shipping_total"), "shipping_total"),
        prices_include_tax=channel.tax_inclusive,
    )

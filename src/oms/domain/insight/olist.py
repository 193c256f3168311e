"""The public Olist files read as oms history (API.md, "Reports"): purchase → placed,
approval → confirmed, hand-over to the carrier → shipped, delivery to the customer →
delivered, estimate → promised delivery date; items → lines, payments → the paid total.

Olist gives local times without a zone; they are read as São Paulo time (Olist is there) and
stored in UTC. What cannot be stored is skipped (an order without items: oms orders have
lines); what is odd but true is kept and counted (docs/insight.md lists the kinds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.insight.history import (
    HistoryCustomer,
    HistoryEvent,
    HistoryLine,
    HistoryOrder,
    HistoryProduct,
    HistoryShipment,
    Oddities,
)
from oms.domain.orders.events import OrderEventType as E
from oms.domain.orders.status import OrderStatus as S

CHANNEL = "olist"
ACTOR = "import:olist"
CARRIER = "olist"  # Olist names no carrier: "its logistics partner"
CURRENCY = "BRL"
TIME_ZONE = "America/Sao_Paulo"
LOCATION_CODE = "OLIST"  # the sellers, as one history location that oms never sources from
EMAIL_DOMAIN = "olist.invalid"  # RFC 2606: no mail can ever reach it

Row = Mapping[str, str]

# Olist's order statuses as oms's. `unavailable` is cancelled: the seller had no stock.
STATUSES: dict[str, S] = {
    "created": S.PENDING,
    "approved": S.CONFIRMED,
    "invoiced": S.PROCESSING,
    "processing": S.PROCESSING,
    "shipped": S.SHIPPED,
    "delivered": S.DELIVERED,
    "canceled": S.CANCELLED,
    "unavailable": S.CANCELLED,
}


class Skip(Exception):
    """A row that cannot be stored; its message is the kind counted in the summary."""


@dataclass(frozen=True, slots=True)
class OlistOrder:
    """An order row with its item rows, payment rows and customer row (None: not found)."""

    row: Row
    items: Sequence[Row]
    payments: Sequence[Row]
    customer: Row | None


def local_time(text: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` in São Paulo, as an aware UTC time; empty: None. An hour that
    the clocks skipped (Brazil's summer time began at midnight) is read with the offset
    before the change, an hour they repeated as its first occurrence (zoneinfo's fold=0)."""
    if not text:
        return None
    try:
        naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise Skip("unreadable_time") from None
    return naive.replace(tzinfo=ZoneInfo(TIME_ZONE)).astimezone(ZoneInfo("UTC"))


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    except ValueError:
        raise Skip("unreadable_time") from None


def minor(text: str) -> int:
    """BRL "48.90" as 4890 centavos."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Skip("unreadable_money") from None
    cents = value * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise Skip("unreadable_money")
    return int(cents)


def read_order(o: OlistOrder, odd: Oddities) -> HistoryOrder:
    """The order as history; raises Skip when it cannot be stored, notes what is odd."""
    r = o.row
    ref = r["order_id"]
    status = STATUSES.get(r["order_status"])
    if status is None:
        raise Skip("unknown_status")
    if not o.items:
        raise Skip("no_items")
    if o.customer is None:
        raise Skip("unknown_customer")
    placed = local_time(r["order_purchase_timestamp"])
    if placed is None:
        raise Skip("no_purchase_time")
    times = _Times(
        placed,
        local_time(r["order_approved_at"]),
        local_time(r["order_delivered_carrier_date"]),
        local_time(r["order_delivered_customer_date"]),
    )
    _note_times(ref, status, times, odd)
    lines, shipping = _lines(o.items)
    paid = sum(minor(p["payment_value"]) for p in o.payments)
    if not o.payments:
        odd.note("no_payment", ref)
    elif paid != sum(x.quantity * x.unit_price_minor for x in lines) + shipping:
        odd.note("paid_differs_from_total", ref)
    events = _events(status, times, r["order_status"])
    return HistoryOrder(
        channel=CHANNEL,
        external_id=ref,
        status=status,
        customer=_customer(o.customer),
        currency=CURRENCY,
        lines=lines,
        shipping_minor=shipping,
        paid_minor=paid,
        placed_at=placed,
        updated_at=max(e.at for e in events),
        events=events,
        shipment=_shipment(status, times, _day(r["order_estimated_delivery_date"]), o.items),
    )


@dataclass(frozen=True, slots=True)
class _Times:
    placed: datetime
    approved: datetime | None
    carrier: datetime | None
    delivered: datetime | None


def _note_times(ref: str, status: S, t: _Times, odd: Oddities) -> None:
    if t.approved is None and status not in {S.PENDING, S.CANCELLED}:
        odd.note("no_approval_time", ref)
    if t.approved is not None and t.approved < t.placed:
        odd.note("approval_before_purchase", ref)
    if t.carrier is not None and t.approved is not None and t.carrier < t.approved:
        odd.note("carrier_before_approval", ref)
    if t.carrier is not None and t.carrier < t.placed:
        odd.note("carrier_before_purchase", ref)
    if t.delivered is not None and t.carrier is not None and t.delivered < t.carrier:
        odd.note("delivered_before_carrier", ref)
    if status in {S.SHIPPED, S.DELIVERED} and t.carrier is None:
        odd.note("shipped_without_carrier_time", ref)
    if status is S.DELIVERED and t.delivered is None:
        odd.note("delivered_without_delivery_time", ref)
    if status is S.CANCELLED and (t.carrier or t.delivered):
        odd.note("cancelled_after_carrier", ref)


def _lines(items: Sequence[Row]) -> tuple[list[HistoryLine], int]:
    """One line per product and price (Olist has one item row per unit), in item order."""
    units: Counter[tuple[str, int]] = Counter()
    for item in items:
        units[(item["product_id"], minor(item["price"]))] += 1
    shipping = sum(minor(item["freight_value"]) for item in items)
    return [HistoryLine(sku, n, price) for (sku, price), n in units.items()], shipping


def _events(status: S, t: _Times, olist_status: str) -> list[HistoryEvent]:
    """The timeline, one event per known time, in the order of the journey."""
    events = [HistoryEvent(E.PLACED, t.placed, None, S.PENDING)]
    now = S.PENDING
    for kind, at, then in (
        (E.CONFIRMED, t.approved, S.CONFIRMED),
        (E.SHIPPED, t.carrier, S.SHIPPED),
        (E.DELIVERED, t.delivered, S.DELIVERED),
    ):
        if at is not None:
            events.append(HistoryEvent(kind, at, now, then))
            now = then
    if status is S.CANCELLED:
        # Olist gives no time of cancellation: the latest time it gives for the order.
        at = max(e.at for e in events)
        data = {"reason": f"olist: {olist_status}", "time": "latest known time of the order"}
        events.append(HistoryEvent(E.CANCELLED, at, now, S.CANCELLED, data))
    return events


def _shipment(
    status: S, t: _Times, promised: date | None, items: Sequence[Row]
) -> HistoryShipment | None:
    if status not in {S.SHIPPED, S.DELIVERED}:
        return None
    limits = [local_time(i["shipping_limit_date"]) for i in items]
    known = [at for at in limits if at is not None]
    local = ZoneInfo(TIME_ZONE)
    return HistoryShipment(
        status=ShipmentStatus.DELIVERED if status is S.DELIVERED else ShipmentStatus.SHIPPED,
        carrier=CARRIER,
        ship_date=t.carrier.astimezone(local).date() if t.carrier else None,
        promised_delivery_date=promised,
        ship_by=max(known).astimezone(local).date() if known else None,
        last_event_at=t.delivered or t.carrier,
    )


def _customer(c: Row) -> HistoryCustomer:
    person = c["customer_unique_id"]
    return HistoryCustomer(
        email=f"{person}@{EMAIL_DOMAIN}",
        name=f"Olist customer {person[:8]}",
        city=c["customer_city"][:100] or "unknown",
        postal_code=c["customer_zip_code_prefix"][:16] or "00000",
        country="BR",
        region=c["customer_state"],
    )


def read_product(sku: str, row: Row | None, names: Mapping[str, str], price: int) -> HistoryProduct:
    """A product for an Olist product id (its category's English name when known)."""
    category = (row or {}).get("product_category_name", "")
    label = names.get(category, category) or "uncategorised"
    weight = (row or {}).get("product_weight_g", "")
    return HistoryProduct(
        sku=sku,
        name=f"Olist {label.replace('_', ' ')} {sku[:8]}",
        price_minor=price,
        currency=CURRENCY,
        weight_grams=int(float(weight)) if weight else None,
    )

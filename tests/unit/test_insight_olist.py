"""Olist rows read as history, on made-up rows (no Olist data is kept in the repository):
São Paulo times to UTC, statuses, lines, the paid total, what is skipped and what is odd."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.insight.history import Oddities
from oms.domain.insight.olist import OlistOrder, Skip, local_time, minor, read_order, read_product
from oms.domain.orders.events import OrderEventType as E
from oms.domain.orders.status import OrderStatus as S

CUSTOMER = {
    "customer_id": "c1",
    "customer_unique_id": "abcdef0123456789",
    "customer_zip_code_prefix": "01001",
    "customer_city": "sao paulo",
    "customer_state": "SP",
}


def item(product: str = "p1", price: str = "10.00", freight: str = "2.50") -> dict[str, str]:
    return {
        "order_id": "o1",
        "product_id": product,
        "price": price,
        "freight_value": freight,
        "shipping_limit_date": "2017-06-05 12:00:00",
    }


def order(**kw: Any) -> OlistOrder:
    row = {
        "order_id": "o1",
        "customer_id": "c1",
        "order_status": "delivered",
        "order_purchase_timestamp": "2017-06-01 10:00:00",
        "order_approved_at": "2017-06-01 11:00:00",
        "order_delivered_carrier_date": "2017-06-03 09:00:00",
        "order_delivered_customer_date": "2017-06-10 15:00:00",
        "order_estimated_delivery_date": "2017-06-20 00:00:00",
    }
    items = kw.pop("items", [item(), item(), item("p2", "5.00", "1.00")])
    payments = kw.pop("payments", [{"payment_value": "31.00"}])
    customer = kw.pop("customer", CUSTOMER)
    row.update(kw)
    return OlistOrder(row, items, payments, customer)


def test_sao_paulo_times_are_stored_in_utc_with_summer_time() -> None:
    assert local_time("2017-06-01 10:00:00") == datetime(2017, 6, 1, 13, tzinfo=UTC)  # UTC-3
    assert local_time("2017-01-10 10:00:00") == datetime(2017, 1, 10, 12, tzinfo=UTC)  # UTC-2
    # 2017-10-15 00:30 never happened (clocks went from 00:00 to 01:00): the offset before.
    assert local_time("2017-10-15 00:30:00") == datetime(2017, 10, 15, 3, 30, tzinfo=UTC)
    assert local_time("") is None
    with pytest.raises(Skip, match="unreadable_time"):
        local_time("15/06/2017")


def test_money_in_centavos() -> None:
    assert minor("48.90") == 4890
    with pytest.raises(Skip):
        minor("4.891")


def test_a_delivered_order_with_its_timeline_lines_and_shipment() -> None:
    odd = Oddities()
    h = read_order(order(), odd)
    assert h.status is S.DELIVERED and h.channel == "olist" and h.external_id == "o1"
    assert [(e.type, e.at.hour, e.from_status, e.to_status) for e in h.events] == [
        (E.PLACED, 13, None, S.PENDING),
        (E.CONFIRMED, 14, S.PENDING, S.CONFIRMED),
        (E.SHIPPED, 12, S.CONFIRMED, S.SHIPPED),
        (E.DELIVERED, 18, S.SHIPPED, S.DELIVERED),
    ]
    assert [(x.sku, x.quantity, x.unit_price_minor) for x in h.lines] == [
        ("p1", 2, 1000),
        ("p2", 1, 500),
    ]
    assert (h.subtotal_minor, h.shipping_minor, h.paid_minor) == (2500, 600, 3100)
    assert h.customer.email == "abcdef0123456789@olist.invalid"
    assert h.shipment is not None
    assert h.shipment.status is ShipmentStatus.DELIVERED
    assert h.shipment.promised_delivery_date == date(2017, 6, 20)
    assert h.shipment.ship_date == date(2017, 6, 3)
    assert h.shipment.ship_by == date(2017, 6, 5)
    assert not odd.counts


@pytest.mark.parametrize(
    ("olist", "oms"),
    [
        ("created", S.PENDING),
        ("approved", S.CONFIRMED),
        ("invoiced", S.PROCESSING),
        ("processing", S.PROCESSING),
        ("shipped", S.SHIPPED),
        ("canceled", S.CANCELLED),
        ("unavailable", S.CANCELLED),
    ],
)
def test_statuses_map_to_oms(olist: str, oms: S) -> None:
    open_times = {"order_delivered_carrier_date": "", "order_delivered_customer_date": ""}
    if olist == "shipped":
        open_times = {"order_delivered_customer_date": ""}
    h = read_order(order(order_status=olist, **open_times), Oddities())
    assert h.status is oms
    assert (h.shipment is not None) == (oms is S.SHIPPED)
    if oms is S.CANCELLED:
        assert h.events[-1].type is E.CANCELLED
        assert h.events[-1].at == h.events[-2].at  # no time given: the latest known


def test_what_cannot_be_stored_is_skipped_by_kind() -> None:
    with pytest.raises(Skip, match="no_items"):
        read_order(order(order_status="canceled", items=[]), Oddities())
    with pytest.raises(Skip, match="unknown_status"):
        read_order(order(order_status="lost"), Oddities())
    with pytest.raises(Skip, match="unknown_customer"):
        read_order(order(customer=None), Oddities())


def test_odd_but_true_rows_are_kept_and_counted() -> None:
    odd = Oddities()
    h = read_order(order(order_approved_at="2017-06-04 10:00:00", payments=[]), odd)
    assert odd.counts == {"carrier_before_approval": 1, "no_payment": 1}
    assert odd.examples["carrier_before_approval"] == ["o1"]
    assert [e.type for e in h.events] == [E.PLACED, E.CONFIRMED, E.SHIPPED, E.DELIVERED]
    assert h.paid_minor == 0
    odd = Oddities()
    h = read_order(order(order_approved_at="", order_delivered_customer_date=""), odd)
    assert set(odd.counts) == {"no_approval_time", "delivered_without_delivery_time"}
    assert [e.type for e in h.events] == [E.PLACED, E.SHIPPED]
    assert h.events[1].from_status is S.PENDING


def test_a_product_is_named_after_its_category_in_english() -> None:
    row = {"product_category_name": "beleza_saude", "product_weight_g": "225"}
    p = read_product("1e9e8ef0abc", row, {"beleza_saude": "health_beauty"}, 4890)
    assert (p.name, p.weight_grams, p.price_minor, p.currency) == (
        "Olist health beauty 1e9e8ef0",
        225,
        4890,
        "BRL",
    )
    assert read_product("ffff0000", None, {}, 100).name == "Olist uncategorised ffff0000"

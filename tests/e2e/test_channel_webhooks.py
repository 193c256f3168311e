"""Shop platforms' order webhooks over HTTP, with their documented example payloads
(tests/fixtures/platforms): a good signature places the order (201) and the platform's retry
answers the same order (200); a bad or missing signature is 401 and writes nothing; an
unknown SKU is 422 naming the platform's field; totals as the platform computed them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.channels.model import Channel, ChannelKind
from oms.services import channels
from tests.builders import stocked

FIXTURES = Path(__file__).parents[1] / "fixtures" / "platforms"
SHOPIFY_SKUS = (
    "SKU2006-001",
    "LENS-PROTECT-2YR",
    "CASE-LEATHER-PREM",
    "SKU2006-020",
    "SKU2006-035",
)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def channel(container: Container, name: str, kind: ChannelKind, **kw: Any) -> str:
    return channels.create_channel(container.uow(), SYSTEM, Channel(name, kind, **kw)).secret


@pytest.fixture
def anonymous(container: Container) -> TestClient:
    from oms.api.app import create_app

    return TestClient(create_app(container))


def post(api: TestClient, url: str, body: bytes, header: str, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[header] = signature
    return api.post(f"/api/v1{url}", content=body, headers=headers)


SHOPIFY = ("/channels/shop-us/shopify/orders", "X-Shopify-Hmac-Sha256")
WOO = ("/channels/woo/woocommerce/orders", "X-WC-Webhook-Signature")


def test_shopify_order_placed_once_with_the_platforms_totals(
    container: Container, anonymous: TestClient, client: TestClient
) -> None:
    secret = channel(container, "shop-us", ChannelKind.SHOPIFY)
    for sku in SHOPIFY_SKUS:
        stocked(container.uow(), sku, 5)
    body = (FIXTURES / "shopify_orders_create.json").read_bytes()
    first = post(anonymous, *SHOPIFY[:1], body, SHOPIFY[1], sign(secret, body))
    assert first.status_code == 201, first.text
    order = first.json()
    assert (order["channel"], order["external_id"], order["currency"]) == (
        "shop-us", "820982911946154508", "USD"
    )  # fmt: skip
    assert order["customer"]["email"] == "jon@example.com"
    assert order["customer"]["name"] == "John Smith"
    assert order["shipping_address"] == {
        "name": "Steve Shipper", "line1": "123 Shipping Street", "line2": None,
        "city": "Shippington", "postal_code": "40003", "country": "US",
    }  # fmt: skip
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("SKU2006-001", 1, "89.99"), ("LENS-PROTECT-2YR", 1, "19.99"),
        ("CASE-LEATHER-PREM", 1, "24.99"), ("SKU2006-020", 1, "159.99"),
        ("SKU2006-035", 1, "119.99"),
    ]  # fmt: skip
    assert order["totals"] == {
        "subtotal": "414.95", "discount": "20.00", "shipping": "10.00", "tax": "0.00",
        "total": "404.95",
    }  # fmt: skip
    assert order["totals"]["total"] == fixture("shopify_orders_create.json")["total_price"]
    assert all(ln["allocated_quantity"] == 1 for ln in order["lines"])

    retry = post(anonymous, *SHOPIFY[:1], body, SHOPIFY[1], sign(secret, body))
    assert retry.status_code == 200 and retry.json()["id"] == order["id"]
    events = client.get(f"/api/v1/orders/{order['id']}/events").json()["items"]
    assert [(e["type"], e["actor"]) for e in events] == [("order.placed", "channel:shop-us")]
    listed = client.get("/api/v1/orders", params={"channel": "shop-us"}).json()["items"]
    assert len(listed) == 1


def test_a_bad_or_missing_signature_is_401_and_writes_nothing(
    container: Container, anonymous: TestClient, client: TestClient
) -> None:
    secret = channel(container, "shop-us", ChannelKind.SHOPIFY)
    channel(container, "woo", ChannelKind.WOOCOMMERCE)
    for sku in SHOPIFY_SKUS:
        stocked(container.uow(), sku, 5)
    body = (FIXTURES / "shopify_orders_create.json").read_bytes()
    tampered = body.replace(b'"quantity": 1', b'"quantity": 9', 1)
    for url, header, signature, sent in [
        (*SHOPIFY, None, body),
        (*SHOPIFY, "", body),
        (*SHOPIFY, sign("not the secret", body), body),
        (*SHOPIFY, sign(secret, body), tampered),
        (*SHOPIFY, sign(secret, body)[:-2], body),
        ("/channels/nobody/shopify/orders", SHOPIFY[1], sign(secret, body), body),
        (WOO[0], WOO[1], sign(secret, body), body),  # another channel's secret
        (SHOPIFY[0], WOO[1], sign(secret, body), body),  # the other platform's header
    ]:
        answer = post(anonymous, url, sent, header, signature)
        assert answer.status_code == 401, (url, header, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/orders").json()["items"] == []


def test_an_unknown_sku_is_422_naming_the_platforms_line(
    container: Container, anonymous: TestClient, client: TestClient
) -> None:
    secret = channel(container, "shop-us", ChannelKind.SHOPIFY)
    for sku in SHOPIFY_SKUS[:4]:  # no coffee table in the catalogue
        stocked(container.uow(), sku, 5)
    body = (FIXTURES / "shopify_orders_create.json").read_bytes()
    answer = post(anonymous, *SHOPIFY[:1], body, SHOPIFY[1], sign(secret, body))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {"field": "line_items[4].sku", "message": "unknown SKU 'SKU2006-035'"}
    ]
    not_json = b"{not json"
    answer = post(anonymous, *SHOPIFY[:1], not_json, SHOPIFY[1], sign(secret, not_json))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body"
    assert client.get("/api/v1/orders").json()["items"] == []


def test_woocommerce_order_as_documented_and_with_tax_inclusive_prices(
    container: Container, anonymous: TestClient
) -> None:
    secret = channel(container, "woo", ChannelKind.WOOCOMMERCE)
    stocked(container.uow(), "Bar3", 5)
    stocked(container.uow(), "WOO-SINGLE-1", 5)
    documented = (FIXTURES / "woocommerce_order_created.json").read_bytes()
    refused = post(anonymous, *WOO[:1], documented, WOO[1], sign(secret, documented))
    assert refused.status_code == 422, refused.text  # its first line has no SKU
    assert refused.json()["errors"] == [{"field": "line_items[0].sku", "message": "missing"}]

    payload = fixture("woocommerce_order_created.json")
    payload["line_items"][0]["sku"] = "WOO-SINGLE-1"
    body = json.dumps(payload).encode()
    placed = post(anonymous, *WOO[:1], body, WOO[1], sign(secret, body))
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["external_id"], order["currency"]) == ("727", "USD")
    assert (order["customer"]["email"], order["customer"]["name"]) == (
        "john.doe@example.com",
        "John Doe",
    )
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("WOO-SINGLE-1", 2, "3.00"), ("Bar3", 1, "12.00"),
    ]  # fmt: skip
    assert order["totals"] == {
        "subtotal": "18.00", "discount": "0.00", "shipping": "10.00", "tax": "1.35",
        "total": "29.35",
    }  # fmt: skip
    assert order["totals"]["total"] == payload["total"]
    again = post(anonymous, *WOO[:1], body, WOO[1], sign(secret, body))
    assert again.status_code == 200 and again.json()["id"] == order["id"]

    inclusive = channel(container, "woo-eu", ChannelKind.WOOCOMMERCE, tax_inclusive=True)
    payload["id"] = 728
    body = json.dumps(payload).encode()
    url = "/channels/woo-eu/woocommerce/orders"
    placed = post(anonymous, url, body, WOO[1], sign(inclusive, body))
    assert placed.status_code == 201, placed.text
    assert placed.json()["totals"]["total"] == "28.00"  # the tax is inside the prices
    assert placed.json()["totals"]["tax"] == "1.35"

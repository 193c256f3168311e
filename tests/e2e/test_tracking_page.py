"""The customer's tracking page, GET /track/{token}: public, found only by its token."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.conftest import FakeClock
from tests.e2e.test_fulfilment_api import (
    API,
    carrier_client,
    location,
    place_confirmed,
    product,
    shipments_of,
    stock,
)

ADDRESS = {
    "name": "Ann Smith",
    "line1": "1 rue de la Paix",
    "line2": "Bâtiment B",
    "city": "Lyon",
    "postal_code": "69002",
    "country": "FR",
}


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location(client, "LYO", "FR", "69001")
    product(client, "TEE")
    product(client, "MUG", weight=350)
    stock(client, "LYO", "TEE", 5)
    stock(client, "LYO", "MUG", 5)
    return client


@pytest.fixture
def public(client: TestClient) -> TestClient:
    """A browser: no Authorization header, no cookie."""
    return TestClient(client.app)


def ship_all(shop: TestClient, order: dict[str, Any]) -> dict[str, Any]:
    """Pick, pack and ship the order's one shipment (as test_whole_journey does)."""
    (shipment,) = shipments_of(shop, order["id"])
    sid = shipment["id"]
    r = shop.post(f"{API}/pick-lists", json={"location": shipment["location"]})
    assert r.status_code == 201, r.text
    picked = [
        {"shipment_id": sid, "sku": line["sku"], "quantity": line["quantity"]}
        for line in shipment["lines"]
    ]
    r = shop.post(f"{API}/pick-lists/{r.json()['id']}/complete", json={"picked": picked})
    assert r.status_code == 200, r.text
    scanned = [{"sku": line["sku"], "quantity": line["quantity"]} for line in shipment["lines"]]
    r = shop.post(f"{API}/shipments/{sid}/pack", json={"scanned": scanned})
    assert r.status_code == 200, r.text
    r = shop.post(f"{API}/shipments/{sid}/ship", json={})
    assert r.status_code == 200, r.text
    shipped: dict[str, Any] = r.json()
    return shipped


def test_a_confirmed_order_is_being_prepared_and_shows_only_part_of_the_address(
    shop: TestClient, public: TestClient
) -> None:
    order = place_confirmed(shop, ("TEE", 2), ("MUG", 1), shipping_address=ADDRESS)
    page = public.get(order["tracking_url"])
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert order["number"] in html
    assert "Confirmed" in html
    assert "Preparing" in html
    assert "Delivering to: <strong>69002 Lyon, FR</strong>" in html
    assert "TEE" in html and "\N{MULTIPLICATION SIGN} 2" in html and "MUG" in html
    for secret in ("1 rue de la Paix", "Bâtiment B", "Ann Smith", "ann@example.com"):
        assert secret not in html
    assert "Tracking number" not in html


def test_a_staff_note_never_reaches_the_tracking_page(shop: TestClient, public: TestClient) -> None:
    order = place_confirmed(shop, ("TEE", 1))
    r = shop.post(f"{API}/orders/{order['id']}/notes", json={"text": "VIP: suspected reseller"})
    assert r.status_code == 201
    page = public.get(order["tracking_url"])
    assert page.status_code == 200 and order["number"] in page.text
    assert "reseller" not in page.text and "VIP" not in page.text


def test_an_order_without_shipments_says_it_is_being_prepared(
    client: TestClient, public: TestClient
) -> None:
    location(client, "LYO", "FR", "69001")
    product(client, "TEE")  # no stock: backordered, so no shipment yet
    order = place_confirmed(client, ("TEE", 1))
    assert shipments_of(client, order["id"]) == []
    page = public.get(order["tracking_url"])
    assert page.status_code == 200
    assert "We are preparing your order" in page.text


def test_the_page_follows_the_parcel_until_it_is_late(
    shop: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order = place_confirmed(shop, ("TEE", 2), ("MUG", 1), shipping_address=ADDRESS)
    shipped = ship_all(shop, order)
    html = public.get(order["tracking_url"]).text
    assert shipped["tracking_number"] in html
    assert shipped["carrier"] in html and shipped["service"] in html
    # Shipped on Monday 2 March 2026, FR domestic is 2 days.
    assert shipped["promised_delivery_date"] == "2026-03-04"
    assert "Expected by Wednesday 4 March 2026" in html
    assert "Monday 2 March 2026" in html  # the ship date, in the timeline
    assert "Running late" not in html

    carrier = carrier_client(shop, container)
    event = {
        "tracking_number": shipped["tracking_number"],
        "status": "in_transit",
        "at": "2026-03-02T18:30:00+01:00",
        "location": "Lyon hub",
        "note": "Sorted",
    }
    r = carrier.post(f"{API}/carriers/oms-post/events", json=event)
    assert r.status_code == 200, r.text
    html = public.get(order["tracking_url"]).text
    assert "In transit" in html
    assert "Lyon hub" in html and "Sorted" in html
    assert "Monday 2 March 2026, 17:30 UTC" in html
    assert html.index("Monday 2 March 2026<") < html.index("Lyon hub")  # oldest first

    clock.advance(days=10)
    html = public.get(order["tracking_url"]).text
    assert "Running late: it was expected by Wednesday 4 March 2026" in html

    problem = {**event, "status": "exception", "at": "2026-03-05T10:00:00+01:00"}
    problem["note"] = "Address label damaged"
    assert carrier.post(f"{API}/carriers/oms-post/events", json=problem).status_code == 200
    html = public.get(order["tracking_url"]).text
    assert "There is a problem with the delivery" in html
    assert "Address label damaged" in html

    delivered = {**event, "status": "delivered", "at": "2026-03-06T11:00:00+01:00"}
    delivered["location"] = "Lyon"
    assert carrier.post(f"{API}/carriers/oms-post/events", json=delivered).status_code == 200
    html = public.get(order["tracking_url"]).text
    assert "Running late" not in html
    assert "Expected by" not in html
    assert "Friday 6 March 2026, 10:00 UTC" in html
    assert "Delivered" in html


@pytest.mark.parametrize(
    "token",
    [
        "x" * 22,  # well-formed, unknown
        "short",
        "<script>alert(1)</script>" + "x" * 20,
        "a/b/" + "x" * 20,
        "x" * 200,
        "",
    ],
)
def test_an_unknown_or_malformed_token_is_a_plain_404(
    shop: TestClient, public: TestClient, token: str
) -> None:
    order = place_confirmed(shop, ("TEE", 1), shipping_address=ADDRESS)
    page = public.get(f"/track/{token}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    for leak in (order["number"], "Lyon", "TEE", "<script>alert"):
        assert leak not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-robots-tag"].startswith("noindex")


def test_a_token_differing_by_case_finds_nothing(shop: TestClient, public: TestClient) -> None:
    order = place_confirmed(shop, ("TEE", 1))
    token = order["tracking_url"].removeprefix("/track/")
    if token.swapcase() != token:  # a token of digits only has no other case
        assert public.get(f"/track/{token.swapcase()}").status_code == 404
    assert public.get(f"/track/{token}").status_code == 200


def test_what_the_customer_typed_is_escaped(shop: TestClient, public: TestClient) -> None:
    address = {**ADDRESS, "city": "<script>alert('x')</script>", "postal_code": "<b>1</b>"}
    order = place_confirmed(shop, ("TEE", 1), shipping_address=address)
    html = public.get(order["tracking_url"]).text
    assert "<script>alert" not in html and "<b>1</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<script" not in html  # the page itself needs no JavaScript


def test_the_secret_url_is_not_cached_indexed_nor_referred(
    shop: TestClient, public: TestClient
) -> None:
    order = place_confirmed(shop, ("TEE", 1))
    page = public.get(order["tracking_url"])
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-robots-tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page.text
    assert '<meta name="viewport" content="width=device-width' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for external in ("http://", "https://", "//cdn", "<link", "src="):
        assert external not in page.text

"""Lost parcels and late to ship over HTTP: `POST /shipments/{id}/lost` and `/reship`
(401, 403, 404, 409, 422), a carrier's `lost`, `late_kind` on shipments and in the list's
filter, and the service queue's `problem`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

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
from tests.e2e.test_fulfilment_paths import pack_and_ship, pick_all


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location(client, "PAR", "FR", "75011", priority=10)
    product(client, "TEE")
    stock(client, "PAR", "TEE", 5)
    return client


def shipped(shop: TestClient, n: int = 1) -> dict[str, Any]:
    order = place_confirmed(shop, ("TEE", n))
    [sid] = pick_all(shop, "PAR")["shipments"]
    s = pack_and_ship(shop, sid)
    assert s["order_id"] == order["id"]
    return s


def test_declaring_lost_and_reshipping_over_http(
    shop: TestClient, client_for: Any, clock: FakeClock
) -> None:
    s = shipped(shop, 2)
    sid = s["id"]
    assert s["late_kind"] is None and s["replaces_id"] is None and s["ship_by"]
    url = f"{API}/shipments/{sid}"
    assert client_for(None).post(f"{url}/lost", json={"reason": "x"}).status_code == 401
    assert client_for("warehouse").post(f"{url}/lost", json={"reason": "x"}).status_code == 403
    assert client_for("warehouse").post(f"{url}/reship").status_code == 403
    assert shop.post(f"{API}/shipments/999999/lost", json={"reason": "x"}).status_code == 404
    assert shop.post(f"{API}/shipments/999999/reship").status_code == 404
    assert shop.post(f"{url}/lost", json={}).status_code == 422
    assert shop.post(f"{url}/lost", json={"reason": " "}).status_code == 422
    assert shop.post(f"{url}/lost", json={"reason": "x" * 501}).status_code == 422
    r = shop.post(f"{url}/reship")  # not lost yet
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"

    cs = client_for("customer_service")
    r = cs.post(f"{url}/lost", json={"reason": "no scan for ten days"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "lost"
    assert cs.post(f"{url}/lost", json={"reason": "again"}).status_code == 409

    queue = cs.get(f"{API}/service/queue").json()["items"]
    [item] = [i for i in queue if i["why"] == "problem"]
    assert (item["order_id"], item["detail"]) == (s["order_id"], "lost")

    r = cs.post(f"{url}/reship")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["replaced"]["id"] == sid and body["replaced"]["status"] == "replaced"
    [new] = body["shipments"]
    assert (new["status"], new["replaces_id"], new["lines"][0]["quantity"]) == ("open", sid, 2)
    assert body["backordered"] == {}
    assert cs.post(f"{url}/reship").status_code == 409  # a second reship
    order = shop.get(f"{API}/orders/{s['order_id']}").json()
    assert order["status"] == "processing"
    queue = cs.get(f"{API}/service/queue").json()["items"]
    assert [i for i in queue if i["why"] == "problem"] == []
    events = shop.get(f"{API}/orders/{s['order_id']}/events").json()["items"]
    types = [e["type"] for e in events]
    assert "shipment.lost" in types and "shipment.replaced" in types


def test_a_carrier_reports_lost_and_the_parcel_is_sent_again(
    shop: TestClient, container: Any
) -> None:
    s = shipped(shop)
    carrier = carrier_client(shop, container)
    event = {"tracking_number": s["tracking_number"], "status": "lost", "at": s["updated_at"]}
    r = carrier.post(f"{API}/carriers/oms-post/events", json=event)
    assert r.status_code == 200 and r.json()["applied"], r.text
    assert shop.get(f"{API}/shipments/{s['id']}").json()["status"] == "lost"
    lost = shop.get(f"{API}/shipments", params={"status": "lost"}).json()["items"]
    assert [x["id"] for x in lost] == [s["id"]]
    r = shop.post(f"{API}/shipments/{s['id']}/reship")
    assert r.status_code == 200, r.text
    ships = shipments_of(shop, s["order_id"])
    assert sorted(x["status"] for x in ships) == ["open", "replaced"]


def test_a_shipment_not_shipped_by_its_day_is_late_to_ship(
    shop: TestClient, clock: FakeClock
) -> None:
    order = place_confirmed(shop, ("TEE", 1))
    [s] = shipments_of(shop, order["id"])
    assert s["late"] is False and s["late_kind"] is None
    clock.advance(days=10)
    [s] = shipments_of(shop, order["id"])
    assert s["late"] is True and s["late_kind"] == "to_ship"
    late = shop.get(f"{API}/shipments", params={"late": "true"}).json()["items"]
    assert [x["id"] for x in late] == [s["id"]]
    for kind, ids in (("to_ship", [s["id"]]), ("to_deliver", [])):
        got = shop.get(f"{API}/shipments", params={"late_kind": kind}).json()["items"]
        assert [x["id"] for x in got] == ids
    assert shop.get(f"{API}/shipments", params={"late_kind": "soon"}).status_code == 422
    queue = shop.get(f"{API}/service/queue").json()["items"]
    [item] = [i for i in queue if i["why"] == "late"]
    assert item["detail"] == "to_ship" and item["since"].startswith(s["ship_by"])

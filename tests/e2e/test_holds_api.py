"""The HTTP contract of checkout holds and the channel availability feed (API.md, Channels)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.domain.inventory.holds import HoldRequest
from oms.services import holds, orders
from tests.builders import draft, order_body, stocked
from tests.conftest import FakeClock

API = "/api/v1"
PROBLEM = "application/problem+json"


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    r = client.post(
        f"{API}/locations",
        json={"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR",
              "postal_code": "75011", "ships": True},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    for sku, on_hand in (("TEE", 5), ("MUG", 2)):
        r = client.post(f"{API}/products", json={"sku": sku, "name": sku, "price": "9.90"})
        assert r.status_code == 201, r.text
        assert client.put(f"{API}/stock/PAR/{sku}", json={"on_hand": on_hand}).status_code == 200
    return client


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    return body


def stock(client: TestClient, sku: str) -> dict[str, Any]:
    (row,) = client.get(f"{API}/stock", params={"sku": sku}).json()["items"]
    return row  # type: ignore[no-any-return]


def test_a_hold_answers_its_expiry_and_what_it_kept(shop: TestClient, clock: FakeClock) -> None:
    r = shop.post(
        f"{API}/holds",
        json={"channel": "web", "lines": [{"sku": "TEE", "quantity": 7}], "expires_in": 600},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["channel"] == "web"
    assert datetime.fromisoformat(body["expires_at"]) == clock.now.replace(minute=10)
    assert body["lines"] == [{"sku": "TEE", "quantity": 7, "held_quantity": 5}]
    assert stock(shop, "TEE")["available"] == 0
    feed = shop.get(f"{API}/channels/web/availability", params={"sku": "TEE"}).json()
    assert feed == {"items": [{"sku": "TEE", "available": 0}], "next_cursor": None}


def test_an_order_with_hold_id_takes_the_held_units(shop: TestClient) -> None:
    h = shop.post(
        f"{API}/holds", json={"channel": "web", "lines": [{"sku": "MUG", "quantity": 2}]}
    ).json()
    other = shop.post(f"{API}/orders", json=order_body(("MUG", 1)))
    assert other.json()["lines"][0]["backordered_quantity"] == 1
    r = shop.post(f"{API}/orders", json=order_body(("MUG", 2), hold_id=h["id"]))
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["allocated_quantity"] == 2
    again = shop.post(f"{API}/orders", json=order_body(("MUG", 2), hold_id=h["id"]))
    assert "already taken" in problem(again, 409)["detail"]
    problem(shop.delete(f"{API}/holds/{h['id']}"), 409)


def test_an_expired_hold_is_409_and_its_units_are_free(shop: TestClient, clock: FakeClock) -> None:
    h = shop.post(
        f"{API}/holds",
        json={"channel": "web", "lines": [{"sku": "TEE", "quantity": 5}], "expires_in": 60},
    ).json()
    clock.advance(seconds=60)
    assert stock(shop, "TEE")["available"] == 5
    r = shop.post(f"{API}/orders", json=order_body(("TEE", 1), hold_id=h["id"]))
    assert "expired" in problem(r, 409)["detail"]
    assert shop.delete(f"{API}/holds/{h['id']}").status_code == 204


def test_unknown_and_foreign_holds_are_422_on_the_hold_id_field(shop: TestClient) -> None:
    h = shop.post(
        f"{API}/holds", json={"channel": "market", "lines": [{"sku": "TEE", "quantity": 1}]}
    ).json()
    for hold_id in (h["id"], h["id"] + 99):
        r = shop.post(f"{API}/orders", json=order_body(("TEE", 1), hold_id=hold_id))
        assert [e["field"] for e in problem(r, 422)["errors"]] == ["hold_id"]
    assert stock(shop, "TEE")["reserved"] == 0


def test_deleting_a_hold_frees_its_units(shop: TestClient) -> None:
    h = shop.post(
        f"{API}/holds", json={"channel": "web", "lines": [{"sku": "TEE", "quantity": 3}]}
    ).json()
    assert stock(shop, "TEE")["available"] == 2
    r = shop.delete(f"{API}/holds/{h['id']}")
    assert r.status_code == 204 and r.content == b""
    assert stock(shop, "TEE")["available"] == 5
    problem(shop.delete(f"{API}/holds/999999"), 404)


def test_invalid_holds_are_422_with_every_field(shop: TestClient) -> None:
    r = shop.post(
        f"{API}/holds",
        json={"channel": "", "lines": [{"sku": "NOPE", "quantity": 0}], "expires_in": -1},
    )
    fields = {e["field"] for e in problem(r, 422)["errors"]}
    assert {"channel", "lines[0].quantity", "expires_in"} <= fields
    problem(shop.post(f"{API}/holds", json={"channel": "web", "lines": "x"}), 422)


def test_the_feed_without_sku_pages_the_catalogue(shop: TestClient) -> None:
    first = shop.get(f"{API}/channels/web/availability", params={"limit": 1}).json()
    assert first["items"] == [{"sku": "MUG", "available": 2}]
    rest = shop.get(
        f"{API}/channels/web/availability", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert rest["items"] == [{"sku": "TEE", "available": 5}]
    problem(shop.get(f"{API}/channels/web/availability", params={"sku": "NOPE"}), 404)


def test_the_worker_sweeps_expired_holds_and_fills_the_backorders_they_free(
    container: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from oms.cli import app

    uow = container.uow()
    stocked(uow, "TEE", 2)
    holds.create_hold(uow, SYSTEM, HoldRequest("web", [("TEE", 2)], 60))  # the test clock's
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    assert waiting.lines[0].backordered_quantity == 2
    monkeypatch.setenv("OMS_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("OMS_MAILBOX_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["worker", "--once"])  # on the real clock: long after
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "swept 1 expired hold(s)" in " ".join(result.output.split())
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].allocated_quantity == 2

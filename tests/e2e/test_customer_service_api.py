"""Customer service over HTTP: the contract of API.md "Customer service" — the search box's
new shapes, the queue (paged) and the customer view, their 403, 404 and 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft, order_body, stocked
from tests.conftest import FakeClock

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def held(container: Container, clock: FakeClock) -> list[int]:
    """Three orders on hold, an hour apart."""
    uow = container.uow()
    stocked(uow, "MUG", 10)
    ids = []
    for _ in range(3):
        order_id = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
        orders.hold_order(uow, SYSTEM, order_id, "address to check")
        ids.append(order_id)
        clock.advance(hours=1)
    return ids


def test_a_phone_is_taken_normalised_and_found_however_it_is_written(
    container: Container, client: TestClient
) -> None:
    stocked(container.uow(), "MUG", 5)
    body = order_body(("MUG", 1), external_id="AMZ-123-456")
    body["customer"]["phone"] = "+33 (0)6 12-34-56.78"
    placed = client.post(f"{API}/orders", json=body)
    assert placed.status_code == 201, placed.text
    assert placed.json()["customer"]["phone"] == "+330612345678"
    order_id = placed.json()["id"]
    for q in ("+330612345678", "+33 0 6 12 34 56 78", "AMZ-123-456"):
        found = client.get(f"{API}/orders", params={"q": q}).json()["items"]
        assert [o["id"] for o in found] == [order_id], q
    assert client.get(f"{API}/orders", params={"q": "amz-123-456"}).json()["items"] == []
    again = client.get(f"{API}/orders/{order_id}").json()
    assert again["customer"]["phone"] == "+330612345678"


@pytest.mark.parametrize("phone", ["12345", "call me", "+33 6 12 34 56 78 90 12 34", "33+6123456"])
def test_a_phone_that_is_not_one_is_a_422_naming_the_field(
    container: Container, client: TestClient, phone: str
) -> None:
    stocked(container.uow(), "MUG", 5)
    body = order_body(("MUG", 1))
    body["customer"]["phone"] = phone
    answer = problem(client.post(f"{API}/orders", json=body), 422)
    assert "customer.phone" in str(answer)
    assert client.get(f"{API}/orders").json()["items"] == []


def test_the_queue_is_paged_oldest_first(client: TestClient, held: list[int]) -> None:
    first = client.get(f"{API}/service/queue", params={"limit": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert [(i["order_id"], i["why"]) for i in page["items"]] == [
        (held[0], "on_hold"),
        (held[1], "on_hold"),
    ]
    assert set(page["items"][0]) == {"order_id", "number", "why", "since", "detail"}
    assert page["items"][0]["detail"] is None  # said for late (which kind) and problem only
    assert page["items"][0]["number"].startswith("SO-") and page["next_cursor"]
    rest = client.get(
        f"{API}/service/queue", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [i["order_id"] for i in rest["items"]] == [held[2]]
    assert rest["next_cursor"] is None
    problem(client.get(f"{API}/service/queue", params={"cursor": "bm9wZQ"}), 422)


def test_the_customer_view_and_its_404(client: TestClient, held: list[int]) -> None:
    answer = client.get(f"{API}/customers/Ann@Example.com")
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["email"], view["name"], view["phone"]) == ("ann@example.com", "Ann Smith", None)
    assert [o["id"] for o in view["orders"]] == held[::-1]
    assert view["orders"][0]["where"] == {
        "status": "on_hold",
        "shipment_status": None,
        "promised_delivery_date": None,
        "late": False,
    }
    assert view["returns"] == []
    assert view["totals"] == {
        "orders": 3,
        "spent": {"EUR": "30.00"},
        "returned_units": 0,
        "return_rate": None,
    }
    problem(client.get(f"{API}/customers/nobody@example.com"), 404)


def test_a_role_without_order_read_gets_403(client_for: ClientFor, held: list[int]) -> None:
    carrier = client_for("carrier")
    problem(carrier.get(f"{API}/service/queue"), 403)
    problem(carrier.get(f"{API}/customers/ann@example.com"), 403)

"""Return policies over HTTP: list, the policy that applies to a channel and its source,
set and delete (admin only), refusals as problem+json, and a changed policy honoured when
a return is started."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.builders import stocked
from tests.conftest import FakeClock
from tests.e2e.test_returns_api import body, problem
from tests.service.test_returns import delivered

API = "/api/v1/return-policies"
ClientFor = Callable[[str | None], TestClient]
WEB = {"window_days": 14, "non_returnable": ["GIFT"], "customer_pays": ["changed_mind"]}


@pytest.fixture
def gift(container: Container) -> str:
    stocked(container.uow(), "GIFT", 0)
    return "GIFT"


def test_an_unknown_channel_falls_back_to_the_default_then_the_built_in_policy(
    client: TestClient, gift: str
) -> None:
    built_in = client.get(f"{API}/market")
    assert built_in.status_code == 200, built_in.text
    assert built_in.json() == {
        "channel": "market",
        "source": "built-in",
        "window_days": 30,
        "non_returnable": [],
        "customer_pays": ["changed_mind", "no_longer_needed", "other"],
        "completion_days": 14,
        "shipping_paid_by": {
            "late": "seller",
            "wrong_item": "seller",
            "damaged": "seller",
            "not_as_described": "seller",
            "changed_mind": "customer",
            "no_longer_needed": "customer",
            "other": "customer",
        },
    }
    assert client.get(API).json() == {"items": [], "next_cursor": None}

    put = client.put(f"{API}/%2A", json={**WEB, "window_days": 21})
    assert put.status_code == 200, put.text
    assert (put.json()["channel"], put.json()["source"]) == ("*", "default")
    fallen = client.get(f"{API}/market").json()
    assert (fallen["source"], fallen["window_days"], fallen["non_returnable"]) == (
        "default",
        21,
        ["GIFT"],
    )
    assert client.get(f"{API}/*").json()["source"] == "default"  # a literal * works too


def test_an_admin_sets_and_deletes_a_channels_policy(client: TestClient, gift: str) -> None:
    put = client.put(f"{API}/web", json=WEB)
    assert put.status_code == 200, put.text
    got = client.get(f"{API}/web").json()
    assert got == put.json()
    assert (got["source"], got["window_days"], got["customer_pays"]) == (
        "channel",
        14,
        ["changed_mind"],
    )
    assert got["shipping_paid_by"]["other"] == "seller"
    listed = client.get(API).json()
    assert [(p["channel"], p["source"]) for p in listed["items"]] == [("web", "channel")]

    gone = client.delete(f"{API}/web")
    assert gone.status_code == 204 and gone.content == b""
    assert client.get(f"{API}/web").json()["source"] == "built-in"
    missing = problem(client.delete(f"{API}/web"), 404)
    assert "no return policy of its own" in missing["detail"]


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({**WEB, "window_days": -1}, "window_days"),
        ({**WEB, "window_days": 3651}, "window_days"),
        ({**WEB, "window_days": "14"}, "window_days"),
        ({**WEB, "completion_days": -1}, "completion_days"),
        ({**WEB, "completion_days": 366}, "completion_days"),
        ({**WEB, "customer_pays": ["late", "whim"]}, "customer_pays[1]"),
        ({**WEB, "non_returnable": ["GIFT", "NOPE"]}, "non_returnable[1]"),
        ({"window_days": 14}, "customer_pays"),
        ({**WEB, "colour": "red"}, "colour"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    client: TestClient, gift: str, sent: dict[str, Any], field: str
) -> None:
    answer = problem(client.put(f"{API}/web", json=sent), 422)
    assert [e["field"] for e in answer["errors"]] == [field]
    assert client.get(API).json()["items"] == []


def test_an_unknown_sku_is_named_in_the_refusal(client: TestClient, gift: str) -> None:
    answer = problem(client.put(f"{API}/web", json={**WEB, "non_returnable": ["NOPE"]}), 422)
    assert "NOPE" in answer["detail"] and "NOPE" in answer["errors"][0]["message"]
    problem(client.put(f"{API}/{'x' * 65}", json=WEB), 422)


@pytest.mark.parametrize("role", ["customer_service", "sales", "warehouse", "analyst"])
def test_other_roles_read_policies_but_may_not_change_them(
    client: TestClient, client_for: ClientFor, gift: str, role: str
) -> None:
    assert client.put(f"{API}/web", json=WEB).status_code == 200
    other = client_for(role)
    assert other.get(API).status_code == 200
    assert other.get(f"{API}/web").json()["window_days"] == 14
    refused = problem(other.put(f"{API}/web", json={**WEB, "window_days": 1}), 403)
    assert role in refused["detail"]
    problem(other.delete(f"{API}/web"), 403)
    assert client.get(f"{API}/web").json()["window_days"] == 14


def test_without_a_token_every_call_is_401(client_for: ClientFor) -> None:
    anonymous = client_for(None)
    for method, url, sent in [
        ("GET", API, None),
        ("GET", f"{API}/web", None),
        ("PUT", f"{API}/web", WEB),
        ("DELETE", f"{API}/web", None),
    ]:
        answer = problem(anonymous.request(method, url, json=sent), 401)
        assert answer["status"] == 401


def test_a_return_outside_a_window_set_to_0_days_is_409(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 2))
    clock.advance(days=1)
    put = client.put(f"{API}/web", json={**WEB, "window_days": 0, "non_returnable": []})
    assert put.status_code == 200, put.text
    refused = problem(client.post(f"/api/v1/orders/{order_id}/returns", json=body(("TEE", 1))), 409)
    assert "return window of 0 days" in refused["detail"]
    assert client.delete(f"{API}/web").status_code == 204
    started = client.post(f"/api/v1/orders/{order_id}/returns", json=body(("TEE", 1)))
    assert started.status_code == 201, started.text

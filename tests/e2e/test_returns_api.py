"""Returns over HTTP: the contract of API.md "Returns and money" (without refunds and
exchanges), its happy path and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.fulfilment.tracking import parse_tracking_number
from oms.domain.returns.policy import ReturnPolicy
from oms.services.ports.returns import DEFAULT_CHANNEL
from tests.conftest import FakeClock
from tests.service.test_returns import delivered

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]


def body(*lines: tuple[str, int], **kw: Any) -> dict[str, Any]:
    return {
        "lines": [{"sku": s, "quantity": q, "reason": "damaged", "note": "torn"} for s, q in lines],
        "resolution": "refund",
        **kw,
    }


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def order_id(container: Container, clock: FakeClock) -> int:
    """An order of three tees, delivered from PAR."""
    return delivered(container.uow(), clock, ("TEE", 3))


def test_a_return_from_request_to_inspection(
    client_for: ClientFor, container: Container, order_id: int
) -> None:
    cs, keeper = client_for("customer_service"), client_for("warehouse")
    created = cs.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 2)))
    assert created.status_code == 201, created.text
    r = created.json()
    assert r["number"].startswith("RMA-") and r["status"] == "requested"
    assert r["lines"] == [
        {
            "sku": "TEE",
            "quantity": 2,
            "reason": "damaged",
            "note": "torn",
            "received_quantity": 0,
            "resellable_quantity": 0,
            "damaged_quantity": 0,
        }
    ]
    assert (r["tracking_number"], r["refund_total"], r["exchange_order_id"]) == (None, None, None)

    approved = cs.post(f"{API}/returns/{r['id']}/approve").json()
    assert approved["status"] == "approved"
    parse_tracking_number(approved["tracking_number"])  # a valid S10 number
    label = cs.get(f"{API}/returns/{r['id']}/label.pdf")
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    assert label.headers["content-type"] == "application/pdf"

    received = keeper.post(
        f"{API}/returns/{r['id']}/receive",
        json={"location": "PAR", "lines": [{"sku": "TEE", "quantity": 2}]},
    ).json()
    assert received["status"] == "received" and received["received_location"] == "PAR"
    order = keeper.get(f"{API}/orders/{order_id}").json()
    assert order["lines"][0]["returned_quantity"] == 2

    on_hand = keeper.get(f"{API}/stock?sku=TEE&location=PAR").json()["items"][0]["on_hand"]
    inspected = keeper.post(
        f"{API}/returns/{r['id']}/inspect",
        json={"lines": [{"sku": "TEE", "resellable": 1, "damaged": 1}]},
    ).json()
    assert inspected["status"] == "inspected"
    assert inspected["lines"][0]["resellable_quantity"] == 1
    assert inspected["lines"][0]["damaged_quantity"] == 1
    after = keeper.get(f"{API}/stock?sku=TEE&location=PAR").json()["items"][0]["on_hand"]
    assert after == on_hand + 1
    ledger = keeper.get(f"{API}/stock/PAR/TEE/ledger").json()["items"]
    kinds = [(x["kind"], x["on_hand_delta"]) for x in ledger[-2:]]
    assert kinds == [("return", 2), ("write_off", -1)]
    events = [e["type"] for e in cs.get(f"{API}/orders/{order_id}/events").json()["items"]]
    assert events[-4:] == [
        "return.requested",
        "return.approved",
        "return.received",
        "return.inspected",
    ]

    listed = cs.get(f"{API}/returns", params={"order_id": order_id}).json()
    assert [x["id"] for x in listed["items"]] == [r["id"]]
    assert cs.get(f"{API}/returns", params={"status": "requested"}).json()["items"] == []
    assert cs.get(f"{API}/returns/{r['id']}").json() == inspected


def test_more_than_delivered_is_409_with_the_line(client: TestClient, order_id: int) -> None:
    answer = problem(client.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 4))), 409)
    assert answer["errors"][0]["field"] == "lines[0].quantity"
    assert client.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 3))).status_code == 201
    problem(client.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 1))), 409)


def test_outside_the_window_is_409_unless_customer_service_overrides(
    client_for: ClientFor, container: Container, clock: FakeClock, order_id: int
) -> None:
    uow = container.uow()
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(window_days=14)))
    clock.advance(days=20)
    cs, sales = client_for("customer_service"), client_for("sales")
    url = f"{API}/orders/{order_id}/returns"
    answer = problem(cs.post(url, json=body(("TEE", 1))), 409)
    assert "return window of 14 days" in answer["detail"]
    problem(sales.post(url, json=body(("TEE", 1), override_reason="nice customer")), 403)
    made = cs.post(url, json=body(("TEE", 1), override_reason="parcel lost for a week"))
    assert made.status_code == 201, made.text
    assert made.json()["override_reason"] == "parcel lost for a week"
    events = cs.get(f"{API}/orders/{order_id}/events").json()["items"]
    override = [e for e in events if e["type"] == "return.policy_overridden"]
    assert override[0]["data"]["reason"] == "parcel lost for a week"


def test_a_role_without_the_permission_gets_403(client_for: ClientFor, order_id: int) -> None:
    problem(
        client_for("warehouse").post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 1))), 403
    )
    problem(
        client_for("analyst").post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 1))), 403
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"lines": [], "resolution": "refund"},
        {"lines": [{"sku": "TEE", "quantity": 0, "reason": "damaged"}], "resolution": "refund"},
        {"lines": [{"sku": "TEE", "quantity": 1, "reason": "bored"}], "resolution": "refund"},
        {"lines": [{"sku": "TEE", "quantity": 1, "reason": "late"}], "resolution": "cash"},
        {
            "lines": [{"sku": "TEE", "quantity": 1, "reason": "late"}],
            "resolution": "refund",
            "x": 1,
        },
        {
            "lines": [
                {"sku": "TEE", "quantity": 1, "reason": "late"},
                {"sku": "TEE", "quantity": 1, "reason": "late"},
            ],
            "resolution": "refund",
        },
    ],
)
def test_a_bad_body_is_422(client: TestClient, order_id: int, bad: dict[str, Any]) -> None:
    answer = problem(client.post(f"{API}/orders/{order_id}/returns", json=bad), 422)
    assert answer["errors"]


def test_unknown_orders_and_returns_are_404(client: TestClient) -> None:
    problem(client.post(f"{API}/orders/999/returns", json=body(("TEE", 1))), 404)
    problem(client.get(f"{API}/returns/999"), 404)
    problem(client.post(f"{API}/returns/999/approve"), 404)
    problem(client.get(f"{API}/returns/999/label.pdf"), 404)


def test_steps_out_of_order_and_wrong_inspection_sums_are_refused(
    client: TestClient, order_id: int
) -> None:
    r = client.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 2))).json()
    url = f"{API}/returns/{r['id']}"
    problem(client.get(f"{url}/label.pdf"), 409)  # no label before approval
    receive = {"location": "PAR", "lines": [{"sku": "TEE", "quantity": 2}]}
    problem(client.post(f"{url}/receive", json=receive), 409)
    assert client.post(f"{url}/approve").status_code == 200
    problem(client.post(f"{url}/approve"), 409)
    problem(client.post(f"{url}/reject", json={"reason": "late"}), 409)
    unknown = problem(client.post(f"{url}/receive", json={**receive, "location": "XYZ"}), 422)
    assert unknown["errors"][0]["field"] == "location"
    too_many = {"location": "PAR", "lines": [{"sku": "TEE", "quantity": 3}]}
    problem(client.post(f"{url}/receive", json=too_many), 422)
    assert client.post(f"{url}/receive", json=receive).status_code == 200
    problem(client.post(f"{url}/receive", json=receive), 409)
    wrong = {"lines": [{"sku": "TEE", "resellable": 2, "damaged": 1}]}
    answer = problem(client.post(f"{url}/inspect", json=wrong), 422)
    assert "resellable + damaged must be 2" in answer["detail"]
    negative = {"lines": [{"sku": "TEE", "resellable": -1, "damaged": 3}]}
    problem(client.post(f"{url}/inspect", json=negative), 422)
    right = {"lines": [{"sku": "TEE", "resellable": 2, "damaged": 0}]}
    assert client.post(f"{url}/inspect", json=right).status_code == 200
    problem(client.post(f"{url}/inspect", json=right), 409)


def test_a_rejected_return_says_why(client: TestClient, order_id: int) -> None:
    r = client.post(f"{API}/orders/{order_id}/returns", json=body(("TEE", 1))).json()
    problem(client.post(f"{API}/returns/{r['id']}/reject", json={"reason": ""}), 422)
    rejected = client.post(f"{API}/returns/{r['id']}/reject", json={"reason": "worn"}).json()
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "worn")


def test_returns_are_paged(client: TestClient, container: Container, clock: FakeClock) -> None:
    uow = container.uow()
    order = delivered(uow, clock, ("TEE", 3))
    ids = [
        client.post(f"{API}/orders/{order}/returns", json=body(("TEE", 1))).json()["id"]
        for _ in range(3)
    ]
    first = client.get(f"{API}/returns", params={"limit": 2}).json()
    assert [x["id"] for x in first["items"]] == ids[::-1][:2]
    rest = client.get(f"{API}/returns", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [x["id"] for x in rest["items"]] == [ids[0]]
    assert rest["next_cursor"] is None
    problem(client.get(f"{API}/returns", params={"status": "lost"}), 422)

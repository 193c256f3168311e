"""Money over HTTP: the contract of API.md "Returns and money" for payments, discounts and
tax, refunds (of returns and of cancelled lines), retries, exchanges and closing a return."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.adapters.payments.manual import ProviderBook
from oms.bootstrap import Container
from tests.builders import order_body, stocked
from tests.conftest import FakeClock
from tests.fakes import Flaky
from tests.service.test_returns import delivered

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]
KEEPER: list[str] = []  # the warehouse user's Authorization header, set by `order_id`


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    answer: dict[str, Any] = response.json()
    assert answer["status"] == status
    return answer


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def pay(api: TestClient, order_id: int, amount: str, **kw: Any) -> Any:
    return api.post(f"{API}/orders/{order_id}/payments", json={"amount": amount, **kw})


def inspected(
    api: TestClient, order_id: int, quantity: int, reason: str = "damaged", **kw: Any
) -> int:
    """A return of `quantity` tees, approved, received at PAR and inspected resellable."""
    lines = [{"sku": "TEE", "quantity": quantity, "reason": reason}]
    body = {"lines": lines, "resolution": kw.pop("resolution", "refund")}
    r = ok(api.post(f"{API}/orders/{order_id}/returns", json=body), 201)
    ok(api.post(f"{API}/returns/{r['id']}/approve"))
    back = [{"sku": "TEE", "quantity": quantity}]
    keeper = TestClient(api.app, headers={"Authorization": KEEPER[0]})
    ok(keeper.post(f"{API}/returns/{r['id']}/receive", json={"location": "PAR", "lines": back}))
    checked = [{"sku": "TEE", "resellable": quantity, "damaged": 0}]
    ok(keeper.post(f"{API}/returns/{r['id']}/inspect", json={"lines": checked}))
    return int(r["id"])


def status_of(api: TestClient, order_id: int) -> tuple[str, str, str]:
    o = ok(api.get(f"{API}/orders/{order_id}"))
    return o["payment_status"], o["paid_total"], o["refunded_total"]


@pytest.fixture
def order_id(container: Container, clock: FakeClock, client_for: ClientFor) -> int:
    """An order of three tees at 10.00, no shipping, delivered from PAR: 30.00 due."""
    KEEPER[:] = [client_for("warehouse").headers["Authorization"]]
    return delivered(container.uow(), clock, ("TEE", 3))


def test_a_payment_is_recorded_once_and_never_for_more_than_is_due(
    client_for: ClientFor, order_id: int
) -> None:
    sales = client_for("sales")
    assert status_of(sales, order_id) == ("unpaid", "0.00", "0.00")

    first = ok(pay(sales, order_id, "12.50", reference="SEPA-0001"), 201)
    assert first["amount"] == "12.50" and first["currency"] == "EUR"
    assert (first["provider"], first["reference"]) == ("manual", "SEPA-0001")
    assert first["created_by"] == "sales-user"
    again = ok(pay(sales, order_id, "12.50", reference="SEPA-0001"), 200)
    assert again["id"] == first["id"]
    assert status_of(sales, order_id) == ("partially_paid", "12.50", "0.00")

    over = problem(pay(sales, order_id, "17.51", reference="SEPA-0002"), 409)
    assert "17.50" in over["detail"]
    unknown = problem(pay(sales, order_id, "1.00", provider="bitcoin"), 422)
    assert any(e["field"].endswith("provider") for e in unknown["errors"]), unknown
    problem(pay(sales, order_id, "0.001"), 422)
    problem(pay(sales, order_id, "0"), 422)

    second = ok(pay(sales, order_id, "17.50"), 201)
    assert second["reference"].startswith("manual-")  # oms makes one up when none is sent
    assert status_of(sales, order_id) == ("paid", "30.00", "0.00")
    listed = ok(sales.get(f"{API}/orders/{order_id}/payments"))["items"]
    assert [p["id"] for p in listed] == [first["id"], second["id"]]
    assert [p["amount"] for p in listed] == ["12.50", "17.50"]
    problem(pay(sales, 999_999, "1.00"), 404)


def test_a_payment_amount_sent_as_a_float_is_refused(client_for: ClientFor, order_id: int) -> None:
    sales = client_for("sales")
    answer = problem(sales.post(f"{API}/orders/{order_id}/payments", json={"amount": 1.5}), 422)
    assert answer["errors"][0]["field"] == "amount"
    body = order_body(("TEE", 1))
    body["lines"][0]["unit_price"] = 19.9
    problem(sales.post(f"{API}/orders", json=body), 422)


def test_line_and_order_discounts_and_tax_make_exact_totals(
    client_for: ClientFor, container: Container
) -> None:
    uow = container.uow()
    stocked(uow, "MUG", 10)
    stocked(uow, "TEE", 10)
    sales = client_for("sales")
    lines = [
        {"sku": "MUG", "quantity": 3, "unit_price": "10.00", "discount": "3.00", "tax": "4.86"},
        {"sku": "TEE", "quantity": 1, "unit_price": "20.00", "tax": "3.60"},
    ]
    body = order_body(shipping="4.90", discount="4.70")
    placed = ok(sales.post(f"{API}/orders", json={**body, "lines": lines}), 201)
    # The order discount is spread by what each line costs after its own: 27.00 and 20.00.
    assert [x["discount"] for x in placed["lines"]] == ["5.70", "2.00"]
    assert [x["tax"] for x in placed["lines"]] == ["4.86", "3.60"]
    assert placed["totals"] == {
        "subtotal": "50.00",
        "discount": "7.70",
        "shipping": "4.90",
        "tax": "8.46",
        "total": "55.66",
    }
    assert placed["prices_include_tax"] is False

    body = order_body(shipping="4.90", discount="4.70", prices_include_tax=True)
    body["external_id"] = "tax-included"
    included = ok(sales.post(f"{API}/orders", json={**body, "lines": lines}), 201)
    assert included["prices_include_tax"] is True
    assert (included["totals"]["tax"], included["totals"]["total"]) == ("8.46", "47.20")

    too_much = [{"sku": "MUG", "quantity": 3, "unit_price": "10.00", "discount": "30.01"}]
    refused = problem(sales.post(f"{API}/orders", json={**order_body(), "lines": too_much}), 422)
    assert any(e["field"] == "lines[0].discount" for e in refused["errors"]), refused
    voucher = order_body(("MUG", 1), discount="10.01")
    refused = problem(sales.post(f"{API}/orders", json=voucher), 422)
    assert any(e["field"] == "discount" for e in refused["errors"]), refused


def test_refunds_of_returns_take_the_order_from_paid_to_refunded(
    client_for: ClientFor, order_id: int
) -> None:
    cs = client_for("customer_service")
    ok(pay(cs, order_id, "30.00", reference="PSP-1"), 201)
    assert status_of(cs, order_id)[0] == "paid"
    first = inspected(cs, order_id, 2)

    refund = ok(cs.post(f"{API}/returns/{first}/refund"), 201)
    assert refund["return_id"] == first and refund["order_id"] == order_id
    assert (refund["amount"], refund["currency"], refund["status"]) == ("20.00", "EUR", "succeeded")
    assert [(x["sku"], x["quantity"], x["amount"]) for x in refund["lines"]] == [
        ("TEE", 2, "20.00")
    ]
    assert (refund["shipping"], refund["deducted"], refund["capped"]) == ("0.00", "0.00", "0.00")
    assert refund["parts"][0]["provider"] == "manual" and refund["parts"][0]["reference"]
    assert refund["created_at"] and refund["error"] is None
    problem(cs.post(f"{API}/returns/{first}/refund"), 409)
    returned = ok(cs.get(f"{API}/returns/{first}"))
    assert returned["status"] == "refunded" and returned["refund_total"] == "20.00"
    assert status_of(cs, order_id) == ("partially_refunded", "30.00", "20.00")

    last = inspected(cs, order_id, 1)
    ok(cs.post(f"{API}/returns/{last}/refund"), 201)
    assert status_of(cs, order_id) == ("refunded", "30.00", "30.00")
    listed = ok(cs.get(f"{API}/orders/{order_id}/refunds"))["items"]
    assert [(r["return_id"], r["amount"]) for r in listed] == [(first, "20.00"), (last, "10.00")]
    assert ok(cs.get(f"{API}/refunds/{refund['id']}")) == refund
    problem(cs.get(f"{API}/refunds/999999"), 404)
    events = [e["type"] for e in ok(cs.get(f"{API}/orders/{order_id}/events"))["items"]]
    assert events.count("refund.issued") == 2 and events.count("return.refunded") == 2


def test_a_return_not_inspected_is_not_refunded(client_for: ClientFor, order_id: int) -> None:
    cs = client_for("customer_service")
    ok(pay(cs, order_id, "30.00"), 201)
    body = {"lines": [{"sku": "TEE", "quantity": 1, "reason": "damaged"}], "resolution": "refund"}
    r = ok(cs.post(f"{API}/orders/{order_id}/returns", json=body), 201)
    problem(cs.post(f"{API}/returns/{r['id']}/refund"), 409)
    problem(cs.post(f"{API}/returns/999999/refund"), 404)
    assert status_of(cs, order_id) == ("paid", "30.00", "0.00")


def test_a_refund_above_the_limit_is_an_admins(
    client_for: ClientFor, container: Container, order_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert container.settings.refund_limit == 500
    monkeypatch.setattr(container.settings, "refund_limit", Decimal("15"))
    cs, admin = client_for("customer_service"), client_for("admin")
    ok(pay(cs, order_id, "30.00"), 201)
    r = inspected(cs, order_id, 2)

    refused = problem(cs.post(f"{API}/returns/{r}/refund"), 403)
    assert "limit" in refused["detail"]
    assert ok(cs.get(f"{API}/orders/{order_id}/refunds"))["items"] == []
    refund = ok(admin.post(f"{API}/returns/{r}/refund"), 201)
    assert (refund["amount"], refund["status"]) == ("20.00", "succeeded")


def test_a_refund_failing_at_the_provider_is_retried(
    client_for: ClientFor, container: Container, order_id: int
) -> None:
    assert isinstance(container.providers, ProviderBook)
    card = Flaky(failures=1)
    container.providers.add(card)
    cs = client_for("customer_service")
    ok(pay(cs, order_id, "30.00", provider="card", reference="ch_1"), 201)
    r = inspected(cs, order_id, 1)

    failed = ok(cs.post(f"{API}/returns/{r}/refund"), 201)
    assert failed["status"] == "failed" and "issuer unavailable" in failed["error"]
    assert failed["parts"][0]["reference"] is None
    assert status_of(cs, order_id) == ("paid", "30.00", "0.00")
    assert ok(cs.get(f"{API}/refunds/{failed['id']}"))["status"] == "failed"
    problem(cs.post(f"{API}/returns/{r}/refund"), 409)  # retry it instead

    retried = ok(cs.post(f"{API}/refunds/{failed['id']}/retry"))
    assert (retried["id"], retried["status"], retried["attempts"]) == (failed["id"], "succeeded", 2)
    assert retried["error"] is None and retried["parts"][0]["reference"]
    assert len(set(card.keys)) == 1 and len(card.keys) == 2  # the same key both times
    assert status_of(cs, order_id) == ("partially_refunded", "30.00", "10.00")
    assert ok(cs.get(f"{API}/returns/{r}"))["status"] == "refunded"
    problem(cs.post(f"{API}/refunds/{failed['id']}/retry"), 409)
    problem(cs.post(f"{API}/refunds/999999/retry"), 404)


def test_an_exchange_places_a_free_order_linked_both_ways(
    client_for: ClientFor, order_id: int
) -> None:
    cs = client_for("customer_service")
    r = inspected(cs, order_id, 1, reason="changed_mind", resolution="exchange")

    new = ok(cs.post(f"{API}/returns/{r}/exchange"), 201)
    assert new["id"] != order_id and new["exchange_of"] == order_id
    assert [(x["sku"], x["quantity"], x["unit_price"]) for x in new["lines"]] == [
        ("TEE", 1, "0.00")
    ]
    assert new["totals"]["total"] == "0.00" and new["payment_status"] == "paid"
    original = ok(cs.get(f"{API}/orders/{order_id}"))
    assert original["exchanges"] == [new["id"]]
    returned = ok(cs.get(f"{API}/returns/{r}"))
    assert (returned["status"], returned["exchange_order_id"]) == ("exchanged", new["id"])
    problem(cs.post(f"{API}/returns/{r}/exchange"), 409)


def test_a_closed_return_is_not_refunded(client_for: ClientFor, order_id: int) -> None:
    cs = client_for("customer_service")
    r = inspected(cs, order_id, 1)
    closed = ok(cs.post(f"{API}/returns/{r}/close", json={"reason": "kept a voucher"}))
    assert closed["status"] == "closed"
    problem(cs.post(f"{API}/returns/{r}/refund"), 409)
    problem(cs.post(f"{API}/returns/{r}/close", json={"reason": "again"}), 409)


def test_cancelling_a_line_of_a_paid_order_releases_stock_and_refunds_it(
    client_for: ClientFor, container: Container
) -> None:
    uow = container.uow()
    stocked(uow, "MUG", 10)
    stocked(uow, "TEE", 10)
    sales, cs = client_for("sales"), client_for("customer_service")
    order = ok(sales.post(f"{API}/orders", json=order_body(("MUG", 3), ("TEE", 1))), 201)
    ok(pay(sales, order["id"], "40.00"), 201)
    mug = order["lines"][0]
    url = f"{API}/orders/{order['id']}/lines/{mug['id']}/cancel"

    problem(cs.post(url, json={"quantity": 4, "reason": "customer called"}), 422)
    problem(cs.post(url, json={"quantity": 0, "reason": "customer called"}), 422)
    cancelled = ok(cs.post(url, json={"quantity": 1, "reason": "customer called"}))
    line = cancelled["lines"][0]
    assert (line["cancelled_quantity"], line["allocated_quantity"]) == (1, 2)
    assert cancelled["status"] == "pending" and cancelled["lines"][1]["allocated_quantity"] == 1
    assert (cancelled["payment_status"], cancelled["refunded_total"]) == (
        "partially_refunded",
        "10.00",
    )
    [row] = ok(sales.get(f"{API}/stock", params={"sku": "MUG"}))["items"]
    assert (row["on_hand"], row["reserved"]) == (10, 2)
    [refund] = ok(cs.get(f"{API}/orders/{order['id']}/refunds"))["items"]
    assert (refund["amount"], refund["return_id"], refund["status"]) == ("10.00", None, "succeeded")
    assert refund["lines"] == [
        {"order_line_id": mug["id"], "sku": "MUG", "quantity": 1, "amount": "10.00"}
    ]
    problem(cs.post(f"{API}/orders/{order['id']}/lines/999999/cancel", json={
        "quantity": 1, "reason": "x"}), 404)  # fmt: skip


def test_a_line_of_a_shipped_order_is_not_cancelled(client_for: ClientFor, order_id: int) -> None:
    cs = client_for("customer_service")
    line = ok(cs.get(f"{API}/orders/{order_id}"))["lines"][0]
    url = f"{API}/orders/{order_id}/lines/{line['id']}/cancel"
    problem(cs.post(url, json={"quantity": 1, "reason": "too late"}), 409)

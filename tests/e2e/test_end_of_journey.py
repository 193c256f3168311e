"""The end of the journey over HTTP, on both databases: the customer confirms receipt or
reports a problem from the public tracking page (CSRF-bound forms, no login), customer
service sees and resolves problems through the API, and the CLI completes what is due."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.conftest import FakeClock
from tests.e2e.test_customer_returns import track_url
from tests.service.test_completion import shipped
from tests.service.test_returns import delivered

API = "/api/v1"


@pytest.fixture
def public(client: TestClient) -> Iterator[TestClient]:
    """A customer's browser: no Authorization header, no cookie; redirects not followed."""
    with TestClient(client.app, follow_redirects=False) as browser:
        yield browser


def csrf(page_text: str, action: str) -> str:
    form = page_text[page_text.index(f'action="{action}"') :]
    return re.findall(r'name="csrf_token" value="([^"]+)"', form)[0]


def test_the_customer_confirms_receipt_and_the_order_completes(
    client: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 1))
    url = track_url(container, order_id)
    page = public.get(url)
    assert "Did everything arrive?" in page.text and "Yes, everything arrived" in page.text
    done = public.post(f"{url}/receipt", data={"csrf_token": csrf(page.text, f"{url}/receipt")})
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}#receipt-heading"
    after = public.get(url)
    assert "This order is complete" in after.text and "Yes, everything arrived" not in after.text
    assert client.get(f"{API}/orders/{order_id}").json()["status"] == "completed"


def test_a_receipt_without_the_pages_token_is_refused_and_changes_nothing(
    client: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 1))
    url = track_url(container, order_id)
    other = track_url(container, delivered(container.uow(), clock, ("MUG", 1)))
    foreign = csrf(public.get(other).text, f"{other}/receipt")  # another page's token
    for token in ("", "123.abc", foreign):
        refused = public.post(f"{url}/receipt", data={"csrf_token": token})
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    assert client.get(f"{API}/orders/{order_id}").json()["status"] == "delivered"


def test_the_customer_reports_a_problem_and_customer_service_resolves_it(
    client: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 2))
    url = track_url(container, order_id)
    form_page = public.get(f"{url}/problem")
    assert form_page.status_code == 200
    assert form_page.headers["referrer-policy"] == "no-referrer"
    assert "The parcel never arrived" in form_page.text
    token = csrf(form_page.text, f"{url}/problem")
    missing = public.post(f"{url}/problem", data={"csrf_token": token, "note": "where?"})
    assert missing.status_code == 422
    assert "Please choose what is wrong" in missing.text and "where?" in missing.text
    sent = public.post(
        f"{url}/problem", data={"csrf_token": token, "reason": "damaged", "note": "torn box"}
    )
    assert sent.status_code == 303
    page = public.get(url)
    assert "You told us: Something arrived damaged" in page.text
    assert "We are looking into it" in page.text

    [problem] = client.get(f"{API}/orders/{order_id}/problems").json()["items"]
    assert (problem["reason"], problem["note"], problem["reported_by"], problem["open"]) == (
        "damaged",
        "torn box",
        "customer",
        True,
    )
    queue = client.get(f"{API}/service/queue").json()["items"]
    assert any(i["order_id"] == order_id and i["why"] == "problem" for i in queue)
    resolved = client.post(
        f"{API}/orders/{order_id}/problems/{problem['id']}/resolve",
        json={"resolution": "refunded one tee; internal note"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["open"] is False
    again = client.post(
        f"{API}/orders/{order_id}/problems/{problem['id']}/resolve", json={"resolution": "x"}
    )
    assert again.status_code == 409
    page = public.get(url)
    assert "Resolved on" in page.text and "internal note" not in page.text


def test_problem_api_refusals(client: TestClient, container: Container, clock: FakeClock) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 1))
    base = f"{API}/orders/{order_id}/problems"
    for body in ({"reason": "lost"}, {"reason": "damaged", "extra": 1}, {"note": "x"}):
        assert client.post(base, json=body).status_code == 422
    assert (
        client.post(f"{API}/orders/999999/problems", json={"reason": "damaged"}).status_code == 404
    )
    assert client.post(f"{base}/999999/resolve", json={"resolution": "x"}).status_code == 404
    made = client.post(base, json={"reason": "damaged"}).json()
    assert client.post(f"{base}/{made['id']}/resolve", json={"resolution": ""}).status_code == 422


def test_before_delivery_the_page_offers_neither_and_a_forged_post_changes_nothing(
    client: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id, _ = shipped(container.uow(), "TEE")
    url = track_url(container, order_id)
    page = public.get(url)
    assert "Did everything arrive?" not in page.text
    problem_page = public.get(f"{url}/problem")
    assert "once your parcel has been delivered" in problem_page.text
    assert "<form" not in problem_page.text
    assert public.get("/track/" + "x" * 30 + "/problem").status_code == 404
    assert public.post("/track/" + "x" * 30 + "/receipt", data={}).status_code == 404
    assert client.get(f"{API}/orders/{order_id}/problems").json()["items"] == []


def test_oms_orders_complete_due_completes_what_is_due(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.cli import app

    # Delivered on the test clock's day in March 2026; the command runs on the real clock,
    # long after the default 14 days.
    order_id = delivered(container.uow(), clock, ("TEE", 1))
    monkeypatch.setenv("OMS_DATABASE_URL", container.settings.database_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["orders", "complete-due"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    number = orders.get_order(container.uow(), SYSTEM, order_id).number
    assert "completed 1 delivered order(s)" in result.output and number in result.output


def test_the_worker_completes_what_is_due_on_its_first_pass(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from oms.cli import app

    order_id = delivered(container.uow(), clock, ("TEE", 1))  # long before the real clock
    monkeypatch.setenv("OMS_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("OMS_MAILBOX_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["worker", "--once"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "completed 1 order(s)" in result.output
    assert orders.get_order(container.uow(), SYSTEM, order_id).status.value == "completed"

"""The customer's return request over HTTP, on both databases: from the public tracking page
to `requested`, within the policy only, refusals inline with what was typed, a post
without the page's CSRF token refused, and the staff seeing the request as the customer's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.returns.policy import ReturnPolicy
from oms.services import orders, returns
from oms.services.ports.returns import DEFAULT_CHANNEL
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.e2e.test_login import csrf_of
from tests.service.test_returns import CS, delivered

API = "/api/v1"


@pytest.fixture
def public(client: TestClient) -> Iterator[TestClient]:
    """A customer's browser: no Authorization header, no cookie; redirects not followed."""
    with TestClient(client.app, follow_redirects=False) as browser:
        yield browser


def track_url(c: Container, order_id: int) -> str:
    return f"/track/{orders.get_order(c.uow(), SYSTEM, order_id).tracking_token}"


def form(page_text: str, resolution: str = "refund", **units: tuple[int, str]) -> dict[str, object]:
    """The return form as the customer fills it: units and a reason per SKU, 0 elsewhere."""
    skus = re.findall(r'name="sku" value="([^"]+)"', page_text)
    return {
        "csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', page_text)[0],
        "sku": skus,
        "quantity": [str(units.get(s, (0, ""))[0]) for s in skus],
        "reason": [units.get(s, (0, ""))[1] for s in skus],
        "resolution": resolution,
        "note": "The blue one is too small",
    }


def test_the_customer_asks_for_a_return_and_the_staff_see_it_requested(
    client: TestClient, public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 3), ("MUG", 1))
    url = track_url(container, order_id)
    page = public.get(url)
    assert page.status_code == 200
    assert f'href="{url}/return"' in page.text and "Return items" in page.text

    shown = public.get(f"{url}/return")
    assert shown.status_code == 200
    assert shown.headers["referrer-policy"] == "no-referrer"
    assert shown.headers["cache-control"] == "no-store"
    assert 'max="3"' in shown.text and 'max="1"' in shown.text
    assert "I changed my mind" in shown.text and "until Friday 3 April 2026" in shown.text
    assert "override" not in shown.text.lower()

    made = public.post(f"{url}/return", data=form(shown.text, TEE=(2, "changed_mind")))
    assert made.status_code == 303, made.text
    assert made.headers["location"] == f"{url}/return/RMA-000001"
    done = public.get(made.headers["location"])
    assert done.status_code == 200
    assert "Return RMA-000001" in done.text and "What happens next" in done.text

    listed = client.get(f"{API}/returns", params={"order_id": order_id}).json()["items"]
    assert [(r["number"], r["status"]) for r in listed] == [("RMA-000001", "requested")]
    assert listed[0]["lines"][0]["reason"] == "changed_mind"
    assert listed[0]["lines"][0]["quantity"] == 2
    events = orders.order_events(container.uow(), SYSTEM, order_id)
    [asked] = [e for e in events if e.type == "return.requested"]
    assert asked.actor == "customer (Ann Smith)"

    page = public.get(url)
    assert "Return RMA-000001" in page.text and "Requested" in page.text
    assert "Return items" in page.text  # one TEE and the MUG are left


def test_once_approved_the_return_tracking_number_is_shown_and_never_staff_words(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 1))
    url = track_url(container, order_id)
    shown = public.get(f"{url}/return")
    assert public.post(f"{url}/return", data=form(shown.text, TEE=(1, "damaged"))).is_redirect
    [r] = returns.returns_of_order(container.uow(), CS, order_id)
    approved = returns.approve_return(container.uow(), CS, r.id)
    orders.add_note(container.uow(), CS, order_id, "Customer known for serial returns")
    page = public.get(url)
    assert approved.tracking_number and approved.tracking_number in page.text
    assert "Approved: please send the parcel back" in page.text
    assert "serial returns" not in page.text
    assert "Return items" not in page.text  # nothing left to send back


def test_nothing_delivered_yet_means_no_form(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    stocked(container.uow(), "TEE", 2)
    order_id = orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1))).order.id
    url = track_url(container, order_id)
    assert "Return items" not in public.get(url).text
    shown = public.get(f"{url}/return")
    assert shown.status_code == 200
    assert "once your items have been delivered" in shown.text
    assert "<form" not in shown.text


def test_outside_the_window_the_request_is_refused_in_plain_words(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 2))
    uow = container.uow()
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(window_days=14)))
    url = track_url(container, order_id)
    shown = public.get(f"{url}/return")
    clock.advance(days=20)
    refused = public.post(f"{url}/return", data=form(shown.text, TEE=(1, "changed_mind")))
    assert refused.status_code == 409
    assert "It is too late to send these items back" in refused.text
    assert "closed on 18 March 2026" in refused.text
    assert "override" not in refused.text.lower() and "customer service" not in refused.text
    assert "Return items" not in public.get(url).text
    assert "<form" not in public.get(f"{url}/return").text
    assert returns.returns_of_order(container.uow(), CS, order_id) == []


def test_more_than_delivered_is_refused_inline_keeping_what_was_typed(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 3), ("MUG", 1))
    url = track_url(container, order_id)
    shown = public.get(f"{url}/return")
    typed = form(shown.text, "exchange", TEE=(5, "wrong_item"), MUG=(1, "damaged"))
    refused = public.post(f"{url}/return", data=typed)
    assert refused.status_code == 409
    assert "you can send back at most 3" in refused.text
    assert 'value="5"' in refused.text
    assert re.search(r'<option value="wrong_item" selected>', refused.text)
    assert re.search(r'value="exchange" checked', refused.text)
    assert "The blue one is too small" in refused.text
    assert returns.returns_of_order(container.uow(), CS, order_id) == []

    no_reason = {**typed, "quantity": ["1", "0"], "reason": ["", ""]}
    assert public.post(f"{url}/return", data=no_reason).status_code == 422
    nothing = {**typed, "quantity": ["0", "0"]}
    refused = public.post(f"{url}/return", data=nothing)
    assert refused.status_code == 422 and "at least one item" in refused.text


def test_a_second_request_cannot_exceed_what_remains(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 3))
    url = track_url(container, order_id)
    first = public.get(f"{url}/return")
    assert public.post(f"{url}/return", data=form(first.text, TEE=(2, "late"))).is_redirect
    second = public.get(f"{url}/return")
    assert 'max="1"' in second.text
    refused = public.post(f"{url}/return", data=form(second.text, TEE=(2, "late")))
    assert refused.status_code == 409 and "at most 1" in refused.text
    # The same (stale) form posted twice: the second finds one unit left, not two.
    refused = public.post(f"{url}/return", data=form(first.text, TEE=(2, "late")))
    assert refused.status_code == 409
    assert public.post(f"{url}/return", data=form(second.text, TEE=(1, "late"))).is_redirect
    assert len(returns.returns_of_order(container.uow(), CS, order_id)) == 2


def test_an_unknown_token_is_not_found(public: TestClient) -> None:
    for url in ("/track/" + "x" * 30 + "/return", "/track/short/return"):
        assert public.get(url).status_code == 404
        assert public.post(url, data={"csrf_token": "1.x"}).status_code == 404
    assert public.get("/track/" + "x" * 30 + "/return/RMA-000001").status_code == 404


def test_a_post_without_the_pages_csrf_token_is_refused(
    public: TestClient, container: Container, clock: FakeClock
) -> None:
    order_id = delivered(container.uow(), clock, ("TEE", 3))
    other_id = delivered(container.uow(), clock, ("MUG", 1))
    url = track_url(container, order_id)
    shown = public.get(f"{url}/return")
    good = form(shown.text, TEE=(1, "damaged"))
    for token in ("", "garbage", csrf_of(public.get(f"{track_url(container, other_id)}/return"))):
        refused = public.post(f"{url}/return", data={**good, "csrf_token": token})
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        assert 'value="1"' in refused.text  # what was typed is kept
    assert returns.returns_of_order(container.uow(), CS, order_id) == []

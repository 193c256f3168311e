"""The returns pages over HTTP, on both databases: starting a return from the order page,
each step offered to the role that takes it, refusals inline with the typed values kept,
forged and CSRF-less posts refused, the list by status, and the return label."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import inventory, orders, users
from tests.conftest import FakeClock
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords
from tests.service.test_returns import delivered


@pytest.fixture
def shop(container: Container, clock: FakeClock) -> tuple[Container, int]:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.SALES, Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.ANALYST):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return fast, delivered(fast.uow(), clock, ("TEE", 3), ("MUG", 1))


def as_role(c: Container, role: str) -> TestClient:
    browser = browser_for(c)
    assert log_in(browser, role).status_code == 303
    return browser


def start_form(page_text: str, **units: tuple[int, str]) -> dict[str, object]:
    skus = re.findall(r'name="sku" value="([^"]+)"', page_text)
    return {
        "sku": skus,
        "quantity": [str(units.get(s, (0, "damaged"))[0]) for s in skus],
        "reason": [units.get(s, (0, "damaged"))[1] for s in skus],
        "resolution": "refund",
    }


def test_a_return_from_the_order_page_to_inspection(shop: tuple[Container, int]) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    assert "Start a return" in page.text and 'name="override_reason"' in page.text
    form = start_form(page.text, TEE=(2, "wrong_item"))
    made = cs.post(f"/orders/{order_id}/returns", data={**form, "csrf_token": csrf_of(page)})
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    shown = cs.get(url)
    assert "Return RMA-000001" in shown.text and "wrong item" in shown.text
    assert re.findall(r'action="/returns/\d+/(\w+)"', shown.text) == ["approve", "reject"]
    assert cs.post(f"{url}/approve", data={"csrf_token": csrf_of(shown)}).status_code == 303
    approved = cs.get(url)
    assert "Print return label" in approved.text
    assert cs.get(f"{url}/label.pdf").content.startswith(b"%PDF")

    keeper = as_role(c, "warehouse")
    step = keeper.get(url)
    assert re.findall(r'action="/returns/\d+/(\w+)"', step.text) == ["receive"]
    received = keeper.post(
        f"{url}/receive",
        data={"csrf_token": csrf_of(step), "location": "PAR", "sku": ["TEE"], "quantity": ["2"]},
    )
    assert received.status_code == 303
    step = keeper.get(url)
    wrong = {"csrf_token": csrf_of(step), "sku": ["TEE"], "resellable": ["2"], "damaged": ["1"]}
    refused = keeper.post(f"{url}/inspect", data=wrong)
    assert refused.status_code == 422
    assert "resellable + damaged must be 2" in refused.text
    assert 'value="1"' in refused.text  # the typed damaged count is kept
    right = {**wrong, "resellable": ["1"], "damaged": ["1"]}
    assert keeper.post(f"{url}/inspect", data=right).status_code == 303
    assert "inspected" in keeper.get(url).text
    (row,) = inventory.list_stock(c.uow(), SYSTEM, sku="TEE", location="PAR")
    line = orders.get_order(c.uow(), SYSTEM, order_id).lines[0]
    assert line.returned_quantity == 2
    assert inventory.verify_stock(c.uow(), SYSTEM) == []
    assert row.on_hand >= 1


def test_asking_back_more_than_delivered_is_refused_inline_keeping_the_form(
    shop: tuple[Container, int],
) -> None:
    c, order_id = shop
    sales = as_role(c, "sales")
    page = sales.get(f"/orders/{order_id}")
    assert 'name="override_reason"' not in page.text  # sales may not override
    form = start_form(page.text, TEE=(5, "late"))
    refused = sales.post(f"/orders/{order_id}/returns", data={**form, "csrf_token": csrf_of(page)})
    assert refused.status_code == 409
    assert "More units asked back than were delivered" in refused.text
    assert 'value="5"' in refused.text
    assert re.search(r'<option value="late" selected>', refused.text)


def test_steps_are_not_offered_to_other_roles_and_forged_posts_are_refused(
    shop: tuple[Container, int],
) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    form = start_form(page.text, MUG=(1, "changed_mind"))
    url = cs.post(f"/orders/{order_id}/returns", data={**form, "csrf_token": csrf_of(page)})
    url = url.headers["location"]
    analyst = as_role(c, "analyst")
    seen = analyst.get(url)
    assert seen.status_code == 200 and 'action="/returns/' not in seen.text
    assert "Start a return" not in analyst.get(f"/orders/{order_id}").text
    forged = analyst.post(f"{url}/approve", data={"csrf_token": csrf_of(seen)})
    assert forged.status_code == 403
    assert cs.post(f"{url}/approve", data={}).status_code == 403  # no CSRF token
    assert "requested" in cs.get(url).text


def test_the_list_shows_returns_by_status(shop: tuple[Container, int]) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    form = start_form(page.text, TEE=(1, "late"))
    cs.post(f"/orders/{order_id}/returns", data={**form, "csrf_token": csrf_of(page)})
    listed = cs.get("/returns")
    assert listed.status_code == 200 and "RMA-000001" in listed.text
    assert 'aria-current="page"' in listed.text and ">Returns<" in listed.text
    assert "RMA-000001" in cs.get("/returns?status=requested").text
    assert "RMA-000001" not in cs.get("/returns?status=approved").text
    assert cs.get("/returns/999").status_code == 404


def test_today_shows_returns_to_approve_and_to_inspect_to_whoever_works_them(
    shop: tuple[Container, int],
) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    form = start_form(page.text, TEE=(1, "late"))
    cs.post(f"/orders/{order_id}/returns", data={**form, "csrf_token": csrf_of(page)})
    today = cs.get("/").text
    assert re.search(r'href="/returns\?status=requested"', today)
    assert "Returns to approve" in today and "Returns to inspect" not in today
    keeper = as_role(c, "warehouse").get("/").text
    assert "Returns to inspect" in keeper and "Returns to approve" not in keeper

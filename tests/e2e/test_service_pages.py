"""The customer service pages over HTTP, on both databases: the Service entry for the roles
that answer customers, the queue with its counts linking to orders, the customer view,
the order page's link to it, and the orders list finding an order by phone."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.orders.model import Customer
from oms.domain.users import NewUser
from oms.services import orders, users
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.e2e.test_login import PASSWORD, browser_for, log_in
from tests.fakes import FakePasswords
from tests.service.test_returns import delivered

ZOE = Customer("zoe@example.com", "Zoë Quinn", "+44 20 7946 0958")


@pytest.fixture
def shop(container: Container, clock: FakeClock) -> tuple[Container, int]:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.ANALYST):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    uow = fast.uow()
    stocked(uow, "MUG", 5)
    order_id = orders.place_order(uow, SYSTEM, draft(("MUG", 2), customer=ZOE)).order.id
    orders.hold_order(uow, SYSTEM, order_id, "address to check")
    return fast, order_id


def as_role(c: Container, role: str) -> TestClient:
    browser = browser_for(c)
    assert log_in(browser, role).status_code == 303
    return browser


def test_the_queue_links_each_reason_to_its_order(shop: tuple[Container, int]) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    home = cs.get("/")
    assert 'href="/service"' in home.text  # the nav entry
    page = cs.get("/service")
    assert page.status_code == 200, page.text
    assert re.search(r'<span class="count">1</span> On hold', page.text)
    assert re.search(r'<span class="count">0</span> Late shipment', page.text)
    assert f'href="/orders/{order_id}" aria-label="On hold: order SO-000001"' in page.text


def test_the_customer_view_from_the_order_page(shop: tuple[Container, int]) -> None:
    c, order_id = shop
    cs = as_role(c, "customer_service")
    order = cs.get(f"/orders/{order_id}").text
    assert "+442079460958" in order
    link = re.search(r'href="(/customers/[^"]+)"', order)
    assert link is not None
    view = cs.get(link.group(1).replace("&#64;", "@"))
    assert view.status_code == 200, view.text
    assert "Zoë Quinn" in view.text and "SO-000001" in view.text
    assert "nothing delivered yet" in view.text and "20.00 EUR" in view.text
    assert cs.get("/customers/nobody@example.com").status_code == 404


def test_the_orders_list_finds_an_order_by_phone(shop: tuple[Container, int]) -> None:
    c, _ = shop
    cs = as_role(c, "customer_service")
    found = cs.get("/orders", params={"q": "+44 (20) 7946-0958"})
    assert "SO-000001" in found.text
    assert "SO-000001" not in cs.get("/orders", params={"q": "+44 20 7946 0959"}).text


def test_service_is_for_those_who_answer_customers(shop: tuple[Container, int]) -> None:
    c, _ = shop
    for role in ("warehouse", "analyst"):
        browser = as_role(c, role)
        assert 'href="/service"' not in browser.get("/").text, role


def test_a_hit_of_the_orders_list_says_where_it_is(
    shop: tuple[Container, int], clock: FakeClock
) -> None:
    c, _ = shop
    order_id = delivered(c.uow(), clock, ("TEE", 1))
    cs = as_role(c, "customer_service")
    number = orders.get_order(c.uow(), SYSTEM, order_id).number
    found = cs.get("/orders", params={"q": number}).text
    assert "parcel delivered, promised" in found

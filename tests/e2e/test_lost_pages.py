"""Lost parcels on the pages over HTTP: the order page's "Declare lost" and "Send again"
(offered to customer service only, forged posts refused with 403, a refusal inline with the
typed reason), the late kind, the service queue's problem, the customer's tracking page."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.users import NewUser
from oms.services import orders, users, warehouse
from tests.builders import draft
from tests.conftest import FakeClock
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords
from tests.service.parcels import shipped


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.SALES):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def forms(text: str, order_id: int) -> list[str]:
    return re.findall(rf'action="/orders/{order_id}/shipments/(\d+/\w+)"', text)


def test_customer_service_declares_a_parcel_lost_and_sends_it_again(
    shop: Container, clock: FakeClock
) -> None:
    s = shipped(shop.uow(), draft(("TEE", 2)))
    oid = s.order_id
    assert forms(as_role(shop, "warehouse").get(f"/orders/{oid}").text, oid) == []
    assert forms(as_role(shop, "sales").get(f"/orders/{oid}").text, oid) == []
    browser = as_role(shop, "customer_service")
    page = browser.get(f"/orders/{oid}")
    assert forms(page.text, oid) == [f"{s.id}/lost"]
    token = csrf_of(page)
    empty = browser.post(
        f"/orders/{oid}/shipments/{s.id}/lost", data={"csrf_token": token, "reason": " "}
    )
    assert empty.status_code == 422 and "Reason must not be empty" in empty.text
    done = browser.post(
        f"/orders/{oid}/shipments/{s.id}/lost",
        data={"csrf_token": token, "reason": "no scan for ten days"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/orders/{oid}"
    page = browser.get(f"/orders/{oid}")
    assert f"Shipment #{s.id} declared lost" in page.text
    assert forms(page.text, oid) == [f"{s.id}/reship"]
    again = browser.post(
        f"/orders/{oid}/shipments/{s.id}/lost",
        data={"csrf_token": token, "reason": "my typed words"},
    )
    assert again.status_code == 409 and "my typed words" in again.text
    service = browser.get("/service").text
    assert "Problem reported" in service and "parcel lost" in service

    done = browser.post(f"/orders/{oid}/shipments/{s.id}/reship", data={"csrf_token": token})
    assert done.status_code == 303
    page = browser.get(f"/orders/{oid}").text
    [new] = [x for x in orders.order_detail(shop.uow(), SYSTEM, oid).shipments if x.id != s.id]
    assert f"Shipment #{s.id} sent again as shipment #{new.id}." in page
    assert f"replaces shipment #{s.id}" in page and f"sent again as #{new.id}" in page
    assert forms(page, oid) == []
    twice = browser.post(f"/orders/{oid}/shipments/{s.id}/reship", data={"csrf_token": token})
    assert twice.status_code == 409 and "only a lost shipment is sent again" in twice.text

    order = orders.get_order(shop.uow(), SYSTEM, oid)
    public = TestClient(browser.app).get(f"/track/{order.tracking_token}").text
    assert "This parcel was lost on its way. Your items are on their way again" in public
    assert "A new parcel with the items of parcel 1, which was lost on its way." in public


def test_forged_lost_and_reship_posts_are_refused_with_403(shop: Container) -> None:
    s = shipped(shop.uow(), draft(("TEE", 1)))
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get(f"/orders/{s.order_id}"))
    for action, data in (("lost", {"reason": "forged"}), ("reship", {})):
        refused = browser.post(
            f"/orders/{s.order_id}/shipments/{s.id}/{action}", data={"csrf_token": token, **data}
        )
        assert refused.status_code == 403
    assert warehouse.get_shipment(shop.uow(), SYSTEM, s.id).status is ShipmentStatus.SHIPPED
    cs = as_role(shop, "customer_service")
    token = csrf_of(cs.get(f"/orders/{s.order_id}"))
    no_csrf = cs.post(f"/orders/{s.order_id}/shipments/{s.id}/lost", data={"reason": "x"})
    assert no_csrf.status_code == 403
    other = cs.post(
        f"/orders/{s.order_id + 1}/shipments/{s.id}/lost", data={"csrf_token": token, "reason": "x"}
    )
    assert other.status_code == 404  # not this order's shipment


def test_the_tracking_page_says_a_lost_parcel_awaits_a_new_one(
    shop: Container, clock: FakeClock
) -> None:
    from tests.service.parcels import report

    s = shipped(shop.uow(), draft(("TEE", 1)))
    report(shop.uow(), s, "lost", clock.now)
    order = orders.get_order(shop.uow(), SYSTEM, s.order_id)
    page = browser_for(shop).get(f"/track/{order.tracking_token}")
    assert page.status_code == 200
    assert "The carrier has lost this parcel" in page.text and "Lost on its way" in page.text


def test_a_shipment_late_to_ship_says_so_on_the_order_page(
    shop: Container, clock: FakeClock
) -> None:
    from tests.builders import stocked

    uow = shop.uow()
    stocked(uow, "MUG", 3)
    order = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    clock.advance(days=10)
    page = as_role(shop, "customer_service").get(f"/orders/{order.id}").text
    assert "late to ship" in page
    public = browser_for(shop).get(f"/track/{order.tracking_token}").text
    assert "Running late" not in public  # the customer hears of late to deliver only

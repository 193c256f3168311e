"""The order page's "Edit order" section over HTTP, on both databases: every edit form,
refusals inline with the typed values kept, why editing is not offered once picking
started, absent for roles without `order.edit`, forged posts refused."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import orders, picking, users
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords

ROLES = (Role.SALES, Role.CUSTOMER_SERVICE, Role.ADMIN)


@pytest.fixture
def fast(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in ROLES:
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return fast


def as_role(c: Container, role: str) -> TestClient:
    browser = browser_for(c)
    assert log_in(browser, role).status_code == 303
    return browser


def placed(c: Container) -> int:
    stocked(c.uow(), "TEE", 10)
    stocked(c.uow(), "MUG", 10)
    return orders.place_order(c.uow(), SYSTEM, draft(("TEE", 2), ("MUG", 1))).order.id


def flash_after(browser: TestClient, answer: object) -> str:
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    return browser.get(answer.headers["location"]).text  # type: ignore[attr-defined]


def test_customer_service_edits_an_order_from_its_page(fast: Container) -> None:
    order_id = placed(fast)
    cs = as_role(fast, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    assert "Edit order" in page.text and "Add line" in page.text
    token = csrf_of(page)
    tee, mug = orders.get_order(fast.uow(), SYSTEM, order_id).lines
    url = f"/orders/{order_id}/edit"

    shown = flash_after(cs, cs.post(f"{url}/lines/{tee.id}", data={"csrf_token": token,
                                                                   "quantity": "4"}))  # fmt: skip
    assert "edited" in shown and "Line quantity changed" in shown and "TEE: 2 → 4" in shown
    bad = cs.post(f"{url}/lines/{tee.id}", data={"csrf_token": token, "quantity": "lots"})
    assert bad.status_code == 422 and 'value="lots"' in bad.text
    assert 'aria-invalid="true"' in bad.text

    stocked(fast.uow(), "CAP", 3)
    shown = flash_after(cs, cs.post(f"{url}/lines", data={"csrf_token": token, "sku": "CAP",
                                                          "quantity": "2"}))  # fmt: skip
    assert "Line added" in shown
    unknown = cs.post(f"{url}/lines", data={"csrf_token": token, "sku": "NOPE", "quantity": "1"})
    assert unknown.status_code == 422 and "unknown SKU" in unknown.text
    assert 'value="NOPE"' in unknown.text

    shown = flash_after(cs, cs.post(f"{url}/lines/{mug.id}/remove", data={"csrf_token": token}))
    assert "Line removed" in shown

    address = {"csrf_token": token, "name": "Ann", "line1": "Unter den Linden 1", "line2": "",
               "city": "Berlin", "postal_code": "10117", "country": "de"}  # fmt: skip
    wrong = cs.post(f"{url}/address", data={**address, "country": "ZZ"})
    assert wrong.status_code == 422 and 'value="ZZ"' in wrong.text
    assert 'value="Unter den Linden 1"' in wrong.text
    shown = flash_after(cs, cs.post(f"{url}/address", data=address))
    assert "Paris, FR → Berlin, DE" in shown
    shown = flash_after(cs, cs.post(f"{url}/priority", data={"csrf_token": token,
                                                            "priority": "-20"}))  # fmt: skip
    assert "Priority changed" in shown and "0 → -20" in shown
    order = orders.get_order(fast.uow(), SYSTEM, order_id)
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [("TEE", 4), ("MUG", 0), ("CAP", 2)]
    assert (order.shipping_address.city, order.priority) == ("Berlin", -20)


def test_editing_is_not_offered_once_picking_started_and_says_why(fast: Container) -> None:
    order_id = placed(fast)
    orders.confirm_order(fast.uow(), SYSTEM, order_id)
    cs = as_role(fast, "customer_service")
    token = csrf_of(cs.get(f"/orders/{order_id}"))
    picking.create_pick_list(fast.uow(), SYSTEM, "PAR")
    page = cs.get(f"/orders/{order_id}")
    assert "Editing is not offered" in page.text and "picking has started" in page.text
    assert "Add line" not in page.text
    late = cs.post(f"/orders/{order_id}/edit/priority", data={"csrf_token": token,
                                                             "priority": "5"})  # fmt: skip
    assert late.status_code == 409 and "picking has started" in late.text


def test_sales_see_no_edit_forms_and_a_forged_post_is_refused(fast: Container) -> None:
    order_id = placed(fast)
    sales = as_role(fast, "sales")
    page = sales.get(f"/orders/{order_id}")
    assert page.status_code == 200 and "Edit order" not in page.text
    forged = sales.post(f"/orders/{order_id}/edit/priority", data={"csrf_token": csrf_of(page),
                                                                  "priority": "5"})  # fmt: skip
    assert forged.status_code == 403
    no_csrf = as_role(fast, "admin").post(f"/orders/{order_id}/edit/priority",
                                          data={"priority": "5"})  # fmt: skip
    assert no_csrf.status_code in (400, 403)
    assert orders.get_order(fast.uow(), SYSTEM, order_id).priority == 0

"""The purchase-order pages over HTTP, on both databases: a buyer sends a draft, receives
units (a waiting order filled), sees a refusal inline with the typed quantity, closes it;
an analyst reads without forms; warehouse sees no such page; a forged post is 403."""

from __future__ import annotations

import dataclasses

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.planning.purchase_orders import Supplier
from oms.domain.users import NewUser
from oms.services import orders, purchasing, users
from oms.services.purchasing import NewPurchaseOrder
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, csrf_of
from tests.e2e.test_return_policy_pages import as_role
from tests.fakes import FakePasswords


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.BUYER, Role.ANALYST, Role.WAREHOUSE):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    stocked(fast.uow(), "GIFT", 0)
    uow = fast.uow()
    store = fast.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
    purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("GIFT", 10, 250)])
    )
    return fast


def test_a_buyer_sends_receives_and_closes_a_purchase_order(shop: Container) -> None:
    waiting = orders.place_order(shop.uow(), SYSTEM, draft(("GIFT", 3))).order
    buyer = as_role(shop, "buyer")
    listed = buyer.get("/purchase-orders")
    assert listed.status_code == 200 and 'href="/purchase-orders/1"' in listed.text
    assert 'href="/purchase-orders" aria-current="page"' in listed.text  # the nav entry
    page = buyer.get("/purchase-orders/1")
    token = csrf_of(page)
    assert "Send to ACME" in page.text and "Receive into" not in page.text
    sent = buyer.post("/purchase-orders/1/send", data={"csrf_token": token},
                      follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    page = buyer.get("/purchase-orders/1")
    assert "Receive into PAR" in page.text
    uow = shop.uow()
    line = purchasing.get_purchase_order(uow, shop.purchase_orders(uow), SYSTEM, 1)
    field = f"line-{line.order.lines[0].id}"
    too_many = buyer.post("/purchase-orders/1/receive", data={"csrf_token": token, field: "11"})
    assert too_many.status_code == 422 and 'value="11"' in too_many.text
    assert 'aria-invalid="true"' in too_many.text
    got = buyer.post("/purchase-orders/1/receive", data={"csrf_token": token, field: "4"},
                      follow_redirects=True)  # fmt: skip
    assert got.status_code == 200 and "4 units received" in got.text
    assert orders.get_order(shop.uow(), SYSTEM, waiting.id).lines[0].backordered_quantity == 0
    closed = buyer.post("/purchase-orders/1/close", data={"csrf_token": token},
                         follow_redirects=True)  # fmt: skip
    assert "closed with what arrived" in closed.text
    refused = buyer.post("/purchase-orders/1/cancel", data={"csrf_token": token})
    assert refused.status_code == 409


def test_an_analyst_reads_without_forms_and_others_may_not(shop: Container) -> None:
    analyst = as_role(shop, "analyst")
    page = analyst.get("/purchase-orders/1")
    assert page.status_code == 200 and "Send to ACME" not in page.text
    assert "/purchase-orders/1/" not in page.text  # no form posts to it
    forged = analyst.post("/purchase-orders/1/send", data={"csrf_token": csrf_of(page)})
    assert forged.status_code == 403
    warehouse = as_role(shop, "warehouse")
    assert 'href="/purchase-orders"' not in warehouse.get("/").text
    assert warehouse.get("/purchase-orders").status_code == 403

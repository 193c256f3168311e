"""The planning pages over HTTP, on both databases: a buyer refreshes the reorder levels,
sees the suggested order and makes it a draft once (a repeated click makes none); a
product's planning page draws its chart; an analyst reads without forms; warehouse sees no
such page; a forged post is 403; an unknown product 404."""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.planning.purchase_orders import Supplier
from oms.domain.users import NewUser
from oms.services import orders, purchasing, users
from oms.services.purchasing import Terms
from tests.builders import draft, stocked
from tests.conftest import FakeClock
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
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "GIFT", 250, 5))
    orders.place_order(uow, SYSTEM, draft(("GIFT", 3)))  # nothing in stock: it waits
    return fast


def test_a_buyer_refreshes_the_levels_and_makes_the_suggestion_a_draft_once(
    shop: Container,
) -> None:
    buyer = as_role(shop, "buyer")
    page = buyer.get("/planning")
    assert page.status_code == 200 and "No reorder levels yet" in page.text
    assert 'href="/planning" aria-current="page"' in page.text  # the nav entry
    token = csrf_of(page)
    done = buyer.post("/planning/refresh", data={"csrf_token": token}, follow_redirects=True)
    assert "Reorder levels refreshed: 1 products at 1 product-locations." in done.text
    assert 'ACME</span> (Acme) to <span class="mono">PAR' in done.text
    units = int(re.search(r"<td class=\"num\">(\d+)</td>\s*<td class=\"num\">5</td>",
                          done.text).group(1))  # fmt: skip
    assert units % 5 == 0 and units >= 5  # whole packs of 5, at least the 3 waiting
    assert "Create 1 draft purchase order" in done.text
    key = re.search(r'name="request_key" value="([^"]+)"', done.text).group(1)  # type: ignore[union-attr]

    form = {"csrf_token": token, "request_key": key}
    made = buyer.post("/planning/drafts", data=form, follow_redirects=True)
    assert "Draft purchase orders made: #1." in made.text
    again = buyer.post("/planning/drafts", data=form, follow_redirects=True)
    assert "These drafts were made already: #1." in again.text
    uow = shop.uow()
    (po,) = purchasing.list_purchase_orders(uow, shop.purchase_orders(uow), SYSTEM, _drafts())
    assert po.order.lines[0].quantity == units
    after = buyer.get("/planning")
    assert "Nothing to order now" in after.text  # the draft counts


def test_a_products_planning_page_draws_its_chart_and_is_linked_from_the_product(
    shop: Container, clock: FakeClock
) -> None:
    buyer = as_role(shop, "buyer")
    empty = buyer.get("/planning/products/GIFT")  # today's order is not history yet
    assert "no demand and no forecast yet" in _svg(empty.text)
    clock.advance(days=1)
    buyer = as_role(shop, "buyer")  # a new day, a new session
    assert 'href="/planning/products/GIFT"' in buyer.get("/products/GIFT").text
    page = buyer.get("/planning/products/GIFT")
    assert page.status_code == 200
    svg = _svg(page.text)
    assert svg.startswith("<svg") and "GIFT: demand and forecast per week" in svg
    assert "available now (0)" in svg
    assert buyer.get("/planning/products/NOPE").status_code == 404


def test_an_analyst_reads_without_forms_and_others_may_not(shop: Container) -> None:
    analyst = as_role(shop, "analyst")
    page = analyst.get("/planning")
    assert page.status_code == 200 and "Refresh the reorder levels" not in page.text
    assert 'action="/planning/' not in page.text
    forged = analyst.post("/planning/drafts", data={"csrf_token": csrf_of(page)})
    assert forged.status_code == 403
    assert analyst.post("/planning/refresh", data={"csrf_token": csrf_of(page)}).status_code == 403
    warehouse = as_role(shop, "warehouse")
    assert 'href="/planning"' not in warehouse.get("/").text
    assert warehouse.get("/planning").status_code == 403
    assert 'href="/planning/products/GIFT"' not in warehouse.get("/products/GIFT").text


def _svg(html: str) -> str:
    found = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert found is not None
    return base64.b64decode(found.group(1)).decode()


def _drafts():  # type: ignore[no-untyped-def]
    from oms.services.ports.planning import PurchaseOrderQuery

    return PurchaseOrderQuery("draft")

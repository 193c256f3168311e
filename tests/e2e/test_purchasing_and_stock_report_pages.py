"""The supplier pages, the purchase-order form, the stock report pages and incoming stock
on the product and stock pages, over HTTP on both databases: a buyer makes a supplier,
changes its terms, sets a cost price and makes a draft by hand (refusals shown at their
fields with what was typed); an analyst reads without forms; warehouse sees the incoming
figure but not the purchasing pages; a forged post is 403."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.planning.purchase_orders import Supplier
from oms.domain.users import NewUser
from oms.services import orders, purchasing, users
from oms.services.purchasing import NewPurchaseOrder, Terms
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
    stocked(fast.uow(), "GIFT", 8)
    stocked(fast.uow(), "MUG", 30)
    return fast


def _supplier_with_an_order(shop: Container) -> int:
    uow = shop.uow()
    store = shop.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "GIFT", 250, 6))
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("GIFT", 12, 250)])
    )
    purchasing.send(uow, store, SYSTEM, po.id, date(2026, 3, 16))
    return po.id


def test_a_buyer_makes_a_supplier_changes_it_and_sets_a_cost_price(shop: Container) -> None:
    buyer = as_role(shop, "buyer")
    page = buyer.get("/suppliers")
    assert page.status_code == 200 and "No supplier yet" in page.text
    assert 'href="/purchase-orders" aria-current="page"' in page.text  # Purchasing's entry
    token = csrf_of(page)
    form = {"csrf_token": token, "code": "ACME", "name": "Acme", "currency": "EUR",
            "lead_time_days": "400", "minimum_units": "x"}  # fmt: skip
    refused = buyer.post("/suppliers", data=form)
    assert refused.status_code == 422 and 'value="400"' in refused.text
    assert refused.text.count('aria-invalid="true"') == 1  # minimum_units first, alone
    refused = buyer.post("/suppliers", data=form | {"minimum_units": "12"})
    assert refused.status_code == 422 and "0 to 365 days" in refused.text
    made = buyer.post("/suppliers", data=form | {"lead_time_days": "10", "minimum_units": "12"},
                      follow_redirects=True)  # fmt: skip
    assert made.status_code == 200 and "Supplier ACME created" in made.text
    assert "10 days" in made.text and "12 units" in made.text
    terms = {"csrf_token": token, "name": "Acme Ltd", "lead_time_days": "5", "minimum_units": "0"}
    changed = buyer.post("/suppliers/ACME", data=terms, follow_redirects=True)
    assert "Acme Ltd" in changed.text and "5 days" in changed.text
    cost = {"csrf_token": token, "sku": "GIFT", "unit_cost": "2.555", "pack_size": "6"}
    finer = buyer.post("/suppliers/ACME/products", data=cost)
    assert finer.status_code == 422 and 'value="2.555"' in finer.text
    unknown = buyer.post("/suppliers/ACME/products", data=cost | {"sku": "NOPE", "unit_cost": "1"})
    assert unknown.status_code == 422 and "no product NOPE" in unknown.text
    done = buyer.post("/suppliers/ACME/products", data=cost | {"unit_cost": "2.50"},
                      follow_redirects=True)  # fmt: skip
    assert "2.50 EUR" in done.text and ">6<" in done.text
    assert buyer.get("/suppliers/NOPE").status_code == 404


def test_a_buyer_makes_a_draft_by_hand_with_errors_shown_at_their_lines(
    shop: Container,
) -> None:
    _supplier_with_an_order(shop)
    buyer = as_role(shop, "buyer")
    page = buyer.get("/purchase-orders/new?supplier=ACME")
    assert page.status_code == 200 and '<option value="ACME" selected>' in page.text
    token = csrf_of(page)
    data = {"csrf_token": token, "supplier": "ACME", "location": "PAR", "expected_on": "2026-03-20",
            "sku": ["GIFT", "MUG", "NOPE", ""], "quantity": ["6", "2", "1", ""],
            "unit_cost": ["", "", "1.00", ""]}  # fmt: skip
    refused = buyer.post("/purchase-orders/new", data=data)
    assert refused.status_code == 422
    assert "ACME has no cost price for MUG" in refused.text  # line 2, kept as typed
    assert 'id="f-sku-1" name="sku" value="MUG"' in refused.text
    data["unit_cost"] = ["", "4.00", "1.00", ""]
    refused = buyer.post("/purchase-orders/new", data=data)
    assert refused.status_code == 422 and "no product NOPE" in refused.text  # the service's
    assert 'aria-describedby="e-line-2"' in refused.text
    past = buyer.post("/purchase-orders/new", data=data | {"expected_on": "2026-01-01",
                      "sku": ["GIFT"], "quantity": ["6"], "unit_cost": [""]})  # fmt: skip
    assert past.status_code == 422 and "today or later" in past.text
    nothing = buyer.post("/purchase-orders/new", data=data | {"sku": [""], "quantity": [""],
                         "unit_cost": [""], "supplier": ""})  # fmt: skip
    assert nothing.status_code == 422 and "choose a supplier" in nothing.text
    made = buyer.post("/purchase-orders/new", data=data | {"sku": ["GIFT", "MUG"],
                      "quantity": ["6", "2"], "unit_cost": ["", "4.00"]},
                      follow_redirects=True)  # fmt: skip
    assert made.status_code == 200 and "Draft purchase order 2 made" in made.text
    uow = shop.uow()
    po = purchasing.get_purchase_order(uow, shop.purchase_orders(uow), SYSTEM, 2).order
    assert [(x.sku, x.quantity, x.unit_cost_minor) for x in po.lines] == [
        ("GIFT", 6, 250),  # the supplier's cost price
        ("MUG", 2, 400),
    ]
    assert po.expected_on == date(2026, 3, 20) and po.status.value == "draft"


def test_incoming_shows_on_the_product_and_stock_pages_as_a_figure_apart(
    shop: Container,
) -> None:
    po_id = _supplier_with_an_order(shop)
    warehouse = as_role(shop, "warehouse")
    product = warehouse.get("/products/GIFT")
    assert product.status_code == 200
    assert "<td>8</td><td>12</td>" in product.text  # available 8, incoming 12
    assert f"purchase order #{po_id}" in product.text  # no link: warehouse does not plan
    row = warehouse.get("/stock/PAR/GIFT")
    assert '<dd id="incoming">12</dd>' in row.text and '<dd id="available">8</dd>' in row.text
    assert "expected 2026-03-16" in row.text
    listed = warehouse.get("/stock?q=GIFT").text  # the list's last column
    assert '<td class="num">0</td>\n        <td class="num">12</td>' in listed
    analyst = as_role(shop, "analyst")
    assert f'href="/purchase-orders/{po_id}"' in analyst.get("/products/GIFT").text


def test_the_stock_report_pages_show_figures_a_csv_and_refuse_bad_parameters(
    shop: Container, clock: FakeClock
) -> None:
    _supplier_with_an_order(shop)
    orders.place_order(shop.uow(), SYSTEM, draft(("GIFT", 5)))
    clock.advance(days=7)
    analyst = as_role(shop, "analyst")
    # GIFT: 3 available and 12 on 16 March last 60 open days at 0.25 a day; with France's
    # five spring holidays closed, the 61st open day is Monday 8 June, beyond 90 days.
    out = analyst.get("/reports/stock-out")
    assert out.status_code == 200 and "mean demand per open day" in out.text
    assert "not within 90 days" in out.text
    longer = analyst.get("/reports/stock-out?horizon_days=120")
    assert "2026-06-08" in longer.text and "not within" not in longer.text
    assert 'href="/reports/stock-out" aria-current="page"' in out.text
    csv = analyst.get("/reports/stock-out.csv?days=14")
    assert csv.status_code == 200 and csv.text.startswith("location,sku,")
    dead = analyst.get("/reports/dead-stock?idle_days=30")
    assert "MUG" in dead.text and "no cost price" in dead.text
    value = analyst.get("/reports/stock-value")
    assert "20.00 EUR" in value.text  # 8 GIFT at 2.50
    bad = analyst.get("/reports/overstock?threshold_days=abc")
    assert bad.status_code == 422 and "a whole number of days" in bad.text
    assert analyst.get("/reports/overstock.csv?threshold_days=0").status_code == 422


def test_an_analyst_reads_suppliers_without_forms_and_warehouse_may_not(shop: Container) -> None:
    _supplier_with_an_order(shop)
    analyst = as_role(shop, "analyst")
    page = analyst.get("/suppliers/ACME")
    assert page.status_code == 200 and "2.50 EUR" in page.text and "#1" in page.text
    assert "Set cost price" not in page.text and "New purchase order" not in page.text
    token = csrf_of(page)
    forged = analyst.post("/suppliers/ACME", data={"csrf_token": token, "name": "X",
                          "lead_time_days": "1"})  # fmt: skip
    assert forged.status_code == 403
    assert analyst.get("/purchase-orders/new").status_code == 403
    assert analyst.post("/purchase-orders/new", data={"csrf_token": token}).status_code == 403
    warehouse = as_role(shop, "warehouse")
    assert warehouse.get("/suppliers").status_code == 403
    assert warehouse.get("/reports/stock-value").status_code == 403

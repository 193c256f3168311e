"""Admins at work in Chromium: create a warehouse user bound to a location, who logs in and
sees their navigation, then disable them and their login is refused; change a product's
price and archive it. A role without the rights sees no admin form and a forged POST is
refused. And each new page passes axe and fits at both widths."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.catalogue.model import NewProduct
from oms.domain.errors import InvalidInput
from oms.domain.orders.model import DraftLine, OrderDraft
from oms.services import catalogue, orders, users
from oms.web.nav import entries_for
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, HOLD_JOURNEY, check_page, log_in

NEW_PASSWORD = "wendy-at-lyon-1"


def _nav(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Main")


def _product(live_server: LiveServer, sku: str, price: str = "10.00") -> str:
    """A product of the test's own, so no other test depends on what this one does."""
    catalogue.create_product(
        live_server.container.uow(),
        SYSTEM,
        NewProduct(sku, f"Journey {sku}", Decimal(price), "EUR"),
    )
    return sku


def test_an_admin_creates_a_warehouse_user_at_a_location_then_disables_them(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    log_in(page, "admin")
    _nav(page).get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    page.get_by_label("User name").fill("wendy")
    page.get_by_label("Role").select_option("warehouse")
    page.get_by_label("Location").select_option("LYO")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_contain_text("User wendy created")
    row = page.locator("tbody tr", has=page.get_by_role("link", name="wendy", exact=True))
    expect(row).to_contain_text("warehouse")
    expect(row).to_contain_text("LYO")

    wendy = browser.new_context(base_url=live_server.url).new_page()
    wendy.goto("/login")
    wendy.get_by_label("User name").fill("wendy")
    wendy.get_by_label("Password").fill(NEW_PASSWORD)
    wendy.get_by_role("button", name="Log in").click()
    expect(wendy.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expected = [e.label for e in entries_for(Actor("wendy", Role.WAREHOUSE))]
    expect(_nav(wendy).get_by_role("link")).to_have_text(expected)
    assert "Users" not in expected and "Products" in expected
    me = users.get_user(live_server.container.uow(), SYSTEM, "wendy")
    assert (me.role, me.location) == (Role.WAREHOUSE, "LYO")

    row.get_by_role("link", name="wendy").click()
    page.get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("status")).to_contain_text("User wendy disabled")
    expect(page.locator(".heading .status")).to_have_text("disabled")

    wendy.reload()  # her session ended with the disabling
    expect(wendy.get_by_role("button", name="Log in")).to_be_visible()
    wendy.get_by_label("User name").fill("wendy")
    wendy.get_by_label("Password").fill(NEW_PASSWORD)
    wendy.get_by_role("button", name="Log in").click()
    expect(wendy.get_by_text("Wrong user name or password.")).to_be_visible()
    wendy.context.close()


def test_an_admin_changes_a_products_price_and_archives_it(
    page: Page, live_server: LiveServer
) -> None:
    sku = _product(live_server, "JRN-CAP-PRICE")
    log_in(page, "admin")
    _nav(page).get_by_role("link", name="Products").click()
    page.get_by_label("Search").fill("jrn-cap")
    page.get_by_role("button", name="Find products").click()
    page.get_by_role("link", name=sku).click()

    edit = page.locator("form", has=page.get_by_role("button", name="Save product"))
    edit.get_by_label("Price in EUR").fill("12.345")
    edit.get_by_role("button", name="Save product").click()
    expect(page.get_by_text("more decimals than EUR allows")).to_be_visible()
    expect(page.get_by_label("Price in EUR")).to_have_value("12.345")  # kept as typed
    page.get_by_label("Price in EUR").fill("12.50")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("status")).to_contain_text(f"Product {sku} saved.")
    expect(page.locator("dl.facts")).to_contain_text("12.50 EUR")

    page.get_by_role("button", name="Archive product").click()
    expect(page.get_by_role("status")).to_contain_text("can no longer be ordered")
    expect(page.locator(".heading .status")).to_have_text("archived")
    page.goto("/products?q=jrn-cap-price")
    expect(page.get_by_role("heading", name="No products found")).to_be_visible()
    page.get_by_label("Show").select_option("archived")
    page.get_by_role("button", name="Find products").click()
    expect(page.get_by_role("link", name=sku)).to_be_visible()

    uow = live_server.container.uow()
    stored = catalogue.get_product(uow, SYSTEM, sku)
    assert (stored.price, stored.archived) == (Decimal("12.50"), True)
    with pytest.raises(InvalidInput, match="archived"):
        draft = OrderDraft("web", HOLD_JOURNEY, ADDRESS, [DraftLine(sku, 1)])
        orders.place_order(uow, SYSTEM, draft)


def test_a_role_without_the_rights_sees_no_admin_form_and_a_forged_post_is_refused(
    page: Page, live_server: LiveServer
) -> None:
    sku = _product(live_server, "JRN-CAP-FORGE")
    log_in(page, "warehouse")
    expect(_nav(page).get_by_role("link", name="Users")).to_have_count(0)
    page.goto(f"/products/{sku}")
    expect(page.get_by_role("heading", name=re.compile(f"Product {sku}"))).to_be_visible()
    expect(page.get_by_role("button")).to_have_text(["Log out"])  # nothing else to press
    page.goto("/locations/PAR")
    expect(page.get_by_role("heading", name="Settings")).to_have_count(0)
    page.goto("/locations")
    expect(page.get_by_role("heading", name="New location")).to_have_count(0)
    assert page.goto("/users").status == 403  # type: ignore[union-attr]

    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    forged = page.request.post(f"/products/{sku}/archive", form={"csrf_token": csrf})
    assert forged.status == 403 and "may not catalogue write" in forged.text()
    forged = page.request.post(
        "/users", form={"csrf_token": csrf, "name": "mallory", "role": "admin"}
    )
    assert forged.status == 403
    uow = live_server.container.uow()
    assert not catalogue.get_product(uow, SYSTEM, sku).archived
    assert "mallory" not in {u.name for u in users.list_users(uow, SYSTEM)}


def test_the_products_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    _nav(page).get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    check_page(page, "products", screenshots)


def test_a_product_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    page.goto("/products")
    page.locator("tbody a").first.click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    check_page(page, "product", screenshots)


def test_the_locations_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    _nav(page).get_by_role("link", name="Locations").click()
    expect(page.get_by_role("heading", name="New location")).to_be_visible()
    check_page(page, "locations", screenshots)


def test_a_location_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    page.goto("/locations")
    page.get_by_role("link", name="PAR").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    check_page(page, "location", screenshots)


def test_the_users_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    _nav(page).get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="New user")).to_be_visible()
    check_page(page, "users", screenshots)


def test_a_user_page_passes_axe_and_fits(page: Page) -> None:
    log_in(page, "admin")
    page.goto("/users/warehouse")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    check_page(page, "user", None)

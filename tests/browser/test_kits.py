"""Kits in Chromium: an admin makes a kit on the products page (refused inline when a
component does not exist, what was typed kept), sees its components and the kits each
location can make, and an order of it shows what a kit holds; axe and both widths."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.orders.model import Customer, DraftLine, OrderDraft
from oms.services import catalogue, kits, orders
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, check_page, log_in

SKU = "KIT-MUG-PAIR"
PARTS = "MUG-STN-WHT x2, CND-SOY-FIG x1"


def _new_product(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("section", has=page.get_by_role("heading", name="New product"))


def _make_kit(page: Page, live_server: LiveServer) -> None:
    if catalogue.list_products(live_server.container.uow(), SYSTEM, text=SKU):
        return
    page.goto("/products")
    form = _new_product(page)
    form.get_by_label("SKU").fill(SKU)
    form.get_by_label("Name").fill("Two mugs and a candle")
    form.get_by_label("Price").fill("49.00")
    form.get_by_label("Kit components").fill(PARTS)
    form.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("heading", name=f"Product {SKU}")).to_be_visible()


def test_an_admin_makes_a_kit_and_sees_what_each_location_can_make(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "admin")
    page.goto("/products")
    form = _new_product(page)
    form.get_by_label("SKU").fill("KIT-BAD")
    form.get_by_label("Name").fill("Broken kit")
    form.get_by_label("Price").fill("10.00")
    form.get_by_label("Kit components").fill("NOPE-SKU x1, MUG-STN-WHT x2")
    form.get_by_role("button", name="Create product").click()
    form = _new_product(page)
    expect(form.get_by_role("alert")).to_contain_text("correct the marked field")
    expect(form.locator("#e-components")).to_contain_text("NOPE-SKU x1: no product with SKU")
    expect(form.get_by_label("Kit components")).to_have_value("NOPE-SKU x1, MUG-STN-WHT x2")
    uow = live_server.container.uow()
    assert not catalogue.list_products(uow, SYSTEM, text="KIT-BAD")

    _make_kit(page, live_server)
    page.goto(f"/products/{SKU}")
    parts = page.locator("section", has=page.get_by_role("heading", name="Kit components"))
    expect(parts.locator("tbody tr")).to_have_count(2)
    expect(parts).to_contain_text("MUG-STN-WHT")
    available = page.locator(
        "section", has=page.get_by_role("heading", name="Available kits per location")
    )
    made = kits.product_availability(uow, SYSTEM, SKU)
    for a in made.locations:
        expect(available.get_by_role("row", name=a.location)).to_contain_text(str(a.available))
    expect(available.locator("tfoot")).to_contain_text(str(made.total))


def test_an_order_of_a_kit_shows_what_the_kits_hold(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "admin")
    _make_kit(page, live_server)
    customer = Customer("kim.kit@example.com", "Kim Kit")
    draft = OrderDraft("web", customer, ADDRESS, [DraftLine(SKU, 2)])
    placed = orders.place_order(live_server.container.uow(), SYSTEM, draft)
    page.goto(f"/orders/{placed.order.id}")
    expect(page.locator(".kit-contents")).to_have_text("KIT x2: MUG-STN-WHT x4, CND-SOY-FIG x2")
    check_page(page, "kit-order", screenshots)


def test_a_kit_page_passes_axe_and_fits(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "admin")
    _make_kit(page, live_server)
    page.goto(f"/products/{SKU}")
    expect(page.get_by_role("heading", name="Kit components")).to_be_visible()
    check_page(page, "kit-product", screenshots)
    page.goto("/products")
    _new_product(page).get_by_label("Kit components").fill("NOPE x1")
    _new_product(page).get_by_label("SKU").fill("KIT-X")
    _new_product(page).get_by_label("Name").fill("X")
    _new_product(page).get_by_label("Price").fill("1.00")
    _new_product(page).get_by_role("button", name="Create product").click()
    expect(_new_product(page).get_by_role("alert")).to_be_visible()
    check_page(page, "kit-refused", screenshots)

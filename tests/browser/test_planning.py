"""Planning in Chromium: a buyer opens Planning from the navigation, refreshes the reorder
levels, makes the suggested orders drafts, and opens a product's planning page (its chart)
from the product's page. The pages pass axe and fit at both widths."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.planning.purchase_orders import Supplier
from oms.services import purchasing
from oms.services.purchasing import Terms
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

SKU = "THR-WOL-GRY"  # one of the demo's short products


def test_a_buyer_refreshes_the_levels_makes_drafts_and_reads_a_products_chart(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    container = live_server.container
    uow = container.uow()
    store = container.purchase_orders(uow)
    if uow.run(lambda: store.supplier("LOOM"), write=False) is None:
        purchasing.create_supplier(
            uow, store, SYSTEM, Supplier(0, "LOOM", "Loom & Wick", "EUR", 10, 4)
        )
        purchasing.set_terms(uow, store, SYSTEM, Terms("LOOM", SKU, 6100, 2))
        purchasing.set_terms(uow, store, SYSTEM, Terms("LOOM", "CND-SOY-FIG", 780, 6))

    log_in(page, "buyer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", name="Suggested purchase orders")).to_be_visible()
    page.get_by_role("button", name="Refresh the reorder levels").click()
    expect(page.get_by_role("status")).to_contain_text("Reorder levels refreshed: 2 products")
    expect(page.get_by_role("heading", name="Understock")).to_be_visible()
    check_page(page, "planning-suggestions", screenshots)
    # The demo's short products wait for stock: both are suggested (THR-WOL-GRY at every
    # location that shipped it).
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_contain_text("Draft purchase orders made")
    expect(page.get_by_role("heading", name="Draft purchase orders, newest first")).to_be_visible()
    expect(page.get_by_role("cell", name="LOOM").first).to_be_visible()

    page.goto(f"/products/{SKU}")
    page.get_by_role("link", name="Planning: forecast and reorder levels").click()
    expect(page.get_by_role("heading", name=f"Planning: {SKU}")).to_be_visible()
    expect(page.get_by_role("img", name="Line chart")).to_be_visible()
    expect(page.get_by_role("region", name="Reorder levels", exact=True)).to_contain_text("LOOM")
    check_page(page, "planning-product", screenshots)

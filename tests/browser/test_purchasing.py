"""Purchase orders in Chromium: a buyer reaches them from the navigation, sends a draft,
sees a refused quantity inline, receives units into the location and closes the order.
The list and the page pass axe and fit at both widths."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.planning.purchase_orders import Supplier
from oms.services import purchasing
from oms.services.purchasing import NewPurchaseOrder
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

SKU = "MUG-STN-WHT"


def test_a_buyer_sends_receives_and_closes_a_purchase_order(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    container = live_server.container
    uow = container.uow()
    store = container.purchase_orders(uow)
    if uow.run(lambda: store.supplier("KILN"), write=False) is None:
        supplier = Supplier(0, "KILN", "Kiln & Co", "EUR", 10, 0)
        purchasing.create_supplier(uow, store, SYSTEM, supplier)
    made = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("KILN", "PAR", [(SKU, 24, 310)])
    )
    (line,) = made.lines

    log_in(page, "buyer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchasing").click()
    expect(page.get_by_role("heading", name="Purchase orders", exact=True)).to_be_visible()
    check_page(page, "purchase-orders", screenshots)
    page.get_by_role("link", name=f"#{made.id}", exact=True).click()
    page.get_by_role("button", name="Send to KILN").click()
    expect(page.get_by_role("status")).to_contain_text(f"Purchase order {made.id} sent")

    arrived = page.get_by_label(f"Units of {SKU} arrived now")
    arrived.fill("30")
    page.get_by_role("button", name="Receive into PAR").click()
    expect(page.locator(f"#e-line-{line.id}")).to_contain_text("1 to 24")
    expect(page.get_by_label(f"Units of {SKU} arrived now")).to_have_value("30")
    check_page(page, "purchase-order-refused", screenshots)

    page.get_by_label(f"Units of {SKU} arrived now").fill("20")
    page.get_by_role("button", name="Receive into PAR").click()
    expect(page.get_by_role("status")).to_contain_text("20 units received")
    check_page(page, "purchase-order", screenshots)
    page.get_by_role("button", name="Close with what arrived").click()
    expect(page.get_by_role("status")).to_contain_text("closed with what arrived")
    expect(page.get_by_text("Nothing more to do")).to_be_visible()

"""Suppliers, a purchase order made by hand, incoming stock and the stock reports in
Chromium: a buyer makes a supplier (a refused lead time shown at its field), sets a cost
price, makes a draft by hand (a line without a cost refused at its line), sends it and sees
it as incoming on the product page; an analyst reads the four stock reports and downloads
their CSV. Each new page passes axe and fits at both widths."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

SKU, OTHER = "MUG-STN-WHT", "TWL-TEA-NAT"


def test_a_buyer_makes_a_supplier_and_a_purchase_order_by_hand(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "buyer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchasing").click()
    page.get_by_role("link", name="Suppliers", exact=True).click()
    expect(page.get_by_role("heading", name="Suppliers", exact=True)).to_be_visible()
    code = "GLAZE" if page.get_by_role("link", name="GLAZE").count() == 0 else "GLAZE2"
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Name", exact=True).fill("Glaze & Fire")
    page.get_by_label("Currency", exact=True).fill("EUR")
    page.get_by_label("Lead time in days", exact=True).fill("400")
    page.get_by_role("button", name="Create supplier").click()
    expect(page.locator("#e-lead_time_days")).to_contain_text("0 to 365 days")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Glaze & Fire")
    check_page(page, "suppliers-refused", screenshots)
    page.get_by_label("Lead time in days", exact=True).fill("12")
    page.get_by_label("Minimum order in units", exact=True).fill("24")
    page.get_by_role("button", name="Create supplier").click()
    expect(page.get_by_role("status")).to_contain_text(f"Supplier {code} created")

    page.get_by_label("SKU", exact=True).fill(SKU)
    page.get_by_label("Cost price in EUR", exact=True).fill("3.10")
    page.get_by_label("Pack size", exact=True).fill("6")
    page.get_by_role("button", name="Set cost price").click()
    expect(page.get_by_role("region", name="Cost prices by product")).to_contain_text("3.10 EUR")
    check_page(page, "supplier", screenshots)

    page.get_by_role("link", name=f"New purchase order to {code}").click()
    expect(page.get_by_role("heading", name="New purchase order")).to_be_visible()
    page.get_by_label("Deliver to", exact=True).select_option("PAR")
    page.get_by_label("SKU of line 1", exact=True).fill(SKU)
    page.get_by_label("Units of line 1", exact=True).fill("24")
    page.get_by_label("SKU of line 2", exact=True).fill(OTHER)
    page.get_by_label("Units of line 2", exact=True).fill("6")
    check_page(page, "purchase-order-new", screenshots)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#e-line-1")).to_contain_text(f"has no cost price for {OTHER}")
    expect(page.get_by_label("SKU of line 2", exact=True)).to_have_value(OTHER)
    check_page(page, "purchase-order-new-refused", screenshots)
    page.get_by_label("Unit cost of line 2", exact=True).fill("4.50")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft purchase order")
    page.get_by_role("button", name=f"Send to {code}").click()
    expect(page.get_by_role("status")).to_contain_text("sent, expected")

    page.goto(f"/products/{SKU}")
    expect(page.get_by_role("heading", name="On its way")).to_be_visible()
    expect(page.get_by_text("24 to PAR")).to_be_visible()
    check_page(page, "product-incoming", screenshots)


@pytest.mark.parametrize(
    ("link", "heading", "header"),
    [
        ("Stock-out", "Projected stock-out", "location,sku,on_hand"),
        ("Overstock", "Overstock", "location,sku,on_hand"),
        ("Dead stock", "Dead stock", "location,sku,on_hand,last_demand_on"),
        ("Stock value", "Stock value at cost", "location,currency,products"),
    ],
)
def test_an_analyst_reads_each_stock_report(
    page: Page,
    live_server: LiveServer,
    screenshots: Path | None,
    link: str,
    heading: str,
    header: str,
) -> None:
    log_in(page, "analyst")
    page.goto("/reports")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Based on", exact=False).first).to_be_visible()
    check_page(page, "reports-" + link.lower().replace(" ", "-"), screenshots)
    download = page.get_by_role("link", name="Download as CSV")
    answer = page.request.get(live_server.url + download.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().startswith(header)
    field = page.get_by_role("textbox").first
    if field.count():
        field.fill("abc")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("alert")).to_contain_text("Invalid input")

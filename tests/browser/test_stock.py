"""The stock pages in Chromium: a warehouse user finds a product's row, counts it and is
refused an adjustment below what is reserved (inline, the reason kept); a role that may not
change stock sees no form; axe and both widths on the list, a row and the backorders."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import inventory
from tests.browser.conftest import LiveServer
from tests.browser.shop import STOCK_JOURNEY, check_page, log_in

SKU = STOCK_JOURNEY.sku
ROW = f"/stock/BER/{SKU}"


def _form(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("form.action", has=page.get_by_role("heading", name=title, exact=True))


def _levels(live_server: LiveServer) -> tuple[int, int]:
    (row,) = inventory.list_stock(live_server.container.uow(), SYSTEM, sku=SKU, location="BER")
    return row.on_hand, row.reserved


def test_a_warehouse_user_counts_a_row_and_is_refused_an_adjustment_below_reserved(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "warehouse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    expect(page.get_by_role("heading", name="Stock", exact=True)).to_be_visible()
    page.get_by_label("Product", exact=True).fill(SKU.lower())
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)  # htmx swapped the results in while typing
    expect(page).to_have_url(re.compile(r"q=jrn-lamp"))
    results.get_by_role("link", name=SKU).click()
    expect(page.get_by_role("heading", name=f"{SKU} at BER")).to_be_visible()
    expect(page.locator("#reserved")).to_have_text("4")
    on_hand = int(page.locator("#on-hand").inner_text())

    count = _form(page, "Count")
    count.get_by_label("Counted on hand").fill(str(on_hand + 5))
    count.get_by_label("Reason").fill("Cycle count, aisle 4")
    count.get_by_role("button", name="Save count").click()
    expect(page.get_by_role("status")).to_contain_text(f"Counted {on_hand + 5} of {SKU} at BER")
    expect(page.locator("#on-hand")).to_have_text(str(on_hand + 5))
    expect(page.locator("#available")).to_have_text(str(on_hand + 1))
    expect(page.get_by_role("columnheader", name="When (Europe/Berlin)")).to_be_visible()
    newest = page.locator("table tbody tr").first
    for text in ("count", "+5", "Cycle count, aisle 4", "warehouse"):
        expect(newest).to_contain_text(text)
    expect(newest.locator("time")).to_contain_text(re.compile(r"CES?T$"))
    assert _levels(live_server) == (on_hand + 5, 4)

    adjust = _form(page, "Adjust")
    adjust.get_by_label("Units to add or remove").fill(str(-(on_hand + 3)))
    adjust.get_by_label("Reason").fill("Water damage under the roof leak")
    adjust.get_by_role("button", name="Save adjustment").click()
    adjust = _form(page, "Adjust")
    expect(adjust.get_by_role("alert")).to_contain_text("below what is reserved")
    expect(adjust.get_by_label("Reason")).to_have_value("Water damage under the roof leak")
    expect(adjust.get_by_label("Units to add or remove")).to_have_value(str(-(on_hand + 3)))
    expect(page.locator("#on-hand")).to_have_text(str(on_hand + 5))
    assert _levels(live_server) == (on_hand + 5, 4)  # nothing changed


def test_a_role_that_may_not_change_stock_sees_no_form_and_a_forged_post_is_refused(
    page: Page, live_server: LiveServer
) -> None:
    before = _levels(live_server)
    log_in(page, "analyst")
    page.goto(ROW)
    expect(page.get_by_role("heading", name=f"{SKU} at BER")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Ledger"))).to_be_visible()
    expect(page.locator("form.action")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"{ROW}/adjust", form={"csrf_token": csrf or "", "delta": "7", "reason": "forged"}
    )
    assert forged.status == 403
    assert _levels(live_server) == before


def test_the_stock_list_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "warehouse")
    page.goto("/stock?location=PAR")
    expect(page.locator("#results tbody tr").first).to_be_visible()
    check_page(page, "stock", screenshots)


def test_a_stock_row_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "warehouse")
    page.goto(ROW)
    adjust = _form(page, "Adjust")
    adjust.get_by_label("Units to add or remove").fill("many")
    adjust.get_by_label("Reason").fill("Checking the form")
    adjust.get_by_role("button", name="Save adjustment").click()
    expect(page.get_by_text("must be a whole number")).to_be_visible()
    check_page(page, "stock-row", screenshots)


def test_the_stock_backorders_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "warehouse")
    page.goto("/stock/backorders")
    expect(page.get_by_role("heading", name="Backorders", exact=True)).to_be_visible()
    check_page(page, "backorders", screenshots)

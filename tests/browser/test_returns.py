"""Returns in Chromium: customer service starts a return from the order page and approves
it; the warehouse receives the parcel and inspects it, one unit resellable and one damaged,
and the resellable one is back on hand. The returns list and a return pass axe and fit."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import inventory, orders
from oms.services.ports.orders import OrderFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import RETURN_JOURNEY, RETURN_SKU, check_page, log_in


def _action(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("form.action", has=page.get_by_role("heading", name=title, exact=True))


def test_a_return_is_started_approved_received_and_inspected(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    uow = live_server.container.uow()
    (order,) = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email=RETURN_JOURNEY.email))
    log_in(page, "customer_service")
    page.goto(f"/orders/{order.id}")
    start = _action(page, "Start a return")
    start.get_by_label(f"Units of {RETURN_SKU} to return").fill("2")
    start.get_by_label(f"Reason for {RETURN_SKU}").select_option("damaged")
    start.get_by_role("button", name="Start the return").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Return RMA-"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("started")
    return_url = page.url
    _action(page, "Approve").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("link", name="Print return label")).to_be_visible()
    label = page.request.get(
        page.get_by_role("link", name="Print return label").get_attribute("href") or ""
    )
    assert label.status == 200 and label.body().startswith(b"%PDF")

    page.context.clear_cookies()
    log_in(page, "warehouse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    page.get_by_label("Status").select_option("approved")
    page.get_by_role("button", name="Show returns").click()
    expect(page.get_by_role("link", name=re.compile(r"^RMA-")).first).to_be_visible()
    check_page(page, "returns", screenshots)

    page.goto(return_url)
    location = page.get_by_label("Received at").input_value()
    (row,) = inventory.list_stock(uow, SYSTEM, sku=RETURN_SKU, location=location)
    receive = _action(page, "Receive")
    expect(receive.get_by_label(re.compile(f"Units of {RETURN_SKU}"))).to_have_value("2")
    receive.get_by_role("button", name="Receive").click()
    inspect = _action(page, "Inspect")
    inspect.get_by_label("Resellable").fill("1")
    inspect.get_by_label("Damaged (written off)").fill("1")
    inspect.get_by_role("button", name="Inspect").click()
    expect(page.get_by_role("status")).to_contain_text("inspected")
    check_page(page, "return", screenshots)

    (after,) = inventory.list_stock(uow, SYSTEM, sku=RETURN_SKU, location=location)
    assert after.on_hand == row.on_hand + 1  # two came back, one was written off

"""Customer service in Chromium: an agent finds an order by the phone number the customer
gives, opens the customer's view from it, then the service queue, and follows a reason to
its order. The queue and the customer view pass axe and fit."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shop import SERVICE_JOURNEY, check_page, log_in


def test_an_agent_finds_an_order_by_phone_sees_the_customer_and_works_the_queue(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "customer_service")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    results = page.locator("#results tbody tr")
    page.get_by_label("Search").fill("04 72 00 12 99")  # no one's number ends so
    expect(page.locator("#results")).to_contain_text("No orders found")
    page.get_by_label("Search").fill("04 72 00 11 22")  # as said on the phone: the end of hers
    expect(results).to_have_count(2)
    page.get_by_label("Search").fill("+33 4 72 00 11 22")
    expect(results).to_have_count(2)
    results.first.get_by_role("link", name=re.compile(r"^SO-")).click()
    expect(page.get_by_text("+33472001122")).to_be_visible()

    page.get_by_role("link", name="All of this customer's orders and returns").click()
    expect(page.get_by_role("heading", name=SERVICE_JOURNEY.name, exact=True)).to_be_visible()
    orders = page.get_by_role("region", name="The customer's orders").locator("tbody tr")
    expect(orders).to_have_count(2)
    expect(orders.first).to_contain_text("on hold")
    check_page(page, "customer", screenshots)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Service").click()
    expect(page.get_by_role("heading", name="Service", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Reasons")).to_be_visible()
    check_page(page, "service", screenshots)
    first = page.get_by_role("region", name="Service queue").locator("tbody tr").first
    number = first.get_by_role("link").first.inner_text()
    reason = first.get_by_role("link").nth(1)
    reason.click()
    expect(page.get_by_role("heading", name=re.compile(number))).to_be_visible()

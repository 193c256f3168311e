"""The perfect-order, returns, cash and loyalty pages in Chromium, on the demo's orders: an
analyst goes from page to page through the Reports sub-navigation, reads the summary and
the tables, sees the chart, downloads the CSV; a day that is not one is named. Each page
passes axe and fits at 1280 and 820 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in


@pytest.mark.parametrize(
    ("link", "heading", "table", "header"),
    [
        ("Perfect orders", "Perfect orders", "Components", "component,orders"),
        ("Returns", "Returns", "By channel (delivered orders with a return)", "by,key,returned"),
        ("Cash", "Cash and stock", "Revenue", "kind,currency,location"),
        ("Loyalty", "Loyalty", "Retention by month of first order", "cohort,customers"),
    ],
)
def test_an_analyst_reads_each_business_report(
    page: Page,
    live_server: LiveServer,
    screenshots: Path | None,
    link: str,
    heading: str,
    table: str,
    header: str,
) -> None:
    log_in(page, "analyst")
    page.goto("/reports")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name=table).locator("tbody tr").first).to_be_visible()
    chart = page.get_by_role("img", name="Bar chart")
    if chart.count():
        assert chart.evaluate("img => img.naturalWidth") > 0  # the browser drew it
    check_page(page, "reports-" + link.lower().replace(" ", "-"), screenshots)
    download = page.get_by_role("link", name="Download as CSV")
    answer = page.request.get(live_server.url + download.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().startswith(header)
    page.get_by_label("Placed from").fill("2001-01-01")
    page.get_by_label("Days read in time zone").fill("Nowhere/City")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid input")

"""The reports page in Chromium: an analyst opens Reports from the navigation and reads the
stage table of the demo's delivered orders with its SVG chart, downloads the CSV, and is
told about a day that is not one. The page passes axe and fits at 1280 and 820 px."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in


def test_an_analyst_reads_the_stage_times_with_their_chart_and_csv(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "analyst")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Stage times")).to_be_visible()
    rows = page.get_by_role("region", name="Stage times").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("placed to confirmed")
    expect(page.get_by_text("(bottleneck)").first).to_be_visible()
    split = page.get_by_role("region", name="Late and on-time orders").locator("tbody tr")
    expect(split).to_have_count(4)  # the demo has late deliveries
    expect(page.get_by_text("(most lost)")).to_have_count(1)
    chart = page.get_by_role("img", name="Bar chart of the table above")
    assert (chart.get_attribute("src") or "").startswith("data:image/svg+xml;base64,")
    assert chart.evaluate("img => img.naturalWidth") > 0  # the browser drew it
    check_page(page, "reports", screenshots)

    link = page.get_by_role("link", name="Download the table as CSV")
    answer = page.request.get(live_server.url + link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().splitlines()[0].startswith("group,stage,count,mean_hours")

    page.get_by_label("Placed to (inclusive)").fill("2001-01-01")
    page.get_by_label("Placed from").fill("2001-01-02")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid input")
    expect(page.get_by_text("must not be after to")).to_be_visible()


def test_an_analyst_follows_the_bottleneck_week_by_week(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "analyst")
    page.goto("/reports")
    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Bottleneck trend"
    ).click()
    expect(page.get_by_role("heading", name="Bottleneck trend")).to_be_visible()
    weeks = page.get_by_role("region", name="Weeks").locator("tbody tr")
    expect(weeks.first).to_be_visible()
    assert weeks.first.locator("th").inner_text().startswith("20")  # 2026-W49
    expect(weeks.first.locator("td").nth(4)).not_to_be_empty()  # that week's bottleneck
    chart = page.get_by_role("img", name="Line chart of the weekly table below")
    assert chart.evaluate("img => img.naturalWidth") > 0
    check_page(page, "reports-trend", screenshots)
    link = page.get_by_role("link", name="Download the weeks as CSV")
    answer = page.request.get(live_server.url + link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    header, *rows = answer.text().splitlines()
    assert header.startswith("week,orders,placed_to_confirmed_p50_hours")
    assert len(rows) == weeks.count()

    page.get_by_label("Placed from").fill("2001-01-02")
    page.get_by_label("Placed to (inclusive)").fill("2001-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid input")
    page.get_by_label("Placed from").fill("2001-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No delivered order was placed in these days.")).to_be_visible()


def test_the_reports_entry_is_only_for_roles_that_read_reports(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "warehouse")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Stock")).to_be_visible()
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)


def test_work_in_progress_and_open_orders_by_age(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "analyst")
    page.goto("/reports")
    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Work in progress"
    ).click()
    expect(page.get_by_role("heading", name="Work in progress", exact=True)).to_be_visible()
    little = page.get_by_role("region", name="Little's law per stage").locator("tbody tr")
    expect(little).to_have_count(3)
    days = page.get_by_role("region", name="Each day").locator("tbody tr")
    expect(days).to_have_count(30)
    chart = page.get_by_role("img", name="Line chart of the daily table below")
    assert chart.evaluate("img => img.naturalWidth") > 0
    check_page(page, "reports-wip", screenshots)
    link = page.get_by_role("link", name="Download the days as CSV")
    answer = page.request.get(live_server.url + link.get_attribute("href"))
    assert answer.text().splitlines()[0].startswith("day,wip_awaiting_confirmation")

    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Open orders by age"
    ).click()
    expect(page.get_by_role("heading", name="Open orders by age")).to_be_visible()
    buckets = page.get_by_role("region", name="Open orders by age").locator("tbody tr")
    expect(buckets).to_have_count(7)
    oldest = page.get_by_role("region", name="The oldest open orders").locator("tbody tr")
    expect(oldest.first).to_be_visible()
    check_page(page, "reports-aging", screenshots)
    number = oldest.first.get_by_role("link").inner_text()
    oldest.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()

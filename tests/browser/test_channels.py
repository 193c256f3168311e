"""Channels in Chromium: an admin reaches them from the navigation, sees a refusal inline,
creates a channel and copies its secret (shown once), reads the webhook URLs, changes a
setting, uploads a CSV of orders and reads its row errors. The list and the channel page
pass axe and fit at both widths."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import channels
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

NAME = "kiosk-market"
SKU = "MUG-STN-WHT"
CSV = (
    "external_id,sku,quantity,unit_price,customer_email,customer_name,ship_line1,ship_city,"
    "ship_postal_code,ship_country\n"
    f"K-1,{SKU},1,12.00,ann@example.com,Ann Martin,3 rue Mercière,Lyon,69002,FR\n"
    "K-2,NO-SUCH-SKU,1,5.00,bob@example.com,Bob,1 rue,Lyon,69001,FR\n"
    f"K-3,{SKU},two,12.00,eve@example.com,Eve,2 rue,Lyon,69001,FR\n"
)


def test_an_admin_creates_a_channel_and_imports_orders(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Kiosk Market")
    page.get_by_label("Kind").select_option("marketplace")
    page.get_by_label("Buffer (units)").fill("5")
    page.get_by_role("button", name="Create channel").click()
    expect(page.locator("#e-name")).to_contain_text("slug")
    expect(page.get_by_label("Name")).to_have_value("Kiosk Market")
    check_page(page, "channels", screenshots)

    page.get_by_label("Name").fill(NAME)
    page.get_by_role("button", name="Create channel").click()
    secret = channels.get_channel(live_server.container.uow(), SYSTEM, NAME).channel.secret
    assert secret
    expect(page.locator("#new-secret")).to_have_text(secret)
    expect(page.locator("#shopify-url")).to_contain_text(f"/api/v1/channels/{NAME}/shopify/orders")
    expect(page.locator("#woocommerce-url")).to_contain_text("/woocommerce/orders")

    page.get_by_label("Checkout holds (minutes)").fill("30")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text(f"Settings of channel {NAME} saved")
    expect(page.locator("#new-secret")).to_have_count(0)  # never shown again
    expect(page.get_by_text("30 minutes")).to_be_visible()

    page.locator("#f-file").set_input_files(
        files=[{"name": "orders.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("1 imported")
    expect(report).to_contain_text("2 skipped with errors")
    expect(report.get_by_role("row")).to_have_count(3)  # the header and two row errors
    expect(report).to_contain_text("unknown SKU 'NO-SUCH-SKU'")
    expect(report).to_contain_text("'two' is not a whole number")
    check_page(page, "channel", screenshots)


def test_customer_service_reads_a_channel_without_forms(page: Page) -> None:
    log_in(page, "customer_service")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels")
    ).to_have_count(0)
    page.goto("/channels/web")
    expect(page.get_by_text("No record: this channel works with the defaults.")).to_be_visible()
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)

"""Return policies in Chromium: an admin reaches them from the returns list, adds a policy
for a channel of its own, sees a refusal inline with what was typed, changes it and deletes
it; customer service reads the policies without a form. The list and a policy pass axe and
fit at both widths."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import return_policies
from oms.services.return_policies import PolicySource
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

CHANNEL = "kiosk"  # no seeded order comes from it: no other test depends on its policy
SKU = "MUG-STN-WHT"


def test_an_admin_adds_changes_and_deletes_a_channels_return_policy(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    uow = live_server.container.uow()
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    page.get_by_role("link", name="Return policies").click()
    expect(page.get_by_role("heading", name="Return policies", exact=True)).to_be_visible()

    page.get_by_role("textbox", name="Channel").fill(CHANNEL)
    page.get_by_label("Window (days from delivery)").fill("10")
    page.get_by_label("Non-returnable SKUs").fill(f"{SKU} NO-SUCH-SKU")
    page.get_by_label("changed mind").uncheck()
    page.get_by_role("button", name="Add policy").click()
    error = page.locator("#e-non_returnable")
    expect(error).to_contain_text("NO-SUCH-SKU")
    expect(page.get_by_label("Non-returnable SKUs")).to_have_value(f"{SKU} NO-SUCH-SKU")
    expect(page.get_by_label("Window (days from delivery)")).to_have_value("10")
    expect(page.get_by_label("changed mind")).not_to_be_checked()
    check_page(page, "return-policies", screenshots)

    page.get_by_label("Non-returnable SKUs").fill(SKU)
    page.get_by_role("button", name="Add policy").click()
    expect(page.get_by_role("status")).to_contain_text(f"Return policy of channel {CHANNEL} saved")
    found = return_policies.get_policy(uow, SYSTEM, CHANNEL)
    assert (found.source, found.policy.window_days) == (PolicySource.CHANNEL, 10)
    assert found.policy.non_returnable == {SKU}
    check_page(page, "return-policy", screenshots)

    page.get_by_label("Window (days from delivery)").fill("45")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_text("45 days from delivery")).to_be_visible()

    page.get_by_role("button", name="Delete this policy").click()
    expect(page.get_by_role("status")).to_contain_text("deleted")
    expect(page.get_by_role("link", name=CHANNEL, exact=True)).to_have_count(0)
    assert return_policies.get_policy(uow, SYSTEM, CHANNEL).source is not PolicySource.CHANNEL


def test_customer_service_reads_the_policies_without_a_form(page: Page) -> None:
    log_in(page, "customer_service")
    page.goto("/returns/policies")
    expect(page.get_by_role("heading", name="Return policies", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Add policy")).to_have_count(0)
    page.get_by_role("link", name="Default (*)").click()
    expect(page.get_by_role("heading", name="Return policy of the default")).to_be_visible()
    expect(page.get_by_role("button", name="Save policy")).to_have_count(0)

"""Every back-office page in Chromium: navigation by role, keyboard, axe-core at desktop and
tablet width, and the screenshots of the README's tour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms.domain.access import Actor, Role
from oms.web.nav import entries_for
from tests.browser.shop import HOLD_JOURNEY, check_page, log_in


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_sees_the_navigation_it_may_use_and_its_today(page: Page, role: str) -> None:
    log_in(page, role)
    nav = page.get_by_role("navigation", name="Main")
    expected = [e.label for e in entries_for(Actor(role, Role(role)))]
    expect(nav.get_by_role("link")).to_have_text(expected)
    expect(nav.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    if role == "carrier":
        expect(page.get_by_text("Your role does not read orders.")).to_be_visible()
    elif role == "driver":
        expect(page.get_by_text("Your run of the day is on the")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()


def test_the_first_tab_stop_is_the_skip_link_and_it_leads_to_the_content(page: Page) -> None:
    log_in(page, "sales")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_login_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    page.goto("/login")
    check_page(page, "login", screenshots)


@pytest.mark.parametrize("role", ["admin", "customer_service", "warehouse"])
def test_today_passes_axe_and_fits(page: Page, screenshots: Path | None, role: str) -> None:
    log_in(page, role)
    check_page(page, f"today-{role.replace('_', '-')}", screenshots)


def test_the_orders_list_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "sales")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    check_page(page, "orders", screenshots)


def test_an_order_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "admin")
    page.goto("/orders?status=partially_shipped")
    page.locator("#results tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order SO-"))).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    check_page(page, "order", screenshots)


def test_an_order_with_actions_and_an_inline_error_passes_axe(
    page: Page, screenshots: Path | None
) -> None:
    log_in(page, "customer_service")
    page.goto(f"/orders?q={HOLD_JOURNEY.email}")
    page.get_by_role("link", name=re.compile(r"^SO-")).first.click()
    form = page.locator("form.action", has=page.get_by_role("heading", name="Cancel order"))
    form.get_by_label("Reason").fill(" ")
    form.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("Reason must not be empty")).to_be_visible()
    check_page(page, "order-error", screenshots)


def test_the_account_page_passes_axe_and_fits(page: Page, screenshots: Path | None) -> None:
    log_in(page, "analyst")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    check_page(page, "account", screenshots)

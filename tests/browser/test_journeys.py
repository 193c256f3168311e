"""What people do all day, in Chromium: find an order and hold and release it, see only the
buttons their role may press (and be refused a forged one), search and sort the list,
change their password and manage their own tokens."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.users import NewUser
from oms.services import orders, users
from oms.services.ports.orders import OrderFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import FORGE_JOURNEY, HOLD_JOURNEY, log_in


def _order_of(live_server: LiveServer, email: str) -> int:
    uow = live_server.container.uow()
    (order,) = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email=email))
    return order.id


def _action(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("form.action", has=page.get_by_role("heading", name=title, exact=True))


def test_a_customer_service_agent_finds_an_order_by_email_holds_and_releases_it(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "customer_service")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    page.get_by_label("Search").fill(HOLD_JOURNEY.email)
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)  # htmx swapped the results in as she typed
    expect(page).to_have_url(re.compile(r"q=hanna\.hold%40example\.com"))
    results.get_by_role("link", name=re.compile(r"^SO-")).click()

    hold = _action(page, "Put on hold")
    hold.get_by_label("Reason").fill("x" * 501)  # the field itself stops at 500
    expect(hold.get_by_label("Reason")).to_have_value("x" * 500)
    hold.get_by_label("Reason").fill("   ")
    hold.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_text("Reason must not be empty")).to_be_visible()
    hold = _action(page, "Put on hold")
    expect(hold.get_by_label("Reason")).to_have_value("   ")  # what she typed is still there
    hold.get_by_label("Reason").fill("Address to be checked with the customer")
    hold.get_by_role("button", name="Put on hold").click()

    expect(page.get_by_role("status")).to_contain_text("is on hold")
    expect(page.locator(".heading .status")).to_have_text("on hold")
    timeline = page.locator("ol.timeline li").first
    expect(timeline).to_contain_text("Put on hold")
    expect(timeline).to_contain_text("customer_service")
    expect(timeline).to_contain_text("Address to be checked with the customer")
    expect(_action(page, "Put on hold")).to_have_count(0)

    release = _action(page, "Release")
    release.get_by_label("Reason").fill("Customer confirmed the address")
    release.get_by_role("button", name="Release").click()
    expect(page.get_by_role("status")).to_contain_text("released")
    expect(page.locator(".heading .status")).to_have_text("pending")
    events = orders.order_events(
        live_server.container.uow(), SYSTEM, _order_of(live_server, HOLD_JOURNEY.email)
    )
    assert [e.type for e in events][-2:] == ["order.held", "order.released"]
    assert {e.actor for e in events[-2:]} == {"customer_service"}

    note = _action(page, "Add a note")
    note.get_by_label("Note").fill("Called Hanna: the address was right after all")
    note.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added.")
    first = page.locator("ol.timeline li").first
    expect(first).to_contain_text("Note")
    expect(first).to_contain_text("the address was right after all")


def test_a_role_without_the_right_sees_no_button_and_a_forged_post_is_refused(
    page: Page, live_server: LiveServer
) -> None:
    order_id = _order_of(live_server, FORGE_JOURNEY.email)
    log_in(page, "warehouse")
    page.goto(f"/orders/{order_id}")
    expect(page.get_by_role("heading", name=re.compile("^Order SO-"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("hold|Cancel|Confirm"))).to_have_count(0)
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"/orders/{order_id}/cancel", form={"csrf_token": csrf or "", "reason": "forged"}
    )
    assert forged.status == 403
    assert "may not order cancel" in forged.text()
    order = orders.get_order(live_server.container.uow(), SYSTEM, order_id)
    assert order.status.value == "pending"  # nothing changed


def test_a_post_without_the_session_csrf_token_is_refused(
    page: Page, live_server: LiveServer
) -> None:
    order_id = _order_of(live_server, FORGE_JOURNEY.email)
    log_in(page, "admin")
    refused = page.request.post(f"/orders/{order_id}/confirm", form={"csrf_token": "nope"})
    assert refused.status == 403 and "expired" in refused.text()
    order = orders.get_order(live_server.container.uow(), SYSTEM, order_id)
    assert order.status.value == "pending"


def test_the_orders_list_filters_sorts_and_pages_without_reloading(page: Page) -> None:
    log_in(page, "analyst")
    page.goto("/orders")
    page.get_by_label("Status").select_option("delivered")
    expect(page).to_have_url(re.compile(r"status=delivered"))
    statuses = page.locator("#results tbody .status")
    expect(statuses.first).to_have_text("delivered")
    assert set(statuses.all_inner_texts()) == {"delivered"}
    page.get_by_role("link", name=re.compile("^Total")).click()
    expect(page.get_by_role("columnheader", name=re.compile("^Total"))).to_have_attribute(
        "aria-sort", "descending"
    )
    totals = [
        float(t.split()[0])
        for t in page.locator("#results tbody td.num:last-child").all_inner_texts()
    ]
    assert totals == sorted(totals, reverse=True)
    page.goto("/orders?from=not-a-day")
    expect(page.get_by_text("must be a date (YYYY-MM-DD)")).to_be_visible()
    page.goto("/orders")
    first = page.locator("#results tbody tr").first.inner_text()
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="First page")).to_be_visible()
    assert page.locator("#results tbody tr").first.inner_text() != first


def test_every_user_changes_their_own_password_and_manages_their_own_tokens(
    page: Page, live_server: LiveServer
) -> None:
    uow = live_server.container.uow()
    users.create_user(uow, SYSTEM, NewUser("dora", users.Role.ANALYST), "first-password")
    page.goto("/login")
    page.get_by_label("User name").fill("dora")
    page.get_by_label("Password").fill("first-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()

    page.get_by_label("Current password").fill("wrong-password")
    page.get_by_label("New password", exact=True).fill("second-password")
    page.get_by_label("New password, again").fill("second-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("is not your current password")).to_be_visible()
    page.get_by_label("Current password").fill("first-password")
    page.get_by_label("New password", exact=True).fill("second-password")
    page.get_by_label("New password, again").fill("second-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Password changed")

    page.get_by_label("Label").fill("laptop script")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert users.authenticate_token(uow, token).name == "dora"
    page.goto("/account")  # shown once: gone on the next visit
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name=re.compile("Revoke token laptop script")).click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    assert not [t for t in users.own_tokens(uow, users.Actor("dora", users.Role.ANALYST))
                if t.revoked_at is None and t.label == "laptop script"]  # fmt: skip

"""The end of the journey in Chromium, at phone width where the customer is: on the public
tracking page the customer reports a problem (a refusal inline first), customer service
resolves it on the order's page, and the customer's confirmation completes the order.
Every page passes axe and fits the window."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import orders
from tests.browser.conftest import LiveServer
from tests.browser.shop import _save_small, assert_accessible, assert_fits, check_page, log_in
from tests.browser.test_customer_returns import delivered_order

PHONE = {"width": 390, "height": 844}


def check_phone(page: Page, name: str, folder: Path | None) -> None:
    """At a phone's width: fits, passes axe, and (when asked) a screenshot."""
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)
    if folder is not None:
        _save_small(page.screenshot(full_page=True), folder / f"{name}-phone.png")


def test_the_customer_reports_a_problem_cs_resolves_it_and_the_customer_confirms(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    url = delivered_order(live_server.container)
    token = url.removeprefix("/track/")
    uow = live_server.container.uow()
    order_id = uow.run(lambda: uow.orders.id_by_tracking_token(token), write=False)
    page.set_viewport_size(PHONE)
    page.goto(url)
    end = page.get_by_role("region", name="Did everything arrive?")
    expect(end.get_by_role("button", name="Yes, everything arrived")).to_be_visible()
    check_phone(page, "track-delivered", screenshots)

    page.get_by_role("link", name="Something is wrong with my order").click()
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    page.get_by_label("Tell us more").fill("The box was crushed")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Please choose what is wrong.")).to_be_visible()
    expect(page.get_by_label("Tell us more")).to_have_value("The box was crushed")
    check_phone(page, "track-problem-refused", screenshots)
    page.get_by_label("Something arrived damaged").check()
    page.get_by_role("button", name="Send the report").click()
    expect(end).to_contain_text("You told us: Something arrived damaged")
    expect(end).to_contain_text("We are looking into it")
    check_phone(page, "track-problem-reported", screenshots)

    staff = page.context.browser.new_page(base_url=live_server.url)  # type: ignore[union-attr]
    log_in(staff, "customer_service")
    staff.goto(f"/orders/{order_id}")
    problems = staff.get_by_role("region", name="Problems and completion")
    expect(problems).to_contain_text("Something arrived damaged")
    expect(problems).to_contain_text("The box was crushed")
    problems.get_by_role("button", name="Resolve").click()
    expect(staff.get_by_role("alert")).to_be_visible()  # nothing said: refused inline
    staff.get_by_role("region", name="Problems and completion").get_by_label("What was done").fill(
        "Sent a new box"
    )
    staff.get_by_role("region", name="Problems and completion").get_by_role(
        "button", name="Resolve"
    ).click()
    expect(staff.get_by_role("status")).to_contain_text("Problem resolved.")
    expect(staff.get_by_role("region", name="Problems and completion")).to_contain_text(
        "Sent a new box"
    )
    check_page(staff, "order-problems", screenshots)
    staff.close()

    page.reload()
    expect(end).to_contain_text("Resolved on")
    end.get_by_role("button", name="Yes, everything arrived").click()
    done = page.get_by_role("region", name="All done")
    expect(done).to_contain_text("This order is complete")
    check_phone(page, "track-completed", screenshots)
    assert orders.get_order(live_server.container.uow(), SYSTEM, order_id).status.value == (
        "completed"
    )

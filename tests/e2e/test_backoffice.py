"""The back-office pages over HTTP, on both databases: what each role is offered and
refused, inline errors that keep what was typed, the orders list's filters and paging,
and one's own password and tokens."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.users import NewUser
from oms.services import orders, users
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords


@pytest.fixture
def fast(container: Container) -> Container:
    return dataclasses.replace(container, passwords=FakePasswords())


@pytest.fixture
def shop(fast: Container) -> Container:
    for role in (Role.SALES, Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.ANALYST):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    uow = fast.uow()
    stocked(uow, "MUG", 100)
    for i in range(60):
        orders.place_order(uow, SYSTEM, draft(("MUG", 1 + i % 3)))
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def test_each_page_answers_every_reading_role(shop: Container) -> None:
    for role in ("sales", "customer_service", "warehouse", "analyst"):
        browser = as_role(shop, role)
        for path in ("/", "/orders", "/orders/1", "/account"):
            page = browser.get(path)
            assert page.status_code == 200, (role, path, page.text)
            assert "Skip to content" in page.text


def test_an_order_page_offers_only_what_the_role_may_do_now(shop: Container) -> None:
    def buttons(role: str) -> list[str]:
        text = as_role(shop, role).get("/orders/1").text
        return re.findall(r'action="/orders/1/(\w+)"', text)

    # The money forms ("payments", and a line's cancel, which this pattern leaves out)
    # are tested in test_money_pages.py; recording a problem in test_end_of_journey.py.
    assert buttons("sales") == ["confirm", "hold", "payments", "notes"]
    assert buttons("customer_service") == ["hold", "cancel", "problems", "payments", "notes"]
    assert buttons("warehouse") == ["notes"] and buttons("analyst") == []


def test_a_note_lands_in_the_timeline_and_an_empty_one_keeps_the_page(shop: Container) -> None:
    browser = as_role(shop, "customer_service")
    token = csrf_of(browser.get("/orders/5"))
    done = browser.post(
        "/orders/5/notes", data={"csrf_token": token, "text": "Called: wants it gift-wrapped"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/orders/5"
    page = browser.get("/orders/5").text
    assert "Note added." in page and "Called: wants it gift-wrapped" in page
    events = orders.order_events(shop.uow(), SYSTEM, 5)
    assert (events[-1].type, events[-1].actor) == ("note", "customer_service")
    blank = browser.post("/orders/5/notes", data={"csrf_token": token, "text": "   "})
    assert blank.status_code == 422 and "Note must not be empty" in blank.text
    too_long = "x" * 2001
    long = browser.post("/orders/5/notes", data={"csrf_token": token, "text": too_long})
    assert long.status_code == 422 and too_long in long.text  # typed words kept
    assert len(orders.order_events(shop.uow(), SYSTEM, 5)) == len(events)


def test_a_forged_note_is_refused_with_403(shop: Container) -> None:
    browser = as_role(shop, "analyst")
    token = csrf_of(browser.get("/orders/6"))
    before = len(orders.order_events(shop.uow(), SYSTEM, 6))
    refused = browser.post("/orders/6/notes", data={"csrf_token": token, "text": "forged"})
    assert refused.status_code == 403
    assert len(orders.order_events(shop.uow(), SYSTEM, 6)) == before


def test_a_forged_action_is_refused_with_403_and_changes_nothing(shop: Container) -> None:
    browser = as_role(shop, "analyst")
    token = csrf_of(browser.get("/orders/1"))
    refused = browser.post("/orders/1/hold", data={"csrf_token": token, "reason": "forged"})
    assert refused.status_code == 403
    assert "Role analyst may not order hold." in refused.text
    assert orders.get_order(shop.uow(), SYSTEM, 1).status.value == "pending"


def test_a_refused_action_shows_the_problem_inline_and_keeps_the_reason(
    shop: Container,
) -> None:
    browser = as_role(shop, "customer_service")
    token = csrf_of(browser.get("/orders/2"))
    browser.post("/orders/2/cancel", data={"csrf_token": token, "reason": "asked"})
    again = browser.post("/orders/2/hold", data={"csrf_token": token, "reason": "my typed words"})
    assert again.status_code == 409
    assert "cannot hold an order that is cancelled" in again.text.lower()
    assert "my typed words" in again.text
    empty = browser.post("/orders/3/hold", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422 and "Reason must not be empty" in empty.text


def test_a_successful_action_redirects_with_a_message(shop: Container) -> None:
    browser = as_role(shop, "sales")
    token = csrf_of(browser.get("/orders/4"))
    done = browser.post("/orders/4/confirm", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/orders/4"
    page = browser.get("/orders/4")
    assert "Order SO-000004 confirmed." in page.text
    assert "Order SO-000004 confirmed." not in browser.get("/orders/4").text  # shown once


def test_the_orders_list_searches_filters_and_pages_by_cursor(shop: Container) -> None:
    browser = as_role(shop, "analyst")
    first = browser.get("/orders")
    assert "SO-000060" in first.text and "SO-000011" in first.text
    assert "SO-000010" not in first.text
    (next_url,) = re.findall(r'href="(/orders\?cursor=[^"]+)"', first.text)[:1]
    second = browser.get(next_url.replace("&amp;", "&"))
    assert "SO-000010" in second.text and "SO-000011" not in second.text
    found = browser.get("/orders", params={"q": "so-000042"})
    assert "SO-000042" in found.text and "SO-000041" not in found.text
    oldest = browser.get("/orders", params={"sort": "placed", "status": "pending"})
    assert oldest.text.index("SO-000001") < oldest.text.index("SO-000002")
    assert "No orders found" in browser.get("/orders", params={"late": "1"}).text
    bad = browser.get("/orders", params={"from": "2026-13-01", "q": "kept"})
    assert bad.status_code == 422 and "must be a date" in bad.text and 'value="kept"' in bad.text


def test_htmx_asks_for_the_results_only(shop: Container) -> None:
    browser = as_role(shop, "sales")
    part = browser.get("/orders", headers={"HX-Request": "true", "HX-Target": "results"})
    assert part.text.lstrip().startswith('<section id="results"')
    assert "<html" not in part.text


def test_own_tokens_are_made_shown_once_and_revoked_but_not_anothers(shop: Container) -> None:
    other = users.create_token(shop.uow(), SYSTEM, "sales", "someone else's")
    browser = as_role(shop, "analyst")
    token = csrf_of(browser.get("/account"))
    made = browser.post("/account/tokens", data={"csrf_token": token, "label": "cli"})
    (secret,) = re.findall(r'id="new-token">(oms_[^<]+)<', made.text)
    assert users.authenticate_token(shop.uow(), secret).name == "analyst"
    mine = users.own_tokens(shop.uow(), Actor("analyst", Role.ANALYST))[0]
    refused = browser.post(f"/account/tokens/{other.info.id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    revoked = browser.post(f"/account/tokens/{mine.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    with pytest.raises(Exception, match="valid API token"):
        users.authenticate_token(shop.uow(), secret)


def test_changing_ones_password_ends_other_sessions_and_keeps_this_one(
    shop: Container,
) -> None:
    elsewhere = as_role(shop, "sales")
    browser = as_role(shop, "sales")
    token = csrf_of(browser.get("/account"))
    form = {"csrf_token": token, "current_password": PASSWORD,
            "new_password": "short", "repeat_password": "short"}  # fmt: skip
    assert browser.post("/account/password", data=form).status_code == 422
    form.update(new_password="a new long one", repeat_password="a new long one")
    assert browser.post("/account/password", data=form).status_code == 303
    assert browser.get("/account").status_code == 200  # a fresh session for this browser
    assert elsewhere.get("/account").headers["location"] == "/login"
    assert log_in(browser_for(shop), "sales", "a new long one").status_code == 303

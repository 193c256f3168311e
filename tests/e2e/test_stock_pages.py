"""The stock pages over HTTP, on both databases: who sees them and their forms, counts and
adjustments through the forms, inline errors that keep what was typed, 404s, forged and
token-less posts refused, filters, paging and htmx fragments."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import inventory, orders, users
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.WAREHOUSE, Role.SALES, Role.CUSTOMER_SERVICE, Role.ANALYST):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    uow = fast.uow()
    stocked(uow, "MUG", 10, name="Stoneware mug")
    stocked(uow, "CAP", 0, name="Cotton cap")
    orders.place_order(uow, SYSTEM, draft(("MUG", 4)))
    orders.place_order(uow, SYSTEM, draft(("CAP", 2)))
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def levels(shop: Container, sku: str) -> tuple[int, int]:
    (row,) = inventory.list_stock(shop.uow(), SYSTEM, sku=sku, location="PAR")
    return row.on_hand, row.reserved


def test_stock_pages_answer_roles_that_read_stock_and_refuse_the_others(shop: Container) -> None:
    for role in ("warehouse", "sales", "analyst"):
        browser = as_role(shop, role)
        for path in ("/stock", "/stock/PAR/MUG", "/stock/backorders"):
            page = browser.get(path)
            assert page.status_code == 200, (role, path, page.text)
            assert 'href="/stock" aria-current="page"' in page.text
    agent = as_role(shop, "customer_service")
    assert 'href="/stock"' not in agent.get("/").text
    for path in ("/stock", "/stock/PAR/MUG", "/stock/backorders"):
        assert agent.get(path).status_code == 403


def test_the_forms_are_offered_only_to_roles_that_change_stock(shop: Container) -> None:
    def forms(role: str) -> list[str]:
        text = as_role(shop, role).get("/stock/PAR/MUG").text
        return re.findall(r'action="/stock/PAR/MUG/(\w+)"', text)

    assert forms("warehouse") == ["count", "adjust"]
    assert forms("sales") == [] and forms("analyst") == []


def test_a_count_through_the_form_sets_on_hand_and_shows_in_the_ledger(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/stock/PAR/MUG"))
    done = browser.post(
        "/stock/PAR/MUG/count",
        data={"csrf_token": token, "on_hand": "12", "reason": "shelf recount"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/stock/PAR/MUG"
    assert levels(shop, "MUG") == (12, 4)
    page = browser.get("/stock/PAR/MUG")
    assert "Counted 12 of MUG at PAR." in page.text
    assert '<dd id="on-hand">12</dd>' in page.text
    first = page.text.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "count" in first and "+2" in first and "shelf recount" in first
    assert "warehouse" in first


def test_an_adjustment_below_reserved_is_shown_inline_with_what_was_typed(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/stock/PAR/MUG"))
    refused = browser.post(
        "/stock/PAR/MUG/adjust",
        data={"csrf_token": token, "delta": "-8", "reason": "broken in the aisle"},
    )
    assert refused.status_code == 409
    assert "below what is reserved" in refused.text
    assert 'id="adjust-delta" name="delta" type="text" value="-8"' in refused.text
    assert 'id="adjust-reason" name="reason" type="text" value="broken in the aisle"' in (
        refused.text
    )
    assert levels(shop, "MUG") == (10, 4)


def test_a_number_that_is_not_one_is_an_inline_error_and_changes_nothing(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/stock/PAR/MUG"))
    for path, field, value in (("count", "on_hand", "twelve"), ("adjust", "delta", "1.5")):
        refused = browser.post(
            f"/stock/PAR/MUG/{path}",
            data={"csrf_token": token, field: value, "reason": "typed"},
        )
        assert refused.status_code == 422
        assert f'id="{path}-{field}" name="{field}" type="text" value="{value}"' in refused.text
        assert 'aria-invalid="true"' in refused.text
        assert "must be a whole number" in refused.text
    refused = browser.post(
        "/stock/PAR/MUG/adjust", data={"csrf_token": token, "delta": "3", "reason": " "}
    )
    assert refused.status_code == 422 and "an adjustment needs a reason" in refused.text
    refused = browser.post(
        "/stock/PAR/MUG/count", data={"csrf_token": token, "on_hand": "-1", "reason": ""}
    )
    assert refused.status_code == 422 and "must be between 0 and" in refused.text
    assert levels(shop, "MUG") == (10, 4)


def test_a_forged_or_token_less_post_is_refused_and_changes_nothing(shop: Container) -> None:
    browser = as_role(shop, "analyst")
    token = csrf_of(browser.get("/stock/PAR/MUG"))
    forged = browser.post(
        "/stock/PAR/MUG/adjust", data={"csrf_token": token, "delta": "5", "reason": "forged"}
    )
    assert forged.status_code == 403
    assert "may not stock write" in forged.text
    keeper = as_role(shop, "warehouse")
    no_token = keeper.post("/stock/PAR/MUG/count", data={"on_hand": "99", "reason": "x"})
    assert no_token.status_code == 403 and "expired" in no_token.text
    assert levels(shop, "MUG") == (10, 4)


def test_an_unknown_location_or_sku_is_not_found(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/stock/PAR/MUG"))
    for path in ("/stock/NOWHERE/MUG", "/stock/PAR/NO-SUCH"):
        assert browser.get(path).status_code == 404
        posted = browser.post(
            path + "/count", data={"csrf_token": token, "on_hand": "1", "reason": ""}
        )
        assert posted.status_code == 404


def test_the_list_filters_sorts_and_swaps_only_its_results_for_htmx(shop: Container) -> None:
    browser = as_role(shop, "sales")
    page = browser.get("/stock?q=mug")
    assert "/stock/PAR/MUG" in page.text and "/stock/PAR/CAP" not in page.text
    empty = browser.get("/stock?none=1")
    assert "/stock/PAR/CAP" in empty.text and "/stock/PAR/MUG" not in empty.text
    assert 'href="/orders?waiting=CAP&amp;sort=placed">2</a>' in empty.text
    bad = browser.get("/stock?location=NOWHERE")
    assert bad.status_code == 422 and "unknown location" in bad.text
    part = browser.get("/stock?sort=-sku", headers={"HX-Request": "true", "HX-Target": "results"})
    assert part.status_code == 200 and "<html" not in part.text
    assert part.text.index("/stock/PAR/MUG") < part.text.index("/stock/PAR/CAP")
    assert 'aria-sort="descending"' in part.text


def test_backorders_link_to_the_orders_that_wait(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    page = browser.get("/stock/backorders")
    assert re.search(r">CAP</a>.*?<td class=\"num\">2</td>", page.text, re.S)
    waiting = browser.get("/orders?waiting=CAP&sort=placed")
    assert waiting.status_code == 200
    assert len(re.findall(r'<a href="/orders/\d+">SO-', waiting.text)) == 1
    assert "Only orders waiting for stock of" in waiting.text
    today = browser.get("/")
    assert 'href="/stock/backorders"' in today.text


def test_a_sku_with_a_slash_has_its_row_page_and_forms(shop: Container) -> None:
    stocked(shop.uow(), "KIT/2", 3, name="Kit of two")
    browser = as_role(shop, "warehouse")
    page = browser.get("/stock/PAR/KIT/2")
    assert page.status_code == 200 and "KIT/2 at PAR" in page.text
    assert 'action="/stock/PAR/KIT/2/count"' in page.text
    done = browser.post(
        "/stock/PAR/KIT/2/count", data={"csrf_token": csrf_of(page), "on_hand": "5"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/stock/PAR/KIT/2"
    (row,) = inventory.list_stock(shop.uow(), SYSTEM, sku="KIT/2", location="PAR")
    assert row.on_hand == 5
    assert browser.get("/stock/PAR/KIT/3").status_code == 404

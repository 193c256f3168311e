"""The warehouse station's pages over HTTP, on both databases: the overview, a wave made,
printed and picked, the pack form without JavaScript (the server checks the scans), shipping
and the documents; and the unhappy paths: a wrong or incomplete scan list, a pick above
what was asked, a role without the right, an unknown location."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import orders, picking, tracking, users
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.WAREHOUSE, Role.ANALYST):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    uow = fast.uow()
    stocked(uow, "MUG", 100, barcode="3760123400011")
    stocked(uow, "BOWL", 100)
    for i in range(3):
        order = orders.place_order(uow, SYSTEM, draft(("MUG", 2), ("BOWL", 1 + i)))
        orders.confirm_order(uow, SYSTEM, order.order.id)
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def shipments_of(shop: Container, status: str | None = None) -> list[int]:
    found = tracking.list_shipments(shop.uow(), SYSTEM, ShipmentFilter(location="PAR"))
    return sorted(s.id for s in found if status is None or s.status.value == status)


def make_wave(browser: TestClient, max_orders: str = "3") -> tuple[int, str]:
    token = csrf_of(browser.get("/station/PAR"))
    made = browser.post(
        "/station/PAR/pick-lists", data={"csrf_token": token, "max_orders": max_orders}
    )
    assert made.status_code == 303, made.text
    (pick_list_id,) = re.findall(r"/station/PAR/pick-lists/(\d+)$", made.headers["location"])
    return int(pick_list_id), token


def pick_form(page_text: str) -> tuple[list[str], list[str]]:
    lines = re.findall(r'name="line" value="([^"]+)"', page_text)
    expected = re.findall(r'name="picked" type="number" min="0" max="(\d+)"', page_text)
    return lines, expected


def test_the_station_opens_on_the_only_location_and_shows_shipments_by_stage(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    assert browser.get("/station").headers["location"] == "/station/PAR"
    page = browser.get("/station/PAR")
    assert page.status_code == 200
    assert "times in Europe/Paris" in page.text
    assert page.text.count('href="/orders/') >= 3
    assert 'action="/station/PAR/pick-lists"' in page.text
    assert 'name="max_orders"' in page.text and 'value="3"' in page.text  # all due


def test_today_sends_the_warehouse_piles_to_the_station(shop: Container) -> None:
    today = as_role(shop, "warehouse").get("/").text
    pile = re.search(
        r'<span class="count">(\d+)</span>\s*<a href="/station">Shipments to put', today
    )
    assert pile and int(pile[1]) == 3
    assert 'href="/station"' not in as_role(shop, "analyst").get("/").text  # not its work


def test_an_unknown_location_is_404(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    assert browser.get("/station/NOPE").status_code == 404
    assert browser.get("/station/NOPE/shipments/1").status_code == 404


def test_a_wave_is_printed_and_picked_with_a_short_pick(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    pick_list_id, token = make_wave(browser)
    printed = browser.get(f"/station/PAR/pick-lists/{pick_list_id}/pick-list.pdf")
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    lines, expected = pick_form(browser.get(f"/station/PAR/pick-lists/{pick_list_id}").text)
    assert len(lines) == 6
    picked = list(expected)
    picked[0] = str(int(expected[0]) - 1)  # one unit short
    done = browser.post(
        f"/station/PAR/pick-lists/{pick_list_id}/complete",
        data={"csrf_token": token, "line": lines, "picked": picked},
    )
    assert done.status_code == 303 and done.headers["location"] == "/station/PAR"
    assert "Short: 1 of" in browser.get("/station/PAR").text
    assert picking.get_pick_list(shop.uow(), SYSTEM, pick_list_id).status.value == "completed"
    assert len(shipments_of(shop, "picked")) == 3


def test_picking_more_than_asked_is_refused_inline_and_keeps_what_was_typed(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    pick_list_id, token = make_wave(browser, "1")
    lines, expected = pick_form(browser.get(f"/station/PAR/pick-lists/{pick_list_id}").text)
    too_many = [str(int(expected[0]) + 5), *expected[1:]]
    refused = browser.post(
        f"/station/PAR/pick-lists/{pick_list_id}/complete",
        data={"csrf_token": token, "line": lines, "picked": too_many},
    )
    assert refused.status_code == 422
    assert f"Picked must be between 0 and {expected[0]}" in refused.text
    assert f'value="{too_many[0]}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert picking.get_pick_list(shop.uow(), SYSTEM, pick_list_id).status.value == "open"
    bad = browser.post(
        f"/station/PAR/pick-lists/{pick_list_id}/cancel", data={"csrf_token": token, "reason": " "}
    )
    assert bad.status_code == 422 and "Reason must not be empty" in bad.text


def test_a_wave_size_that_is_not_a_number_is_refused_inline(shop: Container) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/station/PAR"))
    refused = browser.post(
        "/station/PAR/pick-lists", data={"csrf_token": token, "max_orders": "lots"}
    )
    assert refused.status_code == 422
    assert "How many orders must be a whole number" in refused.text
    assert 'value="lots"' in refused.text


def test_a_wave_of_ticked_shipments_takes_those_and_a_taken_one_is_refused_inline(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    token = csrf_of(browser.get("/station/PAR"))
    first, second, third = shipments_of(shop)
    form = {"csrf_token": token, "max_orders": "3", "shipment": [str(second)]}
    made = browser.post("/station/PAR/pick-lists", data=form)
    assert made.status_code == 303
    assert shipments_of(shop, "picking") == [second]
    form = {"csrf_token": token, "max_orders": "3", "shipment": [str(first), str(second)]}
    again = browser.post("/station/PAR/pick-lists", data=form)
    assert again.status_code == 409
    assert f"Shipment {second} is not waiting to be picked at PAR." in again.text
    assert f'value="{first}" id="w-{first}" checked' in again.text  # the ticks are kept
    assert shipments_of(shop, "open") == [first, third]


def _picked_shipment(shop: Container, browser: TestClient) -> tuple[int, str]:
    pick_list_id, token = make_wave(browser, "1")
    lines, expected = pick_form(browser.get(f"/station/PAR/pick-lists/{pick_list_id}").text)
    browser.post(
        f"/station/PAR/pick-lists/{pick_list_id}/complete",
        data={"csrf_token": token, "line": lines, "picked": expected},
    )
    (shipment_id,) = shipments_of(shop, "picked")
    return shipment_id, token


def test_the_pack_form_without_javascript_refuses_a_wrong_or_incomplete_scan_list(
    shop: Container,
) -> None:
    browser = as_role(shop, "warehouse")
    shipment_id, token = _picked_shipment(shop, browser)
    url = f"/station/PAR/shipments/{shipment_id}"
    page = browser.get(url)
    assert 'id="f-scans" name="scans"' in page.text and "station-pack.js" in page.text

    wrong = browser.post(f"{url}/pack", data={"csrf_token": token, "scans": "MUG\nMUG\nSPOON\n"})
    assert wrong.status_code == 409
    assert "Scanned items do not match the shipment" in wrong.text
    assert "expected 0, scanned 1" in wrong.text and "expected 1, scanned 0" in wrong.text
    assert "MUG\nMUG\nSPOON\n" in wrong.text  # the scans are kept in the field
    incomplete = browser.post(f"{url}/pack", data={"csrf_token": token, "scans": "MUG"})
    assert incomplete.status_code == 409 and "expected 2, scanned 1" in incomplete.text
    assert shipments_of(shop, "picked") == [shipment_id]

    # by SKU and by barcode, in any order
    packed = browser.post(
        f"{url}/pack", data={"csrf_token": token, "scans": "3760123400011\nBOWL\nMUG\n"}
    )
    assert packed.status_code == 303 and packed.headers["location"] == url
    assert "packed" in browser.get(url).text
    shipped = browser.post(f"{url}/ship", data={"csrf_token": token})
    assert shipped.status_code == 303
    assert "tracking number" in browser.get(url).text
    label = browser.get(f"{url}/label.pdf")
    assert label.headers["content-type"] == "application/pdf" and label.content[:4] == b"%PDF"
    slip = browser.get(f"{url}/packing-slip.pdf")
    assert slip.content[:4] == b"%PDF"


def test_a_role_without_the_right_is_offered_no_form_and_a_forged_post_is_403(
    shop: Container,
) -> None:
    warehouse = as_role(shop, "warehouse")
    shipment_id, _ = _picked_shipment(shop, warehouse)
    browser = as_role(shop, "analyst")
    page = browser.get("/station/PAR")
    assert page.status_code == 200
    assert 'action="/station/PAR/pick-lists"' not in page.text
    token = csrf_of(page)
    forged = browser.post("/station/PAR/pick-lists", data={"csrf_token": token, "max_orders": "1"})
    assert forged.status_code == 403
    shipment = browser.get(f"/station/PAR/shipments/{shipment_id}")
    assert shipment.status_code == 200 and 'name="scans"' not in shipment.text
    forged = browser.post(
        f"/station/PAR/shipments/{shipment_id}/pack",
        data={"csrf_token": token, "scans": "MUG\nMUG\nBOWL\n"},
    )
    assert forged.status_code == 403
    assert shipments_of(shop, "picked") == [shipment_id]
    unsigned = warehouse.post(f"/station/PAR/shipments/{shipment_id}/pack", data={"scans": "MUG"})
    assert unsigned.status_code == 403  # no CSRF token: refused before anything runs

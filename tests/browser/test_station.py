"""The warehouse station in Chromium: a warehouse user makes a wave, prints it, picks it with
one short pick, packs a parcel by typing scans into the scan box (one wrong scan flagged and
not counted), ships it and opens the label; the station, pick and pack pages pass axe and
fit at both widths on the way."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.services import orders, tracking
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import STATION_JOURNEY, check_page, log_in


def _journey_shipment(live_server: LiveServer) -> tuple[str, int, str]:
    """The journey order's one shipment: its location, id, and the order's number."""
    uow = live_server.container.uow()
    (order,) = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email=STATION_JOURNEY.email))
    (shipment,) = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
    return shipment.location, shipment.id, order.number


def _pdf(page: Page, link_name: str) -> None:
    """The link's document, fetched with this browser's session: a PDF."""
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    assert href is not None
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def _scan(page: Page, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_warehouse_user_picks_packs_and_ships_a_wave_and_each_page_passes_axe(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    location, shipment_id, number = _journey_shipment(live_server)
    log_in(page, "warehouse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Station").click()
    page.get_by_role("link", name=re.compile(f"^{location} ")).click()
    expect(page.get_by_role("heading", name=f"Station {location}")).to_be_visible()
    to_pick = page.locator("#to-pick")
    expect(to_pick.get_by_role("link", name=number)).to_be_visible()
    expect(page.get_by_text(re.compile(r"times in \w+/\w+"))).to_be_visible()
    check_page(page, "station", screenshots)

    # a wave of one order: the journey's, at the highest priority
    page.get_by_label("How many orders").fill("1")
    page.get_by_role("button", name="Make pick list").click()
    expect(page.get_by_role("status")).to_contain_text("1 shipment")
    expect(page.get_by_role("heading", name=re.compile(r"^Pick list \d+"))).to_be_visible()
    _pdf(page, "Print pick list (PDF)")
    check_page(page, "pick", screenshots)

    # one short pick: one mug of two
    page.get_by_label(f"Picked MUG-STN-WHT for {number}").fill("1")
    expect(page.get_by_label(f"Picked TWL-TEA-NAT for {number}")).to_have_value("1")
    page.get_by_role("button", name="Complete pick list").click()
    expect(page.get_by_role("status")).to_contain_text(f"Short: 1 of MUG-STN-WHT for {number}")

    page.locator("#to-pack").get_by_role("link", name=f"Pack shipment {shipment_id}").click()
    scan_box = page.get_by_label("Scan an item")
    expect(scan_box).to_be_focused()
    mug = page.locator('tr[data-sku="MUG-STN-WHT"]')
    expect(mug.locator("[data-left]")).to_have_text("1")  # what the picker found
    barcode = mug.get_attribute("data-barcode")
    assert barcode

    _scan(page, barcode)  # the mug, by its barcode
    expect(mug.locator("[data-scanned]")).to_have_text("1")
    expect(mug.locator("[data-left]")).to_have_text("0")
    _scan(page, "BAG-TOT-NAT")  # not in this parcel
    flag = page.locator("#scan-flag")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("Wrong item: BAG-TOT-NAT")
    towel = page.locator('tr[data-sku="TWL-TEA-NAT"]')
    expect(towel.locator("[data-scanned]")).to_have_text("0")  # not counted
    expect(page.get_by_label("Scanned items, one code a line")).not_to_contain_text("BAG-TOT")
    check_page(page, "pack", screenshots)

    scan_box.focus()
    _scan(page, "TWL-TEA-NAT")  # the last item: the form goes by itself
    expect(page.get_by_role("status")).to_contain_text(f"Shipment {shipment_id} packed")
    page.get_by_role("button", name=f"Ship shipment {shipment_id}").click()
    expect(page.get_by_role("status")).to_contain_text("tracking number")
    _pdf(page, "Label (PDF)")
    _pdf(page, "Packing slip (PDF)")
    shipment = tracking.list_shipments(
        live_server.container.uow(), SYSTEM, ShipmentFilter(order_id=_order_id(live_server))
    )
    shipped = next(s for s in shipment if s.id == shipment_id)
    assert shipped.status.value == "shipped"
    assert {ln.sku: ln.quantity for ln in shipped.lines} == {"MUG-STN-WHT": 1, "TWL-TEA-NAT": 1}


def _order_id(live_server: LiveServer) -> int:
    uow = live_server.container.uow()
    (order,) = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email=STATION_JOURNEY.email))
    return order.id

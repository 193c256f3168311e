"""Local delivery in Chromium: the dispatcher makes a run of the journey's two parcels,
numbers the stops, drags one, prints the manifest; the driver, on a phone (390 x 844),
starts the run, delivers the first stop with a signature drawn on the screen and reports
the second not delivered; the pages pass axe and fit at their widths on the way."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from oms.domain.access import SYSTEM
from oms.services import delivery_stops, orders, tracking
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import (
    DELIVERY_JOURNEY,
    _save_small,
    assert_accessible,
    assert_fits,
    check_page,
    log_in,
)

PHONE = {"width": 390, "height": 844}


def _journey_shipments(live_server: LiveServer) -> list[int]:
    uow = live_server.container.uow()
    found = []
    for customer, _ in DELIVERY_JOURNEY:
        (order,) = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email=customer.email))
        (s,) = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
        found.append(s.id)
    return found


def _stop_ids(page: Page) -> list[int]:
    rows = page.locator("table.stops tbody tr")
    return [int(x) for x in rows.evaluate_all("rows => rows.map(r => r.dataset.shipment)")]


def test_a_dispatcher_makes_a_run_and_a_driver_drives_it_on_a_phone(
    page: Page, browser: Browser, live_server: LiveServer, screenshots: Path | None
) -> None:
    dora, denis = _journey_shipments(live_server)
    log_in(page, "warehouse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Delivery").click()
    expect(page.get_by_role("heading", name="Local delivery PAR")).to_be_visible()
    check_page(page, "delivery", screenshots)
    page.get_by_label(f"Put shipment {dora} in the run").check()
    page.get_by_label(f"Put shipment {denis} in the run").check()
    page.get_by_label("Driver").select_option("driver")
    page.get_by_role("button", name="Make run").click()
    expect(page.get_by_role("status")).to_contain_text("2 stops")
    run_id = int(re.findall(r"/runs/(\d+)$", page.url)[0])
    assert _stop_ids(page) == [dora, denis]  # 75011 before 75018

    # numbers, without the script's help: the second stop first
    page.get_by_label(f"Stop number of shipment {dora}").fill("2")
    page.get_by_label(f"Stop number of shipment {denis}").fill("1")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_role("status")).to_contain_text("new order")
    assert _stop_ids(page) == [denis, dora]
    # dragging a row renumbers the stops; saving keeps that order
    page.locator(f"tr[data-shipment='{dora}']").drag_to(
        page.locator(f"tr[data-shipment='{denis}']"), target_position={"x": 20, "y": 2}
    )
    expect(page.get_by_label(f"Stop number of shipment {dora}")).to_have_value("1")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_role("status")).to_contain_text("new order")
    assert _stop_ids(page) == [dora, denis]
    check_page(page, "delivery-run", screenshots)
    href = page.get_by_role("link", name="Print manifest (PDF)").get_attribute("href")
    assert href is not None
    manifest = page.request.get(href)
    assert manifest.status == 200 and manifest.body().startswith(b"%PDF")

    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    van = phone.new_page()
    log_in(van, "driver")
    van.get_by_role("navigation", name="Main").get_by_role("link", name="Driver").click()
    van.get_by_role("button", name=f"Start run {run_id}").click()
    expect(van.get_by_role("status")).to_contain_text(f"Run {run_id} started")
    expect(van.get_by_role("heading", name=f"Run {run_id}")).to_be_visible()
    first = van.locator(f"#stop-{dora}")
    expect(first.get_by_role("link", name=re.compile("^Map"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/search\?query=5\+rue\+Oberkampf")
    )
    expect(first.get_by_role("link", name=re.compile("^Call"))).to_have_attribute(
        "href", "tel:+33610203040"
    )
    expect(first.get_by_text("Digicode 1234").first).to_be_visible()
    assert_fits(van)
    assert_accessible(van)
    if screenshots is not None:
        _save_small(van.screenshot(full_page=True), screenshots / "driver-phone.png")

    first.locator("summary").filter(has_text=re.compile("^Delivered$")).click()  # the form
    assert_accessible(van)
    pad = first.locator("canvas.signature")
    box = pad.bounding_box()
    assert box is not None
    # a finger's stroke: pointer events, as a touch screen sends them
    points = [(20 + i * 25, 60 + (15 if i % 2 else -15)) for i in range(12)]
    for i, (x, y) in enumerate(points):
        kind = "pointerdown" if i == 0 else "pointermove"
        at = {"clientX": box["x"] + x, "clientY": box["y"] + y}
        pad.dispatch_event(kind, {"pointerId": 1, "pointerType": "touch", **at})
    pad.dispatch_event("pointerup", {"pointerId": 1, "pointerType": "touch"})
    if screenshots is not None:
        _save_small(van.screenshot(full_page=True), screenshots / "driver-phone-sign.png")
    first.get_by_role("button", name="Delivered").click()
    expect(van.get_by_role("status")).to_contain_text("Delivered to Dora Delivery")

    second = van.locator(f"#stop-{denis}")
    second.locator("summary").filter(has_text=re.compile("^Not delivered$")).click()
    second.get_by_label("Why").select_option("not_home")
    second.get_by_label("Note").fill("Left a card in the letterbox")
    second.get_by_role("button", name="Not delivered").click()
    expect(van.get_by_role("status")).to_contain_text("waits for the next run")
    expect(van.locator(f"#stop-{denis}")).to_contain_text("attempt 1")
    assert_fits(van)
    assert_accessible(van)
    if screenshots is not None:
        _save_small(van.screenshot(full_page=True), screenshots / "driver-phone-done.png")
    van.get_by_role("button", name="Finish run").click()
    expect(van.get_by_role("status")).to_contain_text("finished")
    phone.close()

    # the proof of delivery, on the order page (staff)
    uow = live_server.container.uow()
    order_id = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(location="PAR", limit=200))
    (shipment,) = [s for s in order_id if s.id == dora]
    stored = delivery_stops.proofs(uow, SYSTEM, [dora])
    assert stored[dora].recipient == "Dora Delivery" and stored[dora].has_image, stored
    page.goto(f"/orders/{shipment.order_id}")
    proof = page.get_by_role("img", name=re.compile("Proof of delivery"))
    expect(proof).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", proof.element_handle()) > 0

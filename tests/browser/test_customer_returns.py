"""The customer's return request in Chromium: from the public tracking page (no login) to the
form, a refusal shown inline, the request made and confirmed, and the order's returns on the
tracking page. Every page passes axe and fits at desktop and tablet width."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.model import Customer, DraftLine, OrderDraft
from oms.services import customer_returns, inventory, orders, picking, tracking, warehouse
from oms.services.inventory import StockChange
from oms.services.ports.shipments import ShipmentFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, RETURN_SKU, check_page

CUSTOMER = Customer("cora.customer@example.com", "Cora Customer")


def delivered_order(container: Container) -> str:
    """Two tea towels delivered to Cora today; the tracking page's address."""
    uow = container.uow()
    for code in ("PAR", "LYO", "BER"):
        change = StockChange(code, RETURN_SKU, "customer returns journey", delta=2)
        inventory.adjust_stock(uow, SYSTEM, change)
    draft = OrderDraft("web", CUSTOMER, ADDRESS, [DraftLine(RETURN_SKU, 2)])
    order = orders.place_order(uow, SYSTEM, draft).order
    orders.confirm_order(uow, SYSTEM, order.id)
    for shipment in tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id)):
        units = [(line.sku, line.quantity) for line in shipment.lines]
        pick = picking.create_pick_list(uow, SYSTEM, shipment.location, shipment_ids=[shipment.id])
        picked = [Picked(shipment.id, sku, n) for sku, n in units]
        picking.complete_pick_list(uow, SYSTEM, pick.id, picked)
        warehouse.pack_shipment(uow, SYSTEM, shipment.id, units)
        shipped = warehouse.ship_shipment(uow, SYSTEM, shipment.id)
        event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": uow.now()}
        tracking.record_carrier_event(uow, SYSTEM, shipped.carrier or "oms-post", event)
    return f"/track/{orders.get_order(uow, SYSTEM, order.id).tracking_token}"


def test_the_customer_asks_for_a_return_from_the_tracking_page(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    url = delivered_order(live_server.container)
    token = url.removeprefix("/track/")
    (item,) = customer_returns.returnable(live_server.container.uow(), token).items
    page.goto(url)
    page.get_by_role("link", name="Return items").click()
    expect(page.get_by_role("heading", name="Return items")).to_be_visible()
    check_page(page, "track-return", screenshots)

    units = page.get_by_label(f"Units of {item.name} to return")
    units.fill("3")
    page.get_by_label(f"Reason for returning {item.name}").select_option("damaged")
    page.get_by_label("An exchange").check()
    page.get_by_label("Anything we should know?").fill("One has a torn hem")
    page.get_by_role("button", name="Ask for the return").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked field")
    expect(page.get_by_text("you can send back at most 2")).to_be_visible()
    expect(units).to_have_value("3")
    expect(units).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("An exchange")).to_be_checked()
    check_page(page, "track-return-refused", screenshots)

    units.fill("2")
    page.get_by_role("button", name="Ask for the return").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Return RMA-"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("we have your return request")
    check_page(page, "track-return-done", screenshots)

    page.get_by_role("link", name="Back to your order").click()
    returns = page.get_by_role("region", name="Returns")
    expect(returns).to_contain_text("Requested")
    expect(page.get_by_role("link", name="Return items")).to_have_count(0)
    check_page(page, "track-with-return", screenshots)

"""A lost parcel in Chromium: customer service opens an order whose parcel is on its way,
declares it lost with a reason, sends it again, and sees the new shipment that replaces it;
the customer's tracking page says so. The order page passes axe and fits at each step."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import Picked, Shipment
from oms.domain.orders.model import Customer, DraftLine, OrderDraft
from oms.services import inventory, orders, picking, warehouse
from oms.services.inventory import StockChange
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, check_page, log_in

LOST_JOURNEY = Customer("lou.lost@example.com", "Lou Lost")
SKU = "MUG-STN-WHT"


def shipped_order(container: Container) -> Shipment:
    """An order of its own, shipped from Paris with stock of its own."""
    uow = container.uow()
    inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", SKU, "lost journey", delta=4))
    draft = OrderDraft("web", LOST_JOURNEY, ADDRESS, [DraftLine(SKU, 1)])
    order = orders.place_order(uow, SYSTEM, draft).order
    orders.confirm_order(uow, SYSTEM, order.id)
    [s] = orders.order_detail(uow, SYSTEM, order.id).shipments
    pick = picking.create_pick_list(uow, SYSTEM, s.location, shipment_ids=[s.id])
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(s.id, SKU, 1)])
    warehouse.pack_shipment(uow, SYSTEM, s.id, [(SKU, 1)])
    return warehouse.ship_shipment(uow, SYSTEM, s.id)


def test_customer_service_declares_a_parcel_lost_and_sends_it_again(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    s = shipped_order(live_server.container)
    log_in(page, "customer_service")
    page.goto(f"/orders/{s.order_id}")
    declare = page.get_by_role("form", name=f"Declare shipment #{s.id} lost")
    expect(declare).to_be_visible()
    check_page(page, "order-lost-before", screenshots)
    declare.get_by_label("Reason").fill("No scan for ten days; the carrier gave up")
    declare.get_by_role("button", name="Declare lost").click()
    expect(page.get_by_text(f"Shipment #{s.id} declared lost")).to_be_visible()
    shipments = page.get_by_role("region", name="Shipments", exact=True).locator("table")
    expect(shipments).to_contain_text("lost")
    again = page.get_by_role("form", name=f"Send shipment #{s.id} again")
    check_page(page, "order-lost", screenshots)
    again.get_by_role("button", name="Send again").click()
    expect(page.get_by_text(f"Shipment #{s.id} sent again as shipment")).to_be_visible()
    expect(shipments).to_contain_text("replaced")
    expect(shipments).to_contain_text(f"replaces shipment #{s.id}")
    expect(page.get_by_role("form", name=f"Send shipment #{s.id} again")).to_have_count(0)
    check_page(page, "order-reshipped", screenshots)

    order = orders.get_order(live_server.container.uow(), SYSTEM, s.order_id)
    page.goto(f"/track/{order.tracking_token}")
    expect(page.get_by_text("This parcel was lost on its way.")).to_be_visible()
    expect(page.get_by_text("A new parcel with the items of parcel 1")).to_be_visible()
    check_page(page, "track-lost", screenshots)

"""Order edits in Chromium: customer service raises a quantity, adds a line by SKU, removes
one, moves the order to another address and raises its priority from the order page; once
picking started, the page says why editing is no longer offered. Both pages pass axe and
fit, at desktop, tablet and phone width."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import NewProduct
from oms.domain.orders.model import Customer, DraftLine, OrderDraft
from oms.services import catalogue, inventory, orders, picking, tracking
from oms.services.inventory import StockChange
from oms.services.ports.shipments import ShipmentFilter
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, assert_accessible, assert_fits, check_page, log_in

MUG = NewProduct("EDT-MUG", "Edit journey mug", Decimal("9.00"), "EUR")
CAP = NewProduct("EDT-CAP", "Edit journey cap", Decimal("14.00"), "EUR")
EDDIE = Customer("eddie.edit@example.com", "Eddie Edit")
PHONE = {"width": 390, "height": 844}


def _placed(c: Container) -> int:
    uow = c.uow()
    for product in (MUG, CAP):
        if uow.run(lambda p=product: uow.products.get(p.sku), write=False) is None:
            catalogue.create_product(uow, SYSTEM, product)
        inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", product.sku, "edits", delta=5))
    draft = OrderDraft("web", EDDIE, ADDRESS, [DraftLine(MUG.sku, 2)], priority=0)
    return orders.place_order(uow, SYSTEM, draft).order.id


def _form(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("form.action", has=page.get_by_role("heading", name=title, exact=True))


def _on_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)


def test_customer_service_edits_an_order_until_picking_starts(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    c = live_server.container
    order_id = _placed(c)
    log_in(page, "customer_service")
    page.goto(f"/orders/{order_id}")
    edit = page.get_by_role("region", name="Edit order")
    edit.get_by_label(f"New quantity of {MUG.sku}").fill("3")
    edit.get_by_role("button", name=f"Change the quantity of {MUG.sku}").click()
    expect(page.get_by_role("status")).to_contain_text("edited")
    expect(page.get_by_text(f"{MUG.sku}: 2 → 3")).to_be_visible()

    add = _form(page, "Add a line")
    add.get_by_label("SKU").fill("NO-SUCH")
    add.get_by_role("button", name="Add line").click()
    expect(page.get_by_role("alert")).to_contain_text("correct the marked field")
    expect(page.locator("#e-add-sku")).to_contain_text("unknown SKU")
    _form(page, "Add a line").get_by_label("SKU").fill(CAP.sku)
    _form(page, "Add a line").get_by_role("button", name="Add line").click()
    expect(page.get_by_role("status")).to_contain_text("edited")

    page.get_by_role("button", name=f"Remove {MUG.sku} from the order").click()
    expect(page.get_by_text("Line removed")).to_be_visible()

    address = _form(page, "Shipping address")
    address.get_by_label("City").fill("Lyon")
    address.get_by_label("Postal code").fill("69002")
    address.get_by_role("button", name="Change address").click()
    expect(page.get_by_text("Shipping address changed")).to_be_visible()
    _form(page, "Priority").get_by_label(re.compile("^Priority")).fill("40")
    _form(page, "Priority").get_by_role("button", name="Change priority").click()
    expect(page.get_by_text("0 → 40")).to_be_visible()
    check_page(page, "order-edit", screenshots)
    _on_phone(page)
    if screenshots is not None:
        edit_region = page.get_by_role("region", name="Edit order")
        edit_region.screenshot(path=str(screenshots / "order-edit-phone.png"))

    # Confirmed and on a pick list: the page says why it can no longer be edited.
    orders.confirm_order(c.uow(), SYSTEM, order_id)
    (shipment,) = tracking.list_shipments(c.uow(), SYSTEM, ShipmentFilter(order_id=order_id))
    picking.create_pick_list(c.uow(), SYSTEM, shipment.location, shipment_ids=[shipment.id])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/orders/{order_id}")
    expect(
        page.get_by_text(re.compile("Editing is not offered: .*picking has started"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Add line")).to_have_count(0)
    check_page(page, "order-edit-refused", screenshots)
    _on_phone(page)

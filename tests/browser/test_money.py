"""Money in Chromium: customer service records a payment on an order and cancels a unit of
it (refunded at once); a paid, delivered order's return goes to inspection and is refunded
from the return's page; another return is exchanged for a new order, linked both ways. The
order's money, the refunded return and the exchange order pass axe and fit."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import NewProduct
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.model import Customer, DraftLine, OrderDraft
from oms.domain.returns.model import Inspected
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.services import (
    catalogue,
    inventory,
    orders,
    payments,
    picking,
    returns,
    tracking,
    warehouse,
)
from oms.services.inventory import StockChange
from oms.services.payments import RecordPayment
from oms.services.ports.shipments import ShipmentFilter
from oms.services.returns import ReceiveReturn, StartReturn
from tests.browser.conftest import LiveServer
from tests.browser.shop import ADDRESS, check_page, log_in

CUP = NewProduct("MNY-CUP", "Money journey cup", Decimal("12.00"), "EUR")
PAYER = Customer("paula.payer@example.com", "Paula Payer")


def _action(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("form.action", has=page.get_by_role("heading", name=title, exact=True))


def _placed(c: Container, quantity: int) -> int:
    """An order of cups, stocked at PAR for it alone."""
    uow = c.uow()
    if uow.run(lambda: uow.products.get(CUP.sku), write=False) is None:
        catalogue.create_product(uow, SYSTEM, CUP)
    inventory.adjust_stock(
        uow, SYSTEM, StockChange("PAR", CUP.sku, "money journey", delta=quantity)
    )
    draft = OrderDraft("web", PAYER, ADDRESS, [DraftLine(CUP.sku, quantity)])
    return orders.place_order(uow, SYSTEM, draft).order.id


def _delivered_and_paid(c: Container, quantity: int) -> tuple[int, str]:
    """An order of cups delivered today and paid in full; its id and where it shipped from."""
    uow = c.uow()
    order_id = _placed(c, quantity)
    orders.confirm_order(uow, SYSTEM, order_id)
    (shipment,) = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order_id))
    pick = picking.create_pick_list(uow, SYSTEM, shipment.location, shipment_ids=[shipment.id])
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(shipment.id, CUP.sku, quantity)])
    warehouse.pack_shipment(uow, SYSTEM, shipment.id, [(CUP.sku, quantity)])
    shipped = warehouse.ship_shipment(uow, SYSTEM, shipment.id)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": uow.now()}
    tracking.record_carrier_event(uow, SYSTEM, shipped.carrier or "oms-post", event)
    due = orders.get_order(uow, SYSTEM, order_id).due()
    payments.record_payment(uow, SYSTEM, order_id, RecordPayment(due, "manual", f"BT-{order_id}"))
    return order_id, shipment.location


def _inspected(c: Container, order_id: int, location: str, resolution: Resolution) -> int:
    uow = c.uow()
    asked = [RequestedLine(CUP.sku, 1, ReturnReason.WRONG_ITEM)]
    r = returns.start_return(uow, SYSTEM, order_id, StartReturn(asked, resolution))
    returns.approve_return(uow, SYSTEM, r.id)
    returns.receive_return(uow, SYSTEM, r.id, ReceiveReturn(location, [(CUP.sku, 1)]))
    returns.inspect_return(uow, SYSTEM, r.id, [Inspected(CUP.sku, 1, 0)])
    return r.id


def test_a_payment_a_cancelled_unit_a_refunded_return_and_an_exchange(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    c = live_server.container
    order_id = _placed(c, 3)
    log_in(page, "customer_service")
    page.goto(f"/orders/{order_id}")
    money = page.get_by_role("region", name="Money")
    expect(money.get_by_text("unpaid", exact=True)).to_be_visible()
    record = _action(page, "Record payment")
    expect(record.get_by_label("Amount (EUR)")).to_have_value("36.00")
    record.get_by_label("Provider", exact=True).select_option("manual")
    record.get_by_label(re.compile("^Reference")).fill("BT-1001")
    record.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("status")).to_contain_text("Payment of 36.00 EUR recorded")
    expect(money.get_by_text("paid", exact=True)).to_be_visible()
    expect(money.get_by_role("cell", name="BT-1001")).to_be_visible()

    cancel = _action(page, f"Cancel units of {CUP.sku}")
    cancel.get_by_label(re.compile("^Units")).fill("1")
    cancel.get_by_label("Reason", exact=True).fill("one cup too many")
    cancel.get_by_role("button", name="Cancel units").click()
    expect(page.get_by_role("status")).to_contain_text("Refund of 12.00 EUR sent back")
    expect(money.get_by_text("partially refunded", exact=True)).to_be_visible()
    expect(money.get_by_role("cell", name="cancelled: one cup too many")).to_be_visible()
    check_page(page, "order-money", screenshots)

    # A delivered, paid order: a return through inspection (the warehouse's steps are
    # the returns journey's), then refunded from its page.
    paid_id, location = _delivered_and_paid(c, 2)
    return_id = _inspected(c, paid_id, location, Resolution.REFUND)
    page.goto(f"/returns/{return_id}")
    _action(page, "Refund").get_by_role("button", name="Refund").click()
    expect(page.get_by_role("status")).to_contain_text("Refund of 12.00 EUR sent back")
    refund = page.get_by_role("region", name="Refund")
    expect(refund.get_by_text("succeeded", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Return RMA-"))).to_be_visible()
    check_page(page, "return-refunded", screenshots)

    # Another return, exchanged: a new order, linked both ways.
    other_id, location = _delivered_and_paid(c, 1)
    exchanged_id = _inspected(c, other_id, location, Resolution.EXCHANGE)
    page.goto(f"/returns/{exchanged_id}")
    _action(page, "Exchange").get_by_role("button", name="Exchange").click()
    expect(page.get_by_role("status")).to_contain_text("sends the replacements")
    original = orders.get_order(c.uow(), SYSTEM, other_id).number
    page.get_by_role("link", name=re.compile(r"^SO-")).first.click()
    expect(page.get_by_text(f"Exchange of {original}")).to_be_visible()
    check_page(page, "order-exchange", screenshots)

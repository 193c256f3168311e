"""The browser tests' shop and their helpers: the demo's catalogue and orders, one user per
role, orders that each journey owns, logging in, axe-core, and screenshots."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from oms.bootstrap import Container
from oms.demo import load_demo
from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import NewProduct
from oms.domain.orders.model import Address, Customer, DraftLine, OrderDraft
from oms.services import catalogue, inventory, orders
from oms.services.inventory import StockChange
from oms.services.users import create_demo_users, demo_password

DEMO_ORDERS = 80
# Orders of their own for the journeys, so no test depends on what another one did.
HOLD_JOURNEY = Customer("hanna.hold@example.com", "Hanna Holdsworth")
FORGE_JOURNEY = Customer("felix.forge@example.com", "Felix Forge")
ADDRESS = Address("Hanna Holdsworth", "12 rue des Lilas", "Lyon", "69003", "FR")
# The stock journey's product: 10 on hand in Berlin only, 4 of them reserved by an order.
STOCK_JOURNEY = NewProduct("JRN-LAMP", "Journey desk lamp", Decimal("39.00"), "EUR")
STOCK_CUSTOMER = Customer("stella.stock@example.com", "Stella Stock")
WIDTHS = {"desktop": 1280, "tablet": 820}
BAD_IMPACTS = {"serious", "critical"}
_axe = Axe()


def seed(container: Container) -> None:
    load_demo(container, orders=DEMO_ORDERS)
    create_demo_users(container.uow())
    for customer in (HOLD_JOURNEY, FORGE_JOURNEY):
        draft = OrderDraft("web", customer, ADDRESS, [DraftLine("MUG-STN-WHT", 2)])
        orders.place_order(container.uow(), SYSTEM, draft)
    seed_station_journey(container)
    catalogue.create_product(container.uow(), SYSTEM, STOCK_JOURNEY)
    first = StockChange("BER", STOCK_JOURNEY.sku, "first count", on_hand=10)
    inventory.count_stock(container.uow(), SYSTEM, first)
    lamp = OrderDraft("web", STOCK_CUSTOMER, ADDRESS, [DraftLine(STOCK_JOURNEY.sku, 4)])
    orders.place_order(container.uow(), SYSTEM, lamp)
    seed_return_journey(container)
    seed_service_journey(container)
    seed_delivery_journey(container)


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(demo_password(name))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def assert_accessible(page: Page) -> None:
    """axe-core's rules on the page as it stands: no serious or critical violation."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in BAD_IMPACTS]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in bad
    ]
    assert not bad, f"{page.url}: " + "; ".join(details)


def assert_fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling of the page itself."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def check_page(page: Page, name: str, folder: Path | None) -> None:
    """At desktop and tablet width: fits, passes axe, and (when asked) a small screenshot."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits(page)
        assert_accessible(page)
        if folder is not None:
            png = page.screenshot(full_page=True)
            _save_small(png, folder / f"{name}-{label}.png")


def _save_small(png: bytes, path: Path) -> None:
    """A palette PNG of at most 1800 px tall: a tenth of the bytes, text still sharp."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > 1800:
        image = image.crop((0, 0, image.width, 1800))
    small = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


# The warehouse journey's order: confirmed, at the highest priority, so a wave of one order
# takes it whatever the demo left open; two products, one of them picked short.
STATION_JOURNEY = Customer("stella.station@example.com", "Stella Station")
STATION_LINES = (("MUG-STN-WHT", 2), ("TWL-TEA-NAT", 1))


def seed_station_journey(container: Container) -> None:
    lines = [DraftLine(sku, quantity) for sku, quantity in STATION_LINES]
    draft = OrderDraft("web", STATION_JOURNEY, ADDRESS, lines, priority=100)
    placed = orders.place_order(container.uow(), SYSTEM, draft)
    orders.confirm_order(container.uow(), SYSTEM, placed.order.id)


# The returns journey's order: two tea towels, delivered today, so a return is in its window.
RETURN_JOURNEY = Customer("rita.return@example.com", "Rita Returns")
RETURN_SKU = "TWL-TEA-NAT"


def seed_return_journey(container: Container) -> None:
    from oms.domain.fulfilment.model import Picked
    from oms.services import inventory, picking, tracking, warehouse
    from oms.services.inventory import StockChange
    from oms.services.ports.shipments import ShipmentFilter

    uow = container.uow()
    # Stock of its own, so the journey never waits for what the demo left on the shelf.
    for code in ("PAR", "LYO", "BER"):
        change = StockChange(code, RETURN_SKU, "returns journey", delta=2)
        inventory.adjust_stock(uow, SYSTEM, change)
    draft = OrderDraft("web", RETURN_JOURNEY, ADDRESS, [DraftLine(RETURN_SKU, 2)])
    order = orders.place_order(uow, SYSTEM, draft).order
    orders.confirm_order(uow, SYSTEM, order.id)
    (shipment,) = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
    pick = picking.create_pick_list(uow, SYSTEM, shipment.location, shipment_ids=[shipment.id])
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(shipment.id, RETURN_SKU, 2)])
    warehouse.pack_shipment(uow, SYSTEM, shipment.id, [(RETURN_SKU, 2)])
    shipped = warehouse.ship_shipment(uow, SYSTEM, shipment.id)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": uow.now()}
    tracking.record_carrier_event(uow, SYSTEM, shipped.carrier or "oms-post", event)


# The customer service journey's customer: two orders with her phone, one of them on hold,
# so it is in the service queue.
SERVICE_JOURNEY = Customer("sofia.service@example.com", "Sofia Service", "+33 4 72 00 11 22")
SERVICE_PHONE = "+33472001122"


def seed_service_journey(container: Container) -> None:
    uow = container.uow()
    for _ in range(2):
        draft = OrderDraft("phone", SERVICE_JOURNEY, ADDRESS, [DraftLine("MUG-STN-WHT", 1)])
        last = orders.place_order(uow, SYSTEM, draft).order
    orders.hold_order(uow, SYSTEM, last.id, "customer asked to wait")


# The delivery journey: two parcels of its own packed at PAR for Paris addresses, which the
# demo's Paris van serves (demo/delivery.py); the dispatcher makes a run of them and the
# driver drives it on a phone.
DELIVERY_SKU = "MUG-STN-WHT"
DELIVERY_JOURNEY = (
    (Customer("dora.delivery@example.com", "Dora Delivery", "+33 6 10 20 30 40"),
     Address("Dora Delivery", "5 rue Oberkampf", "Paris", "75011", "FR", "Digicode 1234")),
    (Customer("denis.door@example.com", "Denis Door", "+33 6 50 60 70 80"),
     Address("Denis Door", "40 rue Lepic", "Paris", "75018", "FR")),
)  # fmt: skip


def seed_delivery_journey(container: Container) -> list[int]:
    """The journey's packed shipments at PAR, in the order their orders were placed."""
    from oms.domain.fulfilment.model import Picked
    from oms.services import picking, tracking, warehouse
    from oms.services.ports.shipments import ShipmentFilter

    uow = container.uow()
    change = StockChange("PAR", DELIVERY_SKU, "delivery journey", delta=2)
    inventory.adjust_stock(uow, SYSTEM, change)
    packed = []
    for customer, address in DELIVERY_JOURNEY:
        draft = OrderDraft("web", customer, address, [DraftLine(DELIVERY_SKU, 1)], priority=90)
        order = orders.place_order(uow, SYSTEM, draft).order
        orders.confirm_order(uow, SYSTEM, order.id)
        (s,) = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
        assert s.location == "PAR", "the journey's parcels go by the Paris van"
        pick = picking.create_pick_list(uow, SYSTEM, "PAR", shipment_ids=[s.id])
        picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(s.id, DELIVERY_SKU, 1)])
        warehouse.pack_shipment(uow, SYSTEM, s.id, [(DELIVERY_SKU, 1)])
        packed.append(s.id)
    return packed

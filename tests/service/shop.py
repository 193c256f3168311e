"""A small shop for service tests of fulfilment rules: three locations, products, and
helpers that place, confirm, pick and read, all through the services."""

from __future__ import annotations

from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import Picked, PickList, Shipment
from oms.domain.orders.model import Address, Order
from oms.services import catalogue, inventory, orders, picking, tracking
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, new_location, new_product

BERLIN = Address("Jonas Weber", "Kastanienallee 1", "Berlin", "10435", "DE")


def open_shop(uow: UnitOfWork) -> UnitOfWork:
    """PAR (priority 10) and LYO in France, BER in Germany; TEE, MUG and CAP of 500 g."""
    for location in (
        new_location("PAR", postal_code="75011", priority=10),
        new_location("LYO", postal_code="69001"),
        new_location("BER", country="DE", postal_code="10115"),
    ):
        catalogue.create_location(uow, SYSTEM, location)
    for sku in ("TEE", "MUG", "CAP"):
        catalogue.create_product(uow, SYSTEM, new_product(sku, weight_grams=500))
    return uow


def count(uow: UnitOfWork, location: str, sku: str, on_hand: int) -> None:
    inventory.count_stock(uow, SYSTEM, StockChange(location, sku, "count", on_hand=on_hand))


def levels(uow: UnitOfWork, location: str, sku: str) -> tuple[int, int]:
    (row,) = inventory.list_stock(uow, SYSTEM, sku=sku, location=location)
    return row.on_hand, row.reserved


def place_confirmed(uow: UnitOfWork, *lines: tuple[str, int], **kw: object) -> Order:
    placed = orders.place_order(uow, SYSTEM, draft(*lines, **kw))
    return orders.confirm_order(uow, SYSTEM, placed.order.id)


def shipments_of(uow: UnitOfWork, order_id: int) -> list[Shipment]:
    return tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order_id))[::-1]


def where(uow: UnitOfWork, order_id: int) -> dict[str, tuple[str, dict[str, int]]]:
    """Per location: the status and contents of the order's latest shipment there."""
    return {s.location: (s.status.value, s.contents()) for s in shipments_of(uow, order_id)}


def pick_all(uow: UnitOfWork, location: str, short: dict[str, int] | None = None) -> PickList:
    """A pick list at the location, completed with everything but `short` units per SKU."""
    pick = picking.create_pick_list(uow, SYSTEM, location)
    lines = [
        Picked(s.id, ln.sku, ln.quantity - (short or {}).get(ln.sku, 0))
        for s in tracking.list_shipments(uow, SYSTEM, ShipmentFilter(location=location))
        if s.id in pick.shipment_ids
        for ln in s.lines
    ]
    return picking.complete_pick_list(uow, SYSTEM, pick.id, lines)


def line_split(uow: UnitOfWork, order_id: int) -> list[tuple[str, int, int]]:
    """(sku, allocated, backordered) per line."""
    order = orders.get_order(uow, SYSTEM, order_id)
    return [(x.sku, x.allocated_quantity, x.backordered_quantity) for x in order.lines]


def event_types(uow: UnitOfWork, order_id: int) -> list[str]:
    return [e.type for e in orders.order_events(uow, SYSTEM, order_id)]

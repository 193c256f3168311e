"""Parcels for notification tests: an order placed, confirmed, picked, packed and shipped
through the services, and the carrier's reports on it."""

from __future__ import annotations

from datetime import datetime

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.fulfilment.model import Picked, Shipment
from oms.domain.orders.draft import OrderDraft
from oms.services import orders, picking, tracking, warehouse
from oms.services.ports import UnitOfWork
from oms.services.tracking import EventOutcome
from tests.builders import stocked

DRIVER = Actor("driver", Role.CARRIER, "oms-post")


def shipped(uow: UnitOfWork, order: OrderDraft) -> Shipment:
    """Stock each SKU at PAR, then place, confirm, pick, pack and ship the order."""
    for line in order.lines:
        stocked(uow, line.sku, 10, weight_grams=300)
    order_id = orders.place_order(uow, SYSTEM, order).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    units = [(line.sku, line.quantity) for line in order.lines]
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, s, q) for s, q in units])
    warehouse.pack_shipment(uow, SYSTEM, sid, units)
    return warehouse.ship_shipment(uow, SYSTEM, sid)


def report(uow: UnitOfWork, s: Shipment, status: str, at: datetime) -> EventOutcome:
    """The carrier reports on the parcel."""
    event = {"tracking_number": s.tracking_number, "status": status, "at": at}
    return tracking.record_carrier_event(uow, DRIVER, "oms-post", event)

"""Delivered orders are completed once their return window has closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import PermissionDenied
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.status import OrderStatus
from oms.services import orders, picking, tracking, warehouse
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked
from tests.conftest import FakeClock

DRIVER = Actor("driver", Role.CARRIER, "oms-post")


def delivered_order(uow: UnitOfWork, clock: FakeClock, sku: str = "TEE") -> int:
    """An order placed, picked, packed, shipped and delivered through the use cases."""
    stocked(uow, sku, 5)
    order_id = orders.place_order(uow, SYSTEM, draft((sku, 2))).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, sku, 2)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [(sku, 2)])
    shipped = warehouse.ship_shipment(uow, SYSTEM, sid)
    clock.advance(days=2)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": clock.now}
    tracking.record_carrier_event(uow, DRIVER, "oms-post", event)
    return order_id


def test_an_order_delivered_before_the_cut_off_is_completed_once(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    old = delivered_order(uow, clock, "TEE")
    clock.advance(days=20)
    recent = delivered_order(uow, clock, "MUG")
    clock.advance(days=15)
    cutoff = clock.now - timedelta(days=30)
    [number] = orders.complete_delivered(uow, SYSTEM, cutoff)
    assert number == orders.get_order(uow, SYSTEM, old).number
    assert orders.get_order(uow, SYSTEM, old).status is OrderStatus.COMPLETED
    assert orders.get_order(uow, SYSTEM, recent).status is OrderStatus.DELIVERED
    assert orders.complete_delivered(uow, SYSTEM, cutoff) == []
    timeline = [e.type for e in orders.order_events(uow, SYSTEM, old)]
    assert timeline[-2:] == ["order.delivered", "order.completed"]


def test_completing_needs_the_right_to_confirm_orders(uow: UnitOfWork) -> None:
    with pytest.raises(PermissionDenied):
        orders.complete_delivered(uow, Actor("w", Role.WAREHOUSE), SYSTEM_NOW)


SYSTEM_NOW = FakeClock().now

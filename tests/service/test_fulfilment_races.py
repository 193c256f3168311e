"""Fulfilment under concurrency: waves, carrier events and cancellations racing each other."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, DomainError
from oms.domain.fulfilment.model import Picked
from oms.services import inventory, orders, picking, tracking, warehouse
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, stocked
from tests.service.test_concurrency import race

THREADS = 8


def confirmed_orders(container: Container, n: int) -> list[int]:
    uow = container.uow()
    stocked(uow, "TEE", 100)
    ids = []
    for _ in range(n):
        order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
        orders.confirm_order(uow, SYSTEM, order.id)
        ids.append(order.id)
    return ids


@pytest.mark.slow
def test_racing_waves_never_put_a_shipment_on_two_pick_lists(container: Container) -> None:
    confirmed_orders(container, 24)

    def wave(_: int) -> list[int]:
        try:
            made = picking.create_pick_list(container.uow(), SYSTEM, "PAR", max_orders=3)
        except Conflict:
            return []
        return made.shipment_ids

    waves = race(THREADS, wave)
    taken = [sid for shipments in waves for sid in shipments]
    assert len(taken) == len(set(taken))  # no shipment twice
    with container.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT pick_list_id, count(*) FROM shipments GROUP BY pick_list_id")
        ).all()
    on_lists = {pick_list: n for pick_list, n in rows if pick_list is not None}
    assert sum(on_lists.values()) == len(taken)
    assert all(n <= 3 for n in on_lists.values())


@pytest.mark.slow
def test_the_same_carrier_event_racing_is_recorded_and_applied_once(
    container: Container,
) -> None:
    (order_id,) = confirmed_orders(container, 1)
    uow = container.uow()
    pick = picking.create_pick_list(uow, SYSTEM, "PAR")
    (sid,) = pick.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "TEE", 1)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [("TEE", 1)])
    number = warehouse.ship_shipment(uow, SYSTEM, sid).tracking_number
    driver = Actor("driver", Role.CARRIER, "oms-post")
    event = {
        "tracking_number": number,
        "status": "delivered",
        "at": datetime(2026, 3, 3, tzinfo=UTC),
    }

    outcomes = race(
        THREADS,
        lambda _: tracking.record_carrier_event(container.uow(), driver, "oms-post", event),
    )
    assert Counter(o.recorded for o in outcomes) == {True: 1, False: THREADS - 1}
    timeline = [e.type for e in orders.order_events(container.uow(), SYSTEM, order_id)]
    assert timeline.count("shipment.delivered") == 1
    assert timeline.count("order.delivered") == 1
    order = orders.get_order(container.uow(), SYSTEM, order_id)
    assert order.lines[0].delivered_quantity == 1


@pytest.mark.slow
def test_cancels_racing_waves_and_shipping_keep_stock_and_shipments_in_step(
    container: Container,
) -> None:
    ids = confirmed_orders(container, 16)

    def work(i: int) -> None:
        uow = container.uow()
        try:
            if i % 2:
                orders.cancel_order(uow, SYSTEM, ids[i], "changed mind")
            else:
                pick = picking.create_pick_list(uow, SYSTEM, "PAR", max_orders=2)
                live = [warehouse.get_shipment(uow, SYSTEM, s) for s in pick.shipment_ids]
                picks = [Picked(s.id, "TEE", 1) for s in live if s.status.value == "picking"]
                picking.complete_pick_list(uow, SYSTEM, pick.id, picks)
                for s in live:
                    warehouse.pack_shipment(uow, SYSTEM, s.id, [("TEE", 1)])
                    warehouse.ship_shipment(uow, SYSTEM, s.id)
        except DomainError:
            pass  # lost a race: a 409 or 422 a user would see, nothing half-done

    race(len(ids), work)
    uow = container.uow()
    assert inventory.verify_stock(uow, SYSTEM) == []
    shipments = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(limit=200))
    with container.engine.connect() as conn:
        shipped = conn.execute(sa.text("SELECT sum(shipped_quantity) FROM order_lines")).scalar()
        reserved = conn.execute(sa.text("SELECT sum(reserved) FROM stock")).scalar()
        on_hand = conn.execute(sa.text("SELECT sum(on_hand) FROM stock")).scalar()
    left = sum(1 for s in shipments if s.status.value == "shipped")
    in_house = sum(1 for s in shipments if s.in_warehouse)
    assert (shipped or 0) == left
    assert reserved == in_house
    assert on_hand == 100 - left
    for order_id in ids:
        order = orders.get_order(uow, SYSTEM, order_id)
        assert all(line.is_balanced() for line in order.lines)
        if order.status.value == "cancelled":
            assert all(s.status.value == "cancelled" for s in shipments if s.order_id == order_id)

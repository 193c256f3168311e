"""Lost parcels and late to ship in customer service's queue, and reships racing, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services import customer_service as cs
from oms.services import inventory, lost_parcels, orders, views
from oms.services.customer_service import Why
from oms.services.views import OrderQuery
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.parcels import report, shipped
from tests.service.test_concurrency import race
from tests.service.test_lost_parcels import CS


def queue(container: Container) -> list[cs.QueueItem]:
    uow = container.uow()
    return cs.service_queue(uow, container.views(uow), CS).items  # type: ignore[arg-type]


def test_a_lost_parcel_is_a_problem_in_the_queue_until_it_is_reshipped(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1)))
    clock.advance(hours=5)
    report(uow, s, "lost", clock.now)
    [item] = [i for i in queue(container) if i.why is Why.PROBLEM]
    assert (item.order_id, item.detail, item.since) == (s.order_id, "lost", clock.now)
    counts = cs.service_counts(uow, container.views(uow), CS)  # type: ignore[arg-type]
    assert counts[Why.PROBLEM] == 1
    lost_parcels.reship(uow, CS, s.id)
    assert [i for i in queue(container) if i.why is Why.PROBLEM] == []


def test_late_to_ship_is_late_in_the_queue_the_lists_and_the_counts(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    [s] = uow.run(lambda: uow.shipments.of_orders([order.id])[order.id], write=False)
    assert s.ship_by is not None
    assert [i for i in queue(container) if i.why is Why.LATE] == []
    clock.now = clock.now.replace(
        year=s.ship_by.year, month=s.ship_by.month, day=s.ship_by.day
    ) + timedelta(days=1)
    [item] = [i for i in queue(container) if i.why is Why.LATE]
    assert (item.order_id, item.detail) == (order.id, "to_ship")
    assert item.since.date() == s.ship_by
    assert views_orders(container, late=True) == [order.id]
    where = cs.where_orders_are(uow, container.views(uow), CS, [order.id])  # type: ignore[arg-type]
    counts = views.today(uow, container.views(uow), SYSTEM)  # type: ignore[arg-type]
    assert {q.key: q.count for q in counts.queues}["late"] == 1
    assert where[order.id].late


def views_orders(container: Container, **kw: object) -> list[int]:
    uow = container.uow()
    found = views.find_orders(uow, container.views(uow), SYSTEM, OrderQuery(**kw))  # type: ignore[arg-type]
    return [r.id for r in found.rows]


@pytest.mark.slow
def test_two_reships_of_the_same_lost_parcel_at_once_make_one_new_shipment(
    container: Container,
) -> None:
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1)))
    lost_parcels.declare_lost(uow, CS, s.id, "the carrier gave up")

    def go(_: int) -> str:
        try:
            lost_parcels.reship(container.uow(), CS, s.id)
        except Conflict:
            return "refused"
        return "done"

    assert sorted(race(4, go)) == ["done", "refused", "refused", "refused"]
    with container.engine.connect() as conn:
        made = conn.execute(
            sa.text("SELECT count(*) FROM shipments WHERE replaces_id = :id"), {"id": s.id}
        ).scalar_one()
    assert made == 1
    found = orders.order_detail(uow, SYSTEM, s.order_id).shipments
    assert sorted(x.status for x in found) == sorted([ShipmentStatus.REPLACED, ShipmentStatus.OPEN])
    assert inventory.verify_stock(uow, SYSTEM) == []


@pytest.mark.slow
def test_a_carrier_lost_and_a_declaration_racing_book_the_loss_once(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 2)))

    def go(i: int) -> str:
        try:
            if i % 2:
                report(container.uow(), s, "lost", clock.now + timedelta(minutes=i))
            else:
                lost_parcels.declare_lost(container.uow(), CS, s.id, "gone")
        except Conflict:
            return "refused"
        return "done"

    race(4, go)
    rows = inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")
    assert sum(1 for e in rows if e.entry.kind.value == "write_off") == 1
    assert inventory.verify_stock(uow, SYSTEM) == []
    listed = orders.order_events(uow, SYSTEM, s.order_id)
    assert sum(1 for e in listed if e.type == "shipment.lost") == 1

"""Late shipments are told once, on memory, SQLite and PostgreSQL: one `shipment.late`
event per shipment past its promise, however often the worker or the carrier repeats
itself, and never for a delivered one."""

from __future__ import annotations

from datetime import timedelta

from oms.domain.access import SYSTEM
from oms.services import orders, tracking
from oms.services.late_shipments import tell_late_shipments
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft
from tests.conftest import FakeClock
from tests.service.parcels import report, shipped


def late_events(uow: UnitOfWork, order_id: int) -> list[dict[str, object]]:
    return [
        dict(e.data)
        for e in orders.order_events(uow, SYSTEM, order_id)
        if e.type == "shipment.late"
    ]


def test_a_shipment_past_its_promise_is_told_late_once(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 1)))
    assert s.promised_delivery_date is not None
    clock.now = clock.now.replace(
        year=s.promised_delivery_date.year,
        month=s.promised_delivery_date.month,
        day=s.promised_delivery_date.day,
    )
    assert tell_late_shipments(uow) == 0  # the promised day itself is not late
    clock.advance(days=1)
    report(uow, s, "in_transit", clock.now)
    assert tell_late_shipments(uow) == 1
    assert tell_late_shipments(uow) == 0  # the worker runs again
    assert report(uow, s, "in_transit", clock.now).recorded is False  # the carrier repeats
    clock.advance(days=1)
    report(uow, s, "exception", clock.now)  # a new status, still not delivered
    assert tell_late_shipments(uow) == 0
    [told] = late_events(uow, s.order_id)
    assert told["shipment_id"] == s.id and told["tracking_number"] == s.tracking_number
    assert told["promised_delivery_date"] == s.promised_delivery_date.isoformat()
    [again] = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=s.order_id))
    assert again.late_notified_at is not None


def test_a_delivered_shipment_is_never_told_late(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    on_time = shipped(uow, draft(("TEE", 1)))
    report(uow, on_time, "delivered", clock.now + timedelta(days=1))
    late_delivery = shipped(uow, draft(("MUG", 1)))
    clock.advance(days=30)
    report(uow, late_delivery, "delivered", clock.now)  # late, but delivered before the worker
    assert tell_late_shipments(uow) == 0
    assert late_events(uow, on_time.order_id) == []
    assert late_events(uow, late_delivery.order_id) == []


def test_each_late_shipment_is_told_in_its_own_right(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    first = shipped(uow, draft(("TEE", 1)))
    second = shipped(uow, draft(("MUG", 1)))
    clock.advance(days=30)
    assert tell_late_shipments(uow, limit=1) == 1
    assert tell_late_shipments(uow) == 1
    assert tell_late_shipments(uow) == 0
    assert len(late_events(uow, first.order_id)) == len(late_events(uow, second.order_id)) == 1

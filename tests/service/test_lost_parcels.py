"""Lost parcels on memory, SQLite and PostgreSQL: a carrier's `lost` and customer service's
declaration book the units as a loss once and open a problem; a reship reserves them again
(or backorders them), makes the replacing shipment, links both ways and resolves the problem."""

from __future__ import annotations

from collections import Counter

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, PermissionDenied
from oms.domain.fulfilment.model import LateKind, Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.model import LedgerKind
from oms.domain.orders.status import OrderStatus
from oms.services import inventory, lost_parcels, order_problems, orders, tracking, warehouse
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.parcels import report, shipped

CS = Actor("carla", Role.CUSTOMER_SERVICE)
WAREHOUSE = Actor("wally", Role.WAREHOUSE)


def ledger_kinds(uow: UnitOfWork, sku: str) -> Counter[str]:
    return Counter(e.entry.kind.value for e in inventory.stock_ledger(uow, SYSTEM, "PAR", sku))


def on_hand(uow: UnitOfWork, sku: str) -> tuple[int, int]:
    rows = inventory.stock_ledger(uow, SYSTEM, "PAR", sku)
    return sum(e.entry.on_hand_delta for e in rows), sum(e.entry.reserved_delta for e in rows)


def event_types(uow: UnitOfWork, order_id: int) -> list[str]:
    return [e.type for e in orders.order_events(uow, SYSTEM, order_id)]


def shipments_of(uow: UnitOfWork, order_id: int) -> list[Shipment]:
    return sorted(
        tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order_id)),
        key=lambda s: s.id,
    )


def test_a_carrier_reporting_a_parcel_lost_books_the_loss_once_and_opens_a_problem(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 2)))
    before = ledger_kinds(uow, "TEE")
    clock.advance(days=1)
    assert report(uow, s, "lost", clock.now).applied
    assert report(uow, s, "lost", clock.now).recorded is False  # the carrier repeats itself
    clock.advance(hours=1)
    assert report(uow, s, "lost", clock.now).applied is False  # a later copy changes nothing
    lost = warehouse.get_shipment(uow, SYSTEM, s.id)
    assert lost.status is ShipmentStatus.LOST
    after = ledger_kinds(uow, "TEE")
    assert after - before == Counter({"adjustment": 1, "write_off": 1})
    loss = [
        e.entry
        for e in inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")
        if e.entry.kind in (LedgerKind.ADJUSTMENT, LedgerKind.WRITE_OFF)
    ]
    assert [(e.on_hand_delta, e.order_id) for e in loss] == [(2, s.order_id), (-2, s.order_id)]
    assert all(
        str(s.id) in (e.reason or "") and s.tracking_number in (e.reason or "") for e in loss
    )
    assert on_hand(uow, "TEE") == (8, 0)  # 10 counted, 2 left: still gone
    assert inventory.verify_stock(uow, SYSTEM) == []
    [problem] = order_problems.problems_of(uow, SYSTEM, s.order_id)
    assert (problem.reason.value, problem.reported_by, problem.shipment_id) == (
        "lost",
        "oms-post",
        s.id,
    )
    types = event_types(uow, s.order_id)
    assert types.count("shipment.lost") == 1 and "order.problem_reported" in types
    order = orders.get_order(uow, SYSTEM, s.order_id)
    assert order.status is OrderStatus.SHIPPED  # its units count as shipped until replaced


def test_customer_service_declares_a_parcel_on_its_way_lost_and_only_then(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 1)))
    with pytest.raises(PermissionDenied):
        lost_parcels.declare_lost(uow, WAREHOUSE, s.id, "no scan for ten days")
    with pytest.raises(InvalidInput):
        lost_parcels.declare_lost(uow, CS, s.id, "  ")
    lost = lost_parcels.declare_lost(uow, CS, s.id, "no scan for ten days")
    assert lost.status is ShipmentStatus.LOST
    with pytest.raises(Conflict):  # once lost, it cannot be declared lost again
        lost_parcels.declare_lost(uow, CS, s.id, "again")
    assert ledger_kinds(uow, "TEE")["write_off"] == 1
    [problem] = order_problems.problems_of(uow, SYSTEM, s.order_id)
    assert (problem.reported_by, problem.note) == ("carla", "no scan for ten days")
    delivered = shipped(uow, draft(("MUG", 1)))
    report(uow, delivered, "delivered", delivered.updated_at)
    with pytest.raises(Conflict):
        lost_parcels.declare_lost(uow, CS, delivered.id, "the customer says so")


def test_a_shipment_still_in_the_warehouse_cannot_be_declared_lost(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    [s] = shipments_of(uow, order.id)
    with pytest.raises(Conflict):
        lost_parcels.declare_lost(uow, CS, s.id, "cannot find it")
    with pytest.raises(Conflict):
        lost_parcels.reship(uow, CS, s.id)


def test_a_reship_reserves_the_units_again_and_links_the_shipments_both_ways(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 2)))
    clock.advance(days=2)
    report(uow, s, "lost", clock.now)
    with pytest.raises(PermissionDenied):
        lost_parcels.reship(uow, WAREHOUSE, s.id)
    done = lost_parcels.reship(uow, CS, s.id)
    assert done.replaced.status is ShipmentStatus.REPLACED
    [new] = done.shipments
    assert done.backordered == {}
    assert (new.status, new.replaces_id, new.contents()) == (ShipmentStatus.OPEN, s.id, {"TEE": 2})
    assert new.ship_by is not None
    order = orders.get_order(uow, SYSTEM, s.order_id)
    assert order.status is OrderStatus.PROCESSING  # the warehouse works on it again
    [line] = order.lines
    assert (line.shipped_quantity, line.allocated_quantity, line.backordered_quantity) == (0, 2, 0)
    assert on_hand(uow, "TEE") == (8, 2)  # two more reserved of what is left
    assert inventory.verify_stock(uow, SYSTEM) == []
    events = orders.order_events(uow, SYSTEM, s.order_id)
    [replaced] = [e for e in events if e.type == "shipment.replaced"]
    assert replaced.data["shipment_id"] == s.id and replaced.data["replaced_by"] == [new.id]
    assert replaced.data["tracking_number"] == s.tracking_number
    [created] = [
        e for e in events if e.type == "shipment.created" and e.data["shipment_id"] == new.id
    ]
    assert created.data["replaces_shipment_id"] == s.id
    [problem] = order_problems.problems_of(uow, SYSTEM, s.order_id)
    assert not problem.is_open and f"shipment {new.id}" in (problem.resolution or "")
    with pytest.raises(Conflict):  # a second reship finds it replaced
        lost_parcels.reship(uow, CS, s.id)
    # the new parcel goes the whole way: the order ships and is delivered again
    again = shipped_again(uow, new)
    report(uow, again, "delivered", clock.now)
    assert orders.get_order(uow, SYSTEM, s.order_id).status is OrderStatus.DELIVERED


def shipped_again(uow: UnitOfWork, s: Shipment) -> Shipment:
    from oms.domain.fulfilment.model import Picked
    from oms.services import picking

    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    assert pick_list.shipment_ids == [s.id]
    units = list(s.contents().items())
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(s.id, k, q) for k, q in units])
    warehouse.pack_shipment(uow, SYSTEM, s.id, units)
    return warehouse.ship_shipment(uow, SYSTEM, s.id)


def test_a_reship_without_stock_backorders_the_units(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 2)))
    inventory.count_stock(uow, SYSTEM, _count("TEE", 1))  # one left on the shelf
    lost_parcels.declare_lost(uow, CS, s.id, "the carrier gave up")
    done = lost_parcels.reship(uow, CS, s.id)
    [new] = done.shipments
    assert new.contents() == {"TEE": 1}
    assert done.backordered == {"TEE": 1}
    order = orders.get_order(uow, SYSTEM, s.order_id)
    [line] = order.lines
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 1)
    assert order.status is OrderStatus.PROCESSING


def test_a_reship_with_no_stock_at_all_leaves_the_units_waiting(each_uow: UnitOfWork) -> None:
    uow = each_uow
    s = shipped(uow, draft(("TEE", 1)))
    inventory.count_stock(uow, SYSTEM, _count("TEE", 0))
    lost_parcels.declare_lost(uow, CS, s.id, "the carrier gave up")
    done = lost_parcels.reship(uow, CS, s.id)
    assert done.shipments == [] and done.backordered == {"TEE": 1}
    [line] = orders.get_order(uow, SYSTEM, s.order_id).lines
    assert line.backordered_quantity == 1
    [problem] = order_problems.problems_of(uow, SYSTEM, s.order_id)
    assert "wait for stock" in (problem.resolution or "")
    stocked(uow, "TEE", 3)  # stock comes: the backorder rule fills it
    [new] = [x for x in shipments_of(uow, s.order_id) if x.status is ShipmentStatus.OPEN]
    assert new.contents() == {"TEE": 1}


def test_a_shipment_past_its_ship_by_day_is_late_to_ship(
    each_uow: UnitOfWork, clock: FakeClock
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 5)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    [s] = shipments_of(uow, order.id)
    assert s.ship_by is not None
    late = ShipmentFilter(late_on=s.ship_by)
    assert [x.id for x in tracking.list_shipments(uow, SYSTEM, late)] == []
    day_after = ShipmentFilter(late_on=s.ship_by.fromordinal(s.ship_by.toordinal() + 1))
    assert [x.id for x in tracking.list_shipments(uow, SYSTEM, day_after)] == [s.id]
    to_ship = ShipmentFilter(late_on=day_after.late_on, late_kind=LateKind.TO_SHIP)
    to_deliver = ShipmentFilter(late_on=day_after.late_on, late_kind=LateKind.TO_DELIVER)
    assert [x.id for x in tracking.list_shipments(uow, SYSTEM, to_ship)] == [s.id]
    assert tracking.list_shipments(uow, SYSTEM, to_deliver) == []


def _count(sku: str, n: int):  # type: ignore[no-untyped-def]
    from oms.services.inventory import StockChange

    return StockChange("PAR", sku, "recount", on_hand=n)


def test_a_reship_into_the_open_shipment_of_the_same_location_links_that_one(
    each_uow: UnitOfWork,
) -> None:
    from oms.domain.fulfilment.model import Picked
    from oms.services import picking

    uow = each_uow
    stocked(uow, "TEE", 1)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order  # one waits for stock
    orders.confirm_order(uow, SYSTEM, order.id)
    [first] = shipments_of(uow, order.id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(first.id, "TEE", 1)])
    warehouse.pack_shipment(uow, SYSTEM, first.id, [("TEE", 1)])
    warehouse.ship_shipment(uow, SYSTEM, first.id)
    inventory.count_stock(uow, SYSTEM, _count("TEE", 2))  # the waiting unit is filled
    [second] = [s for s in shipments_of(uow, order.id) if s.status is ShipmentStatus.OPEN]
    assert orders.get_order(uow, SYSTEM, order.id).status is OrderStatus.PARTIALLY_SHIPPED
    lost_parcels.declare_lost(uow, CS, first.id, "gone")
    done = lost_parcels.reship(uow, CS, first.id)
    [carrying] = done.shipments
    assert carrying.id == second.id and carrying.replaces_id == first.id
    assert carrying.contents() == {"TEE": 2}
    assert orders.get_order(uow, SYSTEM, order.id).status is OrderStatus.PROCESSING
    assert inventory.verify_stock(uow, SYSTEM) == []

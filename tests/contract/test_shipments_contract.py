"""The shipment repository's contract: shipments and their lines, the version check,
search and wave candidates, pick lists, carrier events recorded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from oms.domain.errors import ConcurrentUpdate
from oms.domain.fulfilment.model import PickLine, PickList, PickListStatus, Shipment, ShipmentLine
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.model import Order
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import CarrierEvent, ShipmentFilter
from tests.contract.seed import location, order, product


@dataclass
class Shop:
    uow: UnitOfWork
    par: int
    lyo: int
    first: Order
    second: Order


@pytest.fixture
def shop(each_uow: UnitOfWork) -> Shop:
    par, lyo = location(each_uow, "PAR").id, location(each_uow, "LYO").id
    product(each_uow, "TEE")
    product(each_uow, "MUG")
    first = order(each_uow, ("TEE", 2), ("MUG", 1))
    second = order(each_uow, ("TEE", 1), priority=9)
    return Shop(each_uow, par, lyo, first, second)


def shipment(shop: Shop, o: Order, location_id: int, **kw: object) -> Shipment:
    now = shop.uow.now()
    new = Shipment(
        0,
        o.id,
        location_id,
        "",
        ShipmentStatus.OPEN,
        now,
        now,
        [ShipmentLine(0, line.id, line.product_id, line.sku, line.quantity) for line in o.lines],
        **kw,  # type: ignore[arg-type]
    )
    shop.uow.run(lambda: shop.uow.shipments.add(new))
    return new


def load(shop: Shop, shipment_id: int) -> Shipment:
    found = shop.uow.run(lambda: shop.uow.shipments.get(shipment_id, lock=True))
    assert found is not None
    return found


def test_an_added_shipment_reads_back_with_its_ids_filled_in(shop: Shop) -> None:
    added = shipment(shop, shop.first, shop.par)
    assert added.id and all(line.id for line in added.lines)
    stored = load(shop, added.id)
    assert stored.location == "PAR"
    added.location = "PAR"
    assert stored == added
    assert shop.uow.run(lambda: shop.uow.shipments.get(999)) is None


def test_save_changes_header_and_lines_and_checks_the_version(shop: Shop) -> None:
    added = shipment(shop, shop.first, shop.par)
    loaded, stale = load(shop, added.id), load(shop, added.id)
    loaded.move(ShipmentStatus.PICKING, "pick")
    loaded.lines[0].quantity, loaded.lines[0].picked_quantity = 1, 1
    del loaded.lines[1]
    line = shop.first.lines[1]
    loaded.lines.append(ShipmentLine(0, line.id, line.product_id, line.sku, 1))
    loaded.shipping_cost = Money.zero("EUR")
    shop.uow.run(lambda: shop.uow.shipments.save(loaded))
    assert loaded.version == 2 and loaded.lines[-1].id
    stored = load(shop, added.id)
    assert stored == loaded
    with pytest.raises(ConcurrentUpdate):
        shop.uow.run(lambda: shop.uow.shipments.save(stale))
    stale.id = 999
    with pytest.raises(ConcurrentUpdate):
        shop.uow.run(lambda: shop.uow.shipments.save(stale))


def test_many_and_of_orders_are_in_id_order(shop: Shop) -> None:
    a = shipment(shop, shop.first, shop.par)
    b = shipment(shop, shop.second, shop.par)
    c = shipment(shop, shop.first, shop.lyo)
    many = shop.uow.run(lambda: shop.uow.shipments.many([c.id, 999, a.id, c.id], lock=True))
    assert [s.id for s in many] == [a.id, c.id]
    assert shop.uow.run(lambda: shop.uow.shipments.many([])) == []
    by_order = shop.uow.run(lambda: shop.uow.shipments.of_orders([shop.first.id, 999]))
    assert {k: [s.id for s in v] for k, v in by_order.items()} == {
        shop.first.id: [a.id, c.id],
        999: [],
    }
    assert b.id


def test_search_filters_and_pages_newest_first(shop: Shop) -> None:
    today = shop.uow.now().date()
    a = shipment(shop, shop.first, shop.par)
    b = shipment(
        shop,
        shop.second,
        shop.par,
        carrier="oms-post",
        tracking_number="CP100000000FR",
        promised_delivery_date=today - timedelta(days=1),
    )
    b.move(ShipmentStatus.PICKING, "x")
    b.move(ShipmentStatus.PICKED, "x")
    b.move(ShipmentStatus.PACKED, "x")
    b.move(ShipmentStatus.SHIPPED, "x")
    shop.uow.run(lambda: shop.uow.shipments.save(b))
    c = shipment(shop, shop.first, shop.lyo)

    def search(**kw: object) -> list[int]:
        flt = ShipmentFilter(**kw)  # type: ignore[arg-type]
        return [s.id for s in shop.uow.run(lambda: shop.uow.shipments.search(flt))]

    assert search() == [c.id, b.id, a.id]
    assert search(limit=1, before_id=c.id) == [b.id]
    assert search(order_id=shop.first.id) == [c.id, a.id]
    assert search(location="LYO") == [c.id]
    assert search(status="open") == [c.id, a.id]
    assert search(carrier="oms-post") == [b.id]
    assert search(late_on=today) == [b.id]
    assert search(late_on=date(2000, 1, 1)) == []
    found = shop.uow.run(lambda: shop.uow.shipments.by_tracking_number("CP100000000FR"))
    assert found is not None and found.id == b.id
    assert shop.uow.run(lambda: shop.uow.shipments.by_tracking_number("nope")) is None


def test_late_untold_are_on_their_way_past_the_promise_and_not_yet_told(shop: Shop) -> None:
    uow = shop.uow
    today = uow.now().date()

    def on_its_way(o: Order, promised: date, number: str) -> Shipment:
        s = shipment(shop, o, shop.par, carrier="oms-post", tracking_number=number)
        s.promised_delivery_date = promised
        for target in ("picking", "picked", "packed", "shipped"):
            s.move(ShipmentStatus(target), "x")
        uow.run(lambda: uow.shipments.save(s))
        return s

    late = on_its_way(shop.first, today - timedelta(days=1), "CP100000001FR")
    on_its_way(shop.second, today, "CP100000002FR")  # due today: not late yet
    shipment(shop, shop.second, shop.lyo, promised_delivery_date=today - timedelta(days=3))
    assert uow.run(lambda: uow.shipments.late_untold(today, 10)) == [late.id]
    told = load(shop, late.id)
    told.late_notified_at = uow.now()
    uow.run(lambda: uow.shipments.save(told))
    assert load(shop, late.id).late_notified_at == uow.now()
    assert uow.run(lambda: uow.shipments.late_untold(today, 10)) == []


def test_wave_candidates_are_open_unlisted_shipments_of_workable_orders(shop: Shop) -> None:
    uow = shop.uow
    pending = shipment(shop, shop.first, shop.par)  # its order is pending: not yet
    for o in (shop.first, shop.second):
        loaded = uow.run(lambda o=o: uow.orders.get(o.id))
        assert loaded is not None
        loaded.confirm()
        uow.run(lambda loaded=loaded: uow.orders.save(loaded, "ann", uow.now()))
    ready = shipment(shop, shop.second, shop.par)
    shipment(shop, shop.second, shop.lyo)  # another location
    listed = shipment(shop, shop.first, shop.par, pick_list_id=None)
    listed.move(ShipmentStatus.CANCELLED, "x")
    uow.run(lambda: uow.shipments.save(listed))
    found = uow.run(lambda: uow.shipments.wave_candidates(shop.par))
    assert sorted((c.shipment_id, c.order_id, c.priority) for c in found) == [
        (pending.id, shop.first.id, 0),
        (ready.id, shop.second.id, 9),
    ]
    assert {c.placed_at for c in found} == {shop.first.created_at}
    assert uow.run(lambda: uow.shipments.wave_candidates(999)) == []


def test_pick_lists_list_their_shipments_and_keep_their_lines(shop: Shop) -> None:
    uow, now = shop.uow, shop.uow.now()
    s = shipment(shop, shop.first, shop.par)
    lines = [PickLine(1, 1, "TEE", "A-1", 2), PickLine(2, 2, "MUG", "B-1", 1)]
    pick = PickList(0, shop.par, "", PickListStatus.OPEN, "ann", now, lines)
    uow.run(lambda: uow.shipments.add_pick_list(pick))
    s.pick_list_id = pick.id
    uow.run(lambda: uow.shipments.save(s))
    stored = uow.run(lambda: uow.shipments.get_pick_list(pick.id, lock=True))
    assert stored is not None
    assert (stored.location, stored.lines, stored.shipment_ids) == ("PAR", lines, [s.id])
    stored.complete("bob", now)
    uow.run(lambda: uow.shipments.save_pick_list(stored))
    assert uow.run(lambda: uow.shipments.get_pick_list(pick.id)) == stored
    assert uow.run(lambda: uow.shipments.get_pick_list(999)) is None
    other = PickList(0, shop.lyo, "", PickListStatus.OPEN, "ann", now, [])
    uow.run(lambda: uow.shipments.add_pick_list(other))

    def listed(*args: object) -> list[int]:
        return [p.id for p in uow.run(lambda: uow.shipments.pick_lists(*args))]  # type: ignore[arg-type]

    assert listed(None, None, None, 10) == [other.id, pick.id]
    assert listed(shop.par, None, None, 10) == [pick.id]
    assert listed(None, "open", None, 10) == [other.id]
    assert listed(None, None, other.id, 10) == [pick.id]
    assert listed(None, None, None, 1) == [other.id]


def test_a_carrier_event_is_recorded_once(shop: Shop) -> None:
    uow, now = shop.uow, shop.uow.now()
    a = shipment(shop, shop.first, shop.par)
    b = shipment(shop, shop.second, shop.par)
    later = CarrierEvent("CP1", ShipmentStatus.DELIVERED, now + timedelta(hours=2), "Paris")
    first = CarrierEvent("CP1", ShipmentStatus.IN_TRANSIT, now, None, "left the depot")
    assert uow.run(lambda: uow.shipments.add_event(a.id, later, True, "post", now))
    assert uow.run(lambda: uow.shipments.add_event(a.id, first, False, "post", now))
    assert not uow.run(lambda: uow.shipments.add_event(a.id, first, True, "post", now))
    events = uow.run(lambda: uow.shipments.events([a.id, b.id]))
    assert events[b.id] == []
    assert [(e.event.status, e.applied, e.actor) for e in events[a.id]] == [
        (ShipmentStatus.IN_TRANSIT, False, "post"),
        (ShipmentStatus.DELIVERED, True, "post"),
    ]
    assert events[a.id][0].event.note == "left the depot"
    assert events[a.id][1].event.location == "Paris"
    assert uow.run(lambda: uow.shipments.events([])) == {}

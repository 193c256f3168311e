"""Kits in checkout holds on every database: a hold keeps whole kits on the components'
rows, the order that converts it reserves them as kits, leftovers and expired holds free
their units, and nothing is promised twice."""

from __future__ import annotations

from oms.domain.access import SYSTEM
from oms.domain.inventory.holds import HoldRequest
from oms.services import channel_availability, holds, inventory, orders
from oms.services.inventory import list_stock
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.kits import make_kit


def starter(uow: UnitOfWork, kettles: int, mugs: int, location: str = "PAR") -> None:
    stocked(uow, "KETTLE", kettles, location=location)
    stocked(uow, "MUG", mugs, location=location)
    if uow.run(lambda: uow.products.get("STARTER"), write=False) is None:
        make_kit(uow, "STARTER", ("KETTLE", 1), ("MUG", 2))


def stock(uow: UnitOfWork, sku: str) -> dict[str, tuple[int, int, int, int]]:
    """(on hand, reserved, held, available) per location."""
    return {
        r.location: (r.on_hand, r.reserved, r.held, r.available)
        for r in list_stock(uow, SYSTEM, sku=sku)
    }


def feed(uow: UnitOfWork, sku: str) -> int:
    (item,) = channel_availability.channel_availability(uow, SYSTEM, "web", sku)
    return item.available


def sound(uow: UnitOfWork) -> None:
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_kit_is_held_in_whole_kits_and_the_order_reserves_them(each_uow: UnitOfWork) -> None:
    uow = each_uow
    starter(uow, kettles=3, mugs=5)  # two kits
    h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("STARTER", 3)]))
    assert [(ln.sku, ln.quantity, ln.held_quantity) for ln in h.lines] == [("STARTER", 3, 2)]
    assert stock(uow, "KETTLE") == {"PAR": (3, 0, 2, 1)}
    assert stock(uow, "MUG") == {"PAR": (5, 0, 4, 1)}
    assert feed(uow, "STARTER") == 0  # the one mug left makes no kit
    placed = orders.place_order(uow, SYSTEM, draft(("STARTER", 2), hold_id=h.id)).order
    [line] = placed.lines
    assert (line.allocated_quantity, line.backordered_quantity) == (2, 0)
    assert stock(uow, "KETTLE") == {"PAR": (3, 2, 0, 1)}
    assert stock(uow, "MUG") == {"PAR": (5, 4, 0, 1)}
    sound(uow)
    orders.cancel_order(uow, SYSTEM, placed.id, "changed mind")  # whole kits back
    assert stock(uow, "KETTLE") == {"PAR": (3, 0, 0, 3)}
    assert stock(uow, "MUG") == {"PAR": (5, 0, 0, 5)}
    sound(uow)


def test_an_order_taking_fewer_kits_than_held_frees_the_rest(uow: UnitOfWork) -> None:
    starter(uow, kettles=2, mugs=4)
    starter(uow, kettles=1, mugs=2, location="BER")
    h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("STARTER", 3)]))
    assert h.lines[0].held_quantity == 3
    assert feed(uow, "STARTER") == 0
    placed = orders.place_order(uow, SYSTEM, draft(("STARTER", 1), hold_id=h.id)).order
    assert placed.lines[0].allocated_quantity == 1
    reserved = {loc: v[1] for loc, v in stock(uow, "MUG").items()}
    assert sum(reserved.values()) == 2  # one kit's mugs, at one location
    assert feed(uow, "STARTER") == 2  # the other two kits are free again
    sound(uow)


def test_a_kit_line_and_a_plain_line_of_its_component_in_one_hold(uow: UnitOfWork) -> None:
    starter(uow, kettles=5, mugs=7)
    h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("MUG", 3), ("STARTER", 3)]))
    assert [ln.held_quantity for ln in h.lines] == [3, 2]  # 3 mugs, then 2 kits of the 4 left
    assert stock(uow, "MUG") == {"PAR": (7, 0, 7, 0)}
    placed = orders.place_order(uow, SYSTEM, draft(("MUG", 3), ("STARTER", 2), hold_id=h.id)).order
    assert [ln.allocated_quantity for ln in placed.lines] == [3, 2]
    assert stock(uow, "MUG") == {"PAR": (7, 7, 0, 0)}
    assert stock(uow, "KETTLE") == {"PAR": (5, 2, 0, 3)}
    sound(uow)


def test_an_expired_kit_hold_keeps_nothing_and_its_order_sources_as_usual(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    starter(uow, kettles=1, mugs=2)
    holds.create_hold(uow, SYSTEM, HoldRequest("web", [("STARTER", 1)], expires_in=60))
    assert feed(uow, "STARTER") == 0
    other = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order
    assert other.lines[0].backordered_quantity == 1  # the kit's mugs are kept
    clock.advance(seconds=60)
    assert stock(uow, "MUG") == {"PAR": (2, 0, 0, 2)}
    assert holds.sweep_expired(uow) == 1  # the freed mugs go to the waiting order
    assert stock(uow, "MUG") == {"PAR": (2, 1, 0, 1)}
    sound(uow)

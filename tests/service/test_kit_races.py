"""Kits racing for the last units, on SQLite and PostgreSQL (threads): kits and plain
orders of a shared component, two kits sharing a component, cancels racing fills, kit
holds converted while plain orders and holds race them. Never oversold: every row keeps
reserved <= on_hand, every acknowledged order tells the truth, and the ledger explains
every row."""

from __future__ import annotations

from typing import Any

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.inventory.holds import HoldRequest
from oms.services import holds, inventory, orders
from oms.services.inventory import StockChange, list_stock
from oms.services.orders import Placed
from tests.builders import draft, stocked
from tests.service.kits import make_kit
from tests.service.test_concurrency import race, totals

THREADS = 24


def reserved(container: Container, sku: str) -> int:
    return sum(r.reserved for r in list_stock(container.uow(), SYSTEM, sku=sku))


def allocated(container: Container, placed: list[Placed], sku: str) -> int:
    uow = container.uow()
    return sum(
        ln.allocated_quantity
        for p in placed
        for ln in orders.get_order(uow, SYSTEM, p.order.id).lines
        if ln.sku == sku
    )


def sound(container: Container) -> dict[str, Any]:
    t = totals(container)
    assert t["worst"] <= 0 and t["unbalanced"] == 0
    assert inventory.verify_stock(container.uow(), SYSTEM) == []
    return t


@pytest.mark.slow
def test_kits_and_plain_orders_race_for_a_shared_component(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "KETTLE", 10)
    stocked(uow, "MUG", 7)
    make_kit(uow, "STARTER", ("KETTLE", 1), ("MUG", 2))
    placed: list[Placed] = race(
        THREADS,
        lambda i: orders.place_order(
            container.uow(), SYSTEM, draft(("STARTER", 1) if i % 2 else ("MUG", 1))
        ),
    )
    sound(container)
    kits = allocated(container, placed, "STARTER")
    mugs = allocated(container, placed, "MUG")
    # Every mug is promised once: to a kit (two each) or to a plain order.
    assert 2 * kits + mugs == reserved(container, "MUG") <= 7
    assert reserved(container, "KETTLE") == kits
    assert 2 * kits + mugs >= 6  # at most one mug left over: the races only decide who
    backordered = sum(ln.backordered_quantity for p in placed for ln in p.order.lines)
    assert kits + mugs + backordered == THREADS


@pytest.mark.slow
def test_two_kits_sharing_a_component_never_oversell_it(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "KETTLE", 10)
    stocked(uow, "MUG", 9)
    stocked(uow, "SPOON", 10)
    make_kit(uow, "KIT-A", ("KETTLE", 1), ("MUG", 1))
    make_kit(uow, "KIT-B", ("MUG", 2), ("SPOON", 1))
    placed: list[Placed] = race(
        THREADS,
        lambda i: orders.place_order(
            container.uow(), SYSTEM, draft(("KIT-A", 1) if i % 2 else ("KIT-B", 1))
        ),
    )
    sound(container)
    a = allocated(container, placed, "KIT-A")
    b = allocated(container, placed, "KIT-B")
    assert a + 2 * b == reserved(container, "MUG") <= 9
    assert a + 2 * b >= 8
    assert reserved(container, "KETTLE") == a and reserved(container, "SPOON") == b


@pytest.mark.slow
def test_cancels_and_deliveries_racing_kit_orders_stay_whole(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "KETTLE", 4)
    stocked(uow, "MUG", 4)
    make_kit(uow, "STARTER", ("KETTLE", 1), ("MUG", 2))
    first = [orders.place_order(uow, SYSTEM, draft(("STARTER", 1))) for _ in range(6)]

    def work(i: int) -> object:
        other = container.uow()
        if i % 3 == 0:
            return orders.cancel_order(other, SYSTEM, first[i // 3].order.id, "race")
        if i % 3 == 1:
            change = StockChange("PAR", "MUG", "delivery", delta=1)
            return inventory.adjust_stock(other, SYSTEM, change)
        return orders.place_order(other, SYSTEM, draft(("STARTER", 1), ("MUG", 1)))

    race(12, work)
    sound(container)
    mugs = reserved(container, "MUG")
    kettles = reserved(container, "KETTLE")
    every = orders.list_orders(uow, SYSTEM, orders.OrderFilter(limit=100))
    kits = sum(ln.allocated_quantity for o in every for ln in o.lines if ln.sku == "STARTER")
    plain = sum(ln.allocated_quantity for o in every for ln in o.lines if ln.sku == "MUG")
    assert mugs == 2 * kits + plain and kettles == kits


@pytest.mark.slow
def test_kit_holds_converted_racing_plain_orders_and_holds_never_promise_twice(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "KETTLE", 10)
    stocked(uow, "MUG", 7)
    make_kit(uow, "STARTER", ("KETTLE", 1), ("MUG", 2))

    def work(i: int) -> tuple[str, int, Placed | None]:
        other = container.uow()
        if i % 3 == 0:  # a cart holds a kit, then its order takes the hold
            h = holds.create_hold(other, SYSTEM, HoldRequest("web", [("STARTER", 1)]))
            kept = h.lines[0].held_quantity
            placed = orders.place_order(other, SYSTEM, draft(("STARTER", 1), hold_id=h.id))
            return ("kit", kept, placed)
        if i % 3 == 1:
            return ("mug", 0, orders.place_order(other, SYSTEM, draft(("MUG", 1))))
        h = holds.create_hold(other, SYSTEM, HoldRequest("web", [("MUG", 1)]))
        return ("held", h.lines[0].held_quantity, None)  # left live

    done = race(THREADS, work)
    sound(container)
    rows = {r.sku: r for r in list_stock(container.uow(), SYSTEM) if r.sku in ("MUG", "KETTLE")}
    assert all(r.on_hand - r.reserved - r.held >= 0 for r in rows.values())
    for kind, kept, placed in done:
        if kind == "kit" and kept:  # what a hold kept, its order got: no second check failed
            assert placed is not None and placed.order.lines[0].allocated_quantity == 1
    kits = sum(p.order.lines[0].allocated_quantity for k, _, p in done if k == "kit" and p)
    mugs = sum(p.order.lines[0].allocated_quantity for k, _, p in done if k == "mug" and p)
    held = sum(kept for k, kept, _ in done if k == "held")
    assert rows["MUG"].reserved == 2 * kits + mugs
    assert rows["MUG"].held == held
    assert 2 * kits + mugs + held <= 7
    assert rows["KETTLE"].reserved == kits

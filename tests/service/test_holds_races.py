"""Checkout holds under racing threads (PostgreSQL row locks, SQLite's one writer): a hold's
units are promised once, whatever expires, converts or orders at the same instant."""

from __future__ import annotations

import random
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from oms.adapters.db.tables import hold_units, order_lines, stock
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.channels.model import Channel, ChannelKind
from oms.domain.errors import DomainError
from oms.domain.inventory.holds import HoldNotUsable, HoldRequest
from oms.services import channel_availability, channels, holds, inventory, orders
from oms.services.orders import Placed
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_concurrency import race


def live_totals(container: Container, now: datetime) -> dict[str, int]:
    """Sums of reserved and live held units; the worst row's on_hand - reserved - held."""
    live = (
        sa.select(sa.func.sum(hold_units.c.quantity))
        .where(hold_units.c.stock_id == stock.c.id, hold_units.c.expires_at > now)
        .scalar_subquery()
    )
    with container.engine.connect() as conn:
        rows = conn.execute(
            sa.select(stock.c.on_hand, stock.c.reserved, sa.func.coalesce(live, 0))
        ).all()
        allocated = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(order_lines.c.allocated_quantity), 0))
        ).scalar_one()
    return {
        "reserved": sum(r[1] for r in rows),
        "held": sum(int(r[2]) for r in rows),
        "worst": min((r[0] - r[1] - int(r[2]) for r in rows), default=0),
        "allocated": int(allocated),
    }


def _try(work: object) -> object:
    try:
        return work()  # type: ignore[operator]
    except DomainError as error:
        return error


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(4))
def test_a_hold_expiring_while_its_order_converts_it_serves_exactly_one_side(
    container: Container, clock: FakeClock, round_: int
) -> None:
    uow = container.uow()
    stocked(uow, "LAST", 3)
    h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("LAST", 3)], 60))
    clock.advance(seconds=60, microseconds=-1)
    started = threading.Event()

    def work(i: int) -> object:
        if i == 0:  # the cart checks out with its hold
            return _try(lambda: orders.place_order(
                container.uow(), SYSTEM, draft(("LAST", 3), hold_id=h.id)
            ))  # fmt: skip
        if i == 1:  # the clock passes the expiry while the others run
            started.wait(0.01 * round_)
            clock.advance(microseconds=1)
            return None
        started.set()
        return _try(lambda: orders.place_order(container.uow(), SYSTEM, draft(("LAST", 1))))

    results = race(12, work)
    converted = isinstance(results[0], Placed)
    others = [r for r in results[2:] if isinstance(r, Placed)]
    assert len(others) == 10  # plain orders are never refused: what is missing is backordered
    taken_by_others = sum(r.order.lines[0].allocated_quantity for r in others)
    if converted:
        assert isinstance(results[0], Placed)
        assert results[0].order.lines[0].allocated_quantity == 3
        assert taken_by_others == 0
    else:
        assert isinstance(results[0], HoldNotUsable), results[0]
        assert taken_by_others == 3
    t = live_totals(container, clock.now)
    assert (t["reserved"], t["held"], t["allocated"], t["worst"]) == (3, 0, 3, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


@pytest.mark.slow
def test_many_carts_racing_for_the_last_units_never_hold_more_than_there_is(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    stocked(uow, "HOT", 6, location="PAR")
    stocked(uow, "HOT", 4, location="BER")

    def work(i: int) -> object:
        u = container.uow()
        if i % 4 == 3:
            return orders.place_order(u, SYSTEM, draft(("HOT", 1)))
        return holds.create_hold(u, SYSTEM, HoldRequest("web", [("HOT", 1 + i % 2)]))

    results = race(32, work)
    held = sum(r.lines[0].held_quantity for r in results if isinstance(r, holds.CreatedHold))
    placed = sum(r.order.lines[0].allocated_quantity for r in results if isinstance(r, Placed))
    t = live_totals(container, clock.now)
    assert t["worst"] >= 0
    assert held == t["held"] and placed == t["reserved"] == t["allocated"]
    assert held + placed == 10  # the demand (40 units) exceeds stock: every unit went
    assert inventory.verify_stock(uow, SYSTEM) == []


@pytest.mark.slow
def test_an_order_with_its_hold_racing_plain_orders_always_gets_the_held_units(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 3)
    h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("TEE", 2)]))

    def work(i: int) -> Placed:
        u = container.uow()
        if i == 0:
            return orders.place_order(u, SYSTEM, draft(("TEE", 2), hold_id=h.id))
        return orders.place_order(u, SYSTEM, draft(("TEE", 1)))

    results = race(10, work)
    assert results[0].order.lines[0].allocated_quantity == 2
    assert sum(r.order.lines[0].allocated_quantity for r in results[1:]) == 1
    t = live_totals(container, clock.now)
    assert (t["reserved"], t["held"], t["worst"]) == (3, 0, 0)


@pytest.mark.slow
def test_holds_orders_releases_counts_and_expiries_racing_keep_every_invariant(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    stocked(uow, "A", 5, location="PAR")
    stocked(uow, "A", 5, location="BER")
    made = [holds.create_hold(uow, SYSTEM, HoldRequest("web", [("A", 2)], 30)).id for _ in range(3)]

    def work(i: int) -> object:
        u, rnd = container.uow(), random.Random(i)
        kind = i % 5
        if kind == 0:
            return _try(lambda: orders.place_order(
                u, SYSTEM, draft(("A", 2), hold_id=made[i % len(made)])
            ))  # fmt: skip
        if kind == 1:
            return _try(lambda: holds.release_hold(u, SYSTEM, made[i % len(made)]))
        if kind == 2:
            return holds.create_hold(u, SYSTEM, HoldRequest("web", [("A", rnd.randint(1, 3))]))
        if kind == 3:
            return inventory.count_stock(
                u, SYSTEM,
                inventory.StockChange(rnd.choice(["PAR", "BER"]), "A", "count",
                                      on_hand=rnd.randint(0, 6)),
            )  # fmt: skip
        clock.advance(seconds=15)
        return orders.place_order(u, SYSTEM, draft(("A", 1)))

    for outcome in race(30, work):
        # Only refusals about a hold that ended or was taken may happen.
        assert not isinstance(outcome, DomainError) or "hold" in str(outcome), outcome
    t = live_totals(container, clock.now)
    assert t["worst"] >= 0 and t["reserved"] == t["allocated"]
    assert inventory.verify_stock(uow, SYSTEM) == []
    clock.advance(hours=1)
    holds.sweep_expired(uow)
    assert live_totals(container, clock.now)["held"] == 0


@pytest.mark.slow
def test_two_channels_racing_on_few_units_never_oversell_and_the_buffer_holds(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    stocked(uow, "FEW", 4, location="PAR")
    stocked(uow, "FEW", 2, location="BER")
    channels.create_channel(
        uow, SYSTEM, Channel("market", ChannelKind.MARKETPLACE, buffer_units=2, hold_minutes=5)
    )
    seen: list[int] = []

    def work(i: int) -> object:
        u = container.uow()
        channel = ("web", "market")[i % 2]
        if i % 3 == 0:
            (item,) = channel_availability.channel_availability(u, SYSTEM, "market", "FEW")
            seen.append(item.available)
            return item
        if i % 3 == 1:
            return holds.create_hold(u, SYSTEM, HoldRequest(channel, [("FEW", 1)]))
        return orders.place_order(u, SYSTEM, draft(("FEW", 1), channel=channel))

    race(30, work)
    t = live_totals(container, clock.now)
    assert t["worst"] >= 0 and t["reserved"] == t["allocated"]
    free = 6 - t["reserved"] - t["held"]
    assert all(0 <= n <= 6 - 2 for n in seen)  # never more than there was, less the buffer
    (final,) = channel_availability.channel_availability(uow, SYSTEM, "market", "FEW")
    assert final.available == max(free - 2, 0)
    (web,) = channel_availability.channel_availability(uow, SYSTEM, "web", "FEW")
    assert web.available == free
    assert inventory.verify_stock(uow, SYSTEM) == []

"""customer_facts, loyalty's per-customer rows (issue 12, migration 0027): kept by triggers
on order_facts, they equal the rows made again from order_facts after every kind of
change: orders placed later and earlier than a customer's first (the clock goes back and
forth over months), cancelled, their first order delivered, promised, returned, moved to
another e-mail, deleted. Both databases; loyalty from them is the one-pass query's."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from oms.adapters.db.tables import order_facts
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.orders.draft import Customer
from oms.services import orders
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import TimesQuery
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_order_facts import customers


def _kept(container: Container) -> int:
    by_triggers, again = customers(container)
    assert by_triggers == again
    return len(by_triggers)


def test_the_rows_follow_every_change_of_the_orders(
    container: Container, uow: UnitOfWork, clock: FakeClock
) -> None:
    rnd = random.Random(27)
    stocked(uow, "CAP", 500)
    emails = ["ann@example.com", "bob@example.com", "cy@example.com"]
    placed: list[int] = []
    for i in range(40):
        clock.advance(days=rnd.choice([-75, -31, -3, 0, 1, 20, 45, 70]), hours=rnd.randint(0, 9))
        who = Customer(rnd.choice(emails), "Someone")
        placed.append(orders.place_order(uow, SYSTEM, draft(("CAP", 1), customer=who)).order.id)
        if i % 7 == 3:
            orders.cancel_order(uow, SYSTEM, placed.pop(rnd.randrange(len(placed))), "gone")
        if i % 5 == 4:  # a delivery, a promise, a return: the first order's part of the row
            f = order_facts
            order_id = rnd.choice(placed)
            with container.engine.begin() as conn:
                at = conn.execute(sa.select(f.c.created_at).where(f.c.order_id == order_id))
                conn.execute(
                    f.update()
                    .where(f.c.order_id == order_id)
                    .values(
                        delivered_at=at.scalar_one() + timedelta(days=2),
                        promised=date(2026, 1, 1) + timedelta(days=i * 9),
                        returned=i % 2 == 0,
                    )
                )
        assert _kept(container) >= 1
    with container.engine.begin() as conn:  # another e-mail, then a row gone
        f = order_facts
        conn.execute(f.update().where(f.c.order_id == placed[0]).values(customer="dee@example.com"))
        conn.execute(f.update().where(f.c.order_id == placed[1]).values(created_at=clock.now))
    assert _kept(container) == 4
    with container.engine.begin() as conn:
        conn.execute(order_facts.delete().where(order_facts.c.order_id == placed[0]))
    assert _kept(container) == 3
    # The rows were changed by hand above, beside the orders: the whole history's loyalty
    # from customer_facts is compared with the one-pass query over order_facts (a window
    # from 1970), which reads the same rows (test_insight_at_scale compares with the domain).
    facts = container.business_facts(uow)
    whole, everything = TimesQuery(), TimesQuery(since=datetime(1970, 1, 1, tzinfo=UTC))
    for months, horizon in ((12, 180), (3, 1), (36, 30), (36, 730)):
        found = uow.run(
            lambda m=months, h=horizon: (
                facts.loyalty(whole, m, h),
                facts.loyalty(everything, m, h),
            ),
            write=False,
        )
        if container.engine.dialect.name == "postgresql":
            assert found[0] == found[1] and found[0] is not None and found[0].customers == 3
        else:  # the whole from customer_facts in Python; a window: the domain counts
            assert found[1] is None and found[0] is not None and found[0].customers == 3


def test_orders_of_one_customer_placed_at_once_keep_the_row(
    container: Container, uow: UnitOfWork, clock: FakeClock
) -> None:
    """Three transactions at a time placing orders for one customer (different products,
    so no stock row makes them wait for each other), before and after the first order:
    the row is still the one made again. On PostgreSQL the advisory lock orders their
    writes of the row; SQLite has one writer at a time. (A smoke test: it does not force
    the interleaving, and passed without the lock too.)"""
    for i in range(3):
        stocked(uow, f"CAP{i}", 100)
    who = Customer("busy@example.com", "Busy")
    failures: list[BaseException] = []

    def place(i: int) -> None:
        mine = container.uow()
        try:
            for k in range(8):
                clock.advance(days=(-1) ** k * 17 * (i + 1))  # before and after the first
                orders.place_order(mine, SYSTEM, draft((f"CAP{i}", 1), customer=who))
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert _kept(container) == 1

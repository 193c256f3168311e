"""Racing for the last units: threads (and on PostgreSQL, processes) never oversell."""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM
from oms.services import inventory, orders
from oms.services.inventory import StockChange
from oms.services.orders import Placed
from oms.services.ports.orders import OrderFilter
from tests.builders import draft, stocked

THREADS = 32


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) for i in range(n) on n threads released at the same instant."""
    barrier = threading.Barrier(n)

    def go(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(go, range(n)))


def totals(container: Container) -> dict[str, int]:
    with container.engine.connect() as conn:
        q = conn.execute(
            sa.text(
                "SELECT coalesce(sum(on_hand),0), coalesce(sum(reserved),0), "
                "coalesce(max(reserved - on_hand), 0) FROM stock"
            )
        ).one()
        allocated = conn.execute(
            sa.text("SELECT coalesce(sum(allocated_quantity),0) FROM order_lines")
        ).scalar_one()
        unbalanced = conn.execute(
            sa.text(
                "SELECT count(*) FROM order_lines WHERE allocated_quantity + backordered_quantity"
                " + shipped_quantity + cancelled_quantity <> quantity"
            )
        ).scalar_one()
    return {
        "on_hand": q[0],
        "reserved": q[1],
        "worst": q[2],
        "allocated": allocated,
        "unbalanced": unbalanced,
    }


@pytest.mark.slow
def test_threads_racing_for_the_last_units_never_oversell(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "LAST", 6, location="PAR")
    stocked(uow, "LAST", 4, location="BER")
    results: list[Placed] = race(
        THREADS, lambda i: orders.place_order(container.uow(), SYSTEM, draft(("LAST", 1 + i % 2)))
    )
    assert all(r.created for r in results)
    assert len({r.order.id for r in results}) == THREADS
    t = totals(container)
    assert (t["on_hand"], t["reserved"], t["allocated"]) == (10, 10, 10)
    assert t["worst"] <= 0 and t["unbalanced"] == 0
    allocated = sum(r.order.lines[0].allocated_quantity for r in results)
    assert allocated == 10  # every acknowledged order tells the truth about its reservation
    assert inventory.verify_stock(uow, SYSTEM) == []


@pytest.mark.slow
def test_racing_requests_with_one_key_create_one_order(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 100)
    results: list[Placed] = race(
        16,
        lambda _: orders.place_order(
            container.uow(), SYSTEM, draft(("TEE", 3)), idempotency_key="same-key"
        ),
    )
    assert len({r.order.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert totals(container)["reserved"] == 3
    assert len(orders.list_orders(uow, SYSTEM, OrderFilter())) == 1


@pytest.mark.slow
def test_racing_imports_of_one_channel_order_create_one_order(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 100)
    results: list[Placed] = race(
        16,
        lambda _: orders.place_order(
            container.uow(), SYSTEM, draft(("TEE", 2), external_id="EXT-9")
        ),
    )
    assert len({r.order.id for r in results}) == 1
    assert totals(container)["reserved"] == 2


@pytest.mark.slow
def test_orders_cancels_and_counts_racing_keep_every_invariant(container: Container) -> None:
    uow = container.uow()
    for sku in ("A", "B"):
        stocked(uow, sku, 5, location="PAR")
        stocked(uow, sku, 5, location="BER")
    placed = [orders.place_order(uow, SYSTEM, draft(("A", 2), ("B", 1))).order.id for _ in range(4)]

    def work(i: int) -> None:
        u = container.uow()
        rnd = random.Random(i)
        kind = i % 4
        if kind == 0:
            orders.place_order(u, SYSTEM, draft(("A", rnd.randint(1, 3)), ("B", 2)))
        elif kind == 1 and placed:
            orders.cancel_order(u, SYSTEM, placed[i // 4 % len(placed)], "race")
        elif kind == 2:
            inventory.adjust_stock(
                u,
                SYSTEM,
                StockChange(
                    rnd.choice(["PAR", "BER"]), rnd.choice("AB"), "receipt", delta=rnd.randint(1, 3)
                ),
            )
        else:
            inventory.count_stock(
                u,
                SYSTEM,
                StockChange(
                    rnd.choice(["PAR", "BER"]), rnd.choice("AB"), "count", on_hand=rnd.randint(0, 6)
                ),
            )

    errors = []
    for outcome in race(THREADS, lambda i: _safely(work, i)):
        if outcome is not None:
            errors.append(outcome)
    # Only a second cancel of the same order may be refused; nothing else may fail.
    assert all(type(e).__name__ == "TransitionNotAllowed" for e in errors), errors
    t = totals(container)
    assert t["worst"] <= 0 and t["unbalanced"] == 0
    assert t["reserved"] == t["allocated"]
    assert inventory.verify_stock(uow, SYSTEM) == []


def _safely(work: Callable[[int], None], i: int) -> Exception | None:
    try:
        work(i)
    except Exception as error:  # collected and asserted on by the caller
        return error
    return None


def _process_orders(url: str, n: int, seed: int) -> list[int]:
    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    rnd = random.Random(seed)
    try:
        return [
            orders.place_order(container.uow(), SYSTEM, draft(("HOT", rnd.randint(1, 2))))
            .order.lines[0]
            .allocated_quantity
            for _ in range(n)
        ]
    finally:
        container.close()


@pytest.mark.slow
def test_processes_racing_for_the_last_units_never_oversell(
    container: Container, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several processes against one SQLite file are covered by threads")
    uow = container.uow()
    stocked(uow, "HOT", 25)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        per_process = pool.starmap(_process_orders, [(db_url, 12, s) for s in range(4)])
    allocated = sum(sum(p) for p in per_process)
    t = totals(container)
    assert allocated == t["reserved"] == t["allocated"] == 25
    assert t["unbalanced"] == 0
    assert inventory.verify_stock(uow, SYSTEM) == []

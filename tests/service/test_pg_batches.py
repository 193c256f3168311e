"""PostgreSQL's batches of placements: placements that arrive together share one
transaction and one pipeline, and each still succeeds or fails alone
(adapters/db/pg_batches.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from oms.adapters.db.deferred import RunAlone
from oms.adapters.db.pg_batches import PgBatches, pg_batches
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import IdempotencyKeyReused, InvalidInput
from oms.domain.inventory.holds import HoldRequest
from oms.services import holds, inventory, orders
from tests.builders import draft, stocked
from tests.conftest import PG_URL, _reset_postgres
from tests.service.kits import make_kit
from tests.service.test_concurrency import totals


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: SQLite has its own group commit (test_group_commit.py)."""
    if not PG_URL:
        pytest.skip("OMS_TEST_DATABASE_URL is not set")
    url: str = request.getfixturevalue("pg_migrated")
    _reset_postgres(url)
    return url


def batches_of(container: Container) -> PgBatches:
    found = pg_batches(container.engine)
    assert found is not None
    return found


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


@contextmanager
def in_one_batch(
    container: Container, n: int, job: Callable[[int], Any]
) -> Iterator[list[Future[Any]]]:
    """n threads run `job(i)` while a batch of one blocked job leads, so that all n queue
    and then make the next batch together; waits for them all."""
    batches = batches_of(container)
    gate = threading.Event()
    with ThreadPoolExecutor(n + 1) as pool:
        leader = pool.submit(batches.run, lambda conn, sink: gate.wait(10))
        _until(lambda: batches._leading and not batches._waiting, "the blocked job never led")
        futures = [pool.submit(job, i) for i in range(n)]
        _until(lambda: len(batches._waiting) == n, "the placements never queued")
        gate.set()
        leader.result()
        yield futures


def test_placements_that_arrive_together_commit_in_one_transaction(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 10)
    batches = batches_of(container)
    before = (batches.transactions, batches.jobs)

    def place(i: int) -> orders.Placed:
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1 + i % 2)))

    with in_one_batch(container, 6, place) as futures:
        pass
    placed = [f.result() for f in futures]
    # The blocked job's batch, then one batch of the six.
    assert (batches.transactions - before[0], batches.jobs - before[1]) == (2, 7)
    assert len({p.order.id for p in placed}) == len({p.order.number for p in placed}) == 6
    assert all(p.created for p in placed)
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["unbalanced"]) == (9, 9, 0)
    assert sum(p.order.lines[0].allocated_quantity for p in placed) == 9
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_batch_short_of_stock_is_rolled_back_and_each_placement_runs_alone(
    container: Container,
) -> None:
    # Each plans 2 of the 3 units from its unlocked read; together they want 6: the batch's
    # reservation is refused whole, then each runs alone and the last ones backorder.
    uow = container.uow()
    stocked(uow, "TEE", 3)
    batches = batches_of(container)

    def place(i: int) -> orders.Placed:
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 2)))

    with in_one_batch(container, 3, place) as futures:
        pass
    placed = [f.result() for f in futures]
    assert all(p.created for p in placed)
    assert sorted(p.order.lines[0].allocated_quantity for p in placed) == [0, 1, 2]
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["worst"], t["unbalanced"]) == (3, 3, 0, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []
    assert batches._waiting == []


def test_a_repeated_key_in_a_batch_gives_one_order_and_a_reused_key_is_refused_alone(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 10)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 1)), idempotency_key="k-1").order

    def place(i: int) -> orders.Placed:
        # 0 and 1: the same new request twice; 2 reuses k-1 for another order; 3 is new.
        if i in (0, 1):
            return orders.place_order(
                container.uow(), SYSTEM, draft(("TEE", 2)), idempotency_key="twice"
            )
        key = "k-1" if i == 2 else "new"
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 3)), idempotency_key=key)

    with in_one_batch(container, 4, place) as futures:
        pass
    with pytest.raises(IdempotencyKeyReused):
        futures[2].result()
    a, b, new = futures[0].result(), futures[1].result(), futures[3].result()
    assert a.order.id == b.order.id != first.id
    assert sorted([a.created, b.created]) == [False, True]
    assert new.created
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["unbalanced"]) == (6, 6, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_placement_refused_on_its_own_leaves_the_others_in_the_batch(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 10)
    batches = batches_of(container)
    before = batches.transactions

    def place(i: int) -> orders.Placed:
        sku = "NOPE" if i == 1 else "TEE"
        return orders.place_order(container.uow(), SYSTEM, draft((sku, 1)))

    with in_one_batch(container, 3, place) as futures:
        pass
    with pytest.raises(InvalidInput):
        futures[1].result()
    assert futures[0].result().created and futures[2].result().created
    assert batches.transactions - before == 2  # no batch rolled back, nothing run again
    assert totals(container)["reserved"] == 2


def test_a_placement_that_converts_a_hold_leaves_its_batch_and_runs_alone(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5)
    kept = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("TEE", 2)], None))

    def place(i: int) -> orders.Placed:
        hold_id = kept.id if i == 0 else None
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 2), hold_id=hold_id))

    with in_one_batch(container, 3, place) as futures:
        pass
    placed = [f.result() for f in futures]
    # The hold's order takes its two units. The others race for the three free ones, alone:
    # never more than there are (under PostgreSQL's READ COMMITTED a locked re-read during
    # the hold's conversion may count its units twice and leave one free; so without
    # batches too).
    assert placed[0].order.lines[0].allocated_quantity == 2
    t = totals(container)
    assert t["reserved"] == t["allocated"] <= 5
    assert (t["worst"] <= 0, t["unbalanced"]) == (True, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_placements_from_many_threads_never_oversell(container: Container) -> None:
    # No batches arranged: 12 threads race for 7 units, whatever batches form.
    uow = container.uow()
    stocked(uow, "TEE", 7)

    def place(i: int) -> orders.Placed:
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1)))

    with ThreadPoolExecutor(12) as pool:
        placed = list(pool.map(place, range(12)))
    assert all(p.created for p in placed)
    assert sum(p.order.lines[0].allocated_quantity for p in placed) == 7
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["worst"], t["unbalanced"]) == (7, 7, 0, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_placement_that_would_wait_locks_its_rows_alone_not_in_the_batch(
    container: Container,
) -> None:
    # The first wants more than there is: its plan is made again on locked rows, which a
    # batch never takes before its one locking statement; it runs alone, the other stays.
    uow = container.uow()
    stocked(uow, "TEE", 2)
    stocked(uow, "CAP", 5)
    batches = batches_of(container)
    before = batches.transactions

    def place(i: int) -> orders.Placed:
        wanted = ("TEE", 3) if i == 0 else ("CAP", 1)
        return orders.place_order(container.uow(), SYSTEM, draft(wanted))

    with in_one_batch(container, 2, place) as futures:
        pass
    short, other = futures[0].result(), futures[1].result()
    assert (short.order.lines[0].allocated_quantity, short.order.lines[0].backordered_quantity) == (
        2,
        1,
    )
    assert other.order.lines[0].allocated_quantity == 1
    assert batches.transactions - before == 2  # the batch was not rolled back
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["worst"], t["unbalanced"]) == (3, 3, 0, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_batch_that_cannot_connect_sends_its_placements_to_run_alone() -> None:
    # Nothing was sent, so nothing can have been committed: each placement runs alone
    # (and meets the database's absence there), rather than the leader trying forever.
    engine = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(RunAlone):
            PgBatches(engine).run(lambda conn, sink: 1)
    finally:
        engine.dispose()


def test_a_connection_lost_before_the_batch_writes_sends_each_placement_alone(
    container: Container,
) -> None:
    batches = batches_of(container)

    def lost(conn: sa.Connection, sink: list[Any] | None) -> int:
        with container.engine.connect() as other:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        conn.exec_driver_sql("SELECT 1")
        return 1

    def job(i: int) -> int:
        return batches.run(lost if i == 0 else lambda conn, sink: 2)

    with in_one_batch(container, 2, job) as futures:
        pass
    for future in futures:
        with pytest.raises(RunAlone):
            future.result()
    assert batches.run(lambda conn, sink: 3) == 3  # a fresh connection for the next batch


def test_a_placement_alone_in_its_batch_runs_as_without_batches(container: Container) -> None:
    # Its own database error is its own (a placement alone may have committed), and a plan
    # where a line waits locks its rows in place, drawing its ids once.
    batches = PgBatches(container.engine)

    def failing(conn: sa.Connection, sink: list[Any] | None) -> int:
        assert sink is None
        conn.exec_driver_sql("SELECT no_such_column FROM orders")
        return 1

    with pytest.raises(sa.exc.ProgrammingError):
        batches.run(failing)
    uow = container.uow()
    stocked(uow, "TEE", 1)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    assert (placed.number, placed.lines[0].allocated_quantity) == ("SO-000001", 1)


def test_a_kit_and_a_plain_order_in_one_batch_reserve_the_shared_component_once(
    container: Container,
) -> None:
    # The kit takes 2 TEE per unit; the plain order takes TEE too: the batch sums them on
    # the one stock row, and each order keeps its own reservations.
    uow = container.uow()
    stocked(uow, "TEE", 10)
    stocked(uow, "CAP", 10)
    make_kit(uow, "SET", ("TEE", 2), ("CAP", 1))
    batches = batches_of(container)
    before = batches.transactions

    def place(i: int) -> orders.Placed:
        wanted = ("SET", 2) if i == 0 else ("TEE", 3)
        return orders.place_order(container.uow(), SYSTEM, draft(wanted))

    with in_one_batch(container, 2, place) as futures:
        pass
    kit, plain = futures[0].result(), futures[1].result()
    assert batches.transactions - before == 2  # the blocked job's, then theirs, kept
    assert kit.order.lines[0].allocated_quantity == 2
    assert plain.order.lines[0].allocated_quantity == 3
    t = totals(container)
    assert (t["reserved"], t["worst"], t["unbalanced"]) == (4 + 2 + 3, 7 - 10, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []

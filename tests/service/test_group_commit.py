"""SQLite's group commit: placements queued for the write lock share one transaction, each
in a savepoint of its own, and each succeeds or fails alone (adapters/db/group_commit.py)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from oms.adapters.db.engine import write_gate
from oms.adapters.db.group_commit import GroupCommit, group_commit
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import IdempotencyKeyReused
from oms.services import inventory, orders
from tests.builders import draft, stocked
from tests.service.test_concurrency import totals


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: PostgreSQL runs its writers side by side and groups nothing."""
    path = tmp_path / "oms.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@contextmanager
def queued_behind_the_lock(
    container: Container, group: GroupCommit, n: int, job: Callable[[int], Any]
) -> Iterator[list[Future[Any]]]:
    """Hold the write gate while n threads queue `job(i)`; let them in when the block ends
    and wait for them all."""
    with ThreadPoolExecutor(n) as pool:
        with write_gate(container.engine, True):
            futures = [pool.submit(job, i) for i in range(n)]
            deadline = time.monotonic() + 10
            while len(group._waiting) < n:  # every job queued, the leader at the gate
                assert time.monotonic() < deadline, "the jobs never queued"
                time.sleep(0.005)
        yield futures


def test_placements_queued_for_the_lock_commit_together_each_with_its_own_order(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 10)
    group = group_commit(container.engine)
    assert group is not None
    before = (group.transactions, group.jobs)

    def place(i: int) -> orders.Placed:
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1 + i % 2)))

    with queued_behind_the_lock(container, group, 6, place) as futures:
        pass
    placed = [f.result() for f in futures]
    assert (group.transactions - before[0], group.jobs - before[1]) == (1, 6)
    assert len({p.order.id for p in placed}) == len({p.order.number for p in placed}) == 6
    assert all(p.created for p in placed)
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["unbalanced"]) == (9, 9, 0)
    assert sum(p.order.lines[0].allocated_quantity for p in placed) == 9
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_placement_refused_in_a_batch_is_undone_alone(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 10)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 1)), idempotency_key="k-1").order
    group = group_commit(container.engine)
    assert group is not None
    before = group.transactions

    def place(i: int) -> orders.Placed:
        # The third repeats a key with another order: refused at its order row, in the batch.
        key = "k-1" if i == 2 else f"new-{i}"
        return orders.place_order(container.uow(), SYSTEM, draft(("TEE", 2)), idempotency_key=key)

    with queued_behind_the_lock(container, group, 4, place) as futures:
        pass
    with pytest.raises(IdempotencyKeyReused):
        futures[2].result()
    placed = [futures[i].result() for i in (0, 1, 3)]
    assert group.transactions - before == 1
    assert all(p.created and p.order.id != first.id for p in placed)
    t = totals(container)
    assert (t["reserved"], t["allocated"], t["unbalanced"]) == (7, 7, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def _scratch(container: Container, *ddl: str) -> None:
    with container.engine.begin() as conn:
        for statement in ddl:
            conn.execute(sa.text(statement))


def _rows(container: Container, table: str) -> list[int]:
    with container.engine.connect() as conn:
        return sorted(conn.execute(sa.text(f"SELECT x FROM {table}")).scalars())


def test_a_job_that_raises_is_rolled_back_to_its_savepoint_and_the_others_commit(
    container: Container,
) -> None:
    _scratch(container, "CREATE TABLE scratch (x INTEGER)")
    group = GroupCommit(container.engine)

    def job(i: int) -> int:
        def work(conn: sa.Connection) -> int:
            conn.execute(sa.text("INSERT INTO scratch VALUES (:x)"), {"x": i})
            if i == 1:
                raise ValueError("job 1 fails after its insert")
            return i * 10

        return group.run(work)

    with queued_behind_the_lock(container, group, 3, job) as futures:
        pass
    assert futures[0].result() == 0 and futures[2].result() == 20
    with pytest.raises(ValueError, match="job 1"):
        futures[1].result()
    assert (group.transactions, group.jobs) == (1, 3)
    assert _rows(container, "scratch") == [0, 2]


def test_when_the_commit_fails_no_job_of_the_batch_is_acknowledged(container: Container) -> None:
    _scratch(
        container,
        "CREATE TABLE parent (x INTEGER PRIMARY KEY)",
        "CREATE TABLE child (x INTEGER REFERENCES parent (x) DEFERRABLE INITIALLY DEFERRED)",
    )
    group = GroupCommit(container.engine)

    def job(i: int) -> int:
        def work(conn: sa.Connection) -> int:
            # Job 1's row breaks a deferred foreign key: only COMMIT finds out.
            table = "child" if i == 1 else "parent"
            conn.execute(sa.text(f"INSERT INTO {table} VALUES (:x)"), {"x": 100 + i})
            return i

        return group.run(work)

    with queued_behind_the_lock(container, group, 3, job) as futures:
        pass
    for f in futures:
        with pytest.raises(sa.exc.IntegrityError):
            f.result()
    assert _rows(container, "parent") == [] and _rows(container, "child") == []
    # The connection went back clean: the next batch commits.
    assert group.run(lambda conn: conn.execute(sa.text("INSERT INTO parent VALUES (7)")).rowcount)
    assert _rows(container, "parent") == [7]


def test_a_leader_hands_the_lead_on_and_every_queued_job_runs(container: Container) -> None:
    _scratch(container, "CREATE TABLE scratch (x INTEGER)")
    group = GroupCommit(container.engine, limit=2)
    threads = set()

    def job(i: int) -> int:
        def work(conn: sa.Connection) -> int:
            threads.add(threading.get_ident())
            conn.execute(sa.text("INSERT INTO scratch VALUES (:x)"), {"x": i})
            return i

        return group.run(work)

    with queued_behind_the_lock(container, group, 5, job) as futures:
        pass
    assert [f.result() for f in futures] == [0, 1, 2, 3, 4]
    assert (group.transactions, group.jobs) == (3, 5)
    assert _rows(container, "scratch") == [0, 1, 2, 3, 4]
    assert len(threads) >= 2  # a job queued behind a full batch led the next one
    assert group._leading is False and group._waiting == []

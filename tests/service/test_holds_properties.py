"""Whatever carts and orders do, in whatever order, with the clock moving: on every stock
row, available = on hand - reserved - live holds, and it is never below zero; the ledger
still explains every row. On the in-memory unit of work (many runs) and on SQLite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM
from oms.domain.errors import DomainError
from oms.domain.inventory.holds import HoldRequest
from oms.services import holds, inventory, orders
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.memory.uow import MemoryUnitOfWork

Op = tuple[str, int, int]  # what, a quantity or an index, a second number

ops = st.lists(
    st.tuples(
        st.sampled_from(["hold", "place", "place_held", "release", "expire", "count", "sweep"]),
        st.integers(0, 4),
        st.integers(0, 90),
    ),
    max_size=25,
)


def run(uow: UnitOfWork, clock: FakeClock, steps: list[Op]) -> None:
    stocked(uow, "TEE", 4, location="PAR")
    stocked(uow, "TEE", 2, location="BER")
    made: list[int] = []
    for what, n, secs in steps:
        try:
            if what == "hold":
                h = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("TEE", n + 1)], secs + 1))
                made.append(h.id)
            elif what == "place":
                orders.place_order(uow, SYSTEM, draft(("TEE", n + 1)))
            elif what == "place_held" and made:
                orders.place_order(
                    uow, SYSTEM, draft(("TEE", n + 1), hold_id=made[secs % len(made)])
                )
            elif what == "release" and made:
                holds.release_hold(uow, SYSTEM, made[secs % len(made)])
            elif what == "expire":
                clock.advance(seconds=secs)
            elif what == "count":
                inventory.count_stock(
                    uow, SYSTEM, StockChange(("PAR", "BER")[secs % 2], "TEE", "count", on_hand=n)
                )
            elif what == "sweep":
                holds.sweep_expired(uow)
        except DomainError as refused:
            # Only a hold that ended or was taken may refuse an order or a release.
            assert "hold" in str(refused), refused
        check(uow, clock)


def check(uow: UnitOfWork, clock: FakeClock) -> None:
    for row in inventory.list_stock(uow, SYSTEM, sku="TEE"):
        live = sum(
            h.quantity for h in uow.run(lambda r=row: uow.holds.live_at(r.stock_id, clock.now))
        )
        assert row.held == live
        assert row.available == row.on_hand - row.reserved - live >= 0
    assert inventory.verify_stock(uow, SYSTEM) == []


@settings(max_examples=150, deadline=None)
@given(steps=ops)
def test_no_sequence_breaks_available_in_memory(steps: list[Op]) -> None:
    clock = FakeClock()
    run(MemoryUnitOfWork(clock=clock), clock, steps)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_no_sequence_breaks_available_on_sqlite(
    steps: list[Op], sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"p{abs(hash(tuple(steps)))}.db"
    shutil.copy(sqlite_template, path)
    clock = FakeClock()
    container = bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=clock)
    try:
        run(container.uow(), clock, steps)
    finally:
        container.close()
        path.unlink()

"""A pooled connection that died while it sat idle is replaced, not handed out: the pool
pings a connection only after it was idle a while (no round trip per checkout under load),
and a read that meets a dead connection anyway runs again on a fresh one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oms.adapters.db import engine as engine_module
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services import catalogue, orders
from tests.builders import draft, stocked


def _kill_pooled_backends(container: Container) -> int:
    """Leave the pool one connection, and terminate its server side."""
    container.engine.pool.dispose()
    pids = []
    with container.engine.connect() as conn:
        pids.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    admin = sa.create_engine(container.engine.url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        for pid in pids:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    admin.dispose()
    return len(pids)


def _postgresql_only(container: Container) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are files: nothing drops them")


def test_a_connection_killed_while_idle_is_replaced_before_use(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(container)
    uow = container.uow()
    stocked(uow, "TEE", 5, "PAR")
    assert _kill_pooled_backends(container) == 1
    monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", 0.0)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 1)), "after-the-drop")
    assert placed.created and placed.order.lines[0].allocated_quantity == 1


def test_a_busy_pool_is_not_pinged_at_each_checkout(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connections reused at once are not pinged (a ping is a round trip per checkout);
    one that sat idle longer than IDLE_BEFORE_PING is."""
    uow = container.uow()
    stocked(uow, "TEE", 5, "PAR")
    dialect = container.engine.dialect
    pings: list[object] = []
    real = dialect.do_ping

    def ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", ping)
    for _ in range(3):
        catalogue.get_product(uow, SYSTEM, "TEE")
    if dialect.name == "postgresql":
        assert pings == []
        monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", 0.0)
        catalogue.get_product(uow, SYSTEM, "TEE")
        assert len(pings) == 1


def test_a_read_that_meets_a_dead_connection_runs_again(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(container)
    uow = container.uow()
    stocked(uow, "TEE", 5, "PAR")
    # No ping at all: the read itself meets the dead connection, and is run again.
    monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", float("inf"))
    _kill_pooled_backends(container)
    assert catalogue.get_product(uow, SYSTEM, "TEE").sku == "TEE"


def test_the_driver_level_reads_of_placing_run_again_on_a_dead_connection(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token, products and stock reads of every placement run below SQLAlchemy on
    PostgreSQL (driver_sql.fetch_all): a dead connection met there still makes the read
    run again on a fresh one."""
    _postgresql_only(container)
    uow = container.uow()
    stocked(uow, "TEE", 5, "PAR")
    monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", float("inf"))
    for read in (
        lambda: uow.products.by_skus(["TEE"])["TEE"].sku,
        lambda: uow.users.match_token("no-such-token") is None,
        lambda: len(uow.stock.read_options([uow.products.by_skus(["TEE"])["TEE"].id])),
    ):
        _kill_pooled_backends(container)
        assert uow.run(read, write=False) in ("TEE", True, 1)

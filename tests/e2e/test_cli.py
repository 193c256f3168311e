"""The `oms` command line: migrations, stock verification and its exit status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft, stocked

runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "demo", "stock"):
        assert command in result.output


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 2), (4, 4), (64, 4)])
def test_serve_runs_one_process_per_core_by_default_at_most_four(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    from oms.cli import ops

    monkeypatch.setattr(ops.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert ops.default_workers() == workers


def test_db_upgrade_migrates_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    tables = sa.inspect(sa.create_engine(url)).get_table_names()
    assert {"orders", "stock", "stock_ledger", "order_events"} <= set(tables)


def test_stock_verify_exits_1_on_a_difference_and_repair_fixes_it(
    cli_db: str,
    container,
    uow,  # type: ignore[no-untyped-def]
) -> None:
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
    clean = runner.invoke(app, ["stock", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "agrees" in clean.output
    with container.engine.begin() as conn:
        conn.execute(sa.text("UPDATE stock SET on_hand = 7"))
    found = runner.invoke(app, ["stock", "verify"])
    assert found.exit_code == 1
    assert "TEE" in found.output
    repaired = runner.invoke(app, ["stock", "verify", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert runner.invoke(app, ["stock", "verify"]).exit_code == 0


def test_allocate_reports_both_plans_and_applies_the_better(
    cli_db: str,
    container,
    uow,  # type: ignore[no-untyped-def]
) -> None:
    stocked(uow, "MUG", 2)
    stocked(uow, "TEE", 0)
    old = orders.place_order(uow, SYSTEM, draft(("MUG", 2), ("TEE", 1))).order.id
    new = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    dry = runner.invoke(app, ["allocate", "--dry-run", "--time-limit", "5"])
    assert dry.exit_code == 0, dry.output
    assert "2 waiting orders" in dry.output and "greedy" in dry.output
    assert "optimiser" in dry.output and "dry run: nothing changed" in dry.output
    assert orders.get_order(uow, SYSTEM, new).lines[0].allocated_quantity == 0
    done = runner.invoke(app, ["allocate", "--greedy"])
    assert done.exit_code == 0, done.output
    assert "applied the greedy plan" in done.output
    assert orders.get_order(uow, SYSTEM, new).lines[0].allocated_quantity == 1
    assert orders.get_order(uow, SYSTEM, old).lines[0].allocated_quantity == 1


def test_orders_complete_due_completes_orders_past_their_window_once(
    cli_db: str,
    uow,  # type: ignore[no-untyped-def]
    clock,  # type: ignore[no-untyped-def]
) -> None:
    from tests.service.test_completion import delivered_order

    order_id = delivered_order(uow, clock)  # delivered in March 2026, by the test's clock
    number = orders.get_order(uow, SYSTEM, order_id).number
    result = runner.invoke(app, ["orders", "complete-due"])  # the real clock: long past
    assert result.exit_code == 0, result.output
    assert "completed 1 delivered order(s)" in result.output and number in result.output
    assert orders.get_order(uow, SYSTEM, order_id).status.value == "completed"
    again = runner.invoke(app, ["orders", "complete-due"])
    assert "completed 0 delivered order(s)" in again.output

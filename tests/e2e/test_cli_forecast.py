"""`oms forecast backtest` on a small history: six weeks of two TEEs every working day."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft, stocked
from tests.conftest import FakeClock

runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def test_backtest_prints_the_groups_and_the_origins(
    cli_db: str,
    container,
    uow,  # type: ignore[no-untyped-def]
    clock: FakeClock,
) -> None:
    stocked(uow, "TEE", 1000)
    for _day in range(40):  # from Monday 2026-03-02 to Friday 2026-04-10
        if clock.now.weekday() < 5:
            orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
        clock.advance(days=1)
    result = runner.invoke(
        app,
        ["forecast", "backtest", "--from", "2026-03-02", "--to", "2026-04-10",
         "--origins", "2", "--model", "moving_mean", "--top", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "origins: 2026-03-16, 2026-03-23" in result.output
    # Two a day, every open day: the moving mean is exact.
    top = next(line for line in result.output.splitlines() if "top 1" in line)
    assert "0.0%" in top


def test_backtest_refuses_dask_without_a_scheduler(cli_db: str) -> None:
    result = runner.invoke(app, ["forecast", "backtest", "--engine", "dask"])
    assert result.exit_code == 2
    assert "--scheduler" in result.output

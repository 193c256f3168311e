"""`oms report stock-out | overstock | dead-stock | stock-value`: the figures, --csv, and a
refused parameter ending with code 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.domain.planning.purchase_orders import Supplier
from oms.services import purchasing
from oms.services.purchasing import Terms
from tests.service.shop import count, open_shop

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def report(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_the_stock_reports_print_their_figures_and_write_csv(
    cli: None, container: Container, tmp_path: Path
) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", 250))
    count(uow, "PAR", "TEE", 4)
    count(uow, "LYO", "MUG", 10)
    value = report("stock-value", "--csv", str(tmp_path / "v.csv"))
    assert "1,000 EUR" in value and "no cost price" in value  # 4 x 250
    assert "PAR,EUR,1,4,1000" in (tmp_path / "v.csv").read_text()
    dead = report("dead-stock", "--idle", "30")
    assert "TEE" in dead and "MUG" in dead and "1 rows without a cost price" in dead
    over = report("overstock", "--threshold", "10")
    assert "no demand" in over
    out = report("stock-out")
    assert "0 rows with demand; 2 stock rows nobody asked for" in out
    refused = report("stock-out", "--days", "0", code=1)
    assert "days" in refused

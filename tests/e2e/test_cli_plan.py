"""`oms plan`: refreshes the levels with the real forecaster, prints the suggestions per
supplier and location, and makes drafts of them with --create-drafts (once: the drafts
count as ordered on the next run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.domain.planning.purchase_orders import Supplier
from oms.services import orders, purchasing
from oms.services.ports.planning import PurchaseOrderQuery
from oms.services.purchasing import Terms
from tests.builders import draft
from tests.service.shop import open_shop

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    monkeypatch.setenv("OMS_PLANNING_ERROR_ORIGINS", "1")
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def oms(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["plan", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_plan_prints_the_suggestions_and_makes_drafts_of_them(
    cli: None, container: Container
) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", 250, 6))
    assert "no reorder levels yet" in oms("--no-refresh")
    for _ in range(3):  # nothing in stock: 12 units wait, a third at each shipping location
        orders.place_order(uow, SYSTEM, draft(("TEE", 4)))

    out = oms()

    assert "reorder levels: 1 products, 3 product-locations" in out
    for location in ("BER", "LYO", "PAR"):
        assert f"ACME (Acme) to {location}" in out
    made = oms("--no-refresh", "--create-drafts")
    assert "draft purchase orders made: " in made
    drafts = purchasing.list_purchase_orders(uow, store, SYSTEM, PurchaseOrderQuery("draft"))
    assert sorted(v.location for v in drafts) == ["BER", "LYO", "PAR"]
    assert all(line.quantity % 6 == 0 for v in drafts for line in v.order.lines)
    again = oms("--no-refresh", "--create-drafts")
    assert "nothing to order now" in again and "made: none" in again

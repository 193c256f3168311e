"""`oms purchase-orders`: list, show, send, receive (a waiting order filled), close; a
forbidden move ends with code 1 and says why."""

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
from oms.services.purchasing import NewPurchaseOrder
from tests.builders import draft
from tests.service.shop import open_shop

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def oms(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["purchase-orders", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_a_purchase_order_is_sent_received_and_closed_from_the_command_line(
    cli: None, container: Container
) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14))
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 6, 250)])
    )
    (line,) = po.lines
    assert "draft" in oms("list", "--supplier", "ACME")
    assert "expected 2026-04-01" in oms("send", str(po.id), "--expected", "2026-04-01")
    out = oms("receive", str(po.id), f"{line.id}=4")
    assert "partially_received" in out
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].backordered_quantity == 0
    refused = oms("receive", str(po.id), f"{line.id}=9", code=1)
    assert f"lines.{line.id}" in refused
    assert "write LINE_ID=UNITS" in oms("receive", str(po.id), "four", code=2)
    assert "closed" in oms("close", str(po.id))
    assert "cancel" in oms("cancel", str(po.id), code=1)  # closed: nothing to cancel
    listed = oms("list", "--status", "closed")
    assert str(po.id) in listed and "ACME" in listed
    assert oms("list", "--status", "draft").count("ACME") == 0

"""`stock.changed`: one outbox event per SKU per transaction that changed what is available
at shipping locations, with the new figure; none while nobody subscribes (SQLite and
PostgreSQL; the events are written by the SQL unit of work)."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.tables import outbox
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.inventory.holds import HoldRequest
from oms.services import holds, inventory, orders, webhooks
from oms.services.inventory import StockChange
from tests.builders import draft, stocked


def told(container: Container) -> list[dict[str, object]]:
    with container.engine.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.data).where(outbox.c.topic == "stock.changed").order_by(outbox.c.id)
        )
        return [dict(r[0]) for r in rows]


def anywhere(url: str) -> None:
    """Every URL is fine here."""


def test_nothing_is_told_while_nobody_subscribes(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    assert told(container) == []


def test_one_event_per_sku_per_transaction_with_the_new_available(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5, location="PAR")
    stocked(uow, "TEE", 2, location="BER")
    stocked(uow, "MUG", 3, location="PAR")
    hook = webhooks.create_webhook(
        uow, SYSTEM, "https://hooks.test/in", ["stock.changed"], None, anywhere
    )
    # TEE reserved on two rows (6 of 5 + 2) and MUG on one: one event each, not three.
    orders.place_order(uow, SYSTEM, draft(("TEE", 6), ("MUG", 1)))
    assert told(container) == [{"sku": "MUG", "available": 2}, {"sku": "TEE", "available": 1}]
    holds.create_hold(uow, SYSTEM, HoldRequest("web", [("TEE", 1)]))
    inventory.adjust_stock(uow, SYSTEM, StockChange("BER", "TEE", "found", delta=3))
    assert told(container)[2:] == [{"sku": "TEE", "available": 0}, {"sku": "TEE", "available": 3}]
    webhooks.delete_webhook(uow, SYSTEM, hook.id)  # and this process forgets the subscriber
    inventory.adjust_stock(uow, SYSTEM, StockChange("BER", "TEE", "found", delta=1))
    assert len(told(container)) == 4

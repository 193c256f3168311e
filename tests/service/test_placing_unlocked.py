"""Placing one order plans from an unlocked read of the stock rows and runs the
conditional updates last (services/orders.py `_planned`, adapters/db/deferred.py): a plan
made on figures that moved meanwhile is refused by those updates and made again on locked
rows; a plan where a line would wait is made on locked rows from the start."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from oms.adapters.db.stock import SqlStock
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import InvalidInput
from oms.services import inventory, orders, placement_plan
from tests.builders import draft, stocked


def _stock_of(uow: Any, sku: str) -> tuple[int, int]:
    row = uow.run(lambda: uow.stock.find("PAR", sku), write=False)
    return row.on_hand, row.reserved


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real_read, real_lock = SqlStock.read_options, SqlStock.lock_options
    monkeypatch.setattr(
        SqlStock, "read_options", lambda s, p: calls.append("read") or real_read(s, p)
    )
    monkeypatch.setattr(
        SqlStock, "lock_options", lambda s, p: calls.append("lock") or real_lock(s, p)
    )
    return calls


def test_a_plan_on_stale_figures_is_refused_and_made_again_on_locked_rows(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 1)
    calls: list[str] = []
    real_read, real_lock = SqlStock.read_options, SqlStock.lock_options

    def stale(self: SqlStock, product_ids: Any) -> Any:
        calls.append("read")  # as if read before another order took the unit
        return [replace(o, available=o.available + 5) for o in real_read(self, product_ids)]

    def locked(self: SqlStock, product_ids: Any) -> Any:
        calls.append("lock")
        return real_lock(self, product_ids)

    monkeypatch.setattr(SqlStock, "read_options", stale)
    monkeypatch.setattr(SqlStock, "lock_options", locked)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 3)), "stale-plan")
    # The stale plan reserved 3 of 1: refused at the end, the whole placement ran again,
    # locking first, and the order waits for what is missing.
    assert calls == ["read", "lock"]
    (line,) = placed.order.lines
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 2)
    assert _stock_of(uow, "TEE") == (1, 1)
    assert inventory.verify_stock(uow, SYSTEM) == []  # the ledger explains every row
    # Nothing of the refused attempt remains: one order, its ledger row, its reservation.
    again = orders.place_order(uow, SYSTEM, draft(("TEE", 3)), "stale-plan")
    assert not again.created and again.order.id == placed.order.id


def test_a_line_that_would_wait_is_planned_on_locked_rows(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 1)
    stocked(uow, "CAP", 5)
    calls = _counting(monkeypatch)
    orders.place_order(uow, SYSTEM, draft(("CAP", 1)), "enough")
    assert calls == ["read"]
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 2), ("CAP", 1)), "short")
    assert calls == ["read", "read", "lock"]
    assert [ln.backordered_quantity for ln in placed.order.lines] == [1, 0]
    assert _stock_of(uow, "TEE") == (1, 1) and _stock_of(uow, "CAP") == (5, 2)
    assert inventory.verify_stock(uow, SYSTEM) == []


# -- planned before the placement's transaction (placement_plan.prepare, in the token check) --


def _prepared(uow: Any, d: Any) -> placement_plan.Prepared:
    return uow.run(lambda: placement_plan.prepare(uow, d), write=False)


def test_a_prepared_plan_serves_the_placement_each_line_on_its_own_id(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 4)
    stocked(uow, "CAP", 4)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)), "first")  # line ids do not start at 1
    calls = _counting(monkeypatch)
    d = draft(("CAP", 3), ("TEE", 2))
    prepared = _prepared(uow, d)
    assert prepared.plan is not None and calls == ["read"]
    placed = orders.place_order(uow, SYSTEM, d, "prepared", prepared=prepared)
    assert calls == ["read"]  # the placement read no stock rows of its own
    cap, tee = placed.order.lines
    assert (cap.sku, cap.allocated_quantity, tee.sku, tee.allocated_quantity) == (
        "CAP", 3, "TEE", 2
    )  # fmt: skip
    assert _stock_of(uow, "CAP") == (4, 3) and _stock_of(uow, "TEE") == (4, 3)
    reserved = uow.run(lambda: uow.stock.reservations_of(placed.order.id), write=False)
    assert sorted((r.order_line_id, r.quantity) for r in reserved) == sorted(
        [(cap.id, 3), (tee.id, 2)]
    )
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_prepared_plan_the_stock_moved_under_is_made_again_on_locked_rows(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 3)
    d = draft(("TEE", 3))
    prepared = _prepared(uow, d)
    assert prepared.plan is not None
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)), "meanwhile")  # takes 2 of the 3
    calls = _counting(monkeypatch)
    placed = orders.place_order(uow, SYSTEM, d, "stale", prepared=prepared)
    # Refused by the conditional update at the end, made again locking first: 1 now, 2 wait.
    assert calls == ["lock"]
    (line,) = placed.order.lines
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 2)
    assert _stock_of(uow, "TEE") == (3, 3)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_plan_with_a_waiting_line_is_not_prepared(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 1)
    d = draft(("TEE", 2))
    prepared = _prepared(uow, d)
    assert prepared.plan is None and prepared.priced is not None
    calls = _counting(monkeypatch)
    placed = orders.place_order(uow, SYSTEM, d, "short", prepared=prepared)
    assert calls == ["read", "lock"]  # planned in the placement, the waiting line locked
    assert [ln.backordered_quantity for ln in placed.order.lines] == [1]


def test_a_draft_the_placement_refuses_is_refused_alike_when_prepared(
    container: Container,
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 1)
    d = draft(("TEE", 1), ("NOPE", 1))
    prepared = _prepared(uow, d)
    assert prepared.plan is None and prepared.priced is None
    with pytest.raises(InvalidInput) as plain:
        orders.place_order(uow, SYSTEM, d, "bad")
    with pytest.raises(InvalidInput) as ahead:
        orders.place_order(uow, SYSTEM, d, "bad", prepared=prepared)
    assert ahead.value.errors == plain.value.errors
    assert _stock_of(uow, "TEE") == (1, 0)

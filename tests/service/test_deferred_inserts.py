"""Rows held back until the end of a block (UnitOfWork.deferred_inserts, the CSV import's
batches), on SQLite (written at once) and PostgreSQL (held back): what the block reads it
sees, a savepoint undone inside it drops its own rows only, and the end writes the rest."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM
from oms.services import inventory, orders
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked


def reserved(uow: UnitOfWork, sku: str) -> int:
    (row,) = inventory.list_stock(uow, SYSTEM, sku=sku)
    return row.reserved


def test_a_read_inside_the_block_sees_the_rows_held_back(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)

    def work() -> tuple[int, int]:
        with uow.deferred_inserts():
            placed = orders.place_order(uow, SYSTEM, draft(("MUG", 2))).order
            again = uow.orders.get(placed.id)  # reads orders: the held rows are written first
            assert again is not None and again.lines[0].allocated_quantity == 2
            held = uow.stock.reservations_of(placed.id)
            return placed.id, sum(r.quantity for r in held)

    order_id, held = uow.run(work)
    assert held == 2
    assert reserved(uow, "MUG") == 2
    assert [e.type for e in orders.order_events(uow, SYSTEM, order_id)] == ["order.placed"]
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_savepoint_undone_inside_the_block_drops_only_its_own_rows(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)

    def work() -> int:
        with uow.deferred_inserts():
            kept = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order
            with pytest.raises(RuntimeError), uow.savepoint():
                orders.place_order(uow, SYSTEM, draft(("MUG", 3)))
                raise RuntimeError("undo this one")
            orders.place_order(uow, SYSTEM, draft(("MUG", 1)))
            return kept.id

    uow.run(work)
    placed = orders.list_orders(uow, SYSTEM, orders.OrderFilter())
    assert sorted(ln.quantity for o in placed for ln in o.lines) == [1, 1]
    assert reserved(uow, "MUG") == 2
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_block_that_raises_writes_nothing(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)

    def work() -> None:
        with uow.deferred_inserts():
            orders.place_order(uow, SYSTEM, draft(("MUG", 1)))
            raise RuntimeError("the batch fails")

    with pytest.raises(RuntimeError):
        uow.run(work)
    assert orders.list_orders(uow, SYSTEM, orders.OrderFilter()) == []
    assert reserved(uow, "MUG") == 0

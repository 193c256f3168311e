"""The unit of work's contract: one transaction per run, rolled back whole on an error,
retried whole on ConcurrentUpdate, joined when nested; reads hand out copies."""

from __future__ import annotations

import pytest

from oms.domain.errors import ConcurrentUpdate
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderAlreadyPlaced, OrderFilter
from tests.builders import new_product
from tests.contract.seed import order, product, stock_row
from tests.memory.fixtures import Backend


class Boom(Exception):
    pass


def test_an_error_rolls_back_everything_the_work_did(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)

    def work() -> None:
        each_uow.stock.reserve([(row.stock_id, 2)])
        each_uow.products.add(new_product("MUG"), each_uow.now())
        raise Boom

    with pytest.raises(Boom):
        each_uow.run(work)
    assert each_uow.run(lambda: each_uow.products.get("MUG")) is None
    assert each_uow.run(lambda: each_uow.stock.find("PAR", "TEE")) == row


def test_a_refused_repeat_leaves_no_trace(each_uow: UnitOfWork) -> None:
    product(each_uow, "TEE")
    first = order(each_uow, ("TEE", 1), key="k-1")
    with pytest.raises(OrderAlreadyPlaced):
        order(each_uow, ("TEE", 1), key="k-1")
    later = order(each_uow, ("TEE", 1))
    stored = each_uow.run(lambda: each_uow.orders.search(OrderFilter()))
    assert [o.id for o in stored] == [later.id, first.id]
    # Numbers are unique, not gap-free: PostgreSQL's sequences do not roll back.
    assert later.number in {"SO-000002", "SO-000003"}


def test_a_concurrent_update_is_retried_with_a_clean_slate(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    attempts: list[int] = []

    def work() -> int:
        attempts.append(1)
        assert each_uow.stock.reserve([(row.stock_id, 2)])
        if len(attempts) < 3:
            raise ConcurrentUpdate("try again")
        found = each_uow.stock.find("PAR", "TEE")
        assert found is not None
        return found.reserved

    assert each_uow.run(work) == 2  # not 6: the first two attempts were rolled back
    assert len(attempts) == 3


def test_a_conflict_that_never_clears_gives_up(each_uow: UnitOfWork) -> None:
    attempts: list[int] = []

    def work() -> None:
        attempts.append(1)
        raise ConcurrentUpdate("always")

    with pytest.raises(ConcurrentUpdate):
        each_uow.run(work)
    assert len(attempts) == 8


def test_a_nested_run_joins_the_open_transaction(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)

    def work() -> None:
        each_uow.run(lambda: each_uow.stock.reserve([(row.stock_id, 1)]))
        raise Boom

    with pytest.raises(Boom):
        each_uow.run(work)
    assert each_uow.run(lambda: each_uow.stock.find("PAR", "TEE")) == row


def test_repositories_work_only_inside_run(each_uow: UnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="outside UnitOfWork"):
        each_uow.products.get("TEE")


def test_what_is_read_is_a_copy_not_the_stored_object(backend: Backend) -> None:
    uow = backend.uow
    product(uow, "TEE")
    placed = order(uow, ("TEE", 2))
    loaded = uow.run(lambda: uow.orders.get(placed.id))
    assert loaded is not None
    loaded.lines[0].allocated_quantity = 2
    loaded.lines[0].backordered_quantity = 0
    loaded.version = 99
    placed.lines[0].cancelled_quantity = 2
    other = backend.another()
    again = other.run(lambda: other.orders.get(placed.id))
    assert again is not None and again.version == 1
    assert (again.lines[0].allocated_quantity, again.lines[0].cancelled_quantity) == (0, 0)


def test_another_unit_of_work_sees_what_was_committed(backend: Backend) -> None:
    product(backend.uow, "TEE")
    other = backend.another()
    assert other.run(lambda: other.products.get("TEE")) is not None

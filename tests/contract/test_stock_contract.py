"""The stock repository's contract: conditional updates refuse exactly when they must,
reservations and the ledger keep their order, reads filter and page alike everywhere."""

from __future__ import annotations

import pytest

from oms.domain.inventory.model import LedgerEntry, LedgerKind
from oms.services.ports import UnitOfWork
from oms.services.ports.stock import NewReservation
from tests.contract.seed import location, order, product, stock_row
from tests.memory.fixtures import Backend


def levels(uow: UnitOfWork, stock_id: int) -> tuple[int, int]:
    (row,) = [
        r
        for r in uow.run(lambda: uow.stock.search(None, None, None, 100))
        if r.stock_id == stock_id
    ]
    return row.on_hand, row.reserved


def test_lock_row_creates_an_empty_row_once(each_uow: UnitOfWork) -> None:
    loc, item = location(each_uow, "PAR"), product(each_uow, "TEE")
    now = each_uow.now()
    first = each_uow.run(lambda: each_uow.stock.lock_row(loc.id, item.id, now))
    again = each_uow.run(lambda: each_uow.stock.lock_row(loc.id, item.id, now))
    assert first == again
    assert (first.location, first.sku, first.on_hand, first.reserved) == ("PAR", "TEE", 0, 0)
    assert first.bin == loc.default_bin  # no bin of its own: the location's default


def test_lock_methods_accept_any_ids_and_change_nothing(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    each_uow.run(lambda: each_uow.stock.lock_rows([row.stock_id, 999]))
    each_uow.run(lambda: each_uow.stock.lock_rows([]))
    assert each_uow.run(lambda: each_uow.stock.lock_options([])) == []
    assert levels(each_uow, row.stock_id) == (5, 0)


def test_reserve_takes_only_what_is_available(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    stock = each_uow.stock
    assert each_uow.run(lambda: stock.reserve([(row.stock_id, 3)]))
    assert each_uow.run(lambda: stock.reserve([(row.stock_id, 2)]))
    assert levels(each_uow, row.stock_id) == (5, 5)
    assert not each_uow.run(lambda: stock.reserve([(row.stock_id, 1)]))
    assert not each_uow.run(lambda: stock.reserve([(999, 1)]))
    assert each_uow.run(lambda: stock.reserve([]))
    assert levels(each_uow, row.stock_id) == (5, 5)


def test_reserve_checks_each_request_against_what_the_ones_before_left(
    each_uow: UnitOfWork,
) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    assert not each_uow.run(lambda: each_uow.stock.reserve([(row.stock_id, 3)] * 2))


def test_release_never_takes_reserved_below_zero(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    stock = each_uow.stock
    each_uow.run(lambda: stock.reserve([(row.stock_id, 2)]))
    assert not each_uow.run(lambda: stock.release(row.stock_id, 3))
    assert each_uow.run(lambda: stock.release(row.stock_id, 2))
    assert not each_uow.run(lambda: stock.release(999, 1))
    assert levels(each_uow, row.stock_id) == (5, 0)


def test_on_hand_never_falls_below_reserved(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    stock, sid = each_uow.stock, row.stock_id
    each_uow.run(lambda: stock.reserve([(sid, 3)]))
    assert not each_uow.run(lambda: stock.change_on_hand(sid, -3))
    assert each_uow.run(lambda: stock.change_on_hand(sid, -2))
    assert not each_uow.run(lambda: stock.set_on_hand(sid, 2))
    assert each_uow.run(lambda: stock.set_on_hand(sid, 3))
    assert each_uow.run(lambda: stock.change_on_hand(sid, 4))
    assert not each_uow.run(lambda: stock.change_on_hand(999, 1))
    assert not each_uow.run(lambda: stock.set_on_hand(999, 1))
    assert levels(each_uow, sid) == (7, 3)


def test_consume_takes_on_hand_and_reserved_together(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    stock, sid = each_uow.stock, row.stock_id
    each_uow.run(lambda: stock.reserve([(sid, 2)]))
    assert not each_uow.run(lambda: stock.consume(sid, 3))
    assert each_uow.run(lambda: stock.consume(sid, 2))
    assert not each_uow.run(lambda: stock.consume(999, 1))
    assert levels(each_uow, sid) == (3, 0)


def test_levels_that_break_the_constraints_are_refused(backend: Backend) -> None:
    uow = backend.uow
    row = stock_row(uow, "PAR", "TEE", 5)
    with pytest.raises(backend.refusals):
        uow.run(lambda: uow.stock.set_levels(row.stock_id, 1, 2))
    with pytest.raises(backend.refusals):
        uow.run(lambda: uow.stock.set_levels(row.stock_id, 1, -1))
    uow.run(lambda: uow.stock.set_levels(row.stock_id, 4, 4))
    assert levels(uow, row.stock_id) == (4, 4)


def test_options_are_the_shipping_rows_of_the_products_in_id_order(each_uow: UnitOfWork) -> None:
    location(each_uow, "SHOP", ships=False, priority=7)
    par = stock_row(each_uow, "PAR", "TEE", 5)
    shop = stock_row(each_uow, "SHOP", "TEE", 9)
    mug = stock_row(each_uow, "PAR", "MUG", 1)
    each_uow.run(lambda: each_uow.stock.reserve([(par.stock_id, 2)]))
    ids = [par.product_id, mug.product_id]
    options = each_uow.run(lambda: each_uow.stock.lock_options(ids))
    assert [(o.stock_id, o.available, o.location_code, o.country) for o in options] == [
        (par.stock_id, 3, "PAR", "FR"),
        (mug.stock_id, 1, "PAR", "FR"),
    ]
    assert shop.stock_id not in {o.stock_id for o in options}


def test_reservations_shrink_then_disappear(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)
    placed = order(each_uow, ("TEE", 3))
    line_id = placed.lines[0].id
    stock = each_uow.stock
    now = each_uow.now()
    each_uow.run(
        lambda: stock.add_reservations(
            [
                NewReservation(placed.id, line_id, row.stock_id, 2),
                NewReservation(placed.id, line_id, row.stock_id, 1),
            ],
            now,
        )
    )
    first, second = each_uow.run(lambda: stock.reservations_of(placed.id))
    assert (first.quantity, second.quantity, first.location_id) == (2, 1, row.location_id)
    assert first.id < second.id and first.created_at == now
    each_uow.run(lambda: stock.reduce_reservation(first.id, 1))
    each_uow.run(lambda: stock.reduce_reservation(second.id, 5))  # more than held: no change
    each_uow.run(lambda: stock.reduce_reservation(999, 1))
    held = each_uow.run(lambda: stock.reservations_at(row.stock_id))
    assert [r.quantity for r in held] == [1, 1]
    each_uow.run(lambda: stock.reduce_reservation(second.id, 1))
    assert [r.id for r in each_uow.run(lambda: stock.reservations_of(placed.id))] == [first.id]
    assert each_uow.run(lambda: stock.reservations_of(999)) == []


def test_the_ledger_pages_in_order(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 0)
    other = stock_row(each_uow, "PAR", "MUG", 0)
    now = each_uow.now()
    entries = [
        LedgerEntry(row.stock_id, LedgerKind.RECEIPT, i, 0, "tester", now, f"r{i}", None, None)
        for i in range(1, 6)
    ]
    each_uow.run(lambda: each_uow.stock.append_ledger(entries[:2]))
    each_uow.run(
        lambda: each_uow.stock.append_ledger(
            [LedgerEntry(other.stock_id, LedgerKind.COUNT, 1, 0, "tester", now)]
        )
    )
    each_uow.run(lambda: each_uow.stock.append_ledger(entries[2:]))
    each_uow.run(lambda: each_uow.stock.append_ledger([]))
    first = each_uow.run(lambda: each_uow.stock.ledger(row.stock_id, None, 3))
    assert [e.entry for e in first] == entries[:3]
    rest = each_uow.run(lambda: each_uow.stock.ledger(row.stock_id, first[-1].id, 3))
    assert [e.entry for e in rest] == entries[3:]
    assert each_uow.run(lambda: each_uow.stock.ledger(999, None, 10)) == []


def test_search_filters_and_pages_by_id(each_uow: UnitOfWork) -> None:
    rows = [
        stock_row(each_uow, loc, sku, 1) for loc in ("PAR", "LYO") for sku in ("TEE", "MUG", "CAP")
    ]
    search = each_uow.stock.search
    everything = each_uow.run(lambda: search(None, None, None, 100))
    assert [r.stock_id for r in everything] == sorted(r.stock_id for r in rows)
    page = each_uow.run(lambda: search(None, None, everything[1].stock_id, 2))
    assert page == everything[2:4]
    tees = each_uow.run(lambda: search("TEE", None, None, 100))
    assert [(r.location, r.sku) for r in tees] == [("PAR", "TEE"), ("LYO", "TEE")]
    assert [r.sku for r in each_uow.run(lambda: search(None, "LYO", None, 100))] == [
        "TEE",
        "MUG",
        "CAP",
    ]
    assert each_uow.run(lambda: search("NOPE", None, None, 100)) == []
    found = each_uow.run(lambda: each_uow.stock.find("LYO", "MUG"))
    assert found == rows[4]
    assert each_uow.run(lambda: each_uow.stock.find("LYO", "NOPE")) is None
    assert each_uow.run(lambda: each_uow.stock.row_of(999, rows[0].product_id)) is None


def test_bins_are_per_row_with_none_for_the_default(each_uow: UnitOfWork) -> None:
    tee = stock_row(each_uow, "PAR", "TEE", 1)
    mug = stock_row(each_uow, "PAR", "MUG", 1)
    each_uow.run(lambda: each_uow.stock.set_bin(tee.stock_id, "B-10"))
    ids = [tee.product_id, mug.product_id, 999]
    bins = each_uow.run(lambda: each_uow.stock.bins(tee.location_id, ids))
    assert bins == {tee.product_id: "B-10", mug.product_id: None, 999: None}
    assert each_uow.run(lambda: each_uow.stock.bins(tee.location_id, ids))[tee.product_id] == "B-10"
    each_uow.run(lambda: each_uow.stock.set_bin(tee.stock_id, None))
    assert each_uow.run(lambda: each_uow.stock.row_of(tee.location_id, tee.product_id)) == tee


def test_discrepancies_compare_rows_with_ledger_and_reservations(each_uow: UnitOfWork) -> None:
    row = stock_row(each_uow, "PAR", "TEE", 5)  # on hand 5 with no ledger row: a difference
    clean = stock_row(each_uow, "PAR", "MUG", 0)
    now = each_uow.now()
    found = each_uow.run(lambda: each_uow.stock.discrepancies())
    assert [(d.stock_id, d.on_hand, d.ledger_on_hand, d.open_reservations) for d in found] == [
        (row.stock_id, 5, 0, 0)
    ]
    each_uow.run(
        lambda: each_uow.stock.append_ledger(
            [LedgerEntry(row.stock_id, LedgerKind.COUNT, 5, 0, "tester", now)]
        )
    )
    assert each_uow.run(lambda: each_uow.stock.discrepancies()) == []
    assert clean.stock_id

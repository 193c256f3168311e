"""Purchase orders under racing threads (PostgreSQL row locks, SQLite's one writer): the
same goods received twice at once, and a cancel racing a receipt, never take more than
was ordered nor write a receipt for an order that was cancelled."""

from __future__ import annotations

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import DomainError
from oms.domain.planning.purchase_orders import PurchaseOrderStatus as S
from oms.domain.planning.purchase_orders import Supplier
from oms.services import inventory, orders, purchasing
from oms.services.purchasing import NewPurchaseOrder
from tests.builders import draft
from tests.service.shop import open_shop
from tests.service.test_concurrency import race


def _try(work: object) -> object:
    try:
        return work()  # type: ignore[operator]
    except DomainError as error:
        return error


def _receipts(container: Container) -> int:
    ledger = inventory.stock_ledger(container.uow(), SYSTEM, "PAR", "TEE")
    return sum(e.entry.on_hand_delta for e in ledger if e.entry.kind.value == "receipt")


@pytest.mark.slow
def test_the_same_delivery_received_at_once_by_many_is_taken_once(container: Container) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 5))).order
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 10, 100)])
    )
    purchasing.send(uow, store, SYSTEM, po.id)
    (line,) = po.lines

    def work(_: int) -> object:
        u = container.uow()
        return _try(lambda: purchasing.receive(u, container.purchase_orders(u), SYSTEM, po.id,
                                               {line.id: 4}))  # fmt: skip

    results = race(6, work)
    done = [r for r in results if not isinstance(r, DomainError)]
    assert len(done) == 2  # 4 + 4 of 10; a third would exceed what is outstanding
    after = purchasing.get_purchase_order(uow, store, SYSTEM, po.id).order
    assert after.lines[0].received_quantity == 8 and after.status is S.PARTIALLY_RECEIVED
    assert _receipts(container) == 8
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].backordered_quantity == 0


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(3))
def test_a_cancel_racing_a_receipt_lets_exactly_one_win(container: Container, round_: int) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 10, 100)])
    )
    purchasing.send(uow, store, SYSTEM, po.id)
    (line,) = po.lines

    def work(i: int) -> object:
        u = container.uow()
        s = container.purchase_orders(u)
        if i % 2:
            return _try(lambda: purchasing.cancel(u, s, SYSTEM, po.id))
        return _try(lambda: purchasing.receive(u, s, SYSTEM, po.id, {line.id: 10}))

    results = race(4, work)
    assert len([r for r in results if not isinstance(r, DomainError)]) == 1
    after = purchasing.get_purchase_order(uow, store, SYSTEM, po.id).order
    if after.status is S.CANCELLED:
        assert _receipts(container) == 0 and after.lines[0].received_quantity == 0
    else:
        assert after.status is S.RECEIVED and _receipts(container) == 10

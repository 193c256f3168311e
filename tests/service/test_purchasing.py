"""Suppliers and purchase orders through the services, on SQLite and PostgreSQL: receiving
writes receipt rows and fills waiting orders in the same call; forbidden moves are 409s."""

from __future__ import annotations

from datetime import date

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from oms.domain.planning.purchase_orders import PurchaseOrderStatus as S
from oms.domain.planning.purchase_orders import Supplier
from oms.services import inventory, orders, purchasing
from oms.services.purchasing import NewPurchaseOrder, Terms
from tests.builders import draft
from tests.service.shop import levels, open_shop


def _setup(container: Container):  # type: ignore[no-untyped-def]
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14, 10))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", 250, 6))
    return uow, store


def test_receiving_writes_receipts_and_fills_waiting_orders_in_the_same_call(
    container: Container,
) -> None:
    uow, store = _setup(container)
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 4)))  # nothing in stock
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 12, 250), ("MUG", 6, 400)])
    )
    assert po.status is S.DRAFT
    assert purchasing.on_order(uow, store, SYSTEM, ["TEE"]) == {}
    sent = purchasing.send(uow, store, SYSTEM, po.id)
    assert sent.expected_on == date(2026, 3, 16)  # the clock's day + 14 days
    assert purchasing.on_order(uow, store, SYSTEM, ["TEE", "MUG"]) == {
        ("PAR", "TEE"): (12, date(2026, 3, 16)),
        ("PAR", "MUG"): (6, date(2026, 3, 16)),
    }

    tee = next(line for line in po.lines if line.sku == "TEE")
    got = purchasing.receive(uow, store, SYSTEM, po.id, {tee.id: 5})

    assert got.status is S.PARTIALLY_RECEIVED
    assert levels(uow, "PAR", "TEE") == (5, 4)  # 5 arrived, 4 went to the waiting order
    order = orders.get_order(uow, SYSTEM, waiting.order.id)
    assert order.lines[0].backordered_quantity == 0
    ledger = inventory.stock_ledger(uow, SYSTEM, "PAR", "TEE")
    kinds = [(e.entry.kind.value, e.entry.on_hand_delta) for e in ledger]
    assert ("receipt", 5) in kinds
    assert purchasing.on_order(uow, store, SYSTEM, ["TEE"]) == {
        ("PAR", "TEE"): (7, date(2026, 3, 16))
    }
    purchasing.close(uow, store, SYSTEM, po.id)
    assert purchasing.on_order(uow, store, SYSTEM, ["TEE", "MUG"]) == {}


def test_forbidden_moves_and_bad_receipts_are_refused_and_change_nothing(
    container: Container,
) -> None:
    uow, store = _setup(container)
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 6, 250)])
    )
    (line,) = po.lines
    with pytest.raises(TransitionNotAllowed):
        purchasing.receive(uow, store, SYSTEM, po.id, {line.id: 1})
    purchasing.send(uow, store, SYSTEM, po.id, date(2026, 3, 20))
    with pytest.raises(InvalidInput):
        purchasing.receive(uow, store, SYSTEM, po.id, {line.id: 7})
    assert inventory.list_stock(uow, SYSTEM, sku="TEE", location="PAR") == []  # no row made
    purchasing.receive(uow, store, SYSTEM, po.id, {line.id: 6})
    with pytest.raises(TransitionNotAllowed):
        purchasing.cancel(uow, store, SYSTEM, po.id)
    with pytest.raises(NotFound):
        purchasing.send(uow, store, SYSTEM, 999_999)


def test_bad_input_and_permissions(container: Container) -> None:
    uow, store = _setup(container)
    with pytest.raises(InvalidInput):
        purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Again", "EUR", 3))
    with pytest.raises(InvalidInput) as refused:
        purchasing.create_purchase_order(
            uow, store, SYSTEM, NewPurchaseOrder("NOPE", "XXX", [("NONE", 1, 1)])
        )
    assert {e.field for e in refused.value.errors} == {"supplier", "location", "lines.0"}
    with pytest.raises(InvalidInput):
        purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", -1, 0))
    analyst = Actor("ann", Role.ANALYST)
    with pytest.raises(PermissionDenied):
        purchasing.create_purchase_order(
            uow, store, analyst, NewPurchaseOrder("ACME", "PAR", [("TEE", 1, 1)])
        )
    assert purchasing.on_order(uow, store, analyst, ["TEE"]) == {}
    for role in (Role.WAREHOUSE, Role.SALES):  # stock.write is not purchasing.write
        with pytest.raises(PermissionDenied):
            w = Actor("w", role)
            purchasing.create_supplier(uow, store, w, Supplier(0, "W", "W", "EUR", 1))
    buyer = Actor("bo", Role.BUYER)
    made = purchasing.create_purchase_order(
        uow, store, buyer, NewPurchaseOrder("ACME", "PAR", [("TEE", 1, 1)])
    )
    assert purchasing.send(uow, store, buyer, made.id).status.value == "sent"

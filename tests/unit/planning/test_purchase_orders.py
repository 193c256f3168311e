"""Purchase orders: the transition table and receiving (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from oms.domain.errors import InvalidInput, TransitionNotAllowed
from oms.domain.planning.purchase_orders import (
    PURCHASE_ORDER_MACHINE,
    PurchaseLine,
    PurchaseOrder,
    Supplier,
)
from oms.domain.planning.purchase_orders import (
    PurchaseOrderStatus as S,
)


def _po() -> PurchaseOrder:
    lines = [PurchaseLine(1, 10, "TEE", 12, 250), PurchaseLine(2, 11, "MUG", 6, 400)]
    return PurchaseOrder(7, 1, 1, "EUR", S.DRAFT, None, lines)


def test_every_status_is_reachable_and_closed_and_cancelled_are_final() -> None:
    assert PURCHASE_ORDER_MACHINE.reachable() == set(S)
    assert not PURCHASE_ORDER_MACHINE.transitions[S.CLOSED]
    assert not PURCHASE_ORDER_MACHINE.transitions[S.CANCELLED]


def test_a_draft_cannot_be_received_and_a_sent_order_is_on_order() -> None:
    po = _po()
    assert po.on_order == {}
    with pytest.raises(TransitionNotAllowed):
        po.receive({1: 1})
    po.send(date(2026, 3, 16))
    assert po.on_order == {10: 12, 11: 6}


def test_receiving_in_parts_then_in_full() -> None:
    po = _po()
    po.send(date(2026, 3, 16))
    assert po.receive({1: 5}) == {10: 5}
    assert po.status is S.PARTIALLY_RECEIVED
    assert po.on_order == {10: 7, 11: 6}
    with pytest.raises(TransitionNotAllowed):
        po.cancel()  # something arrived: close it instead
    po.receive({1: 7, 2: 6})
    assert po.status is S.RECEIVED and po.on_order == {}
    po.close()
    assert po.status is S.CLOSED


def test_receiving_more_than_outstanding_or_a_stranger_line_is_refused_whole() -> None:
    po = _po()
    po.send(date(2026, 3, 16))
    with pytest.raises(InvalidInput) as refused:
        po.receive({1: 13, 2: 1, 99: 1})
    assert {e.field for e in refused.value.errors} == {"lines.1", "lines.99"}
    assert [line.received_quantity for line in po.lines] == [0, 0]
    assert po.status is S.SENT
    with pytest.raises(InvalidInput):
        po.receive({})


def test_a_partly_received_order_may_be_closed_the_rest_no_longer_expected() -> None:
    po = _po()
    po.send(date(2026, 3, 16))
    po.receive({2: 6})
    po.close()
    assert po.on_order == {}


def test_a_supplier_checks_its_lead_time_and_minimum() -> None:
    Supplier(1, "ACME", "Acme", "EUR", 14, 50).check()
    with pytest.raises(InvalidInput):
        Supplier(1, " ", "Acme", "EUR", -1, -5).check()

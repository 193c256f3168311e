"""A draft purchase order made with an expected date (the page that makes one by hand, and
the API): the date is kept when it is sent without another, refused when in the past."""

from __future__ import annotations

from datetime import date

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import InvalidInput
from oms.domain.planning.purchase_orders import Supplier
from oms.services import purchasing
from oms.services.purchasing import NewPurchaseOrder
from tests.service.shop import open_shop


def test_a_drafts_expected_date_is_kept_when_sent_and_a_past_one_is_refused(
    container: Container,
) -> None:
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14))
    due = date(2026, 3, 20)
    made = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 4, 250)], due)
    )
    assert made.expected_on == due
    assert purchasing.send(uow, store, SYSTEM, made.id).expected_on == due  # not today + 14
    other = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 4, 250)], due)
    )
    later = date(2026, 4, 1)
    assert purchasing.send(uow, store, SYSTEM, other.id, later).expected_on == later
    with pytest.raises(InvalidInput) as refused:
        purchasing.create_purchase_order(
            uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 1, 1)], date(2026, 3, 1))
        )
    assert [e.field for e in refused.value.errors] == ["expected_on"]

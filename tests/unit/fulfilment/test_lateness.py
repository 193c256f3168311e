"""Late to ship and late to deliver: one rule (`late_kind_of`), table-driven, and a property
that a shipment is late of at most one kind, and of none before its day is over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.fulfilment.model import LateKind, late_kind_of
from oms.domain.fulfilment.shipment import IN_WAREHOUSE, ShipmentStatus

S = ShipmentStatus
TODAY = date(2026, 3, 10)
BEFORE = TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "ship_by", "promised", "kind"),
    [
        (S.OPEN, BEFORE, None, LateKind.TO_SHIP),
        (S.PICKING, BEFORE, None, LateKind.TO_SHIP),
        (S.PACKED, BEFORE, None, LateKind.TO_SHIP),
        (S.OPEN, TODAY, None, None),  # it may still leave today
        (S.OPEN, None, None, None),  # made before ship-by days were kept
        (S.SHIPPED, BEFORE, BEFORE, LateKind.TO_DELIVER),
        (S.SHIPPED, BEFORE, TODAY, None),  # left late, but the promise still holds
        (S.EXCEPTION, None, BEFORE, LateKind.TO_DELIVER),
        (S.LOST, None, BEFORE, LateKind.TO_DELIVER),  # the customer still waits
        (S.DELIVERED, BEFORE, BEFORE, None),
        (S.CANCELLED, BEFORE, None, None),
        (S.REPLACED, BEFORE, BEFORE, None),  # its replacement is what may be late now
        (S.RETURNED, BEFORE, BEFORE, None),
    ],
)
def test_late_kind(
    status: ShipmentStatus, ship_by: date | None, promised: date | None, kind: LateKind | None
) -> None:
    assert late_kind_of(status, ship_by, promised, TODAY) is kind


@given(
    st.sampled_from(list(ShipmentStatus)),
    st.one_of(st.none(), st.dates()),
    st.one_of(st.none(), st.dates()),
    st.dates(),
)
def test_late_to_ship_is_only_in_the_warehouse_and_only_after_the_day(
    status: ShipmentStatus, ship_by: date | None, promised: date | None, today: date
) -> None:
    kind = late_kind_of(status, ship_by, promised, today)
    if kind is LateKind.TO_SHIP:
        assert status in IN_WAREHOUSE and ship_by is not None and ship_by < today
    if kind is LateKind.TO_DELIVER:
        assert status not in IN_WAREHOUSE and promised is not None and promised < today

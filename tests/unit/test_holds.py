"""The rules of checkout holds, without a database: what a hold keeps, when it is live,
who may convert it, which holds give way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import InvalidInput
from oms.domain.inventory.holds import (
    HeldUnits,
    Hold,
    HoldEnd,
    HoldNotUsable,
    HoldOption,
    HoldRequest,
    give_way,
    plan_hold,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_a_hold_takes_the_highest_priority_location_first_then_the_fullest() -> None:
    options = [HoldOption(1, 7, 5, 0), HoldOption(2, 7, 1, 10), HoldOption(3, 7, 9, 0)]
    assert plan_hold([(7, 4)], options) == [HeldUnits(7, 2, 1), HeldUnits(7, 3, 3)]


def test_a_hold_never_keeps_more_than_is_available() -> None:
    options = [HoldOption(1, 7, 2, 0), HoldOption(2, 7, -3, 0), HoldOption(3, 8, 5, 0)]
    assert plan_hold([(7, 10), (9, 1)], options) == [HeldUnits(7, 1, 2)]


@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(1, 9)), max_size=4),
    st.lists(st.tuples(st.integers(1, 3), st.integers(-2, 9), st.integers(0, 2)), max_size=6),
)
def test_no_plan_keeps_more_than_asked_or_than_a_row_has(
    wanted: list[tuple[int, int]], rows: list[tuple[int, int, int]]
) -> None:
    options = [HoldOption(i, p, a, prio) for i, (p, a, prio) in enumerate(rows)]
    planned = plan_hold(wanted, options)
    for o in options:
        assert sum(u.quantity for u in planned if u.stock_id == o.stock_id) <= max(o.available, 0)
    for product in {p for p, _ in wanted}:
        asked = sum(q for p, q in wanted if p == product)
        assert sum(u.quantity for u in planned if u.product_id == product) <= asked


def test_a_hold_is_live_until_its_expiry_and_never_after() -> None:
    hold = Hold(1, "web", NOW, NOW + timedelta(minutes=15), "shop")
    assert hold.live(NOW + timedelta(minutes=14, seconds=59))
    assert not hold.live(NOW + timedelta(minutes=15))
    assert not Hold(1, "web", NOW, NOW + timedelta(hours=1), "shop", ended=HoldEnd.RELEASED).live(
        NOW
    )


def test_only_a_live_hold_of_the_same_channel_may_be_converted() -> None:
    hold = Hold(1, "web", NOW, NOW + timedelta(minutes=15), "shop")
    hold.check_convertible("web", NOW)
    with pytest.raises(InvalidInput) as foreign:
        hold.check_convertible("market", NOW)
    assert foreign.value.errors[0].field == "hold_id"
    with pytest.raises(HoldNotUsable, match="expired"):
        hold.check_convertible("web", NOW + timedelta(minutes=15))
    taken = Hold(1, "web", NOW, NOW + timedelta(minutes=15), "shop", (), HoldEnd.CONVERTED, 9)
    with pytest.raises(HoldNotUsable, match="already taken"):
        taken.check_convertible("web", NOW)


def test_the_newest_holds_give_way_first() -> None:
    units = [(1, NOW, 3), (2, NOW + timedelta(seconds=1), 2), (3, NOW + timedelta(seconds=2), 1)]
    assert give_way(units, 2) == [(3, 1), (2, 1)]
    assert give_way(units, 0) == []
    assert give_way(units, 99) == [(3, 1), (2, 2), (1, 3)]


def test_a_request_is_checked_whole_and_expires_as_asked() -> None:
    with pytest.raises(InvalidInput) as refused:
        HoldRequest("", [], 0).check()
    assert {e.field for e in refused.value.errors} == {"channel", "lines", "expires_in"}
    assert HoldRequest("web", [("A", 1)], 90).expiry(NOW, 15) == NOW + timedelta(seconds=90)
    assert HoldRequest("web", [("A", 1)]).expiry(NOW, 15) == NOW + timedelta(minutes=15)

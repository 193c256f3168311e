"""The return policy: the window on its edges, what may come back, and who may override."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import Conflict, InvalidInput
from oms.domain.returns.policy import (
    Asked,
    Delivered,
    OverrideNotAllowed,
    Payer,
    RequestedLine,
    ReturnPolicy,
    check_request,
    check_shape,
)
from oms.domain.returns.reasons import CUSTOMERS_CHOICE, SELLERS_FAULT, ReturnReason

PARIS = ZoneInfo("Europe/Paris")
AUCKLAND = ZoneInfo("Pacific/Auckland")
POLICY = ReturnPolicy(window_days=14)
# 23:30 in Paris on 1 March is 22:30 UTC: still 1 March there.
LATE_EVENING = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)


def ask(*lines: tuple[str, int], now: datetime, zone: ZoneInfo = PARIS, **kw: object) -> Asked:
    return Asked(
        [RequestedLine(sku, q, ReturnReason.CHANGED_MIND) for sku, q in lines],
        zone,
        now,
        **kw,  # type: ignore[arg-type]
    )


def have(sku: str = "TEE", delivered: int = 2, in_returns: int = 0) -> dict[str, Delivered]:
    return {sku: Delivered(sku, delivered, in_returns, LATE_EVENING)}


def test_a_parcel_delivered_late_in_the_evening_counts_from_that_local_day() -> None:
    assert POLICY.last_day(LATE_EVENING, PARIS).isoformat() == "2026-03-15"
    closes = POLICY.window_closes(LATE_EVENING, PARIS)
    assert closes == datetime(2026, 3, 16, tzinfo=PARIS)
    assert POLICY.is_open(LATE_EVENING, PARIS, closes - timedelta(microseconds=1))
    assert not POLICY.is_open(LATE_EVENING, PARIS, closes)


def test_the_same_instant_is_the_next_day_in_auckland_so_its_window_ends_a_day_later() -> None:
    # 22:30 UTC on 1 March is 11:30 on 2 March in Auckland.
    assert POLICY.last_day(LATE_EVENING, AUCKLAND).isoformat() == "2026-03-16"


def test_the_last_minute_of_the_last_day_is_in_the_window_and_the_next_is_not() -> None:
    last_minute = datetime(2026, 3, 15, 23, 59, tzinfo=PARIS)
    assert check_request(POLICY, ask(("TEE", 1), now=last_minute), have()) is None
    with pytest.raises(Conflict, match="return window of 14 days") as refused:
        check_request(POLICY, ask(("TEE", 1), now=last_minute + timedelta(minutes=1)), have())
    assert [e.field for e in refused.value.errors] == ["override_reason"]


def test_a_zero_day_window_allows_the_day_of_delivery_only() -> None:
    policy = ReturnPolicy(window_days=0)
    assert policy.is_open(LATE_EVENING, PARIS, datetime(2026, 3, 1, 23, 59, tzinfo=PARIS))
    assert not policy.is_open(LATE_EVENING, PARIS, datetime(2026, 3, 2, tzinfo=PARIS))


def test_outside_the_window_a_reason_from_an_allowed_role_lets_it_through() -> None:
    late = datetime(2026, 4, 1, tzinfo=UTC)
    overridden = check_request(
        POLICY, ask(("TEE", 1), now=late, override_reason=" gift ", may_override=True), have()
    )
    assert overridden is not None
    assert (overridden.skus, overridden.reason) == (("TEE",), "gift")
    assert "14 days" in overridden.rule
    with pytest.raises(OverrideNotAllowed):
        check_request(POLICY, ask(("TEE", 1), now=late, override_reason="gift"), have())


def test_a_sku_never_delivered_cannot_be_returned() -> None:
    with pytest.raises(Conflict, match="more units asked back"):
        check_request(POLICY, ask(("MUG", 1), now=LATE_EVENING), have())


def test_a_sku_not_yet_delivered_has_no_window() -> None:
    undelivered = {"TEE": Delivered("TEE", 0, 0, None)}
    with pytest.raises(Conflict, match="more units"):
        check_request(POLICY, ask(("TEE", 1), now=LATE_EVENING), undelivered)


def test_non_returnable_products_are_refused_naming_the_line() -> None:
    policy = ReturnPolicy(14, non_returnable=frozenset({"TEE"}))
    with pytest.raises(Conflict, match="excludes") as refused:
        check_request(policy, ask(("TEE", 1), now=LATE_EVENING), have())
    assert refused.value.errors[0].field == "lines[0].sku"


@given(delivered=st.integers(0, 20), in_returns=st.integers(0, 20), asked=st.integers(1, 25))
def test_never_more_than_delivered_and_not_already_in_a_return(
    delivered: int, in_returns: int, asked: int
) -> None:
    stock = have(delivered=delivered, in_returns=min(in_returns, delivered))
    request = ask(("TEE", asked), now=LATE_EVENING)
    if asked <= delivered - min(in_returns, delivered):
        assert check_request(POLICY, request, stock) is None
    else:
        with pytest.raises(Conflict, match="more units"):
            check_request(POLICY, request, stock)


def test_who_pays_the_parcel_back_depends_on_whose_fault_it_was() -> None:
    assert {POLICY.shipping_paid_by(r) for r in SELLERS_FAULT} == {Payer.SELLER}
    assert {POLICY.shipping_paid_by(r) for r in CUSTOMERS_CHOICE} == {Payer.CUSTOMER}
    assert set(ReturnReason) == SELLERS_FAULT | CUSTOMERS_CHOICE
    assert not SELLERS_FAULT & CUSTOMERS_CHOICE


def test_the_shape_is_checked_whole() -> None:
    lines = [
        RequestedLine("TEE", 0, ReturnReason.LATE),
        RequestedLine("TEE", 1, ReturnReason.LATE),
    ]
    with pytest.raises(InvalidInput) as refused:
        check_shape(lines, "  ")
    assert {e.field for e in refused.value.errors} == {
        "lines[0].quantity",
        "lines[1].sku",
        "override_reason",
    }
    with pytest.raises(InvalidInput, match="at least one line"):
        check_shape([], None)


def test_a_window_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        ReturnPolicy(window_days=-1)

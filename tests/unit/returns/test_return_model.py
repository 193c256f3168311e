"""The return aggregate: its verbs follow the table, and its counts always add up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import InvalidInput, TransitionNotAllowed
from oms.domain.orders.events import OrderEventType
from oms.domain.returns.model import Inspected, Received, Return, ReturnLabel, return_number
from oms.domain.returns.policy import Overridden, RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
LABEL = ReturnLabel(
    "oms-post", "standard", "RR123456785FR", 500, date(2026, 3, 2), date(2026, 3, 4), 1
)


def requested(tee: int = 3, mug: int = 1, overridden: Overridden | None = None) -> Return:
    lines = [
        (RequestedLine("TEE", tee, ReturnReason.DAMAGED, "torn"), 1),
        (RequestedLine("MUG", mug, ReturnReason.CHANGED_MIND), 2),
    ]
    return Return.request(
        (7, return_number(7), 40), lines, Resolution.REFUND, overridden, ("cs", NOW)
    )


def received(tee: int = 3, mug: int = 1) -> Return:
    r = requested()
    r.approve(LABEL, NOW)
    r.receive(Received(1, "PAR", {"TEE": tee, "MUG": mug}), NOW)
    return r


def test_a_new_return_is_requested_and_says_so_in_the_timeline() -> None:
    r = requested()
    assert (r.number, r.status) == ("RMA-000007", ReturnStatus.REQUESTED)
    assert [e.type for e in r.events] == [OrderEventType.RETURN_REQUESTED]
    assert r.events[0].data["lines"][0] == {"sku": "TEE", "quantity": 3, "reason": "damaged"}


def test_an_override_is_recorded_with_its_reason_before_the_request() -> None:
    r = requested(overridden=Overridden(("TEE",), "loyal customer", "return window of 30 days"))
    assert [e.type for e in r.events] == [
        OrderEventType.RETURN_POLICY_OVERRIDDEN,
        OrderEventType.RETURN_REQUESTED,
    ]
    assert r.events[0].data["reason"] == "loyal customer"
    assert r.override_reason == "loyal customer"


def test_approving_gives_the_label_and_its_tracking_number() -> None:
    r = requested()
    r.approve(LABEL, NOW)
    assert (r.status, r.tracking_number) == (ReturnStatus.APPROVED, "RR123456785FR")
    with pytest.raises(TransitionNotAllowed, match="cannot approve a return that is approved"):
        r.approve(LABEL, NOW)


def test_a_rejected_return_can_be_neither_approved_nor_received() -> None:
    r = requested()
    r.reject("outside policy", NOW)
    assert r.rejection_reason == "outside policy"
    with pytest.raises(TransitionNotAllowed):
        r.approve(LABEL, NOW)
    with pytest.raises(TransitionNotAllowed):
        r.receive(Received(1, "PAR", {"TEE": 1}), NOW)


def test_rejecting_needs_a_reason() -> None:
    with pytest.raises(InvalidInput):
        requested().reject(" ", NOW)


def test_receiving_before_approval_is_refused_by_the_table() -> None:
    with pytest.raises(TransitionNotAllowed, match="cannot receive a return that is requested"):
        requested().receive(Received(1, "PAR", {"TEE": 1}), NOW)


def test_receiving_twice_is_refused() -> None:
    r = received()
    with pytest.raises(TransitionNotAllowed):
        r.receive(Received(1, "PAR", {"TEE": 1}), NOW)
    assert [ln.received_quantity for ln in r.lines] == [3, 1]


def test_receiving_more_than_asked_or_an_unknown_sku_or_nothing_is_refused() -> None:
    r = requested()
    r.approve(LABEL, NOW)
    with pytest.raises(InvalidInput) as refused:
        r.receive(Received(1, "PAR", {"TEE": 4, "CAP": 1}), NOW)
    assert {e.field for e in refused.value.errors} == {"lines[0].quantity", "lines[1].sku"}
    with pytest.raises(InvalidInput, match="at least one unit"):
        r.receive(Received(1, "PAR", {"TEE": 0}), NOW)
    assert r.status is ReturnStatus.APPROVED


def test_inspection_splits_each_received_unit_into_resellable_or_damaged() -> None:
    r = received(tee=2, mug=0)
    r.inspect([Inspected("TEE", 1, 1)], NOW)
    assert [(ln.resellable_quantity, ln.damaged_quantity) for ln in r.lines] == [(1, 1), (0, 0)]
    assert r.status is ReturnStatus.INSPECTED
    assert r.events[-1].data["lines"] == [{"sku": "TEE", "resellable": 1, "damaged": 1}]


def test_an_inspection_that_forgets_a_received_line_is_refused() -> None:
    r = received()
    with pytest.raises(InvalidInput, match="MUG: 1 received, not inspected"):
        r.inspect([Inspected("TEE", 3, 0)], NOW)
    assert r.status is ReturnStatus.RECEIVED


@given(
    asked=st.integers(1, 6),
    got=st.integers(-1, 8),
    resellable=st.integers(-1, 8),
    damaged=st.integers(-1, 8),
)
def test_whatever_is_received_and_inspected_the_counts_add_up_or_nothing_changes(
    asked: int, got: int, resellable: int, damaged: int
) -> None:
    r = requested(tee=asked)
    r.approve(LABEL, NOW)
    try:
        r.receive(Received(1, "PAR", {"TEE": got, "MUG": 1}), NOW)
    except InvalidInput:
        assert not 0 <= got <= asked
        assert r.status is ReturnStatus.APPROVED
        assert all(ln.received_quantity == 0 for ln in r.lines)
        return
    assert r.is_balanced()
    before = [(ln.resellable_quantity, ln.damaged_quantity) for ln in r.lines]
    try:
        r.inspect([Inspected("TEE", resellable, damaged), Inspected("MUG", 1, 0)], NOW)
    except InvalidInput:
        assert resellable < 0 or damaged < 0 or resellable + damaged != got
        assert r.status is ReturnStatus.RECEIVED
        assert [(ln.resellable_quantity, ln.damaged_quantity) for ln in r.lines] == before
        return
    assert r.is_balanced()
    tee = r.lines[0]
    assert tee.resellable_quantity + tee.damaged_quantity == tee.received_quantity == got

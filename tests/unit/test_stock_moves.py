"""Stock moves: the ledger row each kind leaves, and what a row may become."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.inventory.model import LedgerKind
from oms.domain.inventory.moves import (
    UNIT_DELTAS,
    Change,
    LineRef,
    MoveRefused,
    apply,
    correction_entry,
    ledger_entry,
)

K = LedgerKind
WHO = Change("amy", datetime(2026, 3, 2, tzinfo=UTC), "why")


@pytest.mark.parametrize(
    ("kind", "quantity", "deltas"),
    [
        (K.RESERVATION, 3, (0, 3)),
        (K.RELEASE, 3, (0, -3)),
        (K.SHIPMENT, 3, (-3, -3)),
        (K.RECEIPT, 3, (3, 0)),
        (K.RETURN, 3, (3, 0)),
        (K.WRITE_OFF, 3, (-3, 0)),
        (K.COUNT, -2, (-2, 0)),
        (K.COUNT, 0, (0, 0)),
        (K.ADJUSTMENT, 5, (5, 0)),
        (K.TRANSFER, -4, (-4, 0)),
    ],
)
def test_each_kind_moves_on_hand_and_reserved_its_own_way(
    kind: LedgerKind, quantity: int, deltas: tuple[int, int]
) -> None:
    entry = ledger_entry(kind, 9, quantity, WHO, LineRef(1, 2))
    assert (entry.on_hand_delta, entry.reserved_delta) == deltas
    assert (entry.stock_id, entry.kind, entry.actor, entry.reason) == (9, kind, "amy", "why")
    assert (entry.order_id, entry.order_line_id) == (1, 2)


@pytest.mark.parametrize("kind", [K.RESERVATION, K.RELEASE, K.SHIPMENT, K.WRITE_OFF])
def test_unsigned_kinds_refuse_a_negative_or_zero_quantity(kind: LedgerKind) -> None:
    for quantity in (0, -1):
        with pytest.raises(ValueError):
            ledger_entry(kind, 9, quantity, WHO)


def test_a_correction_is_not_a_move_but_has_its_own_row() -> None:
    with pytest.raises(ValueError):
        ledger_entry(K.CORRECTION, 9, 1, WHO)
    entry = correction_entry(9, 0, -2, WHO)
    assert (entry.kind, entry.on_hand_delta, entry.reserved_delta) == (K.CORRECTION, 0, -2)


def test_a_row_never_reserves_more_than_it_has() -> None:
    assert apply(5, 2, ledger_entry(K.RESERVATION, 1, 3, WHO)) == (5, 5)
    with pytest.raises(MoveRefused):
        apply(5, 2, ledger_entry(K.RESERVATION, 1, 4, WHO))
    with pytest.raises(MoveRefused):
        apply(5, 2, ledger_entry(K.WRITE_OFF, 1, 4, WHO))
    with pytest.raises(MoveRefused):
        apply(5, 2, ledger_entry(K.RELEASE, 1, 3, WHO))


@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(UNIT_DELTAS)), st.integers(-5, 5)).filter(
            lambda m: m[1] > 0 or (m[0] in {K.COUNT, K.ADJUSTMENT, K.TRANSFER} and m[1] != 0)
        ),
        max_size=40,
    )
)
def test_summing_the_ledger_gives_the_row(moves: list[tuple[LedgerKind, int]]) -> None:
    """Whatever moves are accepted, the row is the sum of its ledger, and stays valid."""
    on_hand = reserved = 0
    ledger = []
    for kind, quantity in moves:
        entry = ledger_entry(kind, 1, quantity, WHO)
        try:
            on_hand, reserved = apply(on_hand, reserved, entry)
        except MoveRefused:
            continue
        ledger.append(entry)
        assert 0 <= reserved <= on_hand
    assert on_hand == sum(e.on_hand_delta for e in ledger)
    assert reserved == sum(e.reserved_delta for e in ledger)

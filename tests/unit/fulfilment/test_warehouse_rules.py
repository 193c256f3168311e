"""The warehouse rules without a database: waves, bin order, pick reports, scan checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.errors import InvalidInput
from oms.domain.fulfilment.model import (
    Picked,
    ScanDifference,
    Shipment,
    ShipmentLine,
    WaveCandidate,
    bin_order,
    choose_wave,
    compare_scan,
    plan_pick_lines,
    read_picks,
)
from oms.domain.fulfilment.shipment import ShipmentStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def shipment(sid: int, *lines: tuple[str, int], status: ShipmentStatus = ShipmentStatus.PICKING):
    return Shipment(
        id=sid,
        order_id=sid,
        location_id=1,
        location="PAR",
        status=status,
        created_at=T0,
        updated_at=T0,
        lines=[
            ShipmentLine(sid * 10 + i, sid * 10 + i, ord(sku[0]), sku, q)
            for i, (sku, q) in enumerate(lines)
        ],
    )


@pytest.mark.parametrize(
    ("bins", "walked"),
    [
        (["A-10", "A-2", "B-1"], ["A-2", "A-10", "B-1"]),
        (["A-01-2", "A-01-10", "A-01-1"], ["A-01-1", "A-01-2", "A-01-10"]),
        (["b-1", "A-1", "R-03"], ["A-1", "b-1", "R-03"]),
        (["10", "9", "A"], ["9", "10", "A"]),
    ],
)
def test_bins_are_walked_in_natural_order(bins: list[str], walked: list[str]) -> None:
    assert sorted(bins, key=bin_order) == walked


def test_a_wave_takes_whole_orders_by_priority_then_age() -> None:
    candidates = [
        WaveCandidate(1, order_id=1, priority=0, placed_at=T0),
        WaveCandidate(2, order_id=2, priority=5, placed_at=T0 + timedelta(hours=2)),
        WaveCandidate(3, order_id=1, priority=0, placed_at=T0),  # a second parcel of order 1
        WaveCandidate(4, order_id=3, priority=0, placed_at=T0 - timedelta(hours=1)),
    ]
    assert choose_wave(candidates, 2) == [2, 4]
    assert choose_wave(candidates, 3) == [2, 4, 1, 3]
    assert choose_wave([], 5) == []


@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.integers(-2, 2), st.integers(0, 100)),
        max_size=30,
    ),
    st.integers(1, 8),
)
def test_a_wave_never_holds_more_orders_than_asked(
    rows: list[tuple[int, int, int]], max_orders: int
) -> None:
    candidates = [
        WaveCandidate(i, order, priority, T0 + timedelta(minutes=age))
        for i, (order, priority, age) in enumerate(rows)
    ]
    chosen = choose_wave(candidates, max_orders)
    orders = {c.order_id for c in candidates if c.shipment_id in chosen}
    assert len(orders) == min(max_orders, len({c.order_id for c in candidates}))
    # Every parcel of a chosen order comes along.
    assert {c.shipment_id for c in candidates if c.order_id in orders} == set(chosen)


def test_pick_lines_add_up_per_sku_and_bin_in_walking_order() -> None:
    shipments = [shipment(1, ("TEE", 2), ("MUG", 1)), shipment(2, ("TEE", 1), ("CAP", 4))]
    bins = {ord("T"): "B-10", ord("M"): "B-9", ord("C"): "A-2"}
    lines = plan_pick_lines(shipments, bins)
    assert [(ln.seq, ln.bin, ln.sku, ln.quantity) for ln in lines] == [
        (1, "A-2", "CAP", 4),
        (2, "B-9", "MUG", 1),
        (3, "B-10", "TEE", 3),
    ]


def test_a_pick_report_covers_every_line_once_within_its_quantity() -> None:
    shipments = [shipment(1, ("TEE", 2), ("MUG", 1))]
    got = read_picks(shipments, [Picked(1, "TEE", 1), Picked(1, "MUG", 1)])
    assert got == {10: 1, 11: 1}
    with pytest.raises(InvalidInput) as refused:
        read_picks(
            shipments,
            [Picked(1, "TEE", 3), Picked(1, "TEE", 1), Picked(2, "MUG", 1), Picked(1, "HAT", 1)],
        )
    fields = [e.field for e in refused.value.errors]
    assert fields == ["picked[0].quantity", "picked[1]", "picked[2]", "picked[3]", "picked"]
    with pytest.raises(InvalidInput):
        read_picks(shipments, [Picked(1, "TEE", -1), Picked(1, "MUG", 1)])


@pytest.mark.parametrize(
    ("scanned", "differences"),
    [
        ([("TEE", 2), ("MUG", 1)], []),
        ([("3000000000017", 2), ("MUG", 1)], []),  # a barcode counts as its SKU
        ([("TEE", 1), ("TEE", 1), ("MUG", 1)], []),  # scanned one by one
        ([("TEE", 1), ("MUG", 1)], [ScanDifference("TEE", 2, 1)]),
        ([("TEE", 2), ("MUG", 1), ("CAP", 1)], [ScanDifference("CAP", 0, 1)]),
        ([("TEE", 2)], [ScanDifference("MUG", 1, 0)]),
        ([("999", 1), ("TEE", 2), ("MUG", 1)], [ScanDifference("999", 0, 1)]),
    ],
)
def test_scans_are_checked_against_the_parcel(
    scanned: list[tuple[str, int]], differences: list[ScanDifference]
) -> None:
    expected = {"TEE": 2, "MUG": 1}
    assert compare_scan(expected, scanned, {"3000000000017": "TEE"}) == differences


@pytest.mark.parametrize(
    ("status", "promised", "late"),
    [
        (ShipmentStatus.IN_TRANSIT, date(2026, 3, 1), True),
        (ShipmentStatus.EXCEPTION, date(2026, 3, 1), True),
        (ShipmentStatus.IN_TRANSIT, date(2026, 3, 2), False),  # due today: not late yet
        (ShipmentStatus.DELIVERED, date(2026, 3, 1), False),
        (ShipmentStatus.PACKED, None, False),
    ],
)
def test_late_means_on_the_way_past_the_promise(
    status: ShipmentStatus, promised: date | None, late: bool
) -> None:
    s = shipment(1, ("TEE", 1), status=status)
    s.promised_delivery_date = promised
    assert s.is_late(date(2026, 3, 2)) is late

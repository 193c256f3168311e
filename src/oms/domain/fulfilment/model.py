"""Shipments and pick lists: what a location works on, and the warehouse rules that check it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.shipment import (
    IN_WAREHOUSE,
    LEFT_LOCATION,
    ShipmentQuantities,
    ShipmentStatus,
    check_transition,
)
from oms.domain.money import Money
from oms.domain.state_machine import StateMachine

DEFAULT_WAVE = 20
MAX_WAVE = 200

# Statuses after which a carrier may still report, and a promised date can be missed.
ON_THE_WAY: frozenset[ShipmentStatus] = LEFT_LOCATION - {ShipmentStatus.DELIVERED}


@dataclass(slots=True)
class ShipmentLine:
    id: int
    order_line_id: int
    product_id: int
    sku: str
    quantity: int
    picked_quantity: int | None = None


@dataclass(slots=True)
class Shipment:
    """The units of one order that one location sends in one parcel."""

    id: int
    order_id: int
    location_id: int
    location: str
    status: ShipmentStatus
    created_at: datetime
    updated_at: datetime
    lines: list[ShipmentLine] = field(default_factory=list)
    pick_list_id: int | None = None
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    weight_grams: int | None = None
    ship_date: date | None = None
    promised_delivery_date: date | None = None
    shipping_cost: Money | None = None
    last_event_at: datetime | None = None
    late_notified_at: datetime | None = None  # the customer was told it is late (once)
    # The day it must leave its location by: the location's next shipping day at its
    # creation (cut-off and closed days counted). None for shipments made before 0012.
    ship_by: date | None = None
    replaces_id: int | None = None  # the lost shipment whose units this one sends again
    version: int = 1

    def move(self, target: ShipmentStatus, action: str) -> None:
        check_transition(self.status, target, action)
        self.status = target

    def contents(self) -> dict[str, int]:
        """Units per SKU."""
        return {line.sku: line.quantity for line in self.lines}

    def quantities(self) -> ShipmentQuantities:
        return ShipmentQuantities(
            self.status, {line.order_line_id: line.quantity for line in self.lines}
        )

    @property
    def in_warehouse(self) -> bool:
        return self.status in IN_WAREHOUSE

    def is_late(self, today: date) -> bool:
        """Late to deliver or late to ship (see `late_kind`)."""
        return self.late_kind(today) is not None

    def late_kind(self, today: date) -> LateKind | None:
        """`to_deliver`: on its way (or in exception, or lost) past the promised delivery
        date, the customer is waiting. `to_ship`: still in the warehouse after the day it
        had to leave by. None: not late."""
        return late_kind_of(self.status, self.ship_by, self.promised_delivery_date, today)


class LateKind(StrEnum):
    TO_SHIP = "to_ship"
    TO_DELIVER = "to_deliver"


def late_kind_of(
    status: ShipmentStatus, ship_by: date | None, promised: date | None, today: date
) -> LateKind | None:
    """The one rule of lateness (the SQL of adapters/db/late.py says the same): on its way
    past the promised delivery date is late to deliver; still in the warehouse after its
    ship-by day is late to ship. `today` is the UTC date of the clock everywhere."""
    if status in ON_THE_WAY:
        return LateKind.TO_DELIVER if promised is not None and promised < today else None
    if status in IN_WAREHOUSE:
        return LateKind.TO_SHIP if ship_by is not None and ship_by < today else None
    return None


class PickListStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # given up: its shipments went back to open


# A pick list is worked once: completed with what was picked, or given up.
PICK_LIST_STATES = StateMachine(
    "pick list",
    PickListStatus.OPEN,
    {
        PickListStatus.OPEN: frozenset({PickListStatus.COMPLETED, PickListStatus.CANCELLED}),
        PickListStatus.COMPLETED: frozenset(),
        PickListStatus.CANCELLED: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class PickLine:
    """One stop of the picker's walk: a SKU in a bin, and how many to take."""

    seq: int
    product_id: int
    sku: str
    bin: str
    quantity: int


@dataclass(slots=True)
class PickList:
    id: int
    location_id: int
    location: str
    status: PickListStatus
    created_by: str
    created_at: datetime
    lines: list[PickLine] = field(default_factory=list)
    shipment_ids: list[int] = field(default_factory=list)
    completed_by: str | None = None
    completed_at: datetime | None = None

    def complete(self, actor: str, now: datetime) -> None:
        """Every shipment of the list was picked (short picks included)."""
        self._close(PickListStatus.COMPLETED, "complete", actor, now)

    def give_up(self, actor: str, now: datetime) -> None:
        """The picker could not finish it: its shipments go back to open."""
        self._close(PickListStatus.CANCELLED, "give up", actor, now)

    def _close(self, target: PickListStatus, action: str, actor: str, now: datetime) -> None:
        PICK_LIST_STATES.check(self.status, target, action)
        self.status = target
        self.completed_by = actor
        self.completed_at = now


@dataclass(frozen=True, slots=True)
class WaveCandidate:
    """An open shipment that could go into a pick list, with what decides its turn."""

    shipment_id: int
    order_id: int
    priority: int
    placed_at: datetime


def choose_wave(candidates: Sequence[WaveCandidate], max_orders: int) -> list[int]:
    """The shipments of the first `max_orders` orders: highest priority, then oldest."""
    queue = sorted(candidates, key=lambda c: (-c.priority, c.placed_at, c.order_id, c.shipment_id))
    orders: set[int] = set()
    chosen: list[int] = []
    for candidate in queue:
        if candidate.order_id not in orders and len(orders) >= max_orders:
            continue
        orders.add(candidate.order_id)
        chosen.append(candidate.shipment_id)
    return chosen


_NUMBER = re.compile(r"(\d+)")


def bin_order(bin_code: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of bin codes, the order a picker walks: A-2 before A-10 before B-1."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.upper())
        for part in _NUMBER.split(bin_code)
        if part
    )


def plan_pick_lines(shipments: Sequence[Shipment], bins: Mapping[int, str]) -> list[PickLine]:
    """One line per SKU and bin over all the shipments, walked in bin order (then SKU).

    `bins` gives each product's bin at the location (the caller fills in the default bin).
    """
    totals: dict[tuple[str, str, int], int] = defaultdict(int)
    for shipment in shipments:
        for line in shipment.lines:
            totals[(bins[line.product_id], line.sku, line.product_id)] += line.quantity
    ordered = sorted(totals.items(), key=lambda item: (bin_order(item[0][0]), item[0][1]))
    return [
        PickLine(seq, product_id, sku, bin_code, quantity)
        for seq, ((bin_code, sku, product_id), quantity) in enumerate(ordered, start=1)
    ]


@dataclass(frozen=True, slots=True)
class Picked:
    """What the picker reports for one SKU of one shipment."""

    shipment_id: int
    sku: str
    quantity: int


def read_picks(shipments: Sequence[Shipment], picked: Sequence[Picked]) -> dict[int, int]:
    """Check a pick report against the shipments; returns units picked per shipment line id.

    Every SKU of every shipment still to pick must be reported once, with 0 to the quantity
    asked for: leaving one out would make a short pick nobody meant. Raises InvalidInput
    listing every problem.
    """
    errors = FieldErrors()
    lines = {(s.id, line.sku): line for s in shipments for line in s.lines}
    seen: dict[tuple[int, str], int] = {}
    for i, pick in enumerate(picked):
        key = (pick.shipment_id, pick.sku)
        line = lines.get(key)
        if line is None:
            errors.add(
                f"picked[{i}]",
                f"shipment {pick.shipment_id} of this pick list has no SKU {pick.sku!r} to pick",
            )
        elif key in seen:
            errors.add(f"picked[{i}]", f"repeats picked[{seen[key]}]")
        elif not 0 <= pick.quantity <= line.quantity:
            errors.add(
                f"picked[{i}].quantity",
                f"must be between 0 and {line.quantity} (what shipment {pick.shipment_id} needs)",
            )
        seen.setdefault(key, i)
    for (shipment_id, sku), _line in sorted(lines.items()):
        if (shipment_id, sku) not in seen:
            errors.add("picked", f"no quantity reported for {sku} of shipment {shipment_id}")
    errors.raise_if_any()
    by_key = {(p.shipment_id, p.sku): p.quantity for p in picked}
    return {line.id: by_key[key] for key, line in lines.items()}


@dataclass(frozen=True, slots=True)
class ScanDifference:
    sku: str
    expected: int
    scanned: int


def compare_scan(
    expected: Mapping[str, int], scanned: Sequence[tuple[str, int]], barcodes: Mapping[str, str]
) -> list[ScanDifference]:
    """What the packer scanned (SKUs or barcodes, with counts) against what the parcel holds.

    A code that is neither a SKU of the shipment nor the barcode of one counts as an extra
    item under the code itself. Returns the differences, by SKU; none means it matches.
    """
    counted: dict[str, int] = defaultdict(int)
    for code, quantity in scanned:
        sku = code if code in expected else barcodes.get(code, code)
        counted[sku] += quantity
    return [
        ScanDifference(sku, expected.get(sku, 0), counted.get(sku, 0))
        for sku in sorted(set(expected) | set(counted))
        if expected.get(sku, 0) != counted.get(sku, 0)
    ]

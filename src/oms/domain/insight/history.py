"""Order history from elsewhere, as oms stores it: orders with their lines, original
timeline events and shipments, and what was odd about the rows they came from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.status import OrderStatus

# Imported history is stored as history: the timeline's actor says where it came from.
ACTOR_PREFIX = "import:"


@dataclass(frozen=True, slots=True)
class HistoryProduct:
    sku: str
    name: str
    price_minor: int
    currency: str
    weight_grams: int | None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    sku: str
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    type: OrderEventType
    at: datetime
    from_status: OrderStatus | None = None
    to_status: OrderStatus | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HistoryShipment:
    """The one parcel a history order left in (its lines, whole)."""

    status: ShipmentStatus
    carrier: str
    ship_date: date | None
    promised_delivery_date: date | None
    ship_by: date | None
    last_event_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryCustomer:
    email: str
    name: str
    city: str
    postal_code: str
    country: str
    region: str


@dataclass(frozen=True, slots=True)
class HistoryOrder:
    channel: str
    external_id: str
    status: OrderStatus
    customer: HistoryCustomer
    currency: str
    lines: list[HistoryLine]
    shipping_minor: int
    paid_minor: int
    placed_at: datetime
    updated_at: datetime
    events: list[HistoryEvent]
    shipment: HistoryShipment | None

    @property
    def subtotal_minor(self) -> int:
        return sum(line.quantity * line.unit_price_minor for line in self.lines)


@dataclass
class Oddities:
    """What was odd in the rows: counts per kind and a few examples (external ids) each."""

    examples_kept: int = 3
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        kept = self.examples.setdefault(kind, [])
        if len(kept) < self.examples_kept:
            kept.append(example)

    def merge(self, other: Oddities) -> None:
        for kind, n in other.counts.items():
            self.counts[kind] += n
            kept = self.examples.setdefault(kind, [])
            room = self.examples_kept - len(kept)
            kept.extend(other.examples.get(kind, [])[: max(room, 0)])

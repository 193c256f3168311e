"""What fulfilment use cases need from storage: shipments, pick lists, carrier events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from oms.domain.fulfilment.model import LateKind, PickList, Shipment, WaveCandidate
from oms.domain.fulfilment.shipment import ShipmentStatus


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    order_id: int | None = None
    location: str | None = None
    status: str | None = None
    # Only shipments late on this day (the UTC date of the clock): late to deliver (on their
    # way past the promised date) or late to ship (in the warehouse past their ship-by day);
    # `late_kind` keeps one of the two.
    late_on: date | None = None
    late_kind: LateKind | None = None
    carrier: str | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """A tracking event as a carrier reports it, checked by the carrier's adapter."""

    tracking_number: str
    status: ShipmentStatus
    at: datetime
    location: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StoredCarrierEvent:
    id: int
    shipment_id: int
    event: CarrierEvent
    applied: bool
    actor: str
    received_at: datetime


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> int:
        """Insert the shipment and its lines (their ids are filled in)."""

    def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None: ...
    def many(self, shipment_ids: Sequence[int], *, lock: bool = False) -> list[Shipment]:
        """The shipments with these ids that exist, in id order (locked in that order)."""

    def of_orders(self, order_ids: Sequence[int]) -> dict[int, list[Shipment]]: ...
    def by_tracking_number(self, tracking_number: str) -> Shipment | None: ...
    def save(self, shipment: Shipment) -> None:
        """Store status, fields and lines; ConcurrentUpdate if the version moved."""

    def search(self, flt: ShipmentFilter) -> list[Shipment]: ...
    def late_untold(self, today: date, limit: int) -> list[int]:
        """Ids of shipments on their way past their promised date (before `today`) whose
        customer was not told yet, oldest first."""

    def wave_candidates(self, location_id: int) -> list[WaveCandidate]:
        """Open shipments not on a pick list, of orders the warehouse may work on."""

    def add_pick_list(self, pick_list: PickList) -> int: ...
    def get_pick_list(self, pick_list_id: int, *, lock: bool = False) -> PickList | None: ...
    def save_pick_list(self, pick_list: PickList) -> None: ...
    def pick_lists(
        self, location_id: int | None, status: str | None, before_id: int | None, limit: int
    ) -> list[PickList]: ...
    def add_event(
        self, shipment_id: int, event: CarrierEvent, applied: bool, actor: str, now: datetime
    ) -> bool:
        """Record a carrier event; False (and nothing stored) if it was recorded before."""

    def events(self, shipment_ids: Sequence[int]) -> dict[int, list[StoredCarrierEvent]]: ...

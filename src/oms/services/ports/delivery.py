"""What local delivery and delivery runs need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.fulfilment.delivery_runs import DeliveryRun, Proof
from oms.domain.fulfilment.local_delivery import LocalDelivery


@dataclass(frozen=True, slots=True)
class RunFilter:
    location: str | None = None
    status: str | None = None
    driver: str | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class DeliveryProof:
    """A delivered stop as the order page shows it; `has_image`: a proof image is stored."""

    shipment_id: int
    run_id: int
    recipient: str
    delivered_at: datetime
    has_image: bool


class DeliveryRepository(Protocol):
    def local_delivery(self, location_ids: Sequence[int]) -> dict[int, LocalDelivery]:
        """The local delivery settings of these locations (those that have any)."""

    def set_local_delivery(self, settings: LocalDelivery) -> None:
        """Store (insert or replace) a location's local delivery settings."""

    def add_run(self, run: DeliveryRun) -> int:
        """Store a new run and its stops; sets and returns its id. Conflict if one of its
        shipments is a stop of another unfinished run (the database refuses it too)."""

    def get_run(self, run_id: int, *, lock: bool = False) -> DeliveryRun | None: ...
    def save_run(self, run: DeliveryRun, proofs: dict[int, Proof] | None = None) -> None:
        """Store the run's status, driver, times and every stop (order and outcome), and
        the proof images given (per shipment id)."""

    def runs(self, flt: RunFilter) -> list[DeliveryRun]:
        """Newest first."""

    def in_unfinished_runs(self, shipment_ids: Sequence[int]) -> dict[int, int]:
        """Shipment id -> the unfinished run it is a stop of with no outcome yet."""

    def failed_attempts(self, shipment_id: int) -> int:
        """Stops of any run at which this shipment was not delivered."""

    def proofs(self, shipment_ids: Sequence[int]) -> dict[int, DeliveryProof]:
        """The delivered stop of each shipment delivered by a run."""

    def proof_image(self, shipment_id: int) -> Proof | None: ...

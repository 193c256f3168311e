"""Local delivery settings and delivery runs in memory."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from oms.domain.errors import Conflict
from oms.domain.fulfilment.delivery_runs import DeliveryRun, Proof, RunStatus, StopOutcome
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.services.ports.delivery import DeliveryProof, RunFilter
from tests.memory.base import MemoryRepository


class MemoryDelivery(MemoryRepository):
    def local_delivery(self, location_ids: Sequence[int]) -> dict[int, LocalDelivery]:
        known = self.state.local_delivery
        return {i: known[i] for i in location_ids if i in known}

    def set_local_delivery(self, settings: LocalDelivery) -> None:
        self.state.local_delivery[settings.location_id] = settings

    def add_run(self, run: DeliveryRun) -> int:
        busy = self.in_unfinished_runs([s.shipment_id for s in run.stops])
        if busy:
            raise Conflict("a shipment of this run is already in another run")
        run.id = self.state.next_id("delivery_runs")
        self.state.runs[run.id] = copy.deepcopy(run)
        return run.id

    def get_run(self, run_id: int, *, lock: bool = False) -> DeliveryRun | None:
        found = self.state.runs.get(run_id)
        return copy.deepcopy(found) if found else None

    def save_run(self, run: DeliveryRun, proofs: dict[int, Proof] | None = None) -> None:
        self.state.runs[run.id] = copy.deepcopy(run)
        for shipment_id, proof in (proofs or {}).items():
            self.state.proofs[shipment_id] = proof

    def runs(self, flt: RunFilter) -> list[DeliveryRun]:
        found = [
            copy.deepcopy(run)
            for _, run in sorted(self.state.runs.items(), reverse=True)
            if (flt.location is None or run.location == flt.location)
            and (flt.status is None or run.status.value == flt.status)
            and (flt.driver is None or run.driver == flt.driver)
            and (flt.before_id is None or run.id < flt.before_id)
        ]
        return found[: flt.limit]

    def in_unfinished_runs(self, shipment_ids: Sequence[int]) -> dict[int, int]:
        wanted = set(shipment_ids)
        return {
            s.shipment_id: run.id
            for run in self.state.runs.values()
            if run.status is not RunStatus.FINISHED
            for s in run.stops
            if s.outcome is None and s.shipment_id in wanted
        }

    def failed_attempts(self, shipment_id: int) -> int:
        return sum(
            1
            for run in self.state.runs.values()
            for s in run.stops
            if s.shipment_id == shipment_id and s.outcome is StopOutcome.FAILED
        )

    def proofs(self, shipment_ids: Sequence[int]) -> dict[int, DeliveryProof]:
        wanted = set(shipment_ids)
        found: dict[int, DeliveryProof] = {}
        for run in self.state.runs.values():
            for s in run.stops:
                if s.shipment_id in wanted and s.outcome is StopOutcome.DELIVERED:
                    assert s.attempted_at is not None
                    found[s.shipment_id] = DeliveryProof(
                        s.shipment_id, run.id, s.recipient or "", s.attempted_at, s.has_proof
                    )
        return found

    def proof_image(self, shipment_id: int) -> Proof | None:
        return self.state.proofs.get(shipment_id)

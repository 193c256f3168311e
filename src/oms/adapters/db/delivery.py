"""Local delivery settings, delivery runs and their stops in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository, from_minor, to_minor, unique_violation
from oms.adapters.db.tables import delivery_runs, local_delivery, locations, run_stops
from oms.domain.errors import Conflict
from oms.domain.fulfilment.delivery_runs import (
    DeliveryRun,
    FailureReason,
    Proof,
    RunStatus,
    RunStop,
    StopOutcome,
)
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.domain.money import Money
from oms.services.ports.delivery import DeliveryProof, RunFilter

ld, r, st = local_delivery, delivery_runs, run_stops
_STOP_COLUMNS = [c for c in st.c if c.name not in ("proof",)]
_HEADER = sa.select(r, locations.c.code.label("location_code")).join(
    locations, locations.c.id == r.c.location_id
)


def _settings(m: Any) -> LocalDelivery:
    currency = m["currency"]
    hours, minutes = m["cut_off"].split(":")
    return LocalDelivery(
        location_id=m["location_id"],
        postal_prefixes=frozenset(m["postal_prefixes"].split()),
        base=Money(from_minor(m["base_minor"], currency), currency),
        per_kg=Money(from_minor(m["per_kg_minor"], currency), currency),
        transit_days=m["transit_days"],
        cut_off=time(int(hours), int(minutes)),
        max_attempts=m["max_attempts"],
    )


def _stop(m: Any) -> RunStop:
    return RunStop(
        shipment_id=m["shipment_id"],
        seq=m["seq"],
        outcome=StopOutcome(m["outcome"]) if m["outcome"] else None,
        reason=FailureReason(m["reason"]) if m["reason"] else None,
        note=m["note"],
        recipient=m["recipient"],
        attempted_at=m["attempted_at"],
        attempt=m["attempt"],
        has_proof=m["proof_type"] is not None,
    )


class SqlDelivery(Repository):
    def local_delivery(self, location_ids: Sequence[int]) -> dict[int, LocalDelivery]:
        if not location_ids:
            return {}
        rows = self.conn.execute(ld.select().where(ld.c.location_id.in_(sorted(location_ids))))
        return {row.location_id: _settings(row._mapping) for row in rows}

    def set_local_delivery(self, settings: LocalDelivery) -> None:
        currency = settings.base.currency
        values = {
            "postal_prefixes": " ".join(sorted(settings.postal_prefixes)),
            "currency": currency,
            "base_minor": to_minor(settings.base.amount, currency),
            "per_kg_minor": to_minor(settings.per_kg.amount, currency),
            "transit_days": settings.transit_days,
            "cut_off": settings.cut_off.strftime("%H:%M"),
            "max_attempts": settings.max_attempts,
            "updated_at": self._uow.now(),
        }
        done = self.conn.execute(
            ld.update().where(ld.c.location_id == settings.location_id).values(**values)
        )
        if not done.rowcount:
            self.conn.execute(ld.insert().values(location_id=settings.location_id, **values))

    def add_run(self, run: DeliveryRun) -> int:
        run.id = self.conn.execute(
            r.insert().returning(r.c.id),
            {
                "location_id": run.location_id,
                "day": run.day,
                "status": run.status.value,
                "driver": run.driver,
                "created_by": run.created_by,
                "created_at": run.created_at,
            },
        ).scalar_one()
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    st.insert(),
                    [
                        {
                            "run_id": run.id,
                            "shipment_id": s.shipment_id,
                            "waiting_shipment_id": s.shipment_id,
                            "seq": s.seq,
                        }
                        for s in run.stops
                    ],
                )
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "waiting_shipment_id"):
                raise Conflict("a shipment of this run is already in another run") from None
            raise
        return run.id

    def get_run(self, run_id: int, *, lock: bool = False) -> DeliveryRun | None:
        query = _HEADER.where(r.c.id == run_id)
        if lock and self.postgres:
            query = query.with_for_update(of=r)
        found = self._load(query)
        return found[0] if found else None

    def save_run(self, run: DeliveryRun, proofs: dict[int, Proof] | None = None) -> None:
        self.conn.execute(
            r.update()
            .where(r.c.id == run.id)
            .values(
                status=run.status.value,
                driver=run.driver,
                started_at=run.started_at,
                finished_at=run.finished_at,
            )
        )
        finished = run.status is RunStatus.FINISHED
        kept = [s.shipment_id for s in run.stops]
        self.conn.execute(st.delete().where(st.c.run_id == run.id, st.c.shipment_id.not_in(kept)))
        for s in run.stops:
            values: dict[str, Any] = {
                "seq": s.seq,
                "outcome": s.outcome.value if s.outcome else None,
                "reason": s.reason.value if s.reason else None,
                "note": s.note,
                "recipient": s.recipient,
                "attempted_at": s.attempted_at,
                "attempt": s.attempt,
                "waiting_shipment_id": None if finished or s.outcome is not None else s.shipment_id,
            }
            proof = (proofs or {}).get(s.shipment_id)
            if proof is not None:
                values |= {"proof": proof.image, "proof_type": proof.content_type}
            self.conn.execute(
                st.update()
                .where(st.c.run_id == run.id, st.c.shipment_id == s.shipment_id)
                .values(**values)
            )

    def runs(self, flt: RunFilter) -> list[DeliveryRun]:
        query = _HEADER.order_by(r.c.id.desc()).limit(flt.limit)
        if flt.location is not None:
            query = query.where(locations.c.code == flt.location)
        if flt.status is not None:
            query = query.where(r.c.status == flt.status)
        if flt.driver is not None:
            query = query.where(r.c.driver == flt.driver)
        if flt.before_id is not None:
            query = query.where(r.c.id < flt.before_id)
        return self._load(query)

    def in_unfinished_runs(self, shipment_ids: Sequence[int]) -> dict[int, int]:
        if not shipment_ids:
            return {}
        rows = self.conn.execute(
            sa.select(st.c.waiting_shipment_id, st.c.run_id).where(
                st.c.waiting_shipment_id.in_(sorted(set(shipment_ids)))
            )
        )
        return {row[0]: row[1] for row in rows}

    def failed_attempts(self, shipment_id: int) -> int:
        return int(
            self.conn.execute(
                sa.select(sa.func.count()).where(
                    st.c.shipment_id == shipment_id, st.c.outcome == StopOutcome.FAILED.value
                )
            ).scalar_one()
        )

    def proofs(self, shipment_ids: Sequence[int]) -> dict[int, DeliveryProof]:
        if not shipment_ids:
            return {}
        rows = self.conn.execute(
            sa.select(
                st.c.shipment_id, st.c.run_id, st.c.recipient, st.c.attempted_at, st.c.proof_type
            ).where(
                st.c.shipment_id.in_(sorted(set(shipment_ids))),
                st.c.outcome == StopOutcome.DELIVERED.value,
            )
        )
        return {
            row.shipment_id: DeliveryProof(
                row.shipment_id,
                row.run_id,
                row.recipient or "",
                row.attempted_at,
                row.proof_type is not None,
            )
            for row in rows
        }

    def proof_image(self, shipment_id: int) -> Proof | None:
        row = self.conn.execute(
            sa.select(st.c.proof, st.c.proof_type).where(
                st.c.shipment_id == shipment_id,
                st.c.outcome == StopOutcome.DELIVERED.value,
                st.c.proof_type.is_not(None),
            )
        ).first()
        return Proof(bytes(row.proof), row.proof_type) if row else None

    def _load(self, query: sa.Select[Any]) -> list[DeliveryRun]:
        found = [
            DeliveryRun(
                id=m["id"],
                location_id=m["location_id"],
                location=m["location_code"],
                day=m["day"],
                status=RunStatus(m["status"]),
                created_by=m["created_by"],
                created_at=m["created_at"],
                driver=m["driver"],
                started_at=m["started_at"],
                finished_at=m["finished_at"],
            )
            for m in (row._mapping for row in self.conn.execute(query))
        ]
        if found:
            by_id = {run.id: run for run in found}
            rows = self.conn.execute(
                sa.select(*_STOP_COLUMNS)
                .where(st.c.run_id.in_(list(by_id)))
                .order_by(st.c.run_id, st.c.seq, st.c.id)
            )
            for row in rows:
                by_id[row.run_id].stops.append(_stop(row._mapping))
        return found

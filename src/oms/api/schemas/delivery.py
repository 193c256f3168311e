"""The bodies of local delivery and delivery runs."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, Field

from oms.api.schemas.common import Amount, PageQuery, Strict, WallTime, amount
from oms.domain.fulfilment.delivery_runs import (
    MAX_NOTE,
    MAX_STOPS,
    DeliveryRun,
    FailureReason,
    Report,
    RunStatus,
    StopOutcome,
    delivered,
    failed,
    proof_from_data_url,
)
from oms.domain.fulfilment.local_delivery import (
    DEFAULT_MAX_ATTEMPTS,
    LocalDelivery,
    LocalDeliverySettings,
)
from oms.services.delivery_runs import Parcel, RunSheet
from oms.services.delivery_stops import StopResult
from oms.services.ports.delivery import RunFilter

Code = Annotated[str, Field(min_length=1, max_length=32)]


class LocalDeliveryIn(Strict):
    """A location's local delivery, whole: where its drivers go, the price (base with the
    first kg, per started kg above it), transit days (0: the same day), its cut-off, and
    the attempts before a parcel comes back. No prefixes: it delivers nowhere."""

    postal_prefixes: Annotated[list[Annotated[str, Field(max_length=16)]], Field(max_length=200)]
    base: Amount
    per_kg: Amount
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    transit_days: Annotated[int, Field(ge=0, le=14)] = 0
    cut_off: WallTime = time(11, 0)
    max_attempts: Annotated[int, Field(ge=1, le=10)] = DEFAULT_MAX_ATTEMPTS

    def to_domain(self) -> LocalDeliverySettings:
        return LocalDeliverySettings(
            tuple(self.postal_prefixes),
            self.base,
            self.per_kg,
            self.currency.upper(),
            self.transit_days,
            self.cut_off.replace(second=0, microsecond=0),
            self.max_attempts,
        )


class LocalDeliveryOut(BaseModel):
    location: str
    postal_prefixes: list[str]
    base: str
    per_kg: str
    currency: str
    transit_days: int
    cut_off: str
    max_attempts: int

    @classmethod
    def of(cls, code: str, ld: LocalDelivery) -> LocalDeliveryOut:
        currency = ld.base.currency
        return cls(
            location=code,
            postal_prefixes=sorted(ld.postal_prefixes),
            base=amount(ld.base.amount, currency),
            per_kg=amount(ld.per_kg.amount, currency),
            currency=currency,
            transit_days=ld.transit_days,
            cut_off=ld.cut_off.strftime("%H:%M"),
            max_attempts=ld.max_attempts,
        )


class RunIn(Strict):
    """A run of today: the shipments named (in the default order), or every parcel that
    waits at the location; optionally the driver who will take it."""

    location: Code
    shipment_ids: (
        Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=MAX_STOPS)] | None
    ) = None
    driver: Annotated[str, Field(max_length=100)] | None = None


class StopsIn(Strict):
    """The stops' new order: each shipment of the run once."""

    order: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=MAX_STOPS)]


class StartIn(Strict):
    """The driver who takes the run (a dispatcher names one if the run has none; a driver
    starting it takes it themselves)."""

    driver: Annotated[str, Field(max_length=100)] | None = None


class DeliveredIn(Strict):
    """Who took the parcel, and the proof: a signature drawn on the screen or a photo, as a
    data URL of a PNG or JPEG image (at most 2 MB)."""

    recipient: Annotated[str, Field(max_length=100)]
    proof: Annotated[str, Field(max_length=3_000_000)] | None = None

    def to_domain(self) -> Report:
        return delivered(self.recipient, proof_from_data_url(self.proof) if self.proof else None)


class FailedIn(Strict):
    """Why the parcel was not delivered (`other` needs a note)."""

    reason: FailureReason
    note: Annotated[str, Field(max_length=MAX_NOTE)] | None = None

    def to_domain(self) -> Report:
        return failed(self.reason.value, self.note)


class RunQuery(PageQuery):
    location: Annotated[str, Field(max_length=32)] | None = None
    status: RunStatus | None = None

    def to_filter(self, before_id: int | None) -> RunFilter:
        return RunFilter(
            self.location, self.status.value if self.status else None, None, before_id, self.limit
        )


class StopOut(BaseModel):
    seq: int
    shipment_id: int
    order_id: int
    order_number: str
    status: str  # the shipment's
    tracking_number: str | None
    recipient_name: str
    address: str
    postal_code: str
    phone: str | None
    map_url: str
    items: list[dict[str, int | str]]
    outcome: str | None
    reason: str | None
    note: str | None
    recipient: str | None
    attempt: int | None
    attempted_at: datetime | None
    has_proof: bool

    @classmethod
    def of(cls, p: Parcel) -> StopOut:
        a = p.order.shipping_address
        stop = p.stop
        return cls(
            seq=stop.seq if stop else 0,
            shipment_id=p.shipment.id,
            order_id=p.order.id,
            order_number=p.order.number,
            status=p.shipment.status.value,
            tracking_number=p.shipment.tracking_number,
            recipient_name=a.name,
            address=p.address_line,
            postal_code=a.postal_code,
            phone=p.order.customer.phone,
            map_url=p.map_url,
            items=[{"sku": ln.sku, "quantity": ln.quantity} for ln in p.shipment.lines],
            outcome=stop.outcome.value if stop and stop.outcome else None,
            reason=stop.reason.value if stop and stop.reason else None,
            note=stop.note if stop else None,
            recipient=stop.recipient if stop else None,
            attempt=stop.attempt if stop else None,
            attempted_at=stop.attempted_at if stop else None,
            has_proof=bool(stop and stop.has_proof),
        )


class RunOut(BaseModel):
    id: int
    location: str
    day: date
    status: str
    driver: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stops: list[StopOut]

    @classmethod
    def of(cls, sheet: RunSheet) -> RunOut:
        run = sheet.run
        return cls(
            id=run.id,
            location=run.location,
            day=run.day,
            status=run.status.value,
            driver=run.driver,
            created_by=run.created_by,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            stops=[StopOut.of(p) for p in sheet.parcels],
        )


class RunSummaryOut(BaseModel):
    id: int
    location: str
    day: date
    status: str
    driver: str | None
    stops: int
    delivered: int
    failed: int

    @classmethod
    def of(cls, run: DeliveryRun) -> RunSummaryOut:
        outcomes = [s.outcome for s in run.stops]
        return cls(
            id=run.id,
            location=run.location,
            day=run.day,
            status=run.status.value,
            driver=run.driver,
            stops=len(run.stops),
            delivered=outcomes.count(StopOutcome.DELIVERED),
            failed=outcomes.count(StopOutcome.FAILED),
        )


class StopResultOut(BaseModel):
    run_id: int
    shipment_id: int
    outcome: str
    attempt: int | None
    shipment_status: str
    returned: bool
    recorded: bool

    @classmethod
    def of(cls, r: StopResult) -> StopResultOut:
        assert r.stop.outcome is not None
        return cls(
            run_id=r.run.id,
            shipment_id=r.shipment.id,
            outcome=r.stop.outcome.value,
            attempt=r.stop.attempt,
            shipment_status=r.shipment.status.value,
            returned=r.returned,
            recorded=r.recorded,
        )

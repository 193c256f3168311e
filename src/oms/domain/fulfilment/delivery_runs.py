"""Delivery runs: a location's local parcels of one day, in the order a driver drops them,
and what happened at each stop (delivered with a proof, or not, and why)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from oms.domain.errors import Conflict, FieldErrors
from oms.domain.fulfilment.rates import normalise_postal_code
from oms.domain.state_machine import StateMachine

MAX_NOTE = 500
MAX_RECIPIENT = 100
MAX_PROOF_BYTES = 2 * 1024 * 1024
MAX_STOPS = 200


class RunStatus(StrEnum):
    PLANNED = "planned"  # made by the dispatcher; stops may be re-ordered
    STARTED = "started"  # the driver left with it; its parcels are out for delivery
    FINISHED = "finished"  # back; a stop not attempted waits for the next run


RUN_STATES = StateMachine(
    "delivery run",
    RunStatus.PLANNED,
    {
        RunStatus.PLANNED: frozenset({RunStatus.STARTED}),
        RunStatus.STARTED: frozenset({RunStatus.FINISHED}),
        RunStatus.FINISHED: frozenset(),
    },
)


class StopOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


class FailureReason(StrEnum):
    NOT_HOME = "not_home"
    REFUSED = "refused"
    ADDRESS_WRONG = "address_wrong"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Proof:
    """What the customer signed or the driver photographed."""

    image: bytes
    content_type: str  # image/png or image/jpeg, read from the bytes themselves


@dataclass(slots=True)
class RunStop:
    shipment_id: int
    seq: int
    outcome: StopOutcome | None = None
    reason: FailureReason | None = None
    note: str | None = None
    recipient: str | None = None
    attempted_at: datetime | None = None
    attempt: int | None = None  # the shipment's how-manieth attempt this stop was
    has_proof: bool = False


@dataclass(frozen=True, slots=True)
class Delivered:
    recipient: str
    proof: Proof | None


@dataclass(frozen=True, slots=True)
class Failed:
    reason: FailureReason
    note: str | None = None


Report = Delivered | Failed


@dataclass(slots=True)
class DeliveryRun:
    id: int
    location_id: int
    location: str
    day: date
    status: RunStatus
    created_by: str
    created_at: datetime
    stops: list[RunStop] = field(default_factory=list)
    driver: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def stop(self, shipment_id: int) -> RunStop:
        for s in self.stops:
            if s.shipment_id == shipment_id:
                return s
        raise KeyError(shipment_id)

    def reorder(self, order: Sequence[int]) -> None:
        """Stops in this order of shipment ids: every stop once (a permutation)."""
        if self.status is RunStatus.FINISHED:
            raise Conflict(f"run {self.id} is finished: its stops keep their order")
        current = sorted(s.shipment_id for s in self.stops)
        if sorted(order) != current:
            raise FieldErrors.single(
                "order", f"list each shipment of the run once: {', '.join(map(str, current))}"
            )
        seq = {shipment_id: i for i, shipment_id in enumerate(order, start=1)}
        for s in self.stops:
            s.seq = seq[s.shipment_id]
        self.stops.sort(key=lambda s: s.seq)

    def drop(self, shipment_ids: Sequence[int]) -> None:
        """Take these stops out of a planned run (their parcels may not go); the others
        keep their order, numbered again from 1."""
        if self.status is not RunStatus.PLANNED:
            raise Conflict(f"run {self.id} is {self.status.value}: its stops stay")
        gone = set(shipment_ids)
        self.stops = [s for s in self.stops if s.shipment_id not in gone]
        for seq, s in enumerate(self.stops, start=1):
            s.seq = seq

    def start(self, driver: str, now: datetime) -> None:
        RUN_STATES.check(self.status, RunStatus.STARTED, "start")
        self.status = RunStatus.STARTED
        self.driver = driver
        self.started_at = now

    def finish(self, now: datetime) -> list[RunStop]:
        """The run is over; returns the stops not attempted (they wait for another run)."""
        RUN_STATES.check(self.status, RunStatus.FINISHED, "finish")
        self.status = RunStatus.FINISHED
        self.finished_at = now
        return [s for s in self.stops if s.outcome is None]

    def record(self, shipment_id: int, report: Report, attempt: int, now: datetime) -> bool:
        """Write the outcome of a stop. False: the same report came before (nothing to do);
        Conflict: another outcome was recorded, or the run is not under way."""
        stop = self.stop(shipment_id)
        if stop.outcome is not None:
            if same_report(stop, report):
                return False
            raise Conflict(
                f"shipment {shipment_id} was already reported {stop.outcome.value} in run {self.id}"
            )
        if self.status is not RunStatus.STARTED:
            raise Conflict(f"run {self.id} is {self.status.value}: start it first")
        stop.attempted_at = now
        stop.attempt = attempt
        if isinstance(report, Delivered):
            stop.outcome = StopOutcome.DELIVERED
            stop.recipient = report.recipient
            stop.has_proof = report.proof is not None
        else:
            stop.outcome = StopOutcome.FAILED
            stop.reason = report.reason
            stop.note = report.note
        return True


def same_report(stop: RunStop, report: Report) -> bool:
    if isinstance(report, Delivered):
        return stop.outcome is StopOutcome.DELIVERED and stop.recipient == report.recipient
    return (
        stop.outcome is StopOutcome.FAILED
        and stop.reason is report.reason
        and (stop.note or None) == (report.note or None)
    )


def returns_after(failed_attempts: int, max_attempts: int) -> bool:
    """After this many failed attempts, the parcel goes back to its location for good."""
    if max_attempts < 1:
        raise ValueError("a location makes at least one attempt")
    return failed_attempts >= max_attempts


# -- the default order of stops ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StopAddress:
    shipment_id: int
    postal_code: str
    line1: str
    order_number: str


_LEADING = re.compile(r"^(\d+)\s*(bis|ter|[a-z](?![a-z]))?[\s,]+(.+)$", re.IGNORECASE)
_TRAILING = re.compile(r"^(.+?)[\s,]+(\d+)\s*([a-z]?)$", re.IGNORECASE)


def street_key(line1: str) -> tuple[str, int, str]:
    """A street line as (street, house number, suffix): "12 bis rue Oberkampf" and
    "Kastanienallee 1" both put the street first, so neighbours follow each other."""
    text = line1.strip()
    if m := _LEADING.match(text):
        return (m.group(3).strip().casefold(), int(m.group(1)), (m.group(2) or "").casefold())
    if m := _TRAILING.match(text):
        return (m.group(1).strip().casefold(), int(m.group(2)), m.group(3).casefold())
    return (text.casefold(), 0, "")


def default_stop_order(stops: Sequence[StopAddress]) -> list[int]:
    """Shipment ids in the order a driver meets them when nobody ordered them: by postal
    code, then street, then house number, then order number (a stable tie-break)."""
    return [
        s.shipment_id
        for s in sorted(
            stops,
            key=lambda s: (
                normalise_postal_code(s.postal_code),
                street_key(s.line1),
                s.order_number,
                s.shipment_id,
            ),
        )
    ]


# -- reports, checked ------------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_DATA_URL = re.compile(r"^data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]+)$")


def proof_image(data: bytes) -> Proof:
    """A proof of delivery as stored: PNG or JPEG (read from its first bytes, whatever the
    sender says), at most 2 MB."""
    if not data:
        raise FieldErrors.single("proof", "an image is required")
    if len(data) > MAX_PROOF_BYTES:
        raise FieldErrors.single("proof", f"at most {MAX_PROOF_BYTES // 1024 // 1024} MB")
    if data.startswith(_PNG):
        return Proof(data, "image/png")
    if data.startswith(_JPEG):
        return Proof(data, "image/jpeg")
    raise FieldErrors.single("proof", "a PNG or JPEG image")


def proof_from_data_url(url: str) -> Proof:
    """A signature drawn on the screen, sent as `data:image/png;base64,...`."""
    if len(url) > MAX_PROOF_BYTES * 4 // 3 + 100:
        raise FieldErrors.single("proof", f"at most {MAX_PROOF_BYTES // 1024 // 1024} MB")
    m = _DATA_URL.match(url.strip())
    if m is None:
        raise FieldErrors.single("proof", "a data URL of a PNG or JPEG image")
    try:
        data = base64.b64decode(m.group(2), validate=False)
    except (binascii.Error, ValueError):
        raise FieldErrors.single("proof", "the image is not valid base64") from None
    return proof_image(data)


def delivered(recipient: str, proof: Proof | None) -> Delivered:
    name = " ".join(recipient.split())
    if not name:
        raise FieldErrors.single("recipient", "the name of who took the parcel")
    if len(name) > MAX_RECIPIENT:
        raise FieldErrors.single("recipient", f"at most {MAX_RECIPIENT} characters")
    return Delivered(name, proof)


def failed(reason: str, note: str | None) -> Failed:
    errors = FieldErrors()
    try:
        why = FailureReason(reason)
    except ValueError:
        errors.add("reason", f"one of {', '.join(r.value for r in FailureReason)}")
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        errors.add("note", f"at most {MAX_NOTE} characters")
    if reason == FailureReason.OTHER and text is None:
        errors.add("note", "say what happened")
    errors.raise_if_any()
    return Failed(why, text)

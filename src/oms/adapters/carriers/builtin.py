"""The built-in carrier: rate tables and an S10 serial range in the database, ReportLab labels.

It is a complete carrier as far as oms can tell: it prices shipments from its zones, issues
unique UPU S10 tracking numbers, prints labels and reads tracking events in the format of
`POST /api/v1/carriers/{code}/events`. A real carrier's API would implement the same port.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.errors import InvalidTrackingNumber, NoRate
from oms.domain.fulfilment.rates import Quote, RateTable
from oms.domain.fulfilment.shipment import CARRIER_STATUSES, ShipmentStatus
from oms.domain.fulfilment.tracking import format_tracking_number, parse_tracking_number
from oms.services.ports.documents import DocumentRenderer, LabelDoc
from oms.services.ports.shipments import CarrierEvent

MAX_NOTE = 500
MAX_PLACE = 200


@dataclass(frozen=True, slots=True)
class CarrierProfile:
    code: str
    name: str
    default_service: str
    service_indicator: str  # the two S10 letters its tracking numbers start with


class BuiltinCarrier:
    def __init__(
        self,
        profile: CarrierProfile,
        rates: Mapping[str, RateTable],
        next_serial: Callable[[], int],
        documents: DocumentRenderer,
    ) -> None:
        self.code = profile.code
        self.name = profile.name
        self.default_service = profile.default_service
        self._indicator = profile.service_indicator
        self._rates = dict(rates)
        self._next_serial = next_serial
        self._documents = documents

    def services(self) -> list[str]:
        return sorted(self._rates)

    def quote(
        self,
        origin: str,
        destination: str,
        postal_code: str,
        weight_grams: int,
        service: str | None = None,
    ) -> Quote:
        service = service or self.default_service
        table = self._rates.get(service)
        if table is None:
            raise NoRate(
                f"carrier {self.code} has no service {service!r} "
                f"(it has: {', '.join(self.services()) or 'none'})"
            )
        return table.quote(origin, destination, postal_code, weight_grams)

    def create_shipment(self, origin: str, service: str) -> str:
        return format_tracking_number(self._indicator, self._next_serial(), origin)

    def label(self, doc: LabelDoc) -> bytes:
        return self._documents.label(doc)

    def parse_event(self, payload: Mapping[str, Any]) -> CarrierEvent:
        """Strict: a valid S10 number, a known status, an aware time; short free texts."""
        errors = FieldErrors()
        number = payload.get("tracking_number")
        if not isinstance(number, str):
            errors.add("tracking_number", "required, a string")
        else:
            try:
                parse_tracking_number(number)
            except InvalidTrackingNumber as error:
                errors.add("tracking_number", error.reason)
        status = payload.get("status")
        allowed = sorted(s.value for s in CARRIER_STATUSES)
        if status not in allowed:
            errors.add("status", f"one of {', '.join(allowed)}")
        at = payload.get("at")
        if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
            errors.add("at", "an ISO 8601 time with its offset")
        for name, limit in (("location", MAX_PLACE), ("note", MAX_NOTE)):
            value = payload.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                errors.add(name, f"text of at most {limit} characters")
        errors.raise_if_any()
        assert isinstance(number, str) and isinstance(at, datetime)
        return CarrierEvent(
            number, ShipmentStatus(str(status)), at, payload.get("location"), payload.get("note")
        )

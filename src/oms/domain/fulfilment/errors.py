"""Errors of the fulfilment rules, each named for the rule it guards."""

from __future__ import annotations

from oms.domain.errors import Conflict, FieldError, InvalidInput


class InvalidTrackingNumber(InvalidInput):
    """A tracking number is not a well-formed UPU S10 identifier."""

    title = "Invalid tracking number"

    def __init__(self, value: str, reason: str, field: str = "tracking_number") -> None:
        self.value = value
        self.reason = reason
        super().__init__([FieldError(field, reason)], f"tracking number {value!r}: {reason}")


class NoRate(Conflict):
    """The carrier's rate table has no zone for this route."""

    title = "No rate for this shipment"


class ShipmentTooHeavy(NoRate):
    """The route has a zone, but the shipment weighs more than the zone accepts."""

    title = "Shipment too heavy for the carrier"

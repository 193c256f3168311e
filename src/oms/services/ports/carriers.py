"""A carrier as oms uses it, and where carriers are found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from oms.domain.fulfilment.rates import Quote
from oms.services.ports.documents import LabelDoc
from oms.services.ports.shipments import CarrierEvent


class CarrierGateway(Protocol):
    """One carrier, as oms uses it: rates, tracking numbers and labels, tracking events.

    A real carrier's API goes behind this interface; the built-in carrier implements it
    from its rate table and serial range in the database.
    """

    code: str
    name: str
    default_service: str

    def services(self) -> list[str]: ...
    def quote(
        self,
        origin: str,
        destination: str,
        postal_code: str,
        weight_grams: int,
        service: str | None = None,
    ) -> Quote:
        """Cost and transit days; raises NoRate or ShipmentTooHeavy."""

    def create_shipment(self, origin: str, service: str) -> str:
        """Book a parcel leaving from country `origin`: its tracking number."""

    def label(self, doc: LabelDoc) -> bytes: ...
    def parse_event(self, payload: Mapping[str, Any]) -> CarrierEvent:
        """Read a tracking event the carrier sent; raises InvalidInput if it is malformed."""


class CarrierRepository(Protocol):
    def get(self, code: str) -> CarrierGateway | None: ...
    def default(self) -> CarrierGateway: ...
    def codes(self) -> list[str]: ...

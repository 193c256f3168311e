"""The printed documents of fulfilment as plain data, and the renderer that prints them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DocAddress:
    """An address as printed: a name, street lines, then postal code, city and country."""

    name: str
    lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True, slots=True)
class PickLineShare:
    """The part of one pick line that goes to one shipment (sorted into that order's tote)."""

    shipment_id: int
    order_number: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PickLineDoc:
    bin: str
    sku: str
    name: str
    quantity: int
    shares: tuple[PickLineShare, ...]


@dataclass(frozen=True, slots=True)
class PickListDoc:
    """A wave: lines already in walking (bin) order."""

    id: int
    location_code: str
    location_name: str
    created_at: datetime
    created_by: str
    lines: tuple[PickLineDoc, ...]
    shipments: tuple[tuple[int, str], ...]  # (shipment id, order number)


@dataclass(frozen=True, slots=True)
class SlipLineDoc:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PackingSlipDoc:
    shipment_id: int
    order_number: str
    order_date: date
    ship_from: DocAddress
    ship_to: DocAddress
    lines: tuple[SlipLineDoc, ...]
    weight_grams: int | None
    tracking_number: str | None
    other_shipments: int  # other shipments of the same order (a split order)


@dataclass(frozen=True, slots=True)
class LabelDoc:
    """A 4x6 inch shipping label; the barcode is Code 128 of the tracking number."""

    tracking_number: str
    carrier_code: str
    carrier_name: str
    service: str
    ship_from: DocAddress
    ship_to: DocAddress
    weight_grams: int
    ship_date: date
    promised_delivery_date: date
    shipment_id: int
    order_number: str
    reference: str | None = None  # printed instead of the shipment (a return: its RMA number)


@dataclass(frozen=True, slots=True)
class ManifestStopDoc:
    seq: int
    shipment_id: int
    order_number: str
    tracking_number: str | None
    ship_to: DocAddress
    phone: str | None
    items: tuple[SlipLineDoc, ...]


@dataclass(frozen=True, slots=True)
class ManifestDoc:
    """A delivery run on paper: its stops in order, with a column for the signature."""

    run_id: int
    location_code: str
    location_name: str
    day: date
    driver: str | None
    status: str
    stops: tuple[ManifestStopDoc, ...]


class DocumentRenderer(Protocol):
    """Makes the printable file of each document (the PDF adapter implements it)."""

    def pick_list(self, doc: PickListDoc) -> bytes: ...
    def packing_slip(self, doc: PackingSlipDoc) -> bytes: ...
    def label(self, doc: LabelDoc) -> bytes: ...
    def manifest(self, doc: ManifestDoc) -> bytes: ...

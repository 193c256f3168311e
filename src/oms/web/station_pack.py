"""The pack bench and the dispatch of one shipment: scanning its items (a barcode scanner
types each code and Enter), packing when the scans match, shipping, and the label and
packing slip to print.

The browser's script (static/station-pack.js) only helps the packer: it counts scans
against what is expected, flags and beeps at a wrong item, and sends the form when all is
scanned. The server decides: the form carries every scan, and `pack_shipment` checks them
against the shipment before anything changes. Without JavaScript the same form works with
the scans typed one per line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from oms.domain.errors import Conflict, InvalidInput
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services import documents, station, warehouse
from oms.services.station import ShipmentCard
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, PageRoute
from oms.web.station import Station, StationDep, pdf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
MAX_SCANS = 20_000  # characters: some hundreds of scans, far beyond a parcel
ScanText = Annotated[str, Form(max_length=MAX_SCANS)]


@dataclass(frozen=True, slots=True)
class PackAttempt:
    form: str  # "pack" or "ship"
    problem: Problem
    scans: str = ""


def scan_counts(text: str) -> list[tuple[str, int]]:
    """The scans as the form sends them, one code a line, counted per code in first-seen
    order (what `pack_shipment` compares with the shipment)."""
    codes = [line.strip() for line in text.splitlines() if line.strip()]
    return list(Counter(codes).items())


def _card(st: Station, shipment_id: int) -> ShipmentCard:
    return station.shipment_card(st.page.uow, st.views, st.page.actor, st.location.id, shipment_id)


def _show(st: Station, shipment_id: int, attempt: PackAttempt | None = None) -> Response:
    card = _card(st, shipment_id)
    return st.render(
        "station/shipment.html",
        attempt.problem.status if attempt else 200,
        s=card,
        attempt=attempt,
        to_pack=card.status is ShipmentStatus.PICKED,
        to_ship=card.status is ShipmentStatus.PACKED,
        expected=sum(line.quantity for line in card.lines),
    )


@router.get("/station/{location_code}/shipments/{shipment_id}")
def shipment_page(st: StationDep, shipment_id: int) -> Response:
    return _show(st, shipment_id)


@router.post("/station/{location_code}/shipments/{shipment_id}/pack")
def pack(
    st: StationDep, shipment_id: int, csrf_token: FormText = "", scans: ScanText = ""
) -> Response:
    st.page.check_csrf(csrf_token)
    _card(st, shipment_id)
    try:
        packed = warehouse.pack_shipment(
            st.page.uow, st.page.actor, shipment_id, scan_counts(scans)
        )
    except (InvalidInput, Conflict) as error:
        return _show(st, shipment_id, PackAttempt("pack", problem_of(error), scans))
    return st.redirect(
        f"/shipments/{shipment_id}",
        f"Shipment {shipment_id} packed ({packed.weight_grams or 0} g). Ship it next.",
    )


@router.post("/station/{location_code}/shipments/{shipment_id}/ship")
def ship(st: StationDep, shipment_id: int, csrf_token: FormText = "") -> Response:
    st.page.check_csrf(csrf_token)
    _card(st, shipment_id)
    try:
        shipped = warehouse.ship_shipment(st.page.uow, st.page.actor, shipment_id)
    except (InvalidInput, Conflict) as error:
        return _show(st, shipment_id, PackAttempt("ship", problem_of(error)))
    return st.redirect(
        f"/shipments/{shipment_id}",
        f"Shipment {shipment_id} shipped with {shipped.carrier}, tracking number "
        f"{shipped.tracking_number}. Print the label and the packing slip.",
    )


@router.get("/station/{location_code}/shipments/{shipment_id}/label.pdf")
def label(st: StationDep, shipment_id: int) -> Response:
    _card(st, shipment_id)
    return pdf(documents.label_pdf(st.page.uow, st.page.actor, shipment_id), f"label-{shipment_id}")


@router.get("/station/{location_code}/shipments/{shipment_id}/packing-slip.pdf")
def packing_slip(st: StationDep, shipment_id: int) -> Response:
    _card(st, shipment_id)
    content = documents.packing_slip_pdf(st.page.uow, st.page.actor, shipment_id)
    return pdf(content, f"packing-slip-{shipment_id}")

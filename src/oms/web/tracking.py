"""The customer's public tracking page, /track/{token}: found only by the unguessable token."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oms.domain.errors import NotFound
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import OrderLine
from oms.domain.orders.problems import LABELS
from oms.domain.orders.status import OrderStatus
from oms.domain.returns.status import ReturnStatus
from oms.services import customer_returns, tracking
from oms.services.completion import CustomerEnd
from oms.services.ports.shipments import StoredCarrierEvent
from oms.web.security import PAGE_HEADERS, STANDALONE_CSP, bound_token
from oms.web.shell import container, cookie_key, templates

router = APIRouter(include_in_schema=False)


# The URL is the secret: it must not be cached, indexed, nor sent on as a Referer.
TRACK_HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": STANDALONE_CSP,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
# What the confirm-receipt form's CSRF token is bound to (web/track_receipt.py checks it).
RECEIPT_CSRF = "track-receipt"
# What a tracking token can look like (secrets.token_urlsafe); anything else is not looked up.
TRACK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")

_ORDER_WORDS = {
    OrderStatus.PENDING: "Received",
    OrderStatus.CONFIRMED: "Confirmed",
    OrderStatus.ON_HOLD: "On hold",
    OrderStatus.PROCESSING: "Being prepared",
    OrderStatus.PARTIALLY_SHIPPED: "Partly shipped",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.COMPLETED: "Completed",
}
DELIVERY_PROBLEM = "There is a problem with the delivery"
LOST = "Lost on its way"
_LOST = frozenset({ShipmentStatus.LOST, ShipmentStatus.REPLACED})
# A return's status as its customer reads it: what it means for them, what comes next.
RETURN_WORDS = {
    ReturnStatus.REQUESTED: "Requested: we will review it and tell you how to send it back",
    ReturnStatus.APPROVED: "Approved: please send the parcel back",
    ReturnStatus.REJECTED: "Declined: please contact us if you have questions",
    ReturnStatus.RECEIVED: "Received: we are checking the items",
    ReturnStatus.INSPECTED: "Checked",
    ReturnStatus.REFUNDED: "Refunded",
    ReturnStatus.EXCHANGED: "Exchanged",
    ReturnStatus.CLOSED: "Closed",
}
# The steps of a parcel's journey, and the step each status has reached.
_STEPS = ("Preparing", "Shipped", "In transit", "Out for delivery", "Delivered")
_STEP_OF = {
    ShipmentStatus.OPEN: 0,
    ShipmentStatus.PICKING: 0,
    ShipmentStatus.PICKED: 0,
    ShipmentStatus.PACKED: 0,
    ShipmentStatus.SHIPPED: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.OUT_FOR_DELIVERY: 3,
    ShipmentStatus.DELIVERED: 4,
}
_PREPARING_DETAIL = {
    ShipmentStatus.OPEN: "Waiting to be picked in the warehouse",
    ShipmentStatus.PICKING: "Being picked in the warehouse",
    ShipmentStatus.PICKED: "Picked, about to be packed",
    ShipmentStatus.PACKED: "Packed, waiting for the carrier",
}


def long_date(day: date) -> str:
    """'Wednesday 4 March 2026' (no leading zero, whatever the platform's strftime)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _moment(at: datetime) -> str:
    """A carrier event's time: oms keeps times in UTC, and says so."""
    return f"{long_date(at.date())}, {at:%H:%M} UTC"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    label: str
    state: str  # done | current | problem | todo
    when: str = ""
    where: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ParcelView:
    headline: str
    problem: bool
    delivered: bool
    late: bool
    carrier: str | None
    service: str | None
    tracking_number: str | None
    promised: str | None
    units: list[tuple[str, int]]
    timeline: list[TimelineEntry]
    lost: bool = False  # lost on its way (awaiting a new parcel, or replaced by one)
    lost_note: str = ""  # a lost parcel, or one sent again for it, in plain words
    delivered_to: str | None = None  # "Ann Smith, Friday 4 December 2026, 10:02 UTC"


@dataclass(frozen=True, slots=True)
class ItemView:
    name: str
    quantity: int
    progress: str
    sku: str


@dataclass(frozen=True, slots=True)
class TrackingView:
    number: str
    status: str
    cancelled: bool
    arrived: bool
    placed: str
    destination: str
    items: list[ItemView]
    parcels: list[ParcelView]


def _item(line: OrderLine, names: dict[str, str]) -> ItemView:
    wanted = line.quantity - line.cancelled_quantity
    if wanted <= 0:
        progress = "Cancelled"
    elif line.delivered_quantity >= wanted:
        progress = "Delivered"
    elif line.shipped_quantity >= wanted:
        progress = "Shipped"
    elif line.shipped_quantity:
        progress = f"{line.shipped_quantity} of {wanted} shipped"
    else:
        progress = ""
    if line.cancelled_quantity and wanted > 0:
        progress = ", ".join(filter(None, [progress, f"{line.cancelled_quantity} cancelled"]))
    return ItemView(names.get(line.sku, line.sku), line.quantity, progress, line.sku)


def _event_entry(stored: StoredCarrierEvent) -> TimelineEntry:
    event = stored.event
    problem = event.status in (ShipmentStatus.EXCEPTION, ShipmentStatus.LOST)
    label = _STEPS[_STEP_OF.get(event.status, 2)]
    if problem:
        label = LOST if event.status is ShipmentStatus.LOST else DELIVERY_PROBLEM
    return TimelineEntry(
        label,
        "problem" if problem else "done",
        _moment(event.at),
        event.location or "",
        event.note or "",
    )


def _timeline(tracked: tracking.TrackedShipment) -> list[TimelineEntry]:
    """Oldest first: preparing, shipped, each carrier event, then the steps still to come."""
    shipment = tracked.shipment
    events = [e.event.status for e in tracked.events]
    reached = max(
        [_STEP_OF.get(shipment.status, 1)] + [_STEP_OF[s] for s in events if s in _STEP_OF]
    )
    detail = _PREPARING_DETAIL.get(shipment.status, "")
    entries = [TimelineEntry(_STEPS[0], "done" if reached else "current", note=detail)]
    if reached:
        ship_date = long_date(shipment.ship_date) if shipment.ship_date else ""
        entries.append(TimelineEntry(_STEPS[1], "done", ship_date))
        entries.extend(_event_entry(e) for e in tracked.events)
        if entries[-1].state == "done":
            last = entries[-1]
            entries[-1] = TimelineEntry(last.label, "current", last.when, last.where, last.note)
    if shipment.status in _LOST:  # its journey ends here, lost (declared, or the carrier's)
        if not any(e.event.status is ShipmentStatus.LOST for e in tracked.events):
            entries.append(TimelineEntry(LOST, "problem"))
        return entries
    entries.extend(TimelineEntry(label, "todo") for label in _STEPS[reached + 1 :])
    return entries


def _lost_note(shipment: Shipment, numbers: dict[int, int], sent_again: dict[int, int]) -> str:
    """What the customer needs to know of a lost parcel, or of one that replaces it."""
    if shipment.status is ShipmentStatus.LOST:
        return (
            "The carrier has lost this parcel. We are sorry: we are sending your items "
            "again, and the new parcel will show here."
        )
    if shipment.status is ShipmentStatus.REPLACED:
        again = sent_again.get(shipment.id)
        if again in numbers:
            return (
                "This parcel was lost on its way. Your items are on their way again: see "
                f"parcel {numbers[again]}."
            )
        return (
            "This parcel was lost on its way. We will send your items again as soon as "
            "they are back in stock."
        )
    if shipment.replaces_id in numbers:
        lost = numbers[shipment.replaces_id]
        return f"A new parcel with the items of parcel {lost}, which was lost on its way."
    return ""


def _headline(status: ShipmentStatus) -> str:
    if status is ShipmentStatus.EXCEPTION:
        return "Delivery problem"
    if status is ShipmentStatus.RETURNED:
        return "Returned to us after failed delivery attempts"
    if status in _LOST:
        return LOST
    return _STEPS[_STEP_OF.get(status, 1)]


def _parcel(
    tracked: tracking.TrackedShipment,
    names: dict[str, str],
    lost_note: str = "",
    delivered_to: tuple[str, datetime] | None = None,
) -> ParcelView:
    shipment = tracked.shipment
    problem = shipment.status in (ShipmentStatus.EXCEPTION, ShipmentStatus.RETURNED)
    delivered = shipment.status is ShipmentStatus.DELIVERED
    promised = shipment.promised_delivery_date
    return ParcelView(
        headline=_headline(shipment.status),
        problem=problem,
        delivered=delivered,
        late=tracked.late,
        carrier=shipment.carrier,
        service=shipment.service,
        tracking_number=shipment.tracking_number,
        promised=long_date(promised) if promised and not delivered else None,
        units=[(names.get(line.sku, line.sku), line.quantity) for line in shipment.lines],
        timeline=_timeline(tracked),
        lost=shipment.status in _LOST,
        lost_note=lost_note,
        delivered_to=f"{delivered_to[0]}, {_moment(delivered_to[1])}" if delivered_to else None,
    )


def tracking_view(found: tracking.Tracking) -> TrackingView:
    """What the page shows: only the city, postal code and country of the address."""
    order = found.order
    address = order.shipping_address
    numbers = {t.shipment.id: i for i, t in enumerate(found.shipments, start=1)}
    sent_again = {
        t.shipment.replaces_id: t.shipment.id for t in found.shipments if t.shipment.replaces_id
    }
    return TrackingView(
        number=order.number,
        status=_ORDER_WORDS.get(order.status, order.status.value.replace("_", " ").capitalize()),
        cancelled=order.status is OrderStatus.CANCELLED,
        arrived=order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
        placed=long_date(order.created_at.date()),
        destination=f"{address.postal_code} {address.city}, {address.country}",
        items=[_item(line, found.product_names) for line in order.lines],
        parcels=[
            _parcel(
                t,
                found.product_names,
                _lost_note(t.shipment, numbers, sent_again),
                found.delivered_to.get(t.shipment.id),
            )
            for t in found.shipments
        ],
    )


def receipt_context(request: Request, token: str, end: CustomerEnd | None) -> dict[str, object]:
    """The end of the journey's part of the page; its forms post to web/track_receipt.py."""
    return {
        "end": end,
        "receipt_url": f"/track/{token}/receipt",
        "report_url": f"/track/{token}/problem",
        "receipt_csrf": bound_token(cookie_key(request), RECEIPT_CSRF, token, int(time.time())),
        "problem_words": LABELS,
    }


@router.get("/track/{token:path}")
def track(request: Request, token: str) -> Response:
    """The customer's page. Any token that finds nothing, well-formed or not, is the same 404."""
    found = returns = None
    if TRACK_TOKEN.fullmatch(token):
        uow = container(request).uow()
        try:
            found = tracking.tracking(uow, token)
            returns = customer_returns.returnable(uow, token)
        except NotFound:
            found = None
    view = tracking_view(found) if found is not None else None
    response = templates.TemplateResponse(
        request,
        "track.html",
        {
            "t": view,
            "problem": DELIVERY_PROBLEM,
            "returns": returns,
            "return_words": RETURN_WORDS,
            "long_date": long_date,
            "return_url": f"/track/{token}/return",
            **(receipt_context(request, token, found.end) if found else {}),
        },
        status_code=200 if view else 404,
    )
    response.headers.update(TRACK_HEADERS)
    return response

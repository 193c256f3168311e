"""The staff back office (login, logout, home) and the customer's public tracking page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from oms.bootstrap import Container
from oms.domain.access import Permission
from oms.domain.errors import NotFound, TooManyAttempts, Unauthenticated
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import OrderLine
from oms.domain.orders.status import OrderStatus
from oms.domain.users import SESSION_LIFETIME
from oms.services import orders, sessions, tracking
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import StoredCarrierEvent
from oms.services.sessions import LoginAttempt, Session
from oms.web.security import (
    LOGIN_CSRF_COOKIE,
    PAGE_HEADERS,
    SESSION_COOKIE,
    clear_cookie,
    new_csrf_token,
    same_secret,
    set_cookie,
    sign,
    unsign,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
FormText = Annotated[str, Form(max_length=1024)]
LOGIN_CSRF_AGE = 3600
HOME_ORDERS = 20
FORM_EXPIRED = "This form has expired. Please try again."


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _key(request: Request) -> bytes:
    """The cookie-signing key: OMS_SECRET_KEY, or the one kept in the database."""
    key: bytes | None = getattr(request.app.state, "cookie_key", None)
    if key is None:
        container = _container(request)
        secret = container.settings.secret_key
        text = secret.get_secret_value() if secret else sessions.signing_key(container.uow())
        key = request.app.state.cookie_key = text.encode()
    return key


def _secure(request: Request) -> bool:
    return _container(request).settings.cookie_secure


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


def _session(request: Request) -> Session | None:
    session_id = unsign(_key(request), "session", request.cookies.get(SESSION_COOKIE))
    try:
        return sessions.current_session(_container(request).uow(), session_id)
    except Unauthenticated:
        return None


def _login_form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The login page with a fresh pre-session CSRF token, in the form and in a cookie."""
    token = new_csrf_token()
    response = _page(request, "login.html", status, csrf_token=token, error=error)
    signed = sign(_key(request), "login-csrf", token)
    set_cookie(
        response, LOGIN_CSRF_COOKIE, signed, LOGIN_CSRF_AGE, secure=_secure(request), path="/login"
    )
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    if _session(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_form(request)


@router.post("/login")
def login(
    request: Request,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    expected = unsign(_key(request), "login-csrf", request.cookies.get(LOGIN_CSRF_COOKIE))
    if expected is None or not same_secret(csrf_token, expected):
        return _login_form(request, 403, FORM_EXPIRED)
    address = request.client.host if request.client else "unknown"
    try:
        session = sessions.login(
            _container(request).uow(), LoginAttempt(username, password, address)
        )
    except Unauthenticated:
        return _login_form(request, 401, "Wrong user name or password.")
    except TooManyAttempts:
        return _login_form(request, 429, "Too many failed attempts. Wait a minute and try again.")
    response = RedirectResponse("/", status_code=303)
    secure = _secure(request)
    signed = sign(_key(request), "session", session.session_id)
    max_age = int(SESSION_LIFETIME.total_seconds())
    set_cookie(response, SESSION_COOKIE, signed, max_age, secure=secure)
    clear_cookie(response, LOGIN_CSRF_COOKIE, secure=secure, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: FormText = "") -> Response:
    session = _session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if not same_secret(csrf_token, session.csrf_token):
        return _page(request, "error.html", 403, message=FORM_EXPIRED, session=session)
    sessions.logout(_container(request).uow(), session.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, SESSION_COOKIE, secure=_secure(request))
    return response


@router.get("/")
def home(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    newest = None
    if session.actor.may(Permission.ORDER_READ):
        uow = _container(request).uow()
        newest = orders.list_orders(uow, session.actor, OrderFilter(limit=HOME_ORDERS))
    return _page(request, "home.html", session=session, orders=newest)


# -- the customer's tracking page: public, found by the unguessable token in its URL -----------

# The URL is the secret: it must not be cached, indexed, nor sent on as a Referer.
TRACK_HEADERS = {
    **PAGE_HEADERS,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
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
    problem = event.status is ShipmentStatus.EXCEPTION
    label = DELIVERY_PROBLEM if problem else _STEPS[_STEP_OF.get(event.status, 2)]
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
    entries.extend(TimelineEntry(label, "todo") for label in _STEPS[reached + 1 :])
    return entries


def _parcel(tracked: tracking.TrackedShipment, names: dict[str, str]) -> ParcelView:
    shipment = tracked.shipment
    problem = shipment.status is ShipmentStatus.EXCEPTION
    delivered = shipment.status is ShipmentStatus.DELIVERED
    promised = shipment.promised_delivery_date
    return ParcelView(
        headline="Delivery problem" if problem else _STEPS[_STEP_OF[shipment.status]],
        problem=problem,
        delivered=delivered,
        late=tracked.late,
        carrier=shipment.carrier,
        service=shipment.service,
        tracking_number=shipment.tracking_number,
        promised=long_date(promised) if promised and not delivered else None,
        units=[(names.get(line.sku, line.sku), line.quantity) for line in shipment.lines],
        timeline=_timeline(tracked),
    )


def tracking_view(found: tracking.Tracking) -> TrackingView:
    """What the page shows: only the city, postal code and country of the address."""
    order = found.order
    address = order.shipping_address
    return TrackingView(
        number=order.number,
        status=_ORDER_WORDS.get(order.status, order.status.value.replace("_", " ").capitalize()),
        cancelled=order.status is OrderStatus.CANCELLED,
        arrived=order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
        placed=long_date(order.created_at.date()),
        destination=f"{address.postal_code} {address.city}, {address.country}",
        items=[_item(line, found.product_names) for line in order.lines],
        parcels=[_parcel(t, found.product_names) for t in found.shipments],
    )


@router.get("/track/{token:path}")
def track(request: Request, token: str) -> Response:
    """The customer's page. Any token that finds nothing, well-formed or not, is the same 404."""
    found = None
    if TRACK_TOKEN.fullmatch(token):
        try:
            found = tracking.tracking(_container(request).uow(), token)
        except NotFound:
            found = None
    view = tracking_view(found) if found is not None else None
    response = templates.TemplateResponse(
        request,
        "track.html",
        {"t": view, "problem": DELIVERY_PROBLEM},
        status_code=200 if view else 404,
    )
    response.headers.update(TRACK_HEADERS)
    return response

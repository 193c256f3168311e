"""Use cases for returns (RMA): start, approve, reject, receive, inspect, read and list.

Each is one transaction: the order row is locked before the return's (the lock order every
writer of a return keeps), the return's verbs decide, the order's verb counts the units
that came back, `stock_moves` puts resellable units on hand and writes damaged ones off,
and the return's events go to the order's timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import split
from oms.domain.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from oms.domain.fulfilment.calendar import default_time_zone
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.model import LedgerKind
from oms.domain.inventory.moves import Change
from oms.domain.orders.model import Order
from oms.domain.returns.model import Inspected, Received, Return, ReturnLabel, return_number
from oms.domain.returns.policy import (
    DEFAULT_POLICY,
    Asked,
    Delivered,
    OverrideNotAllowed,
    RequestedLine,
    ReturnPolicy,
    check_request,
    check_shape,
)
from oms.domain.returns.reasons import Resolution
from oms.domain.returns.status import COUNTS_AGAINST_DELIVERED
from oms.services import sourcing, stock_moves
from oms.services.backorders import fill_backorders
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import ReturnFilter

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class StartReturn:
    lines: Sequence[RequestedLine]
    resolution: Resolution
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiveReturn:
    """The parcel arrived at `location`: units per SKU, as counted."""

    location: str
    lines: Sequence[tuple[str, int]]


def customer_zone(order: Order) -> ZoneInfo:
    """Where the customer counts days: the time zone of the delivery address's country."""
    return ZoneInfo(default_time_zone(order.shipping_address.country))


def load_locked(uow: UnitOfWork, return_id: int) -> tuple[Return, Order]:
    """The return and its order, both locked: the order first (the lock order)."""
    seen = uow.returns.get(return_id)
    if seen is None:
        raise NotFound(f"no return with id {return_id}")
    order = uow.orders.get(seen.order_id, lock=True)
    r = uow.returns.get(return_id, lock=True)
    assert order is not None and r is not None
    return r, order


def save_with_events(uow: UnitOfWork, r: Return, order: Order, actor: Actor, now: datetime) -> None:
    """Store the return, and its events in the order's timeline."""
    uow.returns.save(r)
    for event in r.events:
        order.record(event)
    r.events.clear()
    uow.orders.save(order, actor.name, now)


def _delivered_shipments(uow: UnitOfWork, order: Order) -> list[Shipment]:
    found = uow.shipments.of_orders([order.id]).get(order.id, [])
    return [s for s in found if s.status is ShipmentStatus.DELIVERED]


def _what_was_delivered(uow: UnitOfWork, order: Order) -> dict[str, Delivered]:
    """Per SKU: units delivered, units already in a return that was not rejected, and when
    the last parcel carrying it was delivered."""
    delivered: dict[str, int] = defaultdict(int)
    for line in order.lines:
        delivered[line.sku] += line.delivered_quantity
    in_returns: dict[str, int] = defaultdict(int)
    for r in uow.returns.of_order(order.id):
        if r.status in COUNTS_AGAINST_DELIVERED:
            for ln in r.lines:
                in_returns[ln.sku] += ln.quantity
    last: dict[str, datetime] = {}
    for s in _delivered_shipments(uow, order):
        at = s.last_event_at or s.updated_at
        for sl in s.lines:
            last[sl.sku] = max(last.get(sl.sku, at), at)
    return {
        sku: Delivered(sku, units, in_returns[sku], last.get(sku))
        for sku, units in delivered.items()
    }


def start_return(uow: UnitOfWork, actor: Actor, order_id: int, cmd: StartReturn) -> Return:
    """A return of delivered units, within the channel's policy (or overridden, with a reason,
    by someone allowed to). Lands as `requested`."""
    actor.require(Permission.RETURN_CREATE)
    check_shape(cmd.lines, cmd.override_reason)

    def work() -> Return:
        order = uow.orders.get(order_id, lock=True)
        if order is None:
            raise NotFound(f"no order with id {order_id}")
        try:
            return record_request(
                uow, order, cmd, Requester(actor.name, actor.may(Permission.RETURN_MANAGE))
            )
        except OverrideNotAllowed as refused:
            raise PermissionDenied(
                f"role {actor.role.value} may not override the return policy: {refused}"
            ) from None

    return uow.run(work)


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks for a return: the name in the timeline, and whether they may override."""

    name: str
    may_override: bool = False


def what_may_come_back(uow: UnitOfWork, order: Order) -> tuple[ReturnPolicy, dict[str, Delivered]]:
    """The policy of the order's channel, and per SKU what was delivered and when."""
    return uow.returns.policy(order.channel) or DEFAULT_POLICY, _what_was_delivered(uow, order)


def record_request(uow: UnitOfWork, order: Order, cmd: StartReturn, by: Requester) -> Return:
    """The request itself, the same for staff (`start_return`) and for the customer
    (`customer_returns`): the policy checks it against what was delivered, the return lands
    as `requested`, and its events go to the order's timeline. The caller has checked the
    shape and holds the order's lock. `OverrideNotAllowed`: an override from one who may not."""
    now = uow.now()
    policy, delivered = what_may_come_back(uow, order)
    asked = Asked(cmd.lines, customer_zone(order), now, cmd.override_reason, by.may_override)
    overridden = check_request(policy, asked, delivered)
    products = {line.sku: line.product_id for line in order.lines}
    return_id = uow.returns.next_id()
    r = Return.request(
        (return_id, return_number(return_id), order.id),
        [(line, products[line.sku]) for line in cmd.lines],
        cmd.resolution,
        overridden,
        (by.name, now),
    )
    uow.returns.add(r)
    for event in r.events:
        order.record(event)
    r.events.clear()
    uow.orders.save(order, by.name, now)
    return r


def approve_return(uow: UnitOfWork, actor: Actor, return_id: int) -> Return:
    """Approve: the order's carrier issues the return parcel's tracking number (S10, from
    the customer's country) addressed to the location the goods were sent from."""
    actor.require(Permission.RETURN_MANAGE)

    def work() -> Return:
        r, order = load_locked(uow, return_id)
        now = uow.now()
        r.approve(_label(uow, r, order, now), now)
        save_with_events(uow, r, order, actor, now)
        return r

    return uow.run(work)


def _label(uow: UnitOfWork, r: Return, order: Order, now: datetime) -> ReturnLabel:
    skus = {line.sku for line in r.lines}
    carrying = [s for s in _delivered_shipments(uow, order) if skus & set(s.contents())]
    if not carrying:
        raise Conflict(f"order {order.number} has no delivered parcel carrying these products")
    last = max(carrying, key=lambda s: (s.last_event_at or s.updated_at, s.id))
    carrier = (uow.carriers.get(last.carrier) if last.carrier else None) or uow.carriers.default()
    location = uow.locations.by_id(last.location_id)
    assert location is not None
    weights = uow.products.by_ids([line.product_id for line in r.lines])
    grams = sum((weights[ln.product_id].weight_grams or 0) * ln.quantity for ln in r.lines)
    home = order.shipping_address.country
    quote = carrier.quote(home, location.country, location.postal_code, grams)
    ship_date = now.astimezone(customer_zone(order)).date()
    return ReturnLabel(
        carrier=carrier.code,
        service=carrier.default_service,
        tracking_number=carrier.create_shipment(home, carrier.default_service),
        weight_grams=grams,
        ship_date=ship_date,
        promised_delivery_date=ship_date + timedelta(days=quote.transit_days),
        location_id=location.id,
        cost=quote.cost,
    )


def reject_return(uow: UnitOfWork, actor: Actor, return_id: int, reason: str) -> Return:
    actor.require(Permission.RETURN_MANAGE)

    def work() -> Return:
        r, order = load_locked(uow, return_id)
        now = uow.now()
        r.reject(reason, now)
        save_with_events(uow, r, order, actor, now)
        return r

    return uow.run(work)


def receive_return(uow: UnitOfWork, actor: Actor, return_id: int, cmd: ReceiveReturn) -> Return:
    """The parcel is back at a location: the return counts what came, and so do the order's
    lines (`returned_quantity`). Stock moves at inspection, when each unit's fate is known."""
    actor.require(Permission.RETURN_RECEIVE)
    units = _units(cmd.lines)

    def work() -> Return:
        location = uow.locations.get(cmd.location)
        if location is None:
            raise FieldErrors.single("location", f"no location with code {cmd.location!r}")
        r, order = load_locked(uow, return_id)
        now = uow.now()
        r.receive(Received(location.id, location.code, units), now)
        order.receive_return(
            _per_order_line(order, units),
            {
                "return_id": r.id,
                "number": r.number,
                "location": location.code,
                "lines": [{"sku": s, "quantity": q} for s, q in units.items() if q],
            },
        )
        save_with_events(uow, r, order, actor, now)
        return r

    return uow.run(work)


def _units(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    errors = FieldErrors()
    units: dict[str, int] = {}
    for i, (sku, quantity) in enumerate(lines):
        if sku in units:
            errors.add(f"lines[{i}].sku", f"{sku} is already on another line")
        units[sku] = quantity
    if not lines:
        errors.add("lines", "at least one line")
    errors.raise_if_any()
    return units


def _per_order_line(order: Order, units: Mapping[str, int]) -> dict[int, int]:
    """Units per order line id: an order has one line per SKU (decision 0002)."""
    line_of = {line.sku: line.id for line in order.lines}
    return {line_of[sku]: quantity for sku, quantity in units.items() if quantity}


def inspect_return(
    uow: UnitOfWork, actor: Actor, return_id: int, found: Sequence[Inspected]
) -> Return:
    """Each received unit is resellable (back on hand where it was received, and waiting
    orders served from it) or damaged (written off), with the return named in the ledger."""
    actor.require(Permission.RETURN_RECEIVE)

    def work() -> Return:
        seen = uow.returns.get(return_id)
        if seen is None:
            raise NotFound(f"no return with id {return_id}")
        now = uow.now()
        # The stock rows first, then the order and the return: the lock order of every writer.
        rows = {}
        # A returned kit is its components back on their rows (decision 0008).
        kits = sourcing.kits_in(uow, [ln.product_id for ln in seen.lines if ln.received_quantity])
        if seen.received_location_id is not None:
            wanted = {ln.product_id for ln in seen.lines if ln.received_quantity}
            for product_id in sourcing.stock_products(sorted(wanted), kits):
                rows[product_id] = uow.stock.lock_row(seen.received_location_id, product_id, now)
        r, order = load_locked(uow, return_id)
        r.inspect(found, now)
        why = f"return {r.number} of order {order.number}"
        for line in r.lines:
            if not line.received_quantity:
                continue
            back = Change(actor.name, now, f"{why}: {line.reason.value}")
            for product_id, q in split(kits, line.product_id, line.received_quantity):
                stock_moves.receive(uow, rows[product_id], q, back, LedgerKind.RETURN)
            if line.damaged_quantity:
                gone = Change(actor.name, now, f"{why}: damaged ({line.reason.value})")
                for product_id, q in split(kits, line.product_id, line.damaged_quantity):
                    stock_moves.write_off(uow, rows[product_id], q, gone)
        # Saved before filling: filling may load and save this same order (partly shipped).
        save_with_events(uow, r, order, actor, now)
        location = uow.locations.by_id(r.received_location_id or 0)
        restocked = sorted({ln.product_id for ln in r.lines if ln.resellable_quantity})
        if restocked and location is not None and location.ships:
            fill_backorders(uow, restocked, Change(actor.name, now))
        return r

    return uow.run(work)


def get_return(uow: UnitOfWork, actor: Actor, return_id: int) -> Return:
    actor.require(Permission.ORDER_READ)
    found = uow.run(lambda: uow.returns.get(return_id), write=False)
    if found is None:
        raise NotFound(f"no return with id {return_id}")
    return found


def list_returns(uow: UnitOfWork, actor: Actor, flt: ReturnFilter) -> list[Return]:
    """Newest first; `status` and `order_id` narrow it, `before_id` pages it."""
    actor.require(Permission.ORDER_READ)
    limited = ReturnFilter(flt.status, flt.order_id, flt.before_id, min(flt.limit, MAX_PAGE))
    return uow.run(lambda: uow.returns.search(limited), write=False)


def returns_of_order(uow: UnitOfWork, actor: Actor, order_id: int) -> list[Return]:
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: uow.returns.of_order(order_id), write=False)

"""The customer's own return request, from the public tracking page: what may go back now,
asking for it (within the policy only: a customer never overrides it), and the order's
returns as the customer sees them. The order is found by its unguessable tracking token."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from oms.domain.errors import Conflict, FieldError, NotFound
from oms.domain.orders.model import Order
from oms.domain.returns.model import Return
from oms.domain.returns.policy import RequestedLine, check_shape
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services.ports import UnitOfWork
from oms.services.returns import (
    Requester,
    StartReturn,
    customer_zone,
    record_request,
    what_may_come_back,
)

# The timeline's actor column holds 100 characters; user names never hold a space or "(".
_MAX_ACTOR_NAME = 80


@dataclass(frozen=True, slots=True)
class ReturnableItem:
    """One product the customer has: units delivered and not yet in a return, and the last
    day (in the customer's time zone) on which they may be sent back."""

    sku: str
    name: str
    units: int
    last_day: date | None
    open: bool


@dataclass(frozen=True, slots=True)
class CustomerReturn:
    """A return as its customer sees it: no staff notes, no override or rejection reason."""

    number: str
    status: ReturnStatus
    created_at: datetime
    lines: list[tuple[str, int]]  # product name, units
    carrier: str | None
    tracking_number: str | None  # once approved


@dataclass(frozen=True, slots=True)
class Returnable:
    order_number: str
    items: list[ReturnableItem]  # every product with units left, its window open or not
    reasons: tuple[ReturnReason, ...]
    resolutions: tuple[Resolution, ...]
    returns: list[CustomerReturn]  # the order's returns, newest first

    @property
    def open_items(self) -> list[ReturnableItem]:
        return [item for item in self.items if item.open and item.units > 0]


@dataclass(frozen=True, slots=True)
class RequestReturn:
    """The customer's form: units and a reason per SKU, refund or exchange, one note."""

    lines: Sequence[RequestedLine]
    resolution: Resolution
    note: str | None = None


def customer_name(order: Order) -> str:
    """The actor of the customer's own steps in the timeline: plainly not a staff user."""
    return f"customer ({order.customer.name[:_MAX_ACTOR_NAME]})"


def _order(uow: UnitOfWork, token: str, *, lock: bool = False) -> Order:
    order_id = uow.orders.id_by_tracking_token(token) if 20 <= len(token) <= 64 else None
    order = uow.orders.get(order_id, lock=lock) if order_id is not None else None
    if order is None:
        raise NotFound("no such tracking page")
    return order


def _view(uow: UnitOfWork, order: Order) -> Returnable:
    policy, delivered = what_may_come_back(uow, order)
    zone, now = customer_zone(order), uow.now()
    found = uow.returns.of_order(order.id)
    ids = {line.product_id for line in order.lines}
    products = uow.products.by_ids(sorted(ids))
    names = {p.sku: p.name for p in products.values()}
    items = []
    for line in order.lines:
        have = delivered.get(line.sku)
        if have is None or have.returnable <= 0:
            continue
        at = have.last_delivered_at
        items.append(
            ReturnableItem(
                line.sku,
                names.get(line.sku, line.sku),
                have.returnable,
                policy.last_day(at, zone) if at else None,
                at is not None and policy.is_open(at, zone, now),
            )
        )
    shown = [
        CustomerReturn(
            r.number,
            r.status,
            r.created_at,
            [(names.get(ln.sku, ln.sku), ln.quantity) for ln in r.lines],
            r.label.carrier if r.label else None,
            r.tracking_number,
        )
        for r in sorted(found, key=lambda r: r.id, reverse=True)
    ]
    return Returnable(order.number, items, tuple(ReturnReason), tuple(Resolution), shown)


def returnable(uow: UnitOfWork, token: str) -> Returnable:
    """What the customer of the order behind `token` may send back now (NotFound otherwise)."""
    return uow.run(lambda: _view(uow, _order(uow, token)), write=False)


def request_return(uow: UnitOfWork, token: str, cmd: RequestReturn) -> Return:
    """The customer asks to send units back: within the policy only, refused in plain words
    otherwise. Lands as `requested`, with the customer as the timeline's actor."""
    note = cmd.note.strip() if cmd.note and cmd.note.strip() else None
    lines = [RequestedLine(ln.sku, ln.quantity, ln.reason, note) for ln in cmd.lines]
    check_shape(lines, None)

    def work() -> Return:
        order = _order(uow, token, lock=True)
        _check_in_policy(lines, _view(uow, order))
        start = StartReturn(lines, cmd.resolution)
        try:
            return record_request(uow, order, start, Requester(customer_name(order)))
        except Conflict as refused:
            if any(e.field == "override_reason" for e in refused.errors):
                # Not reached after _check_in_policy; never show the staff's hint to a customer.
                raise Conflict("The return window for these items has closed.") from None
            raise

    return uow.run(work)


def _check_in_policy(lines: Sequence[RequestedLine], view: Returnable) -> None:
    """The customer's words for what the policy refuses: more than they have, or too late."""
    items = {item.sku: item for item in view.items}
    over: list[FieldError] = []
    late: list[FieldError] = []
    for i, line in enumerate(lines):
        item = items.get(line.sku)
        field = f"lines[{i}].quantity"
        if item is None:
            over.append(FieldError(field, f"{line.sku}: nothing delivered is left to send back"))
        elif line.quantity > item.units:
            over.append(FieldError(field, f"{item.name}: you can send back at most {item.units}"))
        elif not item.open:
            day = item.last_day
            closed = f"{day.day} {day:%B %Y}" if day else "before delivery"
            late.append(FieldError(field, f"{item.name}: the return window closed on {closed}"))
    if over:
        raise Conflict("You asked to send back more than you received. " + _said(over), over)
    if late:
        raise Conflict("It is too late to send these items back. " + _said(late), late)


def _said(errors: Sequence[FieldError]) -> str:
    return "; ".join(e.message for e in errors) + "."

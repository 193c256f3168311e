"""The return policy of a channel and the rules a return request must pass.

The window is counted in whole days in the customer's time zone: a parcel delivered at
23:30 on 1 March with a 14-day window may be sent back until the end of 15 March where the
customer lives, whatever the time in UTC. A SKU that came in several parcels counts from
the last one that delivered it (the customer cannot tell which unit came in which parcel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from oms.domain.errors import Conflict, FieldError, FieldErrors
from oms.domain.orders.draft import MAX_NOTE, MAX_REASON
from oms.domain.returns.reasons import CUSTOMERS_CHOICE, ReturnReason

MAX_WINDOW_DAYS = 3650
MAX_COMPLETION_DAYS = 365
DEFAULT_COMPLETION_DAYS = 14


class Payer(StrEnum):
    """Who pays for the parcel coming back."""

    SELLER = "seller"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    """A channel's rules: the window, the SKUs that never come back, who pays the parcel;
    and its completion window: days after the last delivery when an order with nothing
    open completes by itself (`domain/orders/completion.py`)."""

    window_days: int = 30
    non_returnable: frozenset[str] = frozenset()
    customer_pays: frozenset[ReturnReason] = CUSTOMERS_CHOICE
    completion_days: int = DEFAULT_COMPLETION_DAYS

    def __post_init__(self) -> None:
        if not 0 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"a return window is 0 to {MAX_WINDOW_DAYS} days")
        if not 0 <= self.completion_days <= MAX_COMPLETION_DAYS:
            raise ValueError(f"a completion window is 0 to {MAX_COMPLETION_DAYS} days")

    def shipping_paid_by(self, reason: ReturnReason) -> Payer:
        return Payer.CUSTOMER if reason in self.customer_pays else Payer.SELLER

    def last_day(self, delivered_at: datetime, zone: ZoneInfo) -> date:
        """The last local day on which the goods may be sent back."""
        return delivered_at.astimezone(zone).date() + timedelta(days=self.window_days)

    def window_closes(self, delivered_at: datetime, zone: ZoneInfo) -> datetime:
        """The first instant outside the window: midnight after the last day, locally."""
        return datetime.combine(self.last_day(delivered_at, zone) + timedelta(days=1), time(), zone)

    def is_open(self, delivered_at: datetime, zone: ZoneInfo, now: datetime) -> bool:
        return now < self.window_closes(delivered_at, zone)


DEFAULT_POLICY = ReturnPolicy()


@dataclass(frozen=True, slots=True)
class Delivered:
    """What the customer has of one SKU: units delivered and not yet in a return, and
    when the last parcel carrying it was delivered."""

    sku: str
    delivered: int
    in_returns: int
    last_delivered_at: datetime | None

    @property
    def returnable(self) -> int:
        return max(self.delivered - self.in_returns, 0)


@dataclass(frozen=True, slots=True)
class RequestedLine:
    sku: str
    quantity: int
    reason: ReturnReason
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Asked:
    """A return request as the policy sees it: what, where, when, and any override."""

    lines: Sequence[RequestedLine]
    customer_zone: ZoneInfo
    now: datetime
    override_reason: str | None = None
    may_override: bool = False


@dataclass(frozen=True, slots=True)
class Overridden:
    """The window was closed for these SKUs and a person let the return through."""

    skus: tuple[str, ...]
    reason: str
    rule: str


class OverrideNotAllowed(Exception):
    """The request is outside the window and the actor's role may not override it."""


def check_request(
    policy: ReturnPolicy, asked: Asked, delivered: Mapping[str, Delivered]
) -> Overridden | None:
    """Refuse a request that breaks the policy: a SKU not returnable, more units than were
    delivered and are not already in another return (409), outside the window unless an
    allowed person overrides it (409 naming the rule). Shape errors are checked before."""
    over: list[FieldError] = []
    blocked: list[FieldError] = []
    late: list[str] = []
    for i, line in enumerate(asked.lines):
        have = delivered.get(line.sku)
        if line.sku in policy.non_returnable:
            blocked.append(FieldError(f"lines[{i}].sku", f"{line.sku} may not be returned"))
        if have is None or line.quantity > have.returnable:
            got = have.returnable if have else 0
            over.append(
                FieldError(
                    f"lines[{i}].quantity",
                    f"{line.quantity} of {line.sku} asked, {got} delivered and not already "
                    "in another return",
                )
            )
        elif have.last_delivered_at is None or not policy.is_open(
            have.last_delivered_at, asked.customer_zone, asked.now
        ):
            late.append(line.sku)
    if blocked:
        raise Conflict(_said("the return policy excludes some of these products", blocked), blocked)
    if over:
        raise Conflict(_said("more units asked back than were delivered", over), over)
    if not late:
        return None
    rule = f"return window of {policy.window_days} days from delivery"
    if not asked.override_reason:
        raise Conflict(
            f"outside the {rule} for {', '.join(late)}; customer service may override "
            "it with a reason",
            [FieldError("override_reason", f"required outside the {rule}")],
        )
    if not asked.may_override:
        raise OverrideNotAllowed(f"outside the {rule}: only customer service may override it")
    return Overridden(tuple(late), asked.override_reason.strip(), rule)


def _said(summary: str, errors: Sequence[FieldError]) -> str:
    return f"{summary}: " + "; ".join(e.message for e in errors)


MAX_LINES = 200


def check_shape(lines: Sequence[RequestedLine], override_reason: str | None) -> None:
    """What needs no stored data: at least one line, each SKU once, positive quantities."""
    errors = FieldErrors()
    if not lines:
        errors.add("lines", "at least one line")
    if len(lines) > MAX_LINES:
        errors.add("lines", f"at most {MAX_LINES} lines")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.sku in seen:
            errors.add(f"lines[{i}].sku", f"{line.sku} is already on another line")
        seen.add(line.sku)
        if line.quantity < 1:
            errors.add(f"lines[{i}].quantity", "at least 1")
        if line.note is not None and len(line.note) > MAX_NOTE:
            errors.add(f"lines[{i}].note", f"at most {MAX_NOTE} characters")
    if override_reason is not None:
        if not override_reason.strip():
            errors.add("override_reason", "must not be empty when given")
        elif len(override_reason) > MAX_REASON:
            errors.add("override_reason", f"at most {MAX_REASON} characters")
    errors.raise_if_any()

"""Perfect orders and returns, from what oms records of each order.

Perfect-order rate, over the **delivered** orders (an `order.delivered` event):
- complete: every unit ordered was delivered: none cancelled, none short (the lines'
  delivered units equal their ordered units);
- on time: not delivered on a later day than promised (the day in the location's time zone;
  an order without a promised date cannot be late);
- undamaged: no `damaged` problem reported on it and no return line with reason `damaged`;
- no return for the seller's fault: no return (not rejected) with a line whose reason is the
  seller's fault (`late`, `wrong_item`, `damaged`, `not_as_described`:
  domain/returns/reasons.py).
A perfect order meets all four; each component's rate is shown too. `split` counts the
delivered orders that went in more than one parcel (shown, not part of the definition).

Returns, over the returns not rejected of the orders in the window:
- by product: units returned / units delivered of that SKU;
- by reason: units returned with that reason, and their share of all units returned;
- by channel: delivered orders with a return / delivered orders;
- cost, per currency: refunds that succeeded for returns, return labels bought, and the
  damaged units written off, valued at the line's unit price (oms keeps no cost price).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from oms.domain.insight.stats import share
from oms.domain.returns.reasons import SELLERS_FAULT, ReturnReason


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One order as the service, returns, cash and loyalty reports see it."""

    order_id: int
    channel: str
    customer: str  # the customer's e-mail: one person's orders share it
    placed: datetime
    cancelled: bool = False
    currency: str = "EUR"
    booked_minor: int = 0  # total less the cancelled units at their price (0: cancelled)
    paid_minor: int = 0
    refunded_minor: int = 0
    delivered: datetime | None = None
    promised: date | None = None
    time_zone: str = "UTC"
    units: int = 0  # ordered
    delivered_units: int = 0
    cancelled_units: int = 0
    parcels: int = 0  # shipments not cancelled
    damage_reported: bool = False  # a `damaged` problem
    returned: bool = False  # a return not rejected
    return_reasons: frozenset[ReturnReason] = frozenset()  # of its returns not rejected

    @property
    def late(self) -> bool:
        if self.delivered is None or self.promised is None:
            return False
        return self.delivered.astimezone(ZoneInfo(self.time_zone)).date() > self.promised

    @property
    def complete(self) -> bool:
        return self.cancelled_units == 0 and self.delivered_units >= self.units > 0

    @property
    def undamaged(self) -> bool:
        return not self.damage_reported and ReturnReason.DAMAGED not in self.return_reasons

    @property
    def sellers_fault_return(self) -> bool:
        return bool(self.return_reasons & SELLERS_FAULT)

    @property
    def perfect(self) -> bool:
        return self.complete and not self.late and self.undamaged and not self.sellers_fault_return


@dataclass(frozen=True, slots=True)
class PerfectOrders:
    delivered: int
    complete: int
    on_time: int
    undamaged: int
    no_fault_return: int
    perfect: int
    split: int  # delivered in more than one parcel

    def rate(self, part: int) -> float | None:
        return share(part, self.delivered)


def perfect_orders(facts: Iterable[OrderFacts]) -> PerfectOrders:
    d = [f for f in facts if f.delivered is not None]
    return PerfectOrders(
        delivered=len(d),
        complete=sum(f.complete for f in d),
        on_time=sum(not f.late for f in d),
        undamaged=sum(f.undamaged for f in d),
        no_fault_return=sum(not f.sellers_fault_return for f in d),
        perfect=sum(f.perfect for f in d),
        split=sum(f.parcels > 1 for f in d),
    )


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    """A line of a return not rejected, with its order's channel and the line's price."""

    order_id: int
    sku: str
    reason: ReturnReason
    quantity: int
    damaged: int  # units found damaged at inspection
    unit_price_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class ReturnCosts:
    """Per currency, minor units: refunds that succeeded for returns, labels bought."""

    refunds: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rate:
    key: str
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return share(self.part, self.whole)


@dataclass(frozen=True, slots=True)
class Returns:
    by_product: list[Rate]  # units returned of units delivered, per SKU
    by_reason: list[Rate]  # units returned with the reason, of all units returned
    by_channel: list[Rate]  # delivered orders with a return, of delivered orders
    refunds: dict[str, int]
    labels: dict[str, int]
    written_off: dict[str, int]  # damaged units at their line's unit price
    written_off_units: int

    @property
    def total_cost(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for part in (self.refunds, self.labels, self.written_off):
            for currency, minor in part.items():
                out[currency] += minor
        return dict(sorted(out.items()))


def returns_report(
    facts: Sequence[OrderFacts],
    delivered_units: dict[str, int],
    lines: Sequence[ReturnedLine],
    costs: ReturnCosts,
) -> Returns:
    """`delivered_units` per SKU over the same orders as `facts`; `lines` their returns'."""
    return returns_counted(channel_returns(facts), delivered_units, lines, costs)


def channel_returns(facts: Iterable[OrderFacts]) -> dict[str, tuple[int, int]]:
    """Per channel: (delivered orders with a return, delivered orders)."""
    channels: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in facts:
        if f.delivered is not None:
            channels[f.channel][1] += 1
            channels[f.channel][0] += f.returned
    return {k: (v[0], v[1]) for k, v in channels.items()}


def returns_counted(
    channels: dict[str, tuple[int, int]],
    delivered_units: dict[str, int],
    lines: Sequence[ReturnedLine],
    costs: ReturnCosts,
) -> Returns:
    """The same, from the counts per channel (`channel_returns`, or a database's)."""
    returned: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    written_off: dict[str, int] = defaultdict(int)
    for ln in lines:
        returned[ln.sku] += ln.quantity
        reasons[ln.reason.value] += ln.quantity
        if ln.damaged:
            written_off[ln.currency] += ln.damaged * ln.unit_price_minor
    by_product = [
        Rate(sku, returned.get(sku, 0), delivered_units.get(sku, 0))
        for sku in sorted(set(returned) | set(delivered_units))
    ]
    by_product.sort(key=lambda r: (-(r.rate or 0.0), -r.part, r.key))
    all_units = sum(reasons.values())
    by_reason = [Rate(r.value, reasons.get(r.value, 0), all_units) for r in ReturnReason]
    return Returns(
        by_product=by_product,
        by_reason=[r for r in by_reason if r.part],
        by_channel=[Rate(k, v[0], v[1]) for k, v in sorted(channels.items())],
        refunds=dict(sorted(costs.refunds.items())),
        labels=dict(sorted(costs.labels.items())),
        written_off=dict(sorted(written_off.items())),
        written_off_units=sum(ln.damaged for ln in lines),
    )

"""Sourcing: the one rule that chooses where an order's units are reserved and ship from.

Placing an order, confirming it, filling its backorders, re-sourcing a rejected shipment
or a short pick: each asks `plan` (the domain's `plan_sourcing`, fed with the stock rows and
the default carrier's rates), so an order is reserved at placement where it will ship
from, and confirming it moves nothing unless the stock changed in between.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.sourcing import (
    SourcingCandidate,
    SourcingDecision,
    SourcingLine,
    plan_sourcing,
)
from oms.domain.inventory.model import StockOption
from oms.domain.inventory.moves import Change
from oms.domain.money import Money
from oms.domain.orders.model import Address, Order
from oms.services import stock_moves
from oms.services.ports import UnitOfWork
from oms.services.ports.carriers import CarrierGateway
from oms.services.stock_moves import LineStock

NOTHING = SourcingDecision((), {}, "nothing to source", {"rule": "nothing to source"})


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the order goes, and the currency its costs are compared in."""

    address: Address
    currency: str


@dataclass(slots=True)
class Supply:
    """The locked stock rows that may serve, and what the order already holds on them
    (`own`, per (stock row, product): counted as available to it, released if moved)."""

    options: Sequence[StockOption]
    own: Mapping[tuple[int, int], int] = field(default_factory=dict)
    exclude: frozenset[int] = frozenset()


def plan(
    uow: UnitOfWork,
    to: Destination,
    lines: Sequence[SourcingLine],
    supply: Supply,
    *,
    explain: bool = True,
) -> SourcingDecision:
    """Where `lines` ship from: one location for all where one can, else the fewest
    shipments, then the cheapest; what no location has now is backordered. `explain=False`
    skips putting the choice into words, for callers that record none."""
    lines = [line for line in lines if line.quantity > 0]
    if not lines:
        return NOTHING
    stock: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    where: dict[int, StockOption] = {}
    for o in supply.options:
        if o.location_id in supply.exclude:
            continue
        free = max(o.available, 0) + supply.own.get((o.stock_id, o.product_id), 0)
        stock[o.location_id][o.product_id] = (o.stock_id, free)
        where[o.location_id] = o
    candidates = [
        SourcingCandidate(loc, where[loc].location_code, where[loc].location_priority, rows)
        for loc, rows in sorted(stock.items())
    ]
    quoter = _Quoter(
        uow,
        to,
        {loc: o.country for loc, o in where.items()},
        frozenset(loc for loc, o in where.items() if o.delivers_locally),
    )
    decision = plan_sourcing(lines, candidates, quoter, explain=explain)
    if candidates and not quoter.priced and not any(quoter(c.location_id, 0) for c in candidates):
        # No location may ship there at all: source by stock alone rather than backorder
        # units that are on the shelf; shipping will ask for a carrier that serves it.
        quoter.unpriced = True
        decision = plan_sourcing(lines, candidates, quoter, explain=explain)
        note = f"no carrier rate to {to.address.country}: sourced by stock"
        decision = SourcingDecision(
            decision.allocations,
            decision.backordered,
            decision.rule,
            {"note": note, **decision.explanation},
        )
    return decision


def lines_of(uow: UnitOfWork, order: Order, demand: Mapping[int, int]) -> list[SourcingLine]:
    """The order's lines as sourcing sees them: `demand` units per line id, with weights."""
    by_id = {line.id: line for line in order.lines}
    weights = weight_of(uow, sorted({by_id[k].product_id for k in demand}))
    return [
        SourcingLine(
            line_id,
            by_id[line_id].product_id,
            by_id[line_id].sku,
            quantity,
            weights.get(by_id[line_id].product_id, 0),
        )
        for line_id, quantity in sorted(demand.items())
        if quantity > 0
    ]


def source_units(
    uow: UnitOfWork,
    order: Order,
    demand: Mapping[int, int],
    own: LineStock,
    change: Change,
    exclude: frozenset[int] = frozenset(),
) -> SourcingDecision:
    """Decide where `demand` (units per line) ships from and move reservations to match.

    `own` is what the order already holds per (line id, stock id) towards that demand: it
    counts as available to the order and is released where the decision moves it away.
    The order records the decision (`order.sourced`); the caller saves it. Stock rows must
    be locked by the caller.
    """
    lines = lines_of(uow, order, demand)
    if not lines:
        return NOTHING
    products = {line.id: line.product_id for line in order.lines}
    own_at: dict[tuple[int, int], int] = defaultdict(int)
    for (line_id, stock_id), quantity in own.items():
        own_at[(stock_id, products[line_id])] += quantity
    options = uow.stock.lock_options(sorted({line.product_id for line in lines}))
    decision = plan(
        uow,
        Destination(order.shipping_address, order.currency),
        lines,
        Supply(options, own_at, exclude),
    )
    target: dict[tuple[int, int], int] = defaultdict(int)
    for a in decision.allocations:
        target[(a.line_key, a.stock_id)] += a.quantity
    releases = {k: q - target.get(k, 0) for k, q in own.items() if q > target.get(k, 0)}
    takes = {k: q - own.get(k, 0) for k, q in target.items() if q > own.get(k, 0)}
    stock_moves.release(uow, order.id, releases, change)
    stock_moves.reserve(uow, order.id, takes, change)
    net: dict[int, int] = defaultdict(int)
    for (line_id, _), q in takes.items():
        net[line_id] += q
    for (line_id, _), q in releases.items():
        net[line_id] -= q
    order.source(net, {"reason": change.reason, **decision.explanation})
    return decision


def weight_of(uow: UnitOfWork, product_ids: Sequence[int]) -> dict[int, int]:
    products = uow.products.by_ids(list(product_ids))
    return {pid: (p.weight_grams or 0) for pid, p in products.items()}


class _Quoter:
    """The price from a location to the destination (None: no rate): the location's local
    delivery where its drivers go there, else the default carrier's. Both are read on the
    first quote, not before; local delivery settings only when some candidate has them
    (one query for all of those)."""

    def __init__(
        self,
        uow: UnitOfWork,
        to: Destination,
        countries: Mapping[int, str],
        local_ids: frozenset[int] = frozenset(),
    ) -> None:
        self._uow = uow
        self._to = to
        self._countries = countries
        self._local_ids = local_ids  # the candidates with local delivery settings
        self._carrier: CarrierGateway | None = None
        self._local: dict[int, LocalDelivery] | None = None
        self.unpriced = False
        self.priced = False  # some quote was answered

    def __call__(self, location_id: int, weight_grams: int) -> Quote | None:
        if self.unpriced:
            return Quote("no rate", Money.zero(self._to.currency), 0)
        address = self._to.address
        if self._local is None:
            wanted = sorted(self._local_ids)
            self._local = self._uow.delivery.local_delivery(wanted) if wanted else {}
        local = self._local.get(location_id)
        if local is not None and local.covers(
            self._countries[location_id], address.country, address.postal_code
        ):
            self.priced = True
            return local.quote(weight_grams)
        if self._carrier is None:
            self._carrier = self._uow.carriers.default()
        try:
            quote = self._carrier.quote(
                self._countries[location_id], address.country, address.postal_code, weight_grams
            )
        except NoRate:
            return None
        self.priced = True
        return quote

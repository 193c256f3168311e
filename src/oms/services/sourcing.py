"""Sourcing: the one rule that chooses where an order's units are reserved and ship from.

Placing an order, confirming it, filling its backorders, re-sourcing a rejected shipment
or a short pick: each asks `plan` (the domain's `plan_sourcing`, fed with the stock rows and
the default carrier's rates), so an order is reserved at placement where it will ship
from, and confirming it moves nothing unless the stock changed in between.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from oms.domain.catalogue.kits import Component, KitTake, fit_kits, kit_units
from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.sourcing import (
    SourcedUnits,
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
    # The kits among the lines' products, with their components (whose rows are in
    # `options`): each is sourced as one product, then expanded (decision 0008).
    kits: Mapping[int, Sequence[Component]] = field(default_factory=dict)


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
    rows: dict[tuple[int, int], tuple[int, int]] = {}
    pseudo: dict[int, int] = {}
    if supply.kits:
        rows = {(loc, pid): row for loc, by in stock.items() for pid, row in by.items()}
        pseudo = _kit_rows(stock, supply.kits)
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
    if pseudo:
        decision = _expand_kits(decision, lines, supply.kits, rows, pseudo)
        decision = _kits_elsewhere(uow, to, lines, supply, decision)
    return decision


MAX_KIT_ROUNDS = 4


def _kits_elsewhere(
    uow: UnitOfWork,
    to: Destination,
    lines: Sequence[SourcingLine],
    supply: Supply,
    decision: SourcingDecision,
) -> SourcingDecision:
    """Kits the fit pass backordered (their components went to the order's other lines
    where the plan put them) are sourced again from what is left, wherever it is, while
    that places more kits."""
    for _ in range(MAX_KIT_ROUNDS):
        short = {
            line.line_key: decision.backordered[line.line_key]
            for line in lines
            if line.product_id in supply.kits and decision.backordered.get(line.line_key, 0)
        }
        if not short:
            return decision
        used: dict[int, int] = defaultdict(int)
        for a in decision.allocations:
            used[a.stock_id] += a.quantity
        own: dict[tuple[int, int], int] = {}
        rest: list[StockOption] = []
        for o in supply.options:
            mine = supply.own.get((o.stock_id, o.product_id), 0)
            taken = used.get(o.stock_id, 0)
            own[(o.stock_id, o.product_id)] = max(mine - taken, 0)
            rest.append(replace(o, available=max(o.available, 0) - max(taken - mine, 0)))
        again = plan(
            uow,
            to,
            [
                replace(line, quantity=short[line.line_key])
                for line in lines
                if line.line_key in short
            ],
            Supply(rest, own, supply.exclude, supply.kits),
            explain=False,
        )
        if not again.allocations:
            return decision
        backordered = {k: q for k, q in decision.backordered.items() if k not in short}
        backordered.update({k: q for k, q in again.backordered.items() if q})
        decision = SourcingDecision(
            (*decision.allocations, *again.allocations),
            backordered,
            decision.rule,
            decision.explanation,
        )
    return decision


def _kit_rows(
    stock: dict[int, dict[int, tuple[int, int]]], kits: Mapping[int, Sequence[Component]]
) -> dict[int, int]:
    """Give each location a row per kit holding the whole kits its components make there,
    under a made-up negative stock id; returns those ids (-> location id)."""
    pseudo: dict[int, int] = {}
    for loc, by in sorted(stock.items()):
        free = {pid: units for pid, (_, units) in by.items()}
        for kit_id, parts in sorted(kits.items()):
            made = kit_units(parts, free)
            if made > 0:
                stock_id = -(len(pseudo) + 1)
                pseudo[stock_id] = loc
                by[kit_id] = (stock_id, made)
    return pseudo


def _expand_kits(
    decision: SourcingDecision,
    lines: Sequence[SourcingLine],
    kits: Mapping[int, Sequence[Component]],
    rows: Mapping[tuple[int, int], tuple[int, int]],
    pseudo: Mapping[int, int],
) -> SourcingDecision:
    """Kits planned on made-up rows become units on their components' rows; what no longer
    fits once the order's own lines are counted together is backordered."""
    plain = [a for a in decision.allocations if a.stock_id not in pseudo]
    used: dict[int, int] = defaultdict(int)
    for a in plain:
        used[a.stock_id] += a.quantity
    kit_of_line = {line.line_key: line.product_id for line in lines if line.product_id in kits}
    takes = [
        KitTake(a.line_key, a.location_id, a.quantity)
        for a in decision.allocations
        if a.stock_id in pseudo
    ]
    parts, short = fit_kits(takes, kits, kit_of_line, rows, used)
    backordered = dict(decision.backordered)
    for key, units in short.items():
        backordered[key] = backordered.get(key, 0) + units
    expanded = [
        SourcedUnits(
            c.line_key, c.location_id, c.stock_id, c.product_id, c.quantity, c.per_unit, c.lead
        )
        for c in parts
    ]
    return SourcingDecision((*plain, *expanded), backordered, decision.rule, decision.explanation)


def kits_in(uow: UnitOfWork, product_ids: Sequence[int]) -> dict[int, tuple[Component, ...]]:
    """The kits among these products, with their components."""
    found = uow.products.by_ids(sorted(set(product_ids)))
    return {pid: p.components for pid, p in found.items() if p.is_kit}


def stock_products(
    product_ids: Sequence[int], kits: Mapping[int, Sequence[Component]]
) -> list[int]:
    """The products whose stock rows serve these: a kit's components in its place."""
    out = {pid for pid in product_ids if pid not in kits}
    for parts in kits.values():
        out.update(c.product_id for c in parts)
    return sorted(out)


def per_unit_of(allocations: Sequence[SourcedUnits]) -> dict[tuple[int, int], int]:
    """Stock units per line unit, per (line, stock row), for the reservations."""
    return {(a.line_key, a.stock_id): a.per_unit for a in allocations if a.per_unit != 1}


def line_units_of(
    units: Mapping[tuple[int, int], int],
    kits_of_lines: Mapping[int, Sequence[Component]],
    product_of_stock: Mapping[int, int],
) -> dict[int, int]:
    """Units per line from stock units per (line, stock row): a kit line's are counted on
    its lead component's rows."""
    out: dict[int, int] = defaultdict(int)
    for (line_id, stock_id), q in units.items():
        parts = kits_of_lines.get(line_id)
        if not parts:
            out[line_id] += q
            continue
        first = min(parts, key=lambda c: c.product_id)
        if product_of_stock.get(stock_id) == first.product_id:
            out[line_id] += q // first.quantity
    return dict(out)


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
    kits = kits_in(uow, [line.product_id for line in lines])
    options = uow.stock.lock_options(stock_products([line.product_id for line in lines], kits))
    product_of_stock = {o.stock_id: o.product_id for o in options}
    for r in uow.stock.reservations_of(order.id):
        product_of_stock.setdefault(r.stock_id, -1)
    own_at: dict[tuple[int, int], int] = defaultdict(int)
    for (_, stock_id), quantity in own.items():
        own_at[(stock_id, product_of_stock.get(stock_id, -1))] += quantity
    decision = plan(
        uow,
        Destination(order.shipping_address, order.currency),
        lines,
        Supply(options, own_at, exclude, kits),
    )
    target: dict[tuple[int, int], int] = defaultdict(int)
    for a in decision.allocations:
        target[(a.line_key, a.stock_id)] += a.quantity
    releases = {k: q - target.get(k, 0) for k, q in own.items() if q > target.get(k, 0)}
    takes = {k: q - own.get(k, 0) for k, q in target.items() if q > own.get(k, 0)}
    stock_moves.release(uow, order.id, releases, change)
    stock_moves.reserve(uow, order.id, takes, change, per_unit_of(decision.allocations))
    of_line = {line.line_key: kits[line.product_id] for line in lines if line.product_id in kits}
    net: dict[int, int] = defaultdict(int)
    for line_id, q in line_units_of(takes, of_line, product_of_stock).items():
        net[line_id] += q
    for line_id, q in line_units_of(releases, of_line, product_of_stock).items():
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

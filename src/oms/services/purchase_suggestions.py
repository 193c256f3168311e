"""Suggested purchase orders from the stored reorder levels (docs/planning.md): a product at
or below its reorder point at a location, counting what is available there, on order and
already in draft purchase orders, less its share of the units waiting orders need, is
ordered up to its order-up-to level in whole packs from its supplier; one order per
supplier and location, topped up to the supplier's minimum (domain/planning/suggestions).
Also the understock list, and the drafts made from the suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.planning.replenishment import ReorderLevels
from oms.domain.planning.suggestions import Need, suggest
from oms.services.ports import UnitOfWork
from oms.services.ports.planning import NewPurchaseLine, PurchaseOrders, Stamp
from oms.services.ports.replenishment import (
    LevelRow,
    Position,
    ReplenishmentStore,
    RequestKeyTaken,
    Source,
)
from oms.services.purchasing import PurchaseOrderView, get_purchase_order
from oms.services.replenishment import choose_sources


@dataclass(frozen=True, slots=True)
class Standing:
    """A product at a location against its levels: the inventory position is available +
    on order + in drafts - its share of the backordered units."""

    level: LevelRow
    position: Position
    backordered: float

    @property
    def inventory_position(self) -> float:
        p = self.position
        return p.available + p.on_order + p.drafted - self.backordered


@dataclass(frozen=True, slots=True)
class SuggestedLine:
    sku: str
    units: int
    unit_cost_minor: int
    pack_size: int
    standing: Standing


@dataclass(frozen=True, slots=True)
class SuggestedOrder:
    """A draft to be: one supplier, one location."""

    supplier: str
    supplier_name: str
    currency: str
    minimum_units: int
    location: str
    lines: list[SuggestedLine]

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def cost_minor(self) -> int:
        return sum(line.units * line.unit_cost_minor for line in self.lines)


@dataclass(frozen=True, slots=True)
class Suggestions:
    orders: list[SuggestedOrder]
    understock: list[Standing]  # below the reorder point or with orders waiting
    computed_at: datetime | None  # of the levels; None: never refreshed


def _standings(store: ReplenishmentStore) -> list[Standing]:
    levels = store.levels()
    skus = sorted({row.sku for row in levels})
    positions = store.positions(skus)
    waiting = store.backorders(skus)
    return [
        Standing(
            row,
            positions.get((row.location, row.sku), Position()),
            waiting.get(row.sku, 0) * row.share,
        )
        for row in levels
    ]


def _suggest(store: ReplenishmentStore) -> Suggestions:
    standings = _standings(store)
    sources = {(s.sku, s.supplier): s for s in store.sources()}
    by_location: dict[str, list[Need]] = {}
    found: dict[tuple[str, str], tuple[Standing, Source]] = {}
    for st in standings:
        row = st.level
        source = sources.get((row.sku, row.supplier))
        if source is None:  # the supplier stopped selling it since the refresh
            source = choose_sources([s for s in sources.values() if s.sku == row.sku]).get(row.sku)
            if source is None:
                continue
        levels = ReorderLevels(
            row.lead_time_demand, row.safety_stock, row.reorder_point, row.order_up_to
        )
        need = Need(
            row.sku,
            row.location,
            source.supplier,
            st.inventory_position,
            levels,
            source.pack_size,
            source.cost_minor,
        )
        by_location.setdefault(row.location, []).append(need)
        found[(row.location, row.sku)] = (st, source)
    orders: list[SuggestedOrder] = []
    minimums = {s.supplier: s.minimum_units for s in sources.values()}
    for location in sorted(by_location):
        for suggestion in suggest(by_location[location], minimums):
            first = found[(location, suggestion.lines[0].sku)][1]
            lines = [
                SuggestedLine(
                    x.sku,
                    x.units,
                    x.unit_cost_minor,
                    found[(location, x.sku)][1].pack_size,
                    found[(location, x.sku)][0],
                )
                for x in suggestion.lines
            ]
            orders.append(
                SuggestedOrder(
                    first.supplier,
                    first.supplier_name,
                    first.currency,
                    first.minimum_units,
                    location,
                    lines,
                )
            )
    orders.sort(key=lambda o: (o.supplier, o.location))
    understock = [
        st
        for st in standings
        if st.inventory_position <= st.level.reorder_point
        and (st.level.reorder_point > 0 or st.backordered > 0)
    ]
    computed = max((st.level.computed_at for st in standings), default=None)
    return Suggestions(orders, understock, computed)


def suggestions(uow: UnitOfWork, store: ReplenishmentStore, actor: Actor) -> Suggestions:
    """What to order now, per supplier and location, from the stored levels."""
    actor.require(Permission.PLANNING_READ)
    return uow.run(lambda: _suggest(store), write=False)


def create_drafts(
    uow: UnitOfWork,
    store: ReplenishmentStore,
    purchase_orders: PurchaseOrders,
    actor: Actor,
    idempotency_key: str | None = None,
) -> tuple[list[PurchaseOrderView], bool]:
    """One draft purchase order per suggested order, in one transaction; (the drafts,
    made now?). A repeat of an Idempotency-Key returns the drafts made the first time.
    Without a key a second call finds the drafts counted in the positions and makes only
    what is still missing (usually nothing)."""
    actor.require(Permission.PURCHASING_WRITE)
    if idempotency_key is not None and not idempotency_key.strip():
        raise FieldErrors.single("Idempotency-Key", "not blank")

    def work() -> tuple[list[int], bool]:
        if idempotency_key is not None:
            known = store.request(idempotency_key)
            if known is not None:
                return known, False
        made = _make(uow, store, purchase_orders, actor)
        if idempotency_key is not None:
            store.remember(idempotency_key, made, actor.name, uow.now())
        return made, True

    try:
        ids, created = uow.run(work)
    except RequestKeyTaken:  # a concurrent click won: its drafts, committed now
        ids, created = uow.run(work)
    return [get_purchase_order(uow, purchase_orders, actor, i) for i in ids], created


def _make(
    uow: UnitOfWork, store: ReplenishmentStore, purchase_orders: PurchaseOrders, actor: Actor
) -> list[int]:
    found = _suggest(store)
    skus = sorted({line.sku for o in found.orders for line in o.lines})
    products = uow.products.by_skus(skus)
    locations = {loc.code: loc.id for loc in uow.locations.all()}
    made: list[int] = []
    stamp = Stamp(actor.name, uow.now())
    for order in found.orders:
        supplier = purchase_orders.supplier(order.supplier)
        assert supplier is not None
        lines: Sequence[NewPurchaseLine] = [
            NewPurchaseLine(products[x.sku].id, x.sku, x.units, x.unit_cost_minor)
            for x in order.lines
        ]
        made.append(purchase_orders.add(supplier, locations[order.location], lines, stamp).id)
    return made

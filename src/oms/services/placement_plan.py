"""Where a new order's units come from: the placement's plan, made on locked stock rows or
from an unlocked read, and made ahead of the placement's own transaction (`prepare`).

A plan from an unlocked read is kept only if every line gets all its units; the
conditional stock updates at the end of the placement (run last, just before the commit)
refuse it if the rows no longer have those units, and the placement is made again on
locked rows. A plan where some line would wait is always made on locked rows: a
cancellation freeing units may be committing meanwhile, and its backorder fill cannot
see this order (no line waits while its product is free).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from oms.domain.catalogue.kits import Component
from oms.domain.catalogue.model import Product
from oms.domain.errors import DomainError, FieldErrors
from oms.domain.fulfilment.sourcing import SourcingDecision, SourcingLine
from oms.domain.inventory.holds import HeldUnits, Taken, take_from_hold
from oms.domain.inventory.model import StockOption
from oms.domain.orders.model import OrderDraft
from oms.services import sourcing
from oms.services.ports import UnitOfWork

Priced = list[tuple[Product, int, Decimal]]


class Plan(NamedTuple):
    """A placement's plan: stock row -> location, the hold's units per line, the lines
    left to source, and where they ship from."""

    where: dict[int, int]
    taken: list[Taken]
    lines: list[SourcingLine]
    decision: SourcingDecision


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a placement read and decided before its own transaction: the draft's products
    by SKU and, when every line gets all its units, the plan from an unlocked read (`plan`
    None: the placement plans on locked rows, as without it)."""

    products: dict[str, Product]
    plan: Plan | None
    priced: tuple[str, Priced] | None = None  # the currency and priced lines, if valid


def prepare(uow: UnitOfWork, draft: OrderDraft) -> Prepared:
    """Inside a read transaction before the placement's own (the API's token check): the
    products, and the plan where it can be made from an unlocked read. A draft the
    placement will refuse, or one that converts a checkout hold, gets no plan: the
    placement says what is wrong, or plans on locked rows."""
    products = uow.products.by_skus([line.sku for line in draft.lines])
    errors = FieldErrors()
    draft.check_shape(errors)
    if errors.errors or draft.hold_id is not None:
        return Prepared(products, None)
    currency, priced = draft.priced_lines(products, errors)
    if errors.errors:
        return Prepared(products, None)
    kits = kits_of(priced)
    scope = sourcing.stock_products(sorted({product.id for product, _, _ in priced}), kits)
    to = sourcing.Destination(draft.shipping_address, currency)
    try:
        options = uow.stock.read_options(scope)
        made = make_plan(uow, to, priced, kits, (), options)
    except DomainError:
        # Said by the placement, in its own order (this runs before the token check).
        return Prepared(products, None, (currency, priced))
    return Prepared(products, None if short(made) else made, (currency, priced))


def kits_of(priced: Priced) -> dict[int, tuple[Component, ...]]:
    """A kit is sourced as one product and reserved on its components' rows (decision
    0008): its components by kit product id."""
    return {product.id: product.components for product, _, _ in priced if product.is_kit}


def make_plan(
    uow: UnitOfWork,
    to: sourcing.Destination,
    priced: Priced,
    kits: Mapping[int, Sequence[Component]],
    hold_units: Sequence[HeldUnits],
    options: list[StockOption],
) -> Plan:
    """The plan on these stock rows: a hold's units first, then the one sourcing rule. Its
    lines are keyed 0..n-1 in the draft's order (a plan may be made before the order's line
    ids are drawn; the placement maps the keys to them)."""
    where = {o.stock_id: o.location_id for o in options}
    parts = {k: [(c.product_id, c.quantity) for c in cs] for k, cs in kits.items()}
    taken = take_from_hold(
        hold_units,
        [(product.id, quantity, parts.get(product.id)) for product, quantity, _ in priced],
        where,
    )
    lines = [
        SourcingLine(
            i, product.id, product.sku, quantity - taken[i].units, product.weight_grams or 0
        )
        for i, (product, quantity, _) in enumerate(priced)
    ]
    decision = sourcing.plan(uow, to, lines, sourcing.Supply(options, kits=kits), explain=False)
    return Plan(where, taken, lines, decision)


def planned(
    uow: UnitOfWork,
    scope: list[int],
    lock_first: bool,
    plan: Callable[[list[StockOption]], Plan],
) -> Plan:
    """The plan, on locked stock rows, or (not lock_first) from an unlocked read: the
    conditional updates, run last (just before the commit, UnitOfWork.deferred_inserts),
    decide, so the stock rows stay locked for that last round trip only. A plan where a
    line would wait is made again on locked rows."""
    if lock_first:
        return plan(uow.stock.lock_options(scope))
    made = plan(uow.stock.read_options(scope))
    if short(made):
        return plan(uow.stock.lock_options(scope))
    return made


def short(plan: Plan) -> bool:
    """Whether a plan leaves some line waiting (units backordered)."""
    got: dict[int, int] = defaultdict(int)
    for a in plan.decision.allocations:
        got[a.line_key] += a.line_units
    return any(got[line.line_key] < line.quantity for line in plan.lines)

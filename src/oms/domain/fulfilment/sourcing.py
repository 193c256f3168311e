"""Sourcing: which locations ship an order when it is confirmed, and why, in words.

The rule, in order: one location for the whole order where it can, otherwise the fewest
shipments, then the lowest cost, then location priority (then location code, so the
answer never depends on the order the candidates come in).

A quoter prices one shipment from one location to the order's destination. It answers None
when the location has no rate there; a location with a rate for some weight is assumed to
have one for every lighter weight, as rate tables do. Should a quote still be missing for
a partial shipment, that shipment counts as dearer than any priced one.

The search itself (the set search over location combinations, the greedy split past the
budget) is in `sourcing_search`, and what both read (lines, candidates, the quoter) in
`sourcing_types`; this module weighs up the candidates, and puts the choice into words: the
rule that decided and the explanation, as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.sourcing_search import (
    _candidate_order,
    _cost_key,
    _Option,
    _Outcome,
    _Plan,
    _Planner,
    _Product,
    _Shipment,
    _Units,
)

# The types of the question are re-exported: callers keep importing them from here.
from oms.domain.fulfilment.sourcing_types import Quoter as Quoter
from oms.domain.fulfilment.sourcing_types import SourcingCandidate as SourcingCandidate
from oms.domain.fulfilment.sourcing_types import SourcingLine as SourcingLine

NO_RATE = "no rate to the destination"
NO_STOCK = "no stock for this order"
NO_RATE_FOR_WEIGHT = "no rate for the whole order's weight"


@dataclass(frozen=True, slots=True)
class SourcedUnits:
    """Units of one line that one location ships from one stock row."""

    line_key: int
    location_id: int
    stock_id: int
    product_id: int
    quantity: int  # stock units on the row
    # A kit line's units are on its components' rows (decision 0008): `per_unit` stock
    # units make one unit of the line, and only the lead component's row counts them.
    per_unit: int = 1
    lead: bool = True

    @property
    def line_units(self) -> int:
        """Units of the line (kits, for a kit line) this allocation makes."""
        return self.quantity // self.per_unit if self.lead else 0


@dataclass(frozen=True, slots=True)
class SourcingDecision:
    """Where each unit ships from, what waits for stock, and the reasons as data."""

    allocations: tuple[SourcedUnits, ...]
    backordered: Mapping[int, int]  # line_key -> units no location can ship now
    rule: str
    explanation: dict[str, Any]


def plan_sourcing(
    lines: Sequence[SourcingLine],
    candidates: Sequence[SourcingCandidate],
    quote: Quoter,
    *,
    max_combinations: int = 5000,
    explain: bool = True,
) -> SourcingDecision:
    """Decide which locations ship the order, backorder what none can, and say why.

    One location ships the whole order where one can (the cheapest for the whole order's
    weight, then the higher priority, then the lower code). Otherwise the fewest locations
    that together ship it: sets of 2, 3, ... locations are tried until some cover the order,
    and the cheapest of those wins (then the highest summed priority, then the codes). When
    the sets of the next size would take the count of sets tried past `max_combinations`,
    the greedy split decides instead: the location that ships the most of what is left, again
    and again. When stock is short, the same rule places all that can ship now, and the rest
    is backordered.

    With `explain=False` the explanation holds only the rule (for callers that store none).

    Raises ValueError for an order without lines, a line with a quantity below 1 or a negative
    weight, repeated line keys, one product with two SKUs or weights, or quotes in different
    currencies.
    """
    if max_combinations < 0:
        raise ValueError("max_combinations cannot be negative")
    planner = _Planner(lines, quote)
    if not explain and len(candidates) == 1:
        only = _only_location(planner, candidates[0])
        if only is not None:
            return only
    options = _options(planner, candidates)
    usable = [o for o in options if o.usable]
    target = tuple(
        min(need, sum(o.give[index] for o in usable)) for index, need in enumerate(planner.demand)
    )
    outcome = planner.source(usable, target, max_combinations)
    shipments = outcome.plan.shipments if outcome.plan else ()
    allocations, backordered = _allocate(planner.products, shipments)
    short = sum(planner.demand) - sum(target)
    rule = _rule(outcome, short)
    waiting = _by_sku(
        planner.products, tuple(d - t for d, t in zip(planner.demand, target, strict=True))
    )
    if not explain:
        return SourcingDecision(allocations, backordered, rule, {"rule": rule})
    explanation = _explain(planner, options, shipments, rule, waiting)
    return SourcingDecision(allocations, backordered, rule, explanation)


def _only_location(planner: _Planner, candidate: SourcingCandidate) -> SourcingDecision | None:
    """The one candidate, priced for the whole order, ships all it has: the answer the search
    gives, without the search (a shop with one warehouse places every order this way).
    None when its rate does not cover the whole order: the search decides then."""
    option = _option(planner, candidate)
    if option.whole is None or not option.usable:
        return None
    shipment = _Shipment(
        option, option.give, planner.quote(candidate.location_id, planner.weight(option.give))
    )
    allocations, backordered = _allocate(planner.products, (shipment,))
    short = sum(planner.demand) - sum(option.give)
    rule = _rule(_Outcome(_Plan((shipment,)), "single"), short)
    return SourcingDecision(allocations, backordered, rule, {"rule": rule})


# --- the candidates ----------------------------------------------------------------------


def _options(planner: _Planner, candidates: Iterable[SourcingCandidate]) -> list[_Option]:
    """The candidates by code, with what each can give, its quote for the whole order, whether
    it can take part and why not; ranked cheapest for the whole order first."""
    options = [_option(planner, c) for c in sorted(candidates, key=_candidate_order)]
    order = sorted(
        range(len(options)),
        key=lambda i: (_cost_key(options[i].whole), -options[i].candidate.priority),
    )  # options are by code already, and the sort is stable
    rank = {index: position for position, index in enumerate(order)}
    return [replace(option, rank=rank[i]) for i, option in enumerate(options)]


def _option(planner: _Planner, candidate: SourcingCandidate) -> _Option:
    give = tuple(
        min(max(candidate.stock[p.product_id][1], 0), p.demand)
        if p.product_id in candidate.stock
        else 0
        for p in planner.products
    )
    whole = planner.quote(candidate.location_id, planner.total_weight)
    if whole is None:
        heaviest = planner.weight(give)
        if not any(give) or planner.quote(candidate.location_id, heaviest) is None:
            return _Option(candidate, give, None, False, NO_RATE)
        return _Option(candidate, give, None, True, NO_RATE_FOR_WEIGHT)
    if not any(give):
        return _Option(candidate, give, whole, False, NO_STOCK)
    return _Option(candidate, give, whole, True, None)


# --- telling -----------------------------------------------------------------------------


def _rule(outcome: _Outcome, short: int) -> str:
    count = len(outcome.plan.shipments) if outcome.plan else 0
    if not short:
        if outcome.how == "single":
            return f"one location ships the whole order; {_why(outcome)}"
        if outcome.how == "fewest":
            return (
                f"no single location has the whole order: {count} shipments, the fewest "
                f"possible; {_why(outcome)}"
            )
        return (
            "no single location has the whole order: too many combinations; "
            f"greedy ({_plural(count, 'shipment')})"
        )
    head = f"not enough stock for the whole order: {_plural(short, 'unit')} backordered; "
    if outcome.how == "none":
        return head + "nothing can ship now"
    if outcome.how == "single":
        return head + f"one location ships the rest; {_why(outcome)}"
    if outcome.how == "fewest":
        return head + f"fewest shipments for the rest ({count}); {_why(outcome)}"
    return head + f"too many combinations; greedy for the rest ({_plural(count, 'shipment')})"


def _why(outcome: _Outcome) -> str:
    """Which criterion separated the set chosen from the runner-up of its size."""
    best, runner_up = outcome.best, outcome.runner_up
    if best is None or runner_up is None:
        return "the only one that can" if outcome.how == "single" else "the only such combination"
    if best[0] != runner_up[0]:
        return "lowest cost"
    if best[1] != runner_up[1]:
        return "equal cost, higher priority"
    return "equal cost and priority, first by code"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _allocate(
    products: Sequence[_Product], shipments: Sequence[_Shipment]
) -> tuple[tuple[SourcedUnits, ...], dict[int, int]]:
    """Spread each shipment's units of a product over that product's lines, by line key."""
    left = {line.line_key: line.quantity for p in products for line in p.lines}
    allocations: list[SourcedUnits] = []
    for shipment in shipments:
        candidate = shipment.option.candidate
        for product, units in zip(products, shipment.units, strict=True):
            stock_id = candidate.stock[product.product_id][0] if units else 0
            for line in product.lines:
                take = min(units, left[line.line_key])
                if take <= 0:
                    continue
                left[line.line_key] -= take
                units -= take
                allocations.append(
                    SourcedUnits(
                        line.line_key, candidate.location_id, stock_id, product.product_id, take
                    )
                )
    return tuple(allocations), {key: units for key, units in left.items() if units > 0}


def _money(quote: Quote | None) -> tuple[str | None, str | None, int | None]:
    if quote is None:
        return None, None, None
    return str(quote.cost.amount), quote.cost.currency, quote.transit_days


def _by_sku(
    products: Sequence[_Product], units: _Units, *, keep_zero: bool = False
) -> dict[str, int]:
    out: dict[str, int] = {}
    for product, count in zip(products, units, strict=True):
        if count or keep_zero:
            out[product.sku] = out.get(product.sku, 0) + count
    return out


def _explain(
    planner: _Planner,
    options: Sequence[_Option],
    shipments: Sequence[_Shipment],
    rule: str,
    backordered: dict[str, int],
) -> dict[str, Any]:
    chosen = {s.option.candidate.location_id for s in shipments}
    rows: list[dict[str, Any]] = []
    for option in options:
        cost, currency, transit = _money(option.whole)
        row: dict[str, Any] = {
            "location": option.candidate.code,
            "priority": option.candidate.priority,
            "can_ship": _by_sku(planner.products, option.give, keep_zero=True),
            "complete": option.give == planner.demand,
            "cost": cost,
            "currency": currency,
            "transit_days": transit,
            "chosen": option.candidate.location_id in chosen,
        }
        if option.note:
            row["note"] = option.note
        rows.append(row)
    sent: list[dict[str, Any]] = []
    for shipment in shipments:
        cost, currency, transit = _money(shipment.quote)
        sent.append(
            {
                "location": shipment.option.candidate.code,
                "lines": _by_sku(planner.products, shipment.units),
                "cost": cost,
                "currency": currency,
                "transit_days": transit,
            }
        )
    priced = [s.quote.cost for s in shipments if s.quote is not None]
    total = sum(priced[1:], priced[0]) if priced and len(priced) == len(shipments) else None
    return {
        "rule": rule,
        "chosen": [s.option.candidate.code for s in shipments],
        "candidates": rows,
        "shipments": sent,
        "backordered": backordered,
        "total_cost": None if total is None else str(total.amount),
        "currency": None if total is None else total.currency,
    }

"""The search behind sourcing: which locations ship the order, once the candidates are known.

Internal to `oms.domain.fulfilment.sourcing`, which is the public API and puts the outcome
into words; import from there. Here: the order's products and the quote cache of one
decision (the planner), the search of the fewest locations that together ship the order,
cheapest first (sets of locations, filled prefix by prefix, ranked with their runner-up),
the greedy split used when there are too many combinations to try, and how a chosen set
splits the units into shipments.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.sourcing_types import Quoter, SourcingCandidate, SourcingLine

_Units = tuple[int, ...]  # per product of the order, in the order products first appear
_CostKey = tuple[int, Decimal]  # (shipments without a price, sum of the priced ones)


@dataclass(frozen=True, slots=True)
class _Product:
    product_id: int
    sku: str
    unit_weight_grams: int
    lines: tuple[SourcingLine, ...]  # by line_key

    @property
    def demand(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class _Option:
    """A candidate as the search sees it."""

    candidate: SourcingCandidate
    give: _Units  # capped at what the order needs
    whole: Quote | None  # the quote for the whole order's weight
    usable: bool
    note: str | None
    rank: int = 0  # fill order inside a set: cheapest for the whole order first


@dataclass(frozen=True, slots=True)
class _Shipment:
    option: _Option
    units: _Units
    quote: Quote | None


@dataclass(frozen=True, slots=True)
class _Plan:
    shipments: tuple[_Shipment, ...]


# How a set of locations ranks: (cost, -summed priority, the members' places in code order)
_SetKey = tuple[_CostKey, int, tuple[int, ...]]
# A member that can finish a set: (cost, -priority, place in code order, index in fill order)
_Finisher = tuple[_CostKey, int, int, int]


@dataclass(frozen=True, slots=True)
class _Outcome:
    plan: _Plan | None
    how: str  # "single", "fewest", "greedy", "none"
    # Single and fewest: the keys of the set chosen and of the runner-up of its size, if any.
    best: _SetKey | None = None
    runner_up: _SetKey | None = None


def _candidate_order(candidate: SourcingCandidate) -> tuple[str, int]:
    return (candidate.code, candidate.location_id)


def _cost_key(quote: Quote | None) -> _CostKey:
    return (1, Decimal(0)) if quote is None else (0, quote.cost.amount)


class _Ranking:
    """Keeps the best and the runner-up of the sets offered; a set's members' places in code
    order are only sorted out when cost and priority tie."""

    def __init__(self, place: Sequence[int]) -> None:
        self.place = place
        self.best: tuple[_SetKey, tuple[int, ...]] | None = None
        self.runner_up: _SetKey | None = None

    def offer(self, cost: _CostKey, minus_priority: int, combo: tuple[int, ...]) -> None:
        runner_up = self.runner_up
        if runner_up is not None and (cost, minus_priority) > runner_up[:2]:
            return
        key = (cost, minus_priority, tuple(sorted(self.place[i] for i in combo)))
        if self.best is None or key < self.best[0]:
            self.runner_up = self.best[0] if self.best else None
            self.best = (key, combo)
        elif runner_up is None or key < runner_up:
            self.runner_up = key


def _most_after(gives: Sequence[_Units]) -> Iterator[_Units]:
    """Per index, per product: the most any one option from that index on can give."""
    most: list[_Units] = []
    for give in reversed(gives):
        most.append(tuple(map(max, give, most[-1])) if most else give)
    return reversed(most)


class _Prefix(NamedTuple):
    """The first members of a set, filled: what is left, and their cost and priority."""

    left: _Units
    cost: _CostKey
    priority: int


class _SetSearch:
    """The sets of a given size that cover the target, best and runner-up.

    A set is its members in fill order: a prefix, then a last member that ships exactly what
    the prefix leaves. A prefix is filled once, from its own prefix. The members that can
    finish what a prefix leaves are ranked once per leftover, and a prefix only looks at the
    two best of those after it, which is enough to know the best and runner-up sets.
    """

    def __init__(self, planner: _Planner, ranked: Sequence[_Option], target: _Units) -> None:
        self.planner = planner
        self.ranked = ranked
        self.gives = [o.give for o in ranked]
        self.priorities = [o.candidate.priority for o in ranked]
        self.most_after = list(_most_after(self.gives))
        by_code = sorted(range(len(ranked)), key=lambda i: _candidate_order(ranked[i].candidate))
        self.place = [0] * len(ranked)
        for position, index in enumerate(by_code):
            self.place[index] = position
        self.prefixes: dict[tuple[int, ...], _Prefix | None] = {
            (): _Prefix(target, (0, Decimal(0)), 0)
        }
        self.finishers: dict[_Units, list[list[_Finisher]]] = {}
        self.costs: dict[tuple[int, int], _CostKey] = {}

    def best_of_size(self, size: int) -> tuple[list[_Option], _SetKey, _SetKey | None] | None:
        ranking = _Ranking(self.place)
        most_after = self.most_after
        for prefix in itertools.combinations(range(len(self.ranked) - 1), size - 1):
            state = self.prefixes.get(prefix) or self.prefix(prefix)
            start = prefix[-1] + 1 if prefix else 0
            if state is None or not all(map(operator.le, state.left, most_after[start])):
                continue  # a member ships nothing, or no last member can finish the order
            (unpriced, total), priority = state.cost, state.priority
            for cost, minus_priority, _place, last in self.finishing(state.left)[start]:
                ranking.offer(
                    (unpriced + cost[0], total + cost[1]),
                    minus_priority - priority,
                    (*prefix, last),
                )
        if ranking.best is None:
            return None
        key, combo = ranking.best
        return [self.ranked[i] for i in combo], key, ranking.runner_up

    def prefix(self, members: tuple[int, ...]) -> _Prefix | None:
        """Fill a prefix from its own prefix; None when a member would ship nothing."""
        if members not in self.prefixes:
            before = self.prefix(members[:-1])
            self.prefixes[members] = None if before is None else self._add(before, members[-1])
        return self.prefixes[members]

    def _add(self, before: _Prefix, index: int) -> _Prefix | None:
        units = tuple(map(min, self.gives[index], before.left))
        left = tuple(map(operator.sub, before.left, units))
        if not any(units) or not any(left):
            return None  # ships nothing, or leaves nothing for the last member
        unpriced, total = self.cost(index, self.planner.weight(units))
        cost = (before.cost[0] + unpriced, before.cost[1] + total)
        return _Prefix(left, cost, before.priority + self.priorities[index])

    def cost(self, index: int, weight_grams: int) -> _CostKey:
        key = (index, weight_grams)
        if key not in self.costs:
            location_id = self.ranked[index].candidate.location_id
            self.costs[key] = _cost_key(self.planner.quote(location_id, weight_grams))
        return self.costs[key]

    def finishing(self, left: _Units) -> list[list[_Finisher]]:
        """Per first index, the two best members from there on that can ship all of `left`.

        Members rank by (cost, -priority, place); for a given prefix that is also the order of
        the sets they finish, since the same amounts are added to cost and priority and a
        lower place gives a lower tuple of places."""
        if left not in self.finishers:
            weight = self.planner.weight(left)
            best: list[_Finisher] = []
            by_start: list[list[_Finisher]] = []
            for index in reversed(range(len(self.ranked))):
                if all(map(operator.le, left, self.gives[index])):
                    mine = (
                        self.cost(index, weight),
                        -self.priorities[index],
                        self.place[index],
                        index,
                    )
                    best = sorted([*best, mine])[:2]
                by_start.append(best)
            self.finishers[left] = by_start[::-1]
        return self.finishers[left]


class _Planner:
    """One sourcing decision: the order's products, and quotes cached per (location, weight)."""

    def __init__(self, lines: Sequence[SourcingLine], quoter: Quoter) -> None:
        self.products = _products(lines)
        self._grams = tuple(p.unit_weight_grams for p in self.products)
        self.demand: _Units = tuple(p.demand for p in self.products)
        self.total_weight = self.weight(self.demand)
        self._quoter = quoter
        self._quotes: dict[tuple[int, int], Quote | None] = {}
        self._currency: str | None = None

    def weight(self, units: _Units) -> int:
        return sum(map(operator.mul, units, self._grams))

    def quote(self, location_id: int, weight_grams: int) -> Quote | None:
        key = (location_id, weight_grams)
        if key not in self._quotes:
            quote = self._quoter(location_id, weight_grams)
            if quote is not None:
                if self._currency is None:
                    self._currency = quote.cost.currency
                elif quote.cost.currency != self._currency:
                    raise ValueError(
                        f"quotes in {self._currency} and {quote.cost.currency} cannot be compared"
                    )
            self._quotes[key] = quote
        return self._quotes[key]

    # --- choosing ---

    def source(self, options: Sequence[_Option], target: _Units, budget: int) -> _Outcome:
        """The fewest locations that ship `target`, cheapest first; greedy past the budget.

        Sets of one location are always all tried (that is linear). Sets of 2, 3, ... count
        against the budget; a size whose sets would not all fit in what is left of it is not
        started, since a size cut short would end in the greedy split anyway.
        """
        if not any(target):
            return _Outcome(None, "none")
        ranked = sorted(options, key=lambda o: o.rank)  # the order members fill a set in
        search = _SetSearch(self, ranked, target)
        evaluated = 0
        for size in range(_fewest_possible(options, target), len(ranked) + 1):
            if size > 1:
                evaluated += math.comb(len(ranked), size)
                if evaluated > budget:
                    return _Outcome(self.greedy(options, target), "greedy")
            found = search.best_of_size(size)
            if found is not None:
                members, best, runner_up = found
                how = "single" if size == 1 else "fewest"
                return _Outcome(self._split(members, target), how, best, runner_up)
        return _Outcome(self.greedy(options, target), "greedy")  # not reached: all of them cover

    def _split(self, members: Sequence[_Option], target: _Units) -> _Plan:
        """The shipments of a set: each member in turn (cheapest for the whole order first)
        takes all it can of what is left, as the search filled it."""
        shipments = []
        left = target
        for option in members:
            units = tuple(map(min, option.give, left))
            left = tuple(map(operator.sub, left, units))
            quote = self.quote(option.candidate.location_id, self.weight(units))
            shipments.append(_Shipment(option, units, quote))
        return _Plan(tuple(shipments))

    def greedy(self, options: Sequence[_Option], target: _Units) -> _Plan:
        """Repeatedly the location that ships the most of what is left; ties by cost,
        then priority, then code."""
        left = list(target)
        unused = list(options)
        shipments: list[_Shipment] = []
        while any(left) and unused:
            best: tuple[tuple[int, _CostKey, int, str, int], _Shipment] | None = None
            for option in unused:
                units = tuple(min(g, n) for g, n in zip(option.give, left, strict=True))
                if not any(units):
                    continue
                candidate = option.candidate
                quote = self.quote(candidate.location_id, self.weight(units))
                key = (
                    -sum(units),
                    _cost_key(quote),
                    -candidate.priority,
                    *_candidate_order(candidate),
                )
                if best is None or key < best[0]:
                    best = (key, _Shipment(option, units, quote))
            if best is None:
                break
            shipment = best[1]
            unused = [o for o in unused if o is not shipment.option]
            left = [n - u for n, u in zip(left, shipment.units, strict=True)]
            shipments.append(shipment)
        return _Plan(tuple(shipments))


def _products(lines: Sequence[SourcingLine]) -> tuple[_Product, ...]:
    if not lines:
        raise ValueError("an order without lines has nothing to source")
    if len({line.line_key for line in lines}) != len(lines):
        raise ValueError("order lines must have distinct keys")
    grouped: dict[int, list[SourcingLine]] = {}
    for line in lines:
        if line.quantity <= 0 or line.unit_weight_grams < 0:
            raise ValueError(f"line {line.line_key}: the quantity must be > 0 and the weight >= 0")
        first = grouped.setdefault(line.product_id, [line])[0]
        if (first.sku, first.unit_weight_grams) != (line.sku, line.unit_weight_grams):
            raise ValueError(f"product {line.product_id} has lines with different SKU or weight")
        if first is not line:
            grouped[line.product_id].append(line)
    return tuple(
        _Product(
            pid,
            group[0].sku,
            group[0].unit_weight_grams,
            tuple(sorted(group, key=lambda line: line.line_key)),
        )
        for pid, group in grouped.items()
    )


def _fewest_possible(options: Sequence[_Option], target: _Units) -> int:
    """A lower bound on the locations needed: per product, the biggest givers first."""
    fewest = 1
    for index, need in enumerate(target):
        if need <= 0:
            continue
        gives = sorted((o.give[index] for o in options), reverse=True)
        total = 0
        for count, give in enumerate(gives, start=1):
            total += give
            if total >= need:
                fewest = max(fewest, count)
                break
    return fewest

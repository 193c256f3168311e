"""Sourcing: one location for the whole order where it can, otherwise the fewest shipments,
then the lowest cost, then location priority; what no location has is backordered."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.rates import Quote, charged_kilograms, default_rate_table
from oms.domain.fulfilment.sourcing import (
    Quoter,
    SourcingCandidate,
    SourcingDecision,
    SourcingLine,
    plan_sourcing,
)
from oms.domain.money import Money

PRODUCT_IDS = {"X": 1, "Y": 2, "Z": 3, "W": 4}
CODES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
Rate = str | tuple[str, str] | None  # base, or (base, per extra kg); None: no rate


def order(quantities: Mapping[str, int], grams: int = 500) -> list[SourcingLine]:
    return [
        SourcingLine(key, PRODUCT_IDS[sku], sku, quantity, grams)
        for key, (sku, quantity) in enumerate(quantities.items(), start=1)
    ]


def location_id(code: str) -> int:
    return CODES.index(code) + 1


def loc(code: str, stock: Mapping[str, int], priority: int = 0) -> SourcingCandidate:
    lid = location_id(code)
    units = {PRODUCT_IDS[sku]: (lid * 100 + PRODUCT_IDS[sku], n) for sku, n in stock.items()}
    return SourcingCandidate(lid, code, priority, units)


def quoter(rates: Mapping[str, Rate], transit_days: int = 2) -> Quoter:
    """A quote per location code: base (first kg included) plus per started kg above it."""
    by_id = {location_id(code): rate for code, rate in rates.items()}

    def quote(location: int, weight_grams: int) -> Quote | None:
        rate = by_id[location]
        if rate is None:
            return None
        base, per_kg = (rate, "0") if isinstance(rate, str) else rate
        amount = Decimal(base) + Decimal(per_kg) * charged_kilograms(weight_grams)
        return Quote("zone", Money(amount, "EUR"), transit_days)

    return quote


def decide(
    quantities: Mapping[str, int],
    candidates: Sequence[SourcingCandidate],
    rates: Mapping[str, Rate],
    max_combinations: int = 5000,
) -> SourcingDecision:
    return plan_sourcing(
        order(quantities), candidates, quoter(rates), max_combinations=max_combinations
    )


EQUAL = dict.fromkeys(CODES, "5.00")

CASES = [
    pytest.param(
        {"X": 2, "Y": 1},
        [loc("A", {"X": 2, "Y": 1}), loc("B", {"X": 2}), loc("C", {"Y": 1})],
        {"A": "20.00", "B": "5.00", "C": "5.00"},
        5000,
        ["A"],
        "one location ships the whole order; the only one that can",
        {},
        id="one location wins over a cheaper split",
    ),
    pytest.param(
        {"X": 2, "Y": 1},
        [loc("A", {"X": 3, "Y": 1}), loc("B", {"X": 2, "Y": 5}), loc("C", {"X": 9, "Y": 9})],
        {"A": "10.00", "B": "8.00", "C": "12.00"},
        5000,
        ["B"],
        "one location ships the whole order; lowest cost",
        {},
        id="the cheapest of several complete locations",
    ),
    pytest.param(
        {"X": 1},
        [loc("A", {"X": 1}, priority=1), loc("B", {"X": 1}, priority=5)],
        EQUAL,
        5000,
        ["B"],
        "one location ships the whole order; equal cost, higher priority",
        {},
        id="equal cost: the higher priority",
    ),
    pytest.param(
        {"X": 1},
        [loc("B", {"X": 1}, priority=2), loc("A", {"X": 1}, priority=2)],
        EQUAL,
        5000,
        ["A"],
        "one location ships the whole order; equal cost and priority, first by code",
        {},
        id="equal cost and priority: the first code",
    ),
    pytest.param(
        {"X": 1, "Y": 1, "Z": 1},
        [
            loc("P", {"X": 1, "Y": 1}),
            loc("Q", {"Z": 1}),
            loc("R", {"X": 1}),
            loc("S", {"Y": 1}),
            loc("T", {"Z": 1}),
        ],
        {"P": "30.00", "Q": "40.00", "R": "1.00", "S": "1.00", "T": "1.00"},
        5000,
        ["T", "P"],  # cheapest first; R + S + T would cost 3.00 but ship three parcels
        "no single location has the whole order: 2 shipments, the fewest possible; lowest cost",
        {},
        id="two shipments beat three even when dearer",
    ),
    pytest.param(
        {"X": 1, "Y": 1},
        [loc("A", {"X": 1}), loc("B", {"Y": 1}), loc("C", {"Y": 1})],
        {"A": "5.00", "B": "5.00", "C": "3.00"},
        5000,
        ["C", "A"],
        "no single location has the whole order: 2 shipments, the fewest possible; lowest cost",
        {},
        id="the cheapest pair",
    ),
    pytest.param(
        {"X": 1, "Y": 1},
        [loc("A", {"X": 1}), loc("B", {"Y": 1}, priority=1), loc("C", {"Y": 1}, priority=3)],
        EQUAL,
        5000,
        ["C", "A"],
        "no single location has the whole order: 2 shipments, the fewest possible; "
        "equal cost, higher priority",
        {},
        id="pairs of equal cost: the higher summed priority",
    ),
    pytest.param(
        {"X": 1, "Y": 1},
        [loc("C", {"Y": 1}), loc("B", {"Y": 1}), loc("A", {"X": 1})],
        EQUAL,
        5000,
        ["A", "B"],
        "no single location has the whole order: 2 shipments, the fewest possible; "
        "equal cost and priority, first by code",
        {},
        id="pairs of equal cost and priority: the first codes",
    ),
    pytest.param(
        {"X": 4, "Y": 4},
        [loc("G", {"X": 3, "Y": 3}), loc("P", {"X": 4}), loc("Q", {"Y": 4})],
        EQUAL,
        3,  # the three pairs fit in the budget
        ["P", "Q"],  # greedy would take G first (6 units) and need three parcels
        "no single location has the whole order: 2 shipments, the fewest possible; "
        "the only such combination",
        {},
        id="fewer shipments than the greedy split",
    ),
    pytest.param(
        {"X": 4, "Y": 4},
        [loc("G", {"X": 3, "Y": 3}), loc("P", {"X": 4}), loc("Q", {"Y": 4})],
        EQUAL,
        2,  # three pairs do not fit: a size that cannot be finished is not started
        ["G", "P", "Q"],
        "no single location has the whole order: too many combinations; greedy (3 shipments)",
        {},
        id="past max_combinations the greedy split decides",
    ),
    pytest.param(
        {"X": 2, "Y": 1},
        [loc("A", {"X": 2, "Y": 1}), loc("B", {"X": 2, "Y": 1})],
        {"A": None, "B": "50.00"},
        5000,
        ["B"],
        "one location ships the whole order; the only one that can",
        {},
        id="a location without a rate is left out",
    ),
    pytest.param(
        {"X": 5, "Y": 2},
        [loc("A", {"X": 2, "Y": 2}), loc("B", {"X": 1}), loc("C", {"X": 1, "Y": 0})],
        EQUAL,
        5000,
        ["A", "B", "C"],
        "not enough stock for the whole order: 1 unit backordered; "
        "fewest shipments for the rest (3); the only such combination",
        {"X": 1},
        id="short stock: ship what can ship, backorder the rest",
    ),
    pytest.param(
        {"X": 4, "Y": 4, "Z": 2},
        [loc("G", {"X": 3, "Y": 3}), loc("P", {"X": 4}), loc("Q", {"Y": 4})],
        EQUAL,
        5000,
        ["P", "Q"],
        "not enough stock for the whole order: 2 units backordered; "
        "fewest shipments for the rest (2); the only such combination",
        {"Z": 2},
        id="short stock: the rest in the fewest shipments",
    ),
    pytest.param(
        {"X": 4, "Y": 4, "Z": 2},
        [loc("G", {"X": 3, "Y": 3}), loc("P", {"X": 4}), loc("Q", {"Y": 4})],
        EQUAL,
        0,
        ["G", "P", "Q"],
        "not enough stock for the whole order: 2 units backordered; "
        "too many combinations; greedy for the rest (3 shipments)",
        {"Z": 2},
        id="short stock past max_combinations: greedy for the rest",
    ),
    pytest.param(
        {"X": 3},
        [loc("A", {"X": 2}), loc("B", {"X": 5})],
        {"A": "5.00", "B": None},
        5000,
        ["A"],
        "not enough stock for the whole order: 1 unit backordered; "
        "one location ships the rest; the only one that can",
        {"X": 1},
        id="short stock: one location ships the rest",
    ),
    pytest.param(
        {"X": 1, "Y": 2},
        [loc("A", {"X": 0}), loc("B", {})],
        EQUAL,
        5000,
        [],
        "not enough stock for the whole order: 3 units backordered; nothing can ship now",
        {"X": 1, "Y": 2},
        id="no stock anywhere",
    ),
    pytest.param(
        {"X": 5},
        [loc("A", {"X": 3}), loc("B", {"X": 2})],
        {"A": "4.00", "B": "6.00"},
        5000,
        ["A", "B"],
        "no single location has the whole order: 2 shipments, the fewest possible; "
        "the only such combination",
        {},
        id="one line split over two locations",
    ),
]


@pytest.mark.parametrize(
    ("quantities", "candidates", "rates", "max_combinations", "chosen", "rule", "backordered"),
    CASES,
)
def test_sourcing_rules(
    quantities: dict[str, int],
    candidates: list[SourcingCandidate],
    rates: dict[str, Rate],
    max_combinations: int,
    chosen: list[str],
    rule: str,
    backordered: dict[str, int],
) -> None:
    decision = decide(quantities, candidates, rates, max_combinations)
    assert decision.explanation["chosen"] == chosen
    assert decision.rule == rule == decision.explanation["rule"]
    assert decision.explanation["backordered"] == backordered
    sku_of = {line.line_key: line.sku for line in order(quantities)}
    assert {sku_of[key]: units for key, units in decision.backordered.items()} == backordered
    codes = {c.location_id: c.code for c in candidates}
    assert {codes[a.location_id] for a in decision.allocations} == set(chosen)
    json.dumps(decision.explanation)


def test_the_explanation_lists_every_candidate_with_its_reason() -> None:
    decision = decide(
        {"X": 2, "Y": 1},
        [
            loc("C", {"X": 1}, priority=1),
            loc("A", {"X": 5, "Y": 1}),
            loc("B", {"X": 2, "Y": 1}),
            loc("D", {"Y": 0}),
        ],
        {"A": None, "B": ("12.90", "1.20"), "C": ("6.50", "0.90"), "D": "1.00"},
    )
    assert decision.explanation == {
        "rule": "one location ships the whole order; the only one that can",
        "chosen": ["B"],
        "candidates": [
            {
                "location": "A",
                "priority": 0,
                "can_ship": {"X": 2, "Y": 1},
                "complete": True,
                "cost": None,
                "currency": None,
                "transit_days": None,
                "chosen": False,
                "note": "no rate to the destination",
            },
            {
                "location": "B",
                "priority": 0,
                "can_ship": {"X": 2, "Y": 1},
                "complete": True,
                "cost": "14.10",  # 1500 g: 12.90 + 1 started kg above the first x 1.20
                "currency": "EUR",
                "transit_days": 2,
                "chosen": True,
            },
            {
                "location": "C",
                "priority": 1,
                "can_ship": {"X": 1, "Y": 0},
                "complete": False,
                "cost": "7.40",  # what it would cost if C shipped everything
                "currency": "EUR",
                "transit_days": 2,
                "chosen": False,
            },
            {
                "location": "D",
                "priority": 0,
                "can_ship": {"X": 0, "Y": 0},
                "complete": False,
                "cost": "1.00",
                "currency": "EUR",
                "transit_days": 2,
                "chosen": False,
                "note": "no stock for this order",
            },
        ],
        "shipments": [
            {
                "location": "B",
                "lines": {"X": 2, "Y": 1},
                "cost": "14.10",
                "currency": "EUR",
                "transit_days": 2,
            }
        ],
        "backordered": {},
        "total_cost": "14.10",
        "currency": "EUR",
    }
    assert json.loads(json.dumps(decision.explanation)) == decision.explanation


def test_allocations_name_the_stock_rows_and_split_lines_of_one_product_by_line_key() -> None:
    lines = [SourcingLine(7, 1, "X", 2, 100), SourcingLine(3, 1, "X", 3, 100)]
    decision = plan_sourcing(lines, [loc("A", {"X": 4})], quoter({"A": "5.00"}))
    assert [(a.line_key, a.location_id, a.stock_id, a.quantity) for a in decision.allocations] == [
        (3, 1, 101, 3),
        (7, 1, 101, 1),
    ]
    assert decision.backordered == {7: 1}
    assert decision.explanation["backordered"] == {"X": 1}


def test_shipments_are_priced_for_the_weight_each_location_ships() -> None:
    decision = decide(
        {"X": 3, "Y": 2},
        [loc("A", {"X": 3}), loc("B", {"Y": 2})],
        {"A": ("5.00", "1.00"), "B": ("6.00", "2.00")},
    )
    shipments = decision.explanation["shipments"]
    assert [(s["location"], s["lines"], s["cost"]) for s in shipments] == [
        ("A", {"X": 3}, "6.00"),  # 1500 g: one started kg above the first
        ("B", {"Y": 2}, "6.00"),  # 1000 g: the base price only
    ]
    assert decision.explanation["total_cost"] == "12.00"


def test_the_default_rate_table_prefers_the_domestic_warehouse() -> None:
    origins = {1: "FR", 2: "DE", 3: "US"}

    def quote(location: int, weight_grams: int) -> Quote | None:
        try:
            return default_rate_table().quote(origins[location], "FR", "69002", weight_grams)
        except NoRate:
            return None

    lines = [SourcingLine(1, 1, "X", 2, 1500), SourcingLine(2, 2, "Y", 1, 800)]
    stock = {1: (11, 9), 2: (12, 9)}
    candidates = [
        SourcingCandidate(3, "NYC", 9, stock),
        SourcingCandidate(2, "BER", 5, stock),
        SourcingCandidate(1, "LYS", 0, stock),
    ]
    decision = plan_sourcing(lines, candidates, quote)
    assert decision.rule == "one location ships the whole order; lowest cost"
    rows = {row["location"]: row for row in decision.explanation["candidates"]}
    assert (rows["LYS"]["cost"], rows["LYS"]["transit_days"]) == ("9.20", 2)  # 3800 g
    assert (rows["BER"]["cost"], rows["BER"]["transit_days"]) == ("15.79", 3)
    assert rows["NYC"]["note"] == "no rate to the destination"
    assert {a.location_id for a in decision.allocations} == {1}


def test_quotes_are_asked_once_per_location_and_weight() -> None:
    asked: list[tuple[int, int]] = []
    inner = quoter(dict.fromkeys("ABCDEF", "5.00"))

    def counting(location: int, weight_grams: int) -> Quote | None:
        asked.append((location, weight_grams))
        return inner(location, weight_grams)

    candidates = [loc(code, {"X": 1, "Y": 1, "Z": 1}) for code in "ABCDEF"]
    plan_sourcing(order({"X": 3, "Y": 3, "Z": 3}), candidates, counting)
    assert len(asked) == len(set(asked))


@pytest.mark.parametrize(
    ("x_units", "rule"),
    [
        # C(20, 4) = 4845 sets fit in the default budget of 5000 ...
        (4, "no single location has the whole order: 4 shipments, the fewest possible; "),
        # ... C(20, 5) = 15504 do not.
        (5, "no single location has the whole order: too many combinations; greedy "),
    ],
)
def test_twenty_locations_with_one_unit_each(x_units: int, rule: str) -> None:
    candidates = [loc(code, {"X": 1, "Y": 1}, priority=i % 3) for i, code in enumerate(CODES[:20])]
    rates = {code: f"{5 + i % 4}.00" for i, code in enumerate(CODES[:20])}
    decision = decide({"X": x_units, "Y": 1}, candidates, rates)
    assert decision.rule.startswith(rule)
    assert len({a.location_id for a in decision.allocations}) == x_units
    assert decision.backordered == {}
    if x_units == 4:
        # Four of the five 5.00 locations A E I M Q (priorities 0 1 2 0 1): leaving out A or M
        # sums the same priority, and A E I Q comes before E I M Q.
        assert sorted(decision.explanation["chosen"]) == ["A", "E", "I", "Q"]
        assert decision.explanation["total_cost"] == "20.00"
        assert decision.rule.endswith("; equal cost and priority, first by code")


def test_an_order_without_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="without lines"):
        plan_sourcing([], [loc("A", {"X": 1})], quoter({"A": "5.00"}))


def test_quotes_in_different_currencies_are_refused() -> None:
    def quote(location: int, weight_grams: int) -> Quote:
        return Quote("z", Money(Decimal(5), "EUR" if location == 1 else "USD"), 2)

    with pytest.raises(ValueError, match="cannot be compared"):
        plan_sourcing(order({"X": 1}), [loc("A", {"X": 1}), loc("B", {"X": 1})], quote)


# --- properties --------------------------------------------------------------------------

GRAMS = (0, 250, 1200, 3000)
RateSpec = tuple[int, int] | None  # cents: base, per extra kg


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[SourcingLine], list[SourcingCandidate], dict[int, RateSpec]]:
    products = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    lines = [
        SourcingLine(key, p + 1, "XYZW"[p], draw(st.integers(1, 6)), GRAMS[p])
        for key, p in enumerate(products, start=1)
    ]
    candidates: list[SourcingCandidate] = []
    rates: dict[int, RateSpec] = {}
    for index in range(draw(st.integers(0, 6))):
        lid = index + 1
        stock = draw(st.dictionaries(st.integers(1, 4), st.integers(-1, 8), max_size=4))
        code = draw(st.sampled_from(["n", "s", "e", "w"])) + str(index)
        priority = draw(st.integers(0, 2))
        candidates.append(
            SourcingCandidate(lid, code, priority, {p: (lid * 10 + p, n) for p, n in stock.items()})
        )
        rates[lid] = draw(st.none() | st.tuples(st.integers(300, 600), st.integers(0, 200)))
    return lines, candidates, rates


def cents_quoter(rates: Mapping[int, RateSpec]) -> Quoter:
    def quote(location: int, weight_grams: int) -> Quote | None:
        rate = rates[location]
        if rate is None:
            return None
        cents = rate[0] + rate[1] * charged_kilograms(weight_grams)
        return Quote("zone", Money(Decimal(cents) / 100, "EUR"), 2)

    return quote


Scenario = tuple[list[SourcingLine], list[SourcingCandidate], dict[int, RateSpec]]


def demand_by_product(lines: Sequence[SourcingLine]) -> dict[int, int]:
    demand: dict[int, int] = {}
    for line in lines:
        demand[line.product_id] = demand.get(line.product_id, 0) + line.quantity
    return demand


def giving(candidate: SourcingCandidate, product_id: int) -> int:
    units: int = candidate.stock.get(product_id, (0, 0))[1]
    return max(units, 0)


def used(decision: SourcingDecision) -> set[int]:
    return {a.location_id for a in decision.allocations}


@given(scenarios(), st.sampled_from([0, 1, 3, 10, 5000]))
def test_allocations_stay_within_stock_and_line_quantities(
    scenario: Scenario, max_combinations: int
) -> None:
    lines, candidates, rates = scenario
    decision = plan_sourcing(
        lines, candidates, cents_quoter(rates), max_combinations=max_combinations
    )
    by_id = {c.location_id: c for c in candidates}
    taken: dict[tuple[int, int], int] = {}
    per_line: dict[int, int] = {}
    for a in decision.allocations:
        assert a.quantity > 0
        assert rates[a.location_id] is not None
        assert by_id[a.location_id].stock[a.product_id][0] == a.stock_id
        taken[(a.location_id, a.product_id)] = taken.get((a.location_id, a.product_id), 0) + (
            a.quantity
        )
        per_line[a.line_key] = per_line.get(a.line_key, 0) + a.quantity
    for (location, product), units in taken.items():
        assert units <= giving(by_id[location], product)
    for line in lines:
        assert per_line.get(line.line_key, 0) + decision.backordered.get(line.line_key, 0) == (
            line.quantity
        )
        assert decision.backordered.get(line.line_key, 0) >= 0


@given(scenarios())
def test_only_what_no_rated_location_has_is_backordered(scenario: Scenario) -> None:
    lines, candidates, rates = scenario
    decision = plan_sourcing(lines, candidates, cents_quoter(rates))
    rated = [c for c in candidates if rates[c.location_id] is not None]
    for product, demand in demand_by_product(lines).items():
        available = sum(giving(c, product) for c in rated)
        waiting = sum(
            decision.backordered.get(line.line_key, 0)
            for line in lines
            if line.product_id == product
        )
        assert waiting == max(demand - available, 0)


def fewest_locations(lines: Sequence[SourcingLine], candidates: Sequence[SourcingCandidate]) -> int:
    """Brute force: the smallest set of locations that ships all that can ship."""
    demand = demand_by_product(lines)
    target = {p: min(d, sum(giving(c, p) for c in candidates)) for p, d in demand.items()}
    for size in range(len(candidates) + 1):
        for members in itertools.combinations(candidates, size):
            if all(sum(giving(c, p) for c in members) >= t for p, t in target.items()):
                return size
    raise AssertionError("the whole set always covers the target")


@given(scenarios())
def test_the_fewest_locations_ship(scenario: Scenario) -> None:
    lines, candidates, rates = scenario
    decision = plan_sourcing(lines, candidates, cents_quoter(rates))
    rated = [c for c in candidates if rates[c.location_id] is not None]
    assert len(used(decision)) == fewest_locations(lines, rated)
    greedy = plan_sourcing(lines, candidates, cents_quoter(rates), max_combinations=0)
    assert len(used(decision)) <= len(used(greedy))
    assert len(decision.explanation["shipments"]) == len(used(decision))


def cheapest_fewest(
    lines: Sequence[SourcingLine], candidates: Sequence[SourcingCandidate], quote: Quoter
) -> tuple[list[str], Decimal] | None:
    """Brute force: among the smallest sets that ship all that can ship, the cheapest (then
    the highest summed priority, then the codes), each member taking in turn all it can of
    what is left, the one that would cost least for the whole order first."""
    demand = demand_by_product(lines)
    grams = {line.product_id: line.unit_weight_grams for line in lines}

    def price(candidate: SourcingCandidate, units: Mapping[int, int]) -> Decimal:
        found = quote(candidate.location_id, sum(n * grams[p] for p, n in units.items()))
        assert found is not None
        return found.cost.amount

    useful = [c for c in candidates if any(giving(c, p) for p in demand)]
    fill_order = sorted(
        useful, key=lambda c: (price(c, demand), -c.priority, c.code, c.location_id)
    )
    target = {p: min(d, sum(giving(c, p) for c in useful)) for p, d in demand.items()}
    for size in range(1, len(useful) + 1):
        found: list[tuple[tuple[Decimal, int, list[str]], Decimal]] = []
        for members in itertools.combinations(fill_order, size):
            left, cost = dict(target), Decimal(0)
            for member in members:
                units = {p: min(giving(member, p), n) for p, n in left.items()}
                if not any(units.values()):
                    break
                left = {p: n - units[p] for p, n in left.items()}
                cost += price(member, units)
            else:
                if not any(left.values()):
                    codes = sorted(m.code for m in members)
                    found.append(((cost, -sum(m.priority for m in members), codes), cost))
        if found:
            (_, _, codes), cost = min(found)
            return codes, cost
    return None


@given(scenarios())
def test_the_cheapest_of_the_fewest_sets_wins(scenario: Scenario) -> None:
    lines, candidates, rates = scenario
    decision = plan_sourcing(lines, candidates, cents_quoter(rates))
    rated = [c for c in candidates if rates[c.location_id] is not None]
    expected = cheapest_fewest(lines, rated, cents_quoter(rates))
    if expected is None:
        assert decision.allocations == ()
    else:
        codes, cost = expected
        assert sorted(decision.explanation["chosen"]) == codes
        assert Decimal(decision.explanation["total_cost"]) == cost


@given(scenarios())
def test_a_location_that_has_everything_ships_alone_and_is_the_cheapest(
    scenario: Scenario,
) -> None:
    lines, candidates, rates = scenario
    decision = plan_sourcing(lines, candidates, cents_quoter(rates))
    demand = demand_by_product(lines)
    complete = [
        c
        for c in candidates
        if rates[c.location_id] is not None and all(giving(c, p) >= d for p, d in demand.items())
    ]
    if complete:
        assert len(used(decision)) == 1
        assert decision.backordered == {}
        costs = {
            row["location"]: Decimal(row["cost"])
            for row in decision.explanation["candidates"]
            if row["complete"] and row["cost"] is not None
        }
        (winner,) = decision.explanation["chosen"]
        assert costs[winner] == min(costs.values())


@given(scenarios(), st.data())
def test_the_decision_does_not_depend_on_candidate_order(
    scenario: Scenario, data: st.DataObject
) -> None:
    lines, candidates, rates = scenario
    first = plan_sourcing(lines, candidates, cents_quoter(rates))
    again = plan_sourcing(lines, candidates, cents_quoter(rates))
    shuffled = plan_sourcing(lines, data.draw(st.permutations(candidates)), cents_quoter(rates))
    assert first == again == shuffled
    assert json.loads(json.dumps(first.explanation)) == first.explanation
    codes = [row["location"] for row in first.explanation["candidates"]]
    assert codes == sorted(codes)


@given(scenarios(), st.booleans())
def test_without_an_explanation_the_decision_is_the_same(
    scenario: Scenario, one_location: bool
) -> None:
    """`explain=False` (placing, filling) may skip the search for a lone location; the
    allocations, backorders and rule must be what the full decision says."""
    lines, candidates, rates = scenario
    if one_location:
        candidates = candidates[:1]
    quick = plan_sourcing(lines, candidates, cents_quoter(rates), explain=False)
    full = plan_sourcing(lines, candidates, cents_quoter(rates))
    assert (quick.allocations, quick.backordered, quick.rule) == (
        full.allocations,
        full.backordered,
        full.rule,
    )
    assert quick.explanation == {"rule": full.rule}

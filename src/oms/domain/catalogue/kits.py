"""Kits: products made of components. What a kit's components allow, and how a plan in
kit units becomes units on the components' stock rows (decision 0008)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oms.domain.errors import FieldErrors

MAX_COMPONENTS = 50
MAX_COMPONENT_QUANTITY = 10_000


@dataclass(frozen=True, slots=True)
class Component:
    """`quantity` units of one product go into one kit."""

    product_id: int
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ComponentRequest:
    """A component as a user names it: by SKU."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Known:
    """What the catalogue knows of a product named as a component."""

    product_id: int
    kit: bool


def check_components(
    kit_sku: str,
    wanted: Sequence[ComponentRequest],
    known: Mapping[str, Known],
    errors: FieldErrors,
) -> tuple[Component, ...]:
    """The kit's components, or errors (`components[i].sku` / `.quantity`): each an
    existing product, named once, not the kit itself nor a kit (one level only), at least
    one unit of it."""
    if len(wanted) > MAX_COMPONENTS:
        errors.add("components", f"at most {MAX_COMPONENTS} components")
    seen: set[str] = set()
    out: list[Component] = []
    for i, c in enumerate(wanted):
        where = f"components[{i}]"
        if not 1 <= c.quantity <= MAX_COMPONENT_QUANTITY:
            errors.add(f"{where}.quantity", f"must be between 1 and {MAX_COMPONENT_QUANTITY}")
        found = known.get(c.sku)
        if c.sku == kit_sku:
            errors.add(f"{where}.sku", "a kit cannot be its own component")
        elif c.sku in seen:
            errors.add(f"{where}.sku", f"{c.sku!r} is named twice; give its total quantity once")
        elif found is None:
            errors.add(f"{where}.sku", f"no product with SKU {c.sku!r}")
        elif found.kit:
            errors.add(f"{where}.sku", f"{c.sku!r} is a kit; a kit is made of plain products")
        else:
            out.append(Component(found.product_id, c.sku, c.quantity))
        seen.add(c.sku)
    return tuple(sorted(out, key=lambda c: c.product_id))


def kit_units(components: Sequence[Component], free: Mapping[int, int]) -> int:
    """Whole kits the components make: min over components of floor(free / quantity);
    `free` is units per component product id (missing: none)."""
    if not components:
        return 0
    return min(max(free.get(c.product_id, 0), 0) // c.quantity for c in components)


def lead(components: Sequence[Component]) -> Component:
    """The component whose units count a kit line's units (the lowest product id)."""
    return min(components, key=lambda c: c.product_id)


@dataclass(frozen=True, slots=True)
class KitTake:
    """Kits of one line from one location, as sourcing planned them."""

    line_key: int
    location_id: int
    kits: int


@dataclass(frozen=True, slots=True)
class ComponentTake:
    """Units of one component row a kit line takes: `kits * per_unit`."""

    line_key: int
    location_id: int
    stock_id: int
    product_id: int
    quantity: int
    per_unit: int
    lead: bool


def fit_kits(
    takes: Sequence[KitTake],
    components: Mapping[int, Sequence[Component]],
    kit_of_line: Mapping[int, int],
    rows: Mapping[tuple[int, int], tuple[int, int]],
    used: Mapping[int, int],
) -> tuple[list[ComponentTake], dict[int, int]]:
    """Turn kits planned per line and location into component units on stock rows.

    `rows` is (location id, product id) -> (stock id, units free to this order); `used`
    is what the order's plain lines already take per stock id. The planner counts each
    product's units on its own, so two kits, or a kit and a plain line, of one order may
    have been promised one unit twice: each take gets only the whole kits still left on
    its components' rows after the ones before it. Returns the component takes and the
    kits per line that no longer fit (to be backordered).
    """
    left: dict[int, int] = {}
    for stock_id, free in rows.values():
        left[stock_id] = free - used.get(stock_id, 0)
    out: list[ComponentTake] = []
    short: dict[int, int] = defaultdict(int)
    for t in sorted(takes, key=lambda t: (t.line_key, t.location_id)):
        parts = components[kit_of_line[t.line_key]]
        here = {
            c.product_id: left.get(rows[(t.location_id, c.product_id)][0], 0)
            if (t.location_id, c.product_id) in rows
            else 0
            for c in parts
        }
        kits = min(t.kits, kit_units(parts, here))
        if kits < t.kits:
            short[t.line_key] += t.kits - kits
        if kits <= 0:
            continue
        first = lead(parts)
        for c in parts:
            stock_id = rows[(t.location_id, c.product_id)][0]
            left[stock_id] -= kits * c.quantity
            out.append(
                ComponentTake(
                    t.line_key,
                    t.location_id,
                    stock_id,
                    c.product_id,
                    kits * c.quantity,
                    c.quantity,
                    c is first,
                )
            )
    return out, dict(short)


def line_units(held: Mapping[int, tuple[int, int]]) -> int:
    """A line's units at one location from what it holds per stock row there
    (stock id -> (units, per_unit)): the fewest whole units any row makes. A plain line has
    one row with per_unit 1; a kit line one row per component."""
    if not held:
        return 0
    return min(units // per for units, per in held.values())


def split(
    kits: Mapping[int, Sequence[Component]], product_id: int, quantity: int
) -> list[tuple[int, int]]:
    """Units of a product as stock rows see them: a kit's as its components' units
    (quantity x component quantity each), a plain product's as they are."""
    parts = kits.get(product_id)
    if not parts:
        return [(product_id, quantity)]
    return [(c.product_id, quantity * c.quantity) for c in parts]


def contents(components: Sequence[Component], kits: int) -> str:
    """What `kits` kits hold, as pick lists and packing slips say it: "KETTLE x2, MUG x4"."""
    return ", ".join(f"{c.sku} x{c.quantity * kits}" for c in components)


def described(name: str, components: Sequence[Component], kits: int) -> str:
    """A line's product name, with a kit's contents for `kits` kits."""
    if not components:
        return name
    return f"{name} (KIT x{kits}: {contents(components, kits)})"

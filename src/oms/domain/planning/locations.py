"""How a product's demand, counted for the whole shop, splits across the locations that
ship it (docs/planning.md): each shipping location's share of the units the product
shipped over the history window. A product that shipped nothing there takes the shares of
all products' shipments; nothing shipped at all: equal shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def location_shares(
    shipped: Mapping[tuple[str, str], float], skus: Sequence[str], locations: Sequence[str]
) -> dict[str, dict[str, float]]:
    """sku -> {location: share}, the shares of each sku adding up to 1; `shipped` is
    (sku, location) -> units shipped; only the shipping `locations` are counted and every
    one of them appears (with 0 where it shipped none of a product that others did)."""
    if not locations:
        return {sku: {} for sku in skus}
    overall = {loc: 0.0 for loc in locations}
    for (_, loc), units in shipped.items():
        if loc in overall:
            overall[loc] += max(units, 0.0)
    fallback = _normalised(overall) or {loc: 1 / len(locations) for loc in locations}
    out: dict[str, dict[str, float]] = {}
    for sku in skus:
        own = {loc: max(shipped.get((sku, loc), 0.0), 0.0) for loc in locations}
        out[sku] = _normalised(own) or dict(fallback)
    return out


def _normalised(units: Mapping[str, float]) -> dict[str, float] | None:
    total = sum(units.values())
    return {k: v / total for k, v in units.items()} if total > 0 else None

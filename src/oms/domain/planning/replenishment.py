"""Reorder levels from a forecast (docs/planning.md): safety stock, reorder point,
order-up-to level, and an order quantity that a supplier accepts.

Safety stock is calibrated on the forecast's own past errors: over earlier origins, the
error of the lead-time total (actual - forecast) divided by the product's scale (its mean
daily demand x the days covered) is pooled per ABC class, and the empirical quantile at
the target service level, times this product's scale, is the safety stock. The normal
formula, z x sigma x sqrt(days), is kept for comparison (and for a product with no error
history)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist


class AbcClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"


A_SHARE = 0.80  # the products making the first 80% of revenue
B_SHARE = 0.95  # the next 15%; the rest is C


def abc_classes(revenue: Mapping[str, float]) -> dict[str, AbcClass]:
    """Products by revenue, largest first: A until the cumulated share reaches 80% (the
    product that crosses it included), B until 95%, C the rest (ties by key)."""
    total = sum(max(v, 0.0) for v in revenue.values())
    out: dict[str, AbcClass] = {}
    running = 0.0
    for key, value in sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0])):
        share_before = running / total if total > 0 else 1.0
        running += max(value, 0.0)
        if share_before < A_SHARE:
            out[key] = AbcClass.A
        elif share_before < B_SHARE:
            out[key] = AbcClass.B
        else:
            out[key] = AbcClass.C
    return out


def empirical_quantile(values: Sequence[float], level: float) -> float:
    """The smallest value v with at least `level` of the values ≤ v (the ⌈n·level⌉-th
    smallest): with 20 errors and 95%, the 19th. Conservative, no interpolation."""
    if not values:
        raise ValueError("no values")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    ordered = sorted(values)
    k = max(math.ceil(len(ordered) * level - 1e-9), 1)
    return ordered[k - 1]


def scaled_error(actual: float, forecast: float, scale: float) -> float:
    """A lead-time error in units of the product's scale (mean daily demand x days)."""
    return (actual - forecast) / scale if scale > 0 else 0.0


def safety_stock_empirical(scale: float, scaled_errors: Sequence[float], level: float) -> float:
    """scale x the `level` quantile of past scaled errors, never below zero."""
    return max(scale * empirical_quantile(scaled_errors, level), 0.0)


def safety_stock_normal(daily_std: float, days: float, level: float) -> float:
    """The textbook z x sigma_d x sqrt(days) (sigma_d the standard deviation of daily demand)."""
    return NormalDist().inv_cdf(level) * daily_std * math.sqrt(days)


@dataclass(frozen=True, slots=True)
class ReorderLevels:
    """Per product and location: the demand forecast over the lead time (and over lead time
    plus review period), the safety stock, the reorder point and the order-up-to level."""

    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float


def reorder_levels(
    lead_time_demand: float, cover_demand: float, safety_stock: float
) -> ReorderLevels:
    """Reorder point = lead-time demand + safety stock; order-up-to = demand over lead time
    plus review period + safety stock."""
    return ReorderLevels(
        lead_time_demand,
        safety_stock,
        lead_time_demand + safety_stock,
        cover_demand + safety_stock,
    )


def order_quantity(position: float, order_up_to: float, minimum: int = 0, pack: int = 1) -> int:
    """Units to order to bring the inventory position (on hand + on order - backordered)
    up to the level: nothing when at or above it; else at least the minimum, rounded up
    to whole packs."""
    if pack < 1 or minimum < 0:
        raise ValueError("pack must be at least 1 and the minimum not negative")
    needed = order_up_to - position
    if needed <= 0:
        return 0
    units = max(math.ceil(needed - 1e-9), minimum)
    return math.ceil(units / pack) * pack

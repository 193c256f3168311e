"""One product's reorder levels from its forecast, its calibration and its lead time, and
their split across locations (docs/planning.md, "Reorder levels per location")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from oms.domain.planning.lead_times import LeadTime
from oms.domain.planning.replenishment import (
    ReorderLevels,
    reorder_levels,
    safety_stock_empirical,
    safety_stock_normal,
)

MIN_ERRORS = 30  # scaled errors a class needs before its own quantile is trusted


class SafetyMethod(StrEnum):
    EMPIRICAL = "empirical"
    NORMAL = "normal"
    NONE = "none"  # no demand: nothing to hold


@dataclass(frozen=True, slots=True)
class Inputs:
    """A product's forecast over the lead time and over lead time + review (open days
    `cover_open_days`, calendar days `cover_days`); its scale (mean daily demand over the
    last 8 weeks x `cover_open_days`) and daily standard deviation; the scaled errors of
    its class; its target service level and its lead time."""

    lead_time_demand: float
    cover_demand: float
    cover_days: int
    cover_open_days: int
    scale: float
    daily_std: float
    errors: Sequence[float]
    level: float
    lead: LeadTime


@dataclass(frozen=True, slots=True)
class Levels:
    levels: ReorderLevels
    method: SafetyMethod
    lead_allowance: float  # the part of the safety stock held for a late delivery


def safety_stock(inputs: Inputs) -> tuple[float, SafetyMethod]:
    """The empirical quantile of the class's scaled errors when it has MIN_ERRORS of them,
    else the normal formula over the cover's open days."""
    if inputs.cover_demand <= 0 and inputs.scale <= 0:
        return 0.0, SafetyMethod.NONE
    if len(inputs.errors) >= MIN_ERRORS:
        value = safety_stock_empirical(inputs.scale, inputs.errors, inputs.level)
        return value, SafetyMethod.EMPIRICAL
    normal = safety_stock_normal(inputs.daily_std, inputs.cover_open_days, inputs.level)
    return max(normal, 0.0), SafetyMethod.NORMAL


def product_levels(inputs: Inputs) -> Levels:
    """Safety stock = the demand part (empirical or normal) + the lead-time allowance
    (demand per calendar day of the cover x how much later than the mean deliveries come
    at the service level); reorder point and order-up-to level from it."""
    demand_part, method = safety_stock(inputs)
    per_day = inputs.cover_demand / inputs.cover_days if inputs.cover_days > 0 else 0.0
    allowance = inputs.lead.allowance(per_day, inputs.level) if method != SafetyMethod.NONE else 0
    levels = reorder_levels(inputs.lead_time_demand, inputs.cover_demand, demand_part + allowance)
    return Levels(levels, method, allowance)


def at_location(levels: ReorderLevels, share: float) -> ReorderLevels:
    """A location's part of the whole shop's levels: its share of the demand, and the
    safety stock times √share (the spread of a share s of independent demand is √s of the
    whole's), so that the locations together hold a little more than one pooled stock."""
    if share <= 0:
        return ReorderLevels(0.0, 0.0, 0.0, 0.0)
    cover = levels.order_up_to - levels.safety_stock
    safety = levels.safety_stock * math.sqrt(share)
    return reorder_levels(levels.lead_time_demand * share, cover * share, safety)


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


def interval(forecast: float, daily_std: float, open_days: int, coverage: float = 0.8) -> Interval:
    """Where a total over `open_days` falls `coverage` of the time if daily demand varied
    as it did lately: forecast ± z x sigma_d x √days, never below zero (for the charts;
    the safety stock has its own calibration)."""
    half = NormalDist().inv_cdf((1 + coverage) / 2) * daily_std * math.sqrt(max(open_days, 0))
    return Interval(max(forecast - half, 0.0), max(forecast + half, 0.0))

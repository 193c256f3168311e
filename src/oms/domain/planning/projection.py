"""Projected stock: on hand, less what is reserved, plus what is on order on the day it is
expected, less the forecast demand of each open day; the stock-out date is the first open
day on which the projection cannot meet that day's demand. Overstock and dead stock
measures read the same figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Projection:
    days: tuple[date, ...]
    stock: tuple[float, ...]  # at the end of each day
    stock_out: date | None  # the first day short, None: not within the horizon


def project(
    available: float,
    incoming: Mapping[date, float],
    days: Sequence[date],
    daily: Sequence[float],
) -> Projection:
    """`days` are the open days ahead with their forecast `daily`; incoming stock counts
    from its expected day on (stock expected on a closed day counts on the next open one)."""
    stock = available
    out: list[float] = []
    short: date | None = None
    arrivals = sorted(incoming.items())
    i = 0
    for day, demand in zip(days, daily, strict=True):
        while i < len(arrivals) and arrivals[i][0] <= day:
            stock += arrivals[i][1]
            i += 1
        stock -= demand
        out.append(stock)
        if short is None and stock < 0:
            short = day
    return Projection(tuple(days), tuple(out), short)


def days_of_cover(available: float, daily_mean: float) -> float | None:
    """How many open days the stock lasts at the mean daily demand; None without demand."""
    return available / daily_mean if daily_mean > 0 else None


def is_overstock(available: float, daily_mean: float, threshold_days: float) -> bool:
    """More stock than `threshold_days` of demand; any stock of a product nobody asks for."""
    cover = days_of_cover(available, daily_mean)
    return available > 0 and (cover is None or cover > threshold_days)


def dead_stock_value(on_hand: int, unit_cost_minor: int, last_demand: date | None,
                     today: date, idle_days: int) -> int:  # fmt: skip
    """The value at cost of stock nobody asked for in `idle_days` days (0 otherwise)."""
    idle = last_demand is None or (today - last_demand).days >= idle_days
    return on_hand * unit_cost_minor if idle and on_hand > 0 else 0

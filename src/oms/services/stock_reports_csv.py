"""The stock reports as CSV (the API's `format=csv`, the pages' downloads, `oms report
... --csv`): one row per product and location, money in minor units of its currency."""

from __future__ import annotations

from oms.services.reports import to_csv
from oms.services.stock_reports import (
    DeadStockReport,
    OverstockReport,
    Rated,
    StockOutReport,
    StockValueReport,
)

_ROW = (
    "location", "sku", "on_hand", "reserved", "available", "incoming", "next_expected_on",
    "daily_demand",
)  # fmt: skip


def _row(r: Rated) -> list[object]:
    h = r.holding
    return [
        h.location, h.sku, h.on_hand, h.reserved, h.available, r.incoming_units,
        r.next_expected, round(r.daily, 4),
    ]  # fmt: skip


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def stock_out_csv(r: StockOutReport) -> str:
    return to_csv(
        (*_ROW, "days_of_cover", "stock_out_on"),
        ([*_row(x.rated), _r(x.days_of_cover), x.stock_out] for x in r.rows),
    )


def overstock_csv(r: OverstockReport) -> str:
    return to_csv(
        (*_ROW, "days_of_cover", "excess_units", "supplier", "currency", "unit_cost_minor",
         "excess_value_minor"),
        (
            [*_row(x.rated), _r(x.days_of_cover), x.excess_units,
             x.cost.supplier if x.cost else None, x.cost.currency if x.cost else None,
             x.cost.cost_minor if x.cost else None, x.excess_value_minor]
            for x in r.rows
        ),
    )  # fmt: skip


def dead_stock_csv(r: DeadStockReport) -> str:
    return to_csv(
        ("location", "sku", "on_hand", "last_demand_on", "supplier", "currency",
         "unit_cost_minor", "value_minor"),
        (
            [x.holding.location, x.holding.sku, x.holding.on_hand, x.last_demand,
             x.cost.supplier if x.cost else None, x.cost.currency if x.cost else None,
             x.cost.cost_minor if x.cost else None, x.value_minor]
            for x in r.rows
        ),
    )  # fmt: skip


def stock_value_csv(r: StockValueReport) -> str:
    return to_csv(
        ("location", "currency", "products", "units_on_hand", "value_at_cost_minor"),
        (
            [x.location, x.currency, x.products, x.units, x.value_minor if x.currency else None]
            for x in r.rows
        ),
    )

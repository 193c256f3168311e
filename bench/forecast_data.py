"""UCI Online Retail as demand series for bench/forecast.py, through oms's own demand rule.

`bench/forecast.py --source file` and `--compare`: bench/forecast_import.py (the default)
loads the file through oms's CSV order import and the planning service; this loader, kept
for the comparison, reads the file itself and hands each invoice line to the same domain
rule the database path uses (oms.domain.planning.demand): an OrderedLine per line, counted
by `counted_units`, summed per day by `demand_by_day`, laid on the shop's open days by
`daily_demand`. Unlike the import it pairs C invoices with the lines they reverse (below)
and refuses no invoice.

- Products: stock codes of five digits and an optional letter; postage, fees, manual
  lines, samples, gift vouchers and the like are not products.
- Cancellations (invoices starting with C, negative quantities): one that reverses a line
  of the same customer, product and quantity placed in the 24 hours before it marks that
  line as cancelled within a day (the 74,215-unit order cancelled minutes later), which
  the rule counts zero; any other C line is a return after the demand happened, and the
  demand stands. Negative lines on ordinary invoices are stock corrections, not demand.
- Open days: Sunday to Friday (the shop never trades on Saturdays), less the days with no
  invoice at all (Christmas to the New Year, Easter, bank holidays): closed days, not days
  of zero demand."""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from oms.domain.planning.demand import (
    DemandSeries,
    OpenDays,
    OrderedLine,
    daily_demand,
    demand_by_day,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "uci-online-retail"
FILE = DATA / "online_retail.csv.gz"
PRODUCT = re.compile(r"^\d{5}[A-Za-z]{0,2}$")


@dataclass(frozen=True, slots=True)
class Retail:
    series: list[DemandSeries]
    calendar: OpenDays
    revenue: dict[str, float]  # per product, GBP, over the whole file
    first: date
    last: date
    lines: int
    mistakes: int


def load(path: Path = FILE) -> Retail:
    lines: list[OrderedLine] = []
    customers: list[str] = []
    cancels: list[tuple[str, str, int, datetime]] = []
    revenue: dict[str, float] = defaultdict(float)
    trading: set[date] = set()
    with gzip.open(path, "rt", newline="") as f:
        for row in csv.DictReader(f):
            at = datetime.fromisoformat(row["InvoiceDate"]).replace(tzinfo=UTC)
            trading.add(at.date())
            sku = row["StockCode"].strip().upper()
            if not PRODUCT.match(sku):
                continue
            qty = int(row["Quantity"])
            if row["InvoiceNo"].startswith("C"):
                cancels.append((row["CustomerID"], sku, -qty, at))
                continue
            if qty <= 0:
                continue
            lines.append(OrderedLine(sku, at, qty))
            customers.append(row["CustomerID"])
            revenue[sku] += qty * float(row["UnitPrice"])
    lines, mistakes = _pair_mistakes(lines, customers, cancels)
    first, last = min(trading), max(trading)
    span = (first + timedelta(days=i) for i in range((last - first).days + 1))
    closed = frozenset(d for d in span if d.weekday() != 5 and d not in trading)
    calendar = OpenDays(frozenset({0, 1, 2, 3, 4, 6}), closed)
    series = daily_demand(demand_by_day(lines), calendar, first, last)
    return Retail(series, calendar, dict(revenue), first, last, len(lines), mistakes)


def _pair_mistakes(
    lines: list[OrderedLine], customers: list[str], cancels: list[tuple[str, str, int, datetime]]
) -> tuple[list[OrderedLine], int]:
    """Marks each line that a C line reverses within a day as cancelled then."""
    index: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for i, (line, customer) in enumerate(zip(lines, customers, strict=True)):
        index[(customer, line.sku, line.quantity)].append(i)
    marked: dict[int, datetime] = {}
    for customer, sku, qty, at in cancels:
        for i in reversed(index.get((customer, sku, qty), [])):
            placed = lines[i].placed_at
            if i not in marked and placed <= at <= placed + timedelta(days=1):
                marked[i] = at
                break
    out = [
        OrderedLine(ln.sku, ln.placed_at, ln.quantity, 0, marked[i]) if i in marked else ln
        for i, ln in enumerate(lines)
    ]
    return out, len(marked)

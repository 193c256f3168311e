"""UCI Online Retail as demand series for bench/forecast.py, through oms's own path: the file
imported by the CSV order import into a fresh SQLite database, the demand read back by the
planning service.

1. A SQLite database in a temporary directory (or `--database FILE`, kept; an existing one
   is reused as it is, without importing again), migrated to head; a GB warehouse working
   Sunday to Friday (the shop never trades on Saturdays) and the channel `uci` (csv, GBP).
2. `services.order_import.import_orders` with docs/channels.md's mapping for this file
   (`--skip-prefix C --create-products --tz Europe/London`): one invoice one order, placed
   at its InvoiceDate; C invoices skipped; an invoice with a bad row refused whole and
   reported. The report is printed. Before it, the file's countries that are no country oms
   reads (EIRE, Channel Islands, Unspecified, European Community) are mapped (COUNTRIES).
3. `services.planning.read_series` (what `oms forecast` and `oms plan` read: every order
   line counted by oms's demand rule, on the shop calendar of the warehouse: Sunday to
   Friday less the GB public holidays) over the whole span, in UK time.
4. The bench's open-days rule on top, as bench/forecast_data.py has it: a day on which
   nothing was ordered at all is a closed day (the shop shut from Christmas to the New
   Year, at Easter and on the bank holidays, more days than the GB holidays). No GB
   holiday of the file's span had an order, so this only removes days of zero demand from
   every series. Products: stock codes of five digits and an optional letter, as the
   loader (postage, fees, samples are products in the database, not in the bench).

What differs from bench/forecast_data.py is the import's: C invoices are skipped, not
paired with the line they reverse (a line cancelled within a day counts in full here), and
the invoices the import refuses (a negative quantity on an ordinary invoice, a StockCode
that is no SKU) are missing whole."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from forecast_data import FILE, PRODUCT, Retail
from oms.domain.planning.demand import DemandSeries, OpenDays, daily_demand

ZONE = "Europe/London"
CHANNEL = "uci"
MAPPING = (
    "external_id=InvoiceNo,sku=StockCode,quantity=Quantity,unit_price=UnitPrice,"
    "customer_ref=CustomerID,ship_country=Country,placed_at=InvoiceDate,"
    "description=Description"
)
DEFAULTS = (
    "customer_ref=guest,ship_line1=unknown,ship_city=unknown,ship_postal_code=unknown,currency=GBP"
)
SUNDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4, 6})
# Online Retail's countries that are neither an ISO code nor an English name oms knows
# (oms's import reads "United Kingdom", "USA" and the like itself). EIRE is Ireland's Irish
# name; "Channel Islands" is Jersey or Guernsey, the file does not say which: Jersey; the
# file names no country for "Unspecified" and "European Community": the shop's own, as
# the address lines the file lacks are "unknown". The country decides nothing the bench
# measures; without the mapping 225 invoices (116,128 units) were refused.
COUNTRIES = {"EIRE": "IE", "Channel Islands": "JE", "Unspecified": "GB",
             "European Community": "GB"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Imported:
    """The import's report as the bench prints it (None: a kept database reused)."""

    lines: int
    orders: int
    imported: int
    already: int
    skipped: int
    cancellations: int
    products_created: int
    error_count: int
    seconds: float
    rate: float
    errors_csv: str  # row, column, message: the first 1,000 row errors

    def summary(self) -> str:
        return (
            f"import: {self.lines:,} rows, {self.orders:,} invoices in {self.seconds:.0f} s "
            f"({self.rate:,.0f} lines/s): {self.imported:,} orders imported, "
            f"{self.already:,} already there, {self.skipped:,} refused ({self.error_count:,} "
            f"row errors), {self.cancellations:,} C invoices skipped, "
            f"{self.products_created:,} products created"
        )


def _setup(url: str) -> None:
    from oms.adapters.db.migrate import upgrade
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.access import SYSTEM
    from oms.domain.catalogue.model import LocationKind, LocationSettings, NewLocation
    from oms.domain.channels.model import Channel, ChannelKind
    from oms.services import catalogue, channels

    upgrade(url)
    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    uow = container.uow()
    shop = LocationSettings(time_zone=ZONE, working_days=SUNDAY_TO_FRIDAY)
    catalogue.create_location(
        uow, SYSTEM,
        NewLocation("UK", "UCI warehouse", LocationKind.WAREHOUSE, "GB", "SW1A 1AA", True, 0,
                    shop),
    )  # fmt: skip
    channels.create_channel(uow, SYSTEM, Channel(CHANNEL, ChannelKind.CSV, "GBP"))
    container.close()


def convert(path: Path, out: Path) -> int:
    """The file with COUNTRIES mapped (gzip CSV, everything else as it was); rows changed."""
    import csv
    import gzip

    changed = 0
    with (
        gzip.open(path, "rt", newline="", encoding="utf-8") as f,
        gzip.open(out, "wt", newline="", encoding="utf-8", compresslevel=1) as g,
    ):
        reader = csv.reader(f)
        writer = csv.writer(g, lineterminator="\n")
        names = next(reader)
        writer.writerow(names)
        at = names.index("Country")
        for row in reader:
            if row[at] in COUNTRIES:
                row[at] = COUNTRIES[row[at]]
                changed += 1
            writer.writerow(row)
    return changed


def import_file(url: str, path: Path, progress: Callable[[int], None]) -> Imported:
    """The file through oms's CSV order import (as `oms import orders` with the mapping of
    docs/channels.md), a fresh unit of work per batch."""
    from oms.adapters.channels import order_csv
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.access import SYSTEM
    from oms.services.order_import import ImportOptions, errors_csv, import_orders

    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    asked = order_csv.ImportRequest(MAPPING, DEFAULTS, True, "C", ZoneInfo(ZONE))
    layout = order_csv.layout_of(path, asked)
    _, apart = order_csv.survey(path, layout)
    options = ImportOptions(True, "C", frozenset(apart), ZoneInfo(ZONE))
    with order_csv.opened(path) as text:
        names = order_csv.header(text)
        r = import_orders(
            container.uow(), SYSTEM, CHANNEL, order_csv.rows(text, names), layout, options,
            progress, fresh=container.uow,
        )  # fmt: skip
    container.close()
    return Imported(r.lines, r.orders, r.imported, r.already, r.skipped, r.cancellations,
                    r.products_created, r.error_count, r.seconds, r.rate,
                    errors_csv(r))  # fmt: skip


def read_back(url: str) -> Retail:
    """The demand series from the database through the planning service, on the bench's
    open days (see the module's docstring), and each product's revenue (GBP)."""
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.services.planning import HistoryQuery, read_series

    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    uow = container.uow()
    wide = HistoryQuery(date(2010, 1, 1), date(2012, 12, 31), ZONE)
    shop = read_series(uow, container.demand_lines(uow), wide)
    zone = ZoneInfo(ZONE)
    start = datetime.combine(wide.since, datetime.min.time(), zone)
    end = datetime.combine(wide.until + timedelta(days=1), datetime.min.time(), zone)
    store = container.replenishment(uow)
    minor = uow.run(lambda: store.revenue(start, end), write=False)
    found = container.demand_lines(uow)
    lines = uow.run(
        lambda: sum(1 for ln in found.ordered_lines(start, end) if PRODUCT.match(ln.sku)),
        write=False,
    )
    container.close()
    per_day: dict[str, dict[date, float]] = {}
    ordered: dict[date, float] = {}
    for s in shop:  # every sku, products or not: a day with any order is a trading day
        for day, units in zip(s.days, s.units, strict=True):
            if units:
                ordered[day] = ordered.get(day, 0.0) + units
        sku = s.key.strip().upper()
        if PRODUCT.match(sku):
            mine = per_day.setdefault(sku, {})
            for day, units in zip(s.days, s.units, strict=True):
                if units:
                    mine[day] = mine.get(day, 0.0) + units
    first, last = min(ordered), max(ordered)
    span = (first + timedelta(days=i) for i in range((last - first).days + 1))
    closed = frozenset(d for d in span if d.weekday() != 5 and d not in ordered)
    calendar = OpenDays(SUNDAY_TO_FRIDAY, closed)
    series: list[DemandSeries] = daily_demand(per_day, calendar, first, last)
    revenue: dict[str, float] = {}
    for sku, value in minor.items():
        key = sku.strip().upper()
        revenue[key] = revenue.get(key, 0.0) + value / 100
    return Retail(series, calendar, revenue, first, last, lines, 0)


def load_via_import(
    path: Path = FILE, keep: Path | None = None, say: Callable[[str], None] = print
) -> tuple[Retail, Imported | None]:
    """Import (unless `keep` already exists) and read back; the import's report or None."""
    with tempfile.TemporaryDirectory(prefix="oms-forecast-") as tmp:
        db = keep or Path(tmp) / "uci.db"
        url = f"sqlite:///{db}"
        report = None
        if keep is None or not keep.exists():
            _setup(url)
            started, done = time.perf_counter(), 0

            def progress(n: int) -> None:
                nonlocal done
                before, done = done, done + n
                if before // 50_000 != done // 50_000:
                    say(f"  imported {done:,} rows, {time.perf_counter() - started:.0f} s")

            converted = Path(tmp) / "converted.csv.gz"
            say(f"countries mapped on {convert(path, converted):,} rows (COUNTRIES)")
            report = import_file(url, converted, progress)
            say(report.summary())
        else:
            say(f"reusing {db} (no import)")
        return read_back(url), report

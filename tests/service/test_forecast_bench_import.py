"""bench/forecast_import.py on a made-up file in Online Retail's layout: the import, then the
series read back by the planning service on the bench's open days (hand-computed). The bench
makes its own SQLite database, so this runs on SQLite only."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

ROWS = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom
C536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-6,2010-12-01 09:00:00,2.55,17850,United Kingdom
536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2010-12-03 10:00:00,2.55,13047,United Kingdom
536368,22423,REGENCY CAKESTAND 3 TIER,2,2010-12-05 23:30:00,12.75,,United Kingdom
536369,22423,REGENCY CAKESTAND 3 TIER,3,2010-12-07 11:00:00,12.75,13047,United Kingdom
536370,22423,REGENCY CAKESTAND 3 TIER,9,2010-12-07 12:00:00,12.75,14911,EIRE
536371,22423,REGENCY CAKESTAND 3 TIER,-2,2010-12-07 13:00:00,12.75,14911,United Kingdom
"""


@pytest.fixture
def bench_path() -> Iterator[None]:
    sys.path.insert(0, str(BENCH))
    yield
    sys.path.remove(str(BENCH))


def test_the_file_goes_through_the_import_and_comes_back_as_series(
    tmp_path: Path, bench_path: None
) -> None:
    from forecast_import import load_via_import

    path = tmp_path / "retail.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(ROWS)
    said: list[str] = []
    retail, report = load_via_import(path, tmp_path / "uci.db", said.append)

    assert report is not None
    assert (report.lines, report.orders, report.imported) == (8, 7, 5)
    assert (report.cancellations, report.skipped, report.products_created) == (1, 1, 3)
    assert said[-1] == report.summary()
    assert said[0] == "countries mapped on 1 rows (COUNTRIES)"  # EIRE: IE
    assert report.errors_csv.splitlines()[1].startswith("9,Quantity,")  # -2 on an invoice
    # Wednesday 1 to Tuesday 7 December: Saturday 4 is not a trading day, Thursday 2 and
    # Monday 6 had no order (closed); Sunday 5 is open (the shop trades on Sundays).
    days = (date(2010, 12, 1), date(2010, 12, 3), date(2010, 12, 5), date(2010, 12, 7))
    series = {s.key: s for s in retail.series}
    assert sorted(series) == ["22423", "85123A"]  # POST is no product
    assert series["85123A"].days == days
    # The C invoice is skipped, not paired: the 6 units of 536365 count.
    assert series["85123A"].units == (6.0, 4.0, 0.0, 0.0)
    # 23:30 UK time on the 5th stays on the 5th; the EIRE invoice counts (as IE), the one
    # with a negative quantity is refused whole.
    assert series["22423"].units == (0.0, 0.0, 2.0, 12.0)
    assert retail.revenue["85123A"] == pytest.approx(25.5)
    assert retail.revenue["22423"] == pytest.approx(178.5)
    assert (retail.first, retail.last, retail.lines) == (days[0], days[-1], 5)

    again, none = load_via_import(path, tmp_path / "uci.db", said.append)
    assert none is None and said[-1].startswith("reusing")
    assert [s.units for s in again.series] == [s.units for s in retail.series]

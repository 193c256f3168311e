# ruff: noqa: E501, C901, SIM117, SIM905  (data tables and one long generator: a bench tool)
"""A million orders of realistic shape, for the read benches (`bench/reads.py`).

Fills a database of its own (PostgreSQL: `--database-url postgresql://.../oms_reads`,
dropped and created afresh; SQLite: `--sqlite FILE`, replaced) with the demo's catalogue,
locations, carriers, stock and users (`oms demo --orders 0`, through the use cases), then
`--orders` orders over the year before today written straight into the tables, with
everything the order pages and lists read hanging off them:

- customers: a third as many as orders, repeat buyers on a long tail (a few buy every
  week, most once or twice), names from six countries, emails and phones as shops see them
  (`first.last@provider`, `+33 6 ..`), each ordering with the same email, name and phone;
- lines (1 to 4), payments, the timeline (placed, paid, confirmed, sourced, shipment
  events, shipped, delivered, completed; cancelled and held ones too), shipments with S10
  tracking numbers, their lines and carrier events, reservations and stock-ledger rows
  (reservation, shipment) and the stock rows' reserved units for the orders still open;
- a status mix as a year of trade leaves it: orders older than the completion window
  completed (5% cancelled), the last two weeks delivered, in transit (some late), in the
  warehouse, confirmed, held or pending.

Rows are written as the repositories would write them (tests/e2e of reads check the API
answers them); PostgreSQL by COPY, SQLite by executemany in transactions of 50,000 orders.
Then the id sequences and order-number counter move past them and ANALYZE runs (after
copies and --freshen, VACUUM (ANALYZE) on PostgreSQL).
Not a way to make data for anything but benches. Run: `python bench/million.py --orders
100000 --sqlite /tmp/reads.db` (about a minute per 100,000 orders on either database).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import million_copies
from million_data import (
    CHANNELS,
    CITIES,
    COUNTRY_WEIGHTS,
    EXTERNAL,
    FIRST,
    LANGUAGE,
    LAST,
    PHONE,
    PLACES,
    PROVIDERS,
    STREETS,
)
from oms.adapters.db.migrate import upgrade
from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.demo import load_demo
from oms.domain.fulfilment.tracking import format_tracking_number
from oms.domain.orders.model import order_number
from oms.services.users import create_demo_users

CHUNK = 50_000
COMPLETION_DAYS = 14
SERIAL_BASE = 20_000_000  # tracking serials of the generated shipments (the demo's: 10,000,000+)

# Column lists, in the order each generator yields its tuples.
COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "id|number|channel|external_id|request_hash|status|held_from|customer_email|"
        "customer_name|customer_phone|customer_language|ship_name|ship_line1|ship_city|"
        "ship_postal_code|ship_country|currency|priority|subtotal_minor|shipping_minor|"
        "tax_minor|total_minor|discount_minor|prices_include_tax|paid_minor|"
        "refunded_minor|exchanges|version|created_at|updated_at|tracking_token"
    ).split("|"),
    "order_lines": (
        "id|order_id|line_no|product_id|sku|quantity|unit_price_minor|allocated_quantity|"
        "backordered_quantity|shipped_quantity|delivered_quantity|cancelled_quantity|"
        "returned_quantity|discount_minor|tax_minor"
    ).split("|"),
    "payments": (
        "id|order_id|provider|reference|amount_minor|currency|created_by|created_at"
    ).split("|"),
    "order_events": ("id|order_id|type|from_status|to_status|actor|at|data").split("|"),
    "shipments": (
        "id|order_id|location_id|status|carrier|service|tracking_number|weight_grams|"
        "ship_date|promised_delivery_date|shipping_cost_minor|currency|last_event_at|"
        "ship_by|version|created_at|updated_at"
    ).split("|"),
    "shipment_lines": (
        "id|shipment_id|order_line_id|product_id|sku|quantity|picked_quantity"
    ).split("|"),
    "shipment_events": ("id|shipment_id|status|at|location|note|applied|actor|received_at").split(
        "|"
    ),
    "reservations": ("id|order_id|order_line_id|stock_id|quantity|created_at").split("|"),
    "stock_ledger": (
        "id|stock_id|kind|on_hand_delta|reserved_delta|reason|order_id|order_line_id|actor|at"
    ).split("|"),
}
TABLES = tuple(COLUMNS)


@dataclass
class Customer:
    email: str
    name: str
    phone: str | None
    language: str
    country: str
    line1: str
    city: str
    postal: str


@dataclass
class Shop:
    """What the demo's catalogue gave: products and where each is stocked."""

    products: list[tuple[int, str, int, int]]  # id, sku, price_minor, weight_grams
    stock: dict[tuple[int, int], int]  # (location_id, product_id) -> stock id
    locations: dict[int, str]  # id -> country
    first_ids: dict[str, int]
    first_number: int


def customers(rng: random.Random, count: int) -> list[Customer]:
    made: list[Customer] = []
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    for i in range(count):
        country = rng.choices(countries, weights)[0]
        first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{local}{i % 997 if i >= 997 else ''}@{rng.choice(PROVIDERS)}"
        phone = PHONE[country] + "".join(rng.choice("0123456789") for _ in range(8))
        city, postal = rng.choice(CITIES[country])
        postal += "".join(rng.choice("0123456789") for _ in range(5 - len(postal)))
        street = rng.choice(STREETS[country].split("|"))
        made.append(
            Customer(
                email,
                f"{first} {last}",
                phone if rng.random() < 0.85 else None,
                LANGUAGE[country],
                country,
                f"{rng.randint(1, 180)} {street}",
                city,
                postal,
            )
        )
    return made


def _status(rng: random.Random, age_days: float) -> str:
    """What an order placed `age_days` ago is now."""
    if rng.random() < 0.05 and age_days > 1:
        return "cancelled"
    if age_days > COMPLETION_DAYS + 2:
        return "completed"
    if age_days > 4:
        return rng.choices(["delivered", "shipped"], [90, 10])[0]
    if age_days > 2:
        return rng.choices(["delivered", "shipped", "processing"], [30, 60, 10])[0]
    if age_days > 1:
        return rng.choices(["shipped", "processing", "confirmed", "on_hold"], [40, 40, 15, 5])[0]
    return rng.choices(["processing", "confirmed", "pending", "on_hold"], [20, 40, 35, 5])[0]


def _stamp(at: datetime, sqlite: bool) -> Any:
    return at.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else at


class Writer:
    """Generates one chunk of orders at a time, as tuples per table."""

    def __init__(self, shop: Shop, people: list[Customer], rng: random.Random, today: date):
        self.shop, self.people, self.rng, self.today = shop, people, rng, today
        self.ids = dict(shop.first_ids)
        self.number = shop.first_number
        self.serial = SERIAL_BASE
        self.reserved: dict[int, int] = {}  # stock id -> units reserved by open orders
        self.shipped: dict[int, int] = {}  # stock id -> units shipped
        # A long tail of repeat buyers: customer k is drawn with weight 1/(k+1)^0.8.
        self.weights = [1 / (k + 1) ** 0.8 for k in range(len(people))]
        self.sqlite = False  # stamps as SQLite stores them (else: aware, converted on write)

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] += 1
        return value

    def chunk(self, times: list[datetime]) -> dict[str, list[tuple[Any, ...]]]:
        rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        buyers = self.rng.choices(self.people, self.weights, k=len(times))
        now = datetime.combine(self.today, datetime.min.time(), UTC)
        for at, who in zip(times, buyers, strict=True):
            self._order(rows, at, who, (now - at).total_seconds() / 86400)
        return rows

    def _order(self, rows: dict[str, list[Any]], at: datetime, who: Customer, age: float) -> None:
        rng, s = self.rng, self.sqlite
        order_id = self._id("orders")
        status = _status(rng, age)
        channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        external = None
        if channel in EXTERNAL:
            external = f"{EXTERNAL[channel]}{order_id + 4_000_000}"
        lines = []
        for _ in range(rng.choices([1, 2, 3, 4], [50, 30, 15, 5])[0]):
            product = rng.choice(self.shop.products)
            if any(product[0] == p[0] for p, _ in lines):
                continue
            lines.append((product, rng.choices([1, 2, 3], [80, 15, 5])[0]))
        subtotal = sum(p[2] * q for p, q in lines)
        shipping = 0 if subtotal >= 5000 else 490
        total = subtotal + shipping
        line_tax = [round(p[2] * q / 6) for p, q in lines]
        tax = sum(line_tax) + round(shipping / 6)
        paid = total if status not in ("pending",) else 0
        location = rng.choice(list(self.shop.locations))
        country = self.shop.locations[location]
        # The journey's moments (later ones only matter if the status got that far).
        confirmed = at + timedelta(minutes=rng.randint(5, 600))
        picking = confirmed + timedelta(hours=rng.randint(2, 20))
        shipped = picking + timedelta(hours=rng.randint(2, 10))
        transit = rng.choices([1, 2, 3], [50, 35, 15])[0]
        promised = shipped.date() + timedelta(days=transit)
        late = rng.random() < 0.08
        delivered = shipped + timedelta(days=transit + (rng.randint(1, 3) if late else 0),
                                        hours=rng.randint(-4, 4))  # fmt: skip
        if status == "shipped" and late:
            promised = min(promised, self.today - timedelta(days=1))
        shipped_ok = status in ("shipped", "delivered", "completed")
        delivered_ok = status in ("delivered", "completed")
        open_ = status in ("confirmed", "processing", "pending", "on_hold")
        updated = {
            "pending": at, "on_hold": confirmed, "confirmed": confirmed, "processing": picking,
            "shipped": shipped, "delivered": delivered, "cancelled": confirmed,
            "completed": delivered + timedelta(days=COMPLETION_DAYS, hours=1),
        }[status]  # fmt: skip
        rows["orders"].append((
            order_id, order_number(self.number), channel, external, "0" * 64, status,
            "confirmed" if status == "on_hold" else None, who.email, who.name, who.phone,
            who.language, who.name, who.line1, who.city, who.postal, who.country, "EUR", 0,
            subtotal, shipping, tax, total, 0, True, paid, 0, "[]", 3,
            _stamp(at, s), _stamp(updated, s), f"t{order_id:041d}",
        ))  # fmt: skip
        self.number += 1
        event = rows["order_events"]

        def ev(kind: str, when: datetime, frm: str | None, to: str | None, data: Any,
               actor: str = "system") -> None:  # fmt: skip
            text = "{}" if not data else json.dumps(data)
            event.append((self._id("order_events"), order_id, kind, frm, to, actor,
                          _stamp(when, s), text))  # fmt: skip

        line_ids = []
        for no, ((pid, sku, price, _), qty) in enumerate(lines, 1):
            line_id = self._id("order_lines")
            line_ids.append(line_id)
            rows["order_lines"].append((
                line_id, order_id, no, pid, sku, qty, price, qty if open_ else 0, 0,
                qty if shipped_ok else 0, qty if delivered_ok else 0,
                qty if status == "cancelled" else 0, 0, 0, line_tax[no - 1],
            ))  # fmt: skip
        ev("order.placed", at, None, "pending",
           {"allocated": sum(q for _, q in lines), "backordered": 0, "locations": [location]})  # fmt: skip
        if paid:
            payment = self._id("payments")
            reference = f"PSP-{rng.getrandbits(48):012x}"
            paid_at = at + timedelta(minutes=1)
            rows["payments"].append((payment, order_id, "manual", reference, total, "EUR",
                                     "system", _stamp(paid_at, s)))  # fmt: skip
            ev("payment.recorded", paid_at, None, None, {"payment_id": payment,
               "provider": "manual", "reference": reference, "amount": f"{total / 100:.2f}"})  # fmt: skip
        skus = {sku: q for (_, sku, _, _), q in lines}
        if status == "cancelled":
            ev("order.cancelled", confirmed, "pending", "cancelled", {"reason": "customer asked"})
            return
        if status == "pending":
            self._reserve(rows, order_id, line_ids, lines, location, at)
            return
        ev("order.confirmed", confirmed, "pending", "confirmed", {})
        if status == "on_hold":
            ev("order.held", confirmed, "confirmed", "on_hold", {"reason": "payment check"},
               "sales")  # fmt: skip
            self._reserve(rows, order_id, line_ids, lines, location, at)
            return
        ev("order.sourced", confirmed, None, None, {"reason": "order confirmed",
           "rule": "one location ships the whole order; lowest cost",
           "chosen": [location], "backordered": {}})  # fmt: skip
        shipment_id = self._id("shipments")
        sdata = {"shipment_id": shipment_id, "location": location, "lines": skus}
        ev("shipment.created", confirmed, None, None, {**sdata, "status": "open"})
        weight = sum(p[3] * q for p, q in lines) + 30
        ship_by = (confirmed + timedelta(days=1)).date()
        tracking = carrier = service = None
        if status != "confirmed":
            ev("shipment.picking", picking, None, None, {**sdata, "status": "picking"},
               "warehouse")  # fmt: skip
            ev("order.processing", picking, "confirmed", "processing", {}, "warehouse")
        if shipped_ok:
            self.serial += 1
            tracking = format_tracking_number("CP", self.serial, country)
            carrier, service = "oms-post", "standard"
            ev("shipment.shipped", shipped, None, None, {**sdata, "status": "shipped",
               "carrier": carrier, "service": service, "tracking_number": tracking,
               "ship_date": shipped.date().isoformat(),
               "promised_delivery_date": promised.isoformat()}, "warehouse")  # fmt: skip
            ev("order.shipped", shipped, "processing", "shipped", {}, "warehouse")
        shipment_status = {"confirmed": "open", "processing": "picking", "shipped": "in_transit"}
        last_event = None
        if shipped_ok:
            steps = [("in_transit", shipped + timedelta(hours=12))]
            if delivered_ok:
                steps.append(("delivered", delivered))
            for kind, when in steps:
                rows["shipment_events"].append((self._id("shipment_events"), shipment_id, kind,
                    _stamp(when, s), rng.choice(PLACES), None, True, "carrier:oms-post",
                    _stamp(when, s)))  # fmt: skip
                last_event = when
        if delivered_ok:
            ev("shipment.delivered", delivered, None, None, {**sdata, "status": "delivered",
               "tracking_number": tracking}, "carrier:oms-post")  # fmt: skip
            ev("order.delivered", delivered, "shipped", "delivered", {}, "carrier:oms-post")
        if status == "completed":
            ev("order.completed", updated, "delivered", "completed", {"by": "window"})
        rows["shipments"].append((
            shipment_id, order_id, location,
            "delivered" if delivered_ok else shipment_status[status], carrier, service,
            tracking, weight if shipped_ok else None,
            shipped.date() if shipped_ok else None, promised if shipped_ok else None,
            499 if shipped_ok else None, "EUR" if shipped_ok else None,
            _stamp(last_event, s) if last_event else None, ship_by, 4,
            _stamp(confirmed, s), _stamp(updated, s),
        ))  # fmt: skip
        for line_id, ((pid, sku, _, _), qty) in zip(line_ids, lines, strict=True):
            rows["shipment_lines"].append((self._id("shipment_lines"), shipment_id, line_id,
                                           pid, sku, qty, qty if shipped_ok else None))  # fmt: skip
        if shipped_ok:
            for line_id, ((pid, _, _, _), qty) in zip(line_ids, lines, strict=True):
                stock_id = self._stock(location, pid)
                rows["stock_ledger"].append((self._id("stock_ledger"), stock_id, "reservation",
                    0, qty, None, order_id, line_id, "system", _stamp(at, s)))  # fmt: skip
                rows["stock_ledger"].append((self._id("stock_ledger"), stock_id, "shipment",
                    -qty, -qty, f"shipment {shipment_id}", order_id, line_id, "warehouse",
                    _stamp(shipped, s)))  # fmt: skip
                self.shipped[stock_id] = self.shipped.get(stock_id, 0) + qty
        else:
            self._reserve(rows, order_id, line_ids, lines, location, at)

    def _stock(self, location: int, product: int) -> int:
        found = self.shop.stock.get((location, product))
        if found is None:  # not stocked there: the first location that has it
            found = next(v for (loc, p), v in self.shop.stock.items() if p == product)
            self.shop.stock[(location, product)] = found
        return found

    def _reserve(self, rows: dict[str, list[Any]], order_id: int, line_ids: list[int],
                 lines: list[Any], location: int, at: datetime) -> None:  # fmt: skip
        for line_id, ((pid, _, _, _), qty) in zip(line_ids, lines, strict=True):
            stock_id = self._stock(location, pid)
            rows["reservations"].append((self._id("reservations"), order_id, line_id, stock_id,
                                         qty, _stamp(at, self.sqlite)))  # fmt: skip
            rows["stock_ledger"].append((self._id("stock_ledger"), stock_id, "reservation", 0,
                qty, None, order_id, line_id, "system", _stamp(at, self.sqlite)))  # fmt: skip
            self.reserved[stock_id] = self.reserved.get(stock_id, 0) + qty


def order_times(rng: random.Random, count: int, today: date) -> Iterator[list[datetime]]:
    """`count` moments over the 365 days before today, oldest first, busier lately and in
    the evening, in chunks."""
    end = datetime.combine(today, datetime.min.time(), UTC)
    start = end - timedelta(days=365)
    span = (end - start).total_seconds()
    # Growth: the density rises linearly to twice the start's; u -> position by inverse CDF.
    moments = sorted(span * ((1 + 3 * rng.random()) ** 0.5 - 1) for _ in range(count))
    for i in range(0, count, CHUNK):
        yield [start + timedelta(seconds=x) for x in moments[i : i + CHUNK]]


def shop_of(conn: sa.Connection) -> Shop:
    products = [tuple(r) for r in conn.execute(sa.text(
        "SELECT id, sku, price_minor, coalesce(weight_grams, 200) FROM products ORDER BY id"))]  # fmt: skip
    stock = {(r[0], r[1]): r[2] for r in conn.execute(
        sa.text("SELECT location_id, product_id, id FROM stock"))}  # fmt: skip
    locations = {r[0]: r[1] for r in conn.execute(
        sa.text("SELECT id, country FROM locations WHERE ships"))}  # fmt: skip
    first = {t: (conn.execute(sa.text(f"SELECT max(id) FROM {t}")).scalar() or 0) + 1
             for t in TABLES}  # fmt: skip
    orders = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() or 0
    stocked = {product for _, product in stock}
    products = [p for p in products if p[0] in stocked]
    return Shop(products, stock, locations, first, orders + 1)  # type: ignore[arg-type]


def _write_pg(url: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.cursor() as cur:
            for table in TABLES:
                cols = ", ".join(COLUMNS[table])
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)


def _write_sqlite(path: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    sqlite3.register_adapter(datetime, _sqlite_value)
    sqlite3.register_adapter(date, _sqlite_value)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            for table in TABLES:
                cols = COLUMNS[table]
                marks = ", ".join("?" * len(cols))
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows[table]
                )
    finally:
        conn.close()


def _sqlite_value(value: Any) -> Any:
    """Times and days as UTCDateTime and Date store them (sqlite3 calls it per such value)."""
    if isinstance(value, datetime):  # stored naive UTC, as UTCDateTime writes it
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value.isoformat() if isinstance(value, date) else value


def _finish(engine: sa.Engine, writer: Writer) -> None:
    """Stock rows carry the open orders' reservations (on hand raised by a receipt as much
    as was shipped and reserved, so the ledger still explains every figure); sequences and
    the order-number counter move past the rows; the planner's statistics are refreshed."""
    sqlite = engine.dialect.name == "sqlite"
    now = datetime.now(UTC)
    with engine.begin() as conn:
        last_number = writer.number - 1
        if sqlite:
            conn.execute(sa.text("UPDATE counters SET value = :v WHERE name = 'order_number'"),
                         {"v": last_number})  # fmt: skip
            if not conn.execute(sa.text("SELECT 1 FROM counters")).first():
                conn.execute(sa.text("INSERT INTO counters VALUES ('order_number', :v)"),
                             {"v": last_number})  # fmt: skip
        else:
            for table in TABLES:
                conn.execute(sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'),"
                                     " (SELECT max(id) FROM " + table + "))"), {"t": table})  # fmt: skip
            conn.execute(sa.text("SELECT setval('order_number_seq', :v)"), {"v": last_number})
        for stock_id in set(writer.reserved) | set(writer.shipped):
            reserved = writer.reserved.get(stock_id, 0)
            received = reserved + writer.shipped.get(stock_id, 0)
            conn.execute(
                sa.text("UPDATE stock SET on_hand = on_hand + :r, reserved = reserved + :x"
                        " WHERE id = :id"), {"r": reserved, "x": reserved, "id": stock_id})  # fmt: skip
            conn.execute(
                sa.text("INSERT INTO stock_ledger (stock_id, kind, on_hand_delta, reserved_delta,"
                        " reason, actor, at) VALUES (:id, 'receipt', :r, 0, 'a year of goods in',"
                        " 'system', :at)"),
                {"id": stock_id, "r": received, "at": _stamp(now, sqlite)},
            )  # fmt: skip
        conn.execute(sa.text("UPDATE carriers SET serial_next = :n WHERE code = 'oms-post'"),
                     {"n": writer.serial + 1})  # fmt: skip
        # The events went in straight: their per-order summary as migration 0019 makes it.
        from oms.adapters.db.order_facts import refill

        conn.execute(sa.text("DELETE FROM order_facts"))  # the few placed through the service
        conn.execute(refill())
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("ANALYZE"))
        if not sqlite:
            conn.execute(sa.text("VACUUM (ANALYZE) orders"))


def build(urls: list[str], count: int, seed: int = 11) -> float:
    """Migrate, load the demo's shop (no orders) and its users, write `count` orders; the
    same orders into each database (the demo's shop is the same in each: same seed)."""
    started = time.perf_counter()
    shops = []
    for url in urls:
        upgrade(url)
        container = bootstrap(Settings(database_url=url, secret_key="bench"))
        load_demo(container, orders=0)
        create_demo_users(container.uow())
        with container.engine.connect() as conn:
            shops.append(shop_of(conn))
        container.close()
    same = ("products", "stock", "locations", "first_number")
    if any(getattr(shop, k) != getattr(shops[0], k) for shop in shops for k in same):
        raise SystemExit("the demo's shop differs between the databases: build them one by one")
    for table in TABLES:  # ids past the highest of every database (sequences leave gaps)
        shops[0].first_ids[table] = max(shop.first_ids[table] for shop in shops)
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    writer = Writer(shops[0], customers(rng, max(count // 3, 1)), rng, today)
    done = 0
    for chunk in order_times(rng, count, today):
        rows = writer.chunk(chunk)
        for url in urls:
            if url.startswith("sqlite"):
                _write_sqlite(sa.engine.make_url(url).database or "", rows)
            else:
                _write_pg(url, rows)
        done += len(chunk)
        print(f"\r{done:,} orders, {time.perf_counter() - started:.0f} s", end="", flush=True)
    print()
    for url in urls:
        engine = sa.create_engine(url)
        _finish(engine, writer)
        engine.dispose()
    return time.perf_counter() - started


def _vacuum(engine: sa.Engine) -> None:
    """ANALYZE; on PostgreSQL VACUUM (ANALYZE): the visibility map and hint bits as
    autovacuum keeps them (a server may run with it off), or the reads' index-only scans
    visit the heap and the first reads of each page write its hint bits."""
    sql = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM (ANALYZE)"
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(sql))


def _copies(url: str, times: int) -> int:
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        added = million_copies.copy(conn, times)
        million_copies.settle(conn)
        from oms.adapters.db.order_facts import refill

        conn.execute(sa.text("DELETE FROM order_facts"))
        conn.execute(refill())  # the copies' summary rows too
        conn.commit()
    _vacuum(engine)
    engine.dispose()
    print(f"{added:,} orders copied in {time.perf_counter() - started:.0f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="postgresql://...: dropped and created afresh")
    parser.add_argument("--sqlite", help="a file: replaced")
    parser.add_argument(
        "--times",
        type=int,
        default=1,
        help="generate orders/times in Python, then copy them in the database (million_copies)",
    )
    parser.add_argument(
        "--freshen",
        type=int,
        default=0,
        help="give the newest N orders the statuses of recent trade (million_copies.freshen)",
    )
    parser.add_argument(
        "--copy-only",
        action="store_true",
        help="only copy what an earlier (stopped) run generated, --times times in all",
    )
    args = parser.parse_args()
    if args.freshen:
        engine = sa.create_engine(args.database_url or f"sqlite:///{args.sqlite}")
        with engine.begin() as conn:
            million_copies.freshen(conn, args.freshen, datetime.now(UTC).date())
        _vacuum(engine)
        return 0
    if args.copy_only:
        url = args.database_url or f"sqlite:///{args.sqlite}"
        return _copies(url, args.times)
    urls = []
    if args.sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite + suffix).unlink(missing_ok=True)
        urls.append(f"sqlite:///{args.sqlite}")
    if args.database_url:
        parsed = sa.engine.make_url(args.database_url)
        common = ["-h", parsed.host or "127.0.0.1", "-U", parsed.username or "postgres"]
        subprocess.run(["dropdb", *common, "--if-exists", parsed.database or ""], check=True)
        subprocess.run(["createdb", *common, parsed.database or ""], check=True)
        urls.append(args.database_url)
    if not urls:
        parser.error("give --database-url, --sqlite or both")
    took = build(urls, args.orders // args.times)
    if args.times > 1:
        for url in urls:
            _copies(url, args.times)
    print(f"{args.orders:,} orders in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

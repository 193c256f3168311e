"""The C-client ceiling: the raw-SQL order transaction driven by pgbench instead of Python.

The Python ceiling (intake_load.PostgresRawSession) pays psycopg's and the interpreter's
cost per statement on the same two cores as the server; pgbench, PostgreSQL's own C
client, pays almost none. The transaction is the same: one order row, 3 line rows (3
distinct products, each from the hot set with the mix's probability), 3 conditional stock
updates in stock-id order, 1 event row, COMMIT; prepared statements (`-M prepared`),
one connection per client, `-j 2` threads.

Differences, stated: the order number, the tracking token and the line's SKU are made by
the server (`nextval`, `md5(random())`, `lpad`) rather than by the client, and a product
drawn twice for one order is replaced by the next one in catalogue order (the Python client
draws again).
Stock is ample in the bench, so the client never needs to check an update's row count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from intake_load import ADDRESS, CUSTOMER, Item, Mix
from intake_setup import Database


@dataclass
class PgbenchRun:
    clients: int
    tps: float
    latency_ms: float
    failed: int


def available() -> bool:
    return shutil.which("pgbench") is not None


def _case(var: str, values: list[int], lo: int = 0) -> str:
    """A pgbench expression mapping :var (a catalogue index) to values[index].

    A balanced tree of comparisons (about ten for 1,000 products), so that the client's
    per-transaction work stays small next to the transaction's.
    """
    if len(values) == 1:
        return str(values[0])
    half = len(values) // 2
    left = _case(var, values[:half], lo)
    right = _case(var, values[half:], lo + half)
    return f"(case when :{var} < {lo + half} then {left} else {right} end)"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def script(items: list[Item], mix: Mix) -> str:
    """The transaction as a pgbench script over the bench catalogue `items`."""
    n = len(items)
    if any(it.sku != f"P{i:05d}" for i, it in enumerate(items)):
        raise ValueError("the script spells SKUs as the bench names them (sku_of)")
    hot_permille = round(1000 * mix.hot_share)
    out: list[str] = []
    for k in (1, 2, 3):
        out.append(f"\\set h{k} random(1, 1000)")
        out.append(f"\\set hot{k} random(0, {mix.hot - 1})")
        out.append(f"\\set any{k} random(0, {n - 1})")
        out.append(f"\\set i{k} case when :h{k} <= {hot_permille} then :hot{k} else :any{k} end")
        out.append(f"\\set q{k} random(1, {mix.max_quantity})")
    # Three distinct products: the second and third move on past a product already drawn.
    out.append(f"\\set i2 case when :i2 = :i1 then (:i1 + 1) % {n} else :i2 end")
    out.append(
        "\\set i3 case when :i3 <> :i1 and :i3 <> :i2 then :i3 "
        f"when (:i3 + 1) % {n} <> :i1 and (:i3 + 1) % {n} <> :i2 then (:i3 + 1) % {n} "
        f"else (:i3 + 2) % {n} end"
    )
    for k in (1, 2, 3):
        out.append(f"\\set p{k} {_case(f'i{k}', [it.product_id for it in items])}")
        out.append(f"\\set s{k} {_case(f'i{k}', [it.stock_id for it in items])}")
        out.append(f"\\set c{k} {_case(f'i{k}', [it.price_minor for it in items])}")
    # Stock ids in ascending order, each with its quantity (as oms locks rows: no deadlock).
    out.append("\\set lo least(:s1, :s2, :s3)")
    out.append("\\set hi greatest(:s1, :s2, :s3)")
    out.append("\\set mid :s1 + :s2 + :s3 - :lo - :hi")
    for name, var in (("qlo", "lo"), ("qmid", "mid"), ("qhi", "hi")):
        out.append(
            f"\\set {name} case when :{var} = :s1 then :q1 when :{var} = :s2 then :q2 else :q3 end"
        )
    out.append("\\set total :c1 * :q1 + :c2 * :q2 + :c3 * :q3")
    customer = ", ".join(_quote(v) for v in (CUSTOMER["email"], CUSTOMER["name"]))
    address = ", ".join(
        _quote(ADDRESS[k]) for k in ("name", "line1", "city", "postal_code", "country")
    )
    out += [
        "BEGIN;",
        "INSERT INTO orders (number, channel, request_hash, status, customer_email, "
        "customer_name, ship_name, ship_line1, ship_city, ship_postal_code, ship_country, "
        "currency, priority, subtotal_minor, shipping_minor, tax_minor, total_minor, version, "
        "created_at, updated_at, tracking_token) VALUES ("
        "'PGB-' || nextval('order_number_seq'), 'bench-pgbench', repeat('0', 64), 'pending', "
        f"{customer}, {address}, 'EUR', 0, :total, 0, 0, :total, 1, now(), now(), "
        "md5(random()::text)) RETURNING id AS oid \\gset",
        "INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, "
        "unit_price_minor, allocated_quantity, backordered_quantity) VALUES "
        + ", ".join(
            f"(:oid, {k}, :p{k}, 'P' || lpad(:i{k}::text, 5, '0'), :q{k}, :c{k}, :q{k}, 0)"
            for k in (1, 2, 3)
        )
        + ";",
        *(
            f"UPDATE stock SET reserved = reserved + :{q} WHERE id = :{s} "
            f"AND on_hand - reserved >= :{q};"
            for q, s in (("qlo", "lo"), ("qmid", "mid"), ("qhi", "hi"))
        ),
        "INSERT INTO order_events (order_id, type, to_status, actor, at, data) VALUES "
        """(:oid, 'placed', 'pending', 'bench', now(), '{"allocated": 3}');""",
        "END;",
    ]
    return "\n".join(out) + "\n"


_TPS = re.compile(r"^tps = ([\d.]+)", re.M)
_LATENCY = re.compile(r"^latency average = ([\d.]+) ms", re.M)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.M)


def run(db: Database, items: list[Item], mix: Mix, clients: int, seconds: float) -> PgbenchRun:
    """pgbench for `seconds` (after a third as long of warm-up) at `clients` connections."""
    with tempfile.TemporaryDirectory(prefix="oms-pgbench-") as tmp:
        path = Path(tmp) / "order.sql"
        path.write_text(script(items, mix))
        base = ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-f", str(path)]
        warmup = max(1, round(seconds / 3))
        subprocess.run([*base, "-T", str(warmup), db.url], check=True, capture_output=True)
        done = subprocess.run(
            [*base, "-T", str(max(1, round(seconds))), db.url],
            check=True,
            capture_output=True,
            text=True,
        )
    text = done.stdout
    tps, latency, failed = (_TPS.search(text), _LATENCY.search(text), _FAILED.search(text))
    if tps is None:
        raise RuntimeError(f"pgbench printed no tps:\n{text}\n{done.stderr}")
    return PgbenchRun(
        clients,
        float(tps.group(1)),
        float(latency.group(1)) if latency else float("nan"),
        int(failed.group(1)) if failed else 0,
    )

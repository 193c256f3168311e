# ruff: noqa: E501
"""Copies of the orders bench/million.py generated, made by the database itself.

Generating a million orders in Python takes its time on a busy machine (about 250 s per
50,000 here while other work ran); INSERT ... SELECT copies them at the database's speed.
Copy k of each generated order (k = 1 .. times-1) is the same order with ids past the
last ones, its own order number, tracking token and external id, a customer of its own
(the email gets k before its @, the phone's last two digits move), and tracking numbers
of their own (the service indicator's second letter is B + k - 1; the S10 serial and check
digit stay valid); its times are the original's. Then stock carries the copies'
reservations (a receipt row explains the units added) and the sequences, the
order-number counter and the planner's statistics are brought up to date.
"""

from __future__ import annotations

import sqlalchemy as sa

TABLES = [
    "orders",
    "order_lines",
    "payments",
    "order_events",
    "shipments",
    "shipment_lines",
    "shipment_events",
    "reservations",
    "stock_ledger",
]

ZEROS = "0" * 64  # bench/million.py's request_hash: the orders it generated
MAX_TIMES = 15  # CB..CO: copy 15 would take the generated ones' CP


def _f(pg: bool) -> dict[str, str]:
    """The few expressions SQLite and PostgreSQL spell differently."""
    if pg:
        return {
            "number": "'SO-' || lpad((substr(number, 4)::bigint + :n)::text, 6, '0')",
            "token": "'t' || lpad((id + :o)::text, 41, '0')",
            "phone": "left(customer_phone, -2) || "
            "lpad(((right(customer_phone, 2)::int + :k * 7) % 100)::text, 2, '0')",
            "letter": "chr(65 + :k)",
        }
    return {
        "number": "'SO-' || printf('%06d', CAST(substr(number, 4) AS INTEGER) + :n)",
        "token": "'t' || printf('%041d', id + :o)",
        "phone": "substr(customer_phone, 1, length(customer_phone) - 2) || "
        "printf('%02d', (CAST(substr(customer_phone, -2) AS INTEGER) + :k * 7) % 100)",
        "letter": "char(65 + :k)",
    }


ORDER_COLUMNS = (
    "channel, request_hash, status, held_from, customer_name, customer_language, ship_name,"
    " ship_line1, ship_city, ship_postal_code, ship_country, currency, priority, subtotal_minor,"
    " shipping_minor, tax_minor, total_minor, discount_minor, prices_include_tax, paid_minor,"
    " refunded_minor, exchanges, version, created_at, updated_at"
)


def copy(conn: sa.Connection, times: int) -> int:
    """Make `times - 1` copies of the generated orders; returns how many orders were added."""
    if not 1 <= times <= MAX_TIMES:
        raise SystemExit(f"--times is 1 to {MAX_TIMES}")
    pg = conn.dialect.name == "postgresql"
    f = _f(pg)
    q = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
    lo = q("SELECT min(id) FROM orders WHERE request_hash = :z", z=ZEROS).scalar()
    if lo is None:
        raise SystemExit("no generated orders: run bench/million.py first")
    generated = q("SELECT count(*) FROM orders WHERE id >= :lo", lo=lo).scalar_one()
    top = {
        t: q(f"SELECT max(id) FROM {t}").scalar() or 0
        for t in [
            "orders",
            "order_lines",
            "payments",
            "order_events",
            "shipments",
            "shipment_lines",
            "shipment_events",
            "reservations",
            "stock_ledger",
        ]
    }
    top_number = q("SELECT max(CAST(substr(number, 4) AS INTEGER)) FROM orders").scalar_one()
    first_shipment = q("SELECT min(id) FROM shipments WHERE order_id >= :lo", lo=lo).scalar()
    for k in range(1, times):
        o, ln, s = k * top["orders"], k * top["order_lines"], k * top["shipments"]
        p = {"k": k, "o": o, "n": k * top_number, "lo": lo, "l": ln, "s": s}
        q(
            f"INSERT INTO orders (id, number, external_id, tracking_token, customer_email,"
            f" customer_phone, {ORDER_COLUMNS}) SELECT id + :o, {f['number']},"
            f" external_id || '-' || :k, {f['token']},"
            f" replace(customer_email, '@', :k || '@'), {f['phone']}, {ORDER_COLUMNS}"
            f" FROM orders WHERE id >= :lo AND id <= :top AND request_hash = '{ZEROS}'",
            **p,
            top=top["orders"],
        )
        q(
            "INSERT INTO order_lines (id, order_id, line_no, product_id, sku, quantity,"
            " unit_price_minor, allocated_quantity, backordered_quantity, shipped_quantity,"
            " delivered_quantity, cancelled_quantity, returned_quantity, discount_minor, tax_minor)"
            " SELECT id + :l, order_id + :o, line_no, product_id, sku, quantity,"
            " unit_price_minor, allocated_quantity, backordered_quantity, shipped_quantity,"
            " delivered_quantity, cancelled_quantity, returned_quantity, discount_minor, tax_minor"
            " FROM order_lines WHERE order_id >= :lo AND order_id <= :top",
            **p,
            top=top["orders"],
        )
        q(
            "INSERT INTO payments (id, order_id, provider, reference, amount_minor, currency,"
            " created_by, created_at) SELECT id + :pp, order_id + :o, provider, reference,"
            " amount_minor, currency, created_by, created_at FROM payments"
            " WHERE order_id >= :lo AND order_id <= :top",
            **p,
            pp=k * top["payments"],
            top=top["orders"],
        )
        q(
            "INSERT INTO order_events (id, order_id, type, from_status, to_status, actor, at,"
            " data) SELECT id + :e, order_id + :o, type, from_status, to_status, actor, at, data"
            " FROM order_events WHERE order_id >= :lo AND order_id <= :top",
            **p,
            e=k * top["order_events"],
            top=top["orders"],
        )
        q(
            "INSERT INTO shipments (id, order_id, location_id, status, carrier, service,"
            " tracking_number, weight_grams, ship_date, promised_delivery_date,"
            " shipping_cost_minor, currency, last_event_at, ship_by, version, created_at,"
            " updated_at) SELECT id + :s, order_id + :o, location_id, status, carrier, service,"
            f" substr(tracking_number, 1, 1) || {f['letter']} || substr(tracking_number, 3),"
            " weight_grams, ship_date, promised_delivery_date, shipping_cost_minor, currency,"
            " last_event_at, ship_by, version, created_at, updated_at FROM shipments"
            " WHERE order_id >= :lo AND order_id <= :top",
            **p,
            top=top["orders"],
        )
        q(
            "INSERT INTO shipment_lines (id, shipment_id, order_line_id, product_id, sku,"
            " quantity, picked_quantity) SELECT id + :sl, shipment_id + :s, order_line_id + :l,"
            " product_id, sku, quantity, picked_quantity FROM shipment_lines"
            " WHERE shipment_id >= :fs AND shipment_id <= :top",
            **p,
            sl=k * top["shipment_lines"],
            fs=first_shipment,
            top=top["shipments"],
        )
        q(
            "INSERT INTO shipment_events (id, shipment_id, status, at, location, note, applied,"
            " actor, received_at) SELECT id + :se, shipment_id + :s, status, at, location, note,"
            " applied, actor, received_at FROM shipment_events"
            " WHERE shipment_id >= :fs AND shipment_id <= :top",
            **p,
            se=k * top["shipment_events"],
            fs=first_shipment,
            top=top["shipments"],
        )
        q(
            "INSERT INTO reservations (id, order_id, order_line_id, stock_id, quantity,"
            " created_at) SELECT id + :r, order_id + :o, order_line_id + :l, stock_id, quantity,"
            " created_at FROM reservations WHERE order_id >= :lo AND order_id <= :top",
            **p,
            r=k * top["reservations"],
            top=top["orders"],
        )
        q(
            "INSERT INTO stock_ledger (id, stock_id, kind, on_hand_delta, reserved_delta, reason,"
            " order_id, order_line_id, actor, at) SELECT id + :x, stock_id, kind, on_hand_delta,"
            " reserved_delta, reason, order_id + :o, order_line_id + :l, actor, at"
            " FROM stock_ledger WHERE order_id >= :lo AND order_id <= :top",
            **p,
            x=k * top["stock_ledger"],
            top=top["orders"],
        )
        print(f"copy {k}: {generated * (k + 1):,} generated orders", flush=True)
    return generated * (times - 1)


def settle(conn: sa.Connection) -> None:
    """Stock reserves what the reservations hold, on hand raised as much (a receipt row);
    the id sequences, the order-number counter and the tracking serials past the rows."""
    pg = conn.dialect.name == "postgresql"
    q = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
    short = q(
        "SELECT s.id, r.held - s.reserved FROM stock s JOIN (SELECT stock_id, sum(quantity)"
        " AS held FROM reservations GROUP BY stock_id) r ON r.stock_id = s.id"
        " WHERE r.held > s.reserved"
    ).all()
    for stock_id, more in short:
        q(
            "UPDATE stock SET on_hand = on_hand + :m, reserved = reserved + :m WHERE id = :id",
            m=more,
            id=stock_id,
        )
        q(
            "INSERT INTO stock_ledger (id, stock_id, kind, on_hand_delta, reserved_delta, reason,"
            " actor, at) VALUES ((SELECT max(id) + 1 FROM stock_ledger), :id, 'receipt', :m, 0,"
            " 'goods in for the copies', 'system', (SELECT max(at) FROM stock_ledger))",
            id=stock_id,
            m=more,
        )
    last = q("SELECT max(CAST(substr(number, 4) AS INTEGER)) FROM orders").scalar_one()
    if pg:
        for table in [
            "orders",
            "order_lines",
            "payments",
            "order_events",
            "shipments",
            "shipment_lines",
            "shipment_events",
            "reservations",
            "stock_ledger",
        ]:
            q(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        q("SELECT setval('order_number_seq', :v)", v=last)
    else:
        q("UPDATE counters SET value = :v WHERE name = 'order_number'", v=last)

"""customer_facts, loyalty's per-customer rows (issue 12), kept by database triggers on
order_facts: whatever writes an order's row (placing, cancelling, a delivery, a shipment's
promise, a return, the Olist import, a refill) makes its customer's row again in the same
statement, so the summary is never behind the orders, on SQLite and PostgreSQL alike.
A new customer's first order makes their row from its own values; a new order later
than its customer's first changes the row in place, and so does a
change of the first order's delivery, promise, location or return; anything else (an
earlier order, a cancellation, a changed e-mail, a deleted row) makes the customer's row
again from their orders (their index: `ix_order_facts_customer`).

A customer's row, from their orders not cancelled (the domain's loyalty,
domain/insight/money_loyalty.py): the first by (created_at, order_id) with its month,
delivery, promise, location and return; the next one's created_at; the last one's; and
as bits the months after the first in which they ordered (tables_loyalty.MONTH_BITS).
One statement makes the rows of every customer (`refill`, the migration and the tests'
recomputation) or of the customers of one order (the triggers), with the same SQL.

PostgreSQL takes a transaction lock on the customer before reading their orders (two
transactions placing orders for one customer at once would otherwise each write what they
alone see); SQLite has one writer at a time.
"""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.tables_loyalty import MONTH_BITS

_COLUMNS = (
    "customer, first_order_id, first_at, first_mon, next_at, last_at, months,"
    " delivered_at, promised, location_id, returned"
)
_MONTH = {
    "postgresql": "CAST(extract(year FROM f.created_at AT TIME ZONE 'UTC') * 12"
    " + extract(month FROM f.created_at AT TIME ZONE 'UTC') - 1 AS integer)",
    "sqlite": "(CAST(strftime('%Y', f.created_at) AS integer) * 12"
    " + CAST(strftime('%m', f.created_at) AS integer) - 1)",
}


_MAKE = """
INSERT INTO customer_facts ({columns})
SELECT o.customer, o.order_id, o.created_at, o.first_mon, o.next_at, o.last_at,
       CAST(o.months AS bigint), o.delivered_at, o.promised, o.location_id, o.returned
FROM (
    SELECT x.*,
           sum(CASE WHEN x.rm = 1 AND x.mon - x.first_mon BETWEEN 1 AND {bits}
                    THEN CAST(1 AS bigint) << (x.mon - x.first_mon) ELSE 0 END)
               OVER (PARTITION BY x.customer) AS months
    FROM (
        SELECT f.customer, f.order_id, f.created_at, f.delivered_at, f.promised,
               f.location_id, f.returned, {mon} AS mon,
               row_number() OVER c AS rn,
               lead(f.created_at) OVER c AS next_at,
               max(f.created_at) OVER (PARTITION BY f.customer) AS last_at,
               min({mon}) OVER (PARTITION BY f.customer) AS first_mon,
               row_number() OVER (PARTITION BY f.customer, {mon} ORDER BY f.order_id) AS rm
        FROM order_facts f
        WHERE NOT f.cancelled AND f.customer IS NOT NULL AND {which}
        WINDOW c AS (PARTITION BY f.customer ORDER BY f.created_at, f.order_id)
    ) AS x
) AS o
WHERE o.rn = 1
"""


def _make(dialect: str, which: str) -> str:
    """INSERT the rows of the customers `which` (a condition on f) from order_facts."""
    return _MAKE.format(columns=_COLUMNS, mon=_MONTH[dialect], bits=MONTH_BITS, which=which)


def refill(conn: sa.Connection) -> None:
    """Every customer's row made again from order_facts (the migration; the tests compare
    the kept rows with this)."""
    conn.exec_driver_sql("DELETE FROM customer_facts")
    conn.exec_driver_sql(_make(conn.dialect.name, "true"))


# What a row of order_facts holds that a customer's row depends on: who and whether it
# counts (the customer's row made again), and the first order's delivery (set in place).
_WHO = ("customer", "cancelled", "created_at")
_FIRST = ("delivered_at", "promised", "location_id", "returned")


_ADDED = """UPDATE customer_facts SET
        next_at = CASE WHEN next_at IS NULL OR NEW.created_at < next_at
                       THEN NEW.created_at ELSE next_at END,
        last_at = CASE WHEN NEW.created_at > last_at THEN NEW.created_at ELSE last_at END,
        months = months | CASE WHEN {mon} - first_mon BETWEEN 1 AND {bits}
                               THEN CAST(1 AS bigint) << ({mon} - first_mon) ELSE 0 END
    WHERE customer = NEW.customer AND (first_at, first_order_id) < (NEW.created_at, NEW.order_id)"""


def _added(dialect: str) -> str:
    """A new order later than the customer's first: the row changes in place (the next
    order's time, the last one's, the month's bit); none changes when it is earlier."""
    mon = _MONTH[dialect].replace("f.created_at", "NEW.created_at")
    return _ADDED.format(mon=mon, bits=MONTH_BITS)


# A new customer (no row: no order counted yet): the row is the new order's alone.
_FIRST_ORDER = """INSERT {or_ignore}INTO customer_facts ({columns})
    VALUES (NEW.customer, NEW.order_id, NEW.created_at, {mon}, NULL, NEW.created_at, 0,
            NEW.delivered_at, NEW.promised, NEW.location_id, NEW.returned){on_conflict}"""


def _first_order(dialect: str) -> str:
    pg = dialect == "postgresql"
    return _FIRST_ORDER.format(
        or_ignore="" if pg else "OR IGNORE ",
        columns=_COLUMNS,
        mon=_MONTH[dialect].replace("f.created_at", "NEW.created_at"),
        on_conflict=" ON CONFLICT (customer) DO NOTHING" if pg else "",
    )


_IN_PLACE_SQL = "UPDATE customer_facts SET {set} WHERE customer = NEW.customer AND {first}"
_IN_PLACE = _IN_PLACE_SQL.format(
    set=", ".join(f"{c} = NEW.{c}" for c in _FIRST), first="first_order_id = NEW.order_id"
)


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


_PG_TEMPLATE = """
CREATE FUNCTION customer_facts_redo(c text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(27, hashtext(c));
    DELETE FROM customer_facts WHERE customer = c;
    {redo};
END $$;
CREATE FUNCTION customer_facts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(27, hashtext(NEW.customer));
        {added};
        IF NOT FOUND THEN
            {first_order};
            IF NOT FOUND THEN  -- earlier than the customer's first order
                PERFORM customer_facts_redo(NEW.customer);
            END IF;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND NOT ({who_changed}) THEN
        PERFORM pg_advisory_xact_lock(27, hashtext(NEW.customer));
        {in_place};
    ELSE
        IF TG_OP <> 'INSERT' AND OLD.customer IS NOT NULL THEN
            PERFORM customer_facts_redo(OLD.customer);
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.customer IS NOT NULL
           AND NEW.customer IS DISTINCT FROM OLD.customer THEN
            PERFORM customer_facts_redo(NEW.customer);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_facts_insert AFTER INSERT ON order_facts FOR EACH ROW
    WHEN (NOT NEW.cancelled AND NEW.customer IS NOT NULL) EXECUTE FUNCTION customer_facts_keep();
CREATE TRIGGER customer_facts_update AFTER UPDATE ON order_facts FOR EACH ROW
    WHEN ({any_changed})
    EXECUTE FUNCTION customer_facts_keep();
CREATE TRIGGER customer_facts_delete AFTER DELETE ON order_facts FOR EACH ROW
    EXECUTE FUNCTION customer_facts_keep();
"""
_PG_FUNCTIONS = _PG_TEMPLATE.format(
    redo=_make("postgresql", 'f.customer COLLATE "C" = c'),
    added=_added("postgresql"),
    first_order=_first_order("postgresql"),
    who_changed=_changed(_WHO, "IS DISTINCT FROM"),
    in_place=_IN_PLACE,
    any_changed=_changed(_WHO + _FIRST, "IS DISTINCT FROM"),
)

_SQLITE_REDO = """DELETE FROM customer_facts WHERE customer IN ({customers});
    {make};"""


def _sqlite_redo(customers: str) -> str:
    return _SQLITE_REDO.format(
        customers=customers, make=_make("sqlite", f"f.customer IN ({customers})")
    )


_SQLITE_TRIGGER = """CREATE TRIGGER customer_facts_{name} AFTER {event} ON order_facts FOR EACH ROW
WHEN {when}
BEGIN
    {body}
END"""
_ROW = "SELECT 1 FROM customer_facts c WHERE c.customer = NEW.customer"
_BY_FIRST = " AND (c.first_at, c.first_order_id) {} (NEW.created_at, NEW.order_id)"
# Placing: three triggers, one of which runs (SQLite checks each one's WHEN by the key):
# the customer's first order, a later one, an earlier one than their first.
_COUNTED = "NOT NEW.cancelled AND NEW.customer IS NOT NULL"
_SQLITE_TRIGGERS = [
    _SQLITE_TRIGGER.format(
        name="insert",
        event="INSERT",
        when=f"{_COUNTED} AND NOT EXISTS ({_ROW})",
        body=_first_order("sqlite") + ";",
    ),
    _SQLITE_TRIGGER.format(
        name="later",
        event="INSERT",
        when=f"{_COUNTED} AND EXISTS ({_ROW}{_BY_FIRST.format('<')})",
        body=_added("sqlite") + ";",
    ),
    _SQLITE_TRIGGER.format(
        name="earlier",
        event="INSERT",
        when=f"{_COUNTED} AND EXISTS ({_ROW}{_BY_FIRST.format('>')})",
        body=_sqlite_redo("NEW.customer"),
    ),
    _SQLITE_TRIGGER.format(
        name="update",
        event="UPDATE",
        when=_changed(_WHO, "IS NOT"),
        body=_sqlite_redo("OLD.customer, NEW.customer"),
    ),
    _SQLITE_TRIGGER.format(
        name="first",
        event="UPDATE",
        when=f"NOT ({_changed(_WHO, 'IS NOT')}) AND ({_changed(_FIRST, 'IS NOT')})",
        body=_IN_PLACE + ";",
    ),
    _SQLITE_TRIGGER.format(
        name="delete",
        event="DELETE",
        when="OLD.customer IS NOT NULL",
        body=_sqlite_redo("OLD.customer"),
    ),
]


def create_triggers(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_FUNCTIONS)
    else:
        for ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(ddl)


def drop_triggers(conn: sa.Connection) -> None:
    for name in ("insert", "later", "earlier", "update", "first", "delete"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS customer_facts_{name} ON order_facts"
                             if conn.dialect.name == "postgresql"
                             else f"DROP TRIGGER IF EXISTS customer_facts_{name}")  # fmt: skip
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS customer_facts_keep()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS customer_facts_redo(text)")

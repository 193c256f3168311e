"""The orders a search text finds, in SQL (domain/orders/search.py says what the text is).

One indexed column each, never all of them at once; where a text may be two things (a
phone or a name that may be an external id) an OR of indexed conditions, which PostgreSQL
reads as a BitmapOr of the indexes. How each match is said, per database:

- PostgreSQL: `LIKE` with the whole pattern as one parameter (so the planner sees it):
  the start of a number, tracking number, email or phone reads a `text_pattern_ops`
  b-tree (byte order, whatever the database's collation); "ends with" (a phone's last
  digits) is the start of the value reversed, `reverse(phone) LIKE 'reversed%'`, off a
  b-tree of the reversed phone; "contains" reads a trigram (`pg_trgm`, GIN) index: emails,
  names (migrations 0006, 0020 and 0026). Each an index whose statistics give the planner
  a true count, so it does not walk the orders newest first hoping for 50 soon.
- SQLite: `GLOB` (case-sensitive, like PostgreSQL's LIKE): SQLite reads the start of a
  value off an ordinary index with GLOB 'text*' (its LIKE is case-insensitive and would
  not). "Contains" and "ends with" read `order_texts` (migration 0024), an FTS5 table of
  trigrams over the orders' emails, lower-cased names, phones and external ids, kept by
  triggers: its MATCH finds the candidates off the index (each text of 3 characters or
  more is a phrase of trigrams: the values holding it), and the same GLOB as before
  checks each, so the answers are those of the scan. `searched` joins it and orders by
  its rowid (the order id) newest first, which FTS5 gives in that order: the first page
  stops after its 50 rows when the text is common, and reads a short list when rare.
  Without the table (SQLite before 3.34) or for a shorter text: the scan, newest first.
"""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.tables import orders, returns, shipments
from oms.domain.orders.search import Match, Search, SearchKind, read_search
from oms.services.ports.orders import OrderFilter

# Made by migration 0024 on SQLite only, outside the declared metadata (alembic's
# comparison leaves it out: migrate.include_object). rowid is the order's id.
order_texts = sa.Table(
    "order_texts",
    sa.MetaData(),
    sa.Column("rowid", sa.Integer, primary_key=True),
    sa.Column("email", sa.String),
    sa.Column("name", sa.String),
    sa.Column("phone", sa.String),
    sa.Column("external_id", sa.String),
)
TRIGRAM = 3  # FTS5's trigram phrases: shorter texts match nothing through the index
_has_texts: weakref.WeakKeyDictionary[sa.Engine, bool] = weakref.WeakKeyDictionary()


def texts_on(conn: sa.Connection) -> bool:
    """Whether this SQLite database has `order_texts` (looked up once per engine)."""
    if conn.dialect.name != "sqlite":
        return False
    engine = conn.engine
    if engine not in _has_texts:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'order_texts'"
        ).first()
        _has_texts[engine] = found is not None
    return _has_texts[engine]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def found(column: Any, match: Match, text: str, postgres: bool) -> sa.ColumnElement[bool]:
    """The stored values `column` holds that the text finds with this match."""
    if match is Match.EXACT:
        return column == text  # type: ignore[no-any-return]
    if postgres:
        if match is Match.SUFFIX:  # the end of a value is the start of it reversed
            return sa.func.reverse(column).like(f"{_like(text[::-1])}%", escape="\\")
        pattern = _like(text)
        shaped = {Match.PREFIX: f"{pattern}%"}
        return column.like(shaped.get(match, f"%{pattern}%"), escape="\\")  # type: ignore[no-any-return]
    pattern = _glob(text)
    shaped = {Match.PREFIX: f"{pattern}*", Match.SUFFIX: f"*{pattern}"}
    return column.op("GLOB")(shaped.get(match, f"*{pattern}*"))  # type: ignore[no-any-return]


def matching(q: str, postgres: bool, texts: bool = False) -> sa.ColumnElement[bool]:
    """The orders a search text finds; true for blank text (no search). `texts`: SQLite
    with `order_texts`, read through an IN (for lists sorted otherwise than newest first)."""
    search = read_search(q)
    if search is None:
        return sa.true()
    through = _through_texts(search) if texts else None
    if through is not None:
        return orders.c.id.in_(sa.select(order_texts.c.rowid).where(*through))
    if search.kind is SearchKind.TRACKING:  # one IN of a UNION: an OR beside it would scan
        return orders.c.id.in_(_tracked(search, postgres))
    return sa.or_(*_parts(search, postgres))


def _parts(search: Search, postgres: bool) -> list[sa.ColumnElement[bool]]:
    """The conditions, any of which finds an order: each off its own index."""
    parts = [_condition(search, postgres)]
    if search.or_number is not None:
        parts.append(orders.c.number == search.or_number)
    if search.or_external_id is not None:
        parts.append(orders.c.external_id == search.or_external_id)
    return parts


def newest(
    where: list[sa.ColumnElement[bool]], q: str | None, limit: int, postgres: bool
) -> sa.Select[Any]:
    """The newest `limit` orders the filters `where` and the search text find, newest
    first: the orders list's one page (keyset: `where` holds `id < cursor`).

    PostgreSQL plans `WHERE ... ORDER BY id DESC LIMIT 50` as a walk down the orders newest
    first testing each row whenever it expects 50 matches soon, counting on matches spread
    evenly over the ids; when they are not (the delivered orders are the newest, a
    customer who bought much long ago and little since), it reads most of the table
    (80 to 660 ms at a million orders, docs/performance.md). So the page's ids are asked
    first from the indexes, whose (..., id) entries answer alone, then those rows: for
    filters alone the ids in index order; for the start or the end of a number, email or
    phone every id found (each part of the search off its own index, a MATERIALIZED CTE
    the planner cannot turn back into that walk), then the newest. "Contains" (names,
    `@domain`) keeps the plain plan: common words find 50 in the newest rows at once.
    """
    by_id = orders.c.id.desc()
    search = read_search(q) if q else None
    if search is None:
        ids = sa.select(orders.c.id).where(*where).order_by(by_id).limit(limit)
    elif postgres and search.kind is not SearchKind.TRACKING and search.match in _ENDS:
        each = [sa.select(orders.c.id).where(p, *where) for p in _parts(search, postgres)]
        found = (sa.union(*each) if len(each) > 1 else each[0]).cte("found")
        found = found.prefix_with("MATERIALIZED")
        ids = sa.select(found.c.id).order_by(found.c.id.desc()).limit(limit)
    else:
        return (
            orders.select().where(*where, matching(q or "", postgres)).order_by(by_id).limit(limit)
        )
    return orders.select().where(orders.c.id.in_(ids.scalar_subquery())).order_by(by_id)


def page(flt: OrderFilter, postgres: bool, texts: bool) -> sa.Select[Any]:
    """The orders list's one page for a filter: its filters, its search, its cursor.
    `texts`: SQLite with `order_texts`, which serves "contains" and "ends with"."""
    where: list[sa.ColumnElement[bool]] = []
    if flt.status:
        where.append(orders.c.status == flt.status)
    if flt.channel:
        where.append(orders.c.channel == flt.channel)
    if flt.customer_email:
        where.append(orders.c.customer_email == flt.customer_email.lower())
    if texts:
        query, key = searched(orders.select(), flt.q, postgres, texts)
        if key is not orders.c.id:
            if flt.before_id is not None:
                where.append(key < flt.before_id)
            return query.where(*where).order_by(key.desc()).limit(flt.limit)
    if flt.before_id is not None:
        where.append(orders.c.id < flt.before_id)
    return newest(where, flt.q, flt.limit, postgres)


_ENDS = (Match.PREFIX, Match.SUFFIX)


def _tracked(search: Search, postgres: bool) -> sa.CompoundSelect[Any]:
    """The orders of the shipments and returns the text finds, and the order whose
    external id it is: `IN (... UNION ...)`, each part read off its own index."""
    parts = [
        sa.select(t.c.order_id).where(
            found(t.c.tracking_number, search.match, search.text, postgres)
        )
        for t in (shipments, returns)
    ]
    if search.or_external_id is not None:
        parts.append(sa.select(orders.c.id).where(orders.c.external_id == search.or_external_id))
    return sa.union(*parts)


def _condition(search: Search, postgres: bool) -> sa.ColumnElement[bool]:
    def of(column: Any) -> sa.ColumnElement[bool]:
        return found(column, search.match, search.text, postgres)

    if search.kind is SearchKind.EMAIL:
        return of(orders.c.customer_email)
    if search.kind is SearchKind.NUMBER:
        return of(orders.c.number)
    if search.kind is SearchKind.EXTERNAL_ID:
        return of(orders.c.external_id)
    if search.kind is SearchKind.PHONE:
        return of(orders.c.customer_phone)
    name = of(sa.func.lower(orders.c.customer_name))
    if search.or_external_id is not None:  # one word: perhaps part of an email too
        return sa.or_(name, of(orders.c.customer_email))
    return name


def searched(
    select: sa.Select[Any], q: str | None, postgres: bool, texts: bool
) -> tuple[sa.Select[Any], Any]:
    """`select` (of orders) narrowed to what the text finds, and the column that orders it
    newest first: `orders.id`, or on SQLite with `order_texts` for a "contains" or "ends
    with", `order_texts.rowid` of the table joined (FTS5 walks its matches newest first,
    so `ORDER BY` it `DESC LIMIT n` stops after n; a cursor on it reads the index too)."""
    search = read_search(q or "")
    if search is None:
        return select, orders.c.id
    through = _through_texts(search) if texts else None
    if through is None:
        return select.where(matching(q or "", postgres)), orders.c.id
    joined = select.select_from(order_texts.join(orders, order_texts.c.rowid == orders.c.id))
    return joined.where(*through), order_texts.c.rowid


def _phrase(columns: str, text: str) -> str:
    """An FTS5 query: the text as one phrase (its trigrams in a row) in these columns."""
    return f'{{{columns}}} : "{text.replace(chr(34), chr(34) * 2)}"'


def _through_texts(search: Search) -> tuple[sa.ColumnElement[bool], ...] | None:
    """The MATCH that finds the candidates in `order_texts` and the check each must pass
    (the scan's own condition, on the table's copies), or None when it cannot serve."""
    if search.match not in (Match.CONTAINS, Match.SUFFIX) or len(search.text) < TRIGRAM:
        return None
    t = order_texts.c

    def of(column: Any) -> sa.ColumnElement[bool]:
        return found(column, search.match, search.text, postgres=False)

    if search.kind is SearchKind.EMAIL:
        query, check = _phrase("email", search.text), of(t.email)
    elif search.kind is SearchKind.PHONE:
        query, check = _phrase("phone", search.text), of(t.phone)
    elif search.kind is SearchKind.NAME and search.or_external_id is not None:
        query, check = _phrase("name email", search.text), sa.or_(of(t.name), of(t.email))
    elif search.kind is SearchKind.NAME:
        query, check = _phrase("name", search.text), of(t.name)
    else:  # pragma: no cover - the other kinds look for a start or a whole value
        return None
    if search.or_external_id is not None:
        if len(search.or_external_id) < TRIGRAM:
            return None
        query = f"{query} OR {_phrase('external_id', search.or_external_id)}"
        check = sa.or_(check, t.external_id == search.or_external_id)
    return sa.literal_column("order_texts").op("MATCH")(query), check

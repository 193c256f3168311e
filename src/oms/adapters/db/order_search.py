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
  not); "contains" and "ends with" scan the orders newest first (SQLite has no trigram
  index), which stops early when the text is common and reads the whole table when rare.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db.tables import orders, returns, shipments
from oms.domain.orders.search import Match, Search, SearchKind, read_search


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


def matching(q: str, postgres: bool) -> sa.ColumnElement[bool]:
    """The orders a search text finds; true for blank text (no search)."""
    search = read_search(q)
    if search is None:
        return sa.true()
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

"""The orders a search text finds, in SQL (domain/orders/search.py says what the text is).

One indexed column each, never all of them at once; where a text may be two things (a
phone or a name that may be an external id) an OR of indexed conditions, which PostgreSQL
reads as a BitmapOr of the indexes. How each match is said, per database:

- PostgreSQL: `LIKE` with the whole pattern as one parameter (so the planner sees it):
  the start of a number, tracking number or phone reads a `text_pattern_ops` b-tree
  (byte order, whatever the database's collation); "contains" and "ends with" read a
  trigram (`pg_trgm`, GIN) index: emails, phones, names (migrations 0006 and 0020).
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
        pattern = _like(text)
        shaped = {Match.PREFIX: f"{pattern}%", Match.SUFFIX: f"%{pattern}"}
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
    condition = _condition(search, postgres)
    if search.or_number is not None:
        condition = sa.or_(condition, orders.c.number == search.or_number)
    if search.or_external_id is not None:
        condition = sa.or_(condition, orders.c.external_id == search.or_external_id)
    return condition


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

"""Stock rows, reservations and the stock ledger in SQL; every change is a conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from oms.adapters.db import driver_sql
from oms.adapters.db.base import Repository
from oms.adapters.db.holds import live_held
from oms.adapters.db.tables import (
    local_delivery,
    locations,
    products,
    reservations,
    stock,
    stock_ledger,
)
from oms.domain.inventory.model import (
    Discrepancy,
    LedgerEntry,
    LedgerKind,
    StockOption,
    StockRow,
    StoredLedgerEntry,
)
from oms.services.ports.stock import NewReservation, Reservation

_NOW = sa.bindparam("now", type_=stock.c.updated_at.type)
_ROW_COLUMNS = (
    stock.c.id,
    stock.c.location_id,
    stock.c.product_id,
    locations.c.code,
    products.c.sku,
    stock.c.on_hand,
    stock.c.reserved,
    locations.c.ships,
    sa.func.coalesce(stock.c.bin, locations.c.default_bin),
    live_held(_NOW),
)
_ROWS = stock.join(locations, locations.c.id == stock.c.location_id).join(
    products, products.c.id == stock.c.product_id
)


# Statements of the order-intake path, built once: SQLAlchemy then reuses their compiled
# form and cache key instead of rebuilding the expression on every call.
def _options_of(products_are: Any) -> Any:
    return (
        sa.select(
            stock.c.id,
            stock.c.location_id,
            stock.c.product_id,
            stock.c.on_hand - stock.c.reserved - live_held(_NOW),
            locations.c.priority,
            locations.c.code,
            locations.c.country,
            # A primary-key probe per row: it saves placing an order a query for the
            # settings of locations that deliver nothing themselves (bench/place_order.py).
            sa.exists().where(local_delivery.c.location_id == stock.c.location_id),
        )
        .join(locations, locations.c.id == stock.c.location_id)
        .where(products_are, locations.c.ships.is_(True))
        .order_by(stock.c.id)
    )


# The unlocked read of every placement, at the driver level (driver_sql.py): one statement
# text for any number of products, by dialect.
_OPTIONS_ANY = {
    dialect: _options_of(products_are)
    for dialect, products_are in driver_sql.any_of(
        stock.c.product_id, "products", sa.BigInteger()
    ).items()
}
# FOR NO KEY UPDATE: the foreign keys of reservations and ledger rows take FOR KEY SHARE on
# the stock row, which FOR UPDATE would block and this does not.
_OPTIONS_LOCKED = _options_of(
    stock.c.product_id.in_(sa.bindparam("products", expanding=True))
).with_for_update(of=stock, key_share=True)
# The one statement that keeps oversell out: the database checks and adds at once. Live
# holds count against it (decision 0007); the caller's row locks keep new ones out meanwhile.
_RESERVE = (
    stock.update()
    .where(
        stock.c.id == sa.bindparam("stock_id"),
        stock.c.on_hand - stock.c.reserved - live_held(_NOW) >= sa.bindparam("quantity"),
    )
    .values(reserved=stock.c.reserved + sa.bindparam("quantity"))
)
_INSERT_RESERVATIONS = reservations.insert()
_INSERT_LEDGER = stock_ledger.insert()


def _row(r: Any) -> StockRow:
    return StockRow(
        stock_id=r[0],
        location_id=r[1],
        product_id=r[2],
        location=r[3],
        sku=r[4],
        on_hand=r[5],
        reserved=r[6],
        ships=r[7],
        bin=r[8],
        held=int(r[9]),
    )


def _stock_options(rows: Any) -> list[StockOption]:
    return [
        StockOption(
            stock_id=r[0],
            location_id=r[1],
            product_id=r[2],
            available=r[3],
            location_priority=r[4],
            location_code=r[5],
            country=r[6],
            delivers_locally=bool(r[7]),
        )
        for r in rows
    ]


def _reservation(r: Any) -> Reservation:
    m = r._mapping
    return Reservation(
        m["id"],
        m["order_id"],
        m["order_line_id"],
        m["stock_id"],
        m["quantity"],
        m["created_at"],
        m["location_id"],
        m["per_unit"],
    )


_RESERVATIONS = sa.select(reservations, stock.c.location_id).join(
    stock, stock.c.id == reservations.c.stock_id
)


class SqlStock(Repository):
    def _locked(self, query: Any) -> Any:
        # SQLite has no row locks; there the writer's BEGIN IMMEDIATE serialises instead.
        return query.with_for_update(of=stock, key_share=True) if self.postgres else query

    def lock_row(self, location_id: int, product_id: int, now: datetime) -> StockRow:
        query = self._locked(
            sa.select(*_ROW_COLUMNS)
            .select_from(_ROWS)
            .where(stock.c.location_id == location_id, stock.c.product_id == product_id)
        )
        now_ = {"now": now}
        row = self.conn.execute(query, now_).first()
        if row is None:
            values = {
                "location_id": location_id,
                "product_id": product_id,
                "on_hand": 0,
                "reserved": 0,
                "updated_at": now,
            }
            if self.postgres:
                self.conn.execute(pg_insert(stock).values(values).on_conflict_do_nothing())
            else:
                self.conn.execute(stock.insert().values(values))
            row = self.conn.execute(query, now_).one()
        return _row(row)

    def lock_rows(self, stock_ids: Sequence[int]) -> None:
        if stock_ids and self.postgres:
            self.conn.execute(
                sa.select(stock.c.id)
                .where(stock.c.id.in_(sorted(stock_ids)))
                .order_by(stock.c.id)
                .with_for_update(key_share=True)
            )

    def lock_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        if not self.postgres:  # SQLite's one writer at a time: the read is the lock
            return self._options(product_ids)
        params = {"products": list(product_ids), "now": self._uow.now()}
        return _stock_options(self.conn.execute(_OPTIONS_LOCKED, params))

    def read_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        return self._options(product_ids)

    def _options(self, product_ids: Sequence[int]) -> list[StockOption]:
        params = {"products": list(product_ids), "now": self._uow.now()}
        query = _OPTIONS_ANY[self.conn.dialect.name]
        return _stock_options(driver_sql.fetch_all(self.conn, query, params))

    def reserve(self, requests: Sequence[tuple[int, int]]) -> bool:
        if not requests:
            return True
        now = self._uow.now()
        self._uow.stock_touched.update(stock_id for stock_id, _ in requests)
        held = self._uow.updates_last
        if held is not None:
            # One placement: the updates run last, after its rows (deferred.py); a refusal
            # there is ConcurrentUpdate. One update per row, so the sum decides, as here.
            total: dict[int, int] = {}
            for stock_id, q in requests:
                total[stock_id] = total.get(stock_id, 0) + q
            rows = [{"stock_id": i, "quantity": q, "now": now} for i, q in sorted(total.items())]
            held.update_last(_RESERVE, rows, sorted(total))
            return True
        result = self.conn.execute(
            _RESERVE,
            [{"stock_id": stock_id, "quantity": q, "now": now} for stock_id, q in requests],
        )
        # Each statement touches at most one row: all of them took only if the sum says so.
        return result.rowcount == len(requests)

    def release(self, stock_id: int, quantity: int) -> bool:
        self._uow.stock_touched.add(stock_id)
        result = self.conn.execute(
            stock.update()
            .where(stock.c.id == stock_id, stock.c.reserved >= quantity)
            .values(reserved=stock.c.reserved - quantity)
        )
        return result.rowcount == 1

    def change_on_hand(self, stock_id: int, delta: int) -> bool:
        self._uow.stock_touched.add(stock_id)
        result = self.conn.execute(
            stock.update()
            .where(stock.c.id == stock_id, stock.c.on_hand + delta >= stock.c.reserved)
            .values(on_hand=stock.c.on_hand + delta, updated_at=self._uow.now())
        )
        return result.rowcount == 1

    def set_on_hand(self, stock_id: int, on_hand: int) -> bool:
        self._uow.stock_touched.add(stock_id)
        result = self.conn.execute(
            stock.update()
            .where(stock.c.id == stock_id, stock.c.reserved <= on_hand)
            .values(on_hand=on_hand, updated_at=self._uow.now())
        )
        return result.rowcount == 1

    def add_reservations(self, new: Sequence[NewReservation], now: datetime) -> None:
        if new:
            self.conn.execute(
                _INSERT_RESERVATIONS,
                [
                    {
                        "order_id": r.order_id,
                        "order_line_id": r.order_line_id,
                        "stock_id": r.stock_id,
                        "quantity": r.quantity,
                        "created_at": now,
                        "per_unit": r.per_unit,
                    }
                    for r in new
                ],
            )

    def reduce_reservation(self, reservation_id: int, quantity: int) -> None:
        """Take quantity off a reservation; one that reaches zero is deleted."""
        partial = self.conn.execute(
            reservations.update()
            .where(reservations.c.id == reservation_id, reservations.c.quantity > quantity)
            .values(quantity=reservations.c.quantity - quantity)
        )
        if partial.rowcount == 0:
            self.conn.execute(
                reservations.delete().where(
                    reservations.c.id == reservation_id, reservations.c.quantity == quantity
                )
            )

    def reservations_at(self, stock_id: int) -> list[Reservation]:
        rows = self.conn.execute(_RESERVATIONS.where(reservations.c.stock_id == stock_id))
        return [_reservation(r) for r in rows]

    def reservations_of(self, order_id: int) -> list[Reservation]:
        rows = self.conn.execute(
            _RESERVATIONS.where(reservations.c.order_id == order_id).order_by(reservations.c.id)
        )
        return [_reservation(r) for r in rows]

    def append_ledger(self, entries: Sequence[LedgerEntry]) -> None:
        if entries:
            self.conn.execute(
                _INSERT_LEDGER,
                [
                    {
                        "stock_id": e.stock_id,
                        "kind": e.kind.value,
                        "on_hand_delta": e.on_hand_delta,
                        "reserved_delta": e.reserved_delta,
                        "reason": e.reason,
                        "order_id": e.order_id,
                        "order_line_id": e.order_line_id,
                        "actor": e.actor,
                        "at": e.at,
                    }
                    for e in entries
                ],
            )

    def ledger(self, stock_id: int, after_id: int | None, limit: int) -> list[StoredLedgerEntry]:
        query = (
            stock_ledger.select()
            .where(stock_ledger.c.stock_id == stock_id)
            .order_by(stock_ledger.c.id)
            .limit(limit)
        )
        if after_id is not None:
            query = query.where(stock_ledger.c.id > after_id)
        return [
            StoredLedgerEntry(
                m["id"],
                LedgerEntry(
                    m["stock_id"],
                    LedgerKind(m["kind"]),
                    m["on_hand_delta"],
                    m["reserved_delta"],
                    m["actor"],
                    m["at"],
                    m["reason"],
                    m["order_id"],
                    m["order_line_id"],
                ),
            )
            for m in (r._mapping for r in self.conn.execute(query))
        ]

    def find(self, location_code: str, sku: str) -> StockRow | None:
        row = self.conn.execute(
            sa.select(*_ROW_COLUMNS)
            .select_from(_ROWS)
            .where(locations.c.code == location_code, products.c.sku == sku),
            {"now": self._uow.now()},
        ).first()
        return _row(row) if row else None

    def search(
        self, sku: str | None, location: str | None, after_id: int | None, limit: int
    ) -> list[StockRow]:
        query = sa.select(*_ROW_COLUMNS).select_from(_ROWS).order_by(stock.c.id).limit(limit)
        if sku is not None:
            query = query.where(products.c.sku == sku)
        if location is not None:
            query = query.where(locations.c.code == location)
        if after_id is not None:
            query = query.where(stock.c.id > after_id)
        return [_row(r) for r in self.conn.execute(query, {"now": self._uow.now()})]

    def consume(self, stock_id: int, quantity: int) -> bool:
        result = self.conn.execute(
            stock.update()
            .where(stock.c.id == stock_id, stock.c.reserved >= quantity)
            .values(
                on_hand=stock.c.on_hand - quantity,
                reserved=stock.c.reserved - quantity,
                updated_at=self._uow.now(),
            )
        )
        return result.rowcount == 1

    def set_bin(self, stock_id: int, bin_code: str | None) -> None:
        self.conn.execute(stock.update().where(stock.c.id == stock_id).values(bin=bin_code))

    def bins(self, location_id: int, product_ids: Sequence[int]) -> dict[int, str | None]:
        found: dict[int, str | None] = dict.fromkeys(product_ids)
        if product_ids:
            rows = self.conn.execute(
                sa.select(stock.c.product_id, stock.c.bin).where(
                    stock.c.location_id == location_id,
                    stock.c.product_id.in_(list(product_ids)),
                )
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    def row_of(self, location_id: int, product_id: int) -> StockRow | None:
        row = self.conn.execute(
            sa.select(*_ROW_COLUMNS)
            .select_from(_ROWS)
            .where(stock.c.location_id == location_id, stock.c.product_id == product_id),
            {"now": self._uow.now()},
        ).first()
        return _row(row) if row else None

    def discrepancies(self) -> list[Discrepancy]:
        ledger = (
            sa.select(
                stock_ledger.c.stock_id,
                sa.func.sum(stock_ledger.c.on_hand_delta).label("on_hand"),
                sa.func.sum(stock_ledger.c.reserved_delta).label("reserved"),
            )
            .group_by(stock_ledger.c.stock_id)
            .subquery()
        )
        held = (
            sa.select(
                reservations.c.stock_id, sa.func.sum(reservations.c.quantity).label("quantity")
            )
            .group_by(reservations.c.stock_id)
            .subquery()
        )
        ledger_on_hand = sa.func.coalesce(ledger.c.on_hand, 0)
        ledger_reserved = sa.func.coalesce(ledger.c.reserved, 0)
        open_reserved = sa.func.coalesce(held.c.quantity, 0)
        query = (
            sa.select(
                stock.c.id,
                locations.c.code,
                products.c.sku,
                stock.c.on_hand,
                stock.c.reserved,
                ledger_on_hand,
                ledger_reserved,
                open_reserved,
            )
            .select_from(
                _ROWS.outerjoin(ledger, ledger.c.stock_id == stock.c.id).outerjoin(
                    held, held.c.stock_id == stock.c.id
                )
            )
            .where(
                sa.or_(
                    stock.c.on_hand != ledger_on_hand,
                    stock.c.reserved != ledger_reserved,
                    stock.c.reserved != open_reserved,
                )
            )
            .order_by(stock.c.id)
        )
        return [Discrepancy(*r) for r in self.conn.execute(query)]

    def set_levels(self, stock_id: int, on_hand: int, reserved: int) -> None:
        self._uow.stock_touched.add(stock_id)
        self.conn.execute(
            stock.update()
            .where(stock.c.id == stock_id)
            .values(on_hand=on_hand, reserved=reserved, updated_at=self._uow.now())
        )

    def available_by_sku(
        self, sku: str | None, after_sku: str | None, limit: int
    ) -> list[tuple[str, int]]:
        # A page of products by their SKU index, then their shipping rows by product.
        page = (
            sa.select(products.c.id, products.c.sku)
            .where(products.c.archived.is_(False))
            .order_by(products.c.sku)
            .limit(limit)
        )
        if sku is not None:
            page = page.where(products.c.sku == sku)
        if after_sku is not None:
            page = page.where(products.c.sku > after_sku)
        found = self.conn.execute(page).all()
        if not found:
            return []
        free = self.conn.execute(
            sa.select(
                stock.c.product_id,
                sa.func.sum(stock.c.on_hand - stock.c.reserved - live_held(_NOW)),
            )
            .join(locations, locations.c.id == stock.c.location_id)
            .where(stock.c.product_id.in_([r[0] for r in found]), locations.c.ships.is_(True))
            .group_by(stock.c.product_id),
            {"now": self._uow.now()},
        )
        units = {r[0]: int(r[1]) for r in free}
        return [(r[1], units.get(r[0], 0)) for r in found]

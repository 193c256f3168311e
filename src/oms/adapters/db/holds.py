"""Checkout holds in SQL, and `live_held`: the live units on a stock row, which every
figure of `available` subtracts (stock rows, sourcing options, the reservation's check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import hold_units, holds, stock
from oms.domain.inventory.holds import HeldUnits, Hold, HoldEnd
from oms.services.ports.holds import LiveHold


def live_held(now: Any) -> Any:
    """Units kept by live holds on the current stock row: one probe of
    ix_hold_units_stock_id_expires_at per row; expired units count for nothing."""
    return sa.func.coalesce(
        sa.select(sa.func.sum(hold_units.c.quantity))
        .where(hold_units.c.stock_id == stock.c.id, hold_units.c.expires_at > now)
        .scalar_subquery(),
        0,
    )


_NOW = sa.bindparam("now", type_=hold_units.c.expires_at.type)
_OVERDRAWN = sa.select(stock.c.id).where(
    stock.c.id.in_(sa.bindparam("ids", expanding=True)),
    stock.c.on_hand - stock.c.reserved - live_held(_NOW) < 0,
)


class SqlHolds(Repository):
    def add(
        self, channel: str, span: tuple[datetime, datetime], actor: str, units: Sequence[HeldUnits]
    ) -> int:
        created_at, expires_at = span
        hold_id: int = self.conn.execute(
            holds.insert()
            .values(channel=channel, created_at=created_at, expires_at=expires_at,
                    created_by=actor)
            .returning(holds.c.id)
        ).scalar_one()  # fmt: skip
        if units:
            self._uow.stock_touched.update(u.stock_id for u in units)
            self.conn.execute(
                hold_units.insert(),
                [
                    {
                        "hold_id": hold_id,
                        "stock_id": u.stock_id,
                        "product_id": u.product_id,
                        "kit_id": u.kit_id,
                        "quantity": u.quantity,
                        "expires_at": expires_at,
                    }
                    for u in units
                ],
            )
        return hold_id

    def get(self, hold_id: int, *, lock: bool = False) -> Hold | None:
        query = holds.select().where(holds.c.id == hold_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        units = self.conn.execute(
            sa.select(
                hold_units.c.product_id,
                hold_units.c.stock_id,
                hold_units.c.quantity,
                hold_units.c.kit_id,
            )
            .where(hold_units.c.hold_id == hold_id)
            .order_by(hold_units.c.id)
        )
        return Hold(
            m["id"],
            m["channel"],
            m["created_at"],
            m["expires_at"],
            m["created_by"],
            tuple(HeldUnits(*u) for u in units),
            HoldEnd(m["ended"]) if m["ended"] else None,
            m["order_id"],
        )

    def end(self, hold_id: int, how: HoldEnd, now: datetime, order_id: int | None = None) -> bool:
        done = self.conn.execute(
            holds.update()
            .where(holds.c.id == hold_id, holds.c.ended.is_(None))
            .values(ended=how.value, ended_at=now, order_id=order_id)
        )
        gone = self.conn.execute(
            hold_units.delete()
            .where(hold_units.c.hold_id == hold_id)
            .returning(hold_units.c.stock_id)
        )
        self._uow.stock_touched.update(r[0] for r in gone)
        return done.rowcount == 1

    def live_at(self, stock_id: int, now: datetime) -> list[LiveHold]:
        rows = self.conn.execute(
            sa.select(holds.c.id, holds.c.channel, holds.c.created_at, holds.c.expires_at,
                      hold_units.c.quantity)
            .join(holds, holds.c.id == hold_units.c.hold_id)
            .where(hold_units.c.stock_id == stock_id, hold_units.c.expires_at > now)
            .order_by(holds.c.created_at, holds.c.id)
        )  # fmt: skip
        return [LiveHold(*r) for r in rows]

    def reduce(self, hold_id: int, stock_id: int, quantity: int) -> None:
        where = (hold_units.c.hold_id == hold_id, hold_units.c.stock_id == stock_id)
        self._uow.stock_touched.add(stock_id)
        partial = self.conn.execute(
            hold_units.update()
            .where(*where, hold_units.c.quantity > quantity)
            .values(quantity=hold_units.c.quantity - quantity)
        )
        if partial.rowcount == 0:
            self.conn.execute(hold_units.delete().where(*where))

    def overdrawn(self, stock_ids: Sequence[int], now: datetime) -> list[int]:
        if not stock_ids:
            return []
        rows = self.conn.execute(_OVERDRAWN, {"ids": list(stock_ids), "now": now})
        return [r[0] for r in rows]

    def expired(self, now: datetime, limit: int) -> list[tuple[int, list[int]]]:
        rows = self.conn.execute(
            sa.select(hold_units.c.hold_id, hold_units.c.product_id)
            .where(hold_units.c.expires_at <= now)
            .order_by(hold_units.c.hold_id)
            .limit(limit)
        )
        found: dict[int, list[int]] = defaultdict(list)
        for hold_id, product_id in rows:
            found[hold_id].append(product_id)
        return list(found.items())

    def expired_on(self, product_ids: Sequence[int], now: datetime) -> list[int]:
        if not product_ids:
            return []
        rows = self.conn.execute(
            sa.select(hold_units.c.hold_id)
            .where(
                hold_units.c.product_id.in_(list(product_ids)),
                hold_units.c.expires_at <= now,
            )
            .distinct()
            .order_by(hold_units.c.hold_id)
        )
        return [r[0] for r in rows]

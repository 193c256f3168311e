"""Replenishment's reads and writes in SQL: suppliers' terms, receipts with their sending
time, units shipped and revenue per product, positions, backorders, the stored reorder
levels and the Idempotency-Keys of drafts made from the suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository, unique_violation
from oms.adapters.db.holds import live_held
from oms.adapters.db.tables import (
    locations,
    order_lines,
    orders,
    products,
    stock,
    stock_ledger,
)
from oms.adapters.db.tables_planning import (
    purchase_order_lines,
    purchase_orders,
    supplier_products,
    suppliers,
)
from oms.adapters.db.tables_reorder import reorder_levels, suggestion_requests
from oms.domain.inventory.model import LedgerKind
from oms.domain.orders.status import WAITS_FOR_STOCK
from oms.domain.planning.purchase_orders import OPEN, PurchaseOrderStatus
from oms.services.ports.replenishment import (
    LevelRow,
    Position,
    Receipt,
    RequestKeyTaken,
    Source,
)

po, pol, rl = purchase_orders, purchase_order_lines, reorder_levels
_LEVEL_COLUMNS = (
    "abc_class",
    "service_level",
    "share",
    "lead_time_days",
    "lead_time_spread",
    "lead_time_source",
    "lead_time_demand",
    "cover_demand",
    "safety_stock",
    "safety_method",
    "reorder_point",
    "order_up_to",
    "model",
    "pattern",
    "computed_at",
)


def _pairs(rows: Any) -> dict[str, int]:
    return {r[0]: r[1] for r in rows}


class SqlReplenishment(Repository):
    def sources(self) -> list[Source]:
        sp = supplier_products
        rows = self.conn.execute(
            sa.select(
                products.c.sku,
                suppliers.c.code,
                suppliers.c.name,
                suppliers.c.currency,
                suppliers.c.lead_time_days,
                suppliers.c.minimum_units,
                sp.c.cost_minor,
                sp.c.pack_size,
            )
            .select_from(
                sp.join(products, products.c.id == sp.c.product_id).join(
                    suppliers, suppliers.c.id == sp.c.supplier_id
                )
            )
            .order_by(products.c.sku, suppliers.c.code)
        )
        return [
            Source(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6]), int(r[7])) for r in rows
        ]

    def receipts(self) -> list[Receipt]:
        reason = sa.literal("purchase order ") + sa.cast(po.c.id, sa.String)
        rows = self.conn.execute(
            sa.select(suppliers.c.code, products.c.sku, po.c.sent_at, stock_ledger.c.at)
            .select_from(
                po.join(suppliers, suppliers.c.id == po.c.supplier_id)
                .join(stock, stock.c.location_id == po.c.location_id)
                .join(
                    stock_ledger,
                    (stock_ledger.c.stock_id == stock.c.id) & (stock_ledger.c.reason == reason),
                )
                .join(products, products.c.id == stock.c.product_id)
            )
            .where(po.c.sent_at.is_not(None), stock_ledger.c.kind == LedgerKind.RECEIPT.value)
            .order_by(stock_ledger.c.id)
        )
        return [Receipt(r[0], r[1], r[2], r[3]) for r in rows]

    def shipped(self, since: datetime) -> dict[tuple[str, str], float]:
        rows = self.conn.execute(
            sa.select(products.c.sku, locations.c.code, -sa.func.sum(stock_ledger.c.on_hand_delta))
            .select_from(
                stock_ledger.join(stock, stock.c.id == stock_ledger.c.stock_id)
                .join(products, products.c.id == stock.c.product_id)
                .join(locations, locations.c.id == stock.c.location_id)
            )
            .where(stock_ledger.c.kind == LedgerKind.SHIPMENT.value, stock_ledger.c.at >= since)
            .group_by(products.c.sku, locations.c.code)
        )
        return {(r[0], r[1]): float(r[2] or 0) for r in rows}

    def revenue(self, since: datetime, until: datetime) -> dict[str, float]:
        c = order_lines.c
        rows = self.conn.execute(
            sa.select(c.sku, sa.func.sum(c.quantity * c.unit_price_minor))
            .join(orders, orders.c.id == c.order_id)
            .where(orders.c.created_at >= since, orders.c.created_at < until)
            .group_by(c.sku)
        )
        return {r[0]: float(r[1] or 0) for r in rows}

    def shipping_locations(self) -> list[str]:
        rows = self.conn.execute(
            sa.select(locations.c.code).where(locations.c.ships).order_by(locations.c.code)
        )
        return [r[0] for r in rows]

    def replace_levels(self, rows: Sequence[LevelRow]) -> None:
        self.conn.execute(rl.delete())
        if not rows:
            return
        skus = sorted({r.sku for r in rows})
        product_ids = _pairs(
            self.conn.execute(
                sa.select(products.c.sku, products.c.id).where(products.c.sku.in_(skus))
            )
        )
        location_ids = _pairs(self.conn.execute(sa.select(locations.c.code, locations.c.id)))
        supplier_ids = _pairs(self.conn.execute(sa.select(suppliers.c.code, suppliers.c.id)))
        self.conn.execute(
            rl.insert(),
            [
                {
                    "product_id": product_ids[r.sku],
                    "location_id": location_ids[r.location],
                    "supplier_id": supplier_ids[r.supplier],
                    **{name: getattr(r, name) for name in _LEVEL_COLUMNS},
                }
                for r in rows
            ],
        )

    def levels(self, sku: str | None = None, location: str | None = None) -> list[LevelRow]:
        query = (
            sa.select(
                products.c.sku,
                locations.c.code,
                suppliers.c.code,
                *(rl.c[name] for name in _LEVEL_COLUMNS),
            )
            .select_from(
                rl.join(products, products.c.id == rl.c.product_id)
                .join(locations, locations.c.id == rl.c.location_id)
                .join(suppliers, suppliers.c.id == rl.c.supplier_id)
            )
            .order_by(products.c.sku, locations.c.code)
        )
        if sku is not None:
            query = query.where(products.c.sku == sku)
        if location is not None:
            query = query.where(locations.c.code == location)
        return [LevelRow(*row) for row in self.conn.execute(query)]

    def positions(self, skus: Sequence[str]) -> dict[tuple[str, str], Position]:
        if not skus:
            return {}
        out: dict[tuple[str, str], list[int]] = {}
        held = live_held(sa.bindparam("now", type_=stock.c.updated_at.type))
        for r in self.conn.execute(
            sa.select(locations.c.code, products.c.sku, stock.c.on_hand - stock.c.reserved - held)
            .select_from(
                stock.join(products, products.c.id == stock.c.product_id).join(
                    locations, locations.c.id == stock.c.location_id
                )
            )
            .where(products.c.sku.in_(list(skus))),
            {"now": self._uow.now()},
        ):
            out.setdefault((r[0], r[1]), [0, 0, 0])[0] = int(r[2])
        for index, statuses in ((1, OPEN), (2, frozenset({PurchaseOrderStatus.DRAFT}))):
            for r in self.conn.execute(
                sa.select(
                    locations.c.code,
                    pol.c.sku,
                    sa.func.sum(pol.c.quantity - pol.c.received_quantity),
                )
                .select_from(
                    po.join(pol, pol.c.purchase_order_id == po.c.id).join(
                        locations, locations.c.id == po.c.location_id
                    )
                )
                .where(po.c.status.in_([s.value for s in statuses]), pol.c.sku.in_(list(skus)))
                .group_by(locations.c.code, pol.c.sku)
            ):
                out.setdefault((r[0], r[1]), [0, 0, 0])[index] = int(r[2] or 0)
        return {key: Position(*v) for key, v in out.items()}

    def backorders(self, skus: Sequence[str]) -> dict[str, int]:
        if not skus:
            return {}
        c = order_lines.c
        rows = self.conn.execute(
            sa.select(c.sku, sa.func.sum(c.backordered_quantity))
            .join(orders, orders.c.id == c.order_id)
            .where(
                c.backordered_quantity > 0,
                c.sku.in_(list(skus)),
                orders.c.status.in_([s.value for s in WAITS_FOR_STOCK]),
            )
            .group_by(c.sku)
        )
        return {r[0]: int(r[1]) for r in rows}

    def request(self, key: str) -> list[int] | None:
        found: Any = self.conn.execute(
            sa.select(suggestion_requests.c.purchase_order_ids).where(
                suggestion_requests.c.idempotency_key == key
            )
        ).scalar()
        if found is None:
            return None
        return [int(x) for x in found.split(",") if x]

    def remember(
        self, key: str, purchase_order_ids: Sequence[int], actor: str, now: datetime
    ) -> None:
        try:
            self.conn.execute(
                suggestion_requests.insert().values(
                    idempotency_key=key,
                    purchase_order_ids=",".join(str(i) for i in purchase_order_ids),
                    created_by=actor,
                    created_at=now,
                )
            )
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "suggestion_requests", "idempotency_key"):
                raise RequestKeyTaken(key) from error
            raise

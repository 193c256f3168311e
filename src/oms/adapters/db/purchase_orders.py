"""Suppliers and purchase orders in SQL (tables_planning.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import UTCDateTime, products
from oms.adapters.db.tables_planning import (
    purchase_order_lines,
    purchase_orders,
    supplier_products,
    suppliers,
)
from oms.domain.planning.purchase_orders import (
    OPEN,
    PurchaseLine,
    PurchaseOrder,
    PurchaseOrderStatus,
    Supplier,
)
from oms.services.ports.planning import (
    NewPurchaseLine,
    PurchaseOrderQuery,
    Stamp,
    SupplierTerms,
)

po, pol = purchase_orders, purchase_order_lines


def _supplier(row: Any) -> Supplier:
    m = row._mapping
    return Supplier(
        m["id"], m["code"], m["name"], m["currency"], m["lead_time_days"], m["minimum_units"]
    )


class SqlPurchaseOrders(Repository):
    def add_supplier(self, supplier: Supplier, now: datetime) -> Supplier:
        new_id = self.conn.execute(
            suppliers.insert()
            .values(
                code=supplier.code,
                name=supplier.name,
                currency=supplier.currency,
                lead_time_days=supplier.lead_time_days,
                minimum_units=supplier.minimum_units,
                created_at=now,
            )
            .returning(suppliers.c.id)
        ).scalar_one()
        return Supplier(
            new_id, supplier.code, supplier.name, supplier.currency,
            supplier.lead_time_days, supplier.minimum_units,
        )  # fmt: skip

    def supplier(self, code: str) -> Supplier | None:
        row = self.conn.execute(sa.select(suppliers).where(suppliers.c.code == code)).first()
        return _supplier(row) if row else None

    def supplier_by_id(self, supplier_id: int) -> Supplier | None:
        row = self.conn.execute(sa.select(suppliers).where(suppliers.c.id == supplier_id)).first()
        return _supplier(row) if row else None

    def set_terms(self, supplier_id: int, product_id: int, cost_minor: int, pack: int) -> None:
        key = (supplier_products.c.supplier_id == supplier_id) & (
            supplier_products.c.product_id == product_id
        )
        done = self.conn.execute(
            supplier_products.update().where(key).values(cost_minor=cost_minor, pack_size=pack)
        )
        if not done.rowcount:
            self.conn.execute(
                supplier_products.insert().values(
                    supplier_id=supplier_id,
                    product_id=product_id,
                    cost_minor=cost_minor,
                    pack_size=pack,
                )
            )

    def suppliers(self) -> list[Supplier]:
        rows = self.conn.execute(sa.select(suppliers).order_by(suppliers.c.code))
        return [_supplier(row) for row in rows]

    def update_supplier(self, supplier: Supplier) -> None:
        self.conn.execute(
            suppliers.update()
            .where(suppliers.c.id == supplier.id)
            .values(
                name=supplier.name,
                lead_time_days=supplier.lead_time_days,
                minimum_units=supplier.minimum_units,
            )
        )

    def terms(self, supplier_id: int) -> list[SupplierTerms]:
        sp = supplier_products
        rows = self.conn.execute(
            sa.select(products.c.sku, sp.c.cost_minor, sp.c.pack_size)
            .select_from(sp.join(products, products.c.id == sp.c.product_id))
            .where(sp.c.supplier_id == supplier_id)
            .order_by(products.c.sku)
        )
        return [SupplierTerms(r[0], int(r[1]), int(r[2])) for r in rows]

    def list(self, query: PurchaseOrderQuery) -> list[PurchaseOrder]:
        select = sa.select(po).order_by(po.c.id.desc()).limit(query.limit)
        if query.status is not None:
            select = select.where(po.c.status == query.status)
        if query.supplier_id is not None:
            select = select.where(po.c.supplier_id == query.supplier_id)
        if query.before is not None:
            select = select.where(po.c.id < query.before)
        heads = list(self.conn.execute(select))
        lines: dict[int, list[PurchaseLine]] = {r.id: [] for r in heads}
        if heads:
            for r in self.conn.execute(
                sa.select(pol).where(pol.c.purchase_order_id.in_(list(lines))).order_by(pol.c.id)
            ):
                lines[r.purchase_order_id].append(
                    PurchaseLine(
                        r.id,
                        r.product_id,
                        r.sku,
                        r.quantity,
                        r.unit_cost_minor,
                        r.received_quantity,
                    )
                )
        return [
            PurchaseOrder(
                m.id,
                m.supplier_id,
                m.location_id,
                m.currency,
                PurchaseOrderStatus(m.status),
                m.expected_on,
                lines[m.id],
            )
            for m in heads
        ]

    def add(
        self,
        supplier: Supplier,
        location_id: int,
        lines: Sequence[NewPurchaseLine],
        at: Stamp,
        expected_on: date | None = None,
    ) -> PurchaseOrder:
        new_id = self.conn.execute(
            po.insert()
            .values(
                supplier_id=supplier.id,
                location_id=location_id,
                currency=supplier.currency,
                status=PurchaseOrderStatus.DRAFT.value,
                expected_on=expected_on,
                created_by=at.actor,
                created_at=at.now,
                updated_at=at.now,
            )
            .returning(po.c.id)
        ).scalar_one()
        self.conn.execute(
            pol.insert(),
            [
                {
                    "purchase_order_id": new_id,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_cost_minor": line.unit_cost_minor,
                }
                for line in lines
            ],
        )
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, purchase_order_id: int, *, lock: bool = False) -> PurchaseOrder | None:
        query = sa.select(po).where(po.c.id == purchase_order_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        lines = [
            PurchaseLine(
                r.id, r.product_id, r.sku, r.quantity, r.unit_cost_minor, r.received_quantity
            )
            for r in self.conn.execute(
                sa.select(pol)
                .where(pol.c.purchase_order_id == purchase_order_id)
                .order_by(pol.c.id)
            )
        ]
        return PurchaseOrder(
            m["id"], m["supplier_id"], m["location_id"], m["currency"],
            PurchaseOrderStatus(m["status"]), m["expected_on"], lines,
        )  # fmt: skip

    def save(self, order: PurchaseOrder, now: datetime) -> None:
        values: dict[str, Any] = {
            "status": order.status.value,
            "expected_on": order.expected_on,
            "updated_at": now,
        }
        if order.status is PurchaseOrderStatus.SENT:  # lead times are measured from here
            values["sent_at"] = sa.func.coalesce(po.c.sent_at, sa.literal(now, UTCDateTime))
        self.conn.execute(po.update().where(po.c.id == order.id).values(**values))
        for line in order.lines:
            self.conn.execute(
                pol.update()
                .where(pol.c.id == line.id)
                .values(received_quantity=line.received_quantity)
            )

    def on_order(
        self, product_ids: Sequence[int]
    ) -> dict[tuple[int, int], tuple[int, date | None]]:
        rows = self.conn.execute(
            sa.select(
                po.c.location_id,
                pol.c.product_id,
                sa.func.sum(pol.c.quantity - pol.c.received_quantity),
                sa.func.min(po.c.expected_on),
            )
            .select_from(po.join(pol, pol.c.purchase_order_id == po.c.id))
            .where(
                po.c.status.in_([s.value for s in OPEN]),
                pol.c.product_id.in_(list(product_ids)),
                pol.c.quantity > pol.c.received_quantity,
            )
            .group_by(po.c.location_id, pol.c.product_id)
        )
        return {(r[0], r[1]): (int(r[2]), r[3]) for r in rows}

"""The warehouse station's read queries in SQL: a location's shipments still in the
warehouse, a pick list's lines per shipment, a shipment's contents with names and barcodes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import (
    orders,
    pick_list_lines,
    products,
    shipment_lines,
    shipments,
)
from oms.domain.fulfilment.model import bin_order
from oms.domain.fulfilment.shipment import IN_WAREHOUSE, ShipmentStatus
from oms.services.station import PackLine, PickRow, ShipmentCard, StationShipment

_IN_WAREHOUSE = sorted(s.value for s in IN_WAREHOUSE)


class SqlStationViews(Repository):
    def shipments(self, location_id: int) -> list[StationShipment]:
        s, o = shipments.c, orders.c
        units = (
            sa.select(sa.func.coalesce(sa.func.sum(shipment_lines.c.quantity), 0))
            .where(shipment_lines.c.shipment_id == s.id)
            .scalar_subquery()
        )
        rows = self.conn.execute(
            sa.select(
                s.id,
                s.order_id,
                o.number,
                s.status,
                s.pick_list_id,
                o.priority,
                o.created_at.label("placed_at"),
                s.created_at,
                units.label("units"),
                s.promised_delivery_date,
            )
            .join(orders, o.id == s.order_id)
            .where(s.location_id == location_id, s.status.in_(_IN_WAREHOUSE))
            .order_by(o.priority.desc(), o.created_at, o.id, s.id)
        )
        return [_shipment(r._mapping) for r in rows]

    def pick_rows(self, pick_list_id: int) -> list[PickRow]:
        s, ln, o = shipments.c, shipment_lines.c, orders.c
        bins: dict[int, str] = {
            r[0]: r[1]
            for r in self.conn.execute(
                sa.select(pick_list_lines.c.product_id, pick_list_lines.c.bin).where(
                    pick_list_lines.c.pick_list_id == pick_list_id
                )
            )
        }
        rows = self.conn.execute(
            sa.select(
                s.id, s.order_id, o.number, ln.sku, products.c.name, ln.product_id, ln.quantity
            )
            .join(shipment_lines, ln.shipment_id == s.id)
            .join(orders, o.id == s.order_id)
            .join(products, products.c.id == ln.product_id)
            .where(s.pick_list_id == pick_list_id, s.status == ShipmentStatus.PICKING.value)
        )
        found = [PickRow(r[0], r[1], r[2], r[3], r[4], bins.get(r[5], ""), r[6]) for r in rows]
        return sorted(found, key=lambda p: (bin_order(p.bin), p.sku, p.shipment_id))

    def shipment(self, shipment_id: int) -> ShipmentCard | None:
        s = shipments.c
        head = self.conn.execute(
            sa.select(
                s.id,
                s.order_id,
                orders.c.number,
                s.location_id,
                s.status,
                s.carrier,
                s.service,
                s.tracking_number,
                s.weight_grams,
                s.ship_date,
                s.promised_delivery_date,
            )
            .join(orders, orders.c.id == s.order_id)
            .where(s.id == shipment_id)
        ).first()
        if head is None:
            return None
        lines = self.conn.execute(
            sa.select(
                shipment_lines.c.sku, products.c.name, products.c.barcode, shipment_lines.c.quantity
            )
            .join(products, products.c.id == shipment_lines.c.product_id)
            .where(shipment_lines.c.shipment_id == shipment_id)
            .order_by(shipment_lines.c.sku)
        )
        m = head._mapping
        return ShipmentCard(
            id=m["id"],
            order_id=m["order_id"],
            order_number=m["number"],
            location_id=m["location_id"],
            status=ShipmentStatus(m["status"]),
            lines=[PackLine(r[0], r[1], r[2], r[3]) for r in lines],
            carrier=m["carrier"],
            service=m["service"],
            tracking_number=m["tracking_number"],
            weight_grams=m["weight_grams"],
            ship_date=m["ship_date"],
            promised_delivery_date=m["promised_delivery_date"],
        )


def _shipment(m: Any) -> StationShipment:
    return StationShipment(
        id=m["id"],
        order_id=m["order_id"],
        order_number=m["number"],
        status=ShipmentStatus(m["status"]),
        pick_list_id=m["pick_list_id"],
        priority=m["priority"],
        placed_at=m["placed_at"],
        created_at=m["created_at"],
        units=int(m["units"]),
        promised_delivery_date=m["promised_delivery_date"],
    )

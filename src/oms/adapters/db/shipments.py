"""Shipments, their lines, pick lists and carrier events in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from oms.adapters.db import order_facts as facts
from oms.adapters.db.base import Repository, from_minor, to_minor
from oms.adapters.db.late import is_late, late_to_deliver
from oms.adapters.db.tables import (
    history_orders,
    locations,
    orders,
    pick_list_lines,
    pick_lists,
    shipment_events,
    shipment_lines,
    shipments,
)
from oms.domain.errors import ConcurrentUpdate
from oms.domain.fulfilment.model import (
    PickLine,
    PickList,
    PickListStatus,
    Shipment,
    ShipmentLine,
    WaveCandidate,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import WAREHOUSE_WORKS
from oms.services.ports.shipments import CarrierEvent, ShipmentFilter, StoredCarrierEvent

_HEADER = sa.select(shipments, locations.c.code.label("location_code")).join(
    locations, locations.c.id == shipments.c.location_id
)
_WORKABLE = [s.value for s in WAREHOUSE_WORKS]


def _shipment(m: Any, lines: list[ShipmentLine]) -> Shipment:
    cost = (
        Money(from_minor(m["shipping_cost_minor"], m["currency"]), m["currency"])
        if m["shipping_cost_minor"] is not None
        else None
    )
    return Shipment(
        id=m["id"],
        order_id=m["order_id"],
        location_id=m["location_id"],
        location=m["location_code"],
        status=ShipmentStatus(m["status"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        lines=lines,
        pick_list_id=m["pick_list_id"],
        carrier=m["carrier"],
        service=m["service"],
        tracking_number=m["tracking_number"],
        weight_grams=m["weight_grams"],
        ship_date=m["ship_date"],
        promised_delivery_date=m["promised_delivery_date"],
        shipping_cost=cost,
        last_event_at=m["last_event_at"],
        late_notified_at=m["late_notified_at"],
        ship_by=m["ship_by"],
        replaces_id=m["replaces_id"],
        version=m["version"],
    )


def _header_values(s: Shipment) -> dict[str, Any]:
    return {
        "status": s.status.value,
        "pick_list_id": s.pick_list_id,
        "carrier": s.carrier,
        "service": s.service,
        "tracking_number": s.tracking_number,
        "weight_grams": s.weight_grams,
        "ship_date": s.ship_date,
        "promised_delivery_date": s.promised_delivery_date,
        "shipping_cost_minor": (
            to_minor(s.shipping_cost.amount, s.shipping_cost.currency) if s.shipping_cost else None
        ),
        "currency": s.shipping_cost.currency if s.shipping_cost else None,
        "last_event_at": s.last_event_at,
        "late_notified_at": s.late_notified_at,
        "ship_by": s.ship_by,
        "replaces_id": s.replaces_id,
        "updated_at": s.updated_at,
    }


class SqlShipments(Repository):
    def add(self, shipment: Shipment) -> int:
        shipment.id = self.conn.execute(
            shipments.insert().returning(shipments.c.id),
            {
                "order_id": shipment.order_id,
                "location_id": shipment.location_id,
                "version": shipment.version,
                "created_at": shipment.created_at,
                **_header_values(shipment),
            },
        ).scalar_one()
        self._insert_lines(shipment.id, shipment.lines)
        facts.refresh(self.conn, [shipment.order_id], "shipped")
        return shipment.id

    def _insert_lines(self, shipment_id: int, lines: Sequence[ShipmentLine]) -> None:
        if not lines:
            return
        ids = self.conn.execute(
            shipment_lines.insert().returning(shipment_lines.c.id, sort_by_parameter_order=True),
            [
                {
                    "shipment_id": shipment_id,
                    "order_line_id": line.order_line_id,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "picked_quantity": line.picked_quantity,
                }
                for line in lines
            ],
        )
        for line, row in zip(lines, ids, strict=True):
            line.id = row[0]

    def _load(self, query: Any) -> list[Shipment]:
        headers = [r._mapping for r in self.conn.execute(query)]
        ids = [m["id"] for m in headers]
        lines: dict[int, list[ShipmentLine]] = defaultdict(list)
        if ids:
            rows = self.conn.execute(
                shipment_lines.select()
                .where(shipment_lines.c.shipment_id.in_(ids))
                .order_by(shipment_lines.c.shipment_id, shipment_lines.c.id)
            )
            for r in rows:
                m = r._mapping
                lines[m["shipment_id"]].append(
                    ShipmentLine(
                        m["id"],
                        m["order_line_id"],
                        m["product_id"],
                        m["sku"],
                        m["quantity"],
                        m["picked_quantity"],
                    )
                )
        return [_shipment(m, lines[m["id"]]) for m in headers]

    def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None:
        query = _HEADER.where(shipments.c.id == shipment_id)
        if lock and self.postgres:
            query = query.with_for_update(of=shipments)
        found = self._load(query)
        return found[0] if found else None

    def many(self, shipment_ids: Sequence[int], *, lock: bool = False) -> list[Shipment]:
        if not shipment_ids:
            return []
        query = _HEADER.where(shipments.c.id.in_(sorted(set(shipment_ids)))).order_by(
            shipments.c.id
        )
        if lock and self.postgres:
            query = query.with_for_update(of=shipments)
        return self._load(query)

    def of_orders(self, order_ids: Sequence[int]) -> dict[int, list[Shipment]]:
        result: dict[int, list[Shipment]] = {i: [] for i in order_ids}
        if order_ids:
            query = _HEADER.where(shipments.c.order_id.in_(list(order_ids))).order_by(
                shipments.c.id
            )
            for shipment in self._load(query):
                result[shipment.order_id].append(shipment)
        return result

    def by_tracking_number(self, tracking_number: str) -> Shipment | None:
        found = self._load(_HEADER.where(shipments.c.tracking_number == tracking_number))
        return found[0] if found else None

    def save(self, shipment: Shipment) -> None:
        result = self.conn.execute(
            shipments.update()
            .where(shipments.c.id == shipment.id, shipments.c.version == shipment.version)
            .values(version=shipment.version + 1, **_header_values(shipment))
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"shipment {shipment.id} was changed by someone else")
        shipment.version += 1
        stored = {
            r.id: (r.quantity, r.picked_quantity)
            for r in self.conn.execute(
                sa.select(
                    shipment_lines.c.id, shipment_lines.c.quantity, shipment_lines.c.picked_quantity
                ).where(shipment_lines.c.shipment_id == shipment.id)
            )
        }
        keep = {line.id for line in shipment.lines if line.id}
        gone = [line_id for line_id in stored if line_id not in keep]
        if gone:
            self.conn.execute(shipment_lines.delete().where(shipment_lines.c.id.in_(gone)))
        changed = [
            {"lid": line.id, "quantity": line.quantity, "picked_quantity": line.picked_quantity}
            for line in shipment.lines
            if line.id and stored.get(line.id) != (line.quantity, line.picked_quantity)
        ]
        if changed:
            self.conn.execute(
                shipment_lines.update().where(shipment_lines.c.id == sa.bindparam("lid")),
                changed,
            )
        self._insert_lines(shipment.id, [line for line in shipment.lines if not line.id])
        facts.refresh(self.conn, [shipment.order_id], "shipped")

    def search(self, flt: ShipmentFilter) -> list[Shipment]:
        query = _HEADER.order_by(shipments.c.id.desc()).limit(flt.limit)
        if flt.order_id is not None:
            query = query.where(shipments.c.order_id == flt.order_id)
        if flt.location is not None:
            query = query.where(locations.c.code == flt.location)
        if flt.status is not None:
            query = query.where(shipments.c.status == flt.status)
        if flt.carrier is not None:
            query = query.where(shipments.c.carrier == flt.carrier)
        if flt.late_on is not None:
            query = query.where(is_late(flt.late_on, flt.late_kind))
        if flt.before_id is not None:
            query = query.where(shipments.c.id < flt.before_id)
        return self._load(query)

    def late_untold(self, today: date, limit: int) -> list[int]:
        rows = self.conn.execute(
            sa.select(shipments.c.id)
            .where(
                late_to_deliver(today),
                shipments.c.late_notified_at.is_(None),
                # Imported history is not live: nobody is told about it (tables_insight.py).
                ~sa.exists().where(history_orders.c.order_id == shipments.c.order_id),
            )
            .order_by(shipments.c.id)
            .limit(limit)
        )
        return [r[0] for r in rows]

    def wave_candidates(self, location_id: int) -> list[WaveCandidate]:
        rows = self.conn.execute(
            sa.select(shipments.c.id, orders.c.id, orders.c.priority, orders.c.created_at)
            .join(orders, orders.c.id == shipments.c.order_id)
            .where(
                shipments.c.location_id == location_id,
                shipments.c.status == ShipmentStatus.OPEN.value,
                shipments.c.pick_list_id.is_(None),
                orders.c.status.in_(_WORKABLE),
            )
        )
        return [WaveCandidate(*r) for r in rows]

    # -- pick lists ------------------------------------------------------------------------

    def add_pick_list(self, pick_list: PickList) -> int:
        pick_list.id = self.conn.execute(
            pick_lists.insert().returning(pick_lists.c.id),
            {
                "location_id": pick_list.location_id,
                "status": pick_list.status.value,
                "created_by": pick_list.created_by,
                "created_at": pick_list.created_at,
            },
        ).scalar_one()
        if pick_list.lines:
            self.conn.execute(
                pick_list_lines.insert(),
                [
                    {
                        "pick_list_id": pick_list.id,
                        "seq": line.seq,
                        "product_id": line.product_id,
                        "sku": line.sku,
                        "bin": line.bin,
                        "quantity": line.quantity,
                    }
                    for line in pick_list.lines
                ],
            )
        return pick_list.id

    def _pick_lists(self, query: Any) -> list[PickList]:
        headers = [r._mapping for r in self.conn.execute(query)]
        ids = [m["id"] for m in headers]
        lines: dict[int, list[PickLine]] = defaultdict(list)
        members: dict[int, list[int]] = defaultdict(list)
        if ids:
            for r in self.conn.execute(
                pick_list_lines.select()
                .where(pick_list_lines.c.pick_list_id.in_(ids))
                .order_by(pick_list_lines.c.pick_list_id, pick_list_lines.c.seq)
            ):
                m = r._mapping
                lines[m["pick_list_id"]].append(
                    PickLine(m["seq"], m["product_id"], m["sku"], m["bin"], m["quantity"])
                )
            for r in self.conn.execute(
                sa.select(shipments.c.pick_list_id, shipments.c.id)
                .where(shipments.c.pick_list_id.in_(ids))
                .order_by(shipments.c.id)
            ):
                members[r[0]].append(r[1])
        return [
            PickList(
                id=m["id"],
                location_id=m["location_id"],
                location=m["location_code"],
                status=PickListStatus(m["status"]),
                created_by=m["created_by"],
                created_at=m["created_at"],
                lines=lines[m["id"]],
                shipment_ids=members[m["id"]],
                completed_by=m["completed_by"],
                completed_at=m["completed_at"],
            )
            for m in headers
        ]

    def get_pick_list(self, pick_list_id: int, *, lock: bool = False) -> PickList | None:
        query = _PICK_HEADER.where(pick_lists.c.id == pick_list_id)
        if lock and self.postgres:
            query = query.with_for_update(of=pick_lists)
        found = self._pick_lists(query)
        return found[0] if found else None

    def save_pick_list(self, pick_list: PickList) -> None:
        self.conn.execute(
            pick_lists.update()
            .where(pick_lists.c.id == pick_list.id)
            .values(
                status=pick_list.status.value,
                completed_by=pick_list.completed_by,
                completed_at=pick_list.completed_at,
            )
        )

    def pick_lists(
        self, location_id: int | None, status: str | None, before_id: int | None, limit: int
    ) -> list[PickList]:
        query = _PICK_HEADER.order_by(pick_lists.c.id.desc()).limit(limit)
        if location_id is not None:
            query = query.where(pick_lists.c.location_id == location_id)
        if status is not None:
            query = query.where(pick_lists.c.status == status)
        if before_id is not None:
            query = query.where(pick_lists.c.id < before_id)
        return self._pick_lists(query)

    # -- carrier events --------------------------------------------------------------------

    def add_event(
        self, shipment_id: int, event: CarrierEvent, applied: bool, actor: str, now: Any
    ) -> bool:
        values = {
            "shipment_id": shipment_id,
            "status": event.status.value,
            "at": event.at,
            "location": event.location,
            "note": event.note,
            "applied": applied,
            "actor": actor,
            "received_at": now,
        }
        exists = self.conn.execute(
            sa.select(shipment_events.c.id).where(
                shipment_events.c.shipment_id == shipment_id,
                shipment_events.c.status == event.status.value,
                shipment_events.c.at == event.at,
            )
        ).first()
        if exists:
            return False
        # The shipment row is locked by the caller, so no second writer can slip in here.
        self.conn.execute(shipment_events.insert(), values)
        return True

    def events(self, shipment_ids: Sequence[int]) -> dict[int, list[StoredCarrierEvent]]:
        result: dict[int, list[StoredCarrierEvent]] = {i: [] for i in shipment_ids}
        if not shipment_ids:
            return result
        rows = self.conn.execute(
            shipment_events.select()
            .where(shipment_events.c.shipment_id.in_(list(shipment_ids)))
            .order_by(shipment_events.c.at, shipment_events.c.id)
        )
        for r in rows:
            m = r._mapping
            result[m["shipment_id"]].append(
                StoredCarrierEvent(
                    m["id"],
                    m["shipment_id"],
                    CarrierEvent(
                        "", ShipmentStatus(m["status"]), m["at"], m["location"], m["note"]
                    ),
                    m["applied"],
                    m["actor"],
                    m["received_at"],
                )
            )
        return result


_PICK_HEADER = sa.select(pick_lists, locations.c.code.label("location_code")).join(
    locations, locations.c.id == pick_lists.c.location_id
)

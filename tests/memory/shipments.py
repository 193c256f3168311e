"""Shipments, their lines, pick lists and carrier events in memory."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime

from oms.domain.errors import ConcurrentUpdate
from oms.domain.fulfilment.model import LateKind, PickList, Shipment, WaveCandidate
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import WAREHOUSE_WORKS
from oms.services.ports.shipments import CarrierEvent, ShipmentFilter, StoredCarrierEvent
from tests.memory.base import MemoryRepository
from tests.memory.catalogue import stored_amount
from tests.memory.state import ConstraintViolation, PickListRecord

_HEADER = (
    "status",
    "pick_list_id",
    "carrier",
    "service",
    "tracking_number",
    "weight_grams",
    "ship_date",
    "promised_delivery_date",
    "shipping_cost",
    "last_event_at",
    "late_notified_at",
    "ship_by",
    "replaces_id",
    "updated_at",
)


def _matches(s: Shipment, flt: ShipmentFilter) -> bool:
    kind = s.late_kind(flt.late_on) if flt.late_on is not None else None
    late = flt.late_on is None or (kind is not None and flt.late_kind in (None, kind))
    return (
        late
        and flt.order_id in (None, s.order_id)
        and flt.location in (None, s.location)
        and flt.status in (None, s.status.value)
        and flt.carrier in (None, s.carrier)
        and (flt.before_id is None or s.id < flt.before_id)
    )


class MemoryShipments(MemoryRepository):
    def _check(self, shipment: Shipment) -> None:
        """The tables' constraints: a known order and location, lines of positive quantity,
        one line per order line, a tracking number used once."""
        if shipment.order_id not in self.state.orders:
            raise ConstraintViolation(f"shipment of unknown order {shipment.order_id}")
        if shipment.location_id not in self.state.locations:
            raise ConstraintViolation(f"shipment from unknown location {shipment.location_id}")
        order_lines = [line.order_line_id for line in shipment.lines]
        if len(set(order_lines)) < len(order_lines) or any(
            line.quantity <= 0 for line in shipment.lines
        ):
            raise ConstraintViolation(f"shipment {shipment.id}: lines repeat or are empty")
        if shipment.tracking_number is not None and any(
            s.tracking_number == shipment.tracking_number and s.id != shipment.id
            for s in self.state.shipments.values()
        ):
            raise ConstraintViolation(f"tracking number {shipment.tracking_number} is taken")

    def _store(self, shipment: Shipment) -> None:
        for line in shipment.lines:
            if not line.id:
                line.id = self.state.next_id("shipment_lines")
        stored = copy.deepcopy(shipment)
        stored.location = self.state.locations[shipment.location_id].code
        if stored.shipping_cost is not None:
            cost = stored.shipping_cost
            stored.shipping_cost = Money(stored_amount(cost.amount, cost.currency), cost.currency)
        stored.lines.sort(key=lambda line: line.id)
        self.state.shipments[shipment.id] = stored

    def add(self, shipment: Shipment) -> int:
        shipment.id = new_id = self.state.next_id("shipments")
        self._check(shipment)
        self._store(shipment)
        return new_id

    def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None:
        found = self.state.shipments.get(shipment_id)
        return copy.deepcopy(found) if found else None

    def many(self, shipment_ids: Sequence[int], *, lock: bool = False) -> list[Shipment]:
        found = (self.state.shipments.get(i) for i in sorted(set(shipment_ids)))
        return [copy.deepcopy(s) for s in found if s is not None]

    def of_orders(self, order_ids: Sequence[int]) -> dict[int, list[Shipment]]:
        result: dict[int, list[Shipment]] = {i: [] for i in order_ids}
        for _, s in sorted(self.state.shipments.items()):
            if s.order_id in result:
                result[s.order_id].append(copy.deepcopy(s))
        return result

    def by_tracking_number(self, tracking_number: str) -> Shipment | None:
        return next(
            (
                copy.deepcopy(s)
                for s in self.state.shipments.values()
                if s.tracking_number == tracking_number
            ),
            None,
        )

    def save(self, shipment: Shipment) -> None:
        """Store the header and the lines (those without an id are added, those missing
        are deleted); the version must be the one read."""
        stored = self.state.shipments.get(shipment.id)
        if stored is None or stored.version != shipment.version:
            raise ConcurrentUpdate(f"shipment {shipment.id} was changed by someone else")
        shipment.version += 1
        header = {name: getattr(shipment, name) for name in _HEADER}
        updated = copy.deepcopy(stored)
        for name, value in header.items():
            setattr(updated, name, value)
        updated.version = shipment.version
        updated.lines = list(shipment.lines)
        self._check(updated)
        self._store(updated)  # fills in the ids of new lines, which are the caller's

    def search(self, flt: ShipmentFilter) -> list[Shipment]:
        found = [
            s for _, s in sorted(self.state.shipments.items(), reverse=True) if _matches(s, flt)
        ]
        return copy.deepcopy(found[: flt.limit])

    def late_untold(self, today: date, limit: int) -> list[int]:
        return [
            i
            for i, s in sorted(self.state.shipments.items())
            if s.late_kind(today) is LateKind.TO_DELIVER and s.late_notified_at is None
        ][:limit]

    def wave_candidates(self, location_id: int) -> list[WaveCandidate]:
        candidates = []
        for _, s in sorted(self.state.shipments.items()):
            order = self.state.orders[s.order_id].order
            if (
                s.location_id == location_id
                and s.status is ShipmentStatus.OPEN
                and s.pick_list_id is None
                and order.status in WAREHOUSE_WORKS
            ):
                candidates.append(WaveCandidate(s.id, order.id, order.priority, order.created_at))
        return candidates

    # -- pick lists ------------------------------------------------------------------------

    def add_pick_list(self, pick_list: PickList) -> int:
        if pick_list.location_id not in self.state.locations:
            raise ConstraintViolation(f"pick list at unknown location {pick_list.location_id}")
        pick_list.id = new_id = self.state.next_id("pick_lists")
        self.state.pick_lists[pick_list.id] = PickListRecord(
            pick_list.id,
            pick_list.location_id,
            pick_list.status,
            pick_list.created_by,
            pick_list.created_at,
            sorted(pick_list.lines, key=lambda line: line.seq),
        )
        return new_id

    def _pick_list(self, r: PickListRecord) -> PickList:
        return PickList(
            r.id,
            r.location_id,
            self.state.locations[r.location_id].code,
            r.status,
            r.created_by,
            r.created_at,
            list(r.lines),
            [i for i, s in sorted(self.state.shipments.items()) if s.pick_list_id == r.id],
            r.completed_by,
            r.completed_at,
        )

    def get_pick_list(self, pick_list_id: int, *, lock: bool = False) -> PickList | None:
        found = self.state.pick_lists.get(pick_list_id)
        return self._pick_list(found) if found else None

    def save_pick_list(self, pick_list: PickList) -> None:
        stored = self.state.pick_lists.get(pick_list.id)
        if stored is not None:
            stored.status = pick_list.status
            stored.completed_by = pick_list.completed_by
            stored.completed_at = pick_list.completed_at

    def pick_lists(
        self, location_id: int | None, status: str | None, before_id: int | None, limit: int
    ) -> list[PickList]:
        found = [
            self._pick_list(r)
            for _, r in sorted(self.state.pick_lists.items(), reverse=True)
            if location_id in (None, r.location_id)
            and status in (None, r.status.value)
            and (before_id is None or r.id < before_id)
        ]
        return found[:limit]

    # -- carrier events --------------------------------------------------------------------

    def add_event(
        self, shipment_id: int, event: CarrierEvent, applied: bool, actor: str, now: datetime
    ) -> bool:
        if shipment_id not in self.state.shipments:
            raise ConstraintViolation(f"event of unknown shipment {shipment_id}")
        if any(
            (e.shipment_id, e.event.status, e.event.at) == (shipment_id, event.status, event.at)
            for e in self.state.carrier_events
        ):
            return False
        # The tracking number is the shipment's; the SQL table does not keep it either.
        kept = CarrierEvent("", event.status, event.at, event.location, event.note)
        self.state.carrier_events.append(
            StoredCarrierEvent(
                self.state.next_id("shipment_events"), shipment_id, kept, applied, actor, now
            )
        )
        return True

    def events(self, shipment_ids: Sequence[int]) -> dict[int, list[StoredCarrierEvent]]:
        result: dict[int, list[StoredCarrierEvent]] = {i: [] for i in shipment_ids}
        for e in sorted(self.state.carrier_events, key=lambda e: (e.event.at, e.id)):
            if e.shipment_id in result:
                result[e.shipment_id].append(e)
        return result

"""The demo's warehouse and carrier: waves twice a working day, parcels that travel.

Every location works its open shipments at 09:00 and 14:00 UTC on its working days: the truck
takes what was packed at the last wave, the packing bench packs what it left picked, the
pick list started at the last wave is completed (a few bins turn out short) and most of it
packed, and a new pick list starts. The carrier reports on each parcel every three hours:
in transit the morning after it ships, out for delivery and delivered on the promised day,
except for parcels that run late, hit an exception, are never delivered, or are lost (the
carrier says so two working days after the promised day). Customer service sends a lost
parcel again the next morning, except the newest one, which it is still looking into. Berlin
does a stock-take on its last two working days and picks nothing, so its newest shipments
are late to ship. So the six weeks end with shipments in every state.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from oms.demo.data import LOCATIONS
from oms.demo.plan import Plan, Step
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict
from oms.domain.fulfilment.calendar import MONDAY_TO_FRIDAY
from oms.domain.fulfilment.model import Picked, Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services import lost_parcels, picking, tracking, warehouse
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import ShipmentFilter

WAVES = (time(9, 0), time(14, 0))
CARRIER_EVERY = timedelta(hours=3)
SHORT_PICK_SHARE = 0.04  # of pick lists: one bin holds fewer than the books say
LEFT_PICKED_SHARE = 0.15  # of picked parcels: the packing bench gets to them next wave
DEMO_CARRIER = "oms-post"
KEEPER = Actor("demo-warehouse", Role.WAREHOUSE)
DRIVER = Actor("demo-carrier", Role.CARRIER, DEMO_CARRIER)
AGENT = Actor("demo-service", Role.CUSTOMER_SERVICE)
STOCK_TAKE = ("BER", 2)  # this location picks nothing on its last working days


@dataclass(slots=True)
class Warehouse:
    """Runs the waves and the carrier's rounds through the use cases, like the staff would."""

    uow: UnitOfWork
    rng: random.Random
    open_lists: dict[str, int] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)
    last_round: datetime | None = None

    def wave(self, location: str) -> None:
        for s in self._shipments(location, ShipmentStatus.PACKED):
            self._ship(s)
        for s in self._shipments(location, ShipmentStatus.PICKED):
            self._pack(s)
        pick_list_id = self.open_lists.pop(location, None)
        if pick_list_id is not None:
            self._complete(pick_list_id)
        try:
            pick_list = picking.create_pick_list(self.uow, KEEPER, location, max_orders=25)
        except Conflict:
            return  # nothing to pick
        self.open_lists[location] = pick_list.id
        self.done["pick_list"] += 1

    def _shipments(self, location: str | None, status: ShipmentStatus) -> list[Shipment]:
        found: list[Shipment] = []
        while True:
            flt = ShipmentFilter(
                location=location,
                status=status.value,
                before_id=found[-1].id if found else None,
                limit=200,
            )
            page = tracking.list_shipments(self.uow, SYSTEM, flt)
            found.extend(page)
            if len(page) < 200:
                return found

    def _complete(self, pick_list_id: int) -> None:
        pick_list = picking.get_pick_list(self.uow, SYSTEM, pick_list_id)
        shipments = [warehouse.get_shipment(self.uow, SYSTEM, i) for i in pick_list.shipment_ids]
        live = [s for s in shipments if s.status is ShipmentStatus.PICKING]
        picked = [Picked(s.id, ln.sku, ln.quantity) for s in live for ln in s.lines]
        if picked and self.rng.random() < SHORT_PICK_SHARE:
            i = self.rng.randrange(len(picked))
            picked[i] = Picked(picked[i].shipment_id, picked[i].sku, picked[i].quantity - 1)
            self.done["short_pick"] += 1
        picking.complete_pick_list(self.uow, KEEPER, pick_list_id, picked)
        for s in live:
            current = warehouse.get_shipment(self.uow, SYSTEM, s.id)
            if current.status is ShipmentStatus.PICKED and self.rng.random() >= LEFT_PICKED_SHARE:
                self._pack(current)  # (a short pick may have emptied and cancelled it)

    def _pack(self, s: Shipment) -> None:
        scanned = [(ln.sku, ln.quantity) for ln in s.lines]
        try:
            warehouse.pack_shipment(self.uow, KEEPER, s.id, scanned)
        except Conflict:
            return  # its order went on hold meanwhile
        self.done["packed"] += 1

    def _ship(self, s: Shipment) -> None:
        try:
            warehouse.ship_shipment(self.uow, KEEPER, s.id)
        except Conflict:
            return  # its order went on hold meanwhile
        self.done["shipped"] += 1

    def carrier_round(self, now: datetime) -> None:
        """Report every event whose moment has come since the last round."""
        since = self.last_round or now - CARRIER_EVERY
        self.last_round = now
        for status in (
            ShipmentStatus.SHIPPED,
            ShipmentStatus.IN_TRANSIT,
            ShipmentStatus.OUT_FOR_DELIVERY,
            ShipmentStatus.EXCEPTION,
        ):
            for s in self._shipments(None, status):
                if s.carrier != DEMO_CARRIER:
                    continue  # local delivery: the van's driver reports on it, in runs
                for at, reported, place, note in journey(s):
                    if since < at <= now:
                        payload: dict[str, Any] = {
                            "tracking_number": s.tracking_number,
                            "status": reported,
                            "at": at,
                            "location": place,
                            "note": note,
                        }
                        tracking.record_carrier_event(self.uow, DRIVER, DEMO_CARRIER, payload)
                        self.done[f"event:{reported}"] += 1

    def service_round(self, now: datetime) -> None:
        """Customer service sends again each parcel lost a day ago or more, but the newest
        lost one: it is still asking the carrier about that one."""
        lost = sorted(
            self._shipments(None, ShipmentStatus.LOST), key=lambda s: (s.updated_at, s.id)
        )
        for s in lost[:-1]:
            if s.updated_at <= now - timedelta(days=1):
                lost_parcels.reship(self.uow, AGENT, s.id)
                self.done["reship"] += 1


Report = tuple[datetime, str, str, str | None]  # when, status, where, note


def journey(s: Shipment) -> list[Report]:
    """The carrier events one parcel will get, decided by its tracking number (repeatable)."""
    assert s.tracking_number and s.ship_date and s.promised_delivery_date
    rng = random.Random(s.tracking_number)
    fate = rng.random()
    hub = "Paris hub" if s.tracking_number.endswith("FR") else "Leipzig hub"
    first = _at(_add_working_days(s.ship_date, 1), 6)
    events: list[Report] = [(first, "in_transit", hub, None)]
    due = s.promised_delivery_date
    if fate < 0.02:  # an exception nobody has solved yet
        events.append((_at(due, 10), "exception", "delivery depot", "address not found"))
        return events
    if fate < 0.06:  # stuck: an exception, then delivered two working days later
        events.append((_at(due, 10), "exception", "delivery depot", "recipient absent"))
        due = _add_working_days(due, 2)
    elif fate < 0.15:  # late: delivered after the promised day
        due = _add_working_days(due, 1 + rng.randrange(3))
    elif fate < 0.18:  # out for delivery and then nothing: late, and stays so
        events.append((_at(due, 8), "out_for_delivery", "delivery depot", None))
        return events
    elif fate < 0.21:  # lost: the carrier gives up on it two working days after the day
        lost = _at(_add_working_days(due, 2), 11)
        events.append((lost, "lost", "sorting centre", "parcel lost in sorting"))
        return events
    events.append((_at(due, 8), "out_for_delivery", "delivery depot", None))
    events.append((_at(due, 8 + rng.randrange(2, 9)), "delivered", "front door", None))
    return events


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _add_working_days(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _stock_take_days(end: date) -> set[tuple[str, date]]:
    """The last working days before `end` of the location doing a stock-take."""
    code, days = STOCK_TAKE
    [location] = [loc for loc in LOCATIONS if loc.code == code]
    working = location.settings.working_days or MONDAY_TO_FRIDAY
    found: set[tuple[str, date]] = set()
    day = end - timedelta(days=1)
    while len(found) < days:
        if day.weekday() in working:
            found.add((code, day))
        day -= timedelta(days=1)
    return found


def fulfilment_steps(plan: Plan, site: Warehouse) -> list[Step]:
    """Waves on weekdays and carrier rounds every three hours, over the whole six weeks."""
    steps: list[Step] = []
    day = plan.start.date() + timedelta(days=1)
    stock_take = _stock_take_days(plan.end.date())
    while day < plan.end.date():
        for wave in WAVES:
            at = datetime.combine(day, wave, tzinfo=UTC)
            for location in LOCATIONS:
                if (location.code, day) in stock_take:
                    continue
                if day.weekday() in (location.settings.working_days or MONDAY_TO_FRIDAY):
                    steps.append(Step(at, partial(site.wave, location.code)))
        steps.append(
            Step(
                datetime.combine(day, time(10, 0), tzinfo=UTC),
                partial(site.service_round, datetime.combine(day, time(10, 0), tzinfo=UTC)),
            )
        )
        day += timedelta(days=1)
    at = plan.start + timedelta(days=1)
    while at < plan.end:
        steps.append(Step(at, partial(site.carrier_round, at)))
        at += CARRIER_EVERY
    return steps

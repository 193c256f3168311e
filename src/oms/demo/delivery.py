"""The demo's local delivery: after the six weeks, the Paris warehouse starts delivering
Paris itself with its own van. Over the last three days it makes two runs: one parcel
delivered with a signature, two not (nobody home, refused); the next day one of them is
delivered and the other fails its last attempt and comes back to the shelf. Today a run
waits for the driver. Everything goes through the use cases, as the staff would."""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from oms.demo.money import priced
from oms.demo.plan import Step
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.fulfilment.delivery_runs import Delivered, Failed, FailureReason, Proof, Report
from oms.domain.fulfilment.local_delivery import LocalDeliverySettings
from oms.domain.fulfilment.model import Picked, Shipment
from oms.domain.orders.model import Address, Customer, DraftLine, OrderDraft
from oms.services import (
    catalogue,
    delivery_runs,
    delivery_stops,
    inventory,
    local_delivery,
    orders,
    picking,
    warehouse,
)
from oms.services.ports import UnitOfWork

LOCAL_AT = "PAR"
# Paris and its nearest suburbs (Hauts-de-Seine, Seine-Saint-Denis, Val-de-Marne).
PARIS = LocalDeliverySettings(
    ("75", "92", "93", "94"),
    Decimal("5.90"),
    Decimal("0.60"),
    "EUR",
    transit_days=0,
    cut_off=time(11, 0),
    max_attempts=2,
)
DISPATCHER = Actor("demo-warehouse", Role.WAREHOUSE, location_code=LOCAL_AT)
DRIVER = Actor("driver", Role.DRIVER, location_code=LOCAL_AT)  # the demo user `driver`
CUSTOMERS = (
    (Customer("camille.roux@example.com", "Camille Roux", "+33 6 11 22 33 44"),
     Address("Camille Roux", "24 rue Oberkampf", "Paris", "75011", "FR", "Code 4821B, 3rd floor")),
    (Customer("hugo.lefevre@example.com", "Hugo Lefèvre", "+33 6 55 66 77 88"),
     Address("Hugo Lefèvre", "8 rue Lepic", "Paris", "75018", "FR")),
    (Customer("ines.moreau@example.com", "Inès Moreau", "+33 7 12 34 56 78"),
     Address("Inès Moreau", "131 boulevard Voltaire", "Paris", "75011", "FR")),
    (Customer("leo.garnier@example.com", "Léo Garnier", "+33 6 98 76 54 32"),
     Address("Léo Garnier", "3 rue des Abbesses", "Paris", "75018", "FR", "Ring twice")),
)  # fmt: skip


@dataclass(slots=True)
class Van:
    """The Paris van's story, one step at a time (the steps share the parcels)."""

    uow: UnitOfWork
    done: Counter[str] = field(default_factory=Counter)
    parcels: list[int] = field(default_factory=list)
    run_id: int = 0

    def open(self) -> None:
        local_delivery.set_local_delivery(self.uow, SYSTEM, LOCAL_AT, PARIS)
        sku = _stocked_sku(self.uow)
        self.parcels = [_packed(self.uow, c, a, sku).id for c, a in CUSTOMERS[:3]]
        self.done["van_order"] += 3

    def dispatch(self, shipment_ids: list[int]) -> None:
        run = delivery_runs.create_run(self.uow, DISPATCHER, LOCAL_AT, shipment_ids)
        delivery_stops.start_run(self.uow, DRIVER, run.id)
        self.run_id = run.id
        self.done["run"] += 1

    def stop(self, i: int, report: Report) -> None:
        result = delivery_stops.record_stop(self.uow, DRIVER, self.run_id, self.parcels[i], report)
        self.done[f"stop:{result.stop.outcome}"] += 1
        self.done["returned"] += result.returned

    def finish(self) -> None:
        delivery_stops.finish_run(self.uow, DRIVER, self.run_id)

    def today(self) -> None:
        customer, address = CUSTOMERS[3]
        waiting = _packed(self.uow, customer, address, _stocked_sku(self.uow))
        self.done["van_order"] += 1
        delivery_runs.create_run(self.uow, DISPATCHER, LOCAL_AT, [waiting.id])
        self.done["run"] += 1


def delivery_steps(van: Van, end: datetime) -> list[Step]:
    """Local delivery starts three days before `end` (the last midnight): two runs, then
    a run for today that waits for the driver. Early in the day, before the waves."""
    day1 = end - timedelta(days=3)
    day2 = day1 + timedelta(days=1)
    h = timedelta(hours=1)
    not_for_them = Failed(FailureReason.REFUSED, "Says the parcel is not for them")
    plan: list[tuple[datetime, Callable[[], object]]] = [
        (day1 + 6 * h, van.open),
        (day1 + 7 * h, lambda: van.dispatch(van.parcels[:3])),
        (day1 + 10 * h, lambda: van.stop(0, Delivered("Camille Roux", _signature()))),
        (day1 + 10.5 * h, lambda: van.stop(1, Failed(FailureReason.NOT_HOME))),
        (day1 + 11 * h, lambda: van.stop(2, not_for_them)),
        (day1 + 13 * h, van.finish),
        (day2 + 7 * h, lambda: van.dispatch(van.parcels[1:3])),
        (day2 + 9.5 * h, lambda: van.stop(1, Delivered("Hugo Lefèvre", _signature()))),
        (day2 + 10 * h, lambda: van.stop(2, Failed(FailureReason.REFUSED, "Refused again"))),
        (day2 + 12 * h, van.finish),
        (end - 2 * h, van.today),
    ]
    return [Step(at, action) for at, action in plan]


def _stocked_sku(uow: UnitOfWork) -> str:
    """A product PAR has plenty of (the demo's stock, whatever the seed left)."""
    rows = inventory.list_stock(uow, SYSTEM, location=LOCAL_AT, limit=200)
    return max(rows, key=lambda r: (r.available, r.sku)).sku


def _packed(uow: UnitOfWork, customer: Customer, address: Address, sku: str) -> Shipment:
    product = catalogue.get_product(uow, SYSTEM, sku)
    draft = OrderDraft("web", customer, address, [DraftLine(sku, 1)], priority=50)
    # Priced as the web shop sends its orders (tax included), with no voucher.
    draft = priced(draft, {sku: product.price}, random.Random(0))
    placed = orders.place_order(uow, SYSTEM, draft).order
    orders.confirm_order(uow, SYSTEM, placed.id)
    shipments = [
        s for s in orders.order_detail(uow, SYSTEM, placed.id).shipments if s.location == LOCAL_AT
    ]
    pick = picking.create_pick_list(
        uow, DISPATCHER, LOCAL_AT, shipment_ids=[s.id for s in shipments]
    )
    picking.complete_pick_list(
        uow,
        DISPATCHER,
        pick.id,
        [Picked(s.id, ln.sku, ln.quantity) for s in shipments for ln in s.lines],
    )
    [s] = shipments
    return warehouse.pack_shipment(uow, DISPATCHER, s.id, [(sku, 1)])


def _signature() -> Proof:
    """A small PNG of a scribbled signature (black on white), made without any library."""
    width, height = 240, 80
    ink = set()
    for x in range(20, 220):
        y = int(40 + 18 * ((x % 40) / 20 - 1) * (1 if (x // 40) % 2 else -1))
        for dy in (-1, 0, 1):
            ink.add((x, y + dy))
    rows = b"".join(
        b"\x00" + bytes(0 if (x, y) in ink else 255 for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    return Proof(png, "image/png")

"""A shop that delivers locally, for service tests of delivery runs: PAR in Paris with its
own drivers to postal codes 75 and 92 (two attempts), a driver `van`, a parcel helper."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.fulfilment.local_delivery import LocalDeliverySettings
from oms.domain.fulfilment.model import Picked, Shipment
from oms.domain.orders.draft import Customer
from oms.domain.orders.model import Address
from oms.domain.users import NewUser
from oms.services import catalogue, local_delivery, orders, picking, warehouse
from oms.services.ports import UnitOfWork
from oms.services.users import create_user
from tests.builders import draft, new_location, stocked

VAN = Actor("van", Role.DRIVER, location_code="PAR")
CLERK = Actor("clerk", Role.WAREHOUSE, location_code="PAR")
LOCAL = LocalDeliverySettings(
    ("75", "92 1"),  # kept as 921: prefixes compare without spaces
    Decimal("4.90"),
    Decimal("0.50"),
    "EUR",
    0,
    time(11, 0),
    max_attempts=2,
)
NEAR = Address("Ann Smith", "12 rue Oberkampf", "Paris", "75011", "FR")
NEARER = Address("Bob Martin", "3 rue de Bretagne", "Paris", "75003", "FR")
FAR = Address("Cy Durand", "1 place Bellecour", "Lyon", "69002", "FR")


def local_shop(uow: UnitOfWork) -> UnitOfWork:
    catalogue.create_location(uow, SYSTEM, new_location("PAR", postal_code="75019"))
    catalogue.create_location(uow, SYSTEM, new_location("LYO", postal_code="69001"))
    local_delivery.set_local_delivery(uow, SYSTEM, "PAR", LOCAL)
    stocked(uow, "TEE", 20, weight_grams=400)
    create_user(uow, SYSTEM, NewUser("van", Role.DRIVER, location="PAR"))
    create_user(uow, SYSTEM, NewUser("lyon-van", Role.DRIVER, location="LYO"))
    return uow


def packed(uow: UnitOfWork, address: Address = NEAR, quantity: int = 1) -> Shipment:
    """An order of TEE to `address`, placed, confirmed, picked and packed at PAR."""
    customer = Customer("ann@example.com", address.name, phone="+33612345678")
    placed = orders.place_order(
        uow, SYSTEM, draft(("TEE", quantity), address=address, customer=customer)
    )
    orders.confirm_order(uow, SYSTEM, placed.order.id)
    pick = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "TEE", quantity)])
    return warehouse.pack_shipment(uow, SYSTEM, sid, [("TEE", quantity)])

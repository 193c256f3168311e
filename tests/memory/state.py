"""What the in-memory store holds: one plain object per table, deep-copied as a whole to
make a transaction's snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from oms.domain.catalogue.model import Location, Product
from oms.domain.channels.model import Channel
from oms.domain.fulfilment.delivery_runs import DeliveryRun, Proof
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.domain.fulfilment.model import PickLine, PickListStatus, Shipment
from oms.domain.inventory.holds import Hold
from oms.domain.inventory.model import StoredLedgerEntry
from oms.domain.orders.events import StoredEvent
from oms.domain.orders.model import Order
from oms.domain.orders.problems import Problem
from oms.domain.payments.model import Payment, Refund
from oms.domain.returns.model import Return
from oms.domain.returns.policy import ReturnPolicy
from oms.domain.users import User
from oms.services.ports.access import NewSession
from oms.services.ports.notifications import OutboxEvent
from oms.services.ports.shipments import StoredCarrierEvent
from oms.services.ports.stock import Reservation


class ConstraintViolation(Exception):
    """What a database constraint (unique, check, foreign key) would refuse: in SQL an
    IntegrityError, here this; either way a bug in the caller, and the transaction fails."""


@dataclass(slots=True)
class StockRecord:
    id: int
    location_id: int
    product_id: int
    on_hand: int
    reserved: int
    updated_at: datetime
    bin: str | None = None


@dataclass(slots=True)
class OrderRecord:
    order: Order  # as stored: no pending events
    idempotency_key: str | None
    request_hash: str


@dataclass(slots=True)
class PickListRecord:
    id: int
    location_id: int
    status: PickListStatus
    created_by: str
    created_at: datetime
    lines: list[PickLine]
    completed_by: str | None = None
    completed_at: datetime | None = None


@dataclass(slots=True)
class UserRecord:
    user: User
    password_hash: str | None


@dataclass(slots=True)
class TokenRecord:
    id: int
    token_hash: str
    user_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(slots=True)
class State:
    """Every table; `ids` holds the last id handed out per table (as a sequence would)."""

    ids: dict[str, int] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    stock: dict[int, StockRecord] = field(default_factory=dict)
    reservations: dict[int, Reservation] = field(default_factory=dict)
    ledger: list[StoredLedgerEntry] = field(default_factory=list)
    orders: dict[int, OrderRecord] = field(default_factory=dict)
    order_events: list[StoredEvent] = field(default_factory=list)
    shipments: dict[int, Shipment] = field(default_factory=dict)
    pick_lists: dict[int, PickListRecord] = field(default_factory=dict)
    carrier_events: list[StoredCarrierEvent] = field(default_factory=list)
    carrier_serials: dict[str, int] = field(default_factory=dict)
    users: dict[int, UserRecord] = field(default_factory=dict)
    tokens: dict[int, TokenRecord] = field(default_factory=dict)
    sessions: dict[str, NewSession] = field(default_factory=dict)
    failures: list[tuple[str, str, datetime]] = field(default_factory=list)
    server_keys: dict[str, str] = field(default_factory=dict)
    returns: dict[int, Return] = field(default_factory=dict)
    return_policies: dict[str, ReturnPolicy] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    outbox: list[OutboxEvent] = field(default_factory=list)
    problems: dict[int, Problem] = field(default_factory=dict)
    local_delivery: dict[int, LocalDelivery] = field(default_factory=dict)
    runs: dict[int, DeliveryRun] = field(default_factory=dict)
    proofs: dict[int, Proof] = field(default_factory=dict)  # per delivered shipment id
    holds: dict[int, Hold] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

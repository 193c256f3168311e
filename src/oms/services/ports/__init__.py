"""The interfaces services need from the outside world, one module per area; adapters
implement them, and `bootstrap.py` chooses which. Here: the unit of work that holds them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar

from oms.services.ports.access import PasswordHasher, UserRepository
from oms.services.ports.carriers import CarrierRepository
from oms.services.ports.catalogue import LocationRepository, ProductRepository
from oms.services.ports.channels import ChannelRepository
from oms.services.ports.delivery import DeliveryRepository
from oms.services.ports.documents import DocumentRenderer
from oms.services.ports.holds import HoldRepository
from oms.services.ports.notifications import OutboxRepository
from oms.services.ports.orders import OrderRepository
from oms.services.ports.payments import PaymentProviders, PaymentRepository
from oms.services.ports.problems import ProblemRepository
from oms.services.ports.returns import ReturnRepository
from oms.services.ports.shipments import ShipmentRepository
from oms.services.ports.stock import StockRepository

T = TypeVar("T")


class UnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it."""

    products: ProductRepository
    locations: LocationRepository
    stock: StockRepository
    orders: OrderRepository
    users: UserRepository
    shipments: ShipmentRepository
    returns: ReturnRepository
    carriers: CarrierRepository
    payments: PaymentRepository
    outbox: OutboxRepository
    problems: ProblemRepository
    delivery: DeliveryRepository
    providers: PaymentProviders
    documents: DocumentRenderer
    passwords: PasswordHasher
    holds: HoldRepository
    channels: ChannelRepository

    def now(self) -> datetime: ...

    def run(self, work: Callable[[], T], *, write: bool = True, grouped: bool = False) -> T:
        """Run work in one transaction and commit; retry it whole on a transient conflict.

        `grouped`: the work may share its transaction with other grouped works running at
        the same time (SQLite's group commit, each in a savepoint of its own; PostgreSQL's
        batches of placements, whose rows are written together at the end): it still
        succeeds or fails alone, and returns only once its rows are committed."""
        ...

    def deferred_inserts(self, *, one_order: bool = False) -> AbstractContextManager[bool]:
        """Inside run: the new rows of the orders placed in the block may be written at its
        end, one statement per table (the CSV import's batches); reads see them as usual.
        `one_order` (placing one order in a transaction of its own): the conditional stock
        updates run last too, and the block yields True (else False)."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Inside run: what happens in the block is undone alone if it raises (the CSV
        import places many orders per transaction, each one all or nothing)."""
        ...

"""The in-memory unit of work: `run` snapshots the store, restores it on any error, and
retries the work whole on ConcurrentUpdate, as the SQL one does."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from oms.adapters.documents.pdf import PdfDocuments
from oms.adapters.payments.manual import ProviderBook
from oms.domain.errors import ConcurrentUpdate
from oms.services.ports.access import PasswordHasher, UserRepository
from oms.services.ports.carriers import CarrierRepository
from oms.services.ports.catalogue import LocationRepository, ProductRepository
from oms.services.ports.channels import ChannelRepository
from oms.services.ports.delivery import DeliveryRepository
from oms.services.ports.documents import DocumentRenderer
from oms.services.ports.orders import OrderRepository
from oms.services.ports.payments import PaymentProviders, PaymentRepository
from oms.services.ports.problems import ProblemRepository
from oms.services.ports.returns import ReturnRepository
from oms.services.ports.shipments import ShipmentRepository
from oms.services.ports.stock import StockRepository
from tests.fakes import FakePasswords
from tests.memory.carriers import CarrierSetup, MemoryCarriers, builtin_carriers
from tests.memory.catalogue import MemoryLocations, MemoryProducts
from tests.memory.channels import MemoryChannels
from tests.memory.delivery import MemoryDelivery
from tests.memory.holds import MemoryHolds
from tests.memory.orders import MemoryOrders
from tests.memory.outbox import MemoryOutbox
from tests.memory.payments import MemoryPayments
from tests.memory.problems import MemoryProblems
from tests.memory.returns import MemoryReturns
from tests.memory.shipments import MemoryShipments
from tests.memory.state import State
from tests.memory.stock import MemoryStock
from tests.memory.users import MemoryUsers

T = TypeVar("T")
MAX_ATTEMPTS = 8  # as the SQL unit of work
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class MemoryDatabase:
    """The store that units of work share, as connections share one database. Carriers are
    reference data, as the migration seeds them; their serials are in the state."""

    def __init__(self, carriers: list[CarrierSetup] | None = None) -> None:
        self.state = State()
        self.providers = ProviderBook()
        self.carriers = {c.profile.code: c for c in (carriers or builtin_carriers())}
        for setup in self.carriers.values():
            self.state.carrier_serials[setup.profile.code] = setup.serial_first


class MemoryUnitOfWork:
    """Repositories over one MemoryDatabase; `run` is the only way a transaction starts."""

    def __init__(
        self,
        database: MemoryDatabase | None = None,
        clock: Clock = utc_now,
        passwords: PasswordHasher | None = None,
        documents: DocumentRenderer | None = None,
    ) -> None:
        self.database = database or MemoryDatabase()
        self.clock = clock
        self.passwords: PasswordHasher = passwords or FakePasswords()
        self.documents: DocumentRenderer = documents or PdfDocuments()
        self._open = False
        self.attempts = 0  # transactions started, retries included (for tests)
        self.products: ProductRepository = MemoryProducts(self)
        self.locations: LocationRepository = MemoryLocations(self)
        self.stock: StockRepository = MemoryStock(self)
        self.orders: OrderRepository = MemoryOrders(self)
        self.users: UserRepository = MemoryUsers(self)
        self.shipments: ShipmentRepository = MemoryShipments(self)
        self.returns: ReturnRepository = MemoryReturns(self)
        self.carriers: CarrierRepository = MemoryCarriers(self)
        self.payments: PaymentRepository = MemoryPayments(self)
        self.outbox = MemoryOutbox(self)
        self.problems: ProblemRepository = MemoryProblems(self)
        self.delivery: DeliveryRepository = MemoryDelivery(self)
        self.providers: PaymentProviders = self.database.providers
        self.holds = MemoryHolds(self)
        self.channels: ChannelRepository = MemoryChannels(self)

    @property
    def state(self) -> State:
        if not self._open:
            raise RuntimeError("repository used outside UnitOfWork.run")
        return self.database.state

    def now(self) -> datetime:
        return self.clock()

    def run(self, work: Callable[[], T], *, write: bool = True, grouped: bool = False) -> T:
        if self._open:  # nested: join the transaction already open
            return work()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return self._once(work)
            except ConcurrentUpdate:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def deferred_inserts(self, *, one_order: bool = False) -> Iterator[bool]:
        """Rows are written at once in memory (and the stock rows are never locked)."""
        yield False

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """The block undone alone if it raises, as a SQL savepoint."""
        if not self._open:
            raise RuntimeError("savepoint outside UnitOfWork.run")
        snapshot = copy.deepcopy(self.database.state)
        try:
            yield
        except BaseException:
            self.database.state = snapshot
            raise

    def _once(self, work: Callable[[], T]) -> T:
        # Reads are snapshotted too: nothing stops a read transaction from writing, and
        # whatever it wrote must go if it fails.
        snapshot = copy.deepcopy(self.database.state)
        self.attempts += 1
        self._open = True
        try:
            return work()
        except BaseException:
            self.database.state = snapshot
            raise
        finally:
            self._open = False

"""The SQL unit of work: one connection, one transaction, retried whole on transient conflicts."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from oms.adapters.db import stock_events
from oms.adapters.db.base import unique_violation
from oms.adapters.db.carriers import CarrierBook, SqlCarriers
from oms.adapters.db.catalogue import SqlLocations, SqlProducts
from oms.adapters.db.channels import SqlChannels
from oms.adapters.db.deferred import Collected, DeferredInserts, RunAlone
from oms.adapters.db.delivery import SqlDelivery
from oms.adapters.db.engine import WRITE, checkpoint_if_due, write_gate
from oms.adapters.db.group_commit import group_commit
from oms.adapters.db.holds import SqlHolds
from oms.adapters.db.orders import SqlOrders
from oms.adapters.db.outbox import SqlOutbox
from oms.adapters.db.payments import SqlPayments
from oms.adapters.db.pg_batches import pg_batches
from oms.adapters.db.problems import SqlProblems
from oms.adapters.db.returns import SqlReturns
from oms.adapters.db.shipments import SqlShipments
from oms.adapters.db.stock import SqlStock
from oms.adapters.db.users import SqlUsers
from oms.adapters.payments.manual import ProviderBook
from oms.domain.errors import ConcurrentUpdate
from oms.services.ports.access import PasswordHasher, UserRepository
from oms.services.ports.carriers import CarrierRepository
from oms.services.ports.catalogue import LocationRepository, ProductRepository
from oms.services.ports.channels import ChannelRepository
from oms.services.ports.delivery import DeliveryRepository
from oms.services.ports.documents import DocumentRenderer
from oms.services.ports.holds import HoldRepository
from oms.services.ports.notifications import OutboxRepository
from oms.services.ports.orders import OrderAlreadyPlaced, OrderRepository
from oms.services.ports.payments import PaymentProviders, PaymentRepository
from oms.services.ports.problems import ProblemRepository
from oms.services.ports.returns import ReturnRepository
from oms.services.ports.shipments import ShipmentRepository
from oms.services.ports.stock import StockRepository

T = TypeVar("T")
MAX_ATTEMPTS = 8
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Deadlocks and serialisation failures (PostgreSQL), a busy database (SQLite)."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in {"40001", "40P01", "55P03"}:
        return True
    return "database is locked" in str(error.orig)


class _Committed:
    """The connection after a placement committed with its rows (deferred_inserts): the
    transaction is over, so a statement after it would run outside it; refused."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError("the transaction committed at the end of deferred_inserts")


_COMMITTED = _Committed()


class _Batched:
    """The connection after a placement handed its rows to its batch (pg_batches.py):
    a statement now would run before they are written; refused."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError("the placement's rows wait for its batch: no statement after them")


_BATCHED = _Batched()


class SqlUnitOfWork:
    """Repositories over one connection; `run` is the only way a transaction starts."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        passwords: PasswordHasher,
        documents: DocumentRenderer,
        carrier_book: CarrierBook | None = None,
        providers: PaymentProviders | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.passwords = passwords
        self._conn: sa.Connection | None = None
        self._nested = 0  # runs joined to the open transaction (deferred_inserts)
        self._sink: list[Collected] | None = None  # in a batch of placements (PostgreSQL)
        self.products: ProductRepository = SqlProducts(self)
        self.locations: LocationRepository = SqlLocations(self)
        self.stock: StockRepository = SqlStock(self)
        self.orders: OrderRepository = SqlOrders(self)
        self.users: UserRepository = SqlUsers(self)
        self.shipments: ShipmentRepository = SqlShipments(self)
        self.returns: ReturnRepository = SqlReturns(self)
        self.documents = documents
        self.carrier_book = carrier_book or CarrierBook()
        self.carriers: CarrierRepository = SqlCarriers(self, self.carrier_book)
        self.payments: PaymentRepository = SqlPayments(self)
        self.outbox: OutboxRepository = SqlOutbox(self)
        self.problems: ProblemRepository = SqlProblems(self)
        self.delivery: DeliveryRepository = SqlDelivery(self)
        self.providers: PaymentProviders = providers or ProviderBook()
        self.holds: HoldRepository = SqlHolds(self)
        # Stock rows whose available this transaction changed (adapters/db/stock_events.py)
        self.stock_touched: set[int] = set()
        self._url = engine.url.render_as_string(hide_password=True)
        self.channels: ChannelRepository = SqlChannels(self)

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("repository used outside UnitOfWork.run")
        return self._conn

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> datetime:
        return self.clock()

    def run(self, work: Callable[[], T], *, write: bool = True, grouped: bool = False) -> T:
        if self._conn is not None:  # nested: join the transaction already open
            self._nested += 1
            try:
                return work()
            finally:
                self._nested -= 1
        group = group_commit(self.engine) if grouped and write else None
        batches = pg_batches(self.engine) if grouped and write else None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                if group is not None:
                    return group.run(lambda conn: self._job(conn, work))
                if batches is not None and attempt == 1:
                    return batches.run(lambda conn, sink: self._batched(conn, sink, work))
                return self._once(work, write)
            except RunAlone:
                continue  # in a transaction of its own, at once
            except ConcurrentUpdate:
                if attempt == MAX_ATTEMPTS:
                    raise
            except sa.exc.DBAPIError as error:
                # A read met a connection that died (pooled connections are pinged only
                # after they sat idle: engine.py): it changed nothing, so it runs again.
                dropped = error.connection_invalidated and not write
                if not (is_transient(error) or dropped) or attempt == MAX_ATTEMPTS:
                    raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT inside the open transaction: the block is undone alone if it raises
        (rows held back by deferred_inserts are written on each side of it)."""
        held = self._conn if isinstance(self._conn, DeferredInserts) else None
        if held is not None:
            held.flush()
        with self.conn.begin_nested():
            try:
                yield
            except BaseException:
                if held is not None:
                    held.discard()
                raise
            if held is not None:
                held.flush()

    @contextmanager
    def deferred_inserts(self, *, one_order: bool = False) -> Iterator[bool]:
        """Inside run, on PostgreSQL: the new rows of placing (orders, lines, events, outbox,
        facts, reservations, ledger) are written at the end of the block, one statement per
        table (adapters/db/deferred.py). SQLite draws ids from the largest stored, so there
        every row is written at once when a block places several orders.

        `one_order` (one placement, both databases): the conditional stock updates are
        held too and run after the rows, just before the commit, and a repeated
        Idempotency-Key or (channel, external_id) found then is OrderAlreadyPlaced; on
        PostgreSQL the block must end the transaction's work: it commits with them. Only
        in a transaction of its own (not joined to a caller's, as an import's batch): the
        block yields whether the updates run last."""
        plain = self._conn
        sink = self._sink if one_order and self.dialect == "postgresql" else None
        if (
            plain is None
            or (self.dialect != "postgresql" and not one_order)
            or isinstance(plain, DeferredInserts)
            or (one_order and self._nested)
        ):
            yield False
            return
        held = DeferredInserts(plain, updates_last=one_order, batched=sink is not None)
        self._conn = cast(sa.Connection, held)
        after = plain
        try:
            yield one_order
            if sink is not None:  # its batch writes the rows (pg_batches.py)
                sink.append(held.collected())
                after = cast(sa.Connection, _BATCHED)
                return
            # One placement on PostgreSQL ends its transaction here: the COMMIT goes in
            # the same round trip as the rows and the updates, unless a `stock.changed`
            # event is still to be written (stock_events.tell, just before the commit).
            commit = (
                one_order
                and self.dialect == "postgresql"
                and not (self.stock_touched and stock_events.anyone_listens(plain, self._url))
            )
            try:
                held.flush(commit=commit)
            except sa.exc.IntegrityError as error:
                if one_order and unique_violation(error, "idempotency_key", "external_id"):
                    raise OrderAlreadyPlaced() from None
                raise
            if commit:
                self.stock_touched = set()  # told already: nobody listens
                after = cast(sa.Connection, _COMMITTED)
        finally:
            self._conn = after

    @property
    def updates_last(self) -> DeferredInserts | None:
        """The open block of one placement, if any (SqlStock.reserve hands it its updates)."""
        held = self._conn
        return held if isinstance(held, DeferredInserts) and held.updates_last else None

    def _job(self, conn: sa.Connection, work: Callable[[], T]) -> T:
        # The work on the transaction open on `conn`: this unit of work's own (_once) or,
        # in a group commit (adapters/db/group_commit.py), the leading thread's, while this
        # thread waits.
        self._conn = conn
        self.stock_touched = set()
        try:
            done = work()
            if self.stock_touched:  # stock.changed, before the commit
                stock_events.tell(conn, self._url, self.stock_touched, self.now())
            return done
        finally:
            self._conn = None

    def _batched(
        self, conn: sa.Connection, sink: list[Collected] | None, work: Callable[[], T]
    ) -> T:
        # The work in a batch of placements (pg_batches.py), on the leading thread's
        # connection while this thread waits: its rows go to `sink`, not to the database;
        # alone in its batch (no sink), it runs as a placement alone does.
        if sink is None:
            return self._job(conn, work)
        self._conn = conn
        self._sink = sink
        self.stock_touched = set()
        try:
            done = work()
            if self.stock_touched:
                if not sink:  # stock moved outside a placement's block: not for a batch
                    raise RunAlone("stock moved outside the placement's rows")
                sink[-1].stock_touched |= self.stock_touched
            return done
        finally:
            self._conn = None
            self._sink = None

    def _once(self, work: Callable[[], T], write: bool) -> T:
        # The connection is taken from the pool before the write gate (SQLite's one writer
        # at a time): the gate covers the transaction only.
        with self.engine.connect() as conn, write_gate(self.engine, write):
            conn = conn.execution_options(**{WRITE: write})
            if not write and self.dialect == "postgresql":
                # Under READ COMMITTED every statement takes a fresh snapshot anyway, so a
                # read transaction adds nothing but its BEGIN and COMMIT round trips.
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            with conn.begin():
                result = self._job(conn, work)
        if write:
            checkpoint_if_due(self.engine)  # SQLite: outside the write gate
        return result

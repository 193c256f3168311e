"""The interfaces services need from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from oms.domain.access import Actor
from oms.domain.catalogue.model import Location, NewLocation, NewProduct, Product
from oms.domain.fulfilment.model import PickList, Shipment, WaveCandidate
from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.model import (
    Backorder,
    Discrepancy,
    HeldReservation,
    LedgerEntry,
    StockOption,
    StockRow,
    StoredLedgerEntry,
)
from oms.domain.orders.events import OrderEvent, StoredEvent
from oms.domain.orders.model import Order, OrderLine
from oms.domain.users import NewUser, TokenInfo, User
from oms.services.documents import DocumentRenderer, LabelDoc

T = TypeVar("T")


class OrderAlreadyPlaced(Exception):
    """The idempotency key or (channel, external_id) is taken: the order exists already."""


@dataclass(frozen=True, slots=True)
class PlacedOrderRef:
    id: int
    request_hash: str
    by_key: bool


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    channel: str | None = None
    customer_email: str | None = None
    q: str | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    order_id: int
    order_line_id: int
    stock_id: int
    quantity: int
    created_at: datetime
    location_id: int = 0

    def held(self) -> HeldReservation:
        return HeldReservation(self.id, self.quantity, self.created_at)


@dataclass(frozen=True, slots=True)
class NewReservation:
    order_id: int
    order_line_id: int
    stock_id: int
    quantity: int


class ProductRepository(Protocol):
    def add(self, product: NewProduct, now: datetime) -> Product: ...
    def get(self, sku: str) -> Product | None: ...
    def by_skus(self, skus: Sequence[str]) -> dict[str, Product]: ...
    def by_ids(self, product_ids: Sequence[int]) -> dict[int, Product]: ...
    def page(self, after_sku: str | None, limit: int) -> list[Product]: ...


class LocationRepository(Protocol):
    def add(self, location: NewLocation, now: datetime) -> Location: ...
    def get(self, code: str) -> Location | None: ...
    def by_id(self, location_id: int) -> Location | None: ...
    def save_settings(self, location: Location) -> None: ...
    def all(self) -> list[Location]: ...


class StockRepository(Protocol):
    def lock_row(self, location_id: int, product_id: int, now: datetime) -> StockRow:
        """The row for (location, product), created empty if missing, locked until commit."""

    def lock_rows(self, stock_ids: Sequence[int]) -> None:
        """Lock these rows in id order (the one lock order every writer keeps)."""

    def lock_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        """Lock and return the rows of shipping locations that hold these products."""

    def reserve(self, requests: Sequence[tuple[int, int]]) -> bool:
        """For each (stock_id, quantity), atomically add to reserved if that much is
        available; False if any one was not (the caller then rolls back)."""

    def release(self, stock_id: int, quantity: int) -> bool: ...
    def change_on_hand(self, stock_id: int, delta: int) -> bool:
        """Atomically add delta to on hand unless that would leave less than reserved."""

    def set_on_hand(self, stock_id: int, on_hand: int) -> bool: ...
    def add_reservations(self, reservations: Sequence[NewReservation], now: datetime) -> None: ...
    def reduce_reservation(self, reservation_id: int, quantity: int) -> None: ...
    def reservations_at(self, stock_id: int) -> list[Reservation]: ...
    def reservations_of(self, order_id: int) -> list[Reservation]: ...
    def append_ledger(self, entries: Sequence[LedgerEntry]) -> None: ...
    def ledger(
        self, stock_id: int, after_id: int | None, limit: int
    ) -> list[StoredLedgerEntry]: ...
    def find(self, location_code: str, sku: str) -> StockRow | None: ...
    def search(
        self, sku: str | None, location: str | None, after_id: int | None, limit: int
    ) -> list[StockRow]: ...
    def consume(self, stock_id: int, quantity: int) -> bool:
        """Units leave with a shipment: on hand and reserved both fall by quantity."""

    def set_bin(self, stock_id: int, bin_code: str | None) -> None: ...
    def bins(self, location_id: int, product_ids: Sequence[int]) -> dict[int, str | None]:
        """Each product's bin at the location (None: the location's default bin)."""

    def row_of(self, location_id: int, product_id: int) -> StockRow | None: ...
    def discrepancies(self) -> list[Discrepancy]: ...
    def repair(self, discrepancy: Discrepancy) -> None: ...


class OrderRepository(Protocol):
    def find_placed(
        self, idempotency_key: str | None, channel: str, external_id: str | None
    ) -> PlacedOrderRef | None: ...
    def add(self, order: Order, idempotency_key: str | None, request_hash: str) -> tuple[int, str]:
        """Insert the header; returns (id, number). Raises OrderAlreadyPlaced on a repeat."""

    def add_lines(self, order_id: int, currency: str, lines: Sequence[OrderLine]) -> list[int]: ...
    def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        """The order with its lines; `lock` holds its row until commit (PostgreSQL)."""

    def id_by_tracking_token(self, token: str) -> int | None: ...
    def save(self, order: Order) -> None:
        """Store status and line quantities; ConcurrentUpdate if the version moved."""

    def touch(self, order_id: int, now: datetime) -> bool:
        """Lock an order that still waits for stock and bump its version; False if it doesn't."""

    def move_allocation(self, line_id: int, quantity: int) -> bool:
        """Backordered -> allocated when quantity > 0, allocated -> backordered when < 0."""

    def search(self, flt: OrderFilter) -> list[Order]: ...
    def backorders(self, product_ids: Sequence[int]) -> list[Backorder]: ...
    def waiting_orders(self) -> list[int]:
        """Ids of the open orders with a line that waits for stock, oldest first."""

    def add_events(
        self, order_id: int, events: Sequence[OrderEvent], actor: str, at: datetime
    ) -> None: ...
    def events(self, order_id: int) -> list[StoredEvent]: ...


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    order_id: int | None = None
    location: str | None = None
    status: str | None = None
    late_on: date | None = None  # only shipments on their way past their promised date
    carrier: str | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """A tracking event as a carrier reports it, checked by the carrier's adapter."""

    tracking_number: str
    status: ShipmentStatus
    at: datetime
    location: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StoredCarrierEvent:
    id: int
    shipment_id: int
    event: CarrierEvent
    applied: bool
    actor: str
    received_at: datetime


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> int:
        """Insert the shipment and its lines (their ids are filled in)."""

    def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None: ...
    def many(self, shipment_ids: Sequence[int], *, lock: bool = False) -> list[Shipment]:
        """The shipments with these ids that exist, in id order (locked in that order)."""

    def of_orders(self, order_ids: Sequence[int]) -> dict[int, list[Shipment]]: ...
    def by_tracking_number(self, tracking_number: str) -> Shipment | None: ...
    def save(self, shipment: Shipment) -> None:
        """Store status, fields and lines; ConcurrentUpdate if the version moved."""

    def search(self, flt: ShipmentFilter) -> list[Shipment]: ...
    def wave_candidates(self, location_id: int) -> list[WaveCandidate]:
        """Open shipments not on a pick list, of orders the warehouse may work on."""

    def add_pick_list(self, pick_list: PickList) -> int: ...
    def get_pick_list(self, pick_list_id: int, *, lock: bool = False) -> PickList | None: ...
    def save_pick_list(self, pick_list: PickList) -> None: ...
    def pick_lists(
        self, location_id: int | None, status: str | None, before_id: int | None, limit: int
    ) -> list[PickList]: ...
    def add_event(
        self, shipment_id: int, event: CarrierEvent, applied: bool, actor: str, now: datetime
    ) -> bool:
        """Record a carrier event; False (and nothing stored) if it was recorded before."""

    def events(self, shipment_ids: Sequence[int]) -> dict[int, list[StoredCarrierEvent]]: ...


class CarrierGateway(Protocol):
    """One carrier, as oms uses it: rates, tracking numbers and labels, tracking events.

    A real carrier's API goes behind this interface; the built-in carrier implements it
    from its rate table and serial range in the database.
    """

    code: str
    name: str
    default_service: str

    def services(self) -> list[str]: ...
    def quote(
        self,
        origin: str,
        destination: str,
        postal_code: str,
        weight_grams: int,
        service: str | None = None,
    ) -> Quote:
        """Cost and transit days; raises NoRate or ShipmentTooHeavy."""

    def create_shipment(self, origin: str, service: str) -> str:
        """Book a parcel leaving from country `origin`: its tracking number."""

    def label(self, doc: LabelDoc) -> bytes: ...
    def parse_event(self, payload: Mapping[str, Any]) -> CarrierEvent:
        """Read a tracking event the carrier sent; raises InvalidInput if it is malformed."""


class CarrierRepository(Protocol):
    def get(self, code: str) -> CarrierGateway | None: ...
    def default(self) -> CarrierGateway: ...
    def codes(self) -> list[str]: ...


class UnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it."""

    products: ProductRepository
    locations: LocationRepository
    stock: StockRepository
    orders: OrderRepository
    users: UserRepository
    shipments: ShipmentRepository
    carriers: CarrierRepository
    documents: DocumentRenderer
    passwords: PasswordHasher

    def now(self) -> datetime: ...

    def run(self, work: Callable[[], T], *, write: bool = True) -> T:
        """Run work in one transaction and commit; retry it whole on a transient conflict."""


# -- access control: users, API tokens, browser sessions, login failures ---------------------


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and the hash of their password (None: the user logs in with tokens only)."""

    user: User
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A live token (not revoked, user not disabled) and who it acts as."""

    token_id: int
    last_used_at: datetime | None
    actor: Actor


@dataclass(frozen=True, slots=True)
class NewSession:
    session_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionMatch:
    """A live browser session (not expired, user not disabled)."""

    actor: Actor
    csrf_token: str
    expires_at: datetime


class UserRepository(Protocol):
    def add(self, user: NewUser, password_hash: str | None, now: datetime) -> User:
        """Insert the user; AlreadyExists if the name is taken."""

    def get(self, name: str) -> User | None: ...
    def credentials(self, name: str) -> Credentials | None: ...
    def all(self) -> list[User]: ...
    def disable(self, user_id: int) -> None: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def add_token(self, user_id: int, token_hash: str, label: str, now: datetime) -> TokenInfo: ...
    def tokens(self, user_id: int | None) -> list[TokenInfo]: ...
    def revoke_token(self, token_id: int, now: datetime) -> TokenInfo | None:
        """Revoke it (once: a second revocation keeps the first time); None if there is none."""

    def revoke_tokens(self, user_id: int, label: str, now: datetime) -> int: ...
    def match_token(self, token_hash: str) -> TokenMatch | None:
        """One indexed query: the live token with this hash, joined to its enabled user."""

    def touch_token(self, token_id: int, now: datetime, older_than: datetime) -> None:
        """Set last_used_at to now unless it is already at or after older_than."""

    def add_session(self, session: NewSession) -> None: ...
    def match_session(self, session_hash: str, now: datetime) -> SessionMatch | None: ...
    def delete_session(self, session_hash: str) -> None: ...
    def delete_sessions(self, user_id: int) -> None: ...
    def purge_sessions(self, now: datetime) -> None:
        """Forget every session that expired before now."""

    def add_failure(self, name: str, address: str, at: datetime) -> None: ...
    def count_failures(self, name: str, address: str, since: datetime) -> tuple[int, int]:
        """Failed logins since then: (for this user name, from this address)."""

    def purge_failures(self, before: datetime) -> None: ...
    def server_key(self, name: str) -> str | None: ...
    def add_server_key(self, name: str, value: str, now: datetime) -> str:
        """Store the key unless one of that name exists; return the stored one."""


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches. With no hash it spends the same time and says False,
        so an answer's timing does not tell whether the user exists."""

    def needs_rehash(self, password_hash: str) -> bool: ...

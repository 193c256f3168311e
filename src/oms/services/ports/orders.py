"""What order use cases need from storage: orders, their lines and their timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.inventory.model import Backorder
from oms.domain.orders.events import StoredEvent
from oms.domain.orders.model import Order, OrderIdentity


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
class DeliveredOrder:
    """A delivered order, its channel, and when it became delivered (its last delivery)."""

    id: int
    channel: str
    delivered_at: datetime


class OrderRepository(Protocol):
    def find_placed(
        self, idempotency_key: str | None, channel: str, external_id: str | None
    ) -> PlacedOrderRef | None: ...
    def placed_refs(self, channel: str, external_ids: Sequence[str]) -> set[str]:
        """Which of these external ids of the channel name an order already placed (one
        look-up for a batch of imported orders)."""

    def next_identity(self, lines: int) -> OrderIdentity:
        """Ids for a new order and its lines, and its number, taken before it is built."""

    def add(self, order: Order, idempotency_key: str | None, request_hash: str, actor: str) -> None:
        """Insert the new order, its lines and its events. OrderAlreadyPlaced on a repeat."""

    def next_line_ids(self, count: int) -> tuple[int, ...]:
        """Ids for lines an edit adds to an order, taken before they are built."""

    def add_lines(self, order: Order, line_ids: Sequence[int]) -> None:
        """Insert these new lines of a stored order (an edit), before stock is reserved for
        them; later changes to them are written by save()."""

    def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        """The order with its lines; `lock` holds its row until commit (PostgreSQL)."""

    def id_by_tracking_token(self, token: str) -> int | None: ...
    def save(self, order: Order, actor: str, now: datetime) -> None:
        """Store status, the header fields an edit changes (address, priority, totals),
        changed lines and the events its verbs recorded (stamped with actor and now, then
        cleared); ConcurrentUpdate if the version moved."""

    def search(self, flt: OrderFilter) -> list[Order]: ...
    def backorders(self, product_ids: Sequence[int]) -> list[Backorder]: ...
    def waiting_orders(self) -> list[int]:
        """Ids of the open orders with a line that waits for stock, oldest first."""

    def events(self, order_id: int) -> list[StoredEvent]: ...
    def delivered(
        self, after_id: int | None, limit: int, by: datetime | None = None
    ) -> list[DeliveredOrder]:
        """Orders in status delivered, by id, with the time of their last `order.delivered`
        (at or before `by` if given: an indexed cut-off); imported history (`oms import
        olist`) is left out."""

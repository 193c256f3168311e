"""The demo's sales desk and stock room: places orders, moves them along, receives and
counts stock, all through the use cases, and remembers what it placed for the report."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from oms.demo import money
from oms.demo.data import WAITED_TOO_LONG
from oms.domain.access import SYSTEM
from oms.domain.errors import TransitionNotAllowed
from oms.domain.orders.model import OrderDraft
from oms.services import inventory
from oms.services import orders as ordering
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork


class Loader:
    """Runs the planned actions through the use cases and remembers what it placed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.ids: dict[int, int] = {}
        self.placed_short: list[int] = []
        self.done: Counter[str] = Counter()

    def place(self, key: int, draft: OrderDraft) -> None:
        order = ordering.place_order(self.uow, SYSTEM, draft).order
        self.ids[key] = order.id
        if any(line.backordered_quantity for line in order.lines):
            self.placed_short.append(order.id)

    def act(self, key: int, verb: str, reason: str) -> None:
        try:
            self._act(key, verb, reason)
        except TransitionNotAllowed:
            # The parcel left before the customer called: too late to hold or cancel.
            self.done[f"too_late_to_{verb}"] += 1

    def _act(self, key: int, verb: str, reason: str) -> None:
        order_id = self.ids[key]
        if verb == "confirm":
            ordering.confirm_order(self.uow, SYSTEM, order_id)
        elif verb == "hold":
            ordering.hold_order(self.uow, SYSTEM, order_id, reason)
        elif verb == "release":
            ordering.release_order(self.uow, SYSTEM, order_id, reason)
        else:
            order = ordering.get_order(self.uow, SYSTEM, order_id)
            if reason == "customer request" and any(x.backordered_quantity for x in order.lines):
                reason = WAITED_TOO_LONG
            ordering.cancel_order(self.uow, SYSTEM, order_id, reason)
        self.done[verb] += 1

    def pay(self, key: int, share: Decimal | None, reference: str) -> None:
        """Money received for the order: all that is due, or `share` of it."""
        paid = money.pay(self.uow, self.ids[key], share, reference)
        self.done["payment" if paid else "payment_after_cancel"] += 1

    def receive(self, change: StockChange) -> None:
        inventory.adjust_stock(self.uow, SYSTEM, change)
        self.done["receipt"] += 1

    def recount(self, location: str, sku: str, missing: int) -> None:
        """A cycle count that finds units missing: below reserved, the newest orders give way."""
        rows = inventory.list_stock(self.uow, SYSTEM, sku=sku, location=location)
        on_hand = rows[0].on_hand if rows else 0
        reason = f"cycle count: {missing} found broken"
        change = StockChange(location, sku, reason, on_hand=max(0, on_hand - missing))
        inventory.count_stock(self.uow, SYSTEM, change)

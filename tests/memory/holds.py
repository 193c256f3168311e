"""Checkout holds in memory: the same answers as adapters/db/holds.py, from the state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from oms.domain.inventory.holds import HeldUnits, Hold, HoldEnd
from oms.services.ports.holds import LiveHold
from tests.memory.base import MemoryRepository
from tests.memory.state import State


def live_held(state: State, stock_id: int, now: datetime) -> int:
    """Units live holds keep on a row (as SQL's live_held)."""
    holds: dict[int, Hold] = state.holds
    return sum(
        u.quantity
        for h in holds.values()
        if now < h.expires_at
        for u in h.units
        if u.stock_id == stock_id
    )


class MemoryHolds(MemoryRepository):
    def add(
        self, channel: str, span: tuple[datetime, datetime], actor: str, units: Sequence[HeldUnits]
    ) -> int:
        hold_id = self.state.next_id("holds")
        self.state.holds[hold_id] = Hold(hold_id, channel, span[0], span[1], actor, tuple(units))
        return hold_id

    def get(self, hold_id: int, *, lock: bool = False) -> Hold | None:
        return self.state.holds.get(hold_id)

    def end(self, hold_id: int, how: HoldEnd, now: datetime, order_id: int | None = None) -> bool:
        hold = self.state.holds.get(hold_id)
        if hold is None:
            return False
        self.state.holds[hold_id] = replace(
            hold, units=(), ended=hold.ended or how, order_id=hold.order_id or order_id
        )
        return hold.ended is None

    def live_at(self, stock_id: int, now: datetime) -> list[LiveHold]:
        return [
            LiveHold(h.id, h.channel, h.created_at, h.expires_at, u.quantity)
            for h in sorted(self.state.holds.values(), key=lambda h: (h.created_at, h.id))
            if now < h.expires_at
            for u in h.units
            if u.stock_id == stock_id
        ]

    def reduce(self, hold_id: int, stock_id: int, quantity: int) -> None:
        hold = self.state.holds[hold_id]
        units = [
            replace(u, quantity=u.quantity - quantity) if u.stock_id == stock_id else u
            for u in hold.units
        ]
        self.state.holds[hold_id] = replace(hold, units=tuple(u for u in units if u.quantity > 0))

    def overdrawn(self, stock_ids: Sequence[int], now: datetime) -> list[int]:
        return [
            i
            for i in stock_ids
            if (row := self.state.stock.get(i)) is not None
            and row.on_hand - row.reserved - live_held(self.state, i, now) < 0
        ]

    def expired(self, now: datetime, limit: int) -> list[tuple[int, list[int]]]:
        found = [
            (h.id, [u.product_id for u in h.units])
            for h in sorted(self.state.holds.values(), key=lambda h: h.id)
            if h.units and h.expires_at <= now
        ]
        return found[:limit]

    def expired_on(self, product_ids: Sequence[int], now: datetime) -> list[int]:
        wanted = set(product_ids)
        return [
            h.id
            for h in sorted(self.state.holds.values(), key=lambda h: h.id)
            if h.expires_at <= now and any(u.product_id in wanted for u in h.units)
        ]

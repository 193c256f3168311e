"""The outbox in memory: told events written with the order's timeline, as the SQL
repository writes them in the same transaction. Delivery itself (claims, leases, webhooks)
is exercised on the SQL stores only (tests/service/test_notifications.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from oms.services.ports.notifications import OutboxEvent
from tests.memory.base import MemoryRepository


class MemoryOutbox(MemoryRepository):
    def add(self, topic: str, order_id: int | None, data: Mapping[str, Any], at: datetime) -> int:
        event_id = self.state.next_id("outbox")
        self.state.outbox.append(OutboxEvent(event_id, topic, order_id, dict(data), at))
        return event_id

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"the memory outbox keeps told events only (no {name})")

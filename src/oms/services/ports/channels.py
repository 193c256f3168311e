"""What the channel use cases need from storage: channel records by name."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from oms.domain.channels.model import Channel


class ChannelRepository(Protocol):
    def get(self, name: str) -> Channel | None:
        """The channel's record, or None when the name has none (it then has the defaults)."""
        ...

    def add(self, channel: Channel, now: datetime) -> None:
        """Store a new record; raises AlreadyExists when the name has one."""
        ...

    def update(self, channel: Channel, now: datetime) -> None:
        """Replace the stored record of `channel.name` (which exists)."""
        ...

    def list(self) -> list[Channel]:
        """Every record, by name."""
        ...

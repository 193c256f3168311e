"""Channel records in memory."""

from __future__ import annotations

from datetime import datetime

from oms.domain.channels.model import Channel
from oms.domain.errors import AlreadyExists
from tests.memory.base import MemoryRepository


class MemoryChannels(MemoryRepository):
    def get(self, name: str) -> Channel | None:
        return self.state.channels.get(name)

    def add(self, channel: Channel, now: datetime) -> None:
        if channel.name in self.state.channels:
            raise AlreadyExists(f"a channel named {channel.name!r} exists")
        self.state.channels[channel.name] = channel

    def update(self, channel: Channel, now: datetime) -> None:
        self.state.channels[channel.name] = channel

    def list(self) -> list[Channel]:
        return [self.state.channels[n] for n in sorted(self.state.channels)]

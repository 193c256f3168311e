"""Channel records in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository, unique_violation
from oms.adapters.db.tables_channels import channels
from oms.domain.channels.model import Channel, ChannelKind
from oms.domain.errors import AlreadyExists


def _channel(m: Any) -> Channel:
    return Channel(
        m["name"],
        ChannelKind(m["kind"]),
        m["currency"],
        bool(m["tax_inclusive"]),
        m["buffer_units"],
        m["buffer_percent"],
        m["hold_minutes"],
        m["secret"],
    )


def _values(c: Channel) -> dict[str, Any]:
    return {
        "kind": c.kind.value,
        "currency": c.currency,
        "tax_inclusive": c.tax_inclusive,
        "buffer_units": c.buffer_units,
        "buffer_percent": c.buffer_percent,
        "hold_minutes": c.hold_minutes,
        "secret": c.secret,
    }


class SqlChannels(Repository):
    def get(self, name: str) -> Channel | None:
        m = self.conn.execute(channels.select().where(channels.c.name == name)).mappings().first()
        return _channel(m) if m is not None else None

    def add(self, channel: Channel, now: datetime) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    channels.insert().values(
                        name=channel.name, created_at=now, updated_at=now, **_values(channel)
                    )
                )
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "name", "channels"):
                raise AlreadyExists(f"a channel named {channel.name!r} exists") from None
            raise

    def update(self, channel: Channel, now: datetime) -> None:
        self.conn.execute(
            channels.update()
            .where(channels.c.name == channel.name)
            .values(updated_at=now, **_values(channel))
        )

    def list(self) -> list[Channel]:
        rows = self.conn.execute(channels.select().order_by(channels.c.name)).mappings()
        return [_channel(m) for m in rows]

"""The outbox, webhooks, deliveries and their attempts in SQL.

Claims lock rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so workers on several machines
share the work without waiting on each other; SQLite has one writer at a time (BEGIN
IMMEDIATE), so a claim there is simply the rows due.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db import stock_events
from oms.adapters.db.base import Repository
from oms.adapters.db.tables import deliveries, delivery_attempts, outbox, webhooks
from oms.domain.notifications.delivery import Channel, DeliveryStatus, Outcome
from oms.services.ports.notifications import (
    Attempt,
    Delivery,
    NewDelivery,
    OutboxEvent,
    Webhook,
)

_INSERT = outbox.insert()
_PENDING = DeliveryStatus.PENDING.value
_JOINED = sa.select(
    deliveries,
    outbox.c.topic,
    outbox.c.order_id,
    outbox.c.data,
    outbox.c.created_at.label("event_created_at"),
).join(outbox, outbox.c.id == deliveries.c.outbox_id)


def outbox_rows(
    events: Sequence[tuple[str, int | None, Mapping[str, Any]]], at: datetime
) -> list[dict[str, Any]]:
    return [
        {"topic": topic, "order_id": order_id, "data": dict(data), "created_at": at}
        for topic, order_id, data in events
    ]


def _event(m: Any) -> OutboxEvent:
    return OutboxEvent(m["id"], m["topic"], m["order_id"], m["data"], m["created_at"])


def _delivery(m: Any) -> Delivery:
    return Delivery(
        id=m["id"],
        event=OutboxEvent(
            m["outbox_id"], m["topic"], m["order_id"], m["data"], m["event_created_at"]
        ),
        channel=Channel(m["channel"]),
        recipient=m["recipient"],
        webhook_id=m["webhook_id"],
        status=DeliveryStatus(m["status"]),
        attempts=m["attempts"],
        next_attempt_at=m["next_attempt_at"],
        last_error=m["last_error"],
        last_status_code=m["last_status_code"],
        created_at=m["created_at"],
        sent_at=m["sent_at"],
    )


def _webhook(m: Any) -> Webhook:
    return Webhook(
        m["id"], m["url"], tuple(m["events"]), m["secret"], m["created_by"], m["created_at"]
    )


class SqlOutbox(Repository):
    def add(self, topic: str, order_id: int | None, data: Mapping[str, Any], at: datetime) -> int:
        row = outbox_rows([(topic, order_id, data)], at)[0]
        return int(self.conn.execute(_INSERT.returning(outbox.c.id), row).scalar_one())

    def claim_new(self, limit: int) -> list[OutboxEvent]:
        query = (
            outbox.select()
            .where(outbox.c.fanned_out == sa.false())
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        return [_event(r._mapping) for r in self.conn.execute(query)]

    def mark_fanned_out(self, event_ids: Sequence[int]) -> None:
        if event_ids:
            self.conn.execute(
                outbox.update().where(outbox.c.id.in_(list(event_ids))).values(fanned_out=True)
            )

    def add_deliveries(self, new: Sequence[NewDelivery], now: datetime) -> None:
        if not new:
            return
        rows = [
            {
                "outbox_id": d.outbox_id,
                "channel": d.channel.value,
                "webhook_id": d.webhook_id,
                "recipient": d.recipient,
                "status": _PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for d in new
        ]
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            self.conn.execute(pg_insert(deliveries).on_conflict_do_nothing(), rows)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self.conn.execute(sqlite_insert(deliveries).on_conflict_do_nothing(), rows)

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]:
        d = deliveries.c
        ids_query = (
            sa.select(d.id)
            .where(
                d.status == _PENDING,
                d.next_attempt_at <= now,
                sa.or_(d.lease_until.is_(None), d.lease_until <= now),
            )
            .order_by(d.next_attempt_at, d.id)
            .limit(limit)
        )
        if self.postgres:
            ids_query = ids_query.with_for_update(skip_locked=True)
        ids = [r[0] for r in self.conn.execute(ids_query)]
        if not ids:
            return []
        self.conn.execute(deliveries.update().where(d.id.in_(ids)).values(lease_until=lease_until))
        rows = self.conn.execute(_JOINED.where(d.id.in_(ids)).order_by(d.next_attempt_at, d.id))
        return [_delivery(r._mapping) for r in rows]

    def record(
        self,
        delivery_id: int,
        outcome: Outcome,
        at: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        d = deliveries.c
        attempt = sa.select(d.attempts + 1).where(d.id == delivery_id).scalar_subquery()
        self.conn.execute(
            delivery_attempts.insert().values(
                delivery_id=delivery_id,
                attempt=attempt,
                status_code=outcome.status_code,
                error=(outcome.error or None) and outcome.error[:1000],
                at=at,
            )
        )
        values: dict[str, Any] = {
            "attempts": d.attempts + 1,
            "lease_until": None,
            "last_status_code": outcome.status_code,
            "last_error": (outcome.error or None) and (outcome.error or "")[:1000],
        }
        if outcome.ok:
            values.update(status=DeliveryStatus.SENT.value, sent_at=at)
        elif next_attempt_at is None:
            values.update(status=DeliveryStatus.DEAD.value)
        else:
            values.update(next_attempt_at=next_attempt_at)
        self.conn.execute(deliveries.update().where(d.id == delivery_id).values(**values))

    def retry(self, delivery_id: int, now: datetime) -> bool:
        d = deliveries.c
        done = self.conn.execute(
            deliveries.update()
            .where(d.id == delivery_id, d.status == DeliveryStatus.DEAD.value)
            .values(status=_PENDING, next_attempt_at=now, lease_until=None)
        )
        return bool(done.rowcount)

    def deliveries(
        self, status: DeliveryStatus | None, before_id: int | None, limit: int
    ) -> list[Delivery]:
        d = deliveries.c
        query = _JOINED.order_by(d.id.desc()).limit(limit)
        if status is not None:
            query = query.where(d.status == status.value)
        if before_id is not None:
            query = query.where(d.id < before_id)
        return [_delivery(r._mapping) for r in self.conn.execute(query)]

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        row = self.conn.execute(_JOINED.where(deliveries.c.id == delivery_id)).first()
        return _delivery(row._mapping) if row else None

    def add_webhook(
        self, url: str, events: Sequence[str], secret: str, by: str, at: datetime
    ) -> int:
        stock_events.forget_subscribers(self._uow._url)
        return int(
            self.conn.execute(
                webhooks.insert()
                .values(url=url, events=list(events), secret=secret, created_by=by, created_at=at)
                .returning(webhooks.c.id)
            ).scalar_one()
        )

    def webhooks(self) -> list[Webhook]:
        rows = self.conn.execute(
            webhooks.select().where(webhooks.c.deleted_at.is_(None)).order_by(webhooks.c.id)
        )
        return [_webhook(r._mapping) for r in rows]

    def get_webhook(self, webhook_id: int) -> Webhook | None:
        row = self.conn.execute(
            webhooks.select().where(webhooks.c.id == webhook_id, webhooks.c.deleted_at.is_(None))
        ).first()
        return _webhook(row._mapping) if row else None

    def delete_webhook(self, webhook_id: int, at: datetime) -> bool:
        stock_events.forget_subscribers(self._uow._url)
        done = self.conn.execute(
            webhooks.update()
            .where(webhooks.c.id == webhook_id, webhooks.c.deleted_at.is_(None))
            .values(deleted_at=at)
        )
        if done.rowcount:
            # Its notices not sent yet will never be: they end now, saying why.
            d = deliveries.c
            self.conn.execute(
                deliveries.update()
                .where(d.webhook_id == webhook_id, d.status == _PENDING)
                .values(
                    status=DeliveryStatus.DEAD.value,
                    lease_until=None,
                    last_error="the subscription was deleted",
                )
            )
        return bool(done.rowcount)

    def attempts_of_webhook(
        self, webhook_id: int, before_id: int | None, limit: int
    ) -> list[Attempt]:
        a, d = delivery_attempts.c, deliveries.c
        query = (
            sa.select(
                a.id,
                a.delivery_id,
                d.outbox_id,
                outbox.c.topic,
                a.attempt,
                a.status_code,
                a.error,
                a.at,
            )
            .join(deliveries, d.id == a.delivery_id)
            .join(outbox, outbox.c.id == d.outbox_id)
            .where(d.webhook_id == webhook_id)
            .order_by(a.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            query = query.where(a.id < before_id)
        return [
            Attempt(
                r.id, r.delivery_id, r.outbox_id, r.topic, r.attempt, r.status_code, r.error, r.at
            )
            for r in self.conn.execute(query)
        ]

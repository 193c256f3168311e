"""Returns, their lines and return policies in SQL; `save` checks the version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from oms.adapters.db import order_facts as facts
from oms.adapters.db.base import Repository, from_minor, to_minor
from oms.adapters.db.tables import (
    locations,
    orders,
    refunds,
    return_lines,
    return_policies,
    returns,
)
from oms.domain.errors import ConcurrentUpdate
from oms.domain.money import Money
from oms.domain.returns.model import Return, ReturnLabel, ReturnLine
from oms.domain.returns.policy import ReturnPolicy
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services.ports.returns import DEFAULT_CHANNEL, ReturnFilter

_COUNTS = ("received_quantity", "resellable_quantity", "damaged_quantity")
_received_at = locations.alias("received_at_location")
# The refunds of the return that succeeded, summed, in the order's currency.
_REFUNDED = (
    sa.select(sa.func.coalesce(sa.func.sum(refunds.c.amount_minor), 0))
    .where(refunds.c.return_id == returns.c.id, refunds.c.status == "succeeded")
    .correlate(returns)
    .scalar_subquery()
)
_HEADER = (
    sa.select(
        returns,
        _received_at.c.code.label("received_location"),
        orders.c.currency.label("order_currency"),
        _REFUNDED.label("refund_total_minor"),
    )
    .join(orders, orders.c.id == returns.c.order_id)
    .outerjoin(_received_at, _received_at.c.id == returns.c.received_location_id)
)


def _label(m: Any) -> ReturnLabel | None:
    if m["tracking_number"] is None:
        return None
    return ReturnLabel(
        carrier=m["carrier"],
        service=m["service"],
        tracking_number=m["tracking_number"],
        weight_grams=m["weight_grams"],
        ship_date=m["ship_date"],
        promised_delivery_date=m["promised_delivery_date"],
        location_id=m["label_location_id"],
        cost=(
            Money(
                from_minor(m["label_cost_minor"], m["label_cost_currency"]),
                m["label_cost_currency"],
            )
            if m["label_cost_minor"] is not None
            else None
        ),
    )


def _return(m: Any, lines: list[ReturnLine]) -> Return:
    return Return(
        id=m["id"],
        number=m["number"],
        order_id=m["order_id"],
        status=ReturnStatus(m["status"]),
        resolution=Resolution(m["resolution"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        lines=lines,
        override_reason=m["override_reason"],
        rejection_reason=m["rejection_reason"],
        label=_label(m),
        received_location_id=m["received_location_id"],
        received_location=m["received_location"],
        approved_at=m["approved_at"],
        received_at=m["received_at"],
        inspected_at=m["inspected_at"],
        version=m["version"],
        exchange_order_id=m["exchange_order_id"],
        refund_total=from_minor(m["refund_total_minor"], m["order_currency"]),
    )


def _policy(m: Any) -> ReturnPolicy:
    return ReturnPolicy(
        window_days=m["window_days"],
        non_returnable=frozenset(m["non_returnable"]),
        customer_pays=frozenset(ReturnReason(x) for x in m["customer_pays"]),
        completion_days=m["completion_days"],
    )


def _header_values(r: Return) -> dict[str, Any]:
    label = r.label
    return {
        "status": r.status.value,
        "rejection_reason": r.rejection_reason,
        "carrier": label.carrier if label else None,
        "service": label.service if label else None,
        "tracking_number": label.tracking_number if label else None,
        "weight_grams": label.weight_grams if label else None,
        "ship_date": label.ship_date if label else None,
        "promised_delivery_date": label.promised_delivery_date if label else None,
        "label_location_id": label.location_id if label else None,
        "label_cost_minor": to_minor(label.cost.amount, label.cost.currency)
        if label and label.cost
        else None,
        "label_cost_currency": label.cost.currency if label and label.cost else None,
        "exchange_order_id": r.exchange_order_id,
        "received_location_id": r.received_location_id,
        "updated_at": r.updated_at,
        "approved_at": r.approved_at,
        "received_at": r.received_at,
        "inspected_at": r.inspected_at,
    }


class SqlReturns(Repository):
    def next_id(self) -> int:
        if self.postgres:
            seq = sa.text("SELECT nextval(pg_get_serial_sequence('returns', 'id'))")
            return int(self.conn.execute(seq).scalar_one())
        # SQLite: the writer holds the database's write lock, so max + 1 cannot be taken twice.
        return int(
            self.conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(returns.c.id), 0) + 1)
            ).scalar_one()
        )

    def add(self, r: Return) -> None:
        self.conn.execute(
            returns.insert().values(
                id=r.id,
                number=r.number,
                order_id=r.order_id,
                resolution=r.resolution.value,
                override_reason=r.override_reason,
                created_by=r.created_by,
                version=r.version,
                created_at=r.created_at,
                **_header_values(r),
            )
        )
        self.conn.execute(
            return_lines.insert(),
            [
                {
                    "return_id": r.id,
                    "line_no": i + 1,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "reason": line.reason.value,
                    "note": line.note,
                    **{name: getattr(line, name) for name in _COUNTS},
                }
                for i, line in enumerate(r.lines)
            ],
        )
        facts.refresh(self.conn, [r.order_id], "after_sale")

    def get(self, return_id: int, *, lock: bool = False) -> Return | None:
        query = _HEADER.where(returns.c.id == return_id)
        if lock and self.postgres:
            query = query.with_for_update(of=returns)
        row = self.conn.execute(query).first()
        return self._with_lines([row._mapping])[0] if row else None

    def save(self, r: Return) -> None:
        result = self.conn.execute(
            returns.update()
            .where(returns.c.id == r.id, returns.c.version == r.version)
            .values(version=r.version + 1, **_header_values(r))
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"return {r.number} was changed by someone else")
        r.version += 1
        self.conn.execute(
            return_lines.update().where(
                return_lines.c.return_id == r.id, return_lines.c.sku == sa.bindparam("line_sku")
            ),
            [
                {"line_sku": line.sku, **{name: getattr(line, name) for name in _COUNTS}}
                for line in r.lines
            ],
        )
        facts.refresh(self.conn, [r.order_id], "after_sale")

    def search(self, flt: ReturnFilter) -> list[Return]:
        query = _HEADER.order_by(returns.c.id.desc()).limit(flt.limit)
        if flt.status:
            query = query.where(returns.c.status == flt.status)
        if flt.order_id is not None:
            query = query.where(returns.c.order_id == flt.order_id)
        if flt.before_id is not None:
            query = query.where(returns.c.id < flt.before_id)
        return self._with_lines([r._mapping for r in self.conn.execute(query)])

    def of_order(self, order_id: int) -> list[Return]:
        query = _HEADER.where(returns.c.order_id == order_id).order_by(returns.c.id)
        return self._with_lines([r._mapping for r in self.conn.execute(query)])

    def policy(self, channel: str) -> ReturnPolicy | None:
        rows = {
            m["channel"]: m
            for m in self.conn.execute(
                return_policies.select().where(
                    return_policies.c.channel.in_([channel, DEFAULT_CHANNEL])
                )
            ).mappings()
        }
        m = rows.get(channel) or rows.get(DEFAULT_CHANNEL)
        return _policy(m) if m is not None else None

    def list_policies(self) -> dict[str, ReturnPolicy]:
        rows = self.conn.execute(return_policies.select()).mappings()
        # Sorted here, not by the database's collation: the same order on every database.
        return {m["channel"]: _policy(m) for m in sorted(rows, key=lambda m: m["channel"])}

    def set_policy(self, channel: str, policy: ReturnPolicy) -> None:
        values = {
            "window_days": policy.window_days,
            "non_returnable": sorted(policy.non_returnable),
            "customer_pays": sorted(r.value for r in policy.customer_pays),
            "completion_days": policy.completion_days,
        }
        updated = self.conn.execute(
            return_policies.update().where(return_policies.c.channel == channel).values(**values)
        )
        if updated.rowcount == 0:
            self.conn.execute(return_policies.insert().values(channel=channel, **values))

    def delete_policy(self, channel: str) -> bool:
        deleted = self.conn.execute(
            return_policies.delete().where(return_policies.c.channel == channel)
        )
        return bool(deleted.rowcount)

    def _with_lines(self, headers: Sequence[Any]) -> list[Return]:
        ids = [m["id"] for m in headers]
        lines: dict[int, list[ReturnLine]] = defaultdict(list)
        if ids:
            rows = self.conn.execute(
                return_lines.select()
                .where(return_lines.c.return_id.in_(ids))
                .order_by(return_lines.c.return_id, return_lines.c.line_no)
            )
            for row in rows:
                m = row._mapping
                lines[m["return_id"]].append(
                    ReturnLine(
                        sku=m["sku"],
                        product_id=m["product_id"],
                        quantity=m["quantity"],
                        reason=ReturnReason(m["reason"]),
                        note=m["note"],
                        **{name: m[name] for name in _COUNTS},
                    )
                )
        return [_return(m, lines[m["id"]]) for m in headers]

"""Payments and refunds in SQL; `save_refund` checks the version."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository, from_minor, to_minor, unique_violation
from oms.adapters.db.tables import payments, refunds
from oms.domain.errors import ConcurrentUpdate
from oms.domain.payments.model import Payment, Refund, RefundLine, RefundPart, RefundStatus
from oms.services.ports.payments import PaymentExists, RefundExists


def _payment(m: Any) -> Payment:
    cur = m["currency"]
    return Payment(
        id=m["id"],
        order_id=m["order_id"],
        provider=m["provider"],
        reference=m["reference"],
        amount=from_minor(m["amount_minor"], cur),
        currency=cur,
        created_by=m["created_by"],
        created_at=m["created_at"],
    )


def _refund(m: Any) -> Refund:
    cur = m["currency"]
    return Refund(
        id=m["id"],
        order_id=m["order_id"],
        return_id=m["return_id"],
        reason=m["reason"],
        currency=cur,
        lines=[
            RefundLine(x["order_line_id"], x["sku"], x["quantity"], from_minor(x["amount"], cur))
            for x in m["lines"]
        ],
        shipping=from_minor(m["shipping_minor"], cur),
        deducted=from_minor(m["deducted_minor"], cur),
        capped=from_minor(m["capped_minor"], cur),
        amount=from_minor(m["amount_minor"], cur),
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        status=RefundStatus(m["status"]),
        parts=[
            RefundPart(
                x["payment_id"],
                x["provider"],
                from_minor(x["amount"], cur),
                x.get("reference"),
                x.get("error"),
            )
            for x in m["parts"]
        ],
        error=m["error"],
        attempts=m["attempts"],
        version=m["version"],
    )


def _changing(r: Refund) -> dict[str, Any]:
    cur = r.currency
    return {
        "status": r.status.value,
        "parts": [
            {
                "payment_id": p.payment_id,
                "provider": p.provider,
                "amount": to_minor(p.amount, cur),
                "reference": p.reference,
                "error": p.error,
            }
            for p in r.parts
        ],
        "error": r.error,
        "attempts": r.attempts,
        "updated_at": r.updated_at,
    }


class SqlPayments(Repository):
    def add_payment(self, payment: Payment) -> int:
        try:
            return int(
                self.conn.execute(
                    payments.insert()
                    .values(
                        order_id=payment.order_id,
                        provider=payment.provider,
                        reference=payment.reference,
                        amount_minor=to_minor(payment.amount, payment.currency),
                        currency=payment.currency,
                        created_by=payment.created_by,
                        created_at=payment.created_at,
                    )
                    .returning(payments.c.id)
                ).scalar_one()
            )
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "order_id", "reference", "provider"):
                raise PaymentExists() from None
            raise

    def find_payment(self, order_id: int, provider: str, reference: str) -> Payment | None:
        row = self.conn.execute(
            payments.select().where(
                payments.c.order_id == order_id,
                payments.c.provider == provider,
                payments.c.reference == reference,
            )
        ).first()
        return _payment(row._mapping) if row else None

    def payments_of(self, order_id: int) -> list[Payment]:
        rows = self.conn.execute(
            payments.select().where(payments.c.order_id == order_id).order_by(payments.c.id)
        )
        return [_payment(r._mapping) for r in rows]

    def next_refund_id(self) -> int:
        if self.postgres:
            seq = sa.text("SELECT nextval(pg_get_serial_sequence('refunds', 'id'))")
            return int(self.conn.execute(seq).scalar_one())
        return int(
            self.conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(refunds.c.id), 0) + 1)
            ).scalar_one()
        )

    def add_refund(self, refund: Refund) -> None:
        cur = refund.currency
        try:
            self.conn.execute(
                refunds.insert().values(
                    id=refund.id,
                    order_id=refund.order_id,
                    return_id=refund.return_id,
                    reason=refund.reason,
                    currency=cur,
                    lines=[
                        {
                            "order_line_id": x.order_line_id,
                            "sku": x.sku,
                            "quantity": x.quantity,
                            "amount": to_minor(x.amount, cur),
                        }
                        for x in refund.lines
                    ],
                    shipping_minor=to_minor(refund.shipping, cur),
                    deducted_minor=to_minor(refund.deducted, cur),
                    capped_minor=to_minor(refund.capped, cur),
                    amount_minor=to_minor(refund.amount, cur),
                    version=refund.version,
                    created_by=refund.created_by,
                    created_at=refund.created_at,
                    **_changing(refund),
                )
            )
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "return_id"):
                raise RefundExists() from None
            raise

    def get_refund(self, refund_id: int, *, lock: bool = False) -> Refund | None:
        query = refunds.select().where(refunds.c.id == refund_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _refund(row._mapping) if row else None

    def save_refund(self, refund: Refund) -> None:
        result = self.conn.execute(
            refunds.update()
            .where(refunds.c.id == refund.id, refunds.c.version == refund.version)
            .values(version=refund.version + 1, **_changing(refund))
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"refund {refund.id} was changed by someone else")
        refund.version += 1

    def refunds_of(self, order_id: int) -> list[Refund]:
        rows = self.conn.execute(
            refunds.select().where(refunds.c.order_id == order_id).order_by(refunds.c.id)
        )
        return [_refund(r._mapping) for r in rows]

    def refund_of_return(self, return_id: int) -> Refund | None:
        row = self.conn.execute(refunds.select().where(refunds.c.return_id == return_id)).first()
        return _refund(row._mapping) if row else None

"""Payments and refunds in memory, with the unique keys and version check of the SQL tables."""

from __future__ import annotations

import copy
from dataclasses import replace

from oms.domain.errors import ConcurrentUpdate
from oms.domain.payments.model import Payment, Refund
from oms.services.ports.payments import PaymentExists, RefundExists
from tests.memory.base import MemoryRepository
from tests.memory.catalogue import stored_amount


class MemoryPayments(MemoryRepository):
    def add_payment(self, payment: Payment) -> int:
        if self.find_payment(payment.order_id, payment.provider, payment.reference):
            raise PaymentExists()
        payment_id = self.state.next_id("payments")
        self.state.payments[payment_id] = replace(
            payment, id=payment_id, amount=stored_amount(payment.amount, payment.currency)
        )
        return payment_id

    def find_payment(self, order_id: int, provider: str, reference: str) -> Payment | None:
        return next(
            (
                p
                for p in self.state.payments.values()
                if (p.order_id, p.provider, p.reference) == (order_id, provider, reference)
            ),
            None,
        )

    def payments_of(self, order_id: int) -> list[Payment]:
        return [p for _, p in sorted(self.state.payments.items()) if p.order_id == order_id]

    def next_refund_id(self) -> int:
        return self.state.next_id("refunds")

    def add_refund(self, refund: Refund) -> None:
        if refund.return_id is not None and self.refund_of_return(refund.return_id):
            raise RefundExists()
        self.state.refunds[refund.id] = copy.deepcopy(refund)

    def get_refund(self, refund_id: int, *, lock: bool = False) -> Refund | None:
        found = self.state.refunds.get(refund_id)
        return copy.deepcopy(found) if found else None

    def save_refund(self, refund: Refund) -> None:
        stored = self.state.refunds.get(refund.id)
        if stored is None or stored.version != refund.version:
            raise ConcurrentUpdate(f"refund {refund.id} was changed by someone else")
        refund.version += 1
        self.state.refunds[refund.id] = copy.deepcopy(refund)

    def refunds_of(self, order_id: int) -> list[Refund]:
        return copy.deepcopy(
            [r for _, r in sorted(self.state.refunds.items()) if r.order_id == order_id]
        )

    def refund_of_return(self, return_id: int) -> Refund | None:
        found = [r for r in self.state.refunds.values() if r.return_id == return_id]
        return copy.deepcopy(found[0]) if found else None

"""Payments and refunds as stored, and the payment providers money moves through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from oms.domain.money import Money
from oms.domain.payments.model import Payment, Refund


class PaymentExists(Exception):
    """The same (order, provider, reference) was recorded already: a repeat."""


class RefundExists(Exception):
    """The return has a refund already (the unique key on refunds.return_id)."""


class PaymentRepository(Protocol):
    def add_payment(self, payment: Payment) -> int:
        """Insert; its id. PaymentExists if the provider's reference was recorded for
        this order already."""

    def find_payment(self, order_id: int, provider: str, reference: str) -> Payment | None: ...
    def payments_of(self, order_id: int) -> list[Payment]:
        """Oldest first."""

    def next_refund_id(self) -> int: ...
    def add_refund(self, refund: Refund) -> None:
        """Insert; RefundExists if its return has one already."""

    def get_refund(self, refund_id: int, *, lock: bool = False) -> Refund | None: ...
    def save_refund(self, refund: Refund) -> None:
        """Status, parts, error, attempts; ConcurrentUpdate if the version moved."""

    def refunds_of(self, order_id: int) -> list[Refund]:
        """Oldest first."""

    def refund_of_return(self, return_id: int) -> Refund | None: ...


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """What a provider said: done with its reference, or refused with its error."""

    ok: bool
    reference: str | None = None
    error: str | None = None


class PaymentProvider(Protocol):
    """A payment service as oms uses it. A real provider's API goes behind this
    interface; each call carries a key the provider uses to drop a repeat."""

    name: str

    def authorise(self, amount: Money, reference: str) -> ProviderAnswer:
        """Reserve the amount on the customer's means of payment."""

    def capture(self, authorisation: str, amount: Money) -> ProviderAnswer:
        """Take the money an authorisation reserved."""

    def refund(self, payment_reference: str, amount: Money, key: str) -> ProviderAnswer:
        """Send money back against a captured payment; `key` is the same on a retry."""


class PaymentProviders(Protocol):
    def get(self, name: str) -> PaymentProvider | None: ...
    def names(self) -> list[str]: ...

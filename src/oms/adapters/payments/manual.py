"""The built-in `manual` provider: money that moved by other means.

A bank transfer that arrived, cash paid on delivery, a shop platform that already captured
the card: a person records it, and there is nothing to call. A refund through it is an
instruction recorded in oms (a person pays it back by the same means); it always succeeds,
and its reference says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from oms.domain.money import Money
from oms.services.ports.payments import PaymentProvider, ProviderAnswer


class ManualProvider:
    name = "manual"

    def authorise(self, amount: Money, reference: str) -> ProviderAnswer:
        return ProviderAnswer(ok=True, reference=reference)

    def capture(self, authorisation: str, amount: Money) -> ProviderAnswer:
        return ProviderAnswer(ok=True, reference=authorisation)

    def refund(self, payment_reference: str, amount: Money, key: str) -> ProviderAnswer:
        return ProviderAnswer(ok=True, reference=f"manual:{key}")


class ProviderBook:
    """The providers this process knows, by name; `manual` is always there."""

    def __init__(self, extra: Iterable[PaymentProvider] = ()) -> None:
        self._providers: dict[str, PaymentProvider] = {"manual": ManualProvider()}
        for provider in extra:
            self._providers[provider.name] = provider

    def add(self, provider: PaymentProvider) -> None:
        self._providers[provider.name] = provider

    def get(self, name: str) -> PaymentProvider | None:
        return self._providers.get(name)

    def names(self) -> list[str]:
        return sorted(self._providers)

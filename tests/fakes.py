"""Fakes injected through ports, for tests that would otherwise be slow or flaky."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from oms.domain.money import Money
from oms.services.ports.payments import ProviderAnswer


class FakePasswords:
    """A cheap PasswordHasher that counts verifications (argon2 is slow on purpose)."""

    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return "fake$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified += 1
        return password_hash is not None and password_hash == self.hash(password)

    def needs_rehash(self, password_hash: str) -> bool:
        return False


@dataclass
class Flaky:
    """A provider that refuses the first `failures` refunds, and remembers the keys it saw."""

    name: str = "card"
    failures: int = 1
    keys: list[str] = field(default_factory=list)
    raises: bool = False

    def authorise(self, amount: Money, reference: str) -> ProviderAnswer:
        return ProviderAnswer(True, f"auth-{reference}")

    def capture(self, authorisation: str, amount: Money) -> ProviderAnswer:
        return ProviderAnswer(True, authorisation.replace("auth-", "cap-"))

    def refund(self, payment_reference: str, amount: Money, key: str) -> ProviderAnswer:
        self.keys.append(key)
        if self.failures > 0:
            self.failures -= 1
            if self.raises:
                raise TimeoutError("card network timed out")
            return ProviderAnswer(False, error="issuer unavailable")
        return ProviderAnswer(True, f"re-{key}")

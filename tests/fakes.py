"""Fakes injected through ports, for tests that would otherwise be slow or flaky."""

from __future__ import annotations

import hashlib


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

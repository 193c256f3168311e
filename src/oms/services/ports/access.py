"""What access control needs: users, API tokens, browser sessions, password hashing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.access import Actor, Role
from oms.domain.users import NewUser, TokenInfo, User


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and the hash of their password (None: the user logs in with tokens only)."""

    user: User
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A live token (not revoked, user not disabled) and who it acts as."""

    token_id: int
    last_used_at: datetime | None
    actor: Actor


@dataclass(frozen=True, slots=True)
class NewSession:
    session_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionMatch:
    """A live browser session (not expired, user not disabled)."""

    actor: Actor
    csrf_token: str
    expires_at: datetime


class UserRepository(Protocol):
    def add(self, user: NewUser, password_hash: str | None, now: datetime) -> User:
        """Insert the user; AlreadyExists if the name is taken. The location, if any, is the
        code of one that exists."""

    def get(self, name: str) -> User | None: ...
    def credentials(self, name: str) -> Credentials | None: ...
    def all(self) -> list[User]: ...
    def update(self, user_id: int, role: Role, location: str | None) -> None:
        """Set the user's role and location (a location code that exists, or None)."""

    def disable(self, user_id: int) -> None: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def add_token(self, user_id: int, token_hash: str, label: str, now: datetime) -> TokenInfo: ...
    def tokens(self, user_id: int | None) -> list[TokenInfo]: ...
    def revoke_token(self, token_id: int, now: datetime) -> TokenInfo | None:
        """Revoke it (once: a second revocation keeps the first time); None if there is none."""

    def revoke_tokens(self, user_id: int, label: str, now: datetime) -> int: ...
    def match_token(self, token_hash: str) -> TokenMatch | None:
        """One indexed query: the live token with this hash, joined to its enabled user."""

    def touch_token(self, token_id: int, now: datetime, older_than: datetime) -> None:
        """Set last_used_at to now unless it is already at or after older_than."""

    def add_session(self, session: NewSession) -> None: ...
    def match_session(self, session_hash: str, now: datetime) -> SessionMatch | None: ...
    def delete_session(self, session_hash: str) -> None: ...
    def delete_sessions(self, user_id: int) -> None: ...
    def purge_sessions(self, now: datetime) -> None:
        """Forget every session that expired before now."""

    def add_failure(self, name: str, address: str, at: datetime) -> None: ...
    def count_failures(self, name: str, address: str, since: datetime) -> tuple[int, int]:
        """Failed logins since then: (for this user name, from this address)."""

    def purge_failures(self, before: datetime) -> None: ...
    def server_key(self, name: str) -> str | None: ...
    def add_server_key(self, name: str, value: str, now: datetime) -> str:
        """Store the key unless one of that name exists; return the stored one."""


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches. With no hash it spends the same time and says False,
        so an answer's timing does not tell whether the user exists."""

    def needs_rehash(self, password_hash: str) -> bool: ...

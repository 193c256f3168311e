"""Users, API tokens, browser sessions, login failures and server keys in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from oms.domain.access import Role
from oms.domain.errors import AlreadyExists
from oms.domain.users import NewUser, TokenInfo, User
from oms.services.ports.access import Credentials, NewSession, SessionMatch, TokenMatch
from tests.memory.base import MemoryRepository
from tests.memory.state import ConstraintViolation, TokenRecord, UserRecord


class MemoryUsers(MemoryRepository):
    def add(self, user: NewUser, password_hash: str | None, now: datetime) -> User:
        if self.get(user.name) is not None:
            raise AlreadyExists(f"a user named {user.name!r} exists")
        new = User(
            self.state.next_id("users"),
            user.name,
            user.role,
            user.carrier,
            False,
            bool(password_hash),
            now,
            user.location,
        )
        self._check_location(user.location)
        self.state.users[new.id] = UserRecord(new, password_hash)
        return new

    def _named(self, name: str) -> UserRecord | None:
        return next((r for r in self.state.users.values() if r.user.name == name), None)

    def get(self, name: str) -> User | None:
        found = self._named(name)
        return found.user if found else None

    def credentials(self, name: str) -> Credentials | None:
        found = self._named(name)
        return Credentials(found.user, found.password_hash) if found else None

    def all(self) -> list[User]:
        return sorted((r.user for r in self.state.users.values()), key=lambda u: u.name)

    def _check_location(self, code: str | None) -> None:
        if code is not None and all(loc.code != code for loc in self.state.locations.values()):
            raise ConstraintViolation(f"no location {code!r} (a foreign key would refuse it)")

    def update(self, user_id: int, role: Role, location: str | None) -> None:
        self._check_location(location)
        found = self.state.users.get(user_id)
        if found is not None:
            found.user = replace(found.user, role=role, location=location)

    def disable(self, user_id: int) -> None:
        found = self.state.users.get(user_id)
        if found is not None:
            found.user = replace(found.user, disabled=True)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        found = self.state.users.get(user_id)
        if found is not None:
            found.password_hash = password_hash
            found.user = replace(found.user, has_password=True)

    # -- API tokens ------------------------------------------------------------------------

    def add_token(self, user_id: int, token_hash: str, label: str, now: datetime) -> TokenInfo:
        if user_id not in self.state.users or any(
            t.token_hash == token_hash for t in self.state.tokens.values()
        ):
            raise ConstraintViolation(f"token of unknown user {user_id} or a repeated hash")
        token = TokenRecord(self.state.next_id("api_tokens"), token_hash, user_id, label, now)
        self.state.tokens[token.id] = token
        return self._info(token)

    def _info(self, t: TokenRecord) -> TokenInfo:
        user = self.state.users[t.user_id].user
        return TokenInfo(t.id, user.name, t.label, t.created_at, t.last_used_at, t.revoked_at)

    def tokens(self, user_id: int | None) -> list[TokenInfo]:
        return [
            self._info(t)
            for _, t in sorted(self.state.tokens.items())
            if user_id in (None, t.user_id)
        ]

    def revoke_token(self, token_id: int, now: datetime) -> TokenInfo | None:
        token = self.state.tokens.get(token_id)
        if token is None:
            return None
        token.revoked_at = token.revoked_at or now
        return self._info(token)

    def revoke_tokens(self, user_id: int, label: str, now: datetime) -> int:
        live = [
            t
            for t in self.state.tokens.values()
            if (t.user_id, t.label) == (user_id, label) and t.revoked_at is None
        ]
        for token in live:
            token.revoked_at = now
        return len(live)

    def match_token(self, token_hash: str) -> TokenMatch | None:
        for t in self.state.tokens.values():
            user = self.state.users[t.user_id].user
            if t.token_hash == token_hash and t.revoked_at is None and not user.disabled:
                return TokenMatch(t.id, t.last_used_at, user.actor())
        return None

    def touch_token(self, token_id: int, now: datetime, older_than: datetime) -> None:
        token = self.state.tokens.get(token_id)
        if token is not None and (token.last_used_at is None or token.last_used_at < older_than):
            token.last_used_at = now

    # -- browser sessions --------------------------------------------------------------------

    def add_session(self, session: NewSession) -> None:
        if session.session_hash in self.state.sessions or session.user_id not in self.state.users:
            raise ConstraintViolation("a repeated session hash, or a session of nobody")
        self.state.sessions[session.session_hash] = session

    def match_session(self, session_hash: str, now: datetime) -> SessionMatch | None:
        session = self.state.sessions.get(session_hash)
        if session is None or session.expires_at <= now:
            return None
        user = self.state.users[session.user_id].user
        if user.disabled:
            return None
        return SessionMatch(user.actor(), session.csrf_token, session.expires_at)

    def delete_session(self, session_hash: str) -> None:
        self.state.sessions.pop(session_hash, None)

    def delete_sessions(self, user_id: int) -> None:
        self._keep_sessions(lambda s: s.user_id != user_id)

    def purge_sessions(self, now: datetime) -> None:
        self._keep_sessions(lambda s: s.expires_at > now)

    def _keep_sessions(self, keep: Callable[[NewSession], bool]) -> None:
        self.state.sessions = {h: s for h, s in self.state.sessions.items() if keep(s)}

    # -- login failures and server keys ----------------------------------------------------

    def add_failure(self, name: str, address: str, at: datetime) -> None:
        self.state.failures.append((name, address, at))

    def count_failures(self, name: str, address: str, since: datetime) -> tuple[int, int]:
        recent = [(n, a) for n, a, at in self.state.failures if at > since]
        return sum(n == name for n, _ in recent), sum(a == address for _, a in recent)

    def purge_failures(self, before: datetime) -> None:
        self.state.failures = [f for f in self.state.failures if f[2] > before]

    def server_key(self, name: str) -> str | None:
        return self.state.server_keys.get(name)

    def add_server_key(self, name: str, value: str, now: datetime) -> str:
        return self.state.server_keys.setdefault(name, value)

"""Use cases for browser sessions: log in (throttled, generic refusals), find, log out."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import Actor
from oms.domain.errors import FieldErrors, TooManyAttempts, Unauthenticated
from oms.domain.users import FAILURE_WINDOW, SESSION_LIFETIME, check_password, throttled
from oms.services.ports import UnitOfWork
from oms.services.ports.access import Credentials, NewSession
from oms.services.users import secret_hash

SECRET_BYTES = 32
LOGIN_FAILED = "wrong user name or password"
LOGIN_THROTTLED = "too many failed attempts; wait a minute and try again"
NO_SESSION = "please log in"
SIGNING_KEY = "session-signing"


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    name: str
    password: str
    address: str


@dataclass(frozen=True, slots=True)
class Session:
    """A browser session. `session_id` is the cookie's secret: only its hash is stored."""

    actor: Actor
    csrf_token: str
    expires_at: datetime
    session_id: str


def login(uow: UnitOfWork, attempt: LoginAttempt) -> Session:
    """Start a session for a right name and password.

    Every refusal says the same (LOGIN_FAILED) whether the user is unknown, disabled or the
    password wrong, and costs one password verification either way. Five failures a minute
    for a name, or from an address, and attempts are refused (TooManyAttempts) for a while.
    """
    # NUL cannot be stored (nor be in a user name); "?" cannot be in a name either.
    name = attempt.name.strip().replace("\x00", "?")[:100]
    address = attempt.address.replace("\x00", "?")[:64]
    now = uow.now()

    def check() -> Credentials | None:
        if throttled(*uow.users.count_failures(name, address, now - FAILURE_WINDOW)):
            raise TooManyAttempts(LOGIN_THROTTLED)
        return uow.users.credentials(name)

    found = uow.run(check, write=False)
    stored = found.password_hash if found and not found.user.disabled else None
    # Slow verification runs outside any transaction: no lock is held meanwhile.
    if not uow.passwords.verify(stored, attempt.password) or found is None or stored is None:
        uow.run(lambda: _record_failure(uow, name, address, now))
        raise Unauthenticated(LOGIN_FAILED)
    rehashed = uow.passwords.hash(attempt.password) if uow.passwords.needs_rehash(stored) else None
    return uow.run(lambda: _start(uow, found, address, now, rehashed))


def _record_failure(uow: UnitOfWork, name: str, address: str, now: datetime) -> None:
    uow.users.purge_failures(now - FAILURE_WINDOW)
    uow.users.add_failure(name, address, now)


def _start(
    uow: UnitOfWork, found: Credentials, address: str, now: datetime, rehashed: str | None
) -> Session:
    user = found.user
    # Checked again while writing: a right guess among a burst of parallel wrong ones that
    # passed the first check together must not get in.
    if throttled(*uow.users.count_failures(user.name, address, now - FAILURE_WINDOW)):
        raise TooManyAttempts(LOGIN_THROTTLED)
    if rehashed is not None:
        uow.users.set_password_hash(user.id, rehashed)
    uow.users.purge_sessions(now)
    session_id = secrets.token_urlsafe(SECRET_BYTES)
    csrf_token = secrets.token_urlsafe(SECRET_BYTES)
    expires_at = now + SESSION_LIFETIME
    uow.users.add_session(NewSession(secret_hash(session_id), user.id, csrf_token, now, expires_at))
    return Session(user.actor(), csrf_token, expires_at, session_id)


def current_session(uow: UnitOfWork, session_id: str | None) -> Session:
    """The live session with this id; Unauthenticated if it expired, ended or never was."""
    if not session_id:
        raise Unauthenticated(NO_SESSION)
    digest = secret_hash(session_id)
    match = uow.run(lambda: uow.users.match_session(digest, uow.now()), write=False)
    if match is None:
        raise Unauthenticated(NO_SESSION)
    return Session(match.actor, match.csrf_token, match.expires_at, session_id)


def logout(uow: UnitOfWork, session_id: str) -> None:
    digest = secret_hash(session_id)
    uow.run(lambda: uow.users.delete_session(digest))


def signing_key(uow: UnitOfWork) -> str:
    """The server's key for signing cookies, made once and shared by every process."""

    def work() -> str:
        key = uow.users.server_key(SIGNING_KEY)
        if key is not None:
            return key
        return uow.users.add_server_key(SIGNING_KEY, secrets.token_urlsafe(48), uow.now())

    return uow.run(work)


@dataclass(frozen=True, slots=True)
class PasswordChange:
    current: str
    new: str
    repeat: str
    address: str


WRONG_PASSWORD = "is not your current password"


def change_password(uow: UnitOfWork, session: Session, change: PasswordChange) -> Session:
    """Change one's own password. The current one must be right, and a wrong one counts as
    a failed login (so a borrowed session cannot guess it). Every session of the user ends,
    and a new one starts for the browser that asked."""
    errors = FieldErrors()
    found = FieldErrors()
    check_password(change.new, found)
    for error in found.errors:
        errors.add("new_password", error.message)
    if change.repeat != change.new:
        errors.add("repeat_password", "does not match the new password")
    errors.raise_if_any()
    name, address, now = session.actor.name, change.address[:64], uow.now()

    def check() -> Credentials | None:
        if throttled(*uow.users.count_failures(name, address, now - FAILURE_WINDOW)):
            raise TooManyAttempts(LOGIN_THROTTLED)
        return uow.users.credentials(name)

    creds = uow.run(check, write=False)
    stored = creds.password_hash if creds else None
    if creds is None or not uow.passwords.verify(stored, change.current):
        uow.run(lambda: _record_failure(uow, name, address, now))
        raise FieldErrors.single("current_password", WRONG_PASSWORD)
    new_hash = uow.passwords.hash(change.new)

    def work() -> Session:
        assert creds is not None
        uow.users.set_password_hash(creds.user.id, new_hash)
        uow.users.delete_sessions(creds.user.id)
        return _start(uow, creds, address, now, None)

    return uow.run(work)

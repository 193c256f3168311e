"""Use cases for staff users and their API tokens: create, list, disable, issue, revoke, check."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from oms.domain.access import SYSTEM, Actor, Permission, Role
from oms.domain.errors import Conflict, FieldErrors, NotFound, Unauthenticated
from oms.domain.users import (
    TOKEN_TOUCH_INTERVAL,
    NewUser,
    TokenInfo,
    User,
    UserChange,
    needs_touch,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.access import TokenMatch

T = TypeVar("T")

TOKEN_PREFIX = "oms_"
TOKEN_BYTES = 32  # 256 random bits
MAX_TOKEN_LENGTH = 200
BAD_TOKEN = "a valid API token is needed: Authorization: Bearer <token>"


def secret_hash(secret: str) -> str:
    """SHA-256 of a random secret. Tokens carry 256 random bits, so a fast hash is enough:
    there is nothing to guess. (Passwords, which people choose, get argon2.)"""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new API token. `token` is shown once here and stored nowhere, only its hash."""

    info: TokenInfo
    token: str


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: User
    token: IssuedToken


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    new: NewUser,
    password: str | None = None,
    label: str = "initial",
) -> CreatedUser:
    """Create a user and their first API token; without a password they log in by token only."""
    actor.require(Permission.USER_MANAGE)
    new.validate(password)
    # Hashing is slow on purpose; do it before the transaction, not while holding locks.
    password_hash = uow.passwords.hash(password) if password is not None else None

    def work() -> CreatedUser:
        if new.carrier is not None and uow.carriers.get(new.carrier) is None:
            known = ", ".join(uow.carriers.codes()) or "none"
            raise FieldErrors.single("carrier", f"unknown carrier {new.carrier!r} (known: {known})")
        _check_location_exists(uow, new.location)
        user = uow.users.add(new, password_hash, uow.now())
        return CreatedUser(user, _issue(uow, user, label))

    return uow.run(work)


GENERATED_PASSWORD_BYTES = 12  # 96 random bits, 16 characters


def generated_password() -> str:
    """A password for a new user when the admin does not choose one; shown once."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def _check_location_exists(uow: UnitOfWork, code: str | None) -> None:
    if code is not None and uow.locations.get(code) is None:
        known = ", ".join(loc.code for loc in uow.locations.all()) or "none"
        raise FieldErrors.single("location", f"unknown location {code!r} (known: {known})")


def _issue(uow: UnitOfWork, user: User, label: str) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    info = uow.users.add_token(user.id, secret_hash(token), label[:100], uow.now())
    return IssuedToken(info, token)


def _user(uow: UnitOfWork, name: str) -> User:
    user = uow.users.get(name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def list_users(uow: UnitOfWork, actor: Actor) -> list[User]:
    actor.require(Permission.USER_MANAGE)
    return uow.run(uow.users.all, write=False)


def disable_user(uow: UnitOfWork, actor: Actor, name: str) -> User:
    """Disable a user: their tokens and sessions stop working at once."""
    actor.require(Permission.USER_MANAGE)
    if name == actor.name:
        raise Conflict("you cannot disable yourself; ask another admin")

    def work() -> User:
        user = _user(uow, name)
        uow.users.disable(user.id)
        uow.users.delete_sessions(user.id)
        return _user(uow, name)

    return uow.run(work)


def get_user(uow: UnitOfWork, actor: Actor, name: str) -> User:
    actor.require(Permission.USER_MANAGE)
    return uow.run(lambda: _user(uow, name), write=False)


def update_user(uow: UnitOfWork, actor: Actor, name: str, change: UserChange) -> User:
    """Change a user's role or the location they work at. Their sessions and tokens carry on
    with the new role from the next request (nothing caches a role)."""
    actor.require(Permission.USER_MANAGE)
    if name == actor.name and change.role not in (None, actor.role):
        raise Conflict("you cannot change your own role; ask another admin")

    def work() -> User:
        user = _user(uow, name)
        change.check(user)
        if change.location is not None and not change.clear_location:
            _check_location_exists(uow, change.location)
        location = None if change.clear_location else (change.location or user.location)
        uow.users.update(user.id, change.role or user.role, location)
        return _user(uow, name)

    return uow.run(work)


def create_token(uow: UnitOfWork, actor: Actor, name: str, label: str = "") -> IssuedToken:
    actor.require(Permission.USER_MANAGE)

    def work() -> IssuedToken:
        user = _user(uow, name)
        if user.disabled:
            raise Conflict(f"user {name!r} is disabled")
        return _issue(uow, user, label)

    return uow.run(work)


def list_tokens(uow: UnitOfWork, actor: Actor, name: str | None = None) -> list[TokenInfo]:
    actor.require(Permission.USER_MANAGE)

    def work() -> list[TokenInfo]:
        user_id = _user(uow, name).id if name is not None else None
        return uow.users.tokens(user_id)

    return uow.run(work, write=False)


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke a token; the next request that carries it is refused (nothing caches it)."""
    actor.require(Permission.USER_MANAGE)

    def work() -> TokenInfo:
        info = uow.users.revoke_token(token_id, uow.now())
        if info is None:
            raise NotFound(f"no API token with id {token_id}")
        return info

    return uow.run(work)


def authenticate_token(uow: UnitOfWork, token: str | None) -> Actor:
    """The actor a bearer token stands for; Unauthenticated, always with the same words, if
    it is missing, unknown, revoked or its user disabled.

    One indexed read per request. last_used_at is written only when it is older than
    TOKEN_TOUCH_INTERVAL, so busy clients do not turn every read into a write.
    """
    return authenticate_token_with(uow, token, lambda: None)[0]


def authenticate_token_with(
    uow: UnitOfWork, token: str | None, read: Callable[[], T]
) -> tuple[Actor, T]:
    """authenticate_token, and `read` in the same read transaction (one connection for
    both; placing an order reads its products and makes its plan there, outside SQLite's
    write lock). `read` runs only once the token is found live."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated(BAD_TOKEN)
    digest = secret_hash(token)

    def work() -> tuple[TokenMatch | None, T | None]:
        match = uow.users.match_token(digest)
        # An unknown token costs the look-up only: `read` runs for a live token.
        return match, (read() if match is not None else None)

    match, found = uow.run(work, write=False)
    if match is None:
        raise Unauthenticated(BAD_TOKEN)
    now = uow.now()
    if needs_touch(match.last_used_at, now):
        uow.run(lambda: uow.users.touch_token(match.token_id, now, now - TOKEN_TOUCH_INTERVAL))
    return match.actor, cast(T, found)  # read ran: the token is live


# The demo users: one per role, password "<name>-demo". The carrier user acts for this code.
DEMO_CARRIER = "oms-post"
DEMO_USERS: list[tuple[str, Role]] = [(role.value, role) for role in Role]
DEMO_LABEL = "demo"


def demo_password(name: str) -> str:
    return f"{name}-demo"


def create_demo_users(uow: UnitOfWork) -> list[tuple[str, str, str, str]]:
    """One user per role with a known password; returns (name, role, password, token) each.

    Run again, it leaves existing users as they are and gives each a fresh demo token
    (revoking the demo token it gave before), so the tokens it prints always work.
    """
    made = []
    for name, role in DEMO_USERS:
        location = _demo_driver_location(uow) if role is Role.DRIVER else None
        if role is Role.DRIVER and location is None:
            continue  # a driver is bound to a location: with none yet there is no driver
        made.append(_demo_user(uow, name, role, location))
    return made


def _demo_driver_location(uow: UnitOfWork) -> str | None:
    """The demo driver delivers from the location that delivers locally (the demo's PAR),
    else from the first location there is."""

    def work() -> str | None:
        found = uow.locations.all()
        local = uow.delivery.local_delivery([loc.id for loc in found])
        codes = [loc.code for loc in found if loc.id in local] or [loc.code for loc in found]
        return codes[0] if codes else None

    return uow.run(work, write=False)


def _demo_user(
    uow: UnitOfWork, name: str, role: Role, location: str | None = None
) -> tuple[str, str, str, str]:
    password = demo_password(name)
    if uow.run(lambda: uow.users.get(name), write=False) is None:
        carrier = DEMO_CARRIER if role is Role.CARRIER else None
        new = NewUser(name, role, carrier, location)
        created = create_user(uow, SYSTEM, new, password, DEMO_LABEL)
        return name, role.value, password, created.token.token

    def rotate() -> IssuedToken:
        user = _user(uow, name)
        uow.users.revoke_tokens(user.id, DEMO_LABEL, uow.now())
        return _issue(uow, user, DEMO_LABEL)

    return name, role.value, password, uow.run(rotate).token


# -- one's own tokens: every user may see, make and revoke their own, whatever their role ----

MAX_LABEL = 100


def own_tokens(uow: UnitOfWork, actor: Actor) -> list[TokenInfo]:
    """The acting user's tokens, newest first, revoked ones included."""
    tokens = uow.run(lambda: uow.users.tokens(_user(uow, actor.name).id), write=False)
    return sorted(tokens, key=lambda t: t.id, reverse=True)


def create_own_token(uow: UnitOfWork, actor: Actor, label: str) -> IssuedToken:
    """A new token for the acting user; shown once, like every token."""
    label = label.strip()
    if not label:
        raise FieldErrors.single("label", "must not be empty: say where the token is used")
    if len(label) > MAX_LABEL:
        raise FieldErrors.single("label", f"at most {MAX_LABEL} characters")
    return uow.run(lambda: _issue(uow, _user(uow, actor.name), label))


def revoke_own_token(uow: UnitOfWork, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one of the acting user's tokens; another user's is as unknown as a missing one."""

    def work() -> TokenInfo:
        mine = {t.id for t in uow.users.tokens(_user(uow, actor.name).id)}
        info = uow.users.revoke_token(token_id, uow.now()) if token_id in mine else None
        if info is None:
            raise NotFound(f"you have no API token with id {token_id}")
        return info

    return uow.run(work)

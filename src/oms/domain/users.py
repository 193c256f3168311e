"""Staff users, their API tokens and sessions, and the rules for names, passwords and logins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms.domain.access import Actor, Role
from oms.domain.catalogue.model import CODE_PATTERN
from oms.domain.errors import FieldErrors

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
# Names the audit trail uses for non-users; a user called so would be mistaken for them.
RESERVED_NAMES = frozenset({"system", "api", "anonymous"})
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

# Login throttling: this many failures within the window, per user name or per client
# address, and further attempts are refused until the oldest failure leaves the window.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=1)
SESSION_LIFETIME = timedelta(hours=8)
# last_used_at is written at most this often per token, so reads stay read-only.
TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class NewUser:
    """A staff user as an admin asks to create it."""

    name: str
    role: Role
    carrier: str | None = None
    location: str | None = None  # the code of the location the user works at

    def validate(self, password: str | None) -> None:
        errors = FieldErrors()
        check_location(self.role, self.location, errors)
        if not NAME_PATTERN.match(self.name):
            errors.add("name", "1-100 letters, digits or . _ @ + - starting with a letter or digit")
        elif self.name.lower() in RESERVED_NAMES:
            errors.add("name", f"{self.name!r} is reserved")
        if self.role is Role.CARRIER and not self.carrier:
            errors.add("carrier", "a carrier user needs the code of its carrier")
        if self.role is not Role.CARRIER and self.carrier:
            errors.add("carrier", "only a carrier user is bound to a carrier")
        if self.carrier and not CODE_PATTERN.match(self.carrier):
            errors.add("carrier", "1-32 letters, digits or . _ - starting with a letter or digit")
        if password is not None:
            check_password(password, errors)
        errors.raise_if_any()


def check_location(role: Role, location: str | None, errors: FieldErrors) -> None:
    if location is None:
        if role is Role.DRIVER:
            errors.add("location", "a driver is bound to the location they deliver from")
        return
    if role is Role.CARRIER:
        errors.add("location", "a carrier user is not bound to a location")
    elif not CODE_PATTERN.match(location):
        errors.add("location", "1-32 letters, digits or . _ - starting with a letter or digit")


@dataclass(frozen=True, slots=True)
class UserChange:
    """An admin's change to a user: a new role, and/or a new location (or none)."""

    role: Role | None = None
    location: str | None = None
    clear_location: bool = False

    def check(self, user: User) -> None:
        errors = FieldErrors()
        role = self.role or user.role
        if self.role is not None and (self.role is Role.CARRIER) != (user.role is Role.CARRIER):
            errors.add(
                "role",
                "a carrier user stays a carrier user, and no other user becomes one: "
                "create a new user instead",
            )
        location = None if self.clear_location else (self.location or user.location)
        check_location(role, location, errors)
        errors.raise_if_any()


def check_password(password: str, errors: FieldErrors) -> None:
    if len(password) < MIN_PASSWORD:
        errors.add("password", f"at least {MIN_PASSWORD} characters")
    elif len(password) > MAX_PASSWORD:
        errors.add("password", f"at most {MAX_PASSWORD} characters")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    carrier: str | None
    disabled: bool
    has_password: bool
    created_at: datetime
    location: str | None = None  # the code of the location the user works at

    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.carrier, self.location)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as anyone may see it: never the token itself, never its hash."""

    id: int
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def throttled(failures_by_name: int, failures_by_address: int) -> bool:
    return max(failures_by_name, failures_by_address) >= MAX_FAILURES


def needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOKEN_TOUCH_INTERVAL

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

    def validate(self, password: str | None) -> None:
        errors = FieldErrors()
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

    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.carrier)


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

"""Errors the domain raises, each named for the rule it guards; entrypoints map them once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One offending input field and what is wrong with it."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every rule violation; `title` is a short human summary."""

    title = "Request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    """The input breaks a rule of shape or reference; nothing was written."""

    title = "Invalid input"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))


class NotFound(DomainError):
    """The thing asked for does not exist."""

    title = "Not found"


class Conflict(DomainError):
    """The request is well-formed but the current state forbids it."""

    title = "Conflict"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class AlreadyExists(Conflict):
    """A unique business key (SKU, location code) is taken."""

    title = "Already exists"


class TransitionNotAllowed(Conflict):
    """The state machine has no arrow from the current status for this action."""

    title = "Transition not allowed"


class StockBelowReserved(Conflict):
    """An adjustment would leave less on hand than is promised to orders."""

    title = "Stock would fall below reserved"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key was sent again with a different request body."""

    title = "Idempotency key reused with a different request"


class ConcurrentUpdate(DomainError):
    """Someone else changed the same thing first; the whole use case may be retried."""

    title = "Concurrent update"


class PermissionDenied(DomainError):
    """The acting user's role may not do this."""

    title = "Forbidden"


@dataclass
class FieldErrors:
    """Collects field errors so a whole input can be refused at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(list(self.errors))

    @staticmethod
    def single(name: str, message: str) -> InvalidInput:
        """One invalid field, as an error to raise."""
        return InvalidInput([FieldError(name, message)])


class Unauthenticated(DomainError):
    """No valid credentials: the same answer whatever was wrong, so it tells an attacker nothing."""

    title = "Unauthorized"


class TooManyAttempts(DomainError):
    """Too many failed logins for this user name or address; wait and try again."""

    title = "Too many attempts"

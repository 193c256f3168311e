"""Domain errors as the pages show them: the same status and words as the API's problem
details (RFC 9457), with each offending field's message for the field's own inline error."""

from __future__ import annotations

from dataclasses import dataclass, field

from oms.domain.errors import (
    AlreadyExists,
    ConcurrentUpdate,
    Conflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    Unauthenticated,
)

# How every HTTP answer (the API's problem details and the pages) names a domain error:
# (class, status, type slug); the first match in this order wins. It lives here because
# the API may import the pages' modules and not the other way round.
STATUSES: list[tuple[type[DomainError], int, str]] = [
    (Unauthenticated, 401, "unauthorized"),
    (TooManyAttempts, 429, "too-many-attempts"),
    (InvalidInput, 422, "invalid-input"),
    (IdempotencyKeyReused, 422, "idempotency-key-reused"),
    (NotFound, 404, "not-found"),
    (PermissionDenied, 403, "forbidden"),
    (AlreadyExists, 409, "already-exists"),
    (Conflict, 409, "conflict"),
    (ConcurrentUpdate, 409, "concurrent-update"),
]


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    title: str
    detail: str
    fields: dict[str, str] = field(default_factory=dict)

    def summary(self, *shown: str) -> str:
        """What the box above a form says: the detail, unless every field the problem names
        has its own inline message in that form."""
        if self.fields and all(name in shown for name in self.fields):
            return (
                "Please correct the marked field."
                if len(self.fields) == 1
                else ("Please correct the marked fields.")
            )
        return self.detail


def problem_of(error: DomainError) -> Problem:
    status = next((code for cls, code, _ in STATUSES if isinstance(error, cls)), 400)
    fields: dict[str, str] = {}
    for item in getattr(error, "errors", None) or []:
        fields.setdefault(item.field, item.message)
    return Problem(status, error.title, _sentence(error.detail), fields)


def _sentence(text: str) -> str:
    """Service messages are lower-case phrases; a page shows them as sentences."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."

"""Problems with a delivered (or undeliverable) order, open until customer service resolves
them: what the customer reports from the tracking page, and what the journey reports by
itself (a parcel lost, one that came back after too many failed attempts).

An order with an open problem never completes (`domain/orders/completion.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oms.domain.errors import Conflict, FieldErrors
from oms.domain.orders.draft import MAX_NOTE

MAX_RESOLUTION = 500


class ProblemReason(StrEnum):
    # what a customer may report, once the order (or part of it) was delivered
    MISSING_ITEM = "missing_item"
    WRONG_ITEM = "wrong_item"
    DAMAGED = "damaged"
    NEVER_ARRIVED = "never_arrived"
    # what the journey reports by itself
    LOST = "lost"  # the carrier (or customer service) says a parcel is lost
    UNDELIVERABLE = "undeliverable"  # a parcel came back after its failed attempts


CUSTOMER_REASONS: tuple[ProblemReason, ...] = (
    ProblemReason.MISSING_ITEM,
    ProblemReason.WRONG_ITEM,
    ProblemReason.DAMAGED,
    ProblemReason.NEVER_ARRIVED,
)

# How each reason reads, for the pages and the customer's form.
LABELS: dict[ProblemReason, str] = {
    ProblemReason.MISSING_ITEM: "An item is missing",
    ProblemReason.WRONG_ITEM: "I received the wrong item",
    ProblemReason.DAMAGED: "Something arrived damaged",
    ProblemReason.NEVER_ARRIVED: "The parcel never arrived",
    ProblemReason.LOST: "Parcel lost",
    ProblemReason.UNDELIVERABLE: "Parcel came back undelivered",
}


@dataclass(slots=True)
class Problem:
    id: int
    order_id: int
    reason: ProblemReason
    note: str | None
    reported_by: str  # "customer", "system", a carrier or a user name
    reported_at: datetime
    shipment_id: int | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def resolve(self, actor: str, now: datetime, resolution: str) -> None:
        check_resolution(resolution)
        if not self.is_open:
            raise Conflict(f"problem {self.id} was resolved already")
        self.resolved_by = actor
        self.resolved_at = now
        self.resolution = resolution.strip()


def check_note(note: str | None) -> str | None:
    """A customer's note: optional, at most MAX_NOTE characters; blank is none."""
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE:
        raise FieldErrors.single("note", f"at most {MAX_NOTE} characters")
    return note.strip()


def check_resolution(text: str) -> None:
    if not text.strip():
        raise FieldErrors.single("resolution", "say what was done (it goes in the timeline)")
    if len(text) > MAX_RESOLUTION:
        raise FieldErrors.single("resolution", f"at most {MAX_RESOLUTION} characters")

"""An order's timeline as staff read it: what happened, who did it, when, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms.domain.orders.events import StoredEvent

# Words for the events people act on; the rest read from their type ("shipment.packed").
_WORDS = {
    "order.placed": "Placed",
    "order.confirmed": "Confirmed",
    "order.held": "Put on hold",
    "order.released": "Released from hold",
    "order.cancelled": "Cancelled",
    "order.sourced": "Sourced",
    "order.backorder_filled": "Backorder filled",
    "order.allocation_reduced": "Allocation reduced",
    "note": "Note",
    "return.requested": "Return requested",
    "return.policy_overridden": "Return policy overridden",
    "return.approved": "Return approved",
    "return.rejected": "Return rejected",
    "return.received": "Return received",
    "return.inspected": "Return inspected",
    "shipment.lost": "Shipment lost",
    "shipment.replaced": "Lost shipment sent again",
    "order.line_quantity_changed": "Line quantity changed",
    "order.line_added": "Line added",
    "order.line_removed": "Line removed",
    "order.address_changed": "Shipping address changed",
    "order.priority_changed": "Priority changed",
}
# Order edits: their change reads old -> new (docs/order-edits.md).
_EDITS = frozenset(
    {
        "order.line_quantity_changed",
        "order.line_added",
        "order.line_removed",
        "order.address_changed",
        "order.priority_changed",
    }
)
_SHOWN_DATA = 4  # at most this many facts of an event's data, as "key: value"


@dataclass(frozen=True, slots=True)
class Entry:
    what: str
    actor: str
    at: datetime
    change: str  # "pending → on hold", or empty
    note: str


def _words(kind: str) -> str:
    if kind in _WORDS:
        return _WORDS[kind]
    area, _, verb = kind.partition(".")
    text = verb.replace("_", " ") if verb else kind
    return f"{area.capitalize()} {text}" if area != "order" else text.capitalize()


def _note(data: dict[str, Any]) -> str:
    """A note's words; the reason when there is one; for sourcing its rule; else a few
    plain facts."""
    if data.get("text"):
        return str(data["text"])
    if data.get("reason") and "rule" not in data:
        return str(data["reason"])
    if "rule" in data:
        return str(data["rule"])
    facts = [
        f"{key.replace('_', ' ')}: {value}"
        for key, value in data.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    ]
    return "; ".join(facts[:_SHOWN_DATA])


def _edited(data: dict[str, Any]) -> str:
    """What an order edit changed, old → new (docs/order-edits.md)."""
    moved = data.get("quantity")
    if isinstance(moved, dict):
        return f"{data.get('sku')}: {moved.get('from')} → {moved.get('to')}"
    before, after = data.get("from"), data.get("to")
    if isinstance(before, dict) and isinstance(after, dict):
        was, now = (f"{a.get('city')}, {a.get('country')}" for a in (before, after))
        return f"{was} → {now}"
    return f"{before} → {after}"


def _status(value: str | None) -> str:
    return (value or "").replace("_", " ")


def timeline(events: Sequence[StoredEvent]) -> list[Entry]:
    """Newest first: what someone opening the order wants to see first is what happened last."""
    entries = [
        Entry(
            what=_words(e.type),
            actor=e.actor,
            at=e.at,
            change=_edited(e.data or {})
            if e.type in _EDITS
            else f"{_status(e.from_status)} → {_status(e.to_status)}"
            if e.from_status and e.to_status and e.from_status != e.to_status
            else "",
            note=_note(e.data or {}),
        )
        for e in events
    ]
    return entries[::-1]

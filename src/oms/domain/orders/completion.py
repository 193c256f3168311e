"""When an order is done: every unit to send has been delivered, nothing is open (no
problem reported, no return under way), and either the customer confirmed receipt or the
channel's completion window has passed since the last delivery.

Completed is the end of the order's state machine; returns within the policy are still
taken afterwards (they work on delivered units, whatever the order's status).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms.domain.orders.status import OrderStatus


class CompletedBy(StrEnum):
    CUSTOMER = "customer"  # the customer confirmed receipt on the tracking page
    WINDOW = "window"  # the channel's completion window passed after the last delivery


@dataclass(frozen=True, slots=True)
class Openness:
    """What still keeps an order open: its status, open problems, returns under way."""

    status: OrderStatus
    open_problems: int = 0
    open_returns: int = 0


def blockers(state: Openness) -> list[str]:
    """Why the order cannot complete now, in words; none: it may."""
    why = []
    if state.status is not OrderStatus.DELIVERED:
        why.append(f"it is {state.status.value}, not delivered")
    if state.open_problems:
        why.append(f"{state.open_problems} reported problem(s) not resolved")
    if state.open_returns:
        why.append(f"{state.open_returns} return(s) under way")
    return why


def completes_at(last_delivered_at: datetime, completion_days: int) -> datetime:
    """The instant the channel's completion window closes: whole days of 24 hours after
    the last delivery (0: at once)."""
    if completion_days < 0:
        raise ValueError(f"a completion window is 0 days or more, got {completion_days}")
    return last_delivered_at + timedelta(days=completion_days)


def is_due(last_delivered_at: datetime, completion_days: int, now: datetime) -> bool:
    return now >= completes_at(last_delivered_at, completion_days)

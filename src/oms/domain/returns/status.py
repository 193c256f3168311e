"""The return state machine: one table of allowed transitions, checked in one place.

An inspected return ends refunded (the provider confirmed the money went back), exchanged
(a replacement order was placed) or closed (by a person, with a reason: nothing to pay
back, or settled another way); a refunded or exchanged return may be closed later.
"""

from __future__ import annotations

from enum import StrEnum

from oms.domain.state_machine import StateMachine


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CLOSED = "closed"


S = ReturnStatus

TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.RECEIVED}),
    S.REJECTED: frozenset(),
    S.RECEIVED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.REFUNDED, S.EXCHANGED, S.CLOSED}),
    S.REFUNDED: frozenset({S.CLOSED}),
    S.EXCHANGED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

RETURN_STATES = StateMachine("return", S.REQUESTED, TRANSITIONS)
check_transition = RETURN_STATES.check

# -- the questions asked of a status, answered here only ---------------------------------

# A rejected return gives its units back: they may be asked for again in another return.
COUNTS_AGAINST_DELIVERED: frozenset[ReturnStatus] = frozenset(ReturnStatus) - {S.REJECTED}
# Waiting for a person: customer service approves, the warehouse inspects.
TO_APPROVE: frozenset[ReturnStatus] = frozenset({S.REQUESTED})
TO_INSPECT: frozenset[ReturnStatus] = frozenset({S.RECEIVED})

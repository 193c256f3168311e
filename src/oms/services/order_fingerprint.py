"""The fingerprint of an order request: a retry with the same Idempotency-Key is told from
a reused key with another body by it (services/orders.place_order)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from oms.domain.orders.model import OrderDraft


def fingerprint(draft: OrderDraft) -> str:
    """A hash of the request, to tell a true retry from a reused key with another body.

    The draft is spelt out by hand rather than with `dataclasses.asdict` (a deep copy, and
    a third of this function's time): the JSON, and so the hash, is the same."""
    body = json.dumps(
        {
            "channel": draft.channel,
            # Without a phone the hash is what it was before phones existed: retries of
            # requests sent then are still recognised.
            "customer": {k: v for k, v in _fields_of(draft.customer).items() if v is not None},
            "shipping_address": _fields_of(draft.shipping_address),
            "lines": [_fields_of(line, _NEW_LINE_FIELDS) for line in draft.lines],
            "currency": draft.currency,
            "external_id": draft.external_id,
            "priority": draft.priority,
            "shipping": draft.shipping,
            # Money fields came later: left out at their defaults, so that the hash of a
            # request that has none of them is what it was before they existed.
            **{
                name: value
                for name in ("discount", "prices_include_tax", "exchange_of", "hold_id")
                if (value := getattr(draft, name))
            },
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


# Line fields added after the first orders were hashed: in the hash only when not zero.
_NEW_LINE_FIELDS = frozenset({"discount", "tax"})


def _fields_of(value: Any, optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A flat frozen dataclass's fields (slots: no __dict__); `optional` ones only when set."""
    return {
        name: v
        for name in value.__dataclass_fields__
        if (v := getattr(value, name)) or name not in optional
    }

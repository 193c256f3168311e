"""Webhook signatures (API.md): `Webhook-Signature: v1,<base64 of HMAC-SHA256(secret,
"<id>.<timestamp>.<body>")>`, the scheme of the Standard Webhooks specification. Pure
functions: the receiver's check is the same computation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_secret() -> str:
    """A subscription's secret when none is given: 32 random bytes, URL-safe base64."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(secret, event_id, timestamp, body),
    }


def verify(secret: str, given: str, event_id: str, timestamp: int, body: bytes) -> bool:
    """True when one of the space-separated signatures in `given` is this body's."""
    want = signature(secret, event_id, timestamp, body)
    return any(hmac.compare_digest(want, part) for part in given.split())


def event_key(event_id: int) -> str:
    """The id a receiver sees for an outbox event (body `id`, `Webhook-Id`)."""
    return f"evt_{event_id}"

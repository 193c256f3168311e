"""Signed cookies, CSRF tokens and the headers every back-office page carries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.responses import Response

SESSION_COOKIE = "oms_session"
LOGIN_CSRF_COOKIE = "oms_login_csrf"
# Scripts and styles only from our own /static (htmx and oms.css): no inline code at all.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
# The customer's tracking page is one self-contained document: its style is inline.
STANDALONE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _mac(key: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(key: bytes, purpose: str, value: str) -> str:
    """`value.mac`: the purpose is in the MAC, so a cookie of one kind never passes for another."""
    return f"{value}.{_mac(key, purpose, value)}"


def unsign(key: bytes, purpose: str, signed: str | None) -> str | None:
    """The value if the signature is right (compared in constant time), else None."""
    if not signed or len(signed) > 512 or "." not in signed:
        return None
    value, mac = signed.rsplit(".", 1)
    return value if same_secret(mac, _mac(key, purpose, value)) else None


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time equality, so the time of a refusal says nothing about how close it was."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def set_cookie(
    response: Response, name: str, value: str, max_age: int, *, secure: bool, path: str = "/"
) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs), Secure."""
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=secure, httponly=True, samesite="lax"
    )


def clear_cookie(response: Response, name: str, *, secure: bool, path: str = "/") -> None:
    response.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="lax")


def bound_token(key: bytes, purpose: str, bound_to: str, issued: int) -> str:
    """A form's CSRF token with no cookie behind it: `issued.mac`, the MAC over what it is
    bound to (a tracking token) and when it was issued, so it is good for that page only."""
    return f"{issued}.{_mac(key, purpose, f'{bound_to}:{issued}')}"


def bound_token_ok(
    key: bytes, purpose: str, bound_to: str, given: str | None, now: int, max_age: int
) -> bool:
    """The token was issued by us, for this `bound_to`, at most `max_age` seconds ago."""
    issued_text, _, _ = (given or "").partition(".")
    if not issued_text.isdigit() or len(given or "") > 128:
        return False
    issued = int(issued_text)
    fresh = 0 <= now - issued <= max_age
    return fresh and same_secret(given, bound_token(key, purpose, bound_to, issued))

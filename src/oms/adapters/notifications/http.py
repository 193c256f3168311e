"""Webhooks out over HTTP (httpx), and the guard that keeps them off private networks.

A subscription's URL is checked when it is made, and again at each delivery (its name may
resolve elsewhere by then): loopback, link-local, private, shared and reserved addresses
are refused unless the setting allows them (development and tests).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from oms.domain.notifications.delivery import Outcome


class UnsafeAddress(ValueError):
    """The URL points somewhere a webhook may not go."""


def check_url(url: str, allow_private: bool) -> None:
    """Raise UnsafeAddress for a URL that is not http(s) or that resolves to a loopback,
    link-local, private or otherwise non-public address (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("a webhook URL is http:// or https:// with a host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeAddress(f"{parts.hostname} does not resolve: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise UnsafeAddress(
                f"{parts.hostname} resolves to {address}, a loopback, link-local or private"
                " address; set OMS_WEBHOOKS_ALLOW_PRIVATE=true to allow it (development only)"
            )


class HttpxPoster:
    def __init__(self, allow_private: bool, timeout: float = 10.0) -> None:
        self.allow_private = allow_private
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        try:
            check_url(url, self.allow_private)
        except UnsafeAddress as refused:
            return Outcome(False, error=str(refused))
        try:
            answer = self.client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as error:
            return Outcome(False, error=f"{type(error).__name__}: {error}"[:1000])
        if 200 <= answer.status_code < 300:
            return Outcome(True, answer.status_code)
        return Outcome(False, answer.status_code, f"HTTP {answer.status_code}: {answer.text[:200]}")

    def close(self) -> None:
        self.client.close()

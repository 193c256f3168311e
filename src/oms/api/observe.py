"""What every HTTP answer goes through: a request id, one JSON log line, the request
metrics, and the security headers of pages (one ASGI middleware, no per-request thread).

- The request id is the caller's `X-Request-Id` when it is a sensible token (1-128 of
  letters, digits and `._-`), else a new one; it is returned in `X-Request-Id`.
- The log line (logger `oms.access`) has method, route template, status, duration, the
  request id and the user's name, never a header, query string, body or cookie: so no
  token, password, secret or card number can reach it.
- Pages (anything outside /api/, /metrics and the interactive docs) get the headers of
  web/security.py unless the page set its own; HSTS on every answer when configured.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oms.api import metrics
from oms.web.security import PAGE_HEADERS

REQUEST_ID = "X-Request-Id"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_EXEMPT = ("/api/", "/metrics", "/openapi.json", "/docs", "/redoc")
access_log = logging.getLogger("oms.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's fields."""

    FIELDS = ("method", "route", "status", "duration_ms", "request_id", "user")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    """oms' loggers write JSON lines to stderr (once per process)."""
    logger = logging.getLogger("oms")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _VALID_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class Observe:
    """The middleware: request id, access log, metrics, page headers."""

    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        self.app = app
        self.hsts = (
            f"max-age={hsts_seconds}; includeSubDomains".encode() if hsts_seconds > 0 else None
        )
        self.page_headers = [
            (name.lower().encode(), value.encode()) for name, value in PAGE_HEADERS.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        page = not path.startswith(_EXEMPT)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                if page:
                    headers += [(n, v) for n, v in self.page_headers if n not in present]
                elif b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if self.hsts is not None:
                    headers.append((b"strict-transport-security", self.hsts))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            method = scope["method"]
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                    "user": scope["state"].get("user"),
                },
            )


def _route_of(scope: Scope) -> str:
    """The matched route's full template (its router's prefix included); unmatched paths
    share one label, so a scan of random URLs makes no new series. The route knows its
    template below the prefix; the prefix is what comes before the template's literal head
    in the path (prefixes hold no parameters). Walking the app's routes to map them
    instead would cost each new app a second or more on its first request."""
    template = getattr(scope.get("route"), "path_format", None)
    if template:
        template, path = str(template), str(scope["path"])
        if "{" not in template:
            prefix = path[: len(path) - len(template)] if path.endswith(template) else ""
        else:  # the literal head of the template is where the prefix ends (a SKU may hold "/")
            prefix = path[: max(path.find(template.split("{", 1)[0]), 0)]
        return prefix + template
    return "/static" if scope["path"].startswith("/static/") else "(unmatched)"

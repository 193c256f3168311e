"""`POST /api/v1/orders` served without the framework's routing and dependency solving.

Placing orders is the one route whose rate matters (docs/performance.md, "Order intake"):
there FastAPI's route matching over every route of the API, its dependency solving and its
exception wrappers cost as much CPU as the placement itself. This ASGI layer, inside the
`Observe` middleware, answers a well-formed request itself: JSON body read and validated
by the same model (`OrderIn`), the bearer token and Idempotency-Key read from the headers,
then one worker-thread call (`routes.orders.placed_answer`, what the route calls) and the
app's own exception handlers for a refusal. Anything else (no or another kind of
`Authorization`, a body that is not valid JSON for `OrderIn`, an odd header) is handed to
the app unchanged, the body replayed, so every problem answer is the framework's own, as
before. Placements run on the lane's own threads (INTAKE_THREADS per kind of database),
in arrival order. The route stays in the app and its OpenAPI document.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oms.api.routes import orders as order_routes
from oms.api.schemas.orders import OrderIn

PATH = "/api/v1/orders"
MAX_KEY = 255  # the route's Header(max_length=255)
# Placements run on a few threads of their own, taken in arrival order, as many per
# database as pays (docs/performance.md). On PostgreSQL more at once only queue on the GIL
# and the stock rows' locks, where the waits are not first come, first served: at 64
# clients on 10 hot products the p99 was 1.7 s with the framework's pool (40 threads) and
# 0.57 s with 8, and 16 gave 5-10% fewer orders/s than 8. On SQLite a placement waiting for
# the write lock joins the next group commit (adapters/db/group_commit.py), so more threads
# make larger batches: 16 gave 12% more orders/s than 8 at 32 clients, and 32 another 12% at
# 64 clients on the hot products (p99 150-165 ms against 215-225 with 16).
INTAKE_THREADS = {"sqlite": 32, "postgresql": 8}
_POOLS: dict[str, ThreadPoolExecutor] = {}
_POOLS_MADE = threading.Lock()


def intake_pool(dialect: str) -> ThreadPoolExecutor:
    """The placement threads of this process for a database of that kind."""
    pool = _POOLS.get(dialect)  # every placement asks: no lock once it exists
    if pool is not None:
        return pool
    with _POOLS_MADE:
        pool = _POOLS.get(dialect)
        if pool is None:
            threads = INTAKE_THREADS.get(dialect, INTAKE_THREADS["postgresql"])
            pool = _POOLS[dialect] = ThreadPoolExecutor(threads, thread_name_prefix="oms-intake")
        return pool


class IntakeLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.route = next(
            r
            for r in order_routes.router.routes
            if getattr(r, "endpoint", None) is order_routes.place_order
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        token, key = _headers(scope)
        if token is None:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        if more is None:  # the client went away
            return
        order = _order_in(body)
        if order is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = self.route  # the access log's and metrics' route label
        request = Request(scope, _replay(body, receive))
        container = request.app.state.container
        uow = container.uow()
        try:
            response = await asyncio.get_running_loop().run_in_executor(
                intake_pool(container.engine.dialect.name),
                order_routes.placed_answer,
                request,
                uow,
                token,
                order,
                key,
            )
        except Exception as error:
            app: FastAPI = scope["app"]
            handler = _handler(app, error)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, error)
            else:
                response = await run_in_threadpool(handler, request, error)
        await response(scope, receive, send)


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The bearer token and the Idempotency-Key, when the request is plain enough to be
    answered here (one JSON content type, one Authorization of the Bearer kind, at most
    one key of at most 255 characters); (None, None) hands it to the app."""
    token: str | None = None
    key: str | None = None
    seen: dict[bytes, int] = {}
    for name, value in scope["headers"]:
        if name in (b"authorization", b"idempotency-key", b"content-type"):
            seen[name] = seen.get(name, 0) + 1
            text = value.decode("latin-1")
            if name == b"authorization":
                scheme, _, credentials = text.partition(" ")
                token = credentials if scheme.lower() == "bearer" and credentials else None
            elif name == b"idempotency-key":
                key = text
            elif text.split(";", 1)[0].strip().lower() != "application/json":
                return None, None
    if any(n > 1 for n in seen.values()) or seen.get(b"content-type") != 1:
        return None, None
    if key is not None and len(key) > MAX_KEY:
        return None, None
    return token, key


async def _read_body(receive: Receive) -> tuple[bytes, bool | None]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _order_in(body: bytes) -> OrderIn | None:
    """The body as the route's model, read as FastAPI reads it (json.loads, then the
    model); None for anything the app should answer itself."""
    try:
        return OrderIn.model_validate(json.loads(body))
    except Exception:  # the app gives the problem answer, as it always did
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _handler(app: FastAPI, error: Exception) -> Any:
    for cls in type(error).__mro__:
        if cls in app.exception_handlers:
            return app.exception_handlers[cls]
    return None

"""The FastAPI application: routes under /api/v1, problem+json errors, the container."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from oms import __version__
from oms.adapters.db.health import readiness
from oms.api import errors, metrics, observe, openapi
from oms.api.intake_lane import IntakeLane
from oms.api.routes import (
    catalogue,
    channel_webhooks,
    channels,
    delivery,
    fulfilment,
    holds,
    lost_parcels,
    order_edits,
    orders,
    payments,
    planning,
    problems,
    purchasing,
    reports,
    return_policies,
    returns,
    service,
    stock,
    stock_reports,
    users,
    webhooks,
)
from oms.bootstrap import Container, bootstrap
from oms.config import get_settings
from oms.web import pages


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app; without a container, one is built from the environment's settings."""
    container = container or bootstrap(get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        container.close()

    app = FastAPI(
        title="oms",
        version=__version__,
        lifespan=lifespan,
        description="Order management: from checkout to the customer's door and back.",
    )
    app.state.container = container
    errors.install(app)
    openapi.install(app)
    for module in (
        catalogue,
        stock,
        orders,
        fulfilment,
        lost_parcels,
        delivery,
        returns,
        return_policies,
        payments,
        problems,
        reports,
        service,
        users,
        webhooks,
        holds,
        channels,
        channel_webhooks,
        order_edits,
        purchasing,  # planning (issue 13)
        planning,
        stock_reports,  # planning (issue 13): stock-out, overstock, dead stock, value
    ):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(pages.router)

    # -- operations: docs/operations.md --------------------------------------------------
    observe.configure_logging(container.settings.log_level)
    # Inside Observe (added after, so outside it): placing orders without the routing.
    app.add_middleware(IntakeLane)
    app.add_middleware(observe.Observe, hsts_seconds=container.settings.hsts_seconds)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Alive: the process answers (nothing else is checked)."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Ready: the database answers and is at the migrations' head; else 503 and why."""
        why = readiness(container.engine)
        if why is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready", "reason": why}, status_code=503)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        """Prometheus' text format; unauthenticated (bind or filter it: operations.md)."""
        return metrics.metrics_response(request)

    return app


def create_served_app() -> FastAPI:
    """The app of each `oms serve` process: `create_app`, then the objects it made, which
    live as long as the process, frozen out of the garbage collector's full passes.

    Without the freeze, every full pass walks the ~190,000 objects of the imported code
    and the app: 95 to 450 ms with the GIL held in the intake benchmark, while every
    request of the process (and on SQLite every writer, when the pass falls inside the
    write lock) waits for it.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app

"""Prometheus metrics at /metrics, with the official client (prometheus-client).

Requests are counted and timed by route template (`/api/v1/orders/{order_id}`, never the
raw path: one series per route, not per order). Orders placed and units refused a
reservation (backordered) are counted where the API places orders. The outbox backlog
and the database pool are read when Prometheus scrapes.

Several uvicorn workers: when PROMETHEUS_MULTIPROC_DIR is set (`oms serve --workers N`
sets it to a fresh folder when it is not), each process writes its counters there and
/metrics sums them all, whichever worker answers. The pool figures are those of the
worker that answers the scrape (labelled with its pid).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from oms.adapters.db.health import outbox_backlog, pool_figures

REQUESTS = Counter(
    "oms_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "oms_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ORDERS_PLACED = Counter("oms_orders_placed_total", "Orders placed (repeats not counted)")
RESERVATIONS_REFUSED = Counter(
    "oms_reservations_refused_units_total",
    "Units ordered that no stock could be reserved for at placement (backordered)",
)
ORDER_LINES_BACKORDERED = Counter(
    "oms_orders_backordered_total", "Orders placed with at least one unit backordered"
)


def order_placed(backordered_units: int) -> None:
    ORDERS_PLACED.inc()
    if backordered_units > 0:
        RESERVATIONS_REFUSED.inc(backordered_units)
        ORDER_LINES_BACKORDERED.inc()


class DatabaseCollector(Collector):
    """The outbox backlog and this process's pool, read at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        backlog = GaugeMetricFamily(
            "oms_outbox_backlog", "Notices waiting in the outbox, by stage", labels=["stage"]
        )
        try:
            for stage, count in outbox_backlog(self.engine).items():
                backlog.add_metric([stage], count)
        except Exception:  # a scrape never fails on a busy database: no figure instead
            backlog.samples.clear()
        yield backlog
        pool = GaugeMetricFamily(
            "oms_db_pool_connections",
            "This process's database connection pool (size, checked out, overflow)",
            labels=["figure", "pid"],
        )
        for figure, value in pool_figures(self.engine).items():
            pool.add_metric([figure, str(os.getpid())], value)
        yield pool


def metrics_response(request: Request) -> Response:
    """The /metrics page: every process's metrics when multiprocess, else this one's."""
    engine: Engine = request.app.state.container.engine
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUESTS, LATENCY, ORDERS_PLACED, RESERVATIONS_REFUSED):
            registry.register(collector)
        registry.register(ORDER_LINES_BACKORDERED)
    registry.register(DatabaseCollector(engine))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

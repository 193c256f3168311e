"""Browser tests: the real app served by uvicorn on a free 127.0.0.1 port, with a database
of its own (SQLite, and PostgreSQL too when OMS_TEST_DATABASE_URL is set), driven by the
system's Chromium through Playwright. Browsers are never downloaded: without a Chromium
on the machine (`apt-get install chromium`, or OMS_CHROMIUM=/path) these tests are skipped
with a message that says so."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import make_url

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.migrate import upgrade
from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from tests.browser.shop import seed
from tests.conftest import PG_URL

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
NO_CHROMIUM = (
    "no Chromium on this machine (apt-get install chromium, or set OMS_CHROMIUM to its "
    "path): browser tests skipped"
)


def find_chromium() -> str | None:
    given = os.environ.get("OMS_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    return next(filter(None, (shutil.which(name) for name in CHROMIUM_NAMES)), None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if find_chromium() is None:
        skip = pytest.mark.skip(reason=NO_CHROMIUM)
        for item in items:
            if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """pytest-playwright's launch, with Debian's Chromium instead of a downloaded one."""
    path = find_chromium()
    if path is None:
        pytest.skip(NO_CHROMIUM)
    return {**browser_type_launch_args, "executable_path": path}


@dataclass
class LiveServer:
    url: str
    container: Container
    backend: str


def _pg_database() -> Iterator[str]:
    """A PostgreSQL database of this session's browser tests, dropped at the end."""
    assert PG_URL
    base = make_url(normalise_url(PG_URL))
    name = f"{base.database}_oms_web_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _serve(container: Container) -> tuple[uvicorn.Server, threading.Thread, str]:
    from oms.api.app import create_app
    from oms.api.http_protocol import HttpProtocol

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race for it
    port = sock.getsockname()[1]
    # The HTTP protocol of `oms serve` (each answer in one write): every page, download
    # and stream of the browser tests goes through it.
    config = uvicorn.Config(
        create_app(container), http=HttpProtocol, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="OMS_TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The whole app (API and pages) on a free port, over a migrated, seeded database."""
    if find_chromium() is None:
        pytest.skip(NO_CHROMIUM)
    databases = _pg_database() if request.param == "postgresql" else None
    if databases is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'oms.db'}"
    else:
        url = next(databases)
    upgrade(url)
    container = bootstrap(Settings(database_url=url, db_pool_size=4, secret_key="browser-tests"))
    seed(container)
    server, thread, address = _serve(container)
    yield LiveServer(address, container, request.param)
    server.should_exit = True
    thread.join(10)
    container.close()
    if databases is not None:
        next(databases, None)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def screenshots() -> Path | None:
    """Where page screenshots go: OMS_SCREENSHOTS (`make screenshots` sets docs/screenshots)."""
    folder = os.environ.get("OMS_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Fixtures: a migrated database per test, on SQLite and (when configured) on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.migrate import upgrade
from oms.adapters.db.tables import metadata
from oms.bootstrap import Container, bootstrap
from oms.config import Settings

PG_URL = os.environ.get("OMS_TEST_DATABASE_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="OMS_TEST_DATABASE_URL is not set"),
    ),
]


class FakeClock:
    """A clock the test moves by hand; starts at a fixed instant."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    assert PG_URL
    url = normalise_url(PG_URL)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    upgrade(url)
    return url


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    names = ", ".join(t.name for t in metadata.sorted_tables if t.name != "counters")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("ALTER SEQUENCE order_number_seq RESTART")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "oms.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated")
    _reset_postgres(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(db_url: str, clock: FakeClock) -> Iterator[Container]:
    c = bootstrap(Settings(database_url=db_url, db_pool_size=5), clock=clock)
    yield c
    c.close()


@pytest.fixture
def uow(container: Container):  # type: ignore[no-untyped-def]
    return container.uow()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    from oms.api.app import create_app

    with TestClient(create_app(container)) as c:
        yield c

"""The `backend` fixture: one test run on each unit of work (memory, SQL on SQLite, SQL on
PostgreSQL when OMS_TEST_DATABASE_URL is set). Import it into a conftest to use it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.services.ports import UnitOfWork
from tests.conftest import BACKENDS, FakeClock, _reset_postgres
from tests.fakes import FakePasswords
from tests.memory.state import ConstraintViolation
from tests.memory.uow import MemoryDatabase, MemoryUnitOfWork


@dataclass(frozen=True)
class Backend:
    """A unit of work, how to make another one over the same store, and what the store
    raises when a constraint refuses a write."""

    name: str
    uow: UnitOfWork
    another: Callable[[], UnitOfWork]
    refusals: tuple[type[Exception], ...]


def _sql_url(request: pytest.FixtureRequest, name: str) -> str:
    """What the `db_url` fixture does for one backend (that fixture has its own params)."""
    if name == "sqlite":
        path: Path = request.getfixturevalue("tmp_path") / "oms.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated")
    _reset_postgres(url)
    return url


@pytest.fixture(params=["memory", *BACKENDS])
def backend(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Backend]:
    if request.param == "memory":
        database = MemoryDatabase()

        def another() -> UnitOfWork:
            return MemoryUnitOfWork(database, clock)

        yield Backend("memory", another(), another, (ConstraintViolation,))
        return
    settings = Settings(database_url=_sql_url(request, request.param), db_pool_size=5)
    container = bootstrap(settings, clock=clock)
    container.passwords = FakePasswords()
    yield Backend(request.param, container.uow(), container.uow, (sa.exc.IntegrityError,))
    container.close()


@pytest.fixture
def each_uow(backend: Backend) -> UnitOfWork:
    """A unit of work on each implementation in turn."""
    return backend.uow

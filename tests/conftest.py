"""Fixtures: a migrated database per test, on SQLite and (when configured) on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

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
def pg_migrated() -> Iterator[str]:
    """A database of this test session's own, beside the one OMS_TEST_DATABASE_URL names.

    Several suites may run at once against one server (developers, CI, helpers); each
    gets its own database, created here and dropped at the end.
    """
    assert PG_URL
    base = make_url(normalise_url(PG_URL))
    name = f"{base.database}_oms_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# Reference data the migrations seed (the built-in carrier and its rates): read from the
# freshly migrated database at the first reset, and put back after every truncation.
_SEEDED = ("carriers", "carrier_rates")
_seed: dict[str, list[dict[str, object]]] = {}


def _reset_postgres(url: str) -> None:
    # Through PgBouncer (transaction mode, OMS_DATABASE_PGBOUNCER=1): no prepared statements.
    bouncer = {"prepare_threshold": None} if os.environ.get("OMS_DATABASE_PGBOUNCER") else {}
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=bouncer)
    names = ", ".join(t.name for t in metadata.sorted_tables if t.name != "counters")
    tables = {t.name: t for t in metadata.sorted_tables}
    with engine.begin() as conn:
        if not _seed:
            for name in _SEEDED:
                rows = conn.execute(tables[name].select().order_by(tables[name].c.id))
                _seed[name] = [dict(r._mapping) for r in rows]
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("ALTER SEQUENCE order_number_seq RESTART")
        for name in _SEEDED:
            if _seed[name]:
                conn.execute(tables[name].insert(), _seed[name])
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
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
def client(container: Container, admin_token: str) -> Iterator[TestClient]:
    """The API as an admin: every request carries the admin's bearer token."""
    from oms.api.app import create_app

    with TestClient(create_app(container), headers=bearer(admin_token)) as c:
        yield c


# -- access control: users and bearer tokens for API clients -----------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_user_token(container: Container, role: str, name: str) -> str:
    """Create a token-only user of this role (a carrier one for the built-in carrier `oms-post`,
    a driver one bound to location PAR, which must exist)."""
    from oms.domain.access import SYSTEM, Role
    from oms.domain.users import NewUser
    from oms.services.users import create_user

    carrier = "oms-post" if Role(role) is Role.CARRIER else None
    location = "PAR" if Role(role) is Role.DRIVER else None
    new = NewUser(name, Role(role), carrier, location)
    return create_user(container.uow(), SYSTEM, new).token.token


@pytest.fixture
def admin_token(container: Container) -> str:
    """The token of `test-admin`, the admin the `client` fixture acts as."""
    return make_user_token(container, "admin", "test-admin")


@pytest.fixture
def client_for(container: Container) -> Callable[[str | None], TestClient]:
    """A factory: `client_for("warehouse")` is a TestClient acting as a user of that role
    (one user per role, named `<role>-user`, made on first use); `client_for(None)` sends
    no token at all."""
    from oms.api.app import create_app

    app = create_app(container)
    tokens: dict[str, str] = {}

    def make(role: str | None) -> TestClient:
        if role is None:
            return TestClient(app)
        if role not in tokens:
            tokens[role] = make_user_token(container, role, f"{role}-user")
        return TestClient(app, headers=bearer(tokens[role]))

    return make

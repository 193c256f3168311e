"""The composition root: builds the engine and unit of work and hands them to entrypoints."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from oms.adapters.db.engine import create_engine
from oms.adapters.db.uow import Clock, SqlUnitOfWork, utc_now
from oms.adapters.db.views import SqlViews
from oms.adapters.passwords import Argon2Passwords
from oms.config import Settings
from oms.services.ports import PasswordHasher
from oms.services.views import BackOfficeViews


@dataclass
class Container:
    """Everything long-lived a process needs; entrypoints ask it for a unit of work."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default=utc_now)
    passwords: PasswordHasher = field(default_factory=Argon2Passwords)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.clock, self.passwords)

    def views(self, uow: SqlUnitOfWork) -> BackOfficeViews:
        """The back office's read queries, run inside this unit of work's transactions."""
        return SqlViews(uow)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Container:
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, echo=settings.sql_echo
    )
    return Container(settings, engine, clock)

"""Every contract test runs on each unit of work: memory, SQLite and PostgreSQL."""

from tests.memory.fixtures import backend, each_uow

__all__ = ["backend", "each_uow"]

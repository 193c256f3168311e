"""In-memory adapters for tests: a unit of work and repositories that pass the same contract
suite as the SQL ones (tests/contract), so service rules are tested without a database."""

from tests.memory.uow import MemoryDatabase, MemoryUnitOfWork

__all__ = ["MemoryDatabase", "MemoryUnitOfWork"]

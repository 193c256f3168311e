"""Service tests that take `each_uow` run on the in-memory unit of work as well as SQL."""

from tests.memory.fixtures import backend, each_uow

__all__ = ["backend", "each_uow"]

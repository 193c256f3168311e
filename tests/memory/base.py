"""What every in-memory repository shares: the unit of work's state, open only inside run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.memory.state import State

if TYPE_CHECKING:
    from tests.memory.uow import MemoryUnitOfWork


class MemoryRepository:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def state(self) -> State:
        return self._uow.state

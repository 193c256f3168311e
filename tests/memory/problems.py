"""Order problems in memory."""

from __future__ import annotations

from dataclasses import replace

from oms.domain.orders.problems import Problem
from tests.memory.base import MemoryRepository


class MemoryProblems(MemoryRepository):
    def add(self, problem: Problem) -> int:
        problem.id = self.state.next_id("order_problems")
        self.state.problems[problem.id] = replace(problem)
        return problem.id

    def get(self, problem_id: int, *, lock: bool = False) -> Problem | None:
        found = self.state.problems.get(problem_id)
        return replace(found) if found else None

    def of_order(self, order_id: int) -> list[Problem]:
        return [
            replace(p) for _, p in sorted(self.state.problems.items()) if p.order_id == order_id
        ]

    def open_of_orders(self, order_ids: list[int]) -> dict[int, list[Problem]]:
        found: dict[int, list[Problem]] = {order_id: [] for order_id in order_ids}
        for _, p in sorted(self.state.problems.items()):
            if p.order_id in found and p.is_open:
                found[p.order_id].append(replace(p))
        return found

    def open_problems(self, limit: int) -> list[Problem]:
        every = sorted(
            (p for p in self.state.problems.values() if p.is_open),
            key=lambda p: (p.reported_at, p.id),
        )
        return [replace(p) for p in every[:limit]]

    def save(self, problem: Problem) -> None:
        self.state.problems[problem.id] = replace(problem)

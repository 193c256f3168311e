"""What the order-problem use cases need from storage."""

from __future__ import annotations

from typing import Protocol

from oms.domain.orders.problems import Problem


class ProblemRepository(Protocol):
    def add(self, problem: Problem) -> int:
        """Store a new problem; sets and returns its id."""

    def get(self, problem_id: int, *, lock: bool = False) -> Problem | None: ...
    def of_order(self, order_id: int) -> list[Problem]:
        """The order's problems, oldest first, open and resolved."""

    def open_of_orders(self, order_ids: list[int]) -> dict[int, list[Problem]]:
        """Open problems per order id (every id present), oldest first."""

    def open_problems(self, limit: int) -> list[Problem]:
        """Open problems of all orders, oldest first (customer service's queue)."""

    def save(self, problem: Problem) -> None:
        """Store a resolution."""

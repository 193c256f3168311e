"""Order problems in SQL (table order_problems)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db import order_facts as facts
from oms.adapters.db.base import Repository
from oms.adapters.db.tables import order_problems
from oms.domain.orders.problems import Problem, ProblemReason

t = order_problems


def _problem(m: Any) -> Problem:
    return Problem(
        id=m["id"],
        order_id=m["order_id"],
        reason=ProblemReason(m["reason"]),
        note=m["note"],
        reported_by=m["reported_by"],
        reported_at=m["reported_at"],
        shipment_id=m["shipment_id"],
        resolved_by=m["resolved_by"],
        resolved_at=m["resolved_at"],
        resolution=m["resolution"],
    )


class SqlProblems(Repository):
    def add(self, problem: Problem) -> int:
        problem.id = self.conn.execute(
            t.insert().returning(t.c.id),
            {
                "order_id": problem.order_id,
                "shipment_id": problem.shipment_id,
                "reason": problem.reason.value,
                "note": problem.note,
                "reported_by": problem.reported_by,
                "reported_at": problem.reported_at,
            },
        ).scalar_one()
        facts.refresh(self.conn, [problem.order_id], "after_sale")
        return problem.id

    def get(self, problem_id: int, *, lock: bool = False) -> Problem | None:
        query = t.select().where(t.c.id == problem_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _problem(row._mapping) if row else None

    def of_order(self, order_id: int) -> list[Problem]:
        rows = self.conn.execute(t.select().where(t.c.order_id == order_id).order_by(t.c.id))
        return [_problem(r._mapping) for r in rows]

    def open_of_orders(self, order_ids: list[int]) -> dict[int, list[Problem]]:
        found: dict[int, list[Problem]] = {order_id: [] for order_id in order_ids}
        if order_ids:
            rows = self.conn.execute(
                t.select()
                .where(t.c.order_id.in_(sorted(set(order_ids))), t.c.resolved_at.is_(None))
                .order_by(t.c.id)
            )
            for r in rows:
                found[r.order_id].append(_problem(r._mapping))
        return found

    def open_problems(self, limit: int) -> list[Problem]:
        rows = self.conn.execute(
            t.select()
            .where(t.c.resolved_at.is_(None))
            .order_by(t.c.reported_at, t.c.id)
            .limit(sa.bindparam("limit", limit, literal_execute=True))
        )
        return [_problem(r._mapping) for r in rows]

    def save(self, problem: Problem) -> None:
        self.conn.execute(
            t.update()
            .where(t.c.id == problem.id)
            .values(
                resolved_by=problem.resolved_by,
                resolved_at=problem.resolved_at,
                resolution=problem.resolution,
            )
        )

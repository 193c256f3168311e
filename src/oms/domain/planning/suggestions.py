"""Suggested purchase orders: each product below its reorder point is ordered up to its
order-up-to level in whole packs, grouped by supplier; a supplier's order below its
minimum is topped up, a pack at a time, on the lines with the least cover first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oms.domain.planning.replenishment import ReorderLevels, order_quantity


@dataclass(frozen=True, slots=True)
class Need:
    """One product at one location: where it stands and who sells it."""

    sku: str
    location: str
    supplier: str
    position: float  # on hand + on order - backordered
    levels: ReorderLevels
    pack: int = 1
    unit_cost_minor: int = 0


@dataclass(frozen=True, slots=True)
class SuggestedLine:
    sku: str
    location: str
    units: int
    unit_cost_minor: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    supplier: str
    lines: tuple[SuggestedLine, ...]

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def cost_minor(self) -> int:
        return sum(line.units * line.unit_cost_minor for line in self.lines)


def suggest(needs: Sequence[Need], minimums: dict[str, int]) -> list[Suggestion]:
    """Only products at or below their reorder point are ordered (to the order-up-to
    level); suppliers sorted by code, lines by location then sku."""
    grouped: dict[str, list[tuple[Need, int]]] = {}
    for need in needs:
        if need.position > need.levels.reorder_point:
            continue
        units = order_quantity(need.position, need.levels.order_up_to, 0, need.pack)
        if units:
            grouped.setdefault(need.supplier, []).append((need, units))
    out: list[Suggestion] = []
    for supplier in sorted(grouped):
        rows = grouped[supplier]
        _top_up(rows, minimums.get(supplier, 0))
        lines = sorted(
            (SuggestedLine(n.sku, n.location, u, n.unit_cost_minor) for n, u in rows),
            key=lambda line: (line.location, line.sku),
        )
        out.append(Suggestion(supplier, tuple(lines)))
    return out


def _top_up(rows: list[tuple[Need, int]], minimum: int) -> None:
    """Adds packs, to the line whose stock after the order covers least of its level, until
    the order reaches the supplier's minimum."""
    while rows and sum(u for _, u in rows) < minimum:
        i = min(
            range(len(rows)),
            key=lambda k: (
                (rows[k][0].position + rows[k][1]) / max(rows[k][0].levels.order_up_to, 1e-9),
                rows[k][0].sku,
            ),
        )
        need, units = rows[i]
        rows[i] = (need, units + need.pack)

"""Returns and return policies in memory; `save` checks the version as the SQL
UPDATE ... WHERE version = :seen does, and the lines' check constraint is applied."""

from __future__ import annotations

import copy

from oms.domain.errors import ConcurrentUpdate
from oms.domain.returns.model import Return
from oms.domain.returns.policy import ReturnPolicy
from oms.services.ports.returns import DEFAULT_CHANNEL, ReturnFilter
from tests.memory.base import MemoryRepository
from tests.memory.state import ConstraintViolation


def _as_stored(r: Return) -> Return:
    stored = copy.deepcopy(r)
    stored.events = []
    for line in stored.lines:
        inspected = line.resellable_quantity + line.damaged_quantity
        if not (line.quantity > 0 and 0 <= line.received_quantity <= line.quantity):
            raise ConstraintViolation(f"return line {line.sku}: quantities_balance")
        if min(line.resellable_quantity, line.damaged_quantity) < 0 or (
            inspected > line.received_quantity
        ):
            raise ConstraintViolation(f"return line {line.sku}: quantities_balance")
    return stored


class MemoryReturns(MemoryRepository):
    def next_id(self) -> int:
        return self.state.next_id("returns")

    def add(self, r: Return) -> None:
        if r.id in self.state.returns:
            raise ConstraintViolation(f"returns: id {r.id} is taken")
        numbers = {x.number for x in self.state.returns.values()}
        if r.number in numbers:
            raise ConstraintViolation(f"returns: number {r.number} is taken")
        self.state.returns[r.id] = _as_stored(r)

    def get(self, return_id: int, *, lock: bool = False) -> Return | None:
        found = self.state.returns.get(return_id)
        return copy.deepcopy(found) if found else None

    def save(self, r: Return) -> None:
        stored = self.state.returns.get(r.id)
        if stored is None or stored.version != r.version:
            raise ConcurrentUpdate(f"return {r.number} was changed by someone else")
        r.version += 1
        tracking = r.tracking_number
        if tracking and any(
            x.tracking_number == tracking for x in self.state.returns.values() if x.id != r.id
        ):
            raise ConstraintViolation(f"returns: tracking number {tracking} is taken")
        self.state.returns[r.id] = _as_stored(r)

    def search(self, flt: ReturnFilter) -> list[Return]:
        found = [
            r
            for r in sorted(self.state.returns.values(), key=lambda x: -x.id)
            if (flt.status is None or r.status.value == flt.status)
            and (flt.order_id is None or r.order_id == flt.order_id)
            and (flt.before_id is None or r.id < flt.before_id)
        ]
        return copy.deepcopy(found[: flt.limit])

    def of_order(self, order_id: int) -> list[Return]:
        return copy.deepcopy(
            sorted(
                (r for r in self.state.returns.values() if r.order_id == order_id),
                key=lambda x: x.id,
            )
        )

    def policy(self, channel: str) -> ReturnPolicy | None:
        policies = self.state.return_policies
        return policies.get(channel) or policies.get(DEFAULT_CHANNEL)

    def list_policies(self) -> dict[str, ReturnPolicy]:
        return dict(sorted(self.state.return_policies.items()))

    def set_policy(self, channel: str, policy: ReturnPolicy) -> None:
        self.state.return_policies[channel] = policy

    def delete_policy(self, channel: str) -> bool:
        return self.state.return_policies.pop(channel, None) is not None

"""What return use cases need from storage: returns, their lines, and return policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from oms.domain.returns.model import Return
from oms.domain.returns.policy import ReturnPolicy

# The policy of every channel that has none of its own.
DEFAULT_CHANNEL = "*"


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    status: str | None = None
    order_id: int | None = None
    before_id: int | None = None
    limit: int = 50


class ReturnRepository(Protocol):
    def next_id(self) -> int:
        """The id of a new return (its number is made from it), taken before it is built."""

    def add(self, r: Return) -> None:
        """Insert the new return and its lines (its events go to the order's timeline)."""

    def get(self, return_id: int, *, lock: bool = False) -> Return | None:
        """The return with its lines; `lock` holds its row until commit (PostgreSQL)."""

    def save(self, r: Return) -> None:
        """Store status, label, line counts and times; ConcurrentUpdate if the version moved."""

    def search(self, flt: ReturnFilter) -> list[Return]:
        """Newest first, keyset-paged by id."""

    def of_order(self, order_id: int) -> list[Return]: ...
    def policy(self, channel: str) -> ReturnPolicy | None:
        """The channel's own policy, else the default row's, else None (the domain's)."""

    def list_policies(self) -> dict[str, ReturnPolicy]:
        """Every stored policy by channel, in channel order; the default's under "*"."""

    def set_policy(self, channel: str, policy: ReturnPolicy) -> None:
        """Store the channel's own policy, replacing the one it had."""

    def delete_policy(self, channel: str) -> bool:
        """Remove the channel's own policy; False when it had none."""

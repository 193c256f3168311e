"""Checkout holds: units kept for a cart for a few minutes, and the rules that decide them.

A hold is not a stock move: it changes neither on hand nor reserved, so it leaves no ledger
row. It counts against `available` only while it is live (`now < expires_at`); past its
expiry it holds nothing, whoever looks, with no worker needed (decision 0007).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from oms.domain.errors import Conflict, FieldErrors

MAX_SECONDS = 24 * 3600
MAX_LINES = 100
MAX_QUANTITY = 1_000_000


class HoldEnd(StrEnum):
    """How a hold stopped holding (None while it is live or merely past its expiry)."""

    RELEASED = "released"  # DELETE /holds/{id}
    CONVERTED = "converted"  # an order took its units
    EXPIRED = "expired"  # the sweep found it past its expiry and deleted its units


@dataclass(frozen=True, slots=True)
class HoldRequest:
    """A cart asking for units: channel, (sku, quantity) lines, seconds to keep them."""

    channel: str
    lines: Sequence[tuple[str, int]]
    expires_in: int | None = None

    def check(self) -> None:
        """Shape rules; every broken one is reported (422), none short-circuits."""
        errors = FieldErrors()
        if not self.channel.strip():
            errors.add("channel", "must not be empty")
        if not self.lines:
            errors.add("lines", "a hold needs at least one line")
        if len(self.lines) > MAX_LINES:
            errors.add("lines", f"at most {MAX_LINES} lines")
        seen: set[str] = set()
        for i, (sku, quantity) in enumerate(self.lines):
            if not 1 <= quantity <= MAX_QUANTITY:
                errors.add(f"lines[{i}].quantity", f"must be between 1 and {MAX_QUANTITY}")
            if sku in seen:
                errors.add(f"lines[{i}].sku", "this SKU is already in the hold: one line per SKU")
            seen.add(sku)
        if self.expires_in is not None and not 1 <= self.expires_in <= MAX_SECONDS:
            errors.add("expires_in", f"seconds, between 1 and {MAX_SECONDS}")
        errors.raise_if_any()

    def expiry(self, now: datetime, default_minutes: int) -> datetime:
        """`expires_in` seconds from now, else the channel's hold minutes."""
        if self.expires_in is not None:
            return now + timedelta(seconds=self.expires_in)
        return now + timedelta(minutes=default_minutes)


@dataclass(frozen=True, slots=True)
class HeldUnits:
    """Units of one stock row kept by a hold. `product_id` is the row's product; `kit_id`
    names the kit whose line they are kept for when they are one of its components."""

    product_id: int
    stock_id: int
    quantity: int
    kit_id: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold as stored: its units are those it still keeps (none once it has ended)."""

    id: int
    channel: str
    created_at: datetime
    expires_at: datetime
    created_by: str
    units: tuple[HeldUnits, ...] = ()
    ended: HoldEnd | None = None
    order_id: int | None = None

    def live(self, now: datetime) -> bool:
        return self.ended is None and now < self.expires_at

    def check_convertible(self, channel: str, now: datetime) -> None:
        """May an order of `channel` take this hold's units now? HoldNotUsable if not."""
        if self.channel != channel:
            raise FieldErrors.single(
                "hold_id", f"hold {self.id} is for channel {self.channel!r}, not {channel!r}"
            )
        if self.ended is HoldEnd.CONVERTED:
            raise HoldNotUsable(f"hold {self.id} was already taken by order id {self.order_id}")
        if self.ended is HoldEnd.RELEASED:
            raise HoldNotUsable(f"hold {self.id} was released")
        if not self.live(now):
            raise HoldNotUsable(
                f"hold {self.id} expired at {self.expires_at.isoformat()}; its units are free"
                " again: place the order without hold_id, or hold again"
            )


class HoldNotUsable(Conflict):
    """The hold ended (expired, released, or taken by an order): it holds nothing now."""

    title = "Hold no longer holds stock"


@dataclass(frozen=True, slots=True)
class HoldOption:
    """A shipping stock row a hold may take units from, with what is available on it."""

    stock_id: int
    product_id: int
    available: int
    location_priority: int
    location_id: int = 0


# A kit's components: (component product id, units of it in one kit).
Parts = Sequence[tuple[int, int]]


def plan_hold(
    wanted: Sequence[tuple[int, int]],
    options: Sequence[HoldOption],
    kits: Mapping[int, Parts] | None = None,
) -> list[HeldUnits]:
    """Which rows keep the units of each (product id, quantity): a hold has no address yet,
    so the highest-priority location first, then the one with most available, then the
    lowest row id. Takes what there is; never more than available (a hold never backorders).
    A kit (in `kits`) is kept in whole kits, each at one location, on its components' rows
    (decision 0008: a kit ships complete from one location)."""
    free = {o.stock_id: max(o.available, 0) for o in options}
    ranked = sorted(options, key=lambda o: (-o.location_priority, -o.available, o.stock_id))
    taken: list[HeldUnits] = []
    for product_id, quantity in wanted:
        parts = (kits or {}).get(product_id)
        if parts:
            taken.extend(_hold_kits(product_id, quantity, parts, options, free))
            continue
        left = quantity
        for o in ranked:
            if left <= 0:
                break
            if o.product_id != product_id or free[o.stock_id] <= 0:
                continue
            take = min(left, free[o.stock_id])
            free[o.stock_id] -= take
            left -= take
            taken.append(HeldUnits(product_id, o.stock_id, take))
    return taken


def _hold_kits(
    kit_id: int, quantity: int, parts: Parts, options: Sequence[HoldOption], free: dict[int, int]
) -> list[HeldUnits]:
    """Whole kits at the locations that make most of them (highest priority first),
    taking from `free` what they keep."""
    rows: dict[int, dict[int, HoldOption]] = {}
    for o in options:
        rows.setdefault(o.location_id, {})[o.product_id] = o

    def kits_at(location_id: int) -> int:
        at = rows[location_id]
        if any(p not in at for p, _ in parts):
            return 0
        return min(free[at[p].stock_id] // per for p, per in parts)

    def rank(location_id: int) -> tuple[int, int, int]:
        priority = max(o.location_priority for o in rows[location_id].values())
        return (-priority, -kits_at(location_id), location_id)

    taken: list[HeldUnits] = []
    left = quantity
    for location_id in sorted(rows, key=rank):
        take = min(left, kits_at(location_id))
        if take <= 0:
            continue
        for p, per in parts:
            row = rows[location_id][p].stock_id
            free[row] -= take * per
            taken.append(HeldUnits(p, row, take * per, kit_id))
        left -= take
    return taken


def kits_in(units: Sequence[HeldUnits], kit_id: int, parts: Parts, where: Mapping[int, int]) -> int:
    """Whole kits of `kit_id` that these units make, location by location (`where`: stock
    row id to location id); a component kept short (a row that gave way) makes fewer."""
    per_location: dict[int, dict[int, int]] = {}
    for u in units:
        if u.kit_id == kit_id:
            at = per_location.setdefault(where[u.stock_id], {})
            at[u.product_id] = at.get(u.product_id, 0) + u.quantity
    return sum(min(at.get(p, 0) // per for p, per in parts) for at in per_location.values())


def held_quantity(
    units: Sequence[HeldUnits], product_id: int, parts: Parts | None, where: Mapping[int, int]
) -> int:
    """What a hold keeps of one of its lines: units of a plain product, whole kits of a kit."""
    if parts:
        return kits_in(units, product_id, parts, where)
    return sum(u.quantity for u in units if u.product_id == product_id and u.kit_id is None)


def give_way(units: Sequence[tuple[int, datetime, int]], shortfall: int) -> list[tuple[int, int]]:
    """Stock fell below reserved + held on a row: which holds give up how much, newest
    first (as reservations do). `units` is (hold id, created at, quantity) on that row."""
    takes: list[tuple[int, int]] = []
    for hold_id, _, quantity in sorted(units, key=lambda u: (u[1], u[0]), reverse=True):
        if shortfall <= 0:
            break
        take = min(quantity, shortfall)
        takes.append((hold_id, take))
        shortfall -= take
    return takes


@dataclass(slots=True)
class Taken:
    """What one order line takes from the hold it converts: line units (kits for a kit
    line), stock units per row, and on a kit's rows its component units per kit."""

    units: int = 0
    rows: dict[int, int] = field(default_factory=dict)
    per: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Stock units taken, over all rows."""
        return sum(self.rows.values())

    def take(self, stock_id: int, quantity: int, per: int | None = None) -> None:
        self.rows[stock_id] = self.rows.get(stock_id, 0) + quantity
        if per is not None:
            self.per[stock_id] = per


def take_from_hold(
    units: Sequence[HeldUnits],
    lines: Sequence[tuple[int, int, Parts | None]],
    where: Mapping[int, int],
) -> list[Taken]:
    """Which of the hold's units go to each order line (product id, quantity, a kit's
    parts or None), in line order: a plain line takes its product's units kept for plain
    lines; a kit line takes whole kits from the units kept for that kit, location by
    location (`where`: stock row id to location id). Units no line takes are freed."""
    left = [u.quantity for u in units]
    taken: list[Taken] = []
    for product_id, quantity, parts in lines:
        took = Taken()
        if parts:
            _take_kits(took, (product_id, quantity, parts), units, left, where)
        else:
            for i, u in enumerate(units):
                q = min(left[i], quantity - took.units)
                if u.product_id != product_id or u.kit_id is not None or q <= 0:
                    continue
                left[i] -= q
                took.take(u.stock_id, q)
                took.units += q
        taken.append(took)
    return taken


def _take_kits(
    took: Taken,
    line: tuple[int, int, Parts],
    units: Sequence[HeldUnits],
    left: list[int],
    where: Mapping[int, int],
) -> None:
    kit_id, quantity, parts = line
    at: dict[int, dict[int, int]] = {}  # location -> component -> index in units
    for i, u in enumerate(units):
        if u.kit_id == kit_id and left[i] > 0 and u.stock_id in where:
            at.setdefault(where[u.stock_id], {})[u.product_id] = i
    for location_id in sorted(at):
        rows = at[location_id]
        whole = min((left[rows[p]] // per if p in rows else 0) for p, per in parts)
        take = min(whole, quantity - took.units)
        if take <= 0:
            continue
        for p, per in parts:
            i = rows[p]
            left[i] -= take * per
            took.take(units[i].stock_id, take * per, per)
        took.units += take

"""Carriers and their rate tables in SQL; each row names the adapter that speaks for it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from oms.adapters.carriers.builtin import BuiltinCarrier, CarrierProfile
from oms.adapters.db.base import Repository, from_minor
from oms.adapters.db.tables import carrier_rates, carriers
from oms.domain.errors import Conflict
from oms.domain.fulfilment.rates import RateTable, RateZone
from oms.domain.money import Money
from oms.services.ports.carriers import CarrierGateway

if TYPE_CHECKING:
    from oms.adapters.db.uow import SqlUnitOfWork


def _zone(m: Any) -> RateZone:
    currency = m["currency"]
    return RateZone(
        name=m["zone"],
        origin=m["origin"],
        destinations=frozenset(m["destinations"].split()),
        base=Money(from_minor(m["base_minor"], currency), currency),
        per_kg=Money(from_minor(m["per_kg_minor"], currency), currency),
        transit_days=m["transit_days"],
        postal_prefixes=frozenset(m["postal_prefixes"].split()),
        max_weight_grams=m["max_weight_grams"],
    )


@dataclass(frozen=True, slots=True)
class _Carrier:
    profile: CarrierProfile
    adapter: str
    rates: dict[str, RateTable]


class CarrierBook:
    """Carriers and their rate tables, read once per process and kept: they are reference
    data that only a migration changes (restart the servers after one). A carrier not
    found is looked up again next time, so one added later is seen; tracking numbers
    still come from the database in each transaction."""

    def __init__(self) -> None:
        self.carriers: dict[str, _Carrier] = {}
        self.default_code: str | None = None


class SqlCarriers(Repository):
    def __init__(self, uow: SqlUnitOfWork, book: CarrierBook) -> None:
        super().__init__(uow)
        self._book = book

    def get(self, code: str) -> CarrierGateway | None:
        known = self._book.carriers.get(code)
        if known is None:
            row = self.conn.execute(carriers.select().where(carriers.c.code == code)).first()
            if row is None:
                return None
            known = self._load(row._mapping)
            self._book.carriers[code] = known
        # `local`: a location's own drivers; its prices are each location's (local_delivery),
        # its tracking numbers, labels and events are the built-in carrier's.
        if known.adapter not in ("builtin", "local"):
            raise Conflict(f"carrier {code} uses adapter {known.adapter!r}, which oms lacks")
        return BuiltinCarrier(
            known.profile, known.rates, lambda: self._next_serial(code), self._uow.documents
        )

    def default(self) -> CarrierGateway:
        if self._book.default_code is None:
            self._book.default_code = self.conn.execute(
                sa.select(carriers.c.code)
                .order_by(carriers.c.is_default.desc(), carriers.c.id)
                .limit(1)
            ).scalar()
        gateway = self.get(self._book.default_code) if self._book.default_code else None
        if gateway is None:
            raise Conflict("no carrier is set up; run `oms db upgrade`")
        return gateway

    def codes(self) -> list[str]:
        return list(
            self.conn.execute(sa.select(carriers.c.code).order_by(carriers.c.code)).scalars()
        )

    def _load(self, m: Any) -> _Carrier:
        zones: dict[str, list[RateZone]] = defaultdict(list)
        for r in self.conn.execute(
            carrier_rates.select()
            .where(carrier_rates.c.carrier_id == m["id"])
            .order_by(carrier_rates.c.id)
        ):
            zones[r.service].append(_zone(r._mapping))
        return _Carrier(
            CarrierProfile(m["code"], m["name"], m["default_service"], m["service_indicator"]),
            m["adapter"],
            {service: RateTable(tuple(z)) for service, z in zones.items()},
        )

    def _next_serial(self, code: str) -> int:
        """Take the next serial of the carrier's range (its row is locked until commit)."""
        serial = self.conn.execute(
            carriers.update()
            .where(carriers.c.code == code, carriers.c.serial_next <= carriers.c.serial_last)
            .values(serial_next=carriers.c.serial_next + 1)
            .returning(carriers.c.serial_next)
        ).scalar()
        if serial is None:
            raise Conflict(f"carrier {code} has used up its tracking number range")
        return int(serial) - 1

"""Carriers in memory: the built-in carrier with the rate table the migration seeds, and its
tracking-number serials from a counter in the store."""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import oms.adapters.db
from oms.adapters.carriers.builtin import BuiltinCarrier, CarrierProfile
from oms.domain.errors import Conflict
from oms.domain.fulfilment.rates import RateTable, RateZone
from oms.domain.money import Money
from oms.services.ports.carriers import CarrierGateway
from tests.memory.base import MemoryRepository

_MIGRATIONS = Path(oms.adapters.db.__file__).parent / "migrations" / "versions"


@dataclass(frozen=True, slots=True)
class CarrierSetup:
    """A carrier as its rows describe it: profile, rates per service, serial range."""

    profile: CarrierProfile
    rates: dict[str, RateTable]
    serial_first: int
    serial_last: int
    is_default: bool = False


def _migration(revision: str) -> ModuleType:
    """The migration module itself: its seed data is the one definition of the defaults."""
    (path,) = _MIGRATIONS.glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"oms_migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cents(minor: int) -> Money:
    return Money(Decimal(minor).scaleb(-2).quantize(Decimal("0.01")), "EUR")


def builtin_carriers() -> list[CarrierSetup]:
    """oms-post as migration 0003 seeds it (prices there are EUR cents), and the local
    delivery carrier of migration 0013 (its prices are each location's)."""
    seed = _migration("0003")
    zones: dict[str, list[RateZone]] = defaultdict(list)
    for service, zone, origin, to, prefixes, base, per_kg, days, grams in seed._RATES:
        zones[service].append(
            RateZone(
                zone,
                origin,
                frozenset(to.split()),
                _cents(base),
                _cents(per_kg),
                days,
                frozenset(prefixes.split()),
                grams,
            )
        )
    profile = CarrierProfile(seed.BUILTIN_CARRIER, "oms Post", "standard", "CP")
    rates = {service: RateTable(tuple(z)) for service, z in zones.items()}
    local = _migration("0013")
    return [
        CarrierSetup(profile, rates, 10_000_000, 99_999_999, is_default=True),
        CarrierSetup(
            CarrierProfile(local.LOCAL_CARRIER, local.LOCAL_NAME, "local", local.LOCAL_INDICATOR),
            {},
            *local.LOCAL_SERIALS,
        ),
    ]


class MemoryCarriers(MemoryRepository):
    def get(self, code: str) -> CarrierGateway | None:
        setup = self._uow.database.carriers.get(code)
        if setup is None:
            return None
        return BuiltinCarrier(
            setup.profile, setup.rates, lambda: self._next_serial(setup), self._uow.documents
        )

    def default(self) -> CarrierGateway:
        setups = self._uow.database.carriers.values()
        chosen = next((s for s in setups if s.is_default), next(iter(setups), None))
        gateway = self.get(chosen.profile.code) if chosen else None
        if gateway is None:
            raise Conflict("no carrier is set up; run `oms db upgrade`")
        return gateway

    def codes(self) -> list[str]:
        return sorted(self._uow.database.carriers)

    def _next_serial(self, setup: CarrierSetup) -> int:
        code = setup.profile.code
        serial = self.state.carrier_serials[code]
        if serial > setup.serial_last:
            raise Conflict(f"carrier {code} has used up its tracking number range")
        self.state.carrier_serials[code] = serial + 1
        return serial

"""A location's local delivery: its settings, and the quote of the local service to an
address, which sourcing, promises and shipping ask like any carrier's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Location
from oms.domain.errors import NotFound
from oms.domain.fulfilment.calendar import LocationSchedule
from oms.domain.fulfilment.local_delivery import (
    LOCAL_CARRIER,
    LocalDelivery,
    LocalDeliverySettings,
)
from oms.domain.fulfilment.rates import Quote
from oms.domain.orders.model import Address
from oms.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LocalQuote:
    """The local service from one location to one address: price, transit, calendar."""

    settings: LocalDelivery
    quote: Quote
    schedule: LocationSchedule
    carrier: str = LOCAL_CARRIER


def quote_local(
    location: Location, settings: LocalDelivery | None, to: Address, weight_grams: int
) -> LocalQuote | None:
    """The local quote if the location's drivers go to this address, else None."""
    if settings is None or not settings.covers(location.country, to.country, to.postal_code):
        return None
    return LocalQuote(
        settings, settings.quote(weight_grams), settings.schedule(location.schedule())
    )


def settings_of(uow: UnitOfWork, location_ids: Sequence[int]) -> dict[int, LocalDelivery]:
    """Inside a transaction: the local delivery of these locations (one query)."""
    return uow.delivery.local_delivery(location_ids)


def _location(uow: UnitOfWork, code: str) -> Location:
    location = uow.locations.get(code)
    if location is None:
        raise NotFound(f"no location with code {code!r}")
    return location


def get_local_delivery(uow: UnitOfWork, actor: Actor, code: str) -> LocalDelivery | None:
    actor.require(Permission.CATALOGUE_READ)

    def work() -> LocalDelivery | None:
        location = _location(uow, code)
        return uow.delivery.local_delivery([location.id]).get(location.id)

    return uow.run(work, write=False)


def set_local_delivery(
    uow: UnitOfWork, actor: Actor, code: str, settings: LocalDeliverySettings
) -> LocalDelivery:
    """Replace the location's local delivery settings (no prefixes: it delivers nowhere)."""
    actor.require(Permission.LOCATION_WRITE)

    def work() -> LocalDelivery:
        location = _location(uow, code)
        stored = settings.for_location(location.id)
        uow.delivery.set_local_delivery(stored)
        return stored

    return uow.run(work)

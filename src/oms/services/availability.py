"""Available to promise: what can be sold now to an address, and the earliest arrival."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.domain.fulfilment.calendar import promise
from oms.domain.fulfilment.errors import NoRate
from oms.domain.money import Money
from oms.domain.orders.model import Address
from oms.services.kits import available_at
from oms.services.local_delivery import quote_local
from oms.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LocationPromise:
    location: str
    available: int
    ship_date: date | None
    promised_delivery_date: date | None
    cost: Money | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Availability:
    sku: str
    country: str
    postal_code: str
    available: int
    earliest_promised_delivery_date: date | None
    locations: list[LocationPromise]


def availability(
    uow: UnitOfWork, actor: Actor, sku: str, country: str, postal_code: str
) -> Availability:
    """What can be sold now to this address, and the earliest day it could arrive."""
    actor.require(Permission.SHIPMENT_READ)
    errors = FieldErrors()
    if len(country) != 2:
        errors.add("country", "an ISO 3166-1 alpha-2 code")
    if not postal_code.strip():
        errors.add("postal_code", "must not be empty")
    errors.raise_if_any()

    def work() -> Availability:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"no product with SKU {sku!r}")
        carrier = uow.carriers.default()
        now = uow.now()
        places = {loc.id: loc for loc in uow.locations.all() if loc.ships}
        # A kit promises the whole kits its components make (decision 0008).
        rows = [
            r for r in available_at(uow, product) if r.location_id in places and r.available > 0
        ]
        promises: list[LocationPromise] = []
        local = uow.delivery.local_delivery(sorted({r.location_id for r in rows}))
        to = Address("", "", "", postal_code, country.upper())
        for row in sorted(rows, key=lambda r: r.location):
            location = places[row.location_id]
            by_van = quote_local(
                location, local.get(row.location_id), to, product.weight_grams or 0
            )
            if by_van is not None:
                dates = promise(by_van.schedule, now, by_van.quote.transit_days, to.country)
                promises.append(
                    LocationPromise(
                        location.code,
                        row.available,
                        dates.ship_date,
                        dates.promised_delivery_date,
                        by_van.quote.cost,
                        "local delivery",
                    )
                )
                continue
            try:
                quote = carrier.quote(
                    location.country, country.upper(), postal_code, product.weight_grams or 0
                )
            except NoRate:
                promises.append(
                    LocationPromise(location.code, row.available, None, None, None, "no rate")
                )
                continue
            dates = promise(location.schedule(), now, quote.transit_days, country.upper())
            promises.append(
                LocationPromise(
                    location.code,
                    row.available,
                    dates.ship_date,
                    dates.promised_delivery_date,
                    quote.cost,
                )
            )
        reachable = [p for p in promises if p.promised_delivery_date is not None]
        return Availability(
            sku,
            country.upper(),
            postal_code,
            sum(p.available for p in reachable),
            min(
                (p.promised_delivery_date for p in reachable if p.promised_delivery_date),
                default=None,
            ),
            promises,
        )

    return uow.run(work, write=False)

"""Which station a user opens on: their own location when they are bound to a shipping one,
else the only shipping location, else a choice."""

from __future__ import annotations

from oms.domain.access import Actor, Role
from oms.domain.catalogue.model import Location, LocationKind
from oms.services.station import own_location


def _location(code: str, location_id: int) -> Location:
    return Location(location_id, code, code, LocationKind.WAREHOUSE, "FR", "75011", True, 0)


PAR, LYO = _location("PAR", 1), _location("LYO", 2)


def test_a_user_bound_to_a_shipping_location_opens_on_it() -> None:
    wes = Actor("wes", Role.WAREHOUSE, location_code="LYO")
    assert own_location(wes, [PAR, LYO]) == LYO
    assert own_location(wes, [LYO]) == LYO


def test_without_a_usable_binding_the_only_location_or_a_choice() -> None:
    unbound = Actor("una", Role.WAREHOUSE)
    assert own_location(unbound, [PAR]) == PAR
    assert own_location(unbound, [PAR, LYO]) is None
    elsewhere = Actor("eve", Role.WAREHOUSE, location_code="BER")  # not a shipping one
    assert own_location(elsewhere, [PAR, LYO]) is None
    assert own_location(elsewhere, [PAR]) == PAR

"""The product and location repositories' contract: unique codes, reads by key, paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from oms.domain.catalogue.model import LocationKind
from oms.domain.errors import AlreadyExists
from oms.services.ports import UnitOfWork
from tests.contract.seed import location, product


def test_products_read_back_by_sku_and_id(each_uow: UnitOfWork) -> None:
    tee = product(each_uow, "TEE", price="19.9", weight_grams=250, barcode="3000000000017")
    mug = product(each_uow, "MUG", price="500", currency="JPY")
    run, products = each_uow.run, each_uow.products
    stored = run(lambda: products.get("TEE"))
    assert stored == tee and stored is not None and str(stored.price) == "19.90"
    assert run(lambda: products.get("NOPE")) is None
    assert run(lambda: products.by_skus(["MUG", "NOPE"])) == {"MUG": mug}
    assert run(lambda: products.by_ids([tee.id, 999])) == {tee.id: tee}
    assert run(lambda: products.by_ids([])) == {}


def test_a_repeated_sku_is_refused(each_uow: UnitOfWork) -> None:
    product(each_uow, "TEE")
    with pytest.raises(AlreadyExists):
        product(each_uow, "TEE")


def test_products_page_by_sku(each_uow: UnitOfWork) -> None:
    for sku in ("MUG", "CAP", "TEE", "BAG"):
        product(each_uow, sku)
    page = each_uow.products.page
    assert [p.sku for p in each_uow.run(lambda: page(None, 3))] == ["BAG", "CAP", "MUG"]
    assert [p.sku for p in each_uow.run(lambda: page("CAP", 3))] == ["MUG", "TEE"]
    assert each_uow.run(lambda: page("TEE", 3)) == []


def test_locations_read_back_with_their_country_defaults(each_uow: UnitOfWork) -> None:
    ber = location(each_uow, "BER", country="DE", postal_code="10115", priority=3)
    par = location(each_uow, "PAR")
    run, locations = each_uow.run, each_uow.locations
    assert run(lambda: locations.get("BER")) == ber
    assert ber.time_zone == "Europe/Berlin" and ber.default_bin == "A-01-01"
    assert run(lambda: locations.by_id(par.id)) == par
    assert run(lambda: locations.get("NOPE")) is None
    assert run(lambda: locations.by_id(999)) is None
    assert [loc.code for loc in run(lambda: locations.all())] == ["BER", "PAR"]
    with pytest.raises(AlreadyExists):
        location(each_uow, "PAR")


def test_saving_settings_changes_what_may_change(each_uow: UnitOfWork) -> None:
    par = location(each_uow, "PAR")
    changed = replace(
        par,
        ships=False,
        priority=5,
        time_zone="Europe/Paris",
        cut_off=time(17, 30),
        working_days=frozenset({0, 1, 2, 3, 4, 5}),
        default_bin="Z-1",
        name="Paris Nord",
        kind=LocationKind.STORE,
        country="DE",  # ignored: the country, postal code and code never change
        postal_code="10115",
    )
    each_uow.run(lambda: each_uow.locations.save_settings(changed))
    assert each_uow.run(lambda: each_uow.locations.get("PAR")) == replace(
        changed, country=par.country, postal_code=par.postal_code
    )

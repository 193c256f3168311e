"""Editing, archiving and listing products, and users bound to a location, through the
services on every unit of work (memory, SQLite, PostgreSQL when configured)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.catalogue.model import ProductChange
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.users import NewUser, UserChange
from oms.services import catalogue, orders, users
from oms.services.ports import UnitOfWork
from oms.services.users import authenticate_token
from tests.builders import draft, new_location, new_product, stocked

SALES = Actor("sally", Role.SALES)


def test_editing_a_product_changes_what_is_asked_and_keeps_the_rest(each_uow: UnitOfWork) -> None:
    catalogue.create_product(each_uow, SYSTEM, new_product("TEE", "19.90", weight_grams=200))
    change = ProductChange(name="Tee, organic", price=Decimal("21.50"), barcode="4006381333931")
    updated = catalogue.update_product(each_uow, SYSTEM, "TEE", change)
    stored = catalogue.get_product(each_uow, SYSTEM, "TEE")
    assert stored == updated
    assert (stored.name, stored.price, stored.weight_grams, stored.barcode) == (
        "Tee, organic",
        Decimal("21.50"),
        200,
        "4006381333931",
    )
    emptied = catalogue.update_product(
        each_uow, SYSTEM, "TEE", ProductChange(clear=frozenset({"weight_grams", "barcode"}))
    )
    assert (emptied.weight_grams, emptied.barcode) == (None, None)
    assert catalogue.get_product(each_uow, SYSTEM, "TEE").weight_grams is None


def test_a_bad_edit_is_refused_by_field_and_changes_nothing(each_uow: UnitOfWork) -> None:
    catalogue.create_product(each_uow, SYSTEM, new_product("TEE", "19.90"))
    bad = ProductChange(name=" ", price=Decimal("1.001"), weight_grams=-1)
    with pytest.raises(InvalidInput) as refused:
        catalogue.update_product(each_uow, SYSTEM, "TEE", bad)
    assert {e.field for e in refused.value.errors} == {"name", "price", "weight_grams"}
    assert catalogue.get_product(each_uow, SYSTEM, "TEE").price == Decimal("19.90")
    with pytest.raises(InvalidInput):
        catalogue.update_product(each_uow, SYSTEM, "TEE", ProductChange(clear=frozenset({"name"})))


def test_only_a_role_that_may_write_the_catalogue_edits_it(each_uow: UnitOfWork) -> None:
    catalogue.create_product(each_uow, SYSTEM, new_product("TEE", "19.90"))
    with pytest.raises(PermissionDenied):
        catalogue.update_product(each_uow, SALES, "TEE", ProductChange(archived=True))
    assert not catalogue.get_product(each_uow, SYSTEM, "TEE").archived
    with pytest.raises(NotFound):
        catalogue.update_product(each_uow, SYSTEM, "NOPE", ProductChange(name="x"))


def test_archived_products_leave_the_list_unless_asked_for(each_uow: UnitOfWork) -> None:
    for sku, name in (("CAP", "Cap"), ("MUG", "Mug, stoneware"), ("TEE", "Tee")):
        catalogue.create_product(each_uow, SYSTEM, new_product(sku, name=name))
    catalogue.update_product(each_uow, SYSTEM, "MUG", ProductChange(archived=True))

    def skus(**kw: object) -> list[str]:
        return [p.sku for p in catalogue.list_products(each_uow, SALES, **kw)]  # type: ignore[arg-type]

    assert skus() == ["CAP", "TEE"]
    assert skus(archived=True) == ["MUG"]
    assert skus(archived=None) == ["CAP", "MUG", "TEE"]
    assert skus(archived=None, text="stone") == ["MUG"]  # part of the name, any case
    assert skus(archived=None, text="t") == ["MUG", "TEE"]  # "stoneware" and "TEE"
    assert skus(archived=None, text="100%_") == []  # LIKE wildcards are plain characters
    assert [p.sku for p in catalogue.list_products(each_uow, SALES, "CAP", 1)] == ["TEE"]

    catalogue.update_product(each_uow, SYSTEM, "MUG", ProductChange(archived=False))
    assert skus() == ["CAP", "MUG", "TEE"]


def test_an_archived_product_cannot_be_ordered_and_its_orders_keep_it(
    each_uow: UnitOfWork,
) -> None:
    stocked(each_uow, "MUG", 10, price="8.50")
    stocked(each_uow, "TEE", 10)
    before = orders.place_order(each_uow, SYSTEM, draft(("MUG", 2))).order
    catalogue.update_product(each_uow, SYSTEM, "MUG", ProductChange(archived=True))

    with pytest.raises(InvalidInput) as refused:
        orders.place_order(each_uow, SYSTEM, draft(("TEE", 1), ("MUG", 1)))
    (error,) = refused.value.errors
    assert error.field == "lines[1].sku"
    assert "'MUG' is archived" in error.message

    kept = orders.get_order(each_uow, SYSTEM, before.id)
    assert [(line.sku, line.quantity, line.unit_price) for line in kept.lines] == [
        ("MUG", 2, Decimal("8.50"))
    ]
    catalogue.update_product(each_uow, SYSTEM, "MUG", ProductChange(archived=False))
    assert orders.place_order(each_uow, SYSTEM, draft(("MUG", 1))).order.lines[0].sku == "MUG"


# -- users bound to a location ---------------------------------------------------------------


def test_a_user_bound_to_a_location_acts_with_it(each_uow: UnitOfWork) -> None:
    catalogue.create_location(each_uow, SYSTEM, new_location("PAR"))
    created = users.create_user(each_uow, SYSTEM, NewUser("wes", Role.WAREHOUSE, location="PAR"))
    assert created.user.location == "PAR"
    assert users.get_user(each_uow, SYSTEM, "wes").location == "PAR"
    actor = authenticate_token(each_uow, created.token.token)
    assert actor == Actor("wes", Role.WAREHOUSE, location_code="PAR")


def test_a_user_cannot_be_bound_to_a_location_that_does_not_exist(each_uow: UnitOfWork) -> None:
    catalogue.create_location(each_uow, SYSTEM, new_location("PAR"))
    with pytest.raises(InvalidInput) as refused:
        users.create_user(each_uow, SYSTEM, NewUser("wes", Role.WAREHOUSE, location="NOWHERE"))
    (error,) = refused.value.errors
    assert error.field == "location" and "unknown location 'NOWHERE'" in error.message
    assert "PAR" in error.message
    assert [u.name for u in users.list_users(each_uow, SYSTEM)] == []


def test_an_admin_changes_a_role_and_a_location(each_uow: UnitOfWork) -> None:
    for code in ("PAR", "LYO"):
        catalogue.create_location(each_uow, SYSTEM, new_location(code))
    token = users.create_user(each_uow, SYSTEM, NewUser("wes", Role.WAREHOUSE, location="PAR"))
    admin = Actor("root", Role.ADMIN)
    moved = users.update_user(each_uow, admin, "wes", UserChange(location="LYO"))
    assert (moved.role, moved.location) == (Role.WAREHOUSE, "LYO")
    promoted = users.update_user(each_uow, admin, "wes", UserChange(role=Role.ANALYST))
    assert (promoted.role, promoted.location) == (Role.ANALYST, "LYO")
    assert authenticate_token(each_uow, token.token.token).role is Role.ANALYST  # at once
    unbound = users.update_user(each_uow, admin, "wes", UserChange(clear_location=True))
    assert unbound.location is None

    with pytest.raises(InvalidInput):
        users.update_user(each_uow, admin, "wes", UserChange(location="NOWHERE"))
    with pytest.raises(InvalidInput):
        users.update_user(each_uow, admin, "wes", UserChange(role=Role.CARRIER))
    with pytest.raises(PermissionDenied):
        users.update_user(each_uow, SALES, "wes", UserChange(role=Role.ADMIN))
    with pytest.raises(NotFound):
        users.update_user(each_uow, admin, "nobody", UserChange(role=Role.SALES))
    with pytest.raises(Conflict):
        users.update_user(each_uow, admin, "root", UserChange(role=Role.SALES))
    assert users.get_user(each_uow, SYSTEM, "wes").role is Role.ANALYST

"""The carrier repository's contract: the built-in carrier as the migration seeds it, its
rates, and tracking numbers that are never handed out twice."""

from __future__ import annotations

import pytest

from oms.services.ports import UnitOfWork


def test_the_default_carrier_is_the_seeded_oms_post(each_uow: UnitOfWork) -> None:
    carrier = each_uow.run(lambda: each_uow.carriers.default())
    assert (carrier.code, carrier.name, carrier.default_service) == (
        "oms-post",
        "oms Post",
        "standard",
    )
    assert carrier.services() == ["express", "standard"]
    assert each_uow.run(lambda: each_uow.carriers.codes()) == ["local", "oms-post"]
    assert each_uow.run(lambda: each_uow.carriers.get("nope")) is None


def test_rates_are_the_seeded_ones(each_uow: UnitOfWork) -> None:
    carrier = each_uow.run(lambda: each_uow.carriers.default())
    routes = [
        ("FR", "FR", "75002", 1000, None),
        ("FR", "FR", "20000", 2500, None),
        ("FR", "DE", "10115", 1000, None),
        ("DE", "DE", "10115", 31000, None),
        ("DE", "IT", "00100", 4200, None),
        ("FR", "DE", "10115", 2000, "express"),
    ]
    quotes = [
        (q.zone, str(q.cost.amount), q.transit_days)
        for q in (carrier.quote(*route) for route in routes)
    ]
    assert quotes == [
        ("FR domestic", "6.50", 2),
        ("FR Corsica", "12.10", 3),
        ("FR to Germany", "12.90", 3),
        ("DE domestic", "18.49", 1),
        ("DE to EU", "20.09", 4),
        ("FR to Germany express", "26.90", 2),
    ]


def test_tracking_numbers_follow_the_serial_range_and_roll_back(each_uow: UnitOfWork) -> None:
    def book() -> str:
        return each_uow.carriers.default().create_shipment("FR", "standard")

    def book_and_fail() -> None:
        book()
        raise LookupError

    first = each_uow.run(book)
    with pytest.raises(LookupError):
        each_uow.run(book_and_fail)
    second = each_uow.run(book)
    assert first.startswith("CP10000000") and first.endswith("FR")
    assert second[2:10] == "10000001"


def test_the_local_delivery_carrier_has_ld_tracking_numbers_and_no_rates_of_its_own(
    each_uow: UnitOfWork,
) -> None:
    def book() -> str:
        local = each_uow.carriers.get("local")
        assert local is not None and local.services() == []
        return local.create_shipment("FR", "local")

    number = each_uow.run(book)
    assert number.startswith("LD10000000") and number.endswith("FR")

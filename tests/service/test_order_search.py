"""The search box finds orders by as much of a number, email, name, phone or tracking
number as a person types (domain/orders/search.py), on both databases."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM
from oms.domain.orders.model import Customer
from oms.services import orders
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from tests.builders import draft, stocked
from tests.service.parcels import shipped

PEOPLE = {
    "anne": Customer("anne.martin@orange.fr", "Anne Martin", "+33612345678"),
    "jurgen": Customer("jurgen.mueller@web.de", "Jürgen Müller", "+4915112345678"),
    "bob": Customer("bob@example.com", "Bob Dupont", "0612345678"),
    "under": Customer("a_b@x.io", "Ann Under", None),
    "plain": Customer("axb@x.io", "Ann Plain", None),
}


@pytest.fixture
def placed(uow: UnitOfWork) -> dict[str, int]:
    """One order each; Anne's shipped (a tracking number)."""
    ids = {"anne": shipped(uow, draft(("TEE", 1), customer=PEOPLE["anne"])).order_id}
    stocked(uow, "MUG", 20)
    for who, customer in PEOPLE.items():
        if who != "anne":
            ids[who] = orders.place_order(
                uow, SYSTEM, draft(("MUG", 1), customer=customer)
            ).order.id
    return ids


def found(uow: UnitOfWork, q: str) -> set[str]:
    hits = {o.id for o in orders.list_orders(uow, SYSTEM, OrderFilter(q=q))}
    return {who for who, customer in PEOPLE.items() if _id_of(uow, customer) & hits}


def _id_of(uow: UnitOfWork, customer: Customer) -> set[int]:
    flt = OrderFilter(customer_email=customer.email)
    return {o.id for o in orders.list_orders(uow, SYSTEM, flt)}


@pytest.mark.parametrize(
    ("q", "who"),
    [
        ("anne.martin@orange.fr", {"anne"}),  # a whole address
        ("ANNE.Martin@", {"anne"}),  # its start, any case
        ("@orange.fr", {"anne"}),  # the domain: anywhere
        ("@web", {"jurgen"}),
        ("a_b@", {"under"}),  # "_" is itself, not any character
        ("a*b@", set()),  # nor is "*"
        ("anne.mar", {"anne"}),  # one word: part of an email too
        ("martin", {"anne"}),  # part of a name
        ("müller", {"jurgen"}),
        ("Bob Dup", {"bob"}),
        ("+33 6 12 34", {"anne"}),  # a phone's start, with its country code
        ("5112345678", {"jurgen"}),  # the last digits someone reads out
        ("06 12 34 56 78", {"anne", "bob"}),  # the national form: both end so
        ("nobody", set()),
    ],
)
def test_part_of_an_email_a_name_or_a_phone_finds_its_orders(
    uow: UnitOfWork, placed: dict[str, int], q: str, who: set[str]
) -> None:
    assert found(uow, q) == who


def test_the_start_of_an_order_number_finds_it_and_the_short_form_its_own(
    uow: UnitOfWork, placed: dict[str, int]
) -> None:
    numbers = {who: orders.get_order(uow, SYSTEM, i).number for who, i in placed.items()}
    bob = numbers["bob"]
    assert found(uow, bob) == {"bob"}
    assert found(uow, bob.lower()) == {"bob"}
    assert found(uow, bob[:-1]) == set(PEOPLE)  # SO-00000: every number starts so
    short = "SO-" + bob.removeprefix("SO-").lstrip("0")  # SO-3 is SO-000003
    assert found(uow, short) == {"bob"}


def test_a_tracking_number_whole_or_its_start_finds_the_shipped_order(
    uow: UnitOfWork, placed: dict[str, int]
) -> None:
    [s] = orders.order_detail(uow, SYSTEM, placed["anne"]).shipments
    number = s.tracking_number or ""
    assert found(uow, number) == {"anne"}
    assert found(uow, number[:8]) == {"anne"}
    assert found(uow, number[:8].lower()) == {"anne"}
    assert found(uow, "ZZ1234") == set()


@pytest.mark.parametrize("q", ["anne.martin@", "+33 6 12 3", "12 34 56 78", "martin"])
def test_a_search_with_a_filter_and_a_cursor_pages_newest_first(uow: UnitOfWork, q: str) -> None:
    """The start or the end of a value (read id first, order_search.newest) and a part of
    a name page as the plain list does: newest first, a filter kept, none twice."""
    stocked(uow, "MUG", 20)
    ids = [
        orders.place_order(uow, SYSTEM, draft(("MUG", 1), customer=PEOPLE["anne"])).order.id
        for _ in range(5)
    ]
    other = Customer("zoe@example.com", "Zoé Roux", "+33700000000")
    orders.place_order(uow, SYSTEM, draft(("MUG", 1), customer=other))  # found by none
    for i in (ids[1], ids[3], ids[4]):
        orders.confirm_order(uow, SYSTEM, i)

    def listed(**flt: object) -> list[int]:
        return [o.id for o in orders.list_orders(uow, SYSTEM, OrderFilter(q=q, **flt))]  # type: ignore[arg-type]

    assert listed() == sorted(ids, reverse=True)
    assert listed(limit=2) == [ids[4], ids[3]]
    assert listed(limit=2, before_id=ids[3]) == [ids[2], ids[1]]
    assert listed(status="confirmed") == [ids[4], ids[3], ids[1]]
    assert listed(status="confirmed", before_id=ids[4], limit=1) == [ids[3]]
    assert listed(status="pending", channel="nowhere") == []

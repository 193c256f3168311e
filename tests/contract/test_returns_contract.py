"""The return repository's contract: returns and their lines, numbers from ids, the
version check, search by status and order, and policies per channel with a default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from oms.domain.errors import ConcurrentUpdate
from oms.domain.orders.model import Order
from oms.domain.returns.model import Inspected, Received, Return, ReturnLabel, return_number
from oms.domain.returns.policy import RequestedLine, ReturnPolicy
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL, ReturnFilter
from tests.contract.seed import location, order, product


@dataclass
class Shop:
    uow: UnitOfWork
    par: int
    first: Order
    second: Order


@pytest.fixture
def shop(each_uow: UnitOfWork) -> Shop:
    par = location(each_uow, "PAR").id
    product(each_uow, "TEE")
    product(each_uow, "MUG")
    first = order(each_uow, ("TEE", 2), ("MUG", 1))
    second = order(each_uow, ("TEE", 1))
    return Shop(each_uow, par, first, second)


def new_return(shop: Shop, o: Order, **lines: int) -> Return:
    uow = shop.uow

    def work() -> Return:
        ids = {ln.sku: ln.product_id for ln in o.lines}
        return_id = uow.returns.next_id()
        r = Return.request(
            (return_id, return_number(return_id), o.id),
            [
                (RequestedLine(sku, q, ReturnReason.DAMAGED, "torn"), ids[sku])
                for sku, q in lines.items()
            ],
            Resolution.REFUND,
            None,
            ("cs", uow.now()),
        )
        uow.returns.add(r)
        return r

    return uow.run(work)


def load(shop: Shop, return_id: int) -> Return:
    found = shop.uow.run(lambda: shop.uow.returns.get(return_id, lock=True))
    assert found is not None
    return found


def test_a_return_comes_back_as_it_was_added_with_a_number_from_its_id(shop: Shop) -> None:
    first = new_return(shop, shop.first, TEE=2, MUG=1)
    second = new_return(shop, shop.second, TEE=1)
    assert second.id > first.id
    got = load(shop, first.id)
    assert got.number == return_number(first.id)
    assert (got.status, got.resolution, got.order_id) == (
        ReturnStatus.REQUESTED,
        Resolution.REFUND,
        shop.first.id,
    )
    assert [(ln.sku, ln.quantity, ln.reason, ln.note) for ln in got.lines] == [
        ("TEE", 2, ReturnReason.DAMAGED, "torn"),
        ("MUG", 1, ReturnReason.DAMAGED, "torn"),
    ]
    assert got.events == [] and got.created_at == first.created_at


def test_every_step_is_stored_label_receipt_and_inspection(shop: Shop) -> None:
    r = new_return(shop, shop.first, TEE=2)
    label = ReturnLabel(
        "oms-post", "standard", "RR123456785FR", 400, date(2026, 3, 2), date(2026, 3, 5), shop.par
    )

    def step(change: object) -> Return:
        def work() -> Return:
            found = shop.uow.returns.get(r.id, lock=True)
            assert found is not None
            change(found)  # type: ignore[operator]
            shop.uow.returns.save(found)
            return found

        return shop.uow.run(work)

    now = shop.uow.now()
    step(lambda x: x.approve(label, now))
    step(lambda x: x.receive(Received(shop.par, "PAR", {"TEE": 2}), now))
    step(lambda x: x.inspect([Inspected("TEE", 1, 1)], now))
    got = load(shop, r.id)
    assert got.status is ReturnStatus.INSPECTED
    assert got.label == label and got.tracking_number == "RR123456785FR"
    assert (got.received_location_id, got.received_location) == (shop.par, "PAR")
    assert got.approved_at == got.received_at == got.inspected_at == now
    [line] = got.lines
    assert (line.received_quantity, line.resellable_quantity, line.damaged_quantity) == (2, 1, 1)
    assert got.version == r.version + 3


def test_a_stale_version_is_refused(shop: Shop) -> None:
    r = new_return(shop, shop.first, TEE=1)
    stale = load(shop, r.id)
    fresh = load(shop, r.id)
    fresh.reject("no", shop.uow.now())
    shop.uow.run(lambda: shop.uow.returns.save(fresh))
    stale.reject("other", shop.uow.now())
    with pytest.raises(ConcurrentUpdate):
        shop.uow.run(lambda: shop.uow.returns.save(stale))
    assert load(shop, r.id).rejection_reason == "no"


def test_search_by_status_and_order_newest_first_and_keyset_paged(shop: Shop) -> None:
    a = new_return(shop, shop.first, TEE=1)
    b = new_return(shop, shop.second, TEE=1)
    c = new_return(shop, shop.first, MUG=1)
    rejected = load(shop, c.id)
    rejected.reject("no", shop.uow.now())
    shop.uow.run(lambda: shop.uow.returns.save(rejected))

    def ids(**kw: object) -> list[int]:
        found = shop.uow.run(lambda: shop.uow.returns.search(ReturnFilter(**kw)), write=False)  # type: ignore[arg-type]
        return [r.id for r in found]

    assert ids() == [c.id, b.id, a.id]
    assert ids(order_id=shop.first.id) == [c.id, a.id]
    assert ids(status="requested") == [b.id, a.id]
    assert ids(limit=1, before_id=b.id) == [a.id]
    found = shop.uow.run(lambda: shop.uow.returns.of_order(shop.first.id), write=False)
    assert [r.id for r in found] == [a.id, c.id]


def test_a_channel_has_its_own_policy_or_the_default_or_none(shop: Shop) -> None:
    uow = shop.uow
    assert uow.run(lambda: uow.returns.policy("web"), write=False) is None
    default = ReturnPolicy(21, frozenset({"GIFT"}))
    own = ReturnPolicy(60, frozenset(), frozenset({ReturnReason.CHANGED_MIND}))
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, default))
    uow.run(lambda: uow.returns.set_policy("shop", ReturnPolicy(1)))
    uow.run(lambda: uow.returns.set_policy("shop", own))
    assert uow.run(lambda: uow.returns.policy("web"), write=False) == default
    assert uow.run(lambda: uow.returns.policy("shop"), write=False) == own


def test_policies_are_listed_by_channel_and_deleted_one_channel_at_a_time(shop: Shop) -> None:
    uow = shop.uow
    assert uow.run(lambda: uow.returns.list_policies(), write=False) == {}
    web = ReturnPolicy(14, frozenset({"TEE", "MUG"}), frozenset())
    uow.run(lambda: uow.returns.set_policy("web", web))
    uow.run(lambda: uow.returns.set_policy(DEFAULT_CHANNEL, ReturnPolicy(30)))
    uow.run(lambda: uow.returns.set_policy("Shop", ReturnPolicy(7)))
    listed = uow.run(lambda: uow.returns.list_policies(), write=False)
    assert list(listed) == [DEFAULT_CHANNEL, "Shop", "web"]
    assert listed["web"] == web
    assert uow.run(lambda: uow.returns.delete_policy("web")) is True
    assert uow.run(lambda: uow.returns.delete_policy("web")) is False
    assert uow.run(lambda: uow.returns.policy("web"), write=False) == ReturnPolicy(30)
    assert uow.run(lambda: uow.returns.delete_policy(DEFAULT_CHANNEL)) is True
    assert uow.run(lambda: uow.returns.policy("web"), write=False) is None
    assert list(uow.run(lambda: uow.returns.list_policies(), write=False)) == ["Shop"]

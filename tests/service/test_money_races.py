"""Money under concurrency, on SQLite and PostgreSQL: a return refunded by several people at
once is refunded once; racing payments never take an order past what it costs; two
returns of one order refunded at once never give back more than was paid."""

from __future__ import annotations

from decimal import Decimal

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, TransitionNotAllowed
from oms.domain.returns.reasons import ReturnReason
from oms.services import orders, payments, return_resolutions
from oms.services.payments import RecordPayment
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_concurrency import race
from tests.service.test_money import CS, SALES, deliver, inspected, pay, priced

THREADS = 4
LIMIT = Decimal(10_000)


def test_a_return_refunded_by_several_people_at_once_is_refunded_once(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0")))
    pay(uow, order_id, "20.00")
    return_id = inspected(uow, order_id, [("TEE", 2, ReturnReason.DAMAGED)])

    def refund(_: int) -> str:
        try:
            return_resolutions.refund_return(container.uow(), CS, return_id, LIMIT)
        except (Conflict, TransitionNotAllowed):
            return "refused"
        return "refunded"

    assert sorted(race(THREADS, refund)) == ["refunded"] + ["refused"] * (THREADS - 1)
    made = payments.refunds_of_order(uow, CS, order_id)
    assert [r.amount for r in made] == [Decimal("20.00")]
    assert orders.get_order(uow, SYSTEM, order_id).refunded_total == Decimal("20.00")


def test_racing_payments_never_pay_more_than_is_due(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 3))).order.id  # 30.00

    def pay_ten(i: int) -> str:
        cmd = RecordPayment(Decimal(10), "manual", f"cash-{i}")
        try:
            payments.record_payment(container.uow(), SALES, order_id, cmd)
        except Conflict:
            return "refused"
        return "paid"

    assert sorted(race(THREADS, pay_ten)) == ["paid"] * 3 + ["refused"]
    assert orders.get_order(uow, SYSTEM, order_id).paid_total == Decimal("30.00")


def test_two_returns_refunded_at_once_never_give_back_more_than_was_paid(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "0", "0")))
    pay(uow, order_id, "15.00")  # less than the two tees cost
    first = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    second = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])

    def refund(i: int) -> str:
        return_id = (first, second)[i % 2]
        try:
            return_resolutions.refund_return(container.uow(), CS, return_id, LIMIT)
        except (Conflict, TransitionNotAllowed):
            return "refused"
        return "refunded"

    assert race(2, refund).count("refunded") == 2
    made = payments.refunds_of_order(uow, CS, order_id)
    assert sum(r.amount for r in made) == Decimal("15.00")
    assert sorted(r.amount for r in made) == [Decimal("5.00"), Decimal("10.00")]

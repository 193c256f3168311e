"""A refund the provider refused puts its order in customer service's queue
(`refund_failed`, since the last attempt); a retry that succeeds takes it off."""

from __future__ import annotations

from decimal import Decimal

from oms.bootstrap import Container
from oms.domain.returns.reasons import ReturnReason
from oms.services import customer_service as cs
from oms.services import payments, return_resolutions
from oms.services.customer_service import Why
from oms.services.payments import RecordPayment
from tests.conftest import FakeClock
from tests.service.test_money import CS, SALES, Flaky, deliver, inspected, priced


def refund_failures(container: Container) -> list[tuple[int, Why]]:
    uow = container.uow()
    page = cs.service_queue(uow, container.views(uow), CS)  # type: ignore[arg-type]
    return [(i.order_id, i.why) for i in page.items if i.why is Why.REFUND_FAILED]


def test_a_failed_refund_waits_in_the_queue_until_it_is_retried(
    container: Container, clock: FakeClock
) -> None:
    card = Flaky(failures=1)
    container.providers.add(card)
    uow = container.uow()
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    payments.record_payment(uow, SALES, order_id, RecordPayment(Decimal(10), "card", "ch_9"))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    failed = return_resolutions.refund_return(uow, CS, return_id, Decimal(500))
    assert refund_failures(container) == [(order_id, Why.REFUND_FAILED)]
    counts = cs.service_counts(uow, container.views(uow), CS)  # type: ignore[arg-type]
    assert counts[Why.REFUND_FAILED] == 1

    clock.advance(minutes=5)
    payments.retry_refund(uow, CS, failed.id)
    assert refund_failures(container) == []

"""How an inspected return ends: refunded, exchanged, or closed by a person.

Each starts in one transaction that locks the order before the return (the lock order of
every writer of a return). A refund then asks the payment provider outside the transaction
(services/payments.py); an exchange places the replacement order in the same transaction
that marks the return exchanged, so there is never one without the other.
"""

from __future__ import annotations

from decimal import Decimal

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict
from oms.domain.orders.model import DraftLine, Order, OrderDraft
from oms.domain.payments.amounts import to_minor
from oms.domain.payments.model import Refund
from oms.domain.payments.refunds import NothingToRefund, ReturnTerms, for_return
from oms.domain.returns.model import Return
from oms.domain.returns.policy import DEFAULT_POLICY, Payer
from oms.domain.returns.reasons import is_sellers_fault
from oms.services import payments
from oms.services.orders import place_within
from oms.services.ports import UnitOfWork
from oms.services.ports.payments import RefundExists
from oms.services.returns import load_locked, save_with_events


def refund_return(uow: UnitOfWork, actor: Actor, return_id: int, limit: Decimal) -> Refund:
    """Refund the inspected units of the return, as oms computes it (domain/payments/
    refunds.py); then ask the provider. One refund per return: a second is 409 (a failed
    one is retried instead)."""
    actor.require(Permission.REFUND_ISSUE)

    def start() -> int:
        r, order = load_locked(uow, return_id)
        r.check_refundable()
        made = uow.payments.refund_of_return(r.id)
        if made is not None:
            raise Conflict(
                f"return {r.number} has refund {made.id} already ({made.status.value});"
                " retry it if it failed"
            )
        line_of = {line.sku: line.id for line in order.lines}
        units = {line_of[sku]: n for sku, n in r.inspected_units().items()}
        try:
            plan = for_return(payments.basis(uow, order), units, _terms(uow, r, order))
        except NothingToRefund as nothing:
            raise Conflict(f"nothing to refund for return {r.number}: {nothing}") from None
        if plan.amount <= 0:
            raise Conflict(
                f"nothing to refund for return {r.number}: order {order.number} has"
                f" {order.paid_total} {order.currency} paid and nothing left of it to give back;"
                " close the return instead"
            )
        why = f"return {r.number}"
        try:
            refund = payments.start_refund(uow, actor, order, plan, (r.id, why), limit)
        except RefundExists:
            raise Conflict(f"return {r.number} has a refund already") from None
        return refund.id

    refund_id = uow.run(start)
    return payments.send_refund(uow, actor, refund_id)


def _terms(uow: UnitOfWork, r: Return, order: Order) -> ReturnTerms:
    """The seller's fault if any returned line says so; the customer pays the parcel back
    when the channel's policy charges every reason of the return to them."""
    policy = uow.returns.policy(order.channel) or DEFAULT_POLICY
    reasons = [line.reason for line in r.lines if line.received_quantity]
    cost = r.label.cost if r.label else None
    shipping = (
        to_minor(cost.amount, cost.currency) if cost and cost.currency == order.currency else 0
    )
    return ReturnTerms(
        sellers_fault=any(is_sellers_fault(x) for x in reasons),
        customer_pays=bool(reasons)
        and all(policy.shipping_paid_by(x) is Payer.CUSTOMER for x in reasons),
        return_shipping=shipping,
    )


def exchange_return(uow: UnitOfWork, actor: Actor, return_id: int) -> Order:
    """A new order for the same products as the inspected units, at no charge, reserving
    stock at once (backordered where there is none), linked to the return and the original."""
    actor.require(Permission.RETURN_MANAGE)

    def work() -> Order:
        r, original = load_locked(uow, return_id)
        r.check_exchangeable()
        draft = OrderDraft(
            channel=original.channel,
            customer=original.customer,
            shipping_address=original.shipping_address,
            lines=[DraftLine(sku, n, Decimal(0)) for sku, n in r.inspected_units().items()],
            currency=original.currency,
            priority=original.priority,
            exchange_of=original.id,
        )
        new = place_within(uow, actor, draft)
        new.placed_as_exchange(original.number, r.number)
        now = uow.now()
        uow.orders.save(new, actor.name, now)
        r.exchanged(new.id, new.number, now)
        original.exchanged_by(new.id)
        save_with_events(uow, r, original, actor, now)
        return new

    return uow.run(work)


def close_return(uow: UnitOfWork, actor: Actor, return_id: int, reason: str) -> Return:
    """Close an inspected (or refunded, or exchanged) return: nothing more will happen."""
    actor.require(Permission.RETURN_MANAGE)

    def work() -> Return:
        r, order = load_locked(uow, return_id)
        r.close(reason, uow.now())
        save_with_events(uow, r, order, actor, uow.now())
        return r

    return uow.run(work)

"""Use cases for money: record a payment, refund (returns, cancelled units), retry a refund.

A refund is two transactions around the provider's answer, so no lock is held while a
payment service is called: the first computes it and stores it `pending` (the order row
locked, so two refunds of one order never both count the same payments), the provider is
asked, and the second records the answer. A process that dies in between leaves a pending
refund, shown on the order; retrying it sends the same keys, so the provider drops a
repeat.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from oms.domain.money import Money, fits_currency
from oms.domain.orders.model import Order
from oms.domain.payments.amounts import from_minor, to_minor
from oms.domain.payments.model import Payment, Refund, RefundLine, RefundPart, RefundStatus
from oms.domain.payments.refunds import Basis, PricedLine, RefundPlan
from oms.services.ports import UnitOfWork
from oms.services.ports.payments import PaymentExists, ProviderAnswer

MAX_REFERENCE = 128


@dataclass(frozen=True, slots=True)
class RecordPayment:
    amount: Decimal
    provider: str = "manual"
    reference: str | None = None  # the provider's; a repeat of the same one records nothing


@dataclass(frozen=True, slots=True)
class Recorded:
    payment: Payment
    created: bool


def record_payment(uow: UnitOfWork, actor: Actor, order_id: int, cmd: RecordPayment) -> Recorded:
    """Money received for the order, through `provider` (the built-in `manual` one records
    money that moved by other means). Never more than the order still has due."""
    actor.require(Permission.PAYMENT_RECORD)
    errors = FieldErrors()
    provider = uow.providers.get(cmd.provider)
    if provider is None:
        errors.add(
            "provider",
            f"unknown provider {cmd.provider!r}; known: {', '.join(uow.providers.names())}",
        )
    if cmd.amount <= 0:
        errors.add("amount", "must be more than 0")
    reference = (cmd.reference or "").strip() or f"{cmd.provider}-{secrets.token_hex(8)}"
    if len(reference) > MAX_REFERENCE:
        errors.add("reference", f"at most {MAX_REFERENCE} characters")
    errors.raise_if_any()
    assert provider is not None

    def check() -> Order:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order with id {order_id}")
        if not fits_currency(cmd.amount, order.currency):
            raise FieldErrors.single("amount", f"more decimals than {order.currency} allows")
        return order

    order = uow.run(check, write=False)
    money = Money(cmd.amount, order.currency)
    answer = provider.authorise(money, reference)
    if answer.ok:
        answer = provider.capture(answer.reference or reference, money)
    if not answer.ok:
        raise Conflict(f"the {provider.name} provider refused the payment: {answer.error}")

    def work() -> Recorded:
        locked = uow.orders.get(order_id, lock=True)
        assert locked is not None
        seen = uow.payments.find_payment(order_id, provider.name, reference)
        if seen is not None:
            return Recorded(seen, created=False)
        now = uow.now()
        payment = Payment(
            0, order_id, provider.name, reference, money.amount, order.currency, actor.name, now
        )
        try:
            payment_id = uow.payments.add_payment(payment)
        except PaymentExists:  # pragma: no cover - the row lock above serialises repeats
            raise Conflict("this payment was just recorded by someone else") from None
        stored = replace(payment, id=payment_id)
        locked.record_payment(stored)
        uow.orders.save(locked, actor.name, now)
        return Recorded(stored, created=True)

    return uow.run(work)


def payments_of_order(uow: UnitOfWork, actor: Actor, order_id: int) -> list[Payment]:
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: uow.payments.payments_of(order_id), write=False)


def refunds_of_order(uow: UnitOfWork, actor: Actor, order_id: int) -> list[Refund]:
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: uow.payments.refunds_of(order_id), write=False)


def get_refund(uow: UnitOfWork, actor: Actor, refund_id: int) -> Refund:
    actor.require(Permission.ORDER_READ)
    found = uow.run(lambda: uow.payments.get_refund(refund_id), write=False)
    if found is None:
        raise NotFound(f"no refund with id {refund_id}")
    return found


# -- refunds: the parts every refund shares --------------------------------------------------


def basis(uow: UnitOfWork, order: Order) -> Basis:
    """The order's money as refunds see it (inside the transaction that locked the order).
    Every refund already made counts, failed ones too: they are retried, not forgotten."""
    cur = order.currency
    made = uow.payments.refunds_of(order.id)
    refunded_units: dict[int, int] = defaultdict(int)
    returned_units: dict[int, int] = defaultdict(int)
    for r in made:
        for line in r.lines:
            refunded_units[line.order_line_id] += line.quantity
            if r.return_id is not None:
                returned_units[line.order_line_id] += line.quantity
    return Basis(
        lines=[
            PricedLine(
                line.id,
                line.sku,
                line.quantity,
                line.charged(cur, order.prices_include_tax),
                line.cancelled_quantity,
                line.shipped_quantity,
            )
            for line in order.lines
        ],
        shipping=to_minor(order.totals.shipping.amount, cur),
        paid=to_minor(order.paid_total, cur),
        claimed=sum(to_minor(r.amount, cur) for r in made),
        refunded_units=dict(refunded_units),
        shipping_refunded=any(r.shipping > 0 for r in made),
        returned_units=dict(returned_units),
    )


def start_refund(
    uow: UnitOfWork,
    actor: Actor,
    order: Order,
    plan: RefundPlan,
    why: tuple[int | None, str],
    limit: Decimal,
) -> Refund:
    """Store a pending refund of `plan` for the order (locked by the caller), split over
    its payments, newest first. `why` is the return's id (or None) and the reason. Above
    `limit` only someone allowed past it may issue it."""
    cur = order.currency
    amount = from_minor(plan.amount, cur)
    if amount > limit and not actor.may(Permission.REFUND_ABOVE_LIMIT):
        raise PermissionDenied(
            f"a refund of {amount} {cur} is above the refund limit of {limit} {cur}:"
            " an admin issues it"
        )
    now = uow.now()
    refund = Refund(
        id=uow.payments.next_refund_id(),
        order_id=order.id,
        return_id=why[0],
        reason=why[1],
        currency=cur,
        lines=[
            RefundLine(x.line_id, x.sku, x.quantity, from_minor(x.amount, cur)) for x in plan.lines
        ],
        shipping=from_minor(plan.shipping, cur),
        deducted=from_minor(plan.deducted, cur),
        capped=from_minor(plan.capped, cur),
        amount=amount,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
        parts=_split(uow, order, amount),
    )
    uow.payments.add_refund(refund)
    return refund


def _split(uow: UnitOfWork, order: Order, amount: Decimal) -> list[RefundPart]:
    """The refund against each payment, newest first, never more than a payment has left."""
    taken: dict[int, Decimal] = defaultdict(Decimal)
    for r in uow.payments.refunds_of(order.id):
        for part in r.parts:
            taken[part.payment_id] += part.amount
    parts: list[RefundPart] = []
    left = amount
    for p in reversed(uow.payments.payments_of(order.id)):
        if left <= 0:
            break
        share = min(p.amount - taken[p.id], left)
        if share > 0:
            parts.append(RefundPart(p.id, p.provider, share))
            left -= share
    if left > 0:  # the plan is capped at what was paid: a bug if this happens
        raise Conflict(f"the payments of order {order.number} do not cover {amount}")
    return parts


def send_refund(uow: UnitOfWork, actor: Actor, refund_id: int) -> Refund:
    """Ask the providers for each part not yet refunded (outside any transaction), then
    record the answers: succeeded when every part is, else failed with the errors."""
    refund = uow.run(lambda: uow.payments.get_refund(refund_id), write=False)
    if refund is None:
        raise NotFound(f"no refund with id {refund_id}")
    references = {
        p.id: p.reference
        for p in uow.run(lambda: uow.payments.payments_of(refund.order_id), write=False)
    }
    answers: dict[int, ProviderAnswer] = {}
    for i, part in enumerate(refund.parts):
        if part.reference:
            continue
        answers[i] = _ask(uow, part, references.get(part.payment_id, ""), refund)

    def record() -> Refund:
        order = uow.orders.get(refund.order_id, lock=True)
        r = uow.payments.get_refund(refund_id, lock=True)
        assert order is not None and r is not None
        if r.status is not RefundStatus.PENDING:
            return r  # another attempt recorded an answer first
        now = uow.now()
        for i, answer in answers.items():
            r.parts[i].reference = answer.reference if answer.ok else None
            r.parts[i].error = None if answer.ok else (answer.error or "refused")
        r.attempts += 1
        failed = [f"{p.provider}: {p.error}" for p in r.parts if not p.reference]
        if failed:
            r.error = "; ".join(failed)[:1000]
            r.move(RefundStatus.FAILED, now)
        else:
            r.error = None
            r.move(RefundStatus.SUCCEEDED, now)
            if r.return_id is not None:
                ret = uow.returns.get(r.return_id, lock=True)
                assert ret is not None
                ret.refunded(r.id, r.amount, now)
                uow.returns.save(ret)
                for event in ret.events:
                    order.record(event)
                ret.events.clear()
        order.refund_answered(r)
        uow.payments.save_refund(r)
        uow.orders.save(order, actor.name, now)
        return r

    return uow.run(record)


def _ask(
    uow: UnitOfWork, part: RefundPart, payment_reference: str, refund: Refund
) -> ProviderAnswer:
    provider = uow.providers.get(part.provider)
    if provider is None:
        return ProviderAnswer(False, error=f"provider {part.provider!r} is not configured")
    try:
        return provider.refund(
            payment_reference,
            Money(part.amount, refund.currency),
            key=f"oms-refund-{refund.id}-{part.payment_id}",
        )
    except Exception as error:  # a provider's failure is recorded, never lost
        return ProviderAnswer(False, error=f"{type(error).__name__}: {error}"[:500])


def retry_refund(uow: UnitOfWork, actor: Actor, refund_id: int) -> Refund:
    """Ask again for a failed refund (or one left pending by a process that died): the
    same keys, so a provider that did it the first time does not do it twice."""
    actor.require(Permission.REFUND_ISSUE)

    def reopen() -> None:
        r = uow.payments.get_refund(refund_id, lock=True)
        if r is None:
            raise NotFound(f"no refund with id {refund_id}")
        if r.status is RefundStatus.SUCCEEDED:
            raise Conflict(f"refund {refund_id} succeeded already")
        if r.status is RefundStatus.FAILED:
            r.move(RefundStatus.PENDING, uow.now())
            uow.payments.save_refund(r)

    uow.run(reopen)
    return send_refund(uow, actor, refund_id)

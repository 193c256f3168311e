"""The demo's money: what each channel charges (discounts, tax), when its customers pay,
and a line of a paid order cancelled (refunded) after the six weeks.

Everything here draws from its own generator, never the plan's: the orders, their paths
and the warehouse's work are what they were before the demo had money.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, InvalidInput
from oms.domain.orders.model import Order, OrderDraft
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.amounts import from_minor, spread, to_minor
from oms.domain.payments.model import PaymentStatus
from oms.services import orders, payments
from oms.services.orders import NO_LIMIT, CancelLine
from oms.services.payments import RecordPayment
from oms.services.ports import UnitOfWork

VAT = Decimal("0.20")
CENT = Decimal("0.01")
# Shop prices include VAT (the tax is the part of them that is tax); the wholesale price
# list is before VAT, which is added to the invoice.
TAX_INCLUDED = frozenset({"web", "marketplace", "pos", "phone"})
TRADE_DISCOUNT = Decimal("0.10")  # b2b: a tenth off a line of six or more units
VOUCHERS = ((Decimal(60), Decimal("10.00")), (Decimal(25), Decimal("5.00")))  # web: min spend


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def priced(draft: OrderDraft, prices: Mapping[str, Decimal], rng: random.Random) -> OrderDraft:
    """The draft with the channel's discounts and its tax per line, as the channel sends
    them: wholesale lines of six or more get the trade discount, some web orders carry a
    voucher (an order discount, spread over the lines by oms as this does)."""
    channel = draft.channel
    gross = [prices[line.sku] * line.quantity for line in draft.lines]
    lines = [
        replace(line, discount=_cents(g * TRADE_DISCOUNT))
        if channel == "b2b" and line.quantity >= 6
        else line
        for line, g in zip(draft.lines, gross, strict=True)
    ]
    voucher = Decimal(0)
    if channel == "web" and rng.random() < 0.25:
        voucher = next((off for spend, off in VOUCHERS if sum(gross) >= spend), Decimal(0))
    included = channel in TAX_INCLUDED
    own = [g - line.discount for g, line in zip(gross, lines, strict=True)]
    nets = _after_voucher(own, voucher, draft.currency or "EUR")
    taxed = [
        replace(line, tax=_cents(net * VAT / (1 + VAT)) if included else _cents(net * VAT))
        for line, net in zip(lines, nets, strict=True)
    ]
    return replace(draft, lines=taxed, discount=voucher, prices_include_tax=included)


def _after_voucher(own: list[Decimal], voucher: Decimal, currency: str) -> list[Decimal]:
    """What each line costs after its own discount and its share of the voucher (the
    largest-remainder spread oms applies when it places the order)."""
    shares = spread(to_minor(voucher, currency), [to_minor(x, currency) for x in own])
    return [x - from_minor(s, currency) for x, s in zip(own, shares, strict=True)]


def payment_plan(
    rng: random.Random, channel: str, placed: datetime, n: int
) -> list[tuple[datetime, Decimal | None, str]]:
    """When the customer pays, how much (a share of what is due; None: all of it) and the
    reference the money came with. Shops and platforms take the money at checkout; phone
    customers pay a deposit by card and the rest by bank transfer; wholesale customers pay
    their invoice by transfer weeks later, some not yet, a few only part of it."""
    minutes = timedelta(minutes=1)
    if channel == "web":
        return [(placed + minutes, None, f"PSP-{rng.getrandbits(48):012x}")]
    if channel == "marketplace":
        return [(placed + 20 * minutes, None, f"MKP-SETTLE-{placed:%Y%m%d}-{n + 1:04d}")]
    if channel == "pos":
        return [(placed + minutes, None, f"TILL-LYO-{placed:%y%m%d}-{n + 1:04d}")]
    transfer = f"SEPA-{rng.randint(10**9, 10**10 - 1)}"
    if channel == "phone":
        rest = placed + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
        deposit: list[tuple[datetime, Decimal | None, str]] = [
            (placed + 2 * minutes, Decimal("0.3"), f"MOTO-{rng.getrandbits(32):08x}")
        ]
        return deposit if rng.random() < 0.3 else [*deposit, (rest, None, transfer)]
    later = placed + timedelta(days=rng.randint(6, 30), hours=rng.randint(1, 8))
    return [(later, Decimal("0.5") if rng.random() < 0.2 else None, transfer)]


def pay(uow: UnitOfWork, order_id: int, share: Decimal | None, reference: str) -> bool:
    """Record money received for the order (manual: it moved outside oms). False when
    nothing was due any more: the order was cancelled before the money came."""
    order = orders.get_order(uow, SYSTEM, order_id)
    owed = order.due() - order.paid_total
    amount = owed if share is None else _cents(owed * share)
    if order.status is OrderStatus.CANCELLED or amount <= 0:
        return False
    payments.record_payment(uow, SYSTEM, order_id, RecordPayment(amount, "manual", reference))
    return True


def cancel_a_line(uow: UnitOfWork, placed: list[Order], done: Counter[str]) -> None:
    """A paid customer no longer wants one unit of a line not shipped yet: it is
    cancelled and refunded, the rest of the order goes on."""
    for order in placed:
        if order.payment_status is not PaymentStatus.PAID or len(order.lines) < 2:
            continue
        line = next((x for x in order.lines if x.allocated_quantity), None)
        if line is None:
            continue
        cmd = CancelLine(line.id, 1, "customer no longer wants it (phoned in)")
        try:
            orders.cancel_line(uow, SYSTEM, order.id, cmd, NO_LIMIT)
        except (Conflict, InvalidInput):  # moved on since the list was read: the next one
            continue
        done["line_cancelled"] += 1
        return

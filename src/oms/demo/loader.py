"""The demo loader: plans six weeks of a shop's life and plays it through the services."""

from __future__ import annotations

import random
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from stdnum import ean

from oms.bootstrap import Container
from oms.demo.actions import Loader
from oms.demo.data import (
    ALREADY_LOADED,
    CANCELS,
    CHANNELS,
    CITIES,
    COLOURS,
    COMPANIES,
    CONFIRM_MINUTES,
    COUNTRY_WEIGHTS,
    DAYS,
    DELAY_MINUTES,
    FAMILIES,
    FATES,
    HOLDS,
    HOUR_WEIGHTS,
    HOURS,
    LINE2,
    LOCATIONS,
    NAMES,
    OPEN_DAYS,
    PATHS,
    RECEIPTS,
    SHORT,
    SIZE_LABELS,
)
from oms.demo.delivery import Van, delivery_steps
from oms.demo.end import load_end
from oms.demo.fulfilment import Warehouse, fulfilment_steps
from oms.demo.money import cancel_a_line, payment_plan, priced
from oms.demo.plan import Buyer, Plan, Shop, Step
from oms.demo.report import all_orders, report
from oms.demo.returns import load_returns
from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import NewProduct
from oms.domain.inventory.model import LedgerKind
from oms.domain.orders.model import Address, Customer, DraftLine, OrderDraft
from oms.services import catalogue, inventory
from oms.services.inventory import StockChange


@dataclass(slots=True)
class DemoClock:
    """The time the services read; the loader moves it forward between actions."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def ean13(body: str) -> str:
    """The 12 digits and their GS1 check digit."""
    return body + ean.calc_check_digit(body)


def demo_products() -> list[NewProduct]:
    products: list[NewProduct] = []
    for stem, name, price, grams, sizes, colours in FAMILIES:
        for size in sizes or ("",):
            for colour in colours:
                sku = "-".join(part for part in (stem, size, colour) if part)
                label = f"{name}, {COLOURS[colour]}"
                if size:
                    label += f", size {SIZE_LABELS.get(size, size)}"
                # 376: a GS1 France prefix; then a company number and the item reference.
                barcode = ean13(f"37601234{len(products) + 1:04d}")
                products.append(NewProduct(sku, label, Decimal(price), "EUR", grams, barcode))
    return products


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _buyer(rng: random.Random, country: str, used: set[str]) -> Buyer:
    first, last = (rng.choice(names) for names in NAMES[country])
    city, postal_code, streets = rng.choice(CITIES[country])
    number = rng.randint(1, 140)
    street = rng.choice(streets)
    line1 = {"FR": f"{number} {street}", "IT": f"{street}, {number}", "ES": f"{street}, {number}"}
    line2 = rng.choice(LINE2[country]) if country in LINE2 and rng.random() < 0.2 else None
    # Reserved example domains (RFC 2606): demo mail must never reach a real inbox.
    local = rng.choice([f"{_fold(first)}.{_fold(last)}", f"{_fold(first)[0]}{_fold(last)}"])
    email = f"{local}@{rng.choice(['example.com', 'example.net', 'example.org'])}"
    while email in used:
        email = email.replace("@", str(rng.randint(1, 9)) + "@", 1)
    used.add(email)
    name = f"{first} {last}"
    address = Address(name, line1.get(country, f"{street} {number}"), city, postal_code, country,
                      line2)  # fmt: skip
    return Buyer(Customer(email, name, _phone(country, email)), address)


DIALLING = {"FR": "33", "DE": "49", "BE": "32", "NL": "31", "IT": "39", "ES": "34", "AT": "43"}


def _phone(country: str, email: str) -> str:
    """A made-up mobile number, the same for the same buyer; drawn from the email, not from
    the generator, so the rest of the demo is what it was."""
    digits = f"{zlib.crc32(email.encode()) % 10**8:08d}"
    return f"+{DIALLING[country]} 6 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"


def demo_shop(rng: random.Random, orders: int) -> Shop:
    products = demo_products()
    popularity = [SHORT[p.sku][1] if p.sku in SHORT else rng.uniform(0.4, 1.6) for p in products]
    used: set[str] = set()
    # Fewer buyers than orders, so some customers come back for more.
    pool = max(12, orders * 2 // 3)
    countries = rng.choices(list(COUNTRY_WEIGHTS), list(COUNTRY_WEIGHTS.values()), k=pool)
    buyers = [_buyer(rng, country, used) for country in countries]
    companies = [
        Buyer(Customer(email, name), Address(name, street, city, postal, country))
        for _, name, email, country, city, postal, street in COMPANIES
    ]
    prices = {p.sku: p.price for p in products}
    return Shop(products, popularity, buyers, companies, prices)


def catalogue_steps(plan: Plan, loader: Loader) -> list[Step]:
    at = plan.start + timedelta(hours=5)
    steps = []
    for location in LOCATIONS:
        steps.append(Step(at, partial(catalogue.create_location, loader.uow, SYSTEM, location)))
        at += timedelta(seconds=20)
    for product in plan.shop.products:
        steps.append(Step(at, partial(catalogue.create_product, loader.uow, SYSTEM, product)))
        at += timedelta(seconds=20)
    return steps


def _opening_stock(plan: Plan) -> list[tuple[str, str, int]]:
    """(location, SKU, units) counted on day 0. The shop keeps nothing heavier than a kilo.

    Short products get stock in proportion to the orders, so they run out however many
    there are; the others have plenty up to 300 orders and grow beyond.
    """
    counts = []
    for product in plan.shop.products:
        if product.sku in SHORT:
            levels = [round(units * plan.scale) for units in SHORT[product.sku][0]]
        else:
            bulky = (product.weight_grams or 0) > 1000
            levels = [
                round(plan.rng.randint(25, 60) * max(1.0, plan.scale)),
                0 if bulky else round(plan.rng.randint(2, 8) * max(1.0, plan.scale)),
                round(plan.rng.randint(15, 45) * max(1.0, plan.scale)),
            ]
        for location, units in zip(LOCATIONS, levels, strict=True):
            if units:
                counts.append((location.code, product.sku, units))
    return counts


def _bin(location: str, slot: int) -> str:
    """Where a product sits: aisles of 12 shelf bays, two levels; a shop has one back room."""
    if location == "LYO":
        return f"R-{slot // 2 + 1:02d}"
    aisle = "ABCDEFGH"[slot // 12]
    return f"{aisle}-{slot % 12 // 2 + 1:02d}-{slot % 2 + 1}"


def stock_steps(plan: Plan, loader: Loader) -> list[Step]:
    uow, rng = loader.uow, plan.rng
    at = plan.start + timedelta(hours=6)
    steps = []
    slots = {p.sku: i for i, p in enumerate(plan.shop.products)}
    for code, sku, units in _opening_stock(plan):
        change = StockChange(
            code, sku, "opening stock count", on_hand=units, bin=_bin(code, slots[sku])
        )
        steps.append(Step(at, partial(inventory.count_stock, uow, SYSTEM, change)))
        at += timedelta(seconds=5)
    broken = StockChange("BER", "GLS-TUM-CLR", "broken in the inbound delivery", delta=-2)
    steps.append(
        Step(at + timedelta(minutes=20), partial(inventory.adjust_stock, uow, SYSTEM, broken))
    )
    for day, code, sku, units, po in RECEIPTS:
        at = plan.start + timedelta(days=day, hours=6, minutes=rng.randrange(120))
        change = StockChange(
            code, sku, po.format(year=at.year), delta=max(2, round(units * plan.scale)),
            kind=LedgerKind.RECEIPT,
        )  # fmt: skip
        steps.append(Step(at, partial(loader.receive, change)))
    recount = plan.start + timedelta(days=20, hours=5, minutes=30)
    steps.append(Step(recount, partial(loader.recount, "PAR", "MUG-STN-SAG", 3)))
    return steps


def _moment(plan: Plan, channel: str) -> datetime:
    """When an order of this channel comes in: shop and office hours, evenings online."""
    rng = plan.rng
    if channel in HOURS:
        low, high = HOURS[channel]
        hour = rng.randint(low, high)
    else:
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    open_days = OPEN_DAYS.get(channel, range(7))
    days = [d for d in range(1, DAYS) if (plan.start + timedelta(d)).weekday() in open_days]
    minutes = hour * 60 + rng.randrange(60) + rng.random()
    return plan.start + timedelta(days=rng.choice(days), minutes=minutes)


B2B_CHEAP = (2, 3, 4, 6, 6, 8, 10, 12)
B2B_DEAR = (1, 2, 2, 3, 4)


def _lines(plan: Plan, channel: str) -> list[DraftLine]:
    rng, shop = plan.rng, plan.shop
    count = rng.randint(2, 4) if channel == "b2b" else rng.choices((1, 2, 3, 4), (50, 30, 14, 6))[0]
    skus: list[str] = []
    while len(skus) < count:
        sku = rng.choices(shop.products, shop.popularity)[0].sku
        if sku not in skus:
            skus.append(sku)
    if channel == "b2b":  # shops buy by the half dozen, dearer things by ones and twos
        return [
            DraftLine(sku, rng.choice(B2B_DEAR if shop.prices[sku] >= 80 else B2B_CHEAP))
            for sku in skus
        ]
    return [DraftLine(sku, rng.choices((1, 2, 3), (80, 15, 5))[0]) for sku in skus]


def _external_id(rng: random.Random, channel: str, at: datetime, n: int) -> str | None:
    """The channel's own reference; `n` counts the channel's orders, keeping each one unique."""
    if channel == "web":  # some came in through the old checkout, which sent no reference
        return None if rng.random() < 0.15 else f"W{48213 + 3 * n + rng.randint(0, 2)}"
    if channel == "marketplace":
        # Marketplace style 3-7-7; the middle group is a bijection of n, so never repeats.
        middle = 1_000_000 + (2_345_678 + n * 7_654_321) % 9_000_000
        return f"{rng.randint(302, 408)}-{middle}-{rng.randint(1_000_000, 9_999_999)}"
    if channel == "b2b":
        return f"PO-{at:%y}-{4100 + 3 * n + rng.randint(0, 2)}"
    if channel == "pos":
        return f"LYO-{at:%y%m%d}-{n + 1:04d}"
    return None  # phone orders are keyed in by a sales rep: no outside reference


def _shipping(channel: str, country: str, subtotal: Decimal, express: bool) -> Decimal:
    if channel in ("marketplace", "pos"):  # the marketplace bills shipping; shop orders ship free
        return Decimal(0)
    if channel == "b2b":
        return Decimal(0) if subtotal >= 300 else Decimal("15.00")
    if express:
        return Decimal("12.90")
    if subtotal >= 80:
        return Decimal(0)
    return Decimal("4.90") if country == "FR" else Decimal("9.90")


def _draft(plan: Plan, channel: str, at: datetime, n: int) -> OrderDraft:
    rng = plan.rng
    buyer = rng.choice(plan.shop.companies if channel == "b2b" else plan.shop.buyers)
    lines = _lines(plan, channel)
    subtotal = sum((plan.shop.prices[x.sku] * x.quantity for x in lines), Decimal(0))
    express = channel in ("web", "phone") and rng.random() < 0.1
    # Express orders and wholesale key accounts are served first when stock arrives.
    priority = 50 if express else 20 if channel == "b2b" else 0
    return OrderDraft(
        channel=channel,
        customer=buyer.customer,
        shipping_address=buyer.address,
        lines=lines,
        currency="EUR",
        external_id=_external_id(rng, channel, at, n),
        priority=priority,
        shipping=_shipping(channel, buyer.address.country, subtotal, express),
    )


def _fates(rng: random.Random, n: int) -> list[str]:
    """The status each order ends in, in placing order. A fifth of the pending ones are the
    newest; the orders just before them are confirmed late enough to be mid-fulfilment."""
    if n < len(FATES):
        return rng.choices(list(FATES), list(FATES.values()), k=n)
    counts = {fate: max(1, round(share * n)) for fate, share in FATES.items()}
    counts["confirmed"] = n - sum(c for fate, c in counts.items() if fate != "confirmed")
    newest = (counts["pending"] + 4) // 5
    counts["pending"] -= newest
    fates = [fate for fate, c in counts.items() for _ in range(c)]
    rng.shuffle(fates)
    return fates + ["pending"] * newest


def _path(plan: Plan, channel: str, fate: str, placed: datetime) -> list[tuple[datetime, str, str]]:
    """The actions (when, verb, reason) that take an order placed at `placed` to its fate."""
    rng = plan.rng
    verbs = rng.choice(PATHS[fate])
    hold, release, refused = rng.choice(HOLDS[channel])
    planned = []
    for i, verb in enumerate(verbs):
        low, high = CONFIRM_MINUTES[channel] if verb == "confirm" else DELAY_MINUTES[verb]
        reason = {"hold": hold, "release": release}.get(verb, "")
        if verb == "cancel":
            reason = refused if i and verbs[i - 1] == "hold" else rng.choice(CANCELS[channel])
        planned.append((rng.uniform(low, high) * 60, verb, reason))
    # Late orders have less time left before "now": their actions come closer together.
    room = (plan.end - placed).total_seconds() * 0.9
    squeeze = min(1.0, room / max(sum(seconds for seconds, _, _ in planned), 1.0))
    at, path = placed, []
    for seconds, verb, reason in planned:
        at += timedelta(seconds=max(1.0, seconds * squeeze))
        path.append((at, verb, reason))
    return path


def order_steps(plan: Plan, loader: Loader, till: random.Random) -> list[Step]:
    """Each order placed, moved along its path and paid for; `till` draws the money (its
    own generator, so the orders are what they were before the demo had money)."""
    channels = plan.rng.choices(list(CHANNELS), list(CHANNELS.values()), k=plan.orders)
    moments = sorted((_moment(plan, channel), channel) for channel in channels)
    seen: Counter[str] = Counter()
    steps = []
    fates = _fates(plan.rng, plan.orders)
    for key, ((at, channel), fate) in enumerate(zip(moments, fates, strict=True)):
        draft = priced(_draft(plan, channel, at, seen[channel]), plan.shop.prices, till)
        steps.append(Step(at, partial(loader.place, key, draft), places_order=True))
        for when, verb, reason in _path(plan, channel, fate, at):
            steps.append(Step(when, partial(loader.act, key, verb, reason)))
        for when, share, reference in payment_plan(till, channel, at, seen[channel]):
            if when < plan.end:
                steps.append(Step(when, partial(loader.pay, key, share, reference)))
        seen[channel] += 1
    return steps


def _run(steps: Sequence[Step], clock: DemoClock, orders: int, console: Console | None) -> None:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=console is None) as progress:
        task = progress.add_task("catalogue and stock", total=orders)
        for step in steps:
            clock.now = step.at
            step.action()
            if step.places_order:
                progress.update(task, advance=1, description=f"orders of {step.at:%a %d %b}")
        progress.update(task, description="orders placed")


def load_demo(
    container: Container, *, orders: int = 300, seed: int = 7, console: Console | None = None
) -> RenderableType:
    """Load a shop's catalogue, stock and `orders` orders over the last six weeks, once.

    Every action goes through the use cases as `system`, with the unit of work's clock set
    to the simulated moment, so timelines, ledgers and reservations are the real thing.
    The same seed on the same day (of the container's clock) gives the same data.
    """
    started = time.perf_counter()
    # The six weeks end at the last midnight, so one seed gives the same data all day long.
    end = container.clock().replace(hour=0, minute=0, second=0, microsecond=0)
    clock = DemoClock(end)
    # The container's own unit of work (same engine and adapters), reading the demo's clock.
    uow = replace(container, clock=clock).uow()
    if catalogue.list_products(uow, SYSTEM, limit=1):
        return ALREADY_LOADED
    rng = random.Random(seed)
    start = end - timedelta(days=DAYS)
    plan = Plan(rng, demo_shop(rng, orders), start, end, orders, orders / 300)
    loader = Loader(uow)
    site = Warehouse(uow, random.Random(seed + 1))
    van = Van(uow)
    steps = (
        catalogue_steps(plan, loader)
        + stock_steps(plan, loader)
        + order_steps(plan, loader, random.Random(seed + 3))
        + fulfilment_steps(plan, site)
        + delivery_steps(van, end)
    )
    steps.sort(key=lambda step: step.at)  # stable: same-moment steps keep their planned order
    _run(steps, clock, orders, console)
    loader.done.update(site.done)
    loader.done.update(van.done)
    clock.now = end
    load_returns(uow, random.Random(seed + 2), loader.done)
    cancel_a_line(uow, all_orders(uow), loader.done)
    load_end(uow, loader.done)
    return report(loader, plan, time.perf_counter() - started)

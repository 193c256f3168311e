"""Orders from rows of a CSV file: the columns oms reads, a mapping from another layout's
headers, one row read into an order line, and rows grouped into orders by the channel's
order reference. Pure: the caller reads the file and places the orders.

One row is one order line. The rows of one order must follow each other; the order's own
fields (customer, address, shipping, placed-at...) are read from its first row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from oms.domain.countries import country_code
from oms.domain.orders.draft import Address, Customer, DraftLine

# Our columns: required ones first. Everything else may be absent (or set with a default).
REQUIRED = ("external_id", "sku", "quantity")
OPTIONAL = (
    "unit_price",
    "discount",
    "tax",
    "description",
    "currency",
    "customer_email",
    "customer_name",
    "customer_ref",
    "customer_phone",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_postal_code",
    "ship_country",
    "shipping",
    "order_discount",
    "priority",
    "placed_at",
)
COLUMNS = REQUIRED + OPTIONAL
LINE_COLUMNS = frozenset({"sku", "quantity", "unit_price", "discount", "tax", "description"})


@dataclass(frozen=True, slots=True)
class RowError:
    """One thing wrong with the file: the row's number (1 = the header), the column as in
    the file (its own header name), and what is wrong."""

    row: int
    column: str
    message: str


class MappingError(ValueError):
    """The --map / --set options or the header do not make a usable layout."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Which header of the file holds each of our columns, and constant values for columns
    the file lacks or leaves empty (`defaults`)."""

    columns: Mapping[str, str]
    defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def make(cls, header: Iterable[str], mapping: str = "", defaults: str = "") -> Layout:
        """From the file's header, `our=theirs,...` and `our=value,...`. A column not
        mapped is read from the header of its own name when there is one."""
        found = [h.strip() for h in header]
        theirs = _pairs(mapping, "--map")
        given = _pairs(defaults, "--set")
        columns: dict[str, str] = {}
        for ours in COLUMNS:
            if ours in theirs:
                if theirs[ours] not in found:
                    raise MappingError(f"--map {ours}={theirs[ours]}: no such header in the file")
                columns[ours] = theirs[ours]
            elif ours in found:
                columns[ours] = ours
        missing = [c for c in REQUIRED if c not in columns and c not in given]
        if missing:
            raise MappingError(
                f"no column for {', '.join(missing)}: the header has "
                f"{', '.join(found) or 'nothing'}; map one with --map {missing[0]}=HEADER"
            )
        return cls(columns, given)

    def value(self, row: Mapping[str, str | None], ours: str) -> str:
        header = self.columns.get(ours)
        text = (row.get(header) or "").strip() if header else ""
        return text or self.defaults.get(ours, "")

    def header_of(self, ours: str) -> str:
        return self.columns.get(ours, ours)


def _pairs(text: str, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        ours, sep, theirs = part.partition("=")
        ours = ours.strip()
        if not sep or ours not in COLUMNS:
            raise MappingError(
                f"{option} {part!r}: write our=theirs, ours one of {', '.join(COLUMNS)}"
            )
        out[ours] = theirs.strip()
    return out


@dataclass(frozen=True, slots=True)
class Row:
    """A row of the file, numbered as a person counts lines (the header is row 1)."""

    number: int
    values: Mapping[str, str | None]


@dataclass
class RowOrder:
    """The rows of one order, in file order."""

    external_id: str
    rows: list[Row] = field(default_factory=list)


def group(rows: Iterable[Row], layout: Layout) -> Iterator[RowOrder]:
    """Consecutive rows with the same external id as one order, as they arrive. A row
    without an external id is an order of its own (its error is reported later)."""
    current: RowOrder | None = None
    for row in rows:
        ref = layout.value(row.values, "external_id")
        if current is not None and (ref != current.external_id or not ref):
            yield current
            current = None
        if current is None:
            current = RowOrder(ref)
        current.rows.append(row)
    if current is not None:
        yield current


@dataclass(frozen=True, slots=True)
class OrderFromRows:
    """An order read from its rows: what OrderDraft needs, and which row made each line."""

    external_id: str
    customer: Customer
    address: Address
    lines: list[DraftLine]
    line_rows: list[int]
    descriptions: list[str]
    currency: str | None
    shipping: Decimal
    discount: Decimal
    priority: int
    placed_at: datetime | None


def read_order(
    found: RowOrder, layout: Layout, channel: str, zone: tzinfo = UTC
) -> OrderFromRows | list[RowError]:
    """The order, or every error of its rows (an order with one bad row is refused whole).
    Rows of one SKU at one price are one line (their quantities added)."""
    errors: list[RowError] = []
    first = found.rows[0]
    get = _Reader(layout, first, errors)
    if not found.external_id:
        get.error("external_id", "empty: every row needs its order's reference")
    ref = get.text("customer_ref")
    email = get.text("customer_email") or (f"{_slug(ref)}@{channel}.invalid" if ref else "")
    if not email:
        get.error("customer_email", "empty, and no customer_ref to name the customer by")
    name = get.text("customer_name") or (f"customer {ref}" if ref else email)
    country_text = get.text("ship_country")
    country = country_code(country_text) if country_text else None
    if country is None:
        get.error("ship_country", f"{country_text!r} is not a country (an ISO code or its name)")
    address = Address(
        get.text("ship_name") or name,
        get.text("ship_line1"),
        get.text("ship_city"),
        get.text("ship_postal_code"),
        country or "",
        get.text("ship_line2") or None,
    )
    for part in ("ship_line1", "ship_city", "ship_postal_code"):
        if not get.text(part):
            get.error(part, "empty (give a default with --set if the file has none)")
    customer = Customer(email, name, get.text("customer_phone") or None)
    shipping = get.money("shipping")
    discount = get.money("order_discount")
    priority = get.integer("priority", 0) or 0
    placed_at = get.moment("placed_at", zone)
    currency = get.text("currency") or None
    built, line_rows, descriptions = _read_lines(found, layout, errors)
    if errors:
        return errors
    return OrderFromRows(
        found.external_id,
        customer,
        address,
        built,
        line_rows,
        descriptions,
        currency,
        shipping,
        discount,
        priority,
        placed_at,
    )


def _read_lines(
    found: RowOrder, layout: Layout, errors: list[RowError]
) -> tuple[list[DraftLine], list[int], list[str]]:
    """One line per SKU (an oms order has one line per SKU). Rows of one SKU at one price
    add their quantities; at several prices (a price break, a free unit) they are one line
    at the highest price with a line discount for the difference, so the line costs what
    the rows cost: 2 at 3.00 and 5 at 2.50 are 7 at 3.00 less 2.50."""
    merged: dict[str, _Merged] = {}
    line_rows: list[int] = []
    descriptions: list[str] = []
    for row in found.rows:
        line = _Reader(layout, row, errors)
        sku = line.text("sku")
        if not sku:
            line.error("sku", "empty")
        quantity = line.integer("quantity", None)
        if quantity is not None and quantity < 1:
            line.error("quantity", f"{quantity}: an order line needs at least 1 unit")
        price = line.money("unit_price") if line.text("unit_price") else None
        line_discount, tax = line.money("discount"), line.money("tax")
        if not sku or quantity is None or quantity < 1:
            continue
        was = merged.get(sku)
        if was is None:
            merged[sku] = _Merged(sku, quantity, price, line_discount, tax)
            line_rows.append(row.number)
            descriptions.append(line.text("description"))
        elif (was.top is None) != (price is None):
            line.error(
                "unit_price",
                f"SKU {sku} is on an earlier row of this order "
                + ("without a price" if was.top is None else "with a price"),
            )
        else:
            was.add(quantity, price, line_discount, tax)
    return [m.line() for m in merged.values()], line_rows, descriptions


@dataclass
class _Merged:
    """The rows of one SKU in one order, summed: units, value at their own prices, the
    highest price, discounts and tax."""

    sku: str
    quantity: int
    top: Decimal | None
    discount: Decimal
    tax: Decimal
    value: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        self.value = (self.top or Decimal(0)) * self.quantity

    def add(self, quantity: int, price: Decimal | None, discount: Decimal, tax: Decimal) -> None:
        self.quantity += quantity
        self.discount += discount
        self.tax += tax
        if price is not None and self.top is not None:
            self.value += price * quantity
            self.top = max(self.top, price)

    def line(self) -> DraftLine:
        if self.top is None:
            return DraftLine(self.sku, self.quantity, None, self.discount, self.tax)
        below = self.top * self.quantity - self.value  # what the lower-priced rows saved
        return DraftLine(self.sku, self.quantity, self.top, self.discount + below, self.tax)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in text.lower())


class _Reader:
    """Reads our columns of one row, collecting an error per unreadable value."""

    def __init__(self, layout: Layout, row: Row, errors: list[RowError]) -> None:
        self.layout, self.row, self.errors = layout, row, errors

    def text(self, ours: str) -> str:
        return self.layout.value(self.row.values, ours)

    def error(self, ours: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, self.layout.header_of(ours), message))

    def money(self, ours: str) -> Decimal:
        text = self.text(ours)
        if not text:
            return Decimal(0)
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0:
            self.error(ours, f"{text!r} is not an amount (a decimal such as 19.90, not negative)")
            return Decimal(0)
        return value

    def integer(self, ours: str, default: int | None) -> int | None:
        text = self.text(ours)
        if not text:
            if default is None:
                self.error(ours, "empty")
            return default
        try:
            return int(text)
        except ValueError:
            self.error(ours, f"{text!r} is not a whole number")
            return default

    def moment(self, ours: str, zone: tzinfo) -> datetime | None:
        text = self.text(ours)
        if not text:
            return None
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            self.error(ours, f"{text!r} is not a date and time (YYYY-MM-DD HH:MM[:SS][+HH:MM])")
            return None
        return (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(UTC)


def scattered(refs: Iterable[str]) -> set[str]:
    """The order references whose rows are not all together: they appear in two runs or
    more. One pass over the references; keeps one entry per order."""
    seen: set[str] = set()
    out: set[str] = set()
    last: str | None = None
    for ref in refs:
        if ref == last:
            continue
        if ref in seen:
            out.add(ref)
        seen.add(ref)
        last = ref
    return out

"""Who may do what: roles, permissions and the one matrix that joins them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oms.domain.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    CUSTOMER_SERVICE = "customer_service"
    WAREHOUSE = "warehouse"
    CARRIER = "carrier"
    ANALYST = "analyst"
    DRIVER = "driver"
    # Planning (issue 13): buys from suppliers
    BUYER = "buyer"


class Permission(StrEnum):
    CATALOGUE_READ = "catalogue.read"
    CATALOGUE_WRITE = "catalogue.write"
    LOCATION_WRITE = "location.write"
    STOCK_READ = "stock.read"
    STOCK_WRITE = "stock.write"
    ORDER_READ = "order.read"
    ORDER_CREATE = "order.create"
    ORDER_CONFIRM = "order.confirm"
    ORDER_HOLD = "order.hold"
    ORDER_CANCEL = "order.cancel"
    ORDER_NOTE = "order.note"
    SHIPMENT_READ = "shipment.read"
    FULFIL = "shipment.fulfil"
    ALLOCATE = "order.allocate"
    TRACKING_EVENT = "tracking.event"
    USER_MANAGE = "user.manage"
    RETURN_CREATE = "return.create"
    RETURN_MANAGE = "return.manage"
    RETURN_RECEIVE = "return.receive"
    PAYMENT_RECORD = "payment.record"
    REFUND_ISSUE = "refund.issue"
    REFUND_ABOVE_LIMIT = "refund.above_limit"
    RETURN_POLICY = "return.policy"
    NOTIFICATION_MANAGE = "notification.manage"
    PROBLEM_RESOLVE = "problem.resolve"
    SHIPMENT_RESHIP = "shipment.reship"
    REPORT_READ = "report.read"
    DELIVERY_DISPATCH = "delivery.dispatch"
    DELIVERY_DRIVE = "delivery.drive"
    # Channels: checkout holds and the availability feed (docs/channels.md)
    HOLD_CREATE = "hold.create"
    CHANNEL_AVAILABILITY = "channel_feed.read"
    # Channels (issue 14: channels as records)
    CHANNEL_MANAGE = "channel.manage"
    ORDER_EDIT = "order.edit"
    # Planning (issue 13): suppliers, purchase orders, suggestions
    PLANNING_READ = "planning.read"
    PURCHASING_WRITE = "purchasing.write"


P = Permission

# What each permission lets one do, in words (docs/access-control.md is built from this).
DESCRIPTIONS: dict[Permission, str] = {
    P.CATALOGUE_READ: "read products and locations",
    P.CATALOGUE_WRITE: "create, edit and archive products",
    P.LOCATION_WRITE: "create locations and change their settings",
    P.STOCK_READ: "read stock rows and the stock ledger",
    P.STOCK_WRITE: "count and adjust stock",
    P.ORDER_READ: "read orders, their customers and timelines",
    P.ORDER_CREATE: "place orders",
    P.ORDER_CONFIRM: "confirm orders",
    P.ORDER_HOLD: "hold and release orders",
    P.ORDER_CANCEL: "cancel orders",
    P.ORDER_NOTE: "add notes to an order's timeline (staff only, never shown to customers)",
    P.SHIPMENT_READ: "read shipments, pick lists, their documents and availability",
    P.FULFIL: "make and complete pick lists, pack, ship and reject shipments",
    P.ALLOCATE: "re-plan the backlog of backordered orders (oms allocate)",
    P.TRACKING_EVENT: "post tracking events (a carrier: only for its own carrier)",
    P.USER_MANAGE: "manage users and API tokens",
    P.RETURN_CREATE: "start a return of delivered units, within the return policy",
    P.RETURN_MANAGE: (
        "approve and reject returns; start one outside the return window (with a reason)"
    ),
    P.RETURN_RECEIVE: "receive returned parcels and inspect them (restock or write off)",
    P.PAYMENT_RECORD: "record money received for an order (payments)",
    P.REFUND_ISSUE: (
        "refund returns and cancelled units, up to the refund limit (OMS_REFUND_LIMIT);"
        " retry a failed refund"
    ),
    P.REFUND_ABOVE_LIMIT: "issue a refund larger than the refund limit",
    P.NOTIFICATION_MANAGE: (
        "manage webhook subscriptions; see deliveries and e-mails sent, retry dead ones"
    ),
    P.RETURN_POLICY: "set and delete the return policies of channels and the default one",
    P.PROBLEM_RESOLVE: (
        "resolve a problem reported with an order (by the customer, or a lost or"
        " undeliverable parcel)"
    ),
    P.SHIPMENT_RESHIP: "declare a parcel lost and send its units again in a new shipment",
    P.REPORT_READ: "read reports (stage times, the bottleneck, late rates) and their CSV",
    P.DELIVERY_DISPATCH: (
        "make a location's delivery runs, order their stops, start and finish them, print"
        " their manifests"
    ),
    P.DELIVERY_DRIVE: (
        "see the delivery runs of one's own location, start one, record each stop delivered"
        " or not (a driver: only at the location the user is bound to, only their own run)"
    ),
    P.HOLD_CREATE: "hold stock for a cart (checkout holds) and release such holds",
    P.CHANNEL_AVAILABILITY: "read a channel's availability feed (what it may sell, buffers off)",
    P.CHANNEL_MANAGE: (
        "create channel records, change their settings, rotate their webhook secrets"
        " (reading channels needs order.read)"
    ),
    P.ORDER_EDIT: (
        "edit an order before picking starts: line quantities, new and removed lines, the"
        " shipping address, the priority (a paid order is refunded what an edit takes off)"
    ),
    P.PLANNING_READ: (
        "read suppliers, purchase orders, what is on order, forecasts, reorder levels, the"
        " suggested purchase orders and the understock list; the stock reports at cost"
        " (stock-out, overstock, dead stock, stock value)"
    ),
    P.PURCHASING_WRITE: (
        "create and edit suppliers and their cost prices; create, send, receive, close and"
        " cancel purchase orders (receiving writes the ledger and fills waiting orders);"
        " refresh the reorder levels and make draft purchase orders from the suggestions"
    ),
}

_READ_ALL = frozenset({P.CATALOGUE_READ, P.STOCK_READ, P.ORDER_READ, P.SHIPMENT_READ})

# The matrix, role x permission. Everything a role may do is listed here and nowhere else.
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SALES: frozenset(
        {
            P.ORDER_READ,
            P.ORDER_CREATE,
            P.ORDER_CONFIRM,
            P.ORDER_HOLD,
            P.ORDER_NOTE,
            P.CATALOGUE_READ,
            P.STOCK_READ,
            P.SHIPMENT_READ,
            P.RETURN_CREATE,
            P.PAYMENT_RECORD,
            # Channels: a shop's integration token holds carts and reads its feed
            P.HOLD_CREATE,
            P.CHANNEL_AVAILABILITY,
        }
    ),
    Role.CUSTOMER_SERVICE: frozenset(
        {
            P.ORDER_READ,
            P.ORDER_HOLD,
            P.ORDER_CANCEL,
            P.ORDER_NOTE,
            P.CATALOGUE_READ,
            P.SHIPMENT_READ,
            P.RETURN_CREATE,
            P.RETURN_MANAGE,
            P.PAYMENT_RECORD,
            P.REFUND_ISSUE,
            P.PROBLEM_RESOLVE,
            P.SHIPMENT_RESHIP,
            P.ORDER_EDIT,
        }
    ),
    Role.WAREHOUSE: frozenset(
        {
            P.ORDER_READ,
            P.ORDER_NOTE,
            P.STOCK_READ,
            P.STOCK_WRITE,
            P.CATALOGUE_READ,
            P.SHIPMENT_READ,
            P.FULFIL,
            P.ALLOCATE,
            P.RETURN_RECEIVE,
            P.DELIVERY_DISPATCH,
        }
    ),
    Role.CARRIER: frozenset({P.TRACKING_EVENT}),
    Role.ANALYST: _READ_ALL | {P.REPORT_READ, P.CHANNEL_AVAILABILITY, P.PLANNING_READ},
    Role.DRIVER: frozenset({P.DELIVERY_DRIVE}),
    # Planning (issue 13): the buyer reads what planning needs and buys
    Role.BUYER: _READ_ALL | {P.REPORT_READ, P.PLANNING_READ, P.PURCHASING_WRITE},
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever acts: a user with a role, or `system` (the CLI, demo and internal jobs).

    A carrier user is bound to one carrier code and may act for that carrier only. A user
    may be bound to the location they work at (`location_code`): the warehouse station opens
    on it. The binding says where to start, not what may be done: permissions come from the
    role alone.
    """

    name: str
    role: Role
    carrier: str | None = None
    location_code: str | None = None

    def may(self, permission: Permission) -> bool:
        return permission in MATRIX[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"role {self.role.value} may not {permission.value.replace('.', ' ')}"
            )

    def require_at(self, location_code: str, *permissions: Permission) -> Permission:
        """May do one of `permissions` at this location: a driver only at the location the
        user is bound to (others: anywhere their role allows). Returns the one allowed."""
        allowed = next((p for p in permissions if self.may(p)), None)
        if allowed is None:
            self.require(permissions[0])
        assert allowed is not None
        if self.role is Role.DRIVER and self.location_code != location_code:
            raise PermissionDenied(
                f"a driver works at their own location ({self.location_code}), not at"
                f" {location_code}"
            )
        return allowed

    def require_carrier(self, carrier: str) -> None:
        """May post tracking events for this carrier: any carrier for an admin, its own else."""
        self.require(Permission.TRACKING_EVENT)
        if self.role is Role.CARRIER and self.carrier != carrier:
            raise PermissionDenied(f"this token may only post events for carrier {self.carrier}")


SYSTEM = Actor("system", Role.ADMIN)


def matrix_table() -> str:
    """The matrix as a Markdown table: one row per permission, one column per role."""
    roles = list(Role)
    lines = [
        "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = " | ".join("yes" if permission in MATRIX[r] else "no" for r in roles)
        lines.append(f"| `{permission.value}` | {DESCRIPTIONS[permission]} | {marks} |")
    return "\n".join(lines) + "\n"

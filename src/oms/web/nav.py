"""The back office's navigation: one entry per page, shown only to roles that may use it.

Adding a page is one route, one template and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from oms.config import Settings
from oms.domain.access import Actor, Permission


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    path: str
    permission: Permission | None  # None: every logged-in user
    also: tuple[str, ...] = ()  # other paths whose pages belong to this entry
    without_smtp: bool = False  # shown only when e-mails go to the mailbox folder

    def open_to(self, actor: Actor) -> bool:
        return self.permission is None or actor.may(self.permission)

    def owns(self, path: str) -> str | None:
        """The longest of the entry's paths that starts this one, if any."""
        found = [
            p
            for p in (self.path, *self.also)
            if path == p or (p != "/" and path.startswith(p + "/"))
        ]
        return max(found, key=len, default=None)


NAV: tuple[NavEntry, ...] = (
    NavEntry("Today", "/", None),
    NavEntry("Orders", "/orders", Permission.ORDER_READ),
    NavEntry("Returns", "/returns", Permission.ORDER_READ),
    # Customer service: roles that read orders and may hold them answer customers.
    NavEntry("Service", "/service", Permission.ORDER_HOLD),
    NavEntry("Station", "/station", Permission.FULFIL),
    NavEntry("Delivery", "/delivery", Permission.DELIVERY_DISPATCH),
    NavEntry("Driver", "/driver", Permission.DELIVERY_DRIVE),
    NavEntry("Stock", "/stock", Permission.STOCK_READ),
    NavEntry("Products", "/products", Permission.CATALOGUE_READ),
    NavEntry("Locations", "/locations", Permission.CATALOGUE_READ),
    NavEntry("Reports", "/reports", Permission.REPORT_READ),
    NavEntry("Users", "/users", Permission.USER_MANAGE),
    # Webhook subscriptions, their delivery logs and the dead deliveries to retry.
    NavEntry("Notifications", "/webhooks", Permission.NOTIFICATION_MANAGE, ("/deliveries",)),
    NavEntry("Mailbox", "/mailbox", Permission.NOTIFICATION_MANAGE, without_smtp=True),
    NavEntry("Channels", "/channels", Permission.CHANNEL_MANAGE),  # channels (issue 14)
    # Planning (issue 13): purchase orders and suppliers; suggestions and charts
    NavEntry("Purchasing", "/purchase-orders", Permission.PLANNING_READ, ("/suppliers",)),
    NavEntry("Planning", "/planning", Permission.PLANNING_READ),
    NavEntry("Account", "/account", None),
)


def entries_for(actor: Actor, settings: Settings | None = None) -> list[NavEntry]:
    smtp = settings is not None and bool(settings.smtp_host)
    return [entry for entry in NAV if entry.open_to(actor) and not (smtp and entry.without_smtp)]


def current(path: str, entries: list[NavEntry]) -> NavEntry | None:
    """The entry a page belongs to: the longest path that starts it ('/orders/7': Orders)."""
    matches = [(owned, e) for e in entries if (owned := e.owns(path)) is not None]
    return max(matches, key=lambda m: len(m[0]), default=(None, None))[1]


def has_page(actor: Actor, path: str) -> bool:
    """Whether a link to this path leads to a page the actor may open."""
    entry = current(path.split("?", 1)[0], list(NAV))
    return entry is not None and entry.open_to(actor)

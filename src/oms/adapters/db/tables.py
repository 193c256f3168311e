"""The schema: every table oms stores, as SQLAlchemy Core metadata (Alembic diffs against it).
Returns, money and notifications are in tables_after_sale.py, imported history in
tables_insight.py, on the same metadata, and imported here: every table is found here."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import (
    NAMING,
    PATTERN,
    Id,
    UTCDateTime,
    metadata,
    pg_only,
    trigram_index,
)
from oms.adapters.db.schema import fk_column as _fk
from oms.adapters.db.schema import id_column as _id
from oms.adapters.db.tables_after_sale import (
    deliveries,
    delivery_attempts,
    order_problems,
    outbox,
    payments,
    refunds,
    return_lines,
    return_policies,
    returns,
    webhooks,
)
from oms.adapters.db.tables_channels import channels
from oms.adapters.db.tables_facts import order_facts
from oms.adapters.db.tables_holds import hold_units, holds
from oms.adapters.db.tables_insight import history_orders
from oms.adapters.db.tables_kits import kit_components
from oms.adapters.db.tables_last_mile import delivery_runs, local_delivery, run_stops
from oms.adapters.db.tables_planning import (
    purchase_order_lines,
    purchase_orders,
    supplier_products,
    suppliers,
)
from oms.adapters.db.tables_reorder import reorder_levels, suggestion_requests

__all__ = [
    "NAMING",
    "Id",
    "UTCDateTime",
    "channels",
    "deliveries",
    "delivery_attempts",
    "delivery_runs",
    "history_orders",
    "hold_units",
    "holds",
    "kit_components",
    "local_delivery",
    "metadata",
    "order_problems",
    "outbox",
    "payments",
    "refunds",
    "return_lines",
    "return_policies",
    "returns",
    "run_stops",
    "webhooks",
]
# planning (issue #13)
__all__ += ["order_facts"]
__all__ += ["purchase_order_lines", "purchase_orders", "supplier_products", "suppliers"]
__all__ += ["reorder_levels", "suggestion_requests"]

products = sa.Table(
    "products",
    metadata,
    _id(),
    sa.Column("sku", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("weight_grams", sa.Integer),
    sa.Column("barcode", sa.String(64)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # Archived products cannot be ordered and are left out of lists; their orders keep them.
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
    # A kit: made of components (kit_components), with no stock rows of its own.
    sa.Column("kit", sa.Boolean, nullable=False, server_default=sa.false()),
)

locations = sa.Table(
    "locations",
    metadata,
    _id(),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("postal_code", sa.String(16), nullable=False),
    sa.Column("ships", sa.Boolean, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # When the location hands parcels to the carrier: an IANA zone, a wall-clock cut-off
    # ("HH:MM") and working days as weekday digits, Monday=0 ("01234" is Monday-Friday).
    sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("cut_off", sa.String(5), nullable=False, server_default="15:00"),
    sa.Column("working_days", sa.String(7), nullable=False, server_default="01234"),
    sa.Column("default_bin", sa.String(32), nullable=False, server_default="A-01-01"),
)

# The database itself refuses a row that promises more than is on hand: the last line of
# defence against overselling, whatever the code above it does.
stock = sa.Table(
    "stock",
    metadata,
    _id(),
    _fk("location_id", "locations.id"),
    _fk("product_id", "products.id"),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Where the product sits in the location; none: the location's default bin.
    sa.Column("bin", sa.String(32)),
    sa.UniqueConstraint("location_id", "product_id"),
    sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    sa.CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    sa.Index("ix_stock_product_id", "product_id"),
)

_EMAIL, _PHONE, _NUMBER = ({c: PATTERN} for c in ("customer_email", "customer_phone", "number"))
orders = sa.Table(
    "orders",
    metadata,
    _id(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("external_id", sa.String(128)),
    sa.Column("idempotency_key", sa.String(255), unique=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("held_from", sa.String(32)),
    sa.Column("customer_email", sa.String(320), nullable=False),
    sa.Column("customer_name", sa.String(200), nullable=False),
    sa.Column("customer_phone", sa.String(16)),  # normalised: digits, leading + (phone.py)
    sa.Column("customer_language", sa.String(16)),  # BCP 47 ("fr", "en-GB"); None: the shop's
    sa.Column("ship_name", sa.String(200), nullable=False),
    sa.Column("ship_line1", sa.String(200), nullable=False),
    sa.Column("ship_line2", sa.String(200)),
    sa.Column("ship_city", sa.String(100), nullable=False),
    sa.Column("ship_postal_code", sa.String(16), nullable=False),
    sa.Column("ship_country", sa.String(2), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
    sa.Column("shipping_minor", sa.BigInteger, nullable=False),
    sa.Column("tax_minor", sa.BigInteger, nullable=False),
    sa.Column("total_minor", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # The customer's tracking page is /track/<token>: 128 random bits, URL-safe base64.
    sa.Column("tracking_token", sa.String(43), nullable=False, unique=True),
    # Money (migration 0010): the lines' discounts summed, whether prices include tax,
    # payments captured and refunds confirmed; an exchange's original, and the original's
    # exchanges (ids, written under the original's lock when an exchange is placed).
    sa.Column("discount_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("prices_include_tax", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("exchange_of_id", Id, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("exchanges", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    # When it was last delivered (its last order.delivered, written by the repository's
    # save with that event; migration 0020): the completion sweep's indexed cut-off.
    sa.Column("delivered_at", UTCDateTime),
    sa.UniqueConstraint("channel", "external_id"),
    sa.Index("ix_orders_status_id", "status", "id"),
    sa.Index("ix_orders_channel_id", "channel", "id"),
    sa.Index("ix_orders_status_channel_id", "status", "channel", "id"),  # both (0026)
    # Email, phone, number in byte order on PostgreSQL (0026): `=`, LIKE 'start%' alike.
    sa.Index("ix_orders_customer_email_id", "customer_email", "id", postgresql_ops=_EMAIL),
    # The orders list's sorts (by total, by customer) read the first page off an index
    # instead of sorting the whole history. On PostgreSQL a trigram index on
    # lower(customer_name) also serves "part of a name" searches (and, for the stock
    # list's search, one on lower(products.name) and a text_pattern_ops b-tree on
    # products.sku); migration 0006 alone makes them (SQLite has no such index) and
    # autogenerate's comparison leaves them out (migrate.py, MIGRATION_ONLY_INDEXES).
    sa.Index("ix_orders_total_minor_id", "total_minor", "id"),
    sa.Index("ix_orders_customer_name_id", "customer_name", "id"),
    # Search (domain/orders/search.py): a phone (its last digits: on PostgreSQL the phone
    # reversed, made by 0026 alone), an external id alone (the unique key starts with the
    # channel, which the search box does not know).
    sa.Index("ix_orders_customer_phone_id", "customer_phone", "id", postgresql_ops=_PHONE),
    sa.Index("ix_orders_external_id", "external_id"),
    # -- reads at a million orders (migration 0020, docs/performance.md) --
    # The delivered orders only, by when: the completion sweep reads those due, not all.
    sa.Index(
        "ix_orders_delivered_at",
        "delivered_at",
        postgresql_where=sa.text("status = 'delivered'"),
        sqlite_where=sa.text("status = 'delivered'"),
    ),
    # PostgreSQL only (order_search.py): a number's start in byte order, part of an email by
    # trigrams. SQLite reads starts off the plain indexes (GLOB), scans for the rest.
    pg_only(sa.Index("ix_orders_number_id_pattern", "number", "id", postgresql_ops=_NUMBER)),
    pg_only(trigram_index("ix_orders_customer_email_trgm", "customer_email")),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    sa.Column("line_no", sa.Integer, nullable=False),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_minor", sa.BigInteger, nullable=False),
    sa.Column("allocated_quantity", sa.Integer, nullable=False),
    sa.Column("backordered_quantity", sa.Integer, nullable=False),
    sa.Column("shipped_quantity", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delivered_quantity", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cancelled_quantity", sa.Integer, nullable=False, server_default="0"),
    sa.Column("returned_quantity", sa.Integer, nullable=False, server_default="0"),
    # The line's discount (its own and its share of the order's) and its tax, for all units.
    sa.Column("discount_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("tax_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "allocated_quantity >= 0 AND backordered_quantity >= 0 AND allocated_quantity"
        " + backordered_quantity + shipped_quantity + cancelled_quantity = quantity",
        name="quantities_balance",
    ),
    sa.Index("ix_order_lines_order_id", "order_id"),
    # Only lines that wait for stock are in this index, so filling backorders stays cheap.
    sa.Index(
        "ix_order_lines_backordered",
        "product_id",
        postgresql_where=sa.text("backordered_quantity > 0"),
        sqlite_where=sa.text("backordered_quantity > 0"),
    ),
)

reservations = sa.Table(
    "reservations",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    _fk("order_line_id", "order_lines.id"),
    _fk("stock_id", "stock.id"),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # Stock units per unit of the line: a kit's component quantity, 1 for a plain line.
    sa.Column("per_unit", sa.Integer, nullable=False, server_default="1"),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.Index("ix_reservations_stock_id", "stock_id"),
    sa.Index("ix_reservations_order_id", "order_id"),
)

stock_ledger = sa.Table(
    "stock_ledger",
    metadata,
    _id(),
    _fk("stock_id", "stock.id"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("on_hand_delta", sa.Integer, nullable=False),
    sa.Column("reserved_delta", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(500)),
    sa.Column("order_id", Id),
    sa.Column("order_line_id", Id),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_stock_ledger_stock_id_id", "stock_id", "id"),
)

order_events = sa.Table(
    "order_events",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("from_status", sa.String(32)),
    sa.Column("to_status", sa.String(32)),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("ix_order_events_order_id_id", "order_id", "id"),
)

# Order numbers: a sequence on PostgreSQL (no lock held across transactions); on SQLite,
# where writers are serialised anyway, a counter row.
order_number_seq = sa.Sequence("order_number_seq", metadata=metadata)
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# -- access control ----------------------------------------------------------------------------
# Secrets are never stored: API tokens and session ids as SHA-256 (they are 256 random bits),
# passwords as argon2id. A customer is not a user.
users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("carrier", sa.String(32)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # The location a user works at (the warehouse station opens on it); none for most.
    _fk("location_id", "locations.id", nullable=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _fk("user_id", "users.id"),
    sa.Column("label", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
    sa.Index("ix_api_tokens_user_id", "user_id"),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    _id(),
    sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
    _fk("user_id", "users.id"),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Index("ix_web_sessions_user_id", "user_id"),
    sa.Index("ix_web_sessions_expires_at", "expires_at"),
)

# One row per failed login, kept for the throttling window only.
login_failures = sa.Table(
    "login_failures",
    metadata,
    _id(),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_login_failures_user_name_at", "user_name", "at"),
    sa.Index("ix_login_failures_address_at", "address", "at"),
    sa.Index("ix_login_failures_at", "at"),
)

# Keys the server makes for itself (cookie signing), shared by every process through the DB.
server_keys = sa.Table(
    "server_keys",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


# -- fulfilment ----------------------------------------------------------------------------------
# A carrier and its rates are data: the built-in carrier is a row like any other, and its
# tracking numbers come from its own serial range (UPU S10: 8 digits).
carriers = sa.Table(
    "carriers",
    metadata,
    _id(),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("adapter", sa.String(32), nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("default_service", sa.String(32), nullable=False),
    sa.Column("service_indicator", sa.String(2), nullable=False),
    sa.Column("serial_next", sa.Integer, nullable=False),
    sa.Column("serial_last", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("serial_next <= serial_last + 1", name="serial_in_range"),
)

# One zone of a carrier's service: from a country to countries (and postal prefixes, space-
# separated; empty: the whole country), priced per shipment with the first kg included.
carrier_rates = sa.Table(
    "carrier_rates",
    metadata,
    _id(),
    _fk("carrier_id", "carriers.id"),
    sa.Column("service", sa.String(32), nullable=False),
    sa.Column("zone", sa.String(64), nullable=False),
    sa.Column("origin", sa.String(2), nullable=False),
    sa.Column("destinations", sa.String(400), nullable=False),
    sa.Column("postal_prefixes", sa.String(400), nullable=False, server_default=""),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("base_minor", sa.BigInteger, nullable=False),
    sa.Column("per_kg_minor", sa.BigInteger, nullable=False),
    sa.Column("transit_days", sa.Integer, nullable=False),
    sa.Column("max_weight_grams", sa.Integer, nullable=False),
    sa.Index("ix_carrier_rates_carrier_id", "carrier_id"),
)

pick_lists = sa.Table(
    "pick_lists",
    metadata,
    _id(),
    _fk("location_id", "locations.id"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("completed_by", sa.String(100)),
    sa.Column("completed_at", UTCDateTime),
    sa.Index("ix_pick_lists_location_id_id", "location_id", "id"),
)

# What the picker walks: one line per SKU and bin, in bin order (seq).
pick_list_lines = sa.Table(
    "pick_list_lines",
    metadata,
    _id(),
    _fk("pick_list_id", "pick_lists.id"),
    sa.Column("seq", sa.Integer, nullable=False),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("bin", sa.String(32), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Index("ix_pick_list_lines_pick_list_id", "pick_list_id"),
)

shipments = sa.Table(
    "shipments",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    _fk("location_id", "locations.id"),
    sa.Column("status", sa.String(32), nullable=False),
    _fk("pick_list_id", "pick_lists.id", nullable=True),
    sa.Column("carrier", sa.String(32)),
    sa.Column("service", sa.String(32)),
    sa.Column("tracking_number", sa.String(32), unique=True),
    sa.Column("weight_grams", sa.Integer),
    sa.Column("ship_date", sa.Date),
    sa.Column("promised_delivery_date", sa.Date),
    sa.Column("shipping_cost_minor", sa.BigInteger),
    sa.Column("currency", sa.String(3)),
    sa.Column("last_event_at", UTCDateTime),
    # When the customer was told it is late (shipment.late, once; migration 0011).
    sa.Column("late_notified_at", UTCDateTime),
    # The day it must leave by, and the lost shipment it replaces (migration 0012).
    sa.Column("ship_by", sa.Date),
    sa.Column("replaces_id", Id),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_shipments_order_id", "order_id"),
    sa.Index("ix_shipments_location_id_status_id", "location_id", "status", "id"),
    sa.Index("ix_shipments_status_promised", "status", "promised_delivery_date"),
    sa.Index("ix_shipments_pick_list_id", "pick_list_id"),
    sa.Index("ix_shipments_status_ship_by", "status", "ship_by"),
    pg_only(
        sa.Index(
            "ix_shipments_tracking_number_pattern",
            "tracking_number",
            postgresql_ops={"tracking_number": PATTERN},
        )
    ),
)

shipment_lines = sa.Table(
    "shipment_lines",
    metadata,
    _id(),
    _fk("shipment_id", "shipments.id"),
    _fk("order_line_id", "order_lines.id"),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("picked_quantity", sa.Integer),
    sa.UniqueConstraint("shipment_id", "order_line_id"),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.Index("ix_shipment_lines_order_line_id", "order_line_id"),
)

# Every carrier event as received, applied or not (repeats are refused by the unique key).
shipment_events = sa.Table(
    "shipment_events",
    metadata,
    _id(),
    _fk("shipment_id", "shipments.id"),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("location", sa.String(200)),
    sa.Column("note", sa.String(500)),
    sa.Column("applied", sa.Boolean, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("shipment_id", "status", "at"),
    sa.Index("ix_shipment_events_shipment_id_at", "shipment_id", "at"),
)

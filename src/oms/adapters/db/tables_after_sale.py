"""The tables of what happens after the sale: returns, money, notifications. Part of the
one schema (`schema.metadata`); `tables.py` imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import PATTERN, Id, UTCDateTime, metadata, pg_only
from oms.adapters.db.schema import fk_column as _fk
from oms.adapters.db.schema import id_column as _id

# -- returns (RMA) -------------------------------------------------------------------------------
# A return's number is made from its id (RMA-000042). Its events live in order_events.
returns = sa.Table(
    "returns",
    metadata,
    _id(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    _fk("order_id", "orders.id"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("resolution", sa.String(16), nullable=False),
    sa.Column("override_reason", sa.String(500)),
    sa.Column("rejection_reason", sa.String(500)),
    sa.Column("carrier", sa.String(32)),
    sa.Column("service", sa.String(32)),
    sa.Column("tracking_number", sa.String(32), unique=True),
    sa.Column("weight_grams", sa.Integer),
    sa.Column("ship_date", sa.Date),
    sa.Column("promised_delivery_date", sa.Date),
    _fk("label_location_id", "locations.id", nullable=True),
    _fk("received_location_id", "locations.id", nullable=True),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("approved_at", UTCDateTime),
    sa.Column("received_at", UTCDateTime),
    sa.Column("inspected_at", UTCDateTime),
    # Money (migration 0010): the label's price and the exchange order.
    sa.Column("label_cost_minor", sa.BigInteger),
    sa.Column("label_cost_currency", sa.String(3)),
    _fk("exchange_order_id", "orders.id", nullable=True),
    sa.Index("ix_returns_order_id", "order_id"),
    sa.Index("ix_returns_status_id", "status", "id"),
    # The start of a return's tracking number (orders' search), PostgreSQL only (schema.py).
    pg_only(
        sa.Index(
            "ix_returns_tracking_number_pattern",
            "tracking_number",
            postgresql_ops={"tracking_number": PATTERN},
        )
    ),
)

return_lines = sa.Table(
    "return_lines",
    metadata,
    _id(),
    _fk("return_id", "returns.id"),
    sa.Column("line_no", sa.Integer, nullable=False),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("note", sa.String(2000)),
    sa.Column("received_quantity", sa.Integer, nullable=False),
    sa.Column("resellable_quantity", sa.Integer, nullable=False),
    sa.Column("damaged_quantity", sa.Integer, nullable=False),
    sa.UniqueConstraint("return_id", "sku"),
    sa.CheckConstraint(
        "quantity > 0 AND received_quantity >= 0 AND received_quantity <= quantity"
        " AND resellable_quantity >= 0 AND damaged_quantity >= 0"
        " AND resellable_quantity + damaged_quantity <= received_quantity",
        name="quantities_balance",
    ),
)

# One row per channel with a policy of its own; channel "*" is the default of the others.
return_policies = sa.Table(
    "return_policies",
    metadata,
    sa.Column("channel", sa.String(64), primary_key=True),
    sa.Column("window_days", sa.Integer, nullable=False),
    sa.Column("non_returnable", sa.JSON, nullable=False),
    sa.Column("customer_pays", sa.JSON, nullable=False),
    # Days after the last delivery when an order with nothing open completes (0012).
    sa.Column("completion_days", sa.Integer, nullable=False, server_default="14"),
    sa.CheckConstraint("window_days >= 0", name="window_not_negative"),
)

# What a customer reported about a delivered order (missing, wrong, damaged, never arrived);
# open until customer service resolves it. An order with an open problem never completes.
order_problems = sa.Table(
    "order_problems",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    _fk("shipment_id", "shipments.id", nullable=True),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("note", sa.String(2000)),
    sa.Column("reported_by", sa.String(100), nullable=False),
    sa.Column("reported_at", UTCDateTime, nullable=False),
    sa.Column("resolved_by", sa.String(100)),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("resolution", sa.String(500)),
    sa.Index("ix_order_problems_order_id", "order_id"),
    sa.Index("ix_order_problems_resolved_at_reported_at", "resolved_at", "reported_at"),
)

# -- money -------------------------------------------------------------------------------------
# A payment captured through a provider; (order, provider, reference) is unique, so a repeat
# of the same payment records nothing new.
payments = sa.Table(
    "payments",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("reference", sa.String(128), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("order_id", "provider", "reference"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

# A refund: how it was reached (lines, shipping, deduction, cap), its provider parts, and
# its state. One per return at most (the unique key refuses a second, also under a race).
refunds = sa.Table(
    "refunds",
    metadata,
    _id(),
    _fk("order_id", "orders.id"),
    sa.Column("return_id", Id, sa.ForeignKey("returns.id"), nullable=True, unique=True),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("lines", sa.JSON, nullable=False),
    sa.Column("shipping_minor", sa.BigInteger, nullable=False),
    sa.Column("deducted_minor", sa.BigInteger, nullable=False),
    sa.Column("capped_minor", sa.BigInteger, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("parts", sa.JSON, nullable=False),
    sa.Column("error", sa.String(1000)),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_refunds_order_id", "order_id"),
    sa.Index("ix_refunds_status_id", "status", "id"),
    sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
)

# -- notifications (migration 0011) -------------------------------------------------------------
# The transactional outbox: one row per told event, written with the change it tells of.
# The worker fans each new row out into deliveries (one per recipient), then marks it.
outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("topic", sa.String(64), nullable=False),
    _fk("order_id", "orders.id", nullable=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("fanned_out", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_outbox_fanned_out_id", "fanned_out", "id"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    _id(),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
)

# One notice to one recipient; (event, channel, recipient) is unique, so a fan-out run
# twice makes nothing twice.
deliveries = sa.Table(
    "deliveries",
    metadata,
    _id(),
    _fk("outbox_id", "outbox.id"),
    sa.Column("channel", sa.String(16), nullable=False),
    _fk("webhook_id", "webhooks.id", nullable=True),
    sa.Column("recipient", sa.String(2000), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("lease_until", UTCDateTime),
    sa.Column("last_error", sa.String(1000)),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.UniqueConstraint("outbox_id", "channel", "recipient"),
    sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_deliveries_webhook_id", "webhook_id"),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    _id(),
    _fk("delivery_id", "deliveries.id"),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.String(1000)),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_delivery_attempts_delivery_id", "delivery_id"),
)

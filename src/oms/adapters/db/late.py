"""Lateness in SQL: the rule of `domain/fulfilment/model.late_kind_of`, as conditions on the
shipments table (or an alias of it) that the (status, promised_delivery_date) and
(status, ship_by) indexes answer. Every late list, count and filter uses these."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.tables import history_orders, shipments
from oms.domain.fulfilment.model import ON_THE_WAY, LateKind
from oms.domain.fulfilment.shipment import IN_WAREHOUSE

_ON_THE_WAY = sorted(s.value for s in ON_THE_WAY)
_IN_WAREHOUSE = sorted(s.value for s in IN_WAREHOUSE)


def late_to_deliver(today: date, t: Any = shipments) -> sa.ColumnElement[bool]:
    """On its way (or in exception, or lost) past its promised delivery date."""
    return sa.and_(t.c.status.in_(_ON_THE_WAY), t.c.promised_delivery_date < today)


def late_to_ship(today: date, t: Any = shipments) -> sa.ColumnElement[bool]:
    """Still in the warehouse after the day it had to leave by."""
    return sa.and_(t.c.status.in_(_IN_WAREHOUSE), t.c.ship_by < today)


def is_late(today: date, kind: LateKind | None = None, t: Any = shipments) -> Any:
    """Late of this kind, or of either; never imported history (`oms import olist`): its
    parcels that never arrived are history, not work for anyone now."""
    if kind is LateKind.TO_SHIP:
        late = late_to_ship(today, t)
    elif kind is LateKind.TO_DELIVER:
        late = late_to_deliver(today, t)
    else:
        late = sa.or_(late_to_deliver(today, t), late_to_ship(today, t))
    return sa.and_(late, ~sa.exists().where(history_orders.c.order_id == t.c.order_id))


def late_since(t: Any = shipments) -> Any:
    """For a late shipment, the day it became due: its ship-by day while it is still in
    the warehouse, else its promised delivery date."""
    return sa.case((t.c.status.in_(_IN_WAREHOUSE), t.c.ship_by), else_=t.c.promised_delivery_date)


def late_kind_column(t: Any = shipments) -> Any:
    """`to_ship` or `to_deliver`, for a row known to be late."""
    return sa.case(
        (t.c.status.in_(_IN_WAREHOUSE), sa.literal(LateKind.TO_SHIP.value)),
        else_=sa.literal(LateKind.TO_DELIVER.value),
    )

"""What every SQL repository shares: the unit of work's connection, money in minor units."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from oms.domain.money import minor_unit, quantum

if TYPE_CHECKING:
    from oms.adapters.db.uow import SqlUnitOfWork


class Repository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    @property
    def conn(self) -> sa.Connection:
        return self._uow.conn

    @property
    def postgres(self) -> bool:
        return self._uow.dialect == "postgresql"


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(minor_unit(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_unit(currency)).quantize(quantum(currency))


def unique_violation(error: sa.exc.IntegrityError, *names: str) -> bool:
    """True when the error is a unique constraint on any of the named columns."""
    text = str(error.orig)
    if "UNIQUE" not in text.upper() and "duplicate key" not in text:
        return False
    return any(name in text for name in names)

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
    USER_MANAGE = "user.manage"


P = Permission
_READ = frozenset({P.CATALOGUE_READ, P.STOCK_READ, P.ORDER_READ})

# The matrix, role x permission. Everything a role may do is listed here and nowhere else.
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SALES: frozenset(
        {
            P.ORDER_READ,
            P.ORDER_CREATE,
            P.ORDER_CONFIRM,
            P.ORDER_HOLD,
            P.CATALOGUE_READ,
            P.STOCK_READ,
        }
    ),
    Role.CUSTOMER_SERVICE: frozenset(
        {P.ORDER_READ, P.ORDER_HOLD, P.ORDER_CANCEL, P.CATALOGUE_READ}
    ),
    Role.WAREHOUSE: frozenset({P.ORDER_READ, P.STOCK_READ, P.STOCK_WRITE, P.CATALOGUE_READ}),
    Role.CARRIER: frozenset(),
    Role.ANALYST: _READ,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever acts: a user with a role, or `system` (the CLI, demo and internal jobs)."""

    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in MATRIX[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"role {self.role.value} may not {permission.value.replace('.', ' ')}"
            )


SYSTEM = Actor("system", Role.ADMIN)

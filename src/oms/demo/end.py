"""The demo's end of the journey, after the six weeks and the returns: some customers
confirm that their parcel arrived (their orders complete at once), some report a problem
(one left open in customer service's queue, one resolved), and the sweep completes the
delivered orders whose channel's window has passed, as `oms worker` would."""

from __future__ import annotations

from collections import Counter
from functools import partial

from oms.domain.access import SYSTEM
from oms.domain.orders.status import OrderStatus
from oms.services import completion, order_problems, orders
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter

CONFIRMING = 3  # customers who say their parcel arrived
# (reason, note, resolution: None leaves it open)
PROBLEMS = (
    ("damaged", "The mug's handle came off in the box.", None),
    ("missing_item", "Only one of the two towels was in the parcel.", "Sent the missing towel."),
)


def load_end(uow: UnitOfWork, done: Counter[str]) -> None:
    found = orders.list_orders(
        uow, SYSTEM, OrderFilter(status=OrderStatus.DELIVERED.value, limit=50)
    )
    # Orders the returns left alone (a return under way keeps an order open).
    delivered = [o for o in found if not uow.run(partial(uow.returns.of_order, o.id))]
    # The most recent first: their windows are still open, so the sweep leaves them be.
    for order in delivered[:CONFIRMING]:
        if completion.confirm_receipt(uow, order.tracking_token).completed:
            done["completed:customer"] += 1
    for order, (reason, note, resolution) in zip(delivered[CONFIRMING:], PROBLEMS, strict=False):
        problem = completion.report_problem(uow, order.tracking_token, reason, note)
        done["problem"] += 1
        if resolution is not None:
            order_problems.resolve_problem(uow, SYSTEM, order.id, problem.id, resolution)
    done["completed:window"] += len(completion.complete_due(uow, SYSTEM))

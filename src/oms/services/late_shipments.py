"""Late shipments, told once: a shipment on its way past its promised date gets one
`shipment.late` event on its order's timeline (hence one e-mail and one webhook call).

"Late" is the UTC date of the clock, the same day the tracking page, the API's `late`
flag and the back office use (`Shipment.is_late`), so the customer is never told "late"
while the tracking page still shows the parcel on time. The mark `late_notified_at` is
written in the transaction of the event, so a worker that runs twice, two workers, or a
carrier repeating its last event cannot tell it twice.
"""

from __future__ import annotations

from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import LateKind
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import shipment_detail

BATCH = 100


def tell_late_shipments(uow: UnitOfWork, limit: int = BATCH) -> int:
    """Tell each late shipment not told yet, one transaction each; returns how many."""
    today = uow.now().date()
    due = uow.run(lambda: uow.shipments.late_untold(today, limit), write=False)
    return sum(1 for shipment_id in due if _tell(uow, shipment_id))


def _tell(uow: UnitOfWork, shipment_id: int) -> bool:
    def work() -> bool:
        # Shipment first, then its order: the order record_carrier_event locks them in.
        s = uow.shipments.get(shipment_id, lock=True)
        if s is None or s.late_notified_at is not None:
            return False  # another worker told it in the meantime
        now = uow.now()
        if s.late_kind(now.date()) is not LateKind.TO_DELIVER:
            return False  # delivered (or back) since the list was read
        order = uow.orders.get(s.order_id, lock=True)
        if order is None:
            return False
        assert s.promised_delivery_date is not None
        order.record(
            OrderEvent(
                OrderEventType.SHIPMENT_LATE,
                data=shipment_detail(
                    s,
                    carrier=s.carrier,
                    tracking_number=s.tracking_number,
                    promised_delivery_date=s.promised_delivery_date.isoformat(),
                ),
            )
        )
        s.late_notified_at = now
        uow.shipments.save(s)
        uow.orders.save(order, SYSTEM.name, now)
        return True

    return uow.run(work)

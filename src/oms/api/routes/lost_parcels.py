"""Lost parcels: customer service declares one lost, and sends a lost one's units again."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.schemas.common import ReasonIn
from oms.api.schemas.fulfilment import ReshipOut, ShipmentOut
from oms.services import lost_parcels

router = APIRouter(tags=["fulfilment"])


@router.post("/shipments/{shipment_id}/lost")
def declare_lost(shipment_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep) -> ShipmentOut:
    """The parcel will never arrive: its units leave the ledger as a loss and a `lost`
    problem puts the order in customer service's queue. 409 unless it is on its way
    (shipped, in transit, out for delivery, exception)."""
    shipment = lost_parcels.declare_lost(uow, actor, shipment_id, body.reason)
    return ShipmentOut.of(shipment, uow.now().date())


@router.post("/shipments/{shipment_id}/reship")
def reship(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> ReshipOut:
    """Send a lost shipment's units again: they are reserved again under the normal rules
    (what no location has waits as a backorder) in a new shipment that replaces it, and
    its open problems are resolved. 409 unless it is lost (e.g. a second reship)."""
    return ReshipOut.of(lost_parcels.reship(uow, actor, shipment_id), uow.now().date())

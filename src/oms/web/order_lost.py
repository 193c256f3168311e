"""The lost-parcel part of an order's page: which shipments are late (and how), and which
may be declared lost (a parcel on its way) or sent again (a lost one) by this user
(customer service, admin). The forms' routes are in web/lost_pages.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.fulfilment.model import LateKind, Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus, can_transition

LATE_WORDS = {LateKind.TO_SHIP: "late to ship", LateKind.TO_DELIVER: "late to deliver"}


def section(actor: Actor, shipments: Sequence[Shipment], today: date) -> dict[str, Any]:
    """What the order page needs: each late shipment's kind in words, and the shipments
    this user may declare lost or send again now."""
    may = actor.may(Permission.SHIPMENT_RESHIP)
    declare = [s for s in shipments if may and can_transition(s.status, ShipmentStatus.LOST)]
    reship = [s for s in shipments if may and s.status is ShipmentStatus.LOST]
    return {
        "late_words": {
            s.id: LATE_WORDS[kind] for s in shipments if (kind := s.late_kind(today)) is not None
        },
        "may_declare_lost": declare,
        "may_reship": reship,
        # the forms shown, by the name a refused one comes back with (web/lost_pages.py)
        "lost_forms": {f"lost-{s.id}" for s in declare} | {f"reship-{s.id}" for s in reship},
        "replaced_by": {
            lost.id: [s.id for s in shipments if s.replaces_id == lost.id]
            for lost in shipments
            if lost.status is ShipmentStatus.REPLACED
        },
    }

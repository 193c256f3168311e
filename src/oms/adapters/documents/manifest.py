"""The A4 manifest of a delivery run: the stops in the driver's order, each with its
address, the customer's phone, the items, and a box for the recipient's signature."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, TableStyle

from oms.adapters.documents.common import _iso
from oms.adapters.documents.sheets import (
    _BODY_BOLD,
    _FRAME_WIDTH,
    _STRIPE_FILL,
    _TITLE,
    _build,
    _facts,
    _grid,
    _lines,
    _p,
)
from oms.services.ports.documents import ManifestDoc, ManifestStopDoc


def _stop_row(stop: ManifestStopDoc) -> list[Any]:
    a = stop.ship_to
    where = [a.name, *a.lines, f"{a.postal_code} {a.city}"]
    ref = [stop.order_number, f"shipment {stop.shipment_id}"]
    if stop.tracking_number:
        ref.append(stop.tracking_number)
    return [
        _p(str(stop.seq), _BODY_BOLD),
        _lines(where),
        _lines([stop.phone or "-"]),
        _lines([f"{i.quantity} x {i.name} ({i.sku})" for i in stop.items]),
        _lines(ref),
        "",
    ]


def render_manifest(doc: ManifestDoc) -> bytes:
    widths = {"seq": 9 * mm, "phone": 30 * mm, "items": 38 * mm, "ref": 34 * mm, "sign": 36 * mm}
    address = _FRAME_WIDTH - sum(widths.values())
    header = ["#", "Address", "Phone", "Items", "Reference", "Name, signature"]
    rows: list[list[Any]] = [[_p(h, _BODY_BOLD) for h in header]]
    rows += [_stop_row(s) for s in doc.stops]
    table = _grid(
        rows,
        [
            widths["seq"],
            address,
            widths["phone"],
            widths["items"],
            widths["ref"],
            widths["sign"],
        ],
    )
    table.setStyle(
        TableStyle(
            [("BACKGROUND", (0, i), (-1, i), _STRIPE_FILL) for i in range(2, len(rows), 2)]
            + [("BOX", (5, i), (5, i), 0.5, "grey") for i in range(1, len(rows))]
        )
    )
    facts = _facts(
        [
            ("Location", f"{doc.location_code} - {doc.location_name}"),
            ("Day", _iso(doc.day)),
            ("Driver", doc.driver or "(not yet assigned)"),
            ("Stops", str(len(doc.stops))),
        ]
    )
    story: list[Flowable] = [
        _p(f"Delivery run #{doc.run_id}", _TITLE),
        facts,
        Spacer(1, 5 * mm),
        table,
    ]
    title = f"Delivery run #{doc.run_id}"
    footer = f"Delivery run #{doc.run_id} - {doc.location_code} - {_iso(doc.day)}"
    return _build(story, title, f"Location {doc.location_code}", footer)

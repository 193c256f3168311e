"""The A4 documents, laid out with platypus: the packing slip and the pick list.

Their tables flow onto further pages with the header row repeated, and every page has a
footer with the page number. The helpers for plain-text paragraphs, fact tables, data
tables and the footer are shared by both documents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from oms.adapters.documents.common import _BOLD, _REGULAR, AUTHOR, _iso, _kg
from oms.services.ports.documents import DocAddress, PackingSlipDoc, PickLineDoc, PickListDoc

PAGE_MARGIN = 15 * mm
_FRAME_WIDTH = A4[0] - 2 * PAGE_MARGIN
_GREY = colors.HexColor("#555555")
_HEADER_FILL = colors.HexColor("#e4e4e4")
_STRIPE_FILL = colors.HexColor("#f4f4f4")

_BODY = ParagraphStyle("body", fontName=_REGULAR, fontSize=9.5, leading=12)
_BODY_BOLD = ParagraphStyle("body-bold", parent=_BODY, fontName=_BOLD)
_RIGHT = ParagraphStyle("right", parent=_BODY, alignment=TA_RIGHT)
_RIGHT_BOLD = ParagraphStyle("right-bold", parent=_BODY_BOLD, alignment=TA_RIGHT)
_QTY = ParagraphStyle("qty", parent=_RIGHT_BOLD, fontSize=11, leading=13)
_CENTER_BOLD = ParagraphStyle("center-bold", parent=_BODY_BOLD, alignment=TA_CENTER)
_LABEL = ParagraphStyle("label", parent=_BODY, fontSize=8, leading=10, textColor=_GREY)
_TITLE = ParagraphStyle("title", parent=_BODY_BOLD, fontSize=20, leading=24, spaceAfter=8)
_HEADING = ParagraphStyle(
    "heading",
    parent=_BODY_BOLD,
    fontSize=11.5,
    leading=14,
    spaceBefore=12,
    spaceAfter=5,
)
_NOTE = ParagraphStyle(
    "note",
    parent=_BODY_BOLD,
    fontSize=10.5,
    leading=13,
    borderWidth=1,
    borderColor=colors.black,
    borderPadding=6,
    spaceBefore=14,
    spaceAfter=8,
)

_HEADING_ROOM = 30 * mm  # a heading goes to the next page unless a few rows fit under it
_PageHook = Callable[[Canvas, BaseDocTemplate], None]


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    """A paragraph of plain text: `&`, `<` and `>` print as themselves, not as markup."""
    return Paragraph(escape(text), style)


def _lines(texts: Sequence[str], style: ParagraphStyle = _BODY) -> Paragraph:
    """Several lines of plain text in one paragraph."""
    return Paragraph("<br/>".join(escape(text) for text in texts), style)


def _address(address: DocAddress) -> list[Flowable]:
    return [
        _p(address.name, _BODY_BOLD),
        _lines([*address.lines, f"{address.postal_code} {address.city}", address.country.upper()]),
    ]


class _Checkbox(Flowable):  # type: ignore[misc]
    """An empty square for the picker to tick."""

    def __init__(self, size: float = 10.0) -> None:
        super().__init__()
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


def _facts(rows: Sequence[tuple[str, str]], label_width: float = 32 * mm) -> Table:
    """Label / value pairs, as a borderless two-column table."""
    table = Table(
        [[_p(label, _LABEL), _p(value, _BODY_BOLD)] for label, value in rows],
        colWidths=[label_width, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _grid(rows: list[list[Any]], col_widths: Sequence[float | None], total: bool = False) -> Table:
    """A data table: header row repeated on each page, light rules, optional total row."""
    table = Table(rows, colWidths=list(col_widths), repeatRows=1, hAlign="LEFT")
    body_end = -2 if total else -1
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "LEFT"),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, body_end), 0.25, colors.grey),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if total:  # ruled off, and never alone on a page: it goes over with the last line
        style += [
            ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ("NOSPLIT", (0, -2), (-1, -1)),
        ]
    table.setStyle(TableStyle(style))
    return table


def _footer(text: str) -> _PageHook:
    def draw(canvas: Canvas, template: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(_REGULAR, 8)
        canvas.setFillColor(_GREY)
        canvas.drawString(PAGE_MARGIN, 9 * mm, text)
        canvas.drawRightString(A4[0] - PAGE_MARGIN, 9 * mm, f"Page {template.page}")
        canvas.restoreState()

    return draw


def _build(story: list[Flowable], title: str, subject: str, footer: str) -> bytes:
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 6 * mm,
        title=title,
        author=AUTHOR,
        subject=subject,
        creator=AUTHOR,
        invariant=1,
    )
    hook = _footer(footer)
    template.build(story, onFirstPage=hook, onLaterPages=hook)
    return buffer.getvalue()


def _utc_iso(moment: datetime) -> str:
    """`2024-05-01T09:30:00Z`; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _slip_facts(doc: PackingSlipDoc) -> Table:
    rows = [
        ("Order", doc.order_number),
        ("Order date", _iso(doc.order_date)),
        ("Shipment", str(doc.shipment_id)),
    ]
    if doc.tracking_number:
        rows.append(("Tracking number", doc.tracking_number))
    if doc.weight_grams is not None:
        rows.append(("Weight", _kg(doc.weight_grams)))
    return _facts(rows)


def _addresses(doc: PackingSlipDoc) -> Table:
    half = _FRAME_WIDTH / 2
    table = Table(
        [
            [_p("Ship from", _LABEL), _p("Ship to", _LABEL)],
            [_address(doc.ship_from), _address(doc.ship_to)],
        ],
        colWidths=[half, half],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
            ]
        )
    )
    return table


def _slip_lines(doc: PackingSlipDoc) -> Table:
    qty_width, sku_width = 22 * mm, 45 * mm
    rows: list[list[Any]] = [
        [_p("SKU", _BODY_BOLD), _p("Product", _BODY_BOLD), _p("Qty", _RIGHT_BOLD)]
    ]
    rows += [[_p(line.sku), _p(line.name), _p(str(line.quantity), _RIGHT)] for line in doc.lines]
    units = sum(line.quantity for line in doc.lines)
    rows.append(["", _p("Total units", _RIGHT_BOLD), _p(str(units), _RIGHT_BOLD)])
    return _grid(rows, [sku_width, _FRAME_WIDTH - sku_width - qty_width, qty_width], total=True)


def _put_to(line: PickLineDoc) -> Paragraph:
    return _lines([f"{share.order_number} x{share.quantity}" for share in line.shares])


def _pick_lines(doc: PickListDoc) -> Table:
    widths = {"bin": 26 * mm, "sku": 36 * mm, "qty": 14 * mm, "put": 40 * mm, "tick": 14 * mm}
    product = _FRAME_WIDTH - sum(widths.values())
    header = ["Bin", "SKU", "Product"]
    rows: list[list[Any]] = [
        [
            *(_p(text, _BODY_BOLD) for text in header),
            _p("Qty", _RIGHT_BOLD),
            _p("Put to", _BODY_BOLD),
            _p("Done", _CENTER_BOLD),
        ]
    ]
    rows += [
        [
            _p(line.bin, _BODY_BOLD),
            _p(line.sku),
            _p(line.name),
            _p(str(line.quantity), _QTY),
            _put_to(line),
            _Checkbox(),
        ]
        for line in doc.lines
    ]
    table = _grid(
        rows,
        [widths["bin"], widths["sku"], product, widths["qty"], widths["put"], widths["tick"]],
    )
    table.setStyle(
        TableStyle(
            [("ALIGN", (5, 0), (5, -1), "CENTER")]
            + [("BACKGROUND", (0, i), (-1, i), _STRIPE_FILL) for i in range(2, len(rows), 2)]
        )
    )
    return table


def _shipments(doc: PickListDoc) -> Table:
    rows: list[list[Any]] = [[_p("Shipment", _BODY_BOLD), _p("Order", _BODY_BOLD)]]
    rows += [
        [_p(str(shipment_id)), _p(order_number)] for shipment_id, order_number in doc.shipments
    ]
    return _grid(rows, [30 * mm, 60 * mm])


def render_packing_slip(doc: PackingSlipDoc) -> bytes:
    """An A4 packing slip: the order, both addresses and the lines in this parcel."""
    story: list[Flowable] = [
        _p("Packing slip", _TITLE),
        _slip_facts(doc),
        Spacer(1, 5 * mm),
        _addresses(doc),
    ]
    if doc.other_shipments > 0:
        parcels = doc.other_shipments + 1
        story.append(_p(f"This order ships in {parcels} parcels; this is one of them.", _NOTE))
    story += [CondPageBreak(_HEADING_ROOM), _p("Contents", _HEADING), _slip_lines(doc)]
    title = f"Packing slip, order {doc.order_number}, shipment {doc.shipment_id}"
    footer = f"Packing slip - order {doc.order_number} - shipment {doc.shipment_id}"
    return _build(story, title, f"Order {doc.order_number}", footer)


def render_pick_list(doc: PickListDoc) -> bytes:
    """An A4 pick list: the lines in walking order, with a box to tick on each."""
    units = sum(line.quantity for line in doc.lines)
    facts = _facts(
        [
            ("Location", f"{doc.location_code} - {doc.location_name}"),
            ("Created", f"{_utc_iso(doc.created_at)} by {doc.created_by}"),
            ("To pick", f"{len(doc.lines)} lines, {units} units"),
        ]
    )
    story: list[Flowable] = [
        _p(f"Pick list #{doc.id}", _TITLE),
        facts,
        Spacer(1, 5 * mm),
        _pick_lines(doc),
        CondPageBreak(_HEADING_ROOM),
        _p(f"Shipments ({len(doc.shipments)})", _HEADING),
        _shipments(doc),
    ]
    title = f"Pick list #{doc.id}"
    footer = f"Pick list #{doc.id} - {doc.location_code}"
    return _build(story, title, f"Location {doc.location_code}", footer)

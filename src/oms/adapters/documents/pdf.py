"""PDF rendering of the fulfilment documents with ReportLab.

The shipping label is a 4x6 inch page drawn with the canvas API (fixed layout, like the
labels a thermal printer prints); the packing slip and the pick list are A4 documents laid
out with platypus, whose tables flow onto further pages with their header repeated.

Only the PDF base fonts (Helvetica) are used, so nothing has to be installed or embedded;
they cover the Windows-1252 repertoire (Western European text), other characters print as
a box. Every document is rendered with ReportLab's ``invariant`` mode: the same document
gives the same bytes (no timestamp, fixed document id).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
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

from oms.services.documents import (
    DocAddress,
    DocumentRenderer,
    LabelDoc,
    PackingSlipDoc,
    PickLineDoc,
    PickListDoc,
)

AUTHOR = "oms"

# --- the label -------------------------------------------------------------------------------

LABEL_WIDTH = 4 * inch  # 288 pt
LABEL_HEIGHT = 6 * inch  # 432 pt
LABEL_MARGIN = 10.0
LABEL_INNER_WIDTH = LABEL_WIDTH - 2 * LABEL_MARGIN
BARCODE_HEIGHT = 68.0
QUIET_MODULES = 10  # the quiet zone Code 128 needs on each side, in bar (module) widths
MAX_BAR_WIDTH = 1.5  # about 0.5 mm: wider bars gain nothing for a scanner
PRINTER_DOT = 72 / 203  # one dot of a 203 dpi thermal label printer, in points

_LEADING = 1.2  # line height as a multiple of the type size
_ASCENT = 0.8  # from the top of a line to its baseline, as a multiple of the type size
_ELLIPSIS = "\u2026"
_BOLD = "Helvetica-Bold"
_REGULAR = "Helvetica"


@dataclass(frozen=True, slots=True)
class _Type:
    font: str
    size: float

    def scaled(self, factor: float) -> _Type:
        return _Type(self.font, self.size * factor)


_CARRIER = _Type(_BOLD, 22)
_CARRIER_CODE = _Type(_BOLD, 11)
_SERVICE = _Type(_BOLD, 14)
_CAPTION = _Type(_BOLD, 6.5)
_FROM = _Type(_REGULAR, 8)
_FROM_NAME = _Type(_BOLD, 8)
_TO_NAME = _Type(_BOLD, 16)
_TO_LINE = _Type(_BOLD, 13)
_TO_CITY = _Type(_BOLD, 22)
_TO_COUNTRY = _Type(_BOLD, 15)
_TRACKING_GROUPED = _Type(_BOLD, 13)
_DETAIL_VALUE = _Type(_BOLD, 10)
_SMALL = _Type(_REGULAR, 7.5)

_Align = Literal["left", "center", "right"]
_FULL_WIDTH = (LABEL_MARGIN, LABEL_INNER_WIDTH)
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")  # UPU S10, the postal tracking number format


def _barcode(tracking_number: str, max_width: float = LABEL_INNER_WIDTH) -> Code128:
    """The Code 128 symbol of a tracking number, quiet zones included, at most `max_width` wide.

    The bar width is the largest (up to MAX_BAR_WIDTH) that fits, rounded down to whole dots
    of a 203 dpi printer so that every bar prints with the same width.
    """
    modules = Code128(tracking_number, barWidth=1, quiet=0, humanReadable=0).width
    bar_width = min(MAX_BAR_WIDTH, max_width / (modules + 2 * QUIET_MODULES))
    if bar_width >= PRINTER_DOT:
        bar_width = math.floor(bar_width / PRINTER_DOT) * PRINTER_DOT
    quiet = bar_width * QUIET_MODULES
    return Code128(
        tracking_number,
        barWidth=bar_width,
        barHeight=BARCODE_HEIGHT,
        lquiet=quiet,
        rquiet=quiet,
        humanReadable=0,
    )


def _grouped(tracking_number: str) -> str:
    """The tracking number as printed for people: `RR 1234 5678 5 FR`, else groups of four."""
    if _S10.fullmatch(tracking_number):
        n = tracking_number
        return f"{n[:2]} {n[2:6]} {n[6:10]} {n[10]} {n[11:]}"
    return " ".join(tracking_number[i : i + 4] for i in range(0, len(tracking_number), 4))


def _kg(grams: int) -> str:
    """A weight in kilograms, exact, with at least two decimals: 1250 -> `1.25 kg`."""
    kilos, rest = divmod(grams, 1000)
    decimals = f"{rest:03d}"
    if decimals.endswith("0"):
        decimals = decimals[:2]
    return f"{kilos}.{decimals} kg"


def _fit(text: str, kind: _Type, width: float, min_size: float = 6.0) -> tuple[str, float]:
    """The text and the type size to draw it within `width`: smaller type, then cut short."""
    natural = stringWidth(text, kind.font, kind.size)
    if natural <= width:
        return text, kind.size
    size = max(min_size, math.floor(kind.size * width / natural * 10) / 10)
    if stringWidth(text, kind.font, size) <= width:
        return text, size
    while len(text) > 1 and stringWidth(text + _ELLIPSIS, kind.font, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS, size


def _wrap(text: str, kind: _Type, width: float) -> list[tuple[str, _Type]]:
    """A line that would need much smaller type to fit, broken at spaces into several."""
    if stringWidth(text, kind.font, kind.size * 0.8) <= width:
        return [(text, kind)]  # as is, or a little smaller (`_fit`)
    return [(part, kind) for part in simpleSplit(text, kind.font, kind.size, width)]


class _LabelPainter:
    """Draws the label top down (header, sender, recipient) and bottom up (details, barcode)."""

    def __init__(self, canvas: Canvas, doc: LabelDoc) -> None:
        self.c = canvas
        self.doc = doc

    def paint(self) -> None:
        below_sender = self._sender(self._header(LABEL_HEIGHT - LABEL_MARGIN))
        above_details = self._details(LABEL_MARGIN)
        above_barcode = self._barcode_block(above_details)
        self._recipient(below_sender, above_barcode)

    # Drawing primitives.

    def text(
        self,
        text: str,
        kind: _Type,
        top: float,
        align: _Align = "left",
        box: tuple[float, float] = _FULL_WIDTH,
    ) -> float:
        """Draws one line whose top is at `top`, within `box` (x, width); returns its bottom."""
        x, width = box
        text, size = _fit(text, kind, width)
        baseline = top - size * _ASCENT
        self.c.setFont(kind.font, size)
        if align == "center":
            self.c.drawCentredString(x + width / 2, baseline, text)
        elif align == "right":
            self.c.drawRightString(x + width, baseline, text)
        else:
            self.c.drawString(x, baseline, text)
        return top - size * _LEADING

    def rule(self, y: float, weight: float = 1.0) -> None:
        self.c.setLineWidth(weight)
        self.c.line(LABEL_MARGIN, y, LABEL_WIDTH - LABEL_MARGIN, y)

    # The blocks, each returning the y where the next one starts.

    def _header(self, top: float) -> float:
        code = self.doc.carrier_code.upper()
        box_width = stringWidth(code, _CARRIER_CODE.font, _CARRIER_CODE.size) + 10
        box_height = _CARRIER_CODE.size + 9
        box_x = LABEL_WIDTH - LABEL_MARGIN - box_width
        self.c.rect(box_x, top - box_height, box_width, box_height, stroke=0, fill=1)
        self.c.setFillColor(colors.white)
        self.text(code, _CARRIER_CODE, top - 4.5, "center", (box_x, box_width))
        self.c.setFillColor(colors.black)
        name_box = (LABEL_MARGIN, LABEL_INNER_WIDTH - box_width - 8)
        y = self.text(self.doc.carrier_name, _CARRIER, top, box=name_box)
        y = self.text(self.doc.service, _SERVICE, y, box=name_box)
        y -= 3
        self.rule(y, 2)
        return y

    def _sender(self, top: float) -> float:
        sender = self.doc.ship_from
        y = self.text("FROM", _CAPTION, top - 4)
        y = self.text(sender.name, _FROM_NAME, y)
        if sender.lines:
            y = self.text(", ".join(sender.lines), _FROM, y)
        place = f"{sender.postal_code} {sender.city}, {sender.country.upper()}"
        y = self.text(place, _FROM, y) - 3
        self.rule(y)
        return y

    def _recipient(self, top: float, bottom: float) -> None:
        """SHIP TO, in the largest type (up to the nominal one) that fits between the rules."""
        to = self.doc.ship_to
        indent = (LABEL_MARGIN + 8, LABEL_INNER_WIDTH - 8)
        lines = [
            *_wrap(to.name, _TO_NAME, indent[1]),
            *(wrapped for line in to.lines for wrapped in _wrap(line, _TO_LINE, indent[1])),
            # Postal code and city stay on one line, in smaller type if they must.
            (f"{to.postal_code} {to.city.upper()}", _TO_CITY),
            (to.country.upper(), _TO_COUNTRY),
        ]
        y = self.text("SHIP TO", _CAPTION.scaled(1.3), top - 5)
        available = y - bottom - 8
        natural = sum(kind.size * _LEADING for _, kind in lines)
        factor = max(0.4, min(1.0, available / natural))
        y -= 3 + (available - natural * factor) / 3  # sit a little above the middle
        for text, kind in lines:
            y = self.text(text, kind.scaled(factor), y, box=indent)

    def _barcode_block(self, bottom: float) -> float:
        number = self.doc.tracking_number
        text_top = bottom + 3 + _TRACKING_GROUPED.size * _LEADING
        self.text(_grouped(number), _TRACKING_GROUPED, text_top, "center")
        barcode = _barcode(number)
        barcode.drawOn(self.c, (LABEL_WIDTH - barcode.width) / 2, text_top + 2)
        top = text_top + 2 + BARCODE_HEIGHT + 6
        self.rule(top, 2)
        return top

    def _details(self, bottom: float) -> float:
        doc = self.doc
        y = bottom + _SMALL.size * _LEADING
        self.text(f"Tracking: {doc.tracking_number}", _SMALL, y)
        y += _SMALL.size * _LEADING
        self.text(f"Ref: order {doc.order_number}, shipment {doc.shipment_id}", _SMALL, y)
        y += 3 + _DETAIL_VALUE.size * _LEADING
        cells = (
            ("WEIGHT", _kg(doc.weight_grams)),
            ("SHIP DATE", _iso(doc.ship_date)),
            ("DELIVER BY", _iso(doc.promised_delivery_date)),
        )
        width = LABEL_INNER_WIDTH / len(cells)
        for i, (caption, value) in enumerate(cells):
            box = (LABEL_MARGIN + i * width, width - 4)
            self.text(caption, _CAPTION, y + _CAPTION.size * _LEADING, box=box)
            self.text(value, _DETAIL_VALUE, y, box=box)
        top = y + _CAPTION.size * _LEADING + 3
        self.rule(top)
        return top


def _iso(day: date) -> str:
    return day.isoformat()


def _utc_iso(moment: datetime) -> str:
    """`2024-05-01T09:30:00Z`; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- the A4 documents ------------------------------------------------------------------------

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


class PdfDocuments(DocumentRenderer):
    """The PDF renderer of the fulfilment documents (a `DocumentRenderer`)."""

    def label(self, doc: LabelDoc) -> bytes:
        """A 4x6 inch shipping label with the Code 128 barcode of the tracking number."""
        buffer = BytesIO()
        canvas = Canvas(
            buffer, pagesize=(LABEL_WIDTH, LABEL_HEIGHT), invariant=1, pageCompression=1
        )
        canvas.setTitle(f"Label {doc.tracking_number}")
        canvas.setAuthor(AUTHOR)
        canvas.setCreator(AUTHOR)
        canvas.setSubject(f"{doc.carrier_name} {doc.service}, order {doc.order_number}")
        _LabelPainter(canvas, doc).paint()
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def packing_slip(self, doc: PackingSlipDoc) -> bytes:
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

    def pick_list(self, doc: PickListDoc) -> bytes:
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

"""The 4x6 inch shipping label, drawn with the canvas API.

A fixed layout, like the labels a thermal printer prints: the carrier and service, the
sender, the recipient in the largest type that fits, the shipment details, and the Code 128
barcode of the tracking number sized to whole printer dots. Text that does not fit its box
is set smaller, then cut short.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from oms.adapters.documents.common import _BOLD, _REGULAR, AUTHOR, _iso, _kg
from oms.services.ports.documents import LabelDoc

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
        ref = doc.reference or f"shipment {doc.shipment_id}"
        self.text(f"Ref: order {doc.order_number}, {ref}", _SMALL, y)
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


def render_label(doc: LabelDoc) -> bytes:
    """A 4x6 inch shipping label with the Code 128 barcode of the tracking number."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(LABEL_WIDTH, LABEL_HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(f"Label {doc.tracking_number}")
    canvas.setAuthor(AUTHOR)
    canvas.setCreator(AUTHOR)
    canvas.setSubject(f"{doc.carrier_name} {doc.service}, order {doc.order_number}")
    _LabelPainter(canvas, doc).paint()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

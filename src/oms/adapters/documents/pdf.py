"""PDF rendering of the fulfilment documents with ReportLab: the renderer other code uses.

The work is done next door: the 4x6 inch shipping label in `label` (canvas API, fixed
layout), the A4 packing slip and pick list in `sheets` (platypus, tables that flow onto
further pages), what both print the same way in `common`.

Only the PDF base fonts (Helvetica) are used, so nothing has to be installed or embedded;
they cover the Windows-1252 repertoire (Western European text), other characters print as
a box. Every document is rendered with ReportLab's ``invariant`` mode: the same document
gives the same bytes (no timestamp, fixed document id).
"""

from __future__ import annotations

from oms.adapters.documents.label import render_label
from oms.adapters.documents.sheets import render_packing_slip, render_pick_list
from oms.services.documents import DocumentRenderer, LabelDoc, PackingSlipDoc, PickListDoc


class PdfDocuments(DocumentRenderer):
    """The PDF renderer of the fulfilment documents (a `DocumentRenderer`)."""

    def label(self, doc: LabelDoc) -> bytes:
        """A 4x6 inch shipping label with the Code 128 barcode of the tracking number."""
        return render_label(doc)

    def packing_slip(self, doc: PackingSlipDoc) -> bytes:
        """An A4 packing slip: the order, both addresses and the lines in this parcel."""
        return render_packing_slip(doc)

    def pick_list(self, doc: PickListDoc) -> bytes:
        """An A4 pick list: the lines in walking order, with a box to tick on each."""
        return render_pick_list(doc)

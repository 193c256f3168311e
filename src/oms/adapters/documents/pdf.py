"""PDF rendering of the fulfilment documents with ReportLab: the renderer other code uses.

The work is done next door: the 4x6 inch shipping label in `label` (canvas API, fixed
layout), the A4 packing slip and pick list in `sheets` (platypus, tables that flow onto
further pages), what both print the same way in `common`.

Only the PDF base fonts (Helvetica) are used, so nothing has to be installed or embedded;
they cover the Windows-1252 repertoire (Western European text), other characters print as
a box. Every document is rendered with ReportLab's ``invariant`` mode: the same document
gives the same bytes (no timestamp, fixed document id).

ReportLab is imported when the first document is made, not when oms starts: importing it
takes about 0.15 s, which every command and server process would otherwise pay.
"""

from __future__ import annotations

from oms.services.ports.documents import (
    DocumentRenderer,
    LabelDoc,
    ManifestDoc,
    PackingSlipDoc,
    PickListDoc,
)


class PdfDocuments(DocumentRenderer):
    """The PDF renderer of the fulfilment documents (a `DocumentRenderer`)."""

    def label(self, doc: LabelDoc) -> bytes:
        """A 4x6 inch shipping label with the Code 128 barcode of the tracking number."""
        from oms.adapters.documents.label import render_label

        return render_label(doc)

    def packing_slip(self, doc: PackingSlipDoc) -> bytes:
        """An A4 packing slip: the order, both addresses and the lines in this parcel."""
        from oms.adapters.documents.sheets import render_packing_slip

        return render_packing_slip(doc)

    def pick_list(self, doc: PickListDoc) -> bytes:
        """An A4 pick list: the lines in walking order, with a box to tick on each."""
        from oms.adapters.documents.sheets import render_pick_list

        return render_pick_list(doc)

    def manifest(self, doc: ManifestDoc) -> bytes:
        """An A4 delivery run manifest: stops in order, address, phone, items, signature."""
        from oms.adapters.documents.manifest import render_manifest

        return render_manifest(doc)

"""The delivery run manifest: an A4 PDF with the stops in order, flowing onto more pages."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from oms.adapters.documents.pdf import PdfDocuments
from oms.services.ports.documents import DocAddress, ManifestDoc, ManifestStopDoc, SlipLineDoc


def _stop(seq: int) -> ManifestStopDoc:
    to = DocAddress("Ann Smith", ("12 rue Oberkampf", "Code 1234"), "75011", "Paris", "FR")
    items = (SlipLineDoc("MUG-STN-WHT", "Stoneware mug, white", 2),)
    return ManifestStopDoc(
        seq, 100 + seq, f"SO-{seq:06d}", "LD100000013FR", to, "+33612345678", items
    )


def test_the_manifest_lists_every_stop_in_order_with_what_the_driver_needs() -> None:
    doc = ManifestDoc(4, "PAR", "Paris warehouse", date(2026, 12, 5), "van", "planned",
                      tuple(_stop(i) for i in range(1, 31)))  # fmt: skip
    pdf = PdfDocuments().manifest(doc)
    assert pdf == PdfDocuments().manifest(doc)  # the same document, the same bytes
    pages = PdfReader(BytesIO(pdf)).pages
    assert len(pages) > 1
    text = "\n".join(p.extract_text() for p in pages)
    assert "Delivery run #4" in text and "van" in text and "Name, signature" in text
    assert text.index("SO-000001") < text.index("SO-000002") < text.index("SO-000030")
    assert "+33612345678" in text and "2 x Stoneware mug" in text

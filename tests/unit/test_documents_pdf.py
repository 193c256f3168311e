"""The PDF renderer of fulfilment documents: rendered, then read back with pypdf (no DB)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from io import BytesIO

import pytest
from pypdf import PdfReader

from oms.adapters.documents.common import _kg
from oms.adapters.documents.label import (
    BARCODE_HEIGHT,
    LABEL_INNER_WIDTH,
    QUIET_MODULES,
    _barcode,
    _grouped,
)
from oms.adapters.documents.pdf import PdfDocuments
from oms.adapters.documents.sheets import _utc_iso
from oms.services.ports.documents import (
    DocAddress,
    DocumentRenderer,
    LabelDoc,
    PackingSlipDoc,
    PickLineDoc,
    PickLineShare,
    PickListDoc,
    SlipLineDoc,
)

RENDERER: DocumentRenderer = PdfDocuments()

WAREHOUSE = DocAddress(
    name="Acme & Sons <b>Depot</b>",
    lines=("12 rue de l'Industrie", "ZI Nord"),
    postal_code="69007",
    city="Lyon",
    country="FR",
)
CUSTOMER = DocAddress(
    name="Jeanne Dupont",
    lines=("27 avenue Foch",),
    postal_code="75016",
    city="Paris",
    country="France",
)
TRACKING = "RR123456785FR"


def _label(**changes: object) -> LabelDoc:
    doc = LabelDoc(
        tracking_number=TRACKING,
        carrier_code="COLI",
        carrier_name="Colissimo",
        service="Domicile sans signature",
        ship_from=WAREHOUSE,
        ship_to=CUSTOMER,
        weight_grams=1250,
        ship_date=date(2024, 5, 2),
        promised_delivery_date=date(2024, 5, 6),
        shipment_id=4211,
        order_number="ORD-000123",
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def _slip(n_lines: int = 3, **changes: object) -> PackingSlipDoc:
    doc = PackingSlipDoc(
        shipment_id=4211,
        order_number="ORD-000123",
        order_date=date(2024, 5, 1),
        ship_from=WAREHOUSE,
        ship_to=CUSTOMER,
        lines=tuple(
            SlipLineDoc(sku=f"SKU-{i:04d}", name=f"Mug {i}", quantity=i % 7 + 1)
            for i in range(n_lines)
        ),
        weight_grams=1250,
        tracking_number=TRACKING,
        other_shipments=0,
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


# Deliberately not in SKU order: the walking (bin) order is what the list must keep.
PICK_LINES = (
    PickLineDoc(
        bin="A-01-02",
        sku="SKU-ZED",
        name="Tea & <b>Biscuits</b>",
        quantity=3,
        shares=(PickLineShare(1, "ORD-000123", 2), PickLineShare(2, "ORD-000124", 1)),
    ),
    PickLineDoc(
        bin="A-03-01",
        sku="SKU-ALPHA",
        name="Teapot",
        quantity=1,
        shares=(PickLineShare(2, "ORD-000124", 1),),
    ),
    PickLineDoc(
        bin="B-02-05",
        sku="SKU-MIKE",
        name="Cosy",
        quantity=4,
        shares=(PickLineShare(3, "ORD-000125", 4),),
    ),
)


def _pick_list(**changes: object) -> PickListDoc:
    doc = PickListDoc(
        id=77,
        location_code="LYO1",
        location_name="Lyon main warehouse",
        created_at=datetime(2024, 5, 2, 7, 30, tzinfo=UTC),
        created_by="marie",
        lines=PICK_LINES,
        shipments=((1, "ORD-000123"), (2, "ORD-000124"), (3, "ORD-000125")),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def _read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF")
    return PdfReader(BytesIO(data))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _tokens(reader: PdfReader) -> list[str]:
    return [line.strip() for line in _text(reader).splitlines()]


# --- label -----------------------------------------------------------------------------------


def test_label_is_one_4x6_inch_portrait_page() -> None:
    reader = _read(RENDERER.label(_label()))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (288, 432)


def test_label_prints_carrier_addresses_tracking_and_dates() -> None:
    text = _text(_read(RENDERER.label(_label())))
    for expected in (
        "Colissimo",
        "Domicile sans signature",
        "COLI",
        TRACKING,  # ungrouped, on the `Tracking:` line
        "RR 1234 5678 5 FR",
        "Acme & Sons <b>Depot</b>",  # literal, not markup
        "69007 Lyon",
        "Jeanne Dupont",
        "27 avenue Foch",
        "75016 PARIS",
        "FRANCE",
        "1.25 kg",
        "2024-05-02",
        "2024-05-06",
        "ORD-000123",
        "4211",
    ):
        assert expected in text, expected


def test_label_metadata() -> None:
    metadata = _read(RENDERER.label(_label())).metadata
    assert metadata is not None
    assert metadata.title == f"Label {TRACKING}"
    assert metadata.author == "oms"


def test_label_with_long_texts_still_renders_everything_that_matters() -> None:
    long_to = DocAddress(
        name="Maximilian Alexander von Hohenzollern-Sigmaringen-Wittelsbach",
        lines=("c/o Firma Mustermann", "Abteilung Einkauf", "Hauptstrasse 1, Hinterhaus"),
        postal_code="80331",
        city="Muenchen-Schwabing-West",
        country="Federal Republic of Germany",
    )
    doc = _label(ship_to=long_to, tracking_number="1Z999AA10123456784", weight_grams=31234)
    text = _text(_read(RENDERER.label(doc)))
    assert "1Z999AA10123456784" in text
    assert "80331 MUENCHEN-SCHWABING-WEST" in text
    assert "31.234 kg" in text


@pytest.mark.parametrize(
    "number", [TRACKING, "1Z999AA10123456784", "9400111899223197428490", "JJD0001234567890123"]
)
def test_barcode_encodes_the_tracking_number_and_fits_the_label(number: str) -> None:
    barcode = _barcode(number)
    assert barcode.value == number
    assert barcode.width <= LABEL_INNER_WIDTH
    assert barcode.lquiet >= QUIET_MODULES * barcode.barWidth
    assert barcode.rquiet >= QUIET_MODULES * barcode.barWidth
    assert 60 <= barcode.barHeight == BARCODE_HEIGHT <= 70
    assert not barcode.humanReadable  # printed grouped under it by the label itself


def test_grouping_of_tracking_numbers() -> None:
    assert _grouped("RR123456785FR") == "RR 1234 5678 5 FR"
    assert _grouped("1Z999AA10123456784") == "1Z99 9AA1 0123 4567 84"


@pytest.mark.parametrize(
    ("grams", "printed"),
    [(1250, "1.25 kg"), (1234, "1.234 kg"), (500, "0.50 kg"), (31000, "31.00 kg"), (5, "0.005 kg")],
)
def test_weights_in_kilograms(grams: int, printed: str) -> None:
    assert _kg(grams) == printed


# --- packing slip ----------------------------------------------------------------------------


def test_packing_slip_lists_every_line_with_its_quantity() -> None:
    doc = _slip(n_lines=5)
    reader = _read(RENDERER.packing_slip(doc))
    tokens = _tokens(reader)
    text = "\n".join(tokens)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    for line in doc.lines:
        at = tokens.index(line.sku)
        assert tokens[at + 1 : at + 3] == [line.name, str(line.quantity)]
    assert "Total units" in text
    assert tokens[tokens.index("Total units") + 1] == str(sum(li.quantity for li in doc.lines))
    for expected in (
        "Packing slip",
        "ORD-000123",
        "2024-05-01",
        "4211",
        TRACKING,
        "1.25 kg",
        "Acme & Sons <b>Depot</b>",
        "69007 Lyon",
        "Jeanne Dupont",
        "75016 Paris",
    ):
        assert expected in text, expected
    assert "parcels" not in text


def test_packing_slip_of_a_split_order_says_so() -> None:
    text = _text(_read(RENDERER.packing_slip(_slip(other_shipments=2))))
    assert "This order ships in 3 parcels; this is one of them" in text


def test_packing_slip_leaves_out_unknown_weight_and_tracking() -> None:
    text = _text(_read(RENDERER.packing_slip(_slip(weight_grams=None, tracking_number=None))))
    assert "Weight" not in text
    assert "Tracking" not in text
    assert TRACKING not in text


def test_long_packing_slip_flows_onto_more_pages_with_the_header_repeated() -> None:
    doc = _slip(n_lines=120)
    reader = _read(RENDERER.packing_slip(doc))
    assert len(reader.pages) > 1
    text = _text(reader)
    for line in doc.lines:
        assert line.sku in text
    for page in reader.pages:
        assert "SKU" in page.extract_text().split()  # the table header, on every page
    assert f"Total units\n{sum(li.quantity for li in doc.lines)}" in "\n".join(_tokens(reader))


def test_packing_slip_names_with_markup_characters_print_literally() -> None:
    line = SlipLineDoc(sku="SKU-<1>", name="Salt & Pepper <b>set</b> </para>", quantity=2)
    text = _text(_read(RENDERER.packing_slip(_slip(lines=(line,)))))
    assert "SKU-<1>" in text
    assert "Salt & Pepper <b>set</b> </para>" in text


# --- pick list -------------------------------------------------------------------------------


def test_pick_list_keeps_the_walking_order_and_says_where_to_put() -> None:
    tokens = _tokens(_read(RENDERER.pick_list(_pick_list())))
    text = "\n".join(tokens)
    positions = [text.index(line.sku) for line in PICK_LINES]
    assert positions == sorted(positions)
    bins = [text.index(line.bin) for line in PICK_LINES]
    assert bins == sorted(bins)
    for expected in (
        "Pick list #77",
        "LYO1",
        "Lyon main warehouse",
        "2024-05-02T07:30:00Z",
        "marie",
        "Put to",
        "ORD-000123 x2",
        "ORD-000124 x1",
        "ORD-000125 x4",
        "Tea & <b>Biscuits</b>",
    ):
        assert expected in text, expected
    assert tokens[tokens.index("SKU-ZED") + 2] == "3"  # its quantity, after the name


def test_pick_list_lists_the_shipments_after_the_lines() -> None:
    text = _text(_read(RENDERER.pick_list(_pick_list())))
    shipments = text.index("Shipments (3)")
    assert shipments > text.index("SKU-MIKE")
    tail = text[shipments:].split()
    for shipment_id, order_number in _pick_list().shipments:
        assert str(shipment_id) in tail
        assert order_number in tail


def test_long_pick_list_repeats_the_header_on_each_page() -> None:
    lines = tuple(
        PickLineDoc(f"A-{i:03d}", f"SKU-{i:04d}", f"Item {i}", 1, (PickLineShare(1, "O-1", 1),))
        for i in range(150)
    )
    reader = _read(RENDERER.pick_list(_pick_list(lines=lines)))
    assert len(reader.pages) > 1
    for page in reader.pages:
        words = page.extract_text().split()
        assert {"Bin", "SKU", "Product", "Qty", "Done"} <= set(words)
    text = _text(reader)
    positions = [text.index(line.sku) for line in lines]
    assert positions == sorted(positions)


def test_pick_list_metadata() -> None:
    metadata = _read(RENDERER.pick_list(_pick_list())).metadata
    assert metadata is not None
    assert metadata.title == "Pick list #77"
    assert metadata.author == "oms"


def test_creation_time_is_printed_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    assert _utc_iso(datetime(2024, 5, 2, 9, 30, 15, 999, tzinfo=paris)) == "2024-05-02T07:30:15Z"
    assert _utc_iso(datetime(2024, 5, 2, 7, 30)) == "2024-05-02T07:30:00Z"  # naive: UTC


def test_empty_pick_list_renders() -> None:
    text = _text(_read(RENDERER.pick_list(_pick_list(lines=(), shipments=()))))
    assert "Pick list #77" in text
    assert "0 lines, 0 units" in text


# --- all -------------------------------------------------------------------------------------


def test_the_same_document_gives_the_same_bytes() -> None:
    renderer = PdfDocuments()
    assert renderer.label(_label()) == renderer.label(_label())
    assert renderer.packing_slip(_slip(40)) == renderer.packing_slip(_slip(40))
    assert renderer.pick_list(_pick_list()) == renderer.pick_list(_pick_list())

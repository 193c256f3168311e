"""The demo's products carry EAN-13 barcodes whose check digit python-stdnum computes."""

import pytest
from stdnum import ean

from oms.demo.loader import demo_products, ean13


def test_the_check_digit_completes_twelve_digits() -> None:
    assert ean13("400638133393") == "4006381333931"
    assert ean13("376012340001") == "3760123400015"


@pytest.mark.parametrize("wrong", ["4006381333932", "4006381333930", "4006318333931"])
def test_a_wrong_check_digit_or_swapped_digits_are_caught(wrong: str) -> None:
    assert not ean.is_valid(wrong)


def test_every_demo_product_has_its_own_valid_ean_13() -> None:
    barcodes = [p.barcode for p in demo_products()]
    assert all(b and len(b) == 13 and b.startswith("376") and ean.is_valid(b) for b in barcodes)
    assert len(set(barcodes)) == len(barcodes)

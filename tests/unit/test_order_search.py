"""What a search text is: its shape picks the one place the store looks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.orders.phone import normalise_phone
from oms.domain.orders.search import Search, SearchKind, read_search

K = SearchKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ann.Smith@Example.COM ", Search(K.EMAIL, "ann.smith@example.com")),
        ("so-000042", Search(K.NUMBER, "SO-000042")),
        ("SO-42", Search(K.NUMBER, "SO-000042")),
        ("SO-1234567", Search(K.NUMBER, "SO-1234567")),
        ("rr 123 456 785 fr", Search(K.TRACKING, "RR123456785FR")),
        ("RR123456785FR", Search(K.TRACKING, "RR123456785FR")),
        ("Müller", Search(K.NAME, "müller", "Müller")),
        ("  de la Fontaine ", Search(K.NAME, "de la fontaine")),
        ("SO-", Search(K.NAME, "so-", "SO-")),  # no digits: not a number
        # eight digits: not S10's shape, but a word with a digit: an external id
        ("RR12345678FR", Search(K.EXTERNAL_ID, "RR12345678FR")),
        ("42", Search(K.EXTERNAL_ID, "42")),
        ("1001", Search(K.EXTERNAL_ID, "1001")),
        (" #1001 ", Search(K.EXTERNAL_ID, "#1001")),
        ("AMZ-123-456", Search(K.EXTERNAL_ID, "AMZ-123-456")),
        ("amz-123-456", Search(K.EXTERNAL_ID, "amz-123-456")),  # as typed: exact
        ("12345", Search(K.EXTERNAL_ID, "12345")),  # five digits: too short for a phone
        # a phone: normalised; one word may also be an external id
        ("+33 6 12 34 56 78", Search(K.PHONE, "+33612345678")),
        ("(030) 123-45.67", Search(K.PHONE, "0301234567")),
        ("+44(0)20-7946-0958", Search(K.PHONE, "+4402079460958", "+44(0)20-7946-0958")),
        ("123456", Search(K.PHONE, "123456", "123456")),
        ("123456789012345", Search(K.PHONE, "123456789012345", "123456789012345")),
        ("1234567890123456", Search(K.EXTERNAL_ID, "1234567890123456")),  # 16: no phone
        ("06 12 34", Search(K.PHONE, "061234")),
        ("+1 2345", Search(K.NAME, "+1 2345")),  # five digits, two words: neither
        # one word without a digit: a name, or perhaps an external id
        ("ABCDEF", Search(K.NAME, "abcdef", "ABCDEF")),
        ("Jean-Pierre", Search(K.NAME, "jean-pierre", "Jean-Pierre")),
    ],
)
def test_the_shape_of_the_text_says_what_it_is(text: str, expected: Search) -> None:
    assert read_search(text) == expected


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("+33 6 12-34-56.78", "+33612345678"),
        ("(555) 010-9999", "5550109999"),
        ("123456", "123456"),
        (" +123456789012345 ", "+123456789012345"),
    ],
)
def test_a_plausible_phone_is_stored_as_its_digits_and_leading_plus(text: str, stored: str) -> None:
    assert normalise_phone(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "1234567890123456",
        "+33 6 12 ab",
        "33+612345678",
        "++33612345678",
        "",
        "---",
        "١٢٣٤٥٦٧",
    ],
)
def test_anything_else_is_no_phone(text: str) -> None:
    assert normalise_phone(text) is None


@given(
    st.lists(st.integers(0, 9), min_size=6, max_size=15),
    st.booleans(),
    st.lists(st.sampled_from([" ", ".", "-", "(", ")", ""]), min_size=15, max_size=15),
)
def test_a_phone_written_any_way_is_found_as_stored(
    digits: list[int], plus: bool, separators: list[str]
) -> None:
    """However the separators fall, a written phone is searched as the stored number."""
    stored = ("+" if plus else "") + "".join(map(str, digits))
    written = ("+" if plus else "") + "".join(
        f"{d}{sep}" for d, sep in zip(digits, separators, strict=False)
    )
    assert normalise_phone(written) == stored
    search = read_search(written)
    assert search is not None
    # a phone, unless it is also shaped as a tracking or order number (it cannot be: digits)
    assert search.kind is K.PHONE and search.text == stored


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_text_is_no_search(text: str) -> None:
    assert read_search(text) is None


@given(st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_any_text_is_read_as_exactly_one_kind_and_never_grows(text: str) -> None:
    search = read_search(text)
    assert search is not None and search.kind in set(SearchKind)
    assert search.text and search.text == search.text.strip()
    if search.or_external_id is not None:  # only one word can be an external id
        assert search.or_external_id == text.strip() and len(text.split()) == 1

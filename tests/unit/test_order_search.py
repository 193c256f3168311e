"""What a search text is: its shape picks the one place the store looks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.orders.phone import normalise_phone
from oms.domain.orders.search import Match, Search, SearchKind, read_search

K = SearchKind
M = Match


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ann.Smith@Example.COM ", Search(K.EMAIL, "ann.smith@example.com")),
        ("ann.smith@exa", Search(K.EMAIL, "ann.smith@exa", match=M.PREFIX)),
        ("ann.smith@example.c", Search(K.EMAIL, "ann.smith@example.c", match=M.PREFIX)),
        ("@Example.com", Search(K.EMAIL, "@example.com", match=M.CONTAINS)),
        ("so-000042", Search(K.NUMBER, "SO-000042", match=M.PREFIX)),
        ("SO-42", Search(K.NUMBER, "SO-42", match=M.PREFIX, or_number="SO-000042")),
        ("SO-1234567", Search(K.NUMBER, "SO-1234567", match=M.PREFIX)),
        ("rr 123 456 785 fr", Search(K.TRACKING, "RR123456785FR")),
        ("RR123456785FR", Search(K.TRACKING, "RR123456785FR")),
        ("Müller", Search(K.NAME, "müller", "Müller", M.CONTAINS)),
        ("  de la Fontaine ", Search(K.NAME, "de la fontaine", match=M.CONTAINS)),
        ("SO-", Search(K.NAME, "so-", "SO-", M.CONTAINS)),  # no digits: not a number
        # eight digits: not S10's shape, but a word with a digit: an external id
        ("RR12345678FR", Search(K.EXTERNAL_ID, "RR12345678FR")),
        ("42", Search(K.EXTERNAL_ID, "42")),
        ("1001", Search(K.EXTERNAL_ID, "1001")),
        (" #1001 ", Search(K.EXTERNAL_ID, "#1001")),
        ("AMZ-123-456", Search(K.EXTERNAL_ID, "AMZ-123-456")),
        ("amz-123-456", Search(K.EXTERNAL_ID, "amz-123-456")),  # as typed: exact
        ("12345", Search(K.EXTERNAL_ID, "12345")),  # five digits: too short for a phone
        # a phone: normalised; one word may also be an external id
        ("+33 6 12 34 56 78", Search(K.PHONE, "+33612345678", match=M.PREFIX)),
        ("(030) 123-45.67", Search(K.PHONE, "301234567", match=M.SUFFIX)),
        ("+44(0)20-7946-0958", Search(K.PHONE, "+4402079460958", "+44(0)20-7946-0958", M.PREFIX)),
        ("123456", Search(K.PHONE, "123456", "123456", M.SUFFIX)),
        ("123456789012345", Search(K.PHONE, "123456789012345", "123456789012345", M.SUFFIX)),
        ("1234567890123456", Search(K.EXTERNAL_ID, "1234567890123456")),  # 16: no phone
        ("06 12 34", Search(K.PHONE, "61234", match=M.SUFFIX)),  # leading zeros: any country
        ("+1 2345", Search(K.NAME, "+1 2345", match=M.CONTAINS)),  # five digits, two words: neither
        # one word without a digit: a name, or perhaps an external id
        ("ABCDEF", Search(K.NAME, "abcdef", "ABCDEF", M.CONTAINS)),
        ("Jean-Pierre", Search(K.NAME, "jean-pierre", "Jean-Pierre", M.CONTAINS)),
        # two letters and 4 to 9 digits: the start of a tracking number, or an external id
        ("cp 1000 12", Search(K.TRACKING, "CP100012", match=M.PREFIX)),
        ("AB1234", Search(K.TRACKING, "AB1234", "AB1234", M.PREFIX)),
        ("RR123456785", Search(K.TRACKING, "RR123456785", "RR123456785", M.PREFIX)),
        ("AB123", Search(K.EXTERNAL_ID, "AB123")),  # three digits: too short
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
    assert search.kind is K.PHONE
    # with its +: its start; without: its end, after any leading zeros
    assert search.text == (stored if plus else stored.lstrip("0") or stored)
    assert search.finds(stored) and search.finds("+99" + stored.lstrip("+")) is not plus


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


@pytest.mark.parametrize(
    ("match", "text", "stored", "finds"),
    [
        (M.EXACT, "ab", "ab", True),
        (M.EXACT, "ab", "abc", False),
        (M.PREFIX, "ab", "abc", True),
        (M.PREFIX, "bc", "abc", False),
        (M.SUFFIX, "bc", "abc", True),
        (M.SUFFIX, "ab", "abc", False),
        (M.CONTAINS, "b", "abc", True),
        (M.CONTAINS, "x", "abc", False),
        (M.CONTAINS, "b", None, False),
    ],
)
def test_how_a_stored_value_is_compared(
    match: Match, text: str, stored: str | None, finds: bool
) -> None:
    assert Search(K.NAME, text, match=match).finds(stored) is finds

"""What a search text is: its shape picks the one place the store looks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        ("Müller", Search(K.NAME, "müller")),
        ("  de la Fontaine ", Search(K.NAME, "de la fontaine")),
        ("SO-", Search(K.NAME, "so-")),  # no digits: not a number
        ("RR12345678FR", Search(K.NAME, "rr12345678fr")),  # eight digits: not S10's shape
        ("42", Search(K.NAME, "42")),
    ],
)
def test_the_shape_of_the_text_says_what_it_is(text: str, expected: Search) -> None:
    assert read_search(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_text_is_no_search(text: str) -> None:
    assert read_search(text) is None


@given(st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_any_text_is_read_as_exactly_one_kind_and_never_grows(text: str) -> None:
    search = read_search(text)
    assert search is not None and search.kind in set(SearchKind)
    assert search.text and search.text == search.text.strip()

"""A channel record's rules without a database: the defaults, what a buffer keeps back,
and the checks of its settings."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from oms.domain.channels.model import Channel, ChannelKind
from oms.domain.errors import FieldErrors


def _errors(channel: Channel) -> list[str]:
    errors = FieldErrors()
    channel.check(errors)
    return [e.field for e in errors.errors]


def test_a_name_without_a_record_gets_the_defaults() -> None:
    c = Channel.default("web")
    assert (c.kind, c.currency, c.tax_inclusive, c.secret) == (ChannelKind.WEB, None, False, None)
    assert (c.buffer_units, c.buffer_percent, c.hold_minutes) == (0, 0, 15)
    assert c.sellable(7) == 7
    assert _errors(c) == []


def test_a_buffer_keeps_back_the_larger_of_units_and_share() -> None:
    market = Channel("market", buffer_units=5, buffer_percent=10)
    assert market.sellable(20) == 15  # 5 units > 10 % of 20
    assert market.sellable(100) == 90  # 10 % of 100 > 5 units
    assert market.sellable(101) == 90  # the share rounds up: 11 kept back
    assert market.sellable(3) == 0  # never below 0
    assert market.sellable(-2) == 0


@given(
    available=st.integers(-10, 10_000),
    units=st.integers(0, 1000),
    percent=st.integers(0, 100),
)
def test_sellable_is_never_negative_nor_more_than_available_and_keeps_the_buffer(
    available: int, units: int, percent: int
) -> None:
    sold = Channel("c", buffer_units=units, buffer_percent=percent).sellable(available)
    assert 0 <= sold <= max(available, 0)
    if sold > 0:
        assert available - sold == max(units, math.ceil(available * percent / 100))


@given(a=st.integers(0, 5000), b=st.integers(0, 5000), units=st.integers(0, 50))
def test_more_available_never_sells_less(a: int, b: int, units: int) -> None:
    c = Channel("c", buffer_units=units, buffer_percent=7)
    lo, hi = sorted((a, b))
    assert c.sellable(lo) <= c.sellable(hi)


def test_every_broken_setting_is_named() -> None:
    bad = Channel("Web Shop", currency="eur", buffer_units=-1, buffer_percent=101, hold_minutes=0)
    assert _errors(bad) == ["name", "currency", "buffer_units", "buffer_percent", "hold_minutes"]
    assert _errors(Channel("x" * 65)) == ["name"]
    assert _errors(Channel("x" * 64, currency="GBP", hold_minutes=1440)) == []
    assert _errors(Channel("shop", hold_minutes=1441)) == ["hold_minutes"]

"""Stage times on a small made-up history, against values computed by hand: percentiles by
linear interpolation, means, the bottleneck, late and on-time rates read in the location's
time zone, working hours across a weekend, a change of clocks and public holidays, groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oms.domain.insight.stages import (
    DetailStage,
    GroupBy,
    Hours,
    OrderTimes,
    ReturnStage,
    Stage,
    grouped,
    stage_report,
    working_hours,
)
from oms.domain.insight.stats import percentile, summarise

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_percentiles_interpolate_linearly_between_closest_ranks() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0.5) == 2.5  # h = 1.5: 2 + 0.5 * (3 - 2)
    assert percentile(values, 0.9) == pytest.approx(3.7)  # h = 2.7: 3 + 0.7 * 1
    assert percentile(values, 0.99) == pytest.approx(3.97)  # h = 2.97
    assert percentile(values, 0) == 1.0
    assert percentile(values, 1) == 4.0
    assert percentile([7.0], 0.9) == 7.0


def test_percentiles_refuse_no_values_and_fractions_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_a_summary_counts_means_and_negative_values() -> None:
    s = summarise([10.0, -2.0, 4.0, 0.0, 3.0])  # sorted: -2, 0, 3, 4, 10
    assert (s.count, s.mean, s.p50, s.negative) == (5, 3.0, 3.0, 1)
    assert s.p90 == pytest.approx(7.6)  # h = 3.6: 4 + 0.6 * 6
    assert summarise([]).mean is None


# Three delivered orders and one still on its way, in hours after T0:
#   A: placed 0, confirmed 1, shipped 25, delivered 73    -> 1, 24, 48, 73
#   B: placed 0, confirmed 3, shipped 9,  delivered 105   -> 3, 6, 96, 105
#   C: placed 0, confirmed 2, shipped 50, delivered 74    -> 2, 48, 24, 74
#   D: placed 0, confirmed 1, shipped 2, not delivered    -> not measured
HISTORY = [
    OrderTimes(1, "web", at(0), at(1), at(25), at(73), location="PAR", carrier="post"),
    OrderTimes(2, "web", at(0), at(3), at(9), at(105), location="LYO", carrier="post"),
    OrderTimes(3, "shop", at(0), at(2), at(50), at(74), location="PAR", carrier="fast"),
    OrderTimes(4, "web", at(0), at(1), at(2), None, location="PAR"),
]


def test_the_stage_table_of_delivered_orders() -> None:
    r = stage_report(HISTORY)
    by = {s.stage: s.hours for s in r.stages}
    assert r.orders == 3
    assert [by[s].count for s in Stage] == [3, 3, 3, 3]
    assert by[Stage.PLACED_TO_CONFIRMED].mean == 2.0
    assert by[Stage.PLACED_TO_CONFIRMED].p50 == 2.0
    assert by[Stage.CONFIRMED_TO_SHIPPED].mean == 26.0  # (24 + 6 + 48) / 3
    assert by[Stage.CONFIRMED_TO_SHIPPED].p90 == pytest.approx(43.2)  # 24 + 0.8 * 24
    assert by[Stage.SHIPPED_TO_DELIVERED].p50 == 48.0
    assert by[Stage.PLACED_TO_DELIVERED].p50 == 74.0
    assert by[Stage.PLACED_TO_DELIVERED].p99 == pytest.approx(104.38)  # 74 + 0.98 * 31
    assert r.bottleneck is Stage.SHIPPED_TO_DELIVERED  # medians 2, 24, 48


def test_a_stage_with_an_unknown_end_is_not_counted_and_negatives_are_kept() -> None:
    odd = [
        OrderTimes(1, "olist", at(0), None, at(5), at(10)),  # never approved
        OrderTimes(2, "olist", at(0), at(8), at(5), at(10)),  # carrier before approval
    ]
    by = {s.stage: s.hours for s in stage_report(odd).stages}
    assert by[Stage.PLACED_TO_CONFIRMED].count == 1
    assert by[Stage.CONFIRMED_TO_SHIPPED].count == 1
    assert by[Stage.CONFIRMED_TO_SHIPPED].mean == -3.0
    assert by[Stage.CONFIRMED_TO_SHIPPED].negative == 1
    assert by[Stage.SHIPPED_TO_DELIVERED].count == 2


def test_nothing_delivered_gives_an_empty_table_and_no_rates() -> None:
    r = stage_report([HISTORY[3]])
    assert r.orders == 0 and r.bottleneck is None
    assert r.late_delivery_rate is None and r.on_time_ship_rate is None
    assert all(s.hours.count == 0 and s.hours.p50 is None for s in r.stages)


def test_late_is_a_later_day_than_promised_in_the_locations_time_zone() -> None:
    # Delivered 2026-03-11 01:30 UTC: in São Paulo (UTC-3) it is still 22:30 on the 10th.
    delivered = datetime(2026, 3, 11, 1, 30, tzinfo=UTC)
    placed = datetime(2026, 3, 5, 12, tzinfo=UTC)
    promised = date(2026, 3, 10)
    in_brazil = OrderTimes(1, "web", placed, delivered=delivered, promised=promised,
                           time_zone="America/Sao_Paulo")  # fmt: skip
    in_utc = OrderTimes(2, "web", placed, delivered=delivered, promised=promised)
    # In Tokyo (UTC+9) it is 10:30 on the 11th: late.
    in_tokyo = OrderTimes(3, "web", placed, delivered=delivered, promised=date(2026, 3, 11),
                          time_zone="Asia/Tokyo")  # fmt: skip
    assert stage_report([in_brazil]).late == 0
    assert stage_report([in_utc]).late == 1
    assert stage_report([in_tokyo]).late == 0
    r = stage_report([in_brazil, in_utc, in_tokyo, HISTORY[0]])  # the last has no promise
    assert (r.late, r.promised, r.late_delivery_rate) == (1, 3, pytest.approx(1 / 3))


def test_the_late_split_says_in_which_step_late_orders_lost_their_hours() -> None:
    # All promised for 2026-03-05 (UTC). In hours after T0 (Monday 2 March, 09:00):
    #   A: 1, 24, 48, 73: delivered 10:00 on the 5th, on time
    #   B: 3, 6, 96, 105: delivered on the 6th, late
    #   C: 2, 48, 24, 74: delivered 11:00 on the 5th, on time
    #   E: never approved (no first two steps), shipped at 70, delivered at 130: late
    promised = date(2026, 3, 5)
    orders = [
        OrderTimes(1, "web", at(0), at(1), at(25), at(73), promised=promised),
        OrderTimes(2, "web", at(0), at(3), at(9), at(105), promised=promised),
        OrderTimes(3, "web", at(0), at(2), at(50), at(74), promised=promised),
        OrderTimes(5, "web", at(0), None, at(70), at(130), promised=promised),
        HISTORY[1],  # no promise: in neither side
    ]
    r = stage_report(orders)
    by = {x.stage: x for x in r.late_split}
    first = by[Stage.PLACED_TO_CONFIRMED]
    assert (first.late_count, first.late_mean, first.on_time_count, first.on_time_mean) == (
        1, 3.0, 2, 1.5
    )  # fmt: skip
    assert first.extra == 1.5
    ship = by[Stage.CONFIRMED_TO_SHIPPED]
    assert (ship.late_count, ship.late_mean, ship.on_time_mean, ship.extra) == (1, 6.0, 36.0, -30.0)
    transit = by[Stage.SHIPPED_TO_DELIVERED]
    assert (transit.late_count, transit.late_mean, transit.on_time_mean) == (2, 78.0, 36.0)
    assert transit.extra == 42.0  # (96 + 60) / 2 - (48 + 24) / 2
    lead = by[Stage.PLACED_TO_DELIVERED]
    assert (lead.late_total, lead.on_time_total) == (235.0, 147.0)
    assert r.late_bottleneck is Stage.SHIPPED_TO_DELIVERED
    # Nothing late: no step lost anything.
    quiet = stage_report([orders[0], orders[2]])
    assert quiet.late_bottleneck is None
    assert all(x.late_count == 0 and x.extra is None for x in quiet.late_split)


def test_on_time_ship_is_shipped_on_or_before_the_ship_by_day() -> None:
    ship_by = date(2026, 3, 3)
    on_day = OrderTimes(1, "web", at(0), shipped=datetime(2026, 3, 3, 23, tzinfo=UTC),
                        delivered=at(60), ship_by=ship_by)  # fmt: skip
    # 02:00 UTC on the 4th is 23:00 on the 3rd in São Paulo: still on time there.
    next_day_utc = OrderTimes(2, "web", at(0), shipped=datetime(2026, 3, 4, 2, tzinfo=UTC),
                              delivered=at(60), ship_by=ship_by,
                              time_zone="America/Sao_Paulo")  # fmt: skip
    late = OrderTimes(3, "web", at(0), shipped=datetime(2026, 3, 4, 2, tzinfo=UTC),
                      delivered=at(60), ship_by=ship_by)  # fmt: skip
    r = stage_report([on_day, next_day_utc, late, HISTORY[0]])
    assert (r.shipped_on_time, r.ship_by) == (2, 3)
    assert r.on_time_ship_rate == pytest.approx(2 / 3)


def test_working_hours_leave_out_the_weekend() -> None:
    friday_18 = datetime(2026, 3, 6, 17, tzinfo=UTC)  # 18:00 in Paris (UTC+1)
    monday_06 = datetime(2026, 3, 9, 5, tzinfo=UTC)  # 06:00 in Paris
    assert working_hours(friday_18, monday_06, "Europe/Paris", "01234") == 12.0  # 6 + 6
    assert working_hours(monday_06, friday_18, "Europe/Paris", "01234") == -12.0
    assert working_hours(friday_18, monday_06, "Europe/Paris", "0123456") == 60.0


def test_working_hours_count_the_hours_a_day_really_has_when_clocks_change() -> None:
    # Paris moved to summer time on Sunday 2026-03-29: that day had 23 hours.
    saturday = datetime(2026, 3, 27, 23, tzinfo=UTC)  # Sat 28 00:00 in Paris
    monday = datetime(2026, 3, 29, 22, tzinfo=UTC)  # Mon 30 00:00 in Paris (UTC+2)
    assert working_hours(saturday, monday, "Europe/Paris", "0123456") == 47.0
    assert working_hours(saturday, monday, "Europe/Paris", "56") == 47.0
    assert working_hours(saturday, monday, "Europe/Paris", "01234") == 0.0
    t = OrderTimes(1, "web", saturday, saturday, saturday, monday, time_zone="Europe/Paris",
                   working_days="6")  # fmt: skip
    by = {s.stage: s.hours for s in stage_report([t], Hours.WORKING).stages}
    assert by[Stage.PLACED_TO_DELIVERED].mean == 23.0
    by = {s.stage: s.hours for s in stage_report([t]).stages}
    assert by[Stage.PLACED_TO_DELIVERED].mean == 47.0


def paris(day: int, month: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Europe/Paris"))


def test_working_hours_leave_out_the_public_holidays_of_the_country() -> None:
    # Bastille Day, Tuesday 14 July 2026, is a French holiday, not a German one.
    monday_12, wednesday_12 = paris(13, 7, 12), paris(15, 7, 12)
    assert working_hours(monday_12, wednesday_12, "Europe/Paris", "01234", "FR") == 24.0
    assert working_hours(monday_12, wednesday_12, "Europe/Paris", "01234") == 48.0
    assert working_hours(monday_12, wednesday_12, "Europe/Paris", "01234", "DE") == 48.0
    assert working_hours(wednesday_12, monday_12, "Europe/Paris", "01234", "FR") == -24.0
    # Ending on the holiday: Monday's 12 hours only; wholly on it: none.
    tuesday_18 = paris(14, 7, 18)
    assert working_hours(monday_12, tuesday_18, "Europe/Paris", "01234", "FR") == 12.0
    assert working_hours(monday_12, tuesday_18, "Europe/Paris", "01234") == 30.0
    assert working_hours(paris(14, 7, 9), tuesday_18, "Europe/Paris", "01234", "FR") == 0.0
    # No country, or a code the holidays package does not know: no holidays.
    assert working_hours(monday_12, wednesday_12, "Europe/Paris", "01234", "") == 48.0
    assert working_hours(monday_12, wednesday_12, "Europe/Paris", "01234", "ZZ") == 48.0


def test_a_holiday_on_a_weekend_is_off_only_where_the_weekend_is_worked() -> None:
    # Assumption, Saturday 15 August 2026: Friday 12:00 to Sunday 12:00.
    friday_12, sunday_12 = paris(14, 8, 12), paris(16, 8, 12)
    assert working_hours(friday_12, sunday_12, "Europe/Paris", "01234", "FR") == 12.0
    assert working_hours(friday_12, sunday_12, "Europe/Paris", "01234") == 12.0
    assert working_hours(friday_12, sunday_12, "Europe/Paris", "0123456", "FR") == 24.0
    assert working_hours(friday_12, sunday_12, "Europe/Paris", "0123456") == 48.0


def test_holidays_are_read_for_each_year_and_as_local_days() -> None:
    # Thursday 31 December 2026 12:00 to Saturday 2 January 2027 12:00: New Year's Day
    # (a Friday) is off, then the weekend: 12 hours; 36 without holidays.
    new_year = (paris(31, 12, 12), paris(2, 1, 12, 2027))
    assert working_hours(*new_year, "Europe/Paris", "01234", "FR") == 12.0
    assert working_hours(*new_year, "Europe/Paris", "01234") == 36.0
    # Tiradentes, Tuesday 21 April 2026 in Brazil: from 02:00 to 24:00 UTC is Monday 23:00
    # to Tuesday 21:00 in São Paulo (UTC-3): only Monday's last hour is working time.
    start, end = datetime(2026, 4, 21, 2, tzinfo=UTC), datetime(2026, 4, 22, tzinfo=UTC)
    assert working_hours(start, end, "America/Sao_Paulo", "01234", "BR") == 1.0
    assert working_hours(start, end, "America/Sao_Paulo", "01234") == 22.0
    # In UTC the same hours are all on the holiday.
    assert working_hours(start, end, "UTC", "01234", "BR") == 0.0


def test_the_working_hours_report_takes_the_country_from_the_order() -> None:
    # Placed Monday 13 July 12:00, confirmed 14:00, shipped Tuesday 14 July 10:00 (on the
    # holiday), delivered Wednesday 15 July 12:00, all in Paris.
    def order(i: int, country: str | None) -> OrderTimes:
        return OrderTimes(i, "web", paris(13, 7, 12), paris(13, 7, 14), paris(14, 7, 10),
                          paris(15, 7, 12), time_zone="Europe/Paris", working_days="01234",
                          country=country)  # fmt: skip

    def means(t: OrderTimes) -> list[float | None]:
        return [s.hours.mean for s in stage_report([t], Hours.WORKING).stages]

    # placed → confirmed 2; confirmed → shipped 10 (Monday 14:00 to midnight); shipped →
    # delivered 12 (Wednesday's first 12); placed → delivered 24.
    assert means(order(1, "FR")) == [2.0, 10.0, 12.0, 24.0]
    assert means(order(2, None)) == [2.0, 20.0, 26.0, 48.0]
    assert [s.hours.mean for s in stage_report([order(1, "FR")]).stages] == [2.0, 20.0, 26.0, 48.0]


def test_groups_by_channel_location_carrier_and_week() -> None:
    assert [k for k, _ in grouped(HISTORY, GroupBy.CHANNEL)] == ["shop", "web"]
    by_location = dict(grouped(HISTORY, GroupBy.LOCATION))
    assert by_location["PAR"].orders == 2 and by_location["LYO"].orders == 1
    assert [k for k, _ in grouped(HISTORY, GroupBy.CARRIER)] == ["fast", "post"]
    assert [k for k, _ in grouped(HISTORY, GroupBy.WEEK)] == ["2026-W10"]
    # A Sunday evening in São Paulo is already Monday in UTC: the week is read locally.
    sunday = OrderTimes(9, "web", datetime(2026, 3, 9, 1, tzinfo=UTC), delivered=at(100),
                        time_zone="America/Sao_Paulo")  # fmt: skip
    assert [k for k, _ in grouped([sunday], GroupBy.WEEK)] == ["2026-W10"]


def test_the_warehouse_steps_and_the_return_stages_count_only_orders_that_have_them() -> None:
    # E: confirmed 1, picked 5, packed 6, shipped 30, delivered 80: 4, 1, 24
    # F: confirmed 2, picked 12, packed 20, shipped 22, delivered 50: 10, 8, 2
    #    return requested 100, received 148, refunded 150: 48, 2, 50
    # G: history without picking or packing (counted in the four stages only)
    e = OrderTimes(
        5, "web", at(0), at(1), at(30), at(80), picked=at(5), packed=at(6), location="PAR"
    )
    f = OrderTimes(
        6, "web", at(0), at(2), at(22), at(50), picked=at(12), packed=at(20),
        return_requested=at(100), return_received=at(148), return_refunded=at(150),
    )  # fmt: skip
    g = OrderTimes(7, "olist", at(0), at(1), at(2), at(3))
    r = stage_report([e, f, g])
    detail = {s.stage: s.hours for s in r.detail}
    assert [detail[s].count for s in DetailStage] == [2, 2, 2]
    assert detail[DetailStage.CONFIRMED_TO_PICKED].mean == 7.0  # (4 + 10) / 2
    assert detail[DetailStage.PICKED_TO_PACKED].p50 == 4.5  # (1 + 8) / 2
    assert detail[DetailStage.PACKED_TO_SHIPPED].p90 == pytest.approx(21.8)  # 2 + 0.9 * 22
    # medians: placed_to_confirmed 1, picked 7, packed 4.5, to ship 13, shipped_to_delivered 48
    assert r.detail_bottleneck is Stage.SHIPPED_TO_DELIVERED
    assert {s.stage: s.hours.count for s in r.stages}[Stage.CONFIRMED_TO_SHIPPED] == 3
    returns = {s.stage: s.hours for s in r.returns}
    assert [returns[s].count for s in ReturnStage] == [1, 1, 1]
    assert returns[ReturnStage.REQUESTED_TO_RECEIVED].mean == 48.0
    assert returns[ReturnStage.RECEIVED_TO_REFUNDED].mean == 2.0
    assert returns[ReturnStage.REQUESTED_TO_REFUNDED].p99 == 50.0
    assert stage_report([g]).detail_bottleneck is Stage.PLACED_TO_CONFIRMED  # 1 h vs 1 h: first

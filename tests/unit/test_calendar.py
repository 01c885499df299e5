"""Unit tests for complaints.sla.calendar (pure working-time arithmetic)."""

from __future__ import annotations

import time as wall_clock
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.sla.calendar import (
    END_OF_DAY,
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    is_working_day,
    next_working_instant,
    working_time_between,
)
from complaints.sla.china import china_calendar, years_missing_adjusted_workdays

CST = timezone(timedelta(hours=8))  # China Standard Time, no DST
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)

NINE_TO_SIX = {d: ((time(9), time(18)),) for d in range(5)}
WITH_LUNCH = {d: ((time(9), time(12)), (time(13), time(18))) for d in range(5)}


@pytest.fixture(scope="module")
def cn() -> WorkingCalendar:
    return china_calendar([2025, 2026, 2027])


@pytest.fixture(scope="module")
def office() -> WorkingCalendar:
    return WorkingCalendar(code="OFFICE", tz="Asia/Shanghai", hours=NINE_TO_SIX)


@pytest.fixture(scope="module")
def lunch() -> WorkingCalendar:
    return WorkingCalendar(code="LUNCH", tz="Asia/Shanghai", hours=WITH_LUNCH)


def sh(*args: int) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime(*args, tzinfo=SHANGHAI)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- basics ----------------------------------------------------------------


def test_spec_example_friday_17_to_monday_10_is_two_hours(office):
    friday, monday = sh(2026, 3, 6, 17), sh(2026, 3, 9, 10)
    assert friday.weekday() == 4 and monday.weekday() == 0
    assert working_time_between(office, friday, monday) == 2 * H
    assert add_working_hours(office, friday, 2) == monday.astimezone(UTC)


def test_results_are_utc(office):
    result = add_working_hours(office, sh(2026, 3, 9, 10), 1)
    assert result.tzinfo is UTC
    assert result == utc(2026, 3, 9, 3)


def test_result_on_span_end_stays_there(office):
    assert add_working_hours(office, sh(2026, 3, 6, 9), 9) == sh(2026, 3, 6, 18)


def test_weekend_skipped_in_week_spanning_window(office):
    # Mon 09:00 + 50 h = five 9 h days (45 h) + 5 h on the next Monday.
    assert add_working_hours(office, sh(2026, 3, 2, 9), 50) == sh(2026, 3, 9, 14)
    assert working_time_between(office, sh(2026, 3, 6, 12), sh(2026, 3, 9, 12)) == 9 * H


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (sh(2026, 3, 9, 7), sh(2026, 3, 9, 10)),  # before opening
        (sh(2026, 3, 9, 12, 30), sh(2026, 3, 9, 14)),  # lunch gap
        (sh(2026, 3, 9, 11, 30), sh(2026, 3, 9, 13, 30)),  # straddles lunch
        (sh(2026, 3, 9, 19), sh(2026, 3, 10, 10)),  # after close
        (sh(2026, 3, 6, 18), sh(2026, 3, 9, 10)),  # exactly at Friday close
        (sh(2026, 3, 7, 11), sh(2026, 3, 9, 10)),  # Saturday
    ],
)
def test_start_outside_working_hours(lunch, start, expected):
    assert add_working_hours(lunch, start, 1) == expected


def test_next_working_instant(lunch):
    assert next_working_instant(lunch, sh(2026, 3, 9, 10)) == sh(2026, 3, 9, 10)
    assert next_working_instant(lunch, sh(2026, 3, 9, 12)) == sh(2026, 3, 9, 13)
    assert next_working_instant(lunch, sh(2026, 3, 9, 12, 30)) == sh(2026, 3, 9, 13)
    assert next_working_instant(lunch, sh(2026, 3, 6, 18)) == sh(2026, 3, 9, 9)
    assert next_working_instant(lunch, sh(2026, 3, 9, 8)) == sh(2026, 3, 9, 9)


def test_zero_hours_returns_start_even_outside_hours(lunch):
    assert add_working_hours(lunch, sh(2026, 3, 7, 11), 0) == sh(2026, 3, 7, 11)
    assert add_working_hours(lunch, sh(2026, 3, 9, 10), timedelta(0)) == sh(2026, 3, 9, 10)


def test_amount_types(lunch):
    start = sh(2026, 3, 9, 9)
    expected = sh(2026, 3, 9, 10, 30)
    assert add_working_hours(lunch, start, 1.5) == expected
    assert add_working_hours(lunch, start, Decimal("1.5")) == expected
    assert add_working_hours(lunch, start, timedelta(minutes=90)) == expected
    with pytest.raises(ValueError):
        add_working_hours(lunch, start, -1)
    with pytest.raises(ValueError):
        add_working_hours(lunch, start, float("nan"))
    with pytest.raises(TypeError):
        add_working_hours(lunch, start, "2")


def test_working_time_between_reversed_or_equal_is_zero(lunch):
    a, b = sh(2026, 3, 9, 10), sh(2026, 3, 9, 16)
    assert working_time_between(lunch, a, b) == 5 * H
    assert working_time_between(lunch, b, a) == timedelta(0)
    assert working_time_between(lunch, a, a) == timedelta(0)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: add_working_hours(c, datetime(2026, 3, 9, 10), 1),
        lambda c: add_working_days(c, datetime(2026, 3, 9, 10), 1),
        lambda c: working_time_between(c, datetime(2026, 3, 9, 10), sh(2026, 3, 9, 11)),
        lambda c: working_time_between(c, sh(2026, 3, 9, 10), datetime(2026, 3, 9, 11)),
        lambda c: next_working_instant(c, datetime(2026, 3, 9, 10)),
        lambda c: is_working_day(c, datetime(2026, 3, 9, 10)),
    ],
)
def test_naive_input_rejected(office, call):
    with pytest.raises(ValueError, match="aware"):
        call(office)


def test_calendar_validation():
    with pytest.raises(ValueError, match="empty"):
        WorkingCalendar("X", "UTC", {0: ((time(10), time(9)),)})
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar("X", "UTC", {0: ((time(9), time(12)), (time(11), time(13)))})
    with pytest.raises(ValueError, match=r"0\.\.6"):
        WorkingCalendar("X", "UTC", {7: ((time(9), time(12)),)})
    with pytest.raises(ValueError, match="time zone"):
        WorkingCalendar("X", "Mars/Olympus_Mons", NINE_TO_SIX)


def test_calendar_is_hashable_and_hours_normalised(lunch):
    assert hash(lunch) == hash(WorkingCalendar("LUNCH", "Asia/Shanghai", WITH_LUNCH))
    assert lunch.hours[0] == ((time(9), time(12)), (time(13), time(18)))
    assert lunch.hours[6] == ()


def test_calendar_without_any_working_time_raises():
    dead = WorkingCalendar("NONE", "UTC", {})
    with pytest.raises(ValueError, match="no working time"):
        add_working_hours(dead, utc(2026, 1, 1), 1)
    assert working_time_between(dead, utc(2026, 1, 1), utc(2027, 1, 1)) == timedelta(0)


# --- China -----------------------------------------------------------------


def test_package_2026_national_day_schedule(cn):
    # Verified against holidays 0.109 (State Council notice for 2026):
    # Oct 1-7 off, Sun Sep 20 and Sat Oct 10 are makeup workdays,
    # Mid-Autumn (Fri Sep 25) is a separate single day off.
    for day in range(1, 8):
        off = date(2026, 10, day)
        assert off in cn.holidays or off.weekday() >= 5  # Sun Oct 4 is a plain weekend day
        assert not is_working_day(cn, off)
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= cn.workdays
    assert date(2026, 9, 25) in cn.holidays
    assert is_working_day(cn, date(2026, 9, 20))  # Sunday
    assert is_working_day(cn, date(2026, 10, 10))  # Saturday
    assert not is_working_day(cn, date(2026, 10, 11))  # plain Sunday
    assert is_working_day(cn, date(2026, 10, 8))


def test_spec_cn_seven_working_days_over_national_day(cn):
    # Received Wed 2026-09-30 17:00 CST; the day of receipt is not counted.
    # Oct 1-7 are the National Day holiday, so the working days are:
    #   1 Thu Oct 8, 2 Fri Oct 9, 3 Sat Oct 10 (makeup workday),
    #   (Sun Oct 11 off), 4 Mon Oct 12, 5 Tue Oct 13, 6 Wed Oct 14, 7 Thu Oct 15.
    # The window closes at the end of Oct 15's working time: 18:00 CST.
    due = add_working_days(cn, datetime(2026, 9, 30, 17, tzinfo=CST), 7)
    assert due == datetime(2026, 10, 15, 18, tzinfo=CST)
    assert due == utc(2026, 10, 15, 10)


def test_count_receipt_day_setting():
    counting = china_calendar(2026, count_receipt_day=True)
    # Received before close: Sep 30 is day 1, so day 7 is Wed Oct 14.
    assert add_working_days(counting, sh(2026, 9, 30, 17), 7) == sh(2026, 10, 14, 18)
    # Received after close: Sep 30 cannot count, day 1 is Oct 8 -> Oct 15.
    assert add_working_days(counting, sh(2026, 9, 30, 18, 30), 7) == sh(2026, 10, 15, 18)


def test_hours_across_national_day(cn):
    # 1 h left on Sep 30, then Oct 1-7 off, then 1 h on Thu Oct 8.
    assert add_working_hours(cn, sh(2026, 9, 30, 17), 2) == sh(2026, 10, 8, 10)
    assert working_time_between(cn, sh(2026, 9, 30, 17), sh(2026, 10, 8, 10)) == 2 * H


def test_start_on_holiday(cn):
    assert add_working_hours(cn, sh(2026, 10, 3, 11), 1) == sh(2026, 10, 8, 10)
    assert next_working_instant(cn, sh(2026, 10, 3, 11)) == sh(2026, 10, 8, 9)
    assert add_working_days(cn, sh(2026, 10, 3, 11), 1) == sh(2026, 10, 8, 18)
    assert add_working_days(cn, sh(2026, 10, 3, 11), 0) == sh(2026, 10, 8, 18)


def test_makeup_workday_uses_makeup_weekday_hours():
    hours = {
        0: ((time(8), time(12)),),
        1: ((time(9), time(18)),),
        4: ((time(9), time(18)),),
    }
    cal = china_calendar(2026, hours=hours)  # default makeup weekday: Monday
    assert add_working_hours(cal, sh(2026, 10, 9, 17), 2) == sh(2026, 10, 10, 9)
    cal_tue = china_calendar(2026, hours=hours, makeup_weekday=1)
    assert add_working_hours(cal_tue, sh(2026, 10, 9, 17), 2) == sh(2026, 10, 10, 10)


def test_makeup_sunday_before_national_day(cn):
    # Sat Sep 19 12:00 + 3 h: Sunday Sep 20 is a makeup workday.
    assert add_working_hours(cn, sh(2026, 9, 19, 12), 3) == sh(2026, 9, 20, 12)


def test_year_end_2025_into_2026(cn):
    # Jan 1-2 2026 off, Sat Jan 3 off, Sun Jan 4 is a makeup workday.
    assert add_working_hours(cn, sh(2025, 12, 31, 17), 2) == sh(2026, 1, 4, 10)
    assert add_working_days(cn, sh(2025, 12, 31, 10), 1) == sh(2026, 1, 4, 18)
    assert add_working_days(cn, sh(2025, 12, 31, 10), 2) == sh(2026, 1, 5, 18)
    assert working_time_between(cn, sh(2025, 12, 31, 9), sh(2026, 1, 5, 9)) == 18 * H


def test_extra_holidays_and_workdays():
    cal = china_calendar(2026, extra_holidays=[date(2026, 3, 9)], extra_workdays=[date(2026, 10, 8)])
    assert not is_working_day(cal, date(2026, 3, 9))
    assert is_working_day(cal, date(2026, 10, 8))
    freed = china_calendar(2026, extra_workdays=[date(2026, 10, 6)])  # official day off
    assert is_working_day(freed, date(2026, 10, 6))
    with pytest.raises(ValueError):
        china_calendar(2026, extra_holidays=[date(2026, 3, 9)], extra_workdays=[date(2026, 3, 9)])


def test_years_missing_adjusted_workdays():
    assert years_missing_adjusted_workdays([2024, 2025, 2026]) == []
    missing = years_missing_adjusted_workdays(range(2024, 2031))
    assert 2027 in missing  # festivals known, State Council schedule not in 0.109
    assert 2026 not in missing
    assert years_missing_adjusted_workdays([1900]) == []  # package knows nothing


# --- working days ----------------------------------------------------------


def test_working_days_conventions(office):
    # Received Monday 10:00: day 1 is Tuesday, closing at 18:00.
    assert add_working_days(office, sh(2026, 3, 9, 10), 1) == sh(2026, 3, 10, 18)
    # Received Friday evening or Saturday: day 1 is Monday.
    assert add_working_days(office, sh(2026, 3, 6, 20), 1) == sh(2026, 3, 9, 18)
    assert add_working_days(office, sh(2026, 3, 7, 10), 1) == sh(2026, 3, 9, 18)
    # Zero days: end of the receipt day if still open, else next working day.
    assert add_working_days(office, sh(2026, 3, 9, 10), 0) == sh(2026, 3, 9, 18)
    assert add_working_days(office, sh(2026, 3, 9, 7), 0) == sh(2026, 3, 9, 18)
    assert add_working_days(office, sh(2026, 3, 9, 18), 0) == sh(2026, 3, 10, 18)
    assert add_working_days(office, sh(2026, 3, 7, 10), 0) == sh(2026, 3, 9, 18)
    with pytest.raises(ValueError):
        add_working_days(office, sh(2026, 3, 9, 10), -1)
    with pytest.raises(TypeError):
        add_working_days(office, sh(2026, 3, 9, 10), 1.5)


def test_working_days_close_is_last_span_end(lunch):
    assert add_working_days(lunch, sh(2026, 3, 9, 10), 2) == sh(2026, 3, 11, 18)


# --- huge windows ----------------------------------------------------------


def test_huge_windows_are_fast(cn):
    start = sh(2025, 1, 6, 9)
    began = wall_clock.perf_counter()
    due_hours = add_working_hours(cn, start, 10_000)
    due_days = add_working_days(cn, start, 1_000)
    elapsed_total = working_time_between(cn, start, due_hours)
    assert wall_clock.perf_counter() - began < 1.0
    assert elapsed_total == timedelta(hours=10_000)
    assert due_hours > start + timedelta(days=365 * 3)
    assert due_days.astimezone(SHANGHAI).time() == time(18)
    assert is_working_day(cn, due_days)


# --- 24x7 ------------------------------------------------------------------


def test_around_the_clock():
    cal = WorkingCalendar.around_the_clock("Asia/Shanghai")
    assert cal.hours[5] == ((time(0), END_OF_DAY),)
    start = sh(2026, 10, 1, 10, 15)
    assert add_working_hours(cal, start, 5) == start + 5 * H
    assert add_working_hours(cal, start, 1000) == start + 1000 * H
    assert working_time_between(cal, start, start + 77 * H) == 77 * H
    assert next_working_instant(cal, start) == start
    # 3 days after Oct 1 (not counted): end of Oct 4 = midnight starting Oct 5.
    assert add_working_days(cal, start, 3) == sh(2026, 10, 5)
    assert add_working_days(cal, start, 0) == sh(2026, 10, 2)
    assert add_working_days(cal, start, 1000) == sh(2026, 10, 1) + timedelta(days=1001)


# --- DST -------------------------------------------------------------------


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def berlin_office() -> WorkingCalendar:
    return WorkingCalendar(code="DE", tz="Europe/Berlin", hours=NINE_TO_SIX)


def test_dst_spring_forward_office(berlin_office):
    # Clocks go forward on Sun 2026-03-29; Friday is CET (+1), Monday CEST (+2).
    friday, monday = berlin(2026, 3, 27, 17), berlin(2026, 3, 30, 10)
    assert working_time_between(berlin_office, friday, monday) == 2 * H
    assert add_working_hours(berlin_office, friday, 2) == utc(2026, 3, 30, 8)
    assert add_working_days(berlin_office, friday, 1) == utc(2026, 3, 30, 16)


def test_dst_fall_back_office(berlin_office):
    # Clocks go back on Sun 2026-10-25; Friday is CEST (+2), Monday CET (+1).
    friday, monday = berlin(2026, 10, 23, 17), berlin(2026, 10, 26, 10)
    assert working_time_between(berlin_office, friday, monday) == 2 * H
    assert add_working_hours(berlin_office, friday, 2) == utc(2026, 10, 26, 9)


def test_dst_24x7_days_are_23_and_25_hours():
    cal = WorkingCalendar.around_the_clock("Europe/Berlin")
    assert working_time_between(cal, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * H
    assert working_time_between(cal, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * H
    # 1 working day after Sat Mar 28 ends at local midnight starting Mon Mar 30.
    assert add_working_days(cal, berlin(2026, 3, 28, 12), 1) == utc(2026, 3, 29, 22)
    assert add_working_hours(cal, berlin(2026, 3, 29, 1), 2) == berlin(2026, 3, 29, 4)


def test_dst_nonexistent_and_ambiguous_span_boundaries_do_not_crash():
    # A 02:00-04:00 span every day: 02:00 does not exist on Mar 29 and is
    # ambiguous on Oct 25.
    cal = WorkingCalendar("NIGHT", "Europe/Berlin", {d: ((time(2), time(4)),) for d in range(7)})
    spring = working_time_between(cal, berlin(2026, 3, 29), berlin(2026, 3, 30))
    autumn = working_time_between(cal, berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert spring == 1 * H  # the clock reads 03:00-04:00 only
    assert autumn == 3 * H  # 02:00 CEST .. 04:00 CET
    assert add_working_hours(cal, berlin(2026, 3, 29), 1) == berlin(2026, 3, 29, 4)
    # Non-existent times are shifted forward by the gap (fold=0): a span inside
    # the gap moves after it, a span straddling its end can shrink to nothing.
    inside = WorkingCalendar("IN", "Europe/Berlin", {6: ((time(2, 15), time(2, 45)),)})
    assert next_working_instant(inside, berlin(2026, 3, 28)) == berlin(2026, 3, 29, 3, 15)
    assert working_time_between(inside, berlin(2026, 3, 28), berlin(2026, 3, 30)) == 30 * M
    eaten = WorkingCalendar("EATEN", "Europe/Berlin", {6: ((time(2, 30), time(3, 30)),)})
    assert working_time_between(eaten, berlin(2026, 3, 28), berlin(2026, 3, 30)) == 0 * M
    assert next_working_instant(eaten, berlin(2026, 3, 28)) == berlin(2026, 4, 5, 2, 30)


# --- properties ------------------------------------------------------------

PROPERTY_CALENDARS = [
    china_calendar([2025, 2026, 2027], hours=WITH_LUNCH),
    WorkingCalendar("DE", "Europe/Berlin", NINE_TO_SIX, holidays=frozenset({date(2026, 4, 3)})),
    WorkingCalendar.around_the_clock("America/New_York"),
]
BASE = utc(2025, 1, 1)
starts = st.integers(0, 2 * 365 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
amounts = st.integers(0, 3000 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(cal=st.sampled_from(PROPERTY_CALENDARS), start=starts, amount=amounts)
def test_property_between_inverts_add(cal, start, amount):
    due = add_working_hours(cal, start, amount)
    assert due >= start
    assert working_time_between(cal, start, due) == amount


@settings(max_examples=200, deadline=None)
@given(
    cal=st.sampled_from(PROPERTY_CALENDARS),
    start=starts,
    first=amounts,
    second=amounts.filter(bool),
)
def test_property_add_is_additive(cal, start, first, second):
    step = add_working_hours(cal, add_working_hours(cal, start, first), second)
    assert step == add_working_hours(cal, start, first + second)


@settings(max_examples=200, deadline=None)
@given(cal=st.sampled_from(PROPERTY_CALENDARS), start=starts, days=st.integers(1, 40))
def test_property_working_days_end_at_close(cal, start, days):
    due = add_working_days(cal, start, days)
    assert due > start
    assert is_working_day(cal, due - timedelta(microseconds=1))
    assert next_working_instant(cal, due) > due or cal.code == "24x7"

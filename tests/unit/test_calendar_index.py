"""The cumulative index answers exactly what walking the calendar day by day answers.

working_time_between and add_working_hours read a per-calendar index of cumulative working time
(O(log days) per question). Here they are compared with the plain walk over the calendar's
intervals, on China's calendar (holidays, makeup workdays), a split-shift calendar and a calendar
in a zone with daylight saving time, over spans from seconds to years.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.sla import calendar as wt
from complaints.sla.china import china_calendar

CN = china_calendar(range(2024, 2029))
SPLIT = wt.WorkingCalendar(
    code="split", tz="Asia/Shanghai", hours={d: ((time(9), time(12)), (time(13), time(18))) for d in range(6)}
)
NEW_YORK = wt.WorkingCalendar(
    code="ny",
    tz="America/New_York",
    hours={d: ((time(0), time(2, 30)), (time(8), wt.END_OF_DAY)) for d in range(7)},
)
CALENDARS = [CN, SPLIT, NEW_YORK, wt.WorkingCalendar.around_the_clock("Asia/Shanghai")]
START = datetime(2024, 1, 1, tzinfo=UTC)


def walked_between(cal, a, b):
    total = timedelta(0)
    for _, start, end in wt._intervals(cal, a.astimezone(cal.zone).date() - timedelta(days=1)):
        if start >= b:
            break
        if end > a:
            total += min(end, b) - max(start, a)
    return total


def walked_add(cal, start, amount):
    for _, span_start, span_end in wt._intervals(cal, start.astimezone(cal.zone).date() - timedelta(days=1)):
        if span_end <= start:
            continue
        span_start = max(span_start, start)
        if amount <= span_end - span_start:
            return span_start + amount
        amount -= span_end - span_start
    raise AssertionError("unreachable")


instants = st.integers(min_value=0, max_value=4 * 365 * 24 * 3600).map(lambda s: START + timedelta(seconds=s))
spans = st.integers(min_value=0, max_value=3 * 365 * 24 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(cal=st.sampled_from(CALENDARS), a=instants, span=spans)
def test_working_time_between_equals_the_walk(cal, a, span):
    assert wt.working_time_between(cal, a, a + span) == walked_between(cal, a, a + span)


@settings(max_examples=300, deadline=None)
@given(cal=st.sampled_from(CALENDARS), start=instants, hours=st.integers(min_value=1, max_value=3000 * 3600))
def test_add_working_hours_equals_the_walk(cal, start, hours):
    amount = timedelta(seconds=hours)
    assert wt.add_working_hours(cal, start, amount) == walked_add(cal, start, amount)


def test_a_result_on_a_span_end_stays_there_across_a_widened_index():
    friday_nine = datetime(2026, 3, 6, 1, tzinfo=UTC)  # 09:00 in Shanghai
    assert wt.add_working_hours(SPLIT, friday_nine, 8) == datetime(2026, 3, 6, 10, tzinfo=UTC)  # 18:00
    far = wt.add_working_hours(SPLIT, friday_nine, 20_000)  # widens the index several times
    assert wt.working_time_between(SPLIT, friday_nine, far) == timedelta(hours=20_000)


def test_a_calendar_without_working_time_says_so_instead_of_searching_forever():
    never = wt.WorkingCalendar(code="never", tz="UTC", hours={})
    saturday = datetime(2026, 3, 7, tzinfo=UTC)
    assert wt.working_time_between(never, saturday, saturday + timedelta(days=3650)) == timedelta(0)
    with pytest.raises(ValueError, match="no working time left"):
        wt.add_working_hours(never, saturday, 1)

"""China's working calendar: official holidays and makeup workdays (调休) from the `holidays`
package, Monday-Friday 09:00-18:00 by default (pure Python, like calendar.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time

import holidays as holidays_lib

from complaints.sla.calendar import Span, WorkingCalendar

#: Default Chinese office hours: Monday-Friday 09:00-18:00.
CN_DEFAULT_HOURS: Mapping[int, tuple[Span, ...]] = {weekday: ((time(9), time(18)),) for weekday in range(5)}


def _year_list(years: int | Iterable[int]) -> list[int]:
    return sorted({int(years)} if isinstance(years, int) else {int(y) for y in years})


def china_calendar(
    years: int | Iterable[int],
    tz: str = "Asia/Shanghai",
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
    *,
    hours: Mapping[int, Sequence[Span]] | None = None,
    makeup_weekday: int = 0,
    count_receipt_day: bool = False,
) -> WorkingCalendar:
    """Build the mainland-China calendar (code ``"CN"``) for ``years``.

    Holidays are those of ``holidays.country_holidays("CN", years=...)``
    (public category, including its substituted days off); makeup workdays are
    its ``weekend_workdays`` (weekend dates declared working by the State
    Council notice, including cross-year ones such as a late-December
    Saturday). ``extra_holidays`` / ``extra_workdays`` override the official
    data for the same date; a date may not be in both. ``hours`` defaults to
    Monday-Friday 09:00-18:00. Dates outside ``years`` get only weekly hours.
    """
    extra_off, extra_on = frozenset(extra_holidays), frozenset(extra_workdays)
    if extra_off & extra_on:
        raise ValueError(f"dates both extra holiday and workday: {sorted(extra_off & extra_on)}")
    official = holidays_lib.country_holidays("CN", years=_year_list(years))
    official_off = frozenset(official.keys())
    official_on = frozenset(official.weekend_workdays)
    return WorkingCalendar(
        code="CN",
        tz=tz,
        hours=CN_DEFAULT_HOURS if hours is None else hours,
        holidays=(official_off - extra_on) | extra_off,
        workdays=(official_on - extra_off) | extra_on,
        makeup_weekday=makeup_weekday,
        count_receipt_day=count_receipt_day,
    )


def years_missing_adjusted_workdays(years: int | Iterable[int]) -> list[int]:
    """Return, sorted, the ``years`` for which China's makeup workdays are unknown.

    A year is reported when the ``holidays`` package lists festivals for it
    but declares no makeup workday of its own, i.e. the State Council's
    schedule for that year is not (yet) in the package: deadlines in such a
    year ignore 调休 and may be wrong. Years the package does not cover at all
    (no festivals) are not reported.
    """
    # Cross-year makeup workdays are preloaded by every instance; subtract them
    # to keep only the workdays declared while populating the year itself.
    preloaded = frozenset(holidays_lib.country_holidays("CN", years=[]).weekend_workdays)
    missing = []
    for year in _year_list(years):
        official = holidays_lib.country_holidays("CN", years=year)
        if len(official) and not (frozenset(official.weekend_workdays) - preloaded):
            missing.append(year)
    return missing

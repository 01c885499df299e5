"""Working-time calendars and SLA deadline arithmetic (pure Python).

Only the standard library (``zoneinfo``) is used; nothing here knows about Flask or the
database. China's official holidays and makeup workdays are built in ``china.py``.

Conventions
-----------
* Every public function takes timezone-AWARE datetimes (a naive one raises
  ``ValueError``) and returns aware datetimes in UTC.
* Working time is laid out per *local date* in the calendar's zone. ``hours``
  maps a weekday (0 = Monday .. 6 = Sunday) to half-open wall-clock spans
  ``[start, end)``; a day may have several spans (09:00-12:00, 13:00-18:00).
  An end of ``END_OF_DAY`` (``datetime.time.max``) means 24:00, i.e. the next
  local midnight.
* Each span boundary is converted to UTC with ``zoneinfo`` using ``fold=0``
  (PEP 495): a local time that does not exist (spring-forward gap) is read with
  the offset in force before the transition, so it lands *after* the gap; an
  ambiguous time (fall-back) means its first occurrence. Durations are real
  elapsed time: a 00:00-24:00 day lasts 23 h or 25 h on DST change days; a
  span inside a gap moves after it (02:15-02:45 works 03:15-03:45) and one
  straddling its end can shrink to nothing (02:30-03:30 -> 03:30-03:30).
  Nothing ever crashes on DST.
* Day precedence: a date in ``holidays`` has no working time; otherwise a date
  in ``workdays`` (China's adjusted "makeup" workdays, 调休上班) gets the hours
  of its own weekday, or those of ``makeup_weekday`` (default Monday) when its
  weekday normally has none; any other date gets its weekday's hours.
* ``add_working_hours`` returns the EARLIEST instant at which the requested
  working time has elapsed: a result falling exactly on a span end stays there
  (Friday 09:00 + 9 h = Friday 18:00, not Monday 09:00); adding zero returns
  the start itself.
* Working days ("工作日" convention of Chinese consumer-protection rules, cf.
  Civil Code art. 201: the day on which a period starts is not counted; the
  period ends at the end of its last day):

  - ``count_receipt_day=False`` (default): N working days after a start on
    local date D end at the close (end of the last span) of the Nth working
    day strictly after D, whatever the time of day of the start.
  - ``count_receipt_day=True``: D counts as day 1 if it is a working day and
    the start is before its close; otherwise counting begins with the next
    working day.
  - ``days=0`` (either setting): the close of D if D is a working day and the
    start is before its close, else the close of the next working day, i.e.
    "by the end of the current business day".
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Span end meaning 24:00 (the following local midnight).
END_OF_DAY = time.max

Span = tuple[time, time]
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)


def _normalize_hours(hours: Mapping[int, Iterable[Span]] | Sequence[Iterable[Span]]):
    """Return ``hours`` as a 7-tuple (Monday..Sunday) of sorted span tuples."""
    if isinstance(hours, Mapping):
        unknown = set(hours) - set(range(7))
        if unknown:
            raise ValueError(f"weekday keys must be 0..6, got {sorted(unknown)!r}")
        rows = [hours.get(weekday, ()) for weekday in range(7)]
    else:
        rows = list(hours)
        if len(rows) != 7:
            raise ValueError("hours needs exactly 7 weekday entries (Monday first)")
    result = []
    for weekday, spans in enumerate(rows):
        spans = tuple(sorted(tuple(span) for span in spans))
        previous_end = None
        for span in spans:
            if len(span) != 2 or not all(isinstance(t, time) for t in span):
                raise ValueError(f"weekday {weekday}: a span is a (time, time) pair")
            start, end = span
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(f"weekday {weekday}: span times must be naive wall times")
            if start >= end:
                raise ValueError(f"weekday {weekday}: span {start}-{end} is empty")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"weekday {weekday}: spans overlap at {start}")
            previous_end = end
        result.append(spans)
    return tuple(result)


@dataclasses.dataclass(frozen=True)
class WorkingCalendar:
    """A working-time calendar: weekly hours in a zone plus dated exceptions.

    ``hours`` may be given as a mapping ``weekday -> spans`` (missing weekdays
    have no hours) or a 7-item sequence; it is stored as a 7-tuple of sorted
    span tuples, so ``cal.hours[0]`` are Monday's spans. ``holidays`` are dates
    that are NOT working days; ``workdays`` are dates that ARE working days
    even if their weekday normally has no hours (they then use the hours of
    ``makeup_weekday``). See the module docstring for ``count_receipt_day``.
    """

    code: str
    tz: str
    hours: Mapping[int, Sequence[Span]] | Sequence[Sequence[Span]]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    makeup_weekday: int = 0
    count_receipt_day: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if not (isinstance(self.makeup_weekday, int) and 0 <= self.makeup_weekday <= 6):
            raise ValueError("makeup_weekday must be 0..6")
        object.__setattr__(self, "hours", _normalize_hours(self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))

    @classmethod
    def around_the_clock(cls, tz: str = "UTC", code: str = "24x7") -> WorkingCalendar:
        """Return a 24x7 calendar: every day of the week works 00:00-24:00."""
        return cls(code=code, tz=tz, hours={d: ((_MIDNIGHT, END_OF_DAY),) for d in range(7)})

    @property
    def is_clock_time(self) -> bool:
        """Whether working time here is plain clock time: every day works around the clock and
        none is a holiday. Pledges in such a calendar are stated in hours, not working hours."""
        whole_day = ((_MIDNIGHT, END_OF_DAY),)
        return not self.holidays and all(spans == whole_day for spans in self.hours)

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's zone as a ``ZoneInfo`` (cached by ``zoneinfo``)."""
        return ZoneInfo(self.tz)

    def spans_for(self, day: date) -> tuple[Span, ...]:
        """Return the wall-clock working spans of local date ``day``."""
        if day in self.holidays:
            return ()
        spans = self.hours[day.weekday()]
        if not spans and day in self.workdays:
            spans = self.hours[self.makeup_weekday]
        return spans


# --- helpers ---------------------------------------------------------------


def _aware_utc(value: datetime, name: str = "datetime") -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _local_date(cal: WorkingCalendar, instant: datetime) -> date:
    return instant.astimezone(cal.zone).date()


def _boundary(day: date, wall: time, zone: ZoneInfo) -> datetime:
    if wall == END_OF_DAY:
        day, wall = day + _ONE_DAY, _MIDNIGHT
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _intervals(cal: WorkingCalendar, first_day: date) -> Iterator[tuple[date, datetime, datetime]]:
    """Yield ``(local_date, utc_start, utc_end)`` intervals from ``first_day`` on.

    Intervals are non-empty, ordered and non-overlapping (DST-distorted spans
    are clamped). The generator ends when the calendar can have no more
    working time (no weekly hours and no later makeup workday).
    """
    zone = cal.zone
    has_weekly_hours = any(cal.hours)
    last_workday = max(cal.workdays, default=None)
    floor = None
    day = first_day
    while has_weekly_hours or (last_workday is not None and day <= last_workday):
        for start_wall, end_wall in cal.spans_for(day):
            start, end = (
                _boundary(day, start_wall, zone),
                _boundary(day, end_wall, zone),
            )
            if floor is not None and start < floor:
                start = floor
            if end > start:
                yield day, start, end
                floor = end
        day += _ONE_DAY


def _working_days(cal: WorkingCalendar, first_day: date) -> Iterator[tuple[date, datetime]]:
    """Yield ``(local_date, utc_close)`` for each day with working time."""
    for day, group in itertools.groupby(_intervals(cal, first_day), key=lambda item: item[0]):
        *_, (_, _, close) = group
        yield day, close


def _as_timedelta(amount: float | Decimal | timedelta) -> timedelta:
    if isinstance(amount, timedelta):
        result = amount
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"hours must be finite, got {amount}")
        result = timedelta(microseconds=int((amount * 3_600_000_000).to_integral_value()))
    elif isinstance(amount, (int, float)) and not isinstance(amount, bool):
        if not math.isfinite(amount):
            raise ValueError(f"hours must be finite, got {amount}")
        result = timedelta(hours=amount)
    else:
        raise TypeError(f"hours must be a number or timedelta, got {type(amount).__name__}")
    if result < timedelta(0):
        raise ValueError("working time to add must not be negative")
    return result


def _no_more_time(cal: WorkingCalendar) -> ValueError:
    return ValueError(f"calendar {cal.code!r} has no working time left to reach the target")


# --- public API ------------------------------------------------------------


def is_working_day(cal: WorkingCalendar, day: date) -> bool:
    """Return whether ``day`` has working hours in ``cal``.

    ``day`` is a local date of the calendar; an aware datetime is accepted and
    converted to its local date in the calendar's zone (naive: ``ValueError``).
    """
    if isinstance(day, datetime):
        day = _local_date(cal, _aware_utc(day, "day"))
    return bool(cal.spans_for(day))


def next_working_instant(cal: WorkingCalendar, t: datetime) -> datetime:
    """Return ``t`` (in UTC) if it lies in working time, else the next span start.

    Spans are half-open, so a closing time (e.g. 18:00) is not working time.
    """
    t = _aware_utc(t, "t")
    for _, start, end in _intervals(cal, _local_date(cal, t) - _ONE_DAY):
        if end > t:
            return max(start, t)
    raise _no_more_time(cal)


def add_working_hours(cal: WorkingCalendar, start: datetime, hours: float | Decimal | timedelta) -> datetime:
    """Return the earliest UTC instant at which ``hours`` of working time have elapsed.

    ``hours`` is a non-negative number of hours (int, float or Decimal; kept
    to the microsecond) or a ``timedelta``. Time before ``start`` is ignored;
    a result on a span end stays on that span end; zero returns ``start``.
    Costs two binary searches in the calendar's cumulative index, whatever the amount.
    """
    start = _aware_utc(start, "start")
    remaining = _as_timedelta(hours)
    if not remaining:
        return start
    first = _local_date(cal, start) - _ONE_DAY
    last = first + timedelta(days=max(7, remaining.days * 2))
    while True:
        index = _index(cal, first, last)
        # Counts are relative to the index's first day, which a wider index moves: recount.
        found = index.instant_when(index.worked_until(_micros(start)) + remaining // _MICROSECOND)
        if found is not None:
            return found
        if not _has_time_after(cal, index.last_day):
            raise _no_more_time(cal)
        last = index.last_day + timedelta(days=(index.last_day - index.first_day).days + 366)


def add_working_days(cal: WorkingCalendar, start: datetime, days: int) -> datetime:
    """Return the UTC deadline ``days`` working days after ``start``.

    The deadline is the close (end of the last span, in the calendar zone) of
    the last counted working day; see the module docstring for how the day of
    receipt is counted (``cal.count_receipt_day``) and for ``days=0``.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days < 0:
        raise ValueError("days must not be negative")
    start = _aware_utc(start, "start")
    received = _local_date(cal, start)
    receipt_day_counts = days == 0 or cal.count_receipt_day
    target = max(days, 1)
    counted = 0
    for day, close in _working_days(cal, received):
        if receipt_day_counts:
            eligible = day >= received and close > start
        else:
            eligible = day > received
        if eligible:
            counted += 1
            if counted == target:
                return close
    raise _no_more_time(cal)


def working_time_between(cal: WorkingCalendar, a: datetime, b: datetime) -> timedelta:
    """Return the working time elapsed from ``a`` to ``b`` (zero if ``b <= a``).

    Two look-ups in the calendar's cumulative index (plus the partial spans at the ends): the
    same cost over a day or over five years.
    """
    a, b = _aware_utc(a, "a"), _aware_utc(b, "b")
    if b <= a:
        return timedelta(0)
    index = _index(cal, _local_date(cal, a) - _ONE_DAY, _local_date(cal, b) + _ONE_DAY)
    return timedelta(microseconds=index.worked_until(_micros(b)) - index.worked_until(_micros(a)))


# --- the cumulative index ------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICROSECOND


@dataclasses.dataclass(frozen=True)
class _Index:
    """The working intervals of days first_day..last_day as integer microseconds since the epoch,
    with the working time counted before and up to the end of each: any instant's count of working
    time since first_day is one binary search away."""

    first_day: date
    last_day: date
    starts: list[int]
    ends: list[int]
    before: list[int]
    upto: list[int]

    def worked_until(self, t: int) -> int:
        """Working microseconds from the start of first_day until instant `t` (within the days)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def instant_when(self, worked: int) -> datetime | None:
        """The earliest instant by which `worked` microseconds have been worked; None past last_day."""
        j = bisect.bisect_left(self.upto, worked)
        if j == len(self.upto):
            return None
        return _EPOCH + timedelta(microseconds=self.starts[j] + worked - self.before[j])


def _index(cal: WorkingCalendar, first_day: date, last_day: date) -> _Index:
    """The index of `cal` covering at least first_day..last_day, built once and widened as needed
    (a year either side of what is asked, so that later questions find it ready)."""
    index = cal.__dict__.get("_cumulative_index")
    if index is not None and index.first_day <= first_day and last_day <= index.last_day:
        return index
    if index is not None:
        first_day, last_day = min(first_day, index.first_day), max(last_day, index.last_day)
    index = _build_index(cal, first_day - timedelta(days=366), last_day + timedelta(days=366))
    object.__setattr__(cal, "_cumulative_index", index)  # a cache beside the frozen fields
    return index


def _build_index(cal: WorkingCalendar, first_day: date, last_day: date) -> _Index:
    starts, ends, before, upto = [], [], [], []
    total = 0
    for day, start, end in _intervals(cal, first_day):
        if day > last_day:
            break
        start_us, end_us = _micros(start), _micros(end)
        starts.append(start_us)
        ends.append(end_us)
        before.append(total)
        total += end_us - start_us
        upto.append(total)
    return _Index(first_day, last_day, starts, ends, before, upto)


def _has_time_after(cal: WorkingCalendar, day: date) -> bool:
    return any(cal.hours) or any(workday > day for workday in cal.workdays)

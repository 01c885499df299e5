"""What the pledge scorecard counts, read from the database day by day (services/scorecard.py says
what each figure means and adds the days up into periods).

Every count is an indexed aggregate grouped by the local day (in the platform's time zone) on
which it happened, never a walk over rows:

- pledged windows that ended, by the day they stopped, their clock kind, their pledge (the
  target, whose policy says whether it is the pledge for major complaints) and their result
  (ix_sla_clocks_stopped);
- windows still open after their due instant, which are missed already whether or not the sweep
  has recorded it: sla.terms' "overdue", as SQL (services.clock_order.overdue_clocks, over the
  partial indexes of open clocks), counted on the day they are read;
- complaints decided (resolved or rejected, by the platform, a shop's accepted offer or a
  mediator; withdrawn ones are no decision), by the day of the decision and the day of filing
  (ix_complaints_decided), with their mediation outcome;
- consumers' ratings, by the day they confirmed the outcome (ix_complaints_rated).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, func, literal, select

from complaints.extensions import db
from complaints.models import (
    ClockKind,
    ClockResult,
    Complaint,
    Outcome,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from complaints.services.clock_order import overdue_clocks
from complaints.sla import calendar as wt
from complaints.sla import policy
from complaints.workflow import State

MAJOR, GENERAL = "major", "general"  # the pledge a window was held to: for major complaints, or not
MISSED_OPEN = "missed_open"  # still open past its due instant: missed, not yet stopped
_EPOCH = date(1970, 1, 1)


@dataclass
class Tally:
    """What happened on one day, or (added up) over a period."""

    windows: Counter = field(default_factory=Counter)  # (ClockKind, MAJOR/GENERAL, result) -> windows
    decided: int = 0  # complaints decided, with a pledge to count their working days in
    working_days: int = 0  # their working days from filing to decision, added up
    settled: int = 0  # mediation outcomes: settled
    not_settled: int = 0  # ... and not settled
    ratings: int = 0
    rating_points: int = 0  # the ratings (1-5) added up

    def add(self, other: Tally) -> None:
        self.windows.update(other.windows)
        self.decided += other.decided
        self.working_days += other.working_days
        self.settled += other.settled
        self.not_settled += other.not_settled
        self.ratings += other.ratings
        self.rating_points += other.rating_points


# --- Local days in SQL ------------------------------------------------------------------------


def _offset(zone: ZoneInfo, instant: datetime) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds())


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second in (before, after] with the offset `after` has (the offsets differ)."""
    target = _offset(zone, after)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _offset(zone, middle) == target:
            after = middle
        else:
            before = middle
    return after.replace(microsecond=0)


def zone_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """The UTC offsets of `zone` from `start` to `end`: (from which instant, seconds), the first
    from any time before; one entry for a zone without daylight saving (Asia/Shanghai)."""
    offsets: list[tuple[datetime | None, int]] = [(None, _offset(zone, start))]
    step = start
    while step < end:
        following = min(step + timedelta(hours=6), end)
        if _offset(zone, following) != offsets[-1][1]:
            offsets.append((_transition(zone, step, following), _offset(zone, following)))
        step = following
    return offsets


def local_day(column, offsets: list[tuple[datetime | None, int]]):
    """The local day of a timestamp column as a day number (days since 1970-01-01)."""
    if len(offsets) == 1:
        shift = literal(offsets[0][1])
    else:
        shift = case(
            *(
                (column < start, offset)
                for (_, offset), (start, _) in zip(offsets, offsets[1:], strict=False)
            ),
            else_=offsets[-1][1],
        )
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor((func.extract("epoch", column) + shift) / 86400), Integer)
    # SQLite: whole seconds since the epoch, divided as integers (every instant is after 1970)
    return (cast(func.strftime("%s", column), Integer) + shift) // 86400


def day_of(number: int) -> date:
    return _EPOCH + timedelta(days=int(number))


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant local day `day` begins."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


# --- Reading the days -------------------------------------------------------------------------


def _segments() -> dict[int, str]:
    """Each pledge target's segment: MAJOR when its policy is the pledge for major complaints."""
    rows = db.session.execute(
        select(SlaTarget.id, SlaPolicy.major)
        .join(SlaPolicyVersion, SlaPolicyVersion.id == SlaTarget.version_id)
        .join(SlaPolicy, SlaPolicy.id == SlaPolicyVersion.policy_id)
    )
    return {target_id: MAJOR if major else GENERAL for target_id, major in rows}


def read_days(
    first: date, zone: ZoneInfo, at: datetime, *, before: date | None = None, still_open: bool = True
) -> dict[date, Tally]:
    """What happened on each local day from `first` until `at`, or until the day `before` (days
    with nothing are absent). With `still_open`, the windows still open past their due instant at
    `at` count on the day of `at`, as MISSED_OPEN.
    """
    since = start_of_day(first, zone)
    until = start_of_day(before, zone) if before is not None else None
    # a complaint decided now may have been filed long before: its filing day needs those offsets
    offsets = zone_offsets(zone, since - timedelta(days=3 * 366), at)
    segments = _segments()
    days: dict[date, Tally] = {}

    def tally(number) -> Tally:
        return days.setdefault(day_of(number), Tally())

    _count_windows(since, until, offsets, segments, tally)
    _count_decisions(since, until, offsets, first, tally)
    _count_ratings(since, until, offsets, tally)
    if still_open:
        _count_still_open(at.astimezone(zone).date(), at, segments, days)
    return days


def _before(column, until: datetime | None) -> tuple:
    return () if until is None else (column < until,)


def _count_still_open(today: date, at: datetime, segments: dict[int, str], days: dict[date, Tally]) -> None:
    for arm in overdue_clocks(SlaClock, at):
        rows = db.session.execute(
            select(SlaClock.kind, SlaClock.target_id, func.count())
            .where(*arm)
            .group_by(SlaClock.kind, SlaClock.target_id)
        )
        for kind, target_id, count in rows:
            days.setdefault(today, Tally()).windows[
                (kind, segments.get(target_id, GENERAL), MISSED_OPEN)
            ] += count


def _count_windows(since: datetime, until, offsets, segments: dict[int, str], tally) -> None:
    day = local_day(SlaClock.stopped_at, offsets).label("day")
    rows = db.session.execute(
        select(day, SlaClock.kind, SlaClock.target_id, SlaClock.result, func.count())
        .where(
            SlaClock.stopped_at.is_not(None),
            SlaClock.stopped_at >= since,
            *_before(SlaClock.stopped_at, until),
        )
        .group_by(day, SlaClock.kind, SlaClock.target_id, SlaClock.result)
    )
    for number, kind, target_id, result, count in rows:
        result = (result or ClockResult.MET).value  # a clock stopped before results were kept
        tally(number).windows[(ClockKind(kind), segments.get(target_id, GENERAL), result)] += count


def _count_decisions(since: datetime, until, offsets, first: date, tally) -> None:
    decided = local_day(Complaint.decided_at, offsets).label("decided")
    filed = local_day(Complaint.created_at, offsets).label("filed")
    rows = db.session.execute(
        select(decided, filed, Complaint.policy_version_id, Complaint.outcome, func.count())
        .where(
            Complaint.decided_at.is_not(None),
            Complaint.decided_at >= since,
            *_before(Complaint.decided_at, until),
            Complaint.state != State.WITHDRAWN,
        )
        .group_by(decided, filed, Complaint.policy_version_id, Complaint.outcome)
    )
    counter = WorkingDayCounter(first)
    for decided_number, filed_number, version_id, outcome, count in rows:
        day = tally(decided_number)
        if outcome == Outcome.SETTLED:
            day.settled += count
        elif outcome == Outcome.NOT_SETTLED:
            day.not_settled += count
        taken = counter.taken(version_id, day_of(filed_number), day_of(decided_number))
        if taken is not None:
            day.decided += count
            day.working_days += taken * count


def _count_ratings(since: datetime, until, offsets, tally) -> None:
    day = local_day(Complaint.closed_at, offsets).label("day")
    rows = db.session.execute(
        select(day, func.count(), func.sum(Complaint.rating))
        .where(
            Complaint.rating.is_not(None),
            Complaint.closed_at.is_not(None),
            Complaint.closed_at >= since,
            *_before(Complaint.closed_at, until),
        )
        .group_by(day)
    )
    for number, count, points in rows:
        tally(number).ratings += count
        tally(number).rating_points += int(points or 0)


class WorkingDayCounter:
    """Working days a complaint took, as the pledge counts them: the working days after the day
    of filing (the day of filing too where its calendar counts the day of receipt) up to and
    including the day of the decision, in the working calendar of its pledge's resolution window."""

    def __init__(self, around: date):
        self.around = datetime.combine(around, time(12), UTC)
        self.origin = around - timedelta(days=3 * 366)
        self.calendars: dict[int | None, wt.WorkingCalendar | None] = {}
        self.running: dict[str, list[int]] = {}  # calendar code -> working days from origin to each day

    def calendar(self, version_id: int | None) -> wt.WorkingCalendar | None:
        if version_id not in self.calendars:
            promises = policy.promises_of(version_id) if version_id is not None else None
            windows = list(promises.by_kind.values()) if promises else []
            promise = (promises.get(ClockKind.RESOLUTION) if promises else None) or next(iter(windows), None)
            self.calendars[version_id] = (
                policy.calendar_of(promise.calendar_id, self.around) if promise else None
            )
        return self.calendars[version_id]

    def _through(self, cal: wt.WorkingCalendar, day: date) -> int:
        """Working days of `cal` from the origin through `day` (0 before the origin)."""
        if day < self.origin:
            return 0
        totals = self.running.setdefault(cal.code, [])
        while len(totals) <= (day - self.origin).days:
            following = self.origin + timedelta(days=len(totals))
            totals.append((totals[-1] if totals else 0) + wt.is_working_day(cal, following))
        return totals[(day - self.origin).days]

    def taken(self, version_id: int | None, filed: date, decided: date) -> int | None:
        """None for a complaint held to no pledge (it has no working calendar)."""
        cal = self.calendar(version_id)
        if cal is None:
            return None
        first = filed if cal.count_receipt_day else filed + timedelta(days=1)
        if decided < first:
            return 0
        if first <= self.origin:  # filed long before: count those days one by one
            return sum(
                wt.is_working_day(cal, first + timedelta(days=n)) for n in range((decided - first).days + 1)
            )
        return self._through(cal, decided) - self._through(cal, first - timedelta(days=1))

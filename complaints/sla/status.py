"""Where each pledged window of a complaint stands, for people to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.models import ClockKind, SlaClock
from complaints.sla import calendar as wt
from complaints.sla import policy


@dataclass(frozen=True)
class ClockStatus:
    kind: ClockKind
    amount: object
    unit: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    elapsed: timedelta  # working time used so far (or until it stopped)
    paused: timedelta  # working time spent waiting
    remaining: timedelta  # working time left; negative once overdue
    state: str  # running, paused, warning, breached, met, missed

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


def clock_status(clock: SlaClock, at: datetime) -> ClockStatus:
    """The status of `clock` at instant `at`, in working time of its own calendar."""
    cal = policy.working_calendar(clock.target.calendar, clock.started_at)
    end = clock.stopped_at or clock.paused_at or at
    paused = timedelta(seconds=clock.paused_seconds)
    if clock.paused_at is not None and clock.stopped_at is None:
        paused += wt.working_time_between(cal, clock.paused_at, at)
    elapsed = wt.working_time_between(cal, clock.started_at, end) - timedelta(seconds=clock.paused_seconds)
    if end >= clock.due_at:
        remaining = -wt.working_time_between(cal, clock.due_at, end)
    else:
        remaining = wt.working_time_between(cal, end, clock.due_at)
    amount, unit = policy.describe_window(clock.target)
    return ClockStatus(
        kind=clock.kind,
        amount=amount,
        unit=unit,
        started_at=clock.started_at,
        due_at=clock.due_at,
        stopped_at=clock.stopped_at,
        elapsed=max(elapsed, timedelta(0)),
        paused=paused,
        remaining=remaining,
        state=_state(clock, at),
    )


def _state(clock: SlaClock, at: datetime) -> str:
    if clock.stopped_at is not None:
        return "missed" if clock.breached_at is not None else "met"
    if clock.breached_at is not None or at >= clock.due_at:
        return "breached"
    if clock.paused_at is not None:
        return "paused"
    if clock.warned_at is not None or at >= clock.warn_at:
        return "warning"
    return "running"

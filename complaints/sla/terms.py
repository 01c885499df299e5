"""The words of the pledge, defined once: met, missed, void, at risk, overdue, time left, time over.

Every page, list, export and the sweep read these definitions; nothing else decides them.

- A clock is **due** at its `due_at`. Its promise is kept by a stop at or before that instant.
- When a clock stops, its **result** is decided once and recorded (`SlaClock.result`):
  **missed** if it stopped after its due instant (or the sweep had already recorded a breach),
  whatever stopped it; otherwise **met** if it stopped because what it waits for happened (the
  answer, the decision, the shop's reply), or **void** if it stopped because the promise no
  longer applies (the consumer withdrew, the complaint left the platform for mediation before
  anyone answered, a new policy has no such window).
- An open clock is **overdue** once its due instant has passed (strictly after `due_at`), from
  that instant on, whether or not the sweep has recorded the breach yet. A paused clock is
  overdue only if it was already overdue when it paused: pausing moves the due instant on.
- An open clock is **at risk** from its warning point until it is due, unless paused.
- **Time left** is the time from now (or from the pause) until the due instant; **time over**
  is the time from the due instant until now (or until the clock paused or stopped). Both are
  measured in the clock's own calendar: working time for a calendar with working hours, plain
  clock time for a calendar that works around the clock (`ClockStatus.clock_time`).
  An open clock has either time left or time over, never both, never a negative amount.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.models import ClockKind, ClockResult, SlaClock
from complaints.sla import calendar as wt
from complaints.sla import policy


class ClockState(enum.StrEnum):
    """Where a pledged window stands, in the pledge's own words."""

    RUNNING = "running"
    PAUSED = "paused"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    MET = ClockResult.MET.value
    MISSED = ClockResult.MISSED.value
    VOID = ClockResult.VOID.value


# --- Deciding -------------------------------------------------------------------------------


def is_late(clock: SlaClock, at: datetime) -> bool:
    """Whether a stop of `clock` at `at` comes after its promise ran out."""
    return clock.breached_at is not None or at > clock.due_at


def result_at_stop(clock: SlaClock, at: datetime, *, fulfilled: bool) -> ClockResult:
    """The result of stopping `clock` at `at`.

    fulfilled: True when what the clock waits for happened; False when the promise no longer
      applies (a late stop is missed either way: the promise was already broken).
    """
    if is_late(clock, at):
        return ClockResult.MISSED
    return ClockResult.MET if fulfilled else ClockResult.VOID


def is_overdue(clock: SlaClock, at: datetime) -> bool:
    """Whether the open `clock` has run past its due instant by `at` (see the module docstring)."""
    if clock.stopped_at is not None:
        return False
    if clock.breached_at is not None:
        return True
    return (clock.paused_at or at) > clock.due_at


def is_at_risk(clock: SlaClock, at: datetime) -> bool:
    """Whether the open, counting `clock` has passed its warning point by `at` and is not yet due."""
    if clock.stopped_at is not None or clock.paused_at is not None or is_overdue(clock, at):
        return False
    return clock.warned_at is not None or at >= clock.warn_at


def broke_promise(clock: SlaClock, at: datetime) -> bool:
    """Whether `clock`'s promise is broken at `at`: missed when it stopped, or overdue now."""
    if clock.stopped_at is not None:
        return clock.result is ClockResult.MISSED
    return is_overdue(clock, at)


def state_of(clock: SlaClock, at: datetime) -> ClockState:
    """The state of `clock` at `at`."""
    if clock.stopped_at is not None:
        return ClockState(clock.result.value) if clock.result else ClockState.MET
    if is_overdue(clock, at):
        return ClockState.OVERDUE
    if clock.paused_at is not None:
        return ClockState.PAUSED
    if is_at_risk(clock, at):
        return ClockState.AT_RISK
    return ClockState.RUNNING


# --- Measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockStatus:
    """One clock as people read it. Durations are in the clock's calendar (see `clock_time`)."""

    kind: ClockKind
    amount: object
    unit: str
    clock_time: bool  # True: plain hours (a 24x7 calendar); False: working time
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    state: ClockState
    used: timedelta  # counted so far (or until it stopped), pauses excluded
    paused: timedelta  # spent waiting, not counted
    left: timedelta | None  # until due; None once overdue or stopped
    over: timedelta | None  # past due: overdue now, or missed; else None
    round: int = 1  # 1, then 2 for the clocks that restarted after an appeal

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


def clock_status(clock: SlaClock, at: datetime, *, round: int = 1) -> ClockStatus:
    """The status of `clock` at instant `at`."""
    promise = policy.promise_of(clock.target_id)
    cal = policy.calendar_of(promise.calendar_id, clock.started_at)
    state = state_of(clock, at)
    end = clock.stopped_at or clock.paused_at or at
    paused = timedelta(seconds=clock.paused_seconds)
    if clock.paused_at is not None and clock.stopped_at is None:
        paused += wt.working_time_between(cal, clock.paused_at, at)
    used = wt.working_time_between(cal, clock.started_at, end) - timedelta(seconds=clock.paused_seconds)
    left = over = None
    if state in (ClockState.OVERDUE, ClockState.MISSED):
        over = wt.working_time_between(cal, clock.due_at, end)
    elif clock.stopped_at is None:
        left = wt.working_time_between(cal, end, clock.due_at)
    amount, unit = policy.describe_window(promise)
    return ClockStatus(
        kind=clock.kind,
        amount=amount,
        unit=unit,
        clock_time=cal.is_clock_time,
        started_at=clock.started_at,
        due_at=clock.due_at,
        stopped_at=clock.stopped_at,
        state=state,
        used=max(used, timedelta(0)),
        paused=paused,
        left=left,
        over=over,
        round=round,
    )


def statuses(clocks: list[SlaClock], at: datetime, restarted_at: datetime | None = None) -> list[ClockStatus]:
    """The statuses of a complaint's clocks, oldest first; `restarted_at` (an appeal) starts round 2."""
    return [
        clock_status(c, at, round=2 if restarted_at and c.started_at >= restarted_at else 1) for c in clocks
    ]


def shop_did_not_reply(clock_statuses: list[ClockStatus]) -> bool:
    """ "The shop did not reply": a `merchant_reply` window of the complaint is overdue, or ended
    missed. Shown to staff, the consumer and the shop, and counted against the shop."""
    return any(
        s.kind is ClockKind.MERCHANT_REPLY and s.state in (ClockState.OVERDUE, ClockState.MISSED)
        for s in clock_statuses
    )

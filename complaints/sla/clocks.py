"""The pledged windows of one complaint as clocks: started, paused, resumed and stopped by the
lifecycle (never by views), each step an event on the complaint's timeline.

Which action moves which clock is the table below; the arithmetic is in `calendar`, the promise
in `policy`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, Complaint, SlaClock, SlaPolicyVersion, User, WaitingOn
from complaints.timekeeping import now
from complaints.timeline import append_event
from complaints.sla import calendar as wt
from complaints.sla import policy
from complaints.workflow import Action, State

K = ClockKind

# Clocks that start when a complaint is filed, or comes back after an appeal.
ON_RECEIPT = (K.RESPONSE, K.VERIFICATION, K.RESOLUTION)

# action -> (clocks it stops, clocks it starts)
CLOCK_TABLE: dict[Action, tuple[tuple[ClockKind, ...], tuple[ClockKind, ...]]] = {
    Action.VERIFY: ((K.VERIFICATION,), ()),
    Action.REJECT: ((K.RESPONSE, K.VERIFICATION, K.RESOLUTION, K.MERCHANT_REPLY), ()),
    Action.WITHDRAW: (tuple(K), ()),
    Action.RESOLVE: ((K.RESPONSE, K.RESOLUTION, K.MERCHANT_REPLY), ()),
    Action.ESCALATE: ((K.RESPONSE, K.RESOLUTION, K.MERCHANT_REPLY), (K.MEDIATION,)),
    Action.DISPUTE: ((), (K.MEDIATION,)),
    Action.RECORD_OUTCOME: ((K.MEDIATION, K.MERCHANT_REPLY), ()),
    Action.APPEAL: ((), ON_RECEIPT),
    Action.MERCHANT_ANSWER: ((K.MERCHANT_REPLY,), ()),
}

# Actions that count as the platform's first public answer.
STAFF_ANSWERS = (Action.REPLY, Action.REQUEST_INFO, Action.VERIFY, Action.REJECT, Action.RESOLVE)


def running_clocks(complaint: Complaint) -> list[SlaClock]:
    """The clocks of `complaint` that have not stopped, oldest first."""
    return list(
        db.session.scalars(
            select(SlaClock)
            .where(SlaClock.complaint_id == complaint.id, SlaClock.stopped_at.is_(None))
            .order_by(SlaClock.id)
        )
    )


def all_clocks(complaint: Complaint) -> list[SlaClock]:
    """Every clock `complaint` ever had, oldest first (for its page)."""
    return list(
        db.session.scalars(
            select(SlaClock).where(SlaClock.complaint_id == complaint.id).order_by(SlaClock.id)
        )
    )


def is_breached(complaint: Complaint, kind: ClockKind | str) -> bool:
    """Whether the latest `kind` clock of `complaint` ran out."""
    latest = db.session.scalar(
        select(SlaClock)
        .where(SlaClock.complaint_id == complaint.id, SlaClock.kind == ClockKind(kind))
        .order_by(SlaClock.id.desc())
        .limit(1)
    )
    return bool(latest and latest.breached_at is not None)


def _calendar(clock_or_target, at: datetime) -> wt.WorkingCalendar:
    target = clock_or_target.target if isinstance(clock_or_target, SlaClock) else clock_or_target
    return policy.working_calendar(target.calendar, at)


def _event(complaint: Complaint, verb: str, clock: SlaClock, **detail) -> None:
    facts = {"clock": clock.kind.value, "due_at": clock.due_at.isoformat()}
    facts.update(detail)
    append_event(complaint, None, verb, detail=facts)


def attach_policy(complaint: Complaint) -> SlaPolicyVersion | None:
    """Hold `complaint` to the pledge now in force for its category and size."""
    version = policy.version_for(complaint.category_id, complaint.is_major)
    complaint.policy_version_id = version.id if version else None
    return version


def start(complaint: Complaint, kind: ClockKind, at: datetime | None = None) -> SlaClock | None:
    """Start the `kind` clock of `complaint` under its policy version (None if it promises none)."""
    if complaint.policy_version_id is None:
        return None
    version = db.session.get(SlaPolicyVersion, complaint.policy_version_id)
    target = policy.target_of(version, kind)
    if target is None:
        return None
    at = at or now()
    due, warn = policy.target_duration(_calendar(target, at), target, at)
    clock = SlaClock(
        complaint_id=complaint.id,
        kind=kind,
        target_id=target.id,
        target=target,
        started_at=at,
        due_at=due,
        warn_at=warn,
        paused_seconds=0,
    )
    db.session.add(clock)
    db.session.flush()
    _event(complaint, "clock_started", clock)
    if complaint.waiting_on and complaint.waiting_on.value in target.pause_on:
        pause(complaint, clock, complaint.waiting_on, at)
    return clock


def stop(complaint: Complaint, clock: SlaClock, at: datetime | None = None) -> None:
    """Stop `clock`: its window is over, kept or not."""
    at = at or now()
    if clock.paused_at is not None:
        resume(complaint, clock, at, quiet=True)
    clock.stopped_at = at
    _event(complaint, "clock_stopped", clock, met=clock.breached_at is None)


def pause(complaint: Complaint, clock: SlaClock, reason: WaitingOn, at: datetime | None = None) -> None:
    """Pause `clock` while waiting on `reason` (the consumer or the merchant)."""
    if clock.paused_at is not None or clock.stopped_at is not None:
        return
    clock.paused_at = at or now()
    _event(complaint, "clock_paused", clock, reason=reason.value)


def resume(complaint: Complaint, clock: SlaClock, at: datetime | None = None, *, quiet: bool = False) -> None:
    """Resume `clock`; its due and warning instants move by the working time spent paused,
    measured in the clock's own calendar (a weekend pause costs nothing on a Mon-Fri clock)."""
    if clock.paused_at is None:
        return
    at = at or now()
    cal = _calendar(clock, at)
    paused = wt.working_time_between(cal, clock.paused_at, at)
    clock.paused_seconds += int(paused.total_seconds())
    clock.due_at = wt.add_working_hours(cal, clock.due_at, paused)
    if clock.warned_at is None:
        clock.warn_at = wt.add_working_hours(cal, clock.warn_at, paused)
    clock.paused_at = None
    if not quiet:
        _event(complaint, "clock_resumed", clock, paused_seconds=int(paused.total_seconds()))


def on_filed(complaint: Complaint) -> None:
    """A new complaint: hold it to the current pledge and start its clocks."""
    attach_policy(complaint)
    for kind in ON_RECEIPT:
        start(complaint, kind, complaint.created_at)


def on_action(complaint: Complaint, user: User | None, action: Action, before: State, waiting_before) -> None:
    """Move the clocks of `complaint` after `action` was applied by `user`."""
    at = now()
    running = {clock.kind: clock for clock in running_clocks(complaint)}
    stops, starts = CLOCK_TABLE.get(action, ((), ()))
    is_staff = user is not None and user.is_staff
    if is_staff and action in STAFF_ANSWERS and action is not Action.REQUEST_INFO:
        stops = (*stops, K.RESPONSE)
    if action is Action.REQUEST_INFO and complaint.waiting_on is WaitingOn.CONSUMER:
        stops = (*stops, K.RESPONSE)  # a public question to the consumer answers them
    for kind in stops:
        if kind in running:
            stop(complaint, running.pop(kind), at)
    if (
        action is Action.REQUEST_INFO
        and complaint.waiting_on is WaitingOn.MERCHANT
        and K.MERCHANT_REPLY not in running
    ):
        starts = (*starts, K.MERCHANT_REPLY)
    for kind in starts:
        if kind not in running:
            clock = start(complaint, kind, at)
            if clock:
                running[kind] = clock
    _follow_waiting_flag(complaint, running.values(), waiting_before, at)
    if action is Action.RECLASSIFY:
        reclassify(complaint)


def _follow_waiting_flag(complaint: Complaint, clocks, waiting_before, at: datetime) -> None:
    waiting_now = complaint.waiting_on
    if waiting_now == waiting_before:
        return
    for clock in clocks:
        pauses_on = clock.target.pause_on
        if waiting_before is not None and waiting_before.value in pauses_on and clock.paused_at is not None:
            resume(complaint, clock, at)
        if waiting_now is not None and waiting_now.value in pauses_on:
            pause(complaint, clock, waiting_now, at)


def reclassify(complaint: Complaint) -> None:
    """After a change of category or size, hold `complaint` to the policy that now fits.

    Running clocks keep the time already elapsed and paused: each is re-aimed at the new
    target measured from its original start, then moved on by the working time it spent paused.
    """
    old_version_id = complaint.policy_version_id
    version = attach_policy(complaint)
    if version is None or version.id == old_version_id:
        return
    at = now()
    for clock in running_clocks(complaint):
        target = policy.target_of(version, clock.kind)
        if target is None:
            stop(complaint, clock, at)
            continue
        cal = _calendar(target, at)
        due, warn = policy.target_duration(cal, target, clock.started_at)
        paused = timedelta(seconds=clock.paused_seconds)
        clock.target_id, clock.target = target.id, target
        clock.due_at = wt.add_working_hours(cal, due, paused)
        if clock.warned_at is None:
            clock.warn_at = wt.add_working_hours(cal, warn, paused)
        _event(complaint, "clock_retargeted", clock, policy_version=version.id)

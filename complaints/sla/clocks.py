"""The pledged windows of one complaint as clocks: started, paused, resumed and stopped by the
lifecycle (never by views), each step an event on the complaint's timeline.

Which action moves which clock is the table below; the arithmetic is in `calendar`, the promise
in `policy`, the words (met, missed, void, overdue, ...) in `terms`. A clock that stops after its
due instant is recorded as missed at the stop, with its breach event, whether or not the sweep
saw it first; the breach is handed back (`PledgeNotice`) for a service to notify, exactly as
the sweep hands back the breaches it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select, update

from complaints.extensions import db
from complaints.models import (
    BreachAction,
    ClockKind,
    ClockResult,
    Complaint,
    Outcome,
    Priority,
    SlaClock,
    SlaTarget,
    WaitingOn,
)
from complaints.sla import calendar as wt
from complaints.sla import policy, terms
from complaints.sla.notices import PledgeNotice, breach_notice
from complaints.timekeeping import now
from complaints.timeline import append_event, append_events
from complaints.workflow import Action, Actor, State

K = ClockKind

# Clocks that start when a complaint is filed, or comes back after an appeal.
ON_RECEIPT = (K.RESPONSE, K.VERIFICATION, K.RESOLUTION)


@dataclass(frozen=True)
class ClockMoves:
    """What one action does to the clocks: those it fulfils (met, or missed if late), those it
    ends because their promise no longer applies (void, or missed if late), those it starts."""

    fulfils: tuple[ClockKind, ...] = ()
    ends: tuple[ClockKind, ...] = ()
    starts: tuple[ClockKind, ...] = ()


CLOCK_TABLE: dict[Action, ClockMoves] = {
    Action.VERIFY: ClockMoves(fulfils=(K.VERIFICATION,)),
    # A rejection is the decision both windows wait for; the shop's reply is no longer needed.
    Action.REJECT: ClockMoves(fulfils=(K.VERIFICATION, K.RESOLUTION), ends=(K.MERCHANT_REPLY,)),
    Action.WITHDRAW: ClockMoves(ends=tuple(K)),
    Action.RESOLVE: ClockMoves(fulfils=(K.RESOLUTION,), ends=(K.MERCHANT_REPLY,)),
    # Referral is not an answer: a first response still owed ends void (missed if already late),
    # and the resolution window hands over to mediation. The mediation window starts when the
    # organisation accepts the case, after both parties consented; a referral declined (or whose
    # consent lapsed) or returned gives the complaint back to the platform, whose resolution
    # window starts again.
    Action.ESCALATE: ClockMoves(ends=(K.RESPONSE, K.VERIFICATION, K.RESOLUTION, K.MERCHANT_REPLY)),
    Action.ACCEPT_REFERRAL: ClockMoves(starts=(K.MEDIATION,)),
    Action.DECLINE_REFERRAL: ClockMoves(starts=(K.RESOLUTION,)),
    Action.RETURN_REFERRAL: ClockMoves(starts=(K.RESOLUTION,)),
    Action.RECORD_OUTCOME: ClockMoves(fulfils=(K.MEDIATION,), ends=(K.MERCHANT_REPLY,)),
    Action.APPEAL: ClockMoves(starts=ON_RECEIPT),
    Action.MERCHANT_ANSWER: ClockMoves(fulfils=(K.MERCHANT_REPLY,)),
    # A duplicate's promises are kept on the complaint it repeats: each of its clocks ends void
    # (missed if already late: that promise was broken before anyone saw the duplicate).
    Action.MARK_DUPLICATE: ClockMoves(ends=tuple(K)),
    # An offer is the shop's answer. An accepted one decides the complaint; a first response the
    # platform still owed is no longer needed (void, or missed if already late).
    Action.PROPOSE_SETTLEMENT: ClockMoves(fulfils=(K.MERCHANT_REPLY,)),
    Action.ACCEPT_SETTLEMENT: ClockMoves(
        fulfils=(K.VERIFICATION, K.RESOLUTION), ends=(K.RESPONSE, K.MERCHANT_REPLY)
    ),
}
# A mediation a party withdrew from did not conclude: its window ends void (missed if already
# late) rather than kept, which RECORD_OUTCOME's settled or not-settled conclusion is.
WITHDRAWN_FROM_MEDIATION = ClockMoves(ends=(K.MEDIATION, K.MERCHANT_REPLY))

# The platform's first public answer to the consumer, which the `response` clock waits for: one
# of these actions taken by the platform's own staff (a mediator or a shop is not the platform).
# A request for information answers the consumer only when it is put to them.
FIRST_RESPONSES = (Action.REPLY, Action.VERIFY, Action.REJECT, Action.RESOLVE, Action.REQUEST_INFO)
STAFF_ACTORS = (Actor.AGENT, Actor.SUPERVISOR)


def is_first_response(action: Action, actor: Actor | None, asked: WaitingOn | None = None) -> bool:
    """Whether `action` by `actor` answers the consumer publicly (see FIRST_RESPONSES).

    asked: for a request for information, whom it was put to."""
    if actor not in STAFF_ACTORS or action not in FIRST_RESPONSES:
        return False
    return action is not Action.REQUEST_INFO or asked is WaitingOn.CONSUMER


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


def _calendar(clock_or_promise, at: datetime) -> wt.WorkingCalendar:
    calendar_id = (
        clock_or_promise.target.calendar_id
        if isinstance(clock_or_promise, SlaClock)
        else clock_or_promise.calendar_id
    )
    return policy.calendar_of(calendar_id, at)


def _facts(clock: SlaClock, **detail) -> dict:
    return {"clock": clock.kind.value, "due_at": clock.due_at.isoformat(), **detail}


def _event(complaint: Complaint, verb: str, clock: SlaClock, **detail) -> None:
    append_event(complaint, None, verb, detail=_facts(clock, **detail))


def attach_policy(complaint: Complaint) -> policy.Promises | None:
    """Hold `complaint` to the pledge now in force for its category and size."""
    promises = policy.in_force(complaint.category_id, complaint.is_major)
    complaint.policy_version_id = promises.version_id if promises else None
    return promises


def start(complaint: Complaint, kind: ClockKind, at: datetime | None = None) -> SlaClock | None:
    """Start the `kind` clock of `complaint` under its policy version (None if it promises none)."""
    started = start_many(complaint, (kind,), at)
    return started[0] if started else None


def start_many(
    complaint: Complaint, kinds, at: datetime | None = None, promises: policy.Promises | None = None
) -> list[SlaClock]:
    """Start the clocks of `kinds` that `complaint`'s policy version promises, in one flush.

    promises: the complaint's policy version's promises when the caller holds them.
    Each clock is due by its target's window in its target's calendar, counted from `at`; each
    start is an event; a clock whose pledge pauses on what the complaint is waiting for starts paused.
    """
    if complaint.policy_version_id is None:
        return []
    at = at or now()
    starts = _starts(complaint, kinds, at, promises)
    clocks = [SlaClock(**columns) for columns, _ in starts]
    db.session.add_all(clocks)
    db.session.flush()
    # the start events in one statement (system events, chained as append_event chains them)
    append_events([(complaint.id, "clock_started", _facts(clock)) for clock in clocks], at)
    for clock, (_, promise) in zip(clocks, starts, strict=True):
        reasons = pause_reasons(complaint.waiting, promise.pause_on)
        if reasons:
            pause(complaint, clock, reasons[0], at)  # just started: never late
    return clocks


def _starts(
    complaint: Complaint, kinds, at: datetime, promises: policy.Promises | None
) -> list[tuple[dict, policy.Promise]]:
    """The columns of each clock of `kinds` that `complaint` is promised, started at `at`, with its promise."""
    promises = promises or policy.promises_of(complaint.policy_version_id)
    starts = []
    for kind in kinds:
        promise = promises.get(kind) if promises else None
        if promise is None:
            continue
        due, warn = policy.target_duration(_calendar(promise, at), promise, at)
        columns = dict(
            complaint_id=complaint.id,
            kind=kind,
            target_id=promise.id,
            started_at=at,
            due_at=due,
            warn_at=warn,
            paused_seconds=0,
        )
        starts.append((columns, promise))
    return starts


def stop(
    complaint: Complaint, clock: SlaClock, at: datetime | None = None, *, fulfilled: bool
) -> PledgeNotice | None:
    """Stop `clock` and record its result once (terms.result_at_stop).

    fulfilled: whether what the clock waits for happened (else its promise no longer applies).
    A stop after the due instant that the sweep has not recorded yet records the breach here,
    with its event and the pledge's breach actions; the returned notice is for a service to
    notify as it notifies the sweep's breaches. None when there is nothing to tell.
    """
    at = at or now()
    if clock.paused_at is not None:
        resume(complaint, clock, at, quiet=True)
    result = terms.result_at_stop(clock, at, fulfilled=fulfilled)
    notice = None
    if result is ClockResult.MISSED and clock.breached_at is None:
        notice = _record_breach(complaint, clock, at)
    clock.stopped_at = at
    clock.result = result
    _event(complaint, "clock_stopped", clock, result=result.value)
    return notice


def _record_breach(complaint: Complaint, clock: SlaClock, at: datetime) -> PledgeNotice | None:
    """Claim the breach of `clock` as the sweep would (only if no sweep claimed it meanwhile)."""
    db.session.flush()
    claimed = db.session.execute(
        update(SlaClock)
        .where(SlaClock.id == clock.id, SlaClock.breached_at.is_(None))
        .values(breached_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # a sweep recorded it first, with its own event and notices
        db.session.refresh(clock, ["breached_at"])
        return None
    clock.breached_at = at
    append_event(
        complaint,
        None,
        "sla_breach",
        detail={
            "clock": clock.kind.value,
            "due_at": clock.due_at.isoformat(),
            "reference": complaint.reference,
        },
    )
    if BreachAction.RAISE_PRIORITY in set(clock.target.breach_actions):
        complaint.priority = Priority.URGENT
    return breach_notice(complaint, clock)


def pause(
    complaint: Complaint, clock: SlaClock, reason: WaitingOn, at: datetime | None = None
) -> PledgeNotice | None:
    """Pause `clock` while waiting on `reason` (the consumer or the merchant).

    A clock already past its due instant stays overdue while paused; its breach, if the sweep
    has not recorded it yet, is recorded now (the sweep does not look at paused clocks)."""
    if clock.paused_at is not None or clock.stopped_at is not None:
        return None
    at = at or now()
    notice = None
    if terms.is_late(clock, at) and clock.breached_at is None:
        notice = _record_breach(complaint, clock, at)
    clock.paused_at = at
    _event(complaint, "clock_paused", clock, reason=reason.value)
    return notice


def resume(complaint: Complaint, clock: SlaClock, at: datetime | None = None, *, quiet: bool = False) -> None:
    """Resume `clock`; its due and warning instants move by the working time spent paused,
    measured in the clock's own calendar (a weekend pause costs nothing on a Mon-Fri clock)."""
    if clock.paused_at is None:
        return
    at = at or now()
    paused = end_pause(clock, _calendar(clock, at), at)
    if not quiet:
        _event(complaint, "clock_resumed", clock, paused_seconds=int(paused.total_seconds()))


def end_pause(clock, cal: wt.WorkingCalendar, at: datetime) -> timedelta:
    """End the pause of `clock` (an SlaClock, or anything with its columns) at `at`: its due and
    warning instants (the warning only if not given yet) move on by the working time it spent
    paused in `cal`, which is returned and added to its paused_seconds."""
    paused = wt.working_time_between(cal, clock.paused_at, at)
    clock.paused_seconds += int(paused.total_seconds())
    clock.due_at = wt.add_working_hours(cal, clock.due_at, paused)
    if clock.warned_at is None:
        clock.warn_at = wt.add_working_hours(cal, clock.warn_at, paused)
    clock.paused_at = None
    return paused


def on_filed(complaint: Complaint, promises: policy.Promises | None) -> list[tuple]:
    """A new complaint, held to `promises` (attach_policy, before its row was first written):
    start its clocks, and return their start events for the filing to append after its own
    (timeline.append_events entries). It waits on no one yet, so none starts paused, and nothing
    in the filing reads them back: their rows are written in one statement, not as objects."""
    if complaint.policy_version_id is None:
        return []
    starts = _starts(complaint, ON_RECEIPT, complaint.created_at, promises)
    if starts:
        db.session.execute(insert(SlaClock.__table__), [columns for columns, _ in starts])
    return [(complaint.id, "clock_started", _facts(SimpleNamespace(**columns))) for columns, _ in starts]


def pause_reasons(waiting, pause_on) -> tuple[WaitingOn, ...]:
    """Of the parties a complaint is `waiting` on, those a pledge that pauses on `pause_on` waits for."""
    return tuple(party for party in waiting if party.value in pause_on)


def on_action(
    complaint: Complaint,
    actor: Actor | None,
    action: Action,
    before: State,
    waiting_before: tuple[WaitingOn, ...],
    asked: WaitingOn | None = None,
) -> list[PledgeNotice]:
    """Move the clocks of `complaint` after `action` was applied by `actor`.

    waiting_before: whom the complaint waited on before the action (complaint.waiting).
    asked: for a request for information, whom it was put to.
    Returns the breaches recorded by late stops, for the caller to notify."""
    at = now()
    running = {clock.kind: clock for clock in running_clocks(complaint)}
    moves = CLOCK_TABLE.get(action, ClockMoves())
    if action is Action.RECORD_OUTCOME and complaint.outcome is Outcome.MEDIATION_WITHDRAWN:
        moves = WITHDRAWN_FROM_MEDIATION
    fulfils = list(moves.fulfils)
    if is_first_response(action, actor, asked):
        fulfils.append(K.RESPONSE)
    notices = []
    for kinds, fulfilled in ((fulfils, True), (moves.ends, False)):
        for kind in kinds:
            if kind in running:
                notices.append(stop(complaint, running.pop(kind), at, fulfilled=fulfilled))
    starts = moves.starts
    if (
        action in (Action.REQUEST_INFO, Action.ASK_PARTY)
        and asked is WaitingOn.MERCHANT
        and K.MERCHANT_REPLY not in running
    ):
        starts = (*starts, K.MERCHANT_REPLY)
    for clock in start_many(complaint, [kind for kind in starts if kind not in running], at):
        running[clock.kind] = clock
    notices.extend(_follow_waiting_flag(complaint, running.values(), waiting_before, at))
    if action is Action.RECLASSIFY:
        notices.extend(reclassify(complaint))
    return [notice for notice in notices if notice is not None]


def _follow_waiting_flag(complaint: Complaint, clocks, waiting_before, at: datetime) -> list[PledgeNotice]:
    """Pause the clocks whose pledge pauses on a party the complaint now waits on, and resume
    those none of whose parties it waits on any more. A clock paused on both the consumer and the
    shop stays paused until both have answered."""
    waiting_now = complaint.waiting
    if waiting_now == waiting_before:
        return []
    notices = []
    for clock in clocks:
        pauses_on = clock.target.pause_on
        now_reasons = pause_reasons(waiting_now, pauses_on)
        if not now_reasons and pause_reasons(waiting_before, pauses_on) and clock.paused_at is not None:
            resume(complaint, clock, at)
        elif now_reasons and clock.paused_at is None:
            notices.append(pause(complaint, clock, now_reasons[0], at))
    return notices


def reclassify(complaint: Complaint) -> list[PledgeNotice]:
    """After a change of category or size, hold `complaint` to the policy that now fits.

    Running clocks keep the time already elapsed and paused: each is re-aimed at the new
    target measured from its original start, then moved on by the working time it spent paused.
    """
    old_version_id = complaint.policy_version_id
    promises = attach_policy(complaint)
    if promises is None or promises.version_id == old_version_id:
        return []
    at = now()
    notices = []
    for clock in running_clocks(complaint):
        promise = promises.get(clock.kind)
        if promise is None:  # the pledge that now applies makes no such promise
            notices.append(stop(complaint, clock, at, fulfilled=False))
            continue
        cal = _calendar(promise, at)
        due, warn = policy.target_duration(cal, promise, clock.started_at)
        paused = timedelta(seconds=clock.paused_seconds)
        clock.target = db.session.get(SlaTarget, promise.id)
        clock.due_at = wt.add_working_hours(cal, due, paused)
        if clock.warned_at is None:
            clock.warn_at = wt.add_working_hours(cal, warn, paused)
        _event(complaint, "clock_retargeted", clock, policy_version=promises.version_id)
    return [notice for notice in notices if notice is not None]

"""The pledge clocks a bench complaint's history gives it, kept as the application keeps them.

A history (seed/histories.py) says what happened and when; this module replays it through the
same rules the lifecycle and the sweep follow, without a database:

- which action starts, fulfils or ends which clock is `sla.clocks.CLOCK_TABLE`, and which action
  is the platform's first answer is `sla.clocks.is_first_response`;
- due and warning instants are `sla.policy.target_duration` in the calendar the application
  builds for the target and the year (`sla.policy.working_calendar`);
- a clock stops met, missed or void by `sla.terms.result_at_stop`; a late stop or pause records
  the breach the sweep had not seen;
- the sweep (every SLA_SWEEP_SECONDS) marks a counting clock's warning and breach at its first run
  after the instant, with the event, the version bump and the raised priority the sweep writes.

Every clock move is an event with the detail `sla.clocks` writes, so the timelines stay the
application's, hash chain included. The sweep's notices are not written (seed/rows.py writes
what the parties' actions told them).
Pure computation; the bench builds the targets (`BenchTarget`) from the database once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from complaints.models import BreachAction, ClockKind, ClockResult, WaitingOn
from complaints.sla import calendar as wt
from complaints.sla import policy, terms
from complaints.sla.clocks import (
    CLOCK_TABLE,
    ON_RECEIPT,
    ClockMoves,
    end_pause,
    is_first_response,
    pause_reasons,
)
from complaints.sla.notices import BREACH, WARNING
from complaints.workflow import Action, Actor

K = ClockKind
CLOCK_COLUMNS = (
    "id", "complaint_id", "kind", "target_id", "started_at", "due_at", "warn_at", "paused_at",
    "paused_seconds", "stopped_at", "warned_at", "breached_at", "result",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BenchTarget:
    """A promise of a policy version (sla.policy.Promise) with the calendar the application
    builds for it in each year the bench spans (sla.policy.calendar_of)."""

    promise: policy.Promise
    calendars: dict[int, wt.WorkingCalendar]  # year -> calendar

    @property
    def id(self) -> int:
        return self.promise.id

    @property
    def pause_on(self) -> frozenset[str]:
        return self.promise.pause_on

    @property
    def raises_priority(self) -> bool:
        return BreachAction.RAISE_PRIORITY.value in self.promise.breach_actions

    def calendar(self, at: datetime) -> wt.WorkingCalendar:
        return self.calendars[at.year]


@dataclass(slots=True)
class BenchClock:
    """An SlaClock's columns while the history is replayed."""

    id: int
    kind: ClockKind
    target: BenchTarget
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    paused_at: datetime | None = None
    paused_seconds: int = 0
    stopped_at: datetime | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    result: ClockResult | None = None

    def row(self, complaint_id: int, stamp) -> tuple:
        optional = lambda moment: None if moment is None else stamp(moment)  # noqa: E731
        return (
            self.id, complaint_id, self.kind.value, self.target.id, stamp(self.started_at),
            stamp(self.due_at), stamp(self.warn_at), optional(self.paused_at), self.paused_seconds,
            optional(self.stopped_at), optional(self.warned_at), optional(self.breached_at),
            self.result.value if self.result else None,
        )  # fmt: skip


@dataclass
class Outcome:
    """What keeping the pledge added to a complaint."""

    clocks: list[BenchClock]
    events: list[tuple]  # the history's events with the clock events in place, in time order
    first_response_at: int | None
    urgent: bool  # a breach raised the priority
    sweep_marks: int  # each sweep mark bumped the complaint's version
    last_change: int  # seconds: the latest write to the complaint (updated_at)


class PledgeKeeper:
    """Replays histories into clocks. sweep_seconds: how often the application's sweep runs."""

    def __init__(self, targets: dict[int, dict[ClockKind, BenchTarget]], staff: set[int], sweep_seconds: int):
        self.targets = targets  # policy version id -> its targets by clock kind
        self.staff = frozenset(staff)
        self.sweep = max(1, sweep_seconds)
        self.next_id = 0

    def keep(self, h, reference: str, version_id: int | None, end: int) -> Outcome:
        """The clocks and clock events of history `h` (a ComplaintHistory) as they stand at `end`."""
        run = _Replay(self, h, reference, self.targets.get(version_id, {}) if version_id else {})
        for event in h.events:
            run.sweep_until(event[0])
            run.events.append(event)
            run.apply(event)
        run.sweep_until(end)
        return Outcome(run.clocks, run.events, run.first_response_at, run.urgent, run.marks, run.last_change)


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class _Replay:
    def __init__(self, keeper: PledgeKeeper, h, reference: str, targets: dict[ClockKind, BenchTarget]):
        self.keeper, self.h, self.reference, self.targets = keeper, h, reference, targets
        self.clocks: list[BenchClock] = []
        self.running: dict[ClockKind, BenchClock] = {}
        self.events: list[tuple] = []
        self.waiting: tuple[WaitingOn, ...] = ()  # as Complaint.waiting
        self.first_response_at: int | None = None
        self.urgent = False
        self.marks = 0
        self.last_change = h.created

    # --- the sweep ---------------------------------------------------------------------------

    def _next_run(self, instant: datetime) -> int:
        """The first sweep run strictly after `instant` (seconds)."""
        seconds = int(instant.timestamp())
        return seconds - seconds % self.keeper.sweep + self.keeper.sweep

    def sweep_until(self, until: int) -> None:
        """The sweep's marks on counting clocks at its runs before `until`, in the order it ran them."""
        marks = []
        for clock in self.running.values():
            if clock.paused_at is not None:
                continue
            if clock.warned_at is None and clock.breached_at is None:
                marks.append((self._next_run(clock.warn_at), 0, clock))
            if clock.breached_at is None:
                marks.append((self._next_run(clock.due_at), 1, clock))
        for run, verb, clock in sorted(marks, key=lambda m: (m[0], m[1], m[2].id)):
            if run >= until:
                continue
            at = _moment(run)
            if verb == 0:
                clock.warned_at = at
            else:
                clock.breached_at = at
                self.urgent |= clock.target.raises_priority
            self.marks += 1
            self.last_change = max(self.last_change, run)
            detail = {
                "clock": clock.kind.value,
                "due_at": clock.due_at.isoformat(),
                "reference": self.reference,
            }
            self.events.append((run, None, WARNING if verb == 0 else BREACH, None, None, True, detail))

    # --- the lifecycle -----------------------------------------------------------------------

    def apply(self, event: tuple) -> None:
        at, actor_id, verb, _, _, _, detail = event
        if verb == "filed":
            self.start(ON_RECEIPT, at)
            return
        action = Action(verb)
        actor = self.actor(actor_id)
        waiting_before = self.waiting
        asked = WaitingOn(detail["party"]) if action is Action.REQUEST_INFO else None
        if asked is not None and asked not in self.waiting:
            self.waiting = tuple(p for p in WaitingOn if p in self.waiting or p is asked)
        if self.first_response_at is None and is_first_response(action, actor, asked):
            self.first_response_at = at
        moves = CLOCK_TABLE.get(action, ClockMoves())
        fulfils = list(moves.fulfils)
        if is_first_response(action, actor, asked):
            fulfils.append(K.RESPONSE)
        moment = _moment(at)
        for kinds, fulfilled in ((fulfils, True), (moves.ends, False)):
            for kind in kinds:
                if kind in self.running:
                    self.stop(self.running.pop(kind), moment, at, fulfilled)
        starts = list(moves.starts)
        if (
            action is Action.REQUEST_INFO
            and asked is WaitingOn.MERCHANT
            and K.MERCHANT_REPLY not in self.running
        ):
            starts.append(K.MERCHANT_REPLY)
        if action in (Action.ESCALATE, Action.DISPUTE):
            # The bench's referrals are consented to and accepted at once (it writes no referral
            # rows): the mediation window starts with them, as the acceptance starts it.
            starts.extend(CLOCK_TABLE[Action.ACCEPT_REFERRAL].starts)
        self.start([kind for kind in starts if kind not in self.running], at)
        if self.waiting != waiting_before:  # the bench's histories only ever start waiting
            for clock in list(self.running.values()):
                reasons = pause_reasons(self.waiting, clock.target.pause_on)
                if reasons and clock.paused_at is None:
                    self.pause(clock, moment, at, reasons[0])

    def actor(self, actor_id: int | None) -> Actor:
        if actor_id is None:
            return Actor.SYSTEM
        if actor_id == self.h.consumer_id:
            return Actor.CONSUMER
        return Actor.AGENT if actor_id in self.keeper.staff else Actor.MEDIATOR

    def clock_event(self, at: int, verb: str, clock: BenchClock, **more) -> None:
        detail = {"clock": clock.kind.value, "due_at": clock.due_at.isoformat(), **more}
        self.events.append((at, None, verb, None, None, True, detail))

    def start(self, kinds, at: int) -> None:
        moment = _moment(at)
        started = []
        for kind in kinds:
            target = self.targets.get(kind)
            if target is None:
                continue
            due, warn = policy.target_duration(target.calendar(moment), target.promise, moment)
            self.keeper.next_id += 1
            clock = BenchClock(self.keeper.next_id, kind, target, moment, due, warn)
            self.clocks.append(clock)
            self.running[kind] = clock
            started.append(clock)
        for clock in started:
            self.clock_event(at, "clock_started", clock)
            reasons = pause_reasons(self.waiting, clock.target.pause_on)
            if reasons:
                self.pause(clock, moment, at, reasons[0])

    def stop(self, clock: BenchClock, moment: datetime, at: int, fulfilled: bool) -> None:
        if clock.paused_at is not None:  # resumed quietly, as sla.clocks.stop does
            end_pause(clock, clock.target.calendar(moment), moment)
        clock.result = terms.result_at_stop(clock, moment, fulfilled=fulfilled)
        if clock.result is ClockResult.MISSED and clock.breached_at is None:
            self.late_breach(clock, moment, at)
        clock.stopped_at = moment
        self.clock_event(at, "clock_stopped", clock, result=clock.result.value)

    def pause(self, clock: BenchClock, moment: datetime, at: int, reason: WaitingOn) -> None:
        if terms.is_late(clock, moment) and clock.breached_at is None:
            self.late_breach(clock, moment, at)
        clock.paused_at = moment
        self.clock_event(at, "clock_paused", clock, reason=reason.value)

    def late_breach(self, clock: BenchClock, moment: datetime, at: int) -> None:
        clock.breached_at = moment
        self.urgent |= clock.target.raises_priority
        self.clock_event(at, BREACH, clock, reference=self.reference)

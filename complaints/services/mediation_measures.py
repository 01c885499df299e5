"""How mediation performs against the pledge: its success rate and how long it takes.

Defined here once, for the mediation pages' measures panel:

| figure | what it counts |
|---|---|
| success rate | settled ÷ concluded: of the mediations whose outcome was recorded, the share settled |
| average duration | for those mediations, the working days from the organisation's acceptance (the start of the mediation window) to the outcome: the working days after the day of acceptance up to and including the day of the outcome (days of the platform's zone), in the working calendar of the complaint's mediation pledge |

Each overall, per organisation and per mediator (the one who recorded the outcome), beside the
pledged floor of the success rate (MEDIATION_SUCCESS_FLOOR, percent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, literal, select

from complaints.extensions import db
from complaints.models import (
    CONCLUDED_MEDIATION_OUTCOMES,
    ClockKind,
    Complaint,
    Event,
    Outcome,
    SlaClock,
    SlaTarget,
    User,
)
from complaints.services.scorecard_counts import day_of, local_day, zone_offsets
from complaints.sla import calendar as wt
from complaints.sla import policy
from complaints.timekeeping import now
from complaints.workflow import Action


@dataclass
class Measure:
    """The figures of one set of concluded mediations."""

    settled: int = 0
    concluded: int = 0
    working_days: int = 0  # added up over the concluded ones
    floor: Decimal = Decimal(80)

    def add(self, settled: bool, days: int, count: int = 1) -> None:
        """`count` mediations concluded, settled or not, each in `days` working days."""
        self.concluded += count
        self.settled += count * int(bool(settled))
        self.working_days += days * count

    @property
    def success_rate(self) -> Decimal | None:
        """Percent settled, one decimal; None when nothing concluded yet."""
        if not self.concluded:
            return None
        return (Decimal(100 * self.settled) / self.concluded).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def average_days(self) -> Decimal | None:
        if not self.concluded:
            return None
        return (Decimal(self.working_days) / self.concluded).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def below_floor(self) -> bool:
        rate = self.success_rate
        return rate is not None and rate < self.floor


@dataclass
class Measures:
    floor: Decimal
    overall: Measure
    organisation: Measure | None = None  # the viewer's organisation
    mediators: list[tuple[str, Measure]] = field(default_factory=list)  # its mediators, by name
    computed_at: datetime | None = None


def success_floor() -> Decimal:
    return Decimal(str(current_app.config["MEDIATION_SUCCESS_FLOOR"]))


_STORE_KEY = "pledgedesk.mediation_measures"


def measures_for(organisation_id: int | None) -> Measures:
    """The figures overall and, for `organisation_id`, of that organisation and each of its
    mediators who concluded a mediation: as computed by this process less than
    SCORECARD_CACHE_SECONDS ago (like the public scorecard's), else computed now."""
    at, keep = now(), timedelta(seconds=int(current_app.config["SCORECARD_CACHE_SECONDS"]))
    store = current_app.extensions.setdefault(_STORE_KEY, {})
    kept = store.get(organisation_id)
    if kept is not None and timedelta(0) <= at - kept.computed_at < keep:
        return kept
    measures = compute_measures(organisation_id)
    if keep:
        store[organisation_id] = measures
    return measures


def compute_measures(organisation_id: int | None) -> Measures:
    """The figures of measures_for, read from the database now.

    The working days of a mediation are a running count of working days at the day its window
    stopped less that count the day before it started counting, so the days add up from two
    counts: the mediations by the day they stopped, and by the day they started (each a few
    thousand rows at a million complaints, not one row per mediation)."""
    floor = success_floor()
    overall, own = Measure(floor=floor), Measure(floor=floor)
    per_mediator: dict[int | None, Measure] = {}
    days = _WorkingDays()

    def measures(org_id, recorder) -> list[Measure]:
        if recorder is not _ANY:
            return [per_mediator.setdefault(recorder, Measure(floor=floor))]
        return [overall, own] if organisation_id is not None and org_id == organisation_id else [overall]

    for by_mediator in (False, True) if organisation_id is not None else (False,):
        org = organisation_id if by_mediator else None
        for org_id, recorder, settled, calendar_id, day, count in concluded_counts("stopped", org):
            for measure in measures(org_id, recorder if by_mediator else _ANY):
                measure.concluded += count
                measure.settled += count if settled else 0
                measure.working_days += count * days.through(calendar_id, day)
        for org_id, recorder, _settled, calendar_id, day, count in concluded_counts("started", org):
            for measure in measures(org_id, recorder if by_mediator else _ANY):
                measure.working_days -= count * days.before_counting(calendar_id, day)
    names = _names([m for m in per_mediator if m is not None])
    mediators = sorted(
        ((names.get(m, "—"), measure) for m, measure in per_mediator.items()), key=lambda x: x[0]
    )
    return Measures(floor, overall, own if organisation_id is not None else None, mediators, now())


_ANY = object()  # an overall or organisation figure: whoever recorded the outcome


def concluded_counts(day: str, organisation_id: int | None = None) -> list[tuple]:
    """The concluded mediations (an outcome recorded: settled or not), counted by (organisation,
    the mediator who recorded the outcome — only for `organisation_id`, else None —, settled,
    calendar id, the local day number the mediation window `day`: "started" or "stopped")."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    offsets = zone_offsets(zone, datetime(2000, 1, 1, tzinfo=UTC), now() + timedelta(days=1))
    on = local_day(SlaClock.started_at if day == "started" else SlaClock.stopped_at, offsets)
    settled = Complaint.outcome == Outcome.SETTLED
    recorder = Event.actor_id if organisation_id is not None else literal(None)
    query = (
        select(Complaint.mediation_org_id, recorder, settled, SlaTarget.calendar_id, on, func.count())
        .join(SlaClock, SlaClock.complaint_id == Complaint.id)
        .join(SlaTarget, SlaTarget.id == SlaClock.target_id)
        .where(
            Complaint.outcome.in_(CONCLUDED_MEDIATION_OUTCOMES),
            SlaClock.kind == ClockKind.MEDIATION,
            SlaClock.stopped_at.is_not(None),
        )
        .group_by(Complaint.mediation_org_id, recorder, settled, SlaTarget.calendar_id, on)
    )
    if organisation_id is not None:
        # One outcome per complaint: a mediated complaint is never referred to mediation again.
        query = query.outerjoin(
            Event, and_(Event.complaint_id == Complaint.id, Event.action == Action.RECORD_OUTCOME.value)
        ).where(Complaint.mediation_org_id == organisation_id)
    return [tuple(row) for row in db.session.execute(query)]


def _names(user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


class _WorkingDays:
    """Working days as a mediation counts them: after the local day its window started (that day
    too where its calendar counts the day of receipt) up to and including the day it stopped.
    Each calendar's days are counted once from the first day asked, so any day is a look-up."""

    def __init__(self):
        # calendar id -> (the first day asked, the counts from it on, the counts before it)
        self.counts: dict[int, tuple[int, list[int], list[int]]] = {}

    def before_counting(self, calendar_id: int, started: int) -> int:
        """The running count the day before a mediation that started on `started` counts days."""
        cal = policy.calendar_of(calendar_id, datetime.combine(day_of(started), time(12), UTC))
        return self.through(calendar_id, started - 1 if cal.count_receipt_day else started)

    def through(self, calendar_id: int, day: int) -> int:
        """F(day): the calendar's working days from a fixed first day up to and including `day`
        (negative before it), so that F(b) - F(a) is the working days after a up to b."""
        anchor, forward, backward = self.counts.setdefault(calendar_id, (day, [], []))
        if day >= anchor:  # forward[n]: working days in [anchor, anchor + n]
            while len(forward) <= day - anchor:
                forward.append(
                    (forward[-1] if forward else 0) + self._works(calendar_id, anchor + len(forward))
                )
            return forward[day - anchor]
        # backward[n]: minus the working days in [anchor - 1 - n, anchor - 1]; F(anchor - 1) = 0
        while len(backward) < anchor - 1 - day:
            backward.append(
                (backward[-1] if backward else 0) - self._works(calendar_id, anchor - 1 - len(backward))
            )
        return backward[anchor - 2 - day] if day < anchor - 1 else 0

    def _works(self, calendar_id: int, number: int) -> int:
        on = day_of(number)
        return int(
            wt.is_working_day(policy.calendar_of(calendar_id, datetime.combine(on, time(12), UTC)), on)
        )

"""How mediation performs against the pledge: its success rate and how long it takes.

Defined here once, for the mediation pages' measures panel:

| figure | what it counts |
|---|---|
| success rate | settled ÷ concluded: of the mediations whose outcome was recorded, the share settled |
| average duration | for those mediations, the working days from the organisation's acceptance (the start of the mediation window) to the outcome: the working days after the day of acceptance up to and including the day of the outcome, in the calendar of the complaint's mediation pledge |

Each overall, per organisation and per mediator (the one who recorded the outcome), beside the
pledged floor of the success rate (MEDIATION_SUCCESS_FLOOR, percent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select

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
from complaints.sla import calendar as wt
from complaints.sla import policy
from complaints.workflow import Action


@dataclass
class Measure:
    """The figures of one set of concluded mediations."""

    settled: int = 0
    concluded: int = 0
    working_days: int = 0  # added up over the concluded ones
    floor: Decimal = Decimal(80)

    def add(self, settled: bool, days: int) -> None:
        self.concluded += 1
        self.settled += int(settled)
        self.working_days += days

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


@dataclass(frozen=True)
class Concluded:
    organisation_id: int | None
    mediator_id: int | None
    settled: bool
    days: int


def success_floor() -> Decimal:
    return Decimal(str(current_app.config["MEDIATION_SUCCESS_FLOOR"]))


def measures_for(organisation_id: int | None) -> Measures:
    """The figures overall and, for `organisation_id`, of that organisation and each of its
    mediators who concluded a mediation."""
    floor = success_floor()
    concluded = concluded_mediations()
    overall = Measure(floor=floor)
    own = Measure(floor=floor)
    per_mediator: dict[int, Measure] = {}
    for row in concluded:
        overall.add(row.settled, row.days)
        if organisation_id is not None and row.organisation_id == organisation_id:
            own.add(row.settled, row.days)
            per_mediator.setdefault(row.mediator_id, Measure(floor=floor)).add(row.settled, row.days)
    names = _names([m for m in per_mediator if m is not None])
    mediators = sorted(
        ((names.get(m, "—"), measure) for m, measure in per_mediator.items()), key=lambda x: x[0]
    )
    return Measures(floor, overall, own if organisation_id is not None else None, mediators)


def concluded_mediations() -> list[Concluded]:
    """Every mediation whose outcome was recorded: its organisation, the mediator who recorded the
    outcome, whether it settled, and its working days (read in three statements)."""
    rows = db.session.execute(
        select(
            Complaint.id,
            Complaint.mediation_org_id,
            Complaint.outcome,
            SlaClock.started_at,
            SlaClock.stopped_at,
            SlaTarget.calendar_id,
        )
        .join(SlaClock, SlaClock.complaint_id == Complaint.id)
        .join(SlaTarget, SlaTarget.id == SlaClock.target_id)
        .where(
            Complaint.outcome.in_(CONCLUDED_MEDIATION_OUTCOMES),
            SlaClock.kind == ClockKind.MEDIATION,
            SlaClock.stopped_at.is_not(None),
        )
    ).all()
    recorders = _outcome_recorders([row.id for row in rows])
    counter = _WorkingDays()
    return [
        Concluded(
            organisation_id=row.mediation_org_id,
            mediator_id=recorders.get(row.id),
            settled=row.outcome is Outcome.SETTLED,
            days=counter.between(row.calendar_id, row.started_at, row.stopped_at),
        )
        for row in rows
    ]


def _outcome_recorders(complaint_ids: list[int]) -> dict[int, int]:
    """Who recorded each complaint's latest mediation outcome (complaint id -> mediator id)."""
    found: dict[int, int] = {}
    for start in range(0, len(complaint_ids), 500):
        chunk = complaint_ids[start : start + 500]
        events = db.session.execute(
            select(Event.complaint_id, Event.actor_id)
            .where(Event.complaint_id.in_(chunk), Event.action == Action.RECORD_OUTCOME.value)
            .order_by(Event.id)
        )
        found.update({complaint_id: actor_id for complaint_id, actor_id in events})
    return found


def _names(user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


class _WorkingDays:
    """Working days between two instants, each calendar's days looked up once."""

    def __init__(self):
        self.calendars: dict[tuple[int, int], wt.WorkingCalendar] = {}
        self.days: dict[tuple[str, date], bool] = {}

    def between(self, calendar_id: int, start: datetime, end: datetime) -> int:
        key = (calendar_id, end.year)
        if key not in self.calendars:
            self.calendars[key] = policy.calendar_of(calendar_id, end)
        cal = self.calendars[key]
        first, last = start.astimezone(cal.zone).date(), end.astimezone(cal.zone).date()
        if not cal.count_receipt_day:
            first += timedelta(days=1)
        return sum(
            self._works(cal, first + timedelta(days=n)) for n in range(max((last - first).days + 1, 0))
        )

    def _works(self, cal: wt.WorkingCalendar, day: date) -> bool:
        key = (cal.code, day)
        if key not in self.days:
            self.days[key] = wt.is_working_day(cal, day)
        return self.days[key]

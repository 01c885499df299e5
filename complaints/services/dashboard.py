"""The supervisors' dashboard: how much comes in, what waits and for how long, which pledged
windows were kept, who does the work, where complaints come from, and how consumers rated it.

Every figure is defined here once, and the page prints these definitions:

| section | what it counts |
|---|---|
| volume | complaints filed in the period (by local day), and those decided (resolved or rejected) in it |
| backlog | open complaints (received, verified, mediated) now, by state and age: whole days since filing |
| pledge keeping | pledged windows that ended in the period, by kind: kept, missed, void; and those still open past their due instant now, which are missed already (sla.terms' "overdue") |
| agents | per platform staff member: open complaints assigned now; of the complaints assigned to them now, those decided in the period and whether each was decided within its resolution window (kept, missed), and the ratings given in the period |
| categories, shops | the ten with the most complaints filed in the period |
| satisfaction | the ratings (1-5) consumers gave in the period, by the day they confirmed the outcome |

A period is local days (the platform's zone) from `first` to `last`, both included. The filters by
category and shop apply to every section. Each distinct set of filters is computed with indexed
aggregates (grouped counts, never a walk over complaints) and kept per process for
SCORECARD_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, func, select

from complaints import participants
from complaints.extensions import db
from complaints.models import Category, ClockKind, ClockResult, Complaint, Merchant, SlaClock, User
from complaints.services.clock_order import overdue_clocks
from complaints.services.scorecard_counts import day_of, local_day, start_of_day, zone_offsets
from complaints.timekeeping import now
from complaints.workflow import N_, OPEN_STATES, State

# Backlog ages in whole days since filing: [low, high), the last open-ended.
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 1), (1, 3), (3, 7), (7, 30), (30, None))
TOP = 10  # categories and shops listed
LONGEST_PERIOD_DAYS = 731  # two years: longer periods are refused

# What each section counts, printed under it (the table in the module docstring, in words).
DEFINITIONS = {
    "volume": N_(
        "Complaints filed on each day of the period, and the complaints decided in it (resolved or "
        "rejected; a withdrawn complaint is not a decision)."
    ),
    "backlog": N_(
        "The open complaints now (received, verified, in mediation), by how many whole days ago they "
        "were filed, whatever the period."
    ),
    "keeping": N_(
        "Pledged windows that ended in the period, by kind: kept (stopped at or before the due "
        "instant), missed (stopped after it) and void (the promise no longer applied; not counted). "
        "When the period runs to today, the windows still open past their due instant are missed "
        "already and counted with the missed."
    ),
    "agents": N_(
        "For each member of the platform's staff: the open complaints assigned to them now; of the "
        "complaints assigned to them now, those decided in the period (resolved or rejected), whether "
        "each was decided within its resolution window, and the ratings consumers gave in the period."
    ),
    "top": N_("The ten with the most complaints filed in the period."),
    "satisfaction": N_(
        "The ratings (1 to 5) consumers gave when they confirmed an outcome in the period. Rating is "
        "optional."
    ),
}


@dataclass(frozen=True)
class Filters:
    first: date
    last: date
    category_id: int | None = None
    merchant_id: int | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class Windows:
    """One kind of pledged window over the period."""

    kind: ClockKind
    kept: int = 0
    missed: int = 0  # stopped late
    void: int = 0
    still_open: int = 0  # open past their due instant now: missed already

    @property
    def counted(self) -> int:
        return self.kept + self.missed + self.still_open

    @property
    def share_kept(self) -> float | None:
        return self.kept / self.counted if self.counted else None


@dataclass
class AgentRow:
    user_id: int
    name: str
    open_now: int = 0
    decided: int = 0
    resolutions_kept: int = 0
    resolutions_missed: int = 0
    ratings: int = 0
    rating_points: int = 0

    @property
    def rating(self) -> float | None:
        return self.rating_points / self.ratings if self.ratings else None


@dataclass(frozen=True)
class Ranked:
    id: int
    name: str  # a shop's name; for a category, its names by language (see names)
    count: int
    names: tuple[str, str] = ("", "")  # (Chinese, English) for a category


@dataclass
class Dashboard:
    filters: Filters
    computed_at: datetime
    zone: str
    filed_by_day: dict[date, int]
    decided: int  # complaints decided (resolved or rejected) in the period
    backlog: dict[State, list[int]]  # state -> count per AGE_BANDS
    windows: list[Windows]
    agents: list[AgentRow]
    categories: list[Ranked]
    shops: list[Ranked]
    ratings: Counter = field(default_factory=Counter)  # stars -> ratings

    @property
    def filed(self) -> int:
        return sum(self.filed_by_day.values())

    @property
    def backlog_total(self) -> int:
        return sum(sum(row) for row in self.backlog.values())

    @property
    def rating_count(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating(self) -> float | None:
        count = self.rating_count
        return sum(stars * n for stars, n in self.ratings.items()) / count if count else None


# --- Reading --------------------------------------------------------------------------------


def _scoped(query, filters: Filters):
    if filters.category_id is not None:
        query = query.where(Complaint.category_id == filters.category_id)
    if filters.merchant_id is not None:
        query = query.where(Complaint.merchant_id == filters.merchant_id)
    return query


def _filed(filters: Filters, since: datetime, until: datetime, offsets) -> dict[date, int]:
    day = local_day(Complaint.created_at, offsets).label("day")
    # every state named, so each state's (state, created_at) index serves the range
    query = select(day, func.count()).where(
        Complaint.state.in_(list(State)), Complaint.created_at >= since, Complaint.created_at < until
    )
    rows = db.session.execute(_scoped(query, filters).group_by(day))
    counted = {day_of(number): count for number, count in rows}
    return {
        filters.first + timedelta(days=n): counted.get(filters.first + timedelta(days=n), 0)
        for n in range(filters.days)
    }


def _decided(filters: Filters, since: datetime, until: datetime) -> int:
    """Resolved or rejected in the period (as the scorecard counts decisions: not withdrawn)."""
    query = select(func.count()).where(
        Complaint.decided_at.is_not(None),
        Complaint.decided_at >= since,
        Complaint.decided_at < until,
        Complaint.state != State.WITHDRAWN,
    )
    return db.session.scalar(_scoped(query, filters)) or 0


def _backlog(filters: Filters, at: datetime) -> dict[State, list[int]]:
    band = case(
        *(
            (Complaint.created_at > at - timedelta(days=high), index)
            for index, (_, high) in enumerate(AGE_BANDS)
            if high is not None
        ),
        else_=len(AGE_BANDS) - 1,
    ).label("band")
    query = select(Complaint.state, band, func.count()).where(Complaint.state.in_(list(OPEN_STATES)))
    rows = db.session.execute(_scoped(query, filters).group_by(Complaint.state, band))
    backlog = {state: [0] * len(AGE_BANDS) for state in (State.RECEIVED, State.VERIFIED, State.MEDIATED)}
    for state, index, count in rows:
        backlog[State(state)][int(index)] += count
    return backlog


def _windows(filters: Filters, since: datetime, until: datetime, at: datetime) -> list[Windows]:
    by_kind = {kind: Windows(kind) for kind in ClockKind}
    scoped = filters.category_id is not None or filters.merchant_id is not None
    query = select(SlaClock.kind, SlaClock.result, func.count()).where(
        SlaClock.stopped_at.is_not(None), SlaClock.stopped_at >= since, SlaClock.stopped_at < until
    )
    if scoped:
        query = _scoped(query.join(Complaint, Complaint.id == SlaClock.complaint_id), filters)
    for kind, result, count in db.session.execute(query.group_by(SlaClock.kind, SlaClock.result)):
        row = by_kind[ClockKind(kind)]
        result = ClockResult(result) if result is not None else ClockResult.MET
        if result is ClockResult.MET:
            row.kept += count
        elif result is ClockResult.MISSED:
            row.missed += count
        else:
            row.void += count
    if until > at:  # the period runs to today: what is missed already counts in it
        for arm in overdue_clocks(SlaClock, at):
            query = select(SlaClock.kind, func.count()).where(*arm)
            if scoped:
                query = _scoped(query.join(Complaint, Complaint.id == SlaClock.complaint_id), filters)
            for kind, count in db.session.execute(query.group_by(SlaClock.kind)):
                by_kind[ClockKind(kind)].still_open += count
    return list(by_kind.values())


def _agents(filters: Filters, since: datetime, until: datetime) -> list[AgentRow]:
    rows: dict[int, AgentRow] = {}
    staff_roles = participants.platform_staff_roles()
    staff = dict(db.session.execute(select(User.id, User.name).where(User.role.in_(staff_roles))).all())

    def row(user_id: int) -> AgentRow | None:
        if user_id not in staff:
            return None
        return rows.setdefault(user_id, AgentRow(user_id, staff[user_id]))

    assigned = Complaint.assignee_id.is_not(None)
    open_now = select(Complaint.assignee_id, func.count()).where(
        assigned, Complaint.state.in_(list(OPEN_STATES))
    )
    for user_id, count in db.session.execute(_scoped(open_now, filters).group_by(Complaint.assignee_id)):
        if (agent := row(user_id)) is not None:
            agent.open_now = count
    in_period = (
        assigned,
        Complaint.decided_at.is_not(None),
        Complaint.decided_at >= since,
        Complaint.decided_at < until,
        Complaint.state != State.WITHDRAWN,
    )
    decided = select(Complaint.assignee_id, func.count()).where(*in_period)
    for user_id, count in db.session.execute(_scoped(decided, filters).group_by(Complaint.assignee_id)):
        if (agent := row(user_id)) is not None:
            agent.decided = count
    # Their resolution windows: a decision ends one, kept or missed. Read from the complaints decided
    # in the period (the agents' index) and each one's own clocks, not from every clock that ended.
    windows = (
        select(Complaint.assignee_id, SlaClock.result, func.count())
        .join(SlaClock, and_(SlaClock.complaint_id == Complaint.id, SlaClock.kind == ClockKind.RESOLUTION))
        .where(*in_period, SlaClock.result.in_([ClockResult.MET, ClockResult.MISSED]))
    )
    for user_id, result, count in db.session.execute(
        _scoped(windows, filters).group_by(Complaint.assignee_id, SlaClock.result)
    ):
        if (agent := row(user_id)) is not None:
            if result == ClockResult.MISSED:
                agent.resolutions_missed += count
            else:
                agent.resolutions_kept += count
    rated = select(Complaint.assignee_id, func.count(), func.sum(Complaint.rating)).where(
        assigned,
        Complaint.rating.is_not(None),
        Complaint.closed_at >= since,
        Complaint.closed_at < until,
    )
    for user_id, count, points in db.session.execute(_scoped(rated, filters).group_by(Complaint.assignee_id)):
        if (agent := row(user_id)) is not None:
            agent.ratings, agent.rating_points = count, int(points or 0)
    return sorted(rows.values(), key=lambda a: (-a.open_now, -a.decided, a.name))


def _ranked(column, filters: Filters, since: datetime, until: datetime) -> list[tuple[int, int]]:
    query = select(column, func.count().label("n")).where(
        Complaint.state.in_(list(State)), Complaint.created_at >= since, Complaint.created_at < until
    )
    query = _scoped(query, filters).group_by(column).order_by(func.count().desc(), column).limit(TOP)
    return [(key, count) for key, count in db.session.execute(query)]


def _top_categories(filters, since, until) -> list[Ranked]:
    counts = _ranked(Complaint.category_id, filters, since, until)
    names = {
        c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_([k for k, _ in counts])))
    }
    return [Ranked(k, names[k].name_en, n, (names[k].name_zh, names[k].name_en)) for k, n in counts]


def _top_shops(filters, since, until) -> list[Ranked]:
    counts = _ranked(Complaint.merchant_id, filters, since, until)
    names = dict(
        db.session.execute(
            select(Merchant.id, Merchant.name).where(Merchant.id.in_([k for k, _ in counts]))
        ).all()
    )
    return [Ranked(k, names[k], n) for k, n in counts]


def _ratings(filters: Filters, since: datetime, until: datetime) -> Counter:
    query = select(Complaint.rating, func.count()).where(
        Complaint.rating.is_not(None), Complaint.closed_at >= since, Complaint.closed_at < until
    )
    return Counter(dict(db.session.execute(_scoped(query, filters).group_by(Complaint.rating)).all()))


def compute(filters: Filters, at: datetime | None = None) -> Dashboard:
    """The dashboard for `filters` at `at` (now), read from the database."""
    at = at or now()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    since = start_of_day(filters.first, zone)
    until = start_of_day(filters.last + timedelta(days=1), zone)
    offsets = zone_offsets(zone, since, until)
    return Dashboard(
        filters=filters,
        computed_at=at,
        zone=zone.key,
        filed_by_day=_filed(filters, since, until, offsets),
        decided=_decided(filters, since, until),
        backlog=_backlog(filters, at),
        windows=_windows(filters, since, until, at),
        agents=_agents(filters, since, until),
        categories=_top_categories(filters, since, until),
        shops=_top_shops(filters, since, until),
        ratings=_ratings(filters, since, until),
    )


# --- Kept per process -------------------------------------------------------------------------

_KEPT = 32
_LOCK = threading.Lock()
_STORE_KEY = "pledgedesk.dashboard"


def dashboard(filters: Filters, at: datetime | None = None) -> Dashboard:
    """The dashboard for `filters`: computed, or as computed less than SCORECARD_CACHE_SECONDS ago."""
    at = at or now()
    keep = timedelta(seconds=int(current_app.config["SCORECARD_CACHE_SECONDS"]))
    store: dict[Filters, Dashboard] = current_app.extensions.setdefault(_STORE_KEY, {})
    kept = store.get(filters)
    if kept is not None and timedelta(0) <= at - kept.computed_at < keep:
        return kept
    board = compute(filters, at)
    if keep:
        with _LOCK:
            if len(store) >= _KEPT:
                store.clear()
            store[filters] = board
    return board


def forget_computed() -> None:
    current_app.extensions.pop(_STORE_KEY, None)


def default_filters(today: date) -> Filters:
    """The last 30 days, today included."""
    return Filters(today - timedelta(days=29), today)

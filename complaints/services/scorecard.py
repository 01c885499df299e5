"""The public pledge scorecard: the pledge as published, beside what was kept of it.

Every figure the page shows is defined here, once (FIGURES), and the page prints these
definitions under "How we count". What is counted on each day comes from
services/scorecard_counts.py; the words met, missed and void are sla/terms.py's.

When a window counts: in the period it ended (the day its clock stopped, whatever its result).
A window still open after its due instant is missed already, whether or not the sweep has
recorded the breach (sla.terms.is_overdue): it counts as missed today, so in the last 30 and 90
days and in the current month and quarter, until it ends; then in the period it ended, still
missed. So a closed month's figures never change. Days are the platform's (BABEL_DEFAULT_TIMEZONE).

The figures are computed per process and kept for SCORECARD_CACHE_SECONDS; the counts of days
older than the appeal window (APPEAL_WINDOW_DAYS; a decision can be disputed or appealed until
then, which takes it back) never change and are read from the database once per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from complaints.models import ClockKind, ClockResult
from complaints.services.published_pledge import PublishedPolicy, published_pledge
from complaints.services.scorecard_counts import GENERAL, MAJOR, MISSED_OPEN, Tally, read_days
from complaints.timekeeping import now
from complaints.workflow import N_

WINDOW, RATE, DAYS, RATING = "window", "rate", "days", "rating"


@dataclass(frozen=True)
class Figure:
    """One figure of the scorecard and what exactly it counts."""

    key: str
    title: str  # marked with N_, translated where shown
    definition: str
    kind: str  # WINDOW (a share of pledged windows kept), RATE, DAYS or RATING
    clock: ClockKind | None = None
    segments: tuple[str, ...] = (GENERAL, MAJOR)


# Said once on the page, for every figure of pledged windows.
WINDOW_RULE = N_(
    "A window still open after its due instant is already missed, whether or not our reminders "
    "have recorded it. Windows that no longer applied (the consumer withdrew, the complaint was "
    "closed as a duplicate, or its pledge has no such window any more) are not counted; we show how "
    "many."
)

# When each thing counts, said once on the page.
WHEN_RULE = N_(
    "A window counts in the period it ended, on the day its clock stopped, whatever its result. A "
    "window still open after its due instant counts as missed today, so in the last 30 and 90 days "
    "and in the current month and quarter, until it ends; then it counts in the period it ended, "
    "still missed. A complaint counts in the period it was decided, a rating in the period it was "
    "given. A month's windows do not change once it is over; its decisions can, while a decision "
    "may still be appealed or disputed (%(days)s days)."
)

FIGURES: tuple[Figure, ...] = (
    Figure(
        "response",
        N_("First responses in time"),
        N_(
            "Of the first-response windows that ended in the period, the share kept: the platform's own "
            "staff answered the consumer publicly (a reply, a question to them, or a decision) at or "
            "before the due instant. A shop's or a mediator's message is not our response."
        ),
        WINDOW,
        ClockKind.RESPONSE,
    ),
    Figure(
        "verification",
        N_("Verifications in time"),
        N_(
            "Of the verification windows that ended in the period, the share where we verified or rejected "
            "the complaint at or before the due instant."
        ),
        WINDOW,
        ClockKind.VERIFICATION,
    ),
    Figure(
        "resolution",
        N_("Resolutions in time"),
        N_(
            "Of the resolution windows of complaints held to the general pledge that ended in the period, "
            "the share where the complaint was resolved or rejected at or before the due instant."
        ),
        WINDOW,
        ClockKind.RESOLUTION,
        (GENERAL,),
    ),
    Figure(
        "resolution_major",
        N_("Resolutions in time: major complaints"),
        N_(
            "The same for the resolution windows of major complaints (held to the pledge for major "
            "complaints), counted apart."
        ),
        WINDOW,
        ClockKind.RESOLUTION,
        (MAJOR,),
    ),
    Figure(
        "merchant_reply",
        N_("Shops' replies in time"),
        N_(
            "Of the shops' reply windows (opened when we put a question to the shop) that ended in the "
            "period, the share where the shop answered at or before the due instant."
        ),
        WINDOW,
        ClockKind.MERCHANT_REPLY,
    ),
    Figure(
        "mediation",
        N_("Mediations concluded in time"),
        N_(
            "Of the mediation windows that ended in the period, the share where the mediator recorded the "
            "outcome at or before the due instant."
        ),
        WINDOW,
        ClockKind.MEDIATION,
    ),
    Figure(
        "mediation_success",
        N_("Mediation success rate"),
        N_(
            "Of the mediation outcomes recorded in the period, the share settled (settled, divided by "
            "settled and not settled). Our floor is %(floor)s; a period below it is marked."
        ),
        RATE,
    ),
    Figure(
        "handling",
        N_("Average handling time"),
        N_(
            "For the complaints decided in the period (resolved or rejected; withdrawn complaints are not "
            "decided), the average number of working days from filing to the decision, counted as the "
            "pledge counts them: the working days after the day of filing up to and including the day "
            "of the decision, in the working calendar of the complaint's pledge."
        ),
        DAYS,
    ),
    Figure(
        "satisfaction",
        N_("Satisfaction"),
        N_(
            "The average of the ratings (1 to 5) consumers gave when they confirmed an outcome in the "
            "period. Rating is optional; we show how many rated."
        ),
        RATING,
    ),
)


@dataclass(frozen=True)
class Measure:
    """One figure over one period."""

    figure: Figure
    value: float | None  # a share (0-1), working days or a rating; None: nothing to count
    count: int  # windows counted, outcomes, complaints decided or ratings
    kept: int = 0  # windows kept, or mediations settled
    missed: int = 0  # windows missed, those still open included
    still_open: int = 0  # of the missed, the windows still open
    void: int = 0  # windows that no longer applied, not counted
    below_floor: bool = False

    @property
    def falls_short(self) -> bool:
        """A missed window, or a rate under its floor: the page says so in words."""
        return self.missed > 0 or self.below_floor


def measure(figure: Figure, tally: Tally, floor: Decimal) -> Measure:
    """`figure` over the days added up in `tally` (see FIGURES for each definition)."""
    if figure.kind == WINDOW:

        def count_of(result: str) -> int:
            return sum(tally.windows[(figure.clock, segment, result)] for segment in figure.segments)

        kept, missed = count_of(ClockResult.MET.value), count_of(ClockResult.MISSED.value)
        still_open = count_of(MISSED_OPEN)
        counted = kept + missed + still_open
        return Measure(
            figure,
            kept / counted if counted else None,
            counted,
            kept=kept,
            missed=missed + still_open,
            still_open=still_open,
            void=count_of(ClockResult.VOID.value),
        )
    if figure.kind == RATE:
        outcomes = tally.settled + tally.not_settled
        rate = tally.settled / outcomes if outcomes else None
        below = rate is not None and Decimal(str(rate)) * 100 < floor
        return Measure(figure, rate, outcomes, kept=tally.settled, below_floor=below)
    if figure.kind == DAYS:
        return Measure(figure, tally.working_days / tally.decided if tally.decided else None, tally.decided)
    return Measure(figure, tally.rating_points / tally.ratings if tally.ratings else None, tally.ratings)


# --- Periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included."""

    kind: str  # "days" (the last N days, today included), "quarter" or "month"
    first: date
    last: date
    number: int  # N days, the quarter (1-4) or the month (1-12)
    current: bool = False  # still running: today is in it

    @property
    def year(self) -> int:
        return self.first.year


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _next_month(day: date) -> date:
    return _month_start(day, -1)


def rolling(today: date) -> list[Period]:
    return [Period("days", today - timedelta(days=n - 1), today, n, True) for n in (30, 90)]


def quarters(today: date, count: int = 5) -> list[Period]:
    """The current quarter and the `count - 1` before it, newest first."""
    found = []
    start = _month_start(today, (today.month - 1) % 3)
    for back in range(count):
        first = _month_start(start, 3 * back)
        last = min(_month_start(first, -3) - timedelta(days=1), today)
        found.append(Period("quarter", first, last, (first.month - 1) // 3 + 1, back == 0))
    return found


def months(today: date, count: int = 12) -> list[Period]:
    """The current month and the `count - 1` before it, oldest first."""
    found = []
    for back in reversed(range(count)):
        first = _month_start(today, back)
        found.append(
            Period("month", first, min(_next_month(first) - timedelta(days=1), today), first.month, back == 0)
        )
    return found


# --- The scorecard, computed and kept -----------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    measures: dict[str, Measure]


@dataclass(frozen=True)
class Scorecard:
    computed_at: datetime
    today: date
    zone: str
    floor: Decimal  # the mediation success rate's floor, in percent
    policies: list[PublishedPolicy]
    recent: list[PeriodFigures]  # the last 30 and 90 days
    quarters: list[PeriodFigures]  # newest first
    months: list[PeriodFigures]  # oldest first
    figures: tuple[Figure, ...] = FIGURES


@dataclass
class _Store:
    lock: threading.Lock = field(default_factory=threading.Lock)
    settled: dict[date, Tally] = field(default_factory=dict)  # days that no longer change
    settled_span: tuple[date, date] | None = None  # [first, before) read into `settled`
    card: Scorecard | None = None


_STORE_KEY = "pledgedesk.scorecard"


def _store() -> _Store:
    return current_app.extensions.setdefault(_STORE_KEY, _Store())


def forget_computed() -> None:
    """Drop what this process computed (the next scorecard reads everything again)."""
    current_app.extensions.pop(_STORE_KEY, None)


def scorecard(at: datetime | None = None) -> Scorecard:
    """The scorecard at `at` (now): computed, or as computed less than SCORECARD_CACHE_SECONDS ago."""
    at = at or now()
    config = current_app.config
    zone = ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])
    today = at.astimezone(zone).date()
    keep = int(config["SCORECARD_CACHE_SECONDS"])
    store = _store()
    card = store.card
    if (
        card is not None
        and card.today == today
        and timedelta(0) <= at - card.computed_at < timedelta(seconds=keep)
    ):
        return card
    with store.lock:
        card = _compute(store, at, zone, today, keep > 0)
        if keep > 0:
            store.card = card
    return card


def _days(
    store: _Store, first: date, at: datetime, zone: ZoneInfo, today: date, remember: bool
) -> dict[date, Tally]:
    """Each day's tally from `first` to today: the settled days as read once, the others now."""
    settled_before = max(first, today - timedelta(days=int(current_app.config["APPEAL_WINDOW_DAYS"]) + 1))
    span = store.settled_span
    if not remember or span is None or span[0] != first or span[1] > settled_before:
        settled, span = {}, (first, first)
    else:
        settled = store.settled
    if span[1] < settled_before:
        settled.update(read_days(span[1], zone, at, before=settled_before, still_open=False))
    if remember:
        store.settled, store.settled_span = settled, (first, settled_before)
    return {**settled, **read_days(settled_before, zone, at)}


def floor() -> Decimal:
    """The pledged floor of the mediation success rate, in percent (MEDIATION_SUCCESS_FLOOR)."""
    return Decimal(str(current_app.config["MEDIATION_SUCCESS_FLOOR"]))


def _compute(store: _Store, at: datetime, zone: ZoneInfo, today: date, remember: bool) -> Scorecard:
    floor_ = floor()
    recent, by_quarter, by_month = rolling(today), quarters(today), months(today)
    first = min(p.first for p in (*recent, *by_quarter, *by_month))
    days = _days(store, first, at, zone, today, remember)

    def figures(period: Period) -> PeriodFigures:
        total = Tally()
        for offset in range((period.last - period.first).days + 1):
            day = days.get(period.first + timedelta(days=offset))
            if day is not None:
                total.add(day)
        return PeriodFigures(period, {f.key: measure(f, total, floor_) for f in FIGURES})

    return Scorecard(
        computed_at=at,
        today=today,
        zone=zone.key,
        floor=floor_,
        policies=published_pledge(at),
        recent=[figures(p) for p in recent],
        quarters=[figures(p) for p in by_quarter],
        months=[figures(p) for p in by_month],
    )

"""The pledged dates as the consumer follows them: received -> answered -> verified -> resolved.

Only a reading of the clocks (the words are sla/terms.py's); nothing here changes a complaint.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, Complaint, SlaClock
from complaints.sla.terms import ClockStatus, statuses
from complaints.timekeeping import now

# The steps of the pledge the consumer sees, and the clock that keeps each.
STEPS: tuple[tuple[str, ClockKind | None], ...] = (
    ("received", None),
    ("answered", ClockKind.RESPONSE),
    ("verified", ClockKind.VERIFICATION),
    ("resolved", ClockKind.RESOLUTION),
)
# The pledges a consumer waits on (the shop's reply window is the shop's promise to us).
_CONSUMERS_PLEDGES = (ClockKind.RESPONSE, ClockKind.VERIFICATION, ClockKind.RESOLUTION, ClockKind.MEDIATION)


@dataclass(frozen=True)
class PledgeStep:
    """One step of the pledge: `status` is its latest clock (None: received, or not pledged)."""

    name: str
    status: ClockStatus | None
    at: datetime | None = None  # when the complaint was received (the first step only)

    @property
    def done(self) -> bool:
        return self.name == "received" or (self.status is not None and not self.status.is_open)


@dataclass(frozen=True)
class Pledges:
    """A complaint's pledge as the consumer reads it: its steps and the next date we owe them."""

    steps: list[PledgeStep]
    next: ClockStatus | None


def pledges_of(complaint: Complaint, clocks: list[SlaClock], at: datetime | None = None) -> Pledges:
    """The steps of `complaint`'s pledge and its next date, from its clocks (oldest first).

    After an appeal a pledge has two clocks; the latest one is the promise that stands.
    """
    read = statuses(clocks, at or now())
    latest: dict[ClockKind, ClockStatus] = {}
    for status in read:
        latest[status.kind] = status
    steps = [
        PledgeStep(name, latest.get(kind) if kind else None, complaint.created_at if kind is None else None)
        for name, kind in STEPS
    ]
    open_pledges = [s for s in latest.values() if s.is_open and s.kind in _CONSUMERS_PLEDGES]
    return Pledges(steps, min(open_pledges, key=lambda s: s.due_at, default=None))


def pledges_of_page(complaints: list[Complaint]) -> dict[int, Pledges]:
    """The pledges of a page of complaints, their clocks read in one query."""
    if not complaints:
        return {}
    by_complaint: dict[int, list[SlaClock]] = defaultdict(list)
    query = (
        select(SlaClock).where(SlaClock.complaint_id.in_([c.id for c in complaints])).order_by(SlaClock.id)
    )
    for clock in db.session.scalars(query):
        by_complaint[clock.complaint_id].append(clock)
    at = now()
    return {c.id: pledges_of(c, by_complaint[c.id], at) for c in complaints}


def complaint_pledges(complaint: Complaint) -> Pledges:
    """One complaint's pledges (the confirmation page after filing)."""
    return pledges_of_page([complaint])[complaint.id]

"""The shop's desk: complaints against one shop, the ones waiting for its reply first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import joinedload

from complaints.bounds import parse_keyset_cursor
from complaints.extensions import db
from complaints.models import ClockKind, Complaint, SlaClock, User
from complaints.participants import visible_complaints
from complaints.services.recently_changed import recently_changed
from complaints.sla import terms
from complaints.timekeeping import now
from complaints.workflow import OPEN_STATES

OPEN, DECIDED = "open", "decided"
# How many complaints awaiting the shop's reply are listed at once (nearest deadline first).
AWAITING_SHOWN = 100


@dataclass
class AwaitingReply:
    complaint: Complaint
    due_at: datetime
    paused: bool
    overdue: bool  # sla.terms.is_overdue: the shop let its reply window pass


@dataclass
class ShopPage:
    awaiting: list[AwaitingReply]  # the shop's reply windows still open, nearest due first
    complaints: list[Complaint]  # the tab's complaints, most recently changed first
    next_cursor: str | None


def shop_page(user: User, tab: str, cursor: str | None) -> ShopPage:
    """The shop's complaints as `user` (its staff) sees them.

    tab: OPEN (received, verified or in mediation) or DECIDED (every other state).
    cursor: the previous page's next_cursor; a malformed one gives the first page. The list of
    reply windows is on the first page only.
    Complaints come through the merchant's scoped query: another shop's never appear.
    """
    is_open = Complaint.state.in_(OPEN_STATES)
    rows, next_cursor = recently_changed(
        user, is_open if tab == OPEN else ~is_open, cursor, joinedload(Complaint.category)
    )
    first_page = parse_keyset_cursor(cursor) is None
    return ShopPage(awaiting=_awaiting(user) if first_page else [], complaints=rows, next_cursor=next_cursor)


def _awaiting(user: User) -> list[AwaitingReply]:
    statement = (
        visible_complaints(user)
        .join(SlaClock, SlaClock.complaint_id == Complaint.id)
        .where(SlaClock.kind == ClockKind.MERCHANT_REPLY, SlaClock.stopped_at.is_(None))
        .add_columns(SlaClock)
        .options(joinedload(Complaint.category))
        .order_by(SlaClock.due_at, SlaClock.id)
        .limit(AWAITING_SHOWN)
    )
    at = now()
    return [
        AwaitingReply(
            complaint=complaint,
            due_at=clock.due_at,
            paused=clock.paused_at is not None,
            overdue=terms.is_overdue(clock, at),
        )
        for complaint, clock in db.session.execute(statement)
    ]

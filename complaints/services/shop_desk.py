"""The shop's desk: complaints against one shop, the ones waiting for its reply first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import tuple_
from sqlalchemy.orm import joinedload

from complaints.bounds import keyset_cursor, parse_keyset_cursor
from complaints.extensions import db
from complaints.models import ClockKind, Complaint, SlaClock, User
from complaints.participants import visible_complaints
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
    size = max(1, int(current_app.config["QUEUE_PAGE_SIZE"]))
    is_open = Complaint.state.in_(OPEN_STATES)
    query = visible_complaints(user).where(is_open if tab == OPEN else ~is_open)
    after = parse_keyset_cursor(cursor)
    if after is not None:
        query = query.where(tuple_(Complaint.updated_at, Complaint.id) < after)
    rows = list(
        db.session.scalars(
            query.options(joinedload(Complaint.category))
            .order_by(Complaint.updated_at.desc(), Complaint.id.desc())
            .limit(size + 1)
        )
    )
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = keyset_cursor(rows[-1].updated_at, rows[-1].id) if has_more and rows else None
    return ShopPage(
        awaiting=_awaiting(user) if after is None else [], complaints=rows, next_cursor=next_cursor
    )


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

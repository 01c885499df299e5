"""A page of the complaints a participant sees, most recently changed first (keyset on
(updated_at, id)): the mediator's cases and the shop's complaints."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import tuple_

from complaints.bounds import keyset_cursor, parse_keyset_cursor
from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.participants import visible_complaints
from complaints.prepared_statements import fixed


def recently_changed(
    user: User, condition, cursor: str | None, *options
) -> tuple[list[Complaint], str | None]:
    """One page of the complaints `user` sees that meet `condition`, and the next page's cursor.

    cursor: the previous page's cursor; a malformed one gives the first page.
    options: loader options for the rows (e.g. the shop or the category joined in).
    """
    size = max(1, int(current_app.config["QUEUE_PAGE_SIZE"]))
    query = visible_complaints(user).where(condition)
    after = parse_keyset_cursor(cursor)
    if after is not None:
        query = query.where(tuple_(Complaint.updated_at, Complaint.id) < after)
    rows = list(
        db.session.scalars(
            query.options(*options)
            .order_by(Complaint.updated_at.desc(), Complaint.id.desc())
            .limit(fixed(size + 1))
        )
    )
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = keyset_cursor(rows[-1].updated_at, rows[-1].id) if has_more and rows else None
    return rows, next_cursor

"""The staff's work queues and complaint search.

Queues are read with keyset pagination over (created_at, id), oldest first: until the SLA engine
gives every complaint its due times, the oldest complaint is the one closest to breaching the
pledge. When due times exist, the order should become "due soonest first" over an index on them.

Each state is read on its own over the index (state, created_at, id) — or (assignee_id, state,
created_at, id) when the queue is about one assignee or the unassigned — so a page costs
`page size` index rows per state, however many complaints there are; the per-state slices are
merged by one UNION ALL. Merchants, categories and assignees come in the same query (joinedload).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import Select, func, select, tuple_, union_all
from sqlalchemy.orm import joinedload

from complaints.extensions import db
from complaints.models import Category, Complaint, Merchant, Role, User
from complaints.services.access import visible_complaints
from complaints.services.search import ranked_matches
from complaints.workflow import OPEN_STATES, State

UNASSIGNED = "unassigned"
MINE = "mine"
OPEN = "open"
QUEUES = (UNASSIGNED, MINE, OPEN)

SEARCH_PAGE_SIZE = 25
MAX_SEARCH_PAGES = 20
MAX_QUERY_LENGTH = 200

# A cursor is exactly what next_cursor() writes: the UTC instant, "_", the id.
_CURSOR = re.compile(r"(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00)_(?P<id>[1-9]\d{0,17})")
_REFERENCE = re.compile(r"C-\d{4}-\d{6}", re.IGNORECASE)
# Queue rows show these; loading them with the complaints avoids one query per row.
_ROW_OPTIONS = (
    joinedload(Complaint.merchant),
    joinedload(Complaint.category),
    joinedload(Complaint.assignee),
)


@dataclass(frozen=True)
class QueueFilter:
    """Which complaints a queue page lists.

    queue: "unassigned", "mine" or "open" (every open complaint).
    state: only this state (any state, closed ones too) instead of the open states.
    category_id, merchant_id: only complaints in this category / against this shop.
    assignee: only complaints handled by this user id, or UNASSIGNED (the supervisor's view).
    """

    queue: str = OPEN
    state: State | None = None
    category_id: int | None = None
    merchant_id: int | None = None
    assignee: int | str | None = None


@dataclass
class QueuePage:
    complaints: list[Complaint]
    next_cursor: str | None


@dataclass
class SearchResults:
    query: str
    complaints: list[Complaint] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def has_next(self) -> bool:
        return self.page < MAX_SEARCH_PAGES and self.total > self.page * SEARCH_PAGE_SIZE


def encode_cursor(complaint: Complaint) -> str:
    """The cursor of the page that starts after `complaint`: `<created_at iso>_<id>`."""
    return f"{complaint.created_at.astimezone(UTC).isoformat()}_{complaint.id}"


def decode_cursor(token: str | None) -> tuple[datetime, int] | None:
    """(created_at, id) from a cursor, or None for a missing or malformed one (the first page)."""
    match = _CURSOR.fullmatch(token or "")
    if match is None:
        return None
    try:
        at = datetime.fromisoformat(match["at"])
    except ValueError:
        return None
    return at.astimezone(UTC), int(match["id"])


def _conditions(user: User, filters: QueueFilter) -> list:
    conditions = []
    if filters.queue == UNASSIGNED:
        conditions.append(Complaint.assignee_id.is_(None))
    elif filters.queue == MINE:
        conditions.append(Complaint.assignee_id == user.id)
    if filters.assignee == UNASSIGNED:
        conditions.append(Complaint.assignee_id.is_(None))
    elif isinstance(filters.assignee, int):
        conditions.append(Complaint.assignee_id == filters.assignee)
    if filters.category_id is not None:
        conditions.append(Complaint.category_id == filters.category_id)
    if filters.merchant_id is not None:
        conditions.append(Complaint.merchant_id == filters.merchant_id)
    return conditions


def _state_slice(user: User, state: State, conditions: list, after, limit: int) -> Select:
    """Up to `limit` keys of one state after the cursor, read in index order."""
    query = (
        visible_complaints(user)
        .with_only_columns(Complaint.id, Complaint.created_at)
        .where(Complaint.state == state, *conditions)
    )
    if after is not None:
        query = query.where(tuple_(Complaint.created_at, Complaint.id) > after)
    return query.order_by(Complaint.created_at, Complaint.id).limit(limit)


def queue_keys_statement(user: User, filters: QueueFilter, after: tuple[datetime, int] | None, limit: int):
    """A SELECT of (id, created_at) of the next `limit` complaints of a queue after `after`.

    Each state is its own slice read in index order; the slices are merged by UNION ALL.
    """
    states = [filters.state] if filters.state else sorted(OPEN_STATES)
    conditions = _conditions(user, filters)
    slices = [_state_slice(user, state, conditions, after, limit).subquery() for state in states]
    if len(slices) == 1:
        keys = select(slices[0].c.id, slices[0].c.created_at)
    else:
        merged = union_all(*(select(s.c.id, s.c.created_at) for s in slices)).subquery()
        keys = select(merged.c.id, merged.c.created_at)
    return keys.order_by(keys.selected_columns.created_at, keys.selected_columns.id).limit(limit)


def queue_page(user: User, filters: QueueFilter, cursor: str | None = None) -> QueuePage:
    """One page of a staff queue, oldest first, and the cursor of the next page (None at the end).

    user: the agent or supervisor looking; complaints come through their scoped query.
    filters: which queue and filters.
    cursor: from the previous page's next_cursor; a malformed one gives the first page.
    Two queries whatever the page size: the keys, then the rows with shop, category and assignee.
    """
    size = max(1, int(current_app.config["QUEUE_PAGE_SIZE"]))
    keys = queue_keys_statement(user, filters, decode_cursor(cursor), size + 1)
    ids = [row.id for row in db.session.execute(keys)]
    has_more = len(ids) > size
    ids = ids[:size]
    complaints = []
    if ids:
        complaints = list(
            db.session.scalars(
                visible_complaints(user)
                .where(Complaint.id.in_(ids))
                .options(*_ROW_OPTIONS)
                .order_by(Complaint.created_at, Complaint.id)
            )
        )
    next_cursor = encode_cursor(complaints[-1]) if has_more and complaints else None
    return QueuePage(complaints=complaints, next_cursor=next_cursor)


def queue_filter_choices() -> tuple[list[Merchant], list[Category], list[User]]:
    """Shops, categories and staff to filter queues by (inactive shops too: their complaints stay)."""
    merchants = list(db.session.scalars(select(Merchant).order_by(Merchant.name)))
    categories = list(db.session.scalars(select(Category).order_by(Category.id)))
    return merchants, categories, assignable_staff()


def assignable_staff() -> list[User]:
    """Active agents and supervisors, by name: the people a complaint can be assigned to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([Role.AGENT, Role.SUPERVISOR]))
            .order_by(User.name, User.id)
        )
    )


def full_text_statement(user: User, query: str) -> Select | None:
    """Complaints `user` may see that match `query` in the full-text index, best first.

    None when the query has no searchable words. The index is read first and complaints are
    fetched by primary key, so no complaint is scanned.
    """
    matches = ranked_matches(query)
    if matches is None:
        return None
    return (
        visible_complaints(user)
        .join(matches, Complaint.id == matches.c.id)
        .order_by(matches.c.score, Complaint.id)
    )


def _search_statement(user: User, query: str) -> Select | None:
    if _REFERENCE.fullmatch(query):
        return visible_complaints(user).where(Complaint.reference == query.upper())
    by_order = visible_complaints(user).where(Complaint.order_reference == query)
    if db.session.scalar(by_order.with_only_columns(Complaint.id).limit(1)) is not None:
        return by_order.order_by(Complaint.created_at, Complaint.id)
    return full_text_statement(user, query)


def search(user: User, query: str | None, page: int = 1) -> SearchResults:
    """Find complaints for staff.

    user: who searches; only complaints they may see are found.
    query: a complaint reference (C-2026-000123) finds exactly that complaint; otherwise an
        order reference typed exactly finds the complaints about that order; otherwise the
        words are looked up in the full-text index, best match first.
    page: 1-based, at most MAX_SEARCH_PAGES; SEARCH_PAGE_SIZE results per page.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    page = min(max(page or 1, 1), MAX_SEARCH_PAGES)
    results = SearchResults(query=query, page=page)
    if not query:
        return results
    statement = _search_statement(user, query)
    if statement is None:
        return results
    results.total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if results.total:
        results.complaints = list(
            db.session.scalars(
                statement.options(*_ROW_OPTIONS).limit(SEARCH_PAGE_SIZE).offset((page - 1) * SEARCH_PAGE_SIZE)
            )
        )
    return results

"""The staff's work queues, the supervisors' pledge views, and complaint search.

A queue lists first the complaints with a running clock, the one about to breach first: keyset
pages over (due_at, clock id) of each complaint's earliest running clock, read over the partial
indexes of running clocks (see clock_order). The complaints with no running clock follow (waiting
on someone, or closed), oldest first: each state is read on its own over (state, created_at, id)
— or (assignee_id, state, created_at, id) — and the per-state slices are merged by UNION ALL.
A queue of closed states lists by filing only: their clocks have all stopped.

A cursor names its phase: "d:<due iso>_<clock id>" while clocks are listed, then
"c:<created iso>_<complaint id>". The supervisors' at-risk and breached views are "d:" only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import Select, exists, select, tuple_, union_all
from sqlalchemy.orm import joinedload, lazyload

from complaints.bounds import parse_id, parse_instant
from complaints.extensions import db
from complaints.models import Complaint, SlaClock, User
from complaints.participants import platform_staff_roles, visible_complaints
from complaints.prepared_statements import fixed
from complaints.services.categories import CategoryChoice, all_categories
from complaints.services.clock_order import (
    ClockSet,
    KeysQuery,
    at_risk_clocks,
    clock_keys_statement,
    overdue_clocks,
    running_clocks,
)
from complaints.sla.policy import promises_of_targets
from complaints.sla.terms import ClockStatus, clock_status, is_overdue
from complaints.timekeeping import now
from complaints.workflow import OPEN_STATES, State

UNASSIGNED = "unassigned"
MINE = "mine"
OPEN = "open"
QUEUES = (UNASSIGNED, MINE, OPEN)

DUE = "d"  # cursor phase: complaints by the due instant of their earliest running clock
FILED = "c"  # cursor phase: complaints without a running clock, by filing instant


# A cursor is exactly what encode_cursor() writes: the phase, ":", the UTC instant, "_", the id.
_CURSOR = re.compile(
    r"(?P<phase>[dc]):(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00)_(?P<id>[1-9]\d{0,17})"
)
# Queue rows show these; loading them with the complaints avoids one query per row.
ROW_OPTIONS = (
    joinedload(Complaint.merchant),  # (the category's name comes from memory: services/categories.py)
    # A row names who handles it; the handler's own shop and organisation (joined whenever a user
    # is loaded) are left to be read if ever asked for: two joins fewer for PostgreSQL to plan.
    joinedload(Complaint.assignee).options(lazyload(User.merchant), lazyload(User.mediation_org)),
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


@dataclass(frozen=True)
class Cursor:
    phase: str  # DUE or FILED
    at: datetime
    id: int  # the clock id in the DUE phase, the complaint id in the FILED phase

    @property
    def key(self) -> tuple[datetime, int]:
        return self.at, self.id


@dataclass
class QueueRow:
    """A complaint on a page and the pledge that matters most for it now.

    clock: its running clock nearest to due (else its paused one nearest to due, else None);
    more: on the breached view, its other overdue clocks.
    """

    complaint: Complaint
    clock: ClockStatus | None = None
    more: list[ClockStatus] = field(default_factory=list)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None

    @property
    def complaints(self) -> list[Complaint]:
        return [row.complaint for row in self.rows]


def encode_cursor(cursor: Cursor) -> str:
    """The text of `cursor`: `<phase>:<UTC instant iso>_<id>`."""
    return f"{cursor.phase}:{cursor.at.astimezone(UTC).isoformat()}_{cursor.id}"


def decode_cursor(token: str | None) -> Cursor | None:
    """The cursor written by encode_cursor(), or None for a missing or malformed one (the first page)."""
    match = _CURSOR.fullmatch(token or "")
    if match is None:
        return None
    at, ident = parse_instant(match["at"]), parse_id(match["id"])
    if at is None or ident is None:
        return None
    return Cursor(match["phase"], at, ident)


# --- queues --------------------------------------------------------------------------------------


def complaint_conditions(user: User, filters: QueueFilter) -> list:
    """What `filters` ask of a complaint beyond its state, as SQL conditions."""
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


def queue_states(filters: QueueFilter) -> list[State]:
    """The states a queue lists: the one asked for, else every open state."""
    return [filters.state] if filters.state else sorted(OPEN_STATES)


def _has_clocks(filters: QueueFilter) -> bool:
    """Whether the queue's complaints may have running clocks (closed states have none)."""
    return filters.state is None or filters.state in OPEN_STATES


def _has_running_clock():
    return exists().where(
        SlaClock.complaint_id == Complaint.id, SlaClock.stopped_at.is_(None), SlaClock.paused_at.is_(None)
    )


def state_slice(
    user: User, state: State, conditions: list, after, limit: int, *, newest: bool = False
) -> Select:
    """Up to `limit` keys (id, created_at) of one state after the cursor, read in index order:
    oldest first, or newest first (the index read backwards)."""
    query = (
        visible_complaints(user)
        .with_only_columns(Complaint.id, Complaint.created_at)
        .where(Complaint.state == state, *conditions)
    )
    key = tuple_(Complaint.created_at, Complaint.id)
    if after is not None:
        query = query.where(key < after if newest else key > after)
    if newest:
        return query.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(fixed(limit))
    return query.order_by(Complaint.created_at, Complaint.id).limit(fixed(limit))


def filed_keys_statement(user: User, filters: QueueFilter, after: tuple[datetime, int] | None, limit: int):
    """A SELECT of (id, created_at) of the next `limit` complaints of a queue after `after`, oldest
    first: those without a running clock (all of them for closed states). Each state is its own
    slice read in index order; the slices are merged by UNION ALL."""
    conditions = complaint_conditions(user, filters)
    if _has_clocks(filters):
        conditions.append(~_has_running_clock())
    slices = [
        state_slice(user, state, conditions, after, limit).subquery() for state in queue_states(filters)
    ]
    if len(slices) == 1:
        keys = select(slices[0].c.id, slices[0].c.created_at)
    else:
        merged = union_all(*(select(s.c.id, s.c.created_at) for s in slices)).subquery()
        keys = select(merged.c.id, merged.c.created_at)
    return keys.order_by(keys.selected_columns.created_at, keys.selected_columns.id).limit(fixed(limit))


def due_keys_statement(
    user: User, filters: QueueFilter, after: tuple[datetime, int] | None, limit: int
) -> KeysQuery:
    """A SELECT of (due_at, clock_id, complaint_id) of the next `limit` complaints of a queue that
    have a running clock, the one due soonest first (see clock_order.clock_keys_statement)."""
    return clock_keys_statement(
        user,
        running_clocks,
        queue_states(filters),
        complaint_conditions(user, filters),
        after,
        limit,
        from_complaints=filters.merchant_id is not None,
        cache_key=(user.id, user.role, filters),
    )


@dataclass(frozen=True)
class PageKey:
    """A complaint's place in a listing: the cursor that resumes after it."""

    cursor: Cursor
    complaint_id: int
    clock_id: int | None = None  # the clock that placed the complaint here


def page_size() -> int:
    """How many complaints a queue page lists."""
    return max(1, int(current_app.config["QUEUE_PAGE_SIZE"]))


def _due_keys(query: KeysQuery) -> list[PageKey]:
    return [PageKey(Cursor(DUE, r.due_at, r.clock_id), r.complaint_id, r.clock_id) for r in query.rows()]


def queue_page(user: User, filters: QueueFilter, cursor: str | None = None) -> QueuePage:
    """One page of a staff queue and the cursor of the next page (None at the end).

    Complaints with a running clock come first, the one due soonest first; then those without
    (waiting on someone, or closed), oldest first. Each row carries its running clock nearest to
    due, or else its paused one nearest to due.
    user: the agent or supervisor looking; complaints come through their scoped query.
    filters: which queue and filters.
    cursor: from the previous page's next_cursor; a malformed one gives the first page.
    A fixed number of queries whatever the page size: the keys of each phase the page reaches,
    the rows with shop, category and assignee, and the clocks of the page.
    """
    size = page_size()
    after = decode_cursor(cursor)
    keys: list[PageKey] = []
    if _has_clocks(filters) and (after is None or after.phase == DUE):
        keys = _due_keys(due_keys_statement(user, filters, after.key if after else None, size + 1))
    if len(keys) <= size:
        filed_after = after.key if after is not None and after.phase == FILED else None
        statement = filed_keys_statement(user, filters, filed_after, size + 1 - len(keys))
        listed = {key.complaint_id for key in keys}  # a clock may have stopped between the two reads
        keys += [
            PageKey(Cursor(FILED, r.created_at, r.id), r.id)
            for r in db.session.execute(statement)
            if r.id not in listed
        ]
    return page_of_keys(user, keys, size)


def page_of_keys(user: User, keys: list[PageKey], size: int, *, all_overdue: bool = False) -> QueuePage:
    """The page of the first `size` keys, in key order, each row with the clock that placed it
    (else its nearest one that has not stopped); all_overdue: its other overdue clocks, too."""
    next_cursor = encode_cursor(keys[size - 1].cursor) if len(keys) > size else None
    ids = [key.complaint_id for key in keys[:size]]
    if not ids:
        return QueuePage(rows=[], next_cursor=None)
    # The rows and their clocks that have not stopped, in one statement: a row per clock (or one
    # without a clock), nearest due first.
    complaints: dict[int, Complaint] = {}
    clocks: dict[int, list[SlaClock]] = {}
    for complaint, clock in db.session.execute(
        visible_complaints(user)
        .where(Complaint.id.in_(ids))
        .outerjoin(SlaClock, (SlaClock.complaint_id == Complaint.id) & SlaClock.stopped_at.is_(None))
        .add_columns(SlaClock)
        .order_by(SlaClock.due_at, SlaClock.id)
        .options(
            *ROW_OPTIONS, lazyload(SlaClock.target)
        )  # a status reads its promise from sla.policy's cache
    ):
        complaints[complaint.id] = complaint
        if clock is not None:
            clocks.setdefault(complaint.id, []).append(clock)
    promises_of_targets({c.target_id for own in clocks.values() for c in own})  # one read, then cached
    at = now()
    rows = []
    for key in keys[:size]:
        if key.complaint_id not in complaints:
            continue
        own = clocks.get(key.complaint_id, [])
        first = next((c for c in own if c.id == key.clock_id), None) or next(iter(own), None)
        more = [c for c in own if c is not first and is_overdue(c, at)] if all_overdue else []
        rows.append(
            QueueRow(
                complaints[key.complaint_id],
                clock_status(first, at) if first else None,
                [clock_status(c, at) for c in more],
            )
        )
    return QueuePage(rows=rows, next_cursor=next_cursor)


# --- supervisors' pledge views ------------------------------------------------------------------


def at_risk_page(user: User, cursor: str | None = None) -> QueuePage:
    """Open complaints with a running clock past its warning point and not yet due, nearest due first.

    user: the supervisor looking. cursor: from the previous page ("d:..."), None for the first.
    Each row shows that clock. A clock is listed as soon as its warning point passes, whether
    or not the sweep has marked it yet.
    """
    return _pledge_page(user, at_risk_clocks, cursor)


def breached_page(user: User, cursor: str | None = None) -> QueuePage:
    """Open complaints with a broken pledge not yet kept, the most overdue first.

    A clock is overdue from its due instant until it stops: running, or paused while waiting on
    someone. Each row shows the overdue clock that fell due first, then any other overdue one.
    user: the supervisor looking. cursor: from the previous page ("d:..."), None for the first.
    """
    return _pledge_page(user, overdue_clocks, cursor, all_overdue=True)


def _pledge_page(
    user: User, clock_set: ClockSet, cursor: str | None, *, all_overdue: bool = False
) -> QueuePage:
    size = page_size()
    after = decode_cursor(cursor)
    after_key = after.key if after is not None and after.phase == DUE else None
    query = clock_keys_statement(
        user, clock_set, sorted(OPEN_STATES), [], after_key, size + 1, cache_key=(user.id, user.role)
    )
    return page_of_keys(user, _due_keys(query), size, all_overdue=all_overdue)


def queue_filter_choices(*, with_staff: bool = True) -> tuple[tuple[CategoryChoice, ...], list[User]]:
    """Categories and staff to filter queues by (shops are typed: there are too many to list).
    with_staff: False for a viewer who does not filter by assignee (no staff are read)."""
    return all_categories(), assignable_staff() if with_staff else []


def assignable_staff() -> list[User]:
    """The platform's active staff (agents and supervisors), by name: whom a complaint can be assigned to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(fixed(platform_staff_roles(), User.role.type)))
            .order_by(User.name, User.id)
        )
    )

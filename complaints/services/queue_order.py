"""The queue in another order than the pledges': by age (oldest or newest first) or by priority.

By age, a queue is read state by state over its filter's own (..., state, created_at, id) index
(ix_complaints_state_created when it is not narrowed), as the due order's second phase is, and
the slices are merged by UNION ALL: SQLite's planner preferred the state index and a sort of
every open complaint to a partial index of open complaints by age, so there is none.

By priority (urgent, then high, then normal; oldest first within each), every level is an arm
read over ix_complaints_open_priority_created (priority, created_at, id), and the arms are
merged in that order. A priority is stored as its name, whose alphabetical order is not its
urgency: the order comes from the arms, never from sorting the open complaints. Only open
complaints are in that index, so a queue of a closed state is listed by age instead.

The priority index is over `state IN ('received', 'verified', 'mediated')`, and a query uses
one only when its WHERE clause spells that term the same way: the states are written as literals
in the index's order (bound values would hide the term from PostgreSQL's generic plans), and
SQLite, whose statistics favour the state index and a sort, is told which index to read.

A cursor names its phase: "oldest:" or "newest:", or the priority whose arm it stopped in
("urgent:", "high:", "normal:"), then "<created iso>_<complaint id>". A cursor of another order
is the first page.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, and_, case, literal_column, or_, select, tuple_, union_all

from complaints.bounds import parse_id, parse_instant
from complaints.extensions import db
from complaints.models import Complaint, Priority, User
from complaints.participants import visible_complaints
from complaints.prepared_statements import fixed
from complaints.services.queues import (
    OPEN,
    Cursor,
    PageKey,
    QueueFilter,
    QueuePage,
    complaint_conditions,
    page_of_keys,
    page_size,
    queue_page,
    queue_states,
    state_slice,
)
from complaints.workflow import OPEN_STATES, State

BY_DUE = "due"  # the pledges' order (queues.queue_page): nearest due first
OLDEST = "oldest"
NEWEST = "newest"
BY_PRIORITY = "priority"
SORTS = (BY_DUE, OLDEST, NEWEST, BY_PRIORITY)

# Most urgent first: the order of the arms, and of a priority cursor's phases.
PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL)
PRIORITY_ORDER_NAMES = tuple(level.value for level in PRIORITY_ORDER)

_CURSOR = re.compile(
    r"(?P<phase>oldest|newest|urgent|high|normal):"
    r"(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00)_(?P<id>[1-9]\d{0,17})"
)
# The partial index's term, state by state in the order the index spells it.
_OPEN_IN_INDEX_ORDER = tuple(state for state in State if state in OPEN_STATES)


def effective_sort(filters: QueueFilter, sort: str | None) -> str:
    """The order a queue is listed in when `sort` is asked for: an unknown one is the pledges'
    order, and priority lists a closed state by age (only open complaints have a priority index)."""
    if sort not in SORTS:
        return BY_DUE
    if sort == BY_PRIORITY and filters.state is not None and filters.state not in OPEN_STATES:
        return OLDEST
    return sort


def sorted_queue_page(
    user: User, filters: QueueFilter, sort: str | None, cursor: str | None = None
) -> QueuePage:
    """One page of a staff queue in the order `sort` names, and the cursor of the next page.

    user: the agent or supervisor looking; complaints come through their scoped query.
    filters: which queue and filters.
    sort: BY_DUE, OLDEST, NEWEST or BY_PRIORITY (see effective_sort for what else is read).
    cursor: from the previous page's next_cursor; a malformed one, or one of another order, gives
    the first page. Each row carries its running clock nearest to due, or else its paused one.
    """
    sort = effective_sort(filters, sort)
    if sort == BY_DUE:
        return queue_page(user, filters, cursor)
    size = page_size()
    after = _decode(cursor, PRIORITY_ORDER_NAMES if sort == BY_PRIORITY else (sort,))
    if sort == BY_PRIORITY:
        statement = priority_keys_statement(user, filters, after, size + 1)
        phase_of = {rank: level.value for rank, level in enumerate(PRIORITY_ORDER)}
        keys = [
            PageKey(Cursor(phase_of[int(r.rank)], r.created_at, r.id), r.id)
            for r in db.session.execute(statement)
        ]
    else:
        statement = age_keys_statement(
            user, filters, after.key if after else None, size + 1, newest=sort == NEWEST
        )
        keys = [PageKey(Cursor(sort, r.created_at, r.id), r.id) for r in db.session.execute(statement)]
    return page_of_keys(user, keys, size)


def _decode(token: str | None, phases: tuple[str, ...]) -> Cursor | None:
    match = _CURSOR.fullmatch(token or "")
    if match is None or match["phase"] not in phases:
        return None
    at, ident = parse_instant(match["at"]), parse_id(match["id"])
    if at is None or ident is None:
        return None
    return Cursor(match["phase"], at, ident)


def open_states_term():
    """`state IN ('received', 'verified', 'mediated')` exactly as the partial index says it."""
    return Complaint.state.in_([literal_column(f"'{state.value}'") for state in _OPEN_IN_INDEX_ORDER])


def age_keys_statement(
    user: User, filters: QueueFilter, after, limit: int, *, newest: bool = False
) -> Select:
    """A SELECT of (id, created_at) of the next `limit` complaints of a queue after the key
    `after` (created_at, id), oldest first or newest first: each state read in index order,
    the slices merged (a state's slice is at most `limit` rows, so nothing large is sorted)."""
    conditions = complaint_conditions(user, filters)
    slices = [
        state_slice(user, state, conditions, after, limit, newest=newest).subquery()
        for state in queue_states(filters)
    ]
    if len(slices) == 1:
        keys = select(slices[0].c.id, slices[0].c.created_at)
    else:
        merged = union_all(*(select(s.c.id, s.c.created_at) for s in slices)).subquery()
        keys = select(merged.c.id, merged.c.created_at)
    created, ident = keys.selected_columns.created_at, keys.selected_columns.id
    order = (created.desc(), ident.desc()) if newest else (created, ident)
    return keys.order_by(*order).limit(fixed(limit))


def visible_complaints_keys(user: User) -> Select:
    """The (id, created_at) of the complaints `user` may see."""
    return visible_complaints(user).with_only_columns(Complaint.id, Complaint.created_at)


def _in_age_order(query: Select, after, newest: bool) -> Select:
    key = tuple_(Complaint.created_at, Complaint.id)
    if after is not None:
        query = query.where(key < after if newest else key > after)
    if newest:
        return query.order_by(Complaint.created_at.desc(), Complaint.id.desc())
    return query.order_by(Complaint.created_at, Complaint.id)


def priority_keys_statement(user: User, filters: QueueFilter, after: Cursor | None, limit: int) -> Select:
    """A SELECT of (rank, id, created_at) of the next `limit` open complaints of a queue after the
    cursor `after`, most urgent first (rank 0 is urgent), oldest first within a priority.

    The open queue reads one arm per priority from the cursor's on over the open priority index:
    the cursor's own arm from after its key, the later ones from their start; a category (a large
    share of the open complaints) is checked row by row there. A queue narrowed to a few (a tab,
    a state, a shop, an assignee) reads its own complaints over its filter's index instead and
    orders them: the priority index's arms would read most of the open complaints to find those
    few (at a million complaints, 20 ms for the unassigned ones, against 4 ms this way; for a
    category, 1 ms by the arms against 10 ms this way)."""
    conditions = complaint_conditions(user, filters)
    if _narrowed(filters):
        return _narrowed_by_priority(user, filters, conditions, after, limit)
    first = PRIORITY_ORDER_NAMES.index(after.phase) if after is not None else 0
    arms = []
    for rank in range(first, len(PRIORITY_ORDER)):
        query = visible_complaints_keys(user).add_columns(literal_column(str(rank)).label("rank"))
        query = query.where(open_states_term(), Complaint.priority == PRIORITY_ORDER[rank], *conditions)
        arms.append(
            _in_age_order(query, after.key if rank == first and after else None, False).limit(fixed(limit))
        )
    subqueries = [arm.subquery() for arm in arms]
    if len(subqueries) == 1:
        keys = select(subqueries[0].c.rank, subqueries[0].c.id, subqueries[0].c.created_at)
    else:
        merged = union_all(*(select(s.c.rank, s.c.id, s.c.created_at) for s in subqueries)).subquery()
        keys = select(merged.c.rank, merged.c.id, merged.c.created_at)
    columns = keys.selected_columns
    return keys.order_by(columns.rank, columns.created_at, columns.id).limit(fixed(limit))


def _narrowed(filters: QueueFilter) -> bool:
    """Whether a queue is a small part of the open complaints (anything but a category)."""
    return bool(filters.queue != OPEN or filters.state or filters.merchant_id is not None or filters.assignee)


def _narrowed_by_priority(
    user: User, filters: QueueFilter, conditions: list, after: Cursor | None, limit: int
):
    rank = case({level: index for index, level in enumerate(PRIORITY_ORDER)}, value=Complaint.priority)
    states = Complaint.state == filters.state if filters.state is not None else open_states_term()
    query = visible_complaints_keys(user).add_columns(rank.label("rank")).where(states, *conditions)
    if after is not None:
        at = PRIORITY_ORDER_NAMES.index(after.phase)
        query = query.where(
            or_(rank > at, and_(rank == at, tuple_(Complaint.created_at, Complaint.id) > after.key))
        )
    return query.order_by(rank, Complaint.created_at, Complaint.id).limit(fixed(limit))

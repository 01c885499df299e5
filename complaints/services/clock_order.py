"""Complaints in the order their pledges fall due: keyset reads over the partial indexes of clocks.

A listing follows a set of clocks (running ones for the queues; those at risk or overdue for the
supervisors). Each set is a few disjoint arms, each a list of conditions matching one partial
index of sla_clocks, read in (due_at, id) order; the arms are merged by UNION ALL. A complaint is
listed once, by its earliest clock of the set: a later clock of the same complaint is skipped
(NOT EXISTS an earlier one, probed through ix_sla_clocks_complaint_kind; a complaint has at most
a few clocks), so a page costs a few index rows per complaint, however many complaints there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from complaints.extensions import db
from complaints.models import Complaint, SlaClock, User
from complaints.models.types import UTCDateTime
from complaints.participants import sees_every_complaint, visible_complaints
from complaints.prepared_statements import fixed
from complaints.timekeeping import now
from complaints.workflow import OPEN_STATES, State

# A set of clocks is a few disjoint arms, each a tuple of conditions that imply the WHERE clause of
# one partial index, which that arm is read over in (due_at, id) order.
ClockSet = Callable[[type[SlaClock], datetime], list[tuple]]

# The other clocks a condition looks at, aliased once: an alias is immutable, and making one
# (with its column proxies) cost more than the rest of building a page's statement.
_UNMARKED = aliased(SlaClock, name="unmarked")
_EARLIER = aliased(SlaClock, name="earlier")


def running_clocks(clock, at: datetime) -> list[tuple]:
    """Clocks counting now (not stopped, not paused): not yet overdue (ix_sla_clocks_due_running),
    or overdue (ix_sla_clocks_due_breached)."""
    counting = (clock.stopped_at.is_(None), clock.paused_at.is_(None))
    return [(*counting, clock.breached_at.is_(None)), (*counting, clock.breached_at.is_not(None))]


# The sets below are sla.terms' "at risk" and "overdue" written as SQL over the partial indexes;
# tests/integration/test_pledge_terms.py checks that both say the same of every clock.


def at_risk_clocks(clock, at: datetime) -> list[tuple]:
    """Counting clocks past their warning point at `at` and not yet due: marked by the sweep
    (ix_sla_clocks_due_warned), or not yet — the few whose warning point passed since the sweep
    last ran, picked from ix_sla_clocks_warn_running.

    Both are written for PostgreSQL's planner, whose statistics describe the whole table, where
    nearly every clock stopped long ago: "due from now on" would look like a few dozen clocks
    (there are thousands) and "warning point passed" like tens of thousands (the sweep leaves a
    handful), so it would sort everything instead of reading the index in order, and hash every
    running clock to find those few. Hence `not_due_yet` hides the range from the estimate, and
    the few unmarked ids are read first (one index range) and looked up by primary key."""
    counting = (
        clock.stopped_at.is_(None),
        clock.paused_at.is_(None),
        clock.breached_at.is_(None),
        _not_due_yet(clock, at),
    )
    unmarked = _UNMARKED
    warning_passed = select(unmarked.id).where(
        unmarked.stopped_at.is_(None),
        unmarked.paused_at.is_(None),
        unmarked.warned_at.is_(None),
        unmarked.warn_at <= at,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        passed = clock.id == func.any(func.array(warning_passed.scalar_subquery()))
    else:
        passed = clock.id.in_(warning_passed)
    return [(*counting, clock.warned_at.is_not(None)), (*counting, passed)]


def _not_due_yet(clock, at: datetime):
    """due_at >= at (a due_at is never NULL), in a form the planner estimates without due_at's
    histogram (see at_risk_clocks)."""
    return func.coalesce(clock.due_at, at) >= at


def overdue_clocks(clock, at: datetime) -> list[tuple]:
    """Clocks not stopped whose pledge is broken at `at`: marked by the sweep or at a late pause,
    paused ones too (ix_sla_clocks_due_breached), or past due and not yet marked
    (ix_sla_clocks_due_running)."""
    return [
        (clock.stopped_at.is_(None), clock.breached_at.is_not(None)),
        (
            clock.stopped_at.is_(None),
            clock.paused_at.is_(None),
            clock.breached_at.is_(None),
            clock.due_at < at,
        ),
    ]


def _earlier_clock_in_set(clock_set: ClockSet, at: datetime):
    """The outer clock's complaint has an earlier clock of the same set: it is listed by that one.

    "Earlier" is spelled out with OR rather than as a row comparison: PostgreSQL turns a row
    comparison into a due_at range and probes each complaint through a due-ordered index, one
    scan over thousands of clocks per row (1.3 s for the at-risk list at a million complaints),
    where the complaint's own few clocks (ix_sla_clocks_complaint_kind) are all there is to read."""
    other = _EARLIER
    return exists().where(
        other.complaint_id == SlaClock.complaint_id,
        or_(*(and_(*arm) for arm in clock_set(other, at))),
        or_(other.due_at < SlaClock.due_at, and_(other.due_at == SlaClock.due_at, other.id < SlaClock.id)),
    )


def state_condition(states: list[State]):
    return Complaint.state == states[0] if len(states) == 1 else Complaint.state.in_(states)


@dataclass(frozen=True)
class KeysQuery:
    """A SELECT of (due_at, clock_id, complaint_id), and the values of its page's cursor."""

    statement: Select
    params: dict = field(default_factory=dict)

    def rows(self):
        return db.session.execute(self.statement, self.params)


def clock_keys_statement(
    user: User,
    clock_set: ClockSet,
    states: list[State],
    conditions: list,
    after: tuple[datetime, int] | None,
    limit: int,
    *,
    from_complaints: bool = False,
    cache_key: tuple | None = None,
) -> KeysQuery:
    """A SELECT of (due_at, clock_id, complaint_id) of the next `limit` complaints after `after`
    (a (due_at, clock id) key), each by its earliest clock of `clock_set`, nearest due first.

    user: complaints come through their scoped query. states, conditions: which complaints.
    Each arm is read over its partial index, and each clock's complaint is checked by primary key
    (an EXISTS, not a join: joined, SQLite would start from the complaints' state index and sort).
    from_complaints: join instead, and let the database start from a selective complaint index
    (a shop's complaints are few, and their clocks spread over the whole clock index).
    cache_key: what, besides the arguments, decides the statement (the viewer and their filters):
    given, the statement is built once per process and reused, the cursor's values being
    parameters of the query rather than part of the statement.
    """
    params = {} if after is None else {"after_due": after[0], "after_id": after[1]}
    # "now" is taken when the statement runs, so a statement can be kept and reused
    key = (
        cache_key,
        clock_set,
        tuple(states),
        limit,
        from_complaints,
        after is not None,
        db.session.get_bind().dialect.name,
    )
    if cache_key is not None:
        kept = _STATEMENTS.get(key)
        if kept is not None:
            return KeysQuery(kept, params)
    at = bindparam("at", callable_=now, type_=UTCDateTime)
    # Every clock of a set has not stopped, and such a clock belongs to an open complaint (sla.clocks
    # stops them all at a decision or a withdrawal): asked for every open state, the state needs no
    # check, and a viewer who sees every complaint with no other condition needs no complaint at all.
    every_open = set(states) >= OPEN_STATES
    complaint_ok = (*(() if every_open else (state_condition(states),)), *conditions)
    probe_complaints = from_complaints or complaint_ok or not sees_every_complaint(user)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    slices = []
    for arm in clock_set(SlaClock, at):
        if from_complaints:
            query = (
                visible_complaints(user)
                .join(SlaClock, SlaClock.complaint_id == Complaint.id)
                .where(*complaint_ok)
            )
        elif probe_complaints:
            listed = (
                visible_complaints(user)
                .with_only_columns(Complaint.id)
                .where(Complaint.id == SlaClock.complaint_id, *complaint_ok)
            )
            if postgres:
                # OFFSET 0 keeps PostgreSQL from turning the probe into a join, whose estimate
                # (from complaints' statistics, where nearly all are closed) makes it hash and
                # sort every running clock; as a probe it reads the clocks in due order and stops.
                listed = listed.offset(0)
            query = select(SlaClock).where(listed.exists())
        else:
            query = select(SlaClock)
        query = query.with_only_columns(
            SlaClock.due_at, SlaClock.id.label("clock_id"), SlaClock.complaint_id.label("complaint_id")
        ).where(*arm, ~_earlier_clock_in_set(clock_set, at))
        if after is not None:
            query = query.where(tuple_(SlaClock.due_at, SlaClock.id) > tuple_(_AFTER_DUE, _AFTER_ID))
        slices.append(query.order_by(SlaClock.due_at, SlaClock.id).limit(fixed(limit)).subquery())
    merged = union_all(*(select(s.c.due_at, s.c.clock_id, s.c.complaint_id) for s in slices)).subquery()
    statement = select(merged).order_by(merged.c.due_at, merged.c.clock_id).limit(fixed(limit))
    if cache_key is not None:
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        _STATEMENTS[key] = statement
    return KeysQuery(statement, params)


# A page's cursor, as parameters: the statement stays the same from page to page.
_AFTER_DUE = bindparam("after_due", type_=UTCDateTime)
_AFTER_ID = bindparam("after_id", type_=Integer)

# Pages' statements, by who looks and what they filter, first or further pages (building one
# cost about 1 ms, as much as running it, and SQLAlchemy then worked out its cache key again).
# Statements are immutable; "now" and the cursor are the parameters.
_STATEMENTS: dict[tuple, Select] = {}
_STATEMENTS_KEPT = 1024

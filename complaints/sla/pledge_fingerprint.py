"""The pledge's fingerprint: what decides the promises in force, read once per session.

The newest policy version, the active policies, the calendars' last change and day count, the
categories: any change to these, by any process, changes the fingerprint, and whatever a process
keeps from those tables (sla/policy.py's promises and calendars, services/categories.py) it keeps
under it. It costs no statement of its own: it rides on the signed-in user's
(`read_with_fingerprint`), and a change this process flushes has it read again at once.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import String, event, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from complaints.extensions import db
from complaints.models import CalendarDay, Category, SlaPolicy, SlaPolicyVersion, SlaTarget, WorkCalendar

_PLEDGE_MODELS = (SlaPolicy, SlaPolicyVersion, SlaTarget, WorkCalendar, CalendarDay, Category)
_flushes = 0  # pledge changes flushed by this process


@event.listens_for(Session, "after_flush")
def _reread_after_change(session, flush_context) -> None:
    """A pledge change flushed here: fingerprints read before it are stale (in every session)."""
    global _flushes
    if any(isinstance(obj, _PLEDGE_MODELS) for obj in (*session.new, *session.dirty, *session.deleted)):
        _flushes += 1


@event.listens_for(Session, "after_commit")
def _reread_after_commit(session) -> None:
    session.info.pop("pledge_fingerprint", None)


def fingerprint() -> tuple:
    """What decides the promises in force, read once per session: the newest version, the active
    policies, the calendars' last change, the categories they apply to; with the database it was
    read from. Whatever a process keeps from these tables it keeps under this key."""
    memo = db.session.info.get("pledge_fingerprint")
    if memo is not None and memo[0] == _flushes:
        return memo[1]
    read_with_fingerprint(_NOTHING_ELSE)
    return db.session.info["pledge_fingerprint"][1]


_NOTHING_ELSE = select()  # the fingerprint read alone


def read_with_fingerprint(statement, params: dict | None = None):
    """The first row of `statement` (None if none), read in one round trip with the fingerprint,
    which the session then keeps: a request's first statement (the signed-in user's) reads it.

    statement: built once, its values bound by name in `params`. The statement with the
    fingerprint is then built once too, and SQLAlchemy finds it compiled without walking it
    again: building and walking it took a fifth of a millisecond, on every request.
    """
    flushes = _flushes
    bind = db.session.get_bind()
    dialect = bind.dialect.name
    row = db.session.execute(_with_fingerprint(statement, dialect), params).first()
    if row is None:
        return None
    width = len(fingerprint_columns(dialect))
    db.session.info["pledge_fingerprint"] = (flushes, (str(bind.url), *row[-width:]))
    return row[:-width]


@lru_cache(maxsize=16)
def _with_fingerprint(statement, dialect: str):
    """`statement` with the fingerprint's columns (kept per statement object: pass one built once)."""
    return statement.add_columns(*fingerprint_columns(dialect))


@lru_cache(maxsize=4)
def fingerprint_columns(dialect: str) -> tuple:
    """The fingerprint as scalar subqueries, built once per kind of database: read alone, or
    added to a statement a request makes anyway."""
    ids = SlaPolicy.id.cast(String)
    category = (
        Category.id.cast(String)
        + "|"
        + Category.code
        + "|"
        + Category.name_zh
        + "|"
        + Category.name_en
        + "|"
        + Category.active.cast(String)
    )
    if dialect == "postgresql":
        active = func.string_agg(ids, aggregate_order_by(literal_column("','"), SlaPolicy.id))
        categories = func.string_agg(category, aggregate_order_by(literal_column("'\n'"), Category.id))
    else:  # SQLite concatenates in the order it reads, by primary key here
        active = func.group_concat(ids, ",")
        categories = func.group_concat(category, "\n")
    return (
        select(func.max(SlaPolicyVersion.id)).scalar_subquery(),
        select(active).where(SlaPolicy.active.is_(True)).scalar_subquery(),
        select(func.max(WorkCalendar.updated_at)).scalar_subquery(),
        select(func.count(CalendarDay.id)).scalar_subquery(),
        select(categories).scalar_subquery(),
    )

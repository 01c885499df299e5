"""The admin audit log: each change to accounts, the pledge, calendars and reference lists, and
who made it, appended by the use case that makes it; and the log read back, newest first.

The entries are append-only (models/admin_audit.py refuses updates and deletes). The use cases call
`record` after their change is flushed; the caller commits both together, or rolls both back.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from complaints.bounds import keyset_cursor, parse_keyset_cursor
from complaints.extensions import db
from complaints.models import AUDIT_SUBJECTS, AdminAction, AdminAuditEntry, User
from complaints.timekeeping import now

logger = logging.getLogger(__name__)

SYSTEM = "system"  # the actor filter for what the system did (no signed-in admin: CLI, seed)

# A cursor is exactly what _encode_cursor writes: the entry's UTC instant, "_", its id.


def record(
    actor: User | None, action: AdminAction, subject_type: str, subject_id: int, **detail
) -> AdminAuditEntry:
    """Append one entry to the admin audit log, and say so in the application log; the caller commits.

    actor: the admin who did it; None for the system (CLI, seed).
    action: what was done.
    subject_type: what it was done to, one of AUDIT_SUBJECTS ("user", "policy", ...).
    subject_id: the id of that row.
    detail: what matters about the change, e.g. name="Service pledge", version=2, or
      changes=changes(before, after); dates, decimals and enums are stored as text.
    """
    if subject_type not in AUDIT_SUBJECTS:
        raise ValueError(f"unknown audit subject {subject_type!r}")
    action = AdminAction(action)
    entry = AdminAuditEntry(
        created_at=now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=_plain(detail),
    )
    db.session.add(entry)
    # The detail (names, emails, notes) stays in the database; the log line says who did what.
    logger.info(
        "admin audit: %s on %s %s by %s",
        action.value,
        subject_type,
        subject_id,
        f"user {actor.id}" if actor is not None else "the system",
    )
    return entry


def changes(before: Mapping, after: Mapping) -> dict:
    """The values that differ between `before` and `after`, as {name: [before, after]}."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in {**before, **after}
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def _plain(value):
    """`value` as JSON can hold it: enums by value, dates and instants in ISO 8601, decimals as text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


# --- Reading the log ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a page of the log lists; None everywhere lists them all.

    action: only this action.
    actor: only what this user id did, or SYSTEM for what the system did.
    subject_type, subject_id: only entries about this kind of thing (and this one of them).
    since: only entries made at or after this instant; until: only those made before it.
    """

    action: AdminAction | None = None
    actor: int | str | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class AuditPage:
    """One page of the log, newest first, and the cursor of the next page (None at the end)."""

    entries: list[AdminAuditEntry]
    next_cursor: str | None


def list_entries(filters: AuditFilter, after: str | None = None, size: int = 50) -> AuditPage:
    """One page of the admin audit log, newest first (keyset over created_at, id).

    filters: which entries (see AuditFilter).
    after: the previous page's next_cursor; None, or a malformed cursor, gives the first page.
    size: entries per page.
    """
    query = select(AdminAuditEntry).where(*_conditions(filters))
    cursor = decode_cursor(after)
    if cursor is not None:
        at, entry_id = cursor
        query = query.where(
            or_(
                AdminAuditEntry.created_at < at,
                and_(AdminAuditEntry.created_at == at, AdminAuditEntry.id < entry_id),
            )
        )
    query = (
        query.options(selectinload(AdminAuditEntry.actor))
        .order_by(AdminAuditEntry.created_at.desc(), AdminAuditEntry.id.desc())
        .limit(size + 1)
    )
    rows = list(db.session.scalars(query))
    has_more = len(rows) > size
    rows = rows[:size]
    return AuditPage(entries=rows, next_cursor=_encode_cursor(rows[-1]) if has_more and rows else None)


def _conditions(filters: AuditFilter) -> list:
    conditions = []
    if filters.action is not None:
        conditions.append(AdminAuditEntry.action == filters.action)
    if filters.actor == SYSTEM:
        conditions.append(AdminAuditEntry.actor_id.is_(None))
    elif filters.actor is not None:
        conditions.append(AdminAuditEntry.actor_id == filters.actor)
    if filters.subject_type is not None:
        conditions.append(AdminAuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        conditions.append(AdminAuditEntry.subject_id == filters.subject_id)
    if filters.since is not None:
        conditions.append(AdminAuditEntry.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(AdminAuditEntry.created_at < filters.until)
    return conditions


def _encode_cursor(entry: AdminAuditEntry) -> str:
    return keyset_cursor(entry.created_at, entry.id)


def decode_cursor(token: str | None) -> tuple[datetime, int] | None:
    """The (instant, id) a cursor names, or None for a missing or malformed one (the first page)."""
    return parse_keyset_cursor(token)


def list_actors() -> list[User]:
    """The accounts whose changes the log holds, by name (a scan of the log: admins' changes are few)."""
    actor_ids = select(AdminAuditEntry.actor_id).where(AdminAuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(actor_ids)).order_by(User.name, User.id)))

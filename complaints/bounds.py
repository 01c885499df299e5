"""What a value from outside may be before it reaches the database, for every layer to use.

An id is a positive integer that fits the columns on every database we run on (a 32-bit INTEGER
on PostgreSQL; SQLite's are wider); an instant lies within a sane range of years. Values outside
are "nothing" (None) for the caller to answer as not found, the first page, or a message.
complaints/web/params.py builds the URL converter and form fields on these rules.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

ID_MAX = 2**31 - 1
YEARS = (2000, 2200)  # instants outside these years are typing slips or attacks
_ASCII_ID = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)


def parse_id(text) -> int | None:
    """The positive id `text` names (ASCII digits, within ID_MAX), or None."""
    text = str(text if text is not None else "").strip()
    if not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= ID_MAX else None


def within_years(instant: datetime | None) -> datetime | None:
    """`instant` as aware UTC if it lies within YEARS, else None (a naive instant is taken as UTC)."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC) if YEARS[0] <= instant.year <= YEARS[1] else None


def parse_instant(text) -> datetime | None:
    """An ISO 8601 instant within YEARS (as aware UTC), or None when absent, malformed or absurd."""
    try:
        return within_years(datetime.fromisoformat(str(text)))
    except (TypeError, ValueError, OverflowError):
        return None


def find(model, value):
    """The row of `model` whose primary key `value` names (an int or its text), or None when there
    is none or `value` is no id at all: never an overflow in the driver."""
    if isinstance(value, bool):
        return None
    row_id = value if isinstance(value, int) and 0 < value <= ID_MAX else parse_id(value)
    if row_id is None:
        return None
    from complaints.extensions import db

    return db.session.get(model, row_id)


# A keyset cursor: an instant in UTC and an id, "<iso instant>_<id>", as keyset_cursor() writes it.
_KEYSET = re.compile(
    r"(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00)_(?P<id>[0-9]{1,20})", re.ASCII
)


def keyset_cursor(at: datetime, row_id: int) -> str:
    """The text of a (instant, id) position in a list ordered by both."""
    return f"{at.astimezone(UTC).isoformat()}_{row_id}"


def parse_keyset_cursor(token: str | None) -> tuple[datetime, int] | None:
    """The (instant, id) keyset_cursor() wrote, or None for a missing, malformed or out-of-bounds
    one (the caller shows the first page)."""
    match = _KEYSET.fullmatch(token or "")
    if match is None:
        return None
    at, row_id = parse_instant(match["at"]), parse_id(match["id"])
    return (at, row_id) if at is not None and row_id is not None else None

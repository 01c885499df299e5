"""Staff search: a reference, an order number, or words in the complaint (full-text index).

The count a search shows is true, or says that it is a lower bound. Matches are read from the
index newest first, at most SCAN_LIMIT of them when a state, a shop or the searcher's scope
leaves some out (else SHOWN_LIMIT + 1: every one read is shown, and one more says "more than");
the newest SHOWN_LIMIT that pass the filters are shown, best match first. When more pass, the page says "more than 500" and offers to narrow by
filing date (an id range, so it stays on the index), state or shop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select

from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.participants import sees_every_complaint, visible_complaints
from complaints.prepared_statements import PLAN_EACH_TIME
from complaints.services.queues import ROW_OPTIONS
from complaints.services.search import ranked_matches
from complaints.workflow import State

SEARCH_PAGE_SIZE = 25
SHOWN_LIMIT = 500
MAX_SEARCH_PAGES = SHOWN_LIMIT // SEARCH_PAGE_SIZE
SCAN_LIMIT = 20_000
MAX_QUERY_LENGTH = 200

_REFERENCE = re.compile(r"C-\d{4}-\d{6}", re.IGNORECASE)

EXACT, MORE_THAN, AT_LEAST = "exact", "more_than", "at_least"


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search: a state, a shop, filing dates (inclusive, in the platform's zone)."""

    state: State | None = None
    merchant_id: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.state, self.merchant_id, self.filed_from, self.filed_to))


@dataclass
class SearchResults:
    query: str
    complaints: list[Complaint] = field(default_factory=list)
    total: int = 0
    certainty: str = EXACT  # EXACT, MORE_THAN (total is a cap) or AT_LEAST (not every match was read)
    page: int = 1

    @property
    def has_next(self) -> bool:
        return self.page < MAX_SEARCH_PAGES and min(self.total, SHOWN_LIMIT) > self.page * SEARCH_PAGE_SIZE


def _filed_on_or_after(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(0), zone)


def first_id_filed_from(instant: datetime) -> int | None:
    """The smallest complaint id filed at or after `instant`, by binary search over primary keys
    (ids follow the order of filing): a few index probes whatever the number of complaints."""
    low, high = 1, db.session.scalar(select(func.max(Complaint.id))) or 0
    found = None
    while low <= high:
        middle = (low + high) // 2
        row = db.session.execute(
            select(Complaint.id, Complaint.created_at)
            .where(Complaint.id >= middle)
            .order_by(Complaint.id)
            .limit(1)
        ).first()
        if row is None:
            high = middle - 1
        elif row.created_at >= instant:
            found, high = row.id, middle - 1
        else:
            low = row.id + 1
    return found


def _id_range(filters: SearchFilters) -> tuple[int, int] | None:
    if filters.filed_from is None and filters.filed_to is None:
        return None
    low = first_id_filed_from(_filed_on_or_after(filters.filed_from)) if filters.filed_from else 1
    high = 2**63 - 1
    if filters.filed_to is not None:
        after = first_id_filed_from(_filed_on_or_after(filters.filed_to + timedelta(days=1)))
        high = after - 1 if after is not None else high
    return (low or 2**63 - 1, high)


def _filtered(statement: Select, filters: SearchFilters) -> Select:
    if filters.state is not None:
        statement = statement.where(Complaint.state == filters.state)
    if filters.merchant_id is not None:
        statement = statement.where(Complaint.merchant_id == filters.merchant_id)
    return statement


def _scan_limit(user: User, filters: SearchFilters) -> int:
    """How many matches to read from the index: enough for the filters to leave SHOWN_LIMIT."""
    if filters.state is None and filters.merchant_id is None and sees_every_complaint(user):
        return SHOWN_LIMIT + 1  # nothing is left out after the index
    return SCAN_LIMIT


# A rare word is best read from the index differently from a common one: planned for its words
# every time, never prepared once for all (complaints/prepared_statements.py).
_BY_ITS_WORDS = {PLAN_EACH_TIME: True}


def _matches(user: User, query: str, filters: SearchFilters):
    """The index's newest matches of `query` within the filters' filing dates, as many as
    _scan_limit says (the id range is worked out once here: with dates it costs a few primary-key
    probes)."""
    return ranked_matches(query, _scan_limit(user, filters), _id_range(filters))


def full_text_statement(
    user: User, query: str, filters: SearchFilters = SearchFilters(), matches=None
) -> Select | None:
    """(id, score) of the complaints `user` may see that match `query` and `filters`, among the
    newest SCAN_LIMIT matches of the index, newest first; at most SHOWN_LIMIT + 1 of them (one
    more than is shown tells "more than").

    None when the query has no searchable words. The index is read first and complaints are
    fetched by primary key, so no complaint is scanned. matches: _matches(query, filters), when
    the caller has it already.
    """
    matches = matches if matches is not None else _matches(user, query, filters)
    if matches is None:
        return None
    joined = (
        visible_complaints(user)
        .join(matches, Complaint.id == matches.c.id)
        .with_only_columns(Complaint.id, matches.c.score)
    )
    statement = _filtered(joined, filters).order_by(Complaint.id.desc()).limit(SHOWN_LIMIT + 1)
    return statement.execution_options(**_BY_ITS_WORDS)


def _scanned_every_match(matches) -> bool:
    """Whether the index had fewer than SCAN_LIMIT matches (so the filters saw every one).
    Reading SHOWN_LIMIT + 1, fewer than SHOWN_LIMIT + 1 hits mean every match was read."""
    counted = select(func.count()).select_from(matches).execution_options(**_BY_ITS_WORDS)
    return db.session.scalar(counted) < SCAN_LIMIT


def _exact_statement(user: User, query: str) -> Select | None:
    if _REFERENCE.fullmatch(query):
        return visible_complaints(user).where(Complaint.reference == query.upper())
    by_order = visible_complaints(user).where(Complaint.order_reference == query)
    if db.session.scalar(by_order.with_only_columns(Complaint.id).limit(1)) is not None:
        return by_order.order_by(Complaint.created_at, Complaint.id)
    return None


def search(
    user: User, query: str | None, page: int = 1, filters: SearchFilters = SearchFilters()
) -> SearchResults:
    """Find complaints for staff (and for a shop's staff, in their shop's complaints).

    user: who searches; only complaints they may see are found.
    query: a complaint reference (C-2026-000123) finds exactly that complaint; otherwise an
        order reference typed exactly finds the complaints about that order; otherwise the
        words are looked up in the full-text index (services/search.py says what matches).
    page: 1-based, at most MAX_SEARCH_PAGES; SEARCH_PAGE_SIZE results per page.
    filters: narrow word searches by state, shop and filing dates.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    page = min(max(page or 1, 1), MAX_SEARCH_PAGES)
    results = SearchResults(query=query, page=page)
    if not query:
        return results
    exact = _exact_statement(user, query)
    if exact is not None:
        results.total = db.session.scalar(select(func.count()).select_from(exact.subquery())) or 0
        results.complaints = list(
            db.session.scalars(
                exact.options(*ROW_OPTIONS).limit(SEARCH_PAGE_SIZE).offset((page - 1) * SEARCH_PAGE_SIZE)
            )
        )
        return results
    matches = _matches(user, query, filters)
    statement = full_text_statement(user, query, filters, matches)
    if statement is None:
        return results
    hits = db.session.execute(statement).all()
    results.total = len(hits)
    if results.total > SHOWN_LIMIT:
        results.certainty, results.total = MORE_THAN, SHOWN_LIMIT
    elif _scan_limit(user, filters) == SCAN_LIMIT and not _scanned_every_match(matches):
        results.certainty = AT_LEAST
    best_first = sorted(hits[:SHOWN_LIMIT], key=lambda hit: (hit.score, -hit.id))
    page_ids = [hit.id for hit in best_first[(page - 1) * SEARCH_PAGE_SIZE : page * SEARCH_PAGE_SIZE]]
    if page_ids:
        loaded = {
            c.id: c
            for c in db.session.scalars(
                select(Complaint).where(Complaint.id.in_(page_ids)).options(*ROW_OPTIONS)
            )
        }
        results.complaints = [loaded[i] for i in page_ids if i in loaded]
    return results

"""Staff search: a reference, an order number, or words in the complaint (full-text index)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.participants import visible_complaints
from complaints.services.queues import ROW_OPTIONS
from complaints.services.search import ranked_matches

SEARCH_PAGE_SIZE = 25
MAX_SEARCH_PAGES = 20
MAX_QUERY_LENGTH = 200

_REFERENCE = re.compile(r"C-\d{4}-\d{6}", re.IGNORECASE)


@dataclass
class SearchResults:
    query: str
    complaints: list[Complaint] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def has_next(self) -> bool:
        return self.page < MAX_SEARCH_PAGES and self.total > self.page * SEARCH_PAGE_SIZE


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
                statement.options(*ROW_OPTIONS).limit(SEARCH_PAGE_SIZE).offset((page - 1) * SEARCH_PAGE_SIZE)
            )
        )
    return results

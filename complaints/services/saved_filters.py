"""Each agent's and supervisor's saved queue filters: a name for a queue view they return to.

A saved filter holds a query string of the queue page made only of the parameters the queue
recognises, in a fixed order, values as the queue's filter form normalised them: what is
stored is always a link to a queue view, never text someone typed into the address bar.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import SavedFilter, User
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

MAX_SAVED_FILTERS = 20
MAX_NAME = 80
MAX_QUERY = 1000
# The queue page's parameters, in the order a saved query lists them (the cursor is not one).
QUERY_KEYS = ("queue", "state", "category_id", "merchant_id", "assignee_id", "sort")


def canonical_query(params: dict[str, str | None]) -> str:
    """The query string of the queue parameters in `params`: recognised keys only, in QUERY_KEYS
    order, empty values left out, each value at most MAX_NAME characters of printable text."""
    kept = []
    for key in QUERY_KEYS:
        value = "".join(ch for ch in str(params.get(key) or "") if ch.isprintable()).strip()
        if value:
            kept.append((key, value[:MAX_NAME]))
    return urlencode(kept)


def saved_filters(user: User) -> list[SavedFilter]:
    """`user`'s saved filters, by name."""
    return list(
        db.session.scalars(
            select(SavedFilter)
            .where(SavedFilter.user_id == user.id)
            .order_by(SavedFilter.name, SavedFilter.id)
        )
    )


def save_filter(user: User, name: str, params: dict[str, str | None]) -> tuple[SavedFilter, bool]:
    """Keep the queue view `params` under `name` for `user`; a name they already use is updated.

    user: the agent or supervisor saving it.
    name: what they call it (1 to MAX_NAME characters once trimmed).
    params: the queue's parameters as its filter form normalised them (see canonical_query).
    Returns the saved filter and whether it is new. Raises Refusal for an empty or too long name,
    a queue view with nothing to keep, or a new name beyond MAX_SAVED_FILTERS. The caller commits.
    """
    name = " ".join((name or "").split())
    if not name:
        raise Refusal(N_("Give the saved filter a name."))
    if len(name) > MAX_NAME:
        raise Refusal(N_("A saved filter's name has at most %(count)d characters."), count=MAX_NAME)
    query = canonical_query(params)
    if len(query) > MAX_QUERY:
        raise Refusal(N_("This queue view is too long to keep."))
    existing = db.session.scalar(
        select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    )
    if existing is not None:
        existing.query = query
        db.session.flush()
        return existing, False
    count = db.session.scalar(
        select(func.count()).select_from(SavedFilter).where(SavedFilter.user_id == user.id)
    )
    if count >= MAX_SAVED_FILTERS:
        raise Refusal(
            N_("You can keep at most %(count)d saved filters. Delete one to save another."),
            count=MAX_SAVED_FILTERS,
        )
    saved = SavedFilter(user_id=user.id, name=name, query=query, created_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(saved)
    except IntegrityError as exc:  # the same name saved at the same moment from another tab
        raise Refusal(
            N_("You already saved a filter with this name a moment ago. Reload the queue.")
        ) from exc
    return saved, True


def delete_filter(user: User, filter_id: int | str) -> SavedFilter | None:
    """Forget `user`'s saved filter `filter_id`; None when they have no such filter (another
    person's is not theirs to delete: the caller answers 404). The caller commits."""
    saved = find(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:
        return None
    db.session.delete(saved)
    db.session.flush()
    return saved

"""The categories complaints are filed under, as forms offer them: kept in memory per process.

Every form that files, filters or corrects a complaint offers the categories, and they change
perhaps once a year. So each process keeps them as plain data under the pledge's fingerprint
(sla/pledge_fingerprint.py), which has their signature and is read with the signed-in user: a category
added, renamed or retired by any process is offered at the next request, without a read of
its own before then. The administration pages read and change the rows themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Category
from complaints.sla import pledge_fingerprint


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    code: str
    name_zh: str
    name_en: str
    active: bool

    def display_name(self, locale: str) -> str:
        return Category.localized(self.name_zh, self.name_en, locale)


_kept: tuple[tuple, tuple[CategoryChoice, ...]] = ((), ())
_lock = threading.Lock()


def all_categories() -> tuple[CategoryChoice, ...]:
    """Every category, retired ones too (queues filter by them), by id."""
    global _kept
    key = pledge_fingerprint.fingerprint()
    kept = _kept
    if kept[0] != key:
        columns = (Category.id, Category.code, Category.name_zh, Category.name_en, Category.active)
        rows = db.session.execute(select(*columns).order_by(Category.id))
        kept = (key, tuple(CategoryChoice(*row) for row in rows))
        with _lock:
            _kept = kept
    return kept[1]


def active_categories() -> tuple[CategoryChoice, ...]:
    """The categories a complaint can be filed under or moved to, by id."""
    return tuple(c for c in all_categories() if c.active)


def category(category_id: int | None) -> CategoryChoice | None:
    """The category with this id, retired or not, if there is one."""
    return next((c for c in all_categories() if c.id == category_id), None)


def active_category(category_id: int | None) -> CategoryChoice | None:
    """The active category with this id, if there is one."""
    found = category(category_id)
    return found if found is not None and found.active else None

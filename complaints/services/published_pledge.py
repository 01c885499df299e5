"""The pledge as published on the public scorecard: the pledge policies in force and the windows
of their current versions (sla.policy's promises), as plain data a process may keep between
requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaints.extensions import db
from complaints.models import ClockKind, WorkCalendar
from complaints.models.types import chinese_or_english
from complaints.services import pledges
from complaints.sla import policy


@dataclass(frozen=True)
class PublishedWindow:
    kind: ClockKind
    promise: policy.Promise  # amount and unit (admin.pledges.window_text puts them in words)
    clock_time: bool  # counted in plain hours (a calendar that works around the clock)
    calendar: str
    calendar_en: str

    def in_locale(self, locale: str, field: str = "calendar") -> str:
        return chinese_or_english(locale, self.calendar, self.calendar_en)


@dataclass(frozen=True)
class CategoryName:
    name_zh: str
    name_en: str

    def display_name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass(frozen=True)
class PublishedPolicy:
    """A pledge policy in force, as plain data (kept between requests)."""

    name: str
    name_en: str
    major: bool | None  # True: the pledge for major complaints
    category: CategoryName | None
    windows: tuple[PublishedWindow, ...]

    def window(self, kind: ClockKind) -> PublishedWindow | None:
        return next((w for w in self.windows if w.kind is kind), None)

    def in_locale(self, locale: str, field: str = "name") -> str:
        return chinese_or_english(locale, getattr(self, field), getattr(self, f"{field}_en"))


def published_pledge(at: datetime) -> list[PublishedPolicy]:
    """The active pledge policies and the windows of their current versions, general ones first."""
    found = []
    order = list(ClockKind)
    for overview in pledges.list_policies():
        if not overview.policy.active or overview.version is None:
            continue
        promises = policy.promises_of(overview.version.id)
        windows = []
        for kind in sorted(promises.by_kind, key=order.index):
            promise = promises.by_kind[kind]
            row = db.session.get(WorkCalendar, promise.calendar_id)
            cal = policy.calendar_of(promise.calendar_id, at)
            windows.append(PublishedWindow(kind, promise, cal.is_clock_time, row.name, row.name_en))
        category = overview.policy.category
        found.append(
            PublishedPolicy(
                overview.policy.name,
                overview.policy.name_en,
                overview.policy.major,
                CategoryName(category.name_zh, category.name_en) if category else None,
                tuple(windows),
            )
        )
    return sorted(found, key=lambda p: (p.category is not None, bool(p.major)))

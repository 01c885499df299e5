"""Pledge policies: which promise holds for a complaint, and the calendars they count in.

A published version never changes, but which version is in force does (a new version, a policy
activated or deactivated), and so can a calendar. Each process keeps the promises and calendars
it has read (`in_force`, `promises_of`, `calendar_of`), as plain data any request may share,
under the pledge's fingerprint (sla/pledge_fingerprint.py): a change made by any process
changes it, and a change this process flushes has it read again at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import (
    ClockKind,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
    TargetUnit,
    User,
    WorkCalendar,
)
from complaints.sla import calendar as wt
from complaints.sla import china, pledge_fingerprint
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

HOLIDAY_SOURCES = ("CN", "none")


def _parse_wall(text: str) -> time:
    return wt.END_OF_DAY if text == "24:00" else time.fromisoformat(text)


def _hours_of(row: WorkCalendar) -> dict[int, tuple[tuple[time, time], ...]]:
    return {
        int(weekday): tuple((_parse_wall(a), _parse_wall(b)) for a, b in spans)
        for weekday, spans in (row.hours or {}).items()
    }


@lru_cache(maxsize=64)
def _build(
    code: str,
    tz: str,
    source: str,
    hours: tuple,
    holidays: frozenset[date],
    workdays: frozenset[date],
    count_receipt_day: bool,
    years: tuple[int, ...],
) -> wt.WorkingCalendar:
    hours_map = dict(hours)
    if source == "CN":
        return china.china_calendar(
            years,
            tz=tz,
            extra_holidays=holidays,
            extra_workdays=workdays,
            hours=hours_map,
            count_receipt_day=count_receipt_day,
        )
    return wt.WorkingCalendar(
        code=code,
        tz=tz,
        hours=hours_map,
        holidays=holidays,
        workdays=workdays,
        count_receipt_day=count_receipt_day,
    )


def working_calendar(row: WorkCalendar, around: datetime | None = None) -> wt.WorkingCalendar:
    """The pure calendar of `row`, knowing official holidays from a year before `around` to
    three years after it (enough for any pledged window). Built once and cached."""
    year = (around or now()).year
    hours = tuple(sorted(_hours_of(row).items()))
    holidays = frozenset(d.day for d in row.days if not d.is_working)
    workdays = frozenset(d.day for d in row.days if d.is_working)
    return _build(
        row.code,
        row.timezone,
        row.holiday_source,
        hours,
        holidays,
        workdays,
        row.count_receipt_day,
        tuple(range(year - 1, year + 4)),
    )


def target_duration(cal: wt.WorkingCalendar, target: SlaTarget, start: datetime) -> tuple[datetime, datetime]:
    """(due, warn) of a window of `target` starting at `start`, in working time of `cal`."""
    if target.unit is TargetUnit.HOURS:
        due = wt.add_working_hours(cal, start, Decimal(target.amount))
    else:
        due = wt.add_working_days(cal, start, int(target.amount))
    total = wt.working_time_between(cal, start, due)
    warn = wt.add_working_hours(cal, start, total * (target.warn_percent / 100))
    return due, warn


def _specificity(policy: SlaPolicy) -> tuple[int, int]:
    return (int(policy.category_id is not None) * 2 + int(policy.major is not None), -policy.id)


def matching_policy(category_id: int | None, is_major: bool) -> SlaPolicy | None:
    """The active policy that fits best: a category and size match beats a category match,
    which beats a size match, which beats the general pledge."""
    candidates = db.session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.active.is_(True),
            (SlaPolicy.category_id.is_(None)) | (SlaPolicy.category_id == category_id),
            (SlaPolicy.major.is_(None)) | (SlaPolicy.major == is_major),
        )
    ).all()
    return max(candidates, key=_specificity, default=None)


def current_version(policy: SlaPolicy) -> SlaPolicyVersion | None:
    """The newest version of `policy`."""
    return db.session.scalar(
        select(SlaPolicyVersion)
        .where(SlaPolicyVersion.policy_id == policy.id)
        .order_by(SlaPolicyVersion.number.desc())
        .limit(1)
    )


def version_for(category_id: int | None, is_major: bool) -> SlaPolicyVersion | None:
    """The policy version a complaint of this category and size is held to now."""
    policy = matching_policy(category_id, is_major)
    return current_version(policy) if policy else None


def publish_version(
    policy: SlaPolicy, targets: list[dict], user: User | None, note: str = "", note_en: str = ""
) -> SlaPolicyVersion:
    """Publish a new version of `policy` with `targets`; complaints already filed keep theirs.

    policy: the policy to edit.
    targets: one dict per clock kind: kind, amount, unit, calendar_id, warn_percent (1-99),
      pause_on (list of "consumer"/"merchant"), breach_actions (list of BreachAction values).
    user: the admin publishing it.
    note, note_en: what changed, in Chinese and in English (may be empty).
    """
    seen = set()
    for target in targets:
        kind = ClockKind(target["kind"])
        if kind in seen:
            raise Refusal(N_("Each clock can have one target per version."))
        seen.add(kind)
        if Decimal(target["amount"]) <= 0:
            raise Refusal(N_("A target must be more than zero."))
        if not 1 <= int(target["warn_percent"]) <= 99:
            raise Refusal(N_("The warning point is a percentage between 1 and 99."))
        if find(WorkCalendar, target["calendar_id"]) is None:
            raise Refusal(N_("Choose a calendar."))
    latest = current_version(policy)
    version = SlaPolicyVersion(
        policy_id=policy.id,
        number=(latest.number + 1) if latest else 1,
        created_at=now(),
        created_by_id=user.id if user else None,
        note=note,
        note_en=note_en,
    )
    db.session.add(version)
    db.session.flush()
    for target in targets:
        db.session.add(
            SlaTarget(
                version_id=version.id,
                kind=ClockKind(target["kind"]),
                amount=Decimal(target["amount"]),
                unit=TargetUnit(target["unit"]),
                calendar_id=int(target["calendar_id"]),
                warn_percent=int(target["warn_percent"]),
                pause_on=sorted(set(target.get("pause_on") or [])),
                breach_actions=sorted(set(target.get("breach_actions") or [])),
            )
        )
    db.session.flush()
    db.session.expire(version, ["targets"])
    return version


def describe_window(target: SlaTarget | Promise) -> tuple[Decimal, str]:
    """The target as a number and its unit, for display."""
    amount = Decimal(target.amount)
    # 100 shows as "100", 1.50 as "1.5": never in exponent notation ("1E+2").
    amount = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()
    return amount, target.unit.value


# --- The pledge in force, cached per process ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Promise:
    """One target of a published policy version, as plain data (what the clocks read of it)."""

    id: int
    kind: ClockKind
    amount: Decimal
    unit: TargetUnit
    warn_percent: int
    pause_on: frozenset[str]
    breach_actions: frozenset[str]
    calendar_id: int


@dataclass(frozen=True, slots=True)
class Promises:
    """A published policy version's promises, by clock kind."""

    version_id: int
    by_kind: dict[ClockKind, Promise]

    def get(self, kind: ClockKind) -> Promise | None:
        return self.by_kind.get(kind)


class _Cache:
    def __init__(self, key: tuple):
        self.key = key
        self.in_force: dict[tuple[int | None, bool], Promises | None] = {}
        self.versions: dict[int, Promises] = {}
        self.targets: dict[int, Promise] = {}  # target id -> its promise
        self.calendars: dict[tuple[int, int], wt.WorkingCalendar] = {}


_cache = _Cache(())
_lock = threading.Lock()


def forget_cached() -> None:
    """Drop the promises and calendars this process remembers (the next read fills it again)."""
    global _cache
    with _lock:
        _cache = _Cache(())


def _current() -> _Cache:
    global _cache
    key = pledge_fingerprint.fingerprint()
    cache = _cache
    if cache.key != key:
        with _lock:
            cache = _cache = _Cache(key)
    return cache


def _promise(t: SlaTarget) -> Promise:
    return Promise(
        id=t.id,
        kind=t.kind,
        amount=Decimal(t.amount),
        unit=t.unit,
        warn_percent=t.warn_percent,
        pause_on=frozenset(t.pause_on or ()),
        breach_actions=frozenset(t.breach_actions or ()),
        calendar_id=t.calendar_id,
    )


def _promises(version: SlaPolicyVersion) -> Promises:
    return Promises(version.id, {t.kind: _promise(t) for t in version.targets})


def in_force(category_id: int | None, is_major: bool) -> Promises | None:
    """The promises a complaint of this category and size is held to if filed now (cached)."""
    cache = _current()
    key = (category_id, is_major)
    if key not in cache.in_force:
        version = version_for(category_id, is_major)
        cache.in_force[key] = _promises(version) if version else None
        if version:
            cache.versions[version.id] = cache.in_force[key]
    return cache.in_force[key]


def promises_of(version_id: int) -> Promises | None:
    """The promises of the published version `version_id` (cached)."""
    cache = _current()
    if version_id not in cache.versions:
        version = db.session.get(SlaPolicyVersion, version_id)
        if version is None:
            return None
        cache.versions[version_id] = _promises(version)
    return cache.versions[version_id]


def promise_of(target_id: int) -> Promise:
    """The promise of the target `target_id` (a clock's target_id; targets never change; cached)."""
    promise = _current().targets.get(target_id)
    return promise if promise is not None else promises_of_targets([target_id])[target_id]


def promises_of_targets(target_ids) -> dict[int, Promise]:
    """The promises of the targets `target_ids`, those not cached yet read in one statement."""
    cache = _current()
    missing = {i for i in target_ids if i not in cache.targets}
    if missing:
        for target in db.session.scalars(select(SlaTarget).where(SlaTarget.id.in_(missing))):
            cache.targets[target.id] = _promise(target)
    return {i: cache.targets[i] for i in target_ids}


def calendar_of(calendar_id: int, around: datetime) -> wt.WorkingCalendar:
    """working_calendar() of the calendar `calendar_id` for the year of `around` (cached)."""
    cache = _current()
    key = (calendar_id, around.year)
    if key not in cache.calendars:
        cache.calendars[key] = working_calendar(db.session.get(WorkCalendar, calendar_id), around)
    return cache.calendars[key]

"""Working calendars: hours per weekday, declared holidays and working days (admin use cases)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import AdminAction, CalendarDay, User, WorkCalendar
from complaints.services import admin_audit, names
from complaints.services.administration import InvalidField, InvalidFields
from complaints.sla import china
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

NAME_MAX = 100  # work_calendars.name and name_en
NOTE_MAX = 200  # calendar_days.note and note_en
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass
class CalendarOverview:
    """A calendar, its weekly hours as typed (Monday first; "" = no work), and the years whose
    official makeup workdays it does not know yet."""

    calendar: WorkCalendar
    week: list[str]
    awaiting_years: list[int]


def list_calendars() -> list[WorkCalendar]:
    """Every working calendar with its declared days (there are few)."""
    return list(db.session.scalars(select(WorkCalendar).order_by(WorkCalendar.id)))


def calendars_overview(years_ahead: int = 2) -> list[CalendarOverview]:
    """Every calendar, flagged with the years from this one to `years_ahead` later for which
    China's makeup workdays are not known yet (see years_awaiting_makeup_workdays)."""
    calendars = list_calendars()
    year = now().year
    awaiting = years_awaiting_makeup_workdays(calendars, range(year, year + years_ahead + 1))
    return [CalendarOverview(c, weekly_hours_text(c), awaiting[c.id]) for c in calendars]


def weekly_hours_text(calendar: WorkCalendar) -> list[str]:
    """The calendar's spans per weekday as the admin types them, Monday first."""
    hours = calendar.hours or {}
    return [spans_text(hours.get(str(weekday), [])) for weekday in range(7)]


def years_awaiting_makeup_workdays(
    calendars: list[WorkCalendar], years: Iterable[int]
) -> dict[int, list[int]]:
    """For each calendar id, the `years` whose official makeup workdays are unknown to it.

    Only calendars following China's official holidays are concerned. A year counts as known
    once the holiday data has its makeup workdays, or once an admin declared a working day in it
    here (entering the State Council's schedule by hand).
    """
    missing = china.years_missing_adjusted_workdays(list(years))
    result = {}
    for calendar in calendars:
        if calendar.holiday_source != "CN":
            result[calendar.id] = []
            continue
        declared = {d.day.year for d in calendar.days if d.is_working}
        result[calendar.id] = [year for year in missing if year not in declared]
    return result


def spans_text(spans: Iterable[Iterable[str]]) -> str:
    """A weekday's stored spans as the admin types them: "09:00-12:00, 13:00-18:00"."""
    return ", ".join(f"{start}-{end}" for start, end in spans)


def parse_spans(text: str | None) -> list[list[str]]:
    """Parse "09:00-12:00, 13:00-18:00" into sorted [["09:00", "12:00"], ...]; empty: no work.

    "24:00" may end a span (midnight). Raises Refusal if a span is malformed, empty or overlaps
    another.
    """
    spans = []
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        match = _SPAN.match(part)
        if not match:
            raise Refusal(N_("Write the hours as 09:00-18:00, several separated by commas."))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = _wall(h1, m1, allow_midnight=False), _wall(h2, m2, allow_midnight=True)
        if start is None or end is None:
            raise Refusal(N_("%(span)s is not a time of day (00:00 to 24:00)."), span=part.strip())
        if end <= start:
            raise Refusal(N_("%(span)s ends before it starts."), span=part.strip())
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise Refusal(N_("The hours overlap."))
    return [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in spans]


def _wall(hour: int, minute: int, allow_midnight: bool) -> int | None:
    """Minutes since midnight, or None if not a wall time (24:00 only when allowed)."""
    if minute > 59:
        return None
    if hour == 24 and minute == 0 and allow_midnight:
        return 24 * 60
    if hour > 23:
        return None
    return hour * 60 + minute


def update_calendar(
    calendar: WorkCalendar,
    *,
    name: str,
    name_en: str,
    timezone: str,
    hours: Mapping[int, str],
    count_receipt_day: bool,
    actor: User | None = None,
) -> WorkCalendar:
    """Change a calendar's names, time zone, weekly hours and receipt-day convention.

    name, name_en: what admins read in the policies' promises, in Chinese and in English (both
      required).
    timezone: an IANA zone name such as Asia/Shanghai.
    hours: weekday (0 = Monday) -> spans as typed, e.g. "09:00-12:00, 13:00-18:00"; empty: no work.
    count_receipt_day: whether the day a complaint arrives counts as the first working day.
    actor: the admin changing it; a change (not a save with nothing changed) is in the audit log.
    Deadlines already set keep their due time; windows started or resumed from now on use this.
    """
    problems: list[InvalidField] = []
    named = names.clean_name(problems, name, name_en, max_length=NAME_MAX)
    timezone = (timezone or "").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(
            InvalidField(
                "timezone", N_("%(zone)s is not a known time zone (e.g. Asia/Shanghai)."), zone=timezone
            )
        )
    week = {}
    for weekday in range(7):
        try:
            spans = parse_spans(hours.get(weekday, ""))
        except Refusal as refusal:
            problems.append(InvalidField(f"hours_{weekday}", refusal.template, **refusal.params))
            continue
        if spans:
            week[str(weekday)] = spans
    if not problems and not week:
        problems.append(
            InvalidField("hours_0", N_("A calendar needs working hours on at least one weekday."))
        )
    if problems:
        raise InvalidFields(problems)
    before = _settings(calendar)
    calendar.name, calendar.name_en = named.chinese, named.english
    calendar.timezone = timezone
    calendar.hours = week
    calendar.count_receipt_day = bool(count_receipt_day)
    calendar.updated_at = now()
    db.session.flush()
    changed = admin_audit.changes(before, _settings(calendar))
    if changed:
        admin_audit.record(
            actor,
            AdminAction.CALENDAR_UPDATED,
            "calendar",
            calendar.id,
            name=calendar.name,
            name_en=calendar.name_en,
            changes=changed,
        )
    return calendar


def _settings(calendar: WorkCalendar) -> dict:
    """What the audit log compares of a calendar: its names, zone, receipt-day rule and hours per
    weekday as the admin types them ("hours_0" for Monday)."""
    settings = {
        "name": calendar.name,
        "name_en": calendar.name_en,
        "timezone": calendar.timezone,
        "count_receipt_day": calendar.count_receipt_day,
    }
    for weekday, text in enumerate(weekly_hours_text(calendar)):
        settings[f"hours_{weekday}"] = text
    return settings


def add_calendar_day(
    calendar: WorkCalendar,
    *,
    day: date | None,
    is_working: bool,
    note: str = "",
    note_en: str = "",
    actor: User | None = None,
) -> CalendarDay:
    """Declare `day` a working day (e.g. an officially published makeup workday) or a local holiday.

    day: the local date in the calendar's zone; one declaration per date.
    is_working: True for a working day, False for a holiday.
    note, note_en: why, in Chinese and in English, e.g. "国庆节" / "National Day" (optional; the
      Chinese form is required once an English one is given).
    actor: the admin declaring it, for the audit log; None for the system.
    """
    problems: list[InvalidField] = []
    if day is None:
        problems.append(InvalidField("day", N_("Give the date.")))
    elif any(existing.day == day for existing in calendar.days):
        problems.append(
            InvalidField(
                "day", N_("%(day)s is already listed; remove it first to change it."), day=day.isoformat()
            )
        )
    noted = names.clean_note(problems, note, note_en, max_length=NOTE_MAX)
    if problems:
        raise InvalidFields(problems)
    entry = CalendarDay(
        calendar_id=calendar.id,
        day=day,
        is_working=bool(is_working),
        note=noted.chinese,
        note_en=noted.english,
    )
    calendar.days.append(entry)
    calendar.updated_at = now()
    try:
        db.session.flush()
    except IntegrityError as exc:  # another admin declared the same date first
        raise InvalidField("day", N_("%(day)s is already listed."), day=day.isoformat()) from exc
    _record_day(actor, AdminAction.CALENDAR_DAY_ADDED, calendar, entry)
    return entry


def remove_calendar_day(calendar: WorkCalendar, day_id: int, *, actor: User | None = None) -> CalendarDay:
    """Remove a declared day from `calendar`: the date follows the weekly hours and holiday data again.

    actor: the admin removing it, for the audit log; None for the system.
    """
    entry = next((d for d in calendar.days if d.id == day_id), None)
    if entry is None:
        raise Refusal(N_("That date is not listed for this calendar any more."))
    calendar.days.remove(entry)
    calendar.updated_at = now()
    db.session.flush()
    _record_day(actor, AdminAction.CALENDAR_DAY_REMOVED, calendar, entry)
    return entry


def _record_day(actor: User | None, action: AdminAction, calendar: WorkCalendar, entry: CalendarDay) -> None:
    admin_audit.record(
        actor,
        action,
        "calendar",
        calendar.id,
        name=calendar.name,
        name_en=calendar.name_en,
        day=entry.day,
        is_working=entry.is_working,
        note=entry.note,
        note_en=entry.note_en,
    )

"""Filters and globals for the templates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_datetime_format,
    get_time_format,
    get_timezone_location,
    parse_pattern,
)
from flask import current_app
from flask_babel import format_currency, format_datetime, get_locale, get_timezone
from markupsafe import Markup, escape

from complaints import participants
from complaints.models.types import chinese_or_english
from complaints.services import categories
from complaints.web import html_attributes, labels
from complaints.web.i18n import gettext


def money(amount) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, current_app.config["CURRENCY"])


def when(value, fmt: str = "medium") -> str:
    """An instant in the viewer's zone and language: what flask_babel.format_datetime writes, from
    the named format's pattern parsed once (lists show dozens of instants a page)."""
    if value is None:
        return "—"
    if fmt not in _NAMED_FORMATS or not isinstance(value, datetime):
        return format_datetime(value, fmt)
    locale, zone = get_locale(), get_timezone()
    if value.tzinfo is None:  # as Babel takes it
        value = value.replace(tzinfo=UTC)
    return _named_pattern(locale, fmt).apply(value.astimezone(_zoneinfo(zone)), locale)


_NAMED_FORMATS = frozenset(("short", "medium", "long", "full"))


@lru_cache(maxsize=64)
def _zoneinfo(zone):
    """The zoneinfo zone of Flask-Babel's pytz zone (the same rules; converting is 4x faster)."""
    try:
        return ZoneInfo(zone.zone)
    except (AttributeError, ZoneInfoNotFoundError, ValueError):
        return zone


@lru_cache(maxsize=32)
def _named_pattern(locale: Locale, fmt: str) -> DateTimePattern:
    """The locale's pattern for a named date-and-time format: its date and time patterns set in
    its date-time pattern ("{1} {0}"), as babel.dates.format_datetime joins their results."""
    joined = (
        get_datetime_format(fmt, locale)
        .replace("{0}", get_time_format(fmt, locale).pattern)
        .replace("{1}", get_date_format(fmt, locale).pattern)
    )
    return parse_pattern(joined)


def duration(value) -> str:
    """A working-time amount in the viewer's language, e.g. "7h 05m" / "7小时05分"."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    text = gettext("%(hours)sh %(minutes)sm", hours=hours, minutes=f"{rest // 60:02d}")
    return f"-{text}" if seconds < 0 else text


_BADGE_CSS = {"at_risk": "warn", "overdue": "bad", "missed": "bad", "met": "ok"}

# The badges below are built with escape() and f-strings: Markup.format runs Python's
# string.Formatter, a fifth of a millisecond for a queue row's four badges.


def clock_badge(status) -> Markup:
    """A clock's state (sla/terms.py's word for it) as a badge."""
    state = status.state.value
    css, text = escape(_BADGE_CSS.get(state, "")), escape(labels.label(labels.CLOCK_STATE, state))
    return Markup(f'<span class="badge {css}">{text}</span>')


def state_badge(state) -> Markup:
    """A complaint's state as a badge."""
    css, text = escape(state.value), escape(labels.label(labels.STATE, state))
    return Markup(f'<span class="badge state-{css}">{text}</span>')


def status_badges(complaint) -> Markup:
    """A complaint's state, then whom it waits for, as badges (the lists' status cell)."""
    waiting = (
        f'<span class="badge warn">{escape(labels.label(labels.WAITING, party))}</span>'
        for party in complaint.waiting
    )
    return Markup(" ".join((state_badge(complaint.state), *waiting)))


def pledge_line(status) -> Markup:
    """One running pledge in a line: its name, the time left or over, and its state's badge."""
    line = gettext(
        "%(field)s: %(value)s", field=labels.label(labels.CLOCK, status.kind), value=time_left(status)
    )
    return Markup(f"{escape(line)} {clock_badge(status)}")


def time_left(status) -> str:
    """Time left or time over, never both and never negative, in working time or clock time."""
    if status.over is not None:
        if status.clock_time:
            return gettext("%(time)s over", time=duration(status.over))
        return gettext("%(time)s of working time over", time=duration(status.over))
    if status.left is not None:
        if status.clock_time:
            return gettext("%(time)s left", time=duration(status.left))
        return gettext("%(time)s of working time left", time=duration(status.left))
    return "—"


def _utc_offset(zone: ZoneInfo) -> str:
    """The zone's offset from UTC now (summer time included): "UTC+8", "UTC+5:30", "UTC-7"."""
    from complaints.timekeeping import now

    minutes = int(now().astimezone(zone).utcoffset().total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(zone) -> str:
    """A time zone as people name it, in the viewer's language: its city and offset, e.g.
    "上海（UTC+8）" / "Shanghai (UTC+8)". What is stored stays the IANA name; an unknown one is
    shown as it is."""
    name = str(zone or "")
    try:
        info = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return name
    if name in ("UTC", "Etc/UTC"):
        return "UTC"
    city = get_timezone_location(name, locale=get_locale() or "en", return_city=True)
    return gettext("%(city)s (%(offset)s)", city=city, offset=_utc_offset(info))


def in_locale(named, field: str = "name") -> str:
    """A name an admin entered in Chinese and in English, in the viewer's language (the e-mails'
    too: they are rendered in the recipient's). `named` is a policy, calendar, calendar day,
    policy version or mediation organisation (`{{ org|in_locale }}`, `{{ day|in_locale("note") }}`),
    or the detail of an event or notification that copied both forms
    (`{{ e.detail|in_locale("organisation") }}`: "organisation" and "organisation_en")."""
    if named is None:
        return ""
    locale = str(get_locale())
    if isinstance(named, Mapping):
        return chinese_or_english(locale, named.get(field), named.get(f"{field}_en"))
    return named.in_locale(locale, field)


def unread_notifications() -> int:
    """The signed-in user's unread notifications (one indexed count)."""
    from flask_login import current_user

    from complaints.services.notifications import unread_count

    if not current_user.is_authenticated:
        return 0
    return unread_count(current_user)


def complaint_url(reference: str) -> str | None:
    """The complaint page of `reference` in the signed-in user's own area (None: they have none)."""
    from flask_login import current_user

    return participants.complaint_url(current_user, reference)


def person_name(person) -> str:
    """Who wrote or did something, as the reader may see it: a member of the platform's staff
    is "Platform support" to readers the participant policy keeps staff names from."""
    from flask_login import current_user

    if person is None:
        return gettext("PledgeDesk")
    if participants.is_platform_staff(person) and not participants.sees_staff_names(current_user):
        return gettext("Platform support")
    return person.name


def participant():
    """The signed-in user's entry in the participant policy (an anonymous visitor: nobody)."""
    from flask_login import current_user

    return participants.of(current_user)


def nav_items():
    """The main navigation of the signed-in user's area; a visitor's (nobody's) when signed out."""
    from flask_login import current_user

    return participants.nav_items(current_user)


def footer_items():
    from flask_login import current_user

    return participants.footer_items(current_user)


def category_name(category_id: int) -> str:
    """A category's name in the viewer's language, from the categories kept in memory (so a
    list of complaints need not join the categories in)."""
    found = categories.category(category_id)
    return found.display_name(str(get_locale())) if found else ""


def register(app) -> None:
    html_attributes.install()
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["in_locale"] = in_locale
    app.jinja_env.globals.update(
        unread_notifications=unread_notifications,
        complaint_url=complaint_url,
        person_name=person_name,
        nav_items=nav_items,
        footer_items=footer_items,
        participant=participant,
        labels=labels,
        label=labels.label,
        clock_badge=clock_badge,
        time_left=time_left,
        state_badge=state_badge,
        status_badges=status_badges,
        pledge_line=pledge_line,
        category_name=category_name,
        current_locale=lambda: str(get_locale()),
    )

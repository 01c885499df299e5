"""``flask sla ...`` commands (no database needed).

Attach with ``app.cli.add_command(sla_cli)``. Example::

    $ flask sla due --calendar CN --start 2026-09-30T17:00 --working-days 7
    2026-10-15T18:00:00+08:00
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask.cli import AppGroup

from complaints.sla.calendar import (
    WorkingCalendar,
    add_working_days,
    add_working_hours,
)
from complaints.sla.china import china_calendar, years_missing_adjusted_workdays

sla_cli = AppGroup("sla", help="SLA working-time tools.")

CALENDAR_CODES = ("CN", "24x7")
DEFAULT_ZONES = {"CN": "Asia/Shanghai", "24x7": "UTC"}
MAX_WORKING_DAYS = 10_000
MAX_HOURS = Decimal(100_000)


def build_calendar(code: str, tz: str, first_year: int, last_year: int) -> WorkingCalendar:
    """Return calendar ``code`` in zone ``tz`` for ``first_year..last_year``."""
    if code == "24x7":
        return WorkingCalendar.around_the_clock(tz)
    return china_calendar(range(first_year, last_year + 1), tz=tz)


def compute_due(
    code: str,
    tz: str,
    start: datetime,
    *,
    working_days: int | None = None,
    hours: Decimal | None = None,
) -> datetime:
    """Return the UTC due instant, loading holiday data for every year spanned.

    Exactly one of ``working_days`` / ``hours`` must be given. The holiday
    years are estimated from the window size and widened until the result
    falls inside the loaded years.
    """
    if (working_days is None) == (hours is None):
        raise ValueError("give exactly one of working_days or hours")
    zone = ZoneInfo(tz)
    first_year = start.astimezone(zone).year
    # Generous estimate: >= 5 working days a week, >= 1 working hour a day.
    approx_days = working_days if working_days is not None else math.ceil(hours)
    last_year = first_year + 1 + approx_days * 2 // 365
    while True:
        cal = build_calendar(code, tz, first_year, last_year)
        if working_days is not None:
            due = add_working_days(cal, start, working_days)
        else:
            due = add_working_hours(cal, start, hours)
        due_year = due.astimezone(zone).year
        if code == "24x7" or due_year <= last_year:
            return due
        last_year = due_year + 1


def _parse_zone(code: str, tz: str | None) -> str:
    tz = tz or DEFAULT_ZONES[code]
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {tz!r}", param_hint="--tz") from exc
    return tz


def _parse_start(text: str, tz: str) -> datetime:
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-09-30T17:00)",
            param_hint="--start",
        ) from exc
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(tz))
    return start


def _parse_hours(text: str) -> Decimal:
    try:
        hours = Decimal(text.strip())
    except InvalidOperation as exc:
        raise click.BadParameter(f"{text!r} is not a number", param_hint="--hours") from exc
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise click.BadParameter(f"must be between 0 and {MAX_HOURS}", param_hint="--hours")
    return hours


@sla_cli.command("due")
@click.option(
    "--calendar",
    "code",
    type=click.Choice(CALENDAR_CODES, case_sensitive=False),
    metavar="[CN|24x7]",
    default="CN",
    show_default=True,
    help="Working calendar.",
)
@click.option(
    "--start",
    "start_text",
    required=True,
    help="ISO 8601 start; without an offset it is read in the calendar's zone.",
)
@click.option(
    "--working-days",
    type=click.IntRange(0, MAX_WORKING_DAYS),
    help="Window in working days (day of receipt not counted).",
)
@click.option("--hours", "hours_text", help="Window in working hours (decimal allowed).")
@click.option(
    "--tz",
    help="IANA zone of the calendar (default: Asia/Shanghai for CN, UTC for 24x7).",
)
def due_command(
    code: str,
    start_text: str,
    working_days: int | None,
    hours_text: str | None,
    tz: str | None,
) -> None:
    """Print the due instant, in the calendar's zone, as one ISO 8601 line.

    A warning goes to stderr when the window crosses a year whose Chinese
    makeup-workday schedule is unknown to the ``holidays`` package.
    """
    if (working_days is None) == (hours_text is None):
        raise click.UsageError("Give exactly one of --working-days or --hours.")
    code = "CN" if code.upper() == "CN" else "24x7"
    tz = _parse_zone(code, tz)
    start = _parse_start(start_text, tz)
    hours = _parse_hours(hours_text) if hours_text is not None else None
    try:
        due = compute_due(code, tz, start, working_days=working_days, hours=hours)
    except (OverflowError, ValueError) as exc:
        raise click.ClickException(f"cannot compute the due instant: {exc}") from exc
    due_local = due.astimezone(ZoneInfo(tz))
    if code == "CN":
        first_year = start.astimezone(ZoneInfo(tz)).year
        missing = years_missing_adjusted_workdays(range(first_year, due_local.year + 1))
        if missing:
            click.echo(
                "warning: no official makeup-workday (调休) data for "
                f"{', '.join(map(str, missing))}; the result may be off.",
                err=True,
            )
    click.echo(due_local.isoformat())

"""The scorecard's figures in words, in the reader's language (what they mean is
services/scorecard.py's; a pledged window's words are the admin pages' window_text)."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _

from complaints.models import ClockKind
from complaints.services.published_pledge import PublishedPolicy, PublishedWindow
from complaints.services.scorecard import DAYS, RATE, WINDOW, Figure, Measure, Period, Scorecard
from complaints.services.scorecard_counts import MAJOR
from complaints.web.labels import CLOCK, label
from complaints.web.pledge_words import scope_text, window_text


def _locale() -> str:
    return str(get_locale())


def percent(share: float) -> str:
    return format_percent(share, "#,##0.0%")


def floor_text(card: Scorecard) -> str:
    return format_percent(float(card.floor) / 100, "#,##0.##%")


def period_label(period: Period) -> str:
    if period.kind == "days":
        return ngettext("The last %(num)s day", "The last %(num)s days", period.number)
    if period.kind == "quarter":
        label = _("Q%(quarter)s %(year)s", quarter=period.number, year=period.year)
    else:
        label = format_skeleton("yMMMM", period.first, locale=_locale())
    return _("%(period)s (so far)", period=label) if period.current else label


def month_short(period: Period) -> str:
    """The month on a chart's axis: "Nov", "11月"."""
    return format_skeleton("MMM", period.first, locale=_locale())


def value_text(measure: Measure) -> str:
    """The figure itself: "97.5%", "4.2 working days", "4.6 out of 5"; a dash with nothing to count."""
    if measure.value is None:
        return _("None to count")
    kind = measure.figure.kind
    if kind in (WINDOW, RATE):
        return percent(measure.value)
    number = format_decimal(round(measure.value, 1), "#,##0.0")
    if kind == DAYS:
        return _("%(days)s working days", days=number)
    return _("%(rating)s out of 5", rating=number)


def detail_text(measure: Measure) -> str:
    """What the figure was measured over."""
    kind, count = measure.figure.kind, measure.count
    if kind == WINDOW:
        return ngettext(
            "%(kept)s of %(num)s window kept", "%(kept)s of %(num)s windows kept", count, kept=measure.kept
        )
    if kind == RATE:
        return ngettext(
            "%(kept)s of %(num)s outcome settled",
            "%(kept)s of %(num)s outcomes settled",
            count,
            kept=measure.kept,
        )
    if kind == DAYS:
        return ngettext("%(num)s complaint decided", "%(num)s complaints decided", count)
    return ngettext("%(num)s rating", "%(num)s ratings", count)


def shortfall_text(measure: Measure, card: Scorecard) -> str | None:
    """A missed window or a rate under its floor, in words (never by colour alone)."""
    if measure.missed:
        text = ngettext("Missed: %(num)s window", "Missed: %(num)s windows", measure.missed)
        if measure.still_open:
            text = _(
                "%(missed)s (%(open)s still open)",
                missed=text,
                open=format_decimal(measure.still_open),
            )
        return text
    if measure.below_floor:
        return _("Below our floor of %(floor)s", floor=floor_text(card))
    return None


def kept_text(measure: Measure) -> str | None:
    """Said of a figure that kept its pledge in the period."""
    if measure.figure.kind == WINDOW and measure.count and not measure.missed:
        return _("Every window kept")
    if measure.figure.kind == RATE and measure.count and not measure.below_floor:
        return _("At or above our floor")
    return None


def void_text(measure: Measure) -> str | None:
    if not measure.void:
        return None
    return ngettext(
        "%(num)s window no longer applied and is not counted",
        "%(num)s windows no longer applied and are not counted",
        measure.void,
    )


def window_words(window: PublishedWindow | None) -> str:
    """ "24 hours", "7 working days"."""
    return window_text(window.promise) if window is not None else _("No such window")


def calendar_words(window: PublishedWindow | None) -> str:
    """How the window counts: "around the clock", or in the working days of its calendar."""
    if window is None:
        return ""
    if window.clock_time:
        return _("Counted around the clock")
    return _("Counted in working time: %(calendar)s", calendar=window.in_locale(_locale()))


def policy_scope(policy: PublishedPolicy) -> str:
    return scope_text(policy)


def major_threshold() -> str:
    amount = format_decimal(current_app.config["MAJOR_COMPLAINT_AMOUNT"])
    return _(
        "A complaint is major when the amount claimed is %(amount)s %(currency)s or more.",
        amount=amount,
        currency=current_app.config["CURRENCY"],
    )


def pledge_of(figure: Figure, card: Scorecard) -> str:
    """What the pledge promises for `figure`: the window of the general pledge (of the pledge for
    major complaints for a major figure), the floor of a rate; empty for a figure with no promise."""
    if figure.kind == RATE:
        return _("At least %(floor)s", floor=floor_text(card))
    if figure.kind != WINDOW:
        return ""
    wanted = True if figure.segments == (MAJOR,) else None
    policy = next((p for p in card.policies if p.category is None and p.major is wanted), None)
    return window_words(policy.window(figure.clock)) if policy else ""


def clock_name(kind: ClockKind) -> str:
    return label(CLOCK, kind)

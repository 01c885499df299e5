"""The dashboard's and the reports' figures in words and charts, in the reader's language (what
each figure counts is services/dashboard.py's and services/scorecard.py's)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask import render_template
from flask_babel import force_locale, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _

from complaints.scorecard import charts
from complaints.services import scorecard, service_reports
from complaints.services.dashboard import AGE_BANDS, Dashboard

BY_DAY_UP_TO = 45  # days in a period charted day by day; longer ones by week, then by month
BY_WEEK_UP_TO = 190


def _locale() -> str:
    return str(get_locale())


def percent(share: float | None) -> str:
    return "—" if share is None else format_percent(share, "#,##0.0%")


def one_decimal(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value, 1), "#,##0.0")


def band_label(band: tuple[int, int | None]) -> str:
    low, high = band
    if high is None:
        return ngettext("%(num)s day or more", "%(num)s days or more", low)
    if low == 0:
        return ngettext("Under %(num)s day", "Under %(num)s days", high)
    return _("%(low)s to %(high)s days", low=low, high=high)


def band_labels() -> list[str]:
    return [band_label(band) for band in AGE_BANDS]


def day_label(day: date) -> str:
    return format_skeleton("MMMd", day, locale=_locale())


def _top(values: list[float]) -> float:
    """A round top for a chart of counts."""
    highest = max(values, default=0)
    if highest <= 5:
        return 5.0
    magnitude = 10 ** int(math.log10(highest))
    return float(math.ceil(highest / magnitude) * magnitude)


def volume_buckets(board: Dashboard) -> list[tuple[str, str, int]]:
    """(axis label, words, complaints filed) by day, week or month, as the period's length allows."""
    days = sorted(board.filed_by_day.items())
    if len(days) <= BY_DAY_UP_TO:
        return [(day_label(d), day_label(d), n) for d, n in days]
    buckets: dict[date, int] = {}
    by_week = len(days) <= BY_WEEK_UP_TO
    for day, count in days:
        start = day - timedelta(days=day.weekday()) if by_week else day.replace(day=1)
        buckets[start] = buckets.get(start, 0) + count
    if by_week:
        return [
            (day_label(start), _("The week from %(day)s", day=day_label(start)), n)
            for start, n in buckets.items()
        ]
    return [
        (
            format_skeleton("MMM", start, locale=_locale()),
            format_skeleton("yMMMM", start, locale=_locale()),
            n,
        )
        for start, n in buckets.items()
    ]


def volume_chart(board: Dashboard) -> charts.Chart:
    buckets = volume_buckets(board)
    top = _top([n for _, _, n in buckets])
    every = 1 if len(buckets) <= 8 else math.ceil(len(buckets) / 6)  # room for about six labels
    points = [
        (
            label if index % every == 0 else "",
            float(n),
            ngettext(
                "%(when)s: %(num)s complaint filed", "%(when)s: %(num)s complaints filed", n, when=words
            ),
        )
        for index, (label, words, n) in enumerate(buckets)
    ]
    return charts.plain_chart(points, top)


def backlog_chart(board: Dashboard) -> charts.Chart:
    totals = [sum(row[index] for row in board.backlog.values()) for index in range(len(AGE_BANDS))]
    top = _top(totals)
    points = [
        (
            f"{band[0]}+" if band[1] is None else f"{band[0]}–{band[1]}",
            float(count),
            ngettext(
                "%(band)s: %(num)s open complaint", "%(band)s: %(num)s open complaints", count, band=label
            ),
        )
        for band, label, count in zip(AGE_BANDS, band_labels(), totals, strict=True)
    ]
    return charts.plain_chart(points, top)


def keeping_chart(board: Dashboard, clock_names: dict) -> charts.Chart:
    """The share of each kind of window kept, in percent, with the pledge (100 %) drawn across."""
    points = []
    for windows in board.windows:
        share = windows.share_kept
        name = str(clock_names[windows.kind])
        words = (
            _("%(clock)s: none ended", clock=name)
            if share is None
            else _(
                "%(clock)s: %(share)s kept (%(kept)s of %(counted)s)",
                clock=name,
                share=percent(share),
                kept=windows.kept,
                counted=windows.counted,
            )
        )
        points.append((name, 100.0 * (share or 0.0), words))
    return charts.plain_chart(points, 100.0, charts.line_at(100.0, 100.0, "100%"))


# --- A service report's figures (kept as generated: services/service_reports.py) ---------------


def pledge_rows(figures: dict) -> list[dict]:
    """The report's pledge figures as the page prints them: title, value, what it was counted over,
    and whether it fell short (a missed window, or a rate under its floor)."""
    by_key = {figure.key: figure for figure in scorecard.FIGURES}
    rows = []
    for row in figures["pledge"]:
        figure = by_key.get(row["key"])
        if figure is None:  # a figure since retired: the report keeps it, the page leaves it out
            continue
        value = row["value"]
        if value is None:
            text = _("None to count")
        elif row["kind"] in (scorecard.WINDOW, scorecard.RATE):
            text = percent(value)
        elif row["kind"] == scorecard.DAYS:
            text = _("%(days)s working days", days=one_decimal(value))
        else:
            text = _("%(rating)s out of 5", rating=one_decimal(value))
        if row["kind"] == scorecard.WINDOW:
            detail = _(
                "%(kept)s kept, %(missed)s missed of %(count)s; %(void)s void",
                kept=row["kept"],
                missed=row["missed"],
                count=row["count"],
                void=row["void"],
            )
        elif row["kind"] == scorecard.RATE:
            detail = _("%(settled)s settled of %(count)s", settled=row["kept"], count=row["count"])
        elif row["kind"] == scorecard.DAYS:
            detail = ngettext("%(num)s complaint decided", "%(num)s complaints decided", row["count"])
        else:
            detail = ngettext("%(num)s rating", "%(num)s ratings", row["count"])
        rows.append(
            {
                "title": _(figure.title),
                "value": text,
                "detail": detail,
                "short": row["missed"] > 0 or row["below_floor"],
            }
        )
    return rows


def report_context(report, lang: str) -> dict:
    """What the report's page and its PDF print (templates/reports/_service_report_body.html)."""
    from complaints.web.labels import CLOCK, MEASURES, STATE

    period = service_reports.period_of(report)
    return {
        "report": report,
        "period": period,
        "title": _("Service report, %(period)s", period=period_label(period)),
        "by": service_reports.generated_by(report),
        "rows": pledge_rows(report.figures),
        "bands": band_labels(),
        "clocks": CLOCK,
        "states": STATE,
        "measures": MEASURES,
        "lang": lang,
    }


def report_pdf(report, locale: str) -> bytes:
    """The report's printable page as a PDF (WeasyPrint, A4, CJK fonts embedded), in `locale`
    ("zh_CN", the pledge's language, unless "en")."""
    from weasyprint import HTML

    locale = locale if locale in ("zh_CN", "en") else "zh_CN"
    with force_locale(locale):
        html = render_template(
            "reports/service_report_pdf.html",
            **report_context(report, "zh-CN" if locale == "zh_CN" else "en"),
        )
    return HTML(string=html, base_url=None).write_pdf()


def period_label(period) -> str:
    if period.kind == service_reports.QUARTER:
        return _("Q%(quarter)s %(year)s", quarter=period.number, year=period.year)
    return _("H%(half)s %(year)s", half=period.number, year=period.year)

"""The quarterly service report and the half-yearly one (每季度发布服务报告, 半年度白皮书): one
printable page of what the pledge promised and what was kept over the period, downloadable as PDF
(complaints/reports/presenting.report_pdf) and CSV.

What a report holds, all counts (no one's name, e-mail or phone: a report can be published):

| part | from |
|---|---|
| the pledge's figures over the period (windows kept, mediation success, handling time, satisfaction) | services/scorecard.py's FIGURES, counted as the public scorecard counts them |
| volume, backlog by state and age at generation, pledge keeping per clock, categories and shops with the most complaints, ratings | services/dashboard.py, every category and shop |
| measures against shops decided in the period, by step | shop_sanctions |

The scheduler generates the report of each quarter and half-year the first time it runs after
the period is over (generate_due); a supervisor or an admin generates any period that has begun
on demand (a running one "to date"). Generating again replaces the report and records when and by
whom. The figures are kept as generated (models/service_report.py), so the page, the PDF and the
CSV of a report always agree.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Sanction, SanctionStatus, ServiceReport, User
from complaints.services import dashboard, scorecard
from complaints.services.scorecard_counts import Tally, read_days
from complaints.timekeeping import now

QUARTER, HALF = "quarter", "half"
_SLUG = re.compile(r"^(?P<year>\d{4})-(?P<kind>[QH])(?P<number>\d)$")


@dataclass(frozen=True, order=True)
class ReportPeriod:
    year: int
    kind: str  # QUARTER or HALF
    number: int  # 1-4 or 1-2

    @property
    def months(self) -> int:
        return 3 if self.kind == QUARTER else 6

    @property
    def first(self) -> date:
        return date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def last(self) -> date:
        end_month = self.number * self.months + 1
        after = date(self.year + 1, 1, 1) if end_month > 12 else date(self.year, end_month, 1)
        return after - timedelta(days=1)

    @property
    def slug(self) -> str:
        return f"{self.year}-{'Q' if self.kind == QUARTER else 'H'}{self.number}"

    @classmethod
    def parse(cls, slug: str) -> ReportPeriod | None:
        """ "2026-Q3" or "2026-H1"; None for anything else."""
        match = _SLUG.match(slug or "")
        if match is None:
            return None
        kind = QUARTER if match["kind"] == "Q" else HALF
        year, number = int(match["year"]), int(match["number"])
        if not 2000 <= year <= 9999 or not 1 <= number <= (4 if kind == QUARTER else 2):
            return None
        return cls(year, kind, number)

    @classmethod
    def containing(cls, day: date, kind: str) -> ReportPeriod:
        months = 3 if kind == QUARTER else 6
        return cls(day.year, kind, (day.month - 1) // months + 1)

    def previous(self) -> ReportPeriod:
        return ReportPeriod.containing(self.first - timedelta(days=1), self.kind)


def _today(at: datetime) -> date:
    return at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def periods_to_offer(at: datetime | None = None, count: int = 8) -> list[ReportPeriod]:
    """The current quarter and half-year and the ones before, newest first: what can be generated."""
    today = _today(at or now())
    found = []
    for kind, how_many in ((QUARTER, count), (HALF, count // 2)):
        period = ReportPeriod.containing(today, kind)
        for _ in range(how_many):
            found.append(period)
            period = period.previous()
    return sorted(found, key=lambda p: (p.last, p.kind == QUARTER), reverse=True)


# --- The figures ----------------------------------------------------------------------------


def _pledge_figures(first: date, last: date, at: datetime, today: date) -> list[dict]:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    days = read_days(first, zone, at, before=last + timedelta(days=1), still_open=last >= today)
    total = Tally()
    for day in days.values():
        total.add(day)
    floor = scorecard.floor()
    rows = []
    for figure in scorecard.FIGURES:
        measured = scorecard.measure(figure, total, floor)
        rows.append(
            {
                "key": figure.key,
                "kind": figure.kind,
                "value": measured.value,
                "count": measured.count,
                "kept": measured.kept,
                "missed": measured.missed,
                "still_open": measured.still_open,
                "void": measured.void,
                "below_floor": measured.below_floor,
            }
        )
    return rows


def _sanctions(first: date, last: date) -> dict[str, int]:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    since = datetime.combine(first, datetime.min.time(), zone)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    rows = db.session.execute(
        select(Sanction.step, func.count())
        .where(
            Sanction.status.in_([SanctionStatus.IN_FORCE, SanctionStatus.LIFTED]),
            Sanction.decided_at >= since,
            Sanction.decided_at < until,
        )
        .group_by(Sanction.step)
    )
    return {str(getattr(step, "value", step)): count for step, count in rows}


def figures_of(first: date, last: date, at: datetime) -> dict:
    """Everything a report of local days `first`..`last` prints, as plain data (kept as JSON)."""
    today = _today(at)
    board = dashboard.compute(dashboard.Filters(first, last), at)
    return {
        "pledge": _pledge_figures(first, last, at, today),
        "floor": str(scorecard.floor()),
        "filed": board.filed,
        "filed_by_month": _by_month(board.filed_by_day),
        "decided": board.decided,
        "backlog": {state.value: counts for state, counts in board.backlog.items()},
        "windows": [
            {
                "kind": w.kind.value,
                "kept": w.kept,
                "missed": w.missed,
                "void": w.void,
                "still_open": w.still_open,
            }
            for w in board.windows
        ],
        "categories": [
            {"id": c.id, "zh": c.names[0], "en": c.names[1], "count": c.count} for c in board.categories
        ],
        "shops": [{"id": s.id, "name": s.name, "count": s.count} for s in board.shops],
        "ratings": {str(stars): n for stars, n in sorted(board.ratings.items())},
        "sanctions": _sanctions(first, last),
    }


def _by_month(by_day: dict[date, int]) -> list[list]:
    months: dict[str, int] = {}
    for day, count in sorted(by_day.items()):
        key = f"{day.year}-{day.month:02d}"
        months[key] = months.get(key, 0) + count
    return [[month, count] for month, count in months.items()]


# --- Generating -------------------------------------------------------------------------------


def generate(period: ReportPeriod, by: User | None = None, at: datetime | None = None) -> ServiceReport:
    """The report of `period` computed now, replacing any earlier one. A period not begun is refused
    (ValueError); a running one is counted to date (today included)."""
    at = at or now()
    today = _today(at)
    if period.first > today:
        raise ValueError("period not begun")
    last = min(period.last, today)
    report = db.session.scalar(
        select(ServiceReport).where(
            ServiceReport.kind == period.kind,
            ServiceReport.year == period.year,
            ServiceReport.number == period.number,
        )
    ) or ServiceReport(kind=period.kind, year=period.year, number=period.number)
    report.first, report.last = period.first, last
    report.complete = period.last < today
    report.generated_at = at
    report.generated_by_id = by.id if by is not None else None
    report.figures = figures_of(period.first, last, at)
    db.session.add(report)
    db.session.commit()
    return report


def generate_due(at: datetime | None = None) -> int:
    """The scheduler's part: the last quarter and half-year over, each generated once. Returns how
    many it generated."""
    at = at or now()
    today = _today(at)
    generated = 0
    for kind in (QUARTER, HALF):
        period = ReportPeriod.containing(today, kind).previous()
        kept = find(period)
        if kept is None or not kept.complete:
            generate(period, None, at)
            generated += 1
    return generated


def find(period: ReportPeriod) -> ServiceReport | None:
    return db.session.scalar(
        select(ServiceReport).where(
            ServiceReport.kind == period.kind,
            ServiceReport.year == period.year,
            ServiceReport.number == period.number,
        )
    )


def listed() -> list[ServiceReport]:
    return list(
        db.session.scalars(
            select(ServiceReport).order_by(ServiceReport.last.desc(), ServiceReport.kind.desc())
        )
    )


def period_of(report: ServiceReport) -> ReportPeriod:
    return ReportPeriod(report.year, report.kind, report.number)


# --- Downloads --------------------------------------------------------------------------------

CSV_COLUMNS = ("section", "item", "value", "count", "kept", "missed", "still_open", "void")


def csv_of(report: ServiceReport) -> str:
    """The report's figures as CSV: one row per figure, in the order the page shows them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    figures = report.figures
    writer.writerow(("period", period_of(report).slug, f"{report.first}..{report.last}", "", "", "", "", ""))
    for row in figures["pledge"]:
        value = "" if row["value"] is None else f"{row['value']:.4f}"
        writer.writerow(
            (
                "pledge",
                row["key"],
                value,
                row["count"],
                row["kept"],
                row["missed"],
                row["still_open"],
                row["void"],
            )
        )
    writer.writerow(("volume", "filed", figures["filed"], "", "", "", "", ""))
    writer.writerow(("volume", "decided", figures["decided"], "", "", "", "", ""))
    for month, count in figures["filed_by_month"]:
        writer.writerow(("filed_by_month", month, count, "", "", "", "", ""))
    for state, counts in figures["backlog"].items():
        for (low, high), count in zip(dashboard.AGE_BANDS, counts, strict=True):
            writer.writerow(
                ("backlog", f"{state} {low}-{'' if high is None else high} days", count, "", "", "", "", "")
            )
    for w in figures["windows"]:
        writer.writerow(("windows", w["kind"], "", "", w["kept"], w["missed"], w["still_open"], w["void"]))
    for c in figures["categories"]:
        writer.writerow(("top_category", c["en"], c["count"], "", "", "", "", ""))
    for s in figures["shops"]:
        writer.writerow(("top_shop", s["name"], s["count"], "", "", "", "", ""))
    for stars, count in figures["ratings"].items():
        writer.writerow(("ratings", stars, count, "", "", "", "", ""))
    for step, count in figures["sanctions"].items():
        writer.writerow(("sanctions", step, count, "", "", "", "", ""))
    return out.getvalue()


def generated_by(report: ServiceReport) -> str | None:
    """Who generated the report (None: the scheduler)."""
    by = db.session.get(User, report.generated_by_id) if report.generated_by_id else None
    return by.name if by else None

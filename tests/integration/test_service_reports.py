"""The quarterly and half-yearly service reports: periods, generating (on demand and by the
scheduler, once), the figures as the scorecard and the dashboard count them, the PDF (Chinese and
English) and the CSV agree with the page, and no one's personal data is in any of them."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from complaints.extensions import db
from complaints.models import ServiceReport, User
from complaints.services import dashboard, scorecard, service_reports
from complaints.services.service_reports import HALF, QUARTER, ReportPeriod
from complaints.workflow import Action
from tests.support import act_as, shanghai

NAMES = {"consumer": "林晓梅", "other_consumer": "Harriet Quimby"}
PHONES = {"consumer": "13912345678", "other_consumer": "13698765432"}


def test_periods_are_quarters_and_halves_named_by_their_slug():
    q3 = ReportPeriod.parse("2026-Q3")
    assert (q3.first, q3.last, q3.slug) == (date(2026, 7, 1), date(2026, 9, 30), "2026-Q3")
    h2 = ReportPeriod.parse("2025-H2")
    assert (h2.first, h2.last) == (date(2025, 7, 1), date(2025, 12, 31))
    assert ReportPeriod.parse("2026-Q1").previous() == ReportPeriod(2025, QUARTER, 4)
    assert ReportPeriod.parse("2026-H1").previous() == ReportPeriod(2025, HALF, 2)
    assert ReportPeriod.containing(date(2026, 11, 28), QUARTER).slug == "2026-Q4"
    for wrong in ("2026-Q5", "2026-H3", "2026-Q0", "26-Q1", "2026-q1", "2026-Q1.pdf", "", "0001-Q1"):
        assert ReportPeriod.parse(wrong) is None, wrong


@pytest.fixture
def quarter(app, world, clock):
    """Three complaints in March 2026: one answered, verified and resolved in time and rated 5, one
    never answered (its response window open past due on Tuesday), one withdrawn (void)."""
    for key, name in NAMES.items():
        db.session.execute(
            update(User).where(User.id == world.people[key].id).values(name=name, phone=PHONES[key])
        )
    db.session.commit()
    clock.set(shanghai(2026, 3, 2, 10, 0))
    kept, late = world.file(), world.file(consumer="other_consumer")
    withdrawn = world.file()
    clock.set(shanghai(2026, 3, 2, 10, 30))
    act_as(world, kept, "agent", Action.REPLY, body="您好，我们正在核实。")
    act_as(world, kept, "agent", Action.VERIFY)
    act_as(world, kept, "agent", Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    act_as(world, kept, "consumer", Action.CONFIRM, rating=5)
    act_as(world, withdrawn, "consumer", Action.WITHDRAW)
    clock.set(shanghai(2026, 3, 3, 16, 0))
    return (kept, late, withdrawn)


def _pledge(report: ServiceReport, key: str) -> dict:
    return next(row for row in report.figures["pledge"] if row["key"] == key)


def test_a_running_quarter_is_reported_to_date_with_the_scorecards_and_dashboards_figures(quarter, world):
    report = service_reports.generate(ReportPeriod(2026, QUARTER, 1), world.user("supervisor"))
    assert (report.first, report.last, report.complete) == (date(2026, 1, 1), date(2026, 3, 3), False)
    response = _pledge(report, "response")
    assert (response["kept"], response["missed"], response["still_open"], response["void"]) == (1, 1, 1, 1)
    assert response["value"] == pytest.approx(0.5)
    assert _pledge(report, "satisfaction")["value"] == 5.0
    assert (report.figures["filed"], report.figures["decided"]) == (3, 1)
    assert report.figures["filed_by_month"] == [["2026-01", 0], ["2026-02", 0], ["2026-03", 3]]
    assert report.figures["ratings"] == {"5": 1}

    card = scorecard.scorecard()  # the same days, counted by the public scorecard
    this_quarter = card.quarters[0].measures["response"]
    assert (this_quarter.kept, this_quarter.missed, this_quarter.void) == (1, 1, 1)
    board = dashboard.compute(dashboard.Filters(date(2026, 1, 1), date(2026, 3, 3)))
    assert report.figures["categories"][0]["count"] == board.categories[0].count == 3


def test_generating_again_replaces_the_report_and_says_who(quarter, world, clock):
    period = ReportPeriod(2026, QUARTER, 1)
    service_reports.generate(period, world.user("supervisor"))
    act_as(world, quarter[1], "agent", Action.REPLY, body="抱歉回复晚了。")
    clock.set(shanghai(2026, 3, 4, 9, 0))
    again = service_reports.generate(period, None)
    assert db.session.scalar(select(func.count()).select_from(ServiceReport)) == 1
    assert again.generated_by_id is None and again.last == date(2026, 3, 4)
    response = _pledge(again, "response")
    assert (response["missed"], response["still_open"]) == (1, 0)  # ended late: missed, no longer open


def test_a_period_not_begun_is_refused(quarter):
    with pytest.raises(ValueError):
        service_reports.generate(ReportPeriod(2026, QUARTER, 2))


def test_the_scheduler_generates_each_period_once_after_it_ends(quarter, clock, world):
    service_reports.generate(ReportPeriod(2026, QUARTER, 1), world.user("supervisor"))  # to date, in March
    clock.set(shanghai(2026, 4, 1, 3, 0))
    assert service_reports.generate_due() == 2  # Q1 2026 again (now complete) and H2 2025
    q1 = service_reports.find(ReportPeriod(2026, QUARTER, 1))
    assert q1.complete and q1.last == date(2026, 3, 31) and q1.generated_by_id is None
    assert service_reports.find(ReportPeriod(2025, HALF, 2)).complete
    assert service_reports.generate_due() == 0


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_page_pdf_and_csv_agree_and_hold_no_personal_data(quarter, client, auth, world, app):
    report = service_reports.generate(ReportPeriod(2026, QUARTER, 1), world.user("supervisor"))
    auth.login(world.supervisor.email)
    page = client.get("/reports/service/2026-Q1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = client.get("/reports/service/2026-Q1.pdf")
    english = client.get("/reports/service/2026-Q1.pdf?lang=en")
    sheet = client.get("/reports/service/2026-Q1.csv")
    assert chinese.mimetype == english.mimetype == "application/pdf"
    assert sheet.mimetype == "text/csv"
    zh_text, en_text = _pdf_text(chinese.data), _pdf_text(english.data)
    assert "服务报告" in zh_text and "Service report, Q1 2026" in en_text
    assert "50.0%" in page and "50.0%" in en_text  # first responses in time: 1 of 2 counted
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True))))
    assert rows[0] == list(service_reports.CSV_COLUMNS)
    assert ["pledge", "response", "0.5000", "2", "1", "1", "1", "1"] in rows
    assert ["volume", "filed", "3", "", "", "", "", ""] in rows
    for text in (page, zh_text, en_text, sheet.get_data(as_text=True)):
        for key in NAMES:
            for personal in (NAMES[key], PHONES[key], world.people[key].email):
                assert personal not in text
        for ref in quarter:
            assert ref not in text
    from complaints.reports import presenting  # with the app's blueprints loaded (admin.pledges first)

    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = [row["title"] for row in presenting.pledge_rows(report.figures)]
    assert "First responses in time" in shown


def test_generating_from_the_page_and_wrong_periods(quarter, client, auth, world):
    auth.login(world.supervisor.email)
    listing = client.get("/reports/service", headers={"Accept-Language": "en"}).get_data(as_text=True)
    token = listing.split('name="csrf_token" value="')[1].split('"')[0]
    made = client.post("/reports/service", data={"period": "2026-Q1", "csrf_token": token})
    assert made.status_code == 302 and made.headers["Location"].endswith("/reports/service/2026-Q1")
    assert service_reports.find(ReportPeriod(2026, QUARTER, 1)) is not None
    for wrong in ("2026-Q2", "2027-Q1", "nonsense", ""):  # not begun, not offered, not a period
        refused = client.post(
            "/reports/service", data={"period": wrong, "csrf_token": token}, headers={"Accept-Language": "en"}
        )
        assert refused.status_code == 400, wrong
    assert db.session.scalar(select(func.count()).select_from(ServiceReport)) == 1
    assert client.get("/reports/service/2025-Q4").status_code == 404  # not generated
    assert client.get("/reports/service/2025-Q4.pdf").status_code == 404
    assert client.get("/reports/service/2026-Q9.csv").status_code == 404

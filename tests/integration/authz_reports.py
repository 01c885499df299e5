"""The authorization matrix's cases for the supervisors' dashboard and the service reports (see
authz_cases.py for the vocabulary): supervisors and admins only (participants.report_roles)."""

from __future__ import annotations

from tests.integration.authz_cases import ADMIN, FORM_ERROR, SUPERVISOR, Case, Outcome, only

READERS = (SUPERVISOR, ADMIN)


def planted_report(world) -> dict:
    """The first quarter of 2026's service report, generated if it is not yet."""
    from flask import has_app_context

    if not has_app_context():
        return {"slug": "2026-Q1"}
    from complaints.services import service_reports

    period = service_reports.ReportPeriod(2026, "quarter", 1)
    if service_reports.find(period) is None:
        service_reports.generate(period)
    return {"slug": period.slug}


REPORT_CASES = [
    Case("reports.dashboard", "GET", lambda w: {}, only(*READERS)),
    Case(
        "reports.dashboard",
        "GET",
        lambda w: {"first": "2026-11-30", "last": "2026-01-01", "shop": "no such shop"},
        only(*READERS, ok=FORM_ERROR),
        "bad filters",
    ),
    Case(
        "reports.dashboard",
        "GET",
        lambda w: {"first": "2026-01-01", "last": "2026-03-31", "shop": str(w.merchant_id)},
        only(*READERS),
        "one shop",
    ),
    Case("reports.service_reports_page", "GET", lambda w: {}, only(*READERS)),
    Case(
        "reports.generate_report",
        "POST",
        lambda w: {},
        only(*READERS, ok=FORM_ERROR),
        attack=lambda w: {"period": "2025-Q4"},
        probe=lambda w: {"period": "2026-Q7"},
        attack_by=SUPERVISOR,
    ),
    Case("reports.service_report", "GET", planted_report, only(*READERS)),
    Case(
        "reports.service_report",
        "GET",
        lambda w: {"slug": "2019-Q3"},
        only(*READERS, ok=Outcome(404)),
        "not generated",
    ),
    Case(
        "reports.service_report",
        "GET",
        lambda w: {"slug": "2026-Q9"},
        only(*READERS, ok=Outcome(404)),
        "no such period",
    ),
    Case("reports.service_report_pdf", "GET", planted_report, only(*READERS)),
    Case("reports.service_report_csv", "GET", planted_report, only(*READERS)),
]

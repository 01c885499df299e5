"""The supervisors' dashboard and the service reports (services/dashboard.py and
services/service_reports.py say what each figure counts).

| page | who |
|---|---|
| the dashboard: volume, backlog, pledge keeping, agents, categories and shops, satisfaction; by period, category and shop | supervisors and admins |
| the service reports: list, generate, one report's page, its PDF and CSV | the same |

Who may open them is the participant policy's answer (participants.report_roles).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from complaints import participants
from complaints.reports import presenting
from complaints.reports.forms import DashboardFilterForm, GenerateReportForm
from complaints.services import dashboard, service_reports
from complaints.services.categories import all_categories
from complaints.services.filing import find_shop
from complaints.timekeeping import now
from complaints.web.guards import roles_required
from complaints.web.labels import CLOCK, STATE

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = participants.report_roles()


def _today():
    return now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _filter_form() -> tuple[DashboardFilterForm, dashboard.Filters | None]:
    """The form as sent, and the filters it gives (None when something in it is wrong)."""
    form = DashboardFilterForm(formdata=request.args)
    locale = str(get_locale())
    categories = all_categories()
    form.category_id.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(str(c.id), c.display_name(locale)) for c in categories
    ]
    valid = form.validate()
    shop = None
    if form.shop.data and not form.shop.errors:
        shop = find_shop(form.shop.data, include_inactive=True)
        if shop is None:
            form.shop.errors = [_("We could not find that shop. Check its name or shop code.")]
            valid = False
    if not valid:
        return form, None
    default = dashboard.default_filters(_today())
    first = form.first.data or (
        form.last.data - (default.last - default.first) if form.last.data else default.first
    )
    last = form.last.data or max(first, default.last)
    if last < first or (last - first).days >= dashboard.LONGEST_PERIOD_DAYS:
        form.last.errors = [
            _("Choose a period of at most %(days)s days.", days=dashboard.LONGEST_PERIOD_DAYS)
        ]
        return form, None
    form.first.data, form.last.data = first, last
    category = int(form.category_id.data) if form.category_id.data else None
    return form, dashboard.Filters(first, last, category, shop.id if shop else None)


@bp.get("/", endpoint="dashboard")
@roles_required(*READERS)
def dashboard_page():
    form, filters = _filter_form()
    if filters is None:
        return render_template("reports/dashboard.html", form=form, board=None), 400
    board = dashboard.dashboard(filters)
    return render_template(
        "reports/dashboard.html",
        form=form,
        board=board,
        say=presenting,
        states=STATE,
        clocks=CLOCK,
        volume_chart=presenting.volume_chart(board),
        backlog_chart=presenting.backlog_chart(board),
        keeping_chart=presenting.keeping_chart(board, CLOCK),
        bands=presenting.band_labels(),
        definitions=dashboard.DEFINITIONS,
    )


# --- Service reports --------------------------------------------------------------------------


def _generate_form(formdata=None) -> GenerateReportForm:
    form = GenerateReportForm(formdata=formdata)
    form.period.choices = [
        SelectChoice(p.slug, presenting.period_label(p)) for p in service_reports.periods_to_offer()
    ]
    return form


@bp.get("/service")
@roles_required(*READERS)
def service_reports_page(form: GenerateReportForm | None = None, status: int = 200):
    return (
        render_template(
            "reports/service_reports.html",
            reports=service_reports.listed(),
            form=form or _generate_form(),
            period_label=presenting.period_label,
            period_of=service_reports.period_of,
        ),
        status,
    )


@bp.post("/service")
@roles_required(*READERS)
def generate_report():
    form = _generate_form(request.form)
    if not form.validate():
        return service_reports_page(form, 400)
    period = service_reports.ReportPeriod.parse(form.period.data)
    if period is None:
        abort(400)
    service_reports.generate(period, current_user)
    flash(_("The report for %(period)s was generated.", period=presenting.period_label(period)), "success")
    return redirect(url_for("reports.service_report", slug=period.slug))


def _report_or_404(slug: str):
    period = service_reports.ReportPeriod.parse(slug)
    report = service_reports.find(period) if period is not None else None
    if report is None:
        abort(404)
    return report


@bp.get("/service/<slug>")
@roles_required(*READERS)
def service_report(slug: str):
    report = _report_or_404(slug)
    return render_template(
        "reports/service_report.html", **presenting.report_context(report, str(get_locale()))
    )


@bp.get("/service/<slug>.pdf")
@roles_required(*READERS)
def service_report_pdf(slug: str):
    report = _report_or_404(slug)
    locale = "en" if request.args.get("lang") == "en" else "zh_CN"
    data = presenting.report_pdf(report, locale)
    filename = f"pledgedesk-service-report-{slug}{'-en' if locale == 'en' else ''}.pdf"
    return (
        data,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.get("/service/<slug>.csv")
@roles_required(*READERS)
def service_report_csv(slug: str):
    report = _report_or_404(slug)
    return (
        service_reports.csv_of(report),
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="pledgedesk-service-report-{slug}.csv"',
        },
    )

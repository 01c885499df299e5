"""Administration of the working calendars the pledge counts in: hours, zone, declared days.

Registered on the admin blueprint (complaints.admin.views imports this module at its end).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from complaints.admin.pledge_forms import HOLIDAY_SOURCE, WEEKDAYS, CalendarDayForm, CalendarForm
from complaints.admin.pledges import run_use_case
from complaints.admin.views import bp
from complaints.auth.account_forms import COMMON_TIME_ZONES
from complaints.extensions import db
from complaints.models import Role, WorkCalendar
from complaints.services import work_calendars
from complaints.web.guards import roles_required
from complaints.web.templating import zone_name


def _settings_form(calendar: WorkCalendar, submitted: bool = False) -> CalendarForm:
    """The calendar's settings form, prefilled with what is stored (and, if `submitted`, filled
    with what was sent)."""
    data = {
        "name": calendar.name,
        "name_en": calendar.name_en,
        "timezone": calendar.timezone,
        "count_receipt_day": calendar.count_receipt_day,
    }
    for weekday, text in enumerate(work_calendars.weekly_hours_text(calendar)):
        data[f"hours_{weekday}"] = text
    form = CalendarForm(data=data) if submitted else CalendarForm(formdata=None, data=data)
    form.timezone.render_kw = {"list": "time-zones", "autocomplete": "off"}  # suggests common zones
    return form


def _render_calendar(
    calendar: WorkCalendar, form: CalendarForm, day_form: CalendarDayForm, status=200, refusal=None
):
    body = render_template(
        "admin/calendar_form.html",
        calendar=calendar,
        form=form,
        day_form=day_form,
        holiday_source=HOLIDAY_SOURCE,
        refusal=refusal,
        # Suggested while typing: the IANA name is what is stored, its city in the admin's language
        # is what they read.
        zones=[(zone, zone_name(zone)) for zone in COMMON_TIME_ZONES],
    )
    return body, status


@bp.get("/calendars")
@roles_required(Role.ADMIN)
def calendars():
    return render_template(
        "admin/calendars.html",
        overviews=work_calendars.calendars_overview(),
        weekdays=WEEKDAYS,
        holiday_source=HOLIDAY_SOURCE,
    )


@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_calendar(calendar_id: int):
    calendar = db.get_or_404(WorkCalendar, calendar_id)
    form = _settings_form(calendar, submitted=True)
    status, refusal = 200, None
    if form.validate_on_submit():
        done, refusal, status = run_use_case(
            form,
            lambda: work_calendars.update_calendar(
                calendar,
                name=form.name.data,
                name_en=form.name_en.data,
                timezone=form.timezone.data,
                hours=form.hours(),
                count_receipt_day=form.count_receipt_day.data,
                actor=current_user,
            ),
        )
        if done:
            flash(
                _(
                    "The calendar “%(name)s” is saved. Windows that start or resume from now on count in it; "
                    "deadlines already set stay as they are.",
                    name=calendar.in_locale(str(get_locale())),
                ),
                "success",
            )
            return redirect(url_for("admin.calendars"))
    elif form.errors:
        status = 400
    return _render_calendar(calendar, form, CalendarDayForm(formdata=None), status, refusal)


@bp.post("/calendars/<int:calendar_id>/days")
@roles_required(Role.ADMIN)
def add_calendar_day(calendar_id: int):
    calendar = db.get_or_404(WorkCalendar, calendar_id)
    day_form = CalendarDayForm()
    status, refusal = 400, None
    if day_form.validate_on_submit():
        done, refusal, status = run_use_case(
            day_form,
            lambda: work_calendars.add_calendar_day(
                calendar,
                day=day_form.day.data,
                is_working=day_form.kind.data == "working",
                note=day_form.note.data,
                note_en=day_form.note_en.data,
                actor=current_user,
            ),
        )
        if done:
            flash(_("%(day)s is listed.", day=day_form.day.data.isoformat()), "success")
            return redirect(url_for("admin.edit_calendar", calendar_id=calendar.id))
    return _render_calendar(calendar, _settings_form(calendar), day_form, status, refusal)


@bp.post("/calendars/<int:calendar_id>/days/<int:day_id>/delete")
@roles_required(Role.ADMIN)
def remove_calendar_day(calendar_id: int, day_id: int):
    calendar = db.get_or_404(WorkCalendar, calendar_id)
    entry = next((d for d in calendar.days if d.id == day_id), None)
    if entry is None:
        abort(404)
    day = entry.day.isoformat()
    work_calendars.remove_calendar_day(calendar, day_id, actor=current_user)
    db.session.commit()
    flash(
        _("%(day)s is no longer listed; it follows the weekly hours and holiday data again.", day=day),
        "success",
    )
    return redirect(url_for("admin.edit_calendar", calendar_id=calendar.id))

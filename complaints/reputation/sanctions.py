"""Measures against shops below the line (services/sanctions.py): the supervisors' page of proposals
and measures in force with their decisions, the public notice of the measures in force, and the
list for regulators as CSV. Registered on the reputation blueprint.

| page | who |
|---|---|
| proposals and measures, and deciding on them | supervisors decide; the platform's staff and admins read |
| the list for regulators (CSV) | supervisors and admins |
| the public notice | anyone, no sign-in |
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import participants
from complaints.extensions import db
from complaints.models import Sanction
from complaints.reputation.forms import MEASURE_FORMS
from complaints.reputation.views import READERS, RECORDERS, bp
from complaints.services import sanctions
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

DECIDERS = participants.reputation_roles("decide")

DONE = {
    "approve": lambda: _(
        "The measure is approved; it is on the shop's timeline and, from its date, on the public notice."
    ),
    "dismiss": lambda: _("The proposal was dismissed."),
    "lift": lambda: _("The measure was lifted."),
    "interview": lambda: _("The interview's record was kept."),
}


@bp.get("/sanctions")
@roles_required(*READERS)
def measures():
    return measures_page()


def measures_page(failed: tuple[int, str] | None = None, form=None, problem=None, status: int = 200):
    """The proposals and the measures in force, each with the forms a supervisor may use on it;
    `failed`: the (measure id, form) just refused, shown again as sent with the reason."""
    proposals, in_force = sanctions.open_measures()
    forms = {}
    if current_user.role in DECIDERS:
        for sanction in proposals:
            approve = MEASURE_FORMS["approve"](formdata=None, data={"measure_step": sanction.step.value})
            forms[sanction.id] = {"approve": approve, "dismiss": MEASURE_FORMS["dismiss"](formdata=None)}
        for sanction in in_force:
            forms[sanction.id] = {"lift": MEASURE_FORMS["lift"](formdata=None)}
            if sanction.step.value == "interview":
                forms[sanction.id]["interview"] = MEASURE_FORMS["interview"](
                    formdata=None, data={"interview_record": sanction.interview_record or ""}
                )
    if failed is not None and failed[0] in forms:
        forms[failed[0]][failed[1]] = form
    body = render_template(
        "reputation/sanctions.html",
        proposals=proposals,
        in_force=in_force,
        forms=forms,
        failed=failed,
        problem=problem,
        exports=current_user.role in RECORDERS,
    )
    return body, status


@bp.post("/sanctions/<int:sanction_id>/<action>")
@roles_required(*DECIDERS)
def decide(sanction_id: int, action: str):
    form_class = MEASURE_FORMS.get(action)
    if form_class is None or db.session.get(Sanction, sanction_id) is None:
        abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return measures_page((sanction_id, action), form, status=400)
    try:
        if action == "approve":
            sanctions.approve(
                current_user,
                sanction_id,
                form.measure_step.data,
                form.effective_from.data,
                form.approve_reason.data,
            )
        elif action == "dismiss":
            sanctions.dismiss(current_user, sanction_id, form.dismiss_reason.data)
        elif action == "lift":
            sanctions.lift(current_user, sanction_id, form.lift_reason.data)
        else:
            sanctions.record_interview(current_user, sanction_id, form.interview_record.data)
    except Refusal as refused:
        return measures_page((sanction_id, action), form, translated(refused), status=409)
    flash(DONE[action](), "success")
    return redirect(url_for(".measures"))


@bp.get("/sanctions.csv")
@roles_required(*RECORDERS)
def regulator_csv():
    """Every measure ever approved, for regulators (a byte-order mark first, for spreadsheets)."""
    response = Response("\ufeff" + sanctions.regulator_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="shop-measures.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/notices")
def notices():
    """The measures in force, for anyone: shop, measure, reason, date; no person is named."""
    return render_template("reputation/notices.html", notices=sanctions.public_notices())

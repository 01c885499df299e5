"""The desk's bulk actions: take, assign or close the complaints ticked on a queue page."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from complaints import participants
from complaints.desk.forms import BulkForm
from complaints.desk.views import bp
from complaints.services import queues
from complaints.services.bulk import MAX_BULK, act_on_many
from complaints.web.errors import translated
from complaints.web.guards import STAFF, roles_required
from complaints.workflow import Action

# What a bulk action does, and who may ask for it (the workflow still decides each complaint).
BULK_ACTIONS = {"claim": Action.CLAIM, "assign": Action.ASSIGN, "close": Action.CLOSE}
SUPERVISORS_ONLY = ("assign", "close")


def bulk_form() -> BulkForm:
    """The bulk form with the choices the viewer has (assigning and closing are supervisors')."""
    form = BulkForm()
    supervisor = participants.supervises(current_user)
    form.bulk_action.choices = [
        SelectChoice(key, str(label))
        for key, label in BulkForm.ACTION_LABELS.items()
        if supervisor or key not in SUPERVISORS_ONLY
    ]
    form.bulk_assignee_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), u.name) for u in (queues.assignable_staff() if supervisor else [])
    ]
    return form


@bp.post("/bulk")
@roles_required(*STAFF)
def bulk():
    form = bulk_form()
    references = [r for r in request.form.getlist("ref") if r][: MAX_BULK + 1]
    if len(references) > MAX_BULK:
        form.form_errors.append(form.too_many_message())
    if not form.validate_on_submit() or not references or len(references) > MAX_BULK:
        if not references:
            form.form_errors.append(form.nothing_message())
        return render_template("desk/bulk_results.html", form=form, results=None), 400
    key = form.bulk_action.data
    if key not in BULK_ACTIONS:
        abort(400)
    params = {}
    if key == "assign":
        params["assignee_id"] = form.assignee()
        params["handover"] = (form.bulk_handover.data or "").strip() or None
        if params["assignee_id"] is None:
            form.bulk_assignee_id.errors = [form.assignee_missing_message()]
            return render_template("desk/bulk_results.html", form=form, results=None), 400
    results = act_on_many(current_user, references, BULK_ACTIONS[key], **params)
    shown = [(r.reference, r.done, translated(r.problem) if r.problem else None) for r in results]
    return render_template("desk/bulk_results.html", form=form, results=shown, action=key)

"""The mediator's steps on a referral: accept or return the case once both parties consented,
then schedule sessions and ask a party for information; and the measures panel of the
mediation pages.

Each step goes through `act_on_complaint` (the workflow says when it fits); a refused or invalid
step shows the case page again with the form as typed and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from complaints.mediation.referral_forms import MEDIATOR_FORMS
from complaints.mediation.views import _render_case, bp
from complaints.models import MediationSession, Role
from complaints.services.complaint_view import ComplaintView, load_complaint_view
from complaints.services.errors import ComplaintNotFound
from complaints.services.lifecycle import act_on_complaint
from complaints.services.mediation_measures import Measures, measures_for
from complaints.services.mediation_sessions import scheduled_sessions
from complaints.services.referrals import ReferralState, referral_state
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Action, Refusal

DONE = {
    "accept": _l("Your organisation accepted the case: mediation has begun and its pledged time runs."),
    "return": _l("The case was returned to the platform with your reason."),
    "schedule": _l("The session is scheduled; both parties were told."),
    "ask": _l("Your question was sent; the pledged times it names wait for the answer."),
}


@dataclass
class MediationPanel:
    """The referral part of a case page: where it stands, the sessions scheduled, and a form for
    each step the mediator may take now (the refused one as typed)."""

    state: ReferralState | None
    sessions: list[MediationSession]
    forms: dict[str, FlaskForm] = field(default_factory=dict)
    failed: str | None = None
    refusal: str | None = None


def mediation_panel(view: ComplaintView, failed=None, failed_form=None, refusal=None) -> MediationPanel:
    """The case page's referral panel (a template global)."""
    forms = {}
    for name, form_class in MEDIATOR_FORMS.items():
        if view.can(form_class.action):
            keep = name == failed and failed_form is not None
            forms[name] = failed_form if keep else form_class(formdata=None)
    complaint = view.complaint
    return MediationPanel(referral_state(complaint), scheduled_sessions(complaint.id), forms, failed, refusal)


def mediation_measures() -> Measures:
    """The measures panel of the mediation pages (a template global): overall, the viewer's
    organisation and each of its mediators."""
    return measures_for(current_user.mediation_org_id)


bp.add_app_template_global(mediation_panel, "mediation_panel")
bp.add_app_template_global(mediation_measures, "mediation_measures")


@bp.post("/cases/<reference>/referral/<action>")
@roles_required(Role.MEDIATOR)
def referral_step(reference: str, action: str):
    step = action
    form_class = MEDIATOR_FORMS.get(step)
    if form_class is None:
        abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return _again(reference, step, form, status=400)
    try:
        act_on_complaint(current_user, reference, form.action, None, **form.params())
    except ComplaintNotFound:
        abort(404)
    except Refusal as refused:
        return _again(reference, step, form, status=409, refusal=translated(refused))
    flash(str(DONE[step]), "success")
    if form.action is Action.RETURN_REFERRAL:  # no longer the organisation's case
        return redirect(url_for("mediation.cases"))
    return redirect(url_for("mediation.case", reference=reference))


def _again(reference: str, step: str, form: FlaskForm, status: int, refusal: str | None = None):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return _render_case(
        view,
        status=status,
        extra={"referral_failed": step, "referral_form": form, "referral_refusal": refusal},
    )

"""A referral to mediation as its parties see it: a panel on each complaint page, and for the
consumer and the shop's staff a page where each consents or declines.

`register(bp, roles)` adds the page and its two answers to a blueprint (portal, merchant), behind
`roles_required`, loading the complaint through the viewer's scoped query (another's complaint is
a 404). The answers go through `act_on_complaint` like every action; the workflow refuses a second
answer, an answer for another's complaint, or one after the window lapsed, with a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from complaints import participants
from complaints.models import Complaint, MediationSession
from complaints.services.complaint_view import ComplaintView
from complaints.services.errors import ComplaintNotFound
from complaints.services.lifecycle import act_on_complaint
from complaints.services.mediation_sessions import scheduled_sessions
from complaints.services.referrals import ReferralState, party_of, referral_state
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.web.referral_forms import PARTY_FORMS
from complaints.workflow import Refusal

DONE = {
    "consent": lambda both: (
        _("Both parties consented: the case goes to the mediation organisation.")
        if both
        else _("Your consent is recorded. Mediation goes ahead once the other party consents too.")
    ),
    "decline": lambda both: _("You declined mediation. The platform decides the complaint."),
}


@dataclass
class ReferralPanel:
    """What a complaint page shows of its latest referral, and whether the viewer is to answer."""

    state: ReferralState
    sessions: list[MediationSession] = field(default_factory=list)
    side: str | None = None  # "consumer" or "shop" when the viewer is a party
    url: str | None = None  # the viewer's referral page, for a party

    @property
    def your_turn(self) -> bool:
        return (
            self.side is not None
            and self.state.waiting_for_consent
            and self.state.answer_of(self.side) is None
        )

    @property
    def other_side(self) -> str | None:
        return {"consumer": "shop", "shop": "consumer"}.get(self.side)


def _side(complaint: Complaint) -> str | None:
    """The side the viewer answers for, if they are one of the two parties."""
    actor = participants.workflow_actor(current_user)
    if actor is None or not (
        actor.value in ("consumer", "merchant") or participants.is_platform_staff(current_user)
    ):
        return None
    return party_of(complaint, current_user).value


def referral_panel(complaint: Complaint, view: ComplaintView | None = None) -> ReferralPanel | None:
    """The referral panel of a complaint page (a template global), or None: never referred.
    view: the page's ComplaintView, which holds the latest referral already read."""
    state = referral_state(complaint, view.referral) if view is not None else referral_state(complaint)
    if state is None:
        return None
    side = _side(complaint)
    endpoint = participants.of(current_user).complaint_endpoint
    area = endpoint.split(".")[0] if endpoint else None
    url = url_for(f"{area}.referral", reference=complaint.reference) if side and area else None
    return ReferralPanel(state, scheduled_sessions(complaint.id), side, url)


def _page(area: str, reference: str, failed=None, failed_form=None, problem=None, status=200):
    complaint = participants.get_visible_complaint(current_user, reference)
    panel = referral_panel(complaint) if complaint is not None else None
    if panel is None or panel.side is None:
        abort(404)
    forms = {}
    if panel.your_turn:
        forms = {
            name: failed_form if name == failed and failed_form is not None else form_class(formdata=None)
            for name, form_class in PARTY_FORMS.items()
        }
    body = render_template(
        "referrals/page.html",
        area=area,
        c=complaint,
        panel=panel,
        forms=forms,
        failed=failed,
        problem=problem,
        complaint_url=participants.complaint_url(current_user, reference),
    )
    return body, status


def register(bp: Blueprint, roles: tuple) -> None:
    """Add the referral page and the party's answers to `bp`, for users of `roles`."""
    area = bp.name

    @bp.get("/complaints/<reference>/referral", endpoint="referral")
    @roles_required(*roles)
    def page(reference: str):
        return _page(area, reference)

    @bp.post("/complaints/<reference>/referral/<action>", endpoint="referral_answer")
    @roles_required(*roles)
    def answer(reference: str, action: str):
        answer = action
        form_class = PARTY_FORMS.get(answer)
        if form_class is None:
            abort(404)
        form: FlaskForm = form_class()
        if not form.validate_on_submit():
            return _page(area, reference, answer, form, status=400)
        try:
            complaint = act_on_complaint(current_user, reference, form.action, None, **form.params())
        except ComplaintNotFound:
            abort(404)
        except Refusal as refused:
            return _page(area, reference, answer, form, problem=translated(refused), status=409)
        flash(DONE[answer](complaint.mediation_org_id is not None), "success")
        return redirect(url_for(f"{area}.complaint", reference=reference))

    if not getattr(register, "_global", False):  # once, whichever blueprint registers first
        bp.app_template_global("referral_panel")(referral_panel)
        register._global = True


def offer_organisations(select_field, complaint: Complaint, locale: str) -> None:
    """Offer the organisations that take `complaint`'s category on a referral form's select, with
    the platform's proposal (the most spare capacity) chosen unless the referrer chose already."""
    from wtforms import SelectChoice

    from complaints.services import referral_choice

    organisations = referral_choice.organisations_for(complaint.category_id)
    select_field.choices = [SelectChoice(org.id, org.in_locale(locale)) for org in organisations]
    proposed = referral_choice.propose(complaint.category_id, organisations)
    if proposed is not None and not select_field.data:
        select_field.data = select_field.coerce(proposed.id)
        select_field.description = _(
            "Proposed: %(organisation)s, which takes this category and has the most room. You may choose another.",
            organisation=proposed.in_locale(locale),
        )

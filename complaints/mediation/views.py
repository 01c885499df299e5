"""Third-party mediators: their organisation's cases, sessions, outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from complaints.extensions import db
from complaints.mediation.forms import ACTION_FORMS, OutcomeForm
from complaints.models import ClockKind, Complaint, Event, Role, SlaClock, User
from complaints.prepared_statements import fixed
from complaints.services.complaint_view import ComplaintView, load_complaint_view
from complaints.services.errors import ComplaintNotFound, InvalidUpload, StaleComplaint
from complaints.services.lifecycle import act_on_complaint
from complaints.services.recently_changed import recently_changed
from complaints.sla.terms import ClockStatus, clock_status
from complaints.timekeeping import now
from complaints.web import agreement_pages
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import N_, Action, Refusal, State

bp = Blueprint("mediation", __name__, url_prefix="/mediation")

OPEN, DECIDED = "open", "decided"
TABS = ((OPEN, _l("In mediation")), (DECIDED, _l("Decided")))

ACTIONS = {"session": Action.RECORD_SESSION, "outcome": Action.RECORD_OUTCOME, "reply": Action.REPLY}

DONE = {
    "session": _l("The session was recorded."),
    "outcome": _l("The outcome was recorded; the case is resolved."),
    "reply": _l("Your message was sent to the parties."),
}


# The events that send a complaint to mediation; their detail carries the reason given.
REFERRALS = (Action.ESCALATE.value, Action.DISPUTE.value)


@dataclass
class CasePage:
    complaints: list[Complaint]
    next_cursor: str | None
    deadlines: dict[int, ClockStatus] = field(default_factory=dict)  # complaint id -> mediation clock


def mediation_deadline(clocks: list[ClockStatus]) -> ClockStatus | None:
    """The case's mediation window (the latest, should there ever be two), or None."""
    return next((s for s in reversed(clocks) if s.kind is ClockKind.MEDIATION), None)


def referral_of(events: list[Event]) -> Event | None:
    """The event that sent the case to mediation: an agent's (or the consumer's) referral or the
    consumer's dispute of an outcome, the latest one; its detail holds the reason given."""
    return next((e for e in reversed(events) if e.action in REFERRALS), None)


def mediation_deadlines(complaints: list[Complaint]) -> dict[int, ClockStatus]:
    """The mediation window of each of `complaints`, read in one query (complaint id -> status)."""
    if not complaints:
        return {}
    rows = db.session.scalars(
        select(SlaClock)
        .where(
            SlaClock.complaint_id.in_([c.id for c in complaints]),
            SlaClock.kind == fixed(ClockKind.MEDIATION, SlaClock.kind.type),
        )
        .order_by(SlaClock.id)
    )
    at = now()
    return {clock.complaint_id: clock_status(clock, at) for clock in rows}  # the latest one wins


def organisation_cases(user: User, tab: str, cursor: str | None) -> CasePage:
    """One page of the cases referred to `user`'s organisation, most recently changed first.

    tab: OPEN (still in mediation) or DECIDED (every other state: mediated earlier, decided since).
    cursor: the previous page's next_cursor; a malformed one gives the first page.
    Cases come through the mediator's scoped query, so another organisation's never appear.
    """
    in_mediation = Complaint.state == fixed(State.MEDIATED, Complaint.state.type)
    rows, next_cursor = recently_changed(
        user, in_mediation if tab == OPEN else ~in_mediation, cursor, joinedload(Complaint.merchant)
    )
    return CasePage(
        complaints=rows,
        next_cursor=next_cursor,
        deadlines=mediation_deadlines(rows),
    )


@bp.get("/")
@roles_required(Role.MEDIATOR)
def cases():
    tab = request.args.get("tab", OPEN)
    if tab not in (OPEN, DECIDED):
        tab = OPEN
    cursor = request.args.get("after")
    page = organisation_cases(current_user, tab, cursor)
    next_url = url_for("mediation.cases", tab=tab, after=page.next_cursor) if page.next_cursor else None
    first_url = url_for("mediation.cases", tab=tab) if cursor else None
    return render_template(
        "mediation/cases.html", tab=tab, tabs=TABS, page=page, next_url=next_url, first_url=first_url
    )


def _render_case(
    view: ComplaintView,
    status: int = 200,
    failed: str | None = None,
    failed_form: FlaskForm | None = None,
    refusal: str | None = None,
    extra: dict | None = None,
):
    """The case page with a form for each action the mediator may take now.

    failed / failed_form: the action that was refused (or taken back from its confirmation) and its
    form as sent, shown again with what the mediator typed; `refusal` says why it was refused.
    extra: more for the template (the referral steps' refused form: referral_views.py).
    """
    forms = {}
    for name, form_class in ACTION_FORMS.items():
        if view.can(ACTIONS[name]):
            keep = name == failed and failed_form is not None
            forms[name] = failed_form if keep else form_class(formdata=None)
    body = render_template(
        "mediation/case.html",
        view=view,
        c=view.complaint,
        forms=forms,
        failed=failed,
        refusal=refusal,
        deadline=mediation_deadline(view.clocks),
        referral=referral_of(view.events),
        **(extra or {}),
    )
    return body, status


@bp.get("/cases/<reference>")
@roles_required(Role.MEDIATOR)
def case(reference: str):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return _render_case(view)


@bp.post("/cases/<reference>/<action>")
@roles_required(Role.MEDIATOR)
def act(reference: str, action: str):
    """Take `action`; the outcome, which ends the case, first shows what will be recorded and is
    recorded only when that confirmation is sent back (its `confirm` field)."""
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return _refused(reference, action, form, status=400)
    guarded = isinstance(form, OutcomeForm)
    if guarded and not form.confirm.data:
        return _confirm_outcome(reference, form)
    try:
        act_on_complaint(
            current_user,
            reference,
            ACTIONS[action],
            form.version.data if guarded else None,
            **form.params(),
        )
    except ComplaintNotFound:
        abort(404)
    except Refusal as refusal:
        return _refused(reference, action, form, status=409, message=translated(refusal))
    except InvalidUpload as invalid:  # only the session form sends files
        form.session_files.errors = [translated(invalid)]
        return _refused(reference, action, form, status=400)
    flash(str(DONE[action]), "success")
    return redirect(url_for("mediation.case", reference=reference))


def _confirm_outcome(reference: str, form: OutcomeForm):
    """The outcome as it will be recorded, to confirm or take back ("back": the case page again
    with the form as typed). A case the mediator can no longer decide goes straight to the
    service, whose refusal says why."""
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    if form.back.data:
        return _render_case(view, failed="outcome", failed_form=form)  # as typed, nothing recorded
    refusal = _why_not_now(view, form)
    if refusal is not None:
        return _render_case(view, status=409, failed="outcome", failed_form=form, refusal=translated(refusal))
    return render_template(
        "mediation/confirm_outcome.html",
        view=view,
        c=view.complaint,
        form=form,
        deadline=mediation_deadline(view.clocks),
        referral=referral_of(view.events),
    )


def _why_not_now(view: ComplaintView, form: OutcomeForm) -> Refusal | None:
    """Why the outcome could not be recorded now, said before the confirmation rather than after
    it: the case changed since the mediator's page (the service's own guard on confirming), or it
    is no longer in a state where an outcome can be recorded."""
    if view.complaint.version != form.version.data:
        return StaleComplaint()
    if not view.can(Action.RECORD_OUTCOME):
        return Refusal(
            N_("This action is not possible while the complaint is %(state)s."),
            action=Action.RECORD_OUTCOME,
            state=view.complaint.state.value,
        )
    return None


def _refused(reference: str, action: str, form: FlaskForm, status: int, message: str | None = None):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return _render_case(view, status=status, failed=action, failed_form=form, refusal=message)


# The agreement of a settled mediation: its page and its PDF for the mediators.
agreement_pages.register(bp, (Role.MEDIATOR,), prefix="/cases")

# Accepting or returning a referral, scheduling sessions, asking a party; the measures panel.
from complaints.mediation import referral_views  # noqa: E402,F401

"""The consumer portal: file complaints and follow them."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload

from complaints.extensions import db, limiter
from complaints.models import Complaint, Merchant, Role
from complaints.participants import get_visible_complaint, visible_complaints
from complaints.portal.forms import (
    AcceptOfferForm,
    AppealForm,
    ComplaintForm,
    ConfirmForm,
    DeclineOfferForm,
    DisputeForm,
    EscalateForm,
    EvidenceForm,
    ReferralForm,
    ReplyForm,
    VersionedForm,
    WithdrawForm,
)
from complaints.portal.pledges import complaint_pledges, pledges_of_page
from complaints.services.attachments import Upload
from complaints.services.categories import active_categories
from complaints.services.complaint_view import load_complaint_view
from complaints.services.errors import ComplaintNotFound, InvalidUpload
from complaints.services.filing import (
    MAX_SHOP_QUERY,
    ComplaintDraft,
    file_complaint,
    find_shop,
    shop_label,
    suggest_shops,
)
from complaints.services.lifecycle import act_on_complaint
from complaints.services.mediation import active_organisations
from complaints.services.pending_uploads import (
    forget_kept_uploads,
    keep_uploads,
    kept_files,
    remove_taken_files,
)
from complaints.web import agreement_pages, referral_pages
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.web.params import parse_id, parse_instant
from complaints.workflow import Action, Refusal

bp = Blueprint("portal", __name__, url_prefix="/portal")

# The consumer's actions, by the last part of their URL.
ACTIONS: dict[str, tuple[Action, type]] = {
    "reply": (Action.REPLY, ReplyForm),
    "evidence": (Action.ADD_EVIDENCE, EvidenceForm),
    "withdraw": (Action.WITHDRAW, WithdrawForm),
    "confirm": (Action.CONFIRM, ConfirmForm),
    "dispute": (Action.DISPUTE, DisputeForm),
    "appeal": (Action.APPEAL, AppealForm),
    "escalate": (Action.ESCALATE, EscalateForm),
    "accept_offer": (Action.ACCEPT_SETTLEMENT, AcceptOfferForm),
    "decline_offer": (Action.DECLINE_SETTLEMENT, DeclineOfferForm),
}

SUCCESS = {
    "reply": lambda: _("Your message was sent."),
    "evidence": lambda: _("Your evidence was added to the complaint."),
    "withdraw": lambda: _("Your complaint was withdrawn."),
    "confirm": lambda: _("Thank you for your rating. Your complaint is now closed."),
    "dispute": lambda: _("Your complaint was referred to independent mediation."),
    "appeal": lambda: _("Your appeal was received. We will look at the complaint again."),
    "escalate": lambda: _("Your complaint was referred to independent mediation."),
    "accept_offer": lambda: _("You accepted the shop's offer. Your complaint is resolved on its terms."),
    "decline_offer": lambda: _("You declined the shop's offer. We keep working on your complaint."),
}


def _per_account() -> str:
    # Per account, so that many consumers behind one network address are not limited together
    # (and signing out and in again does not reset the count).
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _uploads(storages) -> list[Upload]:
    """The uploaded files as the services take them: claimed name and bytes."""
    return [Upload(storage.filename or "", storage.read()) for storage in storages or []]


def _message(problem: Refusal | InvalidUpload) -> str:
    return translated(problem)


@bp.get("/complaints")
@roles_required(Role.CONSUMER)
def my_complaints():
    size = current_app.config["QUEUE_PAGE_SIZE"]
    before = _parse_cursor(request.args.get("before"))
    query = (
        visible_complaints(current_user)
        .options(joinedload(Complaint.merchant))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(size + 1)
    )
    if before:
        created_at, complaint_id = before
        query = query.where(
            or_(
                Complaint.created_at < created_at,
                and_(Complaint.created_at == created_at, Complaint.id < complaint_id),
            )
        )
    complaints = list(db.session.scalars(query))
    next_url = None
    if len(complaints) > size:
        complaints = complaints[:size]
        last = complaints[-1]
        next_url = url_for(".my_complaints", before=f"{last.created_at.isoformat()}|{last.id}")
    first_url = url_for(".my_complaints") if before else None
    return render_template(
        "portal/my_complaints.html",
        complaints=complaints,
        pledges=pledges_of_page(complaints),
        next_url=next_url,
        first_url=first_url,
    )


def _parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """The (created_at, id) after which the page starts, from `?before=<iso>|<id>`; None if absent
    or out of bounds (the first page)."""
    stamp, _sep, ident = (value or "").rpartition("|")
    created_at, complaint_id = parse_instant(stamp), parse_id(ident)
    if created_at is None or complaint_id is None:
        return None
    return created_at, complaint_id


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per day", methods=["POST"], key_func=_per_account)
@roles_required(Role.CONSUMER)
def new_complaint():
    categories = active_categories()
    form = ComplaintForm(categories, str(get_locale()))
    if not form.is_submitted():
        return render_template("portal/new_complaint.html", form=form, problem=None, kept=[], close_shops=[])
    valid = form.validate()
    # Kept files are written and forgotten only on a request the consumer's own form sent.
    trusted = getattr(form, "csrf_token", None) is None or not form.csrf_token.errors
    uploads = _uploads(form.evidence.data)
    dropped = request.form.getlist("drop_kept")
    if dropped and trusted:
        forget_kept_uploads(current_user, dropped)
    kept, kept_problems = kept_files(
        current_user, [t for t in request.form.getlist("kept") if t not in dropped]
    )
    problem, file_problems = None, [_message(p) for p in kept_problems]
    shop, close_shops = _chosen_shop(form)
    if form.merchant_id.data and shop is None:
        form.merchant_id.errors = [
            *form.merchant_id.errors,
            _("We could not find that shop exactly. Did you mean one of the shops below?")
            if close_shops
            else _("We could not find that shop. Check its name or shop code on your order."),
        ]
    elif valid and not kept_problems:
        try:
            reference = _file(form, shop, uploads, kept)
        except InvalidUpload as refused:
            db.session.rollback()
            file_problems.append(_message(refused))
        except Refusal as refused:
            db.session.rollback()
            problem = _message(refused)
        else:
            return redirect(url_for(".filed", reference=reference))
    if trusted:  # refused: the files that pass the evidence checks are kept, not chosen again
        room = current_app.config["MAX_ATTACHMENTS"] - len(kept)
        newly_kept, refused_uploads = keep_uploads(current_user, uploads, room)
        db.session.commit()
        kept = [*kept, *newly_kept]
        file_problems += [_message(p) for p in refused_uploads]
    form.evidence.errors = list(dict.fromkeys([*form.evidence.errors, *file_problems]))
    page = render_template(
        "portal/new_complaint.html", form=form, problem=problem, kept=kept, close_shops=close_shops
    )
    return page, 400


def _file(form: ComplaintForm, shop: Merchant, uploads: list[Upload], kept: list) -> str:
    """File the complaint the form describes, with its new and kept files; commit; its reference."""
    draft = ComplaintDraft(
        merchant_id=shop.id,
        category_id=int(form.category_id.data),
        order_reference=form.order_reference.data,
        title=form.title.data,
        description=form.description.data,
        desired_outcome=form.desired_outcome.data,
        claimed_amount=form.claimed_amount.data,
        files=uploads,
        kept=[k.token for k in kept],
    )
    complaint = file_complaint(current_user, draft)
    reference = complaint.reference  # (read before the commit expires it)
    db.session.commit()
    remove_taken_files()
    return reference


def _chosen_shop(form: ComplaintForm) -> tuple[Merchant | None, list[Merchant]]:
    """The shop the consumer chose, and if none was found exactly, the close matches to offer.

    A shop picked from the offered matches (`shop_choice`, the form without JavaScript) wins over
    the text typed; the field then shows the chosen shop.
    """
    chosen = find_shop(request.form.get("shop_choice"))
    if chosen is not None:
        form.merchant_id.data = shop_label(chosen)
        return chosen, []
    shop = find_shop(form.merchant_id.data)
    if shop is not None or not form.merchant_id.data:
        return shop, []
    try:
        return None, suggest_shops(form.merchant_id.data)
    except ValueError:  # too long to be a shop's name
        return None, []


@bp.get("/shops")
@limiter.limit("60 per minute;2000 per day", key_func=_per_account)
@roles_required(Role.CONSUMER)
def shops():
    """Shops matching what the consumer types in the filing form's shop field, as JSON."""
    try:
        found = suggest_shops(request.args.get("q", ""))
    except ValueError:
        return jsonify(error=_("Type at most %(count)s characters.", count=MAX_SHOP_QUERY), shops=[]), 400
    response = jsonify(
        shops=[{"code": shop.shop_code, "name": shop.name, "label": shop_label(shop)} for shop in found]
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/complaints/<reference>/filed")
@roles_required(Role.CONSUMER)
def filed(reference: str):
    complaint = get_visible_complaint(current_user, reference)
    if complaint is None:
        abort(404)
    return render_template("portal/filed.html", complaint=complaint, pledges=complaint_pledges(complaint))


@bp.get("/complaints/<reference>")
@roles_required(Role.CONSUMER)
def complaint(reference: str):
    return _complaint_page(reference)


@bp.post("/complaints/<reference>/<action>")
@limiter.limit("30 per minute;300 per day", key_func=_per_account)
@roles_required(Role.CONSUMER)
def act(reference: str, action: str):
    if action not in ACTIONS:
        abort(404)
    workflow_action, form_class = ACTIONS[action]
    form = form_class()
    if isinstance(form, ReferralForm):
        form.set_organisations(active_organisations(), str(get_locale()))
    if not form.validate_on_submit():
        return _complaint_page(reference, action, form, status=400)
    params = form.params()
    if "files" in params:
        params["files"] = _uploads(params["files"])
    expected = form.version.data if isinstance(form, VersionedForm) else None
    try:
        act_on_complaint(current_user, reference, workflow_action, expected, **params)
    except ComplaintNotFound:
        abort(404)
    except InvalidUpload as refused:
        files = form.attachments if isinstance(form, ReplyForm) else form.evidence
        files.errors = [*files.errors, _message(refused)]
        return _complaint_page(reference, action, form, status=400)
    except Refusal as refused:
        return _complaint_page(reference, action, form, problem=_message(refused), status=409)
    flash(SUCCESS[action](), "success")
    return redirect(url_for(".complaint", reference=reference))


def _complaint_page(reference: str, failed: str | None = None, failed_form=None, problem=None, status=200):
    """The complaint page with a form for each action the consumer may take now.

    failed / failed_form / problem: the action that was just refused, its form as sent (with
    its errors) and the reason it was refused, shown beside that form.
    """
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    organisations = None
    forms = {}
    for name, (workflow_action, form_class) in ACTIONS.items():
        if not view.can(workflow_action):
            continue
        form = failed_form if name == failed else form_class(formdata=None)
        if isinstance(form, ReferralForm):
            organisations = organisations if organisations is not None else active_organisations()
            form.set_organisations(organisations, str(get_locale()))
            if form is not failed_form:  # the proposal chosen, changeable
                referral_pages.offer_organisations(form.mediation_org_id, view.complaint, str(get_locale()))
        forms[name] = form
    return (
        render_template(
            "portal/complaint.html",
            view=view,
            c=view.complaint,
            forms=forms,
            failed=failed,
            problem=problem,
            deposit_payouts=deposit_consent.awaiting_consent(view.complaint),
        ),
        status,
    )


# The consent to a payout from the shop's deposit is a page of this blueprint; importing it registers it.
from complaints.portal import deposit_consent  # noqa: E402

# The agreement of a settled mediation: its page, its PDF and the consumer's steps.
agreement_pages.register(bp, (Role.CONSUMER,))

# A referral to mediation: the consumer consents or declines on its page.
referral_pages.register(bp, (Role.CONSUMER,))

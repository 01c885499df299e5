"""The agreement pages, the same in every area that sees a settled mediation.

`register(bp, roles)` adds to a blueprint (portal, merchant, mediation, desk) the agreement page,
its PDF, and the steps a party takes on it, each behind `roles_required` and loading the complaint
through the viewer's scoped query: another consumer's, another shop's or another organisation's
agreement is a 404, exactly as a complaint that does not exist. What each party may do is
services/agreement_rules.py; the steps go through `act_on_complaint` like every action.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from complaints import participants
from complaints.models import Agreement, Complaint
from complaints.services.agreement_pdf import CHINESE, ENGLISH, render_agreement_pdf, sha256_of
from complaints.services.agreement_rules import Side, Step, allowed_steps, is_their_step
from complaints.services.agreements import agreement_of, facts_of, owed_by_shop, side_of
from complaints.services.complaint_view import ComplaintView
from complaints.services.errors import ComplaintNotFound
from complaints.services.lifecycle import act_on_complaint
from complaints.web.agreement_forms import STEP_FORMS
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

# The form of each step of the rules, and back.
FORM_OF_STEP = {
    Step.ACCEPT: "accept",
    Step.DECLINE: "decline",
    Step.PAID: "paid",
    Step.RECEIVED: "receipt",
    Step.NOT_ARRIVED: "receipt",
}

DONE = {
    "accept": lambda binding: (
        _("Both parties have accepted: the agreement is now binding.")
        if binding
        else _("You accepted the agreement. It binds once the other party accepts it too.")
    ),
    "decline": lambda binding: _("You declined the agreement. The mediation counts as not settled."),
    "paid": lambda binding: _("The payment was confirmed; the consumer is asked to confirm receipt."),
    "receipt": lambda binding: _("Thank you: your answer was recorded."),
}


@dataclass(frozen=True)
class AgreementSummary:
    """What a complaint page shows of its agreement: it, and the page to open for the viewer."""

    agreement: Agreement
    url: str | None
    your_turn: bool  # the viewer has a step to take on it


def agreement_summary(complaint: Complaint, view: ComplaintView | None = None) -> AgreementSummary | None:
    """The agreement panel of a complaint page (a template global), or None: no agreement.
    view: the page's ComplaintView, which holds the agreement already read."""
    agreement = view.agreement if view is not None else agreement_of(complaint.id)
    if agreement is None:
        return None
    endpoint = participants.of(current_user).complaint_endpoint
    url = url_for(f"{endpoint.split('.')[0]}.agreement", reference=complaint.reference) if endpoint else None
    return AgreementSummary(agreement, url, bool(_steps(agreement)))


def _steps(agreement: Agreement) -> list[str]:
    """The forms the viewer may use now (in page order, each once)."""
    names = [FORM_OF_STEP[step] for step in allowed_steps(side_of(current_user), facts_of(agreement))]
    return list(dict.fromkeys(names))


def _load(reference: str) -> tuple[Complaint, Agreement]:
    complaint = participants.get_visible_complaint(current_user, reference)
    agreement = agreement_of(complaint.id) if complaint is not None else None
    if agreement is None:
        abort(404)
    return complaint, agreement


def _page(area: str, reference: str, failed: str | None = None, failed_form=None, problem=None, status=200):
    complaint, agreement = _load(reference)
    forms = {
        name: failed_form if name == failed and failed_form is not None else STEP_FORMS[name](formdata=None)
        for name in _steps(agreement)
    }
    body = render_template(
        "agreements/page.html",
        area=area,
        c=complaint,
        a=agreement,
        forms=forms,
        failed=failed,
        problem=problem,
        current_sha256=sha256_of(render_agreement_pdf(agreement, complaint, CHINESE)),
        side=side_of(current_user).value,
        is_party=side_of(current_user) in (Side.CONSUMER, Side.SHOP),
        complaint_url=participants.complaint_url(current_user, reference),
        deposit_url=_deposit_payout_url(complaint, agreement),
    )
    return body, status


def _deposit_payout_url(complaint: Complaint, agreement: Agreement) -> str | None:
    """Where the platform's staff propose paying an agreement the shop left unpaid from the
    shop's guarantee deposit (the form filled in from the agreement), if the viewer may."""
    if owed_by_shop(agreement) is None or not participants.requests_payouts(current_user):
        return None
    return url_for(
        "deposits.ledger",
        merchant_id=complaint.merchant_id,
        reference=complaint.reference,
        _anchor="payout-heading",
    )


def register(bp: Blueprint, roles: tuple, *, prefix: str = "/complaints") -> None:
    """Add the agreement page, its PDF and its steps to `bp`, for users of `roles`."""
    area = bp.name

    @bp.get(f"{prefix}/<reference>/agreement", endpoint="agreement")
    @roles_required(*roles)
    def page(reference: str):
        return _page(area, reference)

    @bp.get(f"{prefix}/<reference>/agreement.pdf", endpoint="agreement_pdf")
    @roles_required(*roles)
    def pdf(reference: str):
        """The PDF rendered now from the record; ?lang=en for the English version."""
        complaint, agreement = _load(reference)
        lang = ENGLISH if request.args.get("lang") == "en" else CHINESE
        data = render_agreement_pdf(agreement, complaint, lang)
        response = make_response(data)
        response.headers["Content-Type"] = "application/pdf"
        suffix = "-en" if lang == ENGLISH else ""
        response.headers["Content-Disposition"] = f'attachment; filename="agreement-{reference}{suffix}.pdf"'
        response.headers["X-Content-SHA256"] = sha256_of(data)
        return response

    @bp.post(f"{prefix}/<reference>/agreement/<action>", endpoint="agreement_act")
    @roles_required(*roles)
    def act(reference: str, action: str):
        form_class = STEP_FORMS.get(action)
        if form_class is None:
            abort(404)
        form: FlaskForm = form_class()
        if not form.validate_on_submit():
            return _page(area, reference, action, form, status=400)
        try:
            act_on_complaint(current_user, reference, form.action, None, **form.params())
        except ComplaintNotFound:
            abort(404)
        except Refusal as refused:
            status = 409 if _is_theirs(reference, action) else 403
            return _page(area, reference, action, form, problem=translated(refused), status=status)
        complaint, agreement = _load(reference)
        flash(DONE[action](agreement.status.value == "binding"), "success")
        return redirect(url_for(f"{area}.agreement", reference=reference))

    if not getattr(register, "_global", False):  # once, whichever blueprint registers first
        bp.app_template_global("agreement_summary")(agreement_summary)
        bp.app_template_filter("agreement_date")(agreement_date)
        register._global = True


def agreement_date(value) -> str:
    """A deadline date in the viewer's language (a date, not an instant: no zone to convert)."""
    return format_date(value, "long")


def _is_theirs(reference: str, action: str) -> bool:
    """Whether the step is the viewer's to take at all (refused now: 409), rather than another
    party's (403)."""
    _complaint, agreement = _load(reference)
    step = Step.RECEIVED if action == "receipt" else Step(action)  # accept, decline, paid
    return is_their_step(step, side_of(current_user), agreement.payer.value)

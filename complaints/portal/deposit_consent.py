"""The consumer's written consent to a payout from the shop's guarantee deposit.

The consent form is on the consumer's complaint page (templates/portal/_deposit_consent.html) and
on a page of its own, where a refused consent comes back with the reason. The payout request is
found through the consumer's own complaint: another's is a 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from complaints.deposits.forms import ConsentForm, DeclineForm
from complaints.models import Complaint, PayoutStatus, Role
from complaints.participants import get_visible_complaint
from complaints.portal.views import bp
from complaints.services import deposit_ledgers, deposit_payouts
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

CONSENT_URL = "/complaints/<reference>/deposit-consent/<int:payout_id>"


@bp.get(CONSENT_URL)
@roles_required(Role.CONSUMER)
def deposit_consent(reference: str, payout_id: int):
    return _consent_page(reference, payout_id)


@bp.post(CONSENT_URL)
@roles_required(Role.CONSUMER)
def give_deposit_consent(reference: str, payout_id: int):
    form = ConsentForm()
    if not form.validate_on_submit():
        return _consent_page(reference, payout_id, consent=form, status=400)
    try:
        deposit_payouts.consumer_consents(
            current_user, reference, payout_id, form.consent_name.data, form.consent_confirm.data
        )
    except deposit_payouts.PayoutNotFound:
        abort(404)
    except Refusal as refused:
        return _consent_page(reference, payout_id, consent=form, problem=translated(refused), status=409)
    flash(_("Thank you: your consent is recorded. The payment follows a supervisor's approval."), "success")
    return redirect(url_for(".complaint", reference=reference))


@bp.post(CONSENT_URL + "/decline")
@roles_required(Role.CONSUMER)
def decline_deposit_payout(reference: str, payout_id: int):
    form = DeclineForm()
    if not form.validate_on_submit():
        return _consent_page(reference, payout_id, decline=form, status=400)
    try:
        deposit_payouts.refuse(current_user, payout_id, form.payout_decline_reason.data, reference=reference)
    except deposit_payouts.PayoutNotFound:
        abort(404)
    except Refusal as refused:
        return _consent_page(reference, payout_id, decline=form, problem=translated(refused), status=409)
    flash(_("You declined the payment. We will get back to you."), "success")
    return redirect(url_for(".complaint", reference=reference))


def awaiting_consent(complaint) -> list[tuple]:
    """The complaint page's payouts waiting for the consumer's consent, each with an empty form."""
    return [(request, ConsentForm(formdata=None)) for request in deposit_ledgers.awaiting_consent(complaint)]


def _consent_page(reference: str, payout_id: int, consent=None, decline=None, problem=None, status=200):
    complaint = get_visible_complaint(current_user, reference, options=[selectinload(Complaint.merchant)])
    request = deposit_payouts.payout_on(complaint, payout_id) if complaint is not None else None
    if request is None:
        abort(404)
    body = render_template(
        "portal/deposit_consent.html",
        c=complaint,
        payout=request,
        waiting=request.status is PayoutStatus.REQUESTED,
        consent=consent or ConsentForm(formdata=None),
        decline=decline or DeclineForm(formdata=None),
        problem=problem,
    )
    return body, status

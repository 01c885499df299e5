"""Payouts from a shop's deposit, for the platform: asking for one (agents and supervisors), and
approving, paying, refusing (supervisors) or cancelling (the requester or a supervisor) it.

Each view parses its form, calls one service of services/deposit_payouts.py and says what happened;
a refused step is shown on the page it came from with the reason (409), an invalid form with
the marked fields (400), a request that is not there is a 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import participants
from complaints.deposits.forms import (
    PayoutCancelForm,
    PayoutDecisionForm,
    PayoutRefusalForm,
    PayoutRequestForm,
)
from complaints.deposits.views import READERS, bp, ledger_page
from complaints.services import deposit_ledgers
from complaints.services import deposit_payouts as payouts_service
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

REQUESTERS = participants.deposit_roles("request")
APPROVERS = participants.deposit_roles("approve")


@bp.post("/shops/<int:merchant_id>/payouts")
@roles_required(*REQUESTERS)
def request_payout(merchant_id: int):
    form = PayoutRequestForm()
    if not form.validate_on_submit():
        return ledger_page(merchant_id, "payout", form, status=400)
    try:
        payouts_service.request_payout(current_user, merchant_id, **form.params())
    except payouts_service.PayoutNotFound:
        abort(404)
    except Refusal as refused:
        return ledger_page(merchant_id, "payout", form, translated(refused), status=409)
    flash(_("The consumer is asked for their written consent; the payout waits for it."), "success")
    return redirect(url_for(".payouts"))


@bp.get("/payouts")
@roles_required(*READERS)
def payouts():
    return payouts_page()


def payouts_page(failed: tuple[int, str] | None = None, form=None, problem=None, status: int = 200):
    """The payouts in progress, oldest first, and the latest ones decided; `failed`: the
    (request id, step) just refused, with its form as sent and the reason."""
    open_payouts = deposit_ledgers.payouts()
    forms = {
        r.id: {
            "refuse": PayoutRefusalForm(formdata=None),
            "cancel": PayoutCancelForm(formdata=None),
            "approve": PayoutDecisionForm(formdata=None),
            "pay": PayoutDecisionForm(formdata=None),
        }
        for r in open_payouts
    }
    if failed and failed[0] in forms:
        forms[failed[0]][failed[1]] = form
    for payout_id, its_forms in forms.items():
        for each in its_forms.values():
            _ids_of_request(each, payout_id)
    body = render_template(
        "deposits/payouts.html",
        open_payouts=open_payouts,
        recent=deposit_ledgers.payouts(open_only=False),
        decides=participants.supervises(current_user),
        requests=participants.requests_payouts(current_user),
        forms=forms,
        failed=failed,
        problem=problem,
    )
    return body, status


@bp.post("/payouts/<int:payout_id>/approve")
@roles_required(*APPROVERS)
def approve(payout_id: int):
    return _decide(
        payout_id,
        "approve",
        PayoutDecisionForm(),
        _("The payout is approved; it can be paid now."),
    )


@bp.post("/payouts/<int:payout_id>/pay")
@roles_required(*APPROVERS)
def pay(payout_id: int):
    return _decide(
        payout_id,
        "pay",
        PayoutDecisionForm(),
        _("Paid: the payout is in the shop's ledger."),
    )


@bp.post("/payouts/<int:payout_id>/refuse")
@roles_required(*APPROVERS)
def refuse(payout_id: int):
    form = PayoutRefusalForm()
    return _decide(payout_id, "refuse", form, _("The payout is refused."), reason=form.refusal_reason)


@bp.post("/payouts/<int:payout_id>/cancel")
@roles_required(*REQUESTERS)
def cancel(payout_id: int):
    form = PayoutCancelForm()
    return _decide(
        payout_id, "cancel", form, _("The payout request is cancelled."), reason=form.cancel_reason
    )


def _ids_of_request(form, payout_id: int) -> None:
    """The page has one form of a kind per request: their fields' ids (which labels point at) name
    the request, so that each is unique on the page; the names sent stay the same."""
    for field in form:
        if field.type != "CSRFTokenField":
            field.id = field.label.field_id = f"{field.name}-{payout_id}"


STEPS = {
    "approve": payouts_service.approve,
    "pay": payouts_service.pay,
    "refuse": payouts_service.refuse,
    "cancel": payouts_service.cancel,
}


def _decide(payout_id: int, step: str, form, done: str, reason=None):
    if not form.validate_on_submit():
        return payouts_page((payout_id, step), form, status=400)
    params = {"reason": reason.data} if reason is not None else {}
    try:
        STEPS[step](current_user, payout_id, **params)
    except payouts_service.PayoutNotFound:
        abort(404)
    except Refusal as refused:
        return payouts_page((payout_id, step), form, translated(refused), status=409)
    flash(done, "success")
    return redirect(url_for(".payouts"))

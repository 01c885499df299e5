"""The shops' guarantee deposits, for the platform: balances, each shop's ledger, top-ups and
adjustments, and the ledger as CSV. Payouts are in payouts.py (same blueprint).

Who may open what is the participant policy's answer (participants.deposit_roles): the platform's
staff and admins read every shop's ledger; supervisors and admins top up, adjust and export.
"""

from __future__ import annotations

from itertools import chain

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from complaints import participants
from complaints.deposits.forms import AdjustmentForm, PayoutRequestForm, TopUpForm
from complaints.extensions import db
from complaints.models import Merchant
from complaints.services import deposit_ledgers, deposit_payouts, deposits
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

bp = Blueprint("deposits", __name__, url_prefix="/deposits")

READERS = participants.deposit_roles("read")
KEEPERS = participants.deposit_roles("keep")


@bp.get("/")
@roles_required(*READERS)
def shops():
    balances = deposit_ledgers.shop_balances()
    return render_template(
        "deposits/shops.html",
        shops=balances,
        below=deposit_ledgers.below_minimum(balances),
        minimum=deposit_ledgers.minimum_balance(),
        open_payouts=sum(s.open_payouts for s in balances),
    )


@bp.get("/shops/<int:merchant_id>")
@roles_required(*READERS)
def ledger(merchant_id: int):
    """?reference=: the payout form filled in from that complaint's unpaid mediation agreement."""
    return ledger_page(merchant_id, prefill=request.args.get("reference"))


def ledger_page(
    merchant_id: int, failed: str | None = None, form=None, problem=None, status: int = 200, prefill=None
):
    """A shop's ledger with the forms the viewer may use; `failed`/`form`/`problem`: the form
    just refused, as sent, and why (shown beside it)."""
    shop = db.session.get(Merchant, merchant_id)
    if shop is None:
        abort(404)
    forms = {}
    if participants.keeps_deposits(current_user):
        forms["top_up"] = TopUpForm(formdata=None)
        forms["adjust"] = AdjustmentForm(formdata=None)
    if participants.requests_payouts(current_user):
        forms["payout"] = PayoutRequestForm(
            formdata=None, data=_unpaid_agreement_payout(merchant_id, prefill)
        )
    if failed:
        forms[failed] = form
    body = render_template(
        "deposits/ledger.html",
        shop=shop,
        balance=deposits.balance_of(shop.id),
        minimum=deposit_ledgers.minimum_balance(),
        entries=deposit_ledgers.ledger(shop.id),
        open_payouts=deposit_ledgers.payouts(shop.id),
        forms=forms,
        failed=failed,
        problem=problem,
    )
    return body, status


def _unpaid_agreement_payout(merchant_id: int, reference: str | None) -> dict:
    """The payout form's values for a complaint whose mediation agreement the shop left unpaid."""
    offer = deposit_payouts.unpaid_agreement_offer(current_user, merchant_id, reference)
    if offer is None:
        return {}
    complaint, agreement, owed = offer
    reason = _(
        "The shop did not pay what the mediation agreement of %(reference)s provides by %(date)s.",
        reference=complaint.reference,
        date=format_date(agreement.perform_by, "long"),
    )
    return {"payout_reference": complaint.reference, "payout_amount": owed, "payout_reason": reason}


@bp.post("/shops/<int:merchant_id>/top-up")
@roles_required(*KEEPERS)
def top_up(merchant_id: int):
    return _keep(merchant_id, "top_up", TopUpForm(), deposits.top_up, _("The top-up is in the ledger."))


@bp.post("/shops/<int:merchant_id>/adjustments")
@roles_required(*KEEPERS)
def adjust(merchant_id: int):
    return _keep(
        merchant_id, "adjust", AdjustmentForm(), deposits.adjust, _("The adjustment is in the ledger.")
    )


def _keep(merchant_id: int, name: str, form, service, done: str):
    if not form.validate_on_submit():
        return ledger_page(merchant_id, name, form, status=400)
    try:
        service(current_user, merchant_id, **form.params())
    except deposits.PayoutNotFound:
        abort(404)
    except Refusal as refused:
        return ledger_page(merchant_id, name, form, translated(refused), status=409)
    flash(done, "success")
    return redirect(url_for(".ledger", merchant_id=merchant_id))


@bp.get("/ledger.csv")
@roles_required(*KEEPERS)
def all_ledgers_csv():
    return _csv(None, "deposit-ledger-all-shops.csv")


@bp.get("/shops/<int:merchant_id>/ledger.csv")
@roles_required(*KEEPERS)
def ledger_csv(merchant_id: int):
    shop = db.session.get(Merchant, merchant_id)
    if shop is None:
        abort(404)
    return _csv(shop.id, f"deposit-ledger-{shop.id}.csv")


def _csv(merchant_id: int | None, filename: str) -> Response:
    # A byte-order mark first, so that spreadsheets read the shops' Chinese names as UTF-8.
    lines = stream_with_context(chain(["\ufeff"], deposit_ledgers.ledger_csv(merchant_id)))
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


from complaints.deposits import payouts  # noqa: E402,F401 - registers the payout views on bp

"""The shop's own guarantee deposit, read-only: its balance and its ledger, as the platform keeps it."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from complaints import participants
from complaints.merchant.views import bp
from complaints.services import deposit_ledgers, deposits
from complaints.web.guards import roles_required

SHOP_STAFF = participants.deposit_roles("own_shop")


@bp.get("/deposit")
@roles_required(*SHOP_STAFF)
def deposit():
    shop_id = current_user.merchant_id
    if shop_id is None or not participants.sees_deposit_of(current_user, shop_id):
        abort(404)
    return render_template(
        "merchant/deposit.html",
        balance=deposits.balance_of(shop_id),
        minimum=deposit_ledgers.minimum_balance(),
        entries=deposit_ledgers.ledger(shop_id),
    )

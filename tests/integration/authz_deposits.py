"""The authorization matrix's cases for the guarantee deposits (see authz_cases.py for the vocabulary).

The platform's staff and admins read every shop's deposit; supervisors and admins top it up,
adjust it and export it; agents and supervisors propose payouts; only supervisors approve, pay
and refuse them; the complaint's own consumer consents or declines; a shop's staff read their own
ledger. A payout request is planted when a cell asks for its URL (as invitations are): on the
consumer's resolved complaint, proposed by the agent, waiting for the consumer's consent, so a
let-in approve or pay is refused (409) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.authz_cases import (
    ADMIN,
    AGENT,
    ATTACK_TEXT,
    CONSUMER,
    FORM_ERROR,
    MERCHANT,
    NOT_FOUND,
    SUPERVISOR,
    Case,
    Outcome,
    World,
    only,
)

CONFLICT = Outcome(409)
_PLANTED: dict[str, int] = {}


def planted_payout(world: World) -> int:
    """A fresh payout request waiting for the consumer's consent (earlier open ones cancelled)."""
    from flask import has_app_context

    if not has_app_context():
        return 1
    from decimal import Decimal

    from sqlalchemy import select

    from complaints.extensions import db
    from complaints.models import Complaint, PayoutRequest, PayoutStatus, User
    from complaints.services import deposit_payouts, deposits

    supervisor = db.session.scalars(select(User).where(User.email == "supervisor@example.com")).one()
    agent = db.session.scalars(select(User).where(User.email == "agent@example.com")).one()
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.reference == world.refs["resolved"])
    ).one()
    if deposits.balance_of(world.merchant_id) < Decimal("10.00"):
        deposits.top_up(supervisor, world.merchant_id, Decimal("1000.00"), "matrix top-up")
    for request in db.session.scalars(
        select(PayoutRequest).where(
            PayoutRequest.complaint_id == complaint.id, PayoutRequest.status == PayoutStatus.REQUESTED
        )
    ).all():
        deposit_payouts.cancel(supervisor, request.id, "matrix: a fresh request follows")
    request = deposit_payouts.request_payout(
        agent, world.merchant_id, complaint.reference, Decimal("10.00"), "x"
    )
    _PLANTED["payout"] = request.id
    return request.id


def payout(with_reference: bool = False) -> Callable[[World], dict]:
    def values(w: World) -> dict:
        found = {"payout_id": planted_payout(w)}
        if with_reference:
            found["reference"] = w.refs["resolved"]
        return found

    return values


def shop(w: World) -> dict:
    return {"merchant_id": w.merchant_id}


READERS = (AGENT, SUPERVISOR, ADMIN)
KEEPERS = (SUPERVISOR, ADMIN)

DEPOSIT_CASES = [
    Case("deposits.shops", "GET", lambda w: {}, only(*READERS)),
    Case("deposits.ledger", "GET", shop, only(*READERS)),
    Case(
        "deposits.ledger",
        "GET",
        lambda w: {"merchant_id": 999_999},
        only(*READERS, ok=Outcome(404)),
        "missing",
    ),
    Case("deposits.all_ledgers_csv", "GET", lambda w: {}, only(*KEEPERS)),
    Case("deposits.ledger_csv", "GET", shop, only(*KEEPERS)),
    Case("deposits.payouts", "GET", lambda w: {}, only(*READERS)),
    Case(
        "deposits.top_up",
        "POST",
        shop,
        only(*KEEPERS, ok=FORM_ERROR),
        attack=lambda w: {"topup_amount": "10", "topup_reason": ATTACK_TEXT},
        probe=lambda w: {"topup_amount": "-10", "topup_reason": ""},
        attack_by=SUPERVISOR,
    ),
    Case(
        "deposits.adjust",
        "POST",
        shop,
        only(*KEEPERS, ok=FORM_ERROR),
        attack=lambda w: {"adjust_direction": "add", "adjust_amount": "10", "adjust_reason": ATTACK_TEXT},
        probe=lambda w: {"adjust_direction": "sideways", "adjust_amount": "0"},
    ),
    Case(
        "deposits.request_payout",
        "POST",
        shop,
        only(AGENT, SUPERVISOR, ok=FORM_ERROR),
        attack=lambda w: {
            "payout_reference": w.refs["verified"],
            "payout_amount": "1",
            "payout_reason": ATTACK_TEXT,
        },
        probe=lambda w: {"payout_reference": w.refs["verified"], "payout_amount": "0"},
    ),
    # Let in, the supervisor is refused: the consumer has not consented to the planted request.
    *(
        Case(
            f"deposits.{step}",
            "POST",
            payout(),
            only(SUPERVISOR, ok=CONFLICT),
            attack=lambda w: {},
            probe=lambda w: {},
        )
        for step in ("approve", "pay")
    ),
    Case(
        "deposits.refuse",
        "POST",
        payout(),
        only(SUPERVISOR, ok=FORM_ERROR),
        attack=lambda w: {"refusal_reason": ATTACK_TEXT},
        probe=lambda w: {"refusal_reason": ""},
    ),
    Case(
        "deposits.cancel",
        "POST",
        payout(),
        only(AGENT, SUPERVISOR, ok=FORM_ERROR),
        attack=lambda w: {"cancel_reason": ATTACK_TEXT},
        probe=lambda w: {"cancel_reason": ""},
    ),
    Case(
        "deposits.approve",
        "POST",
        lambda w: {"payout_id": 999_999},
        only(SUPERVISOR, ok=NOT_FOUND),
        variant="missing",
        attack=lambda w: {},
    ),
    # The consumer's consent: their own complaint only; another consumer's is a 404.
    Case("portal.deposit_consent", "GET", payout(True), only(CONSUMER, other_consumer=NOT_FOUND)),
    Case(
        "portal.give_deposit_consent",
        "POST",
        payout(True),
        only(CONSUMER, ok=FORM_ERROR, other_consumer=NOT_FOUND),
        attack=lambda w: {"consent_name": "Consumer", "consent_confirm": "y"},
        probe=lambda w: {"consent_name": "Consumer"},
    ),
    Case(
        "portal.decline_deposit_payout",
        "POST",
        payout(True),
        only(CONSUMER, ok=FORM_ERROR, other_consumer=NOT_FOUND),
        attack=lambda w: {"payout_decline_reason": ATTACK_TEXT},
        probe=lambda w: {"payout_decline_reason": ""},
    ),
    Case("merchant.deposit", "GET", lambda w: {}, only(MERCHANT)),
]

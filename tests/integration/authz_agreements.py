"""The authorization matrix's cases for mediation agreements (see authz_cases.py for the vocabulary).

The agreement's page and PDF open for its two parties (the consumer in the portal, the shop's
staff in theirs), the mediators of the organisation and the platform's staff; another consumer
and the other organisation's mediator find nothing (404); every other role is kept out (403). A
settled complaint with its agreement is planted when a cell first asks for its URL (as
invitations are), with a title that carries none of the matrix's private markers.
"""

from __future__ import annotations

from tests.integration.authz_cases import (
    AGENT,
    ATTACK_TEXT,
    CONSUMER,
    FORM_ERROR,
    MEDIATOR,
    MERCHANT,
    NOT_FOUND,
    SUPERVISOR,
    Case,
    World,
    only,
)

SETTLED_TITLE = "已调解的耳机投诉"


def settled_reference(world: World) -> str:
    """The consumer's complaint settled in mediation at world.org_id, planted on first use."""
    from flask import has_app_context

    if not has_app_context():
        return "C-2026-999998"
    from datetime import timedelta

    from sqlalchemy import select

    from complaints.extensions import db
    from complaints.models import Agreement, Complaint, User
    from complaints.services.agreements import platform_today
    from complaints.services.filing import ComplaintDraft, file_complaint
    from complaints.services.lifecycle import apply_action
    from complaints.workflow import Action
    from tests.support import mediation_accepted

    found = db.session.scalar(
        select(Complaint.reference).join(Agreement, Agreement.complaint_id == Complaint.id)
    )
    if found:
        return found
    consumer = db.session.scalar(select(User).where(User.email == "consumer@example.com"))
    complaint = file_complaint(
        consumer,
        ComplaintDraft(
            merchant_id=world.merchant_id,
            category_id=world.category_id,
            order_reference="ORD-SETTLED-0001",
            title=SETTLED_TITLE,
            description="耳机左耳没有声音，经调解达成协议。",
            desired_outcome="refund",
            claimed_amount="299.00",
        ),
    )
    agent = db.session.scalar(select(User).where(User.email == "agent@example.com"))
    mediator = db.session.scalar(select(User).where(User.email == "mediator@example.com"))
    apply_action(complaint, agent, Action.VERIFY)
    apply_action(complaint, agent, Action.ESCALATE, mediation_org_id=world.org_id)
    db.session.commit()
    complaint = mediation_accepted(complaint)
    apply_action(
        complaint,
        mediator,
        Action.RECORD_OUTCOME,
        outcome="settled",
        note="商家退款二百九十九元。",
        payer="shop",
        perform_by=platform_today() + timedelta(days=10),
    )
    db.session.commit()
    return complaint.reference


def settled(w: World) -> dict:
    return {"reference": settled_reference(w)}


def step(action: str):
    return lambda w: {"reference": settled_reference(w), "action": action}


ACCEPT = lambda w: {"accept_terms": "y"}  # noqa: E731
NOT_TICKED = lambda w: {"accept_terms": ""}  # noqa: E731
STAFF_ROLES = (AGENT, SUPERVISOR)
PARTIES = {
    "portal": only(CONSUMER, other_consumer=NOT_FOUND),
    "merchant": only(MERCHANT),
    "mediation": only(MEDIATOR, other_mediator=NOT_FOUND),
    "desk": only(*STAFF_ROLES),
}
SHOWS = {"portal": CONSUMER, "merchant": MERCHANT, "mediation": MEDIATOR, "desk": AGENT}


def _area_cases(area: str) -> list[Case]:
    expect = PARTIES[area]
    form_error = {role: FORM_ERROR for role, outcome in expect.items() if outcome.status == 200}
    cases = [
        Case(f"{area}.agreement", "GET", settled, expect, shows={SHOWS[area]: ("商家退款二百九十九元。",)}),
        Case(f"{area}.agreement_pdf", "GET", settled, expect),
    ]
    for action, attack, probe in (
        ("accept", ACCEPT, NOT_TICKED),
        ("decline", lambda w: {"decline_reason": ATTACK_TEXT}, lambda w: {"decline_reason": " "}),
        ("paid", lambda w: {"paid_note": ATTACK_TEXT}, lambda w: {"paid_note": "x" * 2001}),
        ("receipt", lambda w: {"receipt_answer": "received"}, lambda w: {"receipt_answer": "maybe"}),
    ):
        cases.append(
            Case(
                f"{area}.agreement_act",
                "POST",
                step(action),
                {**expect, **form_error},
                variant=action,
                attack=attack,
                probe=probe,
            )
        )
    return cases


AGREEMENT_CASES: list[Case] = [case for area in PARTIES for case in _area_cases(area)]

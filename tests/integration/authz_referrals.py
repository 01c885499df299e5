"""The authorization matrix's cases for referrals to mediation (see authz_cases.py for the vocabulary).

The referral page and the answers to it open for the two parties (the consumer in the portal, the
shop's staff in theirs) and for the platform's staff (who record the answer a shop gave them);
another consumer finds nothing (404); every other role is kept out (403). The organisation's
steps (accept, return, schedule a session, ask a party) are its mediators'; the other
organisation's mediator finds nothing. A complaint waiting for consent and one waiting for the
organisation are planted when a cell first asks for their URL, with titles that carry none of the
matrix's private markers.
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

TITLES = {"referred": "等待双方同意调解的耳机投诉", "consented": "双方已同意调解的耳机投诉"}


def referral_reference(world: World, key: str) -> str:
    """The consumer's complaint referred to world.org_id, waiting for both consents ("referred")
    or for the organisation ("consented"), planted on first use."""
    from flask import has_app_context

    if not has_app_context():
        return "C-2026-999997"
    from sqlalchemy import select

    from complaints.extensions import db
    from complaints.models import Complaint, User
    from complaints.services.filing import ComplaintDraft, file_complaint
    from complaints.services.lifecycle import apply_action
    from complaints.workflow import Action

    found = db.session.scalar(select(Complaint.reference).where(Complaint.title == TITLES[key]))
    if found:
        return found

    def user(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    complaint = file_complaint(
        user("consumer@example.com"),
        ComplaintDraft(
            merchant_id=world.merchant_id,
            category_id=world.category_id,
            order_reference=f"ORD-{key.upper()}-0001",
            title=TITLES[key],
            description="耳机左耳没有声音，转交调解。",
            desired_outcome="refund",
            claimed_amount="299.00",
        ),
    )
    agent = user("agent@example.com")
    apply_action(complaint, agent, Action.VERIFY)
    apply_action(complaint, agent, Action.ESCALATE, mediation_org_id=world.org_id)
    if key == "consented":
        apply_action(complaint, user("consumer@example.com"), Action.CONSENT_REFERRAL)
        apply_action(complaint, user("merchant@example.com"), Action.CONSENT_REFERRAL)
    db.session.commit()
    return complaint.reference


def referred(key: str):
    return lambda w: {"reference": referral_reference(w, key)}


def answer(action: str):
    return lambda w: {"reference": referral_reference(w, "referred"), "action": action}


PARTIES = {
    "portal": only(CONSUMER, other_consumer=NOT_FOUND),
    "merchant": only(MERCHANT),
    "desk": only(AGENT, SUPERVISOR),
}
SHOWS = {"portal": CONSUMER, "merchant": MERCHANT, "desk": AGENT}
ORGANISATION = only(MEDIATOR, other_mediator=NOT_FOUND)


def _let_in_get_form_errors(expect: dict) -> dict:
    return {**expect, **{role: FORM_ERROR for role, outcome in expect.items() if outcome.status == 200}}


def _area_cases(area: str) -> list[Case]:
    expect = PARTIES[area]
    cases = [
        Case(
            f"{area}.referral",
            "GET",
            referred("referred"),
            expect,
            shows={SHOWS[area]: ("上海消费纠纷调解中心",)},
        )
    ]
    for action, attack, probe in (
        ("consent", lambda w: {"referral_consent": "y"}, lambda w: {"referral_consent": ""}),
        (
            "decline",
            lambda w: {"referral_decline_reason": ATTACK_TEXT},
            lambda w: {"referral_decline_reason": ""},
        ),
    ):
        cases.append(
            Case(
                f"{area}.referral_answer",
                "POST",
                answer(action),
                _let_in_get_form_errors(expect),
                variant=action,
                attack=attack,
                probe=probe,
            )
        )
    return cases


def step(key: str, action: str):
    return lambda w: {
        "reference": referral_reference(w, key) if key != "mediated" else w.refs[key],
        "action": action,
    }


MEDIATOR_STEPS = [
    # (step, complaint, attack, probe: an invalid form)
    ("return", "consented", lambda w: {"return_reason": ATTACK_TEXT}, lambda w: {"return_reason": ""}),
    (
        "schedule",
        "mediated",
        lambda w: {"starts_at": "2026-03-20T10:00", "session_channel": "video"},
        lambda w: {"starts_at": "not a date", "session_channel": "video"},
    ),
    (
        "ask",
        "mediated",
        lambda w: {"ask_party": "consumer", "ask_body": ATTACK_TEXT},
        lambda w: {"ask_party": "nobody", "ask_body": ATTACK_TEXT},
    ),
]

REFERRAL_CASES: list[Case] = [
    *(case for area in PARTIES for case in _area_cases(area)),
    *(
        Case(
            "mediation.referral_step",
            "POST",
            step(key, action),
            _let_in_get_form_errors(ORGANISATION),
            variant=action,
            attack=attack,
            probe=probe,
        )
        for action, key, attack, probe in MEDIATOR_STEPS
    ),
]

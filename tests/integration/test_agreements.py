"""A settled mediation's agreement: recorded with the outcome, accepted in each portal, printed as
a PDF whose hash is on the timeline, performed or marked unpaid by the scheduler."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from complaints import participants
from complaints.extensions import db
from complaints.models import Agreement, AgreementStatus, Event, Notification, NotificationKind
from complaints.services.agreement_pdf import render_agreement_pdf, sha256_of
from complaints.services.agreements import mark_unpaid_agreements, unpaid_agreement
from complaints.services.complaint_view import load_complaint_view
from complaints.sla.facts import facts_for
from complaints.workflow import Action, Refusal, allowed_actions
from tests.support import act, act_as, csrf_token_from, mediation_accepted

TERMS = "商家于三月十日前退还货款二百九十九元，消费者退回耳机。"
DEADLINE = date(2026, 3, 10)


def settle(world, **more) -> str:
    """A complaint referred to world.org_id whose mediator recorded a settled outcome."""
    ref = world.file()
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    mediation_accepted(world.complaint(ref))
    params = dict(
        outcome="settled", note=TERMS, compensation_amount="299.00", payer="shop", perform_by=DEADLINE
    )
    act_as(world, ref, "mediator", Action.RECORD_OUTCOME, **{**params, **more})
    return ref


@pytest.fixture
def ref(world):
    return settle(world)


def agreement(world, ref) -> Agreement:
    db.session.expire_all()
    return db.session.scalars(
        select(Agreement).where(Agreement.complaint_id == world.complaint(ref).id)
    ).one()


def step(client, area: str, ref: str, action: str, **fields):
    page = client.get(f"/{area}/complaints/{ref}/agreement")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token_from(page.text), **fields}
    return client.post(f"/{area}/complaints/{ref}/agreement/{action}", data=data)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_settled_outcome_records_the_agreement_and_its_pdf_hash_on_the_timeline(world, ref):
    a = agreement(world, ref)
    assert (a.status, a.terms, a.perform_by, str(a.amount)) == (
        AgreementStatus.AWAITING_ACCEPTANCE,
        TERMS,
        DEADLINE,
        "299.00",
    )
    outcome = db.session.scalars(
        select(Event).where(Event.complaint_id == a.complaint_id, Event.action == "record_outcome")
    ).one()
    assert outcome.detail["pdf_sha256"] == a.pdf_sha256
    assert sha256_of(render_agreement_pdf(a, world.complaint(ref))) == a.pdf_sha256  # deterministic


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"payer": ""}, "Say who pays"),
        ({"perform_by": None}, "Give the date"),
        ({"perform_by": date(2026, 3, 2)}, "must be after today"),
        ({"perform_by": date(2026, 12, 31)}, "at most 180 days"),
    ],
)
def test_a_settlement_without_payer_or_a_sensible_deadline_is_refused_and_nothing_is_kept(
    world, more, message
):
    with pytest.raises(Refusal, match=message):
        settle(world, **more)
    db.session.rollback()
    assert db.session.scalars(select(Agreement)).all() == []


def test_not_settled_keeps_its_reason_and_refuses_an_unknown_one(world):
    ref = world.file()
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    mediation_accepted(world.complaint(ref))
    with pytest.raises(Refusal, match="did not settle"):
        act_as(
            world,
            ref,
            "mediator",
            Action.RECORD_OUTCOME,
            outcome="not_settled",
            note="商家拒绝",
            not_settled_reason="bored",
        )
    db.session.rollback()
    act_as(
        world,
        ref,
        "mediator",
        Action.RECORD_OUTCOME,
        outcome="not_settled",
        note="商家拒绝",
        not_settled_reason="party_refused",
    )
    assert world.complaint(ref).not_settled_reason.value == "party_refused"


def test_the_outcome_form_asks_for_payer_and_deadline_or_the_reason(client, auth, world):
    ref = world.file()
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    mediation_accepted(world.complaint(ref))
    auth.login(world.mediator.email)
    settled = act(client, "mediation", ref, "outcome", outcome="settled", outcome_note=TERMS)
    assert settled.status_code == 400
    assert "Say who pays" in settled.text and "Give the date" in settled.text
    failed = act(client, "mediation", ref, "outcome", outcome="not_settled", outcome_note="拒绝")
    assert failed.status_code == 400 and "Say why the parties did not settle." in failed.text
    confirm = act(
        client,
        "mediation",
        ref,
        "outcome",
        outcome="settled",
        outcome_note=TERMS,
        payer="platform",
        perform_by="2026-03-10",
    )
    assert confirm.status_code == 200 and "The platform" in confirm.text


def test_both_parties_accept_in_their_portals_and_the_agreement_binds(client, auth, world, ref):
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{ref}")
    assert f"/portal/complaints/{ref}/agreement" in page.text
    response = step(client, "portal", ref, "accept", accept_terms="y")
    assert response.status_code == 302
    assert agreement(world, ref).status is AgreementStatus.AWAITING_ACCEPTANCE
    again = step(client, "portal", ref, "accept", accept_terms="y")
    assert again.status_code == 409
    assert "no agreement waiting" not in again.text or "already" in again.text
    auth.logout()

    auth.login(world.merchant.email)
    assert step(client, "merchant", ref, "accept", accept_terms="y").status_code == 302
    a = agreement(world, ref)
    assert a.status is AgreementStatus.BINDING
    assert a.binding_pdf_sha256 and a.binding_pdf_sha256 != a.pdf_sha256
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.AGREEMENT_ACCEPTED)
    ).all()
    assert world.consumer.id in told and world.mediator.id in told


def test_accepting_without_ticking_the_box_is_a_form_error(client, auth, world, ref):
    auth.login(world.consumer.email)
    response = step(client, "portal", ref, "accept")
    assert response.status_code == 400
    assert "Tick the box" in response.text
    assert agreement(world, ref).consumer_accepted_at is None


def test_another_consumer_finds_no_agreement_and_a_mediator_elsewhere_neither(client, auth, world, ref):
    auth.login(world.other_consumer.email)
    assert client.get(f"/portal/complaints/{ref}/agreement").status_code == 404
    assert client.get(f"/portal/complaints/{ref}/agreement.pdf").status_code == 404
    auth.logout()
    auth.login(world.other_mediator.email)
    assert client.get(f"/mediation/cases/{ref}/agreement.pdf").status_code == 404


def test_payment_before_binding_is_refused_and_the_shop_cannot_confirm_receipt(client, auth, world, ref):
    auth.login(world.merchant.email)
    early = step(client, "merchant", ref, "paid", paid_note="已转账")
    assert early.status_code == 409
    assert "binding" in early.text
    assert step(client, "merchant", ref, "receipt", receipt_answer="received").status_code == 403
    assert agreement(world, ref).paid_at is None


def _bind(world, ref):
    act_as(world, ref, "consumer", Action.ACCEPT_AGREEMENT)
    act_as(world, ref, "merchant", Action.ACCEPT_AGREEMENT)


def test_the_shop_pays_and_the_consumer_confirms_receipt(client, auth, world, ref):
    _bind(world, ref)
    auth.login(world.merchant.email)
    assert step(client, "merchant", ref, "paid", paid_note="已原路退款").status_code == 302
    assert step(client, "merchant", ref, "paid").status_code == 409  # once
    auth.logout()
    auth.login(world.consumer.email)
    missing = step(client, "portal", ref, "receipt", receipt_answer="not_arrived")
    assert missing.status_code == 409 and "did not arrive" in missing.text
    assert step(client, "portal", ref, "receipt", receipt_answer="received").status_code == 302
    a = agreement(world, ref)
    assert a.status is AgreementStatus.PERFORMED and a.paid_note == "已原路退款" and a.received


def test_platform_staff_do_not_confirm_a_payment_the_shop_owes(client, auth, world, ref):
    _bind(world, ref)
    auth.login(world.agent.email)
    assert client.get(f"/desk/complaints/{ref}/agreement").status_code == 200
    assert step(client, "desk", ref, "paid").status_code == 403


def test_the_pdf_carries_the_chinese_terms_and_the_reference_in_both_languages(client, auth, world, ref):
    auth.login(world.consumer.email)
    response = client.get(f"/portal/complaints/{ref}/agreement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert ref in text and "商家于三月十日前退还货款" in text and "上海消费纠纷调解中心" in text
    assert response.headers["X-Content-SHA256"] == agreement(world, ref).pdf_sha256
    english = client.get(f"/portal/complaints/{ref}/agreement.pdf?lang=en")
    assert "Mediation agreement" in pdf_text(english.data) and ref in pdf_text(english.data)


def test_looking_at_the_agreement_and_its_pdf_changes_nothing(client, auth, world, ref):
    before = [(e.id, e.hash) for e in db.session.scalars(select(Event))]
    auth.login(world.supervisor.email)
    assert client.get(f"/desk/complaints/{ref}/agreement").status_code == 200
    assert client.get(f"/desk/complaints/{ref}/agreement.pdf").status_code == 200
    db.session.expire_all()
    assert [(e.id, e.hash) for e in db.session.scalars(select(Event))] == before


def test_the_scheduler_marks_an_overdue_agreement_unpaid_once_and_tells_the_supervisors(
    app, clock, world, ref
):
    _bind(world, ref)
    assert mark_unpaid_agreements() == 0  # not due yet
    clock.set(datetime(2026, 3, 10, 15, 59, tzinfo=UTC))  # 23:59 on the deadline in Shanghai
    assert mark_unpaid_agreements() == 0
    clock.set(datetime(2026, 3, 10, 16, 0, tzinfo=UTC))  # the next day there
    assert mark_unpaid_agreements() == 1
    assert mark_unpaid_agreements() == 0
    a = agreement(world, ref)
    assert a.status is AgreementStatus.UNPAID
    assert unpaid_agreement(a.complaint_id) is not None
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.AGREEMENT_UNPAID)
    ).all()
    assert told.count(world.supervisor.id) == 1 and world.consumer.id in told


# --- Declining, and paying an unpaid agreement from the shop's deposit --------------------------


def test_a_party_declines_with_a_reason_and_the_mediation_counts_as_not_settled(client, auth, world, ref):
    auth.login(world.consumer.email)
    empty = step(client, "portal", ref, "decline", decline_reason="  ")
    assert empty.status_code == 400 and "Say why you do not accept" in empty.text
    assert step(client, "portal", ref, "accept", accept_terms="y").status_code == 302
    already = step(client, "portal", ref, "decline", decline_reason="改主意了")
    assert already.status_code == 409 and "already accepted" in already.text
    auth.logout()
    auth.login(world.merchant.email)
    assert step(client, "merchant", ref, "decline", decline_reason="金额过高，无法接受。").status_code == 302
    a = agreement(world, ref)
    complaint = world.complaint(ref)
    assert a.status is AgreementStatus.DECLINED and a.decline_reason == "金额过高，无法接受。"
    assert (complaint.outcome.value, complaint.not_settled_reason.value) == ("not_settled", "party_refused")
    assert complaint.compensation_amount is None
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.AGREEMENT_DECLINED)
    ).all()
    assert world.consumer.id in told and world.mediator.id in told and world.merchant.id not in told
    assert step(client, "merchant", ref, "accept", accept_terms="y").status_code == 409  # it ended
    auth.logout()
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{ref}/agreement").text
    assert "金额过高，无法接受。" in page and "did not settle" in page
    auth.logout()
    auth.login(world.agent.email)
    assert step(client, "desk", ref, "decline", decline_reason="x").status_code == 403  # not a party


def test_an_unpaid_agreement_is_paid_from_the_deposit_with_consent_and_approval(
    app, client, auth, clock, world, ref
):
    from complaints.models import Role
    from complaints.services import deposit_payouts, deposits
    from complaints.services.accounts import create_user
    from tests.support import PASSWORD

    shop = world.complaint(ref).merchant_id
    _bind(world, ref)
    deposits.top_up(world.user("supervisor"), shop, Decimal("1000.00"), "首期保证金")
    clock.set(datetime(2026, 3, 11, 2, tzinfo=UTC))
    assert mark_unpaid_agreements() == 1
    auth.login(world.agent.email)
    page = client.get(f"/desk/complaints/{ref}/agreement").text
    link = f"/deposits/shops/{shop}?reference={ref}#payout-heading"
    assert link in page.replace("&amp;", "&")
    form = client.get(link.split("#")[0]).text
    assert (
        f'value="{ref}"' in form
        and 'value="299.00"' in form
        and "did not pay what the mediation agreement" in form
    )
    assert 'value="299.00"' not in client.get(f"/deposits/shops/{shop}?reference=C-0000-000000").text
    request = deposit_payouts.request_payout(
        world.user("agent"), shop, ref, Decimal("299.00"), "未按调解协议付款"
    )
    deposit_payouts.consumer_consents(world.user("consumer"), ref, request.id, "Consumer", True)
    approver = create_user(
        email="supervisor2@example.com", name="Second", password=PASSWORD, role=Role.SUPERVISOR
    )
    db.session.commit()
    deposit_payouts.approve(approver, request.id)
    entry = deposit_payouts.pay(approver, request.id)
    a = agreement(world, ref)
    assert a.deposit_entry_id == entry.id and a.paid_at is not None and a.status is AgreementStatus.UNPAID
    assert deposits.balance_of(shop) == Decimal("701.00")
    act_as(world, ref, "consumer", Action.CONFIRM_RECEIPT, answer="received")
    assert agreement(world, ref).status is AgreementStatus.PERFORMED
    auth.logout()
    auth.login(world.consumer.email)
    shown = client.get(f"/portal/complaints/{ref}/agreement").text
    assert "Paid from the shop's guarantee deposit" in shown


def test_the_complaint_page_offers_what_the_facts_read_afresh_allow(world, ref):
    """The page reads the agreement once for its panel and the workflow's facts."""
    for who in ("consumer", "merchant", "mediator", "agent", "supervisor"):
        user = world.user(who)
        view = load_complaint_view(user, ref)
        assert view.agreement is not None and view.agreement.status == AgreementStatus.AWAITING_ACCEPTANCE
        fresh = allowed_actions(participants.workflow_actor(user), facts_for(world.complaint(ref)))
        assert view.actions == fresh, who
    assert load_complaint_view(world.user("consumer"), world.file()).agreement is None

"""Who is told of what happens on a complaint (services/announcements.py), and who is not: the
person who acted, another shop, another consumer, another mediation organisation, and nobody
outside the platform's staff of what the consumer's timeline does not show."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, Notification, NotificationKind, Role, SlaClock
from complaints.services import announcement_rules, announcements
from complaints.services.accounts import create_user
from complaints.services.attachments import Upload
from complaints.services.pledge_keeping import sweep
from complaints.workflow import Action
from tests.files import png_bytes
from tests.support import PASSWORD, Person, act_as, mediation_accepted, shanghai

K = NotificationKind
EVERYONE = (
    "consumer",
    "other_consumer",
    "agent",
    "agent2",
    "supervisor",
    "mediator",
    "other_mediator",
    "admin",
    "merchant",
    "merchant2",
    "other_shop",
    "former_merchant",
)


@pytest.fixture
def people(world):
    """The world, with a second staff account of the complaint's shop, one of another shop, and
    a deactivated one of the complaint's shop."""
    for key, merchant_id, active in (
        ("merchant2", world.merchant_ids[0], True),
        ("other_shop", world.merchant_ids[1], True),
        ("former_merchant", world.merchant_ids[0], False),
    ):
        user = create_user(
            email=f"{key}@example.com",
            name=key.title(),
            password=PASSWORD,
            role=Role.MERCHANT,
            merchant_id=merchant_id,
        )
        user.active = active
        world.people[key] = Person(user.id, user.email, Role.MERCHANT)
    db.session.commit()
    return world


def heard(world) -> dict[str, list[tuple[NotificationKind, str | None]]]:
    """Everyone's notifications so far, as (kind, action), oldest first; only those who heard any."""
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    names = {world.people[key].id: key for key in EVERYONE}
    told: dict[str, list] = {}
    for row in rows:
        told.setdefault(names[row.user_id], []).append((row.kind, row.detail.get("action")))
    return told


def told_since(world, before: dict) -> dict:
    """Who heard what since `before` (a `heard` result)."""
    now = heard(world)
    return {
        key: items[len(before.get(key, [])) :]
        for key, items in now.items()
        if items[len(before.get(key, [])) :]
    }


def latest(world, key: str) -> Notification:
    db.session.expire_all()
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == world.people[key].id)
        .order_by(Notification.id.desc())
    ).first()


@pytest.fixture
def ref(people, clock):
    """A complaint against the first shop, claimed by `agent`."""
    clock.set(shanghai(2026, 3, 2, 10))
    ref = people.file()
    act_as(people, ref, "agent", Action.CLAIM)
    return ref


def test_filing_and_claiming_tell_nobody(people, ref):
    assert heard(people) == {}


def test_a_staff_reply_tells_the_consumer_only_and_names_the_agent(people, ref):
    act_as(people, ref, "agent", Action.REPLY, body="您好，我们正在核实。")

    assert heard(people) == {"consumer": [(K.REPLY, "reply")]}
    note = latest(people, "consumer")
    assert note.detail["reference"] == ref
    assert note.detail["actor_party"] == "platform_staff"
    assert note.detail["actor_name"] == "Agent"  # a consumer sees staff names
    assert note.complaint_id == people.complaint(ref).id


def test_a_consumer_message_tells_every_active_staff_of_the_shop_and_the_assignee(people, ref):
    act_as(people, ref, "consumer", Action.REPLY, body="请尽快处理。")

    assert heard(people) == {
        "agent": [(K.REPLY, "reply")],
        "merchant": [(K.REPLY, "reply")],
        "merchant2": [(K.REPLY, "reply")],
    }  # not the consumer who wrote it, another shop, a deactivated account or other staff


def test_consumer_evidence_tells_the_shop_and_the_assignee(people, ref):
    act_as(people, ref, "consumer", Action.ADD_EVIDENCE, files=[Upload("receipt.png", png_bytes())])

    assert heard(people) == {
        "agent": [(K.EVIDENCE, "add_evidence")],
        "merchant": [(K.EVIDENCE, "add_evidence")],
        "merchant2": [(K.EVIDENCE, "add_evidence")],
    }


def test_a_question_tells_only_the_party_it_is_put_to(people, ref):
    act_as(people, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请提供订单截图。")
    assert heard(people) == {"consumer": [(K.QUESTION, "request_info")]}

    before = heard(people)
    act_as(people, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明。")
    assert told_since(people, before) == {
        "merchant": [(K.QUESTION, "request_info")],
        "merchant2": [(K.QUESTION, "request_info")],
    }
    question = latest(people, "merchant")
    assert question.detail["asked"] == "merchant"
    # The shop is told its own deadline, and never a member of staff's name.
    assert question.detail["next_clock"] == "merchant_reply"
    assert datetime.fromisoformat(question.detail["next_due"]) == shanghai(2026, 3, 5, 18)
    assert "actor_name" not in question.detail


def test_the_shops_answer_tells_the_assignee_and_a_staff_recorded_answer_tells_nobody(people, ref):
    act_as(people, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明。")
    before = heard(people)

    act_as(people, ref, "merchant", Action.MERCHANT_ANSWER, body="已安排退款。")
    assert told_since(people, before) == {"agent": [(K.REPLY, "merchant_answer")]}

    before = heard(people)
    act_as(people, ref, "agent", Action.MERCHANT_ANSWER, body="商家电话答复：已退款。")
    assert told_since(people, before) == {}


def test_a_decision_tells_the_consumer_and_the_shop_but_hides_the_agents_name_from_the_shop(people, ref):
    act_as(people, ref, "agent", Action.VERIFY)

    assert heard(people) == {
        "consumer": [(K.DECISION, "verify")],
        "merchant": [(K.DECISION, "verify")],
        "merchant2": [(K.DECISION, "verify")],
    }
    for_consumer, for_shop = latest(people, "consumer"), latest(people, "merchant")
    assert for_consumer.detail["actor_name"] == "Agent"
    assert "actor_name" not in for_shop.detail and for_shop.detail["actor_party"] == "platform_staff"
    # The consumer is told the next date pledged to them: resolution, 15 working days.
    assert for_consumer.detail["next_clock"] == "resolution"
    assert datetime.fromisoformat(for_consumer.detail["next_due"]) == shanghai(2026, 3, 23, 18)

    before = heard(people)
    act_as(people, ref, "agent", Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    assert told_since(people, before) == {
        "consumer": [(K.DECISION, "resolve")],
        "merchant": [(K.DECISION, "resolve")],
        "merchant2": [(K.DECISION, "resolve")],
    }
    resolved = latest(people, "consumer")
    assert (resolved.detail["outcome"], resolved.detail["compensation_amount"]) == ("upheld", "299.00")
    assert "next_due" not in resolved.detail  # nothing is pledged any more


def test_the_shops_offer_tells_the_consumer_and_the_assignee_and_the_answer_tells_the_shop(
    people, ref, clock
):
    act_as(
        people,
        ref,
        "merchant",
        Action.PROPOSE_SETTLEMENT,
        kind="refund",
        amount="299.00",
        terms="全额退款",
        perform_by=clock.now() + timedelta(days=3),
    )
    assert heard(people) == {
        "consumer": [(K.SETTLEMENT_OFFER, "propose_settlement")],
        "agent": [(K.SETTLEMENT_OFFER, "propose_settlement")],
    }  # not the shop's staff who offered, nor (by rule) the shop's other staff
    offer = latest(people, "consumer")
    assert (offer.detail["kind"], offer.detail["amount"], offer.detail["actor_party"]) == (
        "refund",
        "299.00",
        "merchant",
    )

    before = heard(people)
    complaint = people.complaint(ref)
    from complaints.services.settlements import offers_of

    [open_offer] = offers_of(complaint.id)
    act_as(people, ref, "consumer", Action.ACCEPT_SETTLEMENT, offer_id=open_offer.id)
    assert told_since(people, before) == {
        "agent": [(K.OFFER_ANSWERED, "accept_settlement")],
        "merchant": [(K.OFFER_ANSWERED, "accept_settlement")],
        "merchant2": [(K.OFFER_ANSWERED, "accept_settlement")],
    }


def test_a_declined_offer_tells_the_shop_and_the_assignee(people, ref, clock):
    params = dict(kind="repair", terms="免费维修", perform_by=clock.now() + timedelta(days=3))
    act_as(people, ref, "merchant", Action.PROPOSE_SETTLEMENT, **params)
    from complaints.services.settlements import offers_of

    [open_offer] = offers_of(people.complaint(ref).id)
    before = heard(people)
    act_as(people, ref, "consumer", Action.DECLINE_SETTLEMENT, offer_id=open_offer.id, reason="我要退款")
    assert told_since(people, before) == {
        "agent": [(K.OFFER_ANSWERED, "decline_settlement")],
        "merchant": [(K.OFFER_ANSWERED, "decline_settlement")],
        "merchant2": [(K.OFFER_ANSWERED, "decline_settlement")],
    }


def test_a_referral_asks_both_parties_to_consent_and_tells_the_organisation_once_they_did(people, ref):
    act_as(people, ref, "agent", Action.VERIFY)
    before = heard(people)

    act_as(people, ref, "agent", Action.ESCALATE, mediation_org_id=people.org_id)

    assert told_since(people, before) == {
        "consumer": [(K.REFERRAL_CONSENT, "escalate")],
        "merchant": [(K.REFERRAL_CONSENT, "escalate")],
        "merchant2": [(K.REFERRAL_CONSENT, "escalate")],
    }  # no mediator yet: the organisation sees the case once both consented
    referral = latest(people, "consumer")
    assert referral.detail["organisation"] == "上海消费纠纷调解中心"

    act_as(people, ref, "consumer", Action.CONSENT_REFERRAL)
    before = heard(people)
    act_as(people, ref, "merchant", Action.CONSENT_REFERRAL)
    assert told_since(people, before) == {"mediator": [(K.REFERRED, "consent_referral")]}

    before = heard(people)
    act_as(people, ref, "mediator", Action.ACCEPT_REFERRAL)
    told = told_since(people, before)
    assert told["consumer"][0] == (K.REFERRAL_ACCEPTED, "accept_referral")
    assert (K.REFERRAL_ACCEPTED, "accept_referral") in told["merchant"]
    assert latest(people, "consumer").detail["next_clock"] == "mediation"  # the window started


def test_a_decline_tells_the_other_party(people, ref):
    act_as(people, ref, "agent", Action.VERIFY)
    act_as(people, ref, "agent", Action.ESCALATE, mediation_org_id=people.org_id)
    before = heard(people)
    act_as(people, ref, "merchant", Action.DECLINE_REFERRAL, reason="我们愿意直接退款。")
    told = told_since(people, before)
    assert told["consumer"] == [(K.REFERRAL_ENDED, "decline_referral")]
    assert "merchant" not in told  # the one who declined


def test_a_mediators_outcome_tells_the_consumer_and_the_shop(people, ref):
    act_as(people, ref, "agent", Action.VERIFY)
    act_as(people, ref, "agent", Action.ESCALATE, mediation_org_id=people.org_id)
    mediation_accepted(people.complaint(ref))
    before = heard(people)

    act_as(
        people,
        ref,
        "mediator",
        Action.RECORD_OUTCOME,
        outcome="settled",
        note="退款299元",
        compensation_amount="299",
        payer="shop",
        perform_by=date(2026, 6, 1),
    )

    assert told_since(people, before) == {
        "consumer": [(K.DECISION, "record_outcome")],
        "merchant": [(K.DECISION, "record_outcome")],
        "merchant2": [(K.DECISION, "record_outcome")],
    }


def test_an_internal_note_tells_nobody(people, ref):
    act_as(people, ref, "agent", Action.NOTE, body="内部备注：商家有前科。")
    act_as(people, ref, "supervisor", Action.NOTE, body="同意。")
    assert heard(people) == {}


def test_an_internal_event_never_reaches_anyone_outside_the_platforms_staff(people, ref, monkeypatch):
    # Were a rule ever written for an internal event, the guard keeps it to the platform's staff.
    rules = dict(announcements.RULES)
    rules[Action.NOTE] = tuple(announcement_rules.Rule(K.REPLY, party) for party in announcement_rules.Party)
    monkeypatch.setattr(announcements, "RULES", rules)
    act_as(people, ref, "agent", Action.VERIFY)
    act_as(people, ref, "agent", Action.ESCALATE, mediation_org_id=people.org_id)
    before = heard(people)

    act_as(people, ref, "supervisor", Action.NOTE, body="仅内部可见")

    assert told_since(people, before) == {"agent": [(K.REPLY, "note")]}  # the assignee, staff


def test_the_person_who_acts_is_never_told(people, ref):
    act_as(people, ref, "supervisor", Action.ASSIGN, assignee_id=people.supervisor.id, handover="我来处理")
    assert heard(people) == {}  # assigning to oneself

    act_as(people, ref, "supervisor", Action.ASSIGN, assignee_id=people.agent2.id, handover="休假")
    assert heard(people) == {"agent2": [(K.ASSIGNED, "assign")]}


def test_another_consumers_complaint_tells_this_consumer_nothing(people, ref):
    other = people.file("other_consumer", merchant_id=people.merchant_ids[1])
    act_as(people, other, "agent", Action.VERIFY)

    assert heard(people) == {
        "other_consumer": [(K.DECISION, "verify")],
        "other_shop": [(K.DECISION, "verify")],
    }


def test_a_deactivated_consumer_is_told_nothing(people, ref):
    people.user("consumer").active = False
    db.session.commit()
    act_as(people, ref, "agent", Action.VERIFY)
    assert "consumer" not in heard(people)


def test_a_corrected_amount_that_moves_the_pledged_dates_tells_the_consumer_the_new_date(people, ref):
    act_as(
        people, ref, "agent", Action.RECLASSIFY, category_id=people.category_ids[0], claimed_amount="8000.00"
    )

    assert heard(people) == {"consumer": [(K.PLEDGE_DATE, "reclassify")]}
    moved = latest(people, "consumer")
    resolution = db.session.scalars(
        select(SlaClock).where(
            SlaClock.complaint_id == people.complaint(ref).id, SlaClock.kind == ClockKind.RESOLUTION
        )
    ).one()
    response = db.session.scalars(
        select(SlaClock).where(
            SlaClock.complaint_id == people.complaint(ref).id, SlaClock.kind == ClockKind.RESPONSE
        )
    ).one()
    # The nearest of the consumer's pledged dates is still the first response (24 hours).
    assert moved.detail["next_clock"] == "response"
    assert moved.detail["next_due"] == response.due_at.isoformat()
    assert resolution.due_at == shanghai(2026, 3, 11, 18)  # 7 working days for a major complaint


def test_a_correction_that_moves_no_date_tells_nobody(people, ref):
    act_as(
        people,
        ref,
        "agent",
        Action.RECLASSIFY,
        category_id=people.category_ids[1],
        claimed_amount=Decimal("300"),
    )
    assert heard(people) == {}


def test_the_shop_is_told_when_its_reply_window_runs_out_and_the_consumer_is_not(people, ref, clock):
    clock.set(shanghai(2026, 3, 2, 14))
    act_as(people, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明。")
    before = heard(people)

    clock.set(shanghai(2026, 3, 5, 18, 1))  # three working days later, and a minute
    sweep()

    told = told_since(people, before)
    assert told["merchant"] == [(K.SHOP_REPLY_MISSED, None)]
    assert told["merchant2"] == [(K.SHOP_REPLY_MISSED, None)]
    assert (K.SLA_BREACH, None) in told["supervisor"]
    assert "consumer" not in told and "other_shop" not in told and "former_merchant" not in told
    assert latest(people, "merchant").detail["clock"] == "merchant_reply"


def test_the_shop_is_told_of_a_missed_window_recorded_when_it_answers_late(people, ref, clock):
    clock.set(shanghai(2026, 3, 2, 14))
    act_as(people, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明。")
    clock.set(shanghai(2026, 3, 6, 10))  # no sweep ran: the breach is recorded at the late answer
    before = heard(people)

    act_as(people, ref, "merchant", Action.MERCHANT_ANSWER, body="抱歉，回复晚了。")

    told = told_since(people, before)
    assert told["merchant2"] == [(K.SHOP_REPLY_MISSED, None)]
    assert told["merchant"] == [(K.SHOP_REPLY_MISSED, None)]  # the breach is the shop's, not the answer
    assert told["agent"] == [(K.REPLY, "merchant_answer")]


def test_each_person_is_offered_the_kinds_they_can_receive(people):
    assert announcements.kinds_heard_by(people.user("consumer")) == [
        K.SLA_BREACH,
        K.REPLY,
        K.QUESTION,
        K.DECISION,
        K.SETTLEMENT_OFFER,
        K.PLEDGE_DATE,
        K.DEPOSIT_CONSENT,
        K.DEPOSIT_PAID,
        K.DEPOSIT_CLOSED,
        K.AGREEMENT_ACCEPTED,
        K.AGREEMENT_PAID,
        K.AGREEMENT_UNPAID,
        K.AGREEMENT_DECLINED,
        K.REFERRAL_CONSENT,
        K.REFERRAL_ENDED,
        K.REFERRAL_ACCEPTED,
        K.SESSION_SCHEDULED,
    ]
    assert K.DEPOSIT_PAID in announcements.kinds_heard_by(people.user("merchant"))
    assert K.SHOP_REPLY_MISSED in announcements.kinds_heard_by(people.user("merchant"))
    assert K.SETTLEMENT_OFFER not in announcements.kinds_heard_by(people.user("merchant"))
    assert announcements.kinds_heard_by(people.user("mediator")) == [
        K.REFERRED,
        K.AGREEMENT_ACCEPTED,
        K.AGREEMENT_RECEIPT,
        K.AGREEMENT_DECLINED,
    ]
    assert K.AGREEMENT_UNPAID in announcements.kinds_heard_by(people.user("supervisor"))
    assert K.DEPOSIT_APPROVAL in announcements.kinds_heard_by(people.user("supervisor"))
    assert announcements.kinds_heard_by(people.user("admin")) == []

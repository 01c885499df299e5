"""Settling with the shop: the shop offers, the consumer accepts or declines, through the lifecycle."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from complaints import participants
from complaints.extensions import db
from complaints.models import ClockKind, ClockResult, Event, OfferStatus, Outcome, SettlementOffer, SlaClock
from complaints.services.complaint_view import load_complaint_view
from complaints.services.settlements import offers_of
from complaints.sla.facts import facts_for
from complaints.workflow import Action, Refusal, State, allowed_actions
from tests.support import act_as as act
from tests.support import shanghai


@pytest.fixture
def ref(world, clock):
    clock.set(shanghai(2026, 3, 2, 10))
    ref = world.file()
    clock.set(shanghai(2026, 3, 2, 14))
    act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明处理方案。")
    clock.set(shanghai(2026, 3, 3, 9, 30))
    return ref


def offer(world, ref, clock, **changes):
    params = dict(
        kind="refund",
        amount="299.00",
        terms="全额退款至原支付账户，无需退回商品。",
        perform_by=clock.now() + timedelta(days=3),
    )
    params.update(changes)
    return act(world, ref, "merchant", Action.PROPOSE_SETTLEMENT, **params)


def clock_of(world, ref, kind):
    complaint = world.complaint(ref)
    return db.session.scalars(
        select(SlaClock)
        .where(SlaClock.complaint_id == complaint.id, SlaClock.kind == kind)
        .order_by(SlaClock.id.desc())
    ).first()


def test_an_accepted_offer_resolves_the_complaint_on_the_shops_terms(world, ref, clock):
    complaint = offer(world, ref, clock)
    assert complaint.waiting == ()  # the offer answers the platform's question
    assert clock_of(world, ref, ClockKind.MERCHANT_REPLY).result is ClockResult.MET
    (made,) = offers_of(complaint.id)

    clock.set(shanghai(2026, 3, 3, 11))
    complaint = act(world, ref, "consumer", Action.ACCEPT_SETTLEMENT, offer_id=made.id)
    assert complaint.state is State.RESOLVED
    assert complaint.outcome is Outcome.SETTLED_WITH_SHOP
    assert complaint.compensation_amount == Decimal("299.00")
    assert complaint.outcome_note == "全额退款至原支付账户，无需退回商品。"
    assert db.session.get(SettlementOffer, made.id).status is OfferStatus.ACCEPTED
    assert clock_of(world, ref, ClockKind.VERIFICATION).result is ClockResult.MET
    assert clock_of(world, ref, ClockKind.RESOLUTION).result is ClockResult.MET
    accepted = db.session.scalars(
        select(Event).where(Event.complaint_id == complaint.id, Event.action == "accept_settlement")
    ).one()
    assert accepted.to_state == "resolved"
    assert accepted.detail["terms"] == "全额退款至原支付账户，无需退回商品。"
    assert accepted.detail["amount"] == "299.00"
    # The consumer may still dispute the outcome, as any other.
    act(world, ref, "consumer", Action.CONFIRM, rating=5)
    assert world.complaint(ref).state is State.CLOSED


def test_a_declined_offer_stays_on_record_and_cannot_be_accepted(world, ref, clock):
    complaint = offer(world, ref, clock)
    (made,) = offers_of(complaint.id)
    act(
        world,
        ref,
        "consumer",
        Action.DECLINE_SETTLEMENT,
        offer_id=made.id,
        reason="我要求退货退款，不接受部分退款。",
    )
    declined = db.session.get(SettlementOffer, made.id)
    assert declined.status is OfferStatus.DECLINED
    assert declined.decline_reason == "我要求退货退款，不接受部分退款。"
    with pytest.raises(Refusal):
        act(world, ref, "consumer", Action.ACCEPT_SETTLEMENT, offer_id=made.id)
    assert world.complaint(ref).state is State.RECEIVED


def test_a_decline_needs_a_reason(world, ref, clock):
    complaint = offer(world, ref, clock)
    (made,) = offers_of(complaint.id)
    for reason in ("", "   "):
        with pytest.raises(Refusal):
            act(world, ref, "consumer", Action.DECLINE_SETTLEMENT, offer_id=made.id, reason=reason)
    assert db.session.get(SettlementOffer, made.id).status is OfferStatus.OPEN


def test_a_newer_offer_supersedes_the_open_one(world, ref, clock):
    offer(world, ref, clock, amount="150.00")
    complaint = offer(world, ref, clock, amount="299.00")
    newer, older = offers_of(complaint.id)
    assert (older.status, newer.status) == (OfferStatus.SUPERSEDED, OfferStatus.OPEN)
    with pytest.raises(Refusal):
        act(world, ref, "consumer", Action.ACCEPT_SETTLEMENT, offer_id=older.id)
    assert act(
        world, ref, "consumer", Action.ACCEPT_SETTLEMENT, offer_id=newer.id
    ).compensation_amount == Decimal("299.00")


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "voucher"},
        {"kind": "refund", "amount": ""},  # a refund names its amount
        {"kind": "compensation", "amount": "0"},
        {"amount": "-5"},
        {"amount": "1e3"},
        {"terms": "   "},
        {"terms": "退" * 2001},
        {"perform_by": None},  # replaced below: a date already past
        {"perform_by": "far"},  # replaced below: more than 90 days ahead
    ],
)
def test_a_bad_offer_is_refused_and_changes_nothing(world, ref, clock, changes):
    if changes.get("perform_by") is None and "perform_by" in changes:
        changes = {"perform_by": clock.now() - timedelta(minutes=1)}
    elif changes.get("perform_by") == "far":
        changes = {"perform_by": clock.now() + timedelta(days=91)}
    version = world.complaint(ref).version
    with pytest.raises(Refusal):
        offer(world, ref, clock, **changes)
    db.session.rollback()
    assert world.complaint(ref).version == version
    assert offers_of(world.complaint(ref).id) == []


def test_a_repair_offer_needs_no_amount(world, ref, clock):
    complaint = offer(world, ref, clock, kind="repair", amount="", terms="免费维修左耳，往返运费由本店承担。")
    (made,) = offers_of(complaint.id)
    assert made.amount is None


def test_only_the_shop_offers_and_only_the_consumer_answers(world, ref, clock):
    for who in ("agent", "consumer", "mediator"):
        with pytest.raises(Refusal):
            offer_as(world, ref, clock, who)
    complaint = offer(world, ref, clock)
    (made,) = offers_of(complaint.id)
    for who in ("agent", "merchant"):
        with pytest.raises(Refusal):
            act(world, ref, who, Action.ACCEPT_SETTLEMENT, offer_id=made.id)


def offer_as(world, ref, clock, who):
    params = dict(kind="refund", amount="1.00", terms="退款", perform_by=clock.now() + timedelta(days=1))
    return act(world, ref, who, Action.PROPOSE_SETTLEMENT, **params)


def test_an_open_offer_lapses_when_the_platform_decides(world, ref, clock):
    complaint = offer(world, ref, clock)
    (made,) = offers_of(complaint.id)
    act(world, ref, "agent", Action.VERIFY)
    assert db.session.get(SettlementOffer, made.id).status is OfferStatus.OPEN  # still open once verified
    act(world, ref, "agent", Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    assert db.session.get(SettlementOffer, made.id).status is OfferStatus.LAPSED


def test_the_complaint_page_offers_what_the_facts_read_afresh_allow(world, ref, clock):
    """The page reads the offers once for the list and the workflow's facts (open_offer)."""
    before = {who: view_and_fresh_actions(world, ref, who) for who in VIEWERS}
    offer(world, ref, clock)
    after = {who: view_and_fresh_actions(world, ref, who) for who in VIEWERS}
    for who in VIEWERS:
        shown, fresh = after[who]
        assert shown == fresh, who
    assert Action.ACCEPT_SETTLEMENT in after["consumer"][0]
    assert Action.ACCEPT_SETTLEMENT not in before["consumer"][0]


VIEWERS = ("consumer", "merchant", "agent", "supervisor")


def view_and_fresh_actions(world, ref, who) -> tuple[list[Action], list[Action]]:
    """The actions the complaint page offers `who`, and those the facts read afresh allow."""
    user = world.user(who)
    view = load_complaint_view(user, ref)
    fresh = allowed_actions(participants.workflow_actor(user), facts_for(world.complaint(ref)))
    return view.actions, fresh

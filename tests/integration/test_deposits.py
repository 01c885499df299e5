"""The guarantee deposit's rules, through its services: an append-only ledger whose balance never
goes below zero, and payouts that need the consumer's written consent and another supervisor's
approval, each step on the complaint's hash-chained timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import (
    DepositAccount,
    DepositEntry,
    EntryKind,
    Event,
    Notification,
    NotificationKind,
    PayoutRequest,
    PayoutStatus,
)
from complaints.services import deposit_payouts as payouts
from complaints.services import deposits
from complaints.services.accounts import create_user
from complaints.services.audit import verify_chains
from complaints.workflow import Refusal
from tests.support import PASSWORD

D = Decimal


@pytest.fixture
def shop(world):
    return world.merchant_ids[0]


@pytest.fixture
def reference(world):
    return world.file()


def second_supervisor(world):
    from complaints.models import Role

    user = create_user(
        email="supervisor2@example.com", name="Second Supervisor", password=PASSWORD, role=Role.SUPERVISOR
    )
    db.session.commit()
    return user


def requested(world, shop, reference, amount="100.00", by="agent"):
    return payouts.request_payout(world.user(by), shop, reference, D(amount), "店铺未按约定退款")


def consented(world, shop, reference, amount="100.00"):
    request = requested(world, shop, reference, amount)
    return payouts.consumer_consents(world.user("consumer"), reference, request.id, "Consumer", True)


def test_top_ups_and_adjustments_make_the_balance_the_sum_of_the_ledger(world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("1000.00"), "银行转账 20260301")
    deposits.adjust(world.user("admin"), shop, D("-0.10"), "bank fee")
    deposits.adjust(world.user("admin"), shop, D("0.30"), "fee refunded")
    assert deposits.balance_of(shop) == D("1000.20")
    assert db.session.get(DepositAccount, shop).balance == D("1000.20")
    entries = db.session.scalars(select(DepositEntry).order_by(DepositEntry.id)).all()
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        (EntryKind.TOP_UP, D("1000.00"), D("1000.00")),
        (EntryKind.ADJUSTMENT, D("-0.10"), D("999.90")),
        (EntryKind.ADJUSTMENT, D("0.30"), D("1000.20")),
    ]
    assert entries[0].recorded_by_id == world.supervisor.id and entries[0].reason == "银行转账 20260301"


@pytest.mark.parametrize("amount", ["0", "-5", "10000000000.00", "0.001"])
def test_a_top_up_must_be_a_positive_amount_of_money(world, shop, amount):
    with pytest.raises(Refusal):
        deposits.top_up(world.user("supervisor"), shop, D(amount), "top-up")
    assert db.session.scalar(select(func.count()).select_from(DepositEntry)) == 0


def test_an_adjustment_needs_a_reason_and_cannot_take_the_balance_below_zero(world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("50.00"), "top-up")
    with pytest.raises(Refusal, match="Say why"):
        deposits.adjust(world.user("supervisor"), shop, D("-10.00"), "  ")
    with pytest.raises(Refusal, match="holds only 50.00"):
        deposits.adjust(world.user("supervisor"), shop, D("-50.01"), "too much")
    deposits.adjust(world.user("supervisor"), shop, D("-50.00"), "returned to the shop")
    assert deposits.balance_of(shop) == D("0.00")


def test_agents_consumers_and_shops_cannot_change_a_deposit(world, shop):
    for who in ("agent", "consumer", "merchant", "mediator"):
        with pytest.raises(Refusal):
            deposits.top_up(world.user(who), shop, D("10.00"), "top-up")
    assert deposits.balance_of(shop) == D("0.00")


def test_the_ledger_refuses_to_be_rewritten(world, shop):
    entry = deposits.top_up(world.user("supervisor"), shop, D("10.00"), "top-up")
    entry.amount = D("1000.00")
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(DepositEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert deposits.balance_of(shop) == D("10.00")


def test_a_payout_request_is_at_most_the_balance_and_for_a_complaint_of_that_shop(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("100.00"), "top-up")
    with pytest.raises(Refusal, match="holds only 100.00"):
        requested(world, shop, reference, "100.01")
    with pytest.raises(Refusal, match="more than zero"):
        requested(world, shop, reference, "0")
    other_shop = world.merchant_ids[1]
    deposits.top_up(world.user("supervisor"), other_shop, D("100.00"), "top-up")
    with pytest.raises(Refusal, match="is not about this shop"):
        requested(world, other_shop, reference, "10.00")
    with pytest.raises(Refusal):
        requested(world, shop, reference, "10.00", by="merchant")
    assert db.session.scalar(select(func.count()).select_from(PayoutRequest)) == 0


def test_the_consumer_consents_by_typing_their_account_name_and_ticking_the_box(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("300.00"), "top-up")
    request = requested(world, shop, reference)
    consumer = world.user("consumer")
    with pytest.raises(Refusal, match="not the name of your account"):
        payouts.consumer_consents(consumer, reference, request.id, "Somebody Else", True)
    with pytest.raises(Refusal, match="Tick the box"):
        payouts.consumer_consents(consumer, reference, request.id, "Consumer", False)
    with pytest.raises(payouts.PayoutNotFound):
        payouts.consumer_consents(world.user("other_consumer"), reference, request.id, "Other Consumer", True)
    payouts.consumer_consents(consumer, reference, request.id, "  consumer ", True)
    request = db.session.get(PayoutRequest, request.id)
    assert request.status is PayoutStatus.CONSENTED
    assert (request.consent_name, request.consent_confirmed, request.consented_by_id) == (
        "consumer",
        True,
        consumer.id,
    )
    assert request.consented_at is not None


def test_a_supervisor_cannot_approve_their_own_request_nor_before_consent(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("300.00"), "top-up")
    request = requested(world, shop, reference, by="supervisor")
    other = second_supervisor(world)
    with pytest.raises(Refusal, match="not consented"):
        payouts.approve(other, request.id)
    payouts.consumer_consents(world.user("consumer"), reference, request.id, "Consumer", True)
    with pytest.raises(Refusal, match="another supervisor"):
        payouts.approve(world.user("supervisor"), request.id)
    with pytest.raises(Refusal):
        payouts.approve(world.user("agent"), request.id)
    payouts.approve(other, request.id)
    assert db.session.get(PayoutRequest, request.id).approved_by_id == other.id


def test_a_payout_is_paid_once_with_its_entry_and_every_step_on_the_timeline(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("300.00"), "top-up")
    request = consented(world, shop, reference)
    with pytest.raises(Refusal, match="consent and a supervisor's approval first"):
        payouts.pay(world.user("supervisor"), request.id)
    payouts.approve(world.user("supervisor"), request.id)
    entry = payouts.pay(world.user("supervisor"), request.id)
    with pytest.raises(Refusal, match="changed meanwhile"):
        payouts.pay(world.user("supervisor"), request.id)
    assert (entry.kind, entry.amount, entry.balance_after) == (EntryKind.PAYOUT, D("-100.00"), D("200.00"))
    assert entry.payout_request_id == request.id and entry.complaint_id == world.complaint(reference).id
    assert deposits.balance_of(shop) == D("200.00")
    complaint = world.complaint(reference)
    verbs = db.session.scalars(
        select(Event.action)
        .where(Event.complaint_id == complaint.id, Event.action.like("deposit_%"))
        .order_by(Event.id)
    ).all()
    assert verbs == [
        "deposit_payout_requested",
        "deposit_payout_consented",
        "deposit_payout_approved",
        "deposit_payout_paid",
    ]
    assert verify_chains()[1] == []


def test_the_consumer_is_asked_the_supervisors_told_and_the_shop_told_of_the_payment(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("300.00"), "top-up")
    request = requested(world, shop, reference)
    payouts.consumer_consents(world.user("consumer"), reference, request.id, "Consumer", True)
    payouts.approve(world.user("supervisor"), request.id)
    payouts.pay(world.user("supervisor"), request.id)
    told = db.session.execute(select(Notification.user_id, Notification.kind).order_by(Notification.id)).all()
    deposit_kinds = [(user, kind) for user, kind in told if kind.value.startswith("deposit_")]
    assert (world.consumer.id, NotificationKind.DEPOSIT_CONSENT) in deposit_kinds
    assert (world.supervisor.id, NotificationKind.DEPOSIT_APPROVAL) in deposit_kinds
    assert (world.consumer.id, NotificationKind.DEPOSIT_PAID) in deposit_kinds
    assert (world.merchant.id, NotificationKind.DEPOSIT_PAID) in deposit_kinds
    assert all(user != world.agent.id for user, _ in deposit_kinds)  # the requester acted


def test_a_second_payout_that_finds_too_little_is_refused_and_leaves_nothing_behind(world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("100.00"), "top-up")
    first, second = world.file(), world.file(order_reference="ORD-2")
    one, two = consented(world, shop, first, "80.00"), consented(world, shop, second, "80.00")
    for request in (one, two):
        payouts.approve(world.user("supervisor"), request.id)
    payouts.pay(world.user("supervisor"), one.id)
    with pytest.raises(Refusal, match="holds only 20.00"):
        payouts.pay(world.user("supervisor"), two.id)
    assert db.session.get(PayoutRequest, two.id).status is PayoutStatus.APPROVED
    assert deposits.balance_of(shop) == D("20.00")
    assert db.session.scalar(select(func.count()).select_from(DepositEntry)) == 2


def test_refusing_declining_and_cancelling_need_a_reason_and_end_the_request(world, shop, reference):
    deposits.top_up(world.user("supervisor"), shop, D("300.00"), "top-up")
    request = requested(world, shop, reference)
    with pytest.raises(Refusal, match="Say why"):
        payouts.refuse(world.user("supervisor"), request.id, "")
    with pytest.raises(Refusal, match="Only the person who asked"):
        payouts.cancel(world.user("agent2"), request.id, "not mine")
    payouts.refuse(world.user("consumer"), request.id, "我已经收到店铺的退款", reference=reference)
    assert db.session.get(PayoutRequest, request.id).status is PayoutStatus.REFUSED
    with pytest.raises(Refusal, match="changed meanwhile"):
        payouts.cancel(world.user("agent"), request.id, "too late")
    again = requested(world, shop, reference)
    with pytest.raises(Refusal, match="already has a payout"):
        requested(world, shop, reference)
    payouts.cancel(world.user("agent"), again.id, "duplicate")
    assert db.session.get(PayoutRequest, again.id).closed_reason == "duplicate"

"""The shop in PledgeDesk itself: its staff see complaints against their shop, answer the
platform's questions with evidence, write to the consumer and offer a settlement, which the
consumer accepts or declines on their own page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    Attachment,
    ClockKind,
    ClockResult,
    Message,
    MessageKind,
    OfferStatus,
    Outcome,
    Role,
    SettlementOffer,
    SlaClock,
)
from complaints.services.accounts import create_user
from complaints.services.pledge_keeping import sweep
from complaints.workflow import Action, State
from tests.files import png_bytes
from tests.support import PASSWORD, act, act_as, csrf_token_from, shanghai

QUESTION = "请商家提供发货记录和物流单号。"
NOTE = "内部备注：该店铺本月第三次被投诉"


@pytest.fixture
def ref(world, clock):
    clock.set(shanghai(2026, 3, 2, 10))
    ref = world.file()
    act_as(world, ref, "agent", Action.NOTE, body=NOTE)
    act_as(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body=QUESTION)
    clock.set(shanghai(2026, 3, 2, 15))
    return ref


def shop_acts(client, reference: str, action: str, **fields):
    """Post one of the shop's forms from its complaint page, as a browser would (the shop's forms
    carry no version: none of them decides the complaint)."""
    page = client.get(f"/merchant/complaints/{reference}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **fields}
    return client.post(f"/merchant/complaints/{reference}/{action}", data=data)


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_the_shop_sees_its_question_and_reply_deadline_but_not_the_platforms_notes(app, world, ref):
    shop = signed_in(app, "merchant@example.com")
    listing = shop.get("/merchant/").get_data(as_text=True)
    assert "Waiting for your reply" in listing and ref in listing
    page = shop.get(f"/merchant/complaints/{ref}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert QUESTION in html
    assert NOTE not in html
    assert "Your reply window" in html
    assert "consumer@example.com" not in html  # masked contact details
    assert "Agent" not in html  # staff are "Platform support" to the shop


def test_the_shop_answers_with_evidence_and_its_clock_stops(app, world, ref):
    shop = signed_in(app, "merchant@example.com")
    response = shop_acts(
        shop,
        ref,
        "answer",
        answer_body="三月一日已发货，顺丰单号SF1234567890。",
        answer_files=(io.BytesIO(png_bytes()), "shipping.png"),
    )
    assert response.status_code == 302
    complaint = world.complaint(ref)
    assert complaint.waiting == ()
    answer = db.session.scalars(select(Message).where(Message.kind == MessageKind.MERCHANT)).one()
    assert answer.author_id == world.people["merchant"].id
    attachment = db.session.scalars(select(Attachment).where(Attachment.message_id == answer.id)).one()
    assert attachment.original_name == "shipping.png"
    clock = db.session.scalars(
        select(SlaClock).where(
            SlaClock.complaint_id == complaint.id, SlaClock.kind == ClockKind.MERCHANT_REPLY
        )
    ).one()
    assert clock.result is ClockResult.MET
    # The consumer sees the answer on their page.
    consumer = signed_in(app, "consumer@example.com")
    assert "三月一日已发货" in consumer.get(f"/portal/complaints/{ref}").get_data(as_text=True)


def test_the_consumer_accepts_the_shops_offer_and_the_complaint_is_resolved(app, world, ref, clock):
    shop = signed_in(app, "merchant@example.com")
    by = (clock.now() + timedelta(days=3)).astimezone(shanghai(2026, 1, 1).tzinfo).date().isoformat()
    response = shop_acts(
        shop, ref, "offer", offer_kind="refund", offer_amount="299.00",
        offer_terms="全额退款至原支付账户，无需退回商品。", offer_by=by,
    )  # fmt: skip
    assert response.status_code == 302
    offer = db.session.scalars(select(SettlementOffer)).one()

    consumer = signed_in(app, "consumer@example.com")
    page = consumer.get(f"/portal/complaints/{ref}").get_data(as_text=True)
    assert "accept_offer" in page and "全额退款至原支付账户" in page
    response = act(consumer, "portal", ref, "accept_offer", offer_id=str(offer.id))
    assert response.status_code == 302
    complaint = world.complaint(ref)
    assert complaint.state is State.RESOLVED
    assert complaint.outcome is Outcome.SETTLED_WITH_SHOP
    assert "Settled with the shop" in consumer.get(f"/portal/complaints/{ref}").get_data(as_text=True)


def test_a_decline_needs_a_reason_and_the_shop_reads_it(app, world, ref, clock):
    act_as(world, ref, "merchant", Action.PROPOSE_SETTLEMENT, kind="compensation", amount="50",
           terms="补偿50元优惠券。", perform_by=clock.now() + timedelta(days=2))  # fmt: skip
    offer = db.session.scalars(select(SettlementOffer)).one()
    consumer = signed_in(app, "consumer@example.com")
    empty = act(consumer, "portal", ref, "decline_offer", offer_id=str(offer.id), decline_reason="  ")
    assert empty.status_code == 400
    assert "Give your reason." in empty.get_data(as_text=True)
    assert db.session.get(SettlementOffer, offer.id).status is OfferStatus.OPEN
    declined = act(
        consumer, "portal", ref, "decline_offer", offer_id=str(offer.id), decline_reason="我要退款不要优惠券"
    )
    assert declined.status_code == 302
    shop = signed_in(app, "merchant@example.com")
    assert "我要退款不要优惠券" in shop.get(f"/merchant/complaints/{ref}").get_data(as_text=True)
    assert world.complaint(ref).state is State.RECEIVED


@pytest.mark.parametrize(
    "fields, status, message",
    [
        ({"offer_amount": "abc"}, 400, "Enter an amount of money"),
        ({"offer_kind": "voucher"}, 400, "Not a valid choice"),
        ({"offer_terms": ""}, 400, "Say what you will do."),
        ({"offer_by": "2026-13-45"}, 400, "Not a valid date value"),
        ({"offer_by": "2026-03-01"}, 409, "must be in the future"),
        ({"offer_amount": ""}, 409, "Say how much the shop will pay."),
    ],
)
def test_a_bad_offer_gets_a_message_and_changes_nothing(app, world, ref, fields, status, message):
    shop = signed_in(app, "merchant@example.com")
    version = world.complaint(ref).version
    form = {
        "offer_kind": "refund",
        "offer_amount": "10",
        "offer_terms": "退款",
        "offer_by": "2026-03-05",
        **fields,
    }
    response = shop_acts(shop, ref, "offer", **form)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert "全额退款" not in response.get_data(as_text=True)
    assert world.complaint(ref).version == version
    assert db.session.scalars(select(SettlementOffer)).all() == []


def test_another_shop_cannot_see_or_act_on_the_complaint(app, world, ref):
    create_user(email="other-shop@example.com", name="Other shop", password=PASSWORD, role=Role.MERCHANT,
                merchant_id=world.merchant_ids[1])  # fmt: skip
    db.session.commit()
    other = signed_in(app, "other-shop@example.com")
    assert ref not in other.get("/merchant/").get_data(as_text=True)
    for query in (ref, "耳机", "ORD-20260301-0001"):
        found = other.get("/merchant/search", query_string={"q": query})
        assert found.status_code == 200
        assert f"/merchant/complaints/{ref}" not in found.get_data(as_text=True), query
        assert "0 complaints found" in found.get_data(as_text=True), query
    assert other.get(f"/merchant/complaints/{ref}").status_code == 404
    # (CSRF is off in the test configuration: the POST is refused for the complaint it names.)
    refused = other.post(f"/merchant/complaints/{ref}/message", data={"message_body": "hi"})
    assert refused.status_code == 404
    assert db.session.scalars(select(Message).where(Message.body == "hi")).all() == []


def test_a_missed_reply_window_says_the_shop_did_not_reply(app, world, ref, clock):
    complaint = world.complaint(ref)
    due = db.session.scalars(
        select(SlaClock.due_at).where(
            SlaClock.complaint_id == complaint.id, SlaClock.kind == ClockKind.MERCHANT_REPLY
        )
    ).one()
    clock.set(due + timedelta(minutes=5))
    sweep()
    db.session.commit()
    for email, page in (
        ("consumer@example.com", f"/portal/complaints/{ref}"),
        ("merchant@example.com", f"/merchant/complaints/{ref}"),
        ("agent@example.com", f"/desk/complaints/{ref}"),
    ):
        html = signed_in(app, email).get(page).get_data(as_text=True)
        assert "The shop did not reply in time" in html, email


def test_the_shop_searches_its_own_complaints(app, world, ref):
    shop = signed_in(app, "merchant@example.com")
    for query in (ref, "耳机", "ORD-20260301-0001"):
        found = shop.get("/merchant/search", query_string={"q": query}).get_data(as_text=True)
        assert f"/merchant/complaints/{ref}" in found, query
    too_long = shop.get("/merchant/search", query_string={"q": "退" * 500, "state": "nonsense"})
    assert too_long.status_code == 400

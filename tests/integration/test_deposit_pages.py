"""The deposit pages, per role, through the test client: balances and the shops to top up, a shop's
ledger with its forms, payouts from request to payment, the consumer's consent on their complaint
page, the shop's own ledger, the CSV; bad input is a clear refusal that changes nothing."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import DepositEntry, PayoutRequest, PayoutStatus
from complaints.services import deposits

D = Decimal


@pytest.fixture
def shop(world):
    return world.merchant_ids[0]


def sign_in(client, auth, world, who):
    auth.logout()
    assert auth.login(getattr(world, who).email).status_code == 302


def payout_id() -> int:
    return db.session.scalar(select(func.max(PayoutRequest.id)))


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(DepositEntry))


def test_the_shops_page_lists_balances_and_those_under_the_minimum(client, auth, world, shop, app):
    app.config["DEPOSIT_MINIMUM_BALANCE"] = "1000"
    deposits.top_up(world.user("supervisor"), world.merchant_ids[1], D("5000.00"), "transfer")
    sign_in(client, auth, world, "supervisor")
    page = client.get("/deposits/").get_data(as_text=True)
    below = page[page.index('id="below-heading"') : page.index('id="shops-heading"')]
    assert "优品数码旗舰店" in below and "Green Valley Foods" not in below
    assert "5,000.00" in page


def test_a_supervisor_tops_up_and_adjusts_and_bad_amounts_are_refused(client, auth, world, shop):
    sign_in(client, auth, world, "supervisor")
    ok = client.post(
        f"/deposits/shops/{shop}/top-up", data={"topup_amount": "1,000.50", "topup_reason": "转账 A1"}
    )
    assert ok.status_code == 302
    for amount in ("-5", "0", "abc", "99999999999", "0.001"):
        refused = client.post(
            f"/deposits/shops/{shop}/top-up", data={"topup_amount": amount, "topup_reason": "x"}
        )
        assert refused.status_code == 400, amount
        assert 'class="error"' in refused.get_data(as_text=True)
    too_much = client.post(
        f"/deposits/shops/{shop}/adjustments",
        data={"adjust_direction": "deduct", "adjust_amount": "2000", "adjust_reason": "fee"},
    )
    assert too_much.status_code == 409
    assert "The deposit holds only 1,000.50." in too_much.get_data(as_text=True)
    fee = client.post(
        f"/deposits/shops/{shop}/adjustments",
        data={"adjust_direction": "deduct", "adjust_amount": "0.50", "adjust_reason": "bank fee"},
    )
    assert fee.status_code == 302
    page = client.get(f"/deposits/shops/{shop}").get_data(as_text=True)
    assert "Balance: CN¥1,000.00" in page and "bank fee" in page
    assert deposits.balance_of(shop) == D("1000.00") and entries() == 2


def test_agents_read_and_propose_but_cannot_top_up_and_shops_read_only_their_own(client, auth, world, shop):
    sign_in(client, auth, world, "agent")
    page = client.get(f"/deposits/shops/{shop}").get_data(as_text=True)
    assert "Propose a payout" in page and "Record a top-up" not in page
    assert (
        client.post(
            f"/deposits/shops/{shop}/top-up", data={"topup_amount": "5", "topup_reason": "x"}
        ).status_code
        == 403
    )
    assert client.get("/deposits/ledger.csv").status_code == 403
    sign_in(client, auth, world, "merchant")
    assert client.get(f"/deposits/shops/{shop}").status_code == 403
    assert client.get("/merchant/deposit").status_code == 200
    sign_in(client, auth, world, "consumer")
    assert client.get("/deposits/").status_code == 403
    assert entries() == 0


def test_a_payout_goes_from_request_through_consent_and_approval_to_the_ledger(client, auth, world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("500.00"), "transfer")
    reference = world.file()
    sign_in(client, auth, world, "agent")
    asked = client.post(
        f"/deposits/shops/{shop}/payouts",
        data={"payout_reference": reference, "payout_amount": "120", "payout_reason": "店铺未按约定退款"},
    )
    assert asked.status_code == 302
    request = payout_id()

    sign_in(client, auth, world, "consumer")
    page = client.get(f"/portal/complaints/{reference}").get_data(as_text=True)
    assert "We propose to pay you CN¥120.00" in page
    consent_url = f"/portal/complaints/{reference}/deposit-consent/{request}"
    wrong = client.post(consent_url, data={"consent_name": "Somebody", "consent_confirm": "y"})
    assert wrong.status_code == 409 and "not the name of your account" in wrong.get_data(as_text=True)
    unticked = client.post(consent_url, data={"consent_name": "Consumer"})
    assert unticked.status_code == 400
    assert (
        client.post(consent_url, data={"consent_name": "Consumer", "consent_confirm": "y"}).status_code == 302
    )

    sign_in(client, auth, world, "supervisor")
    assert client.post(f"/deposits/payouts/{request}/approve").status_code == 302
    assert client.post(f"/deposits/payouts/{request}/pay").status_code == 302
    twice = client.post(f"/deposits/payouts/{request}/pay")
    assert twice.status_code == 409 and "changed meanwhile" in twice.get_data(as_text=True)
    assert deposits.balance_of(shop) == D("380.00") and entries() == 2

    ledger = client.get(f"/deposits/shops/{shop}").get_data(as_text=True)
    assert "Payout to a consumer" in ledger and "Consent signed “Consumer”" in ledger
    sign_in(client, auth, world, "consumer")
    timeline = client.get(f"/portal/complaints/{reference}").get_data(as_text=True)
    for step in (
        "proposed",
        "The consumer consented to the payout",
        "Paid from the shop&#39;s guarantee deposit",
    ):
        assert step in timeline
    sign_in(client, auth, world, "merchant")
    own = client.get("/merchant/deposit").get_data(as_text=True)
    assert "Balance: CN¥380.00" in own and reference in own


def test_the_requester_cannot_approve_and_another_shops_complaint_is_refused(client, auth, world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("500.00"), "transfer")
    deposits.top_up(world.user("supervisor"), world.merchant_ids[1], D("500.00"), "transfer")
    reference = world.file()
    sign_in(client, auth, world, "supervisor")
    other_shop = client.post(
        f"/deposits/shops/{world.merchant_ids[1]}/payouts",
        data={"payout_reference": reference, "payout_amount": "10", "payout_reason": "x"},
    )
    assert other_shop.status_code == 409 and "is not about this shop" in other_shop.get_data(as_text=True)
    assert (
        client.post(
            f"/deposits/shops/{shop}/payouts",
            data={"payout_reference": reference, "payout_amount": "10", "payout_reason": "x"},
        ).status_code
        == 302
    )
    request = payout_id()
    payout = db.session.get(PayoutRequest, request)
    from complaints.services import deposit_payouts

    deposit_payouts.consumer_consents(world.user("consumer"), reference, request, "Consumer", True)
    own = client.post(f"/deposits/payouts/{request}/approve")
    assert own.status_code == 409 and "another supervisor must approve it" in own.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PayoutRequest, payout.id).status is PayoutStatus.CONSENTED
    assert client.post("/deposits/payouts/999999/approve").status_code == 404


def test_another_consumer_cannot_open_or_sign_the_consent(client, auth, world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("500.00"), "transfer")
    reference = world.file()
    from complaints.services import deposit_payouts

    request = deposit_payouts.request_payout(world.user("agent"), shop, reference, D("10.00"), "x").id
    sign_in(client, auth, world, "other_consumer")
    url = f"/portal/complaints/{reference}/deposit-consent/{request}"
    assert client.get(url).status_code == 404
    assert (
        client.post(url, data={"consent_name": "Other Consumer", "consent_confirm": "y"}).status_code == 404
    )
    db.session.expire_all()
    assert db.session.get(PayoutRequest, request).status is PayoutStatus.REQUESTED


def test_the_ledger_exports_as_csv_with_the_consent_and_the_approval(client, auth, world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("100.00"), "=HYPERLINK(evil)")
    sign_in(client, auth, world, "admin")
    response = client.get(f"/deposits/shops/{shop}/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["entry", "shop_code", "shop", "recorded_at_utc", "kind", "amount"]
    assert rows[1][4:7] == ["top_up", "100.00", "100.00"] and rows[1][8] == "'=HYPERLINK(evil)"
    everyone = client.get("/deposits/ledger.csv").get_data(as_text=True)
    assert len(re.findall(r"^\d+,SHOP-", everyone, flags=re.M)) == 1


def test_reading_the_deposit_pages_changes_nothing(client, auth, world, shop):
    deposits.top_up(world.user("supervisor"), shop, D("100.00"), "transfer")
    sign_in(client, auth, world, "supervisor")
    before = entries()
    for url in ("/deposits/", f"/deposits/shops/{shop}", "/deposits/payouts", "/deposits/ledger.csv"):
        assert client.get(url).status_code == 200
    assert entries() == before

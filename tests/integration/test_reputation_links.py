"""The complaints behind each figure of a shop's month: on a hand-built month, every figure's list
agrees with the count kept for it (one rule counts and lists it), and the pages that list them
open to whom they may, linking each complaint to the reader's own area."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    Agreement,
    ClockKind,
    ClockResult,
    Complaint,
    DepositEntry,
    EntryKind,
    OfferStatus,
    Outcome,
    PayoutRequest,
    PayoutStatus,
    SettlementKind,
    SettlementOffer,
    ShopReputation,
    SlaClock,
)
from complaints.services import reputation
from complaints.services.reputation import FIGURES, Month, complaints_behind, compute_month
from complaints.workflow import Action
from tests.support import act_as, shanghai

MARCH = Month.parse("2026-03")
IN_MARCH = shanghai(2026, 3, 15, 10, 0)
FIRST_INSTANT = shanghai(2026, 3, 1, 0, 0)  # the month's first instant counts
APRIL = shanghai(2026, 4, 1, 0, 0)  # the next month's first instant does not
FEBRUARY = shanghai(2026, 2, 27, 12, 0)


def reply_window(complaint: Complaint, result: ClockResult, stopped_at: datetime) -> None:
    """A `merchant_reply` clock of `complaint` that stopped `result` at `stopped_at`."""
    target_id = db.session.scalars(
        select(SlaClock.target_id).where(SlaClock.complaint_id == complaint.id)
    ).first()
    due = stopped_at if result is ClockResult.MET else stopped_at - timedelta(hours=1)
    db.session.add(
        SlaClock(
            complaint_id=complaint.id,
            kind=ClockKind.MERCHANT_REPLY,
            target_id=target_id,
            started_at=due - timedelta(days=2),
            due_at=due,
            warn_at=due - timedelta(hours=6),
            stopped_at=stopped_at,
            result=result,
        )
    )


def offer(complaint: Complaint, status: OfferStatus, at: datetime) -> None:
    db.session.add(
        SettlementOffer(
            complaint_id=complaint.id,
            merchant_id=complaint.merchant_id,
            kind=SettlementKind.REFUND,
            amount=Decimal("50.00"),
            terms="退款五十元",
            perform_by=at + timedelta(days=3),
            status=status,
            created_at=at,
        )
    )


def mediation_ended(complaint: Complaint, outcome: Outcome, at: datetime) -> None:
    complaint.outcome, complaint.decided_at = outcome, at


def unpaid(complaint: Complaint, at: datetime) -> None:
    db.session.add(
        Agreement(
            complaint_id=complaint.id,
            terms="店铺退款二百元",
            amount=Decimal("200.00"),
            payer="shop",
            perform_by=date(2026, 3, 10),
            status="unpaid",
            created_at=at - timedelta(days=10),
            pdf_sha256="0" * 64,
            unpaid_at=at,
        )
    )


def payout(world, complaint: Complaint, at: datetime, balance: Decimal) -> None:
    """A paid payout from the shop's deposit to the complaint's consumer, in the ledger at `at`."""
    request = PayoutRequest(
        merchant_id=complaint.merchant_id,
        complaint_id=complaint.id,
        amount=Decimal("10.00"),
        reason="未按约定退款",
        status=PayoutStatus.PAID,
        requested_by_id=world.agent.id,
        requested_at=at,
        consent_name="Consumer",
        consent_confirmed=True,
        consented_at=at,
        approved_by_id=world.supervisor.id,
        approved_at=at,
        paid_by_id=world.supervisor.id,
        paid_at=at,
    )
    db.session.add(request)
    db.session.flush()
    db.session.add(
        DepositEntry(
            merchant_id=complaint.merchant_id,
            kind=EntryKind.PAYOUT,
            amount=Decimal("-10.00"),
            balance_after=balance,
            reason="未按约定退款",
            complaint_id=complaint.id,
            payout_request_id=request.id,
            created_at=at,
        )
    )


@pytest.fixture
def month(world, clock):
    """March 2026 for the first shop, every figure above zero; events on the month's edges and
    the second shop's, which its lists must leave out. Returns (shop, other shop, references)."""
    shop, other = world.merchant_ids
    clock.set(FEBRUARY.astimezone(UTC))
    february = world.file(merchant_id=shop)  # filed in February: counted in March's decisions only
    clock.set(FIRST_INSTANT.astimezone(UTC))
    refs = [world.file(merchant_id=shop, title=f"三月投诉 {n}") for n in range(5)]
    elsewhere = world.file(merchant_id=other)
    clock.set(IN_MARCH.astimezone(UTC))
    for ref, outcome in zip(
        (refs[0], refs[1], february), ("upheld", "not_upheld", "partly_upheld"), strict=True
    ):
        act_as(world, ref, "agent", Action.VERIFY)
        act_as(world, ref, "agent", Action.RESOLVE, outcome=outcome)
    act_as(world, refs[0], "consumer", Action.CONFIRM, rating=2)
    act_as(world, elsewhere, "agent", Action.VERIFY)
    act_as(world, elsewhere, "agent", Action.RESOLVE, outcome="upheld")
    c = [world.complaint(ref) for ref in refs]
    b, e = world.complaint(february), world.complaint(elsewhere)
    reply_window(c[2], ClockResult.MET, IN_MARCH)
    reply_window(c[2], ClockResult.MET, FIRST_INSTANT)  # asked twice: two windows, one complaint
    reply_window(c[3], ClockResult.MISSED, IN_MARCH)
    reply_window(c[3], ClockResult.MISSED, APRIL)  # ended in April: not March's
    reply_window(e, ClockResult.MISSED, IN_MARCH)  # the other shop's
    offer(c[2], OfferStatus.SUPERSEDED, IN_MARCH)
    offer(c[2], OfferStatus.ACCEPTED, IN_MARCH + timedelta(days=1))
    offer(c[4], OfferStatus.DECLINED, IN_MARCH)
    offer(b, OfferStatus.ACCEPTED, FEBRUARY)  # made in February
    mediation_ended(c[3], Outcome.SETTLED, IN_MARCH)
    mediation_ended(c[4], Outcome.NOT_SETTLED, IN_MARCH)
    unpaid(c[3], IN_MARCH)
    payout(world, c[3], IN_MARCH, Decimal("90.00"))
    payout(world, c[3], IN_MARCH + timedelta(hours=1), Decimal("80.00"))  # twice for one complaint
    payout(world, c[4], APRIL, Decimal("70.00"))  # paid in April
    db.session.commit()
    compute_month(MARCH)
    return shop, other, refs, february


def kept(shop: int) -> ShopReputation:
    db.session.expire_all()
    return db.session.scalars(
        select(ShopReputation).where(ShopReputation.merchant_id == shop, ShopReputation.month == MARCH.first)
    ).one()


def test_every_figures_list_adds_up_to_the_count_kept_for_the_month(month):
    shop, _, refs, february = month
    row = kept(shop)
    for name, figure in FIGURES.items():
        listed = db.session.execute(complaints_behind(shop, MARCH, name)).all()
        value = getattr(row, name)
        assert value > 0, f"the hand-built month should give {name} a value"
        assert sum(events for _, events in listed) == value, name  # the events add up to the figure
        if figure.per_complaint:
            assert len(listed) == value and {events for _, events in listed} == {1}, name
    # Counted per event, listed per complaint: one complaint with two of the month's events.
    assert (row.replies_met, row.offers_made, row.deposit_payouts) == (2, 3, 2)
    for name in ("replies_met", "offers_made", "deposit_payouts"):
        assert len(db.session.execute(complaints_behind(shop, MARCH, name)).all()) < getattr(row, name)


def test_a_list_holds_the_shops_complaints_of_that_month_only(month):
    shop, other, refs, february = month

    def references(name, merchant_id=shop, when=MARCH):
        return {c.reference for c, _ in db.session.execute(complaints_behind(merchant_id, when, name))}

    assert references("complaints") == set(refs)  # not February's, not the other shop's
    assert references("upheld") == {refs[0], february}
    assert references("decided") == {refs[0], refs[1], february}
    assert references("replies_missed") == {refs[3]}
    assert references("offers_accepted") == {refs[2]}
    assert references("mediations_concluded") == {refs[3], refs[4]}
    assert references("mediations_settled") == {refs[3]}
    assert references("ratings") == {refs[0]}
    assert references("deposit_payouts", when=Month.parse("2026-04")) == {refs[4]}
    assert len(references("upheld", merchant_id=other)) == 1
    with pytest.raises(KeyError):
        complaints_behind(shop, MARCH, "score")


def test_the_shop_page_links_each_figure_above_zero_to_its_list(client, auth, world, month):
    shop, other, refs, _ = month
    auth.login(world.supervisor.email)
    page = client.get(f"/reputation/shops/{shop}").text
    assert f'href="/reputation/shops/{shop}/2026-03/replies_missed"' in page
    assert f'href="/reputation/shops/{shop}/2026-03/deposit_payouts"' in page
    other_page = client.get(f"/reputation/shops/{other}").text
    assert f"/reputation/shops/{other}/2026-03/upheld" in other_page
    assert f"/reputation/shops/{other}/2026-03/mediations_settled" not in other_page  # 0: no link
    auth.logout()
    auth.login(world.merchant.email)
    own = client.get("/reputation/my-shop").text
    assert 'href="/reputation/my-shop/2026-03/complaints"' in own and f"/reputation/shops/{shop}/" not in own


def test_staff_see_the_list_with_links_to_their_own_complaint_pages(client, auth, world, month):
    shop, _, refs, _ = month
    auth.login(world.supervisor.email)
    page = client.get(f"/reputation/shops/{shop}/2026-03/offers_made")
    assert page.status_code == 200
    assert f'href="/desk/complaints/{refs[2]}"' in page.text and "三月投诉 2" in page.text
    assert f'href="/desk/complaints/{refs[4]}"' in page.text and refs[0] not in page.text
    assert "Times counted" in page.text and "Counted in the month: 3" in page.text
    auth.logout()
    auth.login(world.merchant.email)
    own = client.get("/reputation/my-shop/2026-03/complaints")
    assert own.status_code == 200
    assert all(f'href="/merchant/complaints/{ref}"' in own.text for ref in refs)
    assert "Times counted" not in own.text


def test_admins_see_references_without_links_or_titles(client, auth, world, month):
    shop, _, refs, _ = month
    auth.login(world.admin.email)
    page = client.get(f"/reputation/shops/{shop}/2026-03/complaints")
    assert page.status_code == 200
    assert all(ref in page.text for ref in refs)
    assert not any(f">{ref}</a>" in page.text for ref in refs) and "三月投诉" not in page.text
    assert "Titles are shown only to those who open the complaints themselves." in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/reputation/shops/{shop}/2026-13/complaints",
        "/reputation/shops/{shop}/March/complaints",
        "/reputation/shops/{shop}/1999-12/complaints",
        "/reputation/shops/{shop}/2026-03/score",
        "/reputation/shops/{shop}/2026-03/rating_sum",
        "/reputation/shops/999999/2026-03/complaints",
    ],
)
def test_a_bad_month_figure_or_shop_is_not_found(client, auth, world, month, path):
    auth.login(world.agent.email)
    assert client.get(path.format(shop=month[0])).status_code == 404


def test_a_shops_staff_read_their_own_shops_lists_only(client, auth, world, month):
    shop, other, _, _ = month
    auth.login(world.merchant.email)
    assert client.get(f"/reputation/shops/{other}/2026-03/complaints").status_code == 403
    assert client.get(f"/reputation/shops/{shop}/2026-03/complaints").status_code == 403
    assert client.get("/reputation/my-shop/2026-03/nonsense").status_code == 404
    auth.logout()
    auth.login(world.consumer.email)
    assert client.get("/reputation/my-shop/2026-03/complaints").status_code == 403
    assert client.get(f"/reputation/shops/{shop}/2026-03/complaints").status_code == 403


def test_a_long_list_comes_in_pages(client, auth, world, month, monkeypatch):
    shop, _, refs, _ = month
    monkeypatch.setattr(reputation, "BEHIND_PAGE_SIZE", 2)
    auth.login(world.agent.email)
    seen = []
    for page in (1, 2, 3):
        text = client.get(f"/reputation/shops/{shop}/2026-03/complaints?page={page}").text
        seen += re.findall(r'href="/desk/complaints/([A-Z0-9-]+)"', text)
        assert f"Page {page} of 3" in text
    assert sorted(seen) == sorted(refs)
    last = client.get(f"/reputation/shops/{shop}/2026-03/complaints?page=99")
    assert last.status_code == 200 and "Page 3 of 3" in last.text

"""Shops' monthly reputation from the record: the figures counted, the score kept, the same month
computed again giving the same rows, the order volume, the CLI and the nightly job."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Merchant, ShopReputation
from complaints.services.reputation import (
    Month,
    compute_month,
    compute_month_once,
    month_figures,
    record_orders,
)
from complaints.workflow import Action, Refusal
from tests.support import act_as

MARCH = Month.parse("2026-03")


@pytest.fixture
def march(world, clock):
    """In March 2026: three complaints about the first shop (one upheld, one not, one rated 2 on
    closing) and one about the second."""
    shop, other = world.merchant_ids[0], world.merchant_ids[1]
    refs = [world.file(merchant_id=shop) for _ in range(3)] + [world.file(merchant_id=other)]
    for ref, outcome in zip(refs[:2], ("upheld", "not_upheld"), strict=True):
        act_as(world, ref, "agent", Action.VERIFY)
        act_as(world, ref, "agent", Action.RESOLVE, outcome=outcome)
    act_as(world, refs[0], "consumer", Action.CONFIRM, rating=2)
    return shop, other


def rows() -> dict[int, ShopReputation]:
    db.session.expire_all()
    return {row.merchant_id: row for row in db.session.scalars(select(ShopReputation))}


def test_the_months_figures_are_counted_per_shop(march):
    shop, other = march
    figures = month_figures(MARCH)
    assert (figures[shop].complaints, figures[shop].decided, figures[shop].upheld) == (3, 2, 1)
    assert (figures[shop].ratings, figures[shop].rating_sum) == (1, 2)
    assert figures[other].complaints == 1 and figures[other].decided == 0
    assert month_figures(Month.parse("2026-02")) == {}


def test_a_month_is_scored_kept_and_scored_again_the_same(march, clock):
    shop, other = march
    assert compute_month(MARCH) == 2
    first = {k: (r.score, r.grade, r.complaints, r.upheld) for k, r in rows().items()}
    # 100 - 3 complaints - 25 x 1/2 upheld + (2 - 3) x 2.5 for the rating = 82.0
    assert first[shop] == (Decimal("82.0"), "B", 3, 1)
    assert first[other] == (Decimal("99.0"), "A", 1, 0)
    clock.advance(days=40)
    assert compute_month(MARCH) == 2  # again, a month later: the same rows, not twice as many
    assert {k: (r.score, r.grade, r.complaints, r.upheld) for k, r in rows().items()} == first
    assert len(rows()) == 2


def test_the_order_volume_turns_complaints_into_a_rate(world, march):
    shop, _ = march
    record_orders(world.user("admin"), shop, MARCH, 1500)  # 3 in 1,500 orders: 2 per thousand
    record_orders(world.user("admin"), shop, MARCH, 1000)  # recorded again: replaces it (3 per thousand)
    compute_month(MARCH)
    row = rows()[shop]
    assert (row.orders, row.score) == (1000, Decimal("73.0"))  # 100 - 3 x 4 - 12.5 - 2.5
    with pytest.raises(Refusal, match="whole number above zero"):
        record_orders(world.user("admin"), shop, MARCH, 0)


def test_a_shop_scored_before_keeps_a_row_for_a_quiet_month(march):
    shop, _ = march
    compute_month(MARCH)
    assert compute_month(Month.parse("2026-04")) == 2
    april = {
        r.merchant_id: r
        for r in db.session.scalars(
            select(ShopReputation).where(ShopReputation.month == Month.parse("2026-04").first)
        )
    }
    assert april[shop].score == Decimal("100.0") and april[shop].complaints == 0


def test_the_nightly_job_scores_last_month_once(app, march, clock):
    clock.set(datetime(2026, 4, 1, 0, 30, tzinfo=UTC))  # 08:30 on 1 April in Shanghai
    assert Month.last() == MARCH
    assert compute_month_once(MARCH) == 2
    assert compute_month_once(MARCH) == 0


def test_the_command_computes_a_month_and_refuses_a_bad_one(app, march):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["reputation", "compute", "--month", "2026-03"])
    assert done.exit_code == 0 and "2026-03: scored 2 shops" in done.output
    bad = runner.invoke(args=["reputation", "compute", "--month", "March"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    shop = db.session.get(Merchant, march[0])
    orders = runner.invoke(
        args=["reputation", "orders", "--shop", shop.shop_code, "--month", "2026-03", "--orders", "3000"]
    )
    assert orders.exit_code == 0, orders.output


def test_the_pages_show_the_score_by_month_to_whom_they_may(client, auth, world, march):
    shop, other = march
    compute_month(MARCH)
    auth.login(world.supervisor.email)
    listing = client.get("/reputation/")
    assert listing.status_code == 200 and "Grade B" in listing.text
    page = client.get(f"/reputation/shops/{shop}")
    assert page.status_code == 200 and "82.0" in page.text and "<svg" in page.text
    assert "Complaints upheld -12.5" in page.text
    bad = client.post(
        f"/reputation/shops/{shop}/orders", data={"volume_month": "2026-13", "volume_orders": "10"}
    )
    assert bad.status_code == 400 and "YYYY-MM" in bad.text
    done = client.post(
        f"/reputation/shops/{shop}/orders", data={"volume_month": "2026-03", "volume_orders": "4000"}
    )
    assert done.status_code == 302
    auth.logout()
    auth.login(world.merchant.email)
    own = client.get("/reputation/my-shop")
    assert own.status_code == 200 and "82.0" in own.text and "Record a month" not in own.text
    assert client.get(f"/reputation/shops/{other}").status_code == 403
    auth.logout()
    assert client.get("/reputation/model").status_code == 200
    assert client.get("/reputation/").status_code == 302  # to the sign-in page

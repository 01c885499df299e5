"""The shop reputation model on hand-built months with known answers (services/reputation_model.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints.services.reputation_model import MonthFigures, grade, parts, score, thresholds_from


def points(figures: MonthFigures) -> dict[str, Decimal]:
    return {part.key: part.points for part in parts(figures)}


def test_a_quiet_month_scores_100_and_grade_a():
    assert score(MonthFigures()) == Decimal("100.0")
    assert grade(score(MonthFigures())) == "A"


def test_complaints_count_per_thousand_orders_when_the_volume_is_known():
    # 6 complaints in 2,000 orders: 3 per thousand, 4 points each -> 12 points off.
    figures = MonthFigures(complaints=6, orders=2000)
    assert figures.per_thousand_orders == Decimal("3.00")
    assert points(figures)["complaints"] == Decimal("-12.0")
    assert score(figures) == Decimal("88.0") and grade(score(figures)) == "B"
    # Without the volume each complaint costs a point, and never more than 30 in all.
    assert points(MonthFigures(complaints=6))["complaints"] == Decimal("-6.0")
    assert points(MonthFigures(complaints=45))["complaints"] == Decimal("-30.0")
    assert points(MonthFigures(complaints=900, orders=1000))["complaints"] == Decimal("-30.0")


def test_a_hand_built_month_with_every_figure():
    figures = MonthFigures(
        complaints=10,  # no volume: -10
        decided=8,
        upheld=6,  # 75 % upheld: -18.75
        replies_met=3,
        replies_missed=1,  # 25 % missed: -5
        mediations_concluded=4,
        mediations_settled=3,  # 25 % not settled: -2.5
        unpaid_agreements=1,  # -10
        deposit_payouts=1,  # -5
        ratings=4,
        rating_sum=10,  # average 2.5: -1.25
        offers_made=4,
        offers_accepted=2,  # half accepted: +2.5
    )
    assert points(figures) == {
        "complaints": Decimal("-10.0"),
        "upheld": Decimal("-18.8"),
        "replies_missed": Decimal("-5.0"),
        "not_settled": Decimal("-2.5"),
        "unpaid_agreements": Decimal("-10.0"),
        "deposit_payouts": Decimal("-5.0"),
        "ratings": Decimal("-1.3"),
        "offers_accepted": Decimal("2.5"),
    }
    # 100 - 10 - 18.8 - 5 - 2.5 - 10 - 5 - 1.3 + 2.5 = 49.9
    assert score(figures) == Decimal("49.9") and grade(score(figures)) == "E"


def test_caps_and_bounds_keep_the_score_between_0_and_100():
    worst = MonthFigures(complaints=99, decided=1, upheld=1, replies_missed=5, mediations_concluded=1,
                         unpaid_agreements=9, deposit_payouts=9, ratings=1, rating_sum=1)  # fmt: skip
    assert points(worst)["unpaid_agreements"] == Decimal("-20.0")
    assert points(worst)["deposit_payouts"] == Decimal("-15.0")
    assert score(worst) == Decimal("0.0")
    best = MonthFigures(ratings=2, rating_sum=10, offers_made=1, offers_accepted=1)  # +5 +5, kept at 100
    assert score(best) == Decimal("100.0")


def test_a_figure_the_month_does_not_have_moves_nothing():
    figures = MonthFigures(decided=0, upheld=0, replies_met=0, replies_missed=0, ratings=0, offers_made=0)
    assert all(part.points == 0 for part in parts(figures))


@pytest.mark.parametrize(
    ("value", "letter"),
    [("90.0", "A"), ("89.9", "B"), ("80.0", "B"), ("79.9", "C"), ("70.0", "C"), ("60.0", "D"), ("59.9", "E")],
)
def test_grades_follow_the_thresholds(value, letter):
    assert grade(Decimal(value)) == letter


def test_thresholds_come_from_the_setting_or_fall_back_to_the_default():
    assert thresholds_from("95,85,75,65") == (95, 85, 75, 65)
    assert grade(Decimal("90"), thresholds_from("95,85,75,65")) == "B"
    for bad in ("", "90,80,70", "60,70,80,90", "a,b,c,d", "190,80,70,60", None):
        assert thresholds_from(bad) == (90, 80, 70, 60)

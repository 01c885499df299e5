"""The shop reputation model: one month of a shop's record in, a score out of 100 and a grade.

Pure arithmetic, no database: services/reputation.py gathers the month's figures, this module
scores them, and the page explaining the model (templates/scorecard/reputation_model.html) and
the README print WEIGHTS as they are. A score starts at 100 and loses points for each thing the
pledge asks of a shop and the shop did not do:

| figure | points | at most |
|---|---|---|
| complaints: per thousand orders when the month's order volume is recorded, else the count | 4 per complaint per thousand orders, or 1 per complaint | 30 |
| share of the platform's decisions that upheld the complaint (in full or in part) | 25 × share | 25 |
| share of the platform's questions the shop let pass its reply window | 20 × share | 20 |
| share of concluded mediations that did not settle | 10 × share | 10 |
| mediation agreements the shop left unpaid after their deadline | 10 each | 20 |
| payouts from its guarantee deposit to consumers | 5 each | 15 |

and gains (or loses) for what consumers said and what the shop offered:

| figure | points |
|---|---|
| consumers' average rating of the service (1 to 5) | (average − 3) × 2.5, from −5 to +5 |
| share of its settlement offers the consumer accepted | up to +5 |

The score is kept between 0 and 100 and rounded to one decimal. A month without a figure (no
decision, no question, no mediation, no rating) loses and gains nothing for it. The grade is the
first of A, B, C, D whose threshold (REPUTATION_GRADE_THRESHOLDS, default 90, 80, 70, 60) the
score reaches, else E.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GRADES = ("A", "B", "C", "D", "E")
DEFAULT_THRESHOLDS = (90, 80, 70, 60)


@dataclass(frozen=True)
class Weights:
    per_thousand_orders: float = 4.0
    per_complaint: float = 1.0
    complaints_cap: float = 30.0
    upheld: float = 25.0
    replies_missed: float = 20.0
    not_settled: float = 10.0
    unpaid_agreement: float = 10.0
    unpaid_cap: float = 20.0
    deposit_payout: float = 5.0
    payouts_cap: float = 15.0
    rating_step: float = 2.5  # per point of the average rating above or below 3
    offers_accepted: float = 5.0


WEIGHTS = Weights()


@dataclass(frozen=True)
class MonthFigures:
    """What a shop's month is scored on (services/reputation.py counts them)."""

    complaints: int = 0
    orders: int | None = None  # the month's order volume, when recorded
    decided: int = 0  # the platform's decisions on its complaints (upheld, partly upheld, not upheld)
    upheld: int = 0  # of which upheld in full or in part
    replies_met: int = 0  # the platform's questions answered within the shop's reply window
    replies_missed: int = 0
    offers_made: int = 0
    offers_accepted: int = 0
    mediations_concluded: int = 0  # settled or not settled
    mediations_settled: int = 0
    unpaid_agreements: int = 0
    deposit_payouts: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @property
    def per_thousand_orders(self) -> Decimal | None:
        if not self.orders:
            return None
        return (Decimal(self.complaints) * 1000 / self.orders).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Part:
    """One line of a score: what it is for and the points it moved (negative: lost)."""

    key: str
    points: Decimal


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def parts(figures: MonthFigures, weights: Weights = WEIGHTS) -> list[Part]:
    """The points each figure moved the score by, in the order of the model's tables."""
    rate = figures.per_thousand_orders
    if rate is not None:
        complaints = min(float(rate) * weights.per_thousand_orders, weights.complaints_cap)
    else:
        complaints = min(figures.complaints * weights.per_complaint, weights.complaints_cap)
    moves = [("complaints", -complaints)]
    for key, share, weight in (
        ("upheld", _share(figures.upheld, figures.decided), weights.upheld),
        (
            "replies_missed",
            _share(figures.replies_missed, figures.replies_met + figures.replies_missed),
            weights.replies_missed,
        ),
        (
            "not_settled",
            _share(figures.mediations_concluded - figures.mediations_settled, figures.mediations_concluded),
            weights.not_settled,
        ),
    ):
        moves.append((key, -(share or 0.0) * weight))
    moves.append(
        ("unpaid_agreements", -min(figures.unpaid_agreements * weights.unpaid_agreement, weights.unpaid_cap))
    )
    moves.append(
        ("deposit_payouts", -min(figures.deposit_payouts * weights.deposit_payout, weights.payouts_cap))
    )
    average = figures.rating_sum / figures.ratings if figures.ratings else None
    moves.append(("ratings", (average - 3) * weights.rating_step if average is not None else 0.0))
    accepted = _share(figures.offers_accepted, figures.offers_made)
    moves.append(("offers_accepted", (accepted or 0.0) * weights.offers_accepted))
    return [Part(key, _points(value)) for key, value in moves]


def _points(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP) + 0  # + 0: no "-0.0"


def score(figures: MonthFigures, weights: Weights = WEIGHTS) -> Decimal:
    """The month's score, 0 to 100, one decimal."""
    total = Decimal(100) + sum((part.points for part in parts(figures, weights)), Decimal(0))
    return min(max(total, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def grade(value: Decimal, thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS) -> str:
    """A to E: the first grade whose threshold the score reaches (E below the last)."""
    for letter, threshold in zip(GRADES, thresholds, strict=False):
        if value >= threshold:
            return letter
    return GRADES[-1]


def thresholds_from(setting: str) -> tuple[int, ...]:
    """REPUTATION_GRADE_THRESHOLDS ("90,80,70,60"): four whole numbers, falling; else the default."""
    try:
        values = tuple(int(part) for part in setting.split(","))
    except (AttributeError, ValueError):
        return DEFAULT_THRESHOLDS
    if (
        len(values) != 4
        or list(values) != sorted(values, reverse=True)
        or not 0 <= values[-1] <= values[0] <= 100
    ):
        return DEFAULT_THRESHOLDS
    return values

"""A shop's reputation, month by month: the figures it was scored on, its score and its grade
(services/reputation.py computes them; services/reputation_model.py is the scoring), and the
order volume recorded for a month, which turns its complaints into a rate per thousand orders.

One row per shop and month (`shop_reputation_months`): computing a month again replaces it, so
the same month's record gives the same row, and the rows of past months are the history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from complaints.extensions import db
from complaints.models.types import UTCDateTime


class ShopReputation(db.Model):
    __tablename__ = "shop_reputation_months"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    month: Mapped[date] = mapped_column(Date)  # its first day
    complaints: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int | None] = mapped_column(Integer)
    decided: Mapped[int] = mapped_column(Integer)
    upheld: Mapped[int] = mapped_column(Integer)
    replies_met: Mapped[int] = mapped_column(Integer)
    replies_missed: Mapped[int] = mapped_column(Integer)
    offers_made: Mapped[int] = mapped_column(Integer)
    offers_accepted: Mapped[int] = mapped_column(Integer)
    mediations_concluded: Mapped[int] = mapped_column(Integer)
    mediations_settled: Mapped[int] = mapped_column(Integer)
    unpaid_agreements: Mapped[int] = mapped_column(Integer)
    deposit_payouts: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(4, 1, asdecimal=True))
    grade: Mapped[str] = mapped_column(String(1))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("merchant_id", "month"),)


class ShopOrderVolume(db.Model):
    """How many orders a shop had in a month, as an admin (or, later, the marketplace's API)
    recorded it; recording a month again replaces the figure."""

    __tablename__ = "shop_order_volumes"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    month: Mapped[date] = mapped_column(Date)
    orders: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("merchant_id", "month"),)

"""A service report: the pledge's figures over one quarter or half-year, as generated (by the
scheduler after the period, or on demand by a supervisor). services/service_reports.py says what
it holds; the figures are kept as generated, so a published report does not change afterwards
unless someone generates it again (which replaces it, and says when and who).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from complaints.extensions import db
from complaints.models.types import UTCDateTime


class ServiceReport(db.Model):
    __tablename__ = "service_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "quarter" or "half"
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # the quarter (1-4) or the half (1-2)
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)  # the last day counted (before the period's end: to date)
    complete: Mapped[bool] = mapped_column(default=False)  # the period was over when generated
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the scheduler
    figures: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("kind", "year", "number", name="uq_service_reports_period"),)

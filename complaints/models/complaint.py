"""The complaint: what a consumer filed, where it stands, and how it ended."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.agreement import NotSettledReason
from complaints.models.types import Money, UTCDateTime, enum_type
from complaints.workflow import OPEN_STATES, State


class Priority(enum.StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class WaitingOn(enum.StrEnum):
    CONSUMER = "consumer"
    MERCHANT = "merchant"


class DesiredOutcome(enum.StrEnum):
    REFUND = "refund"
    RETURN = "return"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    COMPENSATION = "compensation"
    APOLOGY = "apology"
    OTHER = "other"


class Outcome(enum.StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    SETTLED = "settled"  # in mediation
    NOT_SETTLED = "not_settled"
    SETTLED_WITH_SHOP = "settled_with_shop"  # the consumer accepted the shop's offer
    MEDIATION_WITHDRAWN = "mediation_withdrawn"  # a party withdrew from mediation before its end


AGENT_OUTCOMES = (Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD)
MEDIATION_OUTCOMES = (Outcome.SETTLED, Outcome.NOT_SETTLED, Outcome.MEDIATION_WITHDRAWN)
# A mediation concluded with a settlement or without one; a withdrawn one did not conclude, so it
# counts in neither side of the success rate (settled / concluded).
CONCLUDED_MEDIATION_OUTCOMES = (Outcome.SETTLED, Outcome.NOT_SETTLED)


# workflow.OPEN_STATES as SQL, for the partial indexes over open complaints.
_OPEN = "state IN ({})".format(", ".join(f"'{state.value}'" for state in State if state in OPEN_STATES))


class Complaint(db.Model):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    order_reference: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[DesiredOutcome] = mapped_column(enum_type(DesiredOutcome))
    claimed_amount: Mapped[Decimal] = mapped_column(Money)
    is_major: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.NORMAL)
    state: Mapped[State] = mapped_column(enum_type(State), default=State.RECEIVED)
    # Two independent flags beside the state: each pauses the clocks its pledge names.
    waiting_on_consumer: Mapped[bool] = mapped_column(default=False)
    waiting_on_merchant: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when an agent finds this complaint repeats another one: it is closed into that one.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    mediation_org_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_organisations.id"))
    # The pledge this complaint is held to: the policy version in force when it was filed.
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy_versions.id"))
    was_mediated: Mapped[bool] = mapped_column(default=False)
    appeal_used: Mapped[bool] = mapped_column(default=False)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    compensation_amount: Mapped[Decimal | None] = mapped_column(Money)
    # Why a mediation ended without a settlement (models/agreement.py NotSettledReason).
    not_settled_reason: Mapped[NotSettledReason | None] = mapped_column(enum_type(NotSettledReason))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # resolved or rejected
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    consumer = relationship("User", foreign_keys=[consumer_id], lazy="raise_on_sql")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="raise_on_sql")
    merchant = relationship("Merchant", lazy="raise_on_sql")
    category = relationship("Category", lazy="raise_on_sql")
    mediation_org = relationship("MediationOrganisation", lazy="raise_on_sql")

    # Optimistic locking: every UPDATE checks and bumps the version, so two people acting at
    # once cannot overwrite each other; the second is told to reload.
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # Queue pages: keyset over (created_at, id) within a state, optionally per assignee.
        Index("ix_complaints_state_created", "state", "created_at", "id"),
        Index("ix_complaints_assignee_state_created", "assignee_id", "state", "created_at", "id"),
        Index("ix_complaints_consumer_created", "consumer_id", "created_at"),
        # Queue filters by shop or category, and a mediation organisation's cases, in page order.
        Index("ix_complaints_merchant_state_created", "merchant_id", "state", "created_at", "id"),
        Index("ix_complaints_category_state_created", "category_id", "state", "created_at", "id"),
        Index("ix_complaints_mediation_org_state_updated", "mediation_org_id", "state", "updated_at", "id"),
        Index("ix_complaints_order_reference", "order_reference"),
        Index("ix_complaints_duplicate_of", "duplicate_of_id"),
        # The queue by priority reads the open complaints alone (by age, each state's own index).
        Index(
            "ix_complaints_open_priority_created",
            "priority",
            "created_at",
            "id",
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        # The public scorecard: decisions by day, with what it counts of them (handling time,
        # mediation outcomes), and consumers' ratings by the day they gave them.
        Index(
            "ix_complaints_decided",
            "decided_at",
            "state",
            "outcome",
            "created_at",
            "policy_version_id",
            sqlite_where=text("decided_at IS NOT NULL"),
            postgresql_where=text("decided_at IS NOT NULL"),
        ),
        Index(
            "ix_complaints_rated",
            "closed_at",
            "rating",
            sqlite_where=text("rating IS NOT NULL"),
            postgresql_where=text("rating IS NOT NULL"),
        ),
        # The supervisors' dashboard: each agent's decisions and ratings in a period, from the index alone.
        Index(
            "ix_complaints_assignee_decided",
            "assignee_id",
            "decided_at",
            "state",
            sqlite_where=text("decided_at IS NOT NULL AND assignee_id IS NOT NULL"),
            postgresql_where=text("decided_at IS NOT NULL AND assignee_id IS NOT NULL"),
        ),
        Index(
            "ix_complaints_assignee_rated",
            "assignee_id",
            "closed_at",
            "rating",
            sqlite_where=text("rating IS NOT NULL AND assignee_id IS NOT NULL"),
            postgresql_where=text("rating IS NOT NULL AND assignee_id IS NOT NULL"),
        ),
    )

    @property
    def waiting(self) -> tuple[WaitingOn, ...]:
        """Whom the complaint is waiting on (none, either or both), consumer first."""
        flags = (
            (WaitingOn.CONSUMER, self.waiting_on_consumer),
            (WaitingOn.MERCHANT, self.waiting_on_merchant),
        )
        return tuple(party for party, waiting in flags if waiting)

    def is_waiting_on(self, party: WaitingOn) -> bool:
        return self.waiting_on_consumer if party is WaitingOn.CONSUMER else self.waiting_on_merchant

    def set_waiting_on(self, party: WaitingOn, waiting: bool) -> None:
        if party is WaitingOn.CONSUMER:
            self.waiting_on_consumer = waiting
        else:
            self.waiting_on_merchant = waiting

    @property
    def is_open(self) -> bool:
        return self.state in (State.RECEIVED, State.VERIFIED, State.MEDIATED)

    def __repr__(self) -> str:
        return f"<Complaint {self.reference} {self.state}>"


class ReferenceCounter(db.Model):
    """The last sequence number handed out per year, so references are unique and gapless."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)

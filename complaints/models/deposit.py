"""A shop's guarantee deposit: an append-only ledger, its running total, and payout requests.

The ledger (`deposit_entries`) is the record: a top-up, a payout or an adjustment, each with who,
when, why and the complaint it belongs to. Entries are never changed or removed; a mistake is
corrected by an adjustment. The balance is the sum of a shop's entries. `deposit_accounts` keeps
that sum as a running total, moved in the same transaction as each entry by a conditional
UPDATE; its CHECK (balance >= 0) is the database's own refusal to let a shop's deposit go below
zero, and its row is what two payouts racing for the last of a deposit queue on (see
services/deposits.py).

A payout to a consumer is a request first (`deposit_payout_requests`): it needs the consumer's
written consent (their full name typed, a confirmation, the time and the account) and a
supervisor's approval (not the requester's own) before it is paid, and only the payment writes a
ledger entry, which names the request it pays.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import Money, UTCDateTime, enum_type


class EntryKind(enum.StrEnum):
    TOP_UP = "top_up"  # the shop paid money into its deposit
    PAYOUT = "payout"  # paid to a consumer, with their consent and a supervisor's approval
    ADJUSTMENT = "adjustment"  # a correction either way, by a supervisor or an admin, with a reason


class PayoutStatus(enum.StrEnum):
    REQUESTED = "requested"  # waiting for the consumer's written consent
    CONSENTED = "consented"  # the consumer consented; waiting for a supervisor's approval
    APPROVED = "approved"  # approved; waiting to be paid
    PAID = "paid"  # the ledger holds its entry
    REFUSED = "refused"  # by a supervisor, or the consumer declined, with a reason
    CANCELLED = "cancelled"  # withdrawn by the platform, with a reason


OPEN_PAYOUT_STATUSES = (PayoutStatus.REQUESTED, PayoutStatus.CONSENTED, PayoutStatus.APPROVED)


class DepositAccount(db.Model):
    """The running total of one shop's ledger, kept by the same transaction as each entry."""

    __tablename__ = "deposit_accounts"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    balance: Mapped[Decimal] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("balance >= 0", name="never_negative"),
        Index("ix_deposit_accounts_balance", "balance"),
    )


class PayoutRequest(db.Model):
    """A payout from a shop's deposit to the consumer of one of its complaints, on its way."""

    __tablename__ = "deposit_payout_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[PayoutStatus] = mapped_column(enum_type(PayoutStatus, 16), default=PayoutStatus.REQUESTED)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The consumer's written consent: the name they typed, that they ticked the confirmation,
    # when, and the account that gave it.
    consent_name: Mapped[str | None] = mapped_column(String(120))
    consent_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Refused or cancelled: by whom, when and why.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)

    merchant = relationship("Merchant", lazy="raise_on_sql")
    complaint = relationship("Complaint", lazy="raise_on_sql")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="raise_on_sql")
    consented_by = relationship("User", foreign_keys=[consented_by_id], lazy="raise_on_sql")
    approved_by = relationship("User", foreign_keys=[approved_by_id], lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("approved_by_id IS NULL OR approved_by_id <> requested_by_id", name="four_eyes"),
        CheckConstraint(
            "status NOT IN ('approved', 'paid') OR (consented_at IS NOT NULL AND approved_at IS NOT NULL)",
            name="consent_and_approval_first",
        ),
        Index("ix_deposit_payout_requests_status", "status", "id"),
        Index("ix_deposit_payout_requests_complaint", "complaint_id", "id"),
        Index("ix_deposit_payout_requests_merchant", "merchant_id", "id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PAYOUT_STATUSES

    def __repr__(self) -> str:
        return f"<PayoutRequest {self.id} {self.amount} {self.status}>"


class DepositEntry(db.Model):
    """One line of a shop's ledger. Append-only: never updated, never deleted."""

    __tablename__ = "deposit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind, 16))
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: money in is positive, out negative
    balance_after: Mapped[Decimal] = mapped_column(Money)  # the shop's balance once this entry counts
    reason: Mapped[str] = mapped_column(Text)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    payout_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("deposit_payout_requests.id"), unique=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    recorded_by = relationship("User", lazy="raise_on_sql")
    complaint = relationship("Complaint", lazy="raise_on_sql")
    payout_request = relationship("PayoutRequest", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("balance_after >= 0", name="balance_never_negative"),
        CheckConstraint("kind <> 'top_up' OR amount > 0", name="top_up_adds"),
        CheckConstraint(
            "kind <> 'payout' OR (amount < 0 AND complaint_id IS NOT NULL AND payout_request_id IS NOT NULL)",
            name="payout_names_its_request",
        ),
        Index("ix_deposit_entries_merchant", "merchant_id", "id"),
    )

    def __repr__(self) -> str:
        return f"<DepositEntry {self.id} {self.kind} {self.amount}>"


@event.listens_for(DepositEntry, "before_update")
@event.listens_for(DepositEntry, "before_delete")
def _refuse_rewriting_the_ledger(mapper, connection, target):
    raise RuntimeError("deposit ledger entries are append-only")

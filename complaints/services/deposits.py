"""The shop's guarantee deposit: its ledger, top-ups and adjustments, and the ledger's one writer.

Payouts to consumers (request, consent, approval, payment) are services/deposit_payouts.py; they
write their entry through `record_entry` here. The ledger is append-only (models/deposit.py).
Each use case commits, or rolls back and raises Refusal (answer 409) or PayoutNotFound
(404): nothing is half-written.

Never below zero, also when two payouts race for the last of a deposit: every entry moves the
shop's running total (`deposit_accounts.balance`) by one conditional UPDATE,
`SET balance = balance + delta WHERE merchant_id = ... AND balance + delta >= 0`, in the same
transaction as the entry's INSERT. It is atomic on both databases without a dialect branch:
PostgreSQL locks the row, and a second UPDATE that waited for it re-reads the committed balance
and matches no row; SQLite lets one writer at a time, and this UPDATE is the statement that
takes the write lock (the reads before it run outside any transaction), so the second payout
waits for the first to commit and then finds too little. The one that matches no row is refused
with a message; CHECK (balance >= 0) refuses what a bug might still try. The request's own status
moves by conditional UPDATEs too, so a request is approved and paid once.
"""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from complaints import participants
from complaints.extensions import db
from complaints.models import DepositAccount, DepositEntry, EntryKind, Merchant, User
from complaints.services.money import LARGEST
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

MAX_REASON = 2_000


class PayoutNotFound(LookupError):
    """No shop, or no payout request, with that id that the person may act on (answer 404)."""


def balance_of(merchant_id: int) -> Decimal:
    """The shop's balance: the sum of its ledger."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(DepositEntry.amount), 0)).where(DepositEntry.merchant_id == merchant_id)
    )
    return Decimal(str(total)).quantize(Decimal("0.01"))


def top_up(actor: User, merchant_id: int, amount: Decimal, reason: str) -> DepositEntry:
    """Record money the shop paid into its deposit.

    actor: a supervisor or an admin (participants.keeps_deposits).
    merchant_id: the shop.
    amount: more than zero.
    reason: why (the payment's reference, say).
    """
    return _keep(actor, merchant_id, EntryKind.TOP_UP, amount, reason)


def adjust(actor: User, merchant_id: int, amount: Decimal, reason: str) -> DepositEntry:
    """Correct the deposit either way (a mistyped top-up, a bank fee), with the reason.

    actor: a supervisor or an admin. amount: signed, not zero; a deduction may not take the
    balance below zero. reason: why, required.
    """
    return _keep(actor, merchant_id, EntryKind.ADJUSTMENT, amount, reason)


def _keep(actor: User, merchant_id: int, kind: EntryKind, amount: Decimal, reason: str) -> DepositEntry:
    if not participants.keeps_deposits(actor):
        raise Refusal(N_("Your role may not change a shop's deposit."))
    try:
        shop_of(merchant_id)
        amount = checked_amount(amount, signed=kind is EntryKind.ADJUSTMENT)
        entry = record_entry(actor, merchant_id, kind, amount, checked_text(reason, N_("Say why.")))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    current_app.logger.info("user %s recorded %s of %s on shop %s", actor.id, kind.value, amount, merchant_id)
    return entry


# --- the ledger's one writer, for this module and deposit_payouts -----------------------------


def record_entry(
    actor: User | None, merchant_id: int, kind: EntryKind, amount: Decimal, reason: str, **about
) -> DepositEntry:
    """Move the shop's running total by `amount` and append the entry, in the caller's transaction."""
    _open_account(merchant_id)
    account = DepositAccount.__table__
    moved = account.c.balance + amount
    balance = db.session.execute(
        update(account)
        .where(account.c.merchant_id == merchant_id, func.round(moved, 2) >= 0)
        .values(balance=func.round(moved, 2), updated_at=now())
        .returning(account.c.balance)
    ).scalar()
    if balance is None:
        raise Refusal(N_("The deposit holds only %(balance)s."), balance=f"{balance_of(merchant_id):,.2f}")
    entry = DepositEntry(
        merchant_id=merchant_id,
        kind=kind,
        amount=amount,
        balance_after=Decimal(str(balance)).quantize(Decimal("0.01")),
        reason=reason,
        recorded_by_id=actor.id if actor else None,
        created_at=now(),
        **about,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _open_account(merchant_id: int) -> None:
    """The shop's account row, made at 0.00 the first time (shops added after the migration)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(DepositAccount.__table__)
        .values(merchant_id=merchant_id, balance=Decimal("0.00"), updated_at=now())
        .on_conflict_do_nothing(index_elements=["merchant_id"])
    )


# --- input ---------------------------------------------------------------------------------------


def shop_of(merchant_id: int) -> Merchant:
    shop = db.session.get(Merchant, merchant_id)
    if shop is None:
        raise PayoutNotFound()
    return shop


def checked_amount(amount, *, signed: bool = False) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise Refusal(N_("Enter an amount of money, such as 299 or 299.50."))
    if amount == 0 or (amount < 0 and not signed):
        raise Refusal(N_("The amount must be more than zero."))
    if abs(amount) > LARGEST:
        raise Refusal(N_("The amount can be at most %(max)s."), max=f"{LARGEST:,.2f}")
    return amount.quantize(Decimal("0.01"))


def checked_text(value, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Refusal(missing)
    if len(text) > MAX_REASON:
        raise Refusal(N_("The reason can be at most %(max)s characters."), max=MAX_REASON)
    return text

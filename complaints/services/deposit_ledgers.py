"""Reading the guarantee deposits: shops and their balances, a shop's ledger, payouts in progress,
and the ledger as CSV. Nothing here writes (services/deposits.py does)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from complaints.extensions import db
from complaints.models import (
    OPEN_PAYOUT_STATUSES,
    Complaint,
    DepositEntry,
    Merchant,
    PayoutRequest,
    PayoutStatus,
    User,
)

LEDGER_PAGE = 200  # entries shown on a shop's ledger page (the CSV has them all)


@dataclass(frozen=True)
class ShopBalance:
    merchant: Merchant
    balance: Decimal
    entries: int
    open_payouts: int


def minimum_balance() -> Decimal:
    """The DEPOSIT_MINIMUM_BALANCE setting (a shop below it is listed for a top-up)."""
    try:
        return Decimal(str(current_app.config["DEPOSIT_MINIMUM_BALANCE"])).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def shop_balances() -> list[ShopBalance]:
    """Every shop with its balance (the sum of its ledger), lowest first, in two statements."""
    sums = (
        select(
            DepositEntry.merchant_id,
            func.sum(DepositEntry.amount).label("balance"),
            func.count(DepositEntry.id).label("entries"),
        )
        .group_by(DepositEntry.merchant_id)
        .subquery()
    )
    pending = (
        select(PayoutRequest.merchant_id, func.count(PayoutRequest.id).label("open"))
        .where(PayoutRequest.status.in_(OPEN_PAYOUT_STATUSES))
        .group_by(PayoutRequest.merchant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Merchant, sums.c.balance, sums.c.entries, pending.c.open)
        .outerjoin(sums, sums.c.merchant_id == Merchant.id)
        .outerjoin(pending, pending.c.merchant_id == Merchant.id)
        .order_by(Merchant.name, Merchant.id)
    ).all()
    shops = [ShopBalance(m, _money(balance), entries or 0, open_ or 0) for m, balance, entries, open_ in rows]
    return sorted(shops, key=lambda s: s.balance)


def below_minimum(shops: Iterable[ShopBalance]) -> list[ShopBalance]:
    """The active shops whose balance is under the minimum: to be asked for a top-up."""
    floor = minimum_balance()
    return [s for s in shops if s.merchant.active and s.balance < floor]


def ledger(merchant_id: int, limit: int | None = LEDGER_PAGE) -> list[DepositEntry]:
    """The shop's entries, newest first, with who recorded each and the complaint it belongs to."""
    query = (
        select(DepositEntry)
        .where(DepositEntry.merchant_id == merchant_id)
        .options(
            selectinload(DepositEntry.recorded_by),
            selectinload(DepositEntry.complaint),
            selectinload(DepositEntry.payout_request).selectinload(PayoutRequest.consented_by),
            selectinload(DepositEntry.payout_request).selectinload(PayoutRequest.approved_by),
        )
        .order_by(DepositEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def payouts(merchant_id: int | None = None, *, open_only: bool = True) -> list[PayoutRequest]:
    """Payout requests (of one shop, or all), oldest first when open, newest first otherwise."""
    query = select(PayoutRequest).options(
        selectinload(PayoutRequest.merchant),
        selectinload(PayoutRequest.complaint),
        selectinload(PayoutRequest.requested_by),
        selectinload(PayoutRequest.consented_by),
        selectinload(PayoutRequest.approved_by),
    )
    if merchant_id is not None:
        query = query.where(PayoutRequest.merchant_id == merchant_id)
    if open_only:
        query = query.where(PayoutRequest.status.in_(OPEN_PAYOUT_STATUSES)).order_by(PayoutRequest.id)
    else:
        query = query.order_by(PayoutRequest.id.desc()).limit(50)
    return list(db.session.scalars(query))


def awaiting_consent(complaint: Complaint) -> list[PayoutRequest]:
    """The payouts on `complaint` that wait for its consumer's written consent."""
    return list(
        db.session.scalars(
            select(PayoutRequest)
            .where(PayoutRequest.complaint_id == complaint.id, PayoutRequest.status == PayoutStatus.REQUESTED)
            .order_by(PayoutRequest.id)
        )
    )


CSV_COLUMNS = (
    "entry",
    "shop_code",
    "shop",
    "recorded_at_utc",
    "kind",
    "amount",
    "balance_after",
    "recorded_by",
    "reason",
    "complaint",
    "payout_request",
    "consent_name",
    "consented_at_utc",
    "consent_account",
    "approved_by",
    "approved_at_utc",
)


def ledger_csv(merchant_id: int | None = None) -> Iterator[str]:
    """The ledger of one shop (or of every shop) as CSV lines, oldest first, read in batches.
    Texts that a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    consenter, approver, recorder = aliased(User), aliased(User), aliased(User)
    query = (
        select(
            DepositEntry,
            Merchant.shop_code,
            Merchant.name,
            recorder.email,
            Complaint.reference,
            PayoutRequest,
            consenter.email,
            approver.email,
        )
        .join(Merchant, Merchant.id == DepositEntry.merchant_id)
        .outerjoin(recorder, recorder.id == DepositEntry.recorded_by_id)
        .outerjoin(Complaint, Complaint.id == DepositEntry.complaint_id)
        .outerjoin(PayoutRequest, PayoutRequest.id == DepositEntry.payout_request_id)
        .outerjoin(consenter, consenter.id == PayoutRequest.consented_by_id)
        .outerjoin(approver, approver.id == PayoutRequest.approved_by_id)
        .order_by(DepositEntry.merchant_id, DepositEntry.id)
    )
    if merchant_id is not None:
        query = query.where(DepositEntry.merchant_id == merchant_id)
    yield _line(CSV_COLUMNS)
    for (
        entry,
        code,
        name,
        recorded_by,
        reference,
        request,
        consent_account,
        approved_by,
    ) in db.session.execute(query.execution_options(yield_per=500)):
        yield _line(
            (
                entry.id,
                code,
                name,
                entry.created_at.isoformat(),
                entry.kind.value,
                f"{entry.amount:.2f}",
                f"{entry.balance_after:.2f}",
                recorded_by or "",
                entry.reason,
                reference or "",
                request.id if request else "",
                request.consent_name if request else "",
                request.consented_at.isoformat() if request and request.consented_at else "",
                consent_account or "",
                approved_by or "",
                request.approved_at.isoformat() if request and request.approved_at else "",
            )
        )


def _line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([_cell(v) for v in values])
    return out.getvalue()


def _cell(value) -> str:
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _money(value) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))

"""The agreement of every bench complaint whose mediation settled, and what the parties did with it
afterwards, as services/agreements.py would have written it: the mediator records it with the
outcome (the shop pays, within one to two weeks); the consumer and the shop's staff accept it
(binding once both have); the shop confirms its payment and the consumer its receipt (performed),
or the deadline passes unpaid and the scheduler's job marks it so. Each step happens only if its
time has come by the moment the bench is seeded, so recent agreements still wait.

The PDF hashes: the application renders each agreement's PDF (WeasyPrint, ~0.2 s each) to keep its
SHA-256; the bench does not render tens of thousands of PDFs, so a bench agreement keeps the
SHA-256 of the facts its PDF prints (reference, terms, amount, payer, deadline, acceptances) instead.
Nothing in the application compares the two; a bench agreement's download renders as any other.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from complaints.workflow import Action, transition_for

HOUR, DAY = 3600, 86_400
ZONE = ZoneInfo("Asia/Shanghai")  # the platform's zone: an agreement's deadline is a day there
PAYS = 0.88  # of the binding agreements, the share the shop pays before its deadline


@dataclass(slots=True)
class BenchAgreement:
    """An agreement as the bench writes it; times are seconds since the epoch."""

    mediator_id: int
    organisation_id: int | None
    terms: str
    amount: str | None
    perform_by: date
    created: int
    status: str = "awaiting_acceptance"
    consumer_accepted: tuple[int, int] | None = None  # (who, when)
    shop_accepted: tuple[int, int] | None = None
    bound: int | None = None
    paid: tuple[int, int] | None = None
    receipt: tuple[int, int] | None = None
    unpaid: int | None = None
    id: int = 0  # given when its rows are made (complaints/seed/rows.py)
    pdf_sha256: str = ""
    binding_pdf_sha256: str | None = None


def rng_for(h, salt: int) -> random.Random:
    """The agreement's own random numbers, drawn from the complaint's facts: the bench's main
    stream (and so every other complaint's history) is the same with agreements as without."""
    return random.Random(h.created * 1_000_003 + h.consumer_id * 7 + salt)


def deadline(h, at: int) -> date:
    """The date to perform by: one to two weeks after the outcome, a day in the platform's zone."""
    return datetime.fromtimestamp(at + rng_for(h, 1).randint(7, 14) * DAY, ZONE).date()


def _end_of(day: date) -> int:
    """The first second after `day` in the platform's zone."""
    return int(datetime.combine(day + timedelta(days=1), datetime.min.time(), ZONE).timestamp())


def _event(h, at: int, who: int | None, action: Action, detail: dict) -> None:
    h.events.append((at, who, action.value, None, None, transition_for(action).public, detail))


def follow(h, shop_staff: int, end: int) -> None:
    """What the parties did with `h.agreement` by `end`: its events and its final status."""
    a, rng = h.agreement, rng_for(h, 2)
    consumer_at = a.created + rng.randint(HOUR, 2 * DAY)
    shop_at = a.created + rng.randint(HOUR, 3 * DAY)
    for side, who, at in sorted(
        (("consumer", h.consumer_id, consumer_at), ("shop", shop_staff, shop_at)), key=lambda s: s[2]
    ):
        if at > end:
            return
        binding = (a.consumer_accepted or a.shop_accepted) is not None
        detail = {"agreement": None, "side": side, "binding": binding}
        if side == "consumer":
            a.consumer_accepted = (who, at)
        else:
            a.shop_accepted = (who, at)
        if binding:
            a.status, a.bound = "binding", at
            detail["pdf_sha256"] = None  # the binding document's hash, when the rows are made
            detail["perform_by"] = a.perform_by.isoformat()
        _event(h, at, who, Action.ACCEPT_AGREEMENT, detail)
    due = _end_of(a.perform_by)
    if rng.random() < PAYS and a.bound < due - HOUR:
        paid_at = rng.randint(a.bound + HOUR // 2, due - HOUR)
        if paid_at > end:
            return
        a.paid = (shop_staff, paid_at)
        _event(
            h,
            paid_at,
            shop_staff,
            Action.CONFIRM_PAYMENT,
            {"agreement": None, "note": None, "amount": a.amount},
        )
        received_at = paid_at + rng.randint(HOUR, 2 * DAY)
        if received_at <= end:
            a.receipt, a.status = (h.consumer_id, received_at), "performed"
            _event(
                h,
                received_at,
                h.consumer_id,
                Action.CONFIRM_RECEIPT,
                {"agreement": None, "answer": "received", "note": None},
            )
        return
    unpaid_at = due + rng.randint(60, 600)  # the job runs every ten minutes
    if unpaid_at <= end:
        a.unpaid, a.status = unpaid_at, "unpaid"
        detail = {"agreement": None, "perform_by": a.perform_by.isoformat(), "amount": a.amount}
        _event(h, unpaid_at, None, Action.MARK_UNPAID, detail)


def facts_sha256(a: BenchAgreement, reference: str, binding: bool) -> str:
    """The SHA-256 a bench agreement keeps for its PDF: of the facts the PDF prints (see above)."""
    facts = {
        "reference": reference,
        "terms": a.terms,
        "amount": a.amount,
        "payer": "shop",
        "perform_by": a.perform_by.isoformat(),
        "accepted": [a.consumer_accepted, a.shop_accepted] if binding else None,
    }
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def number(a: BenchAgreement, agreement_id: int, reference: str, events: list[tuple]) -> None:
    """Give `a` its id and hashes, and write them into its events' details."""
    a.id = agreement_id
    a.pdf_sha256 = facts_sha256(a, reference, binding=False)
    if a.bound is not None:
        a.binding_pdf_sha256 = facts_sha256(a, reference, binding=True)
    for _, _, action, _, _, _, detail in events:
        if action == "record_outcome" and detail.get("outcome") == "settled":
            detail["pdf_sha256"] = a.pdf_sha256
        elif "agreement" in detail and action in _STEPS:
            detail["agreement"] = a.id
            if detail.get("binding"):
                detail["pdf_sha256"] = a.binding_pdf_sha256


_STEPS = frozenset({"accept_agreement", "confirm_payment", "confirm_receipt", "mark_unpaid"})

AGREEMENT_COLUMNS = (
    "id", "complaint_id", "mediator_id", "organisation_id", "terms", "amount", "payer", "perform_by",
    "status", "created_at", "pdf_sha256", "binding_pdf_sha256", "consumer_accepted_by_id",
    "consumer_accepted_at", "shop_accepted_by_id", "shop_accepted_at", "bound_at", "paid_by_id",
    "paid_at", "received", "receipt_by_id", "receipt_at", "performed_at", "unpaid_at",
)  # fmt: skip


def row(a: BenchAgreement, complaint_id: int, stamp) -> tuple:
    """The agreement's row in AGREEMENT_COLUMNS order; `stamp` stores an instant."""

    def when(seconds: int | None):
        return None if seconds is None else stamp(datetime.fromtimestamp(seconds, UTC))

    def who(pair):
        return pair[0] if pair else None

    def at(pair):
        return when(pair[1]) if pair else None

    return (
        a.id, complaint_id, a.mediator_id, a.organisation_id, a.terms, a.amount, "shop", a.perform_by,
        a.status, when(a.created), a.pdf_sha256, a.binding_pdf_sha256, who(a.consumer_accepted),
        at(a.consumer_accepted), who(a.shop_accepted), at(a.shop_accepted), when(a.bound), who(a.paid),
        at(a.paid), True if a.receipt else None, who(a.receipt), at(a.receipt),
        at(a.receipt) if a.status == "performed" else None, when(a.unpaid),
    )  # fmt: skip

"""A consumer files a complaint."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from complaints.bounds import find, parse_id
from complaints.extensions import db
from complaints.models import (
    Complaint,
    DesiredOutcome,
    Merchant,
    Priority,
    ReferenceCounter,
    User,
)
from complaints.services.assignment import assign_new_complaint
from complaints.services.attachments import Upload, store_attachments, validate_uploads
from complaints.services.categories import active_category
from complaints.services.money import parse_amount
from complaints.services.pending_uploads import take_kept_uploads
from complaints.services.search import index_complaint
from complaints.sla import clocks
from complaints.timekeeping import now
from complaints.timeline import append_events, open_timeline
from complaints.workflow import N_, Refusal, State


@dataclass
class ComplaintDraft:
    """What the consumer told us."""

    merchant_id: int
    category_id: int
    order_reference: str
    title: str
    description: str
    desired_outcome: str
    claimed_amount: Decimal | str
    files: list[Upload] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # tokens of files kept from a refused attempt


def next_reference(year: int) -> str:
    """The next reference of `year`, e.g. C-2026-000123: unique and without gaps.

    The counter row is bumped inside the filing's transaction, so a filing that fails gives
    its number back.
    """
    counters = ReferenceCounter.__table__  # a plain UPDATE: no objects in the session to keep in step
    bump = (
        update(counters)
        .where(counters.c.year == year)
        .values(last_seq=counters.c.last_seq + 1)
        .returning(counters.c.last_seq)
    )
    seq = db.session.execute(bump).scalar()
    if seq is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(ReferenceCounter).values(year=year, last_seq=1))
            seq = 1
        except IntegrityError:  # another filing created the year's row first
            seq = db.session.execute(bump).scalar_one()
    return f"C-{year}-{seq:06d}"


def is_major(amount: Decimal) -> bool:
    """Whether a claim is large enough to count as a major complaint under the pledge."""
    return amount >= Decimal(str(current_app.config["MAJOR_COMPLAINT_AMOUNT"]))


def file_complaint(consumer: User, draft: ComplaintDraft) -> Complaint:
    """Record a new complaint from `consumer`, with its evidence, and put it in the queue.

    consumer: the consumer filing it.
    draft: what they told us; validated here again (forms are not the only way in).
    With AUTO_ASSIGN on, the least loaded agent is assigned in the same transaction (assignment).
    Raises Refusal or InvalidUpload with a message for the consumer. The caller commits, then
    calls pending_uploads.remove_taken_files().
    """
    merchant = find(Merchant, draft.merchant_id)
    if merchant is None or not merchant.active:
        raise Refusal(N_("Choose the shop you bought from."))
    category = active_category(draft.category_id)
    if category is None:
        raise Refusal(N_("Choose what the complaint is about."))
    try:
        desired = DesiredOutcome(draft.desired_outcome)
    except ValueError as exc:
        raise Refusal(N_("Choose what you would like to happen.")) from exc
    amount = parse_amount(draft.claimed_amount, field="amount")
    if amount is None:
        raise Refusal(N_("Give the amount you are claiming (0 if none)."))
    files = [*draft.files, *take_kept_uploads(consumer, draft.kept)] if draft.kept else draft.files
    validate_uploads(files)

    at = now()
    major = is_major(amount)
    complaint = Complaint(
        reference=next_reference(at.year),
        consumer_id=consumer.id,
        merchant_id=merchant.id,
        category_id=category.id,
        order_reference=draft.order_reference.strip(),
        title=draft.title.strip(),
        description=draft.description.strip(),
        desired_outcome=desired,
        claimed_amount=amount,
        is_major=major,
        priority=Priority.HIGH if major else Priority.NORMAL,
        state=State.RECEIVED,
        created_at=at,
        updated_at=at,
    )
    promises = clocks.attach_policy(complaint)  # before the row is written: one INSERT, no UPDATE
    db.session.add(complaint)
    db.session.flush()
    open_timeline(complaint)
    if files:
        store_attachments(complaint, consumer, files)
    index_complaint(complaint)
    filed = {"attachments": len(files), "major": major}
    by_consumer = {"actor_id": consumer.id, "to_state": State.RECEIVED.value}
    # the filing's event, then its clocks' starts: one INSERT
    append_events([(complaint.id, "filed", filed, by_consumer), *clocks.on_filed(complaint, promises)], at)
    assign_new_complaint(complaint)  # when AUTO_ASSIGN is on
    return complaint


# "优品数码旗舰店 (SHOP-A)": a suggestion as the form shows it, its code in brackets.
_NAME_WITH_CODE = re.compile(r"^.*?[(（]\s*([A-Za-z0-9_-]{1,32})\s*[)）]$")
SUGGESTIONS = 8
MAX_SHOP_QUERY = 100


def find_shop(text: str | None, *, include_inactive: bool = False) -> Merchant | None:
    """The active shop named by `text`: its shop code (any case), its exact name, its id, or a
    suggestion as shown ("name (CODE)").

    A marketplace has too many shops for a list to choose from, so people type what is on their
    order. A name shared by several shops finds none (the code tells them apart).
    include_inactive: also shops no longer trading (staff filter their old complaints).
    """
    text = (text or "").strip()
    if not text:
        return None
    active = select(Merchant) if include_inactive else select(Merchant).where(Merchant.active.is_(True))
    shop_id = parse_id(text)
    if shop_id is not None:
        found = db.session.scalar(active.where(Merchant.id == shop_id))
        if found:
            return found
    found = db.session.scalar(active.where(Merchant.shop_code == text.upper()))
    if found:
        return found
    named = db.session.scalars(active.where(Merchant.name == text).limit(2)).all()
    if len(named) == 1:
        return named[0]
    bracketed = _NAME_WITH_CODE.match(text)
    if bracketed:
        return db.session.scalar(active.where(Merchant.shop_code == bracketed.group(1).upper()))
    return None


def shop_label(shop: Merchant) -> str:
    """A shop as suggestions show it and find_shop reads it back: its name and its code."""
    return f"{shop.name} ({shop.shop_code})"


def suggest_shops(text: str | None, limit: int = SUGGESTIONS) -> list[Merchant]:
    """Active shops whose name contains `text` or whose code does (any case), best first: an
    exact code, then names that start with it, then the rest by name. At most `limit`.

    Raises ValueError for text longer than MAX_SHOP_QUERY; blank text suggests nothing.
    """
    text = "".join(ch for ch in (text or "") if ch.isprintable()).strip()
    if len(text) > MAX_SHOP_QUERY:
        raise ValueError("shop query too long")
    if not text:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern, starts = f"%{escaped}%", f"{escaped}%"
    rank = case(
        (Merchant.shop_code == text.upper(), 0),
        (Merchant.name.ilike(starts, escape="\\"), 1),
        else_=2,
    )
    query = (
        select(Merchant)
        .where(
            Merchant.active.is_(True),
            or_(Merchant.name.ilike(pattern, escape="\\"), Merchant.shop_code.ilike(pattern, escape="\\")),
        )
        .order_by(rank, Merchant.name, Merchant.id)
        .limit(max(1, min(limit, SUGGESTIONS)))
    )
    return list(db.session.scalars(query))

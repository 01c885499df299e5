"""Measures against shops below the line: proposed by their grade, decided by a supervisor.

| when | who | what |
|---|---|---|
| a month is scored and the shop's grade is E (below the line) | the system | proposes the next step of the ladder, once per shop and month, unless one is waiting already |
| a proposal waits | a supervisor | approves it as proposed or changed to another step, from a date (today or later), or dismisses it; always with a reason |
| an interview is in force | a supervisor | records what was said |
| a measure is in force | a supervisor | lifts it, with a reason |

The next step is the one after the most severe measure approved for the shop in the last twelve
months (a warning first); after a ban there is none. Every step is an event of the shop's timeline
(`shop_events`). A measure in force from a date up to today is public (`public_notices`), with the
supervisor's reason; `regulator_rows` is the list for regulators (every measure ever approved).
Each use case commits, or rolls back and raises Refusal.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from complaints.extensions import db
from complaints.models import (
    LADDER,
    Merchant,
    Sanction,
    SanctionStatus,
    SanctionStep,
    ShopEvent,
    ShopReputation,
    User,
)
from complaints.services import reputation_model
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

MAX_TEXT = 2_000
LOOK_BACK = timedelta(days=366)  # the measures that count for the next step
BELOW_THE_LINE = reputation_model.GRADES[-1]


def today() -> date:
    """Today in the platform's zone: measures take effect on its dates."""
    return now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def record(merchant_id: int, actor: User | None, kind: str, **detail) -> None:
    """An event of the shop's timeline."""
    db.session.add(
        ShopEvent(
            merchant_id=merchant_id,
            actor_id=actor.id if actor else None,
            kind=kind,
            detail=detail,
            created_at=now(),
        )
    )


def next_step(merchant_id: int, today: date) -> SanctionStep | None:
    """The step after the most severe measure approved in the last twelve months (None: banned)."""
    approved = db.session.scalars(
        select(Sanction.step).where(
            Sanction.merchant_id == merchant_id,
            Sanction.status.in_((SanctionStatus.IN_FORCE, SanctionStatus.LIFTED)),
            Sanction.effective_from >= today - LOOK_BACK,
        )
    ).all()
    if not approved:
        return LADDER[0]
    worst = max(LADDER.index(step) for step in approved)
    return LADDER[worst + 1] if worst + 1 < len(LADDER) else None


def propose_for(rows: list[ShopReputation], today: date) -> int:
    """Propose the next step for each shop of `rows` (one scored month) graded below the line,
    in the caller's transaction. Returns how many were proposed."""
    proposed = 0
    for row in rows:
        if row.grade != BELOW_THE_LINE:
            continue
        waiting = db.session.scalar(
            select(Sanction.id).where(
                Sanction.merchant_id == row.merchant_id, Sanction.status == SanctionStatus.PROPOSED
            )
        )
        exists = db.session.scalar(
            select(Sanction.id).where(Sanction.merchant_id == row.merchant_id, Sanction.month == row.month)
        )
        step = next_step(row.merchant_id, today)
        if waiting or exists or step is None:
            continue
        db.session.add(
            Sanction(
                merchant_id=row.merchant_id,
                month=row.month,
                step=step,
                proposed_step=step,
                status=SanctionStatus.PROPOSED,
                proposed_at=now(),
            )
        )
        record(
            row.merchant_id,
            None,
            "sanction_proposed",
            step=step.value,
            month=f"{row.month:%Y-%m}",
            score=str(row.score),
        )
        proposed += 1
    return proposed


def _text(value, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Refusal(missing)
    if len(text) > MAX_TEXT:
        raise Refusal(N_("The text can be at most %(max)s characters."), max=MAX_TEXT)
    return text


def _move(sanction_id: int, from_status: SanctionStatus, **values) -> Sanction:
    """Move a measure by a conditional UPDATE: two supervisors deciding at once, one wins."""
    moved = db.session.execute(
        update(Sanction).where(Sanction.id == sanction_id, Sanction.status == from_status).values(**values)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Refusal(N_("This measure changed meanwhile: look at it again."))
    sanction = db.session.get(Sanction, sanction_id)
    db.session.refresh(sanction)
    return sanction


def approve(supervisor: User, sanction_id: int, step: str, effective_from: date, reason: str) -> Sanction:
    """Approve a proposal, as proposed or changed to `step`, in force from `effective_from`."""
    try:
        chosen = SanctionStep(step)
    except ValueError as exc:
        raise Refusal(N_("Choose a measure of the ladder.")) from exc
    reason = _text(reason, N_("Give the reason; it is published with the measure."))
    if effective_from is None or effective_from < today():
        raise Refusal(N_("A measure takes effect today or later."))
    sanction = _move(
        sanction_id,
        SanctionStatus.PROPOSED,
        status=SanctionStatus.IN_FORCE,
        step=chosen,
        reason=reason,
        effective_from=effective_from,
        decided_by_id=supervisor.id,
        decided_at=now(),
    )
    changed = sanction.proposed_step is not chosen
    record(
        sanction.merchant_id,
        supervisor,
        "sanction_changed" if changed else "sanction_approved",
        step=chosen.value,
        proposed_step=sanction.proposed_step.value,
        effective_from=effective_from.isoformat(),
        reason=reason,
    )
    db.session.commit()
    return sanction


def dismiss(supervisor: User, sanction_id: int, reason: str) -> Sanction:
    """Decide against a proposal, with the reason."""
    reason = _text(reason, N_("Give the reason for dismissing it."))
    values = {"status": SanctionStatus.DISMISSED, "reason": reason, "decided_by_id": supervisor.id}
    return _close(
        supervisor,
        sanction_id,
        SanctionStatus.PROPOSED,
        "sanction_dismissed",
        reason,
        values | {"decided_at": now()},
    )


def lift(supervisor: User, sanction_id: int, reason: str) -> Sanction:
    """End a measure in force, with the reason."""
    reason = _text(reason, N_("Give the reason for lifting it."))
    values = {"status": SanctionStatus.LIFTED, "lift_reason": reason, "lifted_by_id": supervisor.id}
    return _close(
        supervisor,
        sanction_id,
        SanctionStatus.IN_FORCE,
        "sanction_lifted",
        reason,
        values | {"lifted_at": now()},
    )


def _close(supervisor: User, sanction_id: int, from_status, kind: str, reason: str, values: dict) -> Sanction:
    sanction = _move(sanction_id, from_status, **values)
    record(sanction.merchant_id, supervisor, kind, step=sanction.step.value, reason=reason)
    db.session.commit()
    return sanction


def record_interview(supervisor: User, sanction_id: int, text: str) -> Sanction:
    """Keep the record of an interview in force (written again: replaced, and on the timeline)."""
    text = _text(text, N_("Write down what was said."))
    sanction = db.session.get(Sanction, sanction_id)
    if (
        sanction is None
        or sanction.step is not SanctionStep.INTERVIEW
        or sanction.status is not SanctionStatus.IN_FORCE
    ):
        raise Refusal(N_("Only an interview in force has a record."))
    sanction.interview_record = text
    record(sanction.merchant_id, supervisor, "interview_recorded", length=len(text))
    db.session.commit()
    return sanction


def open_measures() -> tuple[list[Sanction], list[Sanction]]:
    """(proposals waiting, measures in force), oldest first."""
    rows = db.session.scalars(
        select(Sanction)
        .where(Sanction.status.in_((SanctionStatus.PROPOSED, SanctionStatus.IN_FORCE)))
        .order_by(Sanction.proposed_at, Sanction.id)
    ).all()
    return [s for s in rows if s.status is SanctionStatus.PROPOSED], [
        s for s in rows if s.status is SanctionStatus.IN_FORCE
    ]


def public_notices() -> list[Sanction]:
    """The measures in force today, newest first: shop, measure, reason, date (no person)."""
    return list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.status == SanctionStatus.IN_FORCE, Sanction.effective_from <= today())
            .order_by(Sanction.effective_from.desc(), Sanction.id.desc())
        )
    )


def timeline(merchant_id: int, limit: int = 50) -> list[ShopEvent]:
    return list(
        db.session.scalars(
            select(ShopEvent)
            .where(ShopEvent.merchant_id == merchant_id)
            .order_by(ShopEvent.id.desc())
            .limit(limit)
        )
    )


REGULATOR_COLUMNS = (
    "shop_code",
    "shop_name",
    "measure",
    "status",
    "effective_from",
    "reason",
    "lifted_on",
    "lift_reason",
)


def regulator_rows() -> list[tuple]:
    """Every measure ever approved, for regulators (the list of dishonest shops), oldest first."""
    rows = db.session.execute(
        select(Sanction, Merchant)
        .join(Merchant, Merchant.id == Sanction.merchant_id)
        .where(Sanction.status.in_((SanctionStatus.IN_FORCE, SanctionStatus.LIFTED)))
        .order_by(Sanction.effective_from, Sanction.id)
    ).all()
    return [
        (
            shop.shop_code,
            shop.name,
            sanction.step.value,
            sanction.status.value,
            sanction.effective_from.isoformat(),
            sanction.reason,
            sanction.lifted_at.date().isoformat() if sanction.lifted_at else "",
            sanction.lift_reason or "",
        )
        for sanction, shop in rows
    ]


def regulator_csv() -> str:
    """regulator_rows as CSV with a header (text cells that start like a formula are quoted as text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REGULATOR_COLUMNS)
    for row in regulator_rows():
        writer.writerow(
            [f"'{cell}" if isinstance(cell, str) and cell[:1] in "=+-@" else cell for cell in row]
        )
    return out.getvalue()

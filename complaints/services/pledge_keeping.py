"""Keeping the pledge: run the SLA sweep and tell people what it, or a late stop, found.

`sla/` records warnings and breaches and hands back `PledgeNotice`s; this is the one place that
turns them into notifications, so a breach recorded by the sweep and one recorded at a late stop
tell the same people the same thing, in the same transaction that recorded it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import BreachAction, ClockKind, NotificationKind, User
from complaints.participants import supervisor_roles
from complaints.services import announcements, notifications
from complaints.sla.notices import BREACH, WARNING, PledgeNotice
from complaints.sla.sweep import record_due
from complaints.timekeeping import now

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    warned: int = 0
    breached: int = 0

    def __bool__(self) -> bool:
        return bool(self.warned or self.breached)


def sweep(batch_size: int = 2000, max_batches: int = 1000) -> SweepReport:
    """Record every warning and breach that fell due by now and notify; returns how many this
    run recorded.

    batch_size: clocks per transaction; a catch-up after downtime takes several batches.
    max_batches: a bound on one run; whatever is left is taken by the next run.
    """
    report = SweepReport()
    at = now()
    for verb in (WARNING, BREACH):
        for _ in range(max_batches):
            claimed, notices = record_due(verb, at, batch_size)
            notify(notices)
            db.session.commit()
            if verb == WARNING:
                report.warned += claimed
            else:
                report.breached += claimed
            if claimed < batch_size:
                break
    return report


def notify(notices: Iterable[PledgeNotice]) -> int:
    """Queue the notifications the pledge promises for `notices` (the caller commits).

    A warning tells the complaint's handler. A breach tells the supervisors, and the consumer
    where the pledge says so, offering mediation when the workflow lets them take it now. A
    breach of the shop's reply window also tells the shop's staff that they missed it.
    """
    notices = list(notices)
    supervisors = supervisor_ids() if any(n.verb == BREACH for n in notices) else []
    shops = announcements.shop_staff_ids(
        n.merchant_id for n in notices if n.verb == BREACH and n.clock is ClockKind.MERCHANT_REPLY
    )
    batch = []
    for notice in notices:
        if notice.verb == WARNING:
            if notice.assignee_id:
                batch.append(
                    ([notice.assignee_id], NotificationKind.SLA_WARNING, notice.complaint_id, notice.detail)
                )
            continue
        if BreachAction.NOTIFY_SUPERVISORS in notice.breach_actions:
            batch.append((supervisors, NotificationKind.SLA_BREACH, notice.complaint_id, notice.detail))
        if BreachAction.OFFER_CONSUMER_ESCALATION in notice.breach_actions and notice.consumer_id:
            offer = {**notice.detail, "may_escalate": notice.may_escalate}
            batch.append(([notice.consumer_id], NotificationKind.SLA_BREACH, notice.complaint_id, offer))
        if notice.clock is ClockKind.MERCHANT_REPLY and shops.get(notice.merchant_id):
            batch.append(
                (
                    shops[notice.merchant_id],
                    NotificationKind.SHOP_REPLY_MISSED,
                    notice.complaint_id,
                    notice.detail,
                )
            )
    return notifications.notify_many(batch) if batch else 0


def supervisor_ids() -> list[int]:
    """The active accounts told of every breach."""
    return list(
        db.session.scalars(select(User.id).where(User.role.in_(supervisor_roles()), User.active.is_(True)))
    )

"""What the pledge engine hands back when a promise is at risk or broken, for a service to notify.

The sweep (warnings and breaches it finds) and a late stop (a breach recorded as the clock
stops) both describe what happened with a `PledgeNotice`; neither sends anything itself.
`services.pledge_keeping.notify` turns notices into notifications, the same way for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaints.models import BreachAction, ClockKind, SlaClock
from complaints.sla.facts import facts_for
from complaints.workflow import Action, Actor, allowed_actions

WARNING, BREACH = "sla_warning", "sla_breach"


@dataclass(frozen=True)
class PledgeNotice:
    """A warning or a breach of one clock of one complaint."""

    verb: str  # WARNING or BREACH
    complaint_id: int
    reference: str
    clock: ClockKind
    due_at: datetime
    assignee_id: int | None
    consumer_id: int | None
    merchant_id: int | None = None  # the shop the complaint is about (told when its reply window runs out)
    breach_actions: frozenset[BreachAction] = frozenset()
    may_escalate: bool = False  # the consumer may now refer the complaint to mediation

    @property
    def detail(self) -> dict:
        """The facts an event or a notification keeps."""
        return {"clock": self.clock.value, "due_at": self.due_at.isoformat(), "reference": self.reference}


def _notice(verb: str, complaint, clock: SlaClock, **more) -> PledgeNotice:
    return PledgeNotice(
        verb=verb,
        complaint_id=complaint.id,
        reference=complaint.reference,
        clock=clock.kind,
        due_at=clock.due_at,
        assignee_id=complaint.assignee_id,
        consumer_id=complaint.consumer_id,
        merchant_id=complaint.merchant_id,
        **more,
    )


def warning_notice(complaint, clock: SlaClock) -> PledgeNotice:
    """`clock` of `complaint` (a Complaint or a complaints row) passed its warning point."""
    return _notice(WARNING, complaint, clock)


def breach_notice(complaint, clock: SlaClock) -> PledgeNotice:
    """`clock` of `complaint` (a Complaint or a complaints row) ran out: what its target says to do."""
    actions = frozenset(BreachAction(a) for a in clock.target.breach_actions)
    may_escalate = BreachAction.OFFER_CONSUMER_ESCALATION in actions and consumer_may_escalate(complaint)
    return _notice(BREACH, complaint, clock, breach_actions=actions, may_escalate=may_escalate)


def consumer_may_escalate(complaint) -> bool:
    """Offer mediation only where the workflow lets the consumer take it now (the resolution
    window is broken), asked with the same facts the lifecycle uses."""
    facts = facts_for(complaint, resolution_breached=True)
    return Action.ESCALATE in allowed_actions(Actor.CONSUMER, facts)

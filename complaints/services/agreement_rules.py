"""What each party may do with a mediation agreement, in which status: pure rules, no database.

| status | consumer | shop's staff | paying party (shop staff, or platform staff if the platform pays) | system |
|---|---|---|---|---|
| awaiting acceptance | accept (once), or decline | accept (once), or decline | - | - |
| binding | confirm receipt, or say it did not arrive | - | confirm payment | mark unpaid once the deadline passed |
| unpaid | confirm receipt, or say it did not arrive | - | confirm payment | - |
| performed | - | - | - | - |
| declined | - | - | - | - |

Both acceptances make the agreement binding; a party that has not accepted may decline instead
(with its reason), which ends the agreement and leaves the mediation not settled. A payment is confirmed once, or again after the
consumer said the last one did not arrive; "did not arrive" is said once per confirmation.
Receipt performs the agreement. The workflow (workflow.py) says who may act in which complaint
state; these rules say the rest, and the services and the pages both ask them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from complaints.workflow import N_

AWAITING, BINDING, PERFORMED, UNPAID = "awaiting_acceptance", "binding", "performed", "unpaid"
DECLINED = "declined"
IN_FORCE = frozenset({BINDING, UNPAID})  # to be performed: payment and receipt are confirmed then


class Side(enum.StrEnum):
    """Which side of the agreement a person acts for."""

    CONSUMER = "consumer"
    SHOP = "shop"
    PLATFORM = "platform"  # the platform's staff: they pay when the platform is the payer
    NONE = "none"  # a mediator, or anyone else who only reads it


class Step(enum.StrEnum):
    ACCEPT = "accept"
    PAID = "paid"
    RECEIVED = "received"
    NOT_ARRIVED = "not_arrived"
    DECLINE = "decline"


@dataclass(frozen=True)
class AgreementFacts:
    """What the rules need to know about one agreement."""

    status: str
    payer: str  # "shop" or "platform"
    perform_by: date
    consumer_accepted: bool = False
    shop_accepted: bool = False
    paid: bool = False  # a payment confirmation stands (not answered by "did not arrive" since)
    not_arrived: bool = False  # the consumer said the last payment did not arrive


def refusal(step: Step, side: Side, facts: AgreementFacts) -> str | None:
    """Why `side` may not take `step` on the agreement now (a message to translate), or None."""
    if step in (Step.ACCEPT, Step.DECLINE):
        return _accept_refusal(side, facts)
    if step is Step.PAID:
        return _paid_refusal(side, facts)
    return _receipt_refusal(step, side, facts)


def _accept_refusal(side: Side, facts: AgreementFacts) -> str | None:
    if side not in (Side.CONSUMER, Side.SHOP):
        return N_("Only the consumer and the shop accept an agreement.")
    if facts.status != AWAITING:
        return N_("This agreement is no longer waiting for acceptance.")
    accepted = facts.consumer_accepted if side is Side.CONSUMER else facts.shop_accepted
    if accepted:
        return N_("You have already accepted this agreement.")
    return None


def _paid_refusal(side: Side, facts: AgreementFacts) -> str | None:
    if side.value != facts.payer:
        return N_("Only the party that pays confirms the payment.")
    if facts.status not in IN_FORCE:
        return N_("A payment can be confirmed only once the agreement is binding.")
    if facts.paid:
        return N_("The payment has already been confirmed.")
    return None


def _receipt_refusal(step: Step, side: Side, facts: AgreementFacts) -> str | None:
    if side is not Side.CONSUMER:
        return N_("Only the consumer confirms what they received.")
    if facts.status == PERFORMED:
        return N_("You have already confirmed that you received it.")
    if facts.status not in IN_FORCE:
        return N_("This agreement is not binding yet: both parties must accept it first.")
    if step is Step.NOT_ARRIVED and facts.not_arrived:
        return N_("You have already said that it did not arrive.")
    return None


def is_their_step(step: Step, side: Side, payer: str) -> bool:
    """Whether `step` is ever for `side` on an agreement paid by `payer` (else: not theirs, 403)."""
    if step in (Step.ACCEPT, Step.DECLINE):
        return side in (Side.CONSUMER, Side.SHOP)
    if step is Step.PAID:
        return side.value == payer
    return side is Side.CONSUMER


def allowed_steps(side: Side, facts: AgreementFacts) -> list[Step]:
    """The steps `side` may take now, in the order the page shows them."""
    return [step for step in Step if refusal(step, side, facts) is None]


def status_after_acceptance(facts: AgreementFacts, side: Side) -> str:
    """The status once `side` accepted: binding when the other side had accepted already."""
    other = facts.shop_accepted if side is Side.CONSUMER else facts.consumer_accepted
    return BINDING if other else AWAITING


def is_overdue(facts: AgreementFacts, today: date) -> bool:
    """Whether a binding agreement's deadline passed (the whole day of `perform_by` counts, in the
    platform's zone) without the consumer's receipt: it is then marked unpaid."""
    return facts.status == BINDING and today > facts.perform_by

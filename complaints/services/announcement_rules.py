"""Who is told of what happens on a complaint: the notification rule tables, in one place.

services/announcements.py applies them (`announce`, `announce_deposit`).

Every action on a complaint goes through `lifecycle.apply_action`, which calls
`announcements.announce` once the action, its event and the clocks' moves are recorded. `RULES` says, per action, which
parties hear it and as what kind of notification:

| party | hears |
|---|---|
| the consumer | a public reply by staff, the shop or a mediator; a question put to them; a decision; the shop's offer; a referral to mediation; a pledged date that started or moved |
| the shop (its active staff) | a question put to it; the consumer's message or evidence; a decision; the consumer's answer to its offer; a referral; its missed reply window (pledge_keeping) |
| the assignee | the consumer's or the shop's reply, evidence or answer to an offer; an offer; a withdrawal; a dispute; being assigned |
| the organisation's mediators | a referral to their organisation, once both parties consented |

A referral asks the consumer (unless they referred) and the shop to consent; a decline, a lapse or
the organisation returning the case is told to the parties and the assignee, as is its acceptance;
a scheduled session and a mediator's question are told to the parties.

The person who acted is never told. An event the consumer does not see on their timeline (an
internal note) is never told to anyone outside the platform's staff, and nobody is told of a
complaint the participant policy does not let them take part in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from complaints.models import ClockKind, NotificationKind, WaitingOn
from complaints.workflow import Action


class Party(enum.StrEnum):
    """Whom a rule tells, resolved to people for one complaint."""

    CONSUMER = "consumer"
    SHOP = "shop"  # every active staff account of the shop the complaint is about
    ASSIGNEE = "assignee"
    MEDIATORS = "mediators"  # every active mediator of the organisation it was referred to
    SUPERVISORS = "supervisors"  # every active account of a role that supervises


# The acting party as the participant policy names it (Participant.party).
CONSUMER, SHOP_STAFF, MEDIATOR, STAFF, SYSTEM = "consumer", "merchant", "mediator", "platform_staff", "system"
ANYONE = frozenset({CONSUMER, SHOP_STAFF, MEDIATOR, STAFF, SYSTEM})


@dataclass(frozen=True)
class Rule:
    """`party` hears `kind` when the action is taken by one of `by`, and (for a request for
    information) when it is put to `asked`."""

    kind: NotificationKind
    party: Party
    by: frozenset[str] = ANYONE
    asked: WaitingOn | None = None
    when: str | None = None  # a fact of the event's detail that must hold (e.g. "to_organisation")


K, P = NotificationKind, Party
NOT_CONSUMER = ANYONE - {CONSUMER}
CONSUMER_OR_SHOP = frozenset({CONSUMER, SHOP_STAFF})


def _decision(*parties: Party) -> tuple[Rule, ...]:
    return tuple(Rule(K.DECISION, party) for party in parties)


RULES: dict[Action, tuple[Rule, ...]] = {
    Action.REPLY: (
        Rule(K.REPLY, P.CONSUMER, by=NOT_CONSUMER),
        Rule(K.REPLY, P.SHOP, by=frozenset({CONSUMER})),
        Rule(K.REPLY, P.ASSIGNEE, by=CONSUMER_OR_SHOP),
    ),
    Action.REQUEST_INFO: (
        Rule(K.QUESTION, P.CONSUMER, asked=WaitingOn.CONSUMER),
        Rule(K.QUESTION, P.SHOP, asked=WaitingOn.MERCHANT),
    ),
    Action.ADD_EVIDENCE: (
        Rule(K.EVIDENCE, P.SHOP, by=frozenset({CONSUMER})),
        Rule(K.EVIDENCE, P.ASSIGNEE, by=frozenset({CONSUMER})),
    ),
    Action.MERCHANT_ANSWER: (Rule(K.REPLY, P.ASSIGNEE, by=frozenset({SHOP_STAFF})),),
    Action.VERIFY: _decision(P.CONSUMER, P.SHOP),
    Action.REJECT: _decision(P.CONSUMER, P.SHOP),
    Action.RESOLVE: _decision(P.CONSUMER, P.SHOP),
    Action.RECORD_OUTCOME: _decision(P.CONSUMER, P.SHOP),
    Action.CLOSE: _decision(P.CONSUMER, P.SHOP),
    # Told with the original's reference: the consumer follows the complaint there.
    Action.MARK_DUPLICATE: _decision(P.CONSUMER, P.SHOP),
    Action.CONFIRM: _decision(P.CONSUMER, P.SHOP),  # by the system: closed after the appeal window
    Action.WITHDRAW: _decision(P.SHOP, P.ASSIGNEE),
    Action.PROPOSE_SETTLEMENT: (Rule(K.SETTLEMENT_OFFER, P.CONSUMER), Rule(K.SETTLEMENT_OFFER, P.ASSIGNEE)),
    Action.ACCEPT_SETTLEMENT: (Rule(K.OFFER_ANSWERED, P.SHOP), Rule(K.OFFER_ANSWERED, P.ASSIGNEE)),
    Action.DECLINE_SETTLEMENT: (Rule(K.OFFER_ANSWERED, P.SHOP), Rule(K.OFFER_ANSWERED, P.ASSIGNEE)),
    Action.ESCALATE: (
        Rule(K.REFERRAL_CONSENT, P.CONSUMER),
        Rule(K.REFERRAL_CONSENT, P.SHOP),
        Rule(K.REFERRED, P.ASSIGNEE),
    ),
    Action.DISPUTE: (
        Rule(K.REFERRAL_CONSENT, P.SHOP),
        Rule(K.REFERRED, P.ASSIGNEE),
    ),
    # The organisation hears of a referral once both parties consented to it.
    Action.CONSENT_REFERRAL: (Rule(K.REFERRED, P.MEDIATORS, when="to_organisation"),),
    Action.DECLINE_REFERRAL: (
        Rule(K.REFERRAL_ENDED, P.CONSUMER),
        Rule(K.REFERRAL_ENDED, P.SHOP),
        Rule(K.REFERRAL_ENDED, P.ASSIGNEE),
    ),
    Action.RETURN_REFERRAL: (
        Rule(K.REFERRAL_ENDED, P.CONSUMER),
        Rule(K.REFERRAL_ENDED, P.SHOP),
        Rule(K.REFERRAL_ENDED, P.ASSIGNEE),
    ),
    Action.ACCEPT_REFERRAL: (
        Rule(K.REFERRAL_ACCEPTED, P.CONSUMER),
        Rule(K.REFERRAL_ACCEPTED, P.SHOP),
        Rule(K.REFERRAL_ACCEPTED, P.ASSIGNEE),
    ),
    Action.SCHEDULE_SESSION: (Rule(K.SESSION_SCHEDULED, P.CONSUMER), Rule(K.SESSION_SCHEDULED, P.SHOP)),
    Action.ASK_PARTY: (
        Rule(K.QUESTION, P.CONSUMER, asked=WaitingOn.CONSUMER),
        Rule(K.QUESTION, P.SHOP, asked=WaitingOn.MERCHANT),
    ),
    Action.ASSIGN: (Rule(K.ASSIGNED, P.ASSIGNEE),),
    # A mediation agreement: each acceptance (the last makes it binding), the payment, the
    # consumer's answer, and a deadline passed unpaid (the scheduler, told to the supervisors).
    Action.ACCEPT_AGREEMENT: (
        Rule(K.AGREEMENT_ACCEPTED, P.CONSUMER),
        Rule(K.AGREEMENT_ACCEPTED, P.SHOP),
        Rule(K.AGREEMENT_ACCEPTED, P.MEDIATORS),
    ),
    Action.DECLINE_AGREEMENT: (
        Rule(K.AGREEMENT_DECLINED, P.CONSUMER),
        Rule(K.AGREEMENT_DECLINED, P.SHOP),
        Rule(K.AGREEMENT_DECLINED, P.MEDIATORS),
        Rule(K.AGREEMENT_DECLINED, P.ASSIGNEE),
    ),
    Action.CONFIRM_PAYMENT: (Rule(K.AGREEMENT_PAID, P.CONSUMER), Rule(K.AGREEMENT_PAID, P.SHOP)),
    Action.CONFIRM_RECEIPT: (
        Rule(K.AGREEMENT_RECEIPT, P.SHOP),
        Rule(K.AGREEMENT_RECEIPT, P.MEDIATORS),
        Rule(K.AGREEMENT_RECEIPT, P.ASSIGNEE),
    ),
    Action.MARK_UNPAID: (
        Rule(K.AGREEMENT_UNPAID, P.SUPERVISORS),
        Rule(K.AGREEMENT_UNPAID, P.CONSUMER),
        Rule(K.AGREEMENT_UNPAID, P.SHOP),
    ),
    # CLAIM, NOTE, RECORD_SESSION, RECLASSIFY and APPEAL tell nobody by themselves; a pledged
    # date they start or move is told to the consumer (PLEDGE_DATE).
}

# The pledged dates each party is told of: the consumer the platform's promises to them, the
# shop its own reply window, a mediator the mediation window.
PARTY_CLOCKS: dict[Party, frozenset[ClockKind]] = {
    P.CONSUMER: frozenset(
        {ClockKind.RESPONSE, ClockKind.VERIFICATION, ClockKind.RESOLUTION, ClockKind.MEDIATION}
    ),
    P.SHOP: frozenset({ClockKind.MERCHANT_REPLY}),
    P.ASSIGNEE: frozenset(ClockKind),
    P.MEDIATORS: frozenset({ClockKind.MEDIATION}),
    P.SUPERVISORS: frozenset(),
}

# Timeline verbs by which a pledged date starts or moves (sla/clocks.py).
DATE_MOVES = ("clock_started", "clock_resumed", "clock_retargeted")

# Kinds told outside the rule table, by the pledge's sweep and late stops (pledge_keeping).
SWEEP_KINDS: dict[Party, tuple[NotificationKind, ...]] = {
    P.CONSUMER: (K.SLA_BREACH,),
    P.SHOP: (K.SHOP_REPLY_MISSED,),
    P.ASSIGNEE: (K.SLA_WARNING, K.SLA_BREACH),
}


# The steps of a payout from a shop's guarantee deposit (services/deposit_payouts.py): the consumer is
# asked to consent and told of the payment or the end of the request; the supervisors are told a
# consented payout awaits their approval; the shop of a payment from its deposit.
DEPOSIT_RULES: dict[str, tuple[tuple[NotificationKind, Party], ...]] = {
    "deposit_payout_requested": ((K.DEPOSIT_CONSENT, P.CONSUMER),),
    "deposit_payout_consented": ((K.DEPOSIT_APPROVAL, P.SUPERVISORS),),
    "deposit_payout_paid": ((K.DEPOSIT_PAID, P.CONSUMER), (K.DEPOSIT_PAID, P.SHOP)),
    "deposit_payout_refused": ((K.DEPOSIT_CLOSED, P.CONSUMER),),
    "deposit_payout_cancelled": ((K.DEPOSIT_CLOSED, P.CONSUMER),),
}


def applicable(
    rules: tuple[Rule, ...], actor_party: str, detail: dict, asked: WaitingOn | None
) -> list[Rule]:
    """Of an action's `rules` (RULES[action]), those that apply when it is taken by `actor_party`
    (Participant.party), given the facts its effect reported (`detail`) and, for a request for
    information, whom it was put to."""
    return [
        rule
        for rule in rules
        if actor_party in rule.by
        and (rule.asked is None or rule.asked is asked)
        and (rule.when is None or detail.get(rule.when))
    ]


def asked_of(action: Action, detail: dict) -> WaitingOn | None:
    """Whom a request for information (`detail`: its event's facts) was put to; None for any other
    action."""
    return WaitingOn(detail["party"]) if action in (Action.REQUEST_INFO, Action.ASK_PARTY) else None

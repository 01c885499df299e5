"""The workflow's vocabulary: states, actors, actions, the facts a decision reads, and a refusal.

Pure Python, imported by everything that speaks of a complaint's lifecycle (models, services,
pages); the state machine itself, its table and its checks, is `complaints/workflow.py`, which
re-exports these names so callers keep asking `complaints.workflow`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown (pybabel -k N_)."""
    return message


class State(enum.StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    MEDIATED = "mediated"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


OPEN_STATES = frozenset({State.RECEIVED, State.VERIFIED, State.MEDIATED})
# States in which the complaint is still being talked about (messages, evidence).
LIVE_STATES = frozenset({State.RECEIVED, State.VERIFIED, State.MEDIATED, State.RESOLVED, State.REJECTED})


class Actor(enum.StrEnum):
    """Who acts, as the workflow sees it. A supervisor may do all an agent may."""

    CONSUMER = "consumer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MEDIATOR = "mediator"
    MERCHANT = "merchant"  # staff of the shop the complaint is about
    SYSTEM = "system"


class Action(enum.StrEnum):
    # Actions that move the state.
    VERIFY = "verify"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RESOLVE = "resolve"
    ESCALATE = "escalate"
    RECORD_OUTCOME = "record_outcome"
    CONFIRM = "confirm"
    DISPUTE = "dispute"
    APPEAL = "appeal"
    CLOSE = "close"
    MARK_DUPLICATE = "mark_duplicate"
    # Actions that keep the state but are still governed by it.
    CLAIM = "claim"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    REQUEST_INFO = "request_info"
    MERCHANT_ANSWER = "merchant_answer"
    ADD_EVIDENCE = "add_evidence"
    RECORD_SESSION = "record_session"
    RECLASSIFY = "reclassify"
    # The shop's offer to settle, and the consumer's answer to it.
    PROPOSE_SETTLEMENT = "propose_settlement"
    ACCEPT_SETTLEMENT = "accept_settlement"
    DECLINE_SETTLEMENT = "decline_settlement"
    # The agreement of a settled mediation: accepted by both parties, then performed or unpaid.
    ACCEPT_AGREEMENT = "accept_agreement"
    CONFIRM_PAYMENT = "confirm_payment"
    CONFIRM_RECEIPT = "confirm_receipt"
    MARK_UNPAID = "mark_unpaid"
    DECLINE_AGREEMENT = "decline_agreement"  # a party will not accept it: the mediation did not settle
    # A referral to mediation: each party consents or declines (or lets the window lapse: the
    # system declines for them), then the organisation accepts or returns the case.
    CONSENT_REFERRAL = "consent_referral"
    DECLINE_REFERRAL = "decline_referral"
    ACCEPT_REFERRAL = "accept_referral"
    RETURN_REFERRAL = "return_referral"
    # Mediation underway: the mediator schedules sessions and asks a party for information.
    SCHEDULE_SESSION = "schedule_session"
    ASK_PARTY = "ask_party"


@dataclass(frozen=True)
class Facts:
    """What the workflow needs to know about one complaint beyond its state."""

    state: State
    was_mediated: bool = False
    appeal_used: bool = False
    within_appeal_window: bool = True
    resolution_breached: bool = False
    open_offer: bool = False  # the shop has an offer the consumer has not answered
    agreement_pending: bool = False  # a mediation agreement waits for the parties' acceptance
    agreement_in_force: bool = False  # a binding (or unpaid) agreement waits to be performed
    # The open referral to mediation: "consent" (waiting for the parties), "organisation" (both
    # consented; the organisation decides), "underway" (accepted); None: no referral open (or a
    # complaint referred before referrals needed consent, whose mediation is underway).
    referral: str | None = None
    awaiting_consent_of: frozenset[str] = frozenset()  # actors still to answer: consumer, merchant
    consent_lapsed: bool = False  # the window to consent passed without both answers


class Refusal(Exception):
    """An action is not allowed. The message is meant for the person who tried it.

    `template` is an English message marked for translation, `params` fill its %(name)s slots;
    the web layer translates the template before filling it.
    """

    def __init__(self, template: str, *, action: Action | None = None, **params):
        self.template = template
        self.params = params
        self.action = action
        self.message = template % params if params else template
        super().__init__(self.message)

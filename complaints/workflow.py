"""The complaint state machine as a declarative table.

Pure Python: it imports nothing from Flask or the database. Services ask it whether an action is
allowed for a role in a state (and under the facts of one complaint), and what the action leads
to; it never changes anything itself. Tests cover every (state, action, role) cell. Its words
(states, actors, actions, facts, Refusal) are in `workflow_vocabulary.py` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from complaints.workflow_vocabulary import LIVE_STATES as LIVE_STATES
from complaints.workflow_vocabulary import N_ as N_
from complaints.workflow_vocabulary import OPEN_STATES as OPEN_STATES
from complaints.workflow_vocabulary import Action as Action
from complaints.workflow_vocabulary import Actor as Actor
from complaints.workflow_vocabulary import Facts as Facts
from complaints.workflow_vocabulary import Refusal as Refusal
from complaints.workflow_vocabulary import State as State

Guard = Callable[[Facts, Actor], str | None]


def _consumer_only_after_resolution_breach(facts: Facts, actor: Actor) -> str | None:
    if actor is Actor.CONSUMER and not facts.resolution_breached:
        return N_("You can ask for mediation yourself once the pledged resolution time has passed.")
    return None


def _dispute_allowed(facts: Facts, actor: Actor) -> str | None:
    if facts.was_mediated:
        return N_("This complaint has already been through mediation; its outcome is final.")
    if not facts.within_appeal_window:
        return N_("The time to dispute this outcome has passed.")
    return None


def _appeal_allowed(facts: Facts, actor: Actor) -> str | None:
    if facts.appeal_used:
        return N_("A rejected complaint can be appealed only once.")
    if not facts.within_appeal_window:
        return N_("The time to appeal this decision has passed.")
    return None


def _an_offer_is_open(facts: Facts, actor: Actor) -> str | None:
    if not facts.open_offer:
        return N_("There is no open offer from the shop to answer.")
    return None


def _an_agreement_awaits_acceptance(facts: Facts, actor: Actor) -> str | None:
    if not facts.agreement_pending:
        return N_("There is no agreement waiting for acceptance.")
    return None


def _an_agreement_is_in_force(facts: Facts, actor: Actor) -> str | None:
    if not facts.agreement_in_force:
        return N_("There is no binding agreement to perform.")
    return None


def _may_answer_referral(facts: Facts, actor: Actor) -> str | None:
    if facts.referral != "consent":
        return N_("There is no referral to mediation waiting for consent.")
    if actor is Actor.SYSTEM:
        return None if facts.consent_lapsed else N_("The time to consent has not passed yet.")
    # The platform's staff record the shop's answer when it gives it to them (as its answers).
    side = Actor.MERCHANT.value if actor in (Actor.AGENT, Actor.SUPERVISOR) else actor.value
    if side not in facts.awaiting_consent_of:
        return N_("You have already answered this referral.")
    if facts.consent_lapsed:
        return N_("The time to answer this referral has passed: it counts as declined.")
    return None


def _organisation_decides(facts: Facts, actor: Actor) -> str | None:
    if facts.referral != "organisation":
        return N_("This case is not waiting for your organisation to accept it.")
    return None


def _mediation_underway(facts: Facts, actor: Actor) -> str | None:
    if facts.referral not in (None, "underway"):
        return N_(
            "Mediation has not started: both parties consent and the organisation accepts the case first."
        )
    return None


def _system_closes_after_window(facts: Facts, actor: Actor) -> str | None:
    if actor is Actor.SYSTEM and facts.within_appeal_window:
        return N_("The appeal window is still open.")
    return None


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    target: State | None  # None: the state does not change
    actors: frozenset[Actor]
    requires: tuple[str, ...] = ()  # parameters the action cannot do without
    guards: tuple[Guard, ...] = field(default=())
    public: bool = True  # whether the consumer sees the event on their timeline


def _t(action, sources, target, actors, requires=(), guards=(), public=True) -> Transition:
    return Transition(
        action, frozenset(sources), target, frozenset(actors), tuple(requires), tuple(guards), public
    )


A, S = Actor, State
STAFF = (A.AGENT, A.SUPERVISOR)

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.VERIFY, [S.RECEIVED], S.VERIFIED, STAFF),
    _t(Action.REJECT, [S.RECEIVED], S.REJECTED, STAFF, requires=["reason"]),
    _t(Action.WITHDRAW, [S.RECEIVED, S.VERIFIED], S.WITHDRAWN, [A.CONSUMER]),
    _t(Action.RESOLVE, [S.VERIFIED], S.RESOLVED, STAFF, requires=["outcome"]),
    _t(
        Action.ESCALATE,
        [S.VERIFIED],
        S.MEDIATED,
        (*STAFF, A.CONSUMER),
        requires=["mediation_org_id"],
        guards=[_consumer_only_after_resolution_breach],
    ),
    _t(
        Action.RECORD_OUTCOME,
        [S.MEDIATED],
        S.RESOLVED,
        [A.MEDIATOR],
        requires=["outcome"],
        guards=[_mediation_underway],
    ),
    _t(
        Action.CONFIRM,
        [S.RESOLVED],
        S.CLOSED,
        [A.CONSUMER, A.SYSTEM],
        guards=[_system_closes_after_window],
    ),
    _t(
        Action.DISPUTE,
        [S.RESOLVED],
        S.MEDIATED,
        [A.CONSUMER],
        requires=["reason", "mediation_org_id"],
        guards=[_dispute_allowed],
    ),
    _t(Action.APPEAL, [S.REJECTED], S.RECEIVED, [A.CONSUMER], requires=["reason"], guards=[_appeal_allowed]),
    _t(
        Action.CLOSE,
        [S.REJECTED, S.WITHDRAWN],
        S.CLOSED,
        [A.SUPERVISOR, A.SYSTEM],
        guards=[_system_closes_after_window],
    ),
    # A complaint that repeats another of the same consumer about the same shop is closed into it
    # (services/duplicates.py says which complaint may be the original).
    _t(Action.MARK_DUPLICATE, [S.RECEIVED, S.VERIFIED], S.CLOSED, STAFF, requires=["original"]),
    _t(Action.CLAIM, OPEN_STATES, None, STAFF),
    # The system assigns a new complaint when automatic assignment is on (services/assignment.py).
    _t(Action.ASSIGN, OPEN_STATES, None, [A.SUPERVISOR, A.SYSTEM], requires=["assignee_id"]),
    _t(Action.REPLY, LIVE_STATES, None, (*STAFF, A.CONSUMER, A.MEDIATOR, A.MERCHANT), requires=["body"]),
    _t(Action.NOTE, LIVE_STATES | {S.WITHDRAWN, S.CLOSED}, None, STAFF, requires=["body"], public=False),
    _t(
        Action.REQUEST_INFO,
        [S.RECEIVED, S.VERIFIED],
        None,
        STAFF,
        requires=["party", "body"],
    ),
    # The shop's answer to the platform's question: typed in by staff, or given by the shop itself.
    _t(
        Action.MERCHANT_ANSWER,
        [S.RECEIVED, S.VERIFIED, S.MEDIATED],
        None,
        (*STAFF, A.MERCHANT),
        requires=["body"],
    ),
    _t(Action.ADD_EVIDENCE, OPEN_STATES | {S.REJECTED}, None, [A.CONSUMER, *STAFF], requires=["files"]),
    _t(
        Action.RECORD_SESSION,
        [S.MEDIATED],
        None,
        [A.MEDIATOR],
        requires=["notes", "held_at"],
        guards=[_mediation_underway],
    ),
    # A complaint filed under the wrong category or amount moves to the pledge that fits.
    _t(Action.RECLASSIFY, [S.RECEIVED, S.VERIFIED], None, STAFF, requires=["category_id", "claimed_amount"]),
    # A newer offer replaces an open one. Accepting resolves the complaint on the shop's terms,
    # before or after verification; the consumer may still dispute it as any other outcome.
    _t(
        Action.PROPOSE_SETTLEMENT,
        [S.RECEIVED, S.VERIFIED],
        None,
        [A.MERCHANT],
        requires=["kind", "terms", "perform_by"],
    ),
    _t(
        Action.ACCEPT_SETTLEMENT,
        [S.RECEIVED, S.VERIFIED],
        S.RESOLVED,
        [A.CONSUMER],
        requires=["offer_id"],
        guards=[_an_offer_is_open],
    ),
    _t(
        Action.DECLINE_SETTLEMENT,
        [S.RECEIVED, S.VERIFIED],
        None,
        [A.CONSUMER],
        requires=["offer_id", "reason"],
        guards=[_an_offer_is_open],
    ),
    # A settled mediation's agreement outlives the complaint's closing: it is performed after.
    # Which party may take which step is services/agreement_rules.py.
    _t(
        Action.ACCEPT_AGREEMENT,
        [S.RESOLVED, S.CLOSED],
        None,
        [A.CONSUMER, A.MERCHANT],
        guards=[_an_agreement_awaits_acceptance],
    ),
    _t(
        Action.DECLINE_AGREEMENT,
        [S.RESOLVED, S.CLOSED],
        None,
        [A.CONSUMER, A.MERCHANT],
        requires=["reason"],
        guards=[_an_agreement_awaits_acceptance],
    ),
    _t(
        Action.CONFIRM_PAYMENT,
        [S.RESOLVED, S.CLOSED],
        None,
        (*STAFF, A.MERCHANT),
        guards=[_an_agreement_is_in_force],
    ),
    _t(
        Action.CONFIRM_RECEIPT,
        [S.RESOLVED, S.CLOSED],
        None,
        [A.CONSUMER],
        requires=["answer"],
        guards=[_an_agreement_is_in_force],
    ),
    _t(Action.MARK_UNPAID, [S.RESOLVED, S.CLOSED], None, [A.SYSTEM], guards=[_an_agreement_is_in_force]),
    # A referral waits for both parties' consent (services/referrals.py); a decline, or a window
    # that lapsed (the system declines then), gives the complaint back to the platform to decide.
    # The shop answers in its portal, or staff record the answer it gave them.
    _t(
        Action.CONSENT_REFERRAL,
        [S.MEDIATED],
        None,
        [A.CONSUMER, A.MERCHANT, *STAFF],
        guards=[_may_answer_referral],
    ),
    _t(
        Action.DECLINE_REFERRAL,
        [S.MEDIATED],
        S.VERIFIED,
        [A.CONSUMER, A.MERCHANT, *STAFF, A.SYSTEM],
        requires=["reason"],
        guards=[_may_answer_referral],
    ),
    _t(Action.ACCEPT_REFERRAL, [S.MEDIATED], None, [A.MEDIATOR], guards=[_organisation_decides]),
    _t(
        Action.RETURN_REFERRAL,
        [S.MEDIATED],
        S.VERIFIED,
        [A.MEDIATOR],
        requires=["reason"],
        guards=[_organisation_decides],
    ),
    _t(
        Action.SCHEDULE_SESSION,
        [S.MEDIATED],
        None,
        [A.MEDIATOR],
        requires=["starts_at", "channel"],
        guards=[_mediation_underway],
    ),
    _t(
        Action.ASK_PARTY,
        [S.MEDIATED],
        None,
        [A.MEDIATOR],
        requires=["party", "body"],
        guards=[_mediation_underway],
    ),
)

_BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}
assert len(_BY_ACTION) == len(TRANSITIONS), "one row per action"


def transition_for(action: Action) -> Transition:
    """The table row of `action`."""
    return _BY_ACTION[action]


def check(action: Action, actor: Actor, facts: Facts, params: dict | None = None) -> Transition:
    """Return the transition if `actor` may take `action` under `facts`; raise Refusal if not.

    `params` are the action's inputs; each name in the row's `requires` must be present and
    non-empty.
    """
    row = _BY_ACTION[action]
    if actor not in row.actors:
        raise Refusal(N_("Your role may not take this action."), action=action)
    if facts.state not in row.sources:
        raise Refusal(
            N_("This action is not possible while the complaint is %(state)s."),
            action=action,
            state=facts.state.value,
        )
    for guard in row.guards:
        reason = guard(facts, actor)
        if reason:
            raise Refusal(reason, action=action)
    params = params or {}
    missing = [name for name in row.requires if params.get(name) in (None, "", [], ())]
    if missing:
        raise Refusal(N_("Missing: %(fields)s."), action=action, fields=", ".join(missing))
    return row


def allowed_actions(actor: Actor, facts: Facts) -> list[Action]:
    """The actions `actor` may take now, in table order (used to draw buttons)."""
    result = []
    for row in TRANSITIONS:
        if (
            actor in row.actors
            and facts.state in row.sources
            and not any(guard(facts, actor) for guard in row.guards)
        ):
            result.append(row.action)
    return result


def target_state(action: Action, current: State) -> State:
    """The state after `action` from `current` (the same state for in-state actions)."""
    row = _BY_ACTION[action]
    return row.target if row.target is not None else current

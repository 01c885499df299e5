"""Every cell of the complaint state machine, against a table written out here by hand.

The expected table is deliberately NOT derived from workflow.TRANSITIONS: it restates DESIGN.md's
lifecycle table plus the in-state actions, so a wrong edit to the real table fails a test.
"""

from __future__ import annotations

import itertools

import pytest

from complaints.workflow import (
    TRANSITIONS,
    Action,
    Actor,
    Facts,
    Refusal,
    State,
    allowed_actions,
    check,
    target_state,
    transition_for,
)

A, S, R = Action, State, Actor
STAFF = {R.AGENT, R.SUPERVISOR}
ALL_STATES = set(State)
OPEN = {S.RECEIVED, S.VERIFIED, S.MEDIATED}
LIVE = OPEN | {S.RESOLVED, S.REJECTED}

# action: (states it may be taken in, who may take it, the state it leads to (None: unchanged))
EXPECTED: dict[Action, tuple[set[State], set[Actor], State | None]] = {
    # DESIGN.md, "The complaint lifecycle"
    A.VERIFY: ({S.RECEIVED}, STAFF, S.VERIFIED),
    A.REJECT: ({S.RECEIVED}, STAFF, S.REJECTED),
    A.WITHDRAW: ({S.RECEIVED, S.VERIFIED}, {R.CONSUMER}, S.WITHDRAWN),
    A.RESOLVE: ({S.VERIFIED}, STAFF, S.RESOLVED),
    A.ESCALATE: ({S.VERIFIED}, STAFF | {R.CONSUMER}, S.MEDIATED),
    A.RECORD_OUTCOME: ({S.MEDIATED}, {R.MEDIATOR}, S.RESOLVED),
    A.CONFIRM: ({S.RESOLVED}, {R.CONSUMER, R.SYSTEM}, S.CLOSED),
    A.DISPUTE: ({S.RESOLVED}, {R.CONSUMER}, S.MEDIATED),
    A.APPEAL: ({S.REJECTED}, {R.CONSUMER}, S.RECEIVED),
    # Rejected and withdrawn complaints end closed: by a supervisor, or by the system later.
    A.CLOSE: ({S.REJECTED, S.WITHDRAWN}, {R.SUPERVISOR, R.SYSTEM}, S.CLOSED),
    # A complaint that repeats another is closed into it, by staff, before any decision.
    A.MARK_DUPLICATE: ({S.RECEIVED, S.VERIFIED}, STAFF, S.CLOSED),
    # In-state actions.
    A.CLAIM: (OPEN, STAFF, None),
    A.ASSIGN: (OPEN, {R.SUPERVISOR, R.SYSTEM}, None),  # the system: automatic assignment
    A.REPLY: (LIVE, STAFF | {R.CONSUMER, R.MEDIATOR, R.MERCHANT}, None),
    A.NOTE: (ALL_STATES, STAFF, None),
    A.REQUEST_INFO: ({S.RECEIVED, S.VERIFIED}, STAFF, None),
    A.MERCHANT_ANSWER: ({S.RECEIVED, S.VERIFIED, S.MEDIATED}, STAFF | {R.MERCHANT}, None),
    A.ADD_EVIDENCE: (OPEN | {S.REJECTED}, STAFF | {R.CONSUMER}, None),
    A.RECORD_SESSION: ({S.MEDIATED}, {R.MEDIATOR}, None),
    A.RECLASSIFY: ({S.RECEIVED, S.VERIFIED}, STAFF, None),
    # The shop offers to settle; the consumer accepts (the complaint is resolved) or declines.
    A.PROPOSE_SETTLEMENT: ({S.RECEIVED, S.VERIFIED}, {R.MERCHANT}, None),
    A.ACCEPT_SETTLEMENT: ({S.RECEIVED, S.VERIFIED}, {R.CONSUMER}, S.RESOLVED),
    A.DECLINE_SETTLEMENT: ({S.RECEIVED, S.VERIFIED}, {R.CONSUMER}, None),
    # A settled mediation's agreement: both parties accept it, then it is performed (or not),
    # also after the complaint closed.
    A.ACCEPT_AGREEMENT: ({S.RESOLVED, S.CLOSED}, {R.CONSUMER, R.MERCHANT}, None),
    A.DECLINE_AGREEMENT: ({S.RESOLVED, S.CLOSED}, {R.CONSUMER, R.MERCHANT}, None),
    A.CONFIRM_PAYMENT: ({S.RESOLVED, S.CLOSED}, STAFF | {R.MERCHANT}, None),
    A.CONFIRM_RECEIPT: ({S.RESOLVED, S.CLOSED}, {R.CONSUMER}, None),
    A.MARK_UNPAID: ({S.RESOLVED, S.CLOSED}, {R.SYSTEM}, None),
    # A referral to mediation: each party consents or declines (the system declines for those who
    # let the window lapse: the complaint goes back to the platform), then the organisation
    # accepts or returns it; once underway its mediator schedules sessions and asks the parties.
    A.CONSENT_REFERRAL: ({S.MEDIATED}, STAFF | {R.CONSUMER, R.MERCHANT}, None),
    A.DECLINE_REFERRAL: ({S.MEDIATED}, STAFF | {R.CONSUMER, R.MERCHANT, R.SYSTEM}, S.VERIFIED),
    A.ACCEPT_REFERRAL: ({S.MEDIATED}, {R.MEDIATOR}, None),
    A.RETURN_REFERRAL: ({S.MEDIATED}, {R.MEDIATOR}, S.VERIFIED),
    A.SCHEDULE_SESSION: ({S.MEDIATED}, {R.MEDIATOR}, None),
    A.ASK_PARTY: ({S.MEDIATED}, {R.MEDIATOR}, None),
}

REQUIRED: dict[Action, tuple[str, ...]] = {
    A.REJECT: ("reason",),
    A.RESOLVE: ("outcome",),
    A.ESCALATE: ("mediation_org_id",),
    A.RECORD_OUTCOME: ("outcome",),
    A.DISPUTE: ("reason", "mediation_org_id"),
    A.APPEAL: ("reason",),
    A.ASSIGN: ("assignee_id",),
    A.REPLY: ("body",),
    A.NOTE: ("body",),
    A.REQUEST_INFO: ("party", "body"),
    A.MERCHANT_ANSWER: ("body",),
    A.ADD_EVIDENCE: ("files",),
    A.RECORD_SESSION: ("notes", "held_at"),
    A.RECLASSIFY: ("category_id", "claimed_amount"),
    A.MARK_DUPLICATE: ("original",),
    A.PROPOSE_SETTLEMENT: ("kind", "terms", "perform_by"),
    A.ACCEPT_SETTLEMENT: ("offer_id",),
    A.DECLINE_SETTLEMENT: ("offer_id", "reason"),
    A.CONFIRM_RECEIPT: ("answer",),
    A.DECLINE_AGREEMENT: ("reason",),
    A.DECLINE_REFERRAL: ("reason",),
    A.RETURN_REFERRAL: ("reason",),
    A.SCHEDULE_SESSION: ("starts_at", "channel"),
    A.ASK_PARTY: ("party", "body"),
}

# Everything any action may need, filled in.
FULL_PARAMS = {
    "original": "C-2026-000001",
    "category_id": 2,
    "claimed_amount": "120.00",
    "reason": "the parcel never arrived",
    "outcome": "upheld",
    "mediation_org_id": 1,
    "assignee_id": 2,
    "body": "hello",
    "party": "consumer",
    "files": ["evidence.png"],
    "notes": "both parties attended",
    "held_at": "2026-03-01T02:00:00+00:00",
    "kind": "refund",
    "terms": "full refund to the original payment",
    "perform_by": "2026-03-05T02:00:00+00:00",
    "offer_id": 1,
    "answer": "received",
    "starts_at": "2026-03-09T02:00:00+00:00",
    "channel": "video",
}


def _referral_facts(action: Action | None, actor: Actor) -> dict:
    """The referral's stage under which `action`'s guards let `actor` through: a party answers
    while its consent is awaited (the system once the window lapsed), the organisation decides
    once both consented, and the rest needs mediation underway (or no referral at all)."""
    if action in (A.CONSENT_REFERRAL, A.DECLINE_REFERRAL):
        return {
            "referral": "consent",
            "awaiting_consent_of": frozenset({"consumer", "merchant"}),
            "consent_lapsed": actor is R.SYSTEM,
        }
    if action in (A.ACCEPT_REFERRAL, A.RETURN_REFERRAL):
        return {"referral": "organisation"}
    return {"referral": "underway"}


def passing_facts(state: State, actor: Actor, action: Action | None = None) -> Facts:
    """Facts under which every guard of `action`'s row lets `actor` through."""
    return Facts(
        state=state,
        was_mediated=False,
        appeal_used=False,
        # The system acts only once the appeal window has passed; people act within it.
        within_appeal_window=actor is not R.SYSTEM,
        resolution_breached=True,
        open_offer=True,
        agreement_pending=True,
        agreement_in_force=True,
        **_referral_facts(action, actor),
    )


def expected_allowed(state: State, action: Action, actor: Actor) -> bool:
    states, actors, _ = EXPECTED[action]
    return state in states and actor in actors


CELLS = list(itertools.product(State, Action, Actor))


def test_the_expected_table_names_every_action():
    assert set(EXPECTED) == set(Action)
    assert {row.action for row in TRANSITIONS} == set(Action)


@pytest.mark.parametrize(("state", "action", "actor"), CELLS, ids=[f"{s}-{a}-{r}" for s, a, r in CELLS])
def test_every_cell_is_allowed_or_refused_as_designed(state, action, actor):
    facts = passing_facts(state, actor, action)
    if expected_allowed(state, action, actor):
        row = check(action, actor, facts, dict(FULL_PARAMS))
        assert row is transition_for(action)
        assert row.action is action
    else:
        with pytest.raises(Refusal) as refused:
            check(action, actor, facts, dict(FULL_PARAMS))
        assert refused.value.action is action
        if actor in EXPECTED[action][1]:
            assert refused.value.params == {"state": state.value}
            assert state.value in refused.value.message
        else:
            assert refused.value.message == "Your role may not take this action."


@pytest.mark.parametrize("action", list(Action))
def test_target_state_of_every_row(action):
    states, _, target = EXPECTED[action]
    assert transition_for(action).target == target
    for state in State:
        expected = target if target is not None else state
        assert target_state(action, state) is expected
    for state in states:
        assert target_state(action, state) in State


@pytest.mark.parametrize("action", list(Action))
def test_required_params_match_the_design(action):
    assert transition_for(action).requires == REQUIRED.get(action, ())


@pytest.mark.parametrize("action", sorted(REQUIRED, key=lambda a: a.value))
def test_missing_required_params_are_refused_by_name(action):
    states, actors, _ = EXPECTED[action]
    state, actor = sorted(states)[0], sorted(actors)[0]
    facts = passing_facts(state, actor, action)
    with pytest.raises(Refusal) as refused:
        check(action, actor, facts, {})
    assert refused.value.message == f"Missing: {', '.join(REQUIRED[action])}."
    for name in REQUIRED[action]:
        assert name in refused.value.params["fields"]
    # Blank values count as missing; only the blank one is named.
    for name in REQUIRED[action]:
        for blank in (None, "", [], ()):
            params = dict(FULL_PARAMS, **{name: blank})
            with pytest.raises(Refusal) as refused:
                check(action, actor, facts, params)
            assert refused.value.message == f"Missing: {name}."


@pytest.mark.parametrize("action", [a for a in Action if a not in REQUIRED])
def test_actions_without_requirements_need_no_params(action):
    states, actors, _ = EXPECTED[action]
    state, actor = sorted(states)[0], sorted(actors)[0]
    assert check(action, actor, passing_facts(state, actor, action), None).action is action


# Guards


def test_consumer_may_escalate_only_once_the_resolution_time_is_breached():
    on_time = Facts(state=S.VERIFIED, resolution_breached=False)
    with pytest.raises(Refusal) as refused:
        check(A.ESCALATE, R.CONSUMER, on_time, {"mediation_org_id": 1})
    assert "pledged resolution time" in refused.value.message
    breached = Facts(state=S.VERIFIED, resolution_breached=True)
    assert check(A.ESCALATE, R.CONSUMER, breached, {"mediation_org_id": 1}).action is A.ESCALATE


@pytest.mark.parametrize("actor", sorted(STAFF))
def test_staff_may_escalate_before_the_resolution_time_is_breached(actor):
    on_time = Facts(state=S.VERIFIED, resolution_breached=False)
    assert check(A.ESCALATE, actor, on_time, {"mediation_org_id": 1}).action is A.ESCALATE


def test_dispute_is_refused_after_mediation():
    facts = Facts(state=S.RESOLVED, was_mediated=True, within_appeal_window=True)
    with pytest.raises(Refusal) as refused:
        check(A.DISPUTE, R.CONSUMER, facts, FULL_PARAMS)
    assert "already been through mediation" in refused.value.message
    assert A.DISPUTE not in allowed_actions(R.CONSUMER, facts)


def test_dispute_is_refused_outside_the_appeal_window():
    facts = Facts(state=S.RESOLVED, within_appeal_window=False)
    with pytest.raises(Refusal) as refused:
        check(A.DISPUTE, R.CONSUMER, facts, FULL_PARAMS)
    assert refused.value.message == "The time to dispute this outcome has passed."


def test_dispute_is_allowed_within_the_window_if_never_mediated():
    facts = Facts(state=S.RESOLVED, was_mediated=False, within_appeal_window=True)
    assert check(A.DISPUTE, R.CONSUMER, facts, FULL_PARAMS).target is S.MEDIATED


def test_appeal_is_refused_the_second_time():
    facts = Facts(state=S.REJECTED, appeal_used=True, within_appeal_window=True)
    with pytest.raises(Refusal) as refused:
        check(A.APPEAL, R.CONSUMER, facts, FULL_PARAMS)
    assert refused.value.message == "A rejected complaint can be appealed only once."


def test_appeal_is_refused_outside_the_appeal_window():
    facts = Facts(state=S.REJECTED, appeal_used=False, within_appeal_window=False)
    with pytest.raises(Refusal) as refused:
        check(A.APPEAL, R.CONSUMER, facts, FULL_PARAMS)
    assert refused.value.message == "The time to appeal this decision has passed."


def test_appeal_is_allowed_once_within_the_window():
    facts = Facts(state=S.REJECTED, appeal_used=False, within_appeal_window=True)
    assert check(A.APPEAL, R.CONSUMER, facts, FULL_PARAMS).target is S.RECEIVED


@pytest.mark.parametrize(
    ("action", "state"), [(A.CONFIRM, S.RESOLVED), (A.CLOSE, S.REJECTED), (A.CLOSE, S.WITHDRAWN)]
)
def test_system_closes_only_after_the_appeal_window(action, state):
    with pytest.raises(Refusal) as refused:
        check(action, R.SYSTEM, Facts(state=state, within_appeal_window=True))
    assert refused.value.message == "The appeal window is still open."
    assert check(action, R.SYSTEM, Facts(state=state, within_appeal_window=False)).target is S.CLOSED


@pytest.mark.parametrize("within", [True, False])
def test_people_may_confirm_or_close_whether_or_not_the_window_is_open(within):
    assert check(A.CONFIRM, R.CONSUMER, Facts(state=S.RESOLVED, within_appeal_window=within))
    assert check(A.CLOSE, R.SUPERVISOR, Facts(state=S.REJECTED, within_appeal_window=within))


# allowed_actions


FACT_VARIANTS = [
    dict(
        zip(
            ("was_mediated", "appeal_used", "within_appeal_window", "resolution_breached"), flags, strict=True
        )
    )
    for flags in itertools.product([False, True], repeat=4)
]


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("actor", list(Actor))
def test_allowed_actions_agrees_with_check(state, actor):
    for variant in FACT_VARIANTS:
        facts = Facts(state=state, **variant)
        allowed = allowed_actions(actor, facts)
        for action in Action:
            try:
                check(action, actor, facts, dict(FULL_PARAMS))
            except Refusal:
                assert action not in allowed, (action, facts)
            else:
                assert action in allowed, (action, facts)
        # In table order, each once.
        order = [row.action for row in TRANSITIONS]
        assert allowed == sorted(allowed, key=order.index)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("actor", list(Actor))
def test_allowed_actions_under_passing_facts_match_the_expected_table(state, actor):
    expected = {action for action in Action if expected_allowed(state, action, actor)}
    # Each action under the facts that let it through (a referral's stages exclude one another).
    offered = {a for a in Action if a in allowed_actions(actor, passing_facts(state, actor, a))}
    assert offered == expected


def test_a_closed_complaint_offers_staff_only_notes():
    closed = Facts(state=S.CLOSED)
    assert allowed_actions(R.AGENT, closed) == [A.NOTE]
    assert allowed_actions(R.SUPERVISOR, closed) == [A.NOTE]
    for actor in (R.CONSUMER, R.MEDIATOR, R.SYSTEM):
        assert allowed_actions(actor, closed) == []


def test_only_internal_notes_are_hidden_from_the_consumer():
    assert [row.action for row in TRANSITIONS if not row.public] == [A.NOTE]


# Refusal


def test_refusal_fills_its_params_into_the_message():
    refusal = Refusal("Missing: %(fields)s.", action=A.REJECT, fields="reason")
    assert refusal.message == "Missing: reason."
    assert str(refusal) == "Missing: reason."
    assert refusal.template == "Missing: %(fields)s."
    assert refusal.params == {"fields": "reason"}
    assert refusal.action is A.REJECT


def test_refusal_without_params_keeps_its_template_verbatim():
    refusal = Refusal("100% of complaints get an answer.")
    assert refusal.message == "100% of complaints get an answer."
    assert refusal.params == {}
    assert refusal.action is None


def test_state_refusal_names_the_state():
    with pytest.raises(Refusal) as refused:
        check(A.VERIFY, R.AGENT, Facts(state=S.CLOSED))
    assert refused.value.template == "This action is not possible while the complaint is %(state)s."
    assert refused.value.message == "This action is not possible while the complaint is closed."

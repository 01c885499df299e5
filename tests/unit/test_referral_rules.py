"""The workflow's rules for a referral to mediation: who answers when, and what waits for what."""

from __future__ import annotations

import pytest

from complaints.workflow import Action, Actor, Facts, Refusal, State, allowed_actions, check

A, R = Action, Actor
BOTH = frozenset({"consumer", "merchant"})


def consent_stage(awaiting=BOTH, lapsed=False) -> Facts:
    return Facts(
        state=State.MEDIATED, referral="consent", awaiting_consent_of=awaiting, consent_lapsed=lapsed
    )


@pytest.mark.parametrize("actor", [R.CONSUMER, R.MERCHANT])
def test_each_party_may_consent_or_decline_while_its_answer_is_awaited(actor):
    assert check(A.CONSENT_REFERRAL, actor, consent_stage())
    assert check(A.DECLINE_REFERRAL, actor, consent_stage(), {"reason": "no"}).target is State.VERIFIED


@pytest.mark.parametrize("actor", [R.CONSUMER, R.MERCHANT])
def test_a_party_that_answered_may_not_answer_again(actor):
    other = ({"consumer", "merchant"} - {actor.value}).pop()
    with pytest.raises(Refusal, match="already answered"):
        check(A.CONSENT_REFERRAL, actor, consent_stage(frozenset({other})))
    with pytest.raises(Refusal, match="already answered"):
        check(A.DECLINE_REFERRAL, actor, consent_stage(frozenset({other})), {"reason": "no"})


def test_a_consent_after_the_window_lapsed_is_refused_and_counts_as_declined():
    with pytest.raises(Refusal, match="counts as declined"):
        check(A.CONSENT_REFERRAL, R.MERCHANT, consent_stage(lapsed=True))


def test_the_system_declines_only_once_the_window_lapsed():
    with pytest.raises(Refusal, match="not passed yet"):
        check(A.DECLINE_REFERRAL, R.SYSTEM, consent_stage(), {"reason": "lapsed"})
    assert check(A.DECLINE_REFERRAL, R.SYSTEM, consent_stage(lapsed=True), {"reason": "lapsed"})


def test_the_organisation_decides_only_after_both_consents():
    with pytest.raises(Refusal, match="not waiting for your organisation"):
        check(A.ACCEPT_REFERRAL, R.MEDIATOR, consent_stage())
    decides = Facts(state=State.MEDIATED, referral="organisation")
    assert check(A.ACCEPT_REFERRAL, R.MEDIATOR, decides)
    assert check(A.RETURN_REFERRAL, R.MEDIATOR, decides, {"reason": "conflict"}).target is State.VERIFIED


@pytest.mark.parametrize("stage", ["consent", "organisation"])
def test_nothing_is_mediated_before_the_organisation_accepts(stage):
    facts = Facts(state=State.MEDIATED, referral=stage)
    offered = allowed_actions(R.MEDIATOR, facts)
    for action in (A.RECORD_SESSION, A.RECORD_OUTCOME, A.SCHEDULE_SESSION, A.ASK_PARTY):
        assert action not in offered
    with pytest.raises(Refusal, match="Mediation has not started"):
        check(A.SCHEDULE_SESSION, R.MEDIATOR, facts, {"starts_at": "x", "channel": "phone"})


@pytest.mark.parametrize("stage", ["underway", None])
def test_mediation_underway_offers_sessions_questions_and_the_outcome(stage):
    offered = allowed_actions(R.MEDIATOR, Facts(state=State.MEDIATED, referral=stage))
    assert {A.RECORD_SESSION, A.RECORD_OUTCOME, A.SCHEDULE_SESSION, A.ASK_PARTY} <= set(offered)
    assert A.ACCEPT_REFERRAL not in offered

"""The bench seeder's routes are walks the workflow allows, and the seeder refuses any other.

The walk below is written here, on `workflow.allowed_actions` and `target_state`, not on the
seeder's own planner, so a planner that stopped checking would still be caught: the routes the
seeder picks are replayed step by step, and invented histories are replayed event by event.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest

from complaints.seed import histories
from complaints.seed.histories import (
    APPEAL,
    AUTO_CLOSE,
    CONFIRM,
    DISPUTE,
    ESCALATE,
    RECORD_OUTCOME,
    REJECT,
    RESOLVE,
    ROUTES,
    VERIFY,
    YOUNG_CLOSED,
    IllegalRoute,
    Step,
    invent_history,
    plan_route,
)
from complaints.seed.rows import Cast
from complaints.workflow import (
    Action,
    Actor,
    Facts,
    State,
    allowed_actions,
    check,
    target_state,
    transition_for,
)

DAY = 86_400
# Who may fill a step the route gives to an actor: the bench's staff pool mixes agents and supervisors.
FILLED_BY = {Actor.AGENT: (Actor.AGENT, Actor.SUPERVISOR)}
# The actions after which the services set decided_at, from which the appeal window runs.
DECIDES = {"reject", "withdraw", "resolve", "record_outcome"}


def walk(steps: tuple[Step, ...]) -> list[tuple[State, State]]:
    """Each step's (from, to), asserting the workflow allows it to everyone who may take it."""
    facts, moves = Facts(State.RECEIVED), []
    for step in steps:
        facts = replace(facts, within_appeal_window=not step.after_window)
        for actor in FILLED_BY.get(step.actor, (step.actor,)):
            assert step.action in allowed_actions(actor, facts), (steps, step, actor, facts)
        target = target_state(step.action, facts.state)
        moves.append((facts.state, target))
        facts = replace(
            facts,
            state=target,
            was_mediated=facts.was_mediated or target is State.MEDIATED,
            appeal_used=facts.appeal_used or step.action is Action.APPEAL,
        )
    return moves


def seeder_routes():
    """Every route the seeder can pick: (the state it was picked for, the route as planned)."""
    for state, (routes, _) in histories._ROUTE_CHOICES.items():
        yield from ((state, route) for route in routes)
    yield State.CLOSED, histories._YOUNG_CLOSED


def test_every_route_the_seeder_can_pick_is_a_legal_walk_of_the_workflow():
    picked = list(seeder_routes())
    assert len(picked) == sum(len(choices) for choices in ROUTES.values()) + 1

    for state, route in picked:
        steps = tuple(leg.step for leg in route.legs)
        moves = walk(steps)
        assert [(leg.source, leg.target) for leg in route.legs] == [(a.value, b.value) for a, b in moves]
        assert (moves[-1][1] if moves else State.RECEIVED) is state is route.ends_in


def test_the_written_routes_are_the_routes_the_seeder_picks():
    for state, choices in ROUTES.items():
        planned = histories._ROUTE_CHOICES[state][0]
        assert [tuple(leg.step for leg in route.legs) for route in planned] == [s for s, _ in choices]
    assert tuple(leg.step for leg in histories._YOUNG_CLOSED.legs) == YOUNG_CLOSED


def test_the_bench_writes_appeals_disputes_and_the_closing_jobs_steps():
    steps = {leg.step for _, route in seeder_routes() for leg in route.legs}
    assert {APPEAL, DISPUTE, AUTO_CLOSE, histories.AUTO_CONFIRM, RECORD_OUTCOME} <= steps


@pytest.mark.parametrize(
    ("steps", "refusal"),
    [
        ((ESCALATE,), "not possible while the complaint is received"),
        ((VERIFY, Step(Action.ESCALATE, Actor.CONSUMER)), "once the pledged resolution time has passed"),
        ((VERIFY, ESCALATE, RECORD_OUTCOME, DISPUTE), "already been through mediation"),
        ((VERIFY, RESOLVE, DISPUTE, RECORD_OUTCOME, DISPUTE), "already been through mediation"),
        ((REJECT, APPEAL, REJECT, APPEAL), "appealed only once"),
        ((VERIFY, RESOLVE, Step(Action.CONFIRM, Actor.SYSTEM)), "appeal window is still open"),
        ((VERIFY, RESOLVE, Step(Action.DISPUTE, Actor.CONSUMER, after_window=True)), "dispute this outcome"),
        ((REJECT, Step(Action.CLOSE, Actor.AGENT, after_window=True)), "agent may not close"),
        ((Step(Action.VERIFY, Actor.MEDIATOR),), "mediator may not verify"),
        ((Step(Action.VERIFY, Actor.MERCHANT),), "casts nobody as merchant"),
        ((AUTO_CLOSE,), "must end a route, after a decision"),
        ((REJECT, AUTO_CLOSE, CONFIRM), "must end a route, after a decision"),
        ((Step(Action.CLAIM, Actor.AGENT),), "cannot write claim"),
    ],
)
def test_a_route_the_workflow_forbids_is_refused(steps, refusal):
    with pytest.raises(IllegalRoute, match=refusal):
        plan_route(steps)


def test_a_route_that_ends_elsewhere_than_its_state_is_refused():
    with pytest.raises(IllegalRoute, match="ends in verified, not resolved"):
        plan_route((VERIFY,), State.RESOLVED)


def test_one_illegal_route_in_the_table_stops_the_seeder_before_it_writes():
    bad = {**ROUTES, State.MEDIATED: (((VERIFY, ESCALATE), 9), ((VERIFY, DISPUTE), 1))}
    with pytest.raises(IllegalRoute, match="dispute"):
        histories._plan_routes(bad)
    with pytest.raises(IllegalRoute, match="no bench route ends in withdrawn"):
        histories._plan_routes({state: c for state, c in ROUTES.items() if state is not State.WITHDRAWN})


def test_steps_the_workflow_allows_only_inside_the_appeal_window_are_marked_so():
    legs = {leg.step: leg for _, route in seeder_routes() for leg in route.legs}
    assert legs[DISPUTE].window_bound and legs[APPEAL].window_bound
    assert not any(legs[step].window_bound for step in (VERIFY, RESOLVE, CONFIRM, ESCALATE))


def bench_cast() -> tuple[Cast, dict[int | None, Actor]]:
    agents, supervisors, mediators = [1, 2, 3], [4], [[5, 6], [7]]
    consumers, roles = list(range(100, 140)), {None: Actor.SYSTEM}
    for ids, actor in ((agents, Actor.AGENT), (supervisors, Actor.SUPERVISOR), (consumers, Actor.CONSUMER)):
        roles.update(dict.fromkeys(ids, actor))
    roles.update(dict.fromkeys(mediators[0] + mediators[1], Actor.MEDIATOR))
    orgs = [(1, ("一号调解机构", "Org one"), mediators[0]), (2, ("二号调解机构", "Org two"), mediators[1])]
    return Cast(consumers, list(range(1, 50)), list(range(1, 9)), agents + supervisors, orgs, {}), roles


def replay(h, roles: dict[int | None, Actor], window: int) -> Facts:
    """Replay a history's events through workflow.check, each by the role of who took it, with
    the appeal window counted from the last decision; return the facts it ends with."""
    assert h.events[0][2:5] == ("filed", None, "received")
    facts, decided = Facts(State.RECEIVED), None
    for at, actor_id, action, from_state, to_state, _, _ in h.events[1:]:
        facts = replace(facts, within_appeal_window=decided is None or at <= decided + window)
        inputs = dict.fromkeys(transition_for(Action(action)).requires, "x")  # roles, states, guards
        row = check(Action(action), roles[actor_id], facts, inputs)
        target = target_state(row.action, facts.state)
        if row.target is None:
            assert (from_state, to_state) == (None, None), (action, h.events)
        else:
            assert (from_state, to_state) == (facts.state.value, target.value), (action, h.events)
        decided = at if action in DECIDES else None if action in ("dispute", "appeal") else decided
        facts = replace(
            facts,
            state=target,
            was_mediated=facts.was_mediated or target is State.MEDIATED,
            appeal_used=facts.appeal_used or row.action is Action.APPEAL,
        )
    return facts


@pytest.mark.parametrize("window_days", [15, 4])
def test_invented_histories_replay_through_the_workflow_even_with_a_short_appeal_window(window_days):
    cast, roles = bench_cast()
    rng, end, window = random.Random(window_days), 1_772_000_000, window_days * DAY
    seen = set()
    for _ in range(4000):
        created = end - int(rng.random() ** 2 * 400 * DAY) - 60
        h = invent_history(rng, cast, created, end, Decimal(5000), window)
        facts = replay(h, roles, window)
        assert facts.state.value == h.state
        assert (facts.was_mediated, facts.appeal_used) == (h.was_mediated, h.appeal_used)
        seen.update(event[2] for event in h.events)
    assert {"dispute", "appeal", "close", "confirm", "record_outcome"} <= seen

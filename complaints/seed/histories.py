"""Invented histories of bench complaints: what happened to each one, and when.

A history is a route through the workflow (verify, resolve, confirm, ...) chosen from the
complaint's age, timed so that it ends where its state says it should: complaints filed today
are mostly still received, complaints from last year are closed, and a resolved, rejected or
withdrawn complaint was decided within the appeal window (the closing job would have closed
it otherwise). Each step is written as the service would have written it: the event's action,
states and detail, and the complaint's fields. Times are whole seconds since the epoch.

A route is written here as steps, each naming who takes which action; it is walked once, when
this module is imported, through `workflow.check` with the facts the route has built so far (a
dispute or escalation makes the complaint mediated, an appeal uses the appeal, the closing job's
steps come after the appeal window), and the states its events record are `workflow.target_state`'s.
A route the workflow forbids stops the import with IllegalRoute, so seed-bench never writes one.
Walking once per route, not per complaint, keeps a million complaints as fast as before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import accumulate

from complaints import workflow
from complaints.seed import agreements, texts
from complaints.seed.conversations import MESSAGE_KINDS, ask, converse
from complaints.seed.writers import WRITERS, Writer
from complaints.workflow import Action, Actor, Facts, State

DAY = 86_400
STATES = (
    State.RECEIVED, State.VERIFIED, State.MEDIATED, State.RESOLVED, State.REJECTED, State.WITHDRAWN,
    State.CLOSED,
)  # fmt: skip
# (filed at most this many days ago, how likely each state of STATES is).
STATE_BY_AGE = (
    (1, (85, 7, 0, 0, 5, 3, 0)),
    (7, (15, 35, 4, 26, 10, 5, 5)),
    (30, (2, 9, 9, 25, 7, 3, 45)),
    (90, (0, 1.5, 4, 3, 0, 0, 91.5)),
    (float("inf"), (0, 0.3, 0.5, 0, 0, 0, 99.2)),
)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a route: `actor` takes `action`. `after_window`: the step comes once the appeal
    window of the decision before it has passed (the closing job's steps); it ends its route."""

    action: Action
    actor: Actor
    after_window: bool = False


VERIFY = Step(Action.VERIFY, Actor.AGENT)
REJECT = Step(Action.REJECT, Actor.AGENT)
WITHDRAW = Step(Action.WITHDRAW, Actor.CONSUMER)
APPEAL = Step(Action.APPEAL, Actor.CONSUMER)
RESOLVE = Step(Action.RESOLVE, Actor.AGENT)
ESCALATE = Step(Action.ESCALATE, Actor.AGENT)
DISPUTE = Step(Action.DISPUTE, Actor.CONSUMER)
RECORD_OUTCOME = Step(Action.RECORD_OUTCOME, Actor.MEDIATOR)
CONFIRM = Step(Action.CONFIRM, Actor.CONSUMER)
AUTO_CONFIRM = Step(Action.CONFIRM, Actor.SYSTEM, after_window=True)
AUTO_CLOSE = Step(Action.CLOSE, Actor.SYSTEM, after_window=True)

# The routes to each state, with how often each is taken.
ROUTES: dict[State, tuple[tuple[tuple[Step, ...], float], ...]] = {
    State.RECEIVED: (((), 97), ((REJECT, APPEAL), 3)),
    State.VERIFIED: (((VERIFY,), 1),),
    State.MEDIATED: (((VERIFY, ESCALATE), 85), ((VERIFY, RESOLVE, DISPUTE), 15)),
    State.RESOLVED: (((VERIFY, RESOLVE), 80), ((VERIFY, ESCALATE, RECORD_OUTCOME), 20)),
    State.REJECTED: (((REJECT,), 1),),
    State.WITHDRAWN: (((WITHDRAW,), 60), ((VERIFY, WITHDRAW), 40)),
    State.CLOSED: (
        ((VERIFY, RESOLVE, CONFIRM), 50),
        ((VERIFY, RESOLVE, AUTO_CONFIRM), 20),
        ((VERIFY, ESCALATE, RECORD_OUTCOME, CONFIRM), 8),
        ((VERIFY, RESOLVE, DISPUTE, RECORD_OUTCOME, CONFIRM), 2),
        ((REJECT, AUTO_CLOSE), 11),
        ((REJECT, APPEAL, VERIFY, RESOLVE, CONFIRM), 1),
        ((WITHDRAW, AUTO_CLOSE), 8),
    ),
}
YOUNG_CLOSED = (VERIFY, RESOLVE, CONFIRM)  # a complaint too young for the closing job closes so
# Seconds from the step before: (shortest, longest). Steps after the appeal window follow it.
GAPS = {
    Action.VERIFY: (2 * 3600, 4 * DAY),
    Action.REJECT: (2 * 3600, 4 * DAY),
    Action.WITHDRAW: (3600, 6 * DAY),
    Action.APPEAL: (3600, 7 * DAY),
    Action.RESOLVE: (DAY, 12 * DAY),
    Action.ESCALATE: (DAY, 8 * DAY),
    Action.DISPUTE: (2 * 3600, 10 * DAY),
    Action.RECORD_OUTCOME: (3 * DAY, 20 * DAY),
    Action.CONFIRM: (3600, 10 * DAY),
}
DECISIONS = frozenset({Action.REJECT, Action.WITHDRAW, Action.RESOLVE, Action.ESCALATE})  # talk stops
# Who stands in for a route's actor: cast.agents holds agents and supervisors, so a step given to an
# agent must be open to both. The bench casts nobody else (no shop staff, no supervisor alone).
STAND_INS = {
    Actor.CONSUMER: (Actor.CONSUMER,),
    Actor.AGENT: (Actor.AGENT, Actor.SUPERVISOR),
    Actor.MEDIATOR: (Actor.MEDIATOR,),
    Actor.SYSTEM: (Actor.SYSTEM,),
}
_CATEGORY_CUM = list(accumulate(texts.CATEGORY_WEIGHTS))
_CATEGORY_CODES = [code for code, _, _ in texts.CATEGORIES]
_STATE_CUM = [(limit * DAY, list(accumulate(weights))) for limit, weights in STATE_BY_AGE]


class IllegalRoute(Exception):
    """A bench route takes a step the workflow forbids, or one the bench cannot write."""


@dataclass(frozen=True, slots=True)
class Leg:
    """A step as the workflow takes it, worked out once for a million complaints: the action,
    states and visibility its event records, whether the workflow allows it only inside the
    appeal window of the decision just before it, and how the bench times and writes it."""

    step: Step
    action: str
    source: str
    target: str
    public: bool
    window_bound: bool
    decision: bool  # the conversation stops here
    gap: tuple[int, int]  # seconds from the step before (unused after the appeal window)
    write: Writer


@dataclass(frozen=True, slots=True)
class Route:
    """A route walked through the workflow: its legs, and what may still happen where it ends."""

    legs: tuple[Leg, ...]
    ends_in: State
    staff_may_ask: bool  # whether staff may still ask for information at the end
    closed_by_job: bool  # its last leg comes after the appeal window


def plan_route(steps: tuple[Step, ...], ends_in: State | None = None) -> Route:
    """Walk `steps` from `received` through workflow.check; raise IllegalRoute if one is refused.

    Each step is checked for every stand-in of its actor, with the inputs its writer supplies and
    the facts the route has built: mediated once it was referred, the appeal used once appealed,
    the appeal window open unless the step comes after it, the resolution window not broken (a
    breach only lets the consumer ask for mediation, which no route does). The messages written
    before the first decision are checked in every state they may fall in.
    ends_in: the state the route must end in.
    """
    name = " -> ".join(f"{step.action}({step.actor})" for step in steps) or "(filed only)"
    facts = Facts(State.RECEIVED, resolution_breached=False)
    legs, talk = [], [facts]  # talk: the facts while messages are still being written
    for number, step in enumerate(steps, 1):
        where = f"bench route {name}, step {number}"
        if step.after_window and not 1 < number == len(steps):
            raise IllegalRoute(f"{where}: a step after the appeal window must end a route, after a decision")
        legs.append(_leg(where, step, replace(facts, within_appeal_window=not step.after_window)))
        facts = replace(
            facts,
            state=State(legs[-1].target),
            was_mediated=facts.was_mediated or legs[-1].target == State.MEDIATED,
            appeal_used=facts.appeal_used or step.action is Action.APPEAL,
        )
        if len(talk) == number and not legs[-1].decision:  # no decision yet: still talking
            talk.append(facts)
    for during in talk:
        for action, _, actor, _, _ in MESSAGE_KINDS:
            _check(f"bench route {name}, {action} while {during.state}", action, actor, during, ("body",))
    if ends_in is not None and facts.state is not ends_in:
        raise IllegalRoute(f"bench route {name} ends in {facts.state}, not {ends_in}")
    asks = _allows(Action.REQUEST_INFO, Actor.AGENT, facts, ("party", "body"))
    return Route(tuple(legs), facts.state, asks, bool(steps) and steps[-1].after_window)


def _leg(where: str, step: Step, facts: Facts) -> Leg:
    """`step` taken under `facts`, checked; whether it must fall inside the appeal window is the
    workflow's answer to the same step once the window has passed."""
    if step.action not in WRITERS or (step.action not in GAPS and not step.after_window):
        raise IllegalRoute(f"{where}: the bench cannot write {step.action}")
    writer, inputs = WRITERS[step.action]
    _check(where, step.action, step.actor, facts, inputs)
    passed = replace(facts, within_appeal_window=False)
    bound = not (step.after_window or _allows(step.action, step.actor, passed, inputs))
    return Leg(
        step=step,
        action=step.action.value,
        source=facts.state.value,
        target=workflow.target_state(step.action, facts.state).value,
        public=workflow.transition_for(step.action).public,
        window_bound=bound,
        decision=step.action in DECISIONS,
        gap=GAPS.get(step.action, (0, 0)),
        write=writer,
    )


def _check(where: str, action: Action, actor: Actor, facts: Facts, inputs: tuple[str, ...]) -> None:
    if actor not in STAND_INS:
        raise IllegalRoute(f"{where}: the bench casts nobody as {actor}")
    for stand_in in STAND_INS[actor]:
        try:
            workflow.check(action, stand_in, facts, dict.fromkeys(inputs, "bench"))
        except workflow.Refusal as refusal:
            raise IllegalRoute(
                f"{where}: a {stand_in} may not {action} while {facts.state}: {refusal}"
            ) from refusal


def _allows(action: Action, actor: Actor, facts: Facts, inputs: tuple[str, ...]) -> bool:
    try:
        _check("", action, actor, facts, inputs)
    except IllegalRoute:
        return False
    return True


@dataclass(slots=True)
class ComplaintHistory:
    """One bench complaint: its fields, its events and its messages, in time order."""

    created: int
    consumer_id: int
    merchant_id: int
    category_id: int
    category_code: str
    lang: str
    order_reference: str
    desired_outcome: str
    claimed_amount: str
    is_major: bool
    state: str = "received"
    waiting: tuple[str, ...] = ()  # whom the complaint waits on: "consumer", "merchant"
    assignee_id: int | None = None
    mediation_org_id: int | None = None
    was_mediated: bool = False
    appeal_used: bool = False
    rejection_reason: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    compensation_amount: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    decided_at: int | None = None
    closed_at: int | None = None
    # (at, actor_id, action, from_state, to_state, public, detail)
    events: list[tuple] = field(default_factory=list)
    # (at, author_id, kind, body)
    messages: list[tuple] = field(default_factory=list)
    agreement: object | None = None  # a settled mediation's (complaints/seed/agreements.py)


def invent_history(
    rng: random.Random, cast, created: int, end: int, major_from: Decimal, appeal_window: int
) -> ComplaintHistory:
    """The history of a complaint filed at `created`, as it stands at `end`.

    cast: the bench's people and shops (consumers, merchants, categories, agents, orgs).
    major_from: the claimed amount from which a complaint counts as major.
    appeal_window: seconds after a decision during which it may be appealed; then it closes.
    """
    category = rng.choices(range(len(_CATEGORY_CODES)), cum_weights=_CATEGORY_CUM)[0]
    code = _CATEGORY_CODES[category]
    amount = min(rng.lognormvariate(6.2, 1.2), 99_999.0)
    merchants = cast.merchants
    h = ComplaintHistory(
        created=created,
        consumer_id=rng.choice(cast.consumers),
        merchant_id=merchants[int(len(merchants) * rng.random() ** 2)],  # a few shops draw most complaints
        category_id=cast.categories[category],
        category_code=code,
        lang="zh" if rng.random() < 0.85 else "en",
        order_reference=str(rng.randrange(10**17, 10**18)),
        desired_outcome=rng.choice(texts.DESIRED[code]),
        claimed_amount=f"{amount:.2f}",
        is_major=amount >= float(major_from),
    )
    h.events.append(
        (created, h.consumer_id, "filed", None, "received", True, {"attachments": 0, "major": h.is_major})
    )
    agent = rng.choice(cast.agents)
    route, times = _timed_route(rng, h, end, appeal_window)
    talk_until = next((at for leg, at in zip(route.legs, times, strict=True) if leg.decision), end)
    converse(rng, h, agent, talk_until)
    for leg, at in zip(route.legs, times, strict=True):  # each leg: who, the writer's detail, the event
        who = _cast_as(rng, h, cast, agent, leg.step.actor)
        detail = leg.write(rng, h, cast, who, at)
        h.events.append((at, who, leg.action, leg.source, leg.target, leg.public, detail))
        h.state = leg.target
    shop_staff = cast.shop_staff.get(h.merchant_id)
    if h.agreement is not None and shop_staff is not None:
        agreements.follow(h, shop_staff, end)
    if route.staff_may_ask and rng.random() < 0.12:
        ask(rng, h, agent, end)
    h.events.sort(key=_by_time)
    return h


def _by_time(event: tuple) -> int:
    return event[0]


def _timed_route(rng: random.Random, h: ComplaintHistory, end: int, window: int) -> tuple[Route, list[int]]:
    created = h.created
    age = end - created
    state = _pick_state(rng, age)
    routes, cum = _ROUTE_CHOICES[state]
    route = rng.choices(routes, cum_weights=cum)[0]
    if route.closed_by_job and age < window + 2 * DAY:
        route = _YOUNG_CLOSED  # too young to have been closed automatically
    legs = route.legs
    manual = legs[:-1] if route.closed_by_job else legs
    times, t = [], float(created)
    for leg in manual:
        t += rng.uniform(*leg.gap)
        times.append(t)
    if not times:
        return route, []
    if state in (State.RESOLVED, State.REJECTED, State.WITHDRAWN):  # decided inside the appeal window
        latest = end - 60 - rng.random() * min(window * 0.9, (age - 60) * 0.9)
    elif manual is not legs:  # the automatic close must have come before now
        latest = end - window - 700
        latest = created + (latest - created) * rng.uniform(0.3, 1.0) if times[-1] > latest else times[-1]
    else:
        latest = (
            times[-1] if times[-1] < end - 60 else created + (end - 60 - created) * rng.uniform(0.3, 0.95)
        )
    scale = (latest - created) / (times[-1] - created)
    stamped, previous = [], created
    for leg, at in zip(manual, times, strict=True):
        moment = max(previous + 1, int(created + (at - created) * scale))
        if leg.window_bound and stamped:  # inside the appeal window of the decision before it
            moment = min(moment, previous + window - 60)
        stamped.append(moment)
        previous = moment
    if manual is not legs:
        stamped.append(stamped[-1] + window + rng.randint(5, 600))
    return route, stamped


def _pick_state(rng: random.Random, age: int) -> State:
    for limit, cum in _STATE_CUM:
        if age <= limit:
            return rng.choices(STATES, cum_weights=cum)[0]
    raise AssertionError("the last age band has no limit")


def _cast_as(rng: random.Random, h: ComplaintHistory, cast, agent: int, actor: Actor) -> int | None:
    """The id of the person who acts as `actor` on this complaint (None: the system)."""
    if actor is Actor.AGENT:
        return agent
    if actor is Actor.CONSUMER:
        return h.consumer_id
    if actor is Actor.MEDIATOR:
        return rng.choice(next(m for org_id, _, m in cast.orgs if org_id == h.mediation_org_id))
    return None


def _plan_routes(routes: dict[State, tuple]) -> dict[State, tuple[list[Route], list[float]]]:
    """Every route of `routes` walked through the workflow, with its cumulative weights."""
    missing = [state for state in STATES if not routes.get(state)]
    if missing:
        raise IllegalRoute(f"no bench route ends in {', '.join(missing)}")
    return {
        state: (
            [plan_route(steps, state) for steps, _ in choices],
            list(accumulate(weight for _, weight in choices)),
        )
        for state, choices in routes.items()
    }


_ROUTE_CHOICES = _plan_routes(ROUTES)
_YOUNG_CLOSED = plan_route(YOUNG_CLOSED, State.CLOSED)

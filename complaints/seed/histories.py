"""Invented histories of bench complaints: what happened to each one, and when.

A history is a route through the workflow (verify, resolve, confirm, ...) chosen from the
complaint's age, timed so that it ends where its state says it should: complaints filed today
are mostly still received, complaints from last year are closed, and a resolved, rejected or
withdrawn complaint was decided within the appeal window (the closing job would have closed
it otherwise). Each step is written as the service would have written it: the event's action,
states and detail, and the complaint's fields. Times are whole seconds since the epoch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from complaints.seed import texts

DAY = 86_400
STATES = ("received", "verified", "mediated", "resolved", "rejected", "withdrawn", "closed")
# (filed at most this many days ago, how likely each state of STATES is).
STATE_BY_AGE = (
    (1, (85, 7, 0, 0, 5, 3, 0)),
    (7, (15, 35, 4, 26, 10, 5, 5)),
    (30, (2, 9, 9, 25, 7, 3, 45)),
    (90, (0, 1.5, 4, 3, 0, 0, 91.5)),
    (float("inf"), (0, 0.3, 0.5, 0, 0, 0, 99.2)),
)
# The routes to each state, with how often each is taken.
ROUTES = {
    "received": (((), 1),),
    "verified": ((("verify",), 1),),
    "mediated": ((("verify", "escalate"), 85), (("verify", "resolve", "dispute"), 15)),
    "resolved": ((("verify", "resolve"), 80), (("verify", "escalate", "record_outcome"), 20)),
    "rejected": ((("reject",), 1),),
    "withdrawn": ((("withdraw",), 60), (("verify", "withdraw"), 40)),
    "closed": (
        (("verify", "resolve", "confirm"), 50),
        (("verify", "resolve", "auto_confirm"), 20),
        (("verify", "escalate", "record_outcome", "confirm"), 8),
        (("verify", "resolve", "dispute", "record_outcome", "confirm"), 2),
        (("reject", "auto_close"), 12),
        (("withdraw", "auto_close"), 8),
    ),
}
# Seconds from the step before: (shortest, longest). Automatic closing follows the window.
GAPS = {
    "verify": (2 * 3600, 4 * DAY),
    "reject": (2 * 3600, 4 * DAY),
    "withdraw": (3600, 6 * DAY),
    "resolve": (DAY, 12 * DAY),
    "escalate": (DAY, 8 * DAY),
    "dispute": (2 * 3600, 10 * DAY),
    "record_outcome": (3 * DAY, 20 * DAY),
    "confirm": (3600, 10 * DAY),
}
AUTOMATIC = ("auto_confirm", "auto_close")
DECISIONS = frozenset({"reject", "withdraw", "resolve", "escalate"})  # the conversation stops here
# (action, kind, written by the agent?, corpus, weight): what messages a complaint collects.
MESSAGE_KINDS = (
    ("reply", "public", True, texts.AGENT_REPLIES, 40),
    ("reply", "public", False, texts.CONSUMER_REPLIES, 20),
    ("merchant_answer", "merchant", True, texts.MERCHANT_ANSWERS, 20),
    ("note", "internal", True, texts.INTERNAL_NOTES, 20),
)
_MESSAGE_CUM = list(accumulate(kind[-1] for kind in MESSAGE_KINDS))
_CATEGORY_CUM = list(accumulate(texts.CATEGORY_WEIGHTS))
_CATEGORY_CODES = [code for code, _, _ in texts.CATEGORIES]
_ROUTE_CHOICES = {
    state: ([r for r, _ in rs], list(accumulate(w for _, w in rs))) for state, rs in ROUTES.items()
}
_STATE_CUM = [(limit * DAY, list(accumulate(weights))) for limit, weights in STATE_BY_AGE]


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
    waiting_on: str | None = None
    assignee_id: int | None = None
    mediation_org_id: int | None = None
    was_mediated: bool = False
    rejection_reason: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    compensation_amount: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    first_response_at: int | None = None
    decided_at: int | None = None
    closed_at: int | None = None
    # (at, actor_id, action, from_state, to_state, public, detail)
    events: list[tuple] = field(default_factory=list)
    # (at, author_id, kind, body)
    messages: list[tuple] = field(default_factory=list)


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
    talk_until = next((at for step, at in zip(route, times, strict=True) if step in DECISIONS), end)
    _converse(rng, h, agent, talk_until)
    for step, at in zip(route, times, strict=True):
        _STEPS[step](rng, h, cast, agent, at)
    if h.state in ("received", "verified") and rng.random() < 0.12:
        _ask(rng, h, agent, end)
    h.events.sort(key=_by_time)
    return h


def _by_time(event: tuple) -> int:
    return event[0]


def _timed_route(
    rng: random.Random, h: ComplaintHistory, end: int, window: int
) -> tuple[tuple[str, ...], list[int]]:
    created = h.created
    age = end - created
    state = _pick_state(rng, age)
    routes, cum = _ROUTE_CHOICES[state]
    route = rng.choices(routes, cum_weights=cum)[0]
    if route and route[-1] in AUTOMATIC and age < window + 2 * DAY:
        route = ("verify", "resolve", "confirm")  # too young to have been closed automatically
    manual = route[:-1] if route and route[-1] in AUTOMATIC else route
    times, t = [], float(created)
    for step in manual:
        t += rng.uniform(*GAPS[step])
        times.append(t)
    if not times:
        return route, []
    if state in ("resolved", "rejected", "withdrawn"):  # decided inside the appeal window
        latest = end - 60 - rng.random() * min(window * 0.9, (age - 60) * 0.9)
    elif manual is not route:  # the automatic close must have come before now
        latest = end - window - 700
        latest = created + (latest - created) * rng.uniform(0.3, 1.0) if times[-1] > latest else times[-1]
    else:
        latest = (
            times[-1] if times[-1] < end - 60 else created + (end - 60 - created) * rng.uniform(0.3, 0.95)
        )
    scale = (latest - created) / (times[-1] - created)
    stamped, previous = [], created
    for at in times:
        previous = max(previous + 1, int(created + (at - created) * scale))
        stamped.append(previous)
    if manual is not route:
        stamped.append(stamped[-1] + window + rng.randint(5, 600))
    return route, stamped


def _pick_state(rng: random.Random, age: int) -> str:
    for limit, cum in _STATE_CUM:
        if age <= limit:
            return rng.choices(STATES, cum_weights=cum)[0]
    raise AssertionError("the last age band has no limit")


def _say(rng: random.Random, h: ComplaintHistory, pairs) -> str:
    pair = rng.choice(pairs)
    return pair[0] if h.lang == "zh" else pair[1]


def _converse(rng: random.Random, h: ComplaintHistory, agent: int, until: int) -> None:
    """One to three messages between filing and the first decision, each with its event."""
    window = max(2, until - h.created - 1)
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
        at = h.created + 1 + int(rng.random() * (window - 1))
        action, kind, by_agent, corpus, _ = rng.choices(MESSAGE_KINDS, cum_weights=_MESSAGE_CUM)[0]
        author = agent if by_agent else h.consumer_id
        h.messages.append((at, author, kind, _say(rng, h, corpus)))
        h.events.append(
            (
                at,
                author,
                action,
                None,
                None,
                kind != "internal",
                {"attachments": 0} if action == "reply" else {},
            )
        )
        if kind == "public" and by_agent and (h.first_response_at is None or at < h.first_response_at):
            h.first_response_at = at


def _ask(rng: random.Random, h: ComplaintHistory, agent: int, end: int) -> None:
    """Staff asked someone for information and are still waiting for the answer."""
    last = max(event[0] for event in h.events)
    at = last + 1 + int((end - last - 1) * rng.uniform(0.1, 0.9))
    party = "consumer" if rng.random() < 0.5 else "merchant"
    corpus = texts.INFO_REQUESTS_CONSUMER if party == "consumer" else texts.INFO_REQUESTS_MERCHANT
    h.messages.append((at, agent, "public" if party == "consumer" else "internal", _say(rng, h, corpus)))
    h.events.append((at, agent, "request_info", None, None, True, {"party": party}))
    h.waiting_on = party
    if party == "consumer" and h.first_response_at is None:
        h.first_response_at = at


def _move(h: ComplaintHistory, at: int, actor: int | None, action: str, to: str, detail: dict) -> None:
    h.events.append((at, actor, action, h.state, to, True, detail))
    h.state = to


def _verify(rng, h, cast, agent, at):
    h.assignee_id = agent
    _move(h, at, agent, "verify", "verified", {"note": None})


def _reject(rng, h, cast, agent, at):
    h.rejection_reason, h.decided_at = _say(rng, h, texts.REJECTION_REASONS), at
    _move(h, at, agent, "reject", "rejected", {"reason": h.rejection_reason})


def _withdraw(rng, h, cast, agent, at):
    h.decided_at = at
    _move(h, at, h.consumer_id, "withdraw", "withdrawn", {"reason": _say(rng, h, texts.WITHDRAWAL_REASONS)})


def _resolve(rng, h, cast, agent, at):
    outcome = rng.choices(("upheld", "partly_upheld", "not_upheld"), cum_weights=(5, 8, 10))[0]
    share = {"upheld": 1.0, "partly_upheld": rng.uniform(0.3, 0.7), "not_upheld": 0.0}[outcome]
    h.outcome, h.decided_at = outcome, at
    h.compensation_amount = f"{float(h.claimed_amount) * share:.2f}" if share else None
    note = texts.RESOLUTION_NOTES[{"upheld": 0, "partly_upheld": 1, "not_upheld": 2}[outcome]]
    h.outcome_note = note[0] if h.lang == "zh" else note[1]
    _move(
        h,
        at,
        agent,
        "resolve",
        "resolved",
        {"outcome": outcome, "compensation_amount": h.compensation_amount},
    )


def _refer(rng, h, cast) -> str:
    org_id, name, _ = rng.choice(cast.orgs)
    h.mediation_org_id, h.was_mediated = org_id, True
    return name


def _escalate(rng, h, cast, agent, at):
    detail = {"organisation": _refer(rng, h, cast), "reason": _say(rng, h, texts.ESCALATION_REASONS)}
    _move(h, at, agent, "escalate", "mediated", detail)


def _dispute(rng, h, cast, agent, at):
    detail = {"organisation": _refer(rng, h, cast), "reason": _say(rng, h, texts.DISPUTE_REASONS)}
    detail["disputed_outcome"] = h.outcome
    h.decided_at = None
    _move(h, at, h.consumer_id, "dispute", "mediated", detail)


def _record_outcome(rng, h, cast, agent, at):
    mediators = next(m for org_id, _, m in cast.orgs if org_id == h.mediation_org_id)
    settled = rng.random() < 0.65
    h.outcome, h.decided_at = ("settled" if settled else "not_settled"), at
    h.compensation_amount = f"{float(h.claimed_amount) * rng.uniform(0.4, 1):.2f}" if settled else None
    h.outcome_note = _say(rng, h, texts.SETTLEMENT_TERMS if settled else texts.NO_SETTLEMENT_REASONS)
    detail = {"outcome": h.outcome, "compensation_amount": h.compensation_amount}
    _move(h, at, rng.choice(mediators), "record_outcome", "resolved", detail)


def _confirm(rng, h, cast, agent, at):
    low, high = {"upheld": (4, 5), "partly_upheld": (3, 4), "settled": (3, 5)}.get(h.outcome, (1, 3))
    h.rating, h.closed_at = rng.randint(low, high), at
    if rng.random() < 0.5:
        h.rating_comment = _say(rng, h, texts.RATING_COMMENTS[h.rating])
    _move(h, at, h.consumer_id, "confirm", "closed", {"rating": h.rating})


def _auto_confirm(rng, h, cast, agent, at):
    h.closed_at = at
    _move(h, at, None, "confirm", "closed", {"rating": None})


def _auto_close(rng, h, cast, agent, at):
    h.closed_at = at
    _move(h, at, None, "close", "closed", {"reason": None})


_STEPS = {
    "verify": _verify,
    "reject": _reject,
    "withdraw": _withdraw,
    "resolve": _resolve,
    "escalate": _escalate,
    "dispute": _dispute,
    "record_outcome": _record_outcome,
    "confirm": _confirm,
    "auto_confirm": _auto_confirm,
    "auto_close": _auto_close,
}

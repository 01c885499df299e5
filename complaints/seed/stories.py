"""The demo's complaint stories: the steps that bring a complaint to the state it should end in.

A story is written before it is played: each step says who acts (a demo account's key,
"consumer" for the complaint's own consumer, None for the system), the workflow action, its
parameters, and how many hours after filing it happens. demo.py plays the steps through the
real services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from complaints.seed import texts
from complaints.services.filing import ComplaintDraft
from complaints.services.mediation import CHANNELS
from complaints.workflow import Action, State

Step = tuple[float, str | None, Action, dict]  # (hours after filing, who, action, params)


@dataclass
class Story:
    """One complaint's life: the draft, then the steps people take, hours after filing."""

    rng: random.Random
    cast: Any  # the demo's people (cast.people: key -> id) and mediation organisation (cast.org_id)
    consumer_id: int
    lang: str
    draft: ComplaintDraft | None = None
    agent: str = "agent1"
    mediator: str = "mediator1"
    hours: float = 0.0
    steps: list[Step] = field(default_factory=list)
    filed_at: datetime | None = None
    reference: str | None = None
    outcome: str | None = None
    state: State | None = None  # the state its steps end in
    appeal_window_hours: float = 15 * 24  # after it, the closing job closes a decided complaint

    def say(self, pairs) -> str:
        return texts.pick(self.rng, pairs, self.lang)

    def then(self, lo: float, hi: float, who: str | None, action: Action, **params) -> None:
        self.hours += self.rng.uniform(lo, hi)
        self.steps.append((self.hours, who, action, params))

    # The legs a complaint's life is made of.
    def open(self) -> None:
        self.then(0.3, 16, self.agent, Action.CLAIM)
        self.then(0.1, 2, self.agent, Action.REPLY, body=self.say(texts.AGENT_REPLIES))

    def ask_consumer(self, answered: bool = True) -> None:
        body = self.say(texts.INFO_REQUESTS_CONSUMER)
        self.then(1, 24, self.agent, Action.REQUEST_INFO, party="consumer", body=body)
        if answered:
            self.then(2, 30, "consumer", Action.REPLY, body=self.say(texts.CONSUMER_REPLIES))

    def ask_merchant(self, answered: bool = True) -> None:
        body = self.say(texts.INFO_REQUESTS_MERCHANT)
        self.then(1, 24, self.agent, Action.REQUEST_INFO, party="merchant", body=body)
        if answered:
            self.then(6, 48, self.agent, Action.MERCHANT_ANSWER, body=self.say(texts.MERCHANT_ANSWERS))

    def note(self) -> None:
        self.then(0.2, 6, self.agent, Action.NOTE, body=self.say(texts.INTERNAL_NOTES))

    def reassign(self) -> None:
        new_agent = "agent2" if self.agent == "agent1" else "agent1"
        handover = self.say(texts.HANDOVER_REASONS)
        self.then(
            1, 12, "supervisor", Action.ASSIGN, assignee_id=self.cast.people[new_agent], handover=handover
        )
        self.agent = new_agent

    def verify(self) -> None:
        self.then(2, 40, self.agent, Action.VERIFY)

    def reject(self) -> None:
        self.then(2, 48, self.agent, Action.REJECT, reason=self.say(texts.REJECTION_REASONS))

    def appeal(self) -> None:
        self.then(4, 72, "consumer", Action.APPEAL, reason=self.say(texts.APPEAL_REASONS))

    def withdraw(self) -> None:
        self.then(1, 72, "consumer", Action.WITHDRAW, reason=self.say(texts.WITHDRAWAL_REASONS))

    def resolve(self) -> None:
        self.outcome = self.rng.choices(("upheld", "partly_upheld", "not_upheld"), (5, 3, 2))[0]
        share = {"upheld": 1, "partly_upheld": self.rng.uniform(0.3, 0.7), "not_upheld": 0}[self.outcome]
        amount = money(self.draft.claimed_amount * Decimal(str(share))) if share else None
        note = texts.RESOLUTION_NOTES[{"upheld": 0, "partly_upheld": 1, "not_upheld": 2}[self.outcome]]
        note = note[0] if self.lang == "zh" else note[1]
        self.then(
            12, 120, self.agent, Action.RESOLVE, outcome=self.outcome, compensation_amount=amount, note=note
        )

    def escalate(self) -> None:
        reason = self.say(texts.ESCALATION_REASONS)
        self.then(12, 96, self.agent, Action.ESCALATE, mediation_org_id=self.cast.org_id, reason=reason)
        self.then(2, 24, "consumer", Action.CONSENT_REFERRAL)
        self.mediation_accepted()

    def mediation_accepted(self) -> None:
        """The shop's consent (told to the agent, who records it) and the organisation's acceptance."""
        self.then(2, 24, self.agent, Action.CONSENT_REFERRAL)
        self.then(2, 24, self.mediator, Action.ACCEPT_REFERRAL)

    def dispute(self) -> None:
        reason = self.say(texts.DISPUTE_REASONS)
        self.then(2, 72, "consumer", Action.DISPUTE, mediation_org_id=self.cast.org_id, reason=reason)
        self.mediation_accepted()

    def session(self) -> None:
        held = timedelta(hours=self.rng.uniform(1, 20))
        channel, notes = self.rng.choice(CHANNELS), self.say(texts.SESSION_NOTES)
        self.then(24, 120, self.mediator, Action.RECORD_SESSION, held_at=held, channel=channel, notes=notes)

    def mediation_outcome(self) -> None:
        settled = self.rng.random() < 0.65
        self.outcome = "settled" if settled else "not_settled"
        share = Decimal(str(self.rng.uniform(0.4, 1)))
        amount = money(self.draft.claimed_amount * share) if settled else None
        note = self.say(texts.SETTLEMENT_TERMS if settled else texts.NO_SETTLEMENT_REASONS)
        self.then(
            4,
            72,
            self.mediator,
            Action.RECORD_OUTCOME,
            outcome=self.outcome,
            note=note,
            compensation_amount=amount,
            **(
                {"payer": "shop", "perform_by": timedelta(days=14)}
                if settled
                else {"not_settled_reason": self.rng.choice(("party_refused", "no_agreement"))}
            ),
        )

    def confirm(self) -> None:
        low, high = {"upheld": (4, 5), "partly_upheld": (3, 4), "settled": (3, 5)}.get(self.outcome, (1, 3))
        rating = self.rng.randint(low, high)
        comment = self.say(texts.RATING_COMMENTS[rating]) if self.rng.random() < 0.7 else None
        self.then(2, 96, "consumer", Action.CONFIRM, rating=rating, comment=comment)

    def closed_by_system(self, action: Action) -> None:
        self.then(self.appeal_window_hours + 0.2, self.appeal_window_hours + 3, None, action)


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def write_route(story: Story, state: State) -> None:
    """Write the steps that bring `story` to `state`, with a little variety."""
    s, chance = story, story.rng.random
    if state is State.RECEIVED:
        roll = chance()
        if roll < 0.35:
            return
        s.open()
        if 0.65 <= roll < 0.85:
            s.ask_consumer(answered=chance() < 0.5)
        elif roll >= 0.85:
            s.reject()
            s.appeal()
        return
    if state is State.REJECTED:
        s.open()
        if chance() < 0.4:
            s.ask_consumer(answered=False)
        s.reject()
        return
    if state is State.WITHDRAWN:
        if chance() < 0.6:
            s.open()
            if chance() < 0.5:
                s.verify()
        s.withdraw()
        return
    if state is State.CLOSED:
        _closed_route(s)
        return
    s.open()
    if chance() < 0.3:
        s.ask_consumer()
    if chance() < 0.15:
        s.reassign()
    s.verify()
    if state is State.VERIFIED:
        if chance() < 0.6:
            s.ask_merchant(answered=chance() < 0.5)
        if chance() < 0.4:
            s.note()
        return
    s.ask_merchant()
    if state is State.MEDIATED:
        if chance() < 0.7:
            s.escalate()
        else:
            s.resolve()
            s.dispute()
        if chance() < 0.6:
            s.session()
        return
    _decide(s, mediated=chance() < 0.3)  # RESOLVED


def _decide(s: Story, *, mediated: bool) -> None:
    if s.rng.random() < 0.3:
        s.note()
    if mediated:
        s.escalate()
        s.session()
        s.mediation_outcome()
    else:
        s.resolve()


def _closed_route(s: Story) -> None:
    roll = s.rng.random()
    if roll < 0.12:
        s.open()
        s.reject()
        s.closed_by_system(Action.CLOSE)
        return
    if roll < 0.22:
        s.withdraw()
        s.then(1, 48, "supervisor", Action.CLOSE)
        return
    s.open()
    s.verify()
    s.ask_merchant()
    if roll < 0.32:
        s.resolve()
        s.closed_by_system(Action.CONFIRM)
        return
    if roll < 0.40:
        s.resolve()
        s.dispute()
        s.session()
        s.mediation_outcome()
    else:
        _decide(s, mediated=roll < 0.55)
    s.confirm()


def shop_takes_part(stories: list[Story], shop_id: int, shop: str, end: datetime) -> None:
    """The demo shop (account key `shop`, staff of shop `shop_id`) answers the platform's questions
    itself, and offers a settlement on its open complaints: the demo consumer's stays open for
    them to answer; another consumer declined one. Written after the stories, from their own
    steps (no draw from their random generator), so every story stays as it was."""
    offered = set()
    for story in stories:
        if story.draft.merchant_id != shop_id:
            continue
        story.steps = [
            (hours, shop if action is Action.MERCHANT_ANSWER else who, action, params)
            for hours, who, action, params in story.steps
        ]
        if story.state not in (State.RECEIVED, State.VERIFIED) or story.hours + 3 > _hours_left(story, end):
            continue
        mine = story.consumer_id == story.cast.people["consumer"]
        if (mine and "mine" in offered) or (not mine and "declined" in offered):
            continue
        kind, share, terms = texts.SHOP_OFFERS[len(offered) % len(texts.SHOP_OFFERS)]
        amount = money(story.draft.claimed_amount * Decimal(str(share))) if share else None
        story.hours += 1
        story.steps.append(
            (story.hours, shop, Action.PROPOSE_SETTLEMENT,
             {"kind": kind, "amount": amount, "terms": terms[0] if story.lang == "zh" else terms[1],
              "perform_by": timedelta(days=3)})
        )  # fmt: skip
        if mine:
            offered.add("mine")
            continue
        story.hours += 1
        reason = texts.OFFER_DECLINED[0][0] if story.lang == "zh" else texts.OFFER_DECLINED[0][1]
        story.steps.append(
            (story.hours, "consumer", Action.DECLINE_SETTLEMENT, {"offer_id": OPEN_OFFER, "reason": reason})
        )
        offered.add("declined")


REFERRING = (Action.ESCALATE, Action.DISPUTE)


def referrals_await_consent(stories: list[Story], shop_id: int, end: datetime) -> None:
    """Two referrals to mediation still wait for consent when the demo begins: one of the demo
    consumer's complaints and one about the demo shop, each referred (by its agent, or disputed
    by its consumer, who consents by that) two hours before the end, within the consent window,
    with what followed the referral left out. Written after the stories, from their own steps
    (no draw from their random generator)."""
    wanted = {"mine": lambda s: s.consumer_id == s.cast.people["consumer"], "shop's": None}
    wanted["shop's"] = lambda s: s.draft.merchant_id == shop_id and not wanted["mine"](s)
    for pick in wanted.values():
        story = next(
            (
                s
                for s in stories
                if s.state is State.MEDIATED
                and pick(s)
                and any(action in REFERRING for _h, _w, action, _p in s.steps)
            ),
            None,
        )
        if story is None:
            continue
        at = next(i for i, (_h, _w, action, _p) in enumerate(story.steps) if action in REFERRING)
        hours, who, action, params = story.steps[at]
        before = story.steps[at - 1][0] if at else 0.0
        story.steps = [
            *story.steps[:at],
            (max(before + 0.1, _hours_left(story, end) - 2), who, action, params),
        ]
        story.hours = story.steps[-1][0]


# Stands for the complaint's open offer, which exists only once the story is played.
OPEN_OFFER = "the open offer"


def _hours_left(story: Story, end: datetime) -> float:
    return (end - story.filed_at).total_seconds() / 3600

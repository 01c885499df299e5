"""What a bench complaint's people say before it is decided: the conversation between filing and
the first decision, and a question staff are still waiting to have answered (seed/histories.py
decides when; this module writes the messages and their events as the services would)."""

from __future__ import annotations

import random
from itertools import accumulate

from complaints.seed import texts
from complaints.seed.writers import say
from complaints.workflow import Action, Actor

# (action, kind, who writes it, corpus, weight): what messages a complaint collects.
MESSAGE_KINDS = (
    (Action.REPLY, "public", Actor.AGENT, texts.AGENT_REPLIES, 40),
    (Action.REPLY, "public", Actor.CONSUMER, texts.CONSUMER_REPLIES, 20),
    (Action.MERCHANT_ANSWER, "merchant", Actor.AGENT, texts.MERCHANT_ANSWERS, 20),  # typed in by staff
    (Action.NOTE, "internal", Actor.AGENT, texts.INTERNAL_NOTES, 20),
)
FIRST_REPLY_SHARE = 0.92  # complaints whose first message is an agent's public reply
FIRST_REPLY_GAP = (300, 25 * 3600)  # seconds after filing it comes
# The same as plain values for the loop run a million times: (action, kind, public, by staff?, corpus).
_MESSAGES = [
    (a.value, k, k != "internal", who is Actor.AGENT, corpus) for a, k, who, corpus, _ in MESSAGE_KINDS
]
_MESSAGE_CUM = list(accumulate(kind[-1] for kind in MESSAGE_KINDS))


def converse(rng: random.Random, h, agent: int, until: int) -> None:
    """One to three messages between filing and the first decision, each with its event. Most
    complaints are first answered by an agent within a day or so (the response pledge is 24 hours;
    a few answers come later and miss it)."""
    window = max(2, until - h.created - 1)
    for number in range(rng.choice((1, 1, 2, 2, 2, 3))):
        if number == 0 and rng.random() < FIRST_REPLY_SHARE:
            gap = int(rng.uniform(*FIRST_REPLY_GAP))
            if gap >= window - 1:  # not answered yet, or the decision came first
                continue
            at = h.created + 1 + gap
            action, kind, public, by_staff, corpus = _MESSAGES[0]
        else:
            at = h.created + 1 + int(rng.random() * (window - 1))
            action, kind, public, by_staff, corpus = rng.choices(_MESSAGES, cum_weights=_MESSAGE_CUM)[0]
        author = agent if by_staff else h.consumer_id
        h.messages.append((at, author, kind, say(rng, h, corpus)))
        detail = {"attachments": 0} if action == "reply" else {}
        h.events.append((at, author, action, None, None, public, detail))


def ask(rng: random.Random, h, agent: int, end: int) -> None:
    """Staff asked someone for information and are still waiting for the answer."""
    last = max(event[0] for event in h.events)
    at = last + 1 + int((end - last - 1) * rng.uniform(0.1, 0.9))
    party = "consumer" if rng.random() < 0.5 else "merchant"
    corpus = texts.INFO_REQUESTS_CONSUMER if party == "consumer" else texts.INFO_REQUESTS_MERCHANT
    h.messages.append((at, agent, "public" if party == "consumer" else "to_merchant", say(rng, h, corpus)))
    h.events.append((at, agent, "request_info", None, None, True, {"party": party}))
    h.waiting = (*h.waiting, party) if party not in h.waiting else h.waiting

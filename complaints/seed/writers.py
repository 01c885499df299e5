"""What each step of a bench route writes into a complaint's history: the complaint's fields and
the event's detail, as the service would have written them (complaints/seed/histories.py walks
the routes; this module says what every step leaves behind)."""

from __future__ import annotations

import random
from collections.abc import Callable

from complaints.seed import agreements, texts
from complaints.workflow import Action

# A step's writer: (rng, history, cast, the actor's id, at) -> the event's detail.
Writer = Callable[[random.Random, "ComplaintHistory", object, int | None, int], dict]  # noqa: F821


def say(rng: random.Random, h, pairs) -> str:
    """One of `pairs` (Chinese, English), in the complaint's language."""
    pair = rng.choice(pairs)
    return pair[0] if h.lang == "zh" else pair[1]


# action -> (writer, the inputs it supplies: workflow.check refuses a step whose row needs more)
WRITERS: dict[Action, tuple[Writer, tuple[str, ...]]] = {}


def _writes(action: Action, *inputs: str) -> Callable[[Writer], Writer]:
    def register(writer: Writer) -> Writer:
        WRITERS[action] = (writer, inputs)
        return writer

    return register


@_writes(Action.VERIFY)
def _verify(rng, h, cast, who, at):
    h.assignee_id = who
    return {"note": None}


@_writes(Action.REJECT, "reason")
def _reject(rng, h, cast, who, at):
    h.rejection_reason, h.decided_at = say(rng, h, texts.REJECTION_REASONS), at
    return {"reason": h.rejection_reason}


@_writes(Action.APPEAL, "reason")
def _appeal(rng, h, cast, who, at):
    h.appeal_used, h.decided_at = True, None
    return {"reason": say(rng, h, texts.APPEAL_REASONS)}


@_writes(Action.WITHDRAW, "reason")
def _withdraw(rng, h, cast, who, at):
    h.decided_at = at
    return {"reason": say(rng, h, texts.WITHDRAWAL_REASONS)}


@_writes(Action.RESOLVE, "outcome", "compensation_amount", "note")
def _resolve(rng, h, cast, who, at):
    outcome = rng.choices(("upheld", "partly_upheld", "not_upheld"), cum_weights=(5, 8, 10))[0]
    share = {"upheld": 1.0, "partly_upheld": rng.uniform(0.3, 0.7), "not_upheld": 0.0}[outcome]
    h.outcome, h.decided_at = outcome, at
    h.compensation_amount = f"{float(h.claimed_amount) * share:.2f}" if share else None
    note = texts.RESOLUTION_NOTES[{"upheld": 0, "partly_upheld": 1, "not_upheld": 2}[outcome]]
    h.outcome_note = note[0] if h.lang == "zh" else note[1]
    return {"outcome": outcome, "compensation_amount": h.compensation_amount}


def _refer(rng, h, cast) -> dict:
    """Refer to one of the organisations; its names as services.mediation writes them."""
    org_id, (chinese, english), _ = rng.choice(cast.orgs)
    h.mediation_org_id, h.was_mediated = org_id, True
    return {"organisation": chinese, "organisation_en": english}


@_writes(Action.ESCALATE, "mediation_org_id", "reason")
def _escalate(rng, h, cast, who, at):
    return {**_refer(rng, h, cast), "reason": say(rng, h, texts.ESCALATION_REASONS)}


@_writes(Action.DISPUTE, "mediation_org_id", "reason")
def _dispute(rng, h, cast, who, at):
    detail = {**_refer(rng, h, cast), "reason": say(rng, h, texts.DISPUTE_REASONS)}
    detail["disputed_outcome"] = h.outcome
    h.decided_at = None
    return detail


@_writes(Action.RECORD_OUTCOME, "outcome", "compensation_amount", "note")
def _record_outcome(rng, h, cast, who, at):
    settled = rng.random() < 0.65
    h.outcome, h.decided_at = ("settled" if settled else "not_settled"), at
    h.compensation_amount = f"{float(h.claimed_amount) * rng.uniform(0.4, 1):.2f}" if settled else None
    h.outcome_note = say(rng, h, texts.SETTLEMENT_TERMS if settled else texts.NO_SETTLEMENT_REASONS)
    detail = {"outcome": h.outcome, "compensation_amount": h.compensation_amount}
    if settled:  # the agreement the parties are to accept (complaints/seed/agreements.py)
        h.agreement = agreements.BenchAgreement(
            who, h.mediation_org_id, h.outcome_note, h.compensation_amount, agreements.deadline(h, at), at
        )
        detail.update(payer="shop", perform_by=h.agreement.perform_by.isoformat(), pdf_sha256=None)
    return detail


@_writes(Action.CONFIRM)
def _confirm(rng, h, cast, who, at):
    h.closed_at = at
    if who is None:  # the closing job: no rating
        return {"rating": None}
    low, high = {"upheld": (4, 5), "partly_upheld": (3, 4), "settled": (3, 5)}.get(h.outcome, (1, 3))
    h.rating = rng.randint(low, high)
    if rng.random() < 0.5:
        h.rating_comment = say(rng, h, texts.RATING_COMMENTS[h.rating])
    return {"rating": h.rating}


@_writes(Action.CLOSE)
def _close(rng, h, cast, who, at):
    h.closed_at = at
    return {"reason": None}

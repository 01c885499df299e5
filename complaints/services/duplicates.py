"""Duplicates: a complaint that repeats another is closed into it (Action.MARK_DUPLICATE).

Which complaint may be the original, and why not otherwise:
- one the agent can see, by its reference, other than the duplicate itself;
- filed by the same consumer, about the same shop: a duplicate repeats the same matter, and every
  party of the duplicate (the consumer, the shop's staff) can then open the original it is sent to;
- not itself a duplicate (link to the complaint it repeats instead, so links never chain);
- not closed or withdrawn: the matter must still be alive where the consumer is sent.

The duplicate is closed (its state, by the workflow table), its running clocks end void (missed
if already late, sla/clocks.py), the consumer and the shop are told with the original's reference
(announcements.py), and both complaint pages show the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from complaints import participants
from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.services.effects import Change, effect
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal, State

MAX_REFERENCE = 40
# The original is where the consumer is sent: it must still be alive there.
ENDED = (State.CLOSED, State.WITHDRAWN)
# How many duplicates of one complaint its page lists.
MAX_LISTED = 20


def find_original(duplicate: Complaint, user: User, reference: str | None) -> Complaint:
    """The complaint `reference` names, if `duplicate` may be marked as repeating it (see the
    module docstring); else Refusal with a message that says why."""
    wanted = (reference or "").strip().upper()
    original = (
        participants.get_visible_complaint(user, wanted) if wanted and len(wanted) <= MAX_REFERENCE else None
    )
    if original is None:
        raise Refusal(N_("No complaint %(reference)s was found."), reference=wanted[:MAX_REFERENCE])
    if original.id == duplicate.id:
        raise Refusal(N_("A complaint cannot be a duplicate of itself."))
    if original.consumer_id is None or original.consumer_id != duplicate.consumer_id:
        raise Refusal(
            N_(
                "%(reference)s was filed by another consumer: only a complaint of the same consumer can be repeated."
            ),
            reference=original.reference,
        )
    if original.merchant_id != duplicate.merchant_id:
        raise Refusal(
            N_("%(reference)s is about another shop: only a complaint about the same shop can be repeated."),
            reference=original.reference,
        )
    if original.duplicate_of_id is not None:
        first = db.session.get(Complaint, original.duplicate_of_id)
        raise Refusal(
            N_(
                "%(reference)s is itself a duplicate of %(original)s: mark this one as a duplicate of %(original)s."
            ),
            reference=original.reference,
            original=first.reference,
        )
    if original.state in ENDED:
        raise Refusal(
            N_("%(reference)s is closed or withdrawn: the consumer could not follow it there."),
            reference=original.reference,
        )
    return original


@effect(Action.MARK_DUPLICATE)
def _mark_duplicate(complaint: Complaint, user: User, params: dict) -> Change:
    original = find_original(complaint, user, params["original"])
    complaint.duplicate_of_id = original.id
    complaint.closed_at = now()
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    return Change({"duplicate_of": original.reference})


@dataclass(frozen=True)
class DuplicateLinks:
    """A complaint's links as one viewer may follow them: the complaint it repeats, and those
    that repeat it (only complaints the viewer's scoped query finds)."""

    original: str | None = None
    duplicates: tuple[str, ...] = ()


def links_of(user: User, complaint: Complaint, *, repeated: bool = True) -> DuplicateLinks:
    """The duplicate links of `complaint` that `user` may open (one indexed query, two when it
    is itself a duplicate).
    repeated: False when the caller knows no complaint is marked a duplicate of it (no query
    for them)."""
    scoped = participants.visible_complaints(user).with_only_columns(Complaint.reference)
    original = None
    if complaint.duplicate_of_id is not None:
        original = db.session.scalar(scoped.where(Complaint.id == complaint.duplicate_of_id))
    duplicates = ()
    if repeated:
        duplicates = db.session.scalars(
            scoped.where(Complaint.duplicate_of_id == complaint.id).order_by(Complaint.id).limit(MAX_LISTED)
        )
    return DuplicateLinks(original=original, duplicates=tuple(duplicates))

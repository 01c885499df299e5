"""One action on many complaints, each on its own: a refusal on one never stops the others."""

from __future__ import annotations

from dataclasses import dataclass

from complaints.models import User
from complaints.services.errors import ComplaintNotFound
from complaints.services.lifecycle import act_on_complaint
from complaints.workflow import N_, Action, Refusal

MAX_BULK = 100  # complaints at once (a queue page is 25)


@dataclass(frozen=True)
class BulkResult:
    reference: str
    done: bool
    problem: Refusal | None = None  # why it was not done (translated where it is shown)


def act_on_many(user: User, references: list[str], action: Action, **params) -> list[BulkResult]:
    """Take `action` on each complaint of `references` (duplicates once, in the given order), each
    through act_on_complaint in its own transaction; return what happened to each.

    A complaint `user` may not see is reported as not found, as a page would answer 404.
    """
    results = []
    for reference in dict.fromkeys(references[:MAX_BULK]):
        try:
            act_on_complaint(user, reference, action, None, **params)
        except ComplaintNotFound:
            results.append(
                BulkResult(reference, False, Refusal(N_("No such complaint, or not yours to see.")))
            )
        except Refusal as refusal:
            results.append(BulkResult(reference, False, refusal))
        else:
            results.append(BulkResult(reference, True))
    return results

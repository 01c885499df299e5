"""What staff and consumers decide about a complaint: verify, reject, resolve, confirm, ..."""

from __future__ import annotations

from complaints import participants
from complaints.bounds import find
from complaints.models import AGENT_OUTCOMES, Category, Complaint, Outcome, Priority, User
from complaints.services.effects import Change, effect
from complaints.services.money import parse_amount
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal


@effect(Action.VERIFY)
def _verify(complaint: Complaint, user: User, params: dict) -> Change:
    if complaint.assignee_id is None:
        complaint.assignee_id = user.id
    return Change({"note": params.get("note") or None})


@effect(Action.REJECT)
def _reject(complaint: Complaint, user: User, params: dict) -> Change:
    complaint.rejection_reason = params["reason"]
    complaint.decided_at = now()
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    return Change({"reason": params["reason"]})


@effect(Action.WITHDRAW)
def _withdraw(complaint: Complaint, user: User, params: dict) -> Change:
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    complaint.decided_at = now()
    return Change({"reason": params.get("reason") or None})


@effect(Action.RESOLVE)
def _resolve(complaint: Complaint, user: User, params: dict) -> Change:
    try:
        outcome = Outcome(params["outcome"])
    except ValueError as exc:
        raise Refusal(N_("Choose an outcome.")) from exc
    if outcome not in AGENT_OUTCOMES:
        raise Refusal(N_("Choose an outcome."))
    amount = parse_amount(params.get("compensation_amount"), field="compensation")
    if outcome is Outcome.NOT_UPHELD and amount:
        raise Refusal(N_("A complaint that is not upheld carries no compensation."))
    complaint.outcome = outcome
    complaint.outcome_note = params.get("note") or None
    complaint.compensation_amount = amount
    complaint.decided_at = now()
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    return Change(
        {"outcome": outcome.value, "compensation_amount": str(amount) if amount is not None else None}
    )


@effect(Action.CONFIRM)
def _confirm(complaint: Complaint, user: User | None, params: dict) -> Change:
    rating = params.get("rating")
    if user is not None:
        try:
            rating = int(rating)
        except (TypeError, ValueError) as exc:
            raise Refusal(N_("Rate the service from 1 to 5.")) from exc
        if not 1 <= rating <= 5:
            raise Refusal(N_("Rate the service from 1 to 5."))
        complaint.rating = rating
        complaint.rating_comment = params.get("comment") or None
    complaint.closed_at = now()
    return Change({"rating": complaint.rating})


@effect(Action.APPEAL)
def _appeal(complaint: Complaint, user: User, params: dict) -> Change:
    complaint.appeal_used = True
    complaint.decided_at = None
    return Change({"reason": params["reason"]})


@effect(Action.CLOSE)
def _close(complaint: Complaint, user: User | None, params: dict) -> Change:
    complaint.closed_at = now()
    return Change({"reason": params.get("reason") or None})


def claim_refusal(complaint: Complaint, user: User) -> str | None:
    """Why `user` may not take `complaint` (a message to translate), or None: the one rule the
    claim and the page offering it both follow."""
    if complaint.assignee_id == user.id:
        return N_("You already have this complaint.")
    if complaint.assignee_id is not None and not participants.supervises(user):
        return N_("Another agent has this complaint; ask a supervisor to reassign it.")
    return None


@effect(Action.CLAIM)
def _claim(complaint: Complaint, user: User, params: dict) -> Change:
    refusal = claim_refusal(complaint, user)
    if refusal:
        raise Refusal(refusal)
    previous = complaint.assignee_id
    complaint.assignee_id = user.id
    return Change({"assignee_id": user.id, "previous_assignee_id": previous})


@effect(Action.ASSIGN)
def _assign(complaint: Complaint, user: User, params: dict) -> Change:
    assignee = find(User, params["assignee_id"])
    if assignee is None or not assignee.active or not participants.is_platform_staff(assignee):
        raise Refusal(N_("Complaints can be assigned only to active agents and supervisors."))
    previous = complaint.assignee_id
    handover = (params.get("handover") or "").strip() or None
    if previous is not None and previous != assignee.id and not handover:
        raise Refusal(N_("Say why you hand the complaint over: someone already handles it."))
    complaint.assignee_id = assignee.id
    return Change(
        {
            "assignee_id": assignee.id,
            "assignee": assignee.name,
            "previous_assignee_id": previous,
            "handover": handover,
        }
    )


@effect(Action.RECLASSIFY)
def _reclassify(complaint: Complaint, user: User, params: dict) -> Change:
    from complaints.services.filing import is_major

    category = find(Category, params["category_id"])
    if category is None or not category.active:
        raise Refusal(N_("Choose what the complaint is about."))
    amount = parse_amount(params["claimed_amount"], field="amount")
    before = {"category_id": complaint.category_id, "claimed_amount": str(complaint.claimed_amount)}
    complaint.category_id = category.id
    complaint.claimed_amount = amount
    complaint.is_major = is_major(amount)
    if complaint.is_major and complaint.priority is Priority.NORMAL:
        complaint.priority = Priority.HIGH
    return Change({"before": before, "category_id": category.id, "claimed_amount": str(amount)})

"""What an admin typed for each clock of a pledge policy version, checked and put in the shape
sla.policy.publish_version takes; and the promises as the admin audit log compares them.

A problem is an InvalidField named as the admin form's field ("<kind>-<field>", e.g.
"resolution-amount"), appended to the caller's list so that every problem is shown at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from complaints.bounds import find
from complaints.models import BreachAction, ClockKind, SlaTarget, TargetUnit, WaitingOn, WorkCalendar
from complaints.services.administration import InvalidField
from complaints.workflow import N_

# Upper bounds that catch typing slips (a year of hours, a year and a half of working days).
MAX_HOURS = Decimal(8760)
MAX_WORKING_DAYS = 365
DEFAULT_WARN_PERCENT = 75
PAUSE_REASONS = tuple(w.value for w in WaitingOn)


@dataclass
class TargetDraft:
    """What the admin typed for one clock kind; amount None means no promise for that clock."""

    kind: ClockKind
    amount: Decimal | None
    unit: str = TargetUnit.WORKING_DAYS.value
    calendar_id: int | str | None = None
    warn_percent: int | None = None
    pause_on: list[str] = field(default_factory=list)
    breach_actions: list[str] = field(default_factory=list)


def clean_targets(drafts: Iterable[TargetDraft], problems: list[InvalidField]) -> list[dict]:
    """The drafts with an amount, as publish_version's dicts; problems are appended to `problems`."""
    cleaned = []
    for draft in drafts:
        if draft.amount is None:
            continue
        before = len(problems)
        target = _clean_target(draft, problems)
        if len(problems) == before:
            cleaned.append(target)
    if not cleaned and not problems:
        problems.append(
            InvalidField("", N_("Promise at least one window: give an amount for one of the clocks."))
        )
    return cleaned


def _clean_target(draft: TargetDraft, problems: list[InvalidField]) -> dict:
    kind = ClockKind(draft.kind)

    def problem(name: str, template: str, **params) -> None:
        problems.append(InvalidField(f"{kind.value}-{name}", template, **params))

    unit = draft.unit if draft.unit in {u.value for u in TargetUnit} else None
    if unit is None:
        problem("unit", N_("Choose hours or working days."))
    amount = _amount(draft.amount, unit, problem)
    calendar_id = _int_or_none(draft.calendar_id)
    if calendar_id is None or find(WorkCalendar, calendar_id) is None:
        problem("calendar_id", N_("Choose a calendar."))
    warn = DEFAULT_WARN_PERCENT if draft.warn_percent is None else draft.warn_percent
    if not 1 <= warn <= 99:
        problem("warn_percent", N_("The warning point is a percentage between 1 and 99."))
    pause_on = sorted(set(draft.pause_on or ()))
    if any(reason not in PAUSE_REASONS for reason in pause_on):
        problem("pause_on", N_("Choose from the listed reasons."))
    elif kind is ClockKind.MERCHANT_REPLY and WaitingOn.MERCHANT.value in pause_on:
        problem("pause_on", N_("This clock runs while waiting on the merchant; it cannot pause for it."))
    actions = [a.value for a in BreachAction if a.value in set(draft.breach_actions or ())]
    if len(actions) != len(set(draft.breach_actions or ())):
        problem("breach_actions", N_("Choose from the listed actions."))
    return {
        "kind": kind.value,
        "amount": amount,
        "unit": unit,
        "calendar_id": calendar_id,
        "warn_percent": warn,
        "pause_on": pause_on,
        "breach_actions": actions,
    }


def _amount(value, unit: str | None, problem) -> Decimal | None:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        problem("amount", N_("Give a number."))
        return None
    if not amount.is_finite() or amount <= 0:
        problem("amount", N_("A target must be more than zero."))
    elif unit == TargetUnit.WORKING_DAYS.value and (
        amount != amount.to_integral_value() or amount > MAX_WORKING_DAYS
    ):
        problem("amount", N_("Give a whole number of working days, at most %(max)s."), max=MAX_WORKING_DAYS)
    elif unit == TargetUnit.HOURS.value and (
        amount > MAX_HOURS or amount != amount.quantize(Decimal("0.01"))
    ):
        problem("amount", N_("Give at most %(max)s hours, to the hundredth."), max=int(MAX_HOURS))
    return amount


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def target_dict(target: SlaTarget) -> dict:
    """A published target as the dicts publish_version takes."""
    return {
        "kind": target.kind.value,
        "amount": target.amount,
        "unit": target.unit.value,
        "calendar_id": target.calendar_id,
        "warn_percent": target.warn_percent,
        "pause_on": list(target.pause_on),
        "breach_actions": list(target.breach_actions),
    }


def promises_by_kind(targets: Iterable[dict]) -> dict[str, dict]:
    """Targets (publish_version's dicts) by clock kind, for the audit log: amounts as written
    ("15", "1.5"), so that the same promise typed differently is not a change."""
    promises = {}
    for target in targets:
        amount = Decimal(target["amount"])
        amount = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()
        promises[str(target["kind"])] = {
            "amount": str(amount),
            "unit": str(target["unit"]),
            "calendar_id": target["calendar_id"],
            "warn_percent": target["warn_percent"],
            "pause_on": sorted(target["pause_on"]),
            "breach_actions": list(target["breach_actions"]),
        }
    return promises

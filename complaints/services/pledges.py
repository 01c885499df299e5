"""The pledge as the admin edits it: SLA policies, their versions, and the working calendars.

Editing a policy publishes a new version (sla.policy.publish_version); complaints already filed
keep the version they were filed under. Each calendar change stamps WorkCalendar.updated_at so
that every process rebuilds its cached working-time calendar. Each use case validates what the
admin typed, changes the models and flushes; the caller commits, and rolls back on Refusal.
A problem with one field is an InvalidField (named as the admin form's field); several at once
are an InvalidFields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import (
    AdminAction,
    BreachAction,
    Category,
    ClockKind,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
    TargetUnit,
    User,
    WaitingOn,
    WorkCalendar,
)
from complaints.services import admin_audit
from complaints.services.administration import InvalidField
from complaints.sla import policy as sla_policy
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

# Upper bounds that catch typing slips (a year of hours, a year and a half of working days).
MAX_HOURS = Decimal(8760)
MAX_WORKING_DAYS = 365
DEFAULT_WARN_PERCENT = 75
PAUSE_REASONS = tuple(w.value for w in WaitingOn)


class InvalidFields(Refusal):
    """Several field problems found at once, so the admin sees them all beside their fields."""

    def __init__(self, problems: list[InvalidField]):
        super().__init__(N_("Please correct the marked fields."))
        self.problems = problems


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


@dataclass
class PolicyOverview:
    """A policy with its newest version (None only for a policy that never got one)."""

    policy: SlaPolicy
    version: SlaPolicyVersion | None


@dataclass
class VersionEntry:
    """One line of a policy's history: the version and who published it (None: shipped)."""

    version: SlaPolicyVersion
    author: User | None


# --- Policies -------------------------------------------------------------------------------


def list_policies() -> list[PolicyOverview]:
    """Every policy, general ones first, each with its current version (two queries)."""
    policies = list(db.session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)))
    newest = (
        select(SlaPolicyVersion.policy_id, func.max(SlaPolicyVersion.number).label("number"))
        .group_by(SlaPolicyVersion.policy_id)
        .subquery()
    )
    versions = db.session.scalars(
        select(SlaPolicyVersion).join(
            newest,
            (SlaPolicyVersion.policy_id == newest.c.policy_id) & (SlaPolicyVersion.number == newest.c.number),
        )
    )
    by_policy = {v.policy_id: v for v in versions}
    return [PolicyOverview(p, by_policy.get(p.id)) for p in policies]


def policy_history(policy: SlaPolicy) -> list[VersionEntry]:
    """The versions of `policy`, newest first, with the admin who published each."""
    versions = list(
        db.session.scalars(
            select(SlaPolicyVersion)
            .where(SlaPolicyVersion.policy_id == policy.id)
            .order_by(SlaPolicyVersion.number.desc())
        )
    )
    author_ids = {v.created_by_id for v in versions if v.created_by_id is not None}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(author_ids)))}
    return [VersionEntry(v, authors.get(v.created_by_id)) for v in versions]


def _same_scope(category_id: int | None, major: bool | None, exclude_id: int | None) -> SlaPolicy | None:
    """The active policy that already covers exactly this scope, if any."""
    query = select(SlaPolicy).where(
        SlaPolicy.active.is_(True),
        SlaPolicy.category_id.is_(None) if category_id is None else SlaPolicy.category_id == category_id,
        SlaPolicy.major.is_(None) if major is None else SlaPolicy.major.is_(major),
    )
    if exclude_id is not None:
        query = query.where(SlaPolicy.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def _check_scope_free(category_id: int | None, major: bool | None, exclude_id: int | None, field_name):
    rival = _same_scope(category_id, major, exclude_id)
    if rival is not None:
        message = N_(
            "The active policy “%(name)s” already covers the same complaints. Publish a new version "
            "of it, or deactivate it first."
        )
        if field_name:
            raise InvalidField(field_name, message, name=rival.name)
        raise Refusal(message, name=rival.name)


def create_policy(
    admin: User,
    *,
    name: str,
    category_id: int | str | None,
    major: bool | None,
    targets: list[TargetDraft],
    note: str = "",
) -> SlaPolicy:
    """Add an active policy and publish its version 1.

    admin: who publishes it (recorded on the version and in the audit log).
    name: how admins and reports call it.
    category_id: the category it applies to (its id, as typed or not); None or "" for any category.
    major: True for major complaints only, False for the others only, None for any size.
    targets: one draft per clock kind (see publish_policy_version).
    note: why it was created, shown in its history.
    """
    problems: list[InvalidField] = []
    name = (name or "").strip()
    if not name:
        problems.append(InvalidField("name", N_("Fill in this field.")))
    elif len(name) > 120:
        problems.append(InvalidField("name", N_("At most %(max)s characters."), max=120))
    category = find(Category, category_id) if category_id not in (None, "") else None
    if category_id not in (None, "") and category is None:
        problems.append(InvalidField("category_id", N_("Choose a category, or any category.")))
    category_id = category.id if category else None
    cleaned = _clean_targets(targets, problems)
    if problems:
        raise InvalidFields(problems)
    _check_scope_free(category_id, major, None, "category_id")
    policy = SlaPolicy(name=name, category_id=category_id, major=major, active=True, created_at=now())
    db.session.add(policy)
    db.session.flush()
    sla_policy.publish_version(policy, cleaned, admin, clean_note(note))
    admin_audit.record(
        admin,
        AdminAction.POLICY_CREATED,
        "policy",
        policy.id,
        name=policy.name,
        version=1,
        category=policy.category.code if policy.category else None,
        major=major,
        promises=_promises(cleaned),
    )
    return policy


def publish_policy_version(
    admin: User, policy: SlaPolicy, targets: list[TargetDraft], note: str
) -> SlaPolicyVersion:
    """Publish version N+1 of `policy`; complaints already filed keep the version they have.

    admin: who publishes it (recorded on the version and, with the promises it changes, in the
      audit log).
    targets: one draft per clock kind; a draft without an amount means no promise for that clock.
      Field problems are named "<kind>-<field>" (e.g. "resolution-amount") as on the admin form.
    note: what changed and why (required), shown in the policy's history.
    """
    problems: list[InvalidField] = []
    cleaned = _clean_targets(targets, problems)
    note = (note or "").strip()
    if not note:
        problems.append(InvalidField("note", N_("Say what changed, for the policy's history.")))
    if problems:
        raise InvalidFields(problems)
    previous = sla_policy.current_version(policy)
    try:
        version = sla_policy.publish_version(policy, cleaned, admin, clean_note(note))
    except IntegrityError as exc:  # another admin published the same number first
        raise Refusal(
            N_("Someone else published a version of this policy meanwhile. Reload and try again.")
        ) from exc
    before = _promises(_target_dict(t) for t in previous.targets) if previous else {}
    admin_audit.record(
        admin,
        AdminAction.POLICY_VERSION_PUBLISHED,
        "policy",
        policy.id,
        name=policy.name,
        version=version.number,
        note=version.note,
        changes=admin_audit.changes(before, _promises(cleaned)),
    )
    return version


def _target_dict(target: SlaTarget) -> dict:
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


def _promises(targets: Iterable[dict]) -> dict[str, dict]:
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


def set_policy_active(policy: SlaPolicy, active: bool, *, actor: User | None = None) -> SlaPolicy:
    """Activate or deactivate `policy`.

    A deactivated policy is no longer given to new complaints (they fall back to the next policy
    that fits) and its clocks stop warning and breaching. The last active policy for any category
    and any size cannot be deactivated, so that every complaint is held to some pledge.
    actor: the admin who does it; since deactivating silences breaches, each change (not a
    repeat) is recorded in the audit log. None for the system.
    """
    if active and not policy.active:
        _check_scope_free(policy.category_id, policy.major, policy.id, None)
    is_general = policy.category_id is None and policy.major is None
    if not active and policy.active and is_general and _same_scope(None, None, policy.id) is None:
        raise Refusal(
            N_(
                "This is the pledge for every complaint. Activate another policy for any category "
                "and any size before deactivating it."
            )
        )
    changed = policy.active != active
    policy.active = active
    db.session.flush()
    if changed:
        current = sla_policy.current_version(policy)
        admin_audit.record(
            actor,
            AdminAction.POLICY_ACTIVATED if active else AdminAction.POLICY_DEACTIVATED,
            "policy",
            policy.id,
            name=policy.name,
            version=current.number if current else None,
        )
    return policy


def clean_note(note: str | None) -> str:
    return (note or "").strip()[:200]


def _clean_targets(drafts: Iterable[TargetDraft], problems: list[InvalidField]) -> list[dict]:
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


# --- Calendars ------------------------------------------------------------------------------

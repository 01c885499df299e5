"""The pledge as the admin edits it: SLA policies and their versions.

Editing a policy's promises publishes a new version (sla.policy.publish_version); complaints
already filed keep the version they were filed under. A policy's names (in Chinese and English)
are not part of its promises and change in place. Each use case validates what the admin typed,
changes the models and flushes; the caller commits, and rolls back on Refusal. A problem with one
field is an InvalidField (named as the admin form's field); several at once are an InvalidFields.
What was typed for each clock is checked by services.pledge_targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import AdminAction, Category, SlaPolicy, SlaPolicyVersion, User
from complaints.services import admin_audit, names
from complaints.services.administration import InvalidField, InvalidFields
from complaints.services.pledge_targets import TargetDraft, clean_targets, promises_by_kind, target_dict
from complaints.sla import policy as sla_policy
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

NAME_MAX = 120  # sla_policies.name and name_en
NOTE_MAX = 200  # sla_policy_versions.note and note_en


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
            raise InvalidField(field_name, message, name=rival.name, name_en=rival.name_en)
        raise Refusal(message, name=rival.name, name_en=rival.name_en)


def create_policy(
    admin: User,
    *,
    name: str,
    name_en: str,
    category_id: int | str | None,
    major: bool | None,
    targets: list[TargetDraft],
    note: str = "",
    note_en: str = "",
) -> SlaPolicy:
    """Add an active policy and publish its version 1.

    admin: who publishes it (recorded on the version and in the audit log).
    name, name_en: how admins and reports call it, in Chinese and in English (both required).
    category_id: the category it applies to (its id, as typed or not); None or "" for any category.
    major: True for major complaints only, False for the others only, None for any size.
    targets: one draft per clock kind (see publish_policy_version).
    note, note_en: why it was created, shown in its history (optional; the Chinese form is
      required once an English one is given).
    """
    problems: list[InvalidField] = []
    named = names.clean_name(problems, name, name_en, max_length=NAME_MAX)
    category = find(Category, category_id) if category_id not in (None, "") else None
    if category_id not in (None, "") and category is None:
        problems.append(InvalidField("category_id", N_("Choose a category, or any category.")))
    category_id = category.id if category else None
    cleaned = clean_targets(targets, problems)
    noted = names.clean_note(problems, note, note_en, max_length=NOTE_MAX)
    if problems:
        raise InvalidFields(problems)
    _check_scope_free(category_id, major, None, "category_id")
    policy = SlaPolicy(
        name=named.chinese,
        name_en=named.english,
        category_id=category_id,
        major=major,
        active=True,
        created_at=now(),
    )
    db.session.add(policy)
    db.session.flush()
    sla_policy.publish_version(policy, cleaned, admin, noted.chinese, noted.english)
    admin_audit.record(
        admin,
        AdminAction.POLICY_CREATED,
        "policy",
        policy.id,
        name=policy.name,
        name_en=policy.name_en,
        version=1,
        note=noted.chinese,
        note_en=noted.english,
        category=policy.category.code if policy.category else None,
        major=major,
        promises=promises_by_kind(cleaned),
    )
    return policy


def rename_policy(admin: User, policy: SlaPolicy, *, name: str, name_en: str) -> SlaPolicy:
    """Change what `policy` is called, in Chinese and in English (both required). Its promises
    and versions stay as they are.

    admin: who renames it; a change (not a save with nothing changed) is in the audit log.
    """
    problems: list[InvalidField] = []
    named = names.clean_name(problems, name, name_en, max_length=NAME_MAX)
    if problems:
        raise InvalidFields(problems)
    before = {"name": policy.name, "name_en": policy.name_en}
    policy.name, policy.name_en = named.chinese, named.english
    db.session.flush()
    changed = admin_audit.changes(before, {"name": policy.name, "name_en": policy.name_en})
    if changed:
        admin_audit.record(
            admin,
            AdminAction.POLICY_RENAMED,
            "policy",
            policy.id,
            name=policy.name,
            name_en=policy.name_en,
            changes=changed,
        )
    return policy


def publish_policy_version(
    admin: User, policy: SlaPolicy, targets: list[TargetDraft], note: str, note_en: str = ""
) -> SlaPolicyVersion:
    """Publish version N+1 of `policy`; complaints already filed keep the version they have.

    admin: who publishes it (recorded on the version and, with the promises it changes, in the
      audit log).
    targets: one draft per clock kind; a draft without an amount means no promise for that clock.
      Field problems are named "<kind>-<field>" (e.g. "resolution-amount") as on the admin form.
    note, note_en: what changed and why, in Chinese (required) and in English (optional), shown
      in the policy's history.
    """
    problems: list[InvalidField] = []
    cleaned = clean_targets(targets, problems)
    noted = names.clean_note(
        problems,
        note,
        note_en,
        required=N_("Say what changed, for the policy's history."),
        max_length=NOTE_MAX,
    )
    if problems:
        raise InvalidFields(problems)
    previous = sla_policy.current_version(policy)
    try:
        version = sla_policy.publish_version(policy, cleaned, admin, noted.chinese, noted.english)
    except IntegrityError as exc:  # another admin published the same number first
        raise Refusal(
            N_("Someone else published a version of this policy meanwhile. Reload and try again.")
        ) from exc
    before = promises_by_kind(target_dict(t) for t in previous.targets) if previous else {}
    admin_audit.record(
        admin,
        AdminAction.POLICY_VERSION_PUBLISHED,
        "policy",
        policy.id,
        name=policy.name,
        name_en=policy.name_en,
        version=version.number,
        note=version.note,
        note_en=version.note_en,
        changes=admin_audit.changes(before, promises_by_kind(cleaned)),
    )
    return version


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
            name_en=policy.name_en,
            version=current.number if current else None,
        )
    return policy

"""Mediation organisations, as the admin keeps them: named in Chinese and in English.

Each use case validates what the admin typed, changes the models and flushes; the caller commits,
and rolls back on Refusal. Problems are InvalidFields named as the admin form's fields
("name", "name_en").
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import AdminAction, Category, MediationOrganisation, User
from complaints.services import admin_audit, names
from complaints.services.administration import InvalidField, InvalidFields
from complaints.timekeeping import now
from complaints.workflow import N_

NAME_MAX = 200  # mediation_organisations.name and name_en
CAPACITY_MAX = 1_000_000
DEFAULT_CAPACITY = 20
_NAME_TAKEN = N_("Another mediation organisation already has this name.")


def list_organisations() -> list[MediationOrganisation]:
    """Every mediation organisation, by its Chinese name (there are few)."""
    return list(db.session.scalars(select(MediationOrganisation).order_by(MediationOrganisation.name)))


def _checked_names(organisation_id: int | None, name: str, name_en: str) -> names.Bilingual:
    """Both names as typed, each required and used by no other organisation: the Chinese one as
    written, the English one in any case ("Shanghai Centre" is "shanghai centre")."""
    problems: list[InvalidField] = []
    named = names.clean_name(problems, name, name_en, max_length=NAME_MAX)
    others = select(func.count()).select_from(MediationOrganisation)
    if organisation_id is not None:
        others = others.where(MediationOrganisation.id != organisation_id)
    if named.chinese and db.session.scalar(others.where(MediationOrganisation.name == named.chinese)):
        problems.append(InvalidField("name", _NAME_TAKEN))
    english = func.lower(MediationOrganisation.name_en) == named.english.lower()
    if named.english and db.session.scalar(others.where(english)):
        problems.append(InvalidField("name_en", _NAME_TAKEN))
    if problems:
        raise InvalidFields(problems)
    return named


def _flush() -> None:
    """Flush; the unique index on the Chinese name filled by another request first is the same
    refusal as ours."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise InvalidFields([InvalidField("name", _NAME_TAKEN)]) from exc


def create_organisation(
    *,
    name: str,
    name_en: str,
    active: bool = True,
    capacity: int | None = DEFAULT_CAPACITY,
    category_ids=(),
    actor: User | None = None,
) -> MediationOrganisation:
    """Add a third-party mediation organisation.

    name, name_en: its name in Chinese and in English; both required, neither used by another
      organisation.
    active: whether complaints can be referred to it; its mediators keep their cases either way.
    capacity: the most cases it mediates at once (1 to CAPACITY_MAX).
    category_ids: the categories it takes; none: every category.
    actor: the admin adding it, for the audit log; None for the system.
    """
    named = _checked_names(None, name, name_en)
    organisation = MediationOrganisation(
        name=named.chinese,
        name_en=named.english,
        active=active,
        capacity=_checked_capacity(DEFAULT_CAPACITY if capacity is None else capacity),
        categories=_categories(category_ids),
        created_at=now(),
    )
    db.session.add(organisation)
    _flush()
    admin_audit.record(
        actor, AdminAction.ORGANISATION_CREATED, "organisation", organisation.id, **_state(organisation)
    )
    return organisation


def update_organisation(
    organisation: MediationOrganisation,
    *,
    name: str,
    name_en: str,
    active: bool,
    capacity: int | None = None,
    category_ids=None,
    actor: User | None = None,
) -> MediationOrganisation:
    """Rename a mediation organisation (as create_organisation) or change whether it takes
    referrals. Complaints already referred show its new name; their timelines keep the name it
    had when they were referred.

    capacity, category_ids: as create_organisation; None keeps them.
    actor: the admin changing it; a change (not a save with nothing changed) is in the audit log.
    """
    named = _checked_names(organisation.id, name, name_en)
    before = _state(organisation)
    organisation.name, organisation.name_en = named.chinese, named.english
    organisation.active = active
    if capacity is not None:
        organisation.capacity = _checked_capacity(capacity)
    if category_ids is not None:
        organisation.categories = _categories(category_ids)
    _flush()
    changed = admin_audit.changes(before, _state(organisation))
    if changed:
        admin_audit.record(
            actor,
            AdminAction.ORGANISATION_UPDATED,
            "organisation",
            organisation.id,
            name=organisation.name,
            name_en=organisation.name_en,
            changes=changed,
        )
    return organisation


def _state(organisation: MediationOrganisation) -> dict:
    return {
        "name": organisation.name,
        "name_en": organisation.name_en,
        "active": organisation.active,
        "capacity": organisation.capacity,
        "categories": sorted(category.code for category in organisation.categories),
    }


def _checked_capacity(capacity) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= CAPACITY_MAX:
        raise InvalidFields([InvalidField("capacity", N_("Between 1 and %(max)s cases."), max=CAPACITY_MAX)])
    return capacity


def _categories(category_ids) -> list[Category]:
    """The categories of `category_ids` (an unknown id is refused, as a form would)."""
    ids = sorted(set(category_ids or ()))
    if not ids:
        return []
    found = list(db.session.scalars(select(Category).where(Category.id.in_(ids)).order_by(Category.id)))
    if len(found) != len(ids):
        raise InvalidFields([InvalidField("category_ids", N_("Choose categories from the list."))])
    return found

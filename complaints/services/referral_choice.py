"""Which mediation organisation a referral goes to: those that take the complaint's category and
have room, and the one the platform proposes (the most spare capacity).

An organisation's open load is what it mediates or is about to: complaints in mediation with it
(waiting for its acceptance, accepted, or referred before consent was asked) and referrals to it
still waiting for the parties' consent. Its capacity is the most it takes at once.
"""

from __future__ import annotations

from sqlalchemy import func, select

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import Complaint, MediationOrganisation, Referral, ReferralStatus
from complaints.workflow import N_, Refusal, State


def takes_category(organisation: MediationOrganisation, category_id: int | None) -> bool:
    """Whether `organisation` takes complaints of `category_id` (one listing no category takes all)."""
    return not organisation.categories or category_id in organisation.category_ids


def open_loads(organisation_ids: list[int] | None = None) -> dict[int, int]:
    """The open load of each organisation (organisation id -> cases), in two grouped reads."""
    in_mediation = (
        select(Complaint.mediation_org_id, func.count())
        .where(Complaint.state == State.MEDIATED, Complaint.mediation_org_id.is_not(None))
        .group_by(Complaint.mediation_org_id)
    )
    awaiting_consent = (
        select(Referral.organisation_id, func.count())
        .where(Referral.status == ReferralStatus.AWAITING_CONSENT)
        .group_by(Referral.organisation_id)
    )
    if organisation_ids is not None:
        in_mediation = in_mediation.where(Complaint.mediation_org_id.in_(organisation_ids))
        awaiting_consent = awaiting_consent.where(Referral.organisation_id.in_(organisation_ids))
    loads: dict[int, int] = {}
    for query in (in_mediation, awaiting_consent):
        for organisation_id, count in db.session.execute(query):
            loads[organisation_id] = loads.get(organisation_id, 0) + count
    return loads


def organisations_for(category_id: int | None) -> list[MediationOrganisation]:
    """The active organisations that take `category_id`, by name (the referral forms' choices)."""
    active = db.session.scalars(
        select(MediationOrganisation)
        .where(MediationOrganisation.active.is_(True))
        .order_by(MediationOrganisation.name)
    )
    return [org for org in active if takes_category(org, category_id)]


def spare_capacity(organisation: MediationOrganisation, loads: dict[int, int]) -> int:
    return organisation.capacity - loads.get(organisation.id, 0)


def propose(category_id: int | None) -> MediationOrganisation | None:
    """The organisation the platform proposes for a complaint of `category_id`: of the active ones
    that take the category and have room, the one with the most spare capacity (by name on a tie);
    None when none has room."""
    candidates = organisations_for(category_id)
    loads = open_loads([org.id for org in candidates])
    with_room = [org for org in candidates if spare_capacity(org, loads) > 0]
    if not with_room:
        return None
    return min(with_room, key=lambda org: (-spare_capacity(org, loads), org.name))


def chosen_organisation(complaint: Complaint, organisation_id) -> MediationOrganisation:
    """The organisation the referrer chose for `complaint`, if it may take it; else Refusal saying
    why (inactive or unknown, not taking the category, at capacity)."""
    organisation = find(MediationOrganisation, organisation_id)
    if organisation is None or not organisation.active:
        raise Refusal(N_("Choose a mediation organisation that takes referrals."))
    if not takes_category(organisation, complaint.category_id):
        raise Refusal(N_("This mediation organisation does not take complaints of this category."))
    if spare_capacity(organisation, open_loads([organisation.id])) <= 0:
        raise Refusal(
            N_("This mediation organisation has no room for another case now: choose another."),
        )
    return organisation
